//! Ctrl-C (SIGINT) for the long commands: they stop at a safe point, commit nothing half
//! done, remove what an unfinished write wrote, and the process exits with 130.
//!
//! A snapshot is published with one put-if-absent, so stopping never leaves a half commit.
//! `write` checks for the signal between input batches and then aborts its writer (deleting
//! the files it wrote); a commit already under way finishes. `compact` checks between
//! buckets and deletes the files it had rewritten. Reads are dropped where they stand.
//! `ingest` has its own shutdown: it commits what it buffered, with the source offsets, and
//! stops.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use strata_core::snapshot::Snapshot;
use strata_core::table::Table;

use crate::write::input::InputFormat;
use strata_core::write::WriteOptions;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the command was stopped by Ctrl-C (the binary then exits with 130).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Resolves at the first Ctrl-C after it is first polled (which is when SIGINT stops
/// killing the process).
async fn signalled() {
    if tokio::signal::ctrl_c().await.is_ok() {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }
}

/// The error an interrupted command returns: the binary reports `what` and exits with 130.
fn stopped(what: &str) -> strata_core::Error {
    eprintln!("strata: interrupted: {what}");
    strata_core::Error::Uncommitted(Box::new(strata_core::Error::Storage {
        path: "strata".into(),
        message: "interrupted by Ctrl-C".into(),
    }))
}

/// Runs `command`, dropping it at Ctrl-C: for reads, and for work whose commit (if any) is
/// one atomic put and which writes nothing before it.
pub(super) async fn or_interrupt<T>(
    what: &str,
    command: impl Future<Output = strata_core::Result<T>>,
) -> strata_core::Result<T> {
    tokio::select! {
        r = command => r,
        _ = signalled() => Err(stopped(what)),
    }
}

/// Notes a Ctrl-C while `command` runs without stopping it (ingest stops itself, committing
/// what it buffered).
pub(super) async fn noting_interrupt<T>(command: impl Future<Output = T>) -> T {
    let watcher = tokio::spawn(signalled());
    let r = command.await;
    watcher.abort();
    r
}

/// `strata write` ([`crate::write::write_files_until`]): at Ctrl-C, between batches, the
/// writer is aborted (its files deleted) and nothing is committed.
pub(super) async fn write_files(
    table: Arc<Table>,
    files: Vec<(String, InputFormat)>,
    extra: Vec<String>,
    opts: WriteOptions,
) -> strata_core::Result<Option<Snapshot>> {
    let written = crate::write::write_files_until(table, files, extra, opts, signalled()).await;
    if interrupted() {
        return Err(stopped(
            "nothing was committed; the files this write had written are removed",
        ));
    }
    written
}

/// `strata compact` ([`strata_core::compaction::compact_until`]): at Ctrl-C, between
/// buckets, the files already rewritten are deleted and nothing is committed.
pub(super) async fn compact(
    table: Arc<Table>,
    opts: strata_core::compaction::CompactOptions,
) -> strata_core::Result<Option<Snapshot>> {
    let env = crate::progress::ShownEnv::new(crate::runtime::env(), "compacting");
    let compacted =
        strata_core::compaction::compact_until(table, opts, env.clone(), signalled()).await;
    env.finish();
    if interrupted() {
        return Err(stopped(
            "nothing was committed; the files this compaction had rewritten are removed",
        ));
    }
    compacted
}
