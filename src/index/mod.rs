//! The full-text index: a tantivy index over both languages, and search that
//! turns a query into scored candidates.
//!
//! Each language has its own fields (`title_sv`, `body_sv`, `title_en`,
//! `body_en`) analysed with its own stemmer and stop words, and Swedish has a
//! third field, `parts_sv`, holding every word's stem *and* its compound parts
//! (see [`compound`]). A query is analysed with both analysers and searched in
//! both languages at once, so nobody has to choose a language.
//!
//! This module knows documents only as `IndexDoc` (id, language, title, text)
//! and returns hits as (id, score): it knows nothing of themes, ranking or the
//! web.

pub mod analysis;
pub mod compound;
pub mod query;
pub mod snippet;
mod stats;

use crate::lang::Lang;
use crate::progress::Progress;
use analysis::{analyze, analyzer, stem_word, stemmer, tokenizer_name};
use compound::Decompounder;
pub use query::UserQuery;
use std::collections::HashMap;
use std::path::Path;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

/// Bump when the schema or the analysis changes: stored indexes are rebuilt.
pub const SCHEMA_VERSION: u32 = 3;

/// File in the index folder listing the compound dictionary.
const COMPOUNDS_FILE: &str = "compounds.txt";

/// Field weights. Measured with `bubbla eval` on Cranfield and SweFAQ (see
/// docs/benchmarks.md); kept only because they helped on both.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scoring {
    /// Weight of a match in the title, relative to the body.
    pub title_boost: f32,
    /// Weight of a match among compound parts (`varg` in `vargjakt`). Below
    /// 1, so that documents saying the word itself rank above.
    pub parts_boost: f32,
    /// Weight of the parts of a compound *in the query* (`mobilförbud`
    /// also looks for `mobil` and `förbud`), searched among all words.
    pub query_parts_boost: f32,
}

impl Default for Scoring {
    fn default() -> Self {
        Scoring {
            title_boost: 1.0,
            parts_boost: 0.6,
            query_parts_boost: 0.7,
        }
    }
}

/// What the index needs of a document.
#[derive(Debug, Clone, Copy)]
pub struct IndexDoc<'a> {
    pub id: &'a str,
    pub lang: Lang,
    pub title: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    /// Position of the document in the slice given to `build`.
    ord: Field,
    lang: Field,
    title: [Field; 2],
    body: [Field; 2],
    parts_sv: Field,
}

impl Fields {
    fn title(&self, lang: Lang) -> Field {
        self.title[lang as usize]
    }
    fn body(&self, lang: Lang) -> Field {
        self.body[lang as usize]
    }
    /// Compound parts exist for Swedish only.
    fn parts(&self, lang: Lang) -> Option<Field> {
        (lang == Lang::Sv).then_some(self.parts_sv)
    }
    fn lang_of(&self, field: Field) -> Option<Lang> {
        Lang::ALL.into_iter().find(|&l| {
            self.title(l) == field || self.body(l) == field || self.parts(l) == Some(field)
        })
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |lang: Lang| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer_name(lang))
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let id = b.add_text_field("id", STRING | STORED);
    let ord = b.add_u64_field("ord", FAST);
    let lang = b.add_text_field("lang", STRING);
    let title = [
        b.add_text_field("title_sv", text(Lang::Sv)),
        b.add_text_field("title_en", text(Lang::En)),
    ];
    let body = [
        b.add_text_field("body_sv", text(Lang::Sv)),
        b.add_text_field("body_en", text(Lang::En)),
    ];
    let parts_sv = b.add_text_field(
        "parts_sv",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::WithFreqs),
        ),
    );
    (
        b.build(),
        Fields {
            id,
            ord,
            lang,
            title,
            body,
            parts_sv,
        },
    )
}

/// A scored match.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Position of the document in the slice the index was built from.
    pub ord: usize,
    /// BM25, summed over fields with their weights.
    pub score: f32,
    /// How often the query's words occur in title and text (exact stems,
    /// no compound parts, no length normalisation).
    pub term_count: u32,
    /// Where the document is in the index (for [`SearchIndex::positions`]).
    pub address: tantivy::DocAddress,
}

