//! The harness: bubbla and chromedriver as child processes on 127.0.0.1,
//! and one WebDriver session (one headless Chromium, own cookies) per
//! simulated person.

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value as Json, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a page element, a navigation or a server start may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// The workshop leader's token every test server is started with
/// (`--leader-token`); `/leader?token=…` signs a browser in.
pub const LEADER_TOKEN: &str = "browser-suite-leader.token";

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// A plain HTTP/1.1 GET to 127.0.0.1 (chromedriver refuses 1.0); returns
/// what arrived within a second (chromedriver may keep the connection open).
fn http_get(port: u16, path: &str) -> std::io::Result<String> {
    http_get_with(port, path, &[])
}

/// [`http_get`] with extra request headers.
fn http_get_with(port: u16, path: &str, headers: &[(&str, &str)]) -> std::io::Result<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_millis(200)))?;
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n"
    )?;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) if !out.is_empty() => break,
            Err(_) => {}
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A child process in its own process group; the group is killed on drop
/// (chromedriver's Chromiums with it).
struct Proc {
    child: Child,
    name: &'static str,
}

impl Proc {
    fn spawn(name: &'static str, cmd: &mut Command) -> Proc {
        let child = cmd
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Proc { child, name }
    }

    fn check_alive(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{} exited early: {status}", self.name);
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let pid = self.child.id();
        // The group we made for this child: the child and what it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One bubbla server on a free port with a fresh data folder.
pub struct Server {
    proc: Proc,
    pub port: u16,
    data: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        let data = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let log = std::fs::File::create(data.path().join("server.log")).expect("log file");
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut proc = Proc::spawn(
            "bubbla",
            Command::new(env!("CARGO_BIN_EXE_bubbla"))
                .arg("serve")
                .arg("--addr")
                .arg(format!("127.0.0.1:{port}"))
                .arg("--data-dir")
                .arg(data.path())
                .arg("--corpus")
                .arg(&corpus)
                .arg("--leader-token")
                .arg(LEADER_TOKEN)
                .env_remove("RUST_LOG")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("log"))
                .stderr(log),
        );
        let start = Instant::now();
        loop {
            proc.check_alive();
            if let Ok(body) = http_get(port, "/healthz")
                && body.contains("\"index\":\"ready\"")
            {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "bubbla did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Server { proc, port, data }
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn sqlite(&self) -> PathBuf {
        self.data.path().join("bubbla.sqlite")
    }

    /// `GET path` as a script of the leader's would send it
    /// (`Authorization: Bearer` with [`LEADER_TOKEN`]): the status and
    /// the body (answers with a `Content-Length`, as bubbla's JSON has).
    pub fn leader_get(&self, path: &str) -> (u16, String) {
        let auth = format!("Bearer {LEADER_TOKEN}");
        let raw = http_get_with(self.port, path, &[("Authorization", &auth)])
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let (head, body) = raw
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("GET {path}: no complete answer: {raw:?}"));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("GET {path}: no status in {head:?}"));
        (status, body.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = &self.proc;
        if std::thread::panicking()
            && let Ok(log) = std::fs::read_to_string(self.data.path().join("server.log"))
        {
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            let mut err = std::io::stderr();
            let _ = writeln!(err, "--- last lines of bubbla's log ---");
            for l in tail.into_iter().rev() {
                let _ = writeln!(err, "{l}");
            }
        }
    }
}

/// chromedriver on a free port.
pub struct Driver {
    _proc: Proc,
    pub port: u16,
}

impl Driver {
    pub fn start() -> Driver {
        let port = free_port();
        let mut proc = Proc::spawn(
            "chromedriver",
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let start = Instant::now();
        loop {
            proc.check_alive();
            if let Ok(body) = http_get(port, "/status")
                && body.contains("\"ready\":true")
            {
                break;
            }
            assert!(start.elapsed() < WAIT, "chromedriver did not become ready");
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver { _proc: proc, port }
    }
}

/// A server, a chromedriver, and the people (browsers) using them.
pub struct Harness {
    pub server: Server,
    driver: Driver,
}

impl Harness {
    pub fn start() -> Harness {
        let server = Server::start();
        let driver = Driver::start();
        Harness { server, driver }
    }

    /// A new person: their own headless Chromium with its own profile.
    pub async fn person(&self, width: u32, height: u32) -> Browser {
        self.person_lang(width, height, "sv").await
    }

    /// The workshop leader: a person who opened the leader link
    /// (`/leader?token=…`, which sets the HttpOnly cookie and leads on to
    /// `/leader`) and chose `lang` on the page.
    pub async fn leader(&self, width: u32, height: u32, lang: &str) -> Browser {
        let b = self.person_lang(width, height, lang).await;
        b.set_lang(lang).await;
        b.goto(&format!("/leader?token={LEADER_TOKEN}")).await;
        assert_eq!(b.path().await, "/leader", "the leader link did not lead on");
        assert_eq!(b.status().await, 200, "the leader link was refused");
        assert!(
            b.cookie("bubbla_leader").await.is_some(),
            "the leader link set no cookie"
        );
        b
    }

    /// A new person whose browser asks for `lang` (`Accept-Language`).
    pub async fn person_lang(&self, width: u32, height: u32, lang: &str) -> Browser {
        let profile = tempfile::tempdir().expect("tempdir");
        let mut caps = Capabilities::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"),
                    format!("--accept-lang={lang}"),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({ "performance": "ALL" }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.driver.port))
            .await
            .expect("a WebDriver session");
        let mut b = Browser {
            client,
            origin: self.server.origin(),
            requests: Vec::new(),
            responses: Vec::new(),
            _profile: profile,
        };
        b.resize(width, height).await;
        // What the browser loaded before our first page (its own start tab,
        // chrome:// resources from inside the binary) is not the page's doing.
        b.drain_network_log().await;
        b.requests.clear();
        b.responses.clear();
        b
    }
}

/// `POST /session/{id}/se/log`: Chromium's log of the given type.
#[derive(Debug)]
struct GetLog(&'static str);

impl WebDriverCompatibleCommand for GetLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({ "type": self.0 }).to_string()),
        )
    }
}

