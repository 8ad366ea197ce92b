//! The engine: a loaded corpus and its index, kept in step.
//!
//! At start-up the corpus folder is fingerprinted (paths, sizes, modification
//! times, the schema version and the load options). An index built from the
//! same fingerprint is reused; otherwise a new one is built in a temporary
//! folder and renamed into place when complete, so a crash never leaves a
//! half-built index that looks finished.

use crate::corpus::{self, Corpus, Diagnostics, LoadOptions};
use crate::index::snippet::{self, Snippet};
use crate::index::{AnalyzedQuery, IndexDoc, SCHEMA_VERSION, SearchIndex, UserQuery};
use crate::lang::Lang;
use crate::progress::Progress;
use crate::rank::pagerank::pagerank;
use crate::rank::{
    Algorithm, Candidate, Move, RankContext, SignalValue, ViewerFacts, load_algorithms, rank,
};
use crate::store::{Event, EventKind};
use crate::viewer::{Audience, Friend, Links, Profile, Viewer, recent_clicks};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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

/// Matches re-ranked per query: enough that re-ranking can lift a low match.
pub const CANDIDATES: usize = 300;
/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: usize = 100;

/// Live clicks on documents, added to their views (the store counts them).
pub trait ClickCounts: Send + Sync {
    fn clicks_on(&self, doc: &str) -> u64;
}

/// How one search is run.
#[derive(Clone)]
pub struct SearchOptions {
    /// Id of the algorithm.
    pub algorithm: String,
    /// Results to skip (paging).
    pub offset: usize,
    pub limit: usize,
    pub lang: Option<Lang>,
    /// Who is searching; `None` is a viewer without history or friends.
    pub audience: Option<Arc<Audience>>,
    /// Live clicks to add to the corpus's views.
    pub clicks: Option<Arc<dyn ClickCounts>>,
}

impl std::fmt::Debug for SearchOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchOptions")
            .field("algorithm", &self.algorithm)
            .field("offset", &self.offset)
            .field("limit", &self.limit)
            .field("lang", &self.lang)
            .field("viewer", &self.audience.as_ref().map(|a| &a.viewer))
            .field("live_clicks", &self.clicks.is_some())
            .finish()
    }
}

impl SearchOptions {
    /// The first `limit` results by relevance, in both languages.
    pub fn top(limit: usize) -> SearchOptions {
        SearchOptions {
            algorithm: "relevance".into(),
            offset: 0,
            limit,
            lang: None,
            audience: None,
            clicks: None,
        }
    }

    #[must_use]
    pub fn algorithm(mut self, id: &str) -> SearchOptions {
        self.algorithm = id.to_string();
        self
    }
}

/// Why a search could not run: the caller's fault, shown as a 400.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("unknown algorithm `{0}`")]
    UnknownAlgorithm(String),
    #[error("at most {MAX_PAGE_SIZE} results per page")]
    PageTooLarge,
    #[error("compare 2 to 4 algorithms, not {0}")]
    Columns(usize),
    #[error(transparent)]
    Index(#[from] tantivy::TantivyError),
}

/// Why a result is where it is: the numbers that ranked it.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub signals: Vec<SignalValue>,
    pub moved: Option<Move>,
    /// The recorded events behind the `personal` and `social` values, for
    /// signals the algorithm uses.
    pub reasons: Vec<Reason>,
}

/// An event (or a count of them) behind a personal or social boost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Reason {
    /// The viewer clicked this many documents of the result's theme and
    /// perspective.
    YouClicked {
        clicks: u32,
        theme: String,
        perspective: String,
    },
    /// The viewer searched this many times with results mostly in the theme.
    YouSearched { searches: u32, theme: String },
    /// The viewer clicked this document, or one linked to or from it.
    NearClicked,
    /// These friends clicked this document.
    FriendsClicked { friends: Vec<String> },
}

/// Who a reason is about.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    You,
    Named(&'a str),
}

