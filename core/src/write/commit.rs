//! Publishing a write's commit: retries with backoff.

use std::sync::Arc;
use std::time::Duration;

use super::WriteEnv;
use crate::commit::{Attempt, CommitChanges, Committer};
use crate::manifest::FileKind;
use crate::snapshot::Snapshot;
use crate::table::Table;
use crate::{Error, Result};

/// Waits between commit attempts: 10 ms doubling to 10 s, with jitter, for up to 10 retries.
pub(crate) struct Backoff<'a> {
    wait: Duration,
    retries: u32,
    env: &'a dyn WriteEnv,
}

impl<'a> Backoff<'a> {
    pub(crate) fn new(env: &'a dyn WriteEnv) -> Self {
        Backoff {
            wait: Duration::from_millis(10),
            retries: 0,
            env,
        }
    }

    /// Sleeps before the next attempt; an error once the retries are spent.
    pub(crate) async fn wait(&mut self) -> Result<()> {
        if self.retries == 10 {
            // A conflict: nothing was published, so the caller may remove its files.
            return Err(Error::Conflict(
                "gave up after 10 retries (too many concurrent committers)".into(),
            ));
        }
        self.retries += 1;
        // Up to 20 % more, so racing writers spread out.
        let jitter = self.env.random_below(20) * self.wait.as_millis() as u64 / 100;
        self.env
            .sleep(self.wait + Duration::from_millis(jitter))
            .await;
        self.wait = (self.wait * 2).min(Duration::from_secs(10));
        Ok(())
    }
}

/// Publishes a commit, retrying lost races with backoff (10 ms doubling to 10 s, up to 10
/// retries). A retry never lands twice: each attempt first looks for its own earlier success.
pub async fn commit_with_retries(
    table: Arc<Table>,
    user: &str,
    changes: &CommitChanges,
    identifier: i64,
    since: Option<i64>,
    env: &dyn WriteEnv,
) -> Result<Snapshot> {
    let committer = Committer::new(table, user);
    let mut backoff = Backoff::new(env);
    let clock = crate::log::Stopwatch::start();
    let mut attempt = 0u32;
    loop {
        attempt = attempt.saturating_add(1);
        let uuid = env.unique_id();
        match committer
            .try_commit(changes, identifier, &uuid, env.now_millis(), since)
            .await?
        {
            Attempt::Committed(s) => {
                let (added, deleted) =
                    changes
                        .entries
                        .iter()
                        .fold((0, 0), |(a, d), e| match e.kind {
                            FileKind::Add => (a + 1, d),
                            FileKind::Delete => (a, d + 1),
                        });
                tracing::info!(
                    snapshot = s.id,
                    kind = ?s.commit_kind,
                    rows = s.delta_record_count.unwrap_or(0),
                    files_added = added,
                    files_deleted = deleted,
                    changelog_files = changes.changelog.len(),
                    attempts = attempt,
                    ms = clock.ms(),
                    "committed"
                );
                return Ok(*s);
            }
            Attempt::Lost => {
                tracing::debug!(
                    attempt,
                    "another writer took the snapshot id; planning again"
                );
                backoff.wait().await?
            }
        }
    }
}
