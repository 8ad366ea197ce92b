//! Events: searches with what they showed, clicks; read back per session
//! (kept in memory after the first read) and the live click counts.

use super::session::SessionId;
use super::sessions::touch;
use super::{Inner, Status, Store, now, retry};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Documents recorded per shown page.
pub const MAX_IMPRESSIONS: usize = 100;

/// One recorded event, as `/me` shows it and profiles read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub id: i64,
    /// Unix time, seconds.
    pub time: i64,
    #[serde(flatten)]
    pub kind: EventKind,
    /// Who the search was made as: `me` or a persona id.
    pub viewer: String,
    pub algorithm: String,
    pub query: String,
    /// The workshop room it was made in, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
}

/// What was just committed, for whoever follows a room live (the wall).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub room: String,
    pub session: SessionId,
    /// `query` or `click`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum EventKind {
    /// A search; `shown` holds the documents on the page, best first, from
    /// rank `first_rank`.
    Query { first_rank: u32, shown: Vec<String> },
    /// A click on a result through `/go`.
    Click { doc: String, rank: u32 },
}

/// A search to record.
#[derive(Debug, Clone)]
pub struct NewQuery<'a> {
    pub query: &'a str,
    pub algorithm: &'a str,
    pub viewer: &'a str,
    pub first_rank: u32,
    pub shown: Vec<&'a str>,
    pub room: Option<&'a str>,
}

/// A click to record.
#[derive(Debug, Clone)]
pub struct NewClick<'a> {
    pub doc: &'a str,
    pub rank: u32,
    pub query: &'a str,
    pub algorithm: &'a str,
    pub viewer: &'a str,
    pub room: Option<&'a str>,
}

/// Sessions whose events are kept in memory at most; beyond, the cache is
/// emptied and refilled on demand.
const CACHED_SESSIONS: usize = 5_000;

/// A search or a click waiting to be committed, with everything it writes.
#[derive(Debug)]
pub(super) struct Job {
    session: SessionId,
    time: i64,
    query: String,
    algorithm: String,
    viewer: String,
    room: Option<String>,
    kind: EventKind,
}

/// What committing a job gave: the event's id, and for a click whether it
/// was the session's first on that document.
pub(super) type Done = (i64, bool);

impl Job {
    /// Writes the job's rows (in the caller's transaction).
    pub(super) fn apply(&self, tx: &Connection) -> rusqlite::Result<Done> {
        let id = self.session.as_str();
        let (kind, doc, rank) = match &self.kind {
            EventKind::Query { first_rank, .. } => ("query", None, *first_rank),
            EventKind::Click { doc, rank } => ("click", Some(doc.as_str()), *rank),
        };
        // A session counts once per document towards its views.
        let first = match doc {
            None => false,
            Some(doc) => tx
                .prepare_cached(
                    "SELECT 1 FROM events WHERE session = ?1 AND kind = 'click' AND doc = ?2 LIMIT 1",
                )?
                .query_row(params![id, doc], |_| Ok(()))
                .optional()?
                .is_none(),
        };
        tx.prepare_cached(
            "INSERT INTO events (session, time, kind, query, algorithm, viewer, doc, rank, room) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            id,
            self.time,
            kind,
            self.query,
            self.algorithm,
            self.viewer,
            doc,
            rank,
            self.room
        ])?;
        let event = tx.last_insert_rowid();
        if let EventKind::Query { first_rank, shown } = &self.kind {
            let mut ins = tx
                .prepare_cached("INSERT INTO impressions (event, rank, doc) VALUES (?1, ?2, ?3)")?;
            for (i, doc) in shown.iter().enumerate() {
                ins.execute(params![event, i64::from(*first_rank) + i as i64, doc])?;
            }
        }
        touch(tx, &self.session, self.time)?;
        Ok((event, first))
    }
}

impl Store {
    pub fn record_query(&self, id: &SessionId, q: &NewQuery<'_>) -> anyhow::Result<i64> {
        let shown = q
            .shown
            .iter()
            .take(MAX_IMPRESSIONS)
            .map(|d| d.to_string())
            .collect();
        let job = Job {
            session: id.clone(),
            time: now(),
            query: capped(q.query),
            algorithm: q.algorithm.to_string(),
            viewer: q.viewer.to_string(),
            room: q.room.map(str::to_string),
            kind: EventKind::Query {
                first_rank: q.first_rank,
                shown,
            },
        };
        Ok(self.commit_job(job)?.0)
    }

    /// Records a click. Every click is an event in the session's history,
    /// but a session counts once per document towards its views, so that
    /// clicking the same result again and again cannot lift it.
    pub fn record_click(&self, id: &SessionId, c: &NewClick<'_>) -> anyhow::Result<i64> {
        let job = Job {
            session: id.clone(),
            time: now(),
            query: capped(c.query),
            algorithm: c.algorithm.to_string(),
            viewer: c.viewer.to_string(),
            room: c.room.map(str::to_string),
            kind: EventKind::Click {
                doc: c.doc.to_string(),
                rank: c.rank,
            },
        };
        Ok(self.commit_job(job)?.0)
    }

