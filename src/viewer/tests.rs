use super::*;
use crate::corpus::{LoadOptions, load};

fn corpus() -> Corpus {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    load(&dir, &LoadOptions::default())
        .expect("fixture loads")
        .corpus
}

fn incoming(c: &Corpus) -> Links {
    Links::of(c)
}

fn click(doc: &str) -> Event {
    event(
        0,
        "me",
        EventKind::Click {
            doc: doc.into(),
            rank: 1,
        },
    )
}

fn search(shown: &[&str]) -> Event {
    event(
        0,
        "me",
        EventKind::Query {
            first_rank: 1,
            shown: shown.iter().map(|s| s.to_string()).collect(),
        },
    )
}

/// A profile of the viewer `me`.
fn build(events: &[Event], c: &Corpus, inc: &Links, half_life: f64) -> Profile {
    Profile::build(events, "me", c, inc, half_life)
}

#[test]
fn clicks_make_perspective_and_theme_interest() {
    let c = corpus();
    let acts = [
        search(&["vargjakten-2024", "varg-i-sverige", "wolves-return"]),
        click("vargjakten-2024"),
        click("wolf-hunting-debate"),
        click("vargstammen-vaxer"),
    ];
    let p = build(&acts, &c, &incoming(&c), 1e9);
    assert_eq!((p.searches, p.clicks), (1, 3));
    let jakt = p.perspective("varg", "jakt").expect("jakt");
    assert_eq!(jakt.clicks, 2);
    assert!(
        (jakt.share - 2.0 / 3.0).abs() < 1e-9,
        "no decay with a huge half-life"
    );
    let varg = p.theme("varg").expect("varg");
    assert!((varg.share - 1.0).abs() < 1e-9);
    assert_eq!(varg.searches, 1);
    let total: f64 = p.perspectives.iter().map(|x| x.share).sum();
    assert!((total - 1.0).abs() < 1e-9);
    assert_eq!(p.perspectives[0].perspective, "jakt", "largest share first");
}

#[test]
fn older_events_count_less() {
    let c = corpus();
    // Old clicks on skydd, the newest on jakt; half-life one event.
    let acts = [
        click("vargstammen-vaxer"),
        click("wolves-return"),
        click("vargjakten-2024"),
    ];
    let p = build(&acts, &c, &incoming(&c), 1.0);
    let jakt = p.perspective("varg", "jakt").expect("jakt").share;
    let skydd = p.perspective("varg", "skydd").expect("skydd").share;
    // Weights 1 (jakt) against 0.5 + 0.25 (skydd).
    assert!((jakt - 1.0 / 1.75).abs() < 1e-9, "{jakt}");
    assert!((skydd - 0.75 / 1.75).abs() < 1e-9, "{skydd}");
}

#[test]
fn searches_count_weakly_for_the_themes_they_showed() {
    let c = corpus();
    let acts = [
        search(&[
            "ny-karnkraft",
            "karnkraftsdebatten",
            "vargjakten-2024",
            "nuclear-power-explained",
        ]),
        click("vargjakten-2024"),
    ];
    let p = build(&acts, &c, &incoming(&c), 1e9);
    let energi = p.theme("energi").expect("energi");
    let varg = p.theme("varg").expect("varg");
    let (e, v) = (SEARCH_WEIGHT * 0.75, 1.0 + SEARCH_WEIGHT * 0.25);
    assert!((energi.share - e / (e + v)).abs() < 1e-9);
    assert_eq!((energi.searches, varg.searches), (1, 0));
    assert!(
        p.perspective("energi", "for").is_none(),
        "searches say nothing of perspectives"
    );
}

#[test]
fn a_friends_clicks_weigh_as_in_their_profile() {
    let c = corpus();
    let events = [
        search(&["vargjakten-2024"]),
        click("vargjakten-2024"),
        click("wolves-return"),
    ];
    let full = build(&events, &c, &incoming(&c), 3.0);
    assert_eq!(recent_clicks(&events, "me", &c, 3.0), full.clicked);
}

