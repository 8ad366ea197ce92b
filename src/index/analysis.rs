//! Text analysis: how Swedish and English text becomes index terms.
//!
//! tokenize on letters and digits → drop very long tokens → lower-case →
//! drop stop words → Snowball stem. The same analysers index documents,
//! analyse queries and find the words to mark in snippets, so a word is
//! highlighted exactly when it matched.
//!
//! Case is folded (`VARG` = `varg`) but diacritics are kept: `å ä ö` are
//! letters of their own in Swedish (`får` ≠ `far`, `idé` ≠ `ide`). Text is
//! NFC-normalised when the corpus loads and when a query is parsed, so a
//! decomposed `å` matches a composed one.

use crate::lang::Lang;
use tantivy::tokenizer::{
    Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    TextAnalyzer, TokenizerManager,
};

/// Tokens longer than this (in bytes) are dropped: they are not words.
const MAX_TOKEN_BYTES: usize = 60;

/// Name of the analyser registered with tantivy for a language's fields.
pub fn tokenizer_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "bubbla_sv",
        Lang::En => "bubbla_en",
    }
}

fn snowball(lang: Lang) -> Language {
    match lang {
        Lang::Sv => Language::Swedish,
        Lang::En => Language::English,
    }
}

/// The full analyser for a language.
pub fn analyzer(lang: Lang) -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser);
    match StopWordFilter::new(snowball(lang)) {
        Some(stop) => builder
            .filter(stop)
            .filter(Stemmer::new(snowball(lang)))
            .build(),
        None => builder.filter(Stemmer::new(snowball(lang))).build(),
    }
}

/// Stems one lower-cased word, without stop-word removal (for compound parts).
pub fn stemmer(lang: Lang) -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(snowball(lang)))
        .build()
}

/// Registers both analysers with an index.
pub fn register(manager: &TokenizerManager) {
    for lang in Lang::ALL {
        manager.register(tokenizer_name(lang), analyzer(lang));
    }
}

thread_local! {
    /// Analysers are costly to build (stop-word sets) and cheap to reuse;
    /// each thread keeps one per language.
    static ANALYZERS: std::cell::RefCell<[TextAnalyzer; 2]> =
        std::cell::RefCell::new([analyzer(Lang::Sv), analyzer(Lang::En)]);
    static STEMMERS: std::cell::RefCell<[TextAnalyzer; 2]> =
        std::cell::RefCell::new([stemmer(Lang::Sv), stemmer(Lang::En)]);
}

/// Analyses `text` with the language's analyser (cached per thread).
pub fn analyze_text(lang: Lang, text: &str) -> Vec<Term> {
    ANALYZERS.with(|a| analyze(&mut a.borrow_mut()[lang as usize], text))
}

/// Stems one lower-cased word without stop-word removal (cached per thread).
pub fn stem(lang: Lang, word: &str) -> String {
    STEMMERS.with(|s| stem_word(&mut s.borrow_mut()[lang as usize], word))
}

/// A token with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The stem, as indexed.
    pub stem: String,
    pub position: usize,
    /// Byte range in the analysed text.
    pub from: usize,
    pub to: usize,
}

/// Analyses `text` into its index terms.
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Term> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push(Term {
            stem: t.text.clone(),
            position: t.position,
            from: t.offset_from,
            to: t.offset_to,
        });
    }
    out
}

/// Stems a single word.
pub fn stem_word(stemmer: &mut TextAnalyzer, word: &str) -> String {
    let mut stream = stemmer.token_stream(word);
    match stream.next() {
        Some(t) => t.text.clone(),
        None => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(lang: Lang, text: &str) -> Vec<String> {
        analyze(&mut analyzer(lang), text)
            .into_iter()
            .map(|t| t.stem)
            .collect()
    }

    #[test]
    fn swedish_inflections_share_a_stem() {
        assert_eq!(stems(Lang::Sv, "varg vargar vargen vargarna"), ["varg"; 4]);
    }

    #[test]
    fn english_inflections_share_a_stem() {
        assert_eq!(stems(Lang::En, "hunting hunts hunted"), ["hunt"; 3]);
        assert_eq!(stems(Lang::En, "wolf wolves")[0], "wolf");
    }

    #[test]
    fn case_folds_but_swedish_letters_stay() {
        assert_eq!(stems(Lang::Sv, "VARG"), ["varg"]);
        assert_ne!(stems(Lang::Sv, "får"), stems(Lang::Sv, "far"));
        assert_ne!(stems(Lang::Sv, "sköt"), stems(Lang::Sv, "skot"));
    }

    #[test]
    fn stop_words_and_punctuation_vanish() {
        assert!(stems(Lang::Sv, "och att det ... !!! 🐺").is_empty());
        assert!(stems(Lang::En, "the of and").is_empty());
    }
}

/// Guesses a text's language from its stop words: the language whose
/// analyser removes more of the text's words. English wins a tie.
pub fn detect_lang(text: &str) -> Lang {
    let sample: String = text.chars().take(2000).collect();
    let words = {
        let mut t = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .build();
        analyze(&mut t, &sample).len()
    };
    let kept = |lang: Lang| analyze_text(lang, &sample).len();
    let (sv_stop, en_stop) = (words - kept(Lang::Sv), words - kept(Lang::En));
    if sv_stop > en_stop {
        Lang::Sv
    } else {
        Lang::En
    }
}

#[cfg(test)]
mod detect_tests {
    use super::*;

    #[test]
    fn tells_swedish_from_english() {
        assert_eq!(
            detect_lang("Vargen är ett rovdjur som har funnits i Sverige i tusentals år."),
            Lang::Sv
        );
        assert_eq!(
            detect_lang("The wolf is a predator that has lived in Sweden for thousands of years."),
            Lang::En
        );
    }
}
