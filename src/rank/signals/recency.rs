use super::{Bilingual, Candidate, RankContext, Signal};

/// Exponential decay by age: a document loses half its freshness every
/// half-life.
pub struct Recency;

impl Signal for Recency {
    fn id(&self) -> &'static str {
        "recency"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Aktualitet",
            en: "Recency",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "Hur ny texten är: värdet halveras för varje halveringstid (ett år) räknat från korpusens nyaste dokument. Nytt är inte alltid bäst.",
            en: "How new the text is: the value halves every half-life (one year), counted from the corpus's newest document. New is not always best.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, ctx: &RankContext) -> f64 {
        let age_days = (ctx.reference_date - c.published).whole_days().max(0) as f64;
        0.5_f64.powf(age_days / ctx.half_life_days.max(1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};
    use time::macros::date;

    #[test]
    fn halves_every_half_life() {
        let mut c = cand("a", "p", 1.0);
        c.published = date!(2024 - 06 - 01);
        assert_eq!(Recency.raw(&c, &ctx()), 1.0);
        c.published = date!(2023 - 06 - 02); // 365 days before
        assert!((Recency.raw(&c, &ctx()) - 0.5).abs() < 1e-9);
        c.published = date!(2030 - 01 - 01); // after the reference: as new as it gets
        assert_eq!(Recency.raw(&c, &ctx()), 1.0);
    }
}
