//! Every page, as loaded and with every `<details>` open: axe-core,
//! horizontal scroll on phones, the projector's first screen, screenshots.

use crate::harness::{Browser, Harness, report};
use crate::rooms::Fixture;
use serde_json::{Value as Json, json};
use std::fmt::Write as _;
use std::path::Path;

const DOC: &str = "varg-debatt-lat-vargen-leva";
const PERSONAS: &str = "/compare?q=varg&a=personal&va=elin&vb=omar&vc=sara";
const RECIPES: &str = "/compare?q=varg&a=relevance&b=popular&c=diverse";

/// A page to check and the status it answers with.
struct Page {
    name: &'static str,
    path: String,
    status: u64,
}

fn pages() -> Vec<Page> {
    let p = |name, path: &str, status| Page {
        name,
        path: path.to_string(),
        status,
    };
    vec![
        p("home", "/", 200),
        p("search", "/search?q=varg", 200),
        p("search personal", "/search?q=varg&algorithm=personal", 200),
        p("compare", "/compare?q=varg", 200),
        p("compare recipes", RECIPES, 200),
        p("compare personas", PERSONAS, 200),
        p("doc", &format!("/doc/{DOC}"), 200),
        p("algorithms", "/algorithms", 200),
        p("me", "/me", 200),
        p("404", "/no-such-page", 404),
        p("400", "/search?q=varg&page=0", 400),
    ]
}

/// A person whose browser asks for `lang` and has chosen it on the page,
/// with a search and a click recorded (so that /me has content).
async fn visitor(h: &Harness, lang: &str, w: u32, height: u32) -> Browser {
    let b = h.person_lang(w, height, lang).await;
    b.set_lang(lang).await;
    b.type_query("varg").await;
    b.click_and_wait("#results [data-doc] a[data-go]").await;
    b
}

/// Opens `page` and checks its status.
async fn open(b: &Browser, page: &Page) {
    b.goto(&page.path).await;
    let status = b.status().await;
    assert_eq!(
        status, page.status,
        "{} ({}) answered {status}",
        page.name, page.path
    );
}

/// A cross-site form POST, as another site could send it: from a `data:`
/// page (opaque origin, so `Sec-Fetch-Site: cross-site`) to /me/nickname.
/// bubbla refuses it with its 403 page.
async fn open_403(b: &Browser) -> bool {
    let html = format!(
        "<!doctype html><title>elsewhere</title><form method=post action='{}'>\
         <input name=nickname value=planted><button type=submit>go</button></form>",
        b.url("/me/nickname")
    );
    let url = format!("data:text/html,{}", encode(&html));
    b.client.goto(&url).await.expect("open the data: page");
    b.click_and_wait("button[type=submit]").await;
    b.status().await == 403
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|c| match c {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (c as char).to_string(),
            _ => format!("%{c:02X}"),
        })
        .collect()
}

/// Requests searches quickly from the page (same origin, bounded to 120
/// requests and 20 s) until bubbla answers 429; then opens that address, so
/// the browser shows the 429 page. False when the limit is not reached.
async fn open_429(b: &Browser) -> bool {
    let hit = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const t0 = Date.now();
               for (let i = 0; i < 120 && Date.now() - t0 < 20000; i++) {
                 const u = '/search?q=varg&page=' + (1 + (i % 4));
                 const r = await fetch(u, { credentials: 'same-origin' });
                 if (r.status === 429) return u;
               }
               return null;
             })().then(done, e => done(null));",
            vec![],
        )
        .await
        .unwrap_or(Json::Null);
    match hit.as_str() {
        Some(u) => {
            b.goto(u).await;
            b.status().await == 429
        }
        None => false,
    }
}

#[derive(Default, Clone, Copy)]
struct Impacts {
    critical: usize,
    serious: usize,
    moderate: usize,
    minor: usize,
}

