//! IR metrics with the usual trec_eval / BEIR definitions. Pure functions
//! over a ranked list of ids and the judged ids of one query.

use std::collections::HashMap;

/// Judgements of one query: document id → relevance grade (≥ 1 relevant).
pub type Judged = HashMap<String, u32>;

fn relevant(judged: &Judged) -> usize {
    judged.values().filter(|&&g| g >= 1).count()
}

fn grade(judged: &Judged, id: &str) -> u32 {
    judged.get(id).copied().unwrap_or(0)
}

/// nDCG@k with linear gains (binary qrels give binary gains), as
/// trec_eval's `ndcg_cut`: DCG = Σ gain / log2(rank + 1).
pub fn ndcg_at(ranked: &[String], judged: &Judged, k: usize) -> f64 {
    let dcg: f64 = ranked
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, id)| grade(judged, id) as f64 / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<u32> = judged.values().copied().filter(|&g| g >= 1).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, &g)| g as f64 / ((i + 2) as f64).log2())
        .sum();
    if idcg == 0.0 { 0.0 } else { dcg / idcg }
}

/// Share of the relevant documents found in the top k.
pub fn recall_at(ranked: &[String], judged: &Judged, k: usize) -> f64 {
    let total = relevant(judged);
    if total == 0 {
        return 0.0;
    }
    ranked
        .iter()
        .take(k)
        .filter(|id| grade(judged, id) >= 1)
        .count() as f64
        / total as f64
}

/// Average precision cut at k, divided by *all* relevant documents
/// (trec_eval's `map_cut`).
pub fn ap_at(ranked: &[String], judged: &Judged, k: usize) -> f64 {
    let total = relevant(judged);
    if total == 0 {
        return 0.0;
    }
    let mut found = 0;
    let mut sum = 0.0;
    for (i, id) in ranked.iter().take(k).enumerate() {
        if grade(judged, id) >= 1 {
            found += 1;
            sum += found as f64 / (i + 1) as f64;
        }
    }
    sum / total as f64
}

/// Reciprocal rank of the first relevant document within the top k.
pub fn rr_at(ranked: &[String], judged: &Judged, k: usize) -> f64 {
    ranked
        .iter()
        .take(k)
        .position(|id| grade(judged, id) >= 1)
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }
    fn judged(v: &[(&str, u32)]) -> Judged {
        v.iter().map(|(k, g)| (k.to_string(), *g)).collect()
    }
    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn hand_computed_lists() {
        // Relevant: a, c, e. Ranked: a x c y z; e never found.
        let j = judged(&[("a", 1), ("c", 1), ("e", 1), ("n", 0)]);
        let r = ids(&["a", "x", "c", "y", "z"]);
        // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) + 1/log2(4)
        close(ndcg_at(&r, &j, 10), 1.5 / (1.0 + 1.0 / 3f64.log2() + 0.5));
        close(recall_at(&r, &j, 100), 2.0 / 3.0);
        close(recall_at(&r, &j, 1), 1.0 / 3.0);
        close(ap_at(&r, &j, 100), (1.0 + 2.0 / 3.0) / 3.0);
        close(rr_at(&r, &j, 10), 1.0);
        close(rr_at(&ids(&["x", "y", "c"]), &j, 10), 1.0 / 3.0);
        close(rr_at(&ids(&["x", "y", "c"]), &j, 2), 0.0);
    }

    #[test]
    fn perfect_and_empty_rankings() {
        let j = judged(&[("a", 1), ("b", 1)]);
        close(ndcg_at(&ids(&["a", "b"]), &j, 10), 1.0);
        close(ndcg_at(&ids(&["b", "a", "x"]), &j, 10), 1.0);
        close(ndcg_at(&[], &j, 10), 0.0);
        close(ap_at(&ids(&["a", "b"]), &j, 100), 1.0);
    }

    #[test]
    fn graded_gains_are_linear() {
        let j = judged(&[("a", 2), ("b", 1)]);
        // Ranked b, a: DCG = 1 + 2/log2(3); IDCG = 2 + 1/log2(3).
        close(
            ndcg_at(&ids(&["b", "a"]), &j, 10),
            (1.0 + 2.0 / 3f64.log2()) / (2.0 + 1.0 / 3f64.log2()),
        );
    }
}
