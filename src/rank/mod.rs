//! Ranking: the same candidates ordered by different, fully transparent
//! algorithms.
//!
//! candidates → signals (each normalised to [0, 1] within the candidates) →
//! weighted sum → optional re-ranking step → ranked list with explanations.
//!
//! This module works on plain structs ([`Candidate`]) and knows nothing of
//! tantivy or HTTP: it is tested with hand-made candidates. The explanation
//! of every result is the very numbers that ranked it: the score *is* the sum
//! of the contributions, and a re-ranking step records what it moved.

pub mod algorithm;
pub mod pagerank;
pub mod rerank;
pub mod signals;

pub use algorithm::{Algorithm, load_algorithms};
pub use signals::personal::{NEAR_WEIGHT, THEME_WEIGHT};
pub use signals::{SIGNALS, Signal};

use serde::Serialize;
use time::Date;

/// A text in both languages, for names and descriptions in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bilingual {
    pub sv: &'static str,
    pub en: &'static str,
}

impl Bilingual {
    /// The text in `lang`.
    pub fn get(self, lang: crate::lang::Lang) -> &'static str {
        match lang {
            crate::lang::Lang::Sv => self.sv,
            crate::lang::Lang::En => self.en,
        }
    }
}

/// One matching document, with everything the signals read.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub id: &'a str,
    pub theme: &'a str,
    pub perspective: &'a str,
    /// BM25 text relevance from the index.
    pub text_score: f64,
    /// Occurrences of the query's words in title and text.
    pub term_count: u32,
    /// Views: the prior from the corpus (later plus live clicks).
    pub views: u64,
    /// PageRank of the document in the corpus link graph.
    pub authority: f64,
    pub published: Date,
    pub sponsored: bool,
    /// What the viewer's own history and their friends say about this
    /// document; all zero for an anonymous or incognito viewer.
    pub viewer: ViewerFacts,
}

/// One document seen through one viewer's recorded events (filled in by
/// `viewer::Audience`, read by the `personal` and `social` signals and by
/// the explanations, so both tell the same story).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewerFacts {
    /// Share of the viewer's (decayed) clicks that went to this theme and
    /// perspective, times how sure the profile is (few clicks, less sure),
    /// 0–1.
    pub perspective_affinity: f64,
    /// Share of the viewer's (decayed) interest in this theme, from clicks
    /// and searches, times how sure the profile is, 0–1.
    pub theme_affinity: f64,
    /// The viewer clicked this document, or one it links to or from.
    pub near_clicked: bool,
    /// Clicks the viewer made on documents of this theme and perspective.
    pub perspective_clicks: u32,
    /// Searches the viewer made whose results were mostly in this theme.
    pub theme_searches: u32,
    /// How many of the viewer's friends clicked this document, each click
    /// weighted by how recent it is in that friend's history (the newest
    /// event = 1, at most 1 per friend).
    pub friends_weight: f64,
    /// Names of the friends who clicked it.
    pub friends: Vec<String>,
}

/// What ranking needs beyond the candidates.
#[derive(Debug, Clone)]
pub struct RankContext {
    /// Age is measured from this date (the newest document, so the bundled
    /// corpus does not age).
    pub reference_date: Date,
    /// Days after which a document's recency halves.
    pub half_life_days: f64,
    /// Seed for the `shuffle` step, combined with the query so each query has
    /// its own, reproducible order.
    pub seed: u64,
}

/// One signal's part in one result's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalValue {
    pub signal: &'static str,
    /// The value before normalisation (e.g. BM25, views, days).
    pub raw: f64,
    /// The value in [0, 1] within this query's candidates.
    pub normalised: f64,
    pub weight: f64,
    /// weight × normalised.
    pub contribution: f64,
}

/// A re-ranking step moved this result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    /// Id of the step (`pin-sponsored`, `diversify-by-perspective`, `shuffle`).
    pub step: &'static str,
    /// Rank by score, before the step (1-based).
    pub from_rank: usize,
}

