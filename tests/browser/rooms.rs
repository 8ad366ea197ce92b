//! Workshop rooms in real browsers: the leader (one browser, signed in with
//! the leader link) opens a room and changes it through its forms;
//! participants (a browser each) join with the code and a nickname, and
//! their pages follow the leader by themselves; the wall follows every
//! search and click. Also the room fixture that the page checks in
//! pages.rs (axe, phones) and the screenshots use.

use crate::harness::{Browser, Harness, WAIT, algorithm_label, catalogue, num, report};
use rusqlite::{Connection, OpenFlags};
use serde_json::{Value as Json, json};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const DESKTOP: (u32, u32) = (1366, 768);
pub const PROJECTOR: (u32, u32) = (1280, 720);
pub const PHONE: (u32, u32) = (390, 844);

/// The click must be on the wall within this (the "within a second").
const CLICK_TO_WALL: Duration = Duration::from_secs(1);
/// How long the test waits for the click to show at all.
const CLICK_POLL: Duration = Duration::from_secs(3);

/// A catalogue message with its `{name}` placeholders filled.
fn fill(msg: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(msg.to_string(), |m, (k, v)| {
        m.replace(&format!("{{{k}}}"), v)
    })
}

fn events_path(code: &str) -> String {
    format!("/rooms/{code}/events")
}

/// What the leader sets in the room's settings form.
pub struct Settings<'a> {
    /// `Some`: everyone searches this; `None`: free search.
    pub query: Option<&'a str>,
    pub algorithms: &'a [&'a str],
    /// `same`, `round-robin` or `free`.
    pub assignment: &'a str,
    pub blind: bool,
    /// `none`, `room` or `chosen`.
    pub friends: &'a str,
}

/// Opens a room with the form on /leader; returns its code.
pub async fn open_room(leader: &Browser, title: &str) -> String {
    leader.goto("/leader").await;
    leader.fill("#new-room input[name=title]", title).await;
    leader.submit_form_of("#new-room input[name=title]").await;
    assert_eq!(leader.status().await, 200, "opening a room");
    let code = leader
        .attrs("[data-code]", "data-code")
        .await
        .into_iter()
        .flatten()
        .next()
        .expect("the room page shows its code in [data-code]");
    assert_eq!(leader.path().await, format!("/leader/rooms/{code}"));
    assert_eq!(code.len(), 6, "a six-character code: {code}");
    code
}

/// Fills in the room's settings form as the leader would and saves it.
pub async fn save_settings(leader: &Browser, s: &Settings<'_>) {
    let f = "#room-settings";
    match s.query {
        Some(q) => {
            leader
                .tick(&format!("{f} input[name=mode][value=shared]"), true)
                .await;
            leader.fill(&format!("{f} input[name=query]"), q).await;
        }
        None => {
            leader
                .tick(&format!("{f} input[name=mode][value=free]"), true)
                .await;
        }
    }
    // Tick the wanted ones first: the form needs at least one.
    for a in s.algorithms {
        leader
            .tick(&format!("{f} input[name=algorithms][value='{a}']"), true)
            .await;
    }
    let offered: Vec<String> = leader
        .attrs(&format!("{f} input[name=algorithms]"), "value")
        .await
        .into_iter()
        .flatten()
        .collect();
    for a in offered
        .iter()
        .filter(|a| !s.algorithms.contains(&a.as_str()))
    {
        leader
            .tick(&format!("{f} input[name=algorithms][value='{a}']"), false)
            .await;
    }
    leader
        .tick(
            &format!("{f} input[name=assignment][value='{}']", s.assignment),
            true,
        )
        .await;
    leader
        .tick(&format!("{f} input[name=blind]"), s.blind)
        .await;
    leader
        .tick(
            &format!("{f} input[name=friends][value='{}']", s.friends),
            true,
        )
        .await;
    leader.click_and_wait(&format!("{f} [data-save]")).await;
    assert_eq!(leader.status().await, 200, "saving the settings");
    assert!(
        leader.exists("[data-saved]").await,
        "no [data-saved] notice after saving: {}",
        leader.path().await
    );
}

