//! What templates see: engine results turned into plain, display-ready
//! structs in the interface language. Numbers are formatted here, once.

use crate::corpus::Corpus;
use crate::engine::{Engine, SearchResult, Who};
use crate::lang::Lang;
use crate::rank::algorithm::AlgorithmView;
use crate::rank::{Algorithm, describe_move, signals::signal};
use serde::Serialize;

/// A perspective as shown: its label (always) and its colour (never alone).
#[derive(Debug, Clone, Serialize)]
pub struct PerspectiveView {
    pub id: String,
    pub label: String,
    pub colour: String,
}

pub fn perspective(corpus: &Corpus, ui: Lang, theme: &str, perspective: &str) -> PerspectiveView {
    let (label, colour) = corpus.perspective_look(ui, theme, perspective);
    PerspectiveView {
        id: perspective.to_string(),
        label,
        colour,
    }
}

pub fn theme_label(corpus: &Corpus, ui: Lang, theme: &str) -> String {
    corpus
        .theme(theme)
        .map_or_else(|| theme.to_string(), |t| t.label.get(ui).to_string())
}

/// One perspective's share of a top list ("Perspectives in the top 10").
#[derive(Debug, Clone, Serialize)]
pub struct MixView {
    pub perspective: PerspectiveView,
    pub count: usize,
    /// Share of the list, 0–100, and where its bar segment starts.
    pub percent: f64,
    pub offset: f64,
}

/// The counts of [`crate::compare::perspective_mix`] over `results` (the
/// very list shown), ready for the bar and the counts.
pub fn mix_views(
    corpus: &Corpus,
    ui: Lang,
    mix: &[(String, usize)],
    results: &[SearchResult],
) -> Vec<MixView> {
    let shown: usize = mix.iter().map(|(_, n)| n).sum();
    let mut offset = 0.0;
    mix.iter()
        .map(|(p, n)| {
            let theme = results
                .iter()
                .find(|r| &r.perspective == p)
                .map_or("", |r| r.theme.as_str());
            let percent = 100.0 * *n as f64 / shown.max(1) as f64;
            let view = MixView {
                perspective: perspective(corpus, ui, theme, p),
                count: *n,
                percent: (percent * 100.0).round() / 100.0,
                offset: (offset * 100.0_f64).round() / 100.0,
            };
            offset += percent;
            view
        })
        .collect()
}

/// One row of the "Why here?" table.
#[derive(Debug, Clone, Serialize)]
pub struct SignalRow {
    pub id: String,
    pub label: String,
    pub description: String,
    pub raw: String,
    pub normalised: String,
    pub weight: String,
    /// Rounded to three decimals; `score` is the sum of these.
    pub contribution: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResultView {
    pub rank: usize,
    pub id: String,
    pub title: String,
    pub source: String,
    pub lang: String,
    pub theme: String,
    pub perspective: PerspectiveView,
    pub sponsored: bool,
    pub sponsored_slot: bool,
    /// The sum of the shown contributions.
    pub score: String,
    pub snippet_html: String,
    pub rows: Vec<SignalRow>,
    pub moved: Option<String>,
    /// The recorded events behind personal and social values, in words.
    pub reasons: Vec<String>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Formats a number with three decimals, without a negative zero.
pub fn fmt3(x: f64) -> String {
    let r = round3(x);
    format!("{:.3}", if r == 0.0 { 0.0 } else { r })
}

/// The score a result shows: the sum of the shown (rounded) contributions,
/// so that the table always adds up on screen; the ranking used the exact
/// values.
pub fn shown_score(r: &SearchResult) -> String {
    fmt3(
        r.explanation
            .signals
            .iter()
            .map(|s| round3(s.contribution))
            .sum(),
    )
}

pub fn result_view(engine: &Engine, ui: Lang, r: &SearchResult, who: Who<'_>) -> ResultView {
    let rows: Vec<SignalRow> = r
        .explanation
        .signals
        .iter()
        .map(|s| {
            let sig = signal(s.signal);
            let label = sig.map_or(s.signal, |g| g.label().get(ui));
            let description = sig.map_or("", |g| g.description().get(ui));
            SignalRow {
                id: s.signal.to_string(),
                label: label.to_string(),
                description: description.to_string(),
                raw: fmt3(s.raw),
                normalised: fmt3(s.normalised),
                weight: format!("{}", s.weight),
                contribution: fmt3(s.contribution),
            }
        })
        .collect();
    let moved = r.explanation.moved.as_ref().map(|m| {
        let (sv, en) = describe_move(m, r.rank);
        if ui == Lang::Sv { sv } else { en }
    });
    ResultView {
        rank: r.rank,
        id: r.id.clone(),
        title: r.title.clone(),
        source: r.source.clone(),
        lang: r.lang.code().to_string(),
        theme: theme_label(&engine.corpus, ui, &r.theme),
        perspective: perspective(&engine.corpus, ui, &r.theme, &r.perspective),
        sponsored: r.sponsored,
        sponsored_slot: r.sponsored_slot,
        score: shown_score(r),
        snippet_html: r.snippet_parts.to_html(),
        rows,
        moved,
        reasons: r
            .explanation
            .reasons
            .iter()
            .map(|x| x.describe(&engine.corpus, ui, who))
            .collect(),
    }
}

/// An algorithm in a picker.
#[derive(Debug, Clone, Serialize)]
pub struct AlgorithmOption {
    pub id: String,
    pub label: String,
    pub description: String,
}

pub fn algorithm_options(engine: &Engine, ui: Lang) -> Vec<AlgorithmOption> {
    engine
        .algorithms
        .iter()
        .map(|a| algorithm_option(a, ui))
        .collect()
}

pub fn algorithm_option(a: &Algorithm, ui: Lang) -> AlgorithmOption {
    AlgorithmOption {
        id: a.id.clone(),
        label: a.label.get(ui).to_string(),
        description: a.description.get(ui).to_string(),
    }
}

/// An algorithm on `/algorithms`.
#[derive(Debug, Clone, Serialize)]
pub struct AlgorithmCard {
    pub id: String,
    pub label: String,
    pub description: String,
    pub weights: Vec<(String, String)>,
    pub rerank: Option<String>,
}

pub fn algorithm_card(a: &Algorithm, ui: Lang) -> AlgorithmCard {
    let v = AlgorithmView::from(a);
    AlgorithmCard {
        id: v.id,
        label: v.label.get(ui).to_string(),
        description: v.description.get(ui).to_string(),
        weights: a
            .weights
            .iter()
            .map(|(s, w)| {
                let label = signal(s).map_or(*s, |g| g.label().get(ui));
                (label.to_string(), format!("{w}"))
            })
            .collect(),
        rerank: v.rerank.map(|r| r.description.get(ui).to_string()),
    }
}
