//! Who is searching: sessions, recording, `/go`, profiles, personas,
//! incognito and `/me` — through the router, with a cookie jar, as a
//! browser would. Includes the lessons 1, 2 and 6 of the product brief.

use crate::support::{Client as Browser, bundled_engine, engine};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bubbla::compare::{jaccard_at, normalized_entropy};
use bubbla::store::{Rows, SessionId, Store};
use bubbla::web::{AppState, Settings, app};
use std::collections::HashMap;
use tower::ServiceExt;

fn fixture_state() -> (AppState, tempfile::TempDir) {
    let (e, d) = engine("corpus");
    (AppState::ready(e), d)
}

fn bundled_state() -> AppState {
    AppState::ready(bundled_engine())
}

/// (id, perspective) of the top `k` for a viewer, from the JSON API.
async fn top(
    b: &mut Browser,
    s: &AppState,
    q: &str,
    algorithm: &str,
    viewer: &str,
    k: usize,
) -> Vec<(String, String)> {
    let r = b
        .get(
            s,
            &format!("/api/search?q={q}&algorithm={algorithm}&viewer={viewer}&k={k}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|x| {
            (
                x["id"].as_str().expect("id").to_string(),
                x["perspective"].as_str().expect("perspective").to_string(),
            )
        })
        .collect()
}

fn entropy(list: &[(String, String)], possible: usize) -> f64 {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, p) in list {
        *counts.entry(p).or_default() += 1;
    }
    normalized_entropy(&counts.values().copied().collect::<Vec<_>>(), possible)
}

fn event_rows(body: &str) -> usize {
    body.matches("<tr class=\"event-").count()
}

/// Lesson 2: a session clicks only the hunters' side of `varg` for ten
/// searches; its `personal` top 10 narrows, incognito's does not change.
#[tokio::test]
async fn lesson_two_clicking_one_side_narrows_the_personal_results() {
    let s = bundled_state();
    let mut b = Browser::default();
    let before = top(&mut b, &s, "varg", "personal", "me", 10).await;
    let incognito_before = top(&mut b, &s, "varg", "personal", "incognito", 10).await;
    let h0 = entropy(&before, 4);
    assert!(h0 > 0.6, "a new visitor sees several sides: {before:?}");
    let mut clicked = Vec::new();
    for _ in 0..10 {
        let page = b.get(&s, "/search?q=varg&algorithm=personal").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            b.session().is_some(),
            "the first search sets the session cookie"
        );
        let shown = top(&mut b, &s, "varg", "personal", "me", 10).await;
        let (rank, (id, _)) = shown
            .iter()
            .enumerate()
            .find(|(_, (id, p))| p == "jakt" && !clicked.contains(id))
            .or_else(|| shown.iter().enumerate().find(|(_, (_, p))| p == "jakt"))
            .expect("a hunters' page in the top 10");
        let go = b
            .get(
                &s,
                &format!(
                    "/go/{id}?q=varg&rank={}&algorithm=personal&viewer=me",
                    rank + 1
                ),
            )
            .await;
        assert_eq!(go.status, StatusCode::SEE_OTHER);
        assert_eq!(
            go.location(),
            format!("/doc/{id}?q=varg&algorithm=personal&viewer=me")
        );
        clicked.push(id.clone());
    }
    let after = top(&mut b, &s, "varg", "personal", "me", 10).await;
    let h1 = entropy(&after, 4);
    eprintln!("lesson 2: entropy of the personal top 10 {h0:.3} → {h1:.3}");
    assert!(
        h1 <= 0.6 * h0,
        "entropy fell by at least 40 %: {h0:.3} → {h1:.3}\n{after:?}"
    );
    let incognito_after = top(&mut b, &s, "varg", "personal", "incognito", 10).await;
    // Popularity moved a little with the clicks, but the perspectives
    // incognito sees are unchanged.
    assert!(
        (entropy(&incognito_after, 4) - entropy(&incognito_before, 4)).abs() < 1e-9,
        "{incognito_before:?} vs {incognito_after:?}"
    );
    // The page says so: the diversity meter, and the reasons in words.
    let page = b.get(&s, "/search?q=varg&algorithm=personal").await;
    assert!(page.body.contains("Mångfaldsmätaren"));
    assert!(
        page.body.contains("Du har klickat på"),
        "reasons name the clicks"
    );
    let me = b.get(&s, "/me").await;
    assert_eq!(event_rows(&me.body), 21, "11 searches and 10 clicks");
    assert!(
        me.body.contains("Jägarna (Varg och jakt)"),
        "the profile chart names the side"
    );
}

