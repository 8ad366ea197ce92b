use super::*;

fn query<'a>(q: &'a str, shown: Vec<&'a str>) -> NewQuery<'a> {
    NewQuery {
        query: q,
        algorithm: "relevance",
        viewer: "me",
        first_rank: 1,
        shown,
        room: None,
    }
}

fn click<'a>(doc: &'a str, rank: u32) -> NewClick<'a> {
    NewClick {
        doc,
        rank,
        query: "varg",
        algorithm: "relevance",
        viewer: "me",
        room: None,
    }
}

#[test]
fn events_come_back_oldest_first_with_what_was_shown() {
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    s.record_query(&me, &query("varg", vec!["a", "b", "c"]))
        .expect("query");
    s.record_click(&me, &click("b", 2)).expect("click");
    let events = s.events(&me).expect("events");
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0].kind,
        EventKind::Query {
            first_rank: 1,
            shown: vec!["a".into(), "b".into(), "c".into()]
        }
    );
    assert_eq!(
        events[1].kind,
        EventKind::Click {
            doc: "b".into(),
            rank: 2
        }
    );
    assert_eq!(s.clicks_on("b"), 1);
    assert_eq!(s.clicks_on("a"), 0);
}

#[test]
fn deleting_a_session_removes_its_rows_and_no_others() {
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    let other = s.new_session().expect("session");
    for who in [&me, &other] {
        s.record_query(who, &query("varg", vec!["a", "b"]))
            .expect("query");
        s.record_click(who, &click("a", 1)).expect("click");
    }
    assert_eq!(s.clicks_on("a"), 2);
    let removed = s.delete_session(&me).expect("delete");
    assert_eq!(
        removed,
        Rows {
            sessions: 1,
            events: 2,
            impressions: 2
        }
    );
    assert_eq!(s.rows_of(&me).expect("rows"), Rows::default());
    assert_eq!(
        s.rows_of(&other).expect("rows"),
        Rows {
            sessions: 1,
            events: 2,
            impressions: 2
        }
    );
    assert!(!s.session_exists(&me));
    assert!(s.session_exists(&other));
    // The deleted click no longer counts for popularity.
    assert_eq!(s.clicks_on("a"), 1);
}

#[test]
fn purging_removes_old_events_only() {
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    s.record_query(&me, &query("varg", vec!["a"]))
        .expect("query");
    s.record_click(&me, &click("a", 1)).expect("click");
    assert_eq!(
        s.events(&me).expect("events").len(),
        2,
        "the events are now in memory"
    );
    // Nothing is a week old yet.
    assert_eq!(
        s.purge(Duration::from_secs(7 * 86_400)).expect("purge"),
        Rows::default()
    );
    // Age the first event by hand.
    s.read(|c| {
        c.execute(
            "UPDATE events SET time = time - 10 * 86400 WHERE kind = 'query'",
            [],
        )
    })
    .expect("age");
    let removed = s.purge(Duration::from_secs(7 * 86_400)).expect("purge");
    assert_eq!(removed.events, 1);
    assert_eq!(removed.impressions, 1);
    assert_eq!(removed.sessions, 0, "the session still has a recent click");
    assert_eq!(
        s.events(&me).expect("events").len(),
        1,
        "memory follows the purge"
    );
    assert_eq!(s.clicks_on("a"), 1);
}

#[test]
fn idle_empty_sessions_are_purged() {
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    s.read(|c| c.execute("UPDATE sessions SET last_seen = last_seen - 8 * 86400", []))
        .expect("age");
    assert_eq!(
        s.purge(Duration::from_secs(7 * 86_400))
            .expect("purge")
            .sessions,
        1
    );
    assert!(!s.session_exists(&me));
}

#[test]
fn nicknames_are_cleaned_and_limited() {
    assert_eq!(
        clean_nickname("  Varg\u{0}fan  99 "),
        Some("Vargfan 99".into())
    );
    assert_eq!(clean_nickname(" \t "), None);
    assert_eq!(
        clean_nickname(&"å".repeat(100)).map(|n| n.chars().count()),
        Some(MAX_NICKNAME)
    );
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    s.set_nickname(&me, "<b>Kim</b>").expect("nickname");
    assert_eq!(
        s.nickname(&me).as_deref(),
        Some("<b>Kim</b>"),
        "stored as typed, escaped when shown"
    );
}

#[test]
fn a_read_only_database_turns_recording_off_and_still_reads() {
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    s.record_query(&me, &query("varg", vec!["a"]))
        .expect("query");
    s.simulate_read_only().expect("query_only");
    assert!(s.record_click(&me, &click("a", 1)).is_err());
    assert!(matches!(s.status(), Status::ReadOnly(_)));
    assert!(!s.recording());
    assert_eq!(s.events(&me).expect("still readable").len(), 1);
}

