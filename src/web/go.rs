//! `/go/{id}?q=…&rank=…&viewer=…&algorithm=…`: a click on a result. As on
//! real search engines, the click passes through the search service, which
//! records it and then opens the document. Only documents of the corpus are
//! redirected to (no open redirect); incognito clicks are not recorded.

use super::params::Params;
use super::search::PAGE_SIZE;
use super::visitor;
use super::{AppState, WebError, blocking};
use crate::store::NewClick;
use crate::viewer::Viewer;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/go/{id}", get(go))
}

async fn go(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let Some(doc) = engine.corpus.get(&id) else {
        return Err(WebError::NotFound);
    };
    let doc_id = doc.id.clone();
    let q = params.get("q").unwrap_or("").to_string();
    let rank = params.number("rank", 0, 0..=100 * PAGE_SIZE)?;
    let algorithm = params.text("algorithm").unwrap_or("relevance").to_string();
    if engine.algorithm(&algorithm).is_none() {
        return Err(WebError::BadRequest(format!(
            "unknown algorithm `{algorithm}`"
        )));
    }
    let viewer = visitor::parse_viewer(&engine, params.text("viewer"))?;
    let mut target = format!("/doc/{}", encode_segment(&doc_id));
    if !q.is_empty() {
        target.push_str("?q=");
        target.push_str(&encode_segment(&q));
    }
    let st = state.clone();
    let cookie = blocking(move || {
        if viewer == Viewer::Incognito || !st.store.recording() {
            return Ok(None);
        }
        let lookup = visitor::lookup(&headers, &st.store);
        let Some((session, cookie)) = visitor::ensure_session(lookup, &st) else {
            return Ok(None);
        };
        let click = NewClick {
            doc: &doc_id,
            rank: rank as u32,
            query: &q,
            algorithm: &algorithm,
            viewer: viewer.id(),
        };
        match st.store.record_click(&session, &click) {
            Ok(_) => Ok(Some(cookie)),
            Err(e) => {
                tracing::warn!("click not recorded: {e:#}");
                Ok(None)
            }
        }
    })
    .await?;
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
    if let Some(c) = cookie {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(res)
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so a
/// value is safe in a path segment or a query.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(encode_segment("vargjakt-2024"), "vargjakt-2024");
        assert_eq!(encode_segment("å ä/ö?"), "%C3%A5%20%C3%A4%2F%C3%B6%3F");
        assert_eq!(encode_segment("//evil.example"), "%2F%2Fevil.example");
    }
}