/// Lesson 1: three shipped personas search `varg` with `personal`.
#[tokio::test]
async fn lesson_one_three_personas_see_different_top_tens() {
    let s = bundled_state();
    let mut b = Browser::default();
    let mut lists = Vec::new();
    for p in ["elin", "omar", "sara"] {
        let ids: Vec<String> = top(&mut b, &s, "varg", "personal", p, 10)
            .await
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        lists.push(ids);
    }
    let pairs = [(0, 1), (0, 2), (1, 2)];
    let j: Vec<f64> = pairs
        .iter()
        .map(|&(a, c)| jaccard_at(&lists[a], &lists[c], 10))
        .collect();
    assert!(
        j.iter().filter(|&&x| x <= 0.5).count() >= 2,
        "Jaccard@10 elin–omar, elin–sara, omar–sara: {j:?}"
    );
    // The same on the compare page, in persona columns, named.
    let page = b
        .get(&s, "/compare?q=varg&a=personal&va=elin&vb=omar&vc=sara")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.matches("<section class=\"column\"").count(), 3);
    for name in ["Elin", "Omar", "Sara"] {
        assert!(page.body.contains(&format!("För dig · {name}")), "{name}");
    }
    assert!(
        page.body.contains("Elin har klickat på"),
        "reasons name the persona"
    );
    let api = b
        .get(&s, "/api/compare?q=varg&a=personal&va=elin&vb=omar&vc=sara")
        .await;
    let v = api.json();
    assert_eq!(v["columns"][1]["viewer"], "omar");
    let omar: Vec<&str> = v["columns"][1]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(omar, lists[1], "the page, the API and the search agree");
    // Searching as a persona records nothing in the persona.
    assert_eq!(b.session(), None, "the API and /compare record nothing");
}

/// Lesson 6: `/me` lists every event; delete-all removes them all, and only them.
#[tokio::test]
async fn lesson_six_me_shows_everything_and_deletes_everything() {
    let (s, _d) = fixture_state();
    let mut me = Browser::default();
    let mut other = Browser::default();
    for q in ["varg", "vargjakt", "kärnkraft"] {
        me.get(&s, &format!("/search?q={q}")).await;
    }
    me.get(
        &s,
        "/go/varg-i-sverige?q=varg&rank=1&algorithm=relevance&viewer=me",
    )
    .await;
    me.get(
        &s,
        "/go/vargjakten-2024?q=vargjakt&rank=2&algorithm=keywords&viewer=me",
    )
    .await;
    other.get(&s, "/search?q=hemlig-fråga").await;
    other
        .get(
            &s,
            "/go/varg-i-sverige?q=varg&rank=1&algorithm=relevance&viewer=me",
        )
        .await;
    let (mine, theirs) = (
        me.session().expect("mine"),
        other.session().expect("theirs"),
    );
    assert_ne!(mine, theirs);
    assert_eq!(s.store.clicks_on("varg-i-sverige"), 2);

    let page = me.get(&s, "/me").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(event_rows(&page.body), 5);
    for q in ["varg", "vargjakt", "kärnkraft"] {
        assert!(page.body.contains(&format!("”{q}”")), "{q}");
    }
    assert!(
        !page.body.contains("hemlig-fråga"),
        "another session's events are not shown"
    );
    let json = me.get(&s, "/me/data.json").await;
    assert!(
        json.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("ascii")
            .contains("attachment")
    );
    let v = json.json();
    assert_eq!(v["events"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["session"], mine.as_str());
    assert_eq!(v["events"][4]["kind"], "click");
    assert_eq!(v["events"][4]["algorithm"], "keywords");
    assert_eq!(
        v["events"][0]["shown"][0], "varg-i-sverige",
        "what was shown is recorded"
    );

    let confirm = me.get(&s, "/me/delete").await;
    assert!(
        confirm.body.contains("method=\"post\""),
        "deleting asks first"
    );
    assert_eq!(
        s.store.rows_of(&mine).expect("rows").events,
        5,
        "asking deletes nothing"
    );
    let theirs_before = s.store.rows_of(&theirs).expect("rows");
    let done = me.post(&s, "/me/delete", "").await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("Raderat: 5 händelser"), "{}", done.body);
    assert_eq!(me.session(), None, "the cookie is cleared");
    assert_eq!(s.store.rows_of(&mine).expect("rows"), Rows::default());
    assert_eq!(s.store.rows_of(&theirs).expect("rows"), theirs_before);
    assert_eq!(
        s.store.clicks_on("varg-i-sverige"),
        1,
        "deleted clicks stop counting"
    );
    let after = me.get(&s, "/me").await;
    assert_eq!(event_rows(&after.body), 0);
}

