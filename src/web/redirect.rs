//! Where bubbla may send a browser back to: only paths on this site.
//!
//! A `back=` value comes from the address bar, so it is hostile until
//! checked. Browsers drop tabs and newlines from URLs and read `\` as `/`,
//! so `/\t/evil.example` and `/\evil.example` would both leave the site;
//! anything that is not plainly a path here is refused.

/// `raw` if it is a path on this site, safe to put in a `Location` header;
/// `None` otherwise (callers then use `/`).
pub fn local_path(raw: &str) -> Option<&str> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    // No `//` and no dot segments, so that no normalisation can turn the
    // path into `//host`.
    let plain_segments = !path.contains("//")
        && !path.split('/').any(|s| {
            let s = s.to_ascii_lowercase().replace("%2e", ".");
            s == "." || s == ".."
        });
    let ok = raw.starts_with('/')
        && plain_segments
        && !raw.chars().any(|c| c.is_control() || c == '\\' || c.is_whitespace())
        // Only printable ASCII: anything else must arrive percent-encoded.
        && raw.bytes().all(|b| (0x21..0x7f).contains(&b));
    ok.then_some(raw)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_plain_local_paths_pass() {
        for ok in ["/", "/search?q=varg&algorithm=popular", "/compare?q=%C3%A5"] {
            assert_eq!(local_path(ok), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "search",
            "//evil.example",
            "/\t/evil.example",
            "/\n",
            "/\\evil.example",
            "\\\\evil.example",
            "https://evil.example/",
            "/ /x",
            "/å",
            "/\u{0}x",
            "/.//evil.example",
            "/..//evil.example",
            "/%2e%2e/x",
            "/a//b",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
