//! `bubbla eval`: search quality on a BEIR-layout test collection, measured
//! through the same analysers, fields and scoring that serve the corpus.
//!
//! The collection is indexed into a temporary folder with
//! [`SearchIndex::build`]; each query goes through [`UserQuery::parse`],
//! [`SearchIndex::analyze`] and [`SearchIndex::search`], exactly as a search
//! on the server does (snippets aside). `--baseline-raw` also indexes the
//! collection with plain tantivy (one stemmer, default query parser) and
//! times both in the same run.

pub mod metrics;

use crate::index::analysis::detect_lang;
use crate::index::{IndexDoc, Scoring, SearchIndex, UserQuery};
use crate::lang::Lang;
use crate::progress::Progress;
use anyhow::{Context, bail};
use clap::Args;
use metrics::Judged;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Folder with corpus.jsonl, queries.jsonl and qrels/test.tsv.
    pub dir: PathBuf,
    /// Corpus file inside the folder.
    #[arg(long, default_value = "corpus.jsonl")]
    pub corpus_file: String,
    /// Treat every document and query as this language (default: detect
    /// each document's language from its stop words).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also run plain tantivy (title + body, stemmer, default query parser)
    /// in the same run, as a baseline for quality and speed.
    #[arg(long)]
    pub baseline_raw: bool,
    /// Only queries whose `metadata.split` is this (e.g. `dev` to tune
    /// weights, `test` to confirm them on queries not tuned on).
    #[arg(long)]
    pub split: Option<String>,
    /// Time every query this many times and report the median of each.
    #[arg(long, default_value_t = 5)]
    pub repeat: usize,
    /// Experiment: weight of title matches (default: the served value).
    #[arg(long)]
    pub title_boost: Option<f32>,
    /// Experiment: weight of compound-part matches (default: the served value).
    #[arg(long)]
    pub parts_boost: Option<f32>,
    /// Experiment: weight of the parts of compound query words.
    #[arg(long)]
    pub query_parts_boost: Option<f32>,
}

#[derive(Deserialize)]
struct BeirDoc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct BeirQuery {
    #[serde(rename = "_id")]
    id: String,
    text: String,
    #[serde(default)]
    metadata: Option<QueryMetadata>,
}

#[derive(Deserialize)]
struct QueryMetadata {
    #[serde(default)]
    split: Option<String>,
}

/// A loaded test collection.
pub struct Collection {
    docs: Vec<BeirDoc>,
    /// Queries that have at least one relevant document, in file order.
    queries: Vec<(String, String, Judged)>,
}

impl Collection {
    /// (id, title, text) of every document.
    pub fn documents(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.docs
            .iter()
            .map(|d| (d.id.as_str(), d.title.as_str(), d.text.as_str()))
    }

    /// The text of every judged query.
    pub fn query_texts(&self) -> impl Iterator<Item = &str> {
        self.queries.iter().map(|(_, text, _)| text.as_str())
    }

    pub fn load(dir: &Path, corpus_file: &str, split: Option<&str>) -> anyhow::Result<Collection> {
        let docs: Vec<BeirDoc> = read_jsonl(&dir.join(corpus_file))?;
        let raw_queries: Vec<BeirQuery> = read_jsonl(&dir.join("queries.jsonl"))?;
        let qrels_path = dir.join("qrels").join("test.tsv");
        let qrels_text = std::fs::read_to_string(&qrels_path)
            .with_context(|| format!("reading {}", qrels_path.display()))?;
        let mut judged: HashMap<String, Judged> = HashMap::new();
        for (n, line) in qrels_text.lines().enumerate() {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 3 || (n == 0 && cols[2].trim().parse::<i64>().is_err()) {
                continue;
            }
            let Ok(grade) = cols[2].trim().parse::<i64>() else {
                bail!(
                    "{}:{}: relevance `{}` is not a number",
                    qrels_path.display(),
                    n + 1,
                    cols[2]
                );
            };
            judged
                .entry(cols[0].to_string())
                .or_default()
                .insert(cols[1].to_string(), grade.max(0) as u32);
        }
        let queries = raw_queries
            .into_iter()
            .filter(|q| {
                split
                    .is_none_or(|s| q.metadata.as_ref().and_then(|m| m.split.as_deref()) == Some(s))
            })
            .filter_map(|q| {
                let j = judged.remove(&q.id)?;
                j.values().any(|&g| g >= 1).then_some((q.id, q.text, j))
            })
            .collect();
        Ok(Collection { docs, queries })
    }
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<Vec<T>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a valid record", path.display(), i + 1))
        })
        .collect()
}

