//! Search behaviour on the fixture corpus: stemming in both languages,
//! Swedish compounds and their ranking, case, phrases, exclusion, hostile
//! input, snippets.

use crate::support::{engine, ids};
use bubbla::engine::SearchOptions;
use bubbla::lang::Lang;

#[test]
fn swedish_inflections_find_the_same_documents() {
    let (e, _d) = engine("corpus");
    let base = ids(&e, "varg");
    assert!(base.contains(&"varg-i-sverige".to_string()));
    for form in ["vargen", "vargar", "vargarna", "vargens"] {
        assert_eq!(ids(&e, form), base, "{form}");
    }
}

#[test]
fn english_inflections_find_the_same_documents() {
    let (e, _d) = engine("corpus");
    assert_eq!(ids(&e, "hunting"), ["wolf-hunting-debate"]);
    assert_eq!(ids(&e, "hunted"), ["wolf-hunting-debate"]);
    assert_eq!(ids(&e, "returns"), ["wolves-return"]);
}

#[test]
fn the_language_filter_keeps_only_matching_documents() {
    let (e, _d) = engine("corpus");
    let sv = e
        .search(
            "varg",
            &SearchOptions {
                lang: Some(Lang::Sv),
                ..SearchOptions::top(50)
            },
        )
        .expect("runs");
    let all = e.search("varg", &SearchOptions::top(50)).expect("runs");
    assert_eq!(
        sv.total_hits,
        all.results.iter().filter(|r| r.lang == Lang::Sv).count()
    );
    let scores = |r: &bubbla::engine::SearchResults| {
        r.results
            .iter()
            .map(|x| x.explanation.signals[0].raw)
            .collect::<Vec<_>>()
    };
    let sv_scores = scores(&sv);
    let all_sv: Vec<f64> = all
        .results
        .iter()
        .filter(|r| r.lang == Lang::Sv)
        .map(|x| x.explanation.signals[0].raw)
        .collect();
    assert_eq!(
        sv_scores, all_sv,
        "the filter adds nothing to the text score"
    );
}

#[test]
fn both_languages_are_searched_at_once_and_can_be_filtered() {
    let (e, _d) = engine("corpus");
    let mixed = ids(&e, "varg wolf");
    assert!(
        mixed.contains(&"varg-i-sverige".to_string())
            && mixed.contains(&"wolves-return".to_string()),
        "{mixed:?}"
    );
    let only_en = e
        .search(
            "varg wolf",
            &SearchOptions {
                lang: Some(Lang::En),
                ..SearchOptions::top(50)
            },
        )
        .expect("runs");
    assert!(only_en.results.iter().all(|r| r.lang == Lang::En));
    assert!(!only_en.results.is_empty());
}

#[test]
fn compounds_are_found_below_the_word_itself() {
    let (e, _d) = engine("corpus");
    let r = ids(&e, "varg");
    // vargjakt / vargstammen documents never say "varg" on its own.
    let pos = |id: &str| {
        r.iter()
            .position(|x| x == id)
            .unwrap_or_else(|| panic!("{id} not found in {r:?}"))
    };
    assert!(pos("varg-i-sverige") < pos("vargjakten-2024"));
    assert!(pos("varg-i-sverige") < pos("vargstammen-vaxer"));
}

#[test]
fn linked_compounds_split_into_both_parts() {
    let (e, _d) = engine("corpus");
    for q in ["kärnkraft", "debatt"] {
        let r = ids(&e, q);
        assert!(r.contains(&"karnkraftsdebatten".to_string()), "{q}: {r:?}");
        // The document that says the word itself ranks first.
        assert_eq!(r[0], "ny-karnkraft", "{q}: {r:?}");
    }
}

#[test]
fn case_is_ignored_but_swedish_letters_are_not() {
    let (e, _d) = engine("corpus");
    assert_eq!(ids(&e, "VARG"), ids(&e, "varg"));
    assert_eq!(ids(&e, "KÄRNKRAFT"), ids(&e, "kärnkraft"));
    // "karnkraft" (without ä) is another word.
    assert!(ids(&e, "karnkraft").is_empty());
}

#[test]
fn phrases_need_the_words_in_order() {
    let (e, _d) = engine("corpus");
    // varg-i-sverige says "skyddad art"; vargjakten-2024 has both words apart.
    assert_eq!(ids(&e, "\"skyddad art\""), ["varg-i-sverige"]);
    let loose = ids(&e, "skyddad art");
    assert!(loose.contains(&"vargjakten-2024".to_string()), "{loose:?}");
    assert!(ids(&e, "\"art skyddad\"").is_empty());
}

