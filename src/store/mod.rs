//! State: one SQLite file (`<data>/bubbla.sqlite`) holding what bubbla
//! records about its visitors — anonymous sessions and their events
//! (searches with what they were shown, clicks). Nothing else is kept about a
//! person, and everything kept is readable ([`Store::events`]) and deletable
//! ([`Store::delete_session`]) by that session only.
//!
//! Recording is best effort and never blocks searching: a busy database is
//! retried, a read-only or broken one turns recording off (reported in the
//! page footer) and searches go on. WAL mode lets readers and the writer
//! work side by side.

mod migrations;
mod session;

pub use session::SessionId;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// File name of the database in the data folder.
pub const DB_FILE: &str = "bubbla.sqlite";
/// Longest nickname, in characters.
pub const MAX_NICKNAME: usize = 24;
/// Documents recorded per shown page.
pub const MAX_IMPRESSIONS: usize = 100;

/// Whether events are being recorded, and why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "reason", rename_all = "kebab-case")]
pub enum Status {
    On,
    /// The file could be read but not written.
    ReadOnly(String),
    /// No database at all.
    Off(String),
    /// The last write failed (a full disk, a damaged file): nothing is being
    /// saved, but every new write is tried, and the first that succeeds
    /// turns recording on again.
    Failing(String),
}

impl Status {
    /// A short name for pages and tests: `on`, `read-only`, `off`, `failing`.
    pub fn name(&self) -> &'static str {
        match self {
            Status::On => "on",
            Status::ReadOnly(_) => "read-only",
            Status::Off(_) => "off",
            Status::Failing(_) => "failing",
        }
    }
}

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
}

/// A click to record.
#[derive(Debug, Clone)]
pub struct NewClick<'a> {
    pub doc: &'a str,
    pub rank: u32,
    pub query: &'a str,
    pub algorithm: &'a str,
    pub viewer: &'a str,
}

/// Rows held or removed, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rows {
    pub sessions: usize,
    pub events: usize,
    pub impressions: usize,
}

/// The connection, and each read session's events in memory: a search reads
/// its viewer's events on every request, so they are kept after the first
/// read and updated under the same lock as every write (the database stays
/// the truth; the cache is filled from it and changed only with it).
struct Inner {
    conn: Connection,
    events: HashMap<String, Arc<Vec<Event>>>,
}

/// Sessions whose events are kept in memory at most; beyond, the cache is
/// emptied and refilled on demand.
const CACHED_SESSIONS: usize = 5_000;

pub struct Store {
    conn: Option<Mutex<Inner>>,
    status: RwLock<Status>,
    /// Clicks per document over all sessions (the live part of popularity).
    clicks: RwLock<HashMap<String, u64>>,
    path: Option<PathBuf>,
}

/// Attempts after the busy timeout before a write is given up.
const ATTEMPTS: u32 = 3;
const BUSY_TIMEOUT: Duration = Duration::from_millis(500);

impl Store {
    /// Opens (or creates) the database in `data_dir`. Never fails: when the
    /// file cannot be written, the store reads only; when it cannot be opened
    /// at all, recording is off. [`Store::status`] says which.
    pub fn open(data_dir: &Path) -> Store {
        let path = data_dir.join(DB_FILE);
        let store = match open_rw(data_dir, &path) {
            Ok(conn) => {
                // A file whose header is intact but whose pages are damaged
                // opens fine and fails every write: say so from the start.
                let status = match integrity(&conn) {
                    Ok(()) => Status::On,
                    Err(why) => {
                        tracing::warn!("database {} is damaged: {why}", path.display());
                        Status::Failing(why)
                    }
                };
                Store::with(conn, status, Some(path.clone()))
            }
            Err(rw_err) => {
                tracing::warn!("database {} cannot be written: {rw_err:#}", path.display());
                match open_ro(&path) {
                    Ok(conn) => Store::with(
                        conn,
                        Status::ReadOnly(format!("{rw_err:#}")),
                        Some(path.clone()),
                    ),
                    Err(e) => {
                        tracing::warn!("database {} cannot be opened: {e:#}", path.display());
                        Store::off(format!("{rw_err:#}"))
                    }
                }
            }
        };
        if let Ok(inner) = store.lock() {
            store.reload_clicks(&inner.conn);
        }
        store
    }

