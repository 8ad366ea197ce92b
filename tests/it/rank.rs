//! Each preset orders the fixture's matches as its description says, and
//! every explanation adds up to its score.

use crate::support::engine;
use bubbla::engine::{Engine, SearchOptions, SearchResults};

fn ranked(e: &Engine, q: &str, algorithm: &str) -> SearchResults {
    e.search(q, &SearchOptions::top(20).algorithm(algorithm))
        .expect("search runs")
}

fn ids(r: &SearchResults) -> Vec<&str> {
    r.results.iter().map(|x| x.id.as_str()).collect()
}

#[test]
fn popular_puts_the_most_viewed_match_first() {
    let (e, _d) = engine("corpus");
    let r = ranked(&e, "varg", "popular");
    let most_viewed = r
        .results
        .iter()
        .max_by_key(|x| e.corpus.get(&x.id).map(|d| d.popularity))
        .map(|x| x.id.as_str());
    assert_eq!(Some(ids(&r)[0]), most_viewed);
    assert_eq!(ids(&r)[0], "basta-vargpriset");
}

#[test]
fn keywords_lifts_the_stuffed_page_and_relevance_does_not() {
    let (e, _d) = engine("corpus");
    assert_eq!(ids(&ranked(&e, "varg", "keywords"))[0], "basta-vargpriset");
    assert_eq!(ids(&ranked(&e, "varg", "relevance"))[0], "varg-i-sverige");
    // The explanation names the gamed signal.
    let top = &ranked(&e, "varg", "keywords").results[0];
    let kw = top
        .explanation
        .signals
        .iter()
        .find(|s| s.signal == "keywords")
        .expect("listed");
    assert_eq!((kw.normalised, kw.weight), (1.0, 1.0));
}

#[test]
fn sponsored_pins_paid_results_in_labelled_slots() {
    let (e, _d) = engine("corpus");
    let relevance = ranked(&e, "varg", "relevance");
    let r = ranked(&e, "varg", "sponsored");
    assert_eq!(ids(&r)[0], "vargresa-med-guide");
    assert!(r.results[0].sponsored_slot && r.results[0].sponsored);
    assert!(r.results[1..].iter().all(|x| !x.sponsored_slot));
    let from = relevance
        .results
        .iter()
        .find(|x| x.id == "vargresa-med-guide")
        .map(|x| x.rank);
    assert_eq!(
        r.results[0]
            .explanation
            .moved
            .as_ref()
            .map(|m| (m.step, Some(m.from_rank))),
        Some(("pin-sponsored", from))
    );
    // The rest keeps the relevance order.
    let rest: Vec<&str> = ids(&relevance)
        .into_iter()
        .filter(|id| *id != "vargresa-med-guide")
        .collect();
    assert_eq!(ids(&r)[1..], rest[..]);
}

#[test]
fn diverse_alternates_perspectives_in_the_top_four() {
    let (e, _d) = engine("corpus");
    let r = ranked(&e, "varg", "diverse");
    let persp: Vec<&str> = r
        .results
        .iter()
        .take(4)
        .map(|x| x.perspective.as_str())
        .collect();
    for pair in persp.windows(2) {
        assert_ne!(pair[0], pair[1], "{persp:?}");
    }
    let distinct: std::collections::HashSet<_> = persp.iter().collect();
    assert_eq!(
        distinct.len(),
        3,
        "all three perspectives in the top four: {persp:?}"
    );
}

#[test]
fn fresh_puts_newer_matches_higher() {
    let (e, _d) = engine("corpus");
    let r = ranked(&e, "varg", "fresh");
    let pos = |id: &str| ids(&r).iter().position(|x| *x == id).expect("found");
    // vargresa (2024-03) over vargstammen (2023-11), whatever their text scores.
    assert!(pos("vargresa-med-guide") < pos("vargstammen-vaxer"));
}

#[test]
fn authority_follows_the_link_graph() {
    let (e, _d) = engine("corpus");
    let r = ranked(&e, "varg", "authority");
    let top = &r.results[0];
    let best = e
        .corpus
        .index_of(&top.id)
        .map(|i| e.authority[i])
        .unwrap_or_default();
    for x in &r.results {
        let a = e
            .corpus
            .index_of(&x.id)
            .map(|i| e.authority[i])
            .unwrap_or_default();
        assert!(
            a <= best + 1e-12,
            "{} has more authority than {}",
            x.id,
            top.id
        );
    }
}

#[test]
fn random_is_a_reproducible_shuffle_of_the_same_matches() {
    let (e, _d) = engine("corpus");
    let a = ranked(&e, "varg", "random");
    assert_eq!(ids(&a), ids(&ranked(&e, "varg", "random")));
    let mut x = ids(&a);
    let relevance = ranked(&e, "varg", "relevance");
    let mut y = ids(&relevance);
    x.sort_unstable();
    y.sort_unstable();
    assert_eq!(x, y);
}

#[test]
fn every_score_is_the_sum_of_its_contributions_for_every_preset() {
    let (e, _d) = engine("corpus");
    let mut checked = 0;
    for a in &e.algorithms {
        for q in [
            "varg",
            "kärnkraft debatt",
            "wolf hunting",
            "varg -jakt",
            "\"skyddad art\"",
            "nuclear power",
        ] {
            for r in ranked(&e, q, &a.id).results {
                let sum: f64 = r.explanation.signals.iter().map(|s| s.contribution).sum();
                assert_eq!(r.score, sum, "{} / {q} / {}", a.id, r.id);
                for s in &r.explanation.signals {
                    assert!((0.0..=1.0).contains(&s.normalised), "{s:?}");
                    assert_eq!(s.contribution, s.weight * s.normalised);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn paging_continues_the_same_ranking() {
    let (e, _d) = engine("corpus");
    let all = ranked(&e, "varg", "popular");
    let page2 = e
        .search(
            "varg",
            &SearchOptions {
                offset: 2,
                limit: 2,
                ..SearchOptions::top(2).algorithm("popular")
            },
        )
        .expect("runs");
    assert_eq!(ids(&page2), ids(&all)[2..4]);
    assert_eq!(page2.results[0].rank, 3);
}
