//! Commit planning and publication, sans IO except through the storage trait: new manifests,
//! a delta manifest list, a base manifest list (the previous snapshot's manifests, merged when
//! there are many), then the snapshot, created only if absent, then the `LATEST` hint.
//!
//! [`Committer::try_commit`] makes one attempt. A lost race ([`Attempt::Lost`]) is retried by
//! the caller, which owns the clock (backoff) and randomness (the attempt's file-name UUID).
//! Each attempt first looks for the committer's own earlier success (same commit user,
//! identifier and kind), so a retried commit never lands twice.
//!
//! On object stores the snapshot's conditional put can end without a clear answer (a timeout,
//! a reset after the body was sent, an `AlreadyExists` answering the store client's own retry
//! of a put that had landed). Such an answer is settled by reading the snapshot back and
//! comparing it with the attempt's bytes (its UUID, commit user and identifier): a commit is
//! reported done only when its snapshot is there, failed only when it certainly is not, and
//! otherwise [`Error::OutcomeUnknown`], keeping its files.

mod base;
mod conflict;
#[cfg(test)]
mod fault_tests;
mod manifest_merge;
mod manifest_meta;
pub mod offsets;
mod plan;
#[cfg(test)]
mod plan_tests;
mod publish;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};

pub use base::CommitBase;
pub use conflict::check_conflicts;
pub use manifest_merge::ManifestMergeOptions;
pub use manifest_meta::manifest_meta;
pub use plan::{plan_commit, AttemptId, CommitPlan};
use publish::{publish, Published};

use crate::manifest::{manifest_path, IndexManifestEntry, ManifestEntry};
use crate::snapshot::{
    latest_snapshot_id, list_snapshot_ids, snapshot_path, write_hint, CommitKind, Snapshot,
    LATEST_HINT,
};
use crate::table::Table;
use crate::{Error, Result};

/// How many manifest files one commit puts at once.
const MANIFEST_PUTS: usize = 8;

/// Version string Strata writes into snapshots.
pub const WRITER_VERSION: &str = concat!("strata-", env!("CARGO_PKG_VERSION"));

/// What one commit changes.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    /// APPEND, OVERWRITE or COMPACT.
    pub kind: CommitKind,
    /// ADD and DELETE entries of data files.
    pub entries: Vec<ManifestEntry>,
    /// ADD entries of changelog files.
    pub changelog: Vec<ManifestEntry>,
    /// Snapshot properties.
    pub properties: Option<std::collections::BTreeMap<String, String>>,
    /// Source offsets this commit consumed (exactly-once ingest); checked against the table
    /// and stored in the snapshot's properties. Commits without claims carry the latest
    /// snapshot's offsets forward.
    pub offsets: Vec<offsets::OffsetClaim>,
    /// ADD and DELETE entries of index files (dynamic-bucket HASH indexes). The new
    /// snapshot's index manifest is the latest one's live entries minus the deleted plus the
    /// added; a delete of an index file that is no longer live is a conflict.
    pub index: Vec<IndexManifestEntry>,
    /// The HASH index files a dynamic-bucket writer assigned buckets from, per partition
    /// (serialized partition row) where it added keys: the commit is a conflict when the
    /// partition's live HASH files differ, since another writer may have put the same new key
    /// in another bucket.
    pub index_base: Vec<(Vec<u8>, Vec<String>)>,
    /// Cross-partition upserts: the snapshot id (0 for an empty table) whose keys routed the
    /// write. A later snapshot that adds rows (APPEND or OVERWRITE) is a conflict, since a
    /// key it wrote may now live in two partitions; compactions move no key.
    pub keys_read_at: Option<i64>,
}

/// The outcome of one commit attempt.
#[derive(Debug)]
pub enum Attempt {
    /// The snapshot was published (or an earlier attempt of this commit already was).
    Committed(Box<Snapshot>),
    /// Another committer published the snapshot id first: try again.
    Lost,
}

/// The manifest files one attempt wrote, and whether it reached its snapshot's put.
#[derive(Debug, Default)]
struct AttemptFiles {
    names: Vec<String>,
    publishing: bool,
}

/// Commits on behalf of one commit user.
#[derive(Debug, Clone)]
pub struct Committer {
    table: Arc<Table>,
    commit_user: String,
}

impl Committer {
    /// A committer for `table` identified by `commit_user` (stable across a job's restarts).
    pub fn new(table: Arc<Table>, commit_user: impl Into<String>) -> Self {
        Committer {
            table,
            commit_user: commit_user.into(),
        }
    }

