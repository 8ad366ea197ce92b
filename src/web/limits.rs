//! Rate limits on what writes: searches that are recorded, clicks through
//! `/go`, new sessions. Clicks lift documents under `popular` for everyone
//! (and, later, in a workshop room), so a script must not be able to stuff
//! them: each session and each address has a token bucket, generous for a
//! person (a click every few seconds for an hour) and tight for a script.
//! Over the limit, the page is a friendly 429 and nothing is recorded.

use super::WebError;
use crate::store::SessionId;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

/// How much a session or an address may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Recorded requests (searches, clicks) per session and minute, after a
    /// first burst of the same size.
    pub per_session_per_minute: u32,
    /// Recorded requests per address and minute (a classroom behind one
    /// address shares this).
    pub per_address_per_minute: u32,
    /// New sessions per address and minute.
    pub sessions_per_address_per_minute: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            // Lesson 2 at a brisk pace is ~25 recorded requests a minute;
            // paging through results records each page too.
            per_session_per_minute: 60,
            per_address_per_minute: 600,
            sessions_per_address_per_minute: 60,
        }
    }
}

pub struct Limits {
    session: DefaultKeyedRateLimiter<String>,
    address: DefaultKeyedRateLimiter<IpAddr>,
    new_sessions: DefaultKeyedRateLimiter<IpAddr>,
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Limits {
    pub fn new(s: LimitSettings) -> Limits {
        Limits {
            session: RateLimiter::keyed(quota(s.per_session_per_minute)),
            address: RateLimiter::keyed(quota(s.per_address_per_minute)),
            new_sessions: RateLimiter::keyed(quota(s.sessions_per_address_per_minute)),
        }
    }

    /// One recorded request by `session` (if it has one) from `peer`.
    pub fn write(&self, session: Option<&SessionId>, peer: Peer) -> Result<(), WebError> {
        if let Some(ip) = peer.0
            && self.address.check_key(&ip).is_err()
        {
            return Err(WebError::TooManyRequests);
        }
        if let Some(s) = session
            && self.session.check_key(&s.as_str().to_string()).is_err()
        {
            return Err(WebError::TooManyRequests);
        }
        Ok(())
    }

    /// One new session from `peer`.
    pub fn new_session(&self, peer: Peer) -> Result<(), WebError> {
        match peer.0 {
            Some(ip) if self.new_sessions.check_key(&ip).is_err() => Err(WebError::TooManyRequests),
            _ => Ok(()),
        }
    }

    /// Forgets buckets that are full again (called hourly).
    pub fn forget_idle(&self) {
        self.session.retain_recent();
        self.address.retain_recent();
        self.new_sessions.retain_recent();
    }
}

/// The address a request came from, when the server knows it (tests that
/// call the router directly have none; then only the session is limited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Peer(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_limit_holds_per_key() {
        let l = Limits::new(LimitSettings {
            per_session_per_minute: 5,
            per_address_per_minute: 8,
            sessions_per_address_per_minute: 2,
        });
        let a = Peer(Some("10.0.0.1".parse().expect("ip")));
        let b = Peer(Some("10.0.0.2".parse().expect("ip")));
        let s1 = SessionId::random().expect("id");
        let s2 = SessionId::random().expect("id");
        let ok = (0..10).filter(|_| l.write(Some(&s1), a).is_ok()).count();
        assert_eq!(ok, 5, "the session's burst");
        // The address is checked first, so its 8 are spent by now.
        let ok2 = (0..10).filter(|_| l.write(Some(&s2), a).is_ok()).count();
        assert_eq!(ok2, 0, "the address is spent");
        assert!(l.write(None, b).is_ok(), "another address is not affected");
        assert!(l.new_session(b).is_ok() && l.new_session(b).is_ok());
        assert!(matches!(l.new_session(b), Err(WebError::TooManyRequests)));
        assert!(l.write(None, Peer(None)).is_ok(), "no address, no session");
    }
}