/// The move in words (Swedish, English), e.g. "lifted to vary
/// perspectives, from rank 7".
pub fn describe_move(m: &Move, rank: usize) -> (String, String) {
    let up = m.from_rank > rank;
    let from = m.from_rank;
    match (m.step, up) {
        ("pin-sponsored", true) => (
            format!("Placerad i en annonsplats: sponsrad (poängen gav plats {from})."),
            format!("Placed in an ad slot: sponsored (its score gave rank {from})."),
        ),
        ("diversify-by-perspective", true) => (
            format!("Lyft från plats {from} för att variera perspektiven."),
            format!("Lifted from rank {from} to vary the perspectives."),
        ),
        ("shuffle", _) => (
            format!("Slumpvis placerad (poängen gav plats {from})."),
            format!("Placed at random (its score gave rank {from})."),
        ),
        (_, true) => (
            format!("Flyttad upp från plats {from}."),
            format!("Moved up from rank {from}."),
        ),
        (_, false) => (
            format!("Flyttad ner från plats {from}, när andra träffar lyftes."),
            format!("Moved down from rank {from} as other results were lifted."),
        ),
    }
}

/// One ranked result: which candidate, its score, and what moved it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    /// Index into the candidate slice.
    #[serde(skip)]
    pub candidate: usize,
    /// Sum of the contributions, exactly (see [`Ranking::explain`]).
    pub score: f64,
    /// Set when a re-ranking step put the result elsewhere than its score would.
    pub moved: Option<Move>,
    /// Set by `pin-sponsored` on results shown in paid slots.
    pub sponsored_slot: bool,
}

/// One signal's values over all candidates.
#[derive(Debug, Clone)]
struct Column {
    signal: &'static str,
    raw: Vec<f64>,
    normalised: Vec<f64>,
    weight: f64,
}

/// The candidates in their final order, and the signal values that put them
/// there.
#[derive(Debug, Clone)]
pub struct Ranking {
    pub order: Vec<Ranked>,
    columns: Vec<Column>,
}

impl Ranking {
    /// Every signal's part in a result's score: the very numbers its score
    /// was summed from, in the same order, so they add up to it exactly.
    pub fn explain(&self, r: &Ranked) -> Vec<SignalValue> {
        self.columns
            .iter()
            .map(|c| SignalValue {
                signal: c.signal,
                raw: c.raw[r.candidate],
                normalised: c.normalised[r.candidate],
                weight: c.weight,
                contribution: c.weight * c.normalised[r.candidate],
            })
            .collect()
    }
}

/// Ranks `candidates` with `algorithm`. Every registered signal is computed
/// (so explanations show all of them, with weight 0 where unused).
pub fn rank(candidates: &[Candidate<'_>], algorithm: &Algorithm, ctx: &RankContext) -> Ranking {
    let columns: Vec<Column> = SIGNALS
        .iter()
        .map(|s| {
            let raw: Vec<f64> = candidates.iter().map(|c| s.raw(c, ctx)).collect();
            let normalised = s.normalise(&raw);
            Column {
                signal: s.id(),
                raw,
                normalised,
                weight: algorithm.weight(s.id()),
            }
        })
        .collect();
    let mut order: Vec<Ranked> = (0..candidates.len())
        .map(|i| Ranked {
            candidate: i,
            // Summed in registry order, as `explain` lists the parts.
            score: columns.iter().map(|c| c.weight * c.normalised[i]).sum(),
            moved: None,
            sponsored_slot: false,
        })
        .collect();
    // Highest score first; ties by text relevance, then id, so the order is
    // total and the same on every run.
    order.sort_by(|a, b| {
        let (ca, cb) = (&candidates[a.candidate], &candidates[b.candidate]);
        b.score
            .total_cmp(&a.score)
            .then(cb.text_score.total_cmp(&ca.text_score))
            .then(ca.id.cmp(cb.id))
    });
    if let Some(step) = &algorithm.rerank {
        order = step.apply(order, candidates, ctx);
    }
    Ranking { order, columns }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use time::macros::date;

    /// A candidate with neutral values, to be adjusted by tests.
    pub fn cand(id: &'static str, perspective: &'static str, text: f64) -> Candidate<'static> {
        Candidate {
            id,
            theme: "varg",
            perspective,
            text_score: text,
            term_count: 1,
            views: 10,
            authority: 0.1,
            published: date!(2024 - 01 - 01),
            sponsored: false,
            viewer: ViewerFacts::default(),
        }
    }

    pub fn ctx() -> RankContext {
        RankContext {
            reference_date: date!(2024 - 06 - 01),
            half_life_days: 365.0,
            seed: 7,
        }
    }

    pub fn ids<'a>(cands: &[Candidate<'a>], ranked: &[Ranked]) -> Vec<&'a str> {
        ranked.iter().map(|r| cands[r.candidate].id).collect()
    }
}
