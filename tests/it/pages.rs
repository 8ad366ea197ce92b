//! Every page and API route through the router, in both languages, with
//! bad parameters and unknown documents.

use crate::support::{Client, Res, engine};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bubbla::web::{AppState, app};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// One request with an optional `Accept-Language`, without cookies.
async fn get(state: &AppState, uri: &str, lang: Option<&str>) -> Res {
    let mut c = Client::default();
    if let Some(l) = lang {
        c.headers.push(("accept-language".into(), l.into()));
    }
    c.get(state, uri).await
}

fn state() -> (AppState, tempfile::TempDir) {
    let (e, d) = engine("corpus");
    (AppState::ready(e), d)
}

/// (path, Swedish text, English text) every page must show.
const PAGES: &[(&str, &str, &str)] = &[
    ("/", "Teman och sökförslag", "Themes and suggested searches"),
    ("/search?q=varg", "Varför här?", "Why here?"),
    ("/search?q=varg&algorithm=sponsored&page=1", "Annons", "Ad"),
    (
        "/compare?q=varg&a=relevance&b=popular&c=diverse&d=keywords",
        "Hur olika är listorna?",
        "How different are the lists?",
    ),
    ("/compare", "Jämför rankningar", "Compare rankings"),
    ("/doc/varg-i-sverige", "Länkar hit", "Links to here"),
    ("/algorithms", "Signalerna", "The signals"),
];

#[tokio::test]
async fn every_page_in_both_languages() {
    let (s, _d) = state();
    for (path, sv, en) in PAGES {
        let r = get(&s, path, Some("sv-SE,sv;q=0.9")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            r.body.contains("<html lang=\"sv\">") && r.body.contains(sv),
            "{path} in Swedish"
        );
        let r = get(&s, path, Some("en-GB,en;q=0.8")).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            r.body.contains("<html lang=\"en\">") && r.body.contains(en),
            "{path} in English"
        );
        assert!(
            r.body.contains("href=\"/lang/sv?back="),
            "{path} links to the other language"
        );
    }
}