#[test]
fn the_file_is_created_migrated_and_reopened() {
    let dir = tempfile::tempdir().expect("tmp");
    let me = {
        let s = Store::open(dir.path());
        assert_eq!(s.status(), Status::On);
        let me = s.new_session().expect("session");
        s.record_click(&me, &click("a", 1)).expect("click");
        me
    };
    let s = Store::open(dir.path());
    assert_eq!(s.status(), Status::On);
    assert!(s.session_exists(&me));
    assert_eq!(s.clicks_on("a"), 1, "live clicks survive a restart");
    let version: i64 = s
        .read(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
        .expect("version");
    assert_eq!(version, migrations::VERSION);
}

#[test]
fn a_newer_schema_is_not_touched() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let c = Connection::open(dir.path().join(DB_FILE)).expect("open");
        c.pragma_update(None, "user_version", 99).expect("version");
    }
    let s = Store::open(dir.path());
    assert!(!s.recording());
    assert!(matches!(s.status(), Status::Off(_) | Status::ReadOnly(_)));
}

#[test]
fn a_busy_database_is_waited_for() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = Store::open(dir.path());
    let me = s.new_session().expect("session");
    // Another connection holds the write lock for a moment.
    let other = Connection::open(dir.path().join(DB_FILE)).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("lock");
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        other.execute_batch("COMMIT").expect("unlock");
    });
    s.record_click(&me, &click("a", 1))
        .expect("written after the lock is gone");
    release.join().expect("thread");
    assert_eq!(s.events(&me).expect("events").len(), 1);
}

#[test]
fn a_folder_that_cannot_hold_a_database_means_recording_off() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "x").expect("write");
    let s = Store::open(&file);
    assert!(matches!(s.status(), Status::Off(_)));
    assert!(s.new_session().is_err());
    assert_eq!(s.clicks_on("a"), 0);
}

#[test]
fn events_in_memory_follow_every_write() {
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    s.record_query(&me, &query("a", vec!["x", "y"]))
        .expect("query");
    let first = s.events(&me).expect("events");
    assert_eq!(first.len(), 1);
    s.record_click(&me, &click("y", 2)).expect("click");
    let second = s.events(&me).expect("events");
    assert_eq!(second.len(), 2, "a write after the first read is seen");
    assert_eq!(
        first.len(),
        1,
        "an earlier snapshot is not changed under its reader"
    );
    // What memory holds is what the database holds.
    let from_disk = events::load_events(&s.lock().expect("lock").conn, &me).expect("load");
    assert_eq!(*second, from_disk);
    s.delete_session(&me).expect("delete");
    assert!(s.events(&me).expect("events").is_empty());
}

#[test]
fn rooms_seat_unique_nicknames_and_ending_deletes_every_row() {
    let s = Store::in_memory();
    s.create_room("ABC234", "Demo", "{}")
        .expect("create")
        .expect("new code");
    assert!(
        s.create_room("ABC234", "Again", "{}")
            .expect("create")
            .is_none(),
        "a code in use is not taken twice"
    );
    s.create_room("XYZ789", "Other", "{}")
        .expect("create")
        .expect("new");
    let (a, b, c) = (
        s.new_session().expect("a"),
        s.new_session().expect("b"),
        s.new_session().expect("c"),
    );
    let pa = s
        .join_room(&a, "ABC234", "Ada")
        .expect("join")
        .expect("free");
    assert_eq!((pa.seat, pa.nickname.as_str()), (0, "Ada"));
    assert_eq!(s.join_room(&b, "ABC234", "ada").expect("join"), Err(Taken));
    assert_eq!(
        s.join_room(&b, "ABC234", "Bo")
            .expect("join")
            .map(|p| p.seat),
        Ok(1)
    );
    // The same nickname in another room is free.
    s.join_room(&c, "XYZ789", "Ada")
        .expect("join")
        .expect("free");
    assert_eq!(s.nickname(&a).as_deref(), Some("Ada"));
    let mut q = query("varg", vec!["d1", "d2"]);
    q.room = Some("ABC234");
    s.record_query(&a, &q).expect("query");
    let mut k = click("d1", 1);
    k.room = Some("ABC234");
    s.record_click(&b, &k).expect("click");
    s.record_query(&c, &query("varg", vec!["d1"]))
        .expect("other room");
    assert_eq!(s.clicks_on("d1"), 1);
    assert_eq!(s.reset_room_clicks("ABC234").expect("reset"), 1);
    assert_eq!(s.clicks_on("d1"), 0);
    let ended = s.end_room("ABC234").expect("end");
    assert_eq!(
        ended,
        RoomRows {
            rooms: 1,
            participants: 2,
            sessions: 2,
            events: 1,
            impressions: 2
        }
    );
    assert_eq!(s.rows_of(&a).expect("rows"), Rows::default());
    assert_eq!(s.rows_of(&b).expect("rows"), Rows::default());
    assert_eq!(
        s.rows_of(&c).expect("rows").events,
        1,
        "other rooms keep theirs"
    );
    assert!(s.room("ABC234").expect("read").is_none());
    assert_eq!(s.participants("XYZ789").expect("read").len(), 1);
}

