//! Faults and hostile requests that a probe against a real server found
//! (issue 10), one test each: the headers a real browser sends, a data
//! folder that cannot be written, an open redirect, slow clients, failing
//! writes, framework rejections, long queries, forged origins, security
//! headers, invisible characters, click stuffing and cross-site requests.

use crate::support::{Client, bundled_engine, config, engine};
use axum::http::StatusCode;
use bubbla::engine::Engine;
use bubbla::progress::Progress;
use bubbla::store::{Status, Store};
use bubbla::web::{AppState, Settings};
use std::time::Duration;

fn fixture_state() -> (AppState, tempfile::TempDir) {
    let (e, d) = engine("corpus");
    (AppState::ready(e), d)
}

/// A state recording into a real file in its own folder.
fn file_state() -> (AppState, tempfile::TempDir, tempfile::TempDir) {
    let (e, d) = engine("corpus");
    let db = tempfile::tempdir().expect("tmp");
    let s = AppState::ready_with(e, Store::open(db.path()), Settings::default());
    (s, d, db)
}

fn rows(s: &AppState) -> bubbla::store::Rows {
    s.store.total_rows().expect("rows")
}

/// The defect behind issue 10: Chromium sends `Origin: null` with
/// `Sec-Fetch-Site: same-origin` for bubbla's own forms (the pages say
/// `no-referrer`); the nickname and delete-all forms must work with them.
#[tokio::test]
async fn chromium_form_headers_save_a_nickname_and_delete_everything() {
    let (s, _d) = fixture_state();
    let mut b = Client::chromium();
    assert_eq!(b.get(&s, "/search?q=varg").await.status, StatusCode::OK);
    let session = b.session().expect("the search started a session");
    let nick = b.post(&s, "/me/nickname", "nickname=Kim").await;
    assert_eq!(nick.status, StatusCode::SEE_OTHER, "{}", nick.body);
    assert_eq!(s.store.nickname(&session).as_deref(), Some("Kim"));
    let del = b.post(&s, "/me/delete", "").await;
    assert_eq!(del.status, StatusCode::OK, "{}", del.body);
    assert_eq!(
        s.store.rows_of(&session).expect("rows"),
        Default::default(),
        "nothing is left of the session"
    );
    assert!(b.session().is_none(), "the cookie is cleared");
}

/// Fault 7: the Origin check includes the scheme.
#[tokio::test]
async fn an_origin_with_another_scheme_is_refused() {
    let (s, _d) = fixture_state();
    let mut b = Client::default();
    b.get(&s, "/search?q=varg").await;
    let r = b
        .send(
            &s,
            "POST",
            "/me/nickname",
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "https://127.0.0.1:8080"),
            ],
            b"nickname=x".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let ok = b
        .send(
            &s,
            "POST",
            "/me/nickname",
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
            ],
            b"nickname=x".to_vec(),
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
}

/// Fault 1: a data folder that cannot be written (here: a file in its
/// place; as root, permissions do not bind) keeps search working, with the
/// index in memory and recording off, and no page shows an absolute path.
#[tokio::test]
async fn a_data_folder_that_cannot_be_written_keeps_search_working() {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = tmp.path().join("not-a-folder");
    std::fs::write(&file, "x").expect("file");
    let mut cfg = config("corpus", &tmp);
    cfg.data_dir = file.clone();
    let engine = Engine::open(&cfg, &Progress::hidden()).expect("the index is built in memory");
    let store = Store::open(&file);
    assert!(
        matches!(store.status(), Status::Off(_)),
        "{:?}",
        store.status()
    );
    let s = AppState::ready_with(engine, store, Settings::default());
    let mut b = Client::default();
    let r = b.get(&s, "/search?q=varg").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("data-doc="), "results are shown");
    assert!(r.body.contains("data-recording=\"off\""), "{}", r.body);
    assert!(b.session().is_none(), "nothing is recorded");
    assert!(!r.body.contains(tmp.path().to_str().expect("utf-8")));
}

