//! Workshop rooms and their participants. A room's settings are kept as the
//! JSON the workshop layer writes (the store does not interpret them); a
//! participant is a session seated in one room under a nickname that is
//! unique in it. Ending a room deletes its participants' sessions with all
//! their rows, in one transaction.

use super::session::SessionId;
use super::{Store, now};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

/// A room as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoomRecord {
    pub code: String,
    pub title: String,
    /// Unix time, seconds.
    pub created: i64,
    /// The workshop layer's settings, as JSON.
    pub settings: String,
}

/// A session seated in a room.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    #[serde(skip)]
    pub session: SessionId,
    pub room: String,
    pub nickname: String,
    /// Join order in the room, from 0 (round-robin assignment reads it).
    pub seat: u32,
    pub joined: i64,
    /// The algorithm chosen, where the room lets participants choose.
    pub choice: Option<String>,
    /// Nicknames chosen as friends, where the room lets participants choose.
    pub friends: Vec<String>,
}

/// The nickname is taken in that room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken;

/// Rows deleted when a room ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RoomRows {
    pub rooms: usize,
    pub participants: usize,
    pub sessions: usize,
    pub events: usize,
    pub impressions: usize,
}

const PARTICIPANT: &str =
    "SELECT session, room, nickname, seat, joined, choice, friends FROM participants";

fn participant(r: &Row) -> rusqlite::Result<Participant> {
    let session: String = r.get(0)?;
    let friends: String = r.get(6)?;
    Ok(Participant {
        session: SessionId::stored(session),
        room: r.get(1)?,
        nickname: r.get(2)?,
        seat: r.get(3)?,
        joined: r.get(4)?,
        choice: r.get(5)?,
        friends: serde_json::from_str(&friends).unwrap_or_default(),
    })
}

fn room(r: &Row) -> rusqlite::Result<RoomRecord> {
    Ok(RoomRecord {
        code: r.get(0)?,
        title: r.get(1)?,
        created: r.get(2)?,
        settings: r.get(3)?,
    })
}