#[test]
fn certainty_grows_with_clicks() {
    let c = corpus();
    let inc = incoming(&c);
    let one = build(&[click("vargjakten-2024")], &c, &inc, 1e9);
    let four = build(&vec![click("vargjakten-2024"); 4], &c, &inc, 1e9);
    assert!((one.click_certainty() - 1.0 / 3.0).abs() < 1e-9);
    assert!((four.click_certainty() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(Profile::default().click_certainty(), 0.0);
}

#[test]
fn only_ten_half_lives_are_read() {
    let c = corpus();
    let inc = incoming(&c);
    // 30 old clicks on skydd, then 10 on jakt; half-life 1 → window 10.
    let mut acts = vec![click("vargstammen-vaxer"); 30];
    acts.extend(vec![click("vargjakten-2024"); 10]);
    let p = build(&acts, &c, &inc, 1.0);
    assert_eq!(p.clicks, 10);
    assert!(p.perspective("varg", "skydd").is_none());
    assert_eq!(history_window(20.0), 200);
}

#[test]
fn unknown_documents_are_ignored() {
    let c = corpus();
    let p = build(&[click("gone"), search(&["gone"])], &c, &incoming(&c), 20.0);
    assert_eq!(p.clicks, 0);
    assert!(p.themes.is_empty());
}

#[test]
fn facts_name_the_history_and_the_friends() {
    let c = corpus();
    let inc = incoming(&c);
    let mine = build(
        &[click("vargjakten-2024"), click("wolf-hunting-debate")],
        &c,
        &inc,
        20.0,
    );
    let theirs = build(&[click("vargstammen-vaxer")], &c, &inc, 20.0);
    let audience = Audience {
        viewer: Viewer::Persona("x".into()),
        name: Some("X".into()),
        profile: mine,
        friends: vec![Friend {
            name: "Omar".into(),
            clicked: theirs.clicked.clone(),
        }],
    };
    let ord = |id: &str| c.index_of(id).expect("doc");
    let jakt = audience.facts(ord("basta-vargpriset"), "varg", "jakt");
    assert_eq!(jakt.perspective_clicks, 2);
    let certainty = audience.profile.click_certainty();
    assert!(
        certainty > 0.4 && certainty < 0.5,
        "two clicks, decayed a little: {certainty}"
    );
    assert!(
        (jakt.perspective_affinity - certainty).abs() < 1e-9,
        "all clicks on jakt"
    );
    assert!(!jakt.near_clicked);
    // varg-i-sverige is linked from vargjakten-2024, which was clicked.
    assert!(
        audience
            .facts(ord("varg-i-sverige"), "varg", "forskning")
            .near_clicked
    );
    let skydd = audience.facts(ord("vargstammen-vaxer"), "varg", "skydd");
    assert_eq!(skydd.perspective_affinity, 0.0);
    assert_eq!(skydd.friends, ["Omar"]);
    assert!(
        (skydd.friends_weight - 1.0).abs() < 1e-9,
        "the only friend, newest click"
    );
    assert_eq!(
        Audience::anonymous(Viewer::Incognito).facts(ord("vargjakten-2024"), "varg", "jakt"),
        ViewerFacts::default()
    );
}

#[test]
fn other_viewers_events_are_skipped() {
    let c = corpus();
    let mut persona_click = click("vargstammen-vaxer");
    persona_click.viewer = "elin".into();
    let p = build(
        &[click("vargjakten-2024"), persona_click],
        &c,
        &incoming(&c),
        20.0,
    );
    assert_eq!(p.clicks, 1);
    assert!(p.perspective("varg", "skydd").is_none());
}

#[test]
fn viewers_parse_from_addresses() {
    assert_eq!(Viewer::parse(""), Viewer::Me);
    assert_eq!(Viewer::parse("me"), Viewer::Me);
    assert_eq!(Viewer::parse("incognito"), Viewer::Incognito);
    assert_eq!(Viewer::parse("elin"), Viewer::Persona("elin".into()));
    assert_eq!(Viewer::parse("elin").id(), "elin");
}

fn event(id: i64, viewer: &str, kind: EventKind) -> Event {
    Event {
        id,
        time: 0,
        kind,
        viewer: viewer.into(),
        algorithm: "relevance".into(),
        query: "varg".into(),
        room: None,
    }
}

#[test]
fn diversity_narrows_when_one_perspective_is_shown() {
    let c = corpus();
    let shown = |ids: &[&str]| EventKind::Query {
        first_rank: 1,
        shown: ids.iter().map(|s| s.to_string()).collect(),
    };
    let events = vec![
        event(
            1,
            "me",
            shown(&["vargjakten-2024", "vargstammen-vaxer", "varg-i-sverige"]),
        ),
        event(
            2,
            "me",
            EventKind::Click {
                doc: "vargjakten-2024".into(),
                rank: 1,
            },
        ),
        event(3, "elin", shown(&["vargjakten-2024"])),
        event(
            4,
            "me",
            shown(&["vargjakten-2024", "basta-vargpriset", "wolf-hunting-debate"]),
        ),
    ];
    let latest = diversity(&events, "me", &c, 1, 0).expect("one search");
    assert_eq!(latest.searches, 1);
    assert_eq!(latest.entropy, 0.0, "only jakt was shown");
    let earlier = diversity(&events, "me", &c, 1, 1).expect("the one before");
    assert!(
        (earlier.entropy - 1.0).abs() < 1e-9,
        "three of three perspectives, evenly"
    );
    assert_eq!(earlier.possible, 3);
    let both = diversity(&events, "me", &c, 10, 0).expect("both");
    assert_eq!(
        both.searches, 2,
        "the persona's search and the click do not count"
    );
    assert!(diversity(&events, "incognito", &c, 10, 0).is_none());
}
