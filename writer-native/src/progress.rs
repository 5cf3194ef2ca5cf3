//! Progress on stderr for the long commands (write, compact, scan, diff): a bar where the
//! amount of work is known (buckets to compact), a counter with its rate where it is not (rows
//! written or read). Shown only to someone watching: stderr is a terminal and `--quiet` is
//! off; for commands whose rows go to stdout, only while stdout is not that terminal too.
//! Elsewhere (pipes, CI logs, tests) nothing is drawn and nothing is slowed.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use strata_core::write::{Progress as Step, WriteEnv};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Turns progress off for the whole process (`--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::SeqCst);
}

fn watched(rows_to_stdout: bool) -> bool {
    !QUIET.load(Ordering::SeqCst)
        && std::io::stderr().is_terminal()
        && !(rows_to_stdout && std::io::stdout().is_terminal())
}

/// A progress display: a no-op where no one watches.
#[derive(Default)]
pub struct Progress(Option<ProgressBar>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Progress").field(&self.0.is_some()).finish()
    }
}

impl Progress {
    /// Nothing shown.
    pub fn hidden() -> Self {
        Progress(None)
    }

    /// A counter of `unit`s with its rate, after `verb` ("writing", "reading").
    /// `rows_to_stdout`: the command prints its rows, so stay quiet when they go to the terminal.
    pub fn counter(verb: &str, unit: &'static str, rows_to_stdout: bool) -> Self {
        if !watched(rows_to_stdout) {
            return Self::hidden();
        }
        let style = ProgressStyle::with_template(&format!(
            "{{spinner}} {verb} {{human_pos}} {unit} ({{per_sec}}, {{elapsed}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
        Self::drawn(ProgressBar::new_spinner().with_style(style))
    }

    /// A bar of `total` `unit`s, after `verb`.
    pub fn bar(verb: &str, unit: &'static str, total: u64) -> Self {
        if !watched(false) {
            return Self::hidden();
        }
        let style = ProgressStyle::with_template(&format!(
            "{verb} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{elapsed}}, about {{eta}} left)"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        Self::drawn(ProgressBar::new(total).with_style(style))
    }

    fn drawn(bar: ProgressBar) -> Self {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress(Some(bar))
    }

    /// Adds `n` units.
    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }

    /// `done` of `total` units.
    pub fn set(&self, done: u64, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
            b.set_position(done);
        }
    }

    /// Removes the display (the command's own summary line follows).
    pub fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// Clears the line, also on errors and Ctrl-C, so that messages print cleanly.
    fn drop(&mut self) {
        self.finish();
    }
}

/// A [`WriteEnv`] that shows core's progress reports (`Step`) on a bar and leaves everything
/// else to `inner`.
pub struct ShownEnv {
    inner: Arc<dyn WriteEnv>,
    verb: &'static str,
    bar: std::sync::Mutex<Option<Progress>>,
}

impl ShownEnv {
    /// `inner` with compaction progress shown after `verb`.
    pub fn new(inner: Arc<dyn WriteEnv>, verb: &'static str) -> Arc<Self> {
        Arc::new(ShownEnv {
            inner,
            verb,
            bar: std::sync::Mutex::new(None),
        })
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Ok(bar) = self.bar.lock() {
            if let Some(b) = bar.as_ref() {
                b.finish();
            }
        }
    }
}

impl WriteEnv for ShownEnv {
    fn now_millis(&self) -> i64 {
        self.inner.now_millis()
    }
    fn unique_id(&self) -> String {
        self.inner.unique_id()
    }
    fn random_below(&self, n: u64) -> u64 {
        self.inner.random_below(n)
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.inner.sleep(duration)
    }
    fn run_all(&self, n: usize, job: &(dyn Fn(usize) + Sync)) {
        self.inner.run_all(n, job)
    }
    fn progress(&self, step: Step) {
        let Ok(mut bar) = self.bar.lock() else {
            return;
        };
        match step {
            Step::Compacted { done, total } => bar
                .get_or_insert_with(|| Progress::bar(self.verb, "buckets", total as u64))
                .set(done as u64, total as u64),
        }
    }
}
