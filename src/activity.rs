//! One search by someone, the use case every page shares: who is searching
//! → search → record → meter. `/search`, the API, workshop rooms (and later
//! the lab and the simulation) call [`search`]; `/compare` and `/me` call
//! [`audience`]. Nothing here knows HTTP: the web layer decides whether a
//! request may record (its own navigation, rate limits) and turns the
//! outcome into a page.

use crate::engine::{ClickCounts, Engine, SearchError, SearchOptions, SearchResults};
use crate::lang::Lang;
use crate::store::{NewQuery, SessionId, Store};
use crate::viewer::{Audience, Friend, Meter, Viewer};
use std::sync::Arc;

/// Who is searching.
#[derive(Debug, Clone)]
pub struct Who {
    pub viewer: Viewer,
    /// The session the request belongs to, if the store knows it.
    pub session: Option<SessionId>,
    /// The workshop room the search is made in: recorded with it.
    pub room: Option<String>,
    /// Friends given by a room; `None` keeps the viewer's own (a persona's
    /// declared friends; nobody for "me").
    pub friends: Option<Vec<Friend>>,
}

impl Who {
    /// Somebody outside any room.
    pub fn alone(viewer: Viewer, session: Option<SessionId>) -> Who {
        Who {
            viewer,
            session,
            room: None,
            friends: None,
        }
    }
}

/// Everything ranking may use about a searcher (reads the store).
pub fn audience(engine: &Engine, store: &Store, half_life: f64, who: &Who) -> Audience {
    let mut a = match &who.viewer {
        Viewer::Incognito => Audience::anonymous(Viewer::Incognito),
        Viewer::Persona(id) => engine
            .persona_audience(id, half_life)
            .unwrap_or_else(|| Audience::anonymous(who.viewer.clone())),
        Viewer::Me => match &who.session {
            None => Audience::anonymous(Viewer::Me),
            Some(s) => {
                let events = store.events(s).unwrap_or_else(|e| {
                    tracing::warn!("events could not be read: {e:#}");
                    Default::default()
                });
                Audience {
                    viewer: Viewer::Me,
                    name: store.nickname(s),
                    profile: engine.profile(&events, "me", half_life),
                    friends: Vec::new(),
                }
            }
        },
    };
    if who.viewer != Viewer::Incognito
        && let Some(friends) = &who.friends
    {
        a.friends = friends.clone();
    }
    a
}

/// One search to run.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub query: &'a str,
    pub algorithm: &'a str,
    pub offset: usize,
    pub limit: usize,
    pub lang: Option<Lang>,
    /// Whether it is to be recorded (the caller checked that it may be).
    pub record: bool,
}

/// What one search produced.
pub struct Outcome {
    pub results: SearchResults,
    pub audience: Arc<Audience>,
    /// The session after the search: the one given, or the one started to
    /// record it.
    pub session: Option<SessionId>,
    /// True when the search was written to the store.
    pub recorded: bool,
    /// The searcher's diversity meter, over what they were shown.
    pub meter: Option<Meter>,
}

/// Searches as `who`, records the search when asked (starting a session
/// with `start_session` when there is none), and reads the meter after it.
pub fn search(
    engine: &Engine,
    store: &Arc<Store>,
    half_life: f64,
    who: Who,
    req: &Request<'_>,
    start_session: impl FnOnce() -> Option<SessionId>,
) -> Result<Outcome, SearchError> {
    let audience = Arc::new(audience(engine, store, half_life, &who));
    let opts = SearchOptions {
        algorithm: req.algorithm.to_string(),
        offset: req.offset,
        limit: req.limit,
        lang: req.lang,
        audience: Some(audience.clone()),
        clicks: Some(store.clone() as Arc<dyn ClickCounts>),
    };
    let results = engine.search(req.query, &opts)?;
    let mut session = who.session.clone();
    let mut recorded = false;
    let record = req.record && !req.query.trim().is_empty() && who.viewer != Viewer::Incognito;
    if record && let Some(id) = session.clone().or_else(start_session) {
        let new = NewQuery {
            query: req.query,
            algorithm: req.algorithm,
            viewer: who.viewer.id(),
            first_rank: results.results.first().map_or(1, |r| r.rank as u32),
            shown: results.results.iter().map(|r| r.id.as_str()).collect(),
            room: who.room.as_deref(),
        };
        match store.record_query(&id, &new) {
            Ok(_) => {
                recorded = true;
                session = Some(id);
            }
            Err(err) => tracing::warn!("search not recorded: {err:#}"),
        }
    }
    // The meter reads what "me" was shown; in a room, also what a
    // participant was shown as their assigned persona.
    let metered = match &who.viewer {
        Viewer::Me => true,
        Viewer::Persona(_) => who.room.is_some(),
        Viewer::Incognito => false,
    };
    let meter = match &session {
        Some(s) if metered => store
            .events(s)
            .ok()
            .and_then(|events| crate::viewer::meter(&events, who.viewer.id(), &engine.corpus)),
        _ => None,
    };
    Ok(Outcome {
        results,
        audience,
        session,
        recorded,
        meter,
    })
}
