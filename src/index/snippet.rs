//! Snippets: the passage of a document that best shows why it matched, with
//! the matched words marked.
//!
//! A word is marked when its stem is a query stem, or when it is a compound
//! with a query stem among its parts (`vargjakten` for `varg`): exactly the
//! rule the index matched by.

use super::SearchIndex;
use crate::lang::Lang;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
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

/// Compound parts of words already seen, kept across the snippets of one
/// result page (the same words recur from text to text).
#[derive(Debug, Default)]
pub struct WordCache {
    parts: HashMap<String, Vec<String>>,
}

/// Byte ranges of `text` that matched, with the index (in `stems`) of the
/// stem each one matched. Direct matches come from the word `positions` the
/// index recorded (see [`SearchIndex::positions`]), so no word is stemmed
/// again; in Swedish, a compound with a query stem among its parts
/// (`vargjakten` for `varg`) is found with the decompounder that indexed it.
pub fn matches(
    index: &SearchIndex,
    lang: Lang,
    text: &str,
    stems: &[&str],
    positions: &[(u32, usize)],
    cache: &mut WordCache,
) -> Vec<(Range<usize>, usize)> {
    if stems.is_empty() {
        return Vec::new();
    }
    let wanted: HashSet<&str> = stems.iter().copied().collect();
    // A compound contains its parts' first letters (stemming rewrites only
    // endings); only such words are split.
    let heads: Vec<String> = stems.iter().map(|s| s.chars().take(3).collect()).collect();
    let compounds = lang == Lang::Sv;
    let mut next = positions.iter().peekable();
    let mut out = Vec::new();
    for (i, (from, to)) in words(text).enumerate() {
        while next.peek().is_some_and(|(p, _)| (*p as usize) < i) {
            next.next();
        }
        if let Some(&&(p, k)) = next.peek()
            && p as usize == i
        {
            out.push((from..to, k));
            continue;
        }
        if !compounds || to - from < 6 {
            continue;
        }
        let word = text[from..to].to_lowercase();
        if !heads.iter().any(|h| word.contains(h.as_str())) {
            continue;
        }
        let part = cache
            .parts
            .entry(word)
            .or_insert_with_key(|w| index.compound_parts(lang, w))
            .iter()
            .find(|p| wanted.contains(p.as_str()))
            .and_then(|p| stems.iter().position(|s| s == p));
        if let Some(k) = part {
            out.push((from..to, k));
        }
    }
    out
}

/// Byte ranges of the words of `text`, split as the index's tokenizer
/// splits them (runs of letters and digits).
fn words(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut at = 0;
    // ASCII bytes are classified directly; other characters are decoded.
    let class = move |at: usize| -> (bool, usize) {
        let b = bytes[at];
        if b < 128 {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let c = text[at..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        }
    };
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let (word, len) = class(at);
            if word {
                break;
            }
            at += len;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while at < bytes.len() {
            let (word, len) = class(at);
            if !word {
                break;
            }
            at += len;
        }
        Some((start, at))
    })
}

/// The best window of `text` for the query stems (matched at `positions`,
/// see [`matches`]); line breaks become spaces, byte for byte, so the marks
/// stay in place.
pub fn make(
    index: &SearchIndex,
    lang: Lang,
    text: &str,
    stems: &[&str],
    positions: &[(u32, usize)],
    cache: &mut WordCache,
) -> Snippet {
    let found = matches(index, lang, text, stems, positions, cache);
    // Choose the window start (at a match) that covers the most distinct
    // query words, then the most matches; ties go to the earliest.
    let mut best: Option<(usize, usize, usize)> = None; // (distinct, count, start byte)
    for (i, (r, _)) in found.iter().enumerate() {
        let end = floor_boundary(text, r.start + SNIPPET_CHARS);
        let in_window = found[i..].iter().take_while(|(m, _)| m.end <= end);
        let distinct = in_window
            .clone()
            .fold(0u64, |m, (_, k)| m | 1 << (k % 64))
            .count_ones() as usize;
        let key = (distinct, in_window.count(), r.start);
        if best.is_none_or(|b| (key.0, key.1) > (b.0, b.1)) {
            best = Some(key);
        }
    }
    let first_match = best.map_or(0, |b| b.2);
    // Start a little before the first match, at a word boundary, for context.
    // Near the beginning, start at the beginning.
    let start = if first_match < SNIPPET_CHARS / 2 {
        0
    } else {
        back_to_boundary(text, first_match, 40)
    };
    let start = start + (text[start..].len() - text[start..].trim_start().len());
    let end = forward_to_boundary(text, byte_after_chars(text, start, SNIPPET_CHARS));
    let prefix = if start > 0 { "… " } else { "" };
    let body: String = text[start..end]
        .chars()
        .map(|c| {
            if c == '\n' || c == '\r' || c == '\t' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let mut out = String::with_capacity(body.len() + 8);
    out.push_str(prefix);
    out.push_str(body.trim_end());
    let shift = prefix.len();
    let highlights = found
        .into_iter()
        .filter(|(r, _)| r.start >= start && r.end <= start + body.trim_end().len())
        .map(|(r, _)| (r.start - start + shift)..(r.end - start + shift))
        .collect();
    if end < text.len() {
        out.push_str(" …");
    }
    Snippet {
        text: out,
        highlights,
    }
}
/// The char boundary at or before byte `at`.
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
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
