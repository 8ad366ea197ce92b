//! Query-string parameters, parsed by hand so that no input can make axum
//! answer with its own plain-text rejection: every problem becomes a clear
//! 400 from [`WebError`].

use super::WebError;
use crate::lang::Lang;
use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;

/// All `key=value` pairs of the query string, in order.
#[derive(Debug, Default, Clone)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let RawQuery(raw) = RawQuery::from_request_parts(parts, state)
            .await
            .unwrap_or(RawQuery(None));
        let pairs =
            serde_urlencoded::from_str::<Vec<(String, String)>>(raw.as_deref().unwrap_or(""))
                .map_err(|_| WebError::bad("bad_query_string"))?;
        Ok(Params(pairs))
    }
}

impl Params {
    /// The fields of a form body (`application/x-www-form-urlencoded`).
    pub fn form(body: &[u8]) -> Result<Params, WebError> {
        serde_urlencoded::from_bytes(body)
            .map(Params)
            .map_err(|_| WebError::bad("bad_form"))
    }

    /// Parameters from already-decoded pairs.
    #[cfg(test)]
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        Params(pairs)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A non-empty value.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A whole number within `range`, or `default` when absent.
    pub fn number(
        &self,
        key: &str,
        default: usize,
        range: std::ops::RangeInclusive<usize>,
    ) -> Result<usize, WebError> {
        let Some(raw) = self.text(key) else {
            return Ok(default);
        };
        match raw.parse::<usize>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(super::error::Detail::new("bad_number")
                .with("key", key)
                .with("min", range.start())
                .with("max", range.end())
                .with("raw", raw)
                .into()),
        }
    }

    /// The optional document-language filter (`lang=sv|en`).
    pub fn lang(&self) -> Result<Option<Lang>, WebError> {
        match self.text("lang") {
            None => Ok(None),
            Some(l) => Lang::parse(l)
                .map(Some)
                .ok_or_else(|| super::error::Detail::new("bad_lang").with("raw", l).into()),
        }
    }

    /// Column slots of a comparison: (`a`, `va`), (`b`, `vb`), (`c`, `vc`),
    /// (`d`, `vd`) — algorithm and viewer — then one slot per repeated
    /// `algorithm=`. An absent algorithm repeats the column before (so
    /// `a=personal&va=elin&vb=omar` is two columns of `personal`); a present
    /// but empty one is the form's "(none)" and removes the column, whatever
    /// its viewer says. A slot with neither is skipped.
    pub fn slots(&self) -> Vec<(Option<String>, Option<String>)> {
        let own = |k: &str| self.text(k).map(str::to_string);
        [("a", "va"), ("b", "vb"), ("c", "vc"), ("d", "vd")]
            .iter()
            .filter(|(a, _)| self.get(a).is_none_or(|v| !v.trim().is_empty()))
            .map(|(a, v)| (own(a), own(v)))
            .filter(|(a, v)| a.is_some() || v.is_some())
            .chain(
                self.all("algorithm")
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(|a| (Some(a.to_string()), None)),
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Params;

    fn params(query: &str) -> Params {
        Params(serde_urlencoded::from_str(query).expect("query"))
    }

    fn slots(query: &str) -> Vec<(Option<&'static str>, Option<&'static str>)> {
        params(query)
            .slots()
            .into_iter()
            .map(|(a, v)| {
                let leak = |s: String| &*Box::leak(s.into_boxed_str());
                (a.map(leak), v.map(leak))
            })
            .collect()
    }

    #[test]
    fn none_as_algorithm_removes_the_column_whatever_its_viewer() {
        assert_eq!(
            slots("q=varg&a=relevance&va=me&b=popular&vb=&c=&vc=me&d=&vd="),
            [(Some("relevance"), Some("me")), (Some("popular"), None)]
        );
        // The form's blank column 4 beside a chosen column 3.
        assert_eq!(
            slots("a=relevance&b=popular&c=diverse&vc=elin&d=&vd=omar"),
            [
                (Some("relevance"), None),
                (Some("popular"), None),
                (Some("diverse"), Some("elin"))
            ]
        );
    }

    #[test]
    fn an_absent_algorithm_with_a_viewer_repeats_the_column_before() {
        // The README's persona comparison: three columns of `personal`.
        assert_eq!(
            slots("q=varg&a=personal&va=elin&vb=omar&vc=sara"),
            [
                (Some("personal"), Some("elin")),
                (None, Some("omar")),
                (None, Some("sara"))
            ]
        );
        assert_eq!(
            slots("algorithm=relevance&algorithm=%20&algorithm=fresh"),
            [(Some("relevance"), None), (Some("fresh"), None)]
        );
    }
}
