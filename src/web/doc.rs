//! `/doc/{id}`: one document, rendered and sanitised, with its metadata, its
//! links in and out, its query-independent signal values, and a link back
//! to the results it was opened from (`/go` forwards `q`, `algorithm`,
//! `viewer` and `back`).

use super::i18n::Ui;
use super::params::Params;
use super::views::{fmt3, perspective, theme_label};
use super::{AppState, WebError};
use crate::corpus::format_date;
use crate::lang::Lang;
use axum::Router;
use axum::extract::{OriginalUri, Path, State};
use axum::response::Html;
use axum::routing::get;
use minijinja::context;
use serde::Serialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/doc/{id}", get(page))
}

#[derive(Serialize)]
struct LinkView {
    id: String,
    title: String,
}

/// Where "Back to the results" goes: the page the result was clicked on
/// when `back` is a path on this site, else the search the click came from,
/// else nowhere (the document was opened directly).
fn back_link(params: &Params) -> Option<String> {
    if let Some(back) = params.get("back").and_then(super::redirect::local_path) {
        return Some(back.to_string());
    }
    let q = params.text("q")?;
    let mut pairs = vec![("q", q)];
    for key in ["algorithm", "viewer"] {
        if let Some(v) = params.text(key) {
            pairs.push((key, v));
        }
    }
    serde_urlencoded::to_string(&pairs)
        .ok()
        .map(|query| format!("/search?{query}"))
}

#[derive(Serialize)]
struct SignalView {
    label: String,
    value: String,
    note: String,
}

async fn page(
    State(state): State<AppState>,
    Ui(ui): Ui,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    params: Params,
) -> Result<Html<String>, WebError> {
    let engine = state.engine()?;
    let id = crate::corpus::id::normalize_id(&id);
    let Some(ord) = engine.corpus.index_of(&id) else {
        return Err(WebError::NotFound);
    };
    let d = &engine.corpus.docs[ord];
    let link = |i: usize| LinkView {
        id: engine.corpus.docs[i].id.clone(),
        title: engine.corpus.docs[i].title.clone(),
    };
    let links_out: Vec<LinkView> = d
        .links
        .iter()
        .filter_map(|l| engine.corpus.index_of(l))
        .map(link)
        .collect();
    let links_in: Vec<LinkView> = engine.links.incoming(ord).map(link).collect();

    // The same functions the ranking uses, on this document alone; views
    // include the live clicks, as in ranking.
    let live = state.store.clicks_on(&d.id);
    let views = d.popularity.saturating_add(live);
    let ctx = engine.context("");
    let n = engine.corpus.docs.len();
    let authority_rank = 1 + engine
        .authority
        .iter()
        .filter(|&&a| a > engine.authority[ord])
        .count();
    let t = &state.i18n;
    let label = |s: &dyn crate::rank::Signal| s.label().get(ui).to_string();
    let signals = crate::rank::SIGNALS
        .iter()
        .filter_map(|s| {
            let (value, note) = match s.id() {
                "popularity" => (
                    format!("{views}"),
                    format!("ln(1 + {}) = {}", views, fmt3((views as f64).ln_1p())),
                ),
                "authority" => (
                    fmt3(engine.authority[ord]),
                    t.text(
                        ui,
                        "doc_authority_rank",
                        &[("rank", &authority_rank.to_string()), ("n", &n.to_string())],
                    ),
                ),
                "recency" => {
                    let c = crate::rank::Candidate {
                        id: &d.id,
                        theme: &d.theme,
                        perspective: &d.perspective,
                        text_score: 0.0,
                        term_count: 0,
                        views,
                        authority: engine.authority[ord],
                        published: d.published,
                        sponsored: d.sponsored,
                        viewer: Default::default(),
                    };
                    (fmt3(s.raw(&c, &ctx)), format_date(d.published))
                }
                "sponsored" => (
                    t.text(ui, if d.sponsored { "yes" } else { "no" }, &[]),
                    String::new(),
                ),
                _ => return None,
            };
            Some(SignalView {
                label: label(*s),
                value,
                note,
            })
        })
        .collect::<Vec<_>>();
    state.render(
        ui,
        &uri.to_string(),
        "doc.html",
        context! {
            id => d.id,
            title => d.title,
            source => d.source,
            url => d.url,
            lang => d.lang.code(),
            lang_name => t.text(ui, if d.lang == Lang::Sv { "lang_sv" } else { "lang_en" }, &[]),
            published => format_date(d.published),
            theme => theme_label(&engine.corpus, ui, &d.theme),
            persp => perspective(&engine.corpus, ui, &d.theme, &d.perspective),
            popularity => views,
            live_clicks => live,
            prior_views => d.popularity,
            sponsored => d.sponsored,
            body_html => &*engine.body_html(ord),
            links_out, links_in, signals,
            back => back_link(&params),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::back_link;

    fn params(query: &str) -> super::Params {
        super::Params::from_pairs(serde_urlencoded::from_str(query).expect("query"))
    }

    #[test]
    fn back_goes_to_the_page_or_the_search_the_click_came_from() {
        assert_eq!(
            back_link(&params("q=varg&back=%2Fcompare%3Fq%3Dvarg%26a%3Dpopular")).as_deref(),
            Some("/compare?q=varg&a=popular")
        );
        for evil in [
            "%2F%2Fevil.example",
            "https%3A%2F%2Fevil.example",
            "%2F%09%2Fevil",
        ] {
            assert_eq!(
                back_link(&params(&format!(
                    "q=varg+jakt&algorithm=popular&viewer=elin&back={evil}"
                )))
                .as_deref(),
                Some("/search?q=varg+jakt&algorithm=popular&viewer=elin"),
                "{evil}"
            );
        }
        assert_eq!(back_link(&params("")), None);
        assert_eq!(back_link(&params("back=javascript%3Aalert(1)")), None);
    }
}
