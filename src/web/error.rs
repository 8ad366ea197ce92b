//! One error type for every page: an HTML page for people (in their
//! language, every word from the catalogues), JSON for `/api`. Internal
//! details go to the log, never to the page.
//!
//! [`error_pages`] also catches what the framework answers by itself (a path
//! that is not UTF-8, a query it cannot split, a body over the limit, a
//! method the route does not take) and turns it into the same page, so no
//! visitor ever sees a plain-text English rejection.

use super::i18n::Catalogues;
use crate::engine::SearchError;
use crate::lang::Lang;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Json, Response};

/// What was wrong with a request, as a catalogue key (`bad_…`) and the
/// values its text needs. Both languages come from the catalogues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Detail {
    pub fn new(key: &'static str) -> Detail {
        Detail {
            key,
            args: Vec::new(),
        }
    }

    pub fn with(mut self, name: &'static str, value: impl ToString) -> Detail {
        self.args.push((name, value.to_string()));
        self
    }

    /// The arguments as the catalogues take them.
    pub fn args_ref(&self) -> Vec<(&str, &str)> {
        self.args.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }

    /// The value of one argument.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Catalogues::shared().text(lang, self.key, &args)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("bad request: {}", .0.key)]
    BadRequest(Detail),
    /// A form sent from another site.
    #[error("a form from another site was refused")]
    Forbidden,
    /// A leader page or action without the leader's token.
    #[error("only the workshop leader may do this")]
    NotLeader,
    /// The request clashes with what is there (a nickname taken, a room locked).
    #[error("conflict: {}", .0.key)]
    Conflict(Detail),
    #[error("the method is not allowed here")]
    MethodNotAllowed,
    #[error("the request is too large")]
    TooLarge,
    #[error("the request took too long")]
    Timeout,
    /// More requests than a person makes.
    #[error("too many requests")]
    TooManyRequests,
    /// The index is still being built; the value is the share done.
    #[error("the index is being built")]
    Indexing(f64),
    /// The corpus could not be opened at start-up. The reason is about the
    /// local corpus folder, shown so the leader can fix it; it names paths
    /// relative to the working folder, never absolute ones.
    #[error("the corpus could not be opened: {0}")]
    NoCorpus(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl WebError {
    /// A 400 with the catalogue text `key`.
    pub fn bad(key: &'static str) -> WebError {
        WebError::BadRequest(Detail::new(key))
    }
}

impl From<Detail> for WebError {
    fn from(d: Detail) -> Self {
        WebError::BadRequest(d)
    }
}

impl From<SearchError> for WebError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Index(e) => WebError::Internal(e.into()),
            SearchError::UnknownAlgorithm(a) => Detail::new("bad_unknown_algorithm")
                .with("algorithm", a)
                .into(),
            SearchError::PageTooLarge => Detail::new("bad_page_size")
                .with("n", crate::engine::MAX_PAGE_SIZE)
                .into(),
            SearchError::Columns(n) => Detail::new("bad_columns").with("n", n).into(),
        }
    }
}