#[tokio::test]
async fn the_corpus_error_page_names_no_absolute_path() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = AppState::building(Progress::hidden(), Store::in_memory(), Settings::default());
    let missing = tmp.path().join("no-such-corpus");
    let mut cfg = config("corpus", &tmp);
    cfg.corpus_dir = missing;
    s.set_engine(Engine::open(&cfg, &Progress::hidden()));
    let mut b = Client::default();
    for uri in ["/", "/search?q=varg", "/me"] {
        let r = b.get(&s, uri).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.body.contains("no-such-corpus"), "the folder is named");
        assert!(
            !r.body.contains(tmp.path().to_str().expect("utf-8")),
            "{}",
            r.body
        );
    }
}

/// Fault 2: `back` must be a path on this site.
#[tokio::test]
async fn the_language_switch_only_returns_to_this_site() {
    let (s, _d) = fixture_state();
    let mut b = Client::default();
    for (back, expected) in [
        ("/%09/evil.example", "/"),
        ("/%0A", "/"),
        ("%2F%2Fevil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("https://evil.example/", "/"),
        ("/search%3Fq%3Dvarg", "/search?q=varg"),
    ] {
        let r = b.get(&s, &format!("/lang/en?back={back}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{back}");
        assert_eq!(r.header("location"), expected, "{back}");
    }
    let twice = b.get(&s, "/lang/sv?back=/me&back=//evil.example").await;
    assert_eq!(twice.header("location"), "/me");
}

/// Fault 3: a client that sends part of its headers and then nothing is
/// disconnected, and others are served meanwhile.
#[tokio::test]
async fn slow_headers_are_cut_off_and_others_are_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (s, _d) = fixture_state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let settings = bubbla::web::server::ConnectionSettings {
        header_timeout: Duration::from_millis(500),
        max_connections: 16,
    };
    let server = tokio::spawn(bubbla::web::server::run(
        listener,
        bubbla::web::app(s),
        settings,
        async {
            let _ = stopped.await;
        },
    ));
    let mut slow = Vec::new();
    for _ in 0..10 {
        let mut c = tokio::net::TcpStream::connect(addr).await.expect("connect");
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        slow.push(c);
    }
    let mut fast = tokio::net::TcpStream::connect(addr).await.expect("connect");
    fast.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(20), fast.read_to_string(&mut answer))
        .await
        .expect("healthz answers while slow clients are held")
        .expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    for mut c in slow {
        let mut buf = [0u8; 64];
        let n = tokio::time::timeout(Duration::from_secs(20), c.read(&mut buf))
            .await
            .expect("the server closes a slow connection")
            .unwrap_or(0);
        let text = String::from_utf8_lossy(&buf[..n]);
        assert!(n == 0 || text.starts_with("HTTP/1.1 408"), "{text}");
    }
    let _ = stop.send(());
    server.await.expect("join").expect("served");
}

/// Fault 4: the recording state follows the outcome of the last write.
#[tokio::test]
async fn a_full_disk_is_reported_and_recording_resumes_when_space_returns() {
    let (s, _d, _db) = file_state();
    let mut b = Client::default();
    b.get(&s, "/search?q=varg").await;
    assert_eq!(s.store.status(), Status::On);
    s.store.simulate_full_disk(true).expect("cap");
    let long = "varg ".repeat(99);
    let mut failed = false;
    for _ in 0..300 {
        b.get(&s, &format!("/search?q={}", long.replace(' ', "+")))
            .await;
        if matches!(s.store.status(), Status::Failing(_)) {
            failed = true;
            break;
        }
    }
    assert!(failed, "writes fail on a full disk: {:?}", s.store.status());
    let page = b.get(&s, "/me").await;
    assert!(
        page.body.contains("data-recording=\"failing\""),
        "the footer and /me say so"
    );
    s.store.simulate_full_disk(false).expect("uncap");
    b.get(&s, "/search?q=vargjakt").await;
    assert_eq!(s.store.status(), Status::On, "the next write worked");
}

