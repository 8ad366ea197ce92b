//! Interface languages: one catalogue per language (`templates/locales`),
//! chosen by a cookie set from the switch on every page, else by the
//! browser's `Accept-Language`, else Swedish.

use crate::lang::Lang;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

pub const COOKIE: &str = "bubbla_lang";

/// Interface text by key, for both languages.
pub struct Catalogues {
    sv: BTreeMap<String, String>,
    en: BTreeMap<String, String>,
}

impl Catalogues {
    pub fn load() -> Catalogues {
        let parse = |name: &str, text: &str| -> BTreeMap<String, String> {
            toml::from_str(text).unwrap_or_else(|e| {
                // Compiled in; a broken catalogue is caught by the tests.
                tracing::error!("locale {name} does not parse: {e}");
                BTreeMap::new()
            })
        };
        Catalogues {
            sv: parse("sv", include_str!("../../templates/locales/sv.toml")),
            en: parse("en", include_str!("../../templates/locales/en.toml")),
        }
    }

    pub fn get(&self, lang: Lang) -> &BTreeMap<String, String> {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// One text with `{name}` placeholders filled in.
    pub fn text(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self
            .get(lang)
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string());
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }
}

/// The interface language of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ui(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ui(from_headers(&parts.headers)))
    }
}

/// Cookie first, then `Accept-Language`, then Swedish.
pub fn from_headers(headers: &HeaderMap) -> Lang {
    let cookie = super::visitor::cookie(headers, COOKIE).and_then(Lang::parse);
    if let Some(lang) = cookie {
        return lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut best: Option<(f32, Lang)> = None;
    for part in accept.split(',') {
        let mut it = part.trim().split(';');
        let tag = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .find_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        let lang = match tag.split('-').next() {
            Some("sv") => Lang::Sv,
            Some("en") => Lang::En,
            _ => continue,
        };
        if best.is_none_or(|(bq, _)| q > bq) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::Sv, |(_, l)| l)
}

#[derive(serde::Deserialize)]
pub struct Back {
    #[serde(default)]
    back: String,
}

/// `/lang/{code}?back=/path`: remembers the choice and returns to the page.
pub async fn switch(Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return super::WebError::NotFound.into_response();
    };
    // Only paths on this site: no open redirect.
    let target = super::redirect::local_path(&back.back)
        .unwrap_or("/")
        .to_string();
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response();
    let cookie = format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
                HeaderValue::from_str(v).expect("value"),
            );
        }
        h
    }

    #[test]
    fn cookie_beats_accept_language_which_beats_the_default() {
        assert_eq!(from_headers(&headers(&[])), Lang::Sv);
        assert_eq!(
            from_headers(&headers(&[("accept-language", "en-GB,en;q=0.9")])),
            Lang::En
        );
        assert_eq!(
            from_headers(&headers(&[("accept-language", "de,en;q=0.5,sv;q=0.8")])),
            Lang::Sv
        );
        assert_eq!(
            from_headers(&headers(&[
                ("accept-language", "en"),
                ("cookie", "a=b; bubbla_lang=sv")
            ])),
            Lang::Sv
        );
    }

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let c = Catalogues::load();
        let sv: Vec<&String> = c.sv.keys().collect();
        let en: Vec<&String> = c.en.keys().collect();
        assert!(sv.len() > 50);
        assert_eq!(sv, en);
        assert_eq!(
            c.text(Lang::En, "results_count", &[("n", "3")]),
            "3 results"
        );
    }
}
