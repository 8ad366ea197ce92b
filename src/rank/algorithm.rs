//! Algorithms: named recipes of signal weights plus an optional re-ranking
//! step, read from `algorithms.toml` in the corpus folder so a teacher can
//! edit them. The file is validated like the corpus: every problem with its
//! line and a hint; a broken algorithm is skipped, the others load. Without
//! the file, the presets shipped with bubbla are used.

use super::rerank::{self, Rerank};
use super::signals::{SIGNALS, signal};
use crate::corpus::{Diagnostic, Diagnostics, Labels};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

pub use crate::corpus::ALGORITHMS_FILE;

/// The presets shipped with bubbla (also the corpus's default file).
pub const DEFAULT_ALGORITHMS: &str = include_str!("../../corpus/algorithms.toml");

/// A named, documented ranking recipe.
#[derive(Debug, Clone)]
pub struct Algorithm {
    pub id: String,
    pub label: Labels,
    pub description: Labels,
    /// Weights by signal id, in registry order; unlisted signals weigh 0.
    pub weights: Vec<(&'static str, f64)>,
    pub rerank: Option<Arc<dyn Rerank>>,
}

impl Algorithm {
    pub fn weight(&self, signal: &str) -> f64 {
        self.weights
            .iter()
            .find(|(s, _)| *s == signal)
            .map_or(0.0, |(_, w)| *w)
    }