async fn axe(b: &Browser, source: &str) -> (Impacts, Vec<String>) {
    let loaded = b
        .js(
            &format!("if (!window.axe) {{ {source}\n}} return typeof window.axe"),
            vec![],
        )
        .await;
    assert_eq!(loaded, json!("object"), "axe-core did not load");
    let v = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => ({
                  id: v.id, impact: v.impact, nodes: v.nodes.length,
                  targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .expect("axe.run");
    if let Some(e) = v.get("error") {
        panic!("axe failed: {e}");
    }
    let mut n = Impacts::default();
    let mut bad = Vec::new();
    for x in v.as_array().into_iter().flatten() {
        let impact = x["impact"].as_str().unwrap_or("minor");
        match impact {
            "critical" => n.critical += 1,
            "serious" => n.serious += 1,
            "moderate" => n.moderate += 1,
            _ => n.minor += 1,
        }
        bad.push(format!(
            "{} ({impact}, {} nodes: {})",
            x["id"].as_str().unwrap_or("?"),
            x["nodes"],
            x["targets"]
        ));
    }
    (n, bad)
}

fn axe_source() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (run `npm ci` in tests/browser)", p.display()))
}

/// axe on every page in `lang`, at desktop and phone size, as loaded and
/// with every `<details>` open.
async fn axe_everywhere(lang: &'static str) {
    let source = axe_source();
    let h = Harness::start();
    let mut table = String::new();
    let mut failures = Vec::new();
    let mut total = Impacts::default();
    let mut skipped = Vec::new();
    for (w, height) in [(1366, 768), (390, 844)] {
        let b = visitor(&h, lang, w, height).await;
        let mut check = async |name: &str, path: &str, b: &Browser, table: &mut String| {
            for details in [false, true] {
                if details {
                    b.open_details().await;
                }
                let (n, bad) = axe(b, &source).await;
                let state = if details { "open" } else { "closed" };
                let _ = writeln!(
                    table,
                    "| {name:<17} | {lang} | {w}×{height} | {state:<6} | {:>8} | {:>7} | {:>8} | {:>5} | {} |",
                    n.critical,
                    n.serious,
                    n.moderate,
                    n.minor,
                    bad.join("; ")
                );
                total.critical += n.critical;
                total.serious += n.serious;
                total.moderate += n.moderate;
                total.minor += n.minor;
                if n.critical + n.serious + n.moderate > 0 {
                    failures.push(format!(
                        "{path} {lang} {w}×{height} details {state}: {}",
                        bad.join("; ")
                    ));
                }
            }
        };
        for page in pages() {
            open(&b, &page).await;
            check(page.name, &page.path, &b, &mut table).await;
        }
        // A workshop room's pages, each in the browser of the person who
        // sees it (the leader, a participant, someone not seated: this
        // visitor), then the refused join and the end's answer.
        let room = Fixture::start(&h, lang, (w, height)).await;
        for (name, who, path) in room.pages() {
            let rb = room.browser(who, &b);
            rb.goto(&path).await;
            let status = rb.status().await;
            assert_eq!(status, 200, "{name} ({path}) answered {status}");
            check(name, &path, rb, &mut table).await;
        }
        let refused = room.refused_join(&b).await;
        check("join refused", &refused, &b, &mut table).await;
        let ended = room.end().await;
        check("room ended", &ended, &room.leader, &mut table).await;
        room.finish().await;
        // bubbla must refuse a form from another site, and say so on a page
        // that passes axe too.
        let refused = open_403(&b).await;
        assert!(
            refused,
            "a cross-site form POST to /me/nickname answered {}, not 403",
            b.status().await
        );
        check("403 cross-site", "/me/nickname", &b, &mut table).await;
        // Last: it may leave this person rate-limited.
        if open_429(&b).await {
            check("429", "/search", &b, &mut table).await;
        } else {
            skipped.push(format!(
                "429 at {w}×{height}: 120 quick searches were not limited"
            ));
        }
        b.finish().await;
    }
    report(&format!(
        "\naxe-core violations (rules) per page, {lang}:\n\
         | page              | ui | size     | details | critical | serious | moderate | minor | rules |\n\
         |---|---|---|---|---|---|---|---|---|\n{table}\
         total {lang}: critical {}, serious {}, moderate {}, minor {}\n{}\n",
        total.critical,
        total.serious,
        total.moderate,
        total.minor,
        skipped
            .iter()
            .map(|s| format!("not checked: {s}\n"))
            .collect::<String>()
    ));
    assert!(
        failures.is_empty(),
        "axe found critical, serious or moderate violations:\n{}",
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium, chromedriver and tests/browser/node_modules (npm ci)"]
async fn axe_finds_nothing_moderate_or_worse_in_swedish() {
    axe_everywhere("sv").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium, chromedriver and tests/browser/node_modules (npm ci)"]
async fn axe_finds_nothing_moderate_or_worse_in_english() {
    axe_everywhere("en").await;
}

/// The elements sticking out past the viewport's right edge, furthest
/// first (leaving out those inside a scrolling or clipping box).
const OFFENDERS: &str = "
    const w = window.innerWidth, out = [];
    for (const e of document.querySelectorAll('body *')) {
      const r = e.getBoundingClientRect();
      let clipped = false;
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') { clipped = true; break; }
      }
      if (!clipped && r.width > 0 && r.right > w + 0.5) {
        let d = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
          + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
        const near = e.parentElement && e.parentElement.closest('[id]');
        if (near) d += ' in #' + near.id;
        out.push([Math.round(r.right), Math.round(r.width), d]);
      }
    }
    out.sort((a, b) => b[0] - a[0]);
    return out.slice(0, 8).map(x => x[2] + ' right ' + x[0] + ' width ' + x[1]);";

/// How the current page (with every `<details>` open) is wider than the
/// viewport, if it is: its width and the elements sticking out.
async fn sideways(b: &Browser) -> Option<String> {
    b.open_details().await;
    let v = b
        .js(
            "return [document.scrollingElement.scrollWidth, window.innerWidth]",
            vec![],
        )
        .await;
    let (sw, iw) = (v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0));
    if sw <= iw {
        return None;
    }
    let who = b.js(OFFENDERS, vec![]).await;
    Some(format!(
        "page is {sw} px wide, viewport {iw}\n    {}",
        who.as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .collect::<Vec<_>>()
            .join("\n    ")
    ))
}

const PHONES: [(u32, u32); 2] = [(360, 740), (390, 844)];

/// No horizontal page scroll on phones, with every Why here? open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
async fn phones_never_scroll_sideways() {
    let h = Harness::start();
    let mut failures = Vec::new();
    for lang in ["sv", "en"] {
        let b = visitor(&h, lang, 360, 740).await;
        let room = Fixture::start(&h, lang, PHONES[0]).await;
        for (w, height) in PHONES {
            b.resize(w, height).await;
            room.leader.resize(w, height).await;
            room.ada.b.resize(w, height).await;
            let mut paths: Vec<(String, String)> = pages()
                .into_iter()
                .map(|p| (p.name.to_string(), p.path))
                .collect();
            paths.push((
                "compare 4 columns".into(),
                "/compare?q=varg&a=relevance&b=keywords&c=popular&d=sponsored".into(),
            ));
            for (name, path) in paths {
                b.goto(&path).await;
                if let Some(why) = sideways(&b).await {
                    failures.push(format!("{name} ({path}) {lang} {w}×{height}: {why}"));
                }
            }
            // A workshop room's pages, in the browser of whoever sees them.
            for (name, who, path) in room.pages() {
                let rb = room.browser(who, &b);
                rb.goto(&path).await;
                if let Some(why) = sideways(rb).await {
                    failures.push(format!("{name} ({path}) {lang} {w}×{height}: {why}"));
                }
            }
        }
        // The answers to two forms, at both widths without reloading.
        let refused = room.refused_join(&b).await;
        let ended = room.end().await;
        for (w, height) in PHONES {
            for (name, path, rb) in [
                ("join refused", &refused, &b),
                ("room ended", &ended, &room.leader),
            ] {
                rb.resize(w, height).await;
                if let Some(why) = sideways(rb).await {
                    failures.push(format!("{name} ({path}) {lang} {w}×{height}: {why}"));
                }
            }
        }
        room.finish().await;
        b.finish().await;
    }
    assert!(
        failures.is_empty(),
        "horizontal scroll:\n{}",
        failures.join("\n")
    );
}

/// On the projector, the first result of every column is on the first
/// screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
async fn projector_shows_every_columns_first_result_without_scrolling() {
    let h = Harness::start();
    let mut failures = Vec::new();
    for lang in ["sv", "en"] {
        let b = h.person_lang(1366, 768, lang).await;
        b.set_lang(lang).await;
        for path in [RECIPES, PERSONAS] {
            b.goto(path).await;
            b.find("section[data-column] li[data-doc]").await;
            let v = b
                .js(
                    "return [...document.querySelectorAll('section[data-column]')].map(c => {
                       const li = c.querySelector('li[data-doc]');
                       return [c.getAttribute('data-column'), li ? li.getBoundingClientRect().bottom : -1];
                     }).concat([[ 'innerHeight', window.innerHeight ]])",
                    vec![],
                )
                .await;
            let rows = v.as_array().cloned().unwrap_or_default();
            let inner = rows.last().and_then(|r| r[1].as_f64()).unwrap_or(0.0);
            assert!(rows.len() > 2, "{path}: no columns");
            for r in &rows[..rows.len() - 1] {
                let bottom = r[1].as_f64().unwrap_or(-1.0);
                if !(0.0..=inner).contains(&bottom) {
                    failures.push(format!(
                        "{path} {lang}: column {}'s first result ends at {bottom:.0} px, the screen at {inner}",
                        r[0]
                    ));
                }
            }
        }
        b.finish().await;
    }
    assert!(
        failures.is_empty(),
        "below the fold at 1366×768:\n{}",
        failures.join("\n")
    );
}

