//! The leader's token. bubbla prints a leader link with a random token at
//! start-up (as Jupyter does); opening it sets an HttpOnly cookie, and
//! scripts send `Authorization: Bearer <token>`. Every leader page and
//! action needs one of the two; the comparison takes the same time whatever
//! the guess. A wrong or missing token gets the 403 page.

use super::{AppState, WebError, visitor};
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use subtle::ConstantTimeEq;

pub const LEADER_COOKIE: &str = "bubbla_leader";

/// The token that makes a visitor the leader.
#[derive(Clone)]
pub struct LeaderToken(String);

impl std::fmt::Debug for LeaderToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LeaderToken(…)")
    }
}

impl LeaderToken {
    /// 128 random bits as 32 hex digits.
    pub fn random() -> anyhow::Result<LeaderToken> {
        crate::store::random_hex(16).map(LeaderToken)
    }

    /// A token given with `--leader-token`: printable ASCII without spaces
    /// (it goes into a cookie and an address), 16 to 128 characters.
    pub fn given(s: &str) -> Result<LeaderToken, String> {
        let ok = (16..=128).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'));
        if ok {
            Ok(LeaderToken(s.to_string()))
        } else {
            Err("a leader token is 16 to 128 letters, digits, '-', '_', '.' or '~'".into())
        }
    }

    /// A token that no request can offer (its characters are refused in
    /// cookies and headers): leading is impossible.
    pub fn unguessable() -> LeaderToken {
        LeaderToken("\u{0}unusable".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when `offered` is the token, in constant time.
    pub fn matches(&self, offered: &str) -> bool {
        // Lengths differ → not equal; `ct_eq` compares equal lengths only.
        self.0.len() == offered.len() && bool::from(self.0.as_bytes().ct_eq(offered.as_bytes()))
    }
}

/// The token a request offers: `Authorization: Bearer …` or the cookie.
fn offered(headers: &HeaderMap) -> Option<&str> {
    if let Some(auth) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        return auth.strip_prefix("Bearer ").map(str::trim);
    }
    visitor::cookie(headers, LEADER_COOKIE)
}

pub fn is_leader(state: &AppState, headers: &HeaderMap) -> bool {
    offered(headers).is_some_and(|t| state.leader.matches(t))
}

/// Present in a handler's arguments: the request is the leader's.
pub struct Leader;

impl FromRequestParts<AppState> for Leader {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if is_leader(state, &parts.headers) {
            Ok(Leader)
        } else {
            Err(WebError::NotLeader)
        }
    }
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The cookie that keeps the leader signed in on this browser.
pub fn cookie(token: &LeaderToken) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{LEADER_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
        token.as_str()
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("bubbla_leader=; Path=/; Max-Age=0"))
}

/// `/leader?token=…`: the printed link. A right token sets the cookie and
/// leads on to `/leader` without the token in the address bar (so it does
/// not end up on the projector); anything else is refused.
pub async fn sign_in(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    match q.token {
        Some(t) if state.leader.matches(&t) => {
            let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, "/leader")]).into_response();
            res.headers_mut()
                .insert(header::SET_COOKIE, cookie(&state.leader));
            Ok(res)
        }
        Some(_) => Err(WebError::NotLeader),
        None if is_leader(&state, &headers) => Ok(super::rooms::leader_home(state, headers).await?),
        None => Err(WebError::NotLeader),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_match_only_themselves() {
        let t = LeaderToken::random().expect("token");
        assert!(t.matches(t.as_str()));
        assert!(!t.matches(""));
        assert!(!t.matches(&t.as_str()[1..]));
        assert!(!t.matches(&format!("{}x", t.as_str())));
        assert!(LeaderToken::given("short").is_err());
        assert!(LeaderToken::given("has space in it ok?").is_err());
        assert!(LeaderToken::given("a-long-enough-token").is_ok());
    }
}