#[tokio::test]
async fn incognito_writes_nothing() {
    let (s, _d) = fixture_state();
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    let before = s.store.total_rows().expect("rows");
    let mut incognito = Browser::default();
    let page = incognito
        .get(&s, "/search?q=varg&viewer=incognito&algorithm=personal")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("I inkognitoläge används ingen historik och inget sparas")
    );
    let go_links: Vec<&str> = page
        .body
        .split("href=\"/go/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(!go_links.is_empty());
    assert!(
        go_links.iter().all(|l| l.contains("viewer=incognito")),
        "every result link keeps incognito: {go_links:?}"
    );
    let plain = incognito.get(&s, "/search?q=varg&viewer=incognito").await;
    assert!(plain.body.contains("Inkognito: den här sökningen"));
    let go = incognito
        .get(
            &s,
            "/go/varg-i-sverige?q=varg&rank=1&algorithm=personal&viewer=incognito",
        )
        .await;
    assert_eq!(go.status, StatusCode::SEE_OTHER);
    assert!(incognito.cookies.is_empty(), "no cookie is set");
    // Also from a browser that has a session.
    b.get(&s, "/search?q=kärnkraft&viewer=incognito").await;
    b.get(
        &s,
        "/go/ny-karnkraft?q=k&rank=1&algorithm=relevance&viewer=incognito",
    )
    .await;
    assert_eq!(
        s.store.total_rows().expect("rows"),
        before,
        "the database is unchanged"
    );
    assert_eq!(s.store.clicks_on("varg-i-sverige"), 0);
}

#[tokio::test]
async fn forged_malformed_and_stale_cookies_start_a_fresh_session() {
    let (s, _d) = fixture_state();
    let forged = "0123456789abcdef0123456789abcdef";
    for value in [forged, "not-a-session", "'; DROP TABLE events; --", ""] {
        let mut b = Browser::with_cookie("bubbla_session", value);
        let r = b.get(&s, "/search?q=varg").await;
        assert_eq!(r.status, StatusCode::OK);
        let id = b.session().expect("a fresh session");
        assert_ne!(id.as_str(), value, "never the id the browser offered");
        assert_eq!(s.store.rows_of(&id).expect("rows").events, 1);
    }
    assert!(
        !s.store
            .session_exists(&SessionId::parse(forged).expect("well-formed"))
    );
    // A deleted session's cookie is stale: a new session starts.
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    let old = b.session().expect("session");
    s.store.delete_session(&old).expect("delete");
    b.get(&s, "/search?q=varg").await;
    assert_ne!(b.session().expect("new"), old);
    // /me with a forged cookie shows nothing and deletes nothing.
    let mut f = Browser::with_cookie("bubbla_session", forged);
    let before = s.store.total_rows().expect("rows");
    assert_eq!(event_rows(&f.get(&s, "/me").await.body), 0);
    f.post(&s, "/me/delete", "").await;
    assert_eq!(s.store.total_rows().expect("rows"), before);
}