#[test]
fn group_commit_keeps_every_event_of_many_threads_in_order() {
    let dir = tempfile::tempdir().expect("dir");
    let s = Arc::new(Store::open(dir.path()));
    let sessions: Vec<SessionId> = (0..8).map(|_| s.new_session().expect("session")).collect();
    // Read once, so that the events kept in memory must follow the batches.
    for id in &sessions {
        assert!(s.events(id).expect("events").is_empty());
    }
    let threads: Vec<_> = sessions
        .iter()
        .cloned()
        .map(|id| {
            let s = s.clone();
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for i in 0..50u32 {
                    ids.push(
                        s.record_query(&id, &query("varg", vec!["a", "b"]))
                            .expect("query"),
                    );
                    let doc = if i % 2 == 0 { "a" } else { "b" };
                    ids.push(s.record_click(&id, &click(doc, 1 + i % 2)).expect("click"));
                }
                ids
            })
        })
        .collect();
    let mut all = Vec::new();
    for (t, id) in threads.into_iter().zip(&sessions) {
        let ids = t.join().expect("thread");
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "a session's events in order"
        );
        let events = s.events(id).expect("events");
        assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
        assert_eq!(s.rows_of(id).expect("rows").events, 100);
        all.extend(ids);
    }
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), 800, "every event has its own id");
    // Each session clicked both documents: two sessions' worth of views each.
    assert_eq!((s.clicks_on("a"), s.clicks_on("b")), (8, 8));
    // What memory holds is what the file holds.
    drop(s);
    let again = Store::open(dir.path());
    for id in &sessions {
        assert_eq!(again.events(id).expect("events").len(), 100);
    }
}

#[test]
fn remembered_reads_are_forgotten_by_the_writes_that_change_them() {
    let s = Store::in_memory();
    let me = s.new_session().expect("session");
    assert!(s.find_session(&me).expect("read"));
    assert!(s.room("ABC234").expect("read").is_none());
    assert!(s.participant(&me).expect("read").is_none());
    s.create_room("ABC234", "Demo", "{}")
        .expect("create")
        .expect("new");
    assert_eq!(
        s.room("ABC234").expect("read").map(|r| r.title),
        Some("Demo".into())
    );
    s.join_room(&me, "ABC234", "Ada")
        .expect("join")
        .expect("free");
    assert_eq!(
        s.participant(&me).expect("read").map(|p| p.nickname),
        Some("Ada".into())
    );
    s.update_room("ABC234", "Renamed", "{}").expect("update");
    assert_eq!(
        s.room("ABC234").expect("read").map(|r| r.title),
        Some("Renamed".into())
    );
    s.end_room("ABC234").expect("end");
    assert!(s.room("ABC234").expect("read").is_none());
    assert!(s.participant(&me).expect("read").is_none());
    assert!(
        !s.find_session(&me).expect("read"),
        "ending deleted the session"
    );
    let other = s.new_session().expect("session");
    assert!(s.find_session(&other).expect("read"));
    s.delete_session(&other).expect("delete");
    assert!(!s.find_session(&other).expect("read"));
}

#[test]
fn a_job_that_fails_in_a_batch_loses_only_itself() {
    let s = Arc::new(Store::in_memory());
    let (a, b) = (s.new_session().expect("a"), s.new_session().expect("b"));
    let ghost = SessionId::random().expect("id"); // never stored: its event breaks a foreign key
    // Hold the connection so that all three wait in one queue, one batch.
    let held = s.lock().expect("lock");
    let threads: Vec<_> = [a.clone(), ghost, b.clone()]
        .into_iter()
        .map(|id| {
            let s = s.clone();
            std::thread::spawn(move || s.record_query(&id, &query("varg", vec!["x"])).is_ok())
        })
        .collect();
    while s.queue.lock().expect("queue").len() < 3 {
        std::thread::yield_now();
    }
    drop(held);
    let ok: Vec<bool> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(ok, [true, false, true]);
    assert_eq!(s.rows_of(&a).expect("rows").events, 1);
    assert_eq!(s.rows_of(&b).expect("rows").events, 1);
}

#[test]
fn a_write_for_a_deleted_session_is_refused_and_recording_stays_on() {
    // As when a workshop ends while a participant's search is on its way.
    let s = Store::in_memory();
    let gone = s.new_session().expect("session");
    s.delete_session(&gone).expect("delete");
    assert!(s.record_query(&gone, &query("varg", vec!["x"])).is_err());
    assert!(s.record_click(&gone, &click("x", 1)).is_err());
    assert_eq!(s.status(), Status::On);
    let other = s.new_session().expect("session");
    s.record_query(&other, &query("varg", vec!["x"]))
        .expect("recorded");
}
