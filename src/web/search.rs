//! `/search`: one ranked list, with an algorithm picker, a viewer picker
//! ("search as…"), paging, the "Why here?" explanation of every result and
//! the diversity meter. A search made as yourself or a persona is recorded
//! in your session (query, algorithm, viewer and the documents shown);
//! incognito records nothing.

use super::i18n::Ui;
use super::params::Params;
use super::views::{
    MixView, ResultView, algorithm_options, mix_views, perspective, result_view, theme_label,
};
use super::visitor::{self, ViewerOption};
use super::{AppState, WebError, blocking};
use crate::activity;
use crate::engine::{Engine, SearchResults, Who};
use crate::lang::Lang;
use crate::viewer::{Audience, Meter, Viewer};
use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::context;
use serde::Serialize;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

/// Results per page.
pub const PAGE_SIZE: usize = 10;

/// The top list whose perspectives are counted, as on `/compare`.
pub const MIX_K: usize = 10;

/// The diversity meter as shown.
#[derive(Debug, Serialize)]
pub struct MeterView {
    pub searches: usize,
    /// 0–1, two decimals.
    pub entropy: String,
    pub value: f64,
    /// The same over the searches before, when there were any.
    pub before: Option<String>,
    /// "Jägarna (Varg) 14", most shown first.
    pub shown: Vec<String>,
    pub seen: usize,
    pub possible: usize,
}

pub fn meter_view(engine: &Engine, ui: Lang, (now, before): &Meter) -> MeterView {
    MeterView {
        searches: now.searches,
        entropy: format!("{:.2}", now.entropy),
        value: now.entropy,
        before: before.as_ref().map(|b| format!("{:.2}", b.entropy)),
        shown: now
            .shown
            .iter()
            .map(|((t, p), n)| {
                format!(
                    "{} ({}) {n}",
                    perspective(&engine.corpus, ui, t, p).label,
                    theme_label(&engine.corpus, ui, t)
                )
            })
            .collect(),
        seen: now.shown.len(),
        possible: now.possible,
    }
}

/// What one search produced, before rendering.
struct Outcome {
    results: SearchResults,
    audience: Arc<Audience>,
    set_cookie: Option<header::HeaderValue>,
    meter: Option<Meter>,
    nickname: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    method: axum::http::Method,
    peer: super::limits::Peer,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let own = visitor::own_navigation(&method, &headers);
    let q = params.get("q").unwrap_or("").to_string();
    let algorithm = params.text("algorithm").unwrap_or("relevance").to_string();
    let page = params.number("page", 1, 1..=1000)?;
    let lang = params.lang()?;
    let viewer = visitor::parse_viewer(&engine, params.text("viewer"))?;
    let (st, e, query, algo, v) = (
        state.clone(),
        engine.clone(),
        q.clone(),
        algorithm.clone(),
        viewer.clone(),
    );
    let out = blocking(move || {
        let lookup = visitor::lookup(&headers, &st.store);
        let session = lookup.session().cloned();
        // Recorded only when the visitor did it: typed here or came from
        // bubbla's own pages, never a HEAD or a link from another site.
        let record =
            own && !query.trim().is_empty() && v != Viewer::Incognito && st.store.recording();
        if record {
            st.limits.write(session.as_ref(), peer)?;
            if lookup == visitor::Lookup::Unknown {
                st.limits.new_session(peer)?;
            }
        }
        let mut set_cookie = None;
        let request = activity::Request {
            query: &query,
            algorithm: &algo,
            offset: (page - 1) * PAGE_SIZE,
            limit: PAGE_SIZE,
            lang,
            record,
        };
        let out = activity::search(
            &e,
            &st.store,
            st.settings.half_life_events,
            activity::Who::alone(v.clone(), session),
            &request,
            || {
                let (id, cookie) = visitor::ensure_session(lookup.clone(), &st)?;
                set_cookie = Some(cookie);
                Some(id)
            },
        )?;
        if out.recorded
            && set_cookie.is_none()
            && let Some(id) = &out.session
        {
            // The cookie is renewed with every recorded search.
            set_cookie = Some(visitor::set_cookie(id, st.settings.retention.as_secs()));
        }
        if !out.recorded {
            set_cookie = None;
        }
        // The viewer `me` already carries the nickname.
        let nickname = match v {
            Viewer::Me => out.audience.name.clone(),
            _ => out.session.as_ref().and_then(|s| st.store.nickname(s)),
        };
        Ok(Outcome {
            results: out.results,
            audience: out.audience,
            set_cookie,
            meter: out.meter,
            nickname,
        })
    })
    .await?;
    let who = match &out.audience.viewer {
        Viewer::Persona(_) => Who::Named(out.audience.name.as_deref().unwrap_or("")),
        _ => Who::You,
    };
    let views: Vec<ResultView> = out
        .results
        .results
        .iter()
        .map(|r| result_view(&engine, ui, r, who))
        .collect();
    let has_next = out.results.offset + PAGE_SIZE < out.results.ranked;
    let algorithm_label = engine
        .algorithm(&algorithm)
        .map(|a| a.label.get(ui).to_string());
    let algorithms = algorithm_options(&engine, ui);
    // Why a personalised algorithm may show nothing personal.
    let (uses_personal, uses_social) = engine.algorithm(&algorithm).map_or((false, false), |a| {
        (a.weight("personal") > 0.0, a.weight("social") > 0.0)
    });
    let a = &out.audience;
    let hint = match a.viewer {
        Viewer::Incognito if uses_personal || uses_social => Some("hint_incognito"),
        Viewer::Incognito => None,
        _ if uses_personal && a.profile.is_empty() => Some("hint_no_history"),
        _ if uses_social && !uses_personal && a.friends.is_empty() => Some("hint_no_friends"),
        _ => None,
    }
    .map(|key| state.i18n.text(ui, key, &[]));
    let viewers: Vec<ViewerOption> =
        visitor::viewer_options(&state, &engine, ui, out.nickname.as_deref());
    let meter = out.meter.as_ref().map(|m| meter_view(&engine, ui, m));
    // Perspectives in the top 10: counted over the very results shown, with
    // the function `/compare` uses. Only page 1 shows the top 10 (a page
    // holds `PAGE_SIZE` = `MIX_K` results); later pages show no mix rather
    // than ranking again.
    let mix: Vec<MixView> = if out.results.offset == 0 {
        let top = &out.results.results[..out.results.results.len().min(MIX_K)];
        let persp: Vec<&str> = top.iter().map(|r| r.perspective.as_str()).collect();
        let counts = crate::compare::perspective_mix(&persp, MIX_K);
        mix_views(&engine.corpus, ui, &counts, top)
    } else {
        Vec::new()
    };
    let html = state.render(
        ui,
        &uri.to_string(),
        "search.html",
        context! {
            q, algorithm, algorithm_label, page, has_next, meter, mix,
            k => MIX_K,
            lang => lang.map(|l| l.code()),
            total => out.results.total_hits,
            ranked => out.results.ranked,
            results => views,
            hint,
            algorithms,
            viewer => viewer.id(),
            viewer_label => visitor::viewer_label(&state, ui, &out.audience),
            viewers,
        },
    )?;
    Ok(with_cookie(html, out.set_cookie))
}

/// Renders a page of `Html` with an optional cookie (shared by handlers).
pub fn with_cookie(html: Html<String>, cookie: Option<header::HeaderValue>) -> Response {
    let mut res = html.into_response();
    if let Some(c) = cookie {
        res.headers_mut().insert(header::SET_COOKIE, c);
    }
    res
}
