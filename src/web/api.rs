//! The JSON API: the same content as the pages, for scripts and tests.
//! Documented in docs/api.md. Errors are JSON too.

use super::params::Params;
use super::{AppState, WebError, blocking};
use crate::comparison::compare;
use crate::engine::{MAX_PAGE_SIZE, SearchOptions};
use crate::rank::algorithm::AlgorithmView;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;

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

async fn search(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let engine = state.engine()?;
    let q = params.get("q").unwrap_or("").to_string();
    let k = params.number("k", 10, 1..=MAX_PAGE_SIZE)?;
    let page = params.number("page", 1, 1..=1000)?;
    let opts = SearchOptions {
        algorithm: params.text("algorithm").unwrap_or("relevance").to_string(),
        offset: (page - 1) * k,
        limit: k,
        lang: params.lang()?,
    };
    let results = blocking(move || Ok(engine.search(&q, &opts)?)).await?;
    Ok(Json(results).into_response())
}

async fn compare_api(State(state): State<AppState>, params: Params) -> Result<Response, ApiError> {
    let engine = state.engine()?;
    let q = params.get("q").unwrap_or("").to_string();
    let k = params.number("k", 10, 1..=MAX_PAGE_SIZE)?;
    let lang = params.lang()?;
    let algos = params.algorithms();
    let cmp = blocking(move || Ok(compare(&engine, &q, &algos, k, lang)?)).await?;
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
