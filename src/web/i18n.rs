//! Interface languages: one catalogue per language (`templates/locales`),
//! chosen by a cookie set from the switch on every page, else by the
//! browser's `Accept-Language`, else Swedish.

use crate::lang::Lang;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

pub const COOKIE: &str = "bubbla_lang";

/// Interface text by key, for both languages.
pub struct Catalogues {
    sv: BTreeMap<String, String>,
    en: BTreeMap<String, String>,
    /// The same catalogues as template values, made once: turning a
    /// catalogue of hundreds of texts into a template value on every page
    /// was a twentieth of the server's time under load.
    sv_value: minijinja::Value,
    en_value: minijinja::Value,
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
        let sv = parse("sv", include_str!("../../templates/locales/sv.toml"));
        let en = parse("en", include_str!("../../templates/locales/en.toml"));
        Catalogues {
            sv_value: minijinja::Value::from_serialize(&sv),
            en_value: minijinja::Value::from_serialize(&en),
            sv,
            en,
        }
    }

    /// The catalogues compiled into the binary, loaded once.
    pub fn shared() -> &'static Catalogues {
        static SHARED: std::sync::OnceLock<Catalogues> = std::sync::OnceLock::new();
        SHARED.get_or_init(Catalogues::load)
    }

    pub fn get(&self, lang: Lang) -> &BTreeMap<String, String> {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => &self.en,
        }
    }

    /// A catalogue as a template value (cheap to clone).
    pub fn value(&self, lang: Lang) -> minijinja::Value {
        match lang {
            Lang::Sv => self.sv_value.clone(),
            Lang::En => self.en_value.clone(),
        }
    }

    /// The text for `n` of something (`key_one` or `key_other`), with `{n}`
    /// filled in: the Rust side of the templates' `plural(t, key, n)`.
    pub fn plural(&self, lang: Lang, key: &str, n: i64) -> String {
        let n_text = n.to_string();
        self.text(
            lang,
            &format!("{key}_{}", plural_form(n)),
            &[("n", &n_text)],
        )
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

/// Which form of a counted word a number takes: `one` for exactly 1, else
/// `other`. Swedish and English share this rule; a catalogue key `x` with a
/// count has the two texts `x_one` and `x_other`.
pub fn plural_form(n: i64) -> &'static str {
    if n == 1 { "one" } else { "other" }
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

/// `/lang/{code}?back=/path`: remembers the choice and returns to the page.
pub async fn switch(Path(code): Path<String>, params: super::params::Params) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return super::WebError::NotFound.into_response();
    };
    // Only paths on this site: no open redirect.
    let target = super::redirect::local_path(params.get("back").unwrap_or("/"))
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
        assert_eq!(c.plural(Lang::En, "n_results", 3), "3 results");
        assert_eq!(c.plural(Lang::En, "n_results", 1), "1 result");
        assert_eq!(c.plural(Lang::Sv, "n_searches", 1), "1 sökning");
    }

    #[test]
    fn every_counted_text_has_both_forms() {
        let c = Catalogues::load();
        for lang in [Lang::Sv, Lang::En] {
            let keys = c.get(lang);
            for key in keys.keys() {
                if let Some(stem) = key.strip_suffix("_one") {
                    assert!(keys.contains_key(&format!("{stem}_other")), "{key}");
                }
                if let Some(stem) = key.strip_suffix("_other") {
                    assert!(keys.contains_key(&format!("{stem}_one")), "{key}");
                }
            }
        }
    }
}