/// The top matches and how many there were in all.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// A query analysed for one language.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LangQuery {
    /// Stems of the plain words, without duplicates.
    pub terms: Vec<String>,
    /// Stems of the parts of compound query words (Swedish only).
    pub parts: Vec<String>,
    /// Each phrase as (position, stem) pairs; stop words leave gaps.
    pub phrases: Vec<Vec<(usize, String)>>,
    pub excluded: Vec<Vec<(usize, String)>>,
}

/// A query analysed for every language it is searched in.
#[derive(Debug, Clone, Default)]
pub struct AnalyzedQuery {
    pub langs: Vec<(Lang, LangQuery)>,
    /// Only documents in this language.
    pub filter: Option<Lang>,
}

impl AnalyzedQuery {
    /// Stems to highlight in a document of `lang`.
    pub fn highlight_stems(&self, lang: Lang) -> Vec<&str> {
        self.langs
            .iter()
            .filter(|(l, _)| *l == lang)
            .flat_map(|(_, q)| {
                q.terms
                    .iter()
                    .map(String::as_str)
                    .chain(q.phrases.iter().flatten().map(|(_, s)| s.as_str()))
            })
            .collect()
    }

    /// True when nothing positive is left to search for.
    pub fn is_empty(&self) -> bool {
        self.langs
            .iter()
            .all(|(_, q)| q.terms.is_empty() && q.phrases.is_empty())
    }
}

/// The index over one corpus, with a reader kept for its whole life.
pub struct SearchIndex {
    /// Keeps the index open; every search goes through one searcher of it.
    reader: IndexReader,
    fields: Fields,
    compounds: Decompounder,
    scoring: Scoring,
    /// Documents per language; a language without any is not searched.
    lang_docs: [u64; 2],
}

impl SearchIndex {
    /// Indexes `docs` into `dir` (which must be empty), or in memory.
    pub fn build(
        dir: Option<&Path>,
        docs: &[IndexDoc<'_>],
        progress: &Progress,
    ) -> tantivy::Result<SearchIndex> {
        let (schema, fields) = schema();
        let index = match dir {
            Some(dir) => Index::create_in_dir(dir, schema)?,
            None => Index::create_in_ram(schema),
        };
        analysis::register(index.tokenizers());
        progress.set_total(2 * docs.len() as u64);

        // Pass 1: learn the compound dictionary from Swedish words used alone.
        let mut sv = analyzer(Lang::Sv);
        let mut counts: HashMap<String, u32> = HashMap::new();
        for d in docs {
            if d.lang == Lang::Sv {
                for text in [d.title, d.text] {
                    for t in analyze(&mut sv, text) {
                        *counts.entry(t.stem).or_default() += 1;
                    }
                }
            }
            progress.inc(1);
        }
        let compounds = Decompounder::learn(&counts, compound::MIN_COUNT);
        drop(counts);

        // Pass 2: index.
        let mut writer = index.writer_with_num_threads(1, 100_000_000)?;
        let mut expander = PartsExpander::new(&compounds);
        for (ord, d) in docs.iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.id, d.id);
            doc.add_u64(fields.ord, ord as u64);
            doc.add_text(fields.lang, d.lang.code());
            doc.add_text(fields.title(d.lang), d.title);
            doc.add_text(fields.body(d.lang), d.text);
            if let Some(parts) = fields.parts(d.lang) {
                doc.add_pre_tokenized_text(parts, expander.expand(&mut sv, d.title, d.text));
            }
            writer.add_document(doc)?;
            progress.inc(1);
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        if let Some(dir) = dir {
            let mut words: Vec<&String> = compounds.words().collect();
            words.sort();
            let text: String = words.into_iter().map(|w| format!("{w}\n")).collect();
            std::fs::write(dir.join(COMPOUNDS_FILE), text)?;
        }
        progress.finish();
        SearchIndex::from_index(index, fields, compounds)
    }

