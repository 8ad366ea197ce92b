//! `/compare`: 2 to 4 columns over the same query — algorithms, viewers
//! ("search as…"), or both — with the overlap and diversity metrics above
//! them. Comparing records nothing; clicks from here go through `/go`.

use super::i18n::Ui;
use super::params::Params;
use super::views::{
    AlgorithmOption, MixView, ResultView, algorithm_options, fmt3, mix_views, result_view,
};
use super::visitor;
use super::{AppState, WebError, blocking};
use crate::compare::Shift;
use crate::comparison::{ColumnSpec, Comparison, compare_columns, pair_up};
use crate::engine::{ClickCounts, Engine, Who};
use crate::lang::Lang;
use crate::viewer::{Audience, Viewer};
use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::Html;
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use std::sync::Arc;

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
struct ColumnView {
    /// The heading: the algorithm, and the viewer when columns differ by viewer.
    title: String,
    viewer: String,
    viewer_label: String,
    algorithm: AlgorithmOption,
    jaccard: String,
    rbo: String,
    entropy: String,
    mix: Vec<MixView>,
    items: Vec<ItemView>,
}

#[derive(Serialize)]
struct PairView {
    /// The two columns' numbers, from 1 (`data-pair="1-2"`).
    i: usize,
    j: usize,
    a: String,
    b: String,
    jaccard: String,
    rbo: String,
}

fn columns(
    engine: &Engine,
    state: &AppState,
    ui: Lang,
    cmp: &Comparison,
    audiences: &[Arc<Audience>],
) -> (Vec<ColumnView>, Vec<PairView>) {
    let t = &state.i18n;
    let algo_label = |id: &str| {
        engine
            .algorithm(id)
            .map_or_else(|| id.to_string(), |a| a.label.get(ui).to_string())
    };
    let viewer_labels: Vec<String> = audiences
        .iter()
        .map(|a| visitor::viewer_label(state, ui, a))
        .collect();
    let viewers_differ = audiences.windows(2).any(|w| w[0].viewer != w[1].viewer);
    let titles: Vec<String> = cmp
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let a = algo_label(&c.algorithm);
            match viewer_labels.get(i) {
                Some(v) if viewers_differ => format!("{a} · {v}"),
                _ => a,
            }
        })
        .collect();
    let label = |i: usize| titles.get(i).cloned().unwrap_or_default();
    let first_label = label(0);
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
                        .map(|(cj, other)| {
                            let name = label(cj);
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
                    let who = match audiences.get(ci).map(|a| (&a.viewer, &a.name)) {
                        Some((Viewer::Persona(_), Some(name))) => Who::Named(name),
                        _ => Who::You,
                    };
                    ItemView {
                        result: result_view(engine, ui, r, who),
                        shift_symbol: symbol,
                        shift_text: text,
                        elsewhere,
                    }
                })
                .collect();
            ColumnView {
                title: label(ci),
                viewer: col.viewer.clone().unwrap_or_else(|| "me".into()),
                viewer_label: viewer_labels.get(ci).cloned().unwrap_or_default(),
                algorithm: algo.unwrap_or(AlgorithmOption {
                    id: col.algorithm.clone(),
                    label: col.algorithm.clone(),
                    description: String::new(),
                }),
                jaccard: format!("{:.2}", col.jaccard10),
                rbo: format!("{:.2}", col.rbo),
                entropy: format!("{:.2}", col.entropy),
                mix: mix_views(&engine.corpus, ui, &col.perspective_mix, &col.results),
                items,
            }
        })
        .collect();
    let pairs = cmp
        .pairs
        .iter()
        .map(|p| PairView {
            i: p.columns.0 + 1,
            j: p.columns.1 + 1,
            a: label(p.columns.0),
            b: label(p.columns.1),
            jaccard: fmt3(p.jaccard10),
            rbo: fmt3(p.rbo),
        })
        .collect();
    (cols, pairs)
}

/// The columns asked for: (algorithm, viewer) pairs, checked.
pub(super) fn column_specs(
    engine: &Engine,
    params: &Params,
) -> Result<Vec<(String, String)>, WebError> {
    let default_viewer = visitor::parse_viewer(engine, params.text("viewer"))?;
    let mut slots = params.slots();
    for v in slots.iter().filter_map(|(_, v)| v.as_deref()) {
        visitor::parse_viewer(engine, Some(v))?;
    }
    if slots.is_empty() {
        slots = DEFAULT_COLUMNS
            .iter()
            .map(|s| (Some(s.to_string()), None))
            .collect();
    } else if slots[0].0.is_none() {
        // Viewers without an algorithm: compare what each is shown "for them".
        slots[0].0 = Some("personal".into());
    }
    Ok(pair_up(&slots, default_viewer.id()))
}

/// Ranks the columns for the viewers (reading the session's events).
pub(super) async fn run(
    state: AppState,
    engine: Arc<Engine>,
    headers: HeaderMap,
    query: String,
    spec: Vec<(String, String)>,
    k: usize,
    lang: Option<Lang>,
) -> Result<(Comparison, Vec<Arc<Audience>>), WebError> {
    blocking(move || {
        let session = visitor::session(&headers, &state.store);
        let audiences: Vec<Arc<Audience>> = spec
            .iter()
            .map(|(_, v)| visitor::audience(&engine, &state, &Viewer::parse(v), session.as_ref()))
            .collect();
        let specs: Vec<ColumnSpec> = spec
            .iter()
            .zip(&audiences)
            .map(|((a, _), aud)| ColumnSpec {
                algorithm: a.clone(),
                audience: Some(aud.clone()),
            })
            .collect();
        let clicks: &dyn ClickCounts = state.store.as_ref();
        let cmp = compare_columns(&engine, &query, &specs, k, lang, Some(clicks))?;
        Ok((cmp, audiences))
    })
    .await
}

/// A column slot of the form.
#[derive(Serialize)]
struct Slot {
    algorithm: Option<String>,
    viewer: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    params: Params,
) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let q = params.get("q").unwrap_or("").to_string();
    let cols_spec = column_specs(&engine, &params)?;
    let k = params.number("k", 10, 1..=20)?;
    let lang = params.lang()?;
    let (cols, pairs, total) = if q.trim().is_empty() {
        (Vec::new(), Vec::new(), 0)
    } else {
        let (cmp, audiences) = run(
            state.clone(),
            engine.clone(),
            headers,
            q.clone(),
            cols_spec.clone(),
            k,
            lang,
        )
        .await?;
        let (cols, pairs) = columns(&engine, &state, ui, &cmp, &audiences);
        (cols, pairs, cmp.total_hits)
    };
    let mut slots: Vec<Slot> = cols_spec
        .iter()
        .map(|(a, v)| Slot {
            algorithm: Some(a.clone()),
            viewer: Some(v.clone()),
        })
        .collect();
    while slots.len() < 4 {
        slots.push(Slot {
            algorithm: None,
            viewer: None,
        });
    }
    slots.truncate(4);
    state.render(
        ui,
        &uri.to_string(),
        "compare.html",
        context! {
            q, k, total, columns => cols, pairs, slots,
            algorithms => algorithm_options(&engine, ui),
            viewers => visitor::viewer_options(&state, &engine, ui, None),
        },
    )
}