    /// A minimal algorithm for tests.
    pub fn test(id: &str, weights: &[(&str, f64)], rerank: Option<Arc<dyn Rerank>>) -> Algorithm {
        Algorithm {
            id: id.into(),
            label: Labels {
                sv: id.into(),
                en: id.into(),
            },
            description: Labels {
                sv: String::new(),
                en: String::new(),
            },
            weights: SIGNALS
                .iter()
                .filter_map(|s| {
                    weights
                        .iter()
                        .find(|(id, _)| *id == s.id())
                        .map(|(_, w)| (s.id(), *w))
                })
                .collect(),
            rerank,
        }
    }
}

/// How the API and `/algorithms` show an algorithm.
#[derive(Debug, Clone, Serialize)]
pub struct AlgorithmView {
    pub id: String,
    pub label: Labels,
    pub description: Labels,
    pub weights: BTreeMap<String, f64>,
    pub rerank: Option<RerankView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RerankView {
    pub step: String,
    pub params: serde_json::Value,
    pub description: Labels,
}

impl From<&Algorithm> for AlgorithmView {
    fn from(a: &Algorithm) -> Self {
        AlgorithmView {
            id: a.id.clone(),
            label: a.label.clone(),
            description: a.description.clone(),
            weights: a.weights.iter().map(|(s, w)| (s.to_string(), *w)).collect(),
            rerank: a.rerank.as_ref().map(|r| {
                let (sv, en) = r.describe();
                RerankView {
                    step: r.id().into(),
                    params: r.params(),
                    description: Labels { sv, en },
                }
            }),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(rename = "algorithm", default)]
    algorithms: Vec<RawAlgorithm>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlgorithm {
    id: String,
    label: Labels,
    description: Labels,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
    #[serde(default)]
    rerank: Option<toml::Table>,
}

/// Parses an algorithms file; problems go to `diags`.
pub fn parse_algorithms(display: &str, text: &str, diags: &mut Diagnostics) -> Vec<Algorithm> {
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            diags.push(
                Diagnostic::error(display, line, format!("invalid algorithms file: {}", e.message().trim()))
                    .hint("each algorithm starts with [[algorithm]] and has id, label, description and weights"),
            );
            return Vec::new();
        }
    };
    let line_of = |id: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with("id") && l.contains(&format!("\"{id}\"")))
            .map(|i| i + 1)
    };
    let mut out: Vec<Algorithm> = Vec::new();
    for a in raw.algorithms {
        let line = line_of(&a.id);
        let mut ok = true;
        let mut err = |msg: String, hint: String| {
            diags.push(Diagnostic::error(display, line, msg).hint(hint));
            ok = false;
        };
        if a.id.trim().is_empty()
            || a.id
                .contains(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        {
            err(
                format!("algorithm id `{}` is not a simple name", a.id),
                "use letters, digits and `-`".into(),
            );
        }
        if out.iter().any(|o| o.id == a.id) {
            err(
                format!("algorithm `{}` is defined twice", a.id),
                "give each algorithm its own id".into(),
            );
        }
        let known = || {
            SIGNALS
                .iter()
                .map(|s| s.id())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut weights = Vec::new();
        for (name, w) in &a.weights {
            match signal(name) {
                None => err(
                    format!("algorithm `{}` weighs unknown signal `{name}`", a.id),
                    format!("signals: {}", known()),
                ),
                Some(_) if !w.is_finite() || w.abs() > 1000.0 => err(
                    format!(
                        "weight {w} of `{name}` in `{}` is not a sensible number",
                        a.id
                    ),
                    "use a number between -1000 and 1000".into(),
                ),
                Some(s) => weights.push((s.id(), *w)),
            }
        }
        weights.sort_by_key(|(id, _)| SIGNALS.iter().position(|s| s.id() == *id));
        let rerank = match &a.rerank {
            None => None,
            Some(t) => match rerank::build(t) {
                Ok(r) => Some(r),
                Err(e) => {
                    err(
                        format!("algorithm `{}`: {e}", a.id),
                        "e.g. rerank = { step = \"diversify-by-perspective\", lambda = 0.5 }"
                            .into(),
                    );
                    None
                }
            },
        };
        if weights.is_empty() && rerank.is_none() {
            err(
                format!("algorithm `{}` has no weights and no re-ranking step", a.id),
                "give at least one signal a weight, e.g. weights = { text = 1.0 }".into(),
            );
        }
        if ok {
            out.push(Algorithm {
                id: a.id,
                label: a.label,
                description: a.description,
                weights,
                rerank,
            });
        }
    }
    out
}

/// The corpus's algorithms, or the shipped presets when it has no file.
pub fn load_algorithms(corpus_dir: &Path, diags: &mut Diagnostics) -> Vec<Algorithm> {
    let path = corpus_dir.join(ALGORITHMS_FILE);
    let display = path.to_string_lossy().into_owned();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return parse_algorithms("(built-in algorithms)", DEFAULT_ALGORITHMS, diags);
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(&display, None, format!("cannot read: {e}"))
                    .hint("save it as UTF-8 text"),
            );
            String::new()
        }
    };
    let algos = parse_algorithms(
        &display,
        text.strip_prefix('\u{feff}').unwrap_or(&text),
        diags,
    );
    if algos.is_empty() {
        diags.push(
            Diagnostic::error(
                &display,
                None,
                "no usable algorithm; using the built-in presets",
            )
            .hint("fix the errors above, or delete the file to use the presets"),
        );
        return parse_algorithms("(built-in algorithms)", DEFAULT_ALGORITHMS, diags);
    }
    algos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_presets_are_valid_and_complete() {
        let mut d = Diagnostics::default();
        let algos = parse_algorithms("algorithms.toml", DEFAULT_ALGORITHMS, &mut d);
        assert_eq!(d.0, vec![]);
        let ids: Vec<&str> = algos.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "relevance",
                "keywords",
                "popular",
                "authority",
                "fresh",
                "sponsored",
                "diverse",
                "personal",
                "social",
                "engagement",
                "random"
            ]
        );
    }

    #[test]
    fn reports_unknown_signals_steps_and_duplicates_with_lines() {
        let text = r#"
[[algorithm]]
id = "a"
label = { sv = "A", en = "A" }
description = { sv = "A", en = "A" }
weights = { txt = 1.0 }

[[algorithm]]
id = "b"
label = { sv = "B", en = "B" }
description = { sv = "B", en = "B" }
weights = { text = 1.0 }
rerank = { step = "sort-by-colour" }

[[algorithm]]
id = "c"
label = { sv = "C", en = "C" }
description = { sv = "C", en = "C" }
weights = { text = 1.0 }
"#;
        let mut d = Diagnostics::default();
        let algos = parse_algorithms("algorithms.toml", text, &mut d);
        assert_eq!(algos.len(), 1);
        let msgs: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("algorithms.toml:3:") && m.contains("unknown signal `txt`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("algorithms.toml:9:") && m.contains("sort-by-colour")),
            "{msgs:?}"
        );
    }
}
