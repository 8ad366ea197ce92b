use super::{Bilingual, Candidate, RankContext, Signal};

/// What the viewer's friends clicked: how many friends clicked the
/// document, each click counting the more the more recent it is in that
/// friend's history. Capped at 1 (one friend's newest click) rather than
/// rescaled to the best result, so one friend's old click stays a small
/// boost even when no other result has any.
pub struct Social;

impl Signal for Social {
    fn id(&self) -> &'static str {
        "social"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Vänner",
            en: "Friends",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "Om dina vänner har klickat på sidan, och hur nyligen (en väns senaste klick ger fullt värde, ett gammalt klick mindre). Det dina vänner läser lyfts – även om det inte är det bästa svaret.",
            en: "Whether your friends clicked the page, and how recently (a friend's latest click counts in full, an old click less). What your friends read is lifted – even when it is not the best answer.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        c.viewer.friends_weight
    }
    fn normalise(&self, raw: &[f64]) -> Vec<f64> {
        raw.iter().map(|v| v.clamp(0.0, 1.0)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};

    #[test]
    fn the_weight_of_friends_clicks() {
        let mut c = cand("a", "p", 1.0);
        assert_eq!(Social.raw(&c, &ctx()), 0.0);
        c.viewer.friends_weight = 0.5;
        assert_eq!(Social.raw(&c, &ctx()), 0.5);
        assert_eq!(
            Social.normalise(&[0.25, 0.0]),
            [0.25, 0.0],
            "not rescaled to the best"
        );
    }
}