/// Marks a response as one of bubbla's own error pages, so that
/// [`error_pages`] leaves it alone (or renders it again in the visitor's
/// language).
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    status: StatusCode,
    /// Catalogue key of the headline, and its detail if any.
    key: &'static str,
    detail: Option<Detail>,
    /// Values the headline needs that are not catalogue text.
    extra: Vec<(&'static str, String)>,
    refresh: bool,
    json: bool,
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Forbidden | WebError::NotLeader => StatusCode::FORBIDDEN,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Timeout => StatusCode::REQUEST_TIMEOUT,
            WebError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            WebError::Indexing(_) | WebError::NoCorpus(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn info(self, json: bool) -> ErrorInfo {
        let status = self.status();
        let (key, detail, extra) = match self {
            WebError::NotFound => ("error_not_found", None, vec![]),
            WebError::BadRequest(d) => ("error_bad_request", Some(d), vec![]),
            WebError::Forbidden => ("error_forbidden", None, vec![]),
            WebError::NotLeader => ("error_not_leader", None, vec![]),
            WebError::Conflict(d) => ("error_conflict", Some(d), vec![]),
            WebError::MethodNotAllowed => ("error_method", None, vec![]),
            WebError::TooLarge => ("error_too_large", None, vec![]),
            WebError::Timeout => ("error_timeout", None, vec![]),
            WebError::TooManyRequests => ("error_too_many", None, vec![]),
            WebError::Indexing(done) => (
                "error_indexing",
                None,
                vec![("percent", format!("{:.0}", done * 100.0))],
            ),
            WebError::NoCorpus(why) => ("error_no_corpus", None, vec![("why", redact_paths(&why))]),
            WebError::Internal(e) => {
                tracing::error!("internal error: {e:#}");
                ("error_internal", None, vec![])
            }
        };
        ErrorInfo {
            status,
            key,
            detail,
            extra,
            refresh: key == "error_indexing",
            json,
        }
    }

    /// The error as an HTML page in `ui`.
    pub fn into_page(self, ui: Lang) -> Response {
        self.info(false).render(ui)
    }

    /// The error as JSON (`/api`), in English.
    pub fn into_json_response(self) -> Response {
        self.info(true).render(Lang::En)
    }
}

impl ErrorInfo {
    /// The headline with its detail, in `lang`.
    fn message(&self, lang: Lang) -> String {
        let c = Catalogues::shared();
        let detail = self
            .detail
            .as_ref()
            .map(|d| d.text(lang))
            .unwrap_or_default();
        let mut args: Vec<(&str, &str)> = vec![("detail", detail.as_str())];
        args.extend(self.extra.iter().map(|(k, v)| (*k, v.as_str())));
        c.text(lang, self.key, &args)
    }

    fn render(&self, ui: Lang) -> Response {
        let mut res = if self.json {
            let body = serde_json::json!({ "error": {
                "status": self.status.as_u16(),
                "message": self.message(Lang::En),
                "message_sv": self.message(Lang::Sv),
            }});
            (self.status, Json(body)).into_response()
        } else {
            let other = match ui {
                Lang::Sv => Lang::En,
                Lang::En => Lang::Sv,
            };
            let html = super::templates::render_error(
                self.status.as_u16(),
                ui,
                &self.message(ui),
                &self.message(other),
                self.refresh,
            );
            (self.status, Html(html)).into_response()
        };
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("10"),
            );
        }
        res.extensions_mut().insert(self.clone());
        res
    }
}

impl IntoResponse for WebError {
    /// Swedish first; [`error_pages`] turns it to the visitor's language.
    fn into_response(self) -> Response {
        self.into_page(Lang::Sv)
    }
}

/// `text` with every absolute path cut to its last part: a page says which
/// folder is wrong (`corpus`) but never how this machine is laid out.
pub fn redact_paths(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('/') {
        let before = &rest[..i];
        let starts_path = before
            .chars()
            .last()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '(' | '='));
        if !starts_path {
            out.push_str(&rest[..=i]);
            rest = &rest[i + 1..];
            continue;
        }
        out.push_str(before);
        let path_end = rest[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | ')' | ':' | ','))
            .map_or(rest.len(), |e| i + e);
        let path = rest[i..path_end].trim_end_matches(['/', '.']);
        out.push_str(path.rsplit('/').next().unwrap_or(""));
        rest = &rest[path_end..];
    }
    out.push_str(rest);
    out
}