    /// Opens an index built by [`SearchIndex::build`].
    pub fn open(dir: &Path) -> tantivy::Result<SearchIndex> {
        let index = Index::open_in_dir(dir)?;
        analysis::register(index.tokenizers());
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err(tantivy::TantivyError::SchemaError(
                "index schema differs from this version of bubbla".into(),
            ));
        }
        let words = std::fs::read_to_string(dir.join(COMPOUNDS_FILE))?;
        let compounds = Decompounder::from_words(words.lines().map(str::to_string));
        SearchIndex::from_index(index, fields, compounds)
    }

    fn from_index(
        index: Index,
        fields: Fields,
        compounds: Decompounder,
    ) -> tantivy::Result<SearchIndex> {
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let mut lang_docs = [0; 2];
        for lang in Lang::ALL {
            lang_docs[lang as usize] =
                searcher.doc_freq(&Term::from_field_text(fields.lang, lang.code()))?;
        }
        Ok(SearchIndex {
            reader,
            fields,
            compounds,
            scoring: Scoring::default(),
            lang_docs,
        })
    }

    /// Replaces the field weights (for evaluation experiments).
    pub fn set_scoring(&mut self, scoring: Scoring) {
        self.scoring = scoring;
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Stems of the compound parts of a (lower-case) word.
    pub fn compound_parts(&self, lang: Lang, word: &str) -> Vec<String> {
        if lang != Lang::Sv {
            return Vec::new();
        }
        self.compounds.parts(word, &mut |w| analysis::stem(lang, w))
    }

    /// Analyses a query for each language it is searched in.
    pub fn analyze(&self, q: &UserQuery, filter: Option<Lang>) -> AnalyzedQuery {
        let langs = Lang::ALL
            .into_iter()
            .filter(|l| filter.is_none_or(|f| f == *l) && self.lang_docs[*l as usize] > 0)
            .map(|lang| {
                let mut terms: Vec<String> = Vec::new();
                let mut parts: Vec<String> = Vec::new();
                for w in &q.words {
                    for t in analysis::analyze_text(lang, w) {
                        for p in self.compound_parts(lang, &w[t.from..t.to].to_lowercase()) {
                            if !parts.contains(&p) {
                                parts.push(p);
                            }
                        }
                        if !terms.contains(&t.stem) {
                            terms.push(t.stem);
                        }
                    }
                }
                parts.retain(|p| !terms.contains(p));
                let positions = |s: &str| -> Vec<(usize, String)> {
                    analysis::analyze_text(lang, s)
                        .into_iter()
                        .map(|t| (t.position, t.stem))
                        .collect()
                };
                let phrases = q
                    .phrases
                    .iter()
                    .map(|p| positions(p))
                    .filter(|p| !p.is_empty())
                    .collect();
                let excluded = q
                    .excluded
                    .iter()
                    .map(|p| positions(p))
                    .filter(|p| !p.is_empty())
                    .collect();
                (
                    lang,
                    LangQuery {
                        terms,
                        parts,
                        phrases,
                        excluded,
                    },
                )
            })
            .collect();
        AnalyzedQuery { langs, filter }
    }

    fn term(&self, field: Field, stem: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, stem),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// A phrase in one field; a one-word phrase is a term.
    fn phrase(&self, field: Field, words: &[(usize, String)]) -> Box<dyn Query> {
        match words {
            [(_, one)] => self.term(field, one),
            _ => Box::new(PhraseQuery::new_with_offset(
                words
                    .iter()
                    .map(|(p, s)| (*p, Term::from_field_text(field, s)))
                    .collect(),
            )),
        }
    }

    fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
        if boost == 1.0 {
            q
        } else {
            Box::new(BoostQuery::new(q, boost))
        }
    }

    /// The tantivy query for an analysed query, or `None` when it has nothing
    /// positive to search for.
    fn tantivy_query(&self, q: &AnalyzedQuery) -> Option<BooleanQuery> {
        if q.is_empty() {
            return None;
        }
        let f = &self.fields;
        let s = self.scoring;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut phrase_groups: Vec<Vec<Box<dyn Query>>> = Vec::new();
        for (lang, lq) in &q.langs {
            let lang = *lang;
            for stem in &lq.terms {
                clauses.push((
                    Occur::Should,
                    Self::boosted(self.term(f.title(lang), stem), s.title_boost),
                ));
                clauses.push((Occur::Should, self.term(f.body(lang), stem)));
                if let Some(parts) = f.parts(lang) {
                    clauses.push((
                        Occur::Should,
                        Self::boosted(self.term(parts, stem), s.parts_boost),
                    ));
                }
            }
            if s.query_parts_boost > 0.0 {
                for stem in &lq.parts {
                    if let Some(parts) = f.parts(lang) {
                        clauses.push((
                            Occur::Should,
                            Self::boosted(self.term(parts, stem), s.query_parts_boost),
                        ));
                    }
                }
            }
            // Phrase i must match in some language: group them by index.
            for (i, words) in lq.phrases.iter().enumerate() {
                if phrase_groups.len() <= i {
                    phrase_groups.resize_with(i + 1, Vec::new);
                }
                phrase_groups[i].push(Self::boosted(
                    self.phrase(f.title(lang), words),
                    s.title_boost,
                ));
                phrase_groups[i].push(self.phrase(f.body(lang), words));
            }
            for words in &lq.excluded {
                clauses.push((Occur::MustNot, self.phrase(f.title(lang), words)));
                clauses.push((Occur::MustNot, self.phrase(f.body(lang), words)));
                if let (Some(parts), [(_, one)]) = (f.parts(lang), words.as_slice()) {
                    clauses.push((Occur::MustNot, self.term(parts, one)));
                }
            }
        }
        for group in phrase_groups {
            let any: Vec<(Occur, Box<dyn Query>)> =
                group.into_iter().map(|q| (Occur::Should, q)).collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        let matching = BooleanQuery::new(clauses);
        let Some(lang) = q.filter else {
            return Some(matching);
        };
        // The language filter wraps the query instead of joining its
        // clauses: beside a required clause, the word clauses would become
        // optional and every document of the language would match. It adds
        // nothing to the score.
        let filter = TermQuery::new(
            Term::from_field_text(f.lang, lang.code()),
            IndexRecordOption::Basic,
        );
        Some(BooleanQuery::new(vec![
            (Occur::Must, Box::new(matching) as Box<dyn Query>),
            (
                Occur::Must,
                Box::new(tantivy::query::ConstScoreQuery::new(Box::new(filter), 0.0)),
            ),
        ]))
    }

    /// The `limit` best matches by text relevance, and the total match count.
    pub fn search(&self, q: &AnalyzedQuery, limit: usize) -> tantivy::Result<Hits> {
        let Some(query) = self.tantivy_query(q) else {
            return Ok(Hits::default());
        };
        let searcher = self.reader.searcher();
        let stats = stats::PerLanguage::new(&searcher, |field| {
            self.fields
                .lang_of(field)
                .map(|l| Term::from_field_text(self.fields.lang, l.code()))
        })?;
        let limit = limit.max(1);
        let (top, total) = searcher.search_with_statistics_provider(
            &query,
            &(TopDocs::with_limit(limit).order_by_score(), Count),
            &stats,
        )?;
        let counts = self.term_counts(&searcher, q, &top)?;
        let mut ords: Vec<Option<tantivy::columnar::Column<u64>>> = Vec::new();
        for reader in searcher.segment_readers() {
            ords.push(reader.fast_fields().u64("ord").ok());
        }
        let mut hits = Vec::with_capacity(top.len());
        for ((score, addr), term_count) in top.into_iter().zip(counts) {
            let ord = ords[addr.segment_ord as usize]
                .as_ref()
                .and_then(|c| c.first(addr.doc_id));
            if let Some(ord) = ord {
                hits.push(Hit {
                    ord: ord as usize,
                    score,
                    term_count,
                    address: addr,
                });
            }
        }
        Ok(Hits { total, hits })
    }
}

