//! The starter corpus in `corpus/`: balance, skewed popularity, the link
//! graph, the traps and what the lessons need, asserted from the real files.

use bubbla::comparison::compare;
use bubbla::corpus::{LoadOptions, stats::stats};
use bubbla::engine::{Config, Engine, SearchOptions};
use bubbla::lang::Lang;
use bubbla::progress::Progress;
use std::collections::HashSet;
use std::sync::OnceLock;

struct Bundled {
    engine: Engine,
    _data: tempfile::TempDir,
}

fn bundled() -> &'static Engine {
    static ENGINE: OnceLock<Bundled> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let data = tempfile::tempdir().expect("tmp");
            let cfg = Config {
                corpus_dir: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"),
                data_dir: data.path().to_path_buf(),
                load: LoadOptions::default(),
            };
            Bundled {
                engine: Engine::open(&cfg, &Progress::hidden()).expect("opens"),
                _data: data,
            }
        })
        .engine
}

fn top(e: &Engine, q: &str, algorithm: &str, k: usize) -> Vec<String> {
    e.search(q, &SearchOptions::top(k).algorithm(algorithm))
        .expect("search")
        .results
        .into_iter()
        .map(|r| r.id)
        .collect()
}

#[test]
fn languages_themes_and_perspectives_are_balanced() {
    let e = bundled();
    assert_eq!(e.diagnostics.0, vec![], "the corpus is clean");
    let s = stats(&e.corpus);
    assert!(s.by_lang["sv"] >= 240, "{:?}", s.by_lang);
    assert!(s.by_lang["en"] >= 120, "{:?}", s.by_lang);
    assert!(e.corpus.themes.len() >= 6);
    for t in &e.corpus.themes {
        assert!((3..=4).contains(&t.perspectives.len()), "{}", t.id);
        for lang in Lang::ALL {
            assert!(
                (4..=8).contains(&t.queries.get(lang).len()),
                "{} {lang}",
                t.id
            );
        }
        for p in &t.perspectives {
            let [sv, en] = s.by_perspective[&t.id][&p.id];
            assert!(sv >= 5 && en >= 5, "{}/{}: {sv} sv, {en} en", t.id, p.id);
        }
    }
    assert!(
        s.words_min >= 80 && s.words_max <= 600,
        "{} – {}",
        s.words_min,
        s.words_max
    );
}

#[test]
fn popularity_is_skewed_like_the_web() {
    let s = stats(&bundled().corpus);
    assert!(s.top10_share >= 0.5, "top 10 % hold {:.2}", s.top10_share);
    let median = s
        .popularity_quantiles
        .iter()
        .find(|(q, _)| *q == 0.5)
        .map_or(0, |(_, v)| *v);
    assert!(
        median < 1000,
        "most documents are rarely viewed: median {median}"
    );
}

#[test]
fn the_link_graph_connects_themes_and_leaves_no_orphans() {
    let e = bundled();
    let s = stats(&e.corpus);
    assert_eq!(s.without_incoming, 0);
    let cross = e
        .corpus
        .docs
        .iter()
        .flat_map(|d| {
            d.links
                .iter()
                .filter_map(move |l| e.corpus.get(l).map(|t| (d, t)))
        })
        .filter(|(d, t)| d.theme != t.theme)
        .count();
    assert!(cross >= 6, "links across themes: {cross}");
    // Authority is not popularity: the most linked-to pages are not simply
    // the most viewed.
    let most = |key: &dyn Fn(usize) -> f64| {
        (0..e.corpus.docs.len())
            .max_by(|&a, &b| key(a).total_cmp(&key(b)))
            .unwrap_or(0)
    };
    assert_ne!(
        most(&|i| e.authority[i]),
        most(&|i| e.corpus.docs[i].popularity as f64)
    );
}

#[test]
fn publication_dates_span_several_years() {
    let s = stats(&bundled().corpus);
    assert!(
        s.oldest.as_str() <= "2020-01-01" && s.newest.as_str() >= "2025-01-01",
        "{} – {}",
        s.oldest,
        s.newest
    );
}

