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

/// A response as a test reads it.
pub struct Res {
    pub status: axum::http::StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("json")
    }

    pub fn location(&self) -> &str {
        self.header("location")
    }
}

/// One test client for the router: sends any method, headers and body, and
/// keeps the cookies the server sets, as a browser would.
#[derive(Default, Clone)]
pub struct Client {
    pub cookies: std::collections::BTreeMap<String, String>,
    /// Headers sent with every request (e.g. what Chromium sends).
    pub headers: Vec<(String, String)>,
    /// The peer address the server sees (none: as in `oneshot` tests).
    pub peer: Option<std::net::SocketAddr>,
}

impl Client {
    /// A client that sends what Chromium sends for bubbla's own pages,
    /// which carry `Referrer-Policy: no-referrer`.
    pub fn chromium() -> Client {
        Client {
            headers: vec![
                ("host".into(), "127.0.0.1:8080".into()),
                ("sec-fetch-site".into(), "same-origin".into()),
                ("origin".into(), "null".into()),
            ],
            ..Client::default()
        }
    }

    /// A client that already holds a cookie (forged, stale, …).
    pub fn with_cookie(name: &str, value: &str) -> Client {
        let mut c = Client::default();
        c.cookies.insert(name.into(), value.into());
        c
    }

    pub fn session(&self) -> Option<bubbla::store::SessionId> {
        self.cookies
            .get("bubbla_session")
            .and_then(|v| bubbla::store::SessionId::parse(v))
    }

    pub async fn send(
        &mut self,
        state: &bubbla::web::AppState,
        method: &str,
        uri: &str,
        extra: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Res {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder().method(method).uri(uri);
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header("cookie", c.join("; "));
        }
        if method == "POST" {
            req = req.header("content-type", "application/x-www-form-urlencoded");
        }
        let mut req = req.body(axum::body::Body::from(body)).expect("request");
        if let Some(peer) = self.peer {
            req.extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        let res = bubbla::web::app(state.clone())
            .oneshot(req)
            .await
            .expect("response");
        for v in res.headers().get_all("set-cookie") {
            let v = v.to_str().expect("ascii");
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').expect("name=value");
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), val.to_string());
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&mut self, state: &bubbla::web::AppState, uri: &str) -> Res {
        self.send(state, "GET", uri, &[], Vec::new()).await
    }

    pub async fn post(&mut self, state: &bubbla::web::AppState, uri: &str, body: &str) -> Res {
        self.send(state, "POST", uri, &[], body.as_bytes().to_vec())
            .await
    }
}
