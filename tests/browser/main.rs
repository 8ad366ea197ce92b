//! The headless-Chromium suite: bubbla's real pages in a real browser.
//! Every test is `#[ignore]`; run with
//! `cargo test --locked --test browser -- --ignored --test-threads=2`.
