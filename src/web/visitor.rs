//! Who is asking: the session cookie, and the viewer a page searches as.
//!
//! The cookie holds only a random id. A cookie that is malformed, unknown to
//! the store (forged, or from a deleted or expired session) is ignored and a
//! fresh session is started when something is to be recorded — never one
//! with the id the browser offered, so nobody can pick another's session.

use super::views::{perspective, theme_label};
use super::{AppState, WebError};
use crate::engine::Engine;
use crate::lang::Lang;
use crate::store::{SessionId, Status, Store};
use crate::viewer::{Audience, Viewer};
use axum::http::{HeaderMap, HeaderValue, header};
use serde::Serialize;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "bubbla_session";

/// The value of cookie `name` in the request, if any.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// What the request's cookie says about its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// A session of this store.
    Known(SessionId),
    /// No cookie, or one that names no session here (forged, deleted, expired).
    Unknown,
    /// The cookie names a session, but the database could not say whether it
    /// exists: nothing is recorded, so the visitor keeps their session.
    Failed,
}

impl Lookup {
    pub fn session(&self) -> Option<&SessionId> {
        match self {
            Lookup::Known(id) => Some(id),
            _ => None,
        }
    }
}

pub fn lookup(headers: &HeaderMap, store: &Store) -> Lookup {
    let Some(id) = cookie(headers, SESSION_COOKIE).and_then(SessionId::parse) else {
        return Lookup::Unknown;
    };
    match store.find_session(&id) {
        Ok(true) => Lookup::Known(id),
        Ok(false) => Lookup::Unknown,
        Err(e) => {
            tracing::warn!("cannot look up a session: {e:#}");
            Lookup::Failed
        }
    }
}

/// The request's session, when its cookie names one the store knows.
pub fn session(headers: &HeaderMap, store: &Store) -> Option<SessionId> {
    lookup(headers, store).session().cloned()
}

/// A session to record into, with the cookie to send: the request's (its
/// cookie renewed, so it lasts as long as its newest event), or a new one.
/// `None` when recording is off or the database cannot be asked.
pub fn ensure_session(lookup: Lookup, state: &AppState) -> Option<(SessionId, HeaderValue)> {
    let max_age = state.settings.retention.as_secs();
    match lookup {
        Lookup::Known(id) => {
            let cookie = set_cookie(&id, max_age);
            return Some((id, cookie));
        }
        Lookup::Failed => return None,
        Lookup::Unknown => {}
    }
    match state.store.new_session() {
        Ok(id) => {
            let cookie = set_cookie(&id, max_age);
            Some((id, cookie))
        }
        Err(e) => {
            tracing::warn!("no session could be started: {e:#}");
            None
        }
    }
}

