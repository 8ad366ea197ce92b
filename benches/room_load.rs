//! A bounded load generator for one workshop room: N participants (phones)
//! search the room's query, click a result and open the document, over and
//! over, against a bubbla server that is already running. It reports
//! latency percentiles per kind of request. It is a measuring tool, not a
//! test: nothing here passes or fails.
//!
//! # The scenario
//!
//! Setup (not timed): the leader (`Authorization: Bearer <token>`) makes a
//! room with `POST /api/rooms` `{"title":"load test","query":"varg"}`, then
//! every participant joins with `POST /api/rooms/{code}/join`
//! `{"nickname":"p0001"}` and keeps the `bubbla_session` cookie it is given
//! (its own cookie jar of one cookie).
//!
//! Then each participant runs one cycle every `--interval-ms`, its first
//! cycle at a seeded random moment within the first interval so that they
//! do not fire in lockstep:
//!
//! 1. `GET /api/rooms/{code}/search` (the room's shared query) → 200 JSON;
//! 2. `GET` one result's `go` link, picked with probability ∝ 1/rank (rank 1
//!    most likely), without following the redirect → 303;
//! 3. `GET` that redirect's `Location` (`/doc/…`) → 200.
//!
//! With `--wall` the leader also holds the wall open: one server-sent-events
//! connection to `/rooms/{code}/events`, read continuously (reconnected
//! after a second if it breaks), and `GET /api/rooms/{code}/wall` once a
//! second.
//!
//! Every request is timed on its own, from sending it to its last body
//! byte. Latencies are kept per kind (search, click, doc, wall) and all
//! together; percentiles are nearest-rank over all samples. A request
//! counts as an error when its status is not the expected one, when the
//! connection fails or when it takes longer than 10 s. Requests that got a
//! response (any status) and timeouts (at 10 s) are in the percentiles;
//! requests that never got a response (connection refused or reset) are
//! counted as errors only. A cycle that would start while the previous one
//! is still running is skipped and counted as "skipped cycles": a number
//! above zero means the server is slower than the participants' pace, and
//! the percentiles then understate what phones would feel.
//!
//! All participants share one HTTP/1.1 client with keep-alive and a pool of
//! idle connections sized for N, on a tokio runtime with 2 worker threads
//! (the load generator competes with the server for this machine's 2 cores;
//! keep that in mind when reading the figures).
//!
//! At the end it prints participants, duration, requests, throughput,
//! errors and p50/p95/p99/max per kind and overall; with `--pid` the
//! server's largest resident set seen (`VmRSS` polled once a second) and its
//! `VmHWM`. Unless `--keep` is given it then ends the room with
//! `DELETE /api/rooms/{code}` and prints the counts of deleted rows.
//!
//! # Flags
//!
//! | flag | default | |
//! |---|---|---|
//! | `--url URL` | `http://127.0.0.1:8080` | the server's base address |
//! | `--token T` | (required) | the server's `--leader-token` |
//! | `--participants N` | 300 | phones in the room |
//! | `--seconds S` | 180 | how long to run (not in ramp mode) |
//! | `--interval-ms MS` | 2000 | each participant's cycle |
//! | `--wall` | off | also hold the wall open (SSE + the wall's JSON once a second) |
//! | `--ramp START,STEP,MAX,SECS` | off | breaking-point mode, below |
//! | `--json` | off | also print one JSON object per run or step, at the end |
//! | `--seed N` | 1 | the seed of every random choice (start times, clicks) |
//! | `--pid P` | none | the server's process id: report its peak RSS |
//! | `--keep` | off | do not end the room at the end |
//! | `--kill-after-clicks K` | off | kill mode, below (needs `--pid`) |
//!
//! **Ramp mode** (`--ramp 50,50,400,30`): START participants for SECS
//! seconds, then STEP more every SECS seconds until MAX (the last step has
//! MAX). All MAX participants join during setup; the new ones of a step
//! start their cycles spread over that step's first interval. Each request
//! belongs to the step in which it was sent. It prints p50/p95/p99 per step
//! and the first step whose overall p99 is above 200 ms (the breaking
//! point). `--participants` and `--seconds` are ignored.
//!
//! **Kill mode** (`--kill-after-clicks K --pid P`): counts the clicks the
//! server acknowledged (`/go` answered 303 *with* `bubbla-recorded: 1`,
//! which bubbla sends only after the click is committed). When K have been
//! acknowledged it sends SIGKILL to P (`kill -9 P`) and stops. Clicks
//! acknowledged by responses that were already on their way still count.
//! It prints `room=CODE` before the run and `acknowledged_clicks=N` on its
//! own line at the end, does not end the room, and exits 0 (1 when K was
//! never reached and nothing was killed). Connection errors after the kill
//! are expected. Then count the rows that survived and compare: every
//! acknowledged click must be there.
//!
//! # Command lines
//!
//! The server needs raised rate limits (every participant comes from
//! 127.0.0.1, and each of them writes twice a cycle), a token of 16 or more
//! characters, and preferably a scratch data folder. To report its memory,
//! start the binary itself (not through `cargo run`, whose pid is cargo's):
//!
//! ```sh
//! cargo build --release
//! ./target/release/bubbla --data-dir /tmp/bubbla-load serve --addr 127.0.0.1:18080 \
//!     --leader-token load-test-token-0001 \
//!     --session-rate 100000 --address-rate 1000000 --new-sessions-rate 100000 &
//! SERVER=$!
//! # or: cargo run --release -- serve --addr 127.0.0.1:18080 --leader-token load-test-token-0001 \
//! #         --session-rate 100000 --address-rate 1000000 --new-sessions-rate 100000
//!
//! # 300 phones for 3 minutes, with the wall open:
//! cargo bench --bench room_load -- --url http://127.0.0.1:18080 \
//!     --token load-test-token-0001 --wall --pid $SERVER
//!
//! # the breaking point, 50 → 600 phones in steps of 50, 30 s each:
//! cargo bench --bench room_load -- --url http://127.0.0.1:18080 \
//!     --token load-test-token-0001 --wall --ramp 50,50,600,30 --json
//!
//! # kill -9 after 500 acknowledged clicks, then count what was kept:
//! cargo bench --bench room_load -- --url http://127.0.0.1:18080 \
//!     --token load-test-token-0001 --participants 50 --seconds 120 \
//!     --kill-after-clicks 500 --pid $SERVER
//! sqlite3 /tmp/bubbla-load/bubbla.sqlite \
//!     "SELECT COUNT(*) FROM events WHERE kind = 'click' AND room = 'CODE'"
//! ```
//!
//! Above about 1,000 participants mind the open-file limit (`ulimit -n`) of
//! both processes and the server's `--max-connections` (1,024 by default):
//! each participant holds up to one connection.

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;
use url::Url;

