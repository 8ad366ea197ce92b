use super::{Bilingual, Candidate, RankContext, Signal};

/// Weight of the theme share next to the perspective share.
pub const THEME_WEIGHT: f64 = 0.3;
/// The bonus for a document the viewer clicked, or one linked to or from it.
pub const NEAR_WEIGHT: f64 = 0.2;
/// The largest raw value: full affinity with perspective and theme, and near.
const MAX_RAW: f64 = 1.0 + THEME_WEIGHT + NEAR_WEIGHT;

/// How well a document fits what the viewer clicked and searched before:
/// the share of their clicks on its theme and perspective, plus a little
/// for its theme, plus a little when it is (linked to) a page they clicked.
/// Normalised by the largest possible value, not by the best candidate, so
/// a thin history gives a small boost and a long one a large boost.
pub struct Personal;

impl Signal for Personal {
    fn id(&self) -> &'static str {
        "personal"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Personligt",
            en: "Personal",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "Hur väl sidan passar det du har klickat på och sökt efter förut: samma perspektiv, samma tema, eller länkad till en sida du klickat på. Ju mer du klickar på en sida av saken, desto mer av den får du se.",
            en: "How well the page fits what you clicked and searched for before: the same perspective, the same theme, or linked to a page you clicked. The more you click one side, the more of it you are shown.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        let v = &c.viewer;
        v.perspective_affinity
            + THEME_WEIGHT * v.theme_affinity
            + if v.near_clicked { NEAR_WEIGHT } else { 0.0 }
    }
    fn normalise(&self, raw: &[f64]) -> Vec<f64> {
        raw.iter().map(|v| (v / MAX_RAW).clamp(0.0, 1.0)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};

    #[test]
    fn zero_without_a_history() {
        assert_eq!(Personal.raw(&cand("a", "p", 1.0), &ctx()), 0.0);
    }

    #[test]
    fn adds_perspective_theme_and_nearness() {
        let mut c = cand("a", "p", 1.0);
        c.viewer.perspective_affinity = 0.5;
        c.viewer.theme_affinity = 1.0;
        c.viewer.near_clicked = true;
        assert!((Personal.raw(&c, &ctx()) - (0.5 + THEME_WEIGHT + NEAR_WEIGHT)).abs() < 1e-12);
    }

    #[test]
    fn normalised_by_the_largest_possible_value() {
        let n = Personal.normalise(&[MAX_RAW, 0.75, 0.0, 9.0]);
        assert_eq!(n, [1.0, 0.5, 0.0, 1.0]);
    }
}