#[tokio::test]
async fn a_damaged_database_is_reported_not_hidden() {
    let db = tempfile::tempdir().expect("tmp");
    {
        let store = Store::open(db.path());
        let id = store.new_session().expect("session");
        for i in 0..200 {
            store
                .record_query(
                    &id,
                    &bubbla::store::NewQuery {
                        query: &format!("varg {i} {}", "x".repeat(200)),
                        algorithm: "relevance",
                        viewer: "me",
                        first_rank: 1,
                        shown: vec!["varg-i-sverige"],
                        room: None,
                    },
                )
                .expect("recorded");
        }
    }
    let file = db.path().join(bubbla::store::DB_FILE);
    let _ = std::fs::remove_file(db.path().join("bubbla.sqlite-wal"));
    let mut bytes = std::fs::read(&file).expect("read");
    assert!(bytes.len() > 8192, "several pages");
    // Keep the header page, damage the rest.
    for b in bytes.iter_mut().skip(4096) {
        *b = 0x5a;
    }
    std::fs::write(&file, bytes).expect("write");
    let store = Store::open(db.path());
    assert!(
        matches!(store.status(), Status::Failing(_)),
        "{:?}",
        store.status()
    );
    let (e, _d) = engine("corpus");
    let s = AppState::ready_with(e, store, Settings::default());
    let r = Client::default().get(&s, "/search?q=varg").await;
    assert_eq!(r.status, StatusCode::OK, "searching goes on");
    assert!(r.body.contains("data-recording=\"failing\""));
}

