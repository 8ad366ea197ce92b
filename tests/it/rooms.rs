//! Workshop rooms over HTTP: the leader's token, joining, isolation,
//! cross-site refusal, rate limits, live updates, the export and the end.

use crate::support::{Client, Res, bundled_engine};
use axum::http::StatusCode;
use bubbla::web::{AppState, Settings};
use serde_json::{Value, json};

fn state() -> AppState {
    AppState::ready(bundled_engine())
}

fn leader(s: &AppState) -> Client {
    let mut c = Client::default();
    c.headers.push((
        "authorization".into(),
        format!("Bearer {}", s.leader.as_str()),
    ));
    c
}

async fn send_json(c: &mut Client, s: &AppState, method: &str, uri: &str, body: Value) -> Res {
    c.send(
        s,
        method,
        uri,
        &[("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
    .await
}

async fn open_room(s: &AppState, body: Value) -> String {
    let r = send_json(&mut leader(s), s, "POST", "/api/rooms", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let code = r.json()["code"].as_str().expect("code").to_string();
    assert_eq!(code.len(), 6);
    assert!(
        r.json()["join_url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/join?code={code}"))
    );
    code
}

async fn join(s: &AppState, code: &str, nickname: &str) -> Client {
    let mut c = Client::default();
    let r = send_json(
        &mut c,
        s,
        "POST",
        &format!("/api/rooms/{code}/join"),
        json!({ "nickname": nickname }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(c.session().is_some(), "the join sets the session cookie");
    c
}

#[tokio::test]
async fn every_leader_route_needs_the_token() {
    let s = state();
    let code = open_room(&s, json!({ "title": "Demo" })).await;
    let routes = [
        ("GET", "/leader".to_string()),
        ("POST", "/leader/rooms".to_string()),
        ("GET", format!("/leader/rooms/{code}")),
        ("POST", format!("/leader/rooms/{code}")),
        ("POST", format!("/leader/rooms/{code}/reveal")),
        ("POST", format!("/leader/rooms/{code}/reset")),
        ("GET", format!("/leader/rooms/{code}/end")),
        ("POST", format!("/leader/rooms/{code}/end")),
        ("GET", format!("/rooms/{code}/wall")),
        ("GET", format!("/rooms/{code}/qr.svg")),
        ("GET", format!("/rooms/{code}/events")),
        ("POST", "/api/rooms".to_string()),
        ("GET", "/api/rooms".to_string()),
        ("GET", format!("/api/rooms/{code}")),
        ("PATCH", format!("/api/rooms/{code}")),
        ("DELETE", format!("/api/rooms/{code}")),
        ("GET", format!("/api/rooms/{code}/wall")),
        ("GET", format!("/api/rooms/{code}/export.csv")),
        ("GET", format!("/api/rooms/{code}/export.json")),
    ];
    let wrong = format!("{}x", &s.leader.as_str()[1..]);
    for (method, uri) in &routes {
        for mut c in [
            Client::default(),
            Client::with_cookie("bubbla_leader", &wrong),
            {
                let mut c = Client::default();
                c.headers
                    .push(("authorization".into(), format!("Bearer {wrong}")));
                c
            },
        ] {
            let r = c.send(&s, method, uri, &[], b"{}".to_vec()).await;
            // The events stream is the one route a participant may also
            // open; for others the room "does not exist".
            let expected = if uri.ends_with("/events") {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(r.status, expected, "{method} {uri}: {}", r.body);
        }
    }
    let r = Client::default().get(&s, "/leader?token=nope").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.body.contains("leader") || r.body.contains("ledare"),
        "{}",
        r.body
    );
    // The printed link signs the browser in and leaves the token out of
    // the address bar.
    let mut browser = Client::default();
    let r = browser
        .get(&s, &format!("/leader?token={}", s.leader.as_str()))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/leader");
    assert!(r.header("set-cookie").contains("HttpOnly"));
    let r = browser.get(&s, "/leader").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&code), "the room is listed");
    let r = browser.get(&s, &format!("/rooms/{code}/qr.svg")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.starts_with("<?xml") || r.body.contains("<svg"),
        "{}",
        &r.body[..80]
    );
}

#[tokio::test]
async fn a_workshop_from_join_to_end() {
    let s = state();
    let code = open_room(
        &s,
        json!({
            "title": "Vargen",
            "query": "varg",
            "algorithms": ["relevance", "popular", "personal"],
            "assignment": "round-robin",
            "blind": true
        }),
    )
    .await;
    let mut ada = join(&s, &code, "Ada").await;
    let mut bo = join(&s, &code, "Bo").await;
    let mut cy = join(&s, &code, "Cy").await;
    // A taken nickname (in any case) is refused with a free suggestion.
    let mut dup = Client::default();
    let r = send_json(
        &mut dup,
        &s,
        "POST",
        &format!("/api/rooms/{code}/join"),
        json!({ "nickname": "ada" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(r.json()["suggestion"], "ada 2");
    if let Some(s2) = dup.session() {
        assert!(s.workshop.seat(&s2).expect("read").is_none(), "not seated");
    }

    // Each sees the room's query under their algorithm, named A, B, C.
    let mut letters = Vec::new();
    let mut first_go = Vec::new();
    for c in [&mut ada, &mut bo, &mut cy] {
        let r = c.get(&s, &format!("/api/rooms/{code}/search")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let j = r.json();
        assert_eq!(j["query"], "varg");
        assert_eq!(j["recorded"], true);
        letters.push(j["algorithm"].as_str().expect("label").to_string());
        let go = j["results"][0]["go"].as_str().expect("go").to_string();
        assert!(
            !go.contains("algorithm="),
            "blind links do not name the algorithm: {go}"
        );
        first_go.push(go);
    }
    assert_eq!(letters, ["A", "B", "C"]);
    // A click goes through /go as everywhere, and is acknowledged.
    let mut rx = s.workshop.live.activity(&code);
    let r = bo.get(&s, &first_go[1]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("bubbla-recorded"), "1");
    assert!(
        r.location().contains("back=%2Frooms%2F"),
        "{}",
        r.location()
    );
    assert_eq!(
        rx.try_recv().expect("the wall hears the click"),
        bubbla::workshop::live::Update::Activity { kind: "click" }
    );

    // The wall shows the click, with the letters until the reveal.
    let mut lead = leader(&s);
    let w = lead
        .get(&s, &format!("/api/rooms/{code}/wall"))
        .await
        .json();
    assert_eq!(w["participants"], 3);
    assert_eq!(w["searched"], 3);
    assert_eq!(w["clicks"], 1);
    let cards = w["cards"].as_array().expect("cards");
    let bo_card = cards.iter().find(|c| c["nickname"] == "Bo").expect("Bo");
    assert_eq!(bo_card["algorithm"], "B");
    assert_eq!(bo_card["results"][0]["clicked"], true);
    assert_eq!(w["overlap"]["labels"].as_array().expect("labels").len(), 3);
    let page = lead.get(&s, &format!("/rooms/{code}/wall")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-card=\"Bo\""));
    let r = send_json(
        &mut lead,
        &s,
        "PATCH",
        &format!("/api/rooms/{code}"),
        json!({ "blind": false }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let j = ada
        .get(&s, &format!("/api/rooms/{code}/search"))
        .await
        .json();
    assert_eq!(j["algorithm"], "Relevance", "revealed: {j}");

    // The export holds every event, with the real algorithm.
    let e = lead
        .get(&s, &format!("/api/rooms/{code}/export.json"))
        .await
        .json();
    let events = e["events"].as_array().expect("events");
    assert_eq!(events.len(), 5, "4 searches and 1 click: {e}");
    assert_eq!(events.iter().filter(|e| e["kind"] == "click").count(), 1);
    assert!(events.iter().any(|e| e["algorithm"] == "popular"));
    let csv = lead.get(&s, &format!("/api/rooms/{code}/export.csv")).await;
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(
        csv.body.contains("Bo,click,varg,popular,me,1,"),
        "{}",
        csv.body
    );

    // The end deletes every row of every participant.
    let before = s.store.total_rows().expect("rows");
    let r = lead
        .send(&s, "DELETE", &format!("/api/rooms/{code}"), &[], vec![])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = &r.json()["deleted"];
    assert_eq!(d["participants"], 3);
    assert_eq!(d["sessions"], 3);
    assert_eq!(d["events"], 5);
    let after = s.store.total_rows().expect("rows");
    assert_eq!(after.events, before.events - 5);
    assert_eq!(after.sessions, before.sessions - 3);
    assert_eq!(after.impressions, 0);
    for c in [&ada, &bo, &cy] {
        let rows = s.store.rows_of(&c.session().expect("s")).expect("rows");
        assert_eq!(rows, bubbla::store::Rows::default());
    }
    let r = ada.get(&s, &format!("/api/rooms/{code}/search")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn rooms_are_isolated_from_each_other() {
    let s = state();
    let one = open_room(&s, json!({ "title": "One", "query": "varg" })).await;
    let two = open_room(&s, json!({ "title": "Two", "query": "mobil" })).await;
    let mut ada = join(&s, &one, "Ada").await;
    join(&s, &two, "Bo").await;
    assert_eq!(
        ada.get(&s, &format!("/api/rooms/{two}/search"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ada.get(&s, &format!("/rooms/{two}/compare?with=Bo"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ada.get(&s, &format!("/rooms/{two}/events")).await.status,
        StatusCode::NOT_FOUND
    );
    // The page offers to join instead of showing the other room.
    let r = ada.get(&s, &format!("/rooms/{two}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), format!("/join?code={two}"));
    // A click with the other room's code records nothing there.
    let j = ada
        .get(&s, &format!("/api/rooms/{one}/search"))
        .await
        .json();
    let doc = j["results"][0]["id"]
        .as_str()
        .expect("a result")
        .to_string();
    let r = ada
        .get(&s, &format!("/go/{doc}?q=mobil&rank=1&room={two}"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.header("bubbla-recorded"), "");
    let w = leader(&s)
        .get(&s, &format!("/api/rooms/{two}/wall"))
        .await
        .json();
    assert_eq!(w["clicks"], 0);
    // Unknown and malformed codes are 404, never 500.
    for bad in ["AAAAAA", "0OIl1x", "%00", "ÅÄÖ123"] {
        let r = ada.get(&s, &format!("/api/rooms/{bad}/search")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn forms_and_api_calls_from_other_sites_are_refused() {
    let s = state();
    let code = open_room(&s, json!({ "title": "Demo" })).await;
    let mut evil = leader(&s);
    evil.headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    let r = send_json(&mut evil, &s, "POST", "/api/rooms", json!({ "title": "x" })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = evil
        .post(&s, &format!("/leader/rooms/{code}/end"), "")
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(s.workshop.room(&code).is_ok(), "the room is still there");
    let mut c = Client::default();
    c.headers
        .push(("sec-fetch-site".into(), "cross-site".into()));
    let r = c
        .post(&s, "/join", &format!("code={code}&nickname=Mallory"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(c.session().is_none());
}

#[tokio::test]
async fn the_join_page_explains_a_taken_nickname_and_a_locked_room() {
    let s = state();
    let code = open_room(&s, json!({ "title": "Demo", "query": "varg" })).await;
    let mut a = Client::chromium();
    let r = a
        .post(
            &s,
            "/join",
            &format!("code={}&nickname=Ada", code.to_lowercase()),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), format!("/rooms/{code}"));
    let page = a.get(&s, &format!("/rooms/{code}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("data-room-query>varg<"), "{}", page.body);
    let mut b = Client::chromium();
    let r = b
        .post(&s, "/join", &format!("code={code}&nickname=ADA"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("data-error"), "{}", r.body);
    assert!(
        r.body.contains("value=\"ADA 2\""),
        "the suggestion is filled in"
    );
    assert_eq!(
        s.store.total_rows().expect("rows").sessions,
        1,
        "a refused join keeps no session"
    );
    let r = send_json(
        &mut leader(&s),
        &s,
        "PATCH",
        &format!("/api/rooms/{code}"),
        json!({ "locked": true }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = b
        .post(&s, "/join", &format!("code={code}&nickname=Bo"))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("data-error"));
    // Already seated: rejoining a locked room still works.
    let r = a
        .post(&s, "/join", &format!("code={code}&nickname=Ada"))
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = b.post(&s, "/join", "code=ZZZZZZ&nickname=Bo").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("data-error"));
}

#[tokio::test]
async fn room_searches_are_rate_limited() {
    let settings = Settings {
        limits: bubbla::web::limits::LimitSettings {
            per_session_per_minute: 3,
            ..Default::default()
        },
        ..Default::default()
    };
    let s = AppState::ready_with(
        bundled_engine(),
        bubbla::store::Store::in_memory(),
        settings,
    );
    let code = open_room(&s, json!({ "title": "Demo", "query": "varg" })).await;
    let mut a = join(&s, &code, "Ada").await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(a.get(&s, &format!("/rooms/{code}")).await.status);
    }
    // A first join has no session to count against yet: three pages pass.
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    let r = a.get(&s, &format!("/rooms/{code}")).await;
    assert!(r.body.contains("<html"), "bubbla's own 429 page");
}

#[tokio::test]
async fn the_export_neutralises_formulas() {
    let s = state();
    let code = open_room(&s, json!({ "title": "Demo", "query": "=1+1" })).await;
    let mut a = join(&s, &code, "=HYPERLINK(\"x\")").await;
    let mut b = join(&s, &code, "@me").await;
    a.get(&s, &format!("/api/rooms/{code}/search")).await;
    b.get(&s, &format!("/api/rooms/{code}/search")).await;
    let csv = leader(&s)
        .get(&s, &format!("/api/rooms/{code}/export.csv"))
        .await;
    let mut rdr = csv::Reader::from_reader(csv.body.trim_start_matches('\u{feff}').as_bytes());
    let mut rows = 0;
    for rec in rdr.records() {
        let rec = rec.expect("row");
        rows += 1;
        for cell in rec.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "{cell:?} in {rec:?}"
            );
        }
    }
    assert!(rows >= 2, "{}", csv.body);
    assert!(csv.body.contains("'=HYPERLINK"), "{}", csv.body);
    assert!(csv.body.contains("'@me"));
}

#[tokio::test]
async fn leader_changes_reach_participants_live() {
    let s = state();
    let code = open_room(&s, json!({ "title": "Demo" })).await;
    let mut a = join(&s, &code, "Ada").await;
    let mut rx = s.workshop.live.settings(&code);
    let r = send_json(
        &mut leader(&s),
        &s,
        "PATCH",
        &format!("/api/rooms/{code}"),
        json!({ "query": "varg" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        rx.try_recv().expect("pushed"),
        bubbla::workshop::live::Update::Settings
    );
    let j = a
        .get(&s, &format!("/api/rooms/{code}/search?q=mobil"))
        .await
        .json();
    assert_eq!(j["query"], "varg", "the shared query wins over a typed one");
    // The stream answers as server-sent events (for the room's own participant).
    let r = raw_first_frame(&s, &format!("/rooms/{code}/events"), &a).await;
    assert!(r.0.starts_with("text/event-stream"), "{:?}", r.0);
    assert!(r.1.contains("event: hello"), "{:?}", r.1);
    // Bad patches are explained, not 500s.
    let r = send_json(
        &mut leader(&s),
        &s,
        "PATCH",
        &format!("/api/rooms/{code}"),
        json!({ "algorithms": ["nope"] }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send_json(
        &mut leader(&s),
        &s,
        "PATCH",
        &format!("/api/rooms/{code}"),
        json!({ "colour": "red" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

/// The content type and first frame of a streaming response.
async fn raw_first_frame(s: &AppState, uri: &str, c: &Client) -> (String, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let cookie: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let req = axum::http::Request::builder()
        .uri(uri)
        .header("cookie", cookie.join("; "))
        .body(axum::body::Body::empty())
        .expect("request");
    let res = bubbla::web::app(s.clone())
        .oneshot(req)
        .await
        .expect("response");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut body = res.into_body();
    let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
        .await
        .expect("a first frame")
        .expect("frame")
        .expect("ok");
    let data = frame.into_data().unwrap_or_default();
    (ct, String::from_utf8_lossy(&data).into_owned())
}

#[tokio::test]
async fn every_room_page_renders_in_both_languages() {
    let s = state();
    let code = open_room(
        &s,
        json!({ "title": "Demo", "query": "varg", "assignment": "free", "friends": "chosen",
                "algorithms": ["relevance", "popular"], "personas": [] }),
    )
    .await;
    let mut a = join(&s, &code, "Ada").await;
    join(&s, &code, "Bo").await;
    let mut lead = Client::with_cookie("bubbla_leader", s.leader.as_str());
    for lang in ["sv", "en"] {
        lead.cookies.insert("bubbla_lang".into(), lang.into());
        a.cookies.insert("bubbla_lang".into(), lang.into());
        for uri in [
            "/leader".to_string(),
            format!("/leader/rooms/{code}"),
            format!("/leader/rooms/{code}/end"),
            format!("/rooms/{code}/wall"),
            format!("/rooms/{code}/wall?part=1&compact=1&group=algorithm"),
        ] {
            let r = lead.get(&s, &uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        }
        for uri in [
            format!("/rooms/{code}"),
            format!("/rooms/{code}/compare?with=Bo"),
            "/join".to_string(),
            format!("/join?code={code}"),
        ] {
            let r = a.get(&s, &uri).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
        }
    }
    // The participant's own choices: an algorithm on offer and a friend.
    let r = a
        .post(
            &s,
            &format!("/rooms/{code}/choose"),
            "algorithm=popular&friends-sent=1&friends=Bo",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let j = a.get(&s, &format!("/api/rooms/{code}/search")).await.json();
    assert_eq!(j["algorithm"], "Popular", "{j}");
    let r = a
        .post(&s, &format!("/rooms/{code}/choose"), "algorithm=personal")
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "not on offer");
}

#[tokio::test]
async fn oversized_room_requests_are_refused() {
    let s = state();
    let big = json!({ "title": "x".repeat(20_000) });
    let r = send_json(&mut leader(&s), &s, "POST", "/api/rooms", big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    let r = Client::default()
        .post(
            &s,
            "/join",
            &format!("code=ABCDEF&nickname={}", "x".repeat(20_000)),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("<html"));
}

#[tokio::test]
async fn room_api_errors_are_json_and_me_keeps_the_blind() {
    let s = state();
    let code = open_room(
        &s,
        json!({ "title": "Demo", "query": "varg", "algorithms": ["popular"], "blind": true }),
    )
    .await;
    for r in [
        send_json(
            &mut Client::default(),
            &s,
            "POST",
            "/api/rooms",
            json!({ "title": "x" }),
        )
        .await,
        send_json(
            &mut leader(&s),
            &s,
            "PATCH",
            &format!("/api/rooms/{code}"),
            json!({ "personas": ["nobody"] }),
        )
        .await,
        Client::default().get(&s, "/api/rooms/ZZZZZZ/search").await,
    ] {
        assert!(
            r.header("content-type").starts_with("application/json"),
            "{}",
            r.body
        );
        assert!(r.json()["error"]["message"].is_string());
    }
    let mut a = join(&s, &code, "Ada").await;
    a.get(&s, &format!("/api/rooms/{code}/search")).await;
    let me = a.get(&s, "/me/data.json").await;
    assert!(
        !me.body.contains("popular"),
        "blind on /me too: {}",
        me.body
    );
    assert!(me.body.contains("\"algorithm\":\"A\""), "{}", me.body);
    let page = a.get(&s, "/me").await;
    assert!(!page.body.contains("Popular"));
    send_json(
        &mut leader(&s),
        &s,
        "PATCH",
        &format!("/api/rooms/{code}"),
        json!({ "blind": false }),
    )
    .await;
    let me = a.get(&s, "/me/data.json").await;
    assert!(
        me.body.contains("\"algorithm\":\"popular\""),
        "revealed: {}",
        me.body
    );
}
