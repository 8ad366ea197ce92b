//! Swedish compound words, learnt from the corpus itself.
//!
//! Swedish writes compounds as one word (`vargjakt`, `kärnkraftsdebatten`).
//! A stemmer leaves them whole, so a search for `varg` would miss a text that
//! only speaks of `vargjakten`. The decompounder splits a word into parts that
//! the corpus also uses *on their own*, allowing the linking `s`
//! (`kärnkraft-s-debatt`); parts are found recursively (`kärnkraft` gives
//! `kärn` and `kraft`). No outside word list is needed, and a word that is
//! not a compound of known words is left alone.
//!
//! The parts are indexed in a separate field (beside the word's own stem) with
//! a lower weight, so a document saying `varg` ranks above one that only says
//! `vargjakt` (see `index::Scoring`).

use std::collections::{HashMap, HashSet};

/// Words shorter than this (in characters) are never split.
const MIN_WORD_CHARS: usize = 6;
/// Neither part may be shorter than this.
const MIN_PART_CHARS: usize = 3;
/// A stem must occur this often on its own to count as a word.
pub const MIN_COUNT: u32 = 2;
/// Linking letters allowed between parts (`""` is a plain join).
const LINKS: [&str; 2] = ["", "s"];

/// The dictionary of known stems.
#[derive(Debug, Default, Clone)]
pub struct Decompounder {
    known: HashSet<String>,
}

impl Decompounder {
    /// Learns known words: stems seen at least `min_count` times.
    pub fn learn(counts: &HashMap<String, u32>, min_count: u32) -> Decompounder {
        let known = counts
            .iter()
            .filter(|(stem, n)| **n >= min_count && stem.chars().count() >= MIN_PART_CHARS)
            .map(|(s, _)| s.clone())
            .collect();
        Decompounder { known }
    }

    pub fn from_words(words: impl IntoIterator<Item = String>) -> Decompounder {
        Decompounder {
            known: words.into_iter().collect(),
        }
    }

    pub fn words(&self) -> impl Iterator<Item = &String> {
        self.known.iter()
    }

    pub fn len(&self) -> usize {
        self.known.len()
    }

    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }

    /// The stems of the parts of `word` (lower-case surface form), or nothing
    /// if it is not a compound of known words. `stem` stems one word.
    pub fn parts(&self, word: &str, stem: &mut dyn FnMut(&str) -> String) -> Vec<String> {
        let mut out = Vec::new();
        self.split_into(word, stem, 0, &mut out);
        let own = stem(word);
        let mut seen = HashSet::new();
        out.retain(|p| p != &own && seen.insert(p.clone()));
        out
    }

    fn is_known(&self, part: &str, stem: &mut dyn FnMut(&str) -> String) -> Option<String> {
        let s = stem(part);
        if self.known.contains(&s) {
            Some(s)
        } else if self.known.contains(part) {
            Some(part.to_string())
        } else {
            None
        }
    }

    /// Tries the longest known head first, so `kärnkraftsdebatt` splits as
    /// `kärnkraft|s|debatt` before `kärn|kraftsdebatt`.
    fn split_into(
        &self,
        word: &str,
        stem: &mut dyn FnMut(&str) -> String,
        depth: u8,
        out: &mut Vec<String>,
    ) -> bool {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() < MIN_WORD_CHARS || depth > 3 {
            return false;
        }
        for head_chars in (MIN_PART_CHARS..=chars.len() - MIN_PART_CHARS).rev() {
            let head_end = chars[head_chars].0;
            let head = &word[..head_end];
            for link in LINKS {
                let rest = &word[head_end..];
                let Some(tail) = rest.strip_prefix(link) else {
                    continue;
                };
                if tail.chars().count() < MIN_PART_CHARS {
                    continue;
                }
                let Some(head_stem) = self.is_known(head, stem) else {
                    continue;
                };
                let tail_stem = self.is_known(tail, stem);
                let mut tail_parts = Vec::new();
                let tail_splits = self.split_into(tail, stem, depth + 1, &mut tail_parts);
                if tail_stem.is_none() && !tail_splits {
                    continue;
                }
                out.push(head_stem);
                self.split_into(head, stem, depth + 1, out);
                out.extend(tail_stem);
                out.extend(tail_parts);
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::analysis::{stem_word, stemmer};
    use crate::lang::Lang;

    fn dict(words: &[&str]) -> Decompounder {
        let mut s = stemmer(Lang::Sv);
        Decompounder::from_words(words.iter().map(|w| stem_word(&mut s, w)))
    }

    fn parts(d: &Decompounder, word: &str) -> Vec<String> {
        let mut s = stemmer(Lang::Sv);
        let mut parts = d.parts(word, &mut |w| stem_word(&mut s, w));
        parts.sort();
        parts
    }

    #[test]
    fn splits_plain_and_linked_compounds() {
        let d = dict(&[
            "varg",
            "jakt",
            "stammen",
            "kärnkraft",
            "kärn",
            "kraft",
            "debatt",
        ]);
        assert_eq!(parts(&d, "vargjakt"), ["jakt", "varg"]);
        assert_eq!(parts(&d, "vargjakten"), ["jakt", "varg"]);
        assert_eq!(parts(&d, "vargstammen"), ["stamm", "varg"]);
        assert_eq!(
            parts(&d, "kärnkraftsdebatten"),
            ["debat", "kraft", "kärn", "kärnkraft"]
        );
    }

    #[test]
    fn leaves_non_compounds_alone() {
        let d = dict(&["varg", "jakt"]);
        assert!(parts(&d, "vargarna").is_empty());
        assert!(parts(&d, "varg").is_empty());
        assert!(parts(&d, "kollektivtrafik").is_empty());
    }
}
