//! `personas.toml`: pre-made, fictional people with interests, a history of
//! searches and clicks, and friends among the other personas.
//!
//! The file is optional. Every reference is checked: friends, themes and
//! perspectives of interests, and clicked document ids must all exist.

use super::diagnostic::{Diagnostic, Diagnostics};
use super::themes::{Labels, Theme};
use super::toml_util::{line_of_key_value, toml_error_line};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// How many searches a persona's history holds.
pub const HISTORY: std::ops::RangeInclusive<usize> = 10..=30;
/// Ids the other viewers use in addresses (`viewer=me`, `viewer=incognito`).
pub const RESERVED_IDS: [&str; 2] = ["me", "incognito"];
/// How many friends a persona has.
pub const FRIENDS: std::ops::RangeInclusive<usize> = 2..=4;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interest {
    pub theme: String,
    pub perspective: String,
    /// 0 to 1.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    pub query: String,
    /// Ids of the documents clicked after this search.
    #[serde(default)]
    pub clicks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    pub id: String,
    pub name: String,
    pub age: u32,
    pub description: Labels,
    pub friends: Vec<String>,
    pub interests: Vec<Interest>,
    /// Oldest first.
    pub history: Vec<Search>,
}

impl Persona {
    /// The perspective this persona cares most about within a theme.
    pub fn main_perspective(&self, theme: &str) -> Option<&str> {
        self.interests
            .iter()
            .filter(|i| i.theme == theme)
            .max_by(|a, b| a.weight.total_cmp(&b.weight))
            .map(|i| i.perspective.as_str())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "persona", default)]
    personas: Vec<Persona>,
}

/// Parses `personas.toml` and checks every reference; a persona with a
/// problem is reported and left out.
pub fn parse_personas(
    display: &str,
    text: &str,
    themes: &[Theme],
    doc_ids: &HashSet<&str>,
    diags: &mut Diagnostics,
) -> Vec<Persona> {
    let file: File = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            diags.push(
                Diagnostic::error(display, toml_error_line(text, &e, 0), e.message().trim().to_string())
                    .hint("each persona starts with [[persona]] and has id, name, age, description, friends, interests and history"),
            );
            return Vec::new();
        }
    };
    let ids: HashSet<&str> = file.personas.iter().map(|p| p.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for p in &file.personas {
        let line = line_of_key_value(text, "id", &p.id);
        let before = diags.errors();
        let mut err =
            |msg: String, hint: &str| diags.push(Diagnostic::error(display, line, msg).hint(hint));
        if !seen.insert(p.id.as_str()) {
            err(
                format!("persona `{}` is defined twice", p.id),
                "give each persona its own id",
            );
        }
        if RESERVED_IDS.contains(&p.id.as_str()) || p.id.is_empty() {
            err(
                format!("`{}` cannot be a persona id", p.id),
                "`me` and `incognito` name the other viewers; choose another id",
            );
        }
        if !FRIENDS.contains(&p.friends.len()) {
            err(
                format!("persona `{}` has {} friends", p.id, p.friends.len()),
                "give each persona 2 to 4 friends among the other personas",
            );
        }
        for f in &p.friends {
            if f == &p.id || !ids.contains(f.as_str()) {
                err(
                    format!("persona `{}` has an unknown friend `{f}`", p.id),
                    "friends are ids of other personas in this file",
                );
            }
        }
        for i in &p.interests {
            match themes.iter().find(|t| t.id == i.theme) {
                None => err(
                    format!(
                        "persona `{}` is interested in unknown theme `{}`",
                        p.id, i.theme
                    ),
                    "themes are defined in themes.toml",
                ),
                Some(t) if t.perspective(&i.perspective).is_none() => err(
                    format!(
                        "persona `{}`: theme `{}` has no perspective `{}`",
                        p.id, i.theme, i.perspective
                    ),
                    "use a perspective id of that theme from themes.toml",
                ),
                Some(_) => {}
            }
            if !(0.0..=1.0).contains(&i.weight) {
                err(
                    format!(
                        "persona `{}`: interest weight {} is outside 0–1",
                        p.id, i.weight
                    ),
                    "weights go from 0 (none) to 1 (strong)",
                );
            }
        }
        if !HISTORY.contains(&p.history.len()) {
            err(
                format!(
                    "persona `{}` has {} searches in its history",
                    p.id,
                    p.history.len()
                ),
                "give each persona 10 to 30 searches",
            );
        }
        for s in &p.history {
            for c in &s.clicks {
                if !doc_ids.contains(c.as_str()) {
                    err(
                        format!(
                            "persona `{}` clicked `{c}` after searching {:?}, which is not a document",
                            p.id, s.query
                        ),
                        "clicks are document ids: file names without .md",
                    );
                }
            }
        }
        if diags.errors() == before {
            out.push(p.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn themes() -> Vec<Theme> {
        let mut d = Diagnostics::default();
        super::super::themes::parse_themes(
            "themes.toml",
            "[[theme]]\nid = \"varg\"\nlabel = { sv = \"V\", en = \"W\" }\n[[theme.perspective]]\nid = \"jakt\"\nlabel = { sv = \"J\", en = \"H\" }\ncolour = \"#000000\"\n",
            &mut d,
        )
    }

    fn persona(id: &str, friends: &str, clicks: &str) -> String {
        let history: String = (0..10)
            .map(|i| format!("{{ query = \"varg {i}\", clicks = [{clicks}] }},"))
            .collect();
        format!(
            "[[persona]]\nid = \"{id}\"\nname = \"N\"\nage = 15\ndescription = {{ sv = \"x\", en = \"x\" }}\nfriends = [{friends}]\n\
             interests = [{{ theme = \"varg\", perspective = \"jakt\", weight = 0.9 }}]\nhistory = [{history}]\n\n"
        )
    }

    #[test]
    fn valid_personas_load_and_references_are_checked() {
        let docs: HashSet<&str> = ["a"].into_iter().collect();
        let text = persona("p1", "\"p2\", \"p3\"", "\"a\"")
            + &persona("p2", "\"p1\", \"p3\"", "")
            + &persona("p3", "\"p1\", \"nobody\"", "\"zzz\"");
        let mut d = Diagnostics::default();
        let ps = parse_personas("personas.toml", &text, &themes(), &docs, &mut d);
        assert_eq!(
            ps.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
            ["p1", "p2"]
        );
        let msgs: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("unknown friend `nobody`")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("clicked `zzz`")), "{msgs:?}");
        assert_eq!(ps[0].main_perspective("varg"), Some("jakt"));
    }

    #[test]
    fn viewer_names_are_not_persona_ids() {
        let docs: HashSet<&str> = HashSet::new();
        let text = persona("me", "\"p2\", \"incognito\"", "")
            + &persona("p2", "\"me\", \"incognito\"", "")
            + &persona("incognito", "\"me\", \"p2\"", "");
        let mut d = Diagnostics::default();
        let ps = parse_personas("personas.toml", &text, &themes(), &docs, &mut d);
        assert_eq!(ps.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["p2"]);
        let msgs: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("`me` cannot be a persona id")),
            "{msgs:?}"
        );
    }
}
