//! One query ranked in 2 to 4 columns side by side — each column an
//! algorithm seen by a viewer — with the metrics that say how different the
//! lists are. Shared by `bubbla compare`, `/compare` and `/api/compare`, so
//! all three show the same numbers. Every column ranks the very same
//! candidates; only the algorithm and the viewer's facts change.

use crate::compare::{Shift, jaccard_at, normalized_entropy, perspective_mix, rank_shifts, rbo};
use crate::engine::{ClickCounts, Engine, SearchError, SearchResult};
use crate::lang::Lang;
use crate::rank::ViewerFacts;
use crate::viewer::Audience;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::Arc;

/// One column to rank: an algorithm, as seen by a viewer (`None`: nobody in
/// particular).
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    pub algorithm: String,
    pub audience: Option<Arc<Audience>>,
}

impl ColumnSpec {
    pub fn algorithm(id: &str) -> ColumnSpec {
        ColumnSpec {
            algorithm: id.to_string(),
            audience: None,
        }
    }
}

/// Fills in the column slots (algorithm, viewer), either of which may be
/// missing: a missing algorithm repeats the one before (or `relevance`), a
/// missing viewer the one before (or `default_viewer`). So one algorithm and
/// three viewers make three columns of that algorithm.
pub fn pair_up(
    slots: &[(Option<String>, Option<String>)],
    default_viewer: &str,
) -> Vec<(String, String)> {
    let mut algorithm = "relevance".to_string();
    let mut viewer = default_viewer.to_string();
    slots
        .iter()
        .map(|(a, v)| {
            if let Some(a) = a {
                algorithm.clone_from(a);
            }
            if let Some(v) = v {
                viewer.clone_from(v);
            }
            (algorithm.clone(), viewer.clone())
        })
        .collect()
}

/// Persistence of rank-biased overlap: 0.9 puts ~86 % of the weight on the top 10.
pub const RBO_P: f64 = 0.9;
pub const MIN_COLUMNS: usize = 2;
pub const MAX_COLUMNS: usize = 4;

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub algorithm: String,
    /// Id of the viewer (`me`, `incognito` or a persona), when one was given.
    pub viewer: Option<String>,
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
    /// Column positions (0-based) of `a` and `b`.
    pub columns: (usize, usize),
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
    let specs: Vec<ColumnSpec> = algorithms
        .iter()
        .map(|a| ColumnSpec::algorithm(a))
        .collect();
    compare_columns(engine, query, &specs, k, lang, None)
}

/// Ranks `query` for each column (algorithm × viewer) and compares the top
/// `k` lists. Live clicks, when given, count towards popularity in all.
pub fn compare_columns(
    engine: &Engine,
    query: &str,
    specs: &[ColumnSpec],
    k: usize,
    lang: Option<Lang>,
    clicks: Option<&dyn ClickCounts>,
) -> Result<Comparison, SearchError> {
    if !(MIN_COLUMNS..=MAX_COLUMNS).contains(&specs.len()) {
        return Err(SearchError::Columns(specs.len()));
    }
    if k > crate::engine::MAX_PAGE_SIZE {
        return Err(SearchError::PageTooLarge);
    }
    let algos = specs
        .iter()
        .map(|s| {
            engine
                .algorithm(&s.algorithm)
                .ok_or_else(|| SearchError::UnknownAlgorithm(s.algorithm.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut cands = engine.candidates(query, lang)?;
    if let Some(clicks) = clicks {
        cands.add_clicks(clicks);
    }
    let possible = cands
        .list
        .iter()
        .map(|c| c.perspective)
        .collect::<HashSet<_>>()
        .len();
    let pages: Vec<_> = algos
        .iter()
        .zip(specs)
        .map(|(a, spec)| {
            match &spec.audience {
                Some(audience) => cands.personalise(audience),
                None => cands
                    .list
                    .iter_mut()
                    .for_each(|c| c.viewer = ViewerFacts::default()),
            }
            engine.rank_page(&cands, a, 0, k)
        })
        .collect();
    let ids: Vec<Vec<&str>> = pages
        .iter()
        .map(|p| p.results.iter().map(|r| r.id.as_str()).collect())
        .collect();
    let first = &ids[0];
    let columns = pages
        .iter()
        .zip(&ids)
        .zip(specs)
        .map(|((page, list), spec)| {
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
                viewer: spec.audience.as_ref().map(|a| a.viewer.id().to_string()),
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
                columns: (i, j),
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