/// A request that takes longer is an error.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The breaking point in ramp mode: the first step whose p99 is above this.
const BREAKING_P99_MS: f64 = 200.0;
/// Joins run this many at a time during setup.
const JOIN_CONCURRENCY: usize = 8;

const SEARCH: usize = 0;
const CLICK: usize = 1;
const DOC: usize = 2;
const WALL: usize = 3;
const KINDS: [&str; 4] = ["search", "click", "doc", "wall"];

const USAGE: &str =
    "usage: cargo bench --bench room_load -- --token T [--url http://127.0.0.1:8080]
    [--participants 300] [--seconds 180] [--interval-ms 2000] [--wall]
    [--ramp START,STEP,MAX,SECONDS_PER_STEP] [--json] [--seed 1] [--pid P] [--keep]
    [--kill-after-clicks K --pid P]
(see the doc comment at the top of benches/room_load.rs)";

// ---------------------------------------------------------------- options

#[derive(Clone, Copy, Debug)]
struct Ramp {
    start: usize,
    step: usize,
    max: usize,
    seconds: u64,
}

#[derive(Debug)]
struct Options {
    url: Url,
    token: String,
    participants: usize,
    seconds: u64,
    interval: Duration,
    wall: bool,
    ramp: Option<Ramp>,
    json: bool,
    kill_after: Option<u64>,
    pid: Option<u32>,
    seed: u64,
    keep: bool,
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag} wants a number, not `{v}`"))
}

