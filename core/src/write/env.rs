//! What a write asks of its driver: a clock, unique ids, a way to wait between commit
//! attempts and CPU parallelism. The core has no clock, randomness, timers or threads of its
//! own; the native driver hands in the system's, tests hand in fixed ones.

use std::time::Duration;

use futures::future::BoxFuture;

/// The driver's side of a write or compaction.
pub trait WriteEnv: Send + Sync {
    /// The wall clock in epoch milliseconds (snapshot and file creation times).
    fn now_millis(&self) -> i64;
    /// A fresh, globally unique id (a random UUID's text): the `<uuid>` of data, changelog and
    /// index file names, commit users and commit attempts. Writes rely on it: two writers given
    /// one id would write the same file names and look like one commit user.
    fn unique_id(&self) -> String;
    /// A random number in `0..n` (`n > 0`): jitter between commit attempts.
    fn random_below(&self, n: u64) -> u64;
    /// A future that completes after `duration` (the wait between commit attempts).
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
    /// Runs `job(0)`, …, `job(n - 1)`, each once, possibly several at a time on threads of
    /// the driver's, and returns when all have run. Jobs are CPU work (sorting, merging and
    /// encoding a bucket's rows); lower indexes are the larger ones, so take them first. The
    /// default runs them in order on the caller's thread.
    fn run_all(&self, n: usize, job: &(dyn Fn(usize) + Sync)) {
        (0..n).for_each(job);
    }
    /// How far a long piece of work has come, for drivers that show it (a progress bar).
    /// The default ignores it.
    fn progress(&self, _step: Progress) {}
}

/// A report of how far a long piece of work has come (see [`WriteEnv::progress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// A compaction has rewritten `done` of its `total` units (buckets, or an append
    /// table's groups of small files).
    Compacted {
        /// Units rewritten so far.
        done: usize,
        /// Units the compaction plans to rewrite.
        total: usize,
    },
}

/// A [`WriteEnv`] for tests and single-threaded drivers: a fixed clock, counted ids, no
/// jitter, waits that complete at once and jobs run in order.
#[derive(Debug, Default)]
pub struct FixedEnv {
    /// The clock's reading.
    pub now: i64,
    next: std::sync::atomic::AtomicU64,
}

impl FixedEnv {
    /// An environment whose clock reads `now`.
    pub fn new(now: i64) -> Self {
        FixedEnv {
            now,
            next: Default::default(),
        }
    }
}

impl WriteEnv for FixedEnv {
    fn now_millis(&self) -> i64 {
        self.now
    }

    fn unique_id(&self) -> String {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("00000000-0000-4000-8000-{n:012x}")
    }

    fn random_below(&self, _n: u64) -> u64 {
        0
    }

    fn sleep(&self, _duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}
