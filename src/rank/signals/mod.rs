//! Signals: one number per (query, document), normalised to [0, 1] within
//! the candidates of a query. One file per signal; the registry below.

mod authority;
mod keywords;
pub mod personal;
mod popularity;
mod recency;
mod social;
mod sponsored;
mod text;

use super::{Bilingual, Candidate, RankContext};

pub trait Signal: Sync {
    /// Stable id, used in algorithm files and the API.
    fn id(&self) -> &'static str;
    /// Short name for column headers.
    fn label(&self) -> Bilingual;
    /// One or two plain sentences: what it measures and why an engine uses it.
    fn description(&self) -> Bilingual;
    /// The value before normalisation.
    fn raw(&self, c: &Candidate<'_>, ctx: &RankContext) -> f64;
    /// Normalises the raw values of all candidates. Default: divide by the
    /// largest, so the best candidate gets 1 and a zero stays 0.
    fn normalise(&self, raw: &[f64]) -> Vec<f64> {
        by_max(raw)
    }
}

/// Every signal, in the order explanations list them: what the query
/// matched first (text, keywords), then what the crowd did (popularity,
/// links), then time, then money, then who is searching (their own history,
/// their friends'). A new signal is one file and one line here.
pub static SIGNALS: &[&dyn Signal] = &[
    &text::Text,
    &keywords::Keywords,
    &popularity::Popularity,
    &authority::Authority,
    &recency::Recency,
    &sponsored::Sponsored,
    &personal::Personal,
    &social::Social,
];

/// The signal with this id.
pub fn signal(id: &str) -> Option<&'static dyn Signal> {
    SIGNALS.iter().copied().find(|s| s.id() == id)
}

/// Divides by the largest value; all zeros stay zeros.
pub fn by_max(raw: &[f64]) -> Vec<f64> {
    let max = raw.iter().copied().fold(0.0_f64, f64::max);
    if max <= 0.0 {
        return vec![0.0; raw.len()];
    }
    raw.iter().map(|v| (v / max).clamp(0.0, 1.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_by_the_largest_value() {
        assert_eq!(by_max(&[2.0, 1.0, 0.0]), [1.0, 0.5, 0.0]);
        assert_eq!(by_max(&[0.0, 0.0]), [0.0, 0.0]);
        assert_eq!(by_max(&[]), Vec::<f64>::new());
    }

    #[test]
    fn ids_are_unique_and_described_in_both_languages() {
        let mut ids: Vec<&str> = SIGNALS.iter().map(|s| s.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), SIGNALS.len());
        for s in SIGNALS {
            assert!(!s.description().sv.is_empty() && !s.description().en.is_empty());
            assert!(signal(s.id()).is_some());
        }
    }
}