fn parse(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        url: Url::parse("http://127.0.0.1:8080").map_err(|e| e.to_string())?,
        token: String::new(),
        participants: 300,
        seconds: 180,
        interval: Duration::from_millis(2000),
        wall: false,
        ramp: None,
        json: false,
        kill_after: None,
        pid: None,
        seed: 1,
        keep: false,
    };
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        // `--flag=value` as well as `--flag value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, String> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => args.next().ok_or(format!("{flag} needs a value")),
            }
        };
        match flag.as_str() {
            // cargo passes `--bench` to every bench target.
            "--bench" => {}
            "--url" => {
                let v = value()?;
                o.url = Url::parse(&v).map_err(|e| format!("--url `{v}`: {e}"))?;
                if o.url.scheme() != "http" {
                    return Err("--url must be http://…".into());
                }
            }
            "--token" => o.token = value()?,
            "--participants" => o.participants = number("--participants", &value()?)?,
            "--seconds" => o.seconds = number("--seconds", &value()?)?,
            "--interval-ms" => {
                o.interval = Duration::from_millis(number("--interval-ms", &value()?)?)
            }
            "--wall" => o.wall = true,
            "--json" => o.json = true,
            "--keep" => o.keep = true,
            "--seed" => o.seed = number("--seed", &value()?)?,
            "--pid" => o.pid = Some(number("--pid", &value()?)?),
            "--kill-after-clicks" => o.kill_after = Some(number("--kill-after-clicks", &value()?)?),
            "--ramp" => {
                let v = value()?;
                let parts: Vec<&str> = v.split(',').map(str::trim).collect();
                let [start, step, max, seconds] = parts[..] else {
                    return Err(format!(
                        "--ramp wants START,STEP,MAX,SECONDS_PER_STEP, not `{v}`"
                    ));
                };
                o.ramp = Some(Ramp {
                    start: number("--ramp START", start)?,
                    step: number("--ramp STEP", step)?,
                    max: number("--ramp MAX", max)?,
                    seconds: number("--ramp SECONDS_PER_STEP", seconds)?,
                });
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if o.token.is_empty() {
        return Err("--token is required (the server's --leader-token)".into());
    }
    if o.interval.is_zero() {
        return Err("--interval-ms must be above 0".into());
    }
    if o.kill_after.is_some() && o.pid.is_none() {
        return Err("--kill-after-clicks needs --pid (the server to kill)".into());
    }
    if o.kill_after == Some(0) {
        return Err("--kill-after-clicks must be above 0".into());
    }
    match o.ramp {
        Some(r) if r.start == 0 || r.max < r.start || r.seconds == 0 => {
            return Err("--ramp: START ≥ 1, MAX ≥ START and SECONDS_PER_STEP ≥ 1".into());
        }
        Some(r) if r.max > r.start && r.step == 0 => {
            return Err("--ramp: STEP must be above 0 when MAX > START".into());
        }
        None if o.participants == 0 || o.seconds == 0 => {
            return Err("--participants and --seconds must be above 0".into());
        }
        _ => {}
    }
    Ok(o)
}

/// When who runs: one step for a plain run, several in ramp mode.
#[derive(Clone, Copy, Debug)]
struct Plan {
    steps: usize,
    step_len: Duration,
    start: usize,
    add: usize,
    max: usize,
    ramp: bool,
}

impl Plan {
    fn new(o: &Options) -> Plan {
        match o.ramp {
            Some(r) => Plan {
                steps: if r.max > r.start {
                    (r.max - r.start).div_ceil(r.step) + 1
                } else {
                    1
                },
                step_len: Duration::from_secs(r.seconds),
                start: r.start,
                add: r.step,
                max: r.max,
                ramp: true,
            },
            None => Plan {
                steps: 1,
                step_len: Duration::from_secs(o.seconds),
                start: o.participants,
                add: 1,
                max: o.participants,
                ramp: false,
            },
        }
    }

    fn participants_at(&self, step: usize) -> usize {
        (self.start + step * self.add).min(self.max)
    }

    /// The step in which participant `i` (0-based) starts.
    fn first_step(&self, i: usize) -> usize {
        if i < self.start {
            0
        } else {
            (i - self.start) / self.add + 1
        }
    }

    fn duration(&self) -> Duration {
        self.step_len * self.steps as u32
    }
}

// ------------------------------------------------------------------- http

type Body = Full<Bytes>;

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

enum Failure {
    /// No answer within [`TIMEOUT`].
    Timeout,
    /// No answer at all (refused, reset, closed, unreadable body).
    Connection(String),
}

struct Http {
    client: Client<HttpConnector, Body>,
    base: Url,
    bearer: HeaderValue,
}

impl Http {
    fn new(base: Url, token: &str, pool: usize) -> Result<Http, String> {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(TIMEOUT));
        let client = Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(pool)
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_timer(TokioTimer::new())
            .build(connector);
        let bearer = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| "the token cannot be sent in a header".to_string())?;
        Ok(Http {
            client,
            base,
            bearer,
        })
    }

    /// A request to `path` (absolute path with query, as the server's links
    /// are), with the participant's cookie or the leader's token.
    fn request(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        leader: bool,
        body: Option<&Value>,
    ) -> Result<Request<Body>, String> {
        let url = self
            .base
            .join(path)
            .map_err(|e| format!("bad address `{path}`: {e}"))?;
        let mut req = Request::builder().method(method).uri(url.as_str());
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("bubbla_session={c}"));
        }
        if leader {
            req = req.header(header::AUTHORIZATION, self.bearer.clone());
        }
        let bytes = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Bytes::from(v.to_string())
            }
            None => Bytes::new(),
        };
        req.body(Full::new(bytes))
            .map_err(|e| format!("bad request `{path}`: {e}"))
    }

    /// Sends and reads the whole body, within [`TIMEOUT`].
    async fn send(&self, req: Request<Body>) -> Result<Answer, Failure> {
        let exchange = async {
            let res = self.client.request(req).await.map_err(|e| {
                use std::error::Error;
                match e.source() {
                    Some(s) => Failure::Connection(format!("{e}: {s}")),
                    None => Failure::Connection(e.to_string()),
                }
            })?;
            let (parts, body) = res.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| Failure::Connection(format!("reading the body: {e}")))?
                .to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        match tokio::time::timeout(TIMEOUT, exchange).await {
            Ok(r) => r,
            Err(_) => Err(Failure::Timeout),
        }
    }

    /// An untimed request for setup and teardown.
    async fn call(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        leader: bool,
        body: Option<&Value>,
    ) -> Result<Answer, String> {
        let req = self.request(method, path, cookie, leader, body)?;
        self.send(req).await.map_err(|f| match f {
            Failure::Timeout => "timeout (10 s)".to_string(),
            Failure::Connection(c) => c,
        })
    }
}

/// The value of `bubbla_session` in the answer's `Set-Cookie`, if any.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::SET_COOKIE).iter().find_map(|v| {
        let first = v.to_str().ok()?.split(';').next()?.trim();
        first.strip_prefix("bubbla_session=").map(str::to_string)
    })
}

/// Keeps the jar up to date like a browser: a new value replaces the old,
/// an emptied one stays empty (the next requests then fail, visibly).
fn update_jar(jar: &mut String, headers: &HeaderMap) {
    if let Some(v) = session_cookie(headers) {
        *jar = v;
    }
}

fn short(body: &Bytes) -> String {
    let s = String::from_utf8_lossy(body);
    let s: String = s.chars().take(200).collect();
    s.replace('\n', " ")
}

// ------------------------------------------------------------------ stats

/// What one task saw, per step and kind of request.
#[derive(Default)]
struct Stats {
    /// Latencies in µs, `[step][kind]`.
    lat: Vec<[Vec<u32>; 4]>,
    /// Requests sent, `[step][kind]`.
    sent: Vec<[u64; 4]>,
    /// Errors, `[step][kind]`.
    errors: Vec<[u64; 4]>,
    /// `"kind: cause"` → count.
    causes: BTreeMap<String, u64>,
    cycles: u64,
    skipped: u64,
    no_results: u64,
    acknowledged: u64,
    unrecorded: u64,
    sse_events: BTreeMap<String, u64>,
    sse_breaks: u64,
}