/// A participant: their own browser, seated in the room.
pub struct Participant {
    pub b: Browser,
    pub nickname: String,
    pub lang: &'static str,
    code: String,
    /// Answers from the room's event stream seen so far.
    streams: usize,
}

impl Participant {
    /// Waits until the page that is open now listens to the room's stream.
    pub async fn listening(&mut self) {
        let path = events_path(&self.code);
        self.b.wait_response_from(&path, self.streams).await;
        self.streams = self.b.responses_from(&path).await;
    }

    /// Marks the page, so that [`Participant::reloaded`] can tell it was
    /// replaced.
    pub async fn mark(&self) {
        self.b.mark().await;
    }

    /// Waits for the page to reload by itself (nobody navigates it) and
    /// listen again.
    pub async fn reloaded(&mut self) {
        self.b.wait_navigated().await;
        assert_eq!(
            self.b.path().await,
            format!("/rooms/{}", self.code),
            "{}'s page went elsewhere",
            self.nickname
        );
        self.listening().await;
    }
}

/// A new person who opens /join, types the code and `nickname` and joins.
pub async fn join(
    h: &Harness,
    code: &str,
    typed_code: &str,
    nickname: &str,
    lang: &'static str,
    (w, height): (u32, u32),
) -> Participant {
    let b = h.person_lang(w, height, lang).await;
    b.set_lang(lang).await;
    b.goto("/join").await;
    b.fill("#join-form input[name=code]", typed_code).await;
    b.fill("#join-form input[name=nickname]", nickname).await;
    b.submit_form_of("#join-form input[name=nickname]").await;
    assert_eq!(
        b.path().await,
        format!("/rooms/{code}"),
        "{nickname} was not seated"
    );
    assert_eq!(b.status().await, 200);
    b.find("#room").await;
    let mut p = Participant {
        b,
        nickname: nickname.to_string(),
        lang,
        code: code.to_string(),
        streams: 0,
    };
    p.listening().await;
    p
}

/// Milliseconds since the epoch, as the browsers' `Date.now()` counts.
fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
        * 1000.0
}

