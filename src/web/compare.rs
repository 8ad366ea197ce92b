//! `/compare`: 2 to 4 algorithms in columns over the same query, with the
//! overlap and diversity metrics above them.

use super::i18n::Ui;
use super::params::Params;
use super::views::{
    AlgorithmOption, PerspectiveView, ResultView, algorithm_options, fmt3, perspective, result_view,
};
use super::{AppState, WebError, blocking};
use crate::compare::Shift;
use crate::comparison::{Comparison, compare};
use crate::engine::Engine;
use crate::lang::Lang;
use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::context;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/compare", get(page))
}

/// Columns shown when the page is opened without choosing.
pub const DEFAULT_COLUMNS: [&str; 3] = ["relevance", "popular", "diverse"];

#[derive(Serialize)]
struct ItemView {
    result: ResultView,
    shift_symbol: String,
    shift_text: String,
    /// "rank 3 in Popular", for every other column.
    elsewhere: Vec<String>,
}

#[derive(Serialize)]
struct MixView {
    perspective: PerspectiveView,
    count: usize,
    percent: f64,
}

#[derive(Serialize)]
struct ColumnView {
    algorithm: AlgorithmOption,
    jaccard: String,
    rbo: String,
    entropy: String,
    mix: Vec<MixView>,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
struct PairView {
    a: String,
    b: String,
    jaccard: String,
    rbo: String,
}

fn columns(
    engine: &Engine,
    ui: Lang,
    t: &super::i18n::Catalogues,
    cmp: &Comparison,
) -> (Vec<ColumnView>, Vec<PairView>) {
    let label = |id: &str| {
        engine
            .algorithm(id)
            .map_or_else(|| id.to_string(), |a| a.label.get(ui).to_string())
    };
    let first_label = cmp
        .columns
        .first()
        .map(|c| label(&c.algorithm))
        .unwrap_or_default();
    let cols = cmp
        .columns
        .iter()
        .enumerate()
        .map(|(ci, col)| {
            let algo = engine
                .algorithm(&col.algorithm)
                .map(|a| super::views::algorithm_option(a, ui));
            let items = col
                .results
                .iter()
                .zip(&col.shifts)
                .map(|(r, shift)| {
                    let (symbol, text) = match (ci, shift) {
                        (0, _) => (String::new(), String::new()),
                        (_, Shift::Up(n)) => (
                            format!("↑{n}"),
                            t.text(ui, "shift_up", &[("n", &n.to_string())]),
                        ),
                        (_, Shift::Down(n)) => (
                            format!("↓{n}"),
                            t.text(ui, "shift_down", &[("n", &n.to_string())]),
                        ),
                        (_, Shift::New) => ("★".into(), t.text(ui, "shift_new", &[])),
                        (_, Shift::Same | Shift::Gone) => {
                            ("=".into(), t.text(ui, "shift_same", &[]))
                        }
                    };
                    let text = if text.is_empty() {
                        text
                    } else {
                        format!(
                            "{text} {}",
                            t.text(ui, "shift_vs", &[("algorithm", &first_label)])
                        )
                    };
                    let elsewhere = cmp
                        .columns
                        .iter()
                        .enumerate()
                        .filter(|(cj, _)| *cj != ci)
                        .map(|(_, other)| {
                            let name = label(&other.algorithm);
                            match other.results.iter().find(|o| o.id == r.id) {
                                Some(o) => t.text(
                                    ui,
                                    "rank_in",
                                    &[("rank", &o.rank.to_string()), ("algorithm", &name)],
                                ),
                                None => t.text(ui, "not_in", &[("algorithm", &name)]),
                            }
                        })
                        .collect();
                    ItemView {
                        result: result_view(engine, ui, r),
                        shift_symbol: symbol,
                        shift_text: text,
                        elsewhere,
                    }
                })
                .collect();
            let shown: usize = col.perspective_mix.iter().map(|(_, n)| n).sum();
            let theme_of = |p: &str| {
                col.results
                    .iter()
                    .find(|r| r.perspective == p)
                    .map(|r| r.theme.clone())
                    .unwrap_or_default()
            };
            ColumnView {
                algorithm: algo.unwrap_or(AlgorithmOption {
                    id: col.algorithm.clone(),
                    label: col.algorithm.clone(),
                    description: String::new(),
                }),
                jaccard: format!("{:.2}", col.jaccard10),
                rbo: format!("{:.2}", col.rbo),
                entropy: format!("{:.2}", col.entropy),
                mix: col
                    .perspective_mix
                    .iter()
                    .map(|(p, n)| MixView {
                        perspective: perspective(&engine.corpus, ui, &theme_of(p), p),
                        count: *n,
                        percent: 100.0 * *n as f64 / shown.max(1) as f64,
                    })
                    .collect(),
                items,
            }
        })
        .collect();
    let pairs = cmp
        .pairs
        .iter()
        .map(|p| PairView {
            a: label(&p.a),
            b: label(&p.b),
            jaccard: fmt3(p.jaccard10),
            rbo: fmt3(p.rbo),
        })
        .collect();
    (cols, pairs)
}

async fn page(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let q = params.get("q").unwrap_or("").to_string();
    let mut chosen = params.algorithms();
    if chosen.is_empty() {
        chosen = DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect();
    }
    let k = params.number("k", 10, 1..=20)?;
    let lang = params.lang()?;
    let (cols, pairs, total) = if q.trim().is_empty() {
        (Vec::new(), Vec::new(), 0)
    } else {
        let (e, query, algos) = (engine.clone(), q.clone(), chosen.clone());
        let cmp = blocking(move || Ok(compare(&e, &query, &algos, k, lang)?)).await?;
        let (cols, pairs) = columns(&engine, ui, &state.i18n, &cmp);
        (cols, pairs, cmp.total_hits)
    };
    let mut slots: Vec<Option<String>> = chosen.iter().cloned().map(Some).collect();
    slots.resize(4, None);
    state.render(
        ui,
        &uri.to_string(),
        "compare.html",
        context! {
            q, k, total, columns => cols, pairs, slots,
            algorithms => algorithm_options(&engine, ui),
        },
    )
}