impl Store {
    /// Creates a room; `Ok(None)` when the code is in use (pick another).
    pub fn create_room(
        &self,
        code: &str,
        title: &str,
        settings: &str,
    ) -> anyhow::Result<Option<RoomRecord>> {
        let created = now();
        let inserted = self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO rooms (code, title, created, settings) VALUES (?1, ?2, ?3, ?4)",
                params![code, title, created, settings],
            )
        })?;
        Ok((inserted == 1).then(|| RoomRecord {
            code: code.to_string(),
            title: title.to_string(),
            created,
            settings: settings.to_string(),
        }))
    }

    /// Every room, oldest first.
    pub fn rooms(&self) -> anyhow::Result<Vec<RoomRecord>> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT code, title, created, settings FROM rooms ORDER BY created, code",
            )?;
            let rows = stmt.query_map([], room)?;
            rows.collect()
        })
    }

    pub fn room(&self, code: &str) -> anyhow::Result<Option<RoomRecord>> {
        self.read_memo(
            |m| m.rooms.get(code).cloned(),
            |c| {
                c.prepare_cached(
                    "SELECT code, title, created, settings FROM rooms WHERE code = ?1",
                )?
                .query_row([code], room)
                .optional()
            },
            |m, r| {
                m.rooms.insert(code.to_string(), r.clone());
            },
        )
    }

    /// Replaces a room's title and settings; false when there is no such room.
    pub fn update_room(&self, code: &str, title: &str, settings: &str) -> anyhow::Result<bool> {
        let n = self.write(|tx| {
            tx.execute(
                "UPDATE rooms SET title = ?2, settings = ?3 WHERE code = ?1",
                params![code, title, settings],
            )
        })?;
        Ok(n == 1)
    }

    /// Seats `session` in room `code` as `nickname` (already cleaned), and
    /// names the session so. A session sits in one room at a time: joining
    /// another leaves the first. Joining the same room again under the same
    /// nickname keeps the seat.
    pub fn join_room(
        &self,
        session: &SessionId,
        code: &str,
        nickname: &str,
    ) -> anyhow::Result<Result<Participant, Taken>> {
        let joined = now();
        self.write(|tx| {
            let taken = tx
                .query_row(
                    "SELECT session FROM participants WHERE room = ?1 AND nickname = ?2 COLLATE NOCASE",
                    params![code, nickname],
                    |r| r.get::<_, String>(0),
                )
                .optional()?;
            match taken {
                Some(s) if s != session.as_str() => return Ok(Err(Taken)),
                _ => {}
            }
            let current = tx
                .query_row(
                    &format!("{PARTICIPANT} WHERE session = ?1"),
                    [session.as_str()],
                    participant,
                )
                .optional()?;
            if let Some(p) = &current
                && p.room == code
            {
                tx.execute(
                    "UPDATE participants SET nickname = ?2 WHERE session = ?1",
                    params![session.as_str(), nickname],
                )?;
            } else {
                tx.execute(
                    "DELETE FROM participants WHERE session = ?1",
                    [session.as_str()],
                )?;
                tx.execute(
                    "INSERT INTO participants (session, room, nickname, seat, joined, friends) \
                     VALUES (?1, ?2, ?3, \
                       (SELECT COALESCE(MAX(seat) + 1, 0) FROM participants WHERE room = ?2), ?4, '[]')",
                    params![session.as_str(), code, nickname, joined],
                )?;
            }
            tx.execute(
                "UPDATE sessions SET nickname = ?2, last_seen = ?3 WHERE id = ?1",
                params![session.as_str(), nickname, joined],
            )?;
            let p = tx.query_row(
                &format!("{PARTICIPANT} WHERE session = ?1"),
                [session.as_str()],
                participant,
            )?;
            Ok(Ok(p))
        })
    }

    /// A room's participants in join order.
    pub fn participants(&self, code: &str) -> anyhow::Result<Vec<Participant>> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached(&format!("{PARTICIPANT} WHERE room = ?1 ORDER BY seat"))?;
            let rows = stmt.query_map([code], participant)?;
            rows.collect()
        })
    }

    /// Where `session` sits, if anywhere.
    pub fn participant(&self, session: &SessionId) -> anyhow::Result<Option<Participant>> {
        self.read_memo(
            |m| m.participants.get(session.as_str()).cloned(),
            |c| {
                c.prepare_cached(&format!("{PARTICIPANT} WHERE session = ?1"))?
                    .query_row([session.as_str()], participant)
                    .optional()
            },
            |m, p| {
                m.participants
                    .insert(session.as_str().to_string(), p.clone());
            },
        )
    }

    /// A participant's own choices: algorithm and friends.
    pub fn set_choices(
        &self,
        session: &SessionId,
        choice: Option<&str>,
        friends: &[String],
    ) -> anyhow::Result<()> {
        let friends = serde_json::to_string(friends)?;
        self.write(|tx| {
            tx.execute(
                "UPDATE participants SET choice = ?2, friends = ?3 WHERE session = ?1",
                params![session.as_str(), choice, friends],
            )
        })?;
        Ok(())
    }

    /// Deletes the clicks made in a room (its participants' profiles and the
    /// live counts then forget them); searches stay. Returns clicks deleted.
    pub fn reset_room_clicks(&self, code: &str) -> anyhow::Result<usize> {
        self.write_then(
            |tx| {
                tx.execute(
                    "DELETE FROM events WHERE room = ?1 AND kind = 'click'",
                    [code],
                )
            },
            |inner, _| {
                self.cached().clear();
                self.reload_clicks(&inner.conn);
            },
        )
    }

    /// Ends a room: deletes it, its participants, their sessions and every
    /// row about them, in one transaction.
    pub fn end_room(&self, code: &str) -> anyhow::Result<RoomRows> {
        self.write_then(
            |tx| {
                let seated: Vec<String> = {
                    let mut stmt =
                        tx.prepare_cached("SELECT session FROM participants WHERE room = ?1")?;
                    let rows = stmt.query_map([code], |r| r.get(0))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                let mut rows = RoomRows::default();
                for s in &seated {
                    rows.impressions += tx.execute(
                        "DELETE FROM impressions WHERE event IN (SELECT id FROM events WHERE session = ?1)",
                        [s],
                    )?;
                    rows.events += tx.execute("DELETE FROM events WHERE session = ?1", [s])?;
                    rows.participants +=
                        tx.execute("DELETE FROM participants WHERE session = ?1", [s])?;
                    rows.sessions += tx.execute("DELETE FROM sessions WHERE id = ?1", [s])?;
                }
                rows.rooms = tx.execute("DELETE FROM rooms WHERE code = ?1", [code])?;
                Ok(rows)
            },
            |inner, _| {
                self.cached().clear();
                self.reload_clicks(&inner.conn);
            },
        )
    }

    /// Deletes rooms created before `cutoff` that nobody sits in any more
    /// (their participants' sessions were purged by the retention rule).
    pub(super) fn purge_rooms(tx: &rusqlite::Transaction, cutoff: i64) -> rusqlite::Result<usize> {
        tx.execute(
            "DELETE FROM rooms WHERE created < ?1 \
             AND NOT EXISTS (SELECT 1 FROM participants WHERE participants.room = rooms.code)",
            [cutoff],
        )
    }
}