/// Waits until the wall's script has fetched its live part once (it does
/// so when its event stream says hello), so the wall is listening.
async fn wall_listening(leader: &Browser) {
    let start = Instant::now();
    loop {
        let done = leader
            .js(
                "return performance.getEntriesByType('resource')
                   .some(e => e.name.includes('/wall?part=1'))",
                vec![],
            )
            .await;
        if done == json!(true) {
            return;
        }
        assert!(
            start.elapsed() < WAIT,
            "the wall never fetched its live part"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Counts of a session's rows in the SQLite file.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
struct Rows {
    sessions: i64,
    participants: i64,
    events: i64,
    impressions: i64,
}

fn rows_of(db: &Path, session: &str) -> Rows {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open bubbla.sqlite read-only");
    let one = |sql: &str| -> i64 {
        c.query_row(sql, [session], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    Rows {
        sessions: one("SELECT count(*) FROM sessions WHERE id = ?1"),
        participants: one("SELECT count(*) FROM participants WHERE session = ?1"),
        events: one("SELECT count(*) FROM events WHERE session = ?1"),
        impressions: one(
            "SELECT count(*) FROM impressions WHERE event IN (SELECT id FROM events WHERE session = ?1)",
        ),
    }
}

/// One number from the SQLite file.
fn count(db: &Path, sql: &str, args: &[&str]) -> i64 {
    let c = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open bubbla.sqlite read-only");
    c.query_row(sql, rusqlite::params_from_iter(args), |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The JSON export of the room, fetched by the leader's browser (its
/// HttpOnly cookie goes along, as with the end page's download link).
async fn export_from_browser(leader: &Browser, code: &str) -> Json {
    let v = leader
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], { credentials: 'same-origin' })
               .then(r => r.ok ? r.json() : { status: r.status })
               .then(done, e => done({ error: String(e) }));",
            vec![json!(format!("/api/rooms/{code}/export.json"))],
        )
        .await
        .expect("fetch the export");
    assert!(v.get("events").is_some(), "the export did not come: {v}");
    v
}

/// The algorithm each of the three is given, in joining order.
const ALGORITHMS: [&str; 3] = ["relevance", "popular", "diverse"];

/// The "done" flow, through the real forms. `langs` are the
/// participants' languages; `shots` writes the lesson guides' screenshots.
async fn workshop(leader_lang: &'static str, langs: [&'static str; 3], shots: Option<&Path>) {
    let h = Harness::start();
    let db = h.server.sqlite();
    let leader = h.leader(DESKTOP.0, DESKTOP.1, leader_lang).await;
    let title = if leader_lang == "sv" {
        "Vargen i klassen"
    } else {
        "The wolf in class"
    };
    let code = open_room(&leader, title).await;

    // Three participants join from their phones with the code on the
    // projector (one types it in lower case).
    let mut people = Vec::new();
    for (i, (nick, lang)) in ["Ada", "Bo", "Cy"].into_iter().zip(langs).enumerate() {
        let typed = if i == 2 {
            code.to_lowercase()
        } else {
            code.clone()
        };
        let p = join(&h, &code, &typed, nick, lang, PHONE).await;
        assert!(
            !p.b.exists("[data-room-query]").await,
            "{nick}: a query before the leader gave one"
        );
        people.push(p);
    }

    // A fourth tries a nickname that is taken (in other case): refused,
    // told why, and offered a free one.
    let sessions_before = count(&db, "SELECT count(*) FROM sessions", &[]);
    let late = h.person_lang(PHONE.0, PHONE.1, "sv").await;
    late.set_lang("sv").await;
    late.goto(&format!("/join?code={code}")).await;
    let prefilled = late
        .find("#join-form input[name=code]")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        prefilled.as_deref(),
        Some(code.as_str()),
        "the code from the QR link"
    );
    late.fill("#join-form input[name=nickname]", "ada").await;
    late.submit_form_of("#join-form input[name=nickname]").await;
    assert_eq!(late.status().await, 409, "a taken nickname");
    let error = late.find("[data-error]").await;
    assert!(
        error.is_displayed().await.expect("displayed"),
        "the refusal is not visible"
    );
    let said = error.text().await.expect("text");
    let want = fill(
        &catalogue("sv", "room_nickname_taken"),
        &[("suggestion", "ada 2")],
    );
    // (The page may capitalise the catalogue's first letter.)
    assert!(
        said.to_lowercase().contains(&want.to_lowercase()),
        "[data-error] says {said:?}, expected {want:?}"
    );
    let offered = late
        .find("#join-form input[name=nickname]")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        offered.as_deref(),
        Some("ada 2"),
        "the free nickname is filled in"
    );
    assert!(
        !late.path().await.starts_with("/rooms/"),
        "refused, not seated"
    );
    let sessions_after = count(&db, "SELECT count(*) FROM sessions", &[]);
    if sessions_after != sessions_before {
        report(&format!(
            "note: the refused join left {} session row(s) in bubbla.sqlite (no cookie was sent for it)\n",
            sessions_after - sessions_before
        ));
    }
    late.finish().await;

    // The leader gives the room a query, three algorithms in turn, blind.
    leader.goto(&format!("/leader/rooms/{code}")).await;
    for p in &people {
        p.mark().await;
    }
    save_settings(
        &leader,
        &Settings {
            query: Some("varg"),
            algorithms: &ALGORITHMS,
            assignment: "round-robin",
            blind: true,
            friends: "none",
        },
    )
    .await;
    let seats = leader.attrs("tr[data-seat]", "data-seat").await;
    assert_eq!(
        seats.len(),
        3,
        "the controls list three participants: {seats:?}"
    );

    // Every page reloads by itself and shows the query, algorithm A, B, C.
    let mut searches = [0usize; 3];
    for (i, p) in people.iter_mut().enumerate() {
        p.reloaded().await;
        searches[i] += 1;
        let letter = ["A", "B", "C"][i];
        let b = &p.b;
        assert_eq!(
            b.text("[data-room-query]").await,
            "varg",
            "{}'s page shows the room's query",
            p.nickname
        );
        assert_eq!(
            b.attrs("#room", "data-algorithm-label").await,
            [Some(letter.to_string())],
            "{}'s algorithm label",
            p.nickname
        );
        let want = fill(
            &catalogue(p.lang, "room_algorithm_letter"),
            &[("letter", letter)],
        );
        assert_eq!(b.text("[data-algorithm]").await, want, "{}", p.nickname);
        let links = b.attrs("article.result a[data-go]", "href").await;
        assert!(!links.is_empty(), "{} has no results", p.nickname);
        for l in links.iter().flatten() {
            assert!(
                !l.contains("algorithm="),
                "a blind link names the algorithm: {l}"
            );
        }
    }
    if let Some(dir) = shots {
        let ada = &people[0];
        ada.b
            .screenshot(&dir.join(format!("room-phone-{}.png", ada.lang)))
            .await;
    }

    // The wall, on the projector.
    leader.resize(PROJECTOR.0, PROJECTOR.1).await;
    leader.click_and_wait("[data-open-wall]").await;
    assert_eq!(leader.path().await, format!("/rooms/{code}/wall"));
    let live = "#wall-live";
    assert_eq!(
        leader.attrs(live, "data-participants").await,
        [Some("3".into())]
    );
    wall_listening(&leader).await;
    for (who, want) in [("searched", "3"), ("clicks", "0")] {
        assert_eq!(
            leader.attrs(live, &format!("data-{who}")).await,
            [Some(want.into())],
            "the wall's data-{who}"
        );
    }
    for (nick, letter) in [("Ada", "A"), ("Bo", "B"), ("Cy", "C")] {
        assert_eq!(
            leader
                .attrs(&format!("li[data-card='{nick}']"), "data-card-algorithm")
                .await,
            [Some(letter.to_string())],
            "{nick}'s card"
        );
    }
    assert!(!leader.exists("li[data-clicked]").await);
    // Notes in the wall's own page the moment the click is on it.
    leader
        .js(
            "window.__bubblaOld = true; window.__clickSeen = null;
             const check = () => {
               const l = document.getElementById('wall-live');
               if (!window.__clickSeen && l && Number(l.getAttribute('data-clicks')) > 0
                   && l.querySelector('li[data-clicked]')) { window.__clickSeen = Date.now(); }
             };
             new MutationObserver(check).observe(document.getElementById('wall'),
               { childList: true, subtree: true, attributes: true });
             return null",
            vec![],
        )
        .await;

    // Bo clicks his first result; the wall shows it without reloading.
    let bo = &people[1];
    let doc =
        bo.b.attrs("#results article.result", "data-doc")
            .await
            .into_iter()
            .flatten()
            .next()
            .expect("Bo's first result");
    bo.b.mark().await;
    let clicked_at = epoch_ms();
    let started = Instant::now();
    let click = async {
        bo.b.find("#results article.result a[data-go]")
            .await
            .click()
            .await
            .expect("Bo clicks");
        bo.b.wait_navigated().await;
    };
    let watch = async {
        loop {
            let seen = leader.js("return window.__clickSeen", vec![]).await;
            if let Some(t) = seen.as_f64() {
                return Some((t, started.elapsed()));
            }
            if started.elapsed() > CLICK_POLL {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let ((), seen) = tokio::join!(click, watch);
    let (seen_at, polled) =
        seen.unwrap_or_else(|| panic!("the click was not on the wall within {CLICK_POLL:?}"));
    let latency = seen_at - clicked_at;
    report(&format!(
        "click → wall ({leader_lang}): {latency:.0} ms from the click command to the wall's DOM \
         (the test saw it after {} ms)\n",
        polled.as_millis()
    ));
    assert!(
        bo.b.path().await.starts_with("/doc/"),
        "the click opened {}",
        bo.b.path().await
    );
    assert!(
        latency <= CLICK_TO_WALL.as_millis() as f64,
        "the click took {latency:.0} ms to reach the wall (limit {CLICK_TO_WALL:?})"
    );
    assert_eq!(
        leader
            .js("return window.__bubblaOld === true", vec![])
            .await,
        json!(true),
        "the wall reloaded instead of updating itself"
    );
    assert_eq!(leader.attrs(live, "data-clicks").await, [Some("1".into())]);
    assert!(
        leader
            .exists(&format!(
                "li[data-card='Bo'] li[data-clicked][data-doc='{doc}']"
            ))
            .await,
        "Bo's card does not mark {doc} as clicked"
    );
    assert_eq!(
        leader.attrs("li[data-clicked]", "data-doc").await.len(),
        1,
        "one click, one mark"
    );
    if let Some(dir) = shots {
        leader
            .screenshot(&dir.join(format!("wall-desktop-{leader_lang}.png")))
            .await;
    }

    // Bo goes back to the room from the document (a new search there).
    let bo = &mut people[1];
    bo.b.click_and_wait("[data-back]").await;
    assert_eq!(bo.b.path().await, format!("/rooms/{code}"));
    bo.listening().await;
    searches[1] += 1;

    // The leader goes to the controls and reveals the algorithms.
    leader
        .click_and_wait(&format!("a[href='/leader/rooms/{code}']"))
        .await;
    leader.resize(DESKTOP.0, DESKTOP.1).await;
    if let Some(dir) = shots {
        leader
            .screenshot(&dir.join(format!("leader-desktop-{leader_lang}.png")))
            .await;
    }
    for p in &people {
        p.mark().await;
    }
    leader.click_and_wait("[data-reveal]").await;
    assert!(
        !leader.exists("[data-reveal]").await,
        "still blind after revealing"
    );
    for (i, p) in people.iter_mut().enumerate() {
        p.reloaded().await;
        searches[i] += 1;
        let name = algorithm_label(ALGORITHMS[i], p.lang);
        assert_eq!(
            p.b.text("[data-algorithm]").await,
            name,
            "{}'s algorithm after the reveal",
            p.nickname
        );
        assert_eq!(
            p.b.attrs("#room", "data-algorithm-label").await,
            [Some(name.clone())]
        );
    }

    // The export holds every search and the click, with the real algorithms.
    let e = export_from_browser(&leader, &code).await;
    let (status, body) = h
        .server
        .leader_get(&format!("/api/rooms/{code}/export.json"));
    assert_eq!(status, 200, "the export with the token: {body}");
    let by_token: Json = serde_json::from_str(&body).expect("export JSON");
    assert_eq!(by_token["events"], e["events"], "the same export both ways");
    let events = e["events"].as_array().expect("events");
    for (i, p) in people.iter().enumerate() {
        let mine: Vec<&Json> = events
            .iter()
            .filter(|x| x["nickname"] == json!(p.nickname))
            .collect();
        let s: Vec<&&Json> = mine.iter().filter(|x| x["kind"] == "search").collect();
        assert_eq!(
            s.len(),
            searches[i],
            "{}'s searches in the export: {mine:#?}",
            p.nickname
        );
        for x in &s {
            assert_eq!(x["query"], "varg");
            assert_eq!(x["algorithm"], ALGORITHMS[i], "{x}");
            assert!(
                x["shown"].as_array().is_some_and(|a| !a.is_empty()),
                "a search without what it showed: {x}"
            );
        }
    }
    let clicks: Vec<&Json> = events.iter().filter(|x| x["kind"] == "click").collect();
    assert_eq!(clicks.len(), 1, "one click in the export: {clicks:#?}");
    assert_eq!(clicks[0]["nickname"], "Bo");
    assert_eq!(clicks[0]["doc"], doc);
    assert_eq!(clicks[0]["algorithm"], "popular");
    assert_eq!(
        events.len(),
        searches.iter().sum::<usize>() + 1,
        "nothing else in the export"
    );

    // What the database holds for them before the end.
    let mut ids = Vec::new();
    for p in &people {
        ids.push(
            p.b.cookie("bubbla_session")
                .await
                .unwrap_or_else(|| panic!("{} has no session cookie", p.nickname)),
        );
    }
    let before: Vec<Rows> = ids.iter().map(|s| rows_of(&db, s)).collect();
    for (i, r) in before.iter().enumerate() {
        assert_eq!(
            (r.sessions, r.participants, r.events as usize),
            (1, 1, searches[i] + usize::from(i == 1)),
            "{}'s rows before the end",
            people[i].nickname
        );
    }
    let events_before: i64 = before.iter().map(|r| r.events).sum();
    let impressions_before: i64 = before.iter().map(|r| r.impressions).sum();

    // Ending: the export links, the confirmation, the counts.
    leader.click_and_wait("[data-end]").await;
    assert_eq!(leader.path().await, format!("/leader/rooms/{code}/end"));
    for (kind, end) in [("csv", "export.csv"), ("json", "export.json")] {
        let href = leader.attrs(&format!("[data-export={kind}]"), "href").await;
        assert_eq!(
            href,
            [Some(format!("/api/rooms/{code}/{end}"))],
            "the {kind} export link"
        );
    }
    for p in &people {
        p.mark().await;
    }
    leader.click_and_wait("[data-end-confirm]").await;
    assert_eq!(leader.status().await, 200);
    let ended = leader.find("[data-ended]").await;
    let attr = async |name: &str| -> f64 {
        num(&ended
            .attr(name)
            .await
            .expect("attr")
            .unwrap_or_else(|| panic!("[data-ended] has no {name}")))
    };
    assert_eq!(attr("data-sessions").await, 3.0);
    assert_eq!(attr("data-events").await, events_before as f64);
    assert_eq!(attr("data-impressions").await, impressions_before as f64);
    assert!(impressions_before >= 10 * searches.iter().sum::<usize>() as i64);
    let said = ended.text().await.expect("text");
    for n in [
        "3",
        &events_before.to_string(),
        &impressions_before.to_string(),
    ] {
        assert!(said.contains(n), "the end page does not say {n}: {said:?}");
    }

    // Nothing about them is left in the file.
    for (i, s) in ids.iter().enumerate() {
        assert_eq!(
            rows_of(&db, s),
            Rows::default(),
            "rows left for {}",
            people[i].nickname
        );
    }
    assert_eq!(
        count(&db, "SELECT count(*) FROM events WHERE room = ?1", &[&code]),
        0
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM rooms WHERE code = ?1", &[&code]),
        0
    );
    let (status, _) = h.server.leader_get(&format!("/api/rooms/{code}"));
    assert_eq!(status, 404, "the room is gone");

    // The participants' pages leave the ended room by themselves.
    for p in &people {
        p.b.wait_navigated().await;
        assert!(
            p.b.path().await.starts_with("/join"),
            "{} is on {} after the end",
            p.nickname,
            p.b.path().await
        );
    }
    for p in people {
        p.b.finish().await;
    }
    leader.finish().await;
}

/// The "done" flow: open, join (and a refused nickname), a shared
/// query with three algorithms in turn and blind, the live wall, the
/// reveal, the export and the end, in a room where one participant reads
/// English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
async fn a_workshop_from_joining_to_the_end() {
    workshop("sv", ["sv", "en", "sv"], None).await;
}

/// Screenshots for the lesson guides: `BUBBLA_SCREENSHOTS=docs/screenshots
/// cargo test --test browser workshop_screenshots -- --ignored`. Does
/// nothing without the variable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes PNGs: set BUBBLA_SCREENSHOTS=docs/screenshots"]
async fn workshop_screenshots() {
    let Ok(dir) = std::env::var("BUBBLA_SCREENSHOTS") else {
        report("workshop_screenshots: BUBBLA_SCREENSHOTS is not set, nothing written\n");
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    for lang in ["sv", "en"] {
        workshop(lang, [lang; 3], Some(&dir)).await;
    }
}
// ------------------------------------------------------- the page checks

/// Whose browser opens a room page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Who {
    Leader,
    /// Seated in the room.
    Participant,
    /// Not seated (the join pages).
    Visitor,
}

/// A room with everything on its pages: a shared query, three algorithms
/// to choose from, blind, friends to pick; two participants who searched,
/// one of whom clicked.
pub struct Fixture {
    pub leader: Browser,
    pub ada: Participant,
    pub code: String,
}

impl Fixture {
    pub async fn start(h: &Harness, lang: &'static str, size: (u32, u32)) -> Fixture {
        let leader = h.leader(size.0, size.1, lang).await;
        let code = open_room(&leader, "Vargen · 7B").await;
        save_settings(
            &leader,
            &Settings {
                query: Some("varg"),
                algorithms: &ALGORITHMS,
                assignment: "free",
                blind: true,
                friends: "chosen",
            },
        )
        .await;
        let ada = join(h, &code, &code, "Ada", lang, size).await;
        let bo = join(h, &code, &code, "Bo", lang, size).await;
        bo.b.click_and_wait("#results article.result a[data-go]")
            .await;
        bo.b.finish().await;
        Fixture { leader, ada, code }
    }

    /// The room's pages: name, whose browser, address.
    pub fn pages(&self) -> Vec<(&'static str, Who, String)> {
        let c = &self.code;
        vec![
            ("leader home", Who::Leader, "/leader".into()),
            ("leader room", Who::Leader, format!("/leader/rooms/{c}")),
            ("wall", Who::Leader, format!("/rooms/{c}/wall")),
            (
                "wall compact",
                Who::Leader,
                format!("/rooms/{c}/wall?compact=1&group=algorithm"),
            ),
            ("end confirm", Who::Leader, format!("/leader/rooms/{c}/end")),
            ("join", Who::Visitor, "/join".into()),
            ("join with code", Who::Visitor, format!("/join?code={c}")),
            ("room", Who::Participant, format!("/rooms/{c}")),
            (
                "room compare",
                Who::Participant,
                format!("/rooms/{c}/compare?with=Bo"),
            ),
        ]
    }

    /// The browser for `who` (`visitor` is anyone not seated).
    pub fn browser<'a>(&'a self, who: Who, visitor: &'a Browser) -> &'a Browser {
        match who {
            Who::Leader => &self.leader,
            Who::Participant => &self.ada.b,
            Who::Visitor => visitor,
        }
    }

    /// `visitor` tries to join as "ada": the join form again, with the
    /// reason. Returns the address the check is listed under.
    pub async fn refused_join(&self, visitor: &Browser) -> String {
        visitor.goto(&format!("/join?code={}", self.code)).await;
        visitor.fill("#join-form input[name=nickname]", "ada").await;
        visitor
            .submit_form_of("#join-form input[name=nickname]")
            .await;
        assert_eq!(visitor.status().await, 409, "a taken nickname");
        visitor.find("[data-error]").await;
        "/join (taken nickname)".into()
    }

    /// The leader ends the room: the page with the counts.
    pub async fn end(&self) -> String {
        self.leader
            .goto(&format!("/leader/rooms/{}/end", self.code))
            .await;
        self.leader.click_and_wait("[data-end-confirm]").await;
        self.leader.find("[data-ended]").await;
        format!("/leader/rooms/{}/end (ended)", self.code)
    }

    pub async fn finish(self) {
        self.ada.b.finish().await;
        self.leader.finish().await;
    }
}
