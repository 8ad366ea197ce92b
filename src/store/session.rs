//! Session ids: 128 random bits from the operating system, as 32 lower-case
//! hex digits. Anything else in a cookie is not a session.

use rand::TryRngCore;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

/// `n` random bytes from the operating system, as 2n lower-case hex digits
/// (session ids, the leader's token).
pub fn random_hex(n: usize) -> anyhow::Result<String> {
    let mut bytes = vec![0u8; n];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl SessionId {
    pub fn random() -> anyhow::Result<SessionId> {
        random_hex(16).map(SessionId)
    }

    /// A well-formed id (whether it exists is for the store to say).
    pub fn parse(s: &str) -> Option<SessionId> {
        (s.len() == 32
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| SessionId(s.to_string()))
    }

    /// An id read back from the store's own rows.
    pub(super) fn stored(s: String) -> SessionId {
        SessionId(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_128_random_bits_in_hex() {
        let a = SessionId::random().expect("randomness");
        let b = SessionId::random().expect("randomness");
        assert_ne!(a, b);
        assert_eq!(SessionId::parse(a.as_str()), Some(a));
    }

    #[test]
    fn anything_else_is_not_an_id() {
        for bad in [
            "",
            "abc",
            &"A".repeat(32),
            &"g".repeat(32),
            &"0".repeat(33),
            "../../etc/passwd",
        ] {
            assert_eq!(SessionId::parse(bad), None, "{bad}");
        }
    }
}
