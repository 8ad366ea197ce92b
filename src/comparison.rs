//! One query ranked by 2 to 4 algorithms side by side, with the metrics that
//! say how different the lists are. Shared by `bubbla compare`, `/compare`
//! and `/api/compare`, so all three show the same numbers.

use crate::compare::{Shift, jaccard_at, normalized_entropy, perspective_mix, rank_shifts, rbo};
use crate::engine::{Engine, SearchError, SearchResult};
use crate::lang::Lang;
use serde::Serialize;
use std::collections::HashSet;

/// Persistence of rank-biased overlap: 0.9 puts ~86 % of the weight on the top 10.
pub const RBO_P: f64 = 0.9;
pub const MIN_COLUMNS: usize = 2;
pub const MAX_COLUMNS: usize = 4;

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub algorithm: String,
    pub results: Vec<SearchResult>,
    /// Shift of each result from the first column (parallel to `results`).
    pub shifts: Vec<Shift>,
    /// Overlap with the first column.
    #[serde(rename = "jaccard@10")]
    pub jaccard10: f64,
    pub rbo: f64,
    /// Perspectives of the shown results, most frequent first.
    pub perspective_mix: Vec<(String, usize)>,
    /// Normalised entropy of `perspective_mix` (0 one side, 1 even).
    pub entropy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    #[serde(rename = "jaccard@10")]
    pub jaccard10: f64,
    pub rbo: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub query: String,
    pub total_hits: usize,
    pub k: usize,
    /// Perspectives among all matches: what a list could have shown.
    pub possible_perspectives: usize,
    pub columns: Vec<Column>,
    pub pairs: Vec<Pair>,
}

/// Ranks `query` with each algorithm and compares the top `k` lists.
pub fn compare(
    engine: &Engine,
    query: &str,
    algorithms: &[String],
    k: usize,
    lang: Option<Lang>,
) -> Result<Comparison, SearchError> {
    if !(MIN_COLUMNS..=MAX_COLUMNS).contains(&algorithms.len()) {
        return Err(SearchError::Columns(algorithms.len()));
    }
    if k > crate::engine::MAX_PAGE_SIZE {
        return Err(SearchError::PageTooLarge);
    }
    let algos = algorithms
        .iter()
        .map(|id| {
            engine
                .algorithm(id)
                .ok_or_else(|| SearchError::UnknownAlgorithm(id.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cands = engine.candidates(query, lang)?;
    let possible = cands
        .list
        .iter()
        .map(|c| c.perspective)
        .collect::<HashSet<_>>()
        .len();
    let pages: Vec<_> = algos
        .iter()
        .map(|a| engine.rank_page(&cands, a, 0, k))
        .collect();
    let ids: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.results.iter().map(|r| r.id.as_str()).collect())
        .collect();
    let first = &ids[0];
    let columns = pages
        .iter()
        .zip(&ids)
        .map(|(page, list)| {
            let shifts = rank_shifts(first, list)
                .into_iter()
                .take(list.len())
                .map(|(_, s)| s)
                .collect();
            let persp: Vec<&str> = page
                .results
                .iter()
                .map(|r| r.perspective.as_str())
                .collect();
            let mix = perspective_mix(&persp, k);
            let counts: Vec<usize> = mix.iter().map(|(_, n)| *n).collect();
            Column {
                algorithm: page.algorithm.clone(),
                results: page.results.clone(),
                shifts,
                jaccard10: jaccard_at(first, list, 10),
                rbo: rbo(first, list, RBO_P),
                entropy: normalized_entropy(&counts, possible),
                perspective_mix: mix,
            }
        })
        .collect();
    let mut pairs = Vec::new();
    for i in 0..ids.len() {
        for j in (i + 1)..ids.len() {
            pairs.push(Pair {
                a: pages[i].algorithm.clone(),
                b: pages[j].algorithm.clone(),
                jaccard10: jaccard_at(&ids[i], &ids[j], 10),
                rbo: rbo(&ids[i], &ids[j], RBO_P),
            });
        }
    }
    Ok(Comparison {
        query: query.to_string(),
        total_hits: cands.total_hits,
        k,
        possible_perspectives: possible,
        columns,
        pairs,
    })
}
