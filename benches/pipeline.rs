//! Speed of the whole search pipeline against raw tantivy, and of the
//! compare page, on the Cranfield collection loaded as a bubbla corpus.
//!
//! cargo bench --bench pipeline
//!
//! Set BUBBLA_BENCH_SKIP_LOAD=1 to skip the 450 timed /compare requests
//! (e.g. while profiling the other benchmarks).
//!
//! `cargo bench --bench pipeline -- viewer` runs only the personalised
//! search: a viewer with 1,000 recorded events in SQLite and three friends.
//!
//! Needs ../shared/eval-data (or BUBBLA_EVAL_DATA). Cranfield's 1,400
//! abstracts become English documents with synthetic but deterministic
//! popularity (a power law), links, dates, perspectives and a few sponsored
//! ones, so every signal has something to compute.

use axum::body::Body;
use axum::http::Request;
use bubbla::corpus::{Corpus, Document, Labels, Perspective, Queries, Theme};
use bubbla::engine::{ClickCounts, Engine, SearchOptions};
use bubbla::eval::Collection;
use bubbla::eval::raw::RawIndex;
use bubbla::lang::Lang;
use bubbla::rank::Algorithm;
use bubbla::store::{NewClick, NewQuery, SessionId, Store};
use bubbla::viewer::{Audience, Friend, Viewer, recent_clicks};
use criterion::{Criterion, criterion_group, criterion_main};
use http_body_util::BodyExt;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tower::ServiceExt;

fn eval_data() -> PathBuf {
    std::env::var_os("BUBBLA_EVAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval-data"))
}

const PERSPECTIVES: [&str; 3] = ["a", "b", "c"];

fn corpus(col: &Collection) -> Corpus {
    let docs: Vec<(&str, &str, &str)> = col.documents().collect();
    let n = docs.len();
    let start = time::macros::date!(2020 - 01 - 01);
    let documents = docs
        .iter()
        .enumerate()
        .map(|(i, (id, title, text))| Document {
            id: id.to_string(),
            path: format!("{id}.md"),
            title: if title.is_empty() {
                id.to_string()
            } else {
                title.to_string()
            },
            source: "Cranfield".into(),
            url: None,
            lang: Lang::En,
            published: start + time::Duration::days(((i * 37) % 1500) as i64),
            theme: "cranfield".into(),
            perspective: PERSPECTIVES[i % 3].into(),
            popularity: (100_000.0 / (((i * 7919) % n) as f64 + 1.0).powf(1.2)) as u64,
            sponsored: i % 53 == 0,
            links: vec![
                docs[(i * 7 + 3) % n].0.to_string(),
                docs[(i * 13 + 5) % n].0.to_string(),
            ],
            body: text.to_string(),
            text: text.to_string(),
            links_line: None,
        })
        .collect();
    let label = |s: &str| Labels {
        sv: s.into(),
        en: s.into(),
    };
    let theme = Theme {
        id: "cranfield".into(),
        label: label("Cranfield"),
        queries: Queries::default(),
        perspectives: PERSPECTIVES
            .iter()
            .zip(["#0072b2", "#d55e00", "#009e73"])
            .map(|(p, c)| Perspective {
                id: p.to_string(),
                label: label(p),
                colour: c.into(),
            })
            .collect(),
    };
    Corpus::from_parts(PathBuf::from("cranfield"), documents, vec![theme])
}

/// The presets, and `personal-social`: relevance + personal + social.
fn algorithms() -> Vec<Algorithm> {
    let mut d = bubbla::corpus::Diagnostics::default();
    let mut all = bubbla::rank::algorithm::parse_algorithms(
        "presets",
        bubbla::rank::algorithm::DEFAULT_ALGORITHMS,
        &mut d,
    );
    all.push(Algorithm::test(
        "personal-social",
        &[("text", 1.0), ("personal", 1.0), ("social", 1.0)],
        None,
    ));
    all
}

fn median_ms(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() * 95 / 100])
}

