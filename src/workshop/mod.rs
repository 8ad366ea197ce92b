//! Workshop rooms: a leader opens a room, participants join it from their
//! phones with a code and a nickname, and everyone searches the room's
//! query under the algorithm, persona and friends the room gives them. The
//! wall ([`wall`]) shows what each was shown, from the recorded events.
//!
//! Below the web layer: pages, the JSON API and the tests call the same
//! functions. A participant is a session like any other ("me"), seated in
//! one room; what they do there is recorded with the room's code, so the
//! wall and the export read exactly what was recorded, and ending the room
//! deletes their sessions with every row.

pub mod code;
pub mod export;
pub mod live;
pub mod settings;
pub mod wall;

pub use settings::{Assignment, FriendsMode, Invalid, Patch, RoomSettings};

use crate::activity::{self, Outcome, Who};
use crate::engine::{Engine, SearchError};
use crate::lang::Lang;
use crate::store::{Event, Participant, RoomRecord, RoomRows, SessionId, Store, Taken};
use crate::viewer::{Friend, Viewer, recent_clicks};
use serde::Serialize;
use std::sync::Arc;

/// A room with its settings read.
#[derive(Debug, Clone, Serialize)]
pub struct Room {
    pub code: String,
    pub title: String,
    pub created: i64,
    pub settings: RoomSettings,
}

impl Room {
    /// Changes whenever the title or the settings do: pages compare it with
    /// the live stream's to notice a change they missed.
    pub fn version(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.title.hash(&mut h);
        serde_json::to_string(&self.settings)
            .unwrap_or_default()
            .hash(&mut h);
        format!("{:016x}", h.finish())
    }

    fn from_record(r: RoomRecord) -> Room {
        let settings = serde_json::from_str(&r.settings).unwrap_or_else(|e| {
            tracing::warn!(
                "room {} has unreadable settings ({e}); using the defaults",
                r.code
            );
            RoomSettings::default()
        });
        Room {
            code: r.code,
            title: r.title,
            created: r.created,
            settings,
        }
    }
}

/// Why a room action was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("no such room")]
    NoRoom,
    #[error("invalid: {}", .0.key)]
    Invalid(Invalid),
    #[error("the room is locked")]
    Locked,
    #[error("the nickname is taken")]
    Taken { suggestion: String },
    #[error("a nickname needs 1 to 24 letters")]
    BadNickname,
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// What the room gives one participant.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The algorithm's id (hidden from the participant in blind mode).
    pub algorithm: String,
    /// Its position among those the room offers (A = 0).
    pub index: usize,
    /// "A", "B", … : how blind mode names it.
    pub letter: String,
    /// Whom they search as: themselves or the persona the room gave them.
    pub viewer: Viewer,
}

/// The one place rooms live.
pub struct Workshop {
    store: Arc<Store>,
    pub live: Arc<live::Live>,
}

impl Workshop {
    /// Rooms over `store`; every event the store commits in a room is told
    /// to the room's followers.
    pub fn new(store: Arc<Store>) -> Workshop {
        let live = Arc::new(live::Live::default());
        let l = live.clone();
        store.on_commit(Arc::new(move |c| l.committed(&c.room, c.kind)));
        Workshop { store, live }
    }

    pub fn create(&self, engine: &Engine, title: &str, patch: &Patch) -> Result<Room, Refusal> {
        let title = settings::clean_title(title).map_err(Refusal::Invalid)?;
        let mut s = RoomSettings::default();
        s.apply(patch, engine).map_err(Refusal::Invalid)?;
        let json = serde_json::to_string(&s).map_err(anyhow::Error::from)?;
        // 31^6 ≈ 900 million codes: a collision is rare, and retried.
        for _ in 0..16 {
            let code = code::random()?;
            if let Some(r) = self.store.create_room(&code, &title, &json)? {
                tracing::info!(code = %r.code, "room opened");
                return Ok(Room::from_record(r));
            }
        }
        Err(Refusal::Store(anyhow::anyhow!(
            "no free room code was found"
        )))
    }

    pub fn rooms(&self) -> anyhow::Result<Vec<Room>> {
        Ok(self
            .store
            .rooms()?
            .into_iter()
            .map(Room::from_record)
            .collect())
    }

    /// The room with this code, as typed (any case, spaces or dashes).
    pub fn room(&self, typed: &str) -> Result<Room, Refusal> {
        let code = code::parse(typed).ok_or(Refusal::NoRoom)?;
        self.store
            .room(&code)?
            .map(Room::from_record)
            .ok_or(Refusal::NoRoom)
    }

