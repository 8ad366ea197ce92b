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

mod events;
mod migrations;
mod rooms;
mod session;
mod sessions;

pub use events::{Committed, Event, EventKind, MAX_IMPRESSIONS, NewClick, NewQuery};
pub use rooms::{Participant, RoomRecord, RoomRows, Taken};
pub use session::{SessionId, random_hex};
pub use sessions::{MAX_NICKNAME, clean_nickname};

use rusqlite::{Connection, ErrorCode, OpenFlags};
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// File name of the database in the data folder.
pub const DB_FILE: &str = "bubbla.sqlite";

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

/// Rows held or removed, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Rows {
    pub sessions: usize,
    pub events: usize,
    pub impressions: usize,
}

/// The connection. Whoever holds it may write; the events kept in memory
/// and the memo change only while it is held (the database stays the truth;
/// they are filled from it and changed only with it).
struct Inner {
    conn: Connection,
}

/// Each session's events in memory, by session id: a search reads its
/// viewer's events on every request, so they are kept after the first read.
/// Changed only with the connection held (filled from the database, or
/// after a commit), but read without it: a request reading its history does
/// not wait behind a commit.
type Cached = HashMap<String, Arc<Vec<Event>>>;

pub struct Store {
    conn: Option<Mutex<Inner>>,
    /// Searches and clicks waiting for the next group commit (see
    /// [`Store::commit_job`]), each with the slot its answer goes to.
    queue: Mutex<Vec<(events::Job, Arc<Slot>)>>,
    events: RwLock<Cached>,
    /// Answers to the point reads every room request makes, kept until
    /// the next write that could change them (see [`Memo`]).
    memo: RwLock<Memo>,
    status: RwLock<Status>,
    /// Clicks per document over all sessions (the live part of popularity).
    clicks: RwLock<HashMap<String, u64>>,
    path: Option<PathBuf>,
    /// Told of every event committed in a room (see [`Store::on_commit`]).
    listener: RwLock<Option<Listener>>,
}

/// What [`Store::on_commit`] calls.
pub type Listener = Arc<dyn Fn(&Committed) + Send + Sync>;

/// What every request in a room asks before it searches or clicks (is
/// this session known, whose seat is it, which room), remembered so that
/// they do not wait for the connection behind the writes. Only this process
/// writes the database (as with the events kept in memory): every write
/// except a search's or click's events empties it, under the connection's
/// lock, and it is filled under that lock too, so it never holds an answer
/// older than the last write.
#[derive(Debug, Default)]
struct Memo {
    sessions: std::collections::HashSet<String>,
    participants: HashMap<String, Option<Participant>>,
    rooms: HashMap<String, Option<RoomRecord>>,
}

/// Entries the memo holds at most before it starts again.
const MEMO_MAX: usize = 50_000;

impl Memo {
    fn clear_all(&mut self) {
        *self = Memo::default();
    }

    fn len(&self) -> usize {
        self.sessions.len() + self.participants.len() + self.rooms.len()
    }
}

