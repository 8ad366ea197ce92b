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
                .map_err(|_| {
                    WebError::BadRequest("the address has a malformed query string".into())
                })?;
        Ok(Params(pairs))
    }
}

impl Params {
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
            _ => Err(WebError::BadRequest(format!(
                "`{key}` must be a whole number from {} to {}, not `{raw}`",
                range.start(),
                range.end()
            ))),
        }
    }

    /// The optional document-language filter (`lang=sv|en`).
    pub fn lang(&self) -> Result<Option<Lang>, WebError> {
        match self.text("lang") {
            None => Ok(None),
            Some(l) => Lang::parse(l).map(Some).ok_or_else(|| {
                WebError::BadRequest(format!("`lang` must be `sv` or `en`, not `{l}`"))
            }),
        }
    }

    /// Column slots of a comparison: (`a`, `va`), (`b`, `vb`), (`c`, `vc`),
    /// (`d`, `vd`) — algorithm and viewer, either may be blank; slots with
    /// neither are skipped — then one slot per repeated `algorithm=`.
    pub fn slots(&self) -> Vec<(Option<String>, Option<String>)> {
        let own = |k: &str| self.text(k).map(str::to_string);
        [("a", "va"), ("b", "vb"), ("c", "vc"), ("d", "vd")]
            .iter()
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
