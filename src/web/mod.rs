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
mod error;
mod health;
mod home;
pub mod i18n;
mod params;
mod search;
mod templates;
mod views;

pub use error::WebError;

use crate::engine::{Config, Engine};
use crate::lang::Lang;
use crate::progress::Progress;
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

/// Where the engine is in its life.
pub enum EngineState {
    Building,
    Ready(Arc<Engine>),
    Failed(String),
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub engine: Arc<RwLock<EngineState>>,
    pub progress: Progress,
    pub templates: Arc<minijinja::Environment<'static>>,
    pub i18n: Arc<Catalogues>,
}

impl AppState {
    /// State whose engine is being built; call [`AppState::set_engine`] later.
    pub fn building(progress: Progress) -> AppState {
        AppState {
            engine: Arc::new(RwLock::new(EngineState::Building)),
            progress,
            templates: Arc::new(templates::environment()),
            i18n: Arc::new(Catalogues::load()),
        }
    }

    /// State around a ready engine (tests).
    pub fn ready(engine: Engine) -> AppState {
        let state = AppState::building(Progress::hidden());
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
            t => self.i18n.get(ui),
            other => other.code(),
            here => here,
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
        .merge(compare::router())
        .merge(doc::router())
        .merge(algorithms::router())
        .merge(api::router())
        .merge(health::router())
        .merge(assets::router())
        .route("/lang/{code}", get(i18n::switch))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn(error::localise_errors))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM; indexes in the background meanwhile.
pub async fn serve(config: Config, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}: is another bubbla already running there? Choose another address with --addr")
    })?;
    let local = listener.local_addr()?;
    let state = AppState::building(Progress::new("indexing"));
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
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("bubbla stopped");
    Ok(())
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
