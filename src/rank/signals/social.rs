use super::{Bilingual, Candidate, RankContext, Signal};

/// What the viewer's friends clicked: each friend's click on the document
/// counts, the more recent in their history the more.
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
            sv: "Om dina vänner har klickat på sidan, och hur nyligen. Det dina vänner läser lyfts – även om det inte är det bästa svaret.",
            en: "Whether your friends clicked the page, and how recently. What your friends read is lifted – even when it is not the best answer.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        c.viewer.friends_weight
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
        c.viewer.friends_weight = 1.5;
        assert_eq!(Social.raw(&c, &ctx()), 1.5);
    }
}