    /// Changes a room and tells everyone in it.
    pub fn update(&self, engine: &Engine, code: &str, patch: &Patch) -> Result<Room, Refusal> {
        let mut room = self.room(code)?;
        if let Some(t) = &patch.title {
            room.title = settings::clean_title(t).map_err(Refusal::Invalid)?;
        }
        room.settings
            .apply(patch, engine)
            .map_err(Refusal::Invalid)?;
        let json = serde_json::to_string(&room.settings).map_err(anyhow::Error::from)?;
        if !self.store.update_room(&room.code, &room.title, &json)? {
            return Err(Refusal::NoRoom);
        }
        self.live.changed(&room.code);
        Ok(room)
    }

    pub fn participants(&self, room: &Room) -> anyhow::Result<Vec<Participant>> {
        self.store.participants(&room.code)
    }

    /// Seats `session` in the room as `nickname`.
    pub fn join(
        &self,
        room: &Room,
        session: &SessionId,
        nickname: &str,
    ) -> Result<Participant, Refusal> {
        let nick = crate::store::clean_nickname(nickname).ok_or(Refusal::BadNickname)?;
        let already = self
            .store
            .participant(session)?
            .is_some_and(|p| p.room == room.code);
        if room.settings.locked && !already {
            return Err(Refusal::Locked);
        }
        match self.store.join_room(session, &room.code, &nick)? {
            Ok(p) => {
                self.live.committed(&room.code, "join");
                Ok(p)
            }
            Err(Taken) => {
                let taken: Vec<String> = self
                    .participants(room)?
                    .into_iter()
                    .map(|p| p.nickname.to_lowercase())
                    .collect();
                Err(Refusal::Taken {
                    suggestion: suggest(&nick, &taken),
                })
            }
        }
    }

    /// Where `session` sits: its room and seat.
    pub fn seat(&self, session: &SessionId) -> anyhow::Result<Option<(Room, Participant)>> {
        let Some(p) = self.store.participant(session)? else {
            return Ok(None);
        };
        Ok(self.store.room(&p.room)?.map(|r| (Room::from_record(r), p)))
    }

    /// The seat of `session` in room `code`: a participant of another room
    /// is told there is no such room.
    pub fn seat_in(
        &self,
        code: &str,
        session: Option<&SessionId>,
    ) -> Result<(Room, Participant), Refusal> {
        let room = self.room(code)?;
        let Some(s) = session else {
            return Err(Refusal::NoRoom);
        };
        match self.store.participant(s)? {
            Some(p) if p.room == room.code => Ok((room, p)),
            _ => Err(Refusal::NoRoom),
        }
    }

    /// `events` of `session` as its owner may see them: while its room is in
    /// blind mode, the algorithm of each event made there is its letter.
    pub fn blinded(&self, session: &SessionId, events: Arc<Vec<Event>>) -> Arc<Vec<Event>> {
        let Ok(Some((room, _))) = self.seat(session) else {
            return events;
        };
        if !room.settings.blind {
            return events;
        }
        let letter = |id: &str| {
            room.settings
                .algorithms
                .iter()
                .position(|a| a == id)
                .map_or_else(|| "?".to_string(), settings::blind_label)
        };
        Arc::new(
            events
                .iter()
                .map(|e| match e.room.as_deref() {
                    Some(r) if r == room.code => Event {
                        algorithm: letter(&e.algorithm),
                        ..e.clone()
                    },
                    _ => e.clone(),
                })
                .collect(),
        )
    }

    /// A participant's own choices, where the room allows them.
    pub fn choose(
        &self,
        room: &Room,
        p: &Participant,
        algorithm: Option<&str>,
        friends: Option<&[String]>,
    ) -> Result<(), Refusal> {
        let choice = match algorithm {
            Some(a) if room.settings.algorithms.iter().any(|x| x == a) => Some(a.to_string()),
            Some(a) => {
                return Err(Refusal::Invalid(Invalid {
                    key: "bad_unknown_algorithm",
                    args: vec![("algorithm", a.to_string())],
                }));
            }
            None => p.choice.clone(),
        };
        let friends = match friends {
            Some(list) => {
                let seated = self.participants(room)?;
                list.iter()
                    .filter(|n| {
                        seated
                            .iter()
                            .any(|s| &s.nickname == *n && s.session != p.session)
                    })
                    .cloned()
                    .collect()
            }
            None => p.friends.clone(),
        };
        self.store
            .set_choices(&p.session, choice.as_deref(), &friends)?;
        Ok(())
    }

    /// What the room gives `p` now.
    pub fn plan(&self, room: &Room, p: &Participant) -> Plan {
        let s = &room.settings;
        let index = s.algorithm_index(p.seat, p.choice.as_deref());
        Plan {
            algorithm: s
                .algorithms
                .get(index)
                .cloned()
                .unwrap_or_else(|| "relevance".into()),
            index,
            letter: settings::blind_label(index),
            viewer: s
                .persona(p.seat)
                .map_or(Viewer::Me, |id| Viewer::Persona(id.to_string())),
        }
    }