    /// A private database in memory (tests and one-off commands).
    pub fn in_memory() -> Store {
        let conn = Connection::open_in_memory()
            .map_err(anyhow::Error::from)
            .and_then(|mut c| {
                prepare(&c)?;
                migrations::migrate(&mut c)?;
                Ok(c)
            });
        match conn {
            Ok(c) => Store::with(c, Status::On, None),
            Err(e) => Store::off(format!("{e:#}")),
        }
    }

    /// A store that records nothing.
    pub fn off(reason: String) -> Store {
        Store {
            conn: None,
            status: RwLock::new(Status::Off(reason)),
            clicks: RwLock::default(),
            path: None,
        }
    }

    fn with(conn: Connection, status: Status, path: Option<PathBuf>) -> Store {
        Store {
            conn: Some(Mutex::new(Inner {
                conn,
                events: HashMap::new(),
            })),
            status: RwLock::new(status),
            clicks: RwLock::default(),
            path,
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn status(&self) -> Status {
        self.status
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// True when new events are to be written: recording is on, or the
    /// last write failed and the next one may work again.
    pub fn recording(&self) -> bool {
        matches!(self.status(), Status::On | Status::Failing(_))
    }

    fn set_status(&self, s: Status) {
        *self.status.write().unwrap_or_else(|p| p.into_inner()) = s;
    }

    fn lock(&self) -> anyhow::Result<std::sync::MutexGuard<'_, Inner>> {
        let Some(inner) = &self.conn else {
            anyhow::bail!("recording is off");
        };
        Ok(inner.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` on the connection; busy or locked databases are retried.
    fn read<T>(&self, f: impl Fn(&Connection) -> rusqlite::Result<T>) -> anyhow::Result<T> {
        let inner = self.lock()?;
        retry(|| f(&inner.conn))
    }

    /// Runs `f` in a transaction when recording is on. A database that
    /// turns out to be read-only switches recording off.
    fn write<T>(
        &self,
        f: impl Fn(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> anyhow::Result<T> {
        self.write_then(f, |_, _| {})
    }

    /// Like [`Store::write`]; after the commit, and still under the lock,
    /// `then` updates what is kept in memory (the events, the click counts),
    /// so memory and database change together.
    fn write_then<T>(
        &self,
        f: impl Fn(&rusqlite::Transaction) -> rusqlite::Result<T>,
        then: impl FnOnce(&mut Inner, &T),
    ) -> anyhow::Result<T> {
        if !self.recording() {
            anyhow::bail!("recording is off");
        }
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        let result = retry(|| {
            // IMMEDIATE: take the write lock first, so that a write that
            // reads before it writes waits for another writer (busy
            // timeout) instead of failing at once when it upgrades.
            let tx = inner
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let v = f(&tx)?;
            tx.commit()?;
            Ok(v)
        });
        // The state shown in the footer follows the outcome of this write.
        match &result {
            Ok(v) => {
                then(inner, v);
                if let Status::Failing(_) = self.status() {
                    tracing::info!("the database can be written again; recording is on");
                    self.set_status(Status::On);
                }
            }
            Err(e) => {
                let code = e
                    .downcast_ref::<rusqlite::Error>()
                    .and_then(rusqlite::Error::sqlite_error_code);
                if matches!(
                    code,
                    Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
                ) {
                    tracing::warn!("the database became read-only: {e:#}; recording is off");
                    self.set_status(Status::ReadOnly(format!("{e:#}")));
                } else {
                    tracing::warn!("a write failed: {e:#}; nothing is being recorded");
                    self.set_status(Status::Failing(format!("{e:#}")));
                }
            }
        }
        result
    }

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
        let found = self.read(|c| {
            c.query_row(
                "SELECT 1 FROM sessions WHERE id = ?1",
                [id.as_str()],
                |_| Ok(()),
            )
            .optional()
        })?;
        Ok(found.is_some())
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

    pub fn record_query(&self, id: &SessionId, q: &NewQuery<'_>) -> anyhow::Result<i64> {
        let now = now();
        let query = capped(q.query);
        let shown: Vec<String> = q
            .shown
            .iter()
            .take(MAX_IMPRESSIONS)
            .map(|d| d.to_string())
            .collect();
        let append = |inner: &mut Inner, event: &i64| {
            if let Some(list) = inner.events.get_mut(id.as_str()) {
                Arc::make_mut(list).push(Event {
                    id: *event,
                    time: now,
                    kind: EventKind::Query {
                        first_rank: q.first_rank,
                        shown: shown.clone(),
                    },
                    viewer: q.viewer.to_string(),
                    algorithm: q.algorithm.to_string(),
                    query: query.to_string(),
                });
            }
        };
        self.write_then(
            |tx| {
                tx.execute(
                    "INSERT INTO events (session, time, kind, query, algorithm, viewer, rank) \
                 VALUES (?1, ?2, 'query', ?3, ?4, ?5, ?6)",
                    params![id.as_str(), now, query, q.algorithm, q.viewer, q.first_rank],
                )?;
                let event = tx.last_insert_rowid();
                let mut ins = tx.prepare_cached(
                    "INSERT INTO impressions (event, rank, doc) VALUES (?1, ?2, ?3)",
                )?;
                for (i, doc) in shown.iter().enumerate() {
                    ins.execute(params![event, i64::from(q.first_rank) + i as i64, doc])?;
                }
                touch(tx, id, now)?;
                Ok(event)
            },
            append,
        )
    }

    /// Records a click. Every click is an event in the session's history,
    /// but a session counts once per document towards its views, so that
    /// clicking the same result again and again cannot lift it.
    pub fn record_click(&self, id: &SessionId, c: &NewClick<'_>) -> anyhow::Result<i64> {
        let now = now();
        let query = capped(c.query);
        let append = |inner: &mut Inner, &(event, first): &(i64, bool)| {
            if let Some(list) = inner.events.get_mut(id.as_str()) {
                Arc::make_mut(list).push(Event {
                    id: event,
                    time: now,
                    kind: EventKind::Click {
                        doc: c.doc.to_string(),
                        rank: c.rank,
                    },
                    viewer: c.viewer.to_string(),
                    algorithm: c.algorithm.to_string(),
                    query: query.to_string(),
                });
            }
            if first {
                *self
                    .clicks
                    .write()
                    .unwrap_or_else(|p| p.into_inner())
                    .entry(c.doc.to_string())
                    .or_default() += 1;
            }
        };
        let (event, _) = self.write_then(
            |tx| {
                let first = tx
                    .query_row(
                        "SELECT 1 FROM events WHERE session = ?1 AND kind = 'click' AND doc = ?2 LIMIT 1",
                        params![id.as_str(), c.doc],
                        |_| Ok(()),
                    )
                    .optional()?
                    .is_none();
                tx.execute(
                    "INSERT INTO events (session, time, kind, query, algorithm, viewer, doc, rank) \
                 VALUES (?1, ?2, 'click', ?3, ?4, ?5, ?6, ?7)",
                    params![
                        id.as_str(),
                        now,
                        query,
                        c.algorithm,
                        c.viewer,
                        c.doc,
                        c.rank
                    ],
                )?;
                let event = tx.last_insert_rowid();
                touch(tx, id, now)?;
                Ok((event, first))
            },
            append,
        )?;
        Ok(event)
    }

    /// Every event of the session, oldest first (shared: read from the
    /// database once, then kept up to date in memory).
    pub fn events(&self, id: &SessionId) -> anyhow::Result<Arc<Vec<Event>>> {
        let mut guard = self.lock()?;
        let inner = &mut *guard;
        if let Some(list) = inner.events.get(id.as_str()) {
            return Ok(list.clone());
        }
        let list = Arc::new(retry(|| load_events(&inner.conn, id))?);
        if inner.events.len() >= CACHED_SESSIONS {
            inner.events.clear();
        }
        inner.events.insert(id.as_str().to_string(), list.clone());
        Ok(list)
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
            inner.events.remove(id.as_str());
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
                Ok(Rows {
                    sessions,
                    events,
                    impressions,
                })
            },
            |inner, removed| {
                if removed.events + removed.sessions > 0 {
                    inner.events.clear();
                    self.reload_clicks(&inner.conn);
                }
            },
        )?;
        Ok(removed)
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
    fn reload_clicks(&self, conn: &Connection) {
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

    /// Caps the file at its current size, as a full disk would (`true`), or
    /// lifts the cap again (`false`) (tests).
    #[doc(hidden)]
    pub fn simulate_full_disk(&self, full: bool) -> anyhow::Result<()> {
        self.read(|c| {
            let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            let cap = if full { pages.max(1) } else { 1 << 30 };
            c.query_row(&format!("PRAGMA max_page_count = {cap}"), [], |r| {
                r.get::<_, i64>(0)
            })?;
            Ok(())
        })
    }

    /// Makes every later write fail as on a read-only file (tests).
    #[doc(hidden)]
    pub fn simulate_read_only(&self) -> anyhow::Result<()> {
        self.read(|c| c.execute_batch("PRAGMA query_only = ON"))
    }
}

impl crate::engine::ClickCounts for Store {
    fn clicks_on(&self, doc: &str) -> u64 {
        Store::clicks_on(self, doc)
    }
}

/// All of a session's events, oldest first. Each search's documents are
/// gathered by SQLite (one row per event, not per document).
fn load_events(c: &Connection, id: &SessionId) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = c.prepare_cached(
        "SELECT e.id, e.time, e.kind, e.query, e.algorithm, e.viewer, e.doc, e.rank, \
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
            let shown: Option<String> = r.get(8)?;
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
        })
    })?;
    rows.collect()
}

/// A query as stored: what the engine searched (see
/// [`crate::index::query::searched_text`]).
fn capped(query: &str) -> String {
    crate::index::query::searched_text(query)
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

fn touch(tx: &rusqlite::Transaction, id: &SessionId, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sessions SET last_seen = ?2 WHERE id = ?1",
        params![id.as_str(), now],
    )?;
    Ok(())
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn prepare(c: &Connection) -> rusqlite::Result<()> {
    c.busy_timeout(BUSY_TIMEOUT)?;
    c.execute_batch("PRAGMA foreign_keys = ON;")
}

fn open_rw(data_dir: &Path, path: &Path) -> anyhow::Result<Connection> {
    std::fs::create_dir_all(data_dir)?;
    let mut c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    prepare(&c)?;
    if c.is_readonly(rusqlite::MAIN_DB)? {
        anyhow::bail!("the file is read-only");
    }
    retry(|| c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)))?;
    migrations::migrate(&mut c)?;
    Ok(c)
}

/// SQLite's quick check of every page (fast for a week of events).
fn integrity(c: &Connection) -> Result<(), String> {
    match c.query_row("PRAGMA quick_check(1)", [], |r| r.get::<_, String>(0)) {
        Ok(ok) if ok == "ok" => Ok(()),
        Ok(problem) => Err(format!("database disk image is malformed ({problem})")),
        Err(e) => Err(format!("{e}")),
    }
}

fn open_ro(path: &Path) -> anyhow::Result<Connection> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    prepare(&c)?;
    let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != migrations::VERSION {
        anyhow::bail!(
            "the read-only database has schema version {version}, bubbla needs {}",
            migrations::VERSION
        );
    }
    Ok(c)
}

/// Retries `f` while the database is busy or locked (after SQLite's own
/// busy timeout), a few times with a short pause.
fn retry<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> anyhow::Result<T> {
    let mut attempt = 1;
    loop {
        match f() {
            Ok(v) => return Ok(v),
            Err(e)
                if attempt < ATTEMPTS
                    && matches!(
                        e.sqlite_error_code(),
                        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                    ) =>
            {
                tracing::debug!("database busy (attempt {attempt}): {e}");
                std::thread::sleep(Duration::from_millis(20 * u64::from(attempt)));
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests;
