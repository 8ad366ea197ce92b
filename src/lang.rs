//! The two languages bubbla speaks. Every document has one; the UI, the
//! analysers and the lesson guides exist in both.

use serde::{Deserialize, Serialize};

/// A document or interface language.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Swedish (svenska)
    Sv,
    /// English
    En,
}

impl Lang {
    /// Both languages, Swedish first (the home language of the workshops).
    pub const ALL: [Lang; 2] = [Lang::Sv, Lang::En];

    /// The ISO 639-1 code, as written in front matter.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// Parses `sv` or `en` (case-insensitive, surrounding space ignored).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
