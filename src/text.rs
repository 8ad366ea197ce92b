//! Text clean-up shared by documents, queries and nicknames.
//!
//! Unicode *format* characters (general category Cf: zero-width spaces and
//! joiners, the soft hyphen, direction marks and overrides, the BOM, …) are
//! invisible, yet a tokenizer treats them as word breaks: `var\u{200B}g`
//! would be searched as `var` and `g`. They are dropped before analysis, in
//! documents and in queries alike, so what looks like one word is one word.

use std::borrow::Cow;

/// True for characters of Unicode general category Cf (Unicode 15).
pub fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{0890}'..='\u{0891}' | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// `text` without format characters (borrowed when it has none).
pub fn without_format(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_format) {
        Cow::Owned(text.chars().filter(|c| !is_format(*c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_go_and_nothing_else() {
        assert_eq!(
            without_format("var\u{200B}g ja\u{00AD}kt\u{FEFF}"),
            "varg jakt"
        );
        assert_eq!(without_format("\u{202E}abc\u{2066}"), "abc");
        assert!(matches!(
            without_format("vargjakt åäö 🐺"),
            Cow::Borrowed(_)
        ));
        // Joiners inside emoji sequences are format characters too; spaces,
        // letters and combining marks are not.
        for c in [' ', 'a', 'å', '\u{0301}', '\n', '-'] {
            assert!(!is_format(c), "{c:?}");
        }
    }
}