pub struct Browser {
    pub client: Client,
    origin: String,
    /// Every URL the browser requested so far (from the performance log).
    requests: Vec<String>,
    /// Every URL whose response headers arrived so far (the same log).
    responses: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Sets the viewport (not the window) to `width` × `height`.
    pub async fn resize(&self, width: u32, height: u32) {
        let (mut w, mut h) = (width, height);
        let mut got = Vec::new();
        let viewport = async || {
            let inner = self
                .js("return [window.innerWidth, window.innerHeight]", vec![])
                .await;
            (
                inner[0].as_u64().unwrap_or(0) as i64,
                inner[1].as_u64().unwrap_or(0) as i64,
            )
        };
        for _ in 0..4 {
            let before = viewport().await;
            self.client.set_window_size(w, h).await.expect("resize");
            // The page may see its new size a moment after the window has it.
            let start = Instant::now();
            let (iw, ih) = loop {
                let now = viewport().await;
                if now == (width as i64, height as i64) {
                    return;
                }
                if now != before || start.elapsed() > Duration::from_millis(500) {
                    break now;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            };
            got.push(format!("window {w}×{h} → viewport {iw}×{ih}"));
            w = (w as i64 + width as i64 - iw).max(100) as u32;
            h = (h as i64 + height as i64 - ih).max(100) as u32;
        }
        panic!(
            "could not set the viewport to {width}×{height} on {}: {}",
            self.path().await,
            got.join("; ")
        );
    }

    /// Opens a path of the bubbla server and waits for the page.
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&self.url(path))
            .await
            .unwrap_or_else(|e| panic!("goto {path}: {e}"));
        self.wait_loaded().await;
    }

    /// Marks the current document, so that [`Browser::wait_navigated`]
    /// can tell when another one has loaded.
    pub async fn mark(&self) {
        self.js("window.__bubblaOld = true; return null", vec![])
            .await;
    }

    /// Waits until the document marked by [`Browser::mark`] is replaced
    /// and the new one has loaded.
    pub async fn wait_navigated(&self) {
        let start = Instant::now();
        loop {
            let r = self
                .client
                .execute(
                    "return !window.__bubblaOld && document.readyState === 'complete'",
                    vec![],
                )
                .await;
            if let Ok(Json::Bool(true)) = r {
                let status = self.status().await;
                assert_ne!(
                    status,
                    429,
                    "rate-limited (429) at {}: this person acted faster than bubbla allows",
                    self.path().await
                );
                return;
            }
            assert!(start.elapsed() < WAIT, "no new page after {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_loaded(&self) {
        let start = Instant::now();
        while self.js("return document.readyState", vec![]).await != json!("complete") {
            assert!(start.elapsed() < WAIT, "page did not load");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks `css` and waits for the page it leads to.
    pub async fn click_and_wait(&self, css: &str) {
        self.mark().await;
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
        self.wait_navigated().await;
    }

    /// The element for `css`, waiting for it a few seconds.
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}`: {e}"))
    }

    /// Whether `css` matches anything now.
    pub async fn exists(&self, css: &str) -> bool {
        self.js(
            "return document.querySelector(arguments[0]) !== null",
            vec![json!(css)],
        )
        .await
            == json!(true)
    }

    pub async fn js(&self, script: &str, args: Vec<Json>) -> Json {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// `attr` of every element matching `css`, in document order (null
    /// for a missing attribute).
    pub async fn attrs(&self, css: &str, attr: &str) -> Vec<Option<String>> {
        let v = self
            .js(
                "return [...document.querySelectorAll(arguments[0])].map(e => e.getAttribute(arguments[1]))",
                vec![json!(css), json!(attr)],
            )
            .await;
        v.as_array()
            .map(|a| a.iter().map(|x| x.as_str().map(String::from)).collect())
            .unwrap_or_default()
    }

    /// The path and query of the current page.
    pub async fn path(&self) -> String {
        let u = self.client.current_url().await.expect("current url");
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// The HTTP status of the current document (Navigation Timing).
    pub async fn status(&self) -> u64 {
        self.js(
            "const n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : 0",
            vec![],
        )
        .await
        .as_u64()
        .unwrap_or(0)
    }

    /// Opens every `<details>` on the page.
    pub async fn open_details(&self) {
        self.js(
            "document.querySelectorAll('details').forEach(d => d.open = true); return null",
            vec![],
        )
        .await;
    }

    /// Switches the interface language with the same address the page's
    /// language link uses (`/lang/{code}?back=…`), which sets the cookie.
    pub async fn set_lang(&self, code: &str) {
        self.goto(&format!("/lang/{code}?back=/")).await;
        let lang = self
            .js("return document.documentElement.lang", vec![])
            .await;
        assert_eq!(lang, json!(code), "the language switch did not take");
    }

    /// Replaces the text of the field `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear()
            .await
            .unwrap_or_else(|err| panic!("clear {css}: {err}"));
        e.send_keys(text)
            .await
            .unwrap_or_else(|err| panic!("type in {css}: {err}"));
    }

    /// Ticks (or unticks) the checkbox or radio `css` by clicking it, as a
    /// person would, when it is not already so.
    pub async fn tick(&self, css: &str, on: bool) {
        let e = self.find(css).await;
        let checked = e
            .prop("checked")
            .await
            .unwrap_or_else(|err| panic!("{css}.checked: {err}"));
        if (checked.as_deref() == Some("true")) != on {
            e.click()
                .await
                .unwrap_or_else(|err| panic!("click {css}: {err}"));
        }
        let now = e.prop("checked").await.expect("checked");
        assert_eq!(
            now.as_deref() == Some("true"),
            on,
            "{css} did not become {}",
            if on { "ticked" } else { "unticked" }
        );
    }

    /// The text of the first element matching `css` (waiting for it).
    pub async fn text(&self, css: &str) -> String {
        self.find(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css}: {e}"))
    }

    /// A PNG of the viewport, written to `file`.
    pub async fn screenshot(&self, file: &Path) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(file, png).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        report(&format!("wrote {}\n", file.display()));
    }

    /// Types `query` into `#q` on the current page and presses Enter.
    pub async fn type_query(&self, query: &str) {
        let q = self.find("#q").await;
        q.clear().await.expect("clear #q");
        q.send_keys(query).await.expect("type in #q");
        self.mark().await;
        let enter: char = fantoccini::key::Key::Enter.into();
        q.send_keys(&enter.to_string()).await.expect("Enter");
        self.wait_navigated().await;
    }

    /// Chooses `value` in the select `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
    }

    /// Presses the submit button of the form that holds `css`.
    pub async fn submit_form_of(&self, css: &str) {
        let found = self
            .js(
                "const e = document.querySelector(arguments[0]); const f = e && (e.form || e.closest('form'));
                 const b = f && f.querySelector('button[type=submit], button:not([type]), input[type=submit]');
                 if (!b) return false; b.setAttribute('data-test-submit', ''); return true",
                vec![json!(css)],
            )
            .await;
        assert_eq!(
            found,
            json!(true),
            "no submit button in the form of `{css}`"
        );
        self.click_and_wait("[data-test-submit]").await;
    }

    /// Back in history, waiting for the page.
    /// Back in history, waiting for the page. (A page restored from the
    /// back/forward cache keeps its scripts' state, so this waits for the
    /// address to change instead of a mark to vanish.)
    pub async fn back(&self) {
        let before = self.client.current_url().await.expect("url");
        self.client.back().await.expect("back");
        let start = Instant::now();
        loop {
            let now = self.client.current_url().await.expect("url");
            if now != before
                && self.js("return document.readyState", vec![]).await == json!("complete")
            {
                return;
            }
            assert!(
                start.elapsed() < WAIT,
                "back from {before} did not leave the page"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The value of the `name` cookie for this site, if set.
    pub async fn cookie(&self, name: &str) -> Option<String> {
        self.client
            .get_all_cookies()
            .await
            .expect("cookies")
            .into_iter()
            .find(|c| c.name() == name)
            .map(|c| c.value().to_string())
    }

    /// How many responses so far came from an address ending in `path`
    /// (after reading the performance log).
    pub async fn responses_from(&mut self, path: &str) -> usize {
        self.drain_network_log().await;
        let url = self.url(path);
        self.responses.iter().filter(|u| **u == url).count()
    }

    /// Waits until more than `seen` responses came from `path`: for an
    /// `EventSource`, that the page is listening (the server subscribes
    /// the stream before it answers).
    pub async fn wait_response_from(&mut self, path: &str, seen: usize) {
        let start = Instant::now();
        while self.responses_from(path).await <= seen {
            assert!(
                start.elapsed() < WAIT,
                "no answer from {path} within {WAIT:?} (on {})",
                self.path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Reads the performance log so far into `requests` and `responses`.
    pub async fn drain_network_log(&mut self) {
        let log = self
            .client
            .issue_cmd(GetLog("performance"))
            .await
            .expect("performance log");
        for entry in log.as_array().into_iter().flatten() {
            let Some(msg) = entry.get("message").and_then(Json::as_str) else {
                continue;
            };
            let Ok(m) = serde_json::from_str::<Json>(msg) else {
                continue;
            };
            let m = &m["message"];
            if m["method"] == "Network.requestWillBeSent"
                && let Some(url) = m["params"]["request"]["url"].as_str()
            {
                self.requests.push(url.to_string());
            }
            if m["method"] == "Network.responseReceived"
                && let Some(url) = m["params"]["response"]["url"].as_str()
            {
                self.responses.push(url.to_string());
            }
        }
    }

    /// Asserts that every request this browser made went to the bubbla
    /// server (or was `data:`/`about:`), then ends the session.
    pub async fn finish(mut self) {
        self.drain_network_log().await;
        let prefix = format!("{}/", self.origin);
        let outside: Vec<&String> = self
            .requests
            .iter()
            .filter(|u| {
                !(u.starts_with(&prefix)
                    || **u == self.origin
                    || u.starts_with("data:")
                    || u.starts_with("about:"))
            })
            .collect();
        assert!(
            !self.requests.is_empty(),
            "the performance log recorded no request at all"
        );
        assert!(
            outside.is_empty(),
            "requests that left the bubbla server ({}): {outside:#?}",
            self.origin
        );
        let _ = self.client.close().await;
    }
}

/// Writes `text` to the real stderr, past the test harness's capture, so
/// that reports (the axe table) show in CI logs of passing tests too.
pub fn report(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// A float from an attribute or text such as "0.11", "0,110" or "0.429".
pub fn num(s: &str) -> f64 {
    s.trim()
        .replace(',', ".")
        .trim_end_matches('%')
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// A message of the interface's catalogue, as a translator left it.
pub fn catalogue(lang: &str, key: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("templates/locales/{lang}.toml"));
    let t: toml::Table = std::fs::read_to_string(&p)
        .expect("catalogue")
        .parse()
        .expect("catalogue parses");
    t.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("no `{key}` in {}", p.display()))
        .to_string()
}

/// An algorithm's name in `lang`, from the bundled corpus/algorithms.toml.
pub fn algorithm_label(id: &str, lang: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/algorithms.toml");
    let t: toml::Table = std::fs::read_to_string(&p)
        .expect("algorithms.toml")
        .parse()
        .expect("algorithms.toml parses");
    t.get("algorithm")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .find(|a| a.get("id").and_then(|v| v.as_str()) == Some(id))
        .and_then(|a| a.get("label")?.get(lang)?.as_str())
        .unwrap_or_else(|| panic!("no label for `{id}` in {lang} in {}", p.display()))
        .to_string()
}
