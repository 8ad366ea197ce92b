//! `/algorithms`: every algorithm with its description, weights and
//! re-ranking step, and every signal in plain words.

use super::i18n::Ui;
use super::views::algorithm_card;
use super::{AppState, WebError};
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use minijinja::context;

pub fn router() -> Router<AppState> {
    Router::new().route("/algorithms", get(page))
}

async fn page(State(state): State<AppState>, Ui(ui): Ui) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let cards: Vec<_> = engine
        .algorithms
        .iter()
        .map(|a| algorithm_card(a, ui))
        .collect();
    let signals: Vec<(String, String, String)> = crate::rank::SIGNALS
        .iter()
        .map(|s| {
            (
                s.id().to_string(),
                s.label().get(ui).to_string(),
                s.description().get(ui).to_string(),
            )
        })
        .collect();
    state.render(
        ui,
        "/algorithms",
        "algorithms.html",
        context! { algorithms => cards, signals },
    )
}
