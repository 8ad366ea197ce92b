//! Headers every response carries, so that a browser enforces what bubbla
//! promises: nothing is loaded from elsewhere and no page runs inline code
//! (`Content-Security-Policy`), no address leaks to another site
//! (`Referrer-Policy`), no file is read as another type
//! (`X-Content-Type-Options`), and what we know about you is never cached.

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Only this server's own files; no inline scripts or styles, no frames,
/// no `<base>`, forms post only here.
pub const CSP: &str =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Middleware: the security headers, and `no-store` on the pages about you.
pub async fn headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let private = req.uri().path() == "/me" || req.uri().path().starts_with("/me/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if private {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
