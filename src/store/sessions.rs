//! Sessions: created, looked up, named, counted, deleted and purged.

use super::session::SessionId;
use super::{Inner, Rows, Store, now};
use rusqlite::{OptionalExtension, params};
use std::time::Duration;

/// Longest nickname, in characters.
pub const MAX_NICKNAME: usize = 24;

impl Store {
    /// Starts a new, empty session.
    pub fn new_session(&self) -> anyhow::Result<SessionId> {
        let id = SessionId::random()?;
        let now = now();
        self.write(|tx| {
            tx.execute(
                "INSERT INTO sessions (id, created, last_seen) VALUES (?1, ?2, ?2)",
                params![id.as_str(), now],
            )
        })?;
        Ok(id)
    }

    /// True when the session exists (its id came from this store).
    pub fn session_exists(&self, id: &SessionId) -> bool {
        self.find_session(id).unwrap_or(false)
    }

    /// Whether the session exists; an error when the database cannot say.
    pub fn find_session(&self, id: &SessionId) -> anyhow::Result<bool> {
        self.read_memo(
            |m| m.sessions.contains(id.as_str()).then_some(true),
            |c| {
                Ok(c.prepare_cached("SELECT 1 FROM sessions WHERE id = ?1")?
                    .query_row([id.as_str()], |_| Ok(()))
                    .optional()?
                    .is_some())
            },
            |m, &found| {
                if found {
                    m.sessions.insert(id.as_str().to_string());
                }
            },
        )
    }

    pub fn nickname(&self, id: &SessionId) -> Option<String> {
        self.read(|c| {
            c.query_row(
                "SELECT nickname FROM sessions WHERE id = ?1",
                [id.as_str()],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
        })
        .ok()
        .flatten()
        .flatten()
    }

    /// Sets (or with an empty name, clears) the session's nickname.
    pub fn set_nickname(&self, id: &SessionId, name: &str) -> anyhow::Result<()> {
        let name = clean_nickname(name);
        self.write(|tx| {
            tx.execute(
                "UPDATE sessions SET nickname = ?2 WHERE id = ?1",
                params![id.as_str(), name.as_deref()],
            )
        })?;
        Ok(())
    }

    /// Rows held about a session, in all tables (tests and `/me`).
    pub fn rows_of(&self, id: &SessionId) -> anyhow::Result<Rows> {
        self.read(|c| {
            let count = |sql: &str| c.query_row(sql, [id.as_str()], |r| r.get::<_, i64>(0));
            Ok(Rows {
                sessions: count("SELECT COUNT(*) FROM sessions WHERE id = ?1")? as usize,
                events: count("SELECT COUNT(*) FROM events WHERE session = ?1")? as usize,
                impressions: count(
                    "SELECT COUNT(*) FROM impressions WHERE event IN \
                     (SELECT id FROM events WHERE session = ?1)",
                )? as usize,
            })
        })
    }

    /// Rows in all tables, over all sessions.
    pub fn total_rows(&self) -> anyhow::Result<Rows> {
        self.read(|c| {
            let count = |sql: &str| c.query_row(sql, [], |r| r.get::<_, i64>(0));
            Ok(Rows {
                sessions: count("SELECT COUNT(*) FROM sessions")? as usize,
                events: count("SELECT COUNT(*) FROM events")? as usize,
                impressions: count("SELECT COUNT(*) FROM impressions")? as usize,
            })
        })
    }

    /// Deletes the session and everything recorded about it.
    pub fn delete_session(&self, id: &SessionId) -> anyhow::Result<Rows> {
        let forget = |inner: &mut Inner, _: &Rows| {
            self.cached().remove(id.as_str());
            self.reload_clicks(&inner.conn);
        };
        let removed = self.write_then(
            |tx| {
                let impressions = tx.execute(
                "DELETE FROM impressions WHERE event IN (SELECT id FROM events WHERE session = ?1)",
                [id.as_str()],
            )?;
                let events = tx.execute("DELETE FROM events WHERE session = ?1", [id.as_str()])?;
                let sessions = tx.execute("DELETE FROM sessions WHERE id = ?1", [id.as_str()])?;
                Ok(Rows {
                    sessions,
                    events,
                    impressions,
                })
            },
            forget,
        )?;
        Ok(removed)
    }

    /// Deletes events older than `max_age`, and sessions idle that long.
    pub fn purge(&self, max_age: Duration) -> anyhow::Result<Rows> {
        let cutoff = now() - i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX / 2);
        let removed = self.write_then(
            |tx| {
                let impressions = tx.execute(
                "DELETE FROM impressions WHERE event IN (SELECT id FROM events WHERE time < ?1)",
                [cutoff],
            )?;
                let events = tx.execute("DELETE FROM events WHERE time < ?1", [cutoff])?;
                let sessions = tx.execute(
                    "DELETE FROM sessions WHERE last_seen < ?1 \
                 AND NOT EXISTS (SELECT 1 FROM events WHERE events.session = sessions.id)",
                    [cutoff],
                )?;
                Store::purge_rooms(tx, cutoff)?;
                Ok(Rows {
                    sessions,
                    events,
                    impressions,
                })
            },
            |inner, removed| {
                if removed.events + removed.sessions > 0 {
                    self.cached().clear();
                    self.reload_clicks(&inner.conn);
                }
            },
        )?;
        Ok(removed)
    }
}

/// A nickname as stored: trimmed, control characters removed, at most
/// [`MAX_NICKNAME`] characters; `None` when nothing is left.
pub fn clean_nickname(name: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    let cleaned: String = name
        .nfc()
        .filter(|c| !c.is_control() && !crate::text::is_format(*c))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_NICKNAME)
        .collect();
    (!cleaned.is_empty()).then_some(cleaned)
}

pub(super) fn touch(tx: &rusqlite::Connection, id: &SessionId, now: i64) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE sessions SET last_seen = ?2 WHERE id = ?1")?
        .execute(params![id.as_str(), now])?;
    Ok(())
}