#[tokio::test]
async fn a_session_cannot_read_or_delete_another() {
    let (s, _d) = fixture_state();
    let mut a = Browser::default();
    let mut b = Browser::default();
    a.get(&s, "/search?q=vargjakt").await;
    b.get(&s, "/search?q=kärnkraft").await;
    let a_id = a.session().expect("a");
    // No parameter names a session: these are ignored.
    for uri in [
        format!("/me?session={a_id}"),
        format!("/me/data.json?session={a_id}"),
    ] {
        let r = b.get(&s, &uri).await;
        assert!(!r.body.contains("”vargjakt”"), "{uri}");
        assert!(!r.body.contains("\"vargjakt\""), "{uri}");
    }
    b.post(
        &s,
        &format!("/me/delete?session={a_id}"),
        &format!("session={a_id}"),
    )
    .await;
    assert_eq!(
        s.store.rows_of(&a_id).expect("rows").events,
        1,
        "A's events are untouched"
    );
}

#[tokio::test]
async fn go_only_redirects_to_documents_of_the_corpus() {
    let (s, _d) = fixture_state();
    let mut b = Browser::default();
    for uri in [
        "/go/no-such-doc?q=x",
        "/go/https:%2F%2Fevil.example?q=x",
        "/go/%2F%2Fevil.example",
        "/go/..%2Fadmin",
    ] {
        let r = b.get(&s, uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(r.headers.get(header::LOCATION).is_none(), "{uri}");
    }
    for uri in [
        "/go/varg-i-sverige?rank=abc",
        "/go/varg-i-sverige?algorithm=nope",
        "/go/varg-i-sverige?viewer=nobody",
    ] {
        assert_eq!(
            b.get(&s, uri).await.status,
            StatusCode::BAD_REQUEST,
            "{uri}"
        );
    }
    // A click counts only for a session the browser kept (its first search).
    b.get(&s, "/search?q=varg").await;
    let r = b
        .get(&s, "/go/varg-i-sverige?q=%2F%2Fevil.example%20%26x%3D1")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        "/doc/varg-i-sverige?q=%2F%2Fevil.example%20%26x%3D1&algorithm=relevance&viewer=me"
    );
    assert_eq!(s.store.clicks_on("varg-i-sverige"), 1);
    assert_eq!(s.store.clicks_on("no-such-doc"), 0);
}

