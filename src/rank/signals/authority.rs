use super::{Bilingual, Candidate, RankContext, Signal};

/// PageRank over the corpus link graph.
pub struct Authority;

impl Signal for Authority {
    fn id(&self) -> &'static str {
        "authority"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Länkauktoritet",
            en: "Link authority",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "Hur många andra sidor som länkar hit, och hur viktiga de är i sin tur (PageRank). Många länkar från en länkfarm kan blåsa upp den.",
            en: "How many other pages link here, and how important those are in turn (PageRank). Many links from a link farm can inflate it.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        c.authority
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};

    #[test]
    fn is_the_pagerank() {
        let mut c = cand("a", "p", 1.0);
        c.authority = 0.25;
        assert_eq!(Authority.raw(&c, &ctx()), 0.25);
    }
}
