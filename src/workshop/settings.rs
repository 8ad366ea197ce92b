//! A room's settings, what a leader may change in them, and what they mean
//! for one participant (their algorithm, its label, their persona).

use crate::engine::Engine;
use serde::{Deserialize, Serialize};

/// Longest shared query, in characters (as the engine searches).
pub const MAX_QUERY: usize = 500;
/// Longest room title, in characters.
pub const MAX_TITLE: usize = 80;
/// Algorithms a room may offer at once (labelled A–F in blind mode).
pub const MAX_ALGORITHMS: usize = 6;

/// How algorithms are given to participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Assignment {
    /// Everyone gets the first algorithm offered.
    #[default]
    Same,
    /// Participant n (in join order) gets algorithm n mod the number offered.
    RoundRobin,
    /// Each participant picks one of those offered.
    Free,
}

/// Whose clicks the `social` signal reads for a participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum FriendsMode {
    /// Nobody (a persona keeps its declared friends).
    #[default]
    None,
    /// Everyone else in the room.
    Room,
    /// The nicknames each participant picks.
    Chosen,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomSettings {
    /// The shared query, pushed to everyone; `None` lets everyone search freely.
    pub query: Option<String>,
    /// The algorithms on offer, in order (A, B, C … in blind mode).
    pub algorithms: Vec<String>,
    pub assignment: Assignment,
    /// Algorithms are shown as "A", "B", "C" until the leader reveals them.
    pub blind: bool,
    /// Personas given out in join order; empty: everyone searches as themselves.
    pub personas: Vec<String>,
    pub friends: FriendsMode,
    /// No one new may join.
    pub locked: bool,
}

impl Default for RoomSettings {
    fn default() -> Self {
        RoomSettings {
            query: None,
            algorithms: vec!["relevance".into()],
            assignment: Assignment::Same,
            blind: false,
            personas: Vec::new(),
            friends: FriendsMode::None,
            locked: false,
        }
    }
}

/// A change to a room; absent fields stay as they are. `query: ""` turns
/// the shared query off.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    pub title: Option<String>,
    pub query: Option<String>,
    pub algorithms: Option<Vec<String>>,
    pub assignment: Option<Assignment>,
    pub blind: Option<bool>,
    pub personas: Option<Vec<String>>,
    pub friends: Option<FriendsMode>,
    pub locked: Option<bool>,
}

/// Why a patch was refused: a catalogue key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Invalid {
    fn new(key: &'static str) -> Invalid {
        Invalid {
            key,
            args: Vec::new(),
        }
    }

    fn with(mut self, name: &'static str, value: &str) -> Invalid {
        self.args.push((name, value.to_string()));
        self
    }
}

/// A title as kept: trimmed, control and format characters dropped.
pub fn clean_title(raw: &str) -> Result<String, Invalid> {
    let t: String = raw
        .chars()
        .filter(|c| !c.is_control() && !crate::text::is_format(*c))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if t.is_empty() {
        return Err(Invalid::new("room_bad_title"));
    }
    Ok(t.chars().take(MAX_TITLE).collect())
}

impl RoomSettings {
    /// Applies `patch` (title aside) after checking every name in it
    /// against the engine's algorithms and the corpus's personas.
    pub fn apply(&mut self, patch: &Patch, engine: &Engine) -> Result<(), Invalid> {
        if let Some(q) = &patch.query {
            let q = crate::index::query::searched_text(q);
            let q = q.trim();
            self.query = (!q.is_empty()).then(|| q.chars().take(MAX_QUERY).collect());
        }
        if let Some(list) = &patch.algorithms {
            let mut seen: Vec<String> = Vec::new();
            for id in list {
                if engine.algorithm(id).is_none() {
                    return Err(Invalid::new("bad_unknown_algorithm").with("algorithm", id));
                }
                if !seen.contains(id) {
                    seen.push(id.clone());
                }
            }
            if seen.is_empty() || seen.len() > MAX_ALGORITHMS {
                return Err(
                    Invalid::new("room_bad_algorithms").with("max", &MAX_ALGORITHMS.to_string())
                );
            }
            self.algorithms = seen;
        }
        if let Some(list) = &patch.personas {
            for id in list {
                if !engine.corpus.personas.iter().any(|p| &p.id == id) {
                    return Err(Invalid::new("room_bad_persona").with("id", id));
                }
            }
            self.personas = list.clone();
        }
        if let Some(a) = patch.assignment {
            self.assignment = a;
        }
        if let Some(b) = patch.blind {
            self.blind = b;
        }
        if let Some(f) = patch.friends {
            self.friends = f;
        }
        if let Some(l) = patch.locked {
            self.locked = l;
        }
        Ok(())
    }

    /// The position in [`RoomSettings::algorithms`] of the algorithm for
    /// the participant in `seat` who chose `choice`.
    pub fn algorithm_index(&self, seat: u32, choice: Option<&str>) -> usize {
        let n = self.algorithms.len().max(1);
        match self.assignment {
            Assignment::Same => 0,
            Assignment::RoundRobin => seat as usize % n,
            Assignment::Free => choice
                .and_then(|c| self.algorithms.iter().position(|a| a == c))
                .unwrap_or(0),
        }
    }

    /// The persona for `seat`, if the room gives them out.
    pub fn persona(&self, seat: u32) -> Option<&str> {
        (!self.personas.is_empty())
            .then(|| self.personas[seat as usize % self.personas.len()].as_str())
    }
}

/// "A", "B", … for the algorithm at `index` in blind mode.
pub fn blind_label(index: usize) -> String {
    char::from(b'A' + (index % 26) as u8).to_string()
}
