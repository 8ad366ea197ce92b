//! `diversify-by-perspective`: maximal marginal relevance over perspectives.
//!
//! The list is built one position at a time. Each time, every remaining
//! result gets λ × its score (divided by the top score) − (1 − λ) × the share
//! of already chosen results that have its perspective, and the highest
//! wins. λ = 1 is plain relevance; λ = 0 only alternates perspectives.

use super::{Rerank, RerankKind, mark_moves, number, only_keys};
use crate::rank::{Bilingual, Candidate, RankContext, Ranked};
use std::collections::HashMap;
use std::sync::Arc;

pub const KIND: RerankKind = RerankKind {
    id: "diversify-by-perspective",
    summary: Bilingual {
        sv: "Träffarna ordnas om så att olika perspektiv varvas (MMR).",
        en: "Results are reordered so that perspectives alternate (MMR).",
    },
    build,
};

#[derive(Debug)]
struct Diversify {
    lambda: f64,
    depth: usize,
}

fn build(t: &toml::Table) -> Result<Arc<dyn Rerank>, String> {
    only_keys(t, &["lambda", "depth"])?;
    Ok(Arc::new(Diversify {
        lambda: number(t, "lambda", 0.5, 0.0..=1.0)?,
        depth: number(t, "depth", 20.0, 1.0..=1000.0)? as usize,
    }))
}

impl Rerank for Diversify {
    fn id(&self) -> &'static str {
        KIND.id
    }
    fn describe(&self) -> (String, String) {
        (
            format!(
                "De {} första platserna fylls så att perspektiven varvas: relevans väger {:.0} %, variation {:.0} %.",
                self.depth,
                self.lambda * 100.0,
                (1.0 - self.lambda) * 100.0
            ),
            format!(
                "The first {} places are filled so that perspectives alternate: relevance weighs {:.0} %, variety {:.0} %.",
                self.depth,
                self.lambda * 100.0,
                (1.0 - self.lambda) * 100.0
            ),
        )
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({ "lambda": self.lambda, "depth": self.depth })
    }
    fn apply(
        &self,
        ranked: Vec<Ranked>,
        candidates: &[Candidate<'_>],
        _: &RankContext,
    ) -> Vec<Ranked> {
        let before: Vec<usize> = ranked.iter().map(|r| r.candidate).collect();
        let top = ranked.iter().map(|r| r.score).fold(0.0_f64, f64::max);
        let mut pool: Vec<Option<Ranked>> = ranked.into_iter().map(Some).collect();
        let mut out: Vec<Ranked> = Vec::with_capacity(pool.len());
        let mut chosen: HashMap<&str, usize> = HashMap::new();
        while out.len() < self.depth {
            let mut best: Option<(usize, f64)> = None;
            for (i, r) in pool.iter().enumerate() {
                let Some(r) = r else { continue };
                let relevance = if top > 0.0 { r.score / top } else { 0.0 };
                let same = chosen
                    .get(candidates[r.candidate].perspective)
                    .copied()
                    .unwrap_or(0);
                let redundancy = if out.is_empty() {
                    0.0
                } else {
                    same as f64 / out.len() as f64
                };
                let value = self.lambda * relevance - (1.0 - self.lambda) * redundancy;
                // Strictly greater: ties keep the score order.
                if best.is_none_or(|(_, v)| value > v + 1e-12) {
                    best = Some((i, value));
                }
            }
            let Some((i, _)) = best else { break };
            let Some(r) = pool[i].take() else { break };
            *chosen
                .entry(candidates[r.candidate].perspective)
                .or_default() += 1;
            out.push(r);
        }
        out.extend(pool.into_iter().flatten());
        mark_moves(KIND.id, &before, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx, ids};
    use crate::rank::{Algorithm, rank};

    fn diverse(lambda: f64) -> Algorithm {
        Algorithm::test(
            "diverse",
            &[("text", 1.0)],
            Some(build(&toml::toml! { lambda = lambda }).expect("valid")),
        )
    }

    #[test]
    fn alternates_perspectives_where_the_matches_allow() {
        let c = vec![
            cand("a1", "a", 10.0),
            cand("a2", "a", 9.0),
            cand("a3", "a", 8.0),
            cand("b1", "b", 3.0),
            cand("c1", "c", 2.0),
            cand("a4", "a", 7.0),
        ];
        // Scores / top: a1 1.0, a2 .9, a3 .8, a4 .7, b1 .3, c1 .2.
        // λ = 0.5: second place b1 (.15 beats a2's .45 − .5 = −.05); third
        // a2 (.45 − .5·½ = .2 beats c1's .1); fourth c1.
        let r = rank(&c, &diverse(0.5), &ctx()).order;
        assert_eq!(ids(&c, &r)[..4], ["a1", "b1", "a2", "c1"]);
        let lifted = r
            .iter()
            .find(|x| c[x.candidate].id == "b1")
            .and_then(|x| x.moved.clone());
        assert_eq!(lifted.map(|m| m.from_rank), Some(5));
        // λ = 0.3 weighs variety more: all three perspectives come first.
        let r = rank(&c, &diverse(0.3), &ctx()).order;
        assert_eq!(ids(&c, &r)[..4], ["a1", "b1", "c1", "a2"]);
    }

    #[test]
    fn lambda_one_is_plain_relevance() {
        let c = vec![
            cand("a1", "a", 10.0),
            cand("a2", "a", 9.0),
            cand("b1", "b", 1.0),
        ];
        let r = rank(&c, &diverse(1.0), &ctx()).order;
        assert_eq!(ids(&c, &r), ["a1", "a2", "b1"]);
        assert!(r.iter().all(|x| x.moved.is_none()));
    }
}