impl SearchIndex {
    /// Occurrences of the query's words (plain words and phrase words) in
    /// the title and text of each hit, read from the postings.
    fn term_counts(
        &self,
        searcher: &tantivy::Searcher,
        q: &AnalyzedQuery,
        top: &[(f32, tantivy::DocAddress)],
    ) -> tantivy::Result<Vec<u32>> {
        use tantivy::DocSet;
        use tantivy::postings::Postings;
        let mut counts = vec![0u32; top.len()];
        // Hits grouped by segment, in doc id order, for forward-only seeks.
        let mut by_segment: Vec<Vec<(u32, usize)>> =
            vec![Vec::new(); searcher.segment_readers().len()];
        for (i, (_, addr)) in top.iter().enumerate() {
            by_segment[addr.segment_ord as usize].push((addr.doc_id, i));
        }
        for list in &mut by_segment {
            list.sort_unstable();
        }
        for (lang, lq) in &q.langs {
            let mut stems: Vec<&str> = lq.terms.iter().map(String::as_str).collect();
            for (_, s) in lq.phrases.iter().flatten() {
                if !stems.contains(&s.as_str()) {
                    stems.push(s);
                }
            }
            for field in [self.fields.title(*lang), self.fields.body(*lang)] {
                for (seg, list) in by_segment.iter().enumerate() {
                    if list.is_empty() {
                        continue;
                    }
                    let inverted = searcher.segment_reader(seg as u32).inverted_index(field)?;
                    for stem in &stems {
                        let term = Term::from_field_text(field, stem);
                        let Some(mut postings) =
                            inverted.read_postings(&term, IndexRecordOption::WithFreqs)?
                        else {
                            continue;
                        };
                        for &(doc, i) in list {
                            if postings.doc() > doc {
                                continue;
                            }
                            if postings.seek(doc) == doc {
                                counts[i] += postings.term_freq();
                            }
                        }
                    }
                }
            }
        }
        Ok(counts)
    }

