//! Progress of long work (indexing, evaluation): a bar on stderr that only
//! appears when the work takes over a second, and counters the server can
//! show on its pages while it indexes in the background.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Work shorter than this shows no bar.
const SHOW_AFTER: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Progress {
    inner: Arc<Inner>,
}

struct Inner {
    total: AtomicU64,
    done: AtomicU64,
    started: Instant,
    bar: ProgressBar,
    terminal: bool,
    visible: AtomicBool,
}

impl Progress {
    /// A progress reporter that draws a bar on stderr after a second.
    pub fn new(label: &str) -> Progress {
        Progress::make(label, true)
    }

    /// Counts, but never draws (tests, `--quiet`).
    pub fn hidden() -> Progress {
        Progress::make("", false)
    }

    fn make(label: &str, terminal: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        let style = ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        Progress {
            inner: Arc::new(Inner {
                total: AtomicU64::new(0),
                done: AtomicU64::new(0),
                started: Instant::now(),
                bar,
                terminal,
                visible: AtomicBool::new(false),
            }),
        }
    }

    pub fn set_total(&self, total: u64) {
        self.inner.total.store(total, Ordering::Relaxed);
        self.inner.bar.set_length(total);
    }

    pub fn inc(&self, n: u64) {
        let i = &self.inner;
        i.done.fetch_add(n, Ordering::Relaxed);
        if i.terminal && !i.visible.load(Ordering::Relaxed) && i.started.elapsed() > SHOW_AFTER {
            i.visible.store(true, Ordering::Relaxed);
            i.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        i.bar.inc(n);
    }

    /// Share of the work done, 0.0 to 1.0.
    pub fn fraction(&self) -> f64 {
        let total = self.inner.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.inner.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0)
    }

    pub fn finish(&self) {
        if self.inner.visible.load(Ordering::Relaxed) {
            self.inner.bar.finish_and_clear();
        }
    }
}
