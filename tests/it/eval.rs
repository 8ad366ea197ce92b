//! `bubbla eval`: the pipeline on a tiny collection, and (ignored, run by CI)
//! the quality bar on the real collections in ../shared/eval-data.

use crate::support::fixture;
use bubbla::eval::{EvalArgs, evaluate};
use bubbla::lang::Lang;
use bubbla::progress::Progress;
use std::path::PathBuf;

fn args(dir: PathBuf, corpus_file: &str, lang: Option<Lang>) -> EvalArgs {
    EvalArgs {
        dir,
        corpus_file: corpus_file.into(),
        lang,
        json: true,
        baseline_raw: true,
        split: None,
        repeat: 1,
        title_boost: None,
        parts_boost: None,
        query_parts_boost: None,
    }
}

#[test]
fn a_tiny_collection_is_ranked_perfectly_and_unjudged_queries_are_skipped() {
    let report = evaluate(
        &args(fixture("beir-mini"), "corpus.jsonl", None),
        &Progress::hidden(),
    )
    .expect("runs");
    let f = &report.bubbla;
    assert_eq!(f.queries, 4, "q5 has no relevant document");
    assert_eq!(f.docs, 4);
    assert!((f.ndcg10 - 1.0).abs() < 1e-9, "{f:?}");
    assert!((f.mrr10 - 1.0).abs() < 1e-9, "{f:?}");
    let json = serde_json::to_value(&report).expect("json");
    for key in [
        "ndcg@10",
        "recall@100",
        "map@100",
        "mrr@10",
        "queries",
        "docs",
        "index_seconds",
        "query_ms_mean",
        "query_ms_p50",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert!(report.baseline_raw.is_some() && report.query_time_ratio.is_some());
}

fn shared(name: &str) -> PathBuf {
    let root = std::env::var_os("BUBBLA_EVAL_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/eval-data"));
    root.join(name)
}

/// The bar from the engine issue: bm25s's nDCG@10 with stop words.
#[test]
#[ignore = "needs ../shared/eval-data; run with `cargo test -- --ignored`"]
fn cranfield_reaches_the_bm25s_baseline() {
    let report = evaluate(
        &args(shared("cranfield"), "corpus.jsonl", None),
        &Progress::hidden(),
    )
    .expect("runs");
    assert!(report.bubbla.ndcg10 >= 0.384, "{:?}", report.bubbla);
    assert!(report.bubbla.ndcg10 >= report.baseline_raw.as_ref().map_or(0.0, |b| b.ndcg10));
}

#[test]
#[ignore = "needs ../shared/eval-data; run with `cargo test -- --ignored`"]
fn swefaq_with_distractors_reaches_the_bm25s_baseline() {
    let report = evaluate(
        &args(shared("swefaq"), "corpus-with-distractors.jsonl", None),
        &Progress::hidden(),
    )
    .expect("runs");
    assert!(report.bubbla.ndcg10 >= 0.568, "{:?}", report.bubbla);
    assert!(report.bubbla.ndcg10 >= report.baseline_raw.as_ref().map_or(0.0, |b| b.ndcg10));
}
