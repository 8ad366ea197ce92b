//! The web layer: axum routes, one module per page, merged in [`app`].
//!
//! The engine is built on a blocking thread while the server already
//! answers: until it is ready, pages say how far indexing has come and
//! `/healthz` reports `"index": "building"`. Handlers call the synchronous
//! engine through `spawn_blocking`. Pages are rendered on the server and work
//! without JavaScript; the one script only adds highlighting on `/compare`.

mod algorithms;
mod api;
mod assets;
mod compare;
mod doc;
pub mod error;
mod go;
mod health;
mod home;
pub mod i18n;
pub mod leader;
pub mod limits;
mod me;
mod params;
pub mod redirect;
mod rooms;
mod rooms_api;
mod search;
mod security;
pub mod server;
mod templates;
mod views;
pub mod visitor;

pub use error::WebError;

use crate::engine::{Config, Engine};
use crate::lang::Lang;
use crate::progress::Progress;
use crate::store::Store;
use anyhow::Context;
use axum::Router;
use axum::response::Html;
use axum::routing::get;
use i18n::Catalogues;
use minijinja::Value;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest body a room form or API call may send.
pub const ROOM_BODY_LIMIT: usize = 16 * 1024;

/// Where the engine is in its life.
pub enum EngineState {
    Building,
    Ready(Arc<Engine>),
    Failed(String),
}

/// How recording and profiles behave.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Events older than this are deleted (at start-up and hourly).
    pub retention: Duration,
    /// Events after which a click or search counts half as much in a profile.
    pub half_life_events: f64,
    /// How much one session or address may write.
    pub limits: limits::LimitSettings,
    /// Connection limits of the server.
    pub connections: server::ConnectionSettings,
    /// The address participants open (`http://192.168.1.5:8080`); `None`:
    /// the host each request names.
    pub participant_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retention: Duration::from_secs(7 * 86_400),
            half_life_events: crate::viewer::DEFAULT_HALF_LIFE_EVENTS,
            limits: limits::LimitSettings::default(),
            connections: server::ConnectionSettings::default(),
            participant_url: None,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<RwLock<EngineState>>,
    pub progress: Progress,
    pub templates: Arc<minijinja::Environment<'static>>,
    pub i18n: Arc<Catalogues>,
    /// Sessions and their events.
    pub store: Arc<Store>,
    pub settings: Arc<Settings>,
    /// Rate limits on recorded requests.
    pub limits: Arc<limits::Limits>,
    /// Workshop rooms and their live channels.
    pub workshop: Arc<crate::workshop::Workshop>,
    /// What makes a visitor the leader.
    pub leader: leader::LeaderToken,
}

impl AppState {
    /// State whose engine is being built; call [`AppState::set_engine`] later.
    pub fn building(progress: Progress, store: Store, settings: Settings) -> AppState {
        let token = leader::LeaderToken::random().unwrap_or_else(|e| {
            // Without randomness nobody can be the leader: a token nobody knows.
            tracing::error!("no leader token could be made: {e:#}");
            leader::LeaderToken::unguessable()
        });
        AppState::building_with(progress, store, settings, token)
    }

    pub fn building_with(
        progress: Progress,
        store: Store,
        settings: Settings,
        leader: leader::LeaderToken,
    ) -> AppState {
        let store = Arc::new(store);
        AppState {
            workshop: Arc::new(crate::workshop::Workshop::new(store.clone())),
            leader,
            engine: Arc::new(RwLock::new(EngineState::Building)),
            progress,
            templates: Arc::new(templates::environment()),
            i18n: Arc::new(Catalogues::load()),
            store,
            limits: Arc::new(limits::Limits::new(settings.limits)),
            settings: Arc::new(settings),
        }
    }

    /// State around a ready engine, recording into a private in-memory
    /// database (tests).
    pub fn ready(engine: Engine) -> AppState {
        AppState::ready_with(engine, Store::in_memory(), Settings::default())
    }

    pub fn ready_with(engine: Engine, store: Store, settings: Settings) -> AppState {
        let state = AppState::building(Progress::hidden(), store, settings);
        state.set_engine(Ok(engine));
        state
    }

    pub fn set_engine(&self, engine: anyhow::Result<Engine>) {
        let new = match engine {
            Ok(e) => EngineState::Ready(Arc::new(e)),
            Err(e) => EngineState::Failed(format!("{e:#}")),
        };
        match self.engine.write() {
            Ok(mut guard) => *guard = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
    }

    /// The engine if it is ready, or the error page to show instead.
    pub fn engine(&self) -> Result<Arc<Engine>, WebError> {
        let guard = self.engine.read().unwrap_or_else(|p| p.into_inner());
        match &*guard {
            EngineState::Ready(e) => Ok(e.clone()),
            EngineState::Building => Err(WebError::Indexing(self.progress.fraction())),
            EngineState::Failed(msg) => Err(WebError::NoCorpus(msg.clone())),
        }
    }

    /// Renders a page template with what every page needs: the interface
    /// language, its texts, and the address to come back to after switching.
    pub fn render(
        &self,
        ui: Lang,
        here: &str,
        name: &str,
        ctx: Value,
    ) -> Result<Html<String>, WebError> {
        let other = match ui {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        };
        let base = minijinja::context! {
            ui => ui.code(),
            t => self.i18n.value(ui),
            other => other.code(),
            here => here,
            recording => visitor::recording_note(self, ui),
            recording_state => self.store.status().name(),
        };
        self.templates
            .get_template(name)
            .and_then(|t| t.render(minijinja::context! { ..ctx, ..base }))
            .map(Html)
            .map_err(|e| WebError::Internal(anyhow::anyhow!("rendering {name}: {e:#}")))
    }
}

/// Runs blocking engine work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| WebError::Internal(e.into()))?
}

