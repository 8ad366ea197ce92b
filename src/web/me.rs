//! `/me` — "Vad vi vet om dig / What we know about you": every event
//! recorded in this session, the profile derived from them (the same code
//! that ranks `personal`), how that profile changes your results, the
//! diversity meter, a download of everything and a delete-everything button.
//!
//! Only the session in the request's cookie is ever read or deleted; there
//! is no parameter naming a session.

use super::i18n::Ui;
use super::search::{MeterView, meter_view, with_cookie};
use super::views::{PerspectiveView, fmt3, perspective, theme_label};
use super::visitor;
use super::{AppState, WebError, blocking};
use crate::compare::jaccard_at;
use crate::engine::{ClickCounts, Engine, SearchOptions};
use crate::lang::Lang;
use crate::store::{Event, EventKind, Rows, SessionId};
use crate::viewer::{Audience, Profile, Viewer};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(page))
        .route("/me/data.json", get(download))
        .route("/me/nickname", axum::routing::post(nickname))
        .route("/me/delete", get(confirm_delete).post(delete))
}

/// The algorithm whose effect `/me` shows ("your results differ").
const PERSONAL: &str = "personal";

#[derive(Serialize)]
struct EventView {
    time: String,
    /// The same, machine-readable (RFC 3339).
    datetime: String,
    kind: &'static str,
    query: String,
    algorithm: String,
    viewer: String,
    /// For a click: the document and its rank.
    doc: Option<(String, String, u32)>,
    /// For a search: the documents shown (id, title).
    shown: Vec<(String, String)>,
    first_rank: u32,
}

#[derive(Serialize)]
struct Bar {
    label: String,
    perspective: Option<PerspectiveView>,
    percent: String,
    /// 0–100: the bar's length.
    width: f64,
    clicks: u32,
    searches: u32,
}

#[derive(Serialize)]
struct Differ {
    query: String,
    algorithm: String,
    mine: Vec<(String, String)>,
    incognito: Vec<(String, String)>,
    jaccard: String,
    same: usize,
}