/// Fault 5: what the framework rejects gets bubbla's page in the visitor's
/// language, and Swedish pages have Swedish details.
#[tokio::test]
async fn framework_rejections_are_bubblas_pages_in_the_visitors_language() {
    let (s, _d) = fixture_state();
    let mut en = Client {
        headers: vec![("accept-language".into(), "en".into())],
        ..Client::default()
    };
    for (method, uri, body, status) in [
        ("GET", "/doc/%E4", 0, StatusCode::BAD_REQUEST),
        ("GET", "/go/%E4", 0, StatusCode::BAD_REQUEST),
        ("POST", "/search?q=varg", 0, StatusCode::METHOD_NOT_ALLOWED),
        (
            "POST",
            "/me/nickname",
            10 << 20,
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ] {
        let r = en.send(&s, method, uri, &[], vec![b'a'; body]).await;
        assert_eq!(r.status, status, "{method} {uri}");
        assert!(
            r.header("content-type").starts_with("text/html"),
            "{method} {uri}"
        );
        assert!(r.body.contains("<html lang=\"en\">"), "{}", r.body);
        assert!(
            !r.body.contains("Failed to") && !r.body.contains("Invalid URL"),
            "{}",
            r.body
        );
    }
    let api = en
        .send(&s, "POST", "/api/search?q=varg", &[], Vec::new())
        .await;
    assert_eq!(api.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(api.json()["error"]["status"], 405);
    let api = en.get(&s, "/api/search?q=varg&k=x").await;
    assert_eq!(api.status, StatusCode::BAD_REQUEST);
    assert!(
        api.json()["error"]["message"]
            .as_str()
            .expect("message")
            .contains("`k` must be a whole number")
    );

    let mut sv = Client::default();
    let r = sv.get(&s, "/search?q=varg&page=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("ska vara ett heltal"), "{}", r.body);
    let first_paragraphs: String = r.body.split("lang=\"en\"").next().unwrap_or("").into();
    assert!(!first_paragraphs.contains("must be"), "{}", r.body);
    let refused = sv
        .send(
            &s,
            "POST",
            "/me/delete",
            &[("sec-fetch-site", "cross-site")],
            Vec::new(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused
            .body
            .contains("Nekad: ett formulär från en annan webbplats")
    );
}

/// Fault 6: what is stored is what the engine searched, before and after a
/// restart.
#[tokio::test]
async fn stored_queries_are_what_the_engine_searched() {
    let (s, _d, db) = file_state();
    let mut b = Client::default();
    let long = "a".repeat(10_000);
    b.get(&s, &format!("/search?q={long}")).await;
    let session = b.session().expect("session");
    let in_memory = s.store.events(&session).expect("events")[0].query.clone();
    assert_eq!(
        in_memory.chars().count(),
        bubbla::index::query::MAX_QUERY_CHARS
    );
    drop(s);
    let reopened = Store::open(db.path());
    assert_eq!(
        reopened.events(&session).expect("events")[0].query,
        in_memory,
        "the same after a restart"
    );
}

/// Fault 8: security headers on every response; `/me` is never cached.
#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (s, _d) = fixture_state();
    let mut b = Client::default();
    for uri in [
        "/",
        "/search?q=varg",
        "/compare?q=varg",
        "/doc/varg-i-sverige",
        "/algorithms",
        "/me",
        "/me/data.json",
        "/no-such-page",
        "/static/bubbla.css",
        "/api/search?q=varg",
        "/healthz",
    ] {
        let r = b.get(&s, uri).await;
        assert_eq!(
            r.header("content-security-policy"),
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            "{uri}"
        );
        assert_eq!(r.header("referrer-policy"), "no-referrer", "{uri}");
        assert_eq!(r.header("x-content-type-options"), "nosniff", "{uri}");
        if uri.starts_with("/me") {
            assert_eq!(r.header("cache-control"), "no-store", "{uri}");
        }
    }
}

/// The CSP forbids inline styles and scripts: no page may rely on them.
#[tokio::test]
async fn pages_use_no_inline_styles_or_scripts() {
    let s = AppState::ready(bundled_engine());
    let mut b = Client::default();
    b.get(&s, "/search?q=varg").await;
    b.get(&s, "/go/varg-fragor-och-svar?q=varg&rank=1").await;
    for uri in [
        "/",
        "/search?q=varg",
        "/compare?q=varg",
        "/compare?q=varg&a=personal&va=elin&vb=omar&vc=sara",
        "/doc/varg-fragor-och-svar",
        "/algorithms",
        "/me",
        "/me/delete",
        "/no-such-page",
    ] {
        let r = b.get(&s, uri).await;
        assert!(!r.body.contains(" style="), "{uri}: inline style");
        assert!(!r.body.contains("<style"), "{uri}: style element");
        for script in r.body.split("<script").skip(1) {
            assert!(
                script.trim_start().starts_with("src="),
                "{uri}: inline script"
            );
        }
        assert!(!r.body.contains(" onclick="), "{uri}");
    }
}

/// Fault 9: zero-width and other format characters do not split words.
#[tokio::test]
async fn invisible_characters_do_not_split_words() {
    let s = AppState::ready(bundled_engine());
    let mut b = Client::default();
    let total = |r: crate::support::Res| r.json()["total_hits"].as_u64().expect("total");
    let plain = total(b.get(&s, "/api/search?q=varg%20jakt").await);
    let jakt = total(b.get(&s, "/api/search?q=jakt").await);
    assert_ne!(plain, jakt);
    for hidden in [
        "var%E2%80%8Bg%20jakt",
        "var%C2%ADg%20jakt",
        "%EF%BB%BFvarg%20ja%E2%81%A0kt",
    ] {
        assert_eq!(
            total(b.get(&s, &format!("/api/search?q={hidden}")).await),
            plain,
            "{hidden}"
        );
    }
}

#[test]
fn invisible_characters_in_documents_do_not_split_words() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::copy(
        crate::support::fixture("corpus/themes.toml"),
        dir.path().join("themes.toml"),
    )
    .expect("themes");
    std::fs::write(
        dir.path().join("dold.md"),
        "+++\ntitle = \"Var\u{200B}gen\"\nsource = \"x (påhittad)\"\nlang = \"sv\"\npublished = 2024-01-01\ntheme = \"varg\"\nperspective = \"jakt\"\n+++\n\nVar\u{200B}gen och vargjakt\u{00AD}en.\n",
    )
    .expect("doc");
    let loaded = bubbla::corpus::load(dir.path(), &Default::default()).expect("loads");
    let doc = &loaded.corpus.docs[0];
    assert_eq!(doc.title, "Vargen");
    assert_eq!(doc.text, "Vargen och vargjakten.");
}

/// Fault 10: click stuffing. A `/go` without a known session records
/// nothing and makes no session; a session counts once per document; a
/// script that clicks fast is refused.
#[tokio::test]
async fn clicks_cannot_be_stuffed() {
    let (s, _d) = fixture_state();
    for _ in 0..300 {
        let r = Client::default()
            .get(&s, "/go/varg-i-sverige?q=varg&rank=1")
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.header("set-cookie").is_empty());
    }
    assert_eq!(rows(&s).sessions, 0, "no session was made");
    assert_eq!(s.store.clicks_on("varg-i-sverige"), 0);

    let mut b = Client::default();
    b.get(&s, "/search?q=varg").await;
    for _ in 0..5 {
        let r = b.get(&s, "/go/varg-i-sverige?q=varg&rank=1").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(s.store.clicks_on("varg-i-sverige"), 1, "once per session");
    let session = b.session().expect("session");
    assert_eq!(
        s.store.rows_of(&session).expect("rows").events,
        6,
        "all in the history"
    );

    // A session that clicks like a script.
    let mut limited = 0;
    for _ in 0..120 {
        let r = b.get(&s, "/go/wolves-return?q=varg&rank=2").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
            assert!(r.body.contains("<html"), "a friendly page");
            assert!(!r.header("retry-after").is_empty());
        }
    }
    assert!(limited > 0, "the session was limited");
    assert!(limited < 120, "but a person's pace passed first");
}

#[tokio::test]
async fn an_address_that_makes_sessions_like_a_script_is_refused() {
    let (s, _d) = fixture_state();
    let peer: std::net::SocketAddr = "10.1.2.3:5000".parse().expect("addr");
    let mut refused = 0;
    for _ in 0..200 {
        let mut c = Client {
            peer: Some(peer),
            ..Client::default()
        };
        let r = c.get(&s, "/search?q=varg").await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(refused > 0);
    assert!(rows(&s).sessions < 200, "{:?}", rows(&s));
    let mut other = Client {
        peer: Some("10.1.2.4:5000".parse().expect("addr")),
        ..Client::default()
    };
    assert_eq!(other.get(&s, "/search?q=varg").await.status, StatusCode::OK);
}

/// Fault 11: navigations from other sites and HEAD requests record nothing.
#[tokio::test]
async fn cross_site_navigations_and_head_requests_record_nothing() {
    let (s, _d) = fixture_state();
    let mut b = Client::default();
    b.get(&s, "/search?q=varg").await;
    let session = b.session().expect("session");
    let before = s.store.rows_of(&session).expect("rows");
    let cross = [("sec-fetch-site", "cross-site")];
    let r = b
        .send(&s, "GET", "/search?q=planted", &cross, Vec::new())
        .await;
    assert_eq!(r.status, StatusCode::OK, "the page is shown");
    let r = b
        .send(
            &s,
            "GET",
            "/go/wolves-return?q=planted&rank=1",
            &cross,
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = b
        .send(
            &s,
            "GET",
            "/search?q=planted",
            &[("sec-fetch-site", "same-site")],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        s.store.rows_of(&session).expect("rows"),
        before,
        "nothing written"
    );
    assert_eq!(s.store.clicks_on("wolves-return"), 0);

    let mut fresh = Client::default();
    let r = fresh
        .send(&s, "HEAD", "/search?q=varg", &[], Vec::new())
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("set-cookie").is_empty(),
        "HEAD never makes a session"
    );
    assert_eq!(rows(&s).sessions, 1);
}