impl Stats {
    fn new(steps: usize) -> Stats {
        Stats {
            lat: (0..steps).map(|_| Default::default()).collect(),
            sent: vec![[0; 4]; steps],
            errors: vec![[0; 4]; steps],
            ..Default::default()
        }
    }

    fn sample(&mut self, step: usize, kind: usize, took: Duration) {
        let us = u32::try_from(took.as_micros()).unwrap_or(u32::MAX);
        self.lat[step][kind].push(us);
    }

    fn fail(&mut self, step: usize, kind: usize, cause: &str) {
        self.errors[step][kind] += 1;
        *self
            .causes
            .entry(format!("{}: {cause}", KINDS[kind]))
            .or_default() += 1;
    }

    fn merge(&mut self, o: Stats) {
        for (s, kinds) in o.lat.into_iter().enumerate() {
            for (k, v) in kinds.into_iter().enumerate() {
                self.lat[s][k].extend(v);
                self.sent[s][k] += o.sent[s][k];
                self.errors[s][k] += o.errors[s][k];
            }
        }
        for (c, n) in o.causes {
            *self.causes.entry(c).or_default() += n;
        }
        for (c, n) in o.sse_events {
            *self.sse_events.entry(c).or_default() += n;
        }
        self.cycles += o.cycles;
        self.skipped += o.skipped;
        self.no_results += o.no_results;
        self.acknowledged += o.acknowledged;
        self.unrecorded += o.unrecorded;
        self.sse_breaks += o.sse_breaks;
    }
}

/// Nearest-rank percentile of sorted µs, in ms.
fn percentile(sorted: &[u32], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted.len()) - 1;
    Some(f64::from(sorted[i]) / 1000.0)
}

/// The figures of one kind (or all kinds) over some steps.
struct Figures {
    requests: u64,
    errors: u64,
    p50: Option<f64>,
    p95: Option<f64>,
    p99: Option<f64>,
    max: Option<f64>,
}

impl Figures {
    fn new(mut lat: Vec<u32>, requests: u64, errors: u64) -> Figures {
        lat.sort_unstable();
        Figures {
            requests,
            errors,
            p50: percentile(&lat, 50.0),
            p95: percentile(&lat, 95.0),
            p99: percentile(&lat, 99.0),
            max: percentile(&lat, 100.0),
        }
    }

    fn json(&self) -> Value {
        let ms = |v: Option<f64>| v.map(|x| (x * 1000.0).round() / 1000.0);
        json!({
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": ms(self.p50),
            "p95_ms": ms(self.p95),
            "p99_ms": ms(self.p99),
            "max_ms": ms(self.max),
        })
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |x| format!("{x:.2}"))
}

/// Per kind and all together, over the given steps.
fn figures(stats: &Stats, steps: std::ops::Range<usize>) -> ([Figures; 4], Figures) {
    let kind = |k: usize| {
        let lat: Vec<u32> = steps
            .clone()
            .flat_map(|s| stats.lat[s][k].iter().copied())
            .collect();
        let sent = steps.clone().map(|s| stats.sent[s][k]).sum();
        let errors = steps.clone().map(|s| stats.errors[s][k]).sum();
        Figures::new(lat, sent, errors)
    };
    let kinds = [kind(SEARCH), kind(CLICK), kind(DOC), kind(WALL)];
    let lat: Vec<u32> = steps
        .clone()
        .flat_map(|s| stats.lat[s].iter().flatten().copied())
        .collect();
    let sent = steps
        .clone()
        .map(|s| stats.sent[s].iter().sum::<u64>())
        .sum();
    let errors = steps.map(|s| stats.errors[s].iter().sum::<u64>()).sum();
    (kinds, Figures::new(lat, sent, errors))
}