/// The `Set-Cookie` value for a session: only sent back to this site,
/// never readable by scripts, gone when the data would be.
pub fn set_cookie(id: &SessionId, max_age: u64) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={id}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("bubbla_session=; Path=/; Max-Age=0"))
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("bubbla_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// Refuses a form sent from another site (cross-site request forgery).
///
/// Browsers say where a request comes from in `Sec-Fetch-Site`, and that is
/// trusted first: every page sends `Referrer-Policy: no-referrer`, so
/// Chromium's own forms arrive with `Origin: null` *and*
/// `Sec-Fetch-Site: same-origin`. Without `Sec-Fetch-Site` (older browsers),
/// `Origin` must name this very server, scheme included (bubbla serves plain
/// http). Requests with neither (scripts, tests) are let through; the session
/// cookie is `SameSite=Lax`, so they carry no session from another site.
pub fn same_site(headers: &HeaderMap) -> Result<(), WebError> {
    let refuse = || Err(WebError::Forbidden);
    match headers.get("sec-fetch-site").map(|v| v.to_str()) {
        Some(Ok("same-origin" | "none")) => return Ok(()),
        Some(_) => return refuse(),
        None => {}
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let ours = format!("http://{host}");
        if host.is_empty() || origin.to_str().ok() != Some(ours.as_str()) {
            return refuse();
        }
    }
    Ok(())
}

/// True when the request comes from bubbla's own pages or was typed in:
/// only then may it be recorded. A navigation from another site (a link or
/// a form elsewhere, `Sec-Fetch-Site: cross-site` or `same-site`) shows its
/// page but writes nothing, so no other site can plant history.
pub fn own_navigation(method: &axum::http::Method, headers: &HeaderMap) -> bool {
    if method != axum::http::Method::GET && method != axum::http::Method::POST {
        // HEAD (and anything else) never records or starts a session.
        return false;
    }
    match headers.get("sec-fetch-site").map(|v| v.to_str()) {
        None | Some(Ok("same-origin" | "none")) => true,
        Some(_) => false,
    }
}

/// The `viewer` parameter, checked against the corpus's personas.
pub fn parse_viewer(engine: &Engine, raw: Option<&str>) -> Result<Viewer, WebError> {
    let v = Viewer::parse(raw.unwrap_or(""));
    if let Viewer::Persona(id) = &v
        && !engine.corpus.personas.iter().any(|p| &p.id == id)
    {
        return Err(super::error::Detail::new("bad_viewer")
            .with("id", id)
            .into());
    }
    Ok(v)
}

/// Everything ranking may use about `viewer` (blocking: reads the store).
pub fn audience(
    engine: &Engine,
    state: &AppState,
    viewer: &Viewer,
    session: Option<&SessionId>,
) -> Arc<Audience> {
    let who = crate::activity::Who::alone(viewer.clone(), session.cloned());
    Arc::new(crate::activity::audience(
        engine,
        &state.store,
        state.settings.half_life_events,
        &who,
    ))
}

/// A viewer in the picker.
#[derive(Debug, Clone, Serialize)]
pub struct ViewerOption {
    pub id: String,
    pub label: String,
    /// Shown next to the picker: who this is.
    pub description: String,
}

/// The picker's choices: you, incognito, then every persona.
pub fn viewer_options(
    state: &AppState,
    engine: &Engine,
    ui: Lang,
    nickname: Option<&str>,
) -> Vec<ViewerOption> {
    let t = &state.i18n;
    let you = match nickname {
        Some(n) => t.text(ui, "viewer_me_named", &[("name", n)]),
        None => t.text(ui, "viewer_me", &[]),
    };
    let mut out = vec![
        ViewerOption {
            id: "me".into(),
            label: you,
            description: t.text(ui, "viewer_me_about", &[]),
        },
        ViewerOption {
            id: "incognito".into(),
            label: t.text(ui, "viewer_incognito", &[]),
            description: t.text(ui, "viewer_incognito_about", &[]),
        },
    ];
    out.extend(engine.corpus.personas.iter().map(|p| {
        let interests: Vec<String> = p
            .interests
            .iter()
            .take(2)
            .map(|i| {
                format!(
                    "{} ({})",
                    perspective(&engine.corpus, ui, &i.theme, &i.perspective).label,
                    theme_label(&engine.corpus, ui, &i.theme)
                )
            })
            .collect();
        ViewerOption {
            id: p.id.clone(),
            label: t.text(
                ui,
                "viewer_persona",
                &[("name", &p.name), ("age", &p.age.to_string())],
            ),
            description: format!("{} {}", p.description.get(ui), interests.join(", ")),
        }
    }));
    out
}

/// How a viewer is named on pages ("you", "incognito", a persona's name).
pub fn viewer_label(state: &AppState, ui: Lang, audience: &Audience) -> String {
    match &audience.viewer {
        Viewer::Me => state.i18n.text(ui, "viewer_you", &[]),
        Viewer::Incognito => state.i18n.text(ui, "viewer_incognito", &[]),
        Viewer::Persona(id) => audience.name.clone().unwrap_or_else(|| id.clone()),
    }
}

/// What the footer says about recording.
pub fn recording_note(state: &AppState, ui: Lang) -> String {
    let key = match state.store.status() {
        Status::On => "recording_on",
        Status::ReadOnly(_) => "recording_read_only",
        Status::Off(_) => "recording_off",
        Status::Failing(_) => "recording_failing",
    };
    state.i18n.text(ui, key, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; bubbla_session=abc"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "b"), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn forged_ids_are_not_sessions() {
        let store = Store::in_memory();
        let real = store.new_session().expect("session");
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("bubbla_session=0123456789abcdef0123456789abcdef"),
        );
        assert_eq!(session(&h, &store), None, "well-formed but unknown");
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("bubbla_session=x'; DROP TABLE sessions;--"),
        );
        assert_eq!(session(&h, &store), None);
        h.insert(
            header::COOKIE,
            set_cookie(&real, 10)
                .to_str()
                .expect("ascii")
                .split(';')
                .next()
                .and_then(|s| HeaderValue::from_str(s).ok())
                .expect("cookie"),
        );
        assert_eq!(session(&h, &store), Some(real));
    }

    #[test]
    fn forms_from_other_sites_are_refused() {
        let h = |pairs: &[(&str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                    HeaderValue::from_str(v).expect("value"),
                );
            }
            h
        };
        let host = ("host", "192.168.1.5:8080");
        assert!(
            same_site(&h(&[])).is_ok(),
            "no provenance headers: a script or an old browser"
        );
        assert!(same_site(&h(&[host, ("origin", "http://192.168.1.5:8080")])).is_ok());
        // What Chromium sends for bubbla's own forms under no-referrer.
        assert!(
            same_site(&h(&[
                host,
                ("origin", "null"),
                ("sec-fetch-site", "same-origin")
            ]))
            .is_ok()
        );
        assert!(same_site(&h(&[host, ("sec-fetch-site", "none")])).is_ok());
        for bad in [
            vec![host, ("sec-fetch-site", "cross-site")],
            vec![host, ("sec-fetch-site", "same-site")],
            vec![host, ("origin", "http://evil.example")],
            vec![host, ("origin", "null")],
            vec![host, ("origin", "https://192.168.1.5:8080")],
            vec![("origin", "http://192.168.1.5:8080")],
        ] {
            assert!(same_site(&h(&bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_own_navigations_record() {
        use axum::http::Method;
        let mut h = HeaderMap::new();
        assert!(own_navigation(&Method::GET, &h));
        assert!(!own_navigation(&Method::HEAD, &h));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(own_navigation(&Method::GET, &h));
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!own_navigation(&Method::GET, &h));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-site"));
        assert!(!own_navigation(&Method::GET, &h));
    }
}