#[tokio::test]
async fn live_clicks_raise_popularity_for_everyone() {
    let (s, _d) = fixture_state();
    let views = |v: &serde_json::Value, id: &str| -> f64 {
        let r = v["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["id"] == id)
            .expect("result");
        r["explanation"]["signals"]
            .as_array()
            .expect("signals")
            .iter()
            .find(|x| x["signal"] == "popularity")
            .expect("popularity")["raw"]
            .as_f64()
            .expect("raw")
    };
    let mut observer = Browser::default();
    let before = views(
        &observer.get(&s, "/api/search?q=varg&k=20").await.json(),
        "vargstammen-vaxer",
    );
    // Five people click it (each after a search of their own); one of them
    // clicks it twice, which counts once.
    for i in 0..5 {
        let mut clicker = Browser::default();
        clicker.get(&s, "/search?q=varg").await;
        for _ in 0..(1 + usize::from(i == 0)) {
            clicker
                .get(&s, "/go/vargstammen-vaxer?q=varg&rank=3&viewer=me")
                .await;
        }
    }
    let after = views(
        &observer.get(&s, "/api/search?q=varg&k=20").await.json(),
        "vargstammen-vaxer",
    );
    // raw = ln(1 + views): five more views, one per session.
    assert!(
        ((after.exp() - 1.0) - (before.exp() - 1.0) - 5.0).abs() < 1e-6,
        "{before} → {after}"
    );
}

#[tokio::test]
async fn searching_goes_on_when_the_database_is_read_only() {
    let (e, _d) = engine("corpus");
    let s = AppState::ready(e);
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    s.store.simulate_read_only().expect("read-only");
    let r = b.get(&s, "/search?q=vargjakt&algorithm=personal").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Vargjakten"), "results are shown");
    assert!(
        r.body
            .contains("Inspelning: av (databasen är skrivskyddad)"),
        "and recording is reported off"
    );
    let go = b.get(&s, "/go/varg-i-sverige?q=varg&rank=1").await;
    assert_eq!(
        go.status,
        StatusCode::SEE_OTHER,
        "clicks still open the document"
    );
    let me = b.get(&s, "/me").await;
    assert_eq!(event_rows(&me.body), 1, "what was recorded is still shown");
    let mut fresh = Browser::default();
    assert_eq!(fresh.get(&s, "/search?q=varg").await.status, StatusCode::OK);
    assert!(fresh.cookies.is_empty());
}

#[tokio::test]
async fn a_read_only_file_keeps_the_server_serving() {
    let dir = tempfile::tempdir().expect("tmp");
    {
        let store = Store::open(dir.path());
        store.new_session().expect("session");
    }
    let file = dir.path().join(bubbla::store::DB_FILE);
    let mut perms = std::fs::metadata(&file).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&file, perms).expect("chmod");
    let probe = std::fs::OpenOptions::new().append(true).open(&file);
    if probe.is_ok() {
        // Running as root: permissions do not bind; covered by the test above.
        return;
    }
    let (e, _d) = engine("corpus");
    let s = AppState::ready_with(e, Store::open(dir.path()), Settings::default());
    assert!(!s.store.recording());
    let mut b = Browser::default();
    let r = b.get(&s, "/search?q=varg").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Inspelning: av"));
}

#[tokio::test]
async fn a_busy_database_is_waited_for_not_a_500() {
    let dir = tempfile::tempdir().expect("tmp");
    let (e, _d) = engine("corpus");
    let s = AppState::ready_with(e, Store::open(dir.path()), Settings::default());
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    let other = rusqlite_lock(dir.path());
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(other);
    });
    let r = b.get(&s, "/search?q=vargjakt").await;
    release.join().expect("thread");
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        s.store
            .rows_of(&b.session().expect("session"))
            .expect("rows")
            .events,
        2
    );
}

/// Another connection holding the database's write lock until dropped.
fn rusqlite_lock(dir: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(dir.join(bubbla::store::DB_FILE)).expect("open");
    c.execute_batch("BEGIN IMMEDIATE").expect("lock");
    c
}

#[tokio::test]
async fn a_database_locked_past_every_retry_still_answers() {
    let dir = tempfile::tempdir().expect("tmp");
    let (e, _d) = engine("corpus");
    let s = AppState::ready_with(e, Store::open(dir.path()), Settings::default());
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    let id = b.session().expect("session");
    let other = rusqlite_lock(dir.path());
    let r = b.get(&s, "/search?q=vargjakt").await;
    assert_eq!(r.status, StatusCode::OK, "the search is answered");
    let go = b.get(&s, "/go/varg-i-sverige?q=varg&rank=1").await;
    assert_eq!(
        go.status,
        StatusCode::SEE_OTHER,
        "the click still opens the document"
    );
    drop(other);
    assert_eq!(
        b.session(),
        Some(id.clone()),
        "the visitor keeps their session"
    );
    assert_eq!(
        s.store.rows_of(&id).expect("rows").events,
        1,
        "nothing was recorded meanwhile"
    );
    assert!(
        s.store.recording(),
        "a busy database is not a read-only one"
    );
}