impl Reason {
    /// The reason in words, e.g. "You clicked 4 documents from *Hunters*
    /// (Wolves)."
    pub fn describe(&self, corpus: &Corpus, lang: Lang, who: Who<'_>) -> String {
        let theme_label = |t: &str| {
            corpus
                .theme(t)
                .map_or_else(|| t.to_string(), |x| x.label.get(lang).to_string())
        };
        let persp_label = |t: &str, p: &str| {
            corpus
                .theme(t)
                .and_then(|x| x.perspective(p))
                .map_or_else(|| p.to_string(), |x| x.label.get(lang).to_string())
        };
        let (sv_who, en_who, en_has) = match who {
            Who::You => ("Du", "You", "have"),
            Who::Named(n) => (n, n, "has"),
        };
        let sv = lang == Lang::Sv;
        match self {
            Reason::YouClicked {
                clicks,
                theme,
                perspective,
            } => {
                let (p, t) = (persp_label(theme, perspective), theme_label(theme));
                if sv {
                    format!("{sv_who} har klickat på {clicks} dokument från ”{p}” ({t}).")
                } else {
                    let doc = if *clicks == 1 {
                        "document"
                    } else {
                        "documents"
                    };
                    format!("{en_who} {en_has} clicked {clicks} {doc} from “{p}” ({t}).")
                }
            }
            Reason::YouSearched { searches, theme } => {
                let t = theme_label(theme);
                if sv {
                    let g = if *searches == 1 { "gång" } else { "gånger" };
                    format!("{sv_who} har sökt i temat {t} {searches} {g}.")
                } else {
                    let g = if *searches == 1 { "time" } else { "times" };
                    format!("{en_who} {en_has} searched the theme {t} {searches} {g}.")
                }
            }
            Reason::NearClicked => {
                if sv {
                    format!(
                        "{sv_who} har klickat på den här sidan, eller på en sida som länkar hit eller hit länkas från."
                    )
                } else {
                    format!(
                        "{en_who} {en_has} clicked this page, or a page linking to it or linked from it."
                    )
                }
            }
            Reason::FriendsClicked { friends } => {
                let n = friends.len();
                let names = friends.join(", ");
                match (sv, n) {
                    (true, 1) => format!("En vän har klickat på den här: {names}."),
                    (true, _) => format!("{n} vänner har klickat på den här: {names}."),
                    (false, 1) => format!("A friend clicked this: {names}."),
                    (false, _) => format!("{n} friends clicked this: {names}."),
                }
            }
        }
    }

    /// The reasons in a candidate's viewer facts, for the signals `algorithm`
    /// gives weight.
    pub fn of(c: &Candidate<'_>, algorithm: &Algorithm) -> Vec<Reason> {
        let v = &c.viewer;
        let mut out = Vec::new();
        if algorithm.weight("personal") > 0.0 {
            if v.perspective_clicks > 0 {
                out.push(Reason::YouClicked {
                    clicks: v.perspective_clicks,
                    theme: c.theme.to_string(),
                    perspective: c.perspective.to_string(),
                });
            }
            if v.theme_searches > 0 {
                out.push(Reason::YouSearched {
                    searches: v.theme_searches,
                    theme: c.theme.to_string(),
                });
            }
            if v.near_clicked {
                out.push(Reason::NearClicked);
            }
        }
        if algorithm.weight("social") > 0.0 && !v.friends.is_empty() {
            out.push(Reason::FriendsClicked {
                friends: v.friends.clone(),
            });
        }
        out
    }
}