fn benches(c: &mut Criterion) {
    let dir = eval_data().join("cranfield");
    let col = match Collection::load(&dir, "corpus.jsonl", None) {
        Ok(col) => col,
        Err(e) => {
            eprintln!("skipping: cannot load {} ({e})", dir.display());
            return;
        }
    };
    let queries: Vec<&str> = col.query_texts().collect();
    let raw = RawIndex::build(&col, Lang::En).expect("raw index");
    let tmp = tempfile::tempdir().expect("tmp");
    let engine = Engine::in_dir(corpus(&col), tmp.path(), algorithms()).expect("engine");

    let mut g = c.benchmark_group("cranfield, 225 queries per iteration");
    g.sample_size(30);
    g.bench_function("raw tantivy top-10", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(raw.search(q, 10).expect("search"));
            }
        })
    });
    let relevance = engine.algorithm("relevance").expect("preset").clone();
    g.bench_function(
        "bubbla relevance top-10, ranked and explained (no snippets)",
        |b| {
            b.iter(|| {
                for q in &queries {
                    let c = engine.candidates(q, None).expect("candidates");
                    let ranking = bubbla::rank::rank(&c.list, &relevance, &engine.context(q));
                    for r in ranking.order.iter().take(10) {
                        black_box(ranking.explain(r));
                    }
                }
            })
        },
    );
    g.bench_function("bubbla relevance top-10, whole pipeline", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(engine.search(q, &SearchOptions::top(10)).expect("search"));
            }
        })
    });
    g.finish();

    personalised(c, &engine, &queries);

    // Where the time goes: each step of the pipeline on its own.
    let mut g = c.benchmark_group("cranfield pipeline steps, 225 queries per iteration");
    g.sample_size(20);
    let analyzed: Vec<_> = queries
        .iter()
        .map(|q| {
            engine
                .index
                .analyze(&bubbla::index::UserQuery::parse(q), None)
        })
        .collect();
    g.bench_function("analyse queries", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(
                    engine
                        .index
                        .analyze(&bubbla::index::UserQuery::parse(q), None),
                );
            }
        })
    });
    for k in [10, 100, 200, bubbla::engine::CANDIDATES] {
        g.bench_function(format!("index search, top {k} with term counts"), |b| {
            b.iter(|| {
                for a in &analyzed {
                    black_box(engine.index.search(a, k).expect("search"));
                }
            })
        });
    }
    let candidates: Vec<_> = queries
        .iter()
        .map(|q| engine.candidates(q, None).expect("candidates"))
        .collect();
    g.bench_function("rank candidates (signals, sort)", |b| {
        b.iter(|| {
            for c in &candidates {
                black_box(bubbla::rank::rank(
                    &c.list,
                    &relevance,
                    &engine.context(&c.query),
                ));
            }
        })
    });
    g.bench_function("rank and render the top 10 (with snippets)", |b| {
        b.iter(|| {
            for c in &candidates {
                black_box(engine.rank_page(c, &relevance, 0, 10));
            }
        })
    });
    g.finish();

    // /compare with four algorithms, server side: the router answers a
    // request (no socket), one query after another.
    let state = bubbla::web::AppState::ready(engine);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let request = |q: &str| {
        let uri = format!(
            "/compare?a=relevance&b=popular&c=diverse&d=sponsored&q={}",
            q.split_whitespace().take(6).collect::<Vec<_>>().join("+")
        );
        Request::builder()
            .uri(uri)
            .body(Body::empty())
            .expect("request")
    };
    let app = bubbla::web::app(state);
    let mut times = Vec::new();
    let requests = if std::env::var_os("BUBBLA_BENCH_SKIP_LOAD").is_some() {
        0
    } else {
        450
    };
    for q in queries.iter().cycle().take(requests) {
        let t = Instant::now();
        let res = rt
            .block_on(app.clone().oneshot(request(q)))
            .expect("response");
        assert!(res.status().is_success());
        black_box(rt.block_on(res.into_body().collect()).expect("body"));
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    if times.is_empty() {
        return;
    }
    let (p50, p95) = median_ms(times);
    println!("/compare, 4 algorithms, 450 requests: p50 {p50:.2} ms, p95 {p95:.2} ms");
    c.bench_function("/compare page, 4 algorithms, one query", |b| {
        b.iter(|| {
            let res = rt
                .block_on(
                    app.clone()
                        .oneshot(request("what similarity laws must be obeyed")),
                )
                .expect("response");
            black_box(rt.block_on(res.into_body().collect()).expect("body"))
        })
    });
}

/// What a synthetic reader does: searches showing ten documents, and clicks
/// leaning to one perspective (as a reader in a bubble would).
enum Act {
    Search(Vec<String>),
    Click(String),
}

