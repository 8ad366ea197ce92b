use super::{Bilingual, Candidate, RankContext, Signal};

/// 1 for paid content.
pub struct Sponsored;

impl Signal for Sponsored {
    fn id(&self) -> &'static str {
        "sponsored"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Sponsrad",
            en: "Sponsored",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "1 om någon har betalat för att texten ska synas, annars 0. Sökmotorer tjänar pengar på annonser.",
            en: "1 if someone paid for the text to be shown, otherwise 0. Search engines earn money from ads.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        if c.sponsored { 1.0 } else { 0.0 }
    }
    fn normalise(&self, raw: &[f64]) -> Vec<f64> {
        raw.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};

    #[test]
    fn is_one_for_paid_content_even_when_alone() {
        let mut c = cand("a", "p", 1.0);
        assert_eq!(Sponsored.raw(&c, &ctx()), 0.0);
        c.sponsored = true;
        assert_eq!(Sponsored.raw(&c, &ctx()), 1.0);
        assert_eq!(Sponsored.normalise(&[0.0, 1.0]), [0.0, 1.0]);
    }
}
