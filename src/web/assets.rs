//! Static files, compiled into the binary: nothing is loaded from outside
//! the machine.

use super::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const CSS: &str = include_str!("../../templates/static/bubbla.css");
const JS: &str = include_str!("../../templates/static/bubbla.js");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/static/bubbla.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/bubbla.js",
            get(|| async { asset("text/javascript; charset=utf-8", JS) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}
