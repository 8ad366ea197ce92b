//! The document id rule.
//!
//! A document's id is its file name without the `.md` extension, normalised
//! so that the same name always gives the same id:
//! 1. Unicode NFC (so `å` typed on any system is one character),
//! 2. lower-cased (`Vargjakt.md` → `vargjakt`),
//! 3. every run of white space replaced by one `-` (`Varg i Sverige.md` →
//!    `varg-i-sverige`).
//!
//! Letters outside ASCII, such as `å ä ö`, are kept as they are. An id may
//! contain letters, digits, `-`, `_` and `.`; anything else would make links
//! and addresses ambiguous and is reported by `bubbla check`.

use unicode_normalization::UnicodeNormalization;

/// Applies the id rule to a file stem or a link target.
pub fn normalize_id(stem: &str) -> String {
    let lower: String = stem.trim().nfc().collect::<String>().to_lowercase();
    lower.split_whitespace().collect::<Vec<_>>().join("-")
}

/// The first character not allowed in an id, if any.
pub fn invalid_id_char(id: &str) -> Option<char> {
    id.chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_and_joins_spaces_keeping_swedish_letters() {
        assert_eq!(normalize_id("Varg i  Sverige"), "varg-i-sverige");
        assert_eq!(normalize_id("Kärnkraft ÅÄÖ"), "kärnkraft-åäö");
        // Decomposed å (a + ring) becomes the single composed letter.
        assert_eq!(normalize_id("Ga\u{30a}s"), "gås");
    }

    #[test]
    fn flags_characters_that_break_links() {
        assert_eq!(invalid_id_char("varg-fakta_2.0"), None);
        assert_eq!(invalid_id_char("varg?"), Some('?'));
        assert_eq!(invalid_id_char("a#b"), Some('#'));
    }
}
