//! A click acknowledged is a click kept: participants click while the
//! server is killed with SIGKILL; every click the server acknowledged
//! (`303` with `bubbla-recorded: 1`) is in the database afterwards.

use crate::support::fixture;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const TOKEN: &str = "durability-test-token";

/// Status, headers (names in lower case) and body.
type Answer = (u16, Vec<(String, String)>, String);

/// One HTTP/1.0 request over loopback.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Option<Answer> {
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some((status, headers, body.to_string()))
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn acknowledged_clicks_survive_kill_9() {
    let data = tempfile::tempdir().expect("tmp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_bubbla"))
        .env_remove("RUST_LOG")
        .env("BUBBLA_CORPUS", fixture("corpus"))
        .env("BUBBLA_DATA_DIR", data.path())
        .args(["serve", "--addr", "127.0.0.1:0", "--leader-token", TOKEN])
        .args(["--session-rate", "100000", "--address-rate", "1000000"])
        .args(["--new-sessions-rate", "100000"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split("listening on http://")
                .nth(1)
                .map(|s| s.split_whitespace().next().unwrap_or("").to_string())
        })
        .expect("server prints its address");
    // Keep reading the log so that the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    let deadline = Instant::now() + Duration::from_secs(60);
    while !http(&addr, "GET", "/healthz", &[], "").is_some_and(|r| r.2.contains("\"ready\"")) {
        assert!(
            Instant::now() < deadline,
            "the index is ready within a minute"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let bearer = format!("Bearer {TOKEN}");
    let json = [("Content-Type", "application/json")];
    let (status, _, body) = http(
        &addr,
        "POST",
        "/api/rooms",
        &[json[0], ("Authorization", &bearer)],
        r#"{"title":"kill -9","query":"varg"}"#,
    )
    .expect("room");
    assert_eq!(status, 201, "{body}");
    let room: serde_json::Value = serde_json::from_str(&body).expect("json");
    let code = room["code"].as_str().expect("code").to_string();

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for n in 0..4 {
        let (addr, code) = (addr.clone(), code.clone());
        let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
        threads.push(std::thread::spawn(move || {
            let (status, headers, body) = http(
                &addr,
                "POST",
                &format!("/api/rooms/{code}/join"),
                &[("Content-Type", "application/json")],
                &format!(r#"{{"nickname":"p{n}"}}"#),
            )
            .expect("join");
            assert_eq!(status, 200, "{body}");
            let cookie = header(&headers, "set-cookie")
                .and_then(|c| c.split(';').next())
                .expect("cookie")
                .to_string();
            let (_, _, body) = http(
                &addr,
                "GET",
                &format!("/api/rooms/{code}/search"),
                &[("Cookie", &cookie)],
                "",
            )
            .expect("search");
            let results: serde_json::Value = serde_json::from_str(&body).expect("json");
            let links: Vec<String> = results["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(|r| r["go"].as_str().expect("go").to_string())
                .collect();
            assert!(!links.is_empty());
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                let Some((status, headers, _)) = http(
                    &addr,
                    "GET",
                    &links[i % links.len()],
                    &[("Cookie", &cookie)],
                    "",
                ) else {
                    break; // the server is gone
                };
                if status == 303 && header(&headers, "bubbla-recorded") == Some("1") {
                    acknowledged.fetch_add(1, Ordering::SeqCst);
                }
                i += 1;
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.load(Ordering::SeqCst) < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    // Killed in the middle of the clicking, not after it.
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .expect("kill");
    let _ = child.wait();
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().expect("participant");
    }
    let acked = acknowledged.load(Ordering::SeqCst);
    assert!(
        acked >= 200,
        "only {acked} clicks were acknowledged in a minute"
    );
    let db = rusqlite::Connection::open(data.path().join("bubbla.sqlite")).expect("db opens");
    let kept: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind = 'click' AND room = ?1",
            [&code],
            |r| r.get(0),
        )
        .expect("count");
    eprintln!("acknowledged {acked} clicks, {kept} in the database after kill -9");
    assert!(kept as usize >= acked, "{acked} acknowledged, {kept} kept");
}
