//! Shared helpers: fixture paths and engines over them.

use bubbla::corpus::LoadOptions;
use bubbla::engine::{Config, Engine, SearchOptions};
use bubbla::progress::Progress;
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Limit used with the broken fixture, so `too-big.md` stays small.
pub const SMALL_BODY_LIMIT: usize = 2000;

pub fn config(corpus: &str, data: &tempfile::TempDir) -> Config {
    Config {
        corpus_dir: fixture(corpus),
        data_dir: data.path().to_path_buf(),
        load: LoadOptions {
            max_body_bytes: SMALL_BODY_LIMIT,
        },
    }
}

/// An engine over a fixture corpus with its own data folder.
pub fn engine(corpus: &str) -> (Engine, tempfile::TempDir) {
    let data = tempfile::tempdir().expect("temp dir");
    let engine = Engine::open(&config(corpus, &data), &Progress::hidden()).expect("engine opens");
    (engine, data)
}

/// Ids of the results, best first.
pub fn ids(engine: &Engine, query: &str) -> Vec<String> {
    engine
        .search(query, &SearchOptions::top(50))
        .expect("search runs")
        .results
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// A fresh engine over the bundled corpus in `corpus/`. The index is built
/// once into a data folder shared by the whole test run and reused after.
pub fn bundled_engine() -> Engine {
    static DATA: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let data = DATA.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    let _one_at_a_time = BUILD.lock().unwrap_or_else(|p| p.into_inner());
    let cfg = Config {
        corpus_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        data_dir: data.path().to_path_buf(),
        load: LoadOptions::default(),
    };
    Engine::open(&cfg, &Progress::hidden()).expect("bundled corpus opens")
}