fn print_table(kinds: &[Figures; 4], all: &Figures) {
    println!(
        "{:<8} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "kind", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let rows = KINDS
        .iter()
        .copied()
        .zip(kinds.iter())
        .chain([("all", all)]);
    for (name, f) in rows {
        if f.requests == 0 && name == "wall" {
            continue;
        }
        println!(
            "{:<8} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9}",
            name,
            f.requests,
            f.errors,
            ms(f.p50),
            ms(f.p95),
            ms(f.p99),
            ms(f.max)
        );
    }
}

// ------------------------------------------------------------------- run

struct Shared {
    http: Arc<Http>,
    code: String,
    t0: Instant,
    plan: Plan,
    interval: Duration,
    stop: watch::Sender<bool>,
    requests: AtomicU64,
    errors: AtomicU64,
    acknowledged: AtomicU64,
    /// Kill mode: after this many acknowledged clicks, SIGKILL this pid.
    kill: Option<(u64, u32)>,
    killed: AtomicBool,
}

impl Shared {
    fn step_at(&self, t: Instant) -> usize {
        let s =
            t.saturating_duration_since(self.t0).as_secs_f64() / self.plan.step_len.as_secs_f64();
        (s as usize).min(self.plan.steps - 1)
    }

    fn deadline(&self) -> Instant {
        self.t0 + self.plan.duration()
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow() || Instant::now() >= self.deadline()
    }

    /// One timed request; the answer when its status is the expected one.
    async fn timed(
        &self,
        st: &mut Stats,
        kind: usize,
        req: Result<Request<Body>, String>,
        expect: StatusCode,
    ) -> Option<Answer> {
        let started = Instant::now();
        let step = self.step_at(started);
        st.sent[step][kind] += 1;
        self.requests.fetch_add(1, Ordering::Relaxed);
        let res = match req {
            Ok(r) => self.http.send(r).await,
            Err(e) => Err(Failure::Connection(e)),
        };
        let took = started.elapsed();
        let cause = match res {
            Ok(a) => {
                st.sample(step, kind, took);
                if a.status == expect {
                    return Some(a);
                }
                format!("status {}", a.status.as_u16())
            }
            Err(Failure::Timeout) => {
                st.sample(step, kind, took);
                "timeout (10 s)".into()
            }
            Err(Failure::Connection(c)) => c,
        };
        st.fail(step, kind, &cause);
        self.errors.fetch_add(1, Ordering::Relaxed);
        None
    }

    /// Search, click, open: one participant's cycle.
    async fn cycle(&self, st: &mut Stats, jar: &mut String, rng: &mut StdRng) {
        let path = format!("/api/rooms/{}/search", self.code);
        let req = self
            .http
            .request(Method::GET, &path, Some(jar.as_str()), false, None);
        let Some(ans) = self.timed(st, SEARCH, req, StatusCode::OK).await else {
            return;
        };
        update_jar(jar, &ans.headers);
        let Some(go) = pick(&ans.body, rng) else {
            st.no_results += 1;
            return;
        };
        if self.stopped() {
            return;
        }
        let req = self
            .http
            .request(Method::GET, &go, Some(jar.as_str()), false, None);
        let Some(ans) = self.timed(st, CLICK, req, StatusCode::SEE_OTHER).await else {
            return;
        };
        update_jar(jar, &ans.headers);
        if ans
            .headers
            .get("bubbla-recorded")
            .is_some_and(|v| v.as_bytes() == b"1")
        {
            st.acknowledged += 1;
            self.acknowledge();
        } else {
            st.unrecorded += 1;
        }
        let Some(location) = ans
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
        else {
            let step = self.step_at(Instant::now());
            st.fail(step, CLICK, "303 without Location");
            return;
        };
        if self.stopped() {
            return;
        }
        let req = self
            .http
            .request(Method::GET, &location, Some(jar.as_str()), false, None);
        if let Some(ans) = self.timed(st, DOC, req, StatusCode::OK).await {
            update_jar(jar, &ans.headers);
        }
    }

    /// One more acknowledged click; in kill mode, the K-th kills the server.
    fn acknowledge(&self) {
        let n = self.acknowledged.fetch_add(1, Ordering::SeqCst) + 1;
        if let Some((k, pid)) = self.kill
            && n >= k
            && !self.killed.swap(true, Ordering::SeqCst)
        {
            let status = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            match status {
                Ok(s) if s.success() => {
                    eprintln!("room_load: {n} acknowledged clicks: sent SIGKILL to {pid}")
                }
                Ok(s) => eprintln!("room_load: kill -9 {pid} failed ({s})"),
                Err(e) => eprintln!("room_load: kill -9 {pid} could not run: {e}"),
            }
            self.stop.send_replace(true);
        }
    }
}

/// One result's `go` link from a search answer, rank 1 most likely
/// (probability ∝ 1/rank).
fn pick(body: &Bytes, rng: &mut StdRng) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let links: Vec<(f64, &str)> = v
        .get("results")?
        .as_array()?
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let go = r.get("go")?.as_str()?;
            let rank = r
                .get("rank")
                .and_then(Value::as_u64)
                .unwrap_or(i as u64 + 1);
            Some((1.0 / rank.max(1) as f64, go))
        })
        .collect();
    let total: f64 = links.iter().map(|(w, _)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (w, go) in &links {
        if x < *w {
            return Some(go.to_string());
        }
        x -= w;
    }
    links.last().map(|(_, go)| go.to_string())
}

/// Sleeps until `t`; false when told to stop first.
async fn wait_until(stop: &mut watch::Receiver<bool>, t: Instant) -> bool {
    if *stop.borrow() {
        return false;
    }
    let slept = tokio::select! {
        _ = tokio::time::sleep_until(t) => true,
        _ = stop.wait_for(|s| *s) => false,
    };
    slept && !*stop.borrow()
}

async fn participant(
    sh: Arc<Shared>,
    index: usize,
    mut jar: String,
    mut rng: StdRng,
    offset: Duration,
) -> Stats {
    let mut st = Stats::new(sh.plan.steps);
    let mut stop = sh.stop.subscribe();
    let deadline = sh.deadline();
    let mut next = sh.t0 + sh.plan.step_len * sh.plan.first_step(index) as u32 + offset;
    while next < deadline && wait_until(&mut stop, next).await {
        sh.cycle(&mut st, &mut jar, &mut rng).await;
        st.cycles += 1;
        next += sh.interval;
        let now = Instant::now();
        while next < now {
            next += sh.interval;
            st.skipped += 1;
        }
    }
    st
}

/// The wall's JSON once a second, as the leader.
async fn wall_poll(sh: Arc<Shared>) -> Stats {
    let mut st = Stats::new(sh.plan.steps);
    let mut stop = sh.stop.subscribe();
    let path = format!("/api/rooms/{}/wall", sh.code);
    let mut next = sh.t0;
    while next < sh.deadline() && wait_until(&mut stop, next).await {
        let req = sh.http.request(Method::GET, &path, None, true, None);
        sh.timed(&mut st, WALL, req, StatusCode::OK).await;
        next += Duration::from_secs(1);
        let now = Instant::now();
        while next < now {
            next += Duration::from_secs(1);
        }
    }
    st
}

