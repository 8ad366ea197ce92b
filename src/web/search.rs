//! `/search`: one ranked list, with an algorithm picker, paging and the
//! "Why here?" explanation of every result.

use super::i18n::Ui;
use super::params::Params;
use super::views::{ResultView, algorithm_options, result_view};
use super::{AppState, WebError, blocking};
use crate::engine::SearchOptions;
use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::context;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

/// Results per page.
pub const PAGE_SIZE: usize = 10;

async fn search(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let q = params.get("q").unwrap_or("").to_string();
    let algorithm = params.text("algorithm").unwrap_or("relevance").to_string();
    let page = params.number("page", 1, 1..=1000)?;
    let lang = params.lang()?;
    let opts = SearchOptions {
        algorithm: algorithm.clone(),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
        lang,
    };
    let e = engine.clone();
    let query = q.clone();
    let results = blocking(move || Ok(e.search(&query, &opts)?)).await?;
    let views: Vec<ResultView> = results
        .results
        .iter()
        .map(|r| result_view(&engine, ui, r))
        .collect();
    let has_next = results.offset + PAGE_SIZE < results.ranked;
    let algorithm_label = engine
        .algorithm(&algorithm)
        .map(|a| a.label.get(ui).to_string());
    state.render(
        ui,
        &uri.to_string(),
        "search.html",
        context! {
            q, algorithm, algorithm_label, page, has_next,
            lang => lang.map(|l| l.code()),
            total => results.total_hits,
            ranked => results.ranked,
            results => views,
            algorithms => algorithm_options(&engine, ui),
        },
    )
}
