//! Join codes: six characters a class can read off a projector and type on
//! a phone. No look-alikes (no 0/O, 1/I/L); typed in any case, with or
//! without spaces or a dash.

use rand::TryRngCore;

/// The characters a code is made of.
pub const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
pub const LEN: usize = 6;

/// A random code from the operating system's randomness.
pub fn random() -> anyhow::Result<String> {
    let mut out = String::with_capacity(LEN);
    while out.len() < LEN {
        let mut b = [0u8; 1];
        rand::rngs::OsRng
            .try_fill_bytes(&mut b)
            .map_err(|e| anyhow::anyhow!("no randomness from the operating system: {e}"))?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        if usize::from(b[0]) < limit {
            out.push(char::from(ALPHABET[usize::from(b[0]) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

/// A code as typed, normalised; `None` when it cannot be a code.
pub fn parse(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == LEN && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_no_look_alikes_and_parse_back() {
        for _ in 0..200 {
            let c = random().expect("code");
            assert_eq!(c.len(), LEN);
            assert!(!c.contains(['0', 'O', '1', 'I', 'L']), "{c}");
            assert_eq!(parse(&c).as_deref(), Some(c.as_str()));
        }
        assert_eq!(parse(" abc-234 ").as_deref(), Some("ABC234"));
        assert_eq!(parse("ABC 23").as_deref(), None);
        assert_eq!(parse("ABCO23"), None, "O is not used");
        assert_eq!(parse("ÅBC234"), None);
    }
}