/// Where a queued job's outcome is left for the thread that asked.
type Slot = Mutex<Option<anyhow::Result<events::Done>>>;

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
            queue: Mutex::default(),
            events: RwLock::default(),
            memo: RwLock::default(),
            status: RwLock::new(Status::Off(reason)),
            clicks: RwLock::default(),
            path: None,
            listener: RwLock::default(),
        }
    }

    fn with(conn: Connection, status: Status, path: Option<PathBuf>) -> Store {
        Store {
            conn: Some(Mutex::new(Inner { conn })),
            events: RwLock::default(),
            queue: Mutex::default(),
            memo: RwLock::default(),
            status: RwLock::new(status),
            clicks: RwLock::default(),
            path,
            listener: RwLock::default(),
        }
    }

    /// Calls `f` after every event committed in a room, still under the
    /// write lock (so in commit order); `f` must be quick and not call the
    /// store (a broadcast send).
    pub fn on_commit(&self, f: Listener) {
        *self.listener.write().unwrap_or_else(|p| p.into_inner()) = Some(f);
    }

    fn committed(&self, room: Option<&str>, session: &SessionId, kind: &'static str) {
        let Some(room) = room else { return };
        if let Some(f) = &*self.listener.read().unwrap_or_else(|p| p.into_inner()) {
            f(&Committed {
                room: room.to_string(),
                session: session.clone(),
                kind,
            });
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
        let result = immediate(&mut inner.conn, &f);
        if let Ok(v) = &result {
            self.memo
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .clear_all();
            then(inner, v);
        }
        // The state shown in the footer follows the outcome of this write.
        self.wrote(&result);
        result
    }

    /// A point read answered from the memo when it can be (`hit`), else
    /// from the database (`f`), remembered with `keep` while the
    /// connection is still held.
    fn read_memo<T>(
        &self,
        hit: impl FnOnce(&Memo) -> Option<T>,
        f: impl Fn(&Connection) -> rusqlite::Result<T>,
        keep: impl FnOnce(&mut Memo, &T),
    ) -> anyhow::Result<T> {
        if let Some(v) = hit(&self.memo.read().unwrap_or_else(|p| p.into_inner())) {
            return Ok(v);
        }
        let inner = self.lock()?;
        let v = retry(|| f(&inner.conn))?;
        let mut memo = self.memo.write().unwrap_or_else(|p| p.into_inner());
        if memo.len() >= MEMO_MAX {
            memo.clear_all();
        }
        keep(&mut memo, &v);
        drop(memo);
        drop(inner);
        Ok(v)
    }

    /// Commits a search or a click, in a group with whatever others are
    /// waiting, and answers once it is committed.
    ///
    /// Group commit without a writer thread: the job goes into the queue,
    /// then its thread waits for the connection. Whoever holds the
    /// connection commits the whole queue in one transaction and leaves
    /// each job's outcome in its slot, so a thread that gets the connection
    /// may find its job already done. Under load, one commit (and one write
    /// of each changed page to the log) serves a batch instead of one
    /// event; alone, a job is its own batch. An answer still means
    /// committed: a click acknowledged is a click kept.
    fn commit_job(&self, job: events::Job) -> anyhow::Result<events::Done> {
        if !self.recording() {
            anyhow::bail!("recording is off");
        }
        let slot: Arc<Slot> = Arc::default();
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((job, slot.clone()));
        let mut guard = self.lock()?;
        if let Some(done) = take(&slot) {
            return done;
        }
        // Not done, so still queued (jobs leave the queue only under this
        // lock, and their slots are filled before it is let go).
        let batch = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        self.commit_batch(&mut guard, batch);
        take(&slot).unwrap_or_else(|| Err(anyhow::anyhow!("the event was not recorded")))
    }

    fn commit_batch(&self, inner: &mut Inner, batch: Vec<(events::Job, Arc<Slot>)>) {
        let together = immediate(&mut inner.conn, |tx| {
            batch
                .iter()
                .map(|(job, _)| job.apply(tx))
                .collect::<rusqlite::Result<Vec<_>>>()
        });
        match together {
            Ok(done) => {
                self.wrote(&Ok(()));
                for ((job, slot), d) in batch.into_iter().zip(done) {
                    self.committed_job(inner, job, d);
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(Ok(d));
                }
            }
            // One failed, so none was kept: each on its own, so that only
            // the one that fails is lost (and says why).
            Err(_) if batch.len() > 1 => {
                for (job, slot) in batch {
                    let one = immediate(&mut inner.conn, |tx| job.apply(tx));
                    self.wrote(&one);
                    if let Ok(d) = &one {
                        self.committed_job(inner, job, *d);
                    }
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(one);
                }
            }
            Err(e) => {
                let e = Err(e);
                self.wrote(&e);
                if let Some((_, slot)) = batch.first() {
                    *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                }
            }
        }
    }

    /// The events in memory, to change (with the connection held).
    fn cached(&self) -> std::sync::RwLockWriteGuard<'_, Cached> {
        self.events.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Keeps the recording status true to the last write.
    fn wrote<T>(&self, result: &anyhow::Result<T>) {
        match result {
            Ok(_) => {
                if let Status::Failing(_) = self.status() {
                    tracing::info!("the database can be written again; recording is on");
                    self.set_status(Status::On);
                }
            }
            Err(e) => {
                let code = e
                    .downcast_ref::<rusqlite::Error>()
                    .and_then(rusqlite::Error::sqlite_error_code);
                if code == Some(ErrorCode::ConstraintViolation) {
                    // The schema refused this one write (most often it
                    // named a session deleted by its owner or by the end of
                    // a workshop while its request was on its way): the
                    // database itself is fine, so recording stays as it is.
                    tracing::info!("a write was refused: {e:#}");
                } else if matches!(
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

/// Runs `f` in one transaction and commits it, retried while the database
/// is busy. IMMEDIATE: take the write lock first, so that a write that reads
/// before it writes waits for another writer (busy timeout) instead of
/// failing at once when it upgrades.
fn immediate<T>(
    conn: &mut Connection,
    f: impl Fn(&rusqlite::Transaction) -> rusqlite::Result<T>,
) -> anyhow::Result<T> {
    retry(|| {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let v = f(&tx)?;
        tx.commit()?;
        Ok(v)
    })
}

fn take(slot: &Slot) -> Option<anyhow::Result<events::Done>> {
    slot.lock().unwrap_or_else(|p| p.into_inner()).take()
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn prepare(c: &Connection) -> rusqlite::Result<()> {
    c.busy_timeout(BUSY_TIMEOUT)?;
    // The statements of every search and click are prepared once and kept
    // (`prepare_cached`): under load, preparing them again was a twentieth
    // of the server's time.
    c.set_prepared_statement_cache_capacity(64);
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
    // In WAL mode, NORMAL syncs at checkpoints rather than at every commit:
    // a committed event survives the process being killed (it is in the
    // WAL file the kernel holds), and only a power cut can take back the
    // last commits. That is the promise bubbla makes about clicks; a
    // classroom's 300 writes a second no longer wait on the disk each.
    c.pragma_update(None, "synchronous", "NORMAL")?;
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