/// Quality and speed of one system on one collection.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    #[serde(rename = "ndcg@10")]
    pub ndcg10: f64,
    #[serde(rename = "recall@100")]
    pub recall100: f64,
    #[serde(rename = "map@100")]
    pub map100: f64,
    #[serde(rename = "mrr@10")]
    pub mrr10: f64,
    pub queries: usize,
    pub docs: usize,
    pub index_seconds: f64,
    pub query_ms_mean: f64,
    pub query_ms_p50: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub bubbla: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_raw: Option<Figures>,
    /// bubbla's mean query time over the baseline's, same run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_time_ratio: Option<f64>,
}

fn figures(runs: &[(Vec<String>, f64)], col: &Collection, index_seconds: f64) -> Figures {
    let n = col.queries.len().max(1) as f64;
    let mean = |f: &dyn Fn(&[String], &Judged) -> f64| -> f64 {
        runs.iter()
            .zip(&col.queries)
            .map(|((r, _), (_, _, j))| f(r, j))
            .sum::<f64>()
            / n
    };
    let mut times: Vec<f64> = runs.iter().map(|(_, t)| *t).collect();
    times.sort_by(f64::total_cmp);
    Figures {
        ndcg10: mean(&|r, j| metrics::ndcg_at(r, j, 10)),
        recall100: mean(&|r, j| metrics::recall_at(r, j, 100)),
        map100: mean(&|r, j| metrics::ap_at(r, j, 100)),
        mrr10: mean(&|r, j| metrics::rr_at(r, j, 10)),
        queries: col.queries.len(),
        docs: col.docs.len(),
        index_seconds,
        query_ms_mean: times.iter().sum::<f64>() / n,
        query_ms_p50: times.get(times.len() / 2).copied().unwrap_or(0.0),
    }
}

/// Runs every query `repeat` times (round after round, so caches warm up
/// alike for all) and keeps each query's ranking and median time in ms.
fn time_queries(
    col: &Collection,
    repeat: usize,
    mut run: impl FnMut(&str) -> anyhow::Result<Vec<String>>,
) -> anyhow::Result<Vec<(Vec<String>, f64)>> {
    let repeat = repeat.max(1);
    let progress = Progress::new("querying");
    progress.set_total((repeat * col.queries.len()) as u64);
    let mut times = vec![Vec::with_capacity(repeat); col.queries.len()];
    let mut rankings = vec![Vec::new(); col.queries.len()];
    for _ in 0..repeat {
        for (i, (_, text, _)) in col.queries.iter().enumerate() {
            let t = Instant::now();
            rankings[i] = run(text)?;
            times[i].push(t.elapsed().as_secs_f64() * 1000.0);
            progress.inc(1);
        }
    }
    progress.finish();
    Ok(rankings
        .into_iter()
        .zip(times)
        .map(|(r, mut t)| {
            t.sort_by(f64::total_cmp);
            (r, t[t.len() / 2])
        })
        .collect())
}

/// Evaluates bubbla (and optionally the raw baseline) on a collection.
pub fn evaluate(args: &EvalArgs, progress: &Progress) -> anyhow::Result<Report> {
    let col = Collection::load(&args.dir, &args.corpus_file, args.split.as_deref())?;
    if col.queries.is_empty() {
        bail!(
            "no query in {} has a relevant document in qrels/test.tsv",
            args.dir.display()
        );
    }
    let langs: Vec<Lang> = col
        .docs
        .iter()
        .map(|d| {
            args.lang
                .unwrap_or_else(|| detect_lang(&format!("{} {}", d.title, d.text)))
        })
        .collect();
    let tmp = tempfile::tempdir()?;
    let started = Instant::now();
    let docs: Vec<IndexDoc<'_>> = col
        .docs
        .iter()
        .zip(&langs)
        .map(|(d, &lang)| IndexDoc {
            id: &d.id,
            lang,
            title: &d.title,
            text: &d.text,
        })
        .collect();
    let mut index = SearchIndex::build(Some(tmp.path()), &docs, progress)?;
    let index_seconds = started.elapsed().as_secs_f64();
    let defaults = Scoring::default();
    index.set_scoring(Scoring {
        title_boost: args.title_boost.unwrap_or(defaults.title_boost),
        parts_boost: args.parts_boost.unwrap_or(defaults.parts_boost),
        query_parts_boost: args.query_parts_boost.unwrap_or(defaults.query_parts_boost),
    });

    let runs = time_queries(&col, args.repeat, |text| {
        let analyzed = index.analyze(&UserQuery::parse(text), args.lang);
        Ok(index
            .search(&analyzed, 100)?
            .hits
            .into_iter()
            .map(|h| col.docs[h.ord].id.clone())
            .collect())
    })?;
    let bubbla = figures(&runs, &col, index_seconds);

    let baseline_raw = if args.baseline_raw {
        let majority = if langs.iter().filter(|l| **l == Lang::Sv).count() * 2 > langs.len() {
            Lang::Sv
        } else {
            Lang::En
        };
        Some(raw::evaluate(
            &col,
            args.lang.unwrap_or(majority),
            args.repeat,
        )?)
    } else {
        None
    };
    let query_time_ratio = baseline_raw
        .as_ref()
        .map(|b| bubbla.query_ms_mean / b.query_ms_mean.max(1e-9));
    Ok(Report {
        bubbla,
        baseline_raw,
        query_time_ratio,
    })
}

