//! Choosing the snapshot a read sees: latest, by id, by time, or by tag.

use crate::snapshot::{earliest_snapshot_id, latest_snapshot_id, tag_path, Snapshot, Tag};
use crate::storage::Storage;
use crate::{Error, Result};

/// Which snapshot to read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SnapshotSpec {
    /// The latest snapshot.
    #[default]
    Latest,
    /// Exactly this snapshot (an error if it expired).
    Id(i64),
    /// The latest snapshot committed at or before this time (epoch ms).
    TimestampMillis(i64),
    /// The snapshot a tag holds (readable after the snapshot itself expired).
    Tag(String),
}

/// Resolves `spec`; `None` for a table without snapshots (reading it gives no rows).
pub async fn resolve_snapshot(
    storage: &dyn Storage,
    spec: &SnapshotSpec,
) -> Result<Option<Snapshot>> {
    match spec {
        SnapshotSpec::Latest => match latest_snapshot_id(storage).await? {
            Some(id) => Ok(Some(Snapshot::load(storage, id).await?)),
            None => Ok(None),
        },
        SnapshotSpec::Id(id) => match Snapshot::load(storage, *id).await {
            Err(Error::NotFound { .. }) => Err(Error::NotFound {
                path: format!("snapshot {id} (expired or never committed)"),
            }),
            other => other.map(Some),
        },
        SnapshotSpec::Tag(name) => {
            crate::path::check_file_name(name, "tag name")?;
            let path = tag_path(name);
            let bytes = storage.get(&path).await.map_err(|e| match e {
                Error::NotFound { .. } => Error::NotFound {
                    path: format!("tag {name:?}"),
                },
                other => other,
            })?;
            Ok(Some(Tag::from_json(&bytes, &path)?.snapshot))
        }
        SnapshotSpec::TimestampMillis(t) => {
            let (Some(lo), Some(hi)) = (
                earliest_snapshot_id(storage).await?,
                latest_snapshot_id(storage).await?,
            ) else {
                return Ok(None);
            };
            let first = Snapshot::load(storage, lo).await?;
            if first.time_millis > *t {
                return Err(Error::NotFound {
                    path: format!(
                        "snapshot at or before {t} ms (the earliest, {lo}, is at {})",
                        first.time_millis
                    ),
                });
            }
            // Commit times increase with ids: binary search for the last one <= t.
            let (mut lo, mut hi, mut best) = (lo, hi, first);
            while lo < hi {
                let mid = lo + (hi - lo + 1) / 2;
                let s = Snapshot::load(storage, mid).await?;
                if s.time_millis <= *t {
                    lo = mid;
                    best = s;
                } else {
                    hi = mid - 1;
                }
            }
            Ok(Some(best))
        }
    }
}
