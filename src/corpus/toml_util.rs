//! Small helpers to point at lines of TOML text.

/// The 1-based line of a TOML parse error within `text`, offset by
/// `first_line` lines (for front matter that starts below line 1).
pub fn toml_error_line(text: &str, err: &toml::de::Error, first_line: usize) -> Option<usize> {
    let span = err.span()?;
    Some(first_line + line_at(text, span.start))
}

/// The 1-based line containing byte `offset`.
pub fn line_at(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The 1-based line where `key = …` is written at the start of a line.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| key_of(l) == Some(key))
        .map(|i| i + 1)
}

/// The 1-based line where `key = "value"` is first written.
pub fn line_of_key_value(text: &str, key: &str, value: &str) -> Option<usize> {
    lines_of_key_value(text, key, value).next()
}

/// Every 1-based line where `key = "value"` is written.
pub fn lines_of_key_value<'a>(
    text: &'a str,
    key: &'a str,
    value: &'a str,
) -> impl Iterator<Item = usize> + 'a {
    text.lines()
        .enumerate()
        .filter(move |(_, l)| key_of(l) == Some(key) && l.contains(&format!("\"{value}\"")))
        .map(|(i, _)| i + 1)
}

fn key_of(line: &str) -> Option<&str> {
    let (k, _) = line.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty()).then_some(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_lines() {
        let t = "a = 1\n title = \"x\"\nb=2";
        assert_eq!(line_of_key(t, "title"), Some(2));
        assert_eq!(line_of_key(t, "b"), Some(3));
        assert_eq!(line_of_key(t, "c"), None);
        assert_eq!(line_at(t, 0), 1);
        assert_eq!(line_at(t, 7), 2);
    }
}
