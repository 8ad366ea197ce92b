//! The start page and the (plain, text-relevance) result list.

use super::{AppState, WebError};
use crate::engine::SearchOptions;
use crate::lang::Lang;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::context;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
}

#[derive(Serialize)]
struct ThemeView {
    label_sv: String,
    label_en: String,
    queries: Vec<String>,
}

async fn home(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let themes: Vec<ThemeView> = engine
        .corpus
        .themes
        .iter()
        .map(|t| ThemeView {
            label_sv: t.label.sv.clone(),
            label_en: t.label.en.clone(),
            queries: t.queries.sv.iter().chain(&t.queries.en).cloned().collect(),
        })
        .collect();
    let html = state
        .templates
        .get_template("home.html")
        .and_then(|t| t.render(context! { themes, documents => engine.corpus.docs.len() }))
        .map_err(|e| WebError::Internal(e.into()))?;
    Ok(Html(html))
}

#[derive(Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    lang: Option<String>,
}

#[derive(Serialize)]
struct ResultView {
    rank: usize,
    id: String,
    title: String,
    lang: Lang,
    theme: String,
    perspective: String,
    score: String,
    snippet_html: String,
}

async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let lang = params.lang.as_deref().and_then(Lang::parse);
    let q = params.q.clone();
    let results =
        tokio::task::spawn_blocking(move || engine.search(&q, &SearchOptions { limit: 20, lang }))
            .await
            .map_err(|e| WebError::Internal(e.into()))??;
    let views: Vec<ResultView> = results
        .results
        .iter()
        .map(|r| ResultView {
            rank: r.rank,
            id: r.id.clone(),
            title: r.title.clone(),
            lang: r.lang,
            theme: r.theme.clone(),
            perspective: r.perspective.clone(),
            score: format!("{:.2}", r.score),
            snippet_html: r.snippet_parts.to_html(),
        })
        .collect();
    let html = state
        .templates
        .get_template("search.html")
        .and_then(|t| {
            t.render(context! { q => params.q, total => results.total_hits, results => views })
        })
        .map_err(|e| WebError::Internal(e.into()))?;
    Ok(Html(html))
}