/// Screenshots for the README: `BUBBLA_SCREENSHOTS=docs/screenshots cargo
/// test --test browser screenshots -- --ignored`. Does nothing without the
/// variable (so CI, which runs every ignored test, skips it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes PNGs: set BUBBLA_SCREENSHOTS=docs/screenshots"]
async fn screenshots() {
    let Ok(dir) = std::env::var("BUBBLA_SCREENSHOTS") else {
        report("screenshots: BUBBLA_SCREENSHOTS is not set, nothing written\n");
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    let h = Harness::start();
    for lang in ["sv", "en"] {
        for (size, w, height) in [("phone", 390, 844), ("desktop", 1366, 768)] {
            let b = visitor(&h, lang, w, height).await;
            b.goto("/search?q=varg&algorithm=personal").await;
            b.click_and_wait("#results [data-doc] a[data-go]").await;
            for (name, path) in [
                ("search", "/search?q=varg&algorithm=personal"),
                ("compare", PERSONAS),
                ("me", "/me"),
            ] {
                b.goto(path).await;
                let png = b.client.screenshot().await.expect("screenshot");
                let file = dir.join(format!("{name}-{size}-{lang}.png"));
                std::fs::write(&file, png).expect("write png");
                report(&format!("wrote {}\n", file.display()));
            }
            b.finish().await;
        }
    }
}
