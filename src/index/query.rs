//! The query language people type: plain words, `"phrases"` and `-exclusions`.
//!
//! Nothing else is syntax. Any input parses: unbalanced quotes close at the
//! end, operators such as `AND(`, `field:` or `*` are just text (and the
//! analysers drop what is not a word), and very long input is cut. A query
//! that leaves no words gives an empty result, never an error.

use unicode_normalization::UnicodeNormalization;

/// Input beyond this many characters is ignored.
pub const MAX_QUERY_CHARS: usize = 500;
/// At most this many words, phrases and exclusions are used.
pub const MAX_CLAUSES: usize = 32;

/// A parsed query, before language analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// Plain words: documents with all of them rank first, any of them match.
    pub words: Vec<String>,
    /// Quoted phrases: each must occur, words in this order.
    pub phrases: Vec<String>,
    /// Words and phrases after `-`: documents containing them are left out.
    pub excluded: Vec<String>,
}

/// The query as the engine reads it: invisible format characters dropped,
/// NFC-normalised and cut at [`MAX_QUERY_CHARS`]. What is recorded about a
/// search is this text, so `/me` shows what was searched.
pub fn searched_text(input: &str) -> String {
    crate::text::without_format(input)
        .nfc()
        .take(MAX_QUERY_CHARS)
        .collect()
}

impl UserQuery {
    pub fn parse(input: &str) -> UserQuery {
        let text = searched_text(input);
        let mut q = UserQuery::default();
        let mut chars = text.chars().peekable();
        let mut clauses = 0;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let negated = c == '-';
            if negated {
                chars.next();
                match chars.peek() {
                    Some(n) if !n.is_whitespace() => {}
                    _ => continue,
                }
            }
            let quoted = chars.peek() == Some(&'"');
            let mut item = String::new();
            if quoted {
                chars.next();
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                    item.push(c);
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '"' {
                        break;
                    }
                    item.push(c);
                    chars.next();
                }
            }
            let item = item.trim().to_string();
            if item.is_empty() || clauses >= MAX_CLAUSES {
                continue;
            }
            clauses += 1;
            match (negated, quoted) {
                (true, _) => q.excluded.push(item),
                (false, true) => q.phrases.push(item),
                (false, false) => q.words.push(item),
            }
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> UserQuery {
        UserQuery::parse(s)
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let q = p(r#"varg "skyddad art" -jakt -"licens jakt" e-post"#);
        assert_eq!(q.words, ["varg", "e-post"]);
        assert_eq!(q.phrases, ["skyddad art"]);
        assert_eq!(q.excluded, ["jakt", "licens jakt"]);
    }

    #[test]
    fn hostile_input_is_text() {
        assert_eq!(p(r#""unbalanced quote"#).phrases, ["unbalanced quote"]);
        assert_eq!(p("AND( title:varg *").words, ["AND(", "title:varg", "*"]);
        assert!(p("   - -  ").is_empty());
        assert!(p("").is_empty());
        let long = "varg ".repeat(2000);
        assert_eq!(p(&long).words.len(), MAX_CLAUSES);
        assert!(p(&"x".repeat(10_000)).words[0].chars().count() <= MAX_QUERY_CHARS);
    }
}
