//! The JSON API for scripting a workshop (docs/api.md): rooms for the
//! leader (`Authorization: Bearer <token>`), joining and searching for
//! participants (their session cookie). The same use cases as the pages.

use super::leader::Leader;
use super::limits::Peer;
use super::rooms::{in_room, join_url, participant_search, refused, room_go, seat_visitor};
use super::views::shown_score;
use super::{AppState, WebError, blocking, visitor};
use crate::lang::Lang;
use crate::workshop::{Patch, Room, export};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, routing::post};
use serde::Deserialize;
use serde_json::{Value, json};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/rooms", post(create).get(list))
        .route("/api/rooms/{code}", get(show).patch(change).delete(end))
        .route("/api/rooms/{code}/join", post(join))
        .route("/api/rooms/{code}/search", get(search))
        .route("/api/rooms/{code}/wall", get(wall))
        .route("/api/rooms/{code}/export.json", get(export_json))
        .route("/api/rooms/{code}/export.csv", get(export_csv))
        // A form or a room's settings is a few hundred bytes.
        .layer(axum::extract::DefaultBodyLimit::max(super::ROOM_BODY_LIMIT))
}

/// A JSON body, with bubbla's own 400 when it cannot be read.
fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes) -> Result<T, WebError> {
    if bytes.is_empty() {
        return serde_json::from_str("{}").map_err(|_| WebError::bad("bad_json"));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        super::error::Detail::new("bad_json_detail")
            .with("why", e.to_string())
            .into()
    })
}

fn room_json(state: &AppState, headers: &HeaderMap, room: &Room, participants: usize) -> Value {
    json!({
        "code": room.code,
        "title": room.title,
        "created": room.created,
        "join_url": join_url(state, headers, &room.code),
        "participants": participants,
        "settings": room.settings,
    })
}

async fn create(
    State(state): State<AppState>,
    _: Leader,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let engine = state.engine()?;
    let patch: Patch = body(&bytes)?;
    let st = state.clone();
    let room = blocking(move || {
        let title = patch.title.clone().unwrap_or_default();
        st.workshop
            .create(&engine, &title, &patch)
            .map_err(|r| refused(&st, r))
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(room_json(&state, &headers, &room, 0)),
    )
        .into_response())
}

async fn list(
    State(state): State<AppState>,
    _: Leader,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let st = state.clone();
    let rooms = blocking(move || {
        let rooms = st.workshop.rooms().map_err(WebError::Internal)?;
        rooms
            .into_iter()
            .map(|r| {
                let n = st
                    .workshop
                    .participants(&r)
                    .map_err(WebError::Internal)?
                    .len();
                Ok((r, n))
            })
            .collect::<Result<Vec<_>, WebError>>()
    })
    .await?;
    let list: Vec<Value> = rooms
        .iter()
        .map(|(r, n)| room_json(&state, &headers, r, *n))
        .collect();
    Ok(Json(json!({ "rooms": list })).into_response())
}

async fn show(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (room, participants) = in_room(&state, code, move |st, room| {
        let p = st
            .workshop
            .participants(&room)
            .map_err(WebError::Internal)?;
        Ok((room, p))
    })
    .await?;
    let mut v = room_json(&state, &headers, &room, participants.len());
    v["participants_list"] = json!(participants);
    Ok(Json(v).into_response())
}

async fn change(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let engine = state.engine()?;
    let patch: Patch = body(&bytes)?;
    let st = state.clone();
    let (room, n) = blocking(move || {
        let room = st
            .workshop
            .update(&engine, &code, &patch)
            .map_err(|r| refused(&st, r))?;
        let n = st
            .workshop
            .participants(&room)
            .map_err(WebError::Internal)?
            .len();
        Ok((room, n))
    })
    .await?;
    Ok(Json(room_json(&state, &headers, &room, n)).into_response())
}

