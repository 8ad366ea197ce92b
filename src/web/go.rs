//! `/go/{id}?q=…&rank=…&viewer=…&algorithm=…`: a click on a result. As on
//! real search engines, the click passes through the search service, which
//! records it and then opens the document. Only documents of the corpus are
//! redirected to (no open redirect); incognito clicks are not recorded.
//!
//! A click is recorded only for a session the browser already has (its
//! first search made it) and only when it comes from bubbla's own pages: a
//! `/go` without a known session, from another site, or as `HEAD` opens
//! the document and writes nothing. Clicks are rate-limited per session and
//! address, and each session counts once per document towards popularity.

use super::limits::Peer;
use super::params::Params;
use super::search::PAGE_SIZE;
use super::visitor;
use super::{AppState, WebError, blocking};
use crate::store::{NewClick, SessionId};
use crate::viewer::Viewer;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/go/{id}", get(go))
}

async fn go(
    State(state): State<AppState>,
    Path(id): Path<String>,
    method: Method,
    peer: Peer,
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
    let room = params.text("room").map(str::to_string);
    let own = visitor::own_navigation(&method, &headers) && state.store.recording();
    if let Some(code) = room {
        return room_click(state, peer, headers, doc_id, q, rank, code, own).await;
    }
    let algorithm = params.text("algorithm").unwrap_or("relevance").to_string();
    if engine.algorithm(&algorithm).is_none() {
        return Err(super::error::Detail::new("bad_unknown_algorithm")
            .with("algorithm", &algorithm)
            .into());
    }
    let viewer = visitor::parse_viewer(&engine, params.text("viewer"))?;
    let target = doc_address(&doc_id, &q, &algorithm, &viewer, params.get("back"));
    let record = viewer != Viewer::Incognito && own;
    let st = state.clone();
    let cookie = blocking(move || {
        if !record {
            return Ok(None);
        }
        // Only a session the browser kept: a click never makes one.
        let visitor::Lookup::Known(session) = visitor::lookup(&headers, &st.store) else {
            st.limits.write(None, peer)?;
            return Ok(None);
        };
        st.limits.write(Some(&session), peer)?;
        let click = NewClick {
            doc: &doc_id,
            rank: rank as u32,
            query: &q,
            algorithm: &algorithm,
            viewer: viewer.id(),
            room: None,
        };
        Ok(commit(&st, &session, &click))
    })
    .await?;
    Ok(redirect(target, cookie))
}

/// Records the click; the cookie to renew when it was committed.
fn commit(st: &AppState, session: &SessionId, click: &NewClick<'_>) -> Option<HeaderValue> {
    match st.store.record_click(session, click) {
        Ok(_) => Some(visitor::set_cookie(
            session,
            st.settings.retention.as_secs(),
        )),
        Err(e) => {
            tracing::warn!("click not recorded: {e:#}");
            None
        }
    }
}

/// The redirect to the document. `bubbla-recorded: 1` says the click was
/// committed (what load tests count as acknowledged).
fn redirect(target: String, committed: Option<HeaderValue>) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
    if let Some(c) = committed {
        res.headers_mut().insert(header::SET_COOKIE, c);
        res.headers_mut()
            .insert("bubbla-recorded", HeaderValue::from_static("1"));
    }
    res
}

/// A click in a workshop room: the participant's seat decides the
/// algorithm and viewer recorded (the link does not carry them, so blind
/// mode stays blind). A click from someone not seated in that room opens
/// the document and records nothing.
#[allow(clippy::too_many_arguments)]
async fn room_click(
    state: AppState,
    peer: Peer,
    headers: HeaderMap,
    doc_id: String,
    q: String,
    rank: usize,
    code: String,
    own: bool,
) -> Result<Response, WebError> {
    let st = state.clone();
    let (target, cookie) = blocking(move || {
        let session = visitor::session(&headers, &st.store);
        let Ok((room, p)) = st.workshop.seat_in(&code, session.as_ref()) else {
            return Ok((
                doc_address(&doc_id, "", "relevance", &Viewer::Me, None),
                None,
            ));
        };
        let plan = st.workshop.plan(&room, &p);
        let back = format!("/rooms/{}", room.code);
        // The document page links back to the room, not to a ranking that
        // names the algorithm.
        let target = doc_address(&doc_id, "", "relevance", &Viewer::Me, Some(&back));
        if !own || plan.viewer == Viewer::Incognito {
            return Ok((target, None));
        }
        st.limits.write(Some(&p.session), peer)?;
        let click = NewClick {
            doc: &doc_id,
            rank: rank as u32,
            query: &q,
            algorithm: &plan.algorithm,
            viewer: plan.viewer.id(),
            room: Some(&room.code),
        };
        Ok((target, commit(&st, &p.session, &click)))
    })
    .await?;
    Ok(redirect(target, cookie))
}

/// `/doc/{id}` with what it needs to link back to the results: the query,
/// algorithm and viewer, and the page the click came from when that is a
/// path on this site.
fn doc_address(id: &str, q: &str, algorithm: &str, viewer: &Viewer, back: Option<&str>) -> String {
    let mut target = format!("/doc/{}", encode_segment(id));
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if !q.is_empty() {
        pairs.push(("q", q));
        pairs.push(("algorithm", algorithm));
        pairs.push(("viewer", viewer.id()));
    }
    if let Some(b) = back.and_then(super::redirect::local_path) {
        pairs.push(("back", b));
    }
    for (i, (k, v)) in pairs.iter().enumerate() {
        target.push(if i == 0 { '?' } else { '&' });
        target.push_str(k);
        target.push('=');
        target.push_str(&encode_segment(v));
    }
    target
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

    #[test]
    fn the_document_address_keeps_the_way_back() {
        assert_eq!(
            doc_address("a", "", "relevance", &Viewer::Me, None),
            "/doc/a"
        );
        assert_eq!(
            doc_address(
                "a",
                "varg jakt",
                "popular",
                &Viewer::Persona("elin".into()),
                Some("/compare?q=varg")
            ),
            "/doc/a?q=varg%20jakt&algorithm=popular&viewer=elin&back=%2Fcompare%3Fq%3Dvarg"
        );
        assert_eq!(
            doc_address("a", "", "relevance", &Viewer::Me, Some("//evil.example")),
            "/doc/a"
        );
    }
}
