//! `shuffle`: a seeded random order of the matches — the control that shows
//! what ranking without any signal looks like.

use super::{Rerank, RerankKind, mark_moves, number, only_keys};
use crate::rank::{Bilingual, Candidate, RankContext, Ranked};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use std::sync::Arc;

pub const KIND: RerankKind = RerankKind {
    id: "shuffle",
    summary: Bilingual {
        sv: "Träffarna blandas slumpvis (men likadant varje gång för samma sökning).",
        en: "Results are shuffled at random (but the same way every time for the same query).",
    },
    build,
};

#[derive(Debug)]
struct Shuffle {
    seed: u64,
}

fn build(t: &toml::Table) -> Result<Arc<dyn Rerank>, String> {
    only_keys(t, &["seed"])?;
    Ok(Arc::new(Shuffle {
        seed: number(t, "seed", 1.0, 0.0..=(u32::MAX as f64))? as u64,
    }))
}

impl Rerank for Shuffle {
    fn id(&self) -> &'static str {
        KIND.id
    }
    fn describe(&self) -> (String, String) {
        (
            format!("Alla träffar blandas slumpvis (frö {}).", self.seed),
            format!("All matches are shuffled at random (seed {}).", self.seed),
        )
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({ "seed": self.seed })
    }
    fn apply(
        &self,
        mut ranked: Vec<Ranked>,
        _: &[Candidate<'_>],
        ctx: &RankContext,
    ) -> Vec<Ranked> {
        let before: Vec<usize> = ranked.iter().map(|r| r.candidate).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(self.seed ^ ctx.seed);
        ranked.shuffle(&mut rng);
        mark_moves(KIND.id, &before, &mut ranked);
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx, ids};
    use crate::rank::{Algorithm, rank};

    #[test]
    fn same_seed_same_order_other_seed_other_order() {
        let c: Vec<_> = ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .map(|id| cand(id, "x", 1.0))
            .collect();
        let algo = Algorithm::test(
            "random",
            &[],
            Some(build(&toml::toml! { seed = 3 }).expect("valid")),
        );
        let first = ids(&c, &rank(&c, &algo, &ctx()).order);
        assert_eq!(first, ids(&c, &rank(&c, &algo, &ctx()).order));
        let mut other = ctx();
        other.seed = 8;
        assert_ne!(first, ids(&c, &rank(&c, &algo, &other).order));
        let mut sorted = first.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, ["a", "b", "c", "d", "e", "f", "g", "h"]);
    }
}
