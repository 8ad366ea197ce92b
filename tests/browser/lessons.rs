//! Lessons 1, 2, 4 and 6 of docs/lessons/en.md, acted out as the guide tells
//! participants to act, asserting what they see.

use crate::harness::{Browser, Harness, catalogue, num};
use rusqlite::{Connection, OpenFlags};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

const DESKTOP: (u32, u32) = (1366, 768);
const PHONE: (u32, u32) = (390, 844);

/// Perspective counts `[data-perspective][data-count]` under `scope`.
async fn mix(b: &Browser, scope: &str) -> BTreeMap<String, u64> {
    let v = b
        .js(
            "return [...document.querySelectorAll(arguments[0] + ' li[data-perspective][data-count]')]
               .map(e => [e.getAttribute('data-perspective'), Number(e.getAttribute('data-count'))])",
            vec![json!(scope)],
        )
        .await;
    v.as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p[0].as_str().unwrap_or_default().to_string(),
                p[1].as_u64().unwrap_or(0),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Normalised entropy over a theme's four perspectives, as bubbla's
/// "perspective breadth" (0 = one perspective, 1 = all four equally).
fn breadth(counts: &BTreeMap<String, u64>) -> f64 {
    let total: u64 = counts.values().sum();
    if total == 0 {
        return 0.0;
    }
    let h: f64 = counts
        .values()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.ln()
        })
        .sum();
    h / 4f64.ln()
}

fn near(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 0.01,
        "{what}: the page shows {got}, the lesson guide says {want}"
    );
}

/// The numeric `attr` of the first element matching `css`.
async fn num_attr(b: &Browser, css: &str, attr: &str) -> f64 {
    b.find(css).await;
    let v = b.attrs(css, attr).await;
    let s = v
        .first()
        .cloned()
        .flatten()
        .unwrap_or_else(|| panic!("`{css}` has no {attr}"));
    num(&s)
}

/// Document ids in rank order under `scope` (`[data-doc]` elements).
async fn docs(b: &Browser, scope: &str) -> Vec<String> {
    b.attrs(&format!("{scope} [data-doc]"), "data-doc")
        .await
        .into_iter()
        .flatten()
        .collect()
}