#[tokio::test]
async fn forms_from_other_sites_are_refused() {
    let (s, _d) = fixture_state();
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    let id = b.session().expect("session");
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "http://evil.example"),
    ] {
        for (uri, body) in [("/me/delete", ""), ("/me/nickname", "nickname=pwned")] {
            let req = Request::builder()
                .method("POST")
                .uri(uri)
                .header(header::HOST, "127.0.0.1:8080")
                .header(name, value)
                .header(header::COOKIE, format!("bubbla_session={id}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .expect("request");
            let res = app(s.clone()).oneshot(req).await.expect("response");
            assert_eq!(
                res.status(),
                StatusCode::FORBIDDEN,
                "{uri} with {name}: {value}"
            );
            assert!(res.headers().get(header::SET_COOKIE).is_none());
        }
    }
    assert_eq!(
        s.store.rows_of(&id).expect("rows").events,
        1,
        "nothing deleted"
    );
    assert_eq!(s.store.nickname(&id), None, "no nickname set");
    // The same forms from bubbla's own page work.
    let req = Request::builder()
        .method("POST")
        .uri("/me/nickname")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://127.0.0.1:8080")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, format!("bubbla_session={id}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("nickname=Kim"))
        .expect("request");
    let res = app(s.clone()).oneshot(req).await.expect("response");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(s.store.nickname(&id).as_deref(), Some("Kim"));
}

#[tokio::test]
async fn deleting_without_a_session_clears_nothing() {
    let (s, _d) = fixture_state();
    let mut b = Browser::with_cookie("bubbla_session", "0123456789abcdef0123456789abcdef");
    let r = b.post(&s, "/me/delete", "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    assert!(r.body.contains("Inget är sparat om dig"));
}

#[tokio::test]
async fn a_nickname_on_a_read_only_database_is_a_clear_400() {
    let (s, _d) = fixture_state();
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    s.store.simulate_read_only().expect("read-only");
    let r = b.post(&s, "/me/nickname", "nickname=Kim").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body.contains("inget kan sparas just nu"),
        "the reason, in the visitor's language: {}",
        r.body
    );
}

#[tokio::test]
async fn nicknames_are_limited_and_escaped() {
    let (s, _d) = fixture_state();
    let mut b = Browser::default();
    let r = b
        .post(
            &s,
            "/me/nickname",
            "nickname=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let me = b.get(&s, "/me").await;
    assert!(!me.body.contains("<script>alert"), "escaped");
    assert!(
        me.body.contains("&lt;script&gt;alert(1)&lt;"),
        "{}",
        me.body
    );
    let long = "å".repeat(500);
    assert_eq!(
        b.post(&s, "/me/nickname", &format!("nickname={long}"))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    b.post(&s, "/me/nickname", &format!("nickname={}", "x".repeat(60)))
        .await;
    let id = b.session().expect("session");
    assert_eq!(s.store.nickname(&id).map(|n| n.chars().count()), Some(24));
    let search = b.get(&s, "/search?q=varg").await;
    assert!(
        search
            .body
            .contains(&format!("Du själv ({})", "x".repeat(24))),
        "the picker names you"
    );
    // An empty name clears it.
    assert_eq!(
        b.post(&s, "/me/nickname", "nickname=+").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(s.store.nickname(&id), None);
}

#[tokio::test]
async fn viewers_are_checked_and_offered() {
    let s = bundled_state();
    let mut b = Browser::default();
    let r = b.get(&s, "/search?q=varg&viewer=nobody").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = b.get(&s, "/api/search?q=varg&viewer=nobody").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("persona"))
    );
    let r = b
        .get(&s, "/search?q=varg&algorithm=social&viewer=sara")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let id = b
        .session()
        .expect("searching as a persona is recorded in your session");
    let events = s.store.events(&id).expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].viewer, "sara");
    for opt in [
        "value=\"me\"",
        "value=\"incognito\"",
        "value=\"elin\"",
        "value=\"jonas\"",
    ] {
        assert!(r.body.contains(opt), "{opt}");
    }
    assert!(
        r.body.contains("har klickat på den här:"),
        "friends' clicks are named"
    );
    let r = b.get(&s, "/search?q=varg&algorithm=personal").await;
    assert!(
        r.body.contains("det finns ingen än"),
        "a new visitor is told why nothing changes"
    );
}

