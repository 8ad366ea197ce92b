//! Corpus statistics for `bubbla check --stats`: is the corpus balanced
//! across themes, perspectives and languages, and are its views skewed as on
//! the real web?

use super::Corpus;
use crate::lang::Lang;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub documents: usize,
    pub by_lang: BTreeMap<String, usize>,
    /// theme → perspective → [sv, en]
    pub by_perspective: BTreeMap<String, BTreeMap<String, [usize; 2]>>,
    pub words_total: usize,
    pub words_min: usize,
    pub words_median: usize,
    pub words_max: usize,
    /// Ids of the shortest and the longest document.
    pub shortest: String,
    pub longest: String,
    pub links: usize,
    pub without_incoming: usize,
    pub without_outgoing: usize,
    pub sponsored: usize,
    /// (quantile, views) for 0, 0.25, 0.5, 0.75, 0.9, 0.99, 1.
    pub popularity_quantiles: Vec<(f64, u64)>,
    /// Share of all views held by the 10 % most viewed documents.
    pub top10_share: f64,
    pub oldest: String,
    pub newest: String,
}

fn quantile(sorted: &[u64], q: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub fn stats(corpus: &Corpus) -> Stats {
    let docs = &corpus.docs;
    let mut by_lang = BTreeMap::new();
    let mut by_perspective: BTreeMap<String, BTreeMap<String, [usize; 2]>> = BTreeMap::new();
    for t in &corpus.themes {
        let e = by_perspective.entry(t.id.clone()).or_default();
        for p in &t.perspectives {
            e.entry(p.id.clone()).or_default();
        }
    }
    for d in docs {
        *by_lang.entry(d.lang.code().to_string()).or_insert(0) += 1;
        let cell = by_perspective
            .entry(d.theme.clone())
            .or_default()
            .entry(d.perspective.clone())
            .or_default();
        cell[if d.lang == Lang::Sv { 0 } else { 1 }] += 1;
    }
    let mut counted: Vec<(usize, &str)> = docs
        .iter()
        .map(|d| (d.text.split_whitespace().count(), d.id.as_str()))
        .collect();
    counted.sort_unstable();
    let words: Vec<usize> = counted.iter().map(|(n, _)| *n).collect();
    let ids: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    let mut incoming: HashSet<&str> = HashSet::new();
    let mut links = 0;
    for d in docs {
        for l in d
            .links
            .iter()
            .filter(|l| ids.contains(l.as_str()) && **l != d.id)
        {
            links += 1;
            incoming.insert(l);
        }
    }
    let mut views: Vec<u64> = docs.iter().map(|d| d.popularity).collect();
    views.sort_unstable();
    let total: u64 = views.iter().sum();
    let top_n = docs.len().div_ceil(10);
    let top: u64 = views.iter().rev().take(top_n).sum();
    let dates: Vec<_> = docs.iter().map(|d| d.published).collect();
    Stats {
        documents: docs.len(),
        by_lang,
        by_perspective,
        words_total: words.iter().sum(),
        words_min: words.first().copied().unwrap_or(0),
        words_median: words.get(words.len() / 2).copied().unwrap_or(0),
        words_max: words.last().copied().unwrap_or(0),
        shortest: counted
            .first()
            .map(|(_, id)| id.to_string())
            .unwrap_or_default(),
        longest: counted
            .last()
            .map(|(_, id)| id.to_string())
            .unwrap_or_default(),
        links,
        without_incoming: docs
            .iter()
            .filter(|d| !incoming.contains(d.id.as_str()))
            .count(),
        without_outgoing: docs
            .iter()
            .filter(|d| {
                !d.links
                    .iter()
                    .any(|l| ids.contains(l.as_str()) && *l != d.id)
            })
            .count(),
        sponsored: docs.iter().filter(|d| d.sponsored).count(),
        popularity_quantiles: [0.0, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]
            .iter()
            .map(|&q| (q, quantile(&views, q)))
            .collect(),
        top10_share: if total == 0 {
            0.0
        } else {
            top as f64 / total as f64
        },
        oldest: dates
            .iter()
            .min()
            .map(|d| super::format_date(*d))
            .unwrap_or_default(),
        newest: dates
            .iter()
            .max()
            .map(|d| super::format_date(*d))
            .unwrap_or_default(),
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let langs: Vec<String> = self
            .by_lang
            .iter()
            .map(|(l, n)| format!("{n} {l}"))
            .collect();
        writeln!(f, "{} documents ({})", self.documents, langs.join(", "))?;
        writeln!(
            f,
            "\n{:<16} {:<14} {:>4} {:>4}",
            "theme", "perspective", "sv", "en"
        )?;
        for (theme, ps) in &self.by_perspective {
            for (p, [sv, en]) in ps {
                writeln!(f, "{theme:<16} {p:<14} {sv:>4} {en:>4}")?;
            }
        }
        writeln!(
            f,
            "\nwords: {} in all; per document min {} ({}), median {}, max {} ({})",
            self.words_total,
            self.words_min,
            self.shortest,
            self.words_median,
            self.words_max,
            self.longest
        )?;
        writeln!(
            f,
            "links: {}; documents without incoming links {}, without outgoing links {}",
            self.links, self.without_incoming, self.without_outgoing
        )?;
        let q: Vec<String> = self
            .popularity_quantiles
            .iter()
            .map(|(q, v)| format!("p{:.0} {v}", q * 100.0))
            .collect();
        writeln!(f, "popularity (views): {}", q.join(", "))?;
        writeln!(
            f,
            "the 10 % most viewed documents hold {:.0} % of all views",
            self.top10_share * 100.0
        )?;
        writeln!(f, "sponsored documents: {}", self.sponsored)?;
        write!(f, "published: {} to {}", self.oldest, self.newest)
    }
}
