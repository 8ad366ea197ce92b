//! One error type for every page: an HTML page for people (in their
//! language), JSON for `/api`. Internal details go to the log, never to the
//! page.

use super::i18n::Ui;
use crate::engine::SearchError;
use crate::lang::Lang;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Json, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    /// Refused, e.g. a form sent from another site.
    #[error("{0}")]
    Forbidden(String),
    /// The index is still being built; the value is the share done.
    #[error("the index is being built")]
    Indexing(f64),
    /// The corpus could not be opened at start-up (the reason is about the
    /// local corpus folder, shown so the leader can fix it).
    #[error("the corpus could not be opened: {0}")]
    NoCorpus(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<SearchError> for WebError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Index(e) => WebError::Internal(e.into()),
            other => WebError::BadRequest(other.to_string()),
        }
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Indexing(_) | WebError::NoCorpus(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message for people, in both languages; internals are logged.
    fn messages(&self) -> (String, String) {
        match self {
            WebError::NotFound => (
                "Sidan finns inte.".into(),
                "This page does not exist.".into(),
            ),
            WebError::BadRequest(msg) => (
                format!("Felaktig förfrågan: {msg}"),
                format!("Bad request: {msg}"),
            ),
            WebError::Forbidden(msg) => (
                format!("Nekad: {msg}. Använd formuläret på bubblas egen sida."),
                format!("Refused: {msg}. Use the form on bubbla's own page."),
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
            WebError::NoCorpus(why) => (
                format!("Korpusen kunde inte öppnas: {why}. Rätta felet och starta om bubbla."),
                format!("The corpus could not be opened: {why}. Fix it and restart bubbla."),
            ),
            WebError::Internal(e) => {
                tracing::error!("internal error: {e:#}");
                (
                    "Något gick fel hos bubbla.".into(),
                    "Something went wrong in bubbla.".into(),
                )
            }
        }
    }

    /// The error as an HTML page, in `ui` first and the other language below.
    pub fn into_page(self, ui: Lang) -> Response {
        let info = ErrorInfo::from(self);
        let mut res = info.render(ui);
        res.extensions_mut().insert(info);
        res
    }

    pub fn into_json_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            WebError::Internal(e) => {
                tracing::error!("internal error: {e:#}");
                "internal error".to_string()
            }
            WebError::Indexing(_) => "the search index is being built; try again shortly".into(),
            other => other.to_string(),
        };
        (
            status,
            Json(serde_json::json!({ "error": { "status": status.as_u16(), "message": message } })),
        )
            .into_response()
    }
}

/// What an error page says, kept on the response so that
/// [`localise_errors`] can render it again in the visitor's language.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    status: StatusCode,
    sv: String,
    en: String,
    refresh: bool,
}

impl From<WebError> for ErrorInfo {
    fn from(e: WebError) -> Self {
        let (sv, en) = e.messages();
        ErrorInfo {
            status: e.status(),
            sv,
            en,
            refresh: matches!(e, WebError::Indexing(_)),
        }
    }
}

impl ErrorInfo {
    fn render(&self, ui: Lang) -> Response {
        let (first, second) = if ui == Lang::Sv {
            (&self.sv, &self.en)
        } else {
            (&self.en, &self.sv)
        };
        let html =
            super::templates::render_error(self.status.as_u16(), ui, first, second, self.refresh);
        (self.status, Html(html)).into_response()
    }
}

impl IntoResponse for WebError {
    /// Swedish first; [`localise_errors`] turns it to the visitor's language.
    fn into_response(self) -> Response {
        self.into_page(Lang::Sv)
    }
}

/// Middleware: error pages in the language of the request.
pub async fn localise_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let ui = super::i18n::from_headers(req.headers());
    let res = next.run(req).await;
    match res.extensions().get::<ErrorInfo>() {
        Some(info) if ui != Lang::Sv => {
            let info = info.clone();
            let mut again = info.render(ui);
            again.extensions_mut().insert(info);
            again
        }
        _ => res,
    }
}

/// The fallback route: a 404 page in the visitor's language.
pub async fn not_found(Ui(ui): Ui) -> Response {
    WebError::NotFound.into_page(ui)
}
