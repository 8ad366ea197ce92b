//! The schema, as numbered steps. `PRAGMA user_version` records how many
//! have run; each runs once, in a transaction, in order. Never edit a step
//! that has shipped: add the next one.

use rusqlite::Connection;

const STEPS: &[&str] = &[
    // 1: sessions, their events and what each search showed.
    "CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        nickname TEXT,
        created INTEGER NOT NULL,
        last_seen INTEGER NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        time INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('query', 'click')),
        query TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        viewer TEXT NOT NULL,
        doc TEXT,
        rank INTEGER
    );
    CREATE INDEX events_by_session ON events(session, id);
    CREATE INDEX events_by_time ON events(time);
    CREATE INDEX clicks_by_doc ON events(doc) WHERE kind = 'click';
    CREATE TABLE impressions (
        event INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (event, rank)
    );",
    // 2: workshop rooms, their participants, and the room an event was made in.
    "ALTER TABLE events ADD COLUMN room TEXT;
    CREATE INDEX events_by_room ON events(room) WHERE room IS NOT NULL;
    CREATE TABLE rooms (
        code TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created INTEGER NOT NULL,
        settings TEXT NOT NULL
    );
    CREATE TABLE participants (
        session TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        room TEXT NOT NULL REFERENCES rooms(code) ON DELETE CASCADE,
        nickname TEXT NOT NULL,
        seat INTEGER NOT NULL,
        joined INTEGER NOT NULL,
        choice TEXT,
        friends TEXT NOT NULL DEFAULT '[]'
    );
    CREATE UNIQUE INDEX participants_by_nickname ON participants(room, nickname COLLATE NOCASE);
    CREATE INDEX participants_by_room ON participants(room, seat);",
    // 3: whether a session already clicked a document (asked at every
    // click) without reading all of the session's events.
    "CREATE INDEX clicks_by_session_doc ON events(session, doc) WHERE kind = 'click';",
];

/// The schema version this build of bubbla writes.
pub const VERSION: i64 = STEPS.len() as i64;

pub fn migrate(c: &mut Connection) -> anyhow::Result<()> {
    let current: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > VERSION {
        anyhow::bail!(
            "the database has schema version {current}, newer than this bubbla ({VERSION}); use a newer bubbla or another data folder"
        );
    }
    for (i, step) in STEPS.iter().enumerate().skip(current as usize) {
        let tx = c.transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
        tracing::info!("database schema migrated to version {}", i + 1);
    }
    Ok(())
}