/// The whole router.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(home::router())
        .merge(search::router())
        .merge(go::router())
        .merge(me::router())
        .merge(rooms::router())
        .merge(rooms_api::router())
        .merge(compare::router())
        .merge(doc::router())
        .merge(algorithms::router())
        .merge(api::router())
        .merge(health::router())
        .merge(assets::router())
        .route("/lang/{code}", get(i18n::switch))
        .fallback(error::not_found)
        // Innermost first: a timeout is answered with bubbla's own page, and
        // every response, error pages included, carries the security headers.
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(error::error_pages))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM; indexes in the background meanwhile.
pub async fn serve(
    config: Config,
    addr: SocketAddr,
    mut settings: Settings,
    leader: leader::LeaderToken,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}: is another bubbla already running there? Choose another address with --addr")
    })?;
    let local = listener.local_addr()?;
    let here = if local.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], local.port()))
    } else {
        local
    };
    let lan = local
        .ip()
        .is_unspecified()
        .then(|| lan_address().map(|ip| SocketAddr::new(ip, local.port())))
        .flatten();
    settings.participant_url = Some(format!("http://{}", lan.unwrap_or(here)));
    print_links(here, lan, &leader);
    let data_dir = config.data_dir.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&data_dir)).await?;
    match store.status() {
        crate::store::Status::On => tracing::info!(
            "recording sessions in {}",
            store
                .path()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        ),
        other => tracing::warn!("recording is off: {other:?}"),
    }
    let connections = settings.connections;
    let state = AppState::building_with(Progress::new("indexing"), store, settings, leader);
    tokio::spawn(purge_regularly(state.clone()));
    let builder = state.clone();
    tokio::task::spawn_blocking(move || {
        let engine = Engine::open(&config, &builder.progress);
        match &engine {
            Ok(e) => {
                crate::cli::log_diagnostics(e);
                tracing::info!(
                    documents = e.corpus.docs.len(),
                    rebuilt = e.rebuilt,
                    "index ready"
                );
            }
            Err(err) => tracing::error!("cannot open the corpus: {err:#}"),
        }
        builder.set_engine(engine);
    });
    tracing::info!("bubbla is listening on http://{local} (Ctrl-C stops it)");
    server::run(listener, app(state), connections, shutdown_signal()).await?;
    tracing::info!("bubbla stopped");
    Ok(())
}

/// The address of this machine on the classroom network: the source
/// address the system would use towards a private network. Connecting a
/// UDP socket only picks a route; no packet is sent.
fn lan_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind(("0.0.0.0", 0)).ok()?;
    socket.connect(("10.255.255.255", 9)).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

/// What the leader needs at start-up: their link (with the token) and the
/// address participants open, with a QR code of it when phones can join.
fn print_links(here: SocketAddr, lan: Option<SocketAddr>, token: &leader::LeaderToken) {
    println!("{}", links_text(here, lan, token));
}

pub fn links_text(
    here: SocketAddr,
    lan: Option<SocketAddr>,
    token: &leader::LeaderToken,
) -> String {
    let mut out = String::from(
        "\n  bubbla · leader / ledare (keep this link to yourself / håll länken för dig själv):\n",
    );
    out.push_str(&format!(
        "    http://{here}/leader?token={}\n",
        token.as_str()
    ));
    match lan {
        Some(lan) => {
            let join = format!("http://{lan}/join");
            out.push_str(&format!("  participants / deltagare: {join}\n"));
            if let Ok(code) = qrcode::QrCode::new(join.as_bytes()) {
                let art = code
                    .render::<qrcode::render::unicode::Dense1x2>()
                    .quiet_zone(true)
                    .build();
                out.push_str(&art);
                out.push('\n');
            }
        }
        None => {
            out.push_str(&format!("  participants / deltagare: http://{here}/join\n"));
            out.push_str(
                "    (this machine only; start with --public to let phones on the network join)\n",
            );
        }
    }
    out
}

/// Deletes events past the retention age now and every hour.
async fn purge_regularly(state: AppState) {
    let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        state.limits.forget_idle();
        let s = state.clone();
        let removed =
            tokio::task::spawn_blocking(move || s.store.purge(s.settings.retention)).await;
        match removed {
            Ok(Ok(r)) if r.events + r.sessions > 0 => tracing::info!(
                events = r.events,
                sessions = r.sessions,
                "deleted events past the retention age"
            ),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::debug!("retention: {e:#}"),
            Err(e) => tracing::warn!("retention task failed: {e}"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_up_text_has_the_leader_link_and_a_qr_code_for_phones() {
        let token = leader::LeaderToken::given("a-token-for-the-test").expect("token");
        let here: SocketAddr = "127.0.0.1:8080".parse().expect("addr");
        let lan: SocketAddr = "192.168.1.5:8080".parse().expect("addr");
        let text = links_text(here, Some(lan), &token);
        assert!(text.contains("http://127.0.0.1:8080/leader?token=a-token-for-the-test"));
        assert!(text.contains("http://192.168.1.5:8080/join"));
        assert!(
            text.contains('█') || text.contains('▀'),
            "a QR code: {text}"
        );
        let local = links_text(here, None, &token);
        assert!(local.contains("--public") && !local.contains('█'));
    }
}