/// What the framework's own rejection of a request means for a person.
fn from_status(status: StatusCode) -> WebError {
    match status {
        StatusCode::NOT_FOUND => WebError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => WebError::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge,
        StatusCode::REQUEST_TIMEOUT => WebError::Timeout,
        StatusCode::TOO_MANY_REQUESTS => WebError::TooManyRequests,
        StatusCode::SERVICE_UNAVAILABLE => WebError::Indexing(0.0),
        s if s.is_server_error() => {
            WebError::Internal(anyhow::anyhow!("the framework answered {s}"))
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::UNPROCESSABLE_ENTITY => {
            WebError::bad("bad_form")
        }
        _ => WebError::bad("bad_address"),
    }
}

/// Marks a response with an error status that bubbla rendered itself (a
/// form shown again with its problem), so [`error_pages`] leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct OwnAnswer;

/// `res` as it is, whatever its status.
pub fn own_answer(mut res: Response) -> Response {
    res.extensions_mut().insert(OwnAnswer);
    res
}

/// Middleware: every error is bubbla's page, in the language of the
/// request (JSON under `/api`).
pub async fn error_pages(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let ui = super::i18n::from_headers(req.headers());
    let api = req.uri().path().starts_with("/api/") || req.uri().path() == "/api";
    let res = next.run(req).await;
    if res.extensions().get::<OwnAnswer>().is_some() {
        return res;
    }
    if let Some(info) = res.extensions().get::<ErrorInfo>() {
        // Under /api an error is JSON, whichever handler raised it.
        if api && !info.json {
            let mut info = info.clone();
            info.json = true;
            return info.render(Lang::En);
        }
        if info.json || ui == Lang::Sv {
            return res;
        }
        let info = info.clone();
        return info.render(ui);
    }
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let e = from_status(status);
    let mut out = if api {
        e.into_json_response()
    } else {
        e.into_page(ui)
    };
    // Keep what the framework said the client may do (e.g. `Allow`).
    if let Some(allow) = res.headers().get(axum::http::header::ALLOW) {
        out.headers_mut()
            .insert(axum::http::header::ALLOW, allow.clone());
    }
    out
}

/// The fallback route: a 404 page in the visitor's language.
pub async fn not_found(super::i18n::Ui(ui): super::i18n::Ui) -> Response {
    WebError::NotFound.into_page(ui)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_are_cut_to_their_last_part() {
        assert_eq!(
            redact_paths("reading corpus folder /work/x/corpus: No such file (os error 2)"),
            "reading corpus folder corpus: No such file (os error 2)"
        );
        assert_eq!(
            redact_paths("`/home/ab/c.md` and and/or 3/4"),
            "`c.md` and and/or 3/4"
        );
        assert_eq!(redact_paths("no paths"), "no paths");
    }

    #[test]
    fn every_error_has_text_in_both_languages() {
        let c = Catalogues::shared();
        let errors = [
            WebError::NotFound,
            WebError::bad("bad_address"),
            WebError::Forbidden,
            WebError::MethodNotAllowed,
            WebError::TooLarge,
            WebError::Timeout,
            WebError::TooManyRequests,
            WebError::Indexing(0.5),
            WebError::NoCorpus("x".into()),
            WebError::Internal(anyhow::anyhow!("secret detail")),
        ];
        for e in errors {
            let info = e.info(false);
            for lang in [Lang::Sv, Lang::En] {
                let m = info.message(lang);
                assert!(!m.contains("error_") && !m.contains('{'), "{lang:?}: {m}");
                assert!(!m.contains("secret"), "internals are never shown: {m}");
            }
            assert!(c.get(Lang::Sv).contains_key(info.key));
        }
        let d = Detail::new("bad_number")
            .with("key", "page")
            .with("min", 1)
            .with("max", 10)
            .with("raw", "x");
        assert_eq!(
            WebError::BadRequest(d.clone())
                .info(false)
                .message(Lang::Sv),
            "Felaktig förfrågan: `page` ska vara ett heltal från 1 till 10, inte `x`."
        );
        assert!(
            WebError::BadRequest(d)
                .info(false)
                .message(Lang::En)
                .starts_with("Bad request: `page` must be a whole number")
        );
    }
}
