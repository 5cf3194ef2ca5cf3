//! Publishing a write's commit: retries with backoff.

use std::sync::Arc;
use std::time::Duration;

use crate::now_millis;
use strata_core::commit::{Attempt, CommitChanges, Committer};
use strata_core::snapshot::Snapshot;
use strata_core::table::Table;
use strata_core::{Error, Result};

/// Waits between commit attempts: 10 ms doubling to 10 s, with jitter, for up to 10 retries.
pub(super) struct Backoff {
    wait: Duration,
    retries: u32,
}

impl Backoff {
    pub(super) fn new() -> Self {
        Backoff {
            wait: Duration::from_millis(10),
            retries: 0,
        }
    }

    /// Sleeps before the next attempt; an error once the retries are spent.
    pub(super) async fn wait(&mut self) -> Result<()> {
        if self.retries == 10 {
            // A conflict: nothing was published, so the caller may remove its files.
            return Err(Error::Conflict(
                "gave up after 10 retries (too many concurrent committers)".into(),
            ));
        }
        self.retries += 1;
        let jitter = rand_percent() * self.wait.as_millis() as u64 / 100;
        tokio::time::sleep(self.wait + Duration::from_millis(jitter)).await;
        self.wait = (self.wait * 2).min(Duration::from_secs(10));
        Ok(())
    }
}

/// 0..20, from a fresh UUID's randomness.
fn rand_percent() -> u64 {
    uuid::Uuid::new_v4().as_bytes()[0] as u64 % 20
}

/// Publishes a commit, retrying lost races with backoff (10 ms doubling to 10 s, up to 10
/// retries). A retry never lands twice: each attempt first looks for its own earlier success.
pub async fn commit_with_retries(
    table: Arc<Table>,
    user: &str,
    changes: &CommitChanges,
    identifier: i64,
    since: Option<i64>,
) -> Result<Snapshot> {
    let committer = Committer::new(table, user);
    let mut backoff = Backoff::new();
    loop {
        let uuid = uuid::Uuid::new_v4().to_string();
        match committer
            .try_commit(changes, identifier, &uuid, now_millis(), since)
            .await?
        {
            Attempt::Committed(s) => return Ok(*s),
            Attempt::Lost => backoff.wait().await?,
        }
    }
}