    /// The friends the room gives `p`, with their recent clicks; `None`
    /// when the room gives none.
    pub fn friends(
        &self,
        engine: &Engine,
        half_life: f64,
        room: &Room,
        p: &Participant,
    ) -> anyhow::Result<Option<Vec<Friend>>> {
        let wanted = |other: &Participant| match room.settings.friends {
            FriendsMode::None => false,
            FriendsMode::Room => true,
            FriendsMode::Chosen => p.friends.contains(&other.nickname),
        };
        if room.settings.friends == FriendsMode::None {
            return Ok(None);
        }
        let mut out = Vec::new();
        for other in self.participants(room)? {
            if other.session == p.session || !wanted(&other) {
                continue;
            }
            let viewer = self.plan(room, &other).viewer;
            let events = self.store.events(&other.session)?;
            out.push(Friend {
                name: other.nickname.clone(),
                clicked: recent_clicks(&events, viewer.id(), &engine.corpus, half_life),
            });
        }
        Ok(Some(out))
    }

    /// Who `p` is when searching in the room.
    pub fn who(&self, engine: &Engine, half_life: f64, room: &Room, p: &Participant) -> Who {
        let friends = self
            .friends(engine, half_life, room, p)
            .unwrap_or_else(|e| {
                tracing::warn!("friends could not be read: {e:#}");
                None
            });
        Who {
            viewer: self.plan(room, p).viewer,
            session: Some(p.session.clone()),
            room: Some(room.code.clone()),
            friends,
        }
    }

    /// A participant's search: the room's query when it has one (else
    /// `typed`), under their plan; recorded when `record`.
    #[allow(clippy::too_many_arguments)]
    pub fn search(
        &self,
        engine: &Engine,
        half_life: f64,
        room: &Room,
        p: &Participant,
        typed: &str,
        offset: usize,
        limit: usize,
        record: bool,
    ) -> Result<(Outcome, Plan), SearchError> {
        let plan = self.plan(room, p);
        let query = room.settings.query.as_deref().unwrap_or(typed);
        let who = self.who(engine, half_life, room, p);
        let req = activity::Request {
            query,
            algorithm: &plan.algorithm,
            offset,
            limit,
            lang: None,
            record,
        };
        let out = activity::search(engine, &self.store, half_life, who, &req, || None)?;
        Ok((out, plan))
    }

    /// Deletes the clicks made in the room, and tells everyone.
    pub fn reset_clicks(&self, room: &Room) -> anyhow::Result<usize> {
        let n = self.store.reset_room_clicks(&room.code)?;
        self.live.changed(&room.code);
        Ok(n)
    }

    /// The wall: what each participant was shown for the room's query.
    pub fn wall(&self, engine: &Engine, ui: Lang, room: &Room) -> anyhow::Result<wall::Wall> {
        let seats = self.participants(room)?.into_iter().map(|p| {
            Ok(wall::Seated {
                events: self.store.events(&p.session)?,
                plan: self.plan(room, &p),
                participant: p,
            })
        });
        wall::build(engine, ui, room, seats)
    }

    /// Everything recorded in the room, for the export.
    pub fn export(&self, room: &Room) -> anyhow::Result<export::Export> {
        let seated = self.seated(room)?;
        Ok(export::build(room, &seated))
    }

    fn seated(&self, room: &Room) -> anyhow::Result<Vec<wall::Seated>> {
        self.participants(room)?
            .into_iter()
            .map(|p| {
                let events = self.store.events(&p.session)?;
                let plan = self.plan(room, &p);
                Ok(wall::Seated {
                    participant: p,
                    plan,
                    events,
                })
            })
            .collect()
    }

    /// Ends the workshop: deletes the room, its participants' sessions and
    /// every row about them; returns what was deleted.
    pub fn end(&self, room: &Room) -> anyhow::Result<RoomRows> {
        let rows = self.store.end_room(&room.code)?;
        self.live.ended(&room.code);
        tracing::info!(
            code = %room.code,
            sessions = rows.sessions,
            events = rows.events,
            "workshop ended; its data is deleted"
        );
        Ok(rows)
    }
}

/// A free nickname like the one asked for: `Ada` → `Ada 2`, `Ada 3`, …
fn suggest(nick: &str, taken_lower: &[String]) -> String {
    for n in 2.. {
        let tail = format!(" {n}");
        let keep = crate::store::MAX_NICKNAME.saturating_sub(tail.chars().count());
        let candidate: String = nick.chars().take(keep).collect::<String>() + &tail;
        if !taken_lower.contains(&candidate.to_lowercase()) {
            return candidate;
        }
    }
    unreachable!("some number is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_nickname_gets_a_free_suggestion() {
        let taken = vec!["ada".to_string(), "ada 2".to_string()];
        assert_eq!(suggest("Ada", &taken), "Ada 3");
        let long = "x".repeat(24);
        assert_eq!(suggest(&long, &[]).chars().count(), 24);
    }
}