/// One result, as the command line, the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub rank: usize,
    pub id: String,
    pub title: String,
    pub source: String,
    pub lang: Lang,
    pub theme: String,
    pub perspective: String,
    pub sponsored: bool,
    /// Shown in a labelled ad slot (the `pin-sponsored` step).
    pub sponsored_slot: bool,
    /// The sum of the explanation's contributions.
    pub score: f64,
    /// The passage that matched, as plain text.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched the query.
    pub highlights: Vec<std::ops::Range<usize>>,
    pub explanation: Explanation,
    #[serde(skip)]
    pub snippet_parts: Snippet,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub query: String,
    pub algorithm: String,
    pub total_hits: usize,
    /// How many matches were ranked (the candidates).
    pub ranked: usize,
    pub offset: usize,
    pub results: Vec<SearchResult>,
}

/// The matches of one query with their signals' inputs, ready to be ranked
/// by any number of algorithms.
pub struct Candidates<'e> {
    pub query: String,
    pub analyzed: AnalyzedQuery,
    pub total_hits: usize,
    /// Corpus positions of the candidates, parallel to `list`.
    pub docs: Vec<usize>,
    /// Index addresses of the candidates, parallel to `list`.
    pub addresses: Vec<tantivy::DocAddress>,
    pub list: Vec<Candidate<'e>>,
}

impl Candidates<'_> {
    /// Fills in what `audience` says about each candidate.
    pub fn personalise(&mut self, audience: &Audience) {
        for (c, &ord) in self.list.iter_mut().zip(&self.docs) {
            c.viewer = audience.facts(ord, c.theme, c.perspective);
        }
    }

    /// Adds live clicks to the views of each candidate.
    pub fn add_clicks(&mut self, clicks: &dyn ClickCounts) {
        for c in &mut self.list {
            c.views = c.views.saturating_add(clicks.clicks_on(c.id));
        }
    }
}

pub struct Engine {
    pub corpus: Corpus,
    pub index: SearchIndex,
    pub algorithms: Vec<Algorithm>,
    /// PageRank of each document (corpus order).
    pub authority: Vec<f64>,
    /// The link graph, both ways (corpus order; no self-links, no repeats).
    pub links: Links,
    /// Recency is measured from here: the newest document's date.
    pub reference_date: time::Date,
    /// Problems found while loading the corpus and the algorithms.
    pub diagnostics: Diagnostics,
    /// True when the index was built now rather than reused.
    pub rebuilt: bool,
    /// Each persona's history as events (computed on first use).
    persona_histories: OnceLock<HashMap<String, Vec<Event>>>,
    /// Snippets already made, by document (corpus order) and query stems.
    /// A snippet depends on nothing else, and in a workshop a whole room
    /// searches the same few queries: making them was a sixth of the
    /// server's time under load. Bounded; an engine's documents never
    /// change (a changed corpus is a new engine with an empty cache).
    snippets: quick_cache::sync::Cache<(usize, String), Snippet>,
    /// Documents' bodies as sanitised HTML, by document: rendering the
    /// Markdown again for every visit of `/doc` was a twelfth of the
    /// server's time under load.
    pages: quick_cache::sync::Cache<usize, Arc<str>>,
}

