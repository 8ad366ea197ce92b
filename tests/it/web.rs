//! HTTP behaviour through the router itself (no socket).

use crate::support::{Client, config, engine};
use axum::http::StatusCode;
use bubbla::engine::Engine;
use bubbla::progress::Progress;
use bubbla::web::AppState;

async fn get(state: &AppState, uri: &str) -> (StatusCode, String) {
    let r = Client::default().get(state, uri).await;
    (r.status, r.body)
}

fn ready(corpus: &str) -> (AppState, tempfile::TempDir) {
    let (e, d) = engine(corpus);
    (AppState::ready(e), d)
}

#[tokio::test]
async fn health_reports_a_ready_index() {
    let (s, _d) = ready("corpus");
    let (status, body) = get(&s, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["index"], "ready");
    assert_eq!(v["documents"], 10);
}

#[tokio::test]
async fn start_page_lists_themes_and_suggested_queries() {
    let (s, _d) = ready("corpus");
    let (status, body) = get(&s, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Varg och jakt") && body.contains("/search?q=licensjakt"),
        "{body}"
    );
}

#[tokio::test]
async fn search_page_shows_marked_results() {
    let (s, _d) = ready("corpus");
    let (status, body) = get(&s, "/search?q=varg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Varg i Sverige"));
    assert!(body.contains("<mark>Vargen</mark>"), "{body}");
}

#[tokio::test]
async fn hostile_queries_never_give_an_error_page() {
    let (s, _d) = ready("corpus");
    for q in [
        "%22unbalanced",
        "AND(",
        "title%3Avarg",
        "*",
        "%F0%9F%90%BA",
        "%3Cscript%3E",
        "",
        "-",
        "%00",
    ] {
        let (status, body) = get(&s, &format!("/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert!(!body.contains("<script>"), "query must be escaped: {q}");
    }
    let long = "varg%20".repeat(2000);
    assert_eq!(
        get(&s, &format!("/search?q={long}")).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_pages_get_a_bilingual_404() {
    let (s, _d) = ready("corpus");
    let (status, body) = get(&s, "/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Sidan finns inte") && body.contains("This page does not exist"));
}

#[tokio::test]
async fn the_server_starts_and_searches_with_broken_files_in_the_corpus() {
    let (s, _d) = ready("broken");
    let (status, body) = get(&s, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["documents"], 3);
    assert_eq!(v["corpus_errors"], 17);
    let (status, body) = get(&s, "/search?q=varg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Ett bra dokument"), "{body}");
}

#[tokio::test]
async fn while_indexing_pages_say_so_and_reload() {
    let s = AppState::building(
        Progress::hidden(),
        bubbla::store::Store::in_memory(),
        Default::default(),
    );
    let (status, body) = get(&s, "/search?q=varg").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("http-equiv=\"refresh\"") && body.contains("Sökindexet byggs"));
    let (status, body) = get(&s, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"building\""));
    // Once built, the same state serves.
    let data = tempfile::tempdir().expect("tmp");
    s.set_engine(Engine::open(&config("corpus", &data), &Progress::hidden()));
    assert_eq!(get(&s, "/search?q=varg").await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_missing_corpus_is_explained_on_every_page() {
    let s = AppState::building(
        Progress::hidden(),
        bubbla::store::Store::in_memory(),
        Default::default(),
    );
    s.set_engine(Err(anyhow::anyhow!("corpus folder `nowhere` not found")));
    let (status, body) = get(&s, "/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("corpus folder `nowhere` not found"), "{body}");
    let (_, body) = get(&s, "/healthz").await;
    assert!(body.contains("\"failed\""));
}
