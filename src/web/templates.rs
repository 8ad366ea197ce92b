//! The minijinja environment, with every template embedded in the binary so
//! that `bubbla` runs from any folder.

use crate::lang::Lang;
use minijinja::{Environment, context};

const TEMPLATES: [(&str, &str); 10] = [
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("home.html", include_str!("../../templates/home.html")),
    ("search.html", include_str!("../../templates/search.html")),
    ("compare.html", include_str!("../../templates/compare.html")),
    ("doc.html", include_str!("../../templates/doc.html")),
    (
        "algorithms.html",
        include_str!("../../templates/algorithms.html"),
    ),
    ("error.html", include_str!("../../templates/error.html")),
    ("me.html", include_str!("../../templates/me.html")),
    (
        "me-delete.html",
        include_str!("../../templates/me-delete.html"),
    ),
];

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        if let Err(e) = env.add_template(name, source) {
            // Templates are compiled in; a broken one is a bug caught by tests.
            tracing::error!("template {name} does not compile: {e}");
        }
    }
    env
}

/// The error page, rendered without the shared state so it works even when
/// everything else does not.
pub fn render_error(status: u16, ui: Lang, first: &str, second: &str, refresh: bool) -> String {
    let other = if ui == Lang::Sv { "en" } else { "sv" };
    environment()
        .get_template("error.html")
        .and_then(|t| t.render(context! { status, first, second, refresh, ui => ui.code(), other }))
        .unwrap_or_else(|_| format!("<!doctype html><title>{status}</title><p>{status}</p>"))
}