fn reader(n_docs: usize, events: usize, seed: usize, lean: usize) -> Vec<Act> {
    (0..events)
        .map(|i| {
            let d = (i * 7919 + seed * 104_729) % n_docs;
            if i % 2 == 0 {
                Act::Search(
                    (0..10)
                        .map(|k| format!("{}", 1 + (d + k * 131) % n_docs))
                        .collect(),
                )
            } else {
                // Cranfield ids are 1..=1400 in order; perspective = position % 3.
                let pos = (d - d % 3 + lean).min(n_docs - 1);
                Act::Click(format!("{}", 1 + pos))
            }
        })
        .collect()
}

/// Records a reader's events in a session of `store`.
fn record(store: &Store, acts: &[Act]) -> SessionId {
    let session = store.new_session().expect("session");
    for a in acts {
        match a {
            Act::Search(shown) => store
                .record_query(
                    &session,
                    &NewQuery {
                        query: "q",
                        algorithm: "personal-social",
                        viewer: "me",
                        first_rank: 1,
                        shown: shown.iter().map(String::as_str).collect(),
                        room: None,
                    },
                )
                .map(|_| ()),
            Act::Click(doc) => store
                .record_click(
                    &session,
                    &NewClick {
                        doc,
                        rank: 1,
                        query: "q",
                        algorithm: "personal-social",
                        viewer: "me",
                        room: None,
                    },
                )
                .map(|_| ()),
        }
        .expect("recorded");
    }
    session
}

/// Search with `personal` + `social` for a viewer with 1,000 events and
/// three friends with 300 each, the way the server does it for every
/// request: the events from the store, the profile and the friends' clicks
/// derived from them, then rank, explain and render the top 10 with
/// snippets; against `relevance` in the same run.
fn personalised(c: &mut Criterion, engine: &Engine, queries: &[&str]) {
    let n = engine.corpus.docs.len();
    let store = Arc::new(Store::in_memory());
    let me = record(&store, &reader(n, 1000, 1, 0));
    let friends: Vec<SessionId> = (2..5)
        .map(|f| record(&store, &reader(n, 300, f, f % 3)))
        .collect();
    let audience = || {
        let events = store.events(&me).expect("events");
        let profile = engine.profile(&events, "me", 20.0);
        let friends = friends
            .iter()
            .enumerate()
            .map(|(i, f)| Friend {
                name: format!("friend {i}"),
                clicked: recent_clicks(
                    &store.events(f).expect("events"),
                    "me",
                    &engine.corpus,
                    20.0,
                ),
            })
            .collect();
        Arc::new(Audience {
            viewer: Viewer::Me,
            name: None,
            profile,
            friends,
        })
    };
    assert_eq!(store.events(&me).expect("events").len(), 1000);
    assert!(
        audience().profile.clicks > 0 && audience().friends.iter().all(|f| !f.clicked.is_empty())
    );
    let mut g = c.benchmark_group("viewer with 1,000 events, 225 queries per iteration");
    g.sample_size(20);
    g.bench_function("relevance top-10, whole pipeline", |b| {
        b.iter(|| {
            for q in queries {
                black_box(engine.search(q, &SearchOptions::top(10)).expect("search"));
            }
        })
    });
    g.bench_function(
        "personal + social top-10: events, profile, whole pipeline",
        |b| {
            b.iter(|| {
                for q in queries {
                    let opts = SearchOptions {
                        audience: Some(audience()),
                        clicks: Some(store.clone() as Arc<dyn ClickCounts>),
                        ..SearchOptions::top(10).algorithm("personal-social")
                    };
                    black_box(engine.search(q, &opts).expect("search"));
                }
            })
        },
    );
    g.bench_function(
        "deriving the audience alone (events, profile, friends)",
        |b| {
            b.iter(|| {
                for _ in queries {
                    black_box(audience());
                }
            })
        },
    );
    g.bench_function("personal + social top-10, audience derived once", |b| {
        let a = audience();
        b.iter(|| {
            for q in queries {
                let opts = SearchOptions {
                    audience: Some(a.clone()),
                    clicks: Some(store.clone() as Arc<dyn ClickCounts>),
                    ..SearchOptions::top(10).algorithm("personal-social")
                };
                black_box(engine.search(q, &opts).expect("search"));
            }
        })
    });
    g.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
