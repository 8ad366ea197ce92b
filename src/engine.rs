//! The engine: a loaded corpus and its index, kept in step.
//!
//! At start-up the corpus folder is fingerprinted (paths, sizes, modification
//! times, the schema version and the load options). An index built from the
//! same fingerprint is reused; otherwise a new one is built in a temporary
//! folder and renamed into place when complete, so a crash never leaves a
//! half-built index that looks finished.

use crate::corpus::{self, Corpus, Diagnostics, LoadOptions};
use crate::index::snippet::{self, Snippet};
use crate::index::{IndexDoc, SCHEMA_VERSION, SearchIndex, UserQuery};
use crate::lang::Lang;
use crate::progress::Progress;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Written last into a finished index folder.
const META_FILE: &str = "bubbla-index.json";

/// Where the corpus and the data live.
#[derive(Debug, Clone)]
pub struct Config {
    pub corpus_dir: PathBuf,
    pub data_dir: PathBuf,
    pub load: LoadOptions,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    schema_version: u32,
    fingerprint: String,
    documents: usize,
}

/// How one search is run.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub limit: usize,
    pub lang: Option<Lang>,
}

/// One result, as the command line and the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub rank: usize,
    pub id: String,
    pub title: String,
    pub lang: Lang,
    pub theme: String,
    pub perspective: String,
    pub score: f32,
    /// The passage that matched, as plain text.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<std::ops::Range<usize>>,
    #[serde(skip)]
    pub snippet_parts: Snippet,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub total_hits: usize,
    pub results: Vec<SearchResult>,
}

pub struct Engine {
    pub corpus: Corpus,
    pub index: SearchIndex,
    /// Problems found while loading the corpus.
    pub diagnostics: Diagnostics,
    /// True when the index was built now rather than reused.
    pub rebuilt: bool,
}

/// A stable fingerprint of the corpus files and everything else that shapes
/// the index. SipHash with fixed keys: stable for a given build of bubbla,
/// and a change only costs one rebuild.
pub fn fingerprint(corpus_dir: &Path, load: &LoadOptions) -> std::io::Result<String> {
    let mut h = std::hash::DefaultHasher::new();
    SCHEMA_VERSION.hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    load.max_body_bytes.hash(&mut h);
    for s in corpus::stamps(corpus_dir)? {
        (s.rel_path, s.size, s.mtime_ns).hash(&mut h);
    }
    Ok(format!("{:016x}", h.finish()))
}

impl Engine {
    /// Loads the corpus and opens its index, building it if it is stale.
    pub fn open(cfg: &Config, progress: &Progress) -> anyhow::Result<Engine> {
        let fp = fingerprint(&cfg.corpus_dir, &cfg.load)
            .with_context(|| format!("reading corpus folder {}", cfg.corpus_dir.display()))?;
        let loaded = corpus::load(&cfg.corpus_dir, &cfg.load)?;
        let corpus = loaded.corpus;
        let index_root = cfg.data_dir.join("index");
        let dir = index_root.join(&fp);
        if let Some(index) = open_existing(&dir, &corpus) {
            return Ok(Engine {
                corpus,
                index,
                diagnostics: loaded.diagnostics,
                rebuilt: false,
            });
        }
        std::fs::create_dir_all(&index_root)
            .with_context(|| format!("creating data folder {}", index_root.display()))?;
        let tmp = index_root.join(format!(".building-{fp}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp)?;
        let docs: Vec<IndexDoc<'_>> = corpus
            .docs
            .iter()
            .map(|d| IndexDoc {
                id: &d.id,
                lang: d.lang,
                title: &d.title,
                text: &d.text,
            })
            .collect();
        let index =
            SearchIndex::build(Some(&tmp), &docs, progress).context("building the index")?;
        drop(index);
        let meta = Meta {
            schema_version: SCHEMA_VERSION,
            fingerprint: fp.clone(),
            documents: corpus.docs.len(),
        };
        std::fs::write(tmp.join(META_FILE), serde_json::to_vec_pretty(&meta)?)?;
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::rename(&tmp, &dir) {
            // Another bubbla may have finished the same index first.
            if open_existing(&dir, &corpus).is_none() {
                return Err(e).context("moving the new index into place");
            }
            let _ = std::fs::remove_dir_all(&tmp);
        }
        remove_stale(&index_root, &fp);
        let index = SearchIndex::open(&dir).context("opening the new index")?;
        Ok(Engine {
            corpus,
            index,
            diagnostics: loaded.diagnostics,
            rebuilt: true,
        })
    }

    /// Searches by text relevance and attaches snippets.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> anyhow::Result<SearchResults> {
        let parsed = UserQuery::parse(query);
        let analyzed = self.index.analyze(&parsed, opts.lang);
        let hits = self.index.search(&analyzed, opts.limit)?;
        let results = hits
            .hits
            .into_iter()
            .filter_map(|h| self.corpus.docs.get(h.ord).map(|d| (h.score, d)))
            .enumerate()
            .map(|(i, (score, d))| {
                let stems = analyzed.highlight_stems(d.lang);
                let snip = snippet::make(&self.index, d.lang, &d.text, &stems);
                SearchResult {
                    rank: i + 1,
                    id: d.id.clone(),
                    title: d.title.clone(),
                    lang: d.lang,
                    theme: d.theme.clone(),
                    perspective: d.perspective.clone(),
                    score,
                    snippet: snip.text.clone(),
                    highlights: snip.highlights.clone(),
                    snippet_parts: snip,
                }
            })
            .collect();
        Ok(SearchResults {
            query: query.to_string(),
            total_hits: hits.total,
            results,
        })
    }
}

fn open_existing(dir: &Path, corpus: &Corpus) -> Option<SearchIndex> {
    let expected_docs = corpus.docs.len();
    let meta: Meta = serde_json::from_slice(&std::fs::read(dir.join(META_FILE)).ok()?).ok()?;
    if meta.schema_version != SCHEMA_VERSION || meta.documents != expected_docs {
        return None;
    }
    match SearchIndex::open(dir) {
        Ok(index) if index.num_docs() as usize == expected_docs && same_ids(&index, corpus) => {
            Some(index)
        }
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(
                "stored index at {} cannot be used ({e}); rebuilding",
                dir.display()
            );
            None
        }
    }
}

/// The first and last documents are where the corpus says they are.
fn same_ids(index: &SearchIndex, corpus: &Corpus) -> bool {
    let n = corpus.docs.len();
    [0, n.saturating_sub(1)]
        .into_iter()
        .filter(|&ord| ord < n)
        .all(|ord| index.id_at(ord).ok().flatten().as_deref() == Some(corpus.docs[ord].id.as_str()))
}

/// Removes indexes of earlier corpus versions (best effort).
fn remove_stale(index_root: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(index_root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ours_building =
            name.starts_with(".building-") && name.ends_with(&format!("-{}", std::process::id()));
        if name != keep && (!name.starts_with(".building-") || ours_building) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}