async fn end(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let rows = in_room(&state, code, move |st, room| {
        st.workshop.end(&room).map_err(WebError::Internal)
    })
    .await?;
    Ok(Json(json!({ "deleted": rows })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Join {
    nickname: String,
}

async fn join(
    State(state): State<AppState>,
    Path(code): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let j: Join = body(&bytes)?;
    let st = state.clone();
    let seated =
        blocking(move || Ok(seat_visitor(&st, &headers, peer, &code, &j.nickname))).await?;
    match seated {
        Ok((room, p, cookie)) => {
            let mut res = Json(json!({
                "room": room.code,
                "title": room.title,
                "nickname": p.nickname,
                "seat": p.seat,
            }))
            .into_response();
            res.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(res)
        }
        Err(WebError::Conflict(d)) if d.key == "room_nickname_taken" => {
            let message = state.i18n.text(Lang::En, d.key, &d.args_ref());
            let message_sv = state.i18n.text(Lang::Sv, d.key, &d.args_ref());
            Ok(super::error::own_answer(
                (
                    StatusCode::CONFLICT,
                    Json(json!({
                        "error": { "status": 409, "message": message, "message_sv": message_sv },
                        "suggestion": d.arg("suggestion"),
                    })),
                )
                    .into_response(),
            ))
        }
        Err(e) => Err(e),
    }
}

async fn search(
    State(state): State<AppState>,
    Path(code): Path<String>,
    method: Method,
    peer: Peer,
    headers: HeaderMap,
    params: super::params::Params,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let typed = params.get("q").unwrap_or("").to_string();
    let (st, e) = (state.clone(), engine.clone());
    let seen =
        blocking(move || participant_search(&st, &e, &headers, &method, peer, &code, &typed))
            .await?;
    let ui = Lang::En;
    let q = &seen.outcome.results.query;
    // The score is the one the page shows (the same sum of contributions).
    let results: Vec<Value> = seen
        .outcome
        .results
        .results
        .iter()
        .map(|r| {
            json!({
                "rank": r.rank,
                "id": r.id,
                "title": r.title,
                "theme": r.theme,
                "perspective": r.perspective,
                "score": shown_score(r),
                "go": room_go(&r.id, r.rank, q, &seen.room.code),
            })
        })
        .collect();
    let blind = seen.room.settings.blind;
    let algorithm = crate::workshop::wall::algorithm_shown(&engine, ui, blind, &seen.plan);
    let meter = seen.outcome.meter.as_ref().map(|(now, _)| now.entropy);
    let mut res = Json(json!({
        "room": seen.room.code,
        "nickname": seen.participant.nickname,
        "query": q,
        "algorithm": algorithm,
        "blind": blind,
        "viewer": seen.plan.viewer.id(),
        "recorded": seen.outcome.recorded,
        "meter": meter,
        "total": seen.outcome.results.total_hits,
        "results": results,
    }))
    .into_response();
    if seen.outcome.recorded {
        res.headers_mut().insert(
            header::SET_COOKIE,
            visitor::set_cookie(
                &seen.participant.session,
                state.settings.retention.as_secs(),
            ),
        );
    }
    Ok(res)
}

async fn wall(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let w = in_room(&state, code, move |st, room| {
        st.workshop
            .wall(&engine, Lang::En, &room)
            .map_err(WebError::Internal)
    })
    .await?;
    Ok(Json(w).into_response())
}

async fn exported(state: &AppState, code: String) -> Result<export::Export, WebError> {
    in_room(state, code, move |st, room| {
        st.workshop.export(&room).map_err(WebError::Internal)
    })
    .await
}

fn attachment(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

async fn export_json(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let e = exported(&state, code).await?;
    let name = format!("bubbla-{}.json", e.room.code);
    let mut res = Json(&e).into_response();
    res.headers_mut()
        .insert(header::CONTENT_DISPOSITION, attachment(&name));
    Ok(res)
}

async fn export_csv(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let e = exported(&state, code).await?;
    let name = format!("bubbla-{}.csv", e.room.code);
    // A byte-order mark, so that spreadsheets read the file as UTF-8 (å, ä, ö).
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(export::csv(&e).map_err(WebError::Internal)?);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, attachment(&name)),
        ],
        bytes,
    )
        .into_response())
}
