use super::{Bilingual, Candidate, RankContext, Signal};

/// Views, on a log scale: 10 000 views is not a thousand times better than 10.
pub struct Popularity;

impl Signal for Popularity {
    fn id(&self) -> &'static str {
        "popularity"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Popularitet",
            en: "Popularity",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "Hur många som har visat sidan (logaritmiskt: varje tiodubbling ger lika mycket). Det som redan är populärt hamnar högt och blir ännu mer visat.",
            en: "How many people have viewed the page (on a log scale: every tenfold counts the same). What is already popular ranks high and gets viewed even more.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        (c.views as f64).ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};

    #[test]
    fn grows_with_the_log_of_views() {
        let mut c = cand("a", "p", 1.0);
        c.views = 0;
        assert_eq!(Popularity.raw(&c, &ctx()), 0.0);
        c.views = 99;
        let small = Popularity.raw(&c, &ctx());
        c.views = 9_999;
        assert!((Popularity.raw(&c, &ctx()) / small - 2.0).abs() < 1e-9);
    }
}
