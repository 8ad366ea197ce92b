use super::{Bilingual, Candidate, RankContext, Signal};

/// BM25 text relevance, as the index scored the match.
pub struct Text;

impl Signal for Text {
    fn id(&self) -> &'static str {
        "text"
    }
    fn label(&self) -> Bilingual {
        Bilingual {
            sv: "Textmatchning",
            en: "Text match",
        }
    }
    fn description(&self) -> Bilingual {
        Bilingual {
            sv: "Hur väl texten matchar sökorden (BM25): sällsynta ord väger tyngre, och ett ord som upprepas ger allt mindre. Bästa träffen får 1.",
            en: "How well the text matches the query (BM25): rare words weigh more, and repeating a word adds less and less. The best match gets 1.",
        }
    }
    fn raw(&self, c: &Candidate<'_>, _: &RankContext) -> f64 {
        c.text_score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::testing::{cand, ctx};

    #[test]
    fn is_the_index_score() {
        assert_eq!(Text.raw(&cand("a", "p", 3.5), &ctx()), 3.5);
    }
}
