//! `/`: the search box, the themes with their suggested queries, and one
//! paragraph on what bubbla shows.

use super::i18n::Ui;
use super::views::{algorithm_options, perspective};
use super::{AppState, WebError};
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use minijinja::context;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Serialize)]
struct ThemeView {
    label: String,
    queries: Vec<String>,
    perspectives: Vec<super::views::PerspectiveView>,
}

async fn home(State(state): State<AppState>, Ui(ui): Ui) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let themes: Vec<ThemeView> = engine
        .corpus
        .themes
        .iter()
        .map(|t| ThemeView {
            label: t.label.get(ui).to_string(),
            queries: t.queries.get(ui).to_vec(),
            perspectives: t
                .perspectives
                .iter()
                .map(|p| perspective(&engine.corpus, ui, &t.id, &p.id))
                .collect(),
        })
        .collect();
    state.render(
        ui,
        "/",
        "home.html",
        context! {
            themes,
            algorithms => algorithm_options(&engine, ui),
            viewers => super::visitor::viewer_options(&state, &engine, ui, None),
            documents => engine.corpus.docs.len(),
        },
    )
}
