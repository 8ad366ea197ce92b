//! One error type for every page: an HTML page for people, JSON for `/api`
//! and `/healthz`. Internal details go to the log, never to the page.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// The index is still being built; the value is the share done.
    #[error("the index is being built")]
    Indexing(f64),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Indexing(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (sv, en) = match &self {
            WebError::NotFound => (
                "Sidan finns inte.".to_string(),
                "This page does not exist.".to_string(),
            ),
            WebError::BadRequest(msg) => (
                format!("Felaktig förfrågan: {msg}"),
                format!("Bad request: {msg}"),
            ),
            WebError::Indexing(done) => (
                format!(
                    "Sökindexet byggs ({:.0} %). Sidan laddas om av sig själv.",
                    done * 100.0
                ),
                format!(
                    "The search index is being built ({:.0} %). This page reloads by itself.",
                    done * 100.0
                ),
            ),
            WebError::Internal(e) => {
                tracing::error!("internal error: {e:#}");
                (
                    "Något gick fel hos bubbla.".to_string(),
                    "Something went wrong in bubbla.".to_string(),
                )
            }
        };
        let refresh = matches!(self, WebError::Indexing(_));
        let html = super::templates::render_error(status.as_u16(), &sv, &en, refresh);
        (status, Html(html)).into_response()
    }
}