#[test]
fn excluded_words_remove_documents_including_compounds() {
    let (e, _d) = engine("corpus");
    let r = ids(&e, "varg -jakt");
    assert!(
        !r.contains(&"varg-i-sverige".to_string()),
        "mentions jakt: {r:?}"
    );
    assert!(
        !r.contains(&"vargjakten-2024".to_string()),
        "mentions vargjakt: {r:?}"
    );
    assert_eq!(r, ["vargresa-med-guide", "vargstammen-vaxer"]);
    assert!(
        ids(&e, "-varg").is_empty(),
        "only an exclusion matches nothing"
    );
}

#[test]
fn all_terms_rank_above_some_terms() {
    let (e, _d) = engine("corpus");
    let r = ids(&e, "wolf hunting");
    assert_eq!(r[0], "wolf-hunting-debate", "{r:?}");
}

#[test]
fn hostile_queries_never_fail() {
    let (e, _d) = engine("corpus");
    let long = "varg ".repeat(2_000);
    let huge = "x".repeat(10_000);
    for q in [
        "\"unbalanced",
        "AND(",
        "title:varg",
        "*",
        "?",
        "((((",
        "\"\"",
        "-",
        "--",
        "- -",
        "🐺🐺🐺",
        "!!!...,,,",
        "",
        "   ",
        "varg OR OR",
        "\\",
        "\u{0}",
        "<script>alert(1)</script>",
        &long,
        &huge,
        "a\"b\"c\"",
        "-\"\"",
    ] {
        let r = e.search(q, &SearchOptions::top(10));
        assert!(r.is_ok(), "{q:?}: {r:?}");
    }
    assert_eq!(ids(&e, "title:varg"), ids(&e, "title varg"));
    assert!(ids(&e, "🐺").is_empty());
    assert!(!ids(&e, &long).is_empty());
}

#[test]
fn snippets_mark_words_and_compounds_that_matched() {
    let (e, _d) = engine("corpus");
    let res = e.search("varg", &SearchOptions::top(10)).expect("runs");
    let top = &res.results[0];
    let marked: Vec<&str> = top
        .highlights
        .iter()
        .map(|r| &top.snippet[r.clone()])
        .collect();
    assert!(
        marked.contains(&"Vargen") && marked.contains(&"vargar"),
        "{marked:?}"
    );
    let compound = res
        .results
        .iter()
        .find(|r| r.id == "vargjakten-2024")
        .expect("found");
    let marked: Vec<&str> = compound
        .highlights
        .iter()
        .map(|r| &compound.snippet[r.clone()])
        .collect();
    assert!(marked.contains(&"vargjakt"), "{marked:?}");
    assert!(
        !marked.iter().any(|m| m.eq_ignore_ascii_case("jakt")),
        "{marked:?}"
    );
    assert!(
        compound
            .snippet_parts
            .to_html()
            .contains("<mark>vargjakt</mark>")
    );
}

#[test]
fn results_carry_metadata_and_total() {
    let (e, _d) = engine("corpus");
    let res = e.search("varg", &SearchOptions::top(2)).expect("runs");
    assert_eq!(res.total_hits, 5);
    assert_eq!(res.results.len(), 2);
    assert_eq!(res.results[0].rank, 1);
    assert_eq!(res.results[0].theme, "varg");
    assert_eq!(res.results[0].perspective, "forskning");
    assert!(res.results[0].score > res.results[1].score);
}

#[test]
fn the_index_is_reused_until_the_corpus_changes() {
    let corpus = tempfile::tempdir().expect("tmp");
    copy_dir(&crate::support::fixture("corpus"), corpus.path());
    let data = tempfile::tempdir().expect("tmp");
    let cfg = bubbla::engine::Config {
        corpus_dir: corpus.path().to_path_buf(),
        data_dir: data.path().to_path_buf(),
        load: Default::default(),
    };
    let progress = bubbla::progress::Progress::hidden();
    assert!(
        bubbla::engine::Engine::open(&cfg, &progress)
            .expect("opens")
            .rebuilt
    );
    assert!(
        !bubbla::engine::Engine::open(&cfg, &progress)
            .expect("opens")
            .rebuilt
    );
    std::fs::write(
        corpus.path().join("varg/ny.md"),
        "+++\ntitle = \"Ny\"\nsource = \"S\"\nlang = \"sv\"\npublished = 2024-01-01\ntheme = \"varg\"\nperspective = \"jakt\"\n+++\n\nEn varg till.\n",
    )
    .expect("write");
    let e = bubbla::engine::Engine::open(&cfg, &progress).expect("opens");
    assert!(e.rebuilt);
    assert!(ids(&e, "varg").contains(&"ny".to_string()));
    // Only the current index is kept.
    assert_eq!(
        std::fs::read_dir(data.path().join("index"))
            .expect("dir")
            .count(),
        1
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}