/// How many snippets an engine keeps (a few hundred bytes each).
const SNIPPET_CACHE: usize = 20_000;
/// How many rendered bodies an engine keeps (a few kilobytes each).
const PAGE_CACHE: usize = 2_000;

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
        let mut diagnostics = loaded.diagnostics;
        let algorithms = load_algorithms(&cfg.corpus_dir, &mut diagnostics);
        let index_root = cfg.data_dir.join("index");
        let dir = index_root.join(&fp);
        if let Some(index) = open_existing(&dir, &corpus) {
            return Ok(Engine::assemble(
                corpus,
                index,
                algorithms,
                diagnostics,
                false,
            ));
        }
        let docs = index_docs(&corpus);
        let index = match build_on_disk(&index_root, &fp, &docs, &corpus, progress) {
            Ok(index) => index,
            Err(e) => {
                // Searching must work even where nothing can be written
                // (a read-only folder, a full disk, a file in the way).
                tracing::warn!(
                    "the index cannot be written under {}: {e:#}; it is kept in memory for this run",
                    index_root.display()
                );
                SearchIndex::build(None, &docs, progress).context("building the index in memory")?
            }
        };
        Ok(Engine::assemble(
            corpus,
            index,
            algorithms,
            diagnostics,
            true,
        ))
    }

    /// An engine over a corpus already in memory, indexed into `dir`
    /// (benchmarks and tests).
    pub fn in_dir(
        corpus: Corpus,
        dir: &Path,
        algorithms: Vec<Algorithm>,
    ) -> anyhow::Result<Engine> {
        let docs = index_docs(&corpus);
        let index = SearchIndex::build(Some(dir), &docs, &Progress::hidden())?;
        Ok(Engine::assemble(
            corpus,
            index,
            algorithms,
            Diagnostics::default(),
            true,
        ))
    }

    fn assemble(
        corpus: Corpus,
        index: SearchIndex,
        algorithms: Vec<Algorithm>,
        diagnostics: Diagnostics,
        rebuilt: bool,
    ) -> Engine {
        let links: Vec<Vec<usize>> = corpus
            .docs
            .iter()
            .map(|d| {
                d.links
                    .iter()
                    .filter_map(|id| corpus.index_of(id))
                    .collect()
            })
            .collect();
        let authority = pagerank(corpus.docs.len(), &links);
        let links = Links::of(&corpus);
        let reference_date = corpus
            .docs
            .iter()
            .map(|d| d.published)
            .max()
            .unwrap_or(time::macros::date!(2024 - 01 - 01));
        Engine {
            corpus,
            index,
            algorithms,
            authority,
            links,
            reference_date,
            diagnostics,
            rebuilt,
            persona_histories: OnceLock::new(),
            snippets: quick_cache::sync::Cache::new(SNIPPET_CACHE),
            pages: quick_cache::sync::Cache::new(PAGE_CACHE),
        }
    }

    /// A persona's history as events, as if recorded: each search with the
    /// ten results `relevance` shows for it, then the clicks the persona
    /// made. The events' viewer is the persona's id.
    pub fn persona_history(&self, id: &str) -> Option<&[Event]> {
        self.persona_histories
            .get_or_init(|| {
                self.corpus
                    .personas
                    .iter()
                    .map(|p| {
                        let mut events = Vec::new();
                        let mut push = |query: &str, kind: EventKind| {
                            events.push(Event {
                                id: events.len() as i64 + 1,
                                time: 0,
                                kind,
                                viewer: p.id.clone(),
                                algorithm: "relevance".into(),
                                query: query.to_string(),
                                room: None,
                            });
                        };
                        for s in &p.history {
                            let shown: Vec<String> = self
                                .search(&s.query, &SearchOptions::top(10))
                                .map(|r| r.results.into_iter().map(|r| r.id).collect())
                                .unwrap_or_default();
                            let rank_of = |doc: &String| {
                                shown
                                    .iter()
                                    .position(|d| d == doc)
                                    .map_or(0, |i| i as u32 + 1)
                            };
                            let clicks: Vec<EventKind> = s
                                .clicks
                                .iter()
                                .map(|doc| EventKind::Click {
                                    doc: doc.clone(),
                                    rank: rank_of(doc),
                                })
                                .collect();
                            push(
                                &s.query,
                                EventKind::Query {
                                    first_rank: 1,
                                    shown,
                                },
                            );
                            for kind in clicks {
                                push(&s.query, kind);
                            }
                        }
                        (p.id.clone(), events)
                    })
                    .collect()
            })
            .get(id)
            .map(Vec::as_slice)
    }

    /// The profile of `viewer` in a list of events.
    pub fn profile(&self, events: &[Event], viewer: &str, half_life: f64) -> Profile {
        Profile::build(events, viewer, &self.corpus, &self.links, half_life)
    }

    /// A persona as a viewer: its history, and its declared friends' clicks.
    pub fn persona_audience(&self, id: &str, half_life: f64) -> Option<Audience> {
        let persona = self.corpus.personas.iter().find(|p| p.id == id)?;
        let profile = self.profile(self.persona_history(id)?, id, half_life);
        let friends = persona
            .friends
            .iter()
            .filter_map(|f| {
                let friend = self.corpus.personas.iter().find(|p| &p.id == f)?;
                let clicked = recent_clicks(self.persona_history(f)?, f, &self.corpus, half_life);
                Some(Friend {
                    name: friend.name.clone(),
                    clicked,
                })
            })
            .collect();
        Some(Audience {
            viewer: Viewer::Persona(id.to_string()),
            name: Some(persona.name.clone()),
            profile,
            friends,
        })
    }

    pub fn algorithm(&self, id: &str) -> Option<&Algorithm> {
        self.algorithms.iter().find(|a| a.id == id)
    }

    /// The ranking context for a query: the shuffle seed follows the query,
    /// so the same query always gets the same random order.
    pub fn context(&self, query: &str) -> RankContext {
        let mut seed: u64 = 0xcbf2_9ce4_8422_2325;
        for b in query.trim().to_lowercase().bytes() {
            seed = (seed ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        RankContext {
            reference_date: self.reference_date,
            half_life_days: 365.0,
            seed,
        }
    }

    /// The top matches of a query by text relevance, with what the signals
    /// need to know about each.
    pub fn candidates(
        &self,
        query: &str,
        lang: Option<Lang>,
    ) -> Result<Candidates<'_>, SearchError> {
        let analyzed = self.index.analyze(&UserQuery::parse(query), lang);
        let hits = self.index.search(&analyzed, CANDIDATES)?;
        let mut docs = Vec::with_capacity(hits.hits.len());
        let mut addresses = Vec::with_capacity(hits.hits.len());
        let mut list = Vec::with_capacity(hits.hits.len());
        for h in &hits.hits {
            let Some(d) = self.corpus.docs.get(h.ord) else {
                continue;
            };
            docs.push(h.ord);
            addresses.push(h.address);
            list.push(Candidate {
                id: &d.id,
                theme: &d.theme,
                perspective: &d.perspective,
                text_score: f64::from(h.score),
                term_count: h.term_count,
                views: d.popularity,
                authority: self.authority[h.ord],
                published: d.published,
                sponsored: d.sponsored,
                viewer: ViewerFacts::default(),
            });
        }
        Ok(Candidates {
            query: query.to_string(),
            analyzed,
            total_hits: hits.total,
            docs,
            addresses,
            list,
        })
    }

    /// Ranks candidates with an algorithm and renders a page of results.
    pub fn rank_page(
        &self,
        c: &Candidates<'_>,
        algorithm: &Algorithm,
        offset: usize,
        limit: usize,
    ) -> SearchResults {
        let ranking = rank(&c.list, algorithm, &self.context(&c.query));
        let mut words = snippet::WordCache::default();
        let results = ranking
            .order
            .iter()
            .enumerate()
            .skip(offset)
            .take(limit)
            .map(|(i, r)| {
                let ord = c.docs[r.candidate];
                let d = &self.corpus.docs[ord];
                let snip = self.snippet(ord, c.addresses[r.candidate], &c.analyzed, &mut words);
                SearchResult {
                    rank: i + 1,
                    id: d.id.clone(),
                    title: d.title.clone(),
                    source: d.source.clone(),
                    lang: d.lang,
                    theme: d.theme.clone(),
                    perspective: d.perspective.clone(),
                    sponsored: d.sponsored,
                    sponsored_slot: r.sponsored_slot,
                    score: r.score,
                    snippet: snip.text.clone(),
                    highlights: snip.highlights.clone(),
                    explanation: Explanation {
                        signals: ranking.explain(r),
                        moved: r.moved.clone(),
                        reasons: Reason::of(&c.list[r.candidate], algorithm),
                    },
                    snippet_parts: snip,
                }
            })
            .collect();
        SearchResults {
            query: c.query.clone(),
            algorithm: algorithm.id.clone(),
            total_hits: c.total_hits,
            ranked: c.list.len(),
            offset,
            results,
        }
    }

    /// Document `ord`'s body as sanitised HTML (see
    /// [`corpus::render_markdown`]), rendered once and then kept.
    pub fn body_html(&self, ord: usize) -> Arc<str> {
        let render = || {
            Ok::<_, std::convert::Infallible>(
                self.corpus
                    .docs
                    .get(ord)
                    .map_or_else(String::new, |d| corpus::render_markdown(&d.body))
                    .into(),
            )
        };
        match self.pages.get_or_insert_with(&ord, render) {
            Ok(html) => html,
        }
    }

    /// The snippet of document `ord` (at `address` in the index) for a
    /// query, made once and then kept.
    fn snippet(
        &self,
        ord: usize,
        address: tantivy::DocAddress,
        analyzed: &AnalyzedQuery,
        words: &mut snippet::WordCache,
    ) -> Snippet {
        let d = &self.corpus.docs[ord];
        let stems = analyzed.highlight_stems(d.lang);
        let key = (ord, stems.join("\u{1f}"));
        let make = || {
            let positions = self
                .index
                .positions(address, d.lang, &stems)
                .unwrap_or_default();
            Ok::<_, std::convert::Infallible>(snippet::make(
                &self.index,
                d.lang,
                &d.text,
                &stems,
                &positions,
                words,
            ))
        };
        match self.snippets.get_or_insert_with(&key, make) {
            Ok(s) => s,
        }
    }

    /// Searches and ranks with the algorithm of `opts`.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<SearchResults, SearchError> {
        let algorithm = self
            .algorithm(&opts.algorithm)
            .ok_or_else(|| SearchError::UnknownAlgorithm(opts.algorithm.clone()))?;
        if opts.limit > MAX_PAGE_SIZE {
            return Err(SearchError::PageTooLarge);
        }
        let mut c = self.candidates(query, opts.lang)?;
        if let Some(clicks) = &opts.clicks {
            c.add_clicks(clicks.as_ref());
        }
        if let Some(audience) = &opts.audience {
            c.personalise(audience);
        }
        Ok(self.rank_page(&c, algorithm, opts.offset, opts.limit))
    }
}