#[tokio::test]
async fn the_language_switch_sets_a_cookie_and_returns_safely() {
    let (s, _d) = state();
    let r = get(&s, "/lang/en?back=/search%3Fq%3Dvarg", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/search?q=varg");
    assert!(
        r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap_or("")
            .starts_with("bubbla_lang=en;")
    );
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let r = get(
            &s,
            &format!(
                "/lang/sv?back={}",
                evil.replace('/', "%2F").replace(':', "%3A")
            ),
            None,
        )
        .await;
        assert_eq!(r.headers[header::LOCATION], "/", "{evil}");
    }
    // The cookie wins over the browser's language.
    let req = Request::builder()
        .uri("/")
        .header(header::ACCEPT_LANGUAGE, "sv")
        .header(header::COOKIE, "bubbla_lang=en")
        .body(Body::empty())
        .expect("request");
    let res = app(s.clone()).oneshot(req).await.expect("response");
    let body = res.into_body().collect().await.expect("body").to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn search_page_explains_each_result_and_the_table_adds_up() {
    let (s, _d) = state();
    for a in [
        "relevance",
        "keywords",
        "popular",
        "authority",
        "fresh",
        "sponsored",
        "diverse",
        "personal",
        "social",
        "engagement",
        "random",
    ] {
        let r = get(&s, &format!("/search?q=varg&algorithm={a}"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{a}");
        let results: Vec<&str> = r.body.split("<article class=\"result").skip(1).collect();
        assert_eq!(results.len(), 5, "{a}");
        for block in results {
            let nums = |attr: &str| -> Vec<f64> {
                block
                    .split(&format!("{attr}=\""))
                    .skip(1)
                    .filter_map(|s| s.split('"').next()?.parse::<f64>().ok())
                    .collect()
            };
            let parts = nums("data-contribution");
            let score = nums("data-score");
            assert_eq!(
                parts.len(),
                bubbla::rank::SIGNALS.len(),
                "{a}: one row per signal"
            );
            assert_eq!(score.len(), 1);
            assert!(
                (parts.iter().sum::<f64>() - score[0]).abs() < 1e-9,
                "{a}: {parts:?} vs {score:?}"
            );
            assert!(
                block.contains(&format!("poäng {:.3}", score[0])),
                "{a}: the shown score is the table's sum"
            );
        }
    }
}

#[tokio::test]
async fn sponsored_results_are_labelled_in_text() {
    let (s, _d) = state();
    let r = get(&s, "/search?q=varg&algorithm=sponsored", Some("en")).await;
    assert!(
        r.body
            .contains("<strong class=\"badge ad-badge\">Ad</strong>")
    );
    let r = get(&s, "/search?q=varg", Some("en")).await;
    assert!(
        r.body
            .contains("<strong class=\"badge\">Sponsored</strong>")
    );
}

#[tokio::test]
async fn compare_shows_every_documents_rank_in_every_column() {
    let (s, _d) = state();
    let r = get(
        &s,
        "/compare?q=varg&a=relevance&b=popular&c=keywords",
        Some("en"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.matches("<section class=\"column\"").count(), 3);
    assert!(r.body.contains("Relevance vs Popular"));
    assert!(r.body.contains("rank 1 in Relevance"), "ranks elsewhere");
    assert!(
        r.body.contains("Jaccard@10")
            && r.body.contains("RBO")
            && r.body.contains("Perspective breadth")
    );
    assert!(r.body.contains("data-doc=\"varg-i-sverige\""));
    assert!(r.body.contains("/static/bubbla.js"));
}

#[tokio::test]
async fn paging_links_move_through_the_same_ranking() {
    let (s, _d) = state();
    let r = get(&s, "/search?q=varg&page=2", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("<article"), "5 results fit on page 1");
    assert!(r.body.contains("rel=\"prev\""));
}

#[tokio::test]
async fn bad_page_parameters_get_a_400_page() {
    let (s, _d) = state();
    for uri in [
        "/search?q=varg&algorithm=nope",
        "/search?q=varg&page=0",
        "/search?q=varg&page=abc",
        "/search?q=varg&lang=de",
        "/compare?q=varg&a=relevance",
        "/compare?q=varg&a=relevance&b=nope",
        "/compare?q=varg&a=relevance&b=popular&c=diverse&d=fresh&algorithm=random",
    ] {
        let r = get(&s, uri, Some("en")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            r.body.contains("Bad request") && r.body.contains("<html lang=\"en\">"),
            "{uri}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn unknown_documents_get_a_404_page_in_the_visitors_language() {
    let (s, _d) = state();
    let r = get(&s, "/doc/finns-inte", Some("en")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<html lang=\"en\">") && r.body.starts_with("<!doctype html>"));
    assert!(r.body.find("This page does not exist") < r.body.find("Sidan finns inte"));
}

#[tokio::test]
async fn document_page_shows_metadata_links_and_signals() {
    let (s, _d) = state();
    let r = get(&s, "/doc/varg-i-sverige", Some("en")).await;
    assert!(r.body.contains("<h1>Varg i Sverige</h1>"));
    assert!(r.body.contains("Naturbladet (påhittad)"));
    assert!(
        r.body.contains("</svg>The researchers</span>"),
        "perspective label beside its swatch"
    );
    assert!(
        r.body.contains("<th scope=\"col\">Note</th>"),
        "no empty table header"
    );
    assert!(
        !r.body.contains("data-back"),
        "opened directly: no way back"
    );
    assert!(r.body.contains("href=\"/doc/vargjakten-2024\""), "link out");
    assert!(r.body.contains("href=\"/doc/wolves-return\""), "link in");
    assert!(
        r.body.contains("Link authority") && r.body.contains("rank 1 of 10 in the link graph"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn api_search_compare_and_algorithms() {
    let (s, _d) = state();
    let r = get(&s, "/api/search?q=varg&algorithm=popular&k=3", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["algorithm"], "popular");
    assert_eq!(v["results"].as_array().map(Vec::len), Some(3));
    assert!(
        v["results"][0]["explanation"]["signals"]
            .as_array()
            .is_some_and(|s| s.len() == bubbla::rank::SIGNALS.len())
    );

    let r = get(
        &s,
        "/api/compare?q=varg&algorithm=relevance&algorithm=keywords",
        None,
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["columns"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["columns"][0]["jaccard@10"], 1.0);
    assert!(v["columns"][1]["rbo"].as_f64().is_some_and(|x| x < 1.0));
    assert_eq!(v["pairs"][0]["a"], "relevance");

    let r = get(&s, "/api/algorithms", None).await;
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["algorithms"].as_array().map(Vec::len), Some(11));
    assert_eq!(v["algorithms"][5]["rerank"]["step"], "pin-sponsored");
    assert_eq!(
        v["signals"].as_array().map(Vec::len),
        Some(bubbla::rank::SIGNALS.len())
    );
}

#[tokio::test]
async fn api_bad_parameters_get_a_json_400() {
    let (s, _d) = state();
    for uri in [
        "/api/search?q=varg&algorithm=nope",
        "/api/search?q=varg&k=10000",
        "/api/search?q=varg&k=0",
        "/api/search?q=varg&page=-1",
        "/api/compare?q=varg&a=relevance&b=popular&c=diverse&d=fresh&algorithm=random",
        "/api/compare?q=varg&a=relevance",
        "/api/compare?q=varg&a=relevance&b=popular&k=10000",
    ] {
        let r = get(&s, uri, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}");
        let v: serde_json::Value = serde_json::from_str(&r.body).expect("json error");
        assert_eq!(v["error"]["status"], 400);
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let r = get(&s, "/api/nope", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.starts_with('{'));
}

#[tokio::test]
async fn hostile_queries_on_every_route_never_500() {
    let (s, _d) = state();
    for q in [
        "%22",
        "AND(",
        "title%3A",
        "*",
        "%F0%9F%90%BA",
        "-",
        "%00",
        "%3Cscript%3E",
    ] {
        for route in [
            "/search?q=",
            "/compare?q=",
            "/api/search?q=",
            "/api/compare?a=relevance&b=diverse&q=",
        ] {
            let r = get(&s, &format!("{route}{q}"), None).await;
            assert_eq!(r.status, StatusCode::OK, "{route}{q}");
            if !route.starts_with("/api") {
                assert!(!r.body.contains("<script>"), "{route}{q}");
            }
        }
    }
}

#[tokio::test]
async fn pages_load_nothing_from_outside_the_machine() {
    let (s, _d) = state();
    for (path, _, _) in PAGES {
        let r = get(&s, path, None).await;
        for attr in ["src=\"http", "src=\"//", "href=\"//"] {
            assert!(!r.body.contains(attr), "{path} has {attr}");
        }
        assert!(
            !r.body.contains("<link rel=\"stylesheet\" href=\"http"),
            "{path}"
        );
    }
    let css = get(&s, "/static/bubbla.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(!css.body.contains("url(") && !css.body.contains("@import"));
}

/// Every attribute that the Content-Security-Policy (no 'unsafe-inline')
/// would block: none may be left on any page.
#[tokio::test]
async fn pages_have_no_inline_styles_or_scripts() {
    let (s, _d) = state();
    for (path, _, _) in PAGES {
        let r = get(&s, path, Some("en")).await;
        assert!(!r.body.contains(" style="), "{path} has a style attribute");
        assert!(!r.body.contains("<style"), "{path} has a style element");
        assert!(
            r.body.matches("<script").count() == r.body.matches("<script src=").count(),
            "{path} has an inline script"
        );
    }
}

/// The hooks the browser tests find results by.
#[tokio::test]
async fn every_result_link_carries_its_document_rank_and_perspective() {
    let (s, _d) = state();
    for path in [
        "/search?q=varg&algorithm=sponsored",
        "/compare?q=varg&a=relevance&b=sponsored",
    ] {
        let r = get(&s, path, Some("en")).await;
        let links = r.body.matches(" data-go href=\"/go/").count();
        assert!(links >= 5, "{path}: {links}");
        assert_eq!(
            r.body.matches(" data-rank=\"").count(),
            links,
            "{path}: one ranked element per link"
        );
        assert!(r.body.contains("data-ad"), "{path}: the ad slot");
        // `/` is HTML-escaped in attributes; browsers read it as `/`.
        assert!(
            r.body.contains("&amp;back=&#x2f;search%3Fq%3Dvarg")
                || r.body.contains("&amp;back=&#x2f;compare%3Fq%3Dvarg"),
            "{path}: the link says where it was clicked"
        );
    }
    let r = get(&s, "/search?q=varg", Some("en")).await;
    assert!(r.body.contains("<ol class=\"results\" id=\"results\""));
    assert!(r.body.contains("data-sponsored"));
    assert!(r.body.contains("<tr data-signal=\"text\""));
    assert!(r.body.contains(" data-weight=\""));
}

/// Lesson 1 and 2 read the perspectives of the top 10 near the top of
/// /search: after the summary, before the results, counted over them.
#[tokio::test]
async fn search_shows_the_perspectives_of_its_top_ten_before_the_results() {
    let (s, _d) = state();
    let r = get(&s, "/search?q=varg", Some("en")).await;
    let body = &r.body;
    let (summary, mix, results) = (
        body.find("class=\"summary\"").expect("summary"),
        body.find("id=\"mix\"").expect("mix"),
        body.find("id=\"results\"").expect("results"),
    );
    assert!(summary < mix && mix < results, "{summary} {mix} {results}");
    assert!(body.contains("Perspectives in the top 10"));
    let attr = |block: &str, name: &str| -> Vec<String> {
        block
            .split(&format!(" {name}=\""))
            .skip(1)
            .filter_map(|s| s.split('"').next().map(str::to_string))
            .collect()
    };
    let mix_block = &body[mix..results];
    let counted: Vec<(String, usize)> = attr(mix_block, "data-perspective")
        .into_iter()
        .zip(
            attr(mix_block, "data-count")
                .iter()
                .map(|n| n.parse::<usize>().expect("count")),
        )
        .collect();
    let shown = attr(&body[results..], "data-perspective");
    assert_eq!(
        counted.iter().map(|(_, n)| n).sum::<usize>(),
        shown.len().min(10)
    );
    for (p, n) in &counted {
        assert_eq!(shown.iter().filter(|q| *q == p).count(), *n, "{p}");
    }
    assert!(
        body.contains("<h1 class=\"sr\">Search results: varg</h1>"),
        "a heading for the page"
    );
    let page2 = get(&s, "/search?q=varg&page=2", Some("en")).await;
    assert!(
        !page2.body.contains("id=\"mix\""),
        "page 2 is not the top 10"
    );
}

fn columns(body: &str) -> Vec<(String, String, String)> {
    body.split("<section class=\"column\"")
        .skip(1)
        .map(|block| {
            let attr = |name: &str| {
                block
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .unwrap_or("")
                    .to_string()
            };
            (
                attr("data-column"),
                attr("data-algorithm"),
                attr("data-viewer"),
            )
        })
        .collect()
}

/// "(none)" as a column's algorithm removes the column, whatever its viewer;
/// an absent algorithm with a viewer repeats the column before.
#[tokio::test]
async fn none_removes_a_compare_column_whatever_its_viewer_says() {
    let (s, _d) = state();
    let r = get(
        &s,
        "/compare?q=varg&a=relevance&va=me&b=popular&vb=&c=&vc=me&d=&vd=",
        Some("en"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        columns(&r.body),
        [
            ("1".into(), "relevance".into(), "me".into()),
            ("2".into(), "popular".into(), "me".into())
        ]
    );
    assert!(r.body.contains("<tr data-pair=\"1-2\">"));
    assert!(!r.body.contains("data-pair=\"2-3\""), "no duplicate column");
    let bundled = AppState::ready(crate::support::bundled_engine());
    let r = get(
        &bundled,
        "/compare?q=varg&a=personal&va=elin&vb=omar&vc=sara",
        None,
    )
    .await;
    let cols = columns(&r.body);
    assert_eq!(cols.len(), 3, "the README's persona comparison");
    assert!(cols.iter().all(|(_, a, _)| a == "personal"), "{cols:?}");
    assert_eq!(
        cols.iter().map(|(_, _, v)| v.as_str()).collect::<Vec<_>>(),
        ["elin", "omar", "sara"]
    );
    for hook in [
        "data-jaccard=\"",
        "data-rbo=\"",
        "data-entropy=\"",
        "id=\"compare-form\"",
    ] {
        assert!(r.body.contains(hook), "{hook}");
    }
    assert!(
        !r.body.contains("<th scope=\"col\"></th>"),
        "no empty header"
    );
}

/// With results, the column pickers fold away (the first result of every
/// column must fit on a projector's first screen); without, they are open.
#[tokio::test]
async fn compare_folds_its_column_pickers_once_results_are_shown() {
    let (s, _d) = state();
    let r = get(&s, "/compare?q=varg", Some("en")).await;
    assert!(r.body.contains("<details class=\"change-columns\">"));
    let r = get(&s, "/compare", Some("en")).await;
    assert!(r.body.contains("<details class=\"change-columns\" open>"));
}

/// /doc links back to the results it was opened from, and only to this site.
#[tokio::test]
async fn a_document_links_back_to_the_results_it_was_opened_from() {
    let (s, _d) = state();
    let r = get(
        &s,
        "/doc/varg-i-sverige?q=varg&algorithm=popular&viewer=me&back=%2Fcompare%3Fq%3Dvarg%26a%3Dpopular",
        Some("en"),
    )
    .await;
    assert!(
        r.body
            .contains("<a href=\"&#x2f;compare?q=varg&amp;a=popular\" data-back>"),
        "{}",
        r.body
    );
    let r = get(
        &s,
        "/doc/varg-i-sverige?q=varg&algorithm=popular&back=%2F%2Fevil.example",
        Some("en"),
    )
    .await;
    assert!(
        r.body
            .contains("<a href=\"&#x2f;search?q=varg&amp;algorithm=popular\" data-back>"),
        "{}",
        r.body
    );
}
