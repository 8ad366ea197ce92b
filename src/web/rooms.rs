//! Workshop rooms on the web: the leader's pages (`/leader…`: rooms, their
//! controls, the end), the projector's wall (`/rooms/{code}/wall`), the
//! participants' pages (`/join`, `/rooms/{code}`, comparing with a
//! classmate) and the live stream (`/rooms/{code}/events`). Each handler
//! extracts, calls [`crate::workshop::Workshop`], renders.

use super::i18n::Ui;
use super::leader::{Leader, is_leader};
use super::limits::Peer;
use super::params::Params;
use super::search::{meter_view, with_cookie};
use super::views::{ResultView, algorithm_options, result_view};
use super::{AppState, WebError, blocking, visitor};
use crate::engine::{Engine, Who};
use crate::lang::Lang;
use crate::store::Participant;
use crate::viewer::Viewer;
use crate::workshop::{Assignment, FriendsMode, Patch, Plan, Refusal, Room, wall};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use serde::Serialize;
use std::convert::Infallible;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leader", get(super::leader::sign_in))
        .route("/leader/rooms", post(create))
        .route("/leader/rooms/{code}", get(control).post(change))
        .route("/leader/rooms/{code}/reveal", post(reveal))
        .route("/leader/rooms/{code}/reset", post(reset))
        .route("/leader/rooms/{code}/end", get(end_confirm).post(end))
        .route("/join", get(join_form).post(join))
        .route("/rooms/{code}", get(participant_page))
        .route("/rooms/{code}/choose", post(choose))
        .route("/rooms/{code}/compare", get(classmate))
        .route("/rooms/{code}/wall", get(wall_page))
        .route("/rooms/{code}/qr.svg", get(qr))
        .route("/rooms/{code}/events", get(events))
        // A form or a room's settings is a few hundred bytes.
        .layer(axum::extract::DefaultBodyLimit::max(super::ROOM_BODY_LIMIT))
}

/// A room refusal as the page or API shows it.
pub fn refused(state: &AppState, r: Refusal) -> WebError {
    use super::error::Detail;
    match r {
        Refusal::NoRoom => WebError::NotFound,
        Refusal::Invalid(i) => {
            let mut d = Detail::new(i.key);
            for (k, v) in i.args {
                d = d.with(k, v);
            }
            d.into()
        }
        Refusal::Locked => WebError::Conflict(Detail::new("room_locked")),
        Refusal::Taken { suggestion } => {
            WebError::Conflict(Detail::new("room_nickname_taken").with("suggestion", suggestion))
        }
        Refusal::BadNickname => Detail::new("room_bad_nickname")
            .with("n", crate::store::MAX_NICKNAME)
            .into(),
        Refusal::Store(_) if !state.store.recording() => Detail::new("bad_recording_off").into(),
        Refusal::Store(e) => WebError::Internal(e),
    }
}

/// The address participants open: the one printed at start-up (the LAN
/// address with `--public`), else this request's own host.
pub fn join_url(state: &AppState, headers: &HeaderMap, code: &str) -> String {
    let base = state.settings.participant_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| h.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or("127.0.0.1:8080");
        format!("http://{host}")
    });
    format!("{}/join?code={code}", base.trim_end_matches('/'))
}

/// A QR code of `text` as SVG, made here (no service is asked).
pub fn qr_svg(text: &str) -> Result<String, WebError> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

/// Runs `f` off the async threads with the room named by `code` (404 when
/// there is none).
pub async fn in_room<T: Send + 'static>(
    state: &AppState,
    code: String,
    f: impl FnOnce(AppState, Room) -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    let st = state.clone();
    blocking(move || {
        let room = st.workshop.room(&code).map_err(|r| refused(&st, r))?;
        f(st, room)
    })
    .await
}

fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

// ---------------------------------------------------------------- leader

#[derive(Serialize)]
struct RoomRow {
    code: String,
    title: String,
    participants: usize,
    query: Option<String>,
    locked: bool,
}

