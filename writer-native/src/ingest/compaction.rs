//! Ingest's background compaction: core's [`CompactionPolicy`] says when; this runs one
//! compaction at a time on a tokio task beside the ingest loop.

use std::sync::Arc;

use strata_core::compaction::{compact, CompactOptions, CompactionPolicy};
use strata_core::snapshot::Snapshot;
use strata_core::table::Table;
use strata_core::Result;

/// The running compaction, if any, and the commits made since the last one started.
#[derive(Default)]
pub(super) struct BackgroundCompaction {
    running: Option<tokio::task::JoinHandle<Result<Option<Snapshot>>>>,
    commits_since: u32,
}

impl BackgroundCompaction {
    /// After a commit: starts a compaction when the policy asks for one and none is running.
    pub(super) fn after_commit(&mut self, table: Arc<Table>, enabled: bool) {
        self.commits_since += 1;
        if !CompactionPolicy::new(table.schema(), enabled).after_commit() {
            return;
        }
        if self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        if let Some(r) = self
            .running
            .take()
            .and_then(futures::FutureExt::now_or_never)
        {
            log_compaction(r);
        }
        self.commits_since = 0;
        self.running = Some(tokio::spawn(async move {
            compact(table, CompactOptions::default(), crate::runtime::env()).await
        }));
    }

    /// The stop trigger: a compaction that fell several commits behind makes ingest wait.
    pub(super) async fn wait_if_behind(&mut self, table: &Table, enabled: bool) {
        let must_wait =
            CompactionPolicy::new(table.schema(), enabled).must_wait(self.commits_since);
        if must_wait && self.running.as_ref().is_some_and(|h| !h.is_finished()) {
            tracing::info!("compaction is behind: waiting for it (stop trigger)");
            if let Some(h) = self.running.take() {
                log_compaction(h.await);
            }
        }
    }

    /// Waits for the running compaction; with the `lookup` changelog producer, compacts once
    /// more so that the last commits' changes reach the changelog before the process ends.
    pub(super) async fn finish(&mut self, table: Option<Arc<Table>>, enabled: bool) {
        if let Some(h) = self.running.take() {
            log_compaction(h.await);
        }
        let Some(table) = table else {
            return;
        };
        if CompactionPolicy::new(table.schema(), enabled).before_stop(self.commits_since) {
            self.commits_since = 0;
            log_compaction(Ok(compact(
                table,
                CompactOptions::default(),
                crate::runtime::env(),
            )
            .await));
        }
    }
}

fn log_compaction(r: std::result::Result<Result<Option<Snapshot>>, tokio::task::JoinError>) {
    match r {
        Ok(Ok(Some(s))) => tracing::info!(snapshot = s.id, "compacted"),
        Ok(Ok(None)) => {}
        // A conflict means another writer compacted the bucket first: nothing is lost.
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "background compaction failed; it will run again after the next commit")
        }
        Err(e) => tracing::warn!(error = %e, "background compaction panicked"),
    }
}