    /// The commit user.
    pub fn commit_user(&self) -> &str {
        &self.commit_user
    }

    /// The snapshot of an earlier commit of this user with this identifier and kind, among
    /// snapshots `from..=latest`.
    pub async fn find_committed(
        &self,
        from: i64,
        identifier: i64,
        kind: CommitKind,
    ) -> Result<Option<Snapshot>> {
        let storage = self.table.storage();
        let Some(latest) = latest_snapshot_id(storage).await? else {
            return Ok(None);
        };
        // The snapshots that exist, newest first: listed where the storage can list (ids
        // come from file names, so a forged id cannot make this walk 2^63 numbers), else
        // the id range from the earliest one.
        let ids: Vec<i64> = match list_snapshot_ids(storage).await? {
            Some(ids) => ids
                .into_iter()
                .filter(|&id| id >= from && id <= latest)
                .rev()
                .collect(),
            None => {
                let earliest = crate::snapshot::earliest_snapshot_id(storage)
                    .await?
                    .unwrap_or(1);
                (from.max(earliest)..=latest).rev().collect()
            }
        };
        for id in ids {
            let s = match Snapshot::load(storage, id).await {
                Ok(s) => s,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            if s.commit_user == self.commit_user
                && s.commit_identifier == identifier
                && s.commit_kind == kind
            {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    /// One commit attempt. `uuid` names the files this attempt writes (use a fresh one per
    /// attempt); `now_millis` is the commit time; `since` is the latest snapshot id the commit
    /// knew when it was prepared (its own earlier success is looked for after it).
    ///
    /// An attempt that ends before its snapshot is published (lost race, conflict, failed
    /// write) deletes the manifests it wrote, as Paimon does, and its error is a
    /// [`Error::Conflict`] or [`Error::Uncommitted`]; one whose snapshot put failed with an
    /// unknown outcome keeps them, since the snapshot may be live.
    pub async fn try_commit(
        &self,
        changes: &CommitChanges,
        identifier: i64,
        uuid: &str,
        now_millis: i64,
        since: Option<i64>,
    ) -> Result<Attempt> {
        let mut written = AttemptFiles::default();
        let outcome = self
            .attempt(
                changes,
                AttemptId {
                    commit_user: &self.commit_user,
                    identifier,
                    uuid,
                    now_millis,
                },
                since,
                &mut written,
            )
            .await;
        let unpublished = match &outcome {
            Ok(Attempt::Lost) => true,
            Ok(Attempt::Committed(_)) => false,
            Err(_) => !written.publishing,
        };
        if unpublished {
            let storage = self.table.storage();
            for name in &written.names {
                if let Ok(path) = manifest_path(name) {
                    let _ = storage.delete(&path).await;
                }
            }
        }
        match outcome {
            Err(e) if unpublished && !e.is_unpublished() => Err(Error::Uncommitted(Box::new(e))),
            other => other,
        }
    }

    async fn attempt(
        &self,
        changes: &CommitChanges,
        who: AttemptId<'_>,
        since: Option<i64>,
        written: &mut AttemptFiles,
    ) -> Result<Attempt> {
        let storage = self.table.storage();
        let from = since.map_or(Some(1), |s| s.checked_add(1));
        if let Some(from) = from {
            if let Some(s) = self
                .find_committed(from, who.identifier, changes.kind)
                .await?
            {
                return Ok(Attempt::Committed(Box::new(s)));
            }
        }
        let base = CommitBase::load(storage, changes).await?;
        let plan = plan_commit(&base, changes, who)?;
        written.names = plan.files.iter().map(|(name, _)| name.clone()).collect();
        futures::stream::iter(plan.files)
            .map(|(name, bytes)| async move { storage.put(&manifest_path(&name)?, bytes).await })
            .buffer_unordered(MANIFEST_PUTS)
            .try_collect::<()>()
            .await?;
        let snapshot = plan.snapshot;
        written.publishing = true;
        let path = snapshot_path(snapshot.id);
        match publish(storage, &path, Bytes::from(snapshot.to_json())).await? {
            Published::Ours => {}
            Published::Theirs => return Ok(Attempt::Lost),
            Published::Refused(e) => {
                written.publishing = false;
                return Err(e);
            }
        }
        // The hint is only a hint: readers probe past it, so a failure here loses nothing.
        let _ = write_hint(storage, LATEST_HINT, snapshot.id).await;
        Ok(Attempt::Committed(Box::new(snapshot)))
    }
}
