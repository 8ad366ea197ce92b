//! Snippets: the passage of a document that best shows why it matched, with
//! the matched words marked.
//!
//! A word is marked when its stem is a query stem, or when it is a compound
//! with a query stem among its parts (`vargjakten` for `varg`): exactly the
//! rule the index matched by.

use super::SearchIndex;
use super::analysis::{analyze, analyzer};
use crate::lang::Lang;
use serde::Serialize;
use std::collections::HashSet;
use std::ops::Range;

/// Target length of a snippet, in characters.
pub const SNIPPET_CHARS: usize = 220;

/// A passage with marked ranges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Snippet {
    /// The passage (with `…` where it was cut).
    pub text: String,
    /// Byte ranges of `text` to mark, in order, not overlapping.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// HTML with `<mark>` around matches; everything else escaped.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(self.text.len() + 16 * self.highlights.len());
        let mut at = 0;
        for r in &self.highlights {
            escape_into(&mut out, &self.text[at..r.start]);
            out.push_str("<mark>");
            escape_into(&mut out, &self.text[r.clone()]);
            out.push_str("</mark>");
            at = r.end;
        }
        escape_into(&mut out, &self.text[at..]);
        out
    }

    /// Plain text with matches between `[` and `]`, for terminals.
    pub fn to_marked(&self, open: &str, close: &str) -> String {
        let mut out = String::new();
        let mut at = 0;
        for r in &self.highlights {
            out.push_str(&self.text[at..r.start]);
            out.push_str(open);
            out.push_str(&self.text[r.clone()]);
            out.push_str(close);
            at = r.end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Byte ranges of `text` that match any of `stems` in `lang`.
pub fn matches(
    index: &SearchIndex,
    lang: Lang,
    text: &str,
    stems: &[&str],
) -> Vec<(Range<usize>, usize)> {
    if stems.is_empty() {
        return Vec::new();
    }
    let wanted: HashSet<&str> = stems.iter().copied().collect();
    let mut out = Vec::new();
    for t in analyze(&mut analyzer(lang), text) {
        let which = if wanted.contains(t.stem.as_str()) {
            Some(t.stem)
        } else if lang == Lang::Sv && t.to - t.from >= 6 {
            index
                .compound_parts(lang, &text[t.from..t.to].to_lowercase())
                .into_iter()
                .find(|p| wanted.contains(p.as_str()))
        } else {
            None
        };
        if let Some(stem) = which {
            let k = stems.iter().position(|s| *s == stem).unwrap_or(0);
            out.push((t.from..t.to, k));
        }
    }
    out
}

/// The best window of `text` for the query stems.
pub fn make(index: &SearchIndex, lang: Lang, text: &str, stems: &[&str]) -> Snippet {
    let found = matches(index, lang, text, stems);
    // Choose the window start (at a match) that covers the most distinct
    // query words, then the most matches; ties go to the earliest.
    let mut best: Option<(usize, usize, usize)> = None; // (distinct, count, start byte)
    for (i, (r, _)) in found.iter().enumerate() {
        let start = r.start;
        let end = byte_after_chars(text, start, SNIPPET_CHARS);
        let in_window: Vec<&(Range<usize>, usize)> = found[i..]
            .iter()
            .take_while(|(m, _)| m.end <= end)
            .collect();
        let distinct = in_window
            .iter()
            .map(|(_, k)| *k)
            .collect::<HashSet<_>>()
            .len();
        let key = (distinct, in_window.len(), start);
        if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    let first_match = best.map_or(0, |b| b.2);
    // Start a little before the first match, at a word boundary, for context.
    let start = back_to_boundary(text, first_match, 40);
    let end = byte_after_chars(text, start, SNIPPET_CHARS);
    let end = forward_to_boundary(text, end);
    let mut out = String::new();
    let prefix = if start > 0 { "… " } else { "" };
    out.push_str(prefix);
    let body = &text[start..end];
    let body_collapsed: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    // Map highlight ranges through the whitespace collapse by re-matching.
    out.push_str(&body_collapsed);
    if end < text.len() {
        out.push_str(" …");
    }
    let highlights = matches(index, lang, &out, stems)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

fn byte_after_chars(text: &str, start: usize, chars: usize) -> usize {
    text[start..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| start + i)
}

fn back_to_boundary(text: &str, at: usize, max_chars: usize) -> usize {
    let before = &text[..at];
    // Prefer the start of the sentence if it is close.
    let mut start = at;
    for (n, (i, c)) in before.char_indices().rev().enumerate() {
        if n >= max_chars {
            break;
        }
        if matches!(c, '.' | '!' | '?' | '\n') {
            return i + c.len_utf8();
        }
        if c.is_whitespace() {
            start = i + c.len_utf8();
        }
    }
    if before.chars().count() <= max_chars {
        0
    } else {
        start
    }
}

fn forward_to_boundary(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    text[at..]
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map_or(text.len(), |(i, _)| at + i)
}
