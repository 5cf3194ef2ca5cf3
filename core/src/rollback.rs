//! Rollback: making an earlier snapshot the latest again, as Paimon's `rollback_to` does.
//!
//! Every snapshot newer than the target goes, with the tags on them, then the files only they
//! used. The snapshot files go first (newest first) and the `LATEST` hint follows, so a crash
//! midway leaves orphans for [`crate::orphan::clean_orphans`], never a live snapshot naming a
//! deleted file. A tag whose snapshot has expired can still be the target: its snapshot is
//! written back first. Rollback is an administrator's operation: writers committing at the
//! same time may commit on top of a snapshot that is being removed.

use std::collections::HashSet;

use bytes::Bytes;

use crate::expire::{existing_snapshot_ids, snapshot_files, tags, Removed};
use crate::scan::SnapshotSpec;
use crate::schema::TableSchema;
use crate::snapshot::{snapshot_path, tag_path, write_hint, Snapshot, Tag, LATEST_HINT};
use crate::storage::Storage;
use crate::{Error, Result};

/// What a rollback removes: the newer snapshots, their tags and their files.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RolledBack {
    /// The snapshot that is now the latest.
    pub to: i64,
    /// Removed snapshots and files.
    pub removed: Removed,
    /// Removed tags (they named removed snapshots).
    pub tags: Vec<String>,
}

/// Rolls the table back to `target` (a snapshot id or a tag). With `dry_run`, deletes
/// nothing and returns what it would delete.
pub async fn rollback(
    storage: &dyn Storage,
    target: &SnapshotSpec,
    dry_run: bool,
) -> Result<RolledBack> {
    let schema = TableSchema::load_latest(storage).await?;
    let (to, restore) = match target {
        SnapshotSpec::Id(id) => match Snapshot::load(storage, *id).await {
            Ok(s) => (s, false),
            Err(Error::NotFound { .. }) => {
                return Err(Error::NotFound {
                    path: format!(
                        "snapshot {id} (expired or never committed; roll back to a tag instead)"
                    ),
                })
            }
            Err(e) => return Err(e),
        },
        SnapshotSpec::Tag(name) => {
            crate::path::check_file_name(&format!("tag-{name}"), "tag name")?;
            let path = tag_path(name);
            let tag = Tag::from_json(&storage.get(&path).await?, &path)?;
            let exists = storage
                .head(&snapshot_path(tag.snapshot.id))
                .await?
                .is_some();
            (tag.snapshot, !exists)
        }
        other => {
            return Err(Error::InvalidValue(format!(
                "rollback needs a snapshot id or a tag, not {other:?}"
            )))
        }
    };
    let ids = existing_snapshot_ids(storage).await?;
    let newer: Vec<i64> = ids.iter().copied().filter(|&id| id > to.id).collect();
    let all_tags = tags(storage).await?;
    let (dropped_tags, kept_tags): (Vec<_>, Vec<_>) = all_tags
        .into_iter()
        .partition(|(_, t)| t.snapshot.id > to.id);

    let mut candidates = HashSet::new();
    for &id in &newer {
        candidates
            .extend(snapshot_files(storage, &schema, &Snapshot::load(storage, id).await?).await?);
    }
    for (_, t) in &dropped_tags {
        candidates.extend(snapshot_files(storage, &schema, &t.snapshot).await?);
    }
    let mut keep = snapshot_files(storage, &schema, &to).await?;
    for &id in ids.iter().filter(|&&id| id < to.id) {
        keep.extend(snapshot_files(storage, &schema, &Snapshot::load(storage, id).await?).await?);
    }
    for (_, t) in &kept_tags {
        keep.extend(snapshot_files(storage, &schema, &t.snapshot).await?);
    }
    let mut files: Vec<String> = candidates.difference(&keep).cloned().collect();
    files.sort();
    let result = RolledBack {
        to: to.id,
        removed: Removed {
            snapshots: newer.clone(),
            files,
        },
        tags: dropped_tags.iter().map(|(n, _)| n.clone()).collect(),
    };
    if dry_run {
        return Ok(result);
    }
    if restore {
        match storage
            .put_if_absent(&snapshot_path(to.id), Bytes::from(to.to_json()))
            .await
        {
            Ok(()) | Err(Error::AlreadyExists { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    for id in newer.iter().rev() {
        storage.delete(&snapshot_path(*id)).await?;
    }
    write_hint(storage, LATEST_HINT, to.id).await?;
    if restore {
        // The tag outlived its snapshot: everything older expired too.
        write_hint(storage, crate::snapshot::EARLIEST_HINT, to.id).await?;
    }
    for name in &result.tags {
        storage.delete(&tag_path(name)).await?;
    }
    crate::expire::delete_files(storage, &schema, &result.removed.files).await?;
    Ok(result)
}

#[cfg(test)]
#[path = "rollback_tests.rs"]
mod tests;
