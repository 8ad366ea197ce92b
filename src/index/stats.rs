//! BM25 statistics per language.
//!
//! tantivy computes a field's average length and a term's IDF over *all*
//! documents. In a mixed corpus the Swedish fields of English documents are
//! empty, which would make every document look long next to an average that
//! counts empty fields, and make terms look rarer than they are. This
//! provider rescales the statistics of a language's fields as if the index
//! held only that language's documents, so BM25 is the same as in a
//! single-language index.

use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

pub struct PerLanguage<'a, F: Fn(Field) -> Option<Term>> {
    searcher: &'a Searcher,
    total_docs: u64,
    /// The `lang:xx` term of a field's language.
    lang_term: F,
}

impl<'a, F: Fn(Field) -> Option<Term>> PerLanguage<'a, F> {
    pub fn new(searcher: &'a Searcher, lang_term: F) -> tantivy::Result<Self> {
        Ok(PerLanguage {
            searcher,
            total_docs: searcher.num_docs(),
            lang_term,
        })
    }

    /// total / documents in the field's language (1 for other fields).
    fn scale(&self, field: Field) -> tantivy::Result<f64> {
        let Some(term) = (self.lang_term)(field) else {
            return Ok(1.0);
        };
        let in_lang = self.searcher.doc_freq(&term)?;
        if in_lang == 0 {
            return Ok(1.0);
        }
        Ok(self.total_docs as f64 / in_lang as f64)
    }
}

impl<F: Fn(Field) -> Option<Term>> Bm25StatisticsProvider for PerLanguage<'_, F> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let tokens = self.searcher.total_num_tokens(field)?;
        Ok((tokens as f64 * self.scale(field)?).round() as u64)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.total_docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let df = self.searcher.doc_freq(term)?;
        Ok(((df as f64 * self.scale(term.field())?).round() as u64).min(self.total_docs))
    }
}
