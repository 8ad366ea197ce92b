//! `themes.toml`: the debated topics of the corpus, their perspectives and
//! suggested queries.
//!
//! ```toml
//! [[theme]]
//! id = "varg"
//! label = { sv = "Varg och jakt", en = "Wolves and hunting" }
//! queries = { sv = ["varg", "licensjakt"], en = ["wolf", "wolf hunting"] }
//!
//! [[theme.perspective]]
//! id = "jakt"
//! label = { sv = "Jägarna", en = "The hunters" }
//! colour = "#0072b2"
//! ```

use super::diagnostic::{Diagnostic, Diagnostics};
use super::toml_util::{line_of_key_value, lines_of_key_value, toml_error_line};
use crate::lang::Lang;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub sv: String,
    pub en: String,
}

impl Labels {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// Suggested queries in both languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Queries {
    #[serde(default)]
    pub sv: Vec<String>,
    #[serde(default)]
    pub en: Vec<String>,
}

impl Queries {
    pub fn get(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }
}

/// One side of a debate. Its colour is always shown together with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Perspective {
    pub id: String,
    pub label: Labels,
    /// `#rrggbb`
    pub colour: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub id: String,
    pub label: Labels,
    #[serde(default)]
    pub queries: Queries,
    #[serde(rename = "perspective", default)]
    pub perspectives: Vec<Perspective>,
}

impl Theme {
    pub fn perspective(&self, id: &str) -> Option<&Perspective> {
        self.perspectives.iter().find(|p| p.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemesFile {
    #[serde(rename = "theme", default)]
    themes: Vec<Theme>,
}

/// Parses `themes.toml`. Problems are reported with their line; a theme with
/// a problem is still returned when it can be, so that documents citing it are
/// not all reported a second time.
pub fn parse_themes(display_path: &str, text: &str, diags: &mut Diagnostics) -> Vec<Theme> {
    let file: ThemesFile = match toml::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            diags.push(
                Diagnostic::error(display_path, toml_error_line(text, &e, 0), e.message().to_string())
                    .hint("each theme starts with `[[theme]]`; each of its perspectives with `[[theme.perspective]]`"),
            );
            return Vec::new();
        }
    };
    let mut seen = HashSet::new();
    for theme in &file.themes {
        let line = line_of_key_value(text, "id", &theme.id);
        if !seen.insert(theme.id.as_str()) {
            diags.push(
                Diagnostic::error(
                    display_path,
                    lines_of_key_value(text, "id", &theme.id).nth(1).or(line),
                    format!("theme id `{}` is defined twice", theme.id),
                )
                .hint("give each theme its own id"),
            );
        }
        if theme.perspectives.is_empty() {
            diags.push(
                Diagnostic::error(
                    display_path,
                    line,
                    format!("theme `{}` has no perspectives", theme.id),
                )
                .hint("add at least one `[[theme.perspective]]` with id, label and colour"),
            );
        }
        let mut seen_p = HashSet::new();
        for p in &theme.perspectives {
            let pline = line_of_key_value(text, "id", &p.id);
            if !seen_p.insert(p.id.as_str()) {
                diags.push(
                    Diagnostic::error(
                        display_path,
                        lines_of_key_value(text, "id", &p.id).nth(1).or(pline),
                        format!(
                            "perspective `{}` appears twice in theme `{}`",
                            p.id, theme.id
                        ),
                    )
                    .hint("give each perspective of a theme its own id"),
                );
            }
            if !is_hex_colour(&p.colour) {
                diags.push(
                    Diagnostic::error(
                        display_path,
                        line_of_key_value(text, "colour", &p.colour).or(pline),
                        format!(
                            "colour `{}` of perspective `{}` is not of the form #rrggbb",
                            p.colour, p.id
                        ),
                    )
                    .hint("write the colour as six hexadecimal digits, e.g. \"#0072b2\""),
                );
            }
        }
    }
    file.themes
}

fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"
[[theme]]
id = "varg"
label = { sv = "Varg", en = "Wolves" }
queries = { sv = ["varg"], en = ["wolf"] }

[[theme.perspective]]
id = "jakt"
label = { sv = "Jägarna", en = "Hunters" }
colour = "#0072b2"
"##;

    #[test]
    fn parses_a_theme_with_perspectives() {
        let mut d = Diagnostics::default();
        let themes = parse_themes("themes.toml", GOOD, &mut d);
        assert_eq!(d.errors(), 0, "{d:?}");
        assert_eq!(themes[0].id, "varg");
        assert_eq!(
            themes[0].perspective("jakt").map(|p| p.label.en.as_str()),
            Some("Hunters")
        );
        assert_eq!(themes[0].queries.get(Lang::Sv), ["varg"]);
    }

    #[test]
    fn reports_bad_colour_and_duplicates_with_lines() {
        let text = format!(
            "{GOOD}\n[[theme.perspective]]\nid = \"jakt\"\nlabel = {{ sv = \"a\", en = \"b\" }}\ncolour = \"blue\"\n"
        );
        let mut d = Diagnostics::default();
        parse_themes("themes.toml", &text, &mut d);
        let msgs: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("themes.toml:13:") && m.contains("appears twice")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("themes.toml:15:") && m.contains("#rrggbb")),
            "{msgs:?}"
        );
    }

    #[test]
    fn reports_toml_syntax_errors_with_their_line() {
        let mut d = Diagnostics::default();
        parse_themes("themes.toml", "[[theme]]\nid = \"varg\nlabel = 3\n", &mut d);
        assert_eq!(d.errors(), 1);
        assert_eq!(d.0[0].line, Some(2), "{:?}", d.0[0]);
    }
}
