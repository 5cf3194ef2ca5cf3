//! Incremental reads: what snapshots added, as rows with their row kinds.
//!
//! Without a changelog producer a snapshot's changes are the ADD entries of its delta manifest
//! list, and only APPEND snapshots count (COMPACT rewrites, OVERWRITE replaces). With a
//! producer (`input`, `lookup`, `full-compaction`) they are the files of its changelog manifest
//! list, for every snapshot but OVERWRITE ones.

use std::collections::BTreeMap;

use super::plan::Split;
use crate::bucket::BucketKey;
use crate::manifest::{read_manifest, read_manifest_list, FileKind};
use crate::options::{ChangelogProducer, TableOptions};
use crate::snapshot::{CommitKind, Snapshot};
use crate::table::Table;
use crate::Result;

/// Whether a snapshot carries changes a reader of `producer` tables follows.
pub fn carries_changes(snapshot: &Snapshot, producer: ChangelogProducer) -> bool {
    match producer {
        ChangelogProducer::None => snapshot.commit_kind == CommitKind::Append,
        _ => {
            snapshot.commit_kind != CommitKind::Overwrite
                && snapshot.changelog_manifest_list.is_some()
        }
    }
}

/// The splits of the changes one snapshot made (empty when it carries none), one per
/// (partition, bucket), files in commit order, read without merging.
pub async fn snapshot_changes(table: &Table, snapshot: &Snapshot) -> Result<Vec<Split>> {
    let schema = table.schema_by_id(snapshot.schema_id).await?;
    let producer = TableOptions::new(&schema.options).changelog_producer()?;
    if !carries_changes(snapshot, producer) {
        return Ok(Vec::new());
    }
    let list = match producer {
        ChangelogProducer::None => snapshot.delta_manifest_list.clone(),
        _ => match &snapshot.changelog_manifest_list {
            Some(list) => list.clone(),
            None => return Ok(Vec::new()),
        },
    };
    let mut groups: BTreeMap<BucketKey, Split> = BTreeMap::new();
    for m in read_manifest_list(table.storage(), &list).await? {
        for e in read_manifest(table.storage(), &m.file_name).await? {
            if e.kind != FileKind::Add || e.bucket == -2 {
                continue;
            }
            groups
                .entry(e.bucket_key())
                .or_insert_with(|| Split {
                    partition: e.partition.clone(),
                    bucket: e.bucket,
                    files: Vec::new(),
                    raw_convertible: true,
                    deletion_files: Default::default(),
                })
                .files
                .push(e.file);
        }
    }
    Ok(groups.into_values().collect())
}