/// The wall's live stream, read continuously; counts the events by name.
async fn wall_events(sh: Arc<Shared>) -> Stats {
    let mut st = Stats::new(sh.plan.steps);
    let mut stop = sh.stop.subscribe();
    let path = format!("/rooms/{}/events", sh.code);
    while !sh.stopped() {
        if let Err(why) = read_events(&sh, &path, &mut st, &mut stop).await {
            if sh.stopped() {
                break;
            }
            st.sse_breaks += 1;
            *st.causes.entry(format!("events: {why}")).or_default() += 1;
            // As a browser would (the server asks for a retry within 1 s).
            if !wait_until(&mut stop, Instant::now() + Duration::from_secs(1)).await {
                break;
            }
        }
    }
    st
}

async fn read_events(
    sh: &Shared,
    path: &str,
    st: &mut Stats,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), String> {
    let mut req = sh.http.request(Method::GET, path, None, true, None)?;
    req.headers_mut().insert(
        header::ACCEPT,
        HeaderValue::from_static("text/event-stream"),
    );
    let res = tokio::time::timeout(TIMEOUT, sh.http.client.request(req))
        .await
        .map_err(|_| "timeout (10 s)".to_string())?
        .map_err(|e| e.to_string())?;
    if res.status() != StatusCode::OK {
        return Err(format!("status {}", res.status().as_u16()));
    }
    let mut body = res.into_body();
    let mut line: Vec<u8> = Vec::new();
    loop {
        let frame = tokio::select! {
            f = body.frame() => f,
            _ = stop.wait_for(|s| *s) => return Ok(()),
        };
        let Some(frame) = frame else {
            return Err("the stream ended".into());
        };
        let frame = frame.map_err(|e| format!("reading the stream: {e}"))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        for &b in data.iter() {
            if b == b'\n' {
                if let Some(name) = line.strip_prefix(b"event:") {
                    let name = String::from_utf8_lossy(name).trim().to_string();
                    *st.sse_events.entry(name).or_default() += 1;
                }
                line.clear();
            } else {
                line.push(b);
            }
        }
    }
}

/// `VmRSS` or `VmHWM` of a process, in kB.
fn proc_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| {
        let rest = l.strip_prefix(field)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// The largest `VmRSS` seen per step, polled once a second.
async fn rss_poll(sh: Arc<Shared>, pid: u32) -> Vec<Option<u64>> {
    let mut peak = vec![None; sh.plan.steps];
    let mut stop = sh.stop.subscribe();
    let mut next = sh.t0;
    loop {
        if let Some(kb) = proc_kb(pid, "VmRSS") {
            let s = sh.step_at(Instant::now());
            peak[s] = Some(peak[s].map_or(kb, |p: u64| p.max(kb)));
        }
        next += Duration::from_secs(1);
        if next >= sh.deadline() || !wait_until(&mut stop, next).await {
            break;
        }
    }
    peak
}

async fn progress(sh: Arc<Shared>) {
    let mut stop = sh.stop.subscribe();
    let mut next = sh.t0 + Duration::from_secs(10);
    while next < sh.deadline() && wait_until(&mut stop, next).await {
        let s = sh.step_at(Instant::now());
        eprintln!(
            "room_load: {:>4} s, {} participants, {} requests, {} errors, {} acknowledged clicks",
            sh.t0.elapsed().as_secs(),
            sh.plan.participants_at(s),
            sh.requests.load(Ordering::Relaxed),
            sh.errors.load(Ordering::Relaxed),
            sh.acknowledged.load(Ordering::Relaxed),
        );
        next += Duration::from_secs(10);
    }
}

/// Makes the room; its code.
async fn create_room(http: &Http) -> Result<String, String> {
    let body = json!({ "title": "load test", "query": "varg" });
    let ans = http
        .call(Method::POST, "/api/rooms", None, true, Some(&body))
        .await
        .map_err(|e| format!("POST /api/rooms: {e}"))?;
    if ans.status != StatusCode::CREATED {
        return Err(format!(
            "POST /api/rooms: status {} (want 201): {}",
            ans.status.as_u16(),
            short(&ans.body)
        ));
    }
    let v: Value =
        serde_json::from_slice(&ans.body).map_err(|e| format!("POST /api/rooms: not JSON: {e}"))?;
    v.get("code")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("POST /api/rooms: no \"code\" in {}", short(&ans.body)))
}

/// Seats `n` participants, [`JOIN_CONCURRENCY`] at a time: each one's
/// session cookie, or why it could not join.
async fn join_all(http: Arc<Http>, code: &str, n: usize) -> Vec<Result<String, String>> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..JOIN_CONCURRENCY.min(n) {
        let (http, next, code) = (http.clone(), next.clone(), code.to_string());
        workers.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break done;
                }
                let body = json!({ "nickname": format!("p{:04}", i + 1) });
                let path = format!("/api/rooms/{code}/join");
                let r = match http
                    .call(Method::POST, &path, None, false, Some(&body))
                    .await
                {
                    Ok(a) if a.status == StatusCode::OK => session_cookie(&a.headers)
                        .filter(|c| !c.is_empty())
                        .ok_or_else(|| "200 without a bubbla_session cookie".to_string()),
                    Ok(a) => Err(format!("status {}", a.status.as_u16())),
                    Err(e) => Err(e),
                };
                done.push((i, r));
            }
        }));
    }
    let mut out: Vec<Result<String, String>> = (0..n).map(|_| Err("not tried".into())).collect();
    for w in workers {
        match w.await {
            Ok(done) => {
                for (i, r) in done {
                    out[i] = r;
                }
            }
            Err(e) => eprintln!("room_load: a join worker failed: {e}"),
        }
    }
    out
}

