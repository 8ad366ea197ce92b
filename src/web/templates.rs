//! The minijinja environment, with every template embedded in the binary so
//! that `bubbla` runs from any folder, and the two helpers every page uses
//! for its copy: `plural(t, key, n)` and the `fill` filter.

use crate::lang::Lang;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, context};

const TEMPLATES: [(&str, &str); 18] = [
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
    ("leader.html", include_str!("../../templates/leader.html")),
    (
        "room-leader.html",
        include_str!("../../templates/room-leader.html"),
    ),
    (
        "room-end.html",
        include_str!("../../templates/room-end.html"),
    ),
    ("join.html", include_str!("../../templates/join.html")),
    ("room.html", include_str!("../../templates/room.html")),
    (
        "room-compare.html",
        include_str!("../../templates/room-compare.html"),
    ),
    (
        "room-wall.html",
        include_str!("../../templates/room-wall.html"),
    ),
    (
        "room-wall-part.html",
        include_str!("../../templates/room-wall-part.html"),
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
    env.add_function("plural", plural);
    env.add_filter("fill", fill);
    env
}

/// `plural(t, "n_events", 3)`: the catalogue text `n_events_one` for 1 and
/// `n_events_other` for every other number (the rule of both Swedish and
/// English), with `{n}` filled in. A missing key is an error, so a test
/// that renders the page finds it instead of a blank on screen.
fn plural(t: &Value, key: &str, n: i64) -> Result<String, Error> {
    let full = format!("{key}_{}", super::i18n::plural_form(n));
    let text = t.get_attr(&full)?;
    match text.as_str() {
        Some(s) => Ok(s.replace("{n}", &n.to_string())),
        None => Err(Error::new(
            ErrorKind::UndefinedError,
            format!("no catalogue text `{full}`"),
        )),
    }
}

/// `{{ t.deleted_done | fill(events=…, impressions=…) }}`: every `{name}` in
/// the text replaced by the argument of that name, in one step (one
/// argument's value is never searched for another's placeholder).
fn fill(text: &str, args: Kwargs) -> Result<String, Error> {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if args.has(&after[..end]) => {
                let value: Value = args.get(&after[..end])?;
                out.push_str(&value.to_string());
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    args.assert_all_used()?;
    Ok(out)
}

/// The error page, rendered without the shared state so it works even when
/// everything else does not.
pub fn render_error(status: u16, ui: Lang, first: &str, second: &str, refresh: bool) -> String {
    let other = if ui == Lang::Sv { "en" } else { "sv" };
    // Error pages can come in floods (a script hitting the rate limit):
    // the templates are compiled once, not per page.
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(environment)
        .get_template("error.html")
        .and_then(|t| t.render(context! { status, first, second, refresh, ui => ui.code(), other }))
        .unwrap_or_else(|_| format!("<!doctype html><title>{status}</title><p>{status}</p>"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Catalogues;

    fn render(lang: Lang, source: &str) -> String {
        let env = environment();
        let c = Catalogues::load();
        env.render_str(source, context! { t => c.get(lang) })
            .expect("renders")
    }

    #[test]
    fn plurals_follow_the_count_in_both_languages() {
        let tpl = "{{ plural(t, 'n_events', 0) }}|{{ plural(t, 'n_events', 1) }}|{{ plural(t, 'n_searches', 2) }}|{{ plural(t, 'n_clicks', 1) }}";
        assert_eq!(render(Lang::En, tpl), "0 events|1 event|2 searches|1 click");
        assert_eq!(
            render(Lang::Sv, tpl),
            "0 händelser|1 händelse|2 sökningar|1 klick"
        );
        assert_eq!(
            render(
                Lang::Sv,
                "{{ plural(t, 'n_results', 1) }} {{ plural(t, 'n_results', 21) }}"
            ),
            "1 träff 21 träffar"
        );
    }

    #[test]
    fn a_missing_plural_is_an_error_not_a_blank() {
        let env = environment();
        let c = Catalogues::load();
        let out = env.render_str(
            "{{ plural(t, 'no_such_key', 1) }}",
            context! { t => c.get(Lang::En) },
        );
        assert!(out.is_err(), "{out:?}");
    }

    #[test]
    fn fill_replaces_each_placeholder_once() {
        let out = render(
            Lang::En,
            "{{ t.deleted_done | fill(events=plural(t, 'n_events', 1), impressions=plural(t, 'n_impressions', 3)) }}",
        );
        assert_eq!(
            out,
            "Deleted: 1 event and 3 shown results, and your session. The cookie is removed."
        );
        // A value that looks like a placeholder stays as it is.
        assert_eq!(
            render(Lang::En, "{{ 'a {x} b {y}' | fill(x='{y}', y=2) }}"),
            "a {y} b 2"
        );
    }

    #[test]
    fn every_template_compiles() {
        let env = environment();
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }
}