/// What the index needs of each document, in corpus order (the order is
/// the documents' `ord` in the index).
fn index_docs(corpus: &Corpus) -> Vec<IndexDoc<'_>> {
    corpus
        .docs
        .iter()
        .map(|d| IndexDoc {
            id: &d.id,
            lang: d.lang,
            title: &d.title,
            text: &d.text,
        })
        .collect()
}

/// Builds the index under `index_root/.building-…` and renames it to
/// `index_root/<fingerprint>` once complete, so a folder is whole or absent.
fn build_on_disk(
    index_root: &Path,
    fp: &str,
    docs: &[IndexDoc],
    corpus: &Corpus,
    progress: &Progress,
) -> anyhow::Result<SearchIndex> {
    std::fs::create_dir_all(index_root).context("creating the index folder")?;
    let dir = index_root.join(fp);
    let tmp = index_root.join(format!(".building-{fp}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp)?;
    let index = SearchIndex::build(Some(&tmp), docs, progress).context("building the index")?;
    drop(index);
    let meta = Meta {
        schema_version: SCHEMA_VERSION,
        fingerprint: fp.to_string(),
        documents: corpus.docs.len(),
    };
    std::fs::write(tmp.join(META_FILE), serde_json::to_vec_pretty(&meta)?)?;
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::rename(&tmp, &dir) {
        // Another bubbla may have finished the same index first.
        if open_existing(&dir, corpus).is_none() {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e).context("moving the new index into place");
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }
    remove_stale(index_root, fp);
    SearchIndex::open(&dir).context("opening the new index")
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