/// `engagement` (personal + popularity + social) ranks what a viewer and
/// their friends click and what is popular, above what the query matches best.
#[tokio::test]
async fn engagement_favours_habits_friends_and_popularity() {
    let e = bundled_engine();
    let elin = std::sync::Arc::new(e.persona_audience("elin", 20.0).expect("elin"));
    let run = |algorithm: &str| {
        let opts = bubbla::engine::SearchOptions {
            audience: Some(elin.clone()),
            ..bubbla::engine::SearchOptions::top(10).algorithm(algorithm)
        };
        e.search("varg", &opts).expect("search").results
    };
    let views = |rs: &[bubbla::engine::SearchResult]| -> f64 {
        rs.iter()
            .map(|r| e.corpus.get(&r.id).expect("doc").popularity as f64)
            .sum::<f64>()
            / rs.len() as f64
    };
    let (relevance, personal, engagement) = (run("relevance"), run("personal"), run("engagement"));
    assert!(
        views(&engagement) > views(&personal) && views(&engagement) > views(&relevance),
        "engagement shows more viewed pages: {} vs {} and {}",
        views(&engagement),
        views(&personal),
        views(&relevance)
    );
    let explained = engagement
        .iter()
        .filter(|r| !r.explanation.reasons.is_empty())
        .count();
    assert!(
        explained >= 8,
        "nearly every result names Elin's or her friends' clicks: {explained}"
    );
    let ids =
        |rs: &[bubbla::engine::SearchResult]| rs.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert!(jaccard_at(&ids(&engagement), &ids(&relevance), 10) < 0.6);
}

/// Counts read right in both languages ("1 händelse", "1 click"), and the
/// diversity meter sits above the results on /search.
#[tokio::test]
async fn counts_take_the_right_plural_and_the_meter_sits_above_the_results() {
    let (s, _d) = fixture_state();
    let mut b = Browser::default();
    b.get(&s, "/search?q=varg").await;
    let me = b.get(&s, "/me").await;
    assert!(
        me.body.contains("Sparat: 1 händelse och 5 visade träffar."),
        "{}",
        me.body
    );
    assert!(me.body.contains("5 visade träffar</summary>"));
    b.get(
        &s,
        "/go/varg-i-sverige?q=varg&rank=1&algorithm=relevance&viewer=me",
    )
    .await;
    b.cookies.insert("bubbla_lang".into(), "en".into());
    let me = b.get(&s, "/me").await;
    assert!(
        me.body.contains("Recorded: 2 events and 5 shown results."),
        "{}",
        me.body
    );
    assert!(me.body.contains("100 % · 1 click<"), "{}", me.body);
    assert!(me.body.contains("data-event=\"click\""));
    assert!(me.body.contains("data-event=\"search\""));
    assert!(me.body.contains("id=\"delete-all\""));

    let page = b.get(&s, "/search?q=varg").await;
    let (meter, results) = (
        page.body.find("id=\"meter\"").expect("meter"),
        page.body.find("id=\"results\"").expect("results"),
    );
    assert!(meter < results, "the meter comes before the results");
    assert!(page.body.contains("the last search") || page.body.contains("the last 2 searches"));
    let entropy = page.body[meter..]
        .split("data-entropy=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse::<f64>().ok())
        .expect("data-entropy");
    assert!((0.0..=1.0).contains(&entropy));

    let confirm = b.get(&s, "/me/delete").await;
    assert!(confirm.body.contains("id=\"delete-confirm\""));
    let done = b.post(&s, "/me/delete", "").await;
    assert!(
        done.body.contains("Deleted: 3 events and 10 shown results"),
        "{}",
        done.body
    );
    assert!(
        done.body
            .contains("data-events=\"3\" data-impressions=\"10\" data-sessions=\"1\"")
    );
}