    /// After a job is committed (with the connection held, which `_held`
    /// stands for): the session's events in memory, the live click counts
    /// and the room's followers learn of it.
    pub(super) fn committed_job(&self, _held: &mut Inner, job: Job, (event, first): Done) {
        if let EventKind::Click { doc, .. } = &job.kind
            && first
        {
            *self
                .clicks
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .entry(doc.clone())
                .or_default() += 1;
        }
        let kind = match job.kind {
            EventKind::Query { .. } => "query",
            EventKind::Click { .. } => "click",
        };
        let (room, session) = (job.room.clone(), job.session.clone());
        if let Some(list) = self.cached().get_mut(job.session.as_str()) {
            Arc::make_mut(list).push(Event {
                id: event,
                time: job.time,
                kind: job.kind,
                viewer: job.viewer,
                algorithm: job.algorithm,
                query: job.query,
                room: job.room,
            });
        }
        self.committed(room.as_deref(), &session, kind);
    }

    /// Every event of the session, oldest first (shared: read from the
    /// database once, then kept up to date in memory).
    pub fn events(&self, id: &SessionId) -> anyhow::Result<Arc<Vec<Event>>> {
        let known = |s: &Store| {
            s.events
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .get(id.as_str())
                .cloned()
        };
        if let Some(list) = known(self) {
            return Ok(list);
        }
        let inner = self.lock()?;
        // Filled meanwhile by another reader?
        if let Some(list) = known(self) {
            return Ok(list);
        }
        let list = Arc::new(retry(|| load_events(&inner.conn, id))?);
        let mut cached = self.cached();
        if cached.len() >= CACHED_SESSIONS {
            cached.clear();
        }
        cached.insert(id.as_str().to_string(), list.clone());
        Ok(list)
    }

    /// Live clicks on a document: the sessions that clicked it.
    pub fn clicks_on(&self, doc: &str) -> u64 {
        self.clicks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(doc)
            .copied()
            .unwrap_or(0)
    }

    /// Recounts the live clicks from the database; called with the lock
    /// held, so no click can slip in between the count and the swap.
    pub(super) fn reload_clicks(&self, conn: &Connection) {
        let counts: anyhow::Result<HashMap<String, u64>> = retry(|| {
            let mut stmt = conn.prepare_cached(
                "SELECT doc, COUNT(DISTINCT session) FROM events WHERE kind = 'click' GROUP BY doc",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            rows.map(|r| r.map(|(d, n)| (d, n.max(0) as u64))).collect()
        });
        match counts {
            Ok(c) => *self.clicks.write().unwrap_or_else(|p| p.into_inner()) = c,
            // Keep the counts known so far rather than showing 0 views.
            Err(e) => {
                tracing::warn!("live clicks could not be counted: {e:#}");
                self.set_status(Status::Failing(format!("{e:#}")));
            }
        }
    }
}

impl crate::engine::ClickCounts for Store {
    fn clicks_on(&self, doc: &str) -> u64 {
        Store::clicks_on(self, doc)
    }
}

/// All of a session's events, oldest first. Each search's documents are
/// gathered by SQLite (one row per event, not per document).
pub(super) fn load_events(c: &Connection, id: &SessionId) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = c.prepare_cached(
        "SELECT e.id, e.time, e.kind, e.query, e.algorithm, e.viewer, e.doc, e.rank, e.room, \
           (SELECT group_concat(doc, char(10) ORDER BY rank) FROM impressions WHERE event = e.id) \
         FROM events e WHERE e.session = ?1 ORDER BY e.id",
    )?;
    let rows = stmt.query_map([id.as_str()], |r| {
        let kind: String = r.get(2)?;
        let kind = if kind == "click" {
            EventKind::Click {
                doc: r.get(6)?,
                rank: r.get(7)?,
            }
        } else {
            let shown: Option<String> = r.get(9)?;
            EventKind::Query {
                first_rank: r.get::<_, Option<u32>>(7)?.unwrap_or(1),
                shown: shown
                    .map(|s| s.split('\n').map(str::to_string).collect())
                    .unwrap_or_default(),
            }
        };
        Ok(Event {
            id: r.get(0)?,
            time: r.get(1)?,
            kind,
            query: r.get(3)?,
            algorithm: r.get(4)?,
            viewer: r.get(5)?,
            room: r.get(8)?,
        })
    })?;
    rows.collect()
}

/// A query as stored: what the engine searched (see
/// [`crate::index::query::searched_text`]).
fn capped(query: &str) -> String {
    crate::index::query::searched_text(query)
}
