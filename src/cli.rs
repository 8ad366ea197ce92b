//! The command line: `serve` (the default), `check`, `search`, `eval` and
//! `import`. Each command is a thin shell around a library function, so the
//! same code is reachable from tests.

use crate::compare::Shift;
use crate::corpus::{self, DEFAULT_MAX_BODY_BYTES, LoadOptions};
use crate::engine::{Config, Engine, SearchError, SearchOptions, SearchResult};
use crate::lang::Lang;
use crate::progress::Progress;
use crate::rank::algorithm::AlgorithmView;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// bubbla — a search engine whose rankings you can open and compare.
///
/// Without a command, serves the corpus on http://127.0.0.1:8080.
#[derive(Debug, Parser)]
#[command(name = "bubbla", version, about, long_about = None)]
pub struct Cli {
    /// Folder with the corpus (Markdown documents and themes.toml).
    #[arg(long, global = true, env = "BUBBLA_CORPUS", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Folder for the index and other state (created if missing).
    #[arg(long, global = true, env = "BUBBLA_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Largest accepted document text, in bytes.
    #[arg(long, global = true, env = "BUBBLA_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Options of `serve`, also accepted without the command name.
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web interface (the default command).
    Serve(ServeArgs),
    /// Validate the corpus and report every problem with file and line.
    Check {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Also print statistics: documents per theme × perspective ×
        /// language, words, links, popularity quantiles.
        #[arg(long)]
        stats: bool,
    },
    /// Search the corpus from the command line.
    Search {
        /// The query: words, "phrases" and -exclusions (quote it as one argument).
        #[arg(allow_hyphen_values = true)]
        query: String,
        /// Number of results.
        #[arg(short, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
        k: u16,
        /// Only documents in this language.
        #[arg(long, value_enum)]
        lang: Option<Lang>,
        /// Ranking algorithm (see `bubbla algorithms`).
        #[arg(long, short = 'a', default_value = "relevance")]
        algorithm: String,
        /// Show why each result is where it is: every signal's raw value,
        /// normalised value, weight and contribution.
        #[arg(long)]
        explain: bool,
        /// Search as a persona from personas.toml (its history and friends
        /// feed the `personal` and `social` signals).
        #[arg(long = "as", value_name = "PERSONA")]
        viewer: Option<String>,
        /// Print the results as JSON (explanations included).
        #[arg(long)]
        json: bool,
    },
    /// Rank one query with 2 to 4 algorithms side by side.
    Compare {
        /// The query (quote it as one argument).
        #[arg(allow_hyphen_values = true)]
        query: String,
        /// An algorithm; give 2 to 4 columns in all.
        #[arg(long = "algorithm", short = 'a', required = true)]
        algorithms: Vec<String>,
        /// A persona per column (`incognito` for nobody): one algorithm and
        /// three personas make three columns of that algorithm.
        #[arg(long = "as", value_name = "PERSONA")]
        viewers: Vec<String>,
        /// Results per algorithm.
        #[arg(short, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=100))]
        k: u16,
        /// Only documents in this language.
        #[arg(long, value_enum)]
        lang: Option<Lang>,
        /// Print the comparison as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the ranking algorithms with their weights.
    Algorithms {
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Measure search quality on a BEIR-layout test collection.
    Eval(crate::eval::EvalArgs),
    /// Turn a BEIR JSONL or CSV file into corpus documents.
    Import(crate::import::ImportArgs),
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on. Use 0.0.0.0:8080 to let phones on the same
    /// network join.
    #[arg(long, env = "BUBBLA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: Option<SocketAddr>,
    /// Days after which recorded searches and clicks are deleted.
    #[arg(long, env = "BUBBLA_RETENTION_DAYS", default_value_t = 7, value_parser = clap::value_parser!(u16).range(1..=365))]
    pub retention_days: u16,
    /// Events after which a click or search counts half as much in a
    /// profile (the profile's memory).
    #[arg(long, env = "BUBBLA_HALF_LIFE_EVENTS", default_value_t = crate::viewer::DEFAULT_HALF_LIFE_EVENTS, value_parser = positive)]
    pub half_life_events: f64,
    /// The workshop leader's token (printed in the leader link). Random at
    /// every start unless given.
    #[arg(long, env = "BUBBLA_LEADER_TOKEN", value_parser = crate::web::leader::LeaderToken::given, hide_env_values = true)]
    pub leader_token: Option<crate::web::leader::LeaderToken>,
    /// Listen on every network interface (the port of --addr), so that
    /// phones on the classroom network can join; prints the address and a
    /// QR code of it.
    #[arg(long)]
    pub public: bool,
    /// Recorded searches and clicks a session may make per minute.
    #[arg(long, env = "BUBBLA_SESSION_RATE", default_value_t = crate::web::limits::LimitSettings::default().per_session_per_minute)]
    pub session_rate: u32,
    /// Recorded searches and clicks per address and minute.
    #[arg(long, env = "BUBBLA_ADDRESS_RATE", default_value_t = crate::web::limits::LimitSettings::default().per_address_per_minute)]
    pub address_rate: u32,
    /// New sessions per address and minute.
    #[arg(long, env = "BUBBLA_NEW_SESSIONS_RATE", default_value_t = crate::web::limits::LimitSettings::default().sessions_per_address_per_minute)]
    pub new_sessions_rate: u32,
    /// Connections served at once (each phone keeps 1–3, the wall 1 more).
    #[arg(long, env = "BUBBLA_MAX_CONNECTIONS", default_value_t = crate::web::server::ConnectionSettings::default().max_connections)]
    pub max_connections: usize,
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a positive number")),
    }
}

impl Cli {
    pub fn config(&self) -> Config {
        Config {
            corpus_dir: self.corpus.clone(),
            data_dir: self.data_dir.clone(),
            load: LoadOptions {
                max_body_bytes: self.max_body_bytes,
            },
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info for the server,
/// warnings for the other commands).
pub fn init_tracing(cli: &Cli) {
    let default = match cli.command {
        None | Some(Command::Serve(_)) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a command; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    let result = match &cli.command {
        None => serve(&cli, &cli.serve),
        Some(Command::Serve(args)) => serve(&cli, args),
        Some(Command::Check { json, stats }) => check(&cli, *json, *stats),
        Some(Command::Search {
            query,
            k,
            lang,
            algorithm,
            explain,
            viewer,
            json,
        }) => search(
            &cli,
            query,
            SearchOptions {
                algorithm: algorithm.clone(),
                offset: 0,
                limit: *k as usize,
                lang: *lang,
                audience: None,
                clicks: None,
            },
            viewer.as_deref(),
            *explain,
            *json,
        ),
        Some(Command::Compare {
            query,
            algorithms,
            viewers,
            k,
            lang,
            json,
        }) => compare(&cli, query, algorithms, viewers, *k as usize, *lang, *json),
        Some(Command::Algorithms { json }) => list_algorithms(&cli, *json),
        Some(Command::Eval(args)) => crate::eval::run(args).map(|_| 0),
        Some(Command::Import(args)) => crate::import::run(&cli.corpus, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            2
        }
    }
}

fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<i32> {
    let mut addr = args
        .addr
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    if args.public {
        addr = SocketAddr::from(([0, 0, 0, 0], addr.port()));
    }
    // Searches, clicks and pages run on the blocking pool. Tokio's default
    // lets it grow to 512 threads: under a room's load it did (515 threads
    // on 2 cores), and they spent the machine switching between each other
    // and queueing for the store. Twice the cores keeps both cores busy while
    // one thread waits for the disk (1,500 participants: p99 1.8 s → 135 ms).
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads((2 * cores).max(4))
        .build()?;
    let settings = crate::web::Settings {
        retention: std::time::Duration::from_secs(u64::from(args.retention_days) * 86_400),
        half_life_events: args.half_life_events,
        limits: crate::web::limits::LimitSettings {
            per_session_per_minute: args.session_rate,
            per_address_per_minute: args.address_rate,
            sessions_per_address_per_minute: args.new_sessions_rate,
        },
        connections: crate::web::server::ConnectionSettings {
            max_connections: args.max_connections.max(1),
            ..Default::default()
        },
        participant_url: None,
    };
    let leader = match &args.leader_token {
        Some(t) => t.clone(),
        None => crate::web::leader::LeaderToken::random()?,
    };
    rt.block_on(crate::web::serve(cli.config(), addr, settings, leader))?;
    Ok(0)
}

fn check(cli: &Cli, json: bool, with_stats: bool) -> anyhow::Result<i32> {
    let mut loaded = corpus::load(
        &cli.corpus,
        &LoadOptions {
            max_body_bytes: cli.max_body_bytes,
        },
    )?;
    let algorithms = crate::rank::load_algorithms(&cli.corpus, &mut loaded.diagnostics);
    let d = &loaded.diagnostics;
    if json {
        let report = serde_json::json!({
            "corpus": cli.corpus,
            "documents": loaded.corpus.docs.len(),
            "themes": loaded.corpus.themes.len(),
            "personas": loaded.corpus.personas.len(),
            "algorithms": algorithms.len(),
            "stats": with_stats.then(|| corpus::stats::stats(&loaded.corpus)),
            "errors": d.errors(),
            "warnings": d.warnings(),
            "diagnostics": d.0,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for diag in d.iter() {
            println!("{diag}");
        }
        println!(
            "{}: {} documents loaded, {} themes, {} personas; {} errors, {} warnings",
            cli.corpus.display(),
            loaded.corpus.docs.len(),
            loaded.corpus.themes.len(),
            loaded.corpus.personas.len(),
            d.errors(),
            d.warnings()
        );
        if with_stats {
            println!("\n{}", corpus::stats::stats(&loaded.corpus));
        }
    }
    Ok(if d.errors() > 0 { 1 } else { 0 })
}

fn open_engine(cli: &Cli) -> anyhow::Result<Engine> {
    let engine = Engine::open(&cli.config(), &Progress::new("indexing"))?;
    log_diagnostics(&engine);
    Ok(engine)
}

fn search(
    cli: &Cli,
    query: &str,
    mut opts: SearchOptions,
    persona: Option<&str>,
    explain: bool,
    json: bool,
) -> anyhow::Result<i32> {
    let engine = open_engine(cli)?;
    if let Some(id) = persona {
        let audience = engine
            .persona_audience(id, cli.serve.half_life_events)
            .ok_or_else(|| {
                let known: Vec<&str> = engine
                    .corpus
                    .personas
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect();
                anyhow::anyhow!("no persona `{id}`; personas: {}", known.join(", "))
            })?;
        opts.audience = Some(std::sync::Arc::new(audience));
    }
    let results = engine
        .search(query, &opts)
        .map_err(|e| with_known(&engine, e))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(0);
    }
    println!(
        "{} matches for {:?}, ranked by {}",
        results.total_hits, results.query, results.algorithm
    );
    for r in &results.results {
        print_result(r);
        if explain {
            print_explanation(r);
            let name = opts.audience.as_ref().and_then(|a| a.name.as_deref());
            print_reasons(&engine, r, name);
        }
    }
    Ok(0)
}

fn print_result(r: &SearchResult) {
    let ad = if r.sponsored_slot {
        "  [ANNONS / AD]"
    } else if r.sponsored {
        "  [sponsrad / sponsored]"
    } else {
        ""
    };
    println!(
        "\n{:>3}. {}  [{}]{ad}  score {:.3}\n     {} · {} · {} · {}\n     {}",
        r.rank,
        r.title,
        r.id,
        r.score,
        r.source,
        r.lang,
        r.theme,
        r.perspective,
        r.snippet_parts.to_marked("[", "]")
    );
}

fn print_explanation(r: &SearchResult) {
    println!(
        "     {:<11} {:>10} {:>10} {:>7} {:>12}",
        "signal", "raw", "0–1", "weight", "contribution"
    );
    for s in &r.explanation.signals {
        println!(
            "     {:<11} {:>10.3} {:>10.3} {:>7.2} {:>12.3}",
            s.signal, s.raw, s.normalised, s.weight, s.contribution
        );
    }
    println!("     {:<11} {:>42.3}", "= score", r.score);
    if let Some(m) = &r.explanation.moved {
        let (_, en) = crate::rank::describe_move(m, r.rank);
        println!("     {en}");
    }
}

fn print_reasons(engine: &Engine, r: &SearchResult, who: Option<&str>) {
    let who = who.map_or(crate::engine::Who::You, crate::engine::Who::Named);
    for reason in &r.explanation.reasons {
        println!("     {}", reason.describe(&engine.corpus, Lang::En, who));
    }
}

/// A search error for the terminal: an unknown algorithm lists the known ones.
fn with_known(engine: &Engine, e: SearchError) -> anyhow::Error {
    match e {
        SearchError::UnknownAlgorithm(a) => {
            anyhow::anyhow!("unknown algorithm `{a}`; known: {}", algorithm_ids(engine))
        }
        other => other.into(),
    }
}

fn algorithm_ids(engine: &Engine) -> String {
    engine
        .algorithms
        .iter()
        .map(|a| a.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare(
    cli: &Cli,
    query: &str,
    algorithms: &[String],
    viewers: &[String],
    k: usize,
    lang: Option<Lang>,
    json: bool,
) -> anyhow::Result<i32> {
    use crate::comparison::{ColumnSpec, compare_columns, pair_up};
    let engine = open_engine(cli)?;
    let n = algorithms.len().max(viewers.len());
    let slots: Vec<(Option<String>, Option<String>)> = (0..n)
        .map(|i| (algorithms.get(i).cloned(), viewers.get(i).cloned()))
        .collect();
    let mut specs = Vec::new();
    for (algorithm, viewer) in pair_up(&slots, "incognito") {
        let audience = match viewer.as_str() {
            "incognito" => None,
            id => Some(std::sync::Arc::new(
                engine
                    .persona_audience(id, cli.serve.half_life_events)
                    .ok_or_else(|| anyhow::anyhow!("no persona `{id}`"))?,
            )),
        };
        specs.push(ColumnSpec {
            algorithm,
            audience,
        });
    }
    let cmp = compare_columns(&engine, query, &specs, k, lang, None)
        .map_err(|e| with_known(&engine, e))?;
    let title = |algorithm: &str, viewer: &Option<String>| match viewer {
        Some(v) => format!("{algorithm} as {v}"),
        None => algorithm.to_string(),
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&cmp)?);
        return Ok(0);
    }
    println!(
        "{} matches for {:?}; top {} by each algorithm\n",
        cmp.total_hits, cmp.query, cmp.k
    );
    let first = title(&cmp.columns[0].algorithm, &cmp.columns[0].viewer);
    for col in &cmp.columns {
        println!(
            "== {}  (Jaccard@10 vs {first} {:.2}, RBO {:.2}, perspective entropy {:.2})",
            title(&col.algorithm, &col.viewer),
            col.jaccard10,
            col.rbo,
            col.entropy
        );
        for (r, shift) in col.results.iter().zip(&col.shifts) {
            let shift = match shift {
                Shift::Up(n) => format!("↑{n}"),
                Shift::Down(n) => format!("↓{n}"),
                Shift::Same => "=".into(),
                Shift::New => "new".into(),
                Shift::Gone => String::new(),
            };
            println!(
                "{:>3}. {:<4} {}  [{} · {}]",
                r.rank, shift, r.title, r.perspective, r.id
            );
        }
        let mix: Vec<String> = col
            .perspective_mix
            .iter()
            .map(|(p, n)| format!("{p} {n}"))
            .collect();
        println!("     perspectives: {}\n", mix.join(", "));
    }
    for p in &cmp.pairs {
        let (a, b) = (&cmp.columns[p.columns.0], &cmp.columns[p.columns.1]);
        println!(
            "{} vs {}: Jaccard@10 {:.2}, RBO {:.2}",
            title(&a.algorithm, &a.viewer),
            title(&b.algorithm, &b.viewer),
            p.jaccard10,
            p.rbo
        );
    }
    Ok(0)
}

fn list_algorithms(cli: &Cli, json: bool) -> anyhow::Result<i32> {
    let mut diags = corpus::Diagnostics::default();
    let algos = crate::rank::load_algorithms(&cli.corpus, &mut diags);
    for d in diags.iter() {
        eprintln!("{d}");
    }
    let views: Vec<AlgorithmView> = algos.iter().map(AlgorithmView::from).collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&views)?);
        return Ok(0);
    }
    for a in &views {
        let weights: Vec<String> = a.weights.iter().map(|(s, w)| format!("{s} {w}")).collect();
        println!("{:<10} {} — {}", a.id, a.label.en, a.description.en);
        println!("{:<10} weights: {}", "", weights.join(", "));
        if let Some(r) = &a.rerank {
            println!("{:<10} then: {}", "", r.description.en);
        }
    }
    Ok(0)
}

/// Reports corpus problems to the log: the rest of the corpus is served.
pub fn log_diagnostics(engine: &Engine) {
    for d in engine.diagnostics.iter() {
        if d.is_error() {
            tracing::error!("{d} — this file is skipped");
        } else {
            tracing::debug!("{d}");
        }
    }
    let errors = engine.diagnostics.errors();
    if errors > 0 {
        tracing::error!(
            "{errors} corpus files have errors and are skipped; run `bubbla check` for the full list"
        );
    }
}