fn format_time(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

fn title(engine: &Engine, id: &str) -> String {
    engine
        .corpus
        .get(id)
        .map_or_else(|| id.to_string(), |d| d.title.clone())
}

fn event_views(engine: &Engine, state: &AppState, ui: Lang, events: &[Event]) -> Vec<EventView> {
    events
        .iter()
        .rev()
        .map(|e| {
            let viewer = match Viewer::parse(&e.viewer) {
                Viewer::Me => state.i18n.text(ui, "viewer_you", &[]),
                Viewer::Incognito => state.i18n.text(ui, "viewer_incognito", &[]),
                Viewer::Persona(id) => engine
                    .corpus
                    .personas
                    .iter()
                    .find(|p| p.id == id)
                    .map_or(id, |p| p.name.clone()),
            };
            let algorithm = engine
                .algorithm(&e.algorithm)
                .map_or_else(|| e.algorithm.clone(), |a| a.label.get(ui).to_string());
            let (kind, doc, shown, first_rank) = match &e.kind {
                EventKind::Query { first_rank, shown } => (
                    "search",
                    None,
                    shown
                        .iter()
                        .map(|id| (id.clone(), title(engine, id)))
                        .collect(),
                    *first_rank,
                ),
                EventKind::Click { doc, rank } => (
                    "click",
                    Some((doc.clone(), title(engine, doc), *rank)),
                    Vec::new(),
                    0,
                ),
            };
            EventView {
                time: format_time(e.time),
                datetime: time::OffsetDateTime::from_unix_timestamp(e.time)
                    .ok()
                    .and_then(|d| {
                        d.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_default(),
                kind,
                query: e.query.clone(),
                algorithm,
                viewer,
                doc,
                shown,
                first_rank,
            }
        })
        .collect()
}

/// Bars of the profile chart: perspectives first (from clicks), then themes.
fn bars(engine: &Engine, ui: Lang, p: &Profile) -> (Vec<Bar>, Vec<Bar>) {
    let persp = p
        .perspectives
        .iter()
        .map(|x| {
            let pv = perspective(&engine.corpus, ui, &x.theme, &x.perspective);
            Bar {
                label: format!(
                    "{} ({})",
                    pv.label,
                    theme_label(&engine.corpus, ui, &x.theme)
                ),
                perspective: Some(pv),
                percent: format!("{:.0}", 100.0 * x.share),
                width: 100.0 * x.share,
                clicks: x.clicks,
                searches: 0,
            }
        })
        .collect();
    let themes = p
        .themes
        .iter()
        .map(|x| Bar {
            label: theme_label(&engine.corpus, ui, &x.theme),
            perspective: None,
            percent: format!("{:.0}", 100.0 * x.share),
            width: 100.0 * x.share,
            clicks: x.clicks,
            searches: x.searches,
        })
        .collect();
    (persp, themes)
}

/// Your `personal` top 10 beside incognito's for your last search.
fn differ(
    engine: &Engine,
    audience: &Arc<Audience>,
    events: &[Event],
    state: &AppState,
) -> Option<Differ> {
    let last = events.iter().rev().find(|e| {
        e.viewer == "me" && matches!(e.kind, EventKind::Query { .. }) && !e.query.trim().is_empty()
    })?;
    let algorithm = if engine.algorithm(PERSONAL).is_some() {
        PERSONAL.to_string()
    } else {
        last.algorithm.clone()
    };
    let run = |a: Option<Arc<Audience>>| -> Option<Vec<(String, String)>> {
        let opts = SearchOptions {
            audience: a,
            clicks: Some(state.store.clone() as Arc<dyn ClickCounts>),
            ..SearchOptions::top(10).algorithm(&algorithm)
        };
        engine
            .search(&last.query, &opts)
            .ok()
            .map(|r| r.results.into_iter().map(|r| (r.id, r.title)).collect())
    };
    let mine = run(Some(audience.clone()))?;
    let incognito = run(Some(Arc::new(Audience::anonymous(Viewer::Incognito))))?;
    let a: Vec<&str> = mine.iter().map(|(id, _)| id.as_str()).collect();
    let b: Vec<&str> = incognito.iter().map(|(id, _)| id.as_str()).collect();
    Some(Differ {
        query: last.query.clone(),
        algorithm: engine
            .algorithm(&algorithm)
            .map_or(algorithm.clone(), |a| a.id.clone()),
        same: a.iter().filter(|x| b.contains(x)).count(),
        jaccard: fmt3(jaccard_at(&a, &b, 10)),
        mine,
        incognito,
    })
}

struct Known {
    session: Option<SessionId>,
    nickname: Option<String>,
    events: Arc<Vec<Event>>,
    rows: Rows,
    audience: Arc<Audience>,
    differ: Option<Differ>,
    meter: Option<crate::viewer::Meter>,
}

fn known(engine: &Engine, state: &AppState, headers: &HeaderMap) -> Known {
    let session = visitor::session(headers, &state.store);
    let events = session
        .as_ref()
        .and_then(|s| state.store.events(s).ok())
        .unwrap_or_default();
    // In a blind room, the algorithms stay letters here too until the reveal.
    let events = match &session {
        Some(s) => state.workshop.blinded(s, events),
        None => events,
    };
    let audience = visitor::audience(engine, state, &Viewer::Me, session.as_ref());
    let differ = differ(engine, &audience, &events, state);
    let meter = crate::viewer::meter(&events, "me", &engine.corpus);
    Known {
        // The viewer `me` carries the session's nickname.
        nickname: audience.name.clone(),
        rows: session
            .as_ref()
            .and_then(|s| state.store.rows_of(s).ok())
            .unwrap_or_default(),
        session,
        events,
        audience,
        differ,
        meter,
    }
}

async fn page(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let (st, e) = (state.clone(), engine.clone());
    let k = blocking(move || Ok(known(&e, &st, &headers))).await?;
    let (persp_bars, theme_bars) = bars(&engine, ui, &k.audience.profile);
    let meter: Option<MeterView> = k.meter.as_ref().map(|m| meter_view(&engine, ui, m));
    let html = state.render(
        ui,
        &uri.to_string(),
        "me.html",
        context! {
            has_session => k.session.is_some(),
            nickname => k.nickname,
            events => event_views(&engine, &state, ui, &k.events),
            rows => k.rows,
            profile => k.audience.profile,
            persp_bars, theme_bars, meter,
            differ => k.differ,
            max_nickname => crate::store::MAX_NICKNAME,
            retention_days => state.settings.retention.as_secs() / 86_400,
            window => crate::viewer::history_window(state.settings.half_life_events),
        },
    )?;
    Ok(html.into_response())
}

/// Everything recorded about this session, as a JSON file.
async fn download(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let st = state.clone();
    let body = blocking(move || {
        let k = known(&engine, &st, &headers);
        Ok(serde_json::json!({
            "about": "Everything bubbla has recorded about this browser session. / Allt bubbla har sparat om den här webbläsarsessionen.",
            "session": k.session.as_ref().map(SessionId::as_str),
            "nickname": k.nickname,
            "retention_days": st.settings.retention.as_secs() / 86_400,
            "events": k.events.as_slice(),
            "profile": k.audience.profile,
        }))
    })
    .await?;
    let mut res = axum::Json(body).into_response();
    res.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("attachment; filename=\"bubbla-my-data.json\""),
    );
    Ok(res)
}

async fn nickname(
    State(state): State<AppState>,
    peer: super::limits::Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let fields = super::params::Params::form(&body)?;
    let name = fields.get("nickname").unwrap_or("").to_string();
    if name.chars().count() > 4 * crate::store::MAX_NICKNAME {
        return Err(super::error::Detail::new("bad_nickname_long")
            .with("n", crate::store::MAX_NICKNAME)
            .into());
    }
    let st = state.clone();
    let cookie = blocking(move || {
        let off = || WebError::bad("bad_recording_off");
        if !st.store.recording() {
            return Err(off());
        }
        let lookup = visitor::lookup(&headers, &st.store);
        st.limits.write(lookup.session(), peer)?;
        if lookup == visitor::Lookup::Unknown {
            st.limits.new_session(peer)?;
        }
        let (session, cookie) = visitor::ensure_session(lookup, &st).ok_or_else(off)?;
        st.store.set_nickname(&session, &name).map_err(|e| {
            tracing::warn!("nickname not saved: {e:#}");
            off()
        })?;
        Ok(cookie)
    })
    .await?;
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, "/me")]).into_response();
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

async fn confirm_delete(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let st = state.clone();
    let rows = blocking(move || {
        Ok(visitor::session(&headers, &st.store)
            .and_then(|s| st.store.rows_of(&s).ok())
            .unwrap_or_default())
    })
    .await?;
    let html = state.render(
        ui,
        &uri.to_string(),
        "me-delete.html",
        context! { rows, confirm => true },
    )?;
    Ok(html.into_response())
}

async fn delete(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let st = state.clone();
    let removed = blocking(move || match visitor::session(&headers, &st.store) {
        None => Ok(None),
        Some(_) if !st.store.recording() => Err(WebError::bad("bad_delete_read_only")),
        Some(s) => st
            .store
            .delete_session(&s)
            .map(Some)
            .map_err(|e| WebError::Internal(e.context("deleting a session"))),
    })
    .await?;
    let html = state.render(
        ui,
        &uri.to_string(),
        "me-delete.html",
        context! { rows => removed.unwrap_or_default(), confirm => false, deleted => removed.is_some() },
    )?;
    // The cookie is cleared only when it named the session just deleted.
    Ok(with_cookie(html, removed.map(|_| visitor::clear_cookie())))
}
