//! The JSON API: the same content as the pages, for scripts and tests.
//! Documented in docs/api.md. Errors are JSON too.

use super::params::Params;
use super::visitor;
use super::{AppState, WebError, blocking};
use crate::engine::{ClickCounts, MAX_PAGE_SIZE, SearchOptions};
use crate::rank::algorithm::AlgorithmView;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(search))
        .route("/api/compare", get(compare_api))
        .route("/api/algorithms", get(algorithms))
        .route(
            "/api/{*rest}",
            get(|| async { ApiError(WebError::NotFound) }),
        )
}

/// A [`WebError`] rendered as JSON: `{"error": {"status": 400, "message": "…"}}`.
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_json_response()
    }
}

/// Searches as `viewer` (`me` = the session in the cookie, `incognito`, or
/// a persona id). The API records nothing: recording happens on the pages.
async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let engine = state.engine()?;
    let q = params.get("q").unwrap_or("").to_string();
    let k = params.number("k", 10, 1..=MAX_PAGE_SIZE)?;
    let page = params.number("page", 1, 1..=1000)?;
    let viewer = visitor::parse_viewer(&engine, params.text("viewer"))?;
    let algorithm = params.text("algorithm").unwrap_or("relevance").to_string();
    let lang = params.lang()?;
    let st = state.clone();
    let results = blocking(move || {
        let session = visitor::session(&headers, &st.store);
        let opts = SearchOptions {
            algorithm,
            offset: (page - 1) * k,
            limit: k,
            lang,
            audience: Some(visitor::audience(&engine, &st, &viewer, session.as_ref())),
            clicks: Some(st.store.clone() as Arc<dyn ClickCounts>),
        };
        Ok(engine.search(&q, &opts)?)
    })
    .await?;
    Ok(Json(results).into_response())
}

/// Columns as on `/compare`: `a`–`d` algorithms, `va`–`vd` viewers.
async fn compare_api(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, ApiError> {
    let engine = state.engine()?;
    let q = params.get("q").unwrap_or("").to_string();
    let k = params.number("k", 10, 1..=MAX_PAGE_SIZE)?;
    let lang = params.lang()?;
    if params.slots().is_empty() {
        return Err(ApiError(WebError::bad("bad_api_columns")));
    }
    let spec = super::compare::column_specs(&engine, &params)?;
    let (cmp, _) = super::compare::run(state, engine, headers, q, spec, k, lang).await?;
    Ok(Json(cmp).into_response())
}

async fn algorithms(State(state): State<AppState>) -> Result<Response, ApiError> {
    let engine = state.engine()?;
    let algorithms: Vec<AlgorithmView> =
        engine.algorithms.iter().map(AlgorithmView::from).collect();
    let signals: Vec<serde_json::Value> = crate::rank::SIGNALS
        .iter()
        .map(|s| serde_json::json!({ "id": s.id(), "label": s.label(), "description": s.description() }))
        .collect();
    Ok(Json(serde_json::json!({ "algorithms": algorithms, "signals": signals })).into_response())
}