    /// Word positions in a document's text where `stems` occur, as the index
    /// recorded them, with the index (in `stems`) of the stem at each. The
    /// n-th position is the n-th word of the text, as the tokenizer splits it.
    pub fn positions(
        &self,
        address: tantivy::DocAddress,
        lang: Lang,
        stems: &[&str],
    ) -> tantivy::Result<Vec<(u32, usize)>> {
        use tantivy::DocSet;
        use tantivy::postings::Postings;
        let searcher = self.reader.searcher();
        let inverted = searcher
            .segment_reader(address.segment_ord)
            .inverted_index(self.fields.body(lang))?;
        let mut out = Vec::new();
        let mut buf = Vec::new();
        for (k, stem) in stems.iter().enumerate() {
            let term = Term::from_field_text(self.fields.body(lang), stem);
            let Some(mut postings) =
                inverted.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)?
            else {
                continue;
            };
            // A fresh posting list stands on its first document; seeking
            // backwards is not allowed.
            if postings.doc() <= address.doc_id && postings.seek(address.doc_id) == address.doc_id {
                postings.positions(&mut buf);
                out.extend(buf.iter().map(|&p| (p, k)));
            }
        }
        out.sort_unstable();
        out.dedup_by_key(|(p, _)| *p);
        Ok(out)
    }

    /// The id stored with the document at `ord`, to check that an index
    /// belongs to the documents it is opened with.
    pub fn id_at(&self, ord: usize) -> tantivy::Result<Option<String>> {
        use tantivy::schema::Value;
        let searcher = self.reader.searcher();
        let query = tantivy::query::RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_u64(self.fields.ord, ord as u64)),
            std::ops::Bound::Included(Term::from_field_u64(self.fields.ord, ord as u64)),
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = top.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(*addr)?;
        Ok(doc
            .get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .map(str::to_string))
    }
}

/// Builds the `parts_sv` tokens of a document: each word's stem, plus the
/// stems of its compound parts at the same position. Parts are remembered
/// per word, since the same compounds recur.
struct PartsExpander<'a> {
    compounds: &'a Decompounder,
    stemmer: tantivy::tokenizer::TextAnalyzer,
    memo: HashMap<String, Vec<String>>,
}

impl<'a> PartsExpander<'a> {
    fn new(compounds: &'a Decompounder) -> Self {
        PartsExpander {
            compounds,
            stemmer: stemmer(Lang::Sv),
            memo: HashMap::new(),
        }
    }

    fn expand(
        &mut self,
        analyzer: &mut tantivy::tokenizer::TextAnalyzer,
        title: &str,
        text: &str,
    ) -> PreTokenizedString {
        let mut tokens = Vec::new();
        let mut position_base = 0;
        for part_text in [title, text] {
            let mut last = 0;
            for t in analyze(analyzer, part_text) {
                let surface = part_text[t.from..t.to].to_lowercase();
                let position = position_base + t.position;
                last = position;
                let parts = match self.memo.get(&surface) {
                    Some(p) => p.clone(),
                    None => {
                        let stemmer = &mut self.stemmer;
                        let p = self
                            .compounds
                            .parts(&surface, &mut |w| stem_word(stemmer, w));
                        self.memo.insert(surface, p.clone());
                        p
                    }
                };
                for stem in std::iter::once(t.stem).chain(parts) {
                    tokens.push(Token {
                        offset_from: 0,
                        offset_to: 0,
                        position,
                        text: stem,
                        position_length: 1,
                    });
                }
            }
            position_base = last + 2;
        }
        PreTokenizedString {
            text: String::new(),
            tokens,
        }
    }
}