/// `/leader` for a signed-in leader: the rooms and a form for a new one.
pub async fn leader_home(state: AppState, headers: HeaderMap) -> Result<Response, WebError> {
    let ui = super::i18n::from_headers(&headers);
    let st = state.clone();
    let rows = blocking(move || {
        let rooms = st.workshop.rooms()?;
        rooms
            .into_iter()
            .map(|r| {
                Ok(RoomRow {
                    participants: st.workshop.participants(&r)?.len(),
                    code: r.code,
                    title: r.title,
                    query: r.settings.query,
                    locked: r.settings.locked,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()
            .map_err(WebError::Internal)
    })
    .await?;
    let html = state.render(ui, "/leader", "leader.html", context! { rooms => rows })?;
    Ok(html.into_response())
}

async fn create(
    State(state): State<AppState>,
    _: Leader,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let engine = state.engine()?;
    let f = Params::form(&body)?;
    let title = f.get("title").unwrap_or("").to_string();
    let patch = Patch {
        query: f.get("query").map(str::to_string),
        ..Patch::default()
    };
    let st = state.clone();
    let room = blocking(move || {
        st.workshop
            .create(&engine, &title, &patch)
            .map_err(|r| refused(&st, r))
    })
    .await?;
    Ok(see_other(&format!("/leader/rooms/{}", room.code)))
}

#[derive(Serialize)]
struct Choice {
    id: String,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct SeatRow {
    nickname: String,
    algorithm: String,
    persona: Option<String>,
    clicks: usize,
}

async fn control(
    State(state): State<AppState>,
    _: Leader,
    Ui(ui): Ui,
    Path(code): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let e = engine.clone();
    let (room, seats) = in_room(&state, code, move |st, room| {
        let seats = st
            .workshop
            .wall(&e, ui, &room)
            .map_err(WebError::Internal)?;
        Ok((room, seats))
    })
    .await?;
    let s = &room.settings;
    let algorithms: Vec<Choice> = algorithm_options(&engine, ui)
        .into_iter()
        .map(|a| Choice {
            checked: s.algorithms.contains(&a.id),
            id: a.id,
            label: a.label,
        })
        .collect();
    let personas: Vec<Choice> = engine
        .corpus
        .personas
        .iter()
        .map(|p| Choice {
            id: p.id.clone(),
            label: p.name.clone(),
            checked: s.personas.contains(&p.id),
        })
        .collect();
    let seat_rows: Vec<SeatRow> = seats
        .cards
        .iter()
        .map(|c| SeatRow {
            nickname: c.nickname.clone(),
            algorithm: c.algorithm.clone(),
            persona: c.persona.clone(),
            clicks: c.clicks,
        })
        .collect();
    let join = join_url(&state, &headers, &room.code);
    let html = state.render(
        ui,
        &uri.to_string(),
        "room-leader.html",
        context! {
            room => &room,
            settings => s,
            assignment => match s.assignment { Assignment::Same => "same", Assignment::RoundRobin => "round-robin", Assignment::Free => "free" },
            friends => match s.friends { FriendsMode::None => "none", FriendsMode::Room => "room", FriendsMode::Chosen => "chosen" },
            algorithms, personas,
            seats => seat_rows,
            join_url => join,
            reset => params.text("reset"),
            saved => params.text("saved").is_some(),
        },
    )?;
    Ok(html.into_response())
}

/// The settings form: every field is sent, so an unticked box is "off".
fn patch_from_form(f: &Params) -> Result<Patch, WebError> {
    let assignment = match f.text("assignment") {
        None | Some("same") => Assignment::Same,
        Some("round-robin") => Assignment::RoundRobin,
        Some("free") => Assignment::Free,
        Some(_) => return Err(WebError::bad("bad_form")),
    };
    let friends = match f.text("friends") {
        None | Some("none") => FriendsMode::None,
        Some("room") => FriendsMode::Room,
        Some("chosen") => FriendsMode::Chosen,
        Some(_) => return Err(WebError::bad("bad_form")),
    };
    let algorithms: Vec<String> = f.all("algorithms").map(str::to_string).collect();
    Ok(Patch {
        title: f.get("title").map(str::to_string),
        query: Some(if f.get("mode") == Some("free") {
            String::new()
        } else {
            f.get("query").unwrap_or("").to_string()
        }),
        algorithms: (!algorithms.is_empty()).then_some(algorithms),
        assignment: Some(assignment),
        blind: Some(f.get("blind").is_some()),
        personas: Some(f.all("personas").map(str::to_string).collect()),
        friends: Some(friends),
        locked: Some(f.get("locked").is_some()),
    })
}

async fn change(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let patch = patch_from_form(&Params::form(&body)?)?;
    apply(state, code, patch, "?saved=1").await
}

async fn reveal(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let patch = Patch {
        blind: Some(false),
        ..Patch::default()
    };
    apply(state, code, patch, "?saved=1").await
}

async fn apply(
    state: AppState,
    code: String,
    patch: Patch,
    then: &str,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let st = state.clone();
    let room = blocking(move || {
        st.workshop
            .update(&engine, &code, &patch)
            .map_err(|r| refused(&st, r))
    })
    .await?;
    Ok(see_other(&format!("/leader/rooms/{}{then}", room.code)))
}

async fn reset(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let (room, n) = in_room(&state, code, move |st, room| {
        let n = st
            .workshop
            .reset_clicks(&room)
            .map_err(WebError::Internal)?;
        Ok((room, n))
    })
    .await?;
    Ok(see_other(&format!("/leader/rooms/{}?reset={n}", room.code)))
}

async fn end_confirm(
    State(state): State<AppState>,
    _: Leader,
    Ui(ui): Ui,
    Path(code): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, WebError> {
    let (room, n) = in_room(&state, code, move |st, room| {
        let n = st
            .workshop
            .participants(&room)
            .map_err(WebError::Internal)?
            .len();
        Ok((room, n))
    })
    .await?;
    let html = state.render(
        ui,
        &uri.to_string(),
        "room-end.html",
        context! { room => &room, participants => n, ended => false },
    )?;
    Ok(html.into_response())
}

async fn end(
    State(state): State<AppState>,
    _: Leader,
    Ui(ui): Ui,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let (room, rows) = in_room(&state, code, move |st, room| {
        let rows = st.workshop.end(&room).map_err(WebError::Internal)?;
        Ok((room, rows))
    })
    .await?;
    // Shown once, on the answer to the form: the room is gone afterwards,
    // so reloading cannot end anything twice (it is a 404).
    let html = state.render(
        ui,
        "/leader",
        "room-end.html",
        context! { room => &room, rows => rows, ended => true },
    )?;
    Ok(html.into_response())
}

async fn qr(
    State(state): State<AppState>,
    _: Leader,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let room = in_room(&state, code, |_, room| Ok(room)).await?;
    let svg = qr_svg(&join_url(&state, &headers, &room.code))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml"),
        )],
        svg,
    )
        .into_response())
}

// ------------------------------------------------------------------ wall

/// Cards per page of the wall.
pub const WALL_PAGE: usize = 60;
/// Above this many participants the wall starts compact.
pub const COMPACT_FROM: usize = 40;

async fn wall_page(
    State(state): State<AppState>,
    _: Leader,
    Ui(ui): Ui,
    Path(code): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let mut w = in_room(&state, code, move |st, room| {
        st.workshop
            .wall(&engine, ui, &room)
            .map_err(WebError::Internal)
    })
    .await?;
    let group = params.get("group") == Some("algorithm");
    if group {
        w.cards.sort_by(|a, b| a.letter.cmp(&b.letter));
    }
    let compact = match params.get("compact") {
        Some("1") => true,
        Some("0") => false,
        _ => w.participants >= COMPACT_FROM,
    };
    let pages = w.cards.len().div_ceil(WALL_PAGE).max(1);
    let page = params.number("page", 1, 1..=pages.max(1))?;
    let cards: Vec<wall::Card> = w
        .cards
        .iter()
        .skip((page - 1) * WALL_PAGE)
        .take(WALL_PAGE)
        .cloned()
        .collect();
    let join = join_url(&state, &headers, &w.code);
    let template = if params.get("part") == Some("1") {
        "room-wall-part.html"
    } else {
        "room-wall.html"
    };
    let html = state.render(
        ui,
        &uri.to_string(),
        template,
        context! {
            wall => &w, cards, compact, group, page, pages,
            join_url => join,
            code => &w.code,
        },
    )?;
    Ok(html.into_response())
}

// ----------------------------------------------------------- participants

async fn join_form(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    params: Params,
) -> Result<Response, WebError> {
    let code = params.text("code").unwrap_or("").to_string();
    let html = state.render(
        ui,
        &uri.to_string(),
        "join.html",
        context! { code, nickname => "", error => None::<String>, suggestion => None::<String> },
    )?;
    Ok(html.into_response())
}

/// Seats the request's session (or a new one) in the room; the cookie to
/// send when a session was started or renewed.
pub fn seat_visitor(
    state: &AppState,
    headers: &HeaderMap,
    peer: Peer,
    code: &str,
    nickname: &str,
) -> Result<(Room, Participant, HeaderValue), WebError> {
    let room = state.workshop.room(code).map_err(|r| refused(state, r))?;
    let lookup = visitor::lookup(headers, &state.store);
    state.limits.write(lookup.session(), peer)?;
    if lookup == visitor::Lookup::Unknown {
        state.limits.new_session(peer)?;
    }
    let new = lookup == visitor::Lookup::Unknown;
    let Some((session, cookie)) = visitor::ensure_session(lookup, state) else {
        return Err(super::error::Detail::new("bad_recording_off").into());
    };
    match state.workshop.join(&room, &session, nickname) {
        Ok(p) => Ok((room, p, cookie)),
        Err(r) => {
            // A session started for this join and refused keeps nothing.
            if new && let Err(e) = state.store.delete_session(&session) {
                tracing::warn!("an unused session could not be deleted: {e:#}");
            }
            Err(refused(state, r))
        }
    }
}

async fn join(
    State(state): State<AppState>,
    Ui(ui): Ui,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let f = Params::form(&body)?;
    let code = f.get("code").unwrap_or("").trim().to_string();
    let nickname = f.get("nickname").unwrap_or("").to_string();
    let (st, h, c, n) = (
        state.clone(),
        headers.clone(),
        code.clone(),
        nickname.clone(),
    );
    let seated = blocking(move || Ok(seat_visitor(&st, &h, peer, &c, &n))).await?;
    match seated {
        Ok((room, _, cookie)) => {
            let mut res = see_other(&format!("/rooms/{}", room.code));
            res.headers_mut().insert(header::SET_COOKIE, cookie);
            Ok(res)
        }
        // A refused join shows the form again, filled in, with the reason.
        Err(e @ (WebError::Conflict(_) | WebError::NotFound | WebError::BadRequest(_))) => {
            let status = match &e {
                WebError::Conflict(_) => StatusCode::CONFLICT,
                WebError::NotFound => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            let (error, suggestion) = match &e {
                WebError::Conflict(d) => (
                    state.i18n.text(ui, d.key, &d.args_ref()),
                    d.arg("suggestion").map(str::to_string),
                ),
                WebError::NotFound => (state.i18n.text(ui, "room_no_such_code", &[]), None),
                WebError::BadRequest(d) => (state.i18n.text(ui, d.key, &d.args_ref()), None),
                _ => (String::new(), None),
            };
            let error = capitalised(&error);
            let html = state.render(
                ui,
                "/join",
                "join.html",
                context! { code, nickname, error, suggestion },
            )?;
            Ok(super::error::own_answer((status, html).into_response()))
        }
        Err(e) => Err(e),
    }
}

/// A catalogue detail ("the room is locked: …") as a sentence of its own.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A participant's view of the room, as the page and the API show it.
pub struct Seen {
    pub room: Room,
    pub participant: Participant,
    pub plan: Plan,
    pub outcome: crate::activity::Outcome,
    pub audience_name: Option<String>,
}

/// The participant's search in the room; recorded when the request may
/// record (own navigation, within the rate limit, recording on).
pub fn participant_search(
    state: &AppState,
    engine: &Engine,
    headers: &HeaderMap,
    method: &Method,
    peer: Peer,
    code: &str,
    typed: &str,
) -> Result<Seen, WebError> {
    let session = visitor::session(headers, &state.store);
    let (room, p) = state
        .workshop
        .seat_in(code, session.as_ref())
        .map_err(|r| refused(state, r))?;
    let query = room.settings.query.as_deref().unwrap_or(typed);
    let record = visitor::own_navigation(method, headers)
        && !query.trim().is_empty()
        && state.store.recording();
    if record {
        state.limits.write(Some(&p.session), peer)?;
    }
    let (outcome, plan) = state.workshop.search(
        engine,
        state.settings.half_life_events,
        &room,
        &p,
        typed,
        0,
        super::search::PAGE_SIZE,
        record,
    )?;
    let audience_name = outcome.audience.name.clone();
    Ok(Seen {
        room,
        participant: p,
        plan,
        outcome,
        audience_name,
    })
}

/// The `/go` link of a result in a room: the room's plan decides the
/// algorithm and viewer, so the link does not name them (blind mode).
pub fn room_go(id: &str, rank: usize, q: &str, code: &str) -> String {
    let enc = super::go::encode_segment;
    format!(
        "/go/{}?q={}&rank={rank}&room={code}&back={}",
        enc(id),
        enc(q),
        enc(&format!("/rooms/{code}"))
    )
}

#[derive(Serialize)]
struct RoomResult {
    #[serde(flatten)]
    view: ResultView,
    go: String,
}

fn room_results(engine: &Engine, ui: Lang, seen: &Seen) -> Vec<RoomResult> {
    let who = match &seen.plan.viewer {
        Viewer::Persona(_) => Who::Named(seen.audience_name.as_deref().unwrap_or("")),
        _ => Who::You,
    };
    let q = &seen.outcome.results.query;
    seen.outcome
        .results
        .results
        .iter()
        .map(|r| {
            let view = result_view(engine, ui, r, who);
            RoomResult {
                go: room_go(&view.id, view.rank, q, &seen.room.code),
                view,
            }
        })
        .collect()
}

#[allow(clippy::too_many_arguments)] // axum extractors, one per part of the request
async fn participant_page(
    State(state): State<AppState>,
    Ui(ui): Ui,
    Path(code): Path<String>,
    OriginalUri(uri): OriginalUri,
    method: Method,
    peer: Peer,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let typed = params.get("q").unwrap_or("").to_string();
    let (st, e, h, c, t) = (
        state.clone(),
        engine.clone(),
        headers.clone(),
        code.clone(),
        typed.clone(),
    );
    let seen = blocking(move || {
        let seen = participant_search(&st, &e, &h, &method, peer, &c, &t);
        let others = match &seen {
            Ok(s) => st
                .workshop
                .participants(&s.room)
                .map_err(WebError::Internal)?
                .into_iter()
                .filter(|o| o.session != s.participant.session)
                .map(|o| o.nickname)
                .collect(),
            Err(_) => Vec::new(),
        };
        Ok((seen, others))
    })
    .await?;
    let (seen, others) = match seen {
        (Ok(s), o) => (s, o),
        // Not seated here (or the room ended): the leader goes to the
        // controls, anyone else to the join form for this code.
        (Err(WebError::NotFound), _) => {
            if is_leader(&state, &headers) {
                return Ok(see_other(&format!("/leader/rooms/{}", code.to_uppercase())));
            }
            return Ok(see_other(&format!(
                "/join?code={}",
                super::go::encode_segment(&code)
            )));
        }
        (Err(e), _) => return Err(e),
    };
    let results = room_results(&engine, ui, &seen);
    let s = &seen.room.settings;
    let algorithm = wall::algorithm_shown(&engine, ui, s.blind, &seen.plan);
    let choices: Vec<Choice> = s
        .algorithms
        .iter()
        .enumerate()
        .map(|(i, id)| Choice {
            id: id.clone(),
            label: wall::algorithm_shown(
                &engine,
                ui,
                s.blind,
                &Plan {
                    algorithm: id.clone(),
                    index: i,
                    letter: crate::workshop::settings::blind_label(i),
                    viewer: Viewer::Me,
                },
            ),
            checked: i == seen.plan.index,
        })
        .collect();
    let friend_choices: Vec<Choice> = others
        .iter()
        .map(|n| Choice {
            id: n.clone(),
            label: n.clone(),
            checked: seen.participant.friends.contains(n),
        })
        .collect();
    let meter = seen
        .outcome
        .meter
        .as_ref()
        .map(|m| meter_view(&engine, ui, m));
    let q = seen.outcome.results.query.clone();
    let html = state.render(
        ui,
        &uri.to_string(),
        "room.html",
        context! {
            room => &seen.room,
            version => seen.room.version(),
            nickname => &seen.participant.nickname,
            shared => s.query.is_some(),
            q, results, algorithm,
            letter => &seen.plan.letter,
            blind => s.blind,
            persona => seen.plan.viewer.persona_id().and(seen.audience_name.clone()),
            free_choice => s.assignment == Assignment::Free,
            choose_friends => s.friends == FriendsMode::Chosen,
            friends_mode => match s.friends { FriendsMode::None => "none", FriendsMode::Room => "room", FriendsMode::Chosen => "chosen" },
            choices, friend_choices, others,
            meter,
            ranked => seen.outcome.results.ranked,
            total => seen.outcome.results.total_hits,
        },
    )?;
    let cookie = seen.outcome.recorded.then(|| {
        visitor::set_cookie(
            &seen.participant.session,
            state.settings.retention.as_secs(),
        )
    });
    Ok(with_cookie(html, cookie))
}

async fn choose(
    State(state): State<AppState>,
    Path(code): Path<String>,
    peer: Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    visitor::same_site(&headers)?;
    let f = Params::form(&body)?;
    let algorithm = f.text("algorithm").map(str::to_string);
    let friends: Option<Vec<String>> =
        (f.get("friends-sent").is_some()).then(|| f.all("friends").map(str::to_string).collect());
    let st = state.clone();
    let room = blocking(move || {
        let session = visitor::session(&headers, &st.store);
        let (room, p) = st
            .workshop
            .seat_in(&code, session.as_ref())
            .map_err(|r| refused(&st, r))?;
        st.limits.write(Some(&p.session), peer)?;
        st.workshop
            .choose(&room, &p, algorithm.as_deref(), friends.as_deref())
            .map_err(|r| refused(&st, r))?;
        Ok(room)
    })
    .await?;
    Ok(see_other(&format!("/rooms/{}", room.code)))
}

#[derive(Serialize)]
struct Column {
    who: String,
    algorithm: String,
    results: Vec<RoomResult>,
}

/// "Compare with …": the room's (or the typed) query under a classmate's
/// algorithm and profile, beside one's own. Nothing is recorded.
async fn classmate(
    State(state): State<AppState>,
    Ui(ui): Ui,
    Path(code): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, WebError> {
    let engine = state.engine()?;
    let with = params.text("with").unwrap_or("").to_string();
    let typed = params.get("q").unwrap_or("").to_string();
    let (st, e, w) = (state.clone(), engine.clone(), with.clone());
    let columns = blocking(move || {
        let session = visitor::session(&headers, &st.store);
        let (room, me) = st
            .workshop
            .seat_in(&code, session.as_ref())
            .map_err(|r| refused(&st, r))?;
        let other = st
            .workshop
            .participants(&room)
            .map_err(WebError::Internal)?
            .into_iter()
            .find(|p| p.nickname == w && p.session != me.session)
            .ok_or(WebError::NotFound)?;
        let half_life = st.settings.half_life_events;
        let mut cols = Vec::new();
        for p in [&me, &other] {
            let (outcome, plan) = st.workshop.search(
                &e,
                half_life,
                &room,
                p,
                &typed,
                0,
                super::search::PAGE_SIZE,
                false,
            )?;
            let audience_name = outcome.audience.name.clone();
            let seen = Seen {
                room: room.clone(),
                participant: p.clone(),
                plan,
                outcome,
                audience_name,
            };
            cols.push(seen);
        }
        Ok(cols)
    })
    .await?;
    let room = columns[0].room.clone();
    let ids: Vec<Vec<String>> = columns
        .iter()
        .map(|c| {
            c.outcome
                .results
                .results
                .iter()
                .map(|r| r.id.clone())
                .collect()
        })
        .collect();
    let jaccard = crate::compare::jaccard_at(&ids[0], &ids[1], super::search::MIX_K);
    let view: Vec<Column> = columns
        .iter()
        .map(|c| Column {
            who: c.participant.nickname.clone(),
            algorithm: wall::algorithm_shown(&engine, ui, room.settings.blind, &c.plan),
            results: room_results(&engine, ui, c),
        })
        .collect();
    let html = state.render(
        ui,
        &uri.to_string(),
        "room-compare.html",
        context! {
            room => &room,
            q => &columns[0].outcome.results.query,
            columns => view,
            jaccard => format!("{jaccard:.2}"),
            k => super::search::MIX_K,
            with,
        },
    )?;
    Ok(html.into_response())
}

// ------------------------------------------------------------------- live

/// `/rooms/{code}/events`: server-sent events. The leader hears every
/// change and every committed search or click (the wall); a participant of
/// the room only the leader's changes (their page reloads). Browsers
/// reconnect by themselves; `retry` asks them to within a second.
async fn events(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let leader = is_leader(&state, &headers);
    let room = in_room(&state, code, move |st, room| {
        if !leader {
            let session = visitor::session(&headers, &st.store);
            st.workshop
                .seat_in(&room.code, session.as_ref())
                .map_err(|r| refused(&st, r))?;
        }
        Ok(room)
    })
    .await?;
    let live = state.workshop.live.clone();
    let settings = live.settings(&room.code);
    let activity = leader.then(|| live.activity(&room.code));
    // `hello` carries the room's version: a page rendered before a change
    // it did not hear (it subscribed after it) sees that it is stale.
    Ok(Sse::new(stream(room.version(), settings, activity))
        .keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(15)))
        .into_response())
}

type Rx = tokio::sync::broadcast::Receiver<crate::workshop::live::Update>;

fn stream(
    version: String,
    settings: Rx,
    activity: Option<Rx>,
) -> impl futures_util::Stream<Item = Result<Event, Infallible>> {
    use crate::workshop::live::Update;
    use tokio::sync::broadcast::error::RecvError;
    let first = Event::default()
        .event("hello")
        .data(version)
        .retry(std::time::Duration::from_millis(800));
    let state = (settings, activity, Some(first), false);
    futures_util::stream::unfold(state, |(mut s, mut a, first, done)| async move {
        if let Some(ev) = first {
            return Some((Ok(ev), (s, a, None, false)));
        }
        if done {
            return None;
        }
        let got = match &mut a {
            Some(act) => tokio::select! {
                r = s.recv() => r,
                r = act.recv() => r,
            },
            None => s.recv().await,
        };
        let (ev, end) = match got {
            Ok(u) => {
                let end = u == Update::Ended;
                (
                    Event::default().event(u.name()).data(match u {
                        Update::Activity { kind } => kind,
                        _ => "{}",
                    }),
                    end,
                )
            }
            // Too slow to keep up: say so once; the wall refetches anyway.
            Err(RecvError::Lagged(_)) => (Event::default().event("activity").data("lagged"), false),
            Err(RecvError::Closed) => (Event::default().event("ended").data("{}"), true),
        };
        Some((Ok(ev), (s, a, None, end)))
    })
}
