//! The headless-Chromium suite: bubbla's real pages in a real browser.
//! Every test is `#[ignore]`; run with
//! `cargo test --locked --test browser -- --ignored --test-threads=2`.
//!
//! Each test starts its own bubbla (fresh data folder) and chromedriver on
//! free ports of 127.0.0.1; each simulated person is a WebDriver session of
//! its own (own profile, own cookies). They need /usr/bin/chromium,
//! /usr/bin/chromedriver (Debian's `chromium`, `chromium-driver`) and
//! axe-core in tests/browser/node_modules (`npm ci` there).

mod harness;
mod lessons;
mod pages;
mod rooms;