#[test]
fn every_theme_has_its_traps() {
    let e = bundled();
    assert!(e.corpus.docs.iter().filter(|d| d.sponsored).count() >= 6);
    for t in &e.corpus.themes {
        let q = &t.queries.sv[0];
        assert!(
            e.corpus.docs.iter().any(|d| d.theme == t.id && d.sponsored),
            "{}: a sponsored page",
            t.id
        );
        // The keyword-stuffed page: first by keyword count, nowhere near the
        // top by relevance.
        let stuffed = &top(e, q, "keywords", 1)[0];
        assert!(
            !top(e, q, "relevance", 3).contains(stuffed),
            "{}: {stuffed} is stuffed, relevance must not lift it",
            t.id
        );
        assert!(
            e.corpus.get(stuffed).is_some_and(|d| d.popularity >= 1000),
            "{}: {stuffed} is popular",
            t.id
        );
        // The newcomer: excellent, new, rarely viewed; relevance finds it,
        // popularity buries it.
        let newest = e
            .corpus
            .docs
            .iter()
            .filter(|d| d.theme == t.id)
            .map(|d| d.published)
            .max()
            .expect("docs");
        let newcomer = e
            .corpus
            .docs
            .iter()
            .find(|d| {
                d.theme == t.id
                    && d.popularity <= 20
                    && d.text.split_whitespace().count() >= 350
                    && (newest - d.published).whole_days() <= 60
            })
            .unwrap_or_else(|| panic!("{}: a newcomer", t.id));
        let found_by_relevance = t
            .queries
            .sv
            .iter()
            .any(|q| top(e, q, "relevance", 10).contains(&newcomer.id));
        let buried_by_popular = t
            .queries
            .sv
            .iter()
            .all(|q| !top(e, q, "popular", 5).contains(&newcomer.id));
        assert!(
            found_by_relevance && buried_by_popular,
            "{}: {}",
            t.id,
            newcomer.id
        );
        // Near-duplicate press-release copies.
        let docs: Vec<_> = e
            .corpus
            .docs
            .iter()
            .filter(|d| d.theme == t.id && d.lang == Lang::Sv)
            .collect();
        let words = |s: &str| {
            s.split_whitespace()
                .map(str::to_lowercase)
                .collect::<HashSet<_>>()
        };
        let near = docs
            .iter()
            .enumerate()
            .flat_map(|(i, a)| docs[i + 1..].iter().map(move |b| (a, b)))
            .filter(|(a, b)| {
                let (wa, wb) = (words(&a.text), words(&b.text));
                wa.intersection(&wb).count() as f64 / wa.union(&wb).count() as f64 >= 0.7
            })
            .count();
        assert!(near >= 2, "{}: near-duplicate copies: {near}", t.id);
    }
}

#[test]
fn relevance_shows_several_perspectives_for_a_suggested_query_of_every_theme() {
    let e = bundled();
    for t in &e.corpus.themes {
        let best = t
            .queries
            .sv
            .iter()
            .chain(&t.queries.en)
            .map(|q| {
                let r = e.search(q, &SearchOptions::top(10)).expect("search");
                r.results
                    .iter()
                    .filter(|x| x.theme == t.id)
                    .map(|x| x.perspective.clone())
                    .collect::<HashSet<_>>()
                    .len()
            })
            .max()
            .unwrap_or(0);
        assert!(
            best >= 3,
            "{}: at most {best} perspectives in a top 10",
            t.id
        );
    }
}

#[test]
fn lesson_one_gives_visibly_different_top_tens_for_varg() {
    // Until personal ranking exists: popular, relevance and diverse.
    let e = bundled();
    let algos: Vec<String> = ["relevance", "popular", "diverse"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let cmp = compare(e, "varg", &algos, 10, None).expect("compares");
    let min = cmp.pairs.iter().map(|p| p.jaccard10).fold(1.0, f64::min);
    assert!(min <= 0.5, "{:?}", cmp.pairs);
}

#[test]
fn personas_cover_every_perspective_and_disagree_about_wolves() {
    let e = bundled();
    let ps = &e.corpus.personas;
    assert!(ps.len() >= 8, "{} personas", ps.len());
    for t in &e.corpus.themes {
        for p in &t.perspectives {
            assert!(
                ps.iter().any(|x| x
                    .interests
                    .iter()
                    .any(|i| i.theme == t.id && i.perspective == p.id)),
                "nobody cares about {}/{}",
                t.id,
                p.id
            );
        }
    }
    let wolf_sides: HashSet<&str> = ps
        .iter()
        .filter_map(|p| p.main_perspective("varg"))
        .filter(|p| *p != "fakta")
        .collect();
    assert!(wolf_sides.len() >= 3, "{wolf_sides:?}");
    for p in ps {
        let clicks: usize = p.history.iter().map(|s| s.clicks.len()).sum();
        assert!(clicks >= 5, "{} clicked {clicks} documents", p.id);
    }
}
