//! `bubbla import`: CSV and BEIR JSONL rows become valid corpus files.

use crate::support::fixture;
use bubbla::corpus::{self, LoadOptions};
use bubbla::import::{ImportArgs, import};
use bubbla::lang::Lang;
use std::path::Path;

fn corpus_with_themes() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::copy(
        fixture("corpus/themes.toml"),
        dir.path().join("themes.toml"),
    )
    .expect("copy");
    dir
}

fn args(file: &Path, into: &Path) -> ImportArgs {
    ImportArgs {
        file: file.to_path_buf(),
        into: into.to_path_buf(),
        theme: "varg".into(),
        perspective: "jakt".into(),
        lang: Lang::Sv,
        source: None,
        published: Some("2024-03-01".into()),
    }
}

#[test]
fn csv_rows_become_documents_and_bad_rows_are_reported() {
    let corpus = corpus_with_themes();
    let csv = corpus.path().join("in.csv");
    std::fs::write(
        &csv,
        "title,text,source,url,published\n\
         Vargen i Dalarna,\"En varg sågs, sa \"\"jägaren\"\".\",Dalabladet,https://dala.example/1,2023-05-01\n\
         Tom rad,,,,\n\
         Fel datum,Text,,,2023-13-45\n\
         Vargen i Dalarna,Samma titel igen,,,\n",
    )
    .expect("write");
    let into = corpus.path().join("import");
    let out = import(corpus.path(), &args(&csv, &into)).expect("imports");
    assert_eq!(out.written.len(), 1);
    let reasons: Vec<&str> = out.skipped.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        out.skipped.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        [3, 4, 5],
        "{reasons:?}"
    );
    assert!(
        reasons[0].contains("no text")
            && reasons[1].contains("not a date")
            && reasons[2].contains("same file name")
    );
    let loaded = corpus::load(corpus.path(), &LoadOptions::default()).expect("loads");
    assert_eq!(loaded.diagnostics.errors(), 0, "{:?}", loaded.diagnostics);
    let d = loaded.corpus.get("vargen-i-dalarna").expect("imported");
    assert_eq!(d.source, "Dalabladet");
    assert_eq!(d.text, "En varg sågs, sa \"jägaren\".");
    assert_eq!(corpus::format_date(d.published), "2023-05-01");
    // A second run writes nothing and overwrites nothing.
    let again = import(corpus.path(), &args(&csv, &into)).expect("imports");
    assert!(again.written.is_empty());
}

#[test]
fn beir_jsonl_rows_become_documents() {
    let corpus = corpus_with_themes();
    let into = corpus.path().join("beir");
    let out = import(
        corpus.path(),
        &args(&fixture("beir-mini/corpus.jsonl"), &into),
    )
    .expect("imports");
    assert_eq!(out.written.len(), 4, "{:?}", out.skipped);
    let loaded = corpus::load(corpus.path(), &LoadOptions::default()).expect("loads");
    assert_eq!(loaded.diagnostics.errors(), 0);
    assert_eq!(loaded.corpus.docs.len(), 4);
}

#[test]
fn unknown_theme_or_perspective_is_refused_up_front() {
    let corpus = corpus_with_themes();
    let mut a = args(&fixture("beir-mini/corpus.jsonl"), &corpus.path().join("x"));
    a.perspective = "nope".into();
    let err = import(corpus.path(), &a).expect_err("refused");
    assert!(
        err.to_string().contains("has no perspective `nope`"),
        "{err}"
    );
}
