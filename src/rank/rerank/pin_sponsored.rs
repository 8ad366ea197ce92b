//! `pin-sponsored`: paid results go to labelled slots at the top, as ads do.

use super::{Rerank, RerankKind, mark_moves, number, only_keys};
use crate::rank::{Bilingual, Candidate, RankContext, Ranked};
use std::sync::Arc;

pub const KIND: RerankKind = RerankKind {
    id: "pin-sponsored",
    summary: Bilingual {
        sv: "Sponsrade träffar placeras överst i märkta annonsplatser.",
        en: "Sponsored matches are placed at the top in labelled ad slots.",
    },
    build,
};

#[derive(Debug)]
struct PinSponsored {
    slots: usize,
}

fn build(t: &toml::Table) -> Result<Arc<dyn Rerank>, String> {
    only_keys(t, &["slots"])?;
    Ok(Arc::new(PinSponsored {
        slots: number(t, "slots", 2.0, 0.0..=10.0)? as usize,
    }))
}

impl Rerank for PinSponsored {
    fn id(&self) -> &'static str {
        KIND.id
    }
    fn describe(&self) -> (String, String) {
        (
            format!(
                "Upp till {} sponsrade träffar placeras överst, märkta som annonser.",
                self.slots
            ),
            format!(
                "Up to {} sponsored matches are placed at the top, labelled as ads.",
                self.slots
            ),
        )
    }
    fn params(&self) -> serde_json::Value {
        serde_json::json!({ "slots": self.slots })
    }
    fn apply(
        &self,
        ranked: Vec<Ranked>,
        candidates: &[Candidate<'_>],
        _: &RankContext,
    ) -> Vec<Ranked> {
        let before: Vec<usize> = ranked.iter().map(|r| r.candidate).collect();
        let (mut pinned, mut rest): (Vec<Ranked>, Vec<Ranked>) = (Vec::new(), Vec::new());
        for r in ranked {
            if pinned.len() < self.slots && candidates[r.candidate].sponsored {
                pinned.push(Ranked {
                    sponsored_slot: true,
                    ..r
                });
            } else {
                rest.push(r);
            }
        }
        pinned.append(&mut rest);
        mark_moves(KIND.id, &before, &mut pinned);
        pinned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx, ids};
    use crate::rank::{Algorithm, rank};

    #[test]
    fn pins_paid_results_in_order_and_labels_them() {
        let mut c = vec![
            cand("a", "x", 5.0),
            cand("b", "x", 4.0),
            cand("s1", "x", 1.0),
            cand("s2", "x", 2.0),
            cand("s3", "x", 0.5),
        ];
        for s in &mut c[2..] {
            s.sponsored = true;
        }
        let algo = Algorithm::test(
            "sponsored",
            &[("text", 1.0)],
            Some(build(&toml::toml! { slots = 2 }).expect("valid")),
        );
        let r = rank(&c, &algo, &ctx()).order;
        assert_eq!(ids(&c, &r), ["s2", "s1", "a", "b", "s3"]);
        assert!(r[0].sponsored_slot && r[1].sponsored_slot && !r[4].sponsored_slot);
        assert_eq!(r[0].moved.as_ref().map(|m| m.from_rank), Some(3));
        assert_eq!(r[2].moved.as_ref().map(|m| m.from_rank), Some(1));
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(build(&toml::toml! { slots = 99 }).is_err());
        assert!(build(&toml::toml! { slot = 2 }).is_err());
    }
}