pub fn run(args: &EvalArgs) -> anyhow::Result<()> {
    let report = evaluate(args, &Progress::new("indexing"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let print = |name: &str, f: &Figures| {
        println!(
            "{name:<12} nDCG@10 {:.4}  Recall@100 {:.4}  MAP@100 {:.4}  MRR@10 {:.4}  | {} queries, {} docs, indexed in {:.2} s, query mean {:.3} ms, p50 {:.3} ms",
            f.ndcg10,
            f.recall100,
            f.map100,
            f.mrr10,
            f.queries,
            f.docs,
            f.index_seconds,
            f.query_ms_mean,
            f.query_ms_p50
        )
    };
    print("bubbla", &report.bubbla);
    if let Some(b) = &report.baseline_raw {
        print("raw tantivy", b);
    }
    if let Some(r) = report.query_time_ratio {
        println!("query time: bubbla / raw tantivy = {r:.2}");
    }
    Ok(())
}

/// Plain tantivy, as a newcomer would set it up: title and body fields with
/// one language's stemmer, the default query parser, default BM25.
pub mod raw {
    use super::{Collection, Figures, figures, time_queries};
    use crate::lang::Lang;
    use std::time::Instant;
    use tantivy::collector::TopDocs;
    use tantivy::query::QueryParser;
    use tantivy::schema::{
        Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
    };
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    };
    use tantivy::{Index, IndexReader, TantivyDocument, doc};

    /// The baseline index over a collection, in a temporary folder.
    pub struct RawIndex {
        _dir: tempfile::TempDir,
        reader: IndexReader,
        parser: QueryParser,
        id: Field,
        pub index_seconds: f64,
    }

    impl RawIndex {
        pub fn build(col: &Collection, lang: Lang) -> anyhow::Result<RawIndex> {
            let language = if lang == Lang::Sv {
                Language::Swedish
            } else {
                Language::English
            };
            let text = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer("stemmed")
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            let mut b = Schema::builder();
            let id = b.add_text_field("id", STRING | STORED);
            let title = b.add_text_field("title", text.clone());
            let body = b.add_text_field("body", text);
            let dir = tempfile::tempdir()?;
            let index = Index::create_in_dir(dir.path(), b.build())?;
            index.tokenizers().register(
                "stemmed",
                TextAnalyzer::builder(SimpleTokenizer::default())
                    .filter(RemoveLongFilter::limit(40))
                    .filter(LowerCaser)
                    .filter(Stemmer::new(language))
                    .build(),
            );
            let started = Instant::now();
            let mut writer = index.writer_with_num_threads(1, 100_000_000)?;
            for d in &col.docs {
                writer.add_document(
                    doc!(id => d.id.as_str(), title => d.title.as_str(), body => d.text.as_str()),
                )?;
            }
            writer.commit()?;
            writer.wait_merging_threads()?;
            let index_seconds = started.elapsed().as_secs_f64();
            let reader = index.reader()?;
            let parser = QueryParser::for_index(&index, vec![title, body]);
            Ok(RawIndex {
                _dir: dir,
                reader,
                parser,
                id,
                index_seconds,
            })
        }

        /// The ids of the top `k` documents for a query.
        pub fn search(&self, q: &str, k: usize) -> anyhow::Result<Vec<String>> {
            let searcher = self.reader.searcher();
            let (query, _) = self.parser.parse_query_lenient(q);
            let top = searcher.search(&query, &TopDocs::with_limit(k.max(1)).order_by_score())?;
            let mut ids = Vec::with_capacity(top.len());
            for (_, addr) in top {
                let d: TantivyDocument = searcher.doc(addr)?;
                ids.push(
                    d.get_first(self.id)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            Ok(ids)
        }
    }

    pub fn evaluate(col: &Collection, lang: Lang, repeat: usize) -> anyhow::Result<Figures> {
        let raw = RawIndex::build(col, lang)?;
        let runs = time_queries(col, repeat, |q| raw.search(q, 100))?;
        Ok(figures(&runs, col, raw.index_seconds))
    }
}
