use super::{Bilingual, Candidate, RankContext, Signal};

/// How many times the query's words occur: the naive ranking of early web
/// search, which repeating a word fools.
pub struct Keywords;

impl Signal for Keywords {
    fn id(&self) -> &'static str {
        "keywords"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Antal sökord",
            en: "Keyword count",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "Hur många gånger sökorden står i texten, utan hänsyn till hur lång den är. Så rankade tidiga sökmotorer – och sidor som upprepar ett ord om och om igen lurar den.",
            en: "How many times the query words appear, whatever the length of the text. Early search engines ranked like this – and pages that repeat a word over and over fool it.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        f64::from(c.term_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};

    #[test]
    fn counts_occurrences() {
        let mut c = cand("a", "p", 1.0);
        c.term_count = 17;
        assert_eq!(Keywords.raw(&c, &ctx()), 17.0);
    }
}
