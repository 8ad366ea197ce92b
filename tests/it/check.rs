//! The broken fixture: every kind of error is reported with file and line,
//! and the valid files still load.

use crate::support::{SMALL_BODY_LIMIT, fixture};
use bubbla::corpus::{self, LoadOptions, Severity};

fn load_broken() -> corpus::Loaded {
    corpus::load(
        &fixture("broken"),
        &LoadOptions {
            max_body_bytes: SMALL_BODY_LIMIT,
        },
    )
    .expect("folder loads")
}

/// (file, line, words in the message) for every error the fixture holds.
const EXPECTED_ERRORS: &[(&str, usize, &str)] = &[
    ("no-front-matter.md", 1, "no front matter"),
    ("yaml-front-matter.md", 1, "no front matter"),
    ("unterminated.md", 1, "never closed"),
    ("bad-toml.md", 2, "invalid TOML"),
    ("missing-title.md", 1, "missing required field `title`"),
    ("unknown-theme.md", 6, "unknown theme `fotboll`"),
    ("unknown-perspective.md", 7, "unknown perspective `vargvän`"),
    ("dup/Crlf Bom.md", 1, "duplicate id `crlf-bom`"),
    ("bad-lang.md", 4, "lang `de`"),
    ("bad-date.md", 5, "invalid date"),
    ("negative-popularity.md", 8, "negative"),
    ("float-popularity.md", 8, "whole number"),
    ("latin1.md", 11, "not valid UTF-8"),
    ("empty.md", 1, "empty file"),
    ("binary.md", 1, "binary file"),
    ("too-big.md", 2, "over the limit"),
    ("long-title.md", 2, "over the limit of 300"),
];

#[test]
fn every_error_is_reported_with_file_line_and_hint() {
    let loaded = load_broken();
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    for (file, line, words) in EXPECTED_ERRORS {
        let found = errors
            .iter()
            .find(|d| d.path.ends_with(file) && d.message.contains(words));
        let Some(d) = found else {
            panic!(
                "no error `{words}` for {file}; got:\n{}",
                errors
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        };
        assert_eq!(d.line, Some(*line), "line of {d}");
        assert!(
            d.hint.as_deref().is_some_and(|h| !h.is_empty()),
            "hint for {d}"
        );
        assert!(
            d.to_string()
                .starts_with(&format!("{}:{line}: error: ", d.path)),
            "{d}"
        );
    }
    assert_eq!(
        errors.len(),
        EXPECTED_ERRORS.len(),
        "unexpected extra errors: {errors:#?}"
    );
}

#[test]
fn duplicate_ids_name_both_files() {
    let loaded = load_broken();
    let dup = loaded
        .diagnostics
        .iter()
        .find(|d| d.message.contains("duplicate id"))
        .expect("duplicate reported");
    assert!(dup.path.ends_with("dup/Crlf Bom.md"));
    assert!(dup.message.ends_with("crlf-bom.md"), "{}", dup.message);
}

#[test]
fn valid_files_still_load_including_bom_and_crlf() {
    let loaded = load_broken();
    let mut ids: Vec<&str> = loaded.corpus.docs.iter().map(|d| d.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["broken-link", "crlf-bom", "good-one"]);
    let crlf = loaded.corpus.get("crlf-bom").expect("loaded");
    assert_eq!(crlf.title, "BOM och CRLF");
    assert!(!crlf.text.contains('\r'));
}

#[test]
fn link_problems_are_warnings() {
    let loaded = load_broken();
    let warnings: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.to_string())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("broken-link.md:9: warning: link to `finns-inte`")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("no other document links to `broken-link`")),
        "{warnings:?}"
    );
}

#[test]
fn the_good_fixture_is_clean() {
    let loaded = corpus::load(&fixture("corpus"), &LoadOptions::default()).expect("loads");
    assert_eq!(loaded.diagnostics.0, vec![], "fixture corpus must be clean");
    assert_eq!(loaded.corpus.docs.len(), 10);
}

#[test]
fn the_bundled_corpus_and_its_algorithms_load_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut loaded = corpus::load(&root, &LoadOptions::default()).expect("loads");
    let algorithms = bubbla::rank::load_algorithms(&root, &mut loaded.diagnostics);
    let problems: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(!loaded.corpus.docs.is_empty());
    assert_eq!(algorithms.len(), 11);
}

#[test]
fn a_missing_themes_file_is_one_error_and_documents_still_load() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("a.md"),
        "+++\ntitle = \"A\"\nsource = \"S\"\nlang = \"sv\"\npublished = 2024-01-01\ntheme = \"t\"\nperspective = \"p\"\n+++\n\nText.\n",
    )
    .expect("write");
    let loaded = corpus::load(dir.path(), &LoadOptions::default()).expect("loads");
    assert_eq!(loaded.diagnostics.errors(), 1);
    assert!(
        loaded.diagnostics.0[0]
            .message
            .contains("themes file not found")
    );
    assert_eq!(loaded.corpus.docs.len(), 1);
}

#[test]
fn algorithms_file_problems_are_reported_and_the_presets_are_the_default() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::copy(
        fixture("corpus/themes.toml"),
        dir.path().join("themes.toml"),
    )
    .expect("copy");
    let mut d = corpus::Diagnostics::default();
    let presets = bubbla::rank::load_algorithms(dir.path(), &mut d);
    assert_eq!(d.errors(), 0);
    assert_eq!(presets.len(), 11, "no file: the shipped presets");

    std::fs::write(
        dir.path().join("algorithms.toml"),
        "[[algorithm]]\nid = \"mine\"\nlabel = { sv = \"Min\", en = \"Mine\" }\ndescription = { sv = \"x\", en = \"x\" }\nweights = { text = 0.5, popularty = 0.5 }\n\n\
         [[algorithm]]\nid = \"ok\"\nlabel = { sv = \"OK\", en = \"OK\" }\ndescription = { sv = \"x\", en = \"x\" }\nweights = { text = 1.0 }\nrerank = { step = \"diversify-by-perspective\", lambda = 2.0 }\n",
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bubbla"))
        .arg("check")
        .arg("--corpus")
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "algorithms.toml:2: error: algorithm `mine` weighs unknown signal `popularty`"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("algorithms.toml:8: error: algorithm `ok`: `lambda` = 2 is outside 0..=1"),
        "{stdout}"
    );
}
