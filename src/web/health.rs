//! `/healthz`: is the server up, and is the index ready?

use super::{AppState, EngineState};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Json};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// Always 200 while the process serves; the body tells the index state.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let guard = state.engine.read().unwrap_or_else(|p| p.into_inner());
    let body = match &*guard {
        EngineState::Ready(e) => serde_json::json!({
            "status": "ok",
            "index": "ready",
            "documents": e.corpus.docs.len(),
            "corpus_errors": e.diagnostics.errors(),
        }),
        EngineState::Building => serde_json::json!({
            "status": "ok",
            "index": "building",
            "progress": state.progress.fraction(),
        }),
        EngineState::Failed(msg) => {
            serde_json::json!({ "status": "ok", "index": "failed", "error": msg })
        }
    };
    Json(body)
}