async fn run(o: Options) -> i32 {
    let plan = Plan::new(&o);
    let total = plan.max;
    let http = match Http::new(o.url.clone(), &o.token, total + 2) {
        Ok(h) => Arc::new(h),
        Err(e) => {
            eprintln!("room_load: {e}");
            return 2;
        }
    };

    // Setup, not timed.
    let code = match create_room(&http).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("room_load: {e}");
            return 1;
        }
    };
    println!("room={code}");
    let joined = join_all(http.clone(), &code, total).await;
    let mut join_errors: BTreeMap<String, u64> = BTreeMap::new();
    for e in joined.iter().filter_map(|r| r.as_ref().err()) {
        *join_errors.entry(e.clone()).or_default() += 1;
    }
    let seated = joined.iter().filter(|r| r.is_ok()).count();
    eprintln!("room_load: room {code}, {seated} of {total} participants joined");
    for (e, n) in &join_errors {
        eprintln!("room_load:   join error ×{n}: {e}");
    }

    let (stop, _) = watch::channel(false);
    let sh = Arc::new(Shared {
        http,
        code: code.clone(),
        t0: Instant::now(),
        plan,
        interval: o.interval,
        stop,
        requests: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        acknowledged: AtomicU64::new(0),
        kill: o.kill_after.zip(o.pid),
        killed: AtomicBool::new(false),
    });

    // Every participant's randomness comes from the seed, in index order,
    // whatever joined and however the tasks are scheduled.
    let mut master = StdRng::seed_from_u64(o.seed);
    let mut tasks = Vec::new();
    let mut active = vec![0usize; plan.steps];
    for (i, j) in joined.into_iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(master.random::<u64>());
        let offset = o.interval.mul_f64(rng.random::<f64>());
        if let Ok(cookie) = j {
            for a in &mut active[plan.first_step(i)..] {
                *a += 1;
            }
            tasks.push(tokio::spawn(participant(
                sh.clone(),
                i,
                cookie,
                rng,
                offset,
            )));
        }
    }
    let mut side = Vec::new();
    if o.wall {
        side.push(tokio::spawn(wall_poll(sh.clone())));
        side.push(tokio::spawn(wall_events(sh.clone())));
    }
    let rss = o.pid.map(|pid| tokio::spawn(rss_poll(sh.clone(), pid)));
    let ticker = tokio::spawn(progress(sh.clone()));

    let mut stats = Stats::new(plan.steps);
    for t in tasks {
        match t.await {
            Ok(s) => stats.merge(s),
            Err(e) => eprintln!("room_load: a participant failed: {e}"),
        }
    }
    // Requests are sent during the planned window (the last ones may end
    // a little after it); a kill stops the run early.
    let elapsed = if *sh.stop.borrow() {
        sh.t0.elapsed()
    } else {
        sh.plan.duration()
    };
    sh.stop.send_replace(true);
    for t in side {
        match t.await {
            Ok(s) => stats.merge(s),
            Err(e) => eprintln!("room_load: the wall failed: {e}"),
        }
    }
    let _ = ticker.await;
    let rss_peak = match rss {
        Some(t) => t.await.unwrap_or_default(),
        None => Vec::new(),
    };
    let killed = sh.killed.load(Ordering::SeqCst);
    let hwm = o.pid.filter(|_| !killed).and_then(|p| proc_kb(p, "VmHWM"));

    report(
        &o,
        &sh,
        &stats,
        &active,
        &rss_peak,
        hwm,
        elapsed,
        &join_errors,
    );

    if let Some(k) = o.kill_after {
        println!("acknowledged_clicks={}", stats.acknowledged);
        if killed {
            return 0;
        }
        eprintln!(
            "room_load: only {} acknowledged clicks, fewer than {k}: nothing was killed",
            stats.acknowledged
        );
    }
    if o.keep {
        println!("kept room {code}");
    } else {
        let path = format!("/api/rooms/{code}");
        match sh.http.call(Method::DELETE, &path, None, true, None).await {
            Ok(a) if a.status == StatusCode::OK => {
                println!(
                    "ended room {code}, deleted: {}",
                    String::from_utf8_lossy(&a.body)
                );
            }
            Ok(a) => eprintln!(
                "room_load: DELETE {path}: status {}: {}",
                a.status.as_u16(),
                short(&a.body)
            ),
            Err(e) => eprintln!("room_load: DELETE {path}: {e}"),
        }
    }
    if o.kill_after.is_some() { 1 } else { 0 }
}

