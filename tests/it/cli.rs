//! The binary as a user runs it.

use crate::support::fixture;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bubbla(corpus: &str, data: &tempfile::TempDir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bubbla"));
    c.env_remove("RUST_LOG")
        .env("BUBBLA_CORPUS", fixture(corpus))
        .env("BUBBLA_DATA_DIR", data.path());
    c
}

#[test]
fn check_exits_1_and_prints_every_error_on_its_own_line() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("broken", &data)
        .args(["check", "--max-body-bytes", "2000"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().filter(|l| l.contains(": error: ")).count(),
        17,
        "{stdout}"
    );
    assert!(stdout.lines().any(|l| l.ends_with("unterminated.md:1: error: front matter is never closed (hint: add a line with only `+++` after the last field)")), "{stdout}");
}

#[test]
fn check_json_has_the_same_content_and_global_options_go_anywhere() {
    let data = tempfile::tempdir().expect("tmp");
    let out = Command::new(env!("CARGO_BIN_EXE_bubbla"))
        .args(["check", "--json", "--corpus"])
        .arg(fixture("broken"))
        .args(["--max-body-bytes", "2000"])
        .env("BUBBLA_DATA_DIR", data.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["errors"], 17);
    assert_eq!(v["documents"], 3);
    let first = &v["diagnostics"][0];
    for key in ["path", "line", "severity", "message", "hint"] {
        assert!(first.get(key).is_some(), "{key} in {first}");
    }
}

#[test]
fn check_exits_0_on_a_clean_corpus() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("corpus", &data).arg("check").output().expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn search_json_has_the_documented_shape() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("corpus", &data)
        .args(["search", "vargar", "-k", "2", "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["query"], "vargar");
    assert_eq!(v["total_hits"], 5);
    let r = &v["results"][0];
    for key in [
        "rank",
        "id",
        "title",
        "lang",
        "theme",
        "perspective",
        "score",
        "snippet",
    ] {
        assert!(r.get(key).is_some(), "{key} in {r}");
    }
    assert_eq!(v["results"].as_array().map(Vec::len), Some(2));
}

#[test]
fn search_accepts_queries_that_look_like_options() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("corpus", &data)
        .args(["search", "--lang", "sv", "-varg"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn serve_answers_health_and_stops_cleanly_on_sigterm() {
    let data = tempfile::tempdir().expect("tmp");
    let mut child = bubbla("corpus", &data)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
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
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        let body = http_get(&addr, "/healthz");
        if body.contains("\"ready\"") || Instant::now() > deadline {
            break body;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(body.contains("\"ready\""), "{body}");
    assert!(http_get(&addr, "/search?q=varg").contains("Varg i Sverige"));
    let pid = child.id().to_string();
    Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    let status = child.wait().expect("exits");
    assert!(status.success(), "{status:?}");
}

/// A minimal HTTP/1.0 GET over loopback, to keep the test free of clients.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

#[test]
fn search_explain_prints_every_signal_and_the_sum() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("corpus", &data)
        .args(["search", "varg", "-a", "sponsored", "--explain", "-k", "2"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for word in [
        "contribution",
        "text",
        "keywords",
        "popularity",
        "authority",
        "recency",
        "sponsored",
        "= score",
        "[ANNONS / AD]",
        "Placed in an ad slot",
    ] {
        assert!(text.contains(word), "{word} in\n{text}");
    }
}

#[test]
fn compare_json_has_lists_explanations_and_metrics() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("corpus", &data)
        .args([
            "compare",
            "varg",
            "--algorithm",
            "relevance",
            "--algorithm",
            "keywords",
            "-a",
            "diverse",
            "--json",
        ])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let cols = v["columns"].as_array().expect("columns");
    assert_eq!(cols.len(), 3);
    for c in cols {
        for key in ["algorithm", "results", "jaccard@10", "rbo", "entropy"] {
            assert!(c.get(key).is_some(), "{key}");
        }
        assert!(c["results"][0]["explanation"]["signals"].is_array());
    }
    assert_eq!(v["pairs"].as_array().map(Vec::len), Some(3));
}

#[test]
fn unknown_algorithms_and_too_many_columns_are_clear_errors() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("corpus", &data)
        .args(["search", "varg", "-a", "nope"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown algorithm `nope`; known: relevance")
    );
    let out = bubbla("corpus", &data)
        .args([
            "compare",
            "varg",
            "-a",
            "relevance",
            "-a",
            "popular",
            "-a",
            "diverse",
            "-a",
            "fresh",
            "-a",
            "random",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("compare 2 to 4 algorithms, not 5"));
}

#[test]
fn check_stats_counts_documents_per_theme_perspective_and_language() {
    let data = tempfile::tempdir().expect("tmp");
    let out = bubbla("corpus", &data)
        .args(["check", "--stats"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("10 documents (3 en, 7 sv)"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["varg", "jakt", "2", "1"]),
        "{text}"
    );
    assert!(text.contains("sponsored documents: 2"), "{text}");
    let out = bubbla("corpus", &data)
        .args(["check", "--stats", "--json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v["stats"]["by_perspective"]["varg"]["skydd"],
        serde_json::json!([2, 1])
    );
    assert!(
        v["stats"]["top10_share"]
            .as_f64()
            .is_some_and(|s| s > 0.0 && s <= 1.0)
    );
}