fn counts(p: &Path, session: &str) -> (i64, i64, i64) {
    let db = Connection::open_with_flags(p, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open bubbla.sqlite read-only");
    let one = |sql: &str| -> i64 {
        db.query_row(sql, [session], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    (
        one("SELECT count(*) FROM sessions WHERE id = ?1"),
        one("SELECT count(*) FROM events WHERE session = ?1"),
        one(
            "SELECT count(*) FROM impressions WHERE event IN (SELECT id FROM events WHERE session = ?1)",
        ),
    )
}

/// Lesson 6 and the two forms that Chromium used to be refused (403):
/// the nickname and delete-everything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
async fn lesson6_me_lists_events_saves_a_nickname_and_deletes_everything() {
    let h = Harness::start();
    let ana = h.person(PHONE.0, PHONE.1).await;
    let other = h.person(DESKTOP.0, DESKTOP.1).await;

    // Someone else on the same server searches too; their data must stay.
    other.goto("/").await;
    other.type_query("kärnkraft").await;
    let other_id = other
        .cookie("bubbla_session")
        .await
        .expect("the other person's search set a session cookie");

    // A few harmless searches from the home page's box, and one click.
    ana.goto("/").await;
    ana.type_query("varg").await;
    ana.find("#results [data-doc] a[data-go]").await;
    ana.type_query("cykelbanor").await;
    ana.choose("#algorithm", "popular").await;
    ana.submit_form_of("#q").await;
    assert!(ana.path().await.contains("algorithm=popular"));
    let clicked = docs(&ana, "#results").await;
    assert!(!clicked.is_empty(), "no results for cykelbanor");
    ana.click_and_wait("#results [data-doc] a[data-go]").await;
    assert!(
        ana.path().await.starts_with("/doc/"),
        "the /go link did not open the document: {}",
        ana.path().await
    );
    let session = ana
        .cookie("bubbla_session")
        .await
        .expect("searching set the bubbla_session cookie");
    let (s, e, i) = counts(&h.server.sqlite(), &session);
    assert_eq!(s, 1, "the session is in the database");
    assert!(
        e >= 4 && i > 0,
        "events {e}, impressions {i} after 3 searches and a click"
    );

    // /me through the menu: every search and the click.
    ana.click_and_wait("header a[href='/me']").await;
    ana.find("tr[data-event]").await;
    let kinds: Vec<String> = ana
        .attrs("tr[data-event]", "data-event")
        .await
        .into_iter()
        .flatten()
        .collect();
    let clicks = kinds.iter().filter(|k| *k == "click").count();
    let searches = kinds
        .iter()
        .filter(|k| *k == "search" || *k == "query")
        .count();
    assert_eq!(clicks, 1, "/me lists the click: {kinds:?}");
    assert_eq!(searches, 3, "/me lists the three searches: {kinds:?}");

    // The nickname form (403 in Chromium before the fix).
    let nick = ana.find("#nickname-form input[name=nickname]").await;
    nick.clear().await.expect("clear");
    nick.send_keys("Räven").await.expect("type nickname");
    ana.submit_form_of("#nickname-form input[name=nickname]")
        .await;
    assert_eq!(
        ana.status().await,
        200,
        "saving the nickname: {}",
        ana.path().await
    );
    let shown = ana
        .find("[data-nickname]")
        .await
        .text()
        .await
        .expect("text");
    assert!(shown.contains("Räven"), "[data-nickname] says {shown:?}");
    // … and in the viewer picker of a search page.
    ana.goto("/search?q=varg").await;
    let picker = ana
        .find("#viewer option[value=me]")
        .await
        .text()
        .await
        .expect("option text");
    assert!(picker.contains("Räven"), "the picker says {picker:?}");

    // Delete everything (403 in Chromium before the fix).
    ana.click_and_wait("header a[href='/me']").await;
    ana.click_and_wait("#delete-all").await;
    ana.click_and_wait("#delete-confirm").await;
    assert_eq!(
        ana.status().await,
        200,
        "delete-all answered {}",
        ana.status().await
    );
    let deleted = ana.find("#deleted").await;
    for (attr, min) in [
        ("data-events", 4),
        ("data-impressions", 1),
        ("data-sessions", 1),
    ] {
        let v = deleted.attr(attr).await.expect("attr").unwrap_or_default();
        assert!(
            num(&v) >= min as f64,
            "#deleted {attr}={v}, expected at least {min}"
        );
    }
    assert_eq!(
        ana.cookie("bubbla_session").await,
        None,
        "the cookie is removed"
    );
    ana.goto("/me").await;
    assert!(
        !ana.exists("tr[data-event]").await,
        "/me still lists events after deleting"
    );
    assert_eq!(
        counts(&h.server.sqlite(), &session),
        (0, 0, 0),
        "rows left for the deleted session"
    );
    let (s, e, _) = counts(&h.server.sqlite(), &other_id);
    assert_eq!((s, e), (1, 1), "the other person's session and search stay");

    ana.finish().await;
    other.finish().await;
}

/// Lesson 1: same query, different answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
async fn lesson1_personas_and_recipes_show_the_guides_figures() {
    let h = Harness::start();
    let b = h.person(DESKTOP.0, DESKTOP.1).await;

    b.goto("/compare?q=varg&a=personal&va=elin&vb=omar&vc=sara")
        .await;
    b.find("section[data-column] li[data-doc]").await;
    let viewers: Vec<String> = b
        .attrs("section[data-column]", "data-viewer")
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(viewers, ["elin", "omar", "sara"]);
    for (pair, want) in [("1-2", 0.11), ("1-3", 0.43), ("2-3", 0.11)] {
        let got = num_attr(
            &b,
            &format!("tr[data-pair='{pair}'] td[data-jaccard]"),
            "data-jaccard",
        )
        .await;
        near(&format!("Jaccard@10 of columns {pair}"), got, want);
    }
    let col = |v: &str| format!("section[data-column][data-viewer='{v}']");
    for (viewer, want) in [("elin", 0.50), ("omar", 0.36), ("sara", 0.76)] {
        let got = num_attr(
            &b,
            &format!("{} [data-entropy]", col(viewer)),
            "data-entropy",
        )
        .await;
        near(&format!("{viewer}'s perspective breadth"), got, want);
    }
    let expect = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
        pairs.iter().map(|(p, n)| (p.to_string(), *n)).collect()
    };
    assert_eq!(
        mix(&b, &col("elin")).await,
        expect(&[("jakt", 5), ("fakta", 5)])
    );
    assert_eq!(
        mix(&b, &col("omar")).await,
        expect(&[("naturskydd", 8), ("fakta", 2)])
    );
    assert_eq!(
        mix(&b, &col("sara")).await,
        expect(&[("djurhallare", 4), ("fakta", 4), ("jakt", 2)])
    );
    let elin_first = docs(&b, &col("elin")).await;
    assert_eq!(
        elin_first.first().map(String::as_str),
        Some("varg-licensjakten-borjar-i-januari")
    );

    // The teams on phones: Elin's list with Why here? on the first result.
    b.resize(PHONE.0, PHONE.1).await;
    b.goto("/search?q=varg&algorithm=personal&viewer=elin")
        .await;
    let first = "#results [data-doc][data-rank='1']";
    b.find(first).await;
    b.open_details().await;
    let personal = num_attr(
        &b,
        &format!("{first} details.why tr[data-signal='personal'] [data-contribution]"),
        "data-contribution",
    )
    .await;
    assert!(personal > 0.0, "the Personal row adds {personal} for Elin");

    // The recipes, no persona.
    b.resize(DESKTOP.0, DESKTOP.1).await;
    b.goto("/compare?q=varg&a=relevance&b=popular&c=diverse")
        .await;
    let got = num_attr(&b, "tr[data-pair='1-2'] td[data-jaccard]", "data-jaccard").await;
    near("Jaccard@10 Relevance–Popular", got, 0.429);
    let algo = |a: &str| format!("section[data-column][data-algorithm='{a}']");
    near(
        "Relevance breadth",
        num_attr(
            &b,
            &format!("{} [data-entropy]", algo("relevance")),
            "data-entropy",
        )
        .await,
        0.68,
    );
    near(
        "Diverse breadth",
        num_attr(
            &b,
            &format!("{} [data-entropy]", algo("diverse")),
            "data-entropy",
        )
        .await,
        0.99,
    );
    assert_eq!(
        mix(&b, &algo("relevance")).await,
        expect(&[("fakta", 5), ("naturskydd", 4), ("jakt", 1)])
    );
    let relevance = docs(&b, &algo("relevance")).await;
    assert_eq!(
        relevance.first().map(String::as_str),
        Some("varg-fragor-och-svar")
    );
    let popular = docs(&b, &algo("popular")).await;
    assert_eq!(
        popular.first().map(String::as_str),
        Some("varg-debatt-lat-vargen-leva")
    );
    let diverse = docs(&b, &algo("diverse")).await;
    assert_eq!(
        diverse.get(2).map(String::as_str),
        Some("varg-licensjakten-borjar-i-januari"),
        "Diverse lifts the licence hunt to 3rd"
    );
    b.finish().await;
}

/// What /search shows about the For-you top 10: perspective counts and
/// the diversity meter.
async fn for_you_state(b: &Browser) -> (BTreeMap<String, u64>, f64, Vec<String>) {
    b.find("#mix li[data-perspective]").await;
    let m = mix(b, "#mix").await;
    let meter = num_attr(b, "#meter[data-entropy]", "data-entropy").await;
    let list = docs(b, "#results").await;
    (m, meter, list)
}

/// Lesson 2: ten one-sided clicks narrow For you; incognito stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
async fn lesson2_ten_hunter_clicks_narrow_for_you_but_not_incognito() {
    let h = Harness::start();
    let b = h.person(PHONE.0, PHONE.1).await;

    // The starting point: incognito, the same list for everyone.
    b.goto("/search?q=varg&algorithm=personal&viewer=incognito")
        .await;
    b.find("#results [data-doc]").await;
    let incognito_before = docs(&b, "#results").await;
    let start = mix(&b, "#mix").await;
    near("incognito breadth", breadth(&start), 0.68);

    // As yourself, chosen in the picker.
    b.choose("#viewer", "me").await;
    b.submit_form_of("#q").await;
    let (m0, meter0, _) = for_you_state(&b).await;
    let breadth0 = breadth(&m0);
    near("For you breadth before any click", breadth0, 0.68);

    let mut clicked: Vec<String> = Vec::new();
    let mut meters = vec![meter0];
    for round in 1..=10 {
        // The highest-ranked unread hunters' text, paging on if page 1 has
        // none left (as a participant would).
        let mut pick = None;
        for page in 1..=5 {
            let ids = docs(&b, "#results").await;
            let perspectives = b.attrs("#results [data-doc]", "data-perspective").await;
            pick = ids
                .iter()
                .zip(&perspectives)
                .find(|(d, p)| p.as_deref() == Some("jakt") && !clicked.contains(d))
                .map(|(d, _)| d.clone());
            if pick.is_some() {
                break;
            }
            assert!(
                b.exists("a[rel=next]").await,
                "round {round}: no unread hunters' result on pages 1–{page}"
            );
            b.click_and_wait("a[rel=next]").await;
        }
        let pick = pick.unwrap_or_else(|| panic!("round {round}: no unread hunters' result"));
        b.click_and_wait(&format!("#results [data-doc='{pick}'] a[data-go]"))
            .await;
        assert!(
            b.path().await.starts_with("/doc/"),
            "round {round}: the click did not open the document"
        );
        clicked.push(pick);
        b.back().await;
        // Press Search again.
        b.submit_form_of("#q").await;
        let (_, meter, _) = for_you_state(&b).await;
        meters.push(meter);
    }
    let (m10, meter10, _) = for_you_state(&b).await;
    let breadth10 = breadth(&m10);
    assert_eq!(
        m10.get("jakt"),
        Some(&9),
        "hunters in the top 10 after ten clicks: {m10:?}"
    );
    near("For you breadth after ten clicks", breadth10, 0.23);
    assert!(breadth10 < breadth0);
    let peak = meters.iter().cloned().fold(f64::MIN, f64::max);
    assert!(
        meter10 < peak && meter10 < meters[0] && meter10 <= 0.45,
        "the diversity meter should fall (to about 0.35): {meters:?}"
    );

    // Incognito is unchanged.
    b.choose("#viewer", "incognito").await;
    b.submit_form_of("#q").await;
    b.find("#results [data-doc]").await;
    assert_eq!(
        docs(&b, "#results").await,
        incognito_before,
        "incognito's list changed"
    );
    near(
        "incognito breadth after",
        breadth(&mix(&b, "#mix").await),
        0.68,
    );
    b.finish().await;
}

/// Lesson 4: the keyword-stuffed shop and the labelled ad.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
async fn lesson4_stuffed_page_wins_keywords_and_the_ad_is_labelled() {
    const SHOP: &str = "varg-stangselshoppen-elnat-tillbehor";
    let h = Harness::start();
    let b = h.person(DESKTOP.0, DESKTOP.1).await;

    b.goto("/compare?q=varg&a=relevance&b=keywords&c=popular&d=sponsored")
        .await;
    b.find("section[data-column] li[data-doc]").await;
    let col = |a: &str| format!("section[data-column][data-algorithm='{a}']");
    let keywords = docs(&b, &col("keywords")).await;
    assert_eq!(
        keywords.first().map(String::as_str),
        Some(SHOP),
        "first under Keyword count"
    );
    let relevance = docs(&b, &col("relevance")).await;
    assert!(
        !relevance.iter().take(3).any(|d| d == SHOP),
        "the shop is in Relevance's top 3: {relevance:?}"
    );
    let popular = docs(&b, &col("popular")).await;
    assert_eq!(
        popular.get(2).map(String::as_str),
        Some(SHOP),
        "3rd under Popular"
    );
    let ad = format!("{} [data-ad]", col("sponsored"));
    let label = b.find(&ad).await.text().await.expect("ad text");
    assert!(!label.trim().is_empty(), "the ad slot has no visible text");

    // The same through /search's form, as the pairs on phones do it.
    b.resize(PHONE.0, PHONE.1).await;
    b.goto("/").await;
    b.type_query("varg").await;
    b.choose("#algorithm", "keywords").await;
    b.submit_form_of("#q").await;
    let first = b
        .attrs("#results [data-doc][data-rank='1']", "data-doc")
        .await;
    assert_eq!(first, [Some(SHOP.to_string())], "/search keywords rank 1");
    b.choose("#algorithm", "relevance").await;
    b.submit_form_of("#q").await;
    let top3 = docs(&b, "#results").await;
    assert!(
        !top3.iter().take(3).any(|d| d == SHOP),
        "relevance top 3: {top3:?}"
    );
    b.choose("#algorithm", "sponsored").await;
    b.submit_form_of("#q").await;
    let ad = b.find("#results [data-ad]").await;
    assert!(
        ad.is_displayed().await.expect("displayed"),
        "the ad is not visible"
    );
    let text = ad.text().await.expect("ad text");
    let lang = b.js("return document.documentElement.lang", vec![]).await;
    let label = catalogue(lang.as_str().unwrap_or("sv"), "ad");
    assert!(
        text.to_lowercase().contains(&label.to_lowercase()),
        "the ad slot does not show its label {label:?}: {text:?}"
    );
    b.finish().await;
}