#[allow(clippy::too_many_arguments)]
fn report(
    o: &Options,
    sh: &Shared,
    stats: &Stats,
    active: &[usize],
    rss_peak: &[Option<u64>],
    hwm: Option<u64>,
    elapsed: Duration,
    join_errors: &BTreeMap<String, u64>,
) {
    let plan = sh.plan;
    let secs = elapsed.as_secs_f64();
    let (kinds, all) = figures(stats, 0..plan.steps);
    let peak = rss_peak.iter().flatten().max().copied();
    println!();
    println!(
        "room {}: {} participants{}, {:.1} s, interval {} ms, seed {}{}",
        sh.code,
        active.last().copied().unwrap_or(0),
        if plan.ramp { " at the end" } else { "" },
        secs,
        o.interval.as_millis(),
        o.seed,
        if o.wall { ", wall open" } else { "" }
    );
    println!(
        "requests {}, throughput {:.1} req/s, errors {}, cycles {}, skipped cycles {}",
        all.requests,
        all.requests as f64 / secs.max(1e-9),
        all.errors,
        stats.cycles,
        stats.skipped
    );
    println!(
        "clicks acknowledged {} (303 with bubbla-recorded: 1), not recorded {}, searches without results {}",
        stats.acknowledged, stats.unrecorded, stats.no_results
    );
    print_table(&kinds, &all);
    if o.wall {
        let events: Vec<String> = stats
            .sse_events
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!(
            "wall stream: events {}; broke {} times",
            if events.is_empty() {
                "none".into()
            } else {
                events.join(", ")
            },
            stats.sse_breaks
        );
    }
    if let Some(pid) = o.pid {
        println!(
            "server {pid}: peak VmRSS seen {}, VmHWM {}",
            peak.map_or("-".into(), |kb| format!("{:.1} MiB", kb as f64 / 1024.0)),
            hwm.map_or("-".into(), |kb| format!("{:.1} MiB", kb as f64 / 1024.0)),
        );
    }
    if !stats.causes.is_empty() {
        let mut causes: Vec<_> = stats.causes.iter().collect();
        causes.sort_by(|a, b| b.1.cmp(a.1));
        println!("errors by cause:");
        for (c, n) in causes.iter().take(12) {
            println!("  {n:>7}  {c}");
        }
    }

    let mut steps_json = Vec::new();
    if plan.ramp {
        println!();
        println!(
            "{:<4} {:>6} {:>7} {:>8} {:>9} {:>7} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}",
            "step",
            "phones",
            "secs",
            "requests",
            "req/s",
            "errors",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "search p99",
            "rss MiB"
        );
    }
    let mut breaking = None;
    for (s, &phones) in active.iter().enumerate() {
        let (kinds_s, all_s) = figures(stats, s..s + 1);
        let start = plan.step_len * s as u32;
        let len = plan
            .step_len
            .min(elapsed.saturating_sub(start))
            .as_secs_f64();
        let over = all_s.p99.is_some_and(|p| p > BREAKING_P99_MS);
        if over && breaking.is_none() {
            breaking = Some(s);
        }
        if plan.ramp {
            println!(
                "{:<4} {:>6} {:>7.1} {:>8} {:>9.1} {:>7} {:>9} {:>9} {:>9} {:>9} {:>10} {:>9}",
                s + 1,
                phones,
                len,
                all_s.requests,
                all_s.requests as f64 / len.max(1e-9),
                all_s.errors,
                ms(all_s.p50),
                ms(all_s.p95),
                ms(all_s.p99),
                ms(all_s.max),
                ms(kinds_s[SEARCH].p99),
                rss_peak
                    .get(s)
                    .copied()
                    .flatten()
                    .map_or("-".into(), |kb| format!("{:.1}", kb as f64 / 1024.0)),
            );
        }
        let mut obj = json!({
            "mode": if plan.ramp { "ramp" } else { "run" },
            "room": sh.code,
            "step": s + 1,
            "participants": phones,
            "planned_participants": plan.participants_at(s),
            "seconds": (len * 1000.0).round() / 1000.0,
            "interval_ms": o.interval.as_millis() as u64,
            "seed": o.seed,
            "wall_open": o.wall,
            "requests": all_s.requests,
            "throughput": ((all_s.requests as f64 / len.max(1e-9)) * 10.0).round() / 10.0,
            "errors": all_s.errors,
            "all": all_s.json(),
            "search": kinds_s[SEARCH].json(),
            "click": kinds_s[CLICK].json(),
            "doc": kinds_s[DOC].json(),
            "wall": kinds_s[WALL].json(),
            "p99_over_200ms": over,
            "peak_rss_kb": rss_peak.get(s).copied().flatten(),
        });
        if !plan.ramp {
            obj["seconds"] = json!((secs * 1000.0).round() / 1000.0);
            obj["throughput"] =
                json!(((all.requests as f64 / secs.max(1e-9)) * 10.0).round() / 10.0);
            obj["vm_hwm_kb"] = json!(hwm);
            obj["cycles"] = json!(stats.cycles);
            obj["skipped_cycles"] = json!(stats.skipped);
            obj["acknowledged_clicks"] = json!(stats.acknowledged);
            obj["unrecorded_clicks"] = json!(stats.unrecorded);
            obj["searches_without_results"] = json!(stats.no_results);
            obj["sse_events"] = json!(stats.sse_events);
            obj["sse_breaks"] = json!(stats.sse_breaks);
            obj["error_causes"] = json!(stats.causes);
            obj["join_errors"] = json!(join_errors);
        }
        steps_json.push(obj);
    }
    if plan.ramp {
        match breaking {
            Some(s) => println!(
                "breaking point: step {} ({} participants), p99 {} ms > {BREAKING_P99_MS} ms",
                s + 1,
                active[s],
                ms(figures(stats, s..s + 1).1.p99)
            ),
            None => println!(
                "no breaking point: p99 ≤ {BREAKING_P99_MS} ms up to {} participants",
                active.last().copied().unwrap_or(0)
            ),
        }
    }
    if o.json {
        println!();
        for obj in steps_json {
            println!("{obj}");
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return;
    }
    let options = match parse(args.into_iter()) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("room_load: {msg}\n{USAGE}");
            std::process::exit(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("room_load: no tokio runtime: {e}");
            std::process::exit(2);
        }
    };
    let code = runtime.block_on(run(options));
    std::process::exit(code);
}
