//! What a commit is planned from: the table's state, read once per attempt, and no more of
//! it than the plan needs.

use futures::{StreamExt, TryStreamExt};

use super::manifest_merge::{ManifestContents, ManifestMergeOptions};
use super::offsets::{self, SourceOffsets};
use super::plan::{changes_index, checks_conflicts};
use super::CommitChanges;
use crate::manifest::{
    manifest_path, read_manifest, snapshot_manifests, FileKind, IndexManifestEntry,
    ManifestFileMeta,
};
use crate::options::TableOptions;
use crate::schema::TableSchema;
use crate::snapshot::{latest_snapshot_id, Snapshot};
use crate::storage::Storage;
use crate::Result;

/// How many manifests one commit reads at once.
const MANIFEST_READS: usize = 8;

/// The table's state a commit is planned on ([`super::plan_commit`]).
#[derive(Debug, Clone)]
pub struct CommitBase {
    /// The latest snapshot, if any.
    pub latest: Option<Snapshot>,
    /// The latest schema.
    pub schema: TableSchema,
    /// The latest snapshot's manifests (base, then delta), in order.
    pub manifests: Vec<ManifestFileMeta>,
    /// The entries of the manifests the plan reads: all of them when the commit is checked
    /// for conflicts, else those the manifest merge rewrites.
    pub(crate) contents: ManifestContents,
    /// The table's source offsets, when the commit claims any.
    pub offsets: Option<SourceOffsets>,
    /// The live entries of the latest index manifest, when the commit changes the index.
    pub index: Option<Vec<IndexManifestEntry>>,
}

impl CommitBase {
    /// Reads the state a commit of `changes` is planned on.
    pub async fn load(storage: &dyn Storage, changes: &CommitChanges) -> Result<CommitBase> {
        let latest = match latest_snapshot_id(storage).await? {
            Some(id) => Some(Snapshot::load(storage, id).await?),
            None => None,
        };
        if let (Some(read_at), Some(l)) = (changes.keys_read_at, &latest) {
            rows_added_since(storage, read_at, l).await?;
        }
        let schema = TableSchema::load_latest(storage).await?;
        let manifests = match &latest {
            Some(l) => snapshot_manifests(storage, l).await?,
            None => Vec::new(),
        };
        // Owned names: a stream of futures borrowing `&str` is not `Send` for every lifetime,
        // which native drivers spawning the commit need.
        let names: Vec<String> = if checks_conflicts(changes) {
            manifests.iter().map(|m| m.file_name.clone()).collect()
        } else {
            ManifestMergeOptions::new(&TableOptions::new(&schema.options))?
                .manifests_to_read(&manifests)
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        let contents: ManifestContents = futures::stream::iter(names)
            .map(|name| async move {
                let entries = read_manifest(storage, &name).await?;
                Ok::<_, crate::Error>((name, entries))
            })
            .buffered(MANIFEST_READS)
            .try_collect()
            .await?;
        let offsets = if changes.offsets.is_empty() {
            None
        } else {
            Some(offsets::table_offsets(storage, latest.as_ref()).await?)
        };
        let index = match (
            changes_index(changes),
            latest.as_ref().and_then(|l| l.index_manifest.as_ref()),
        ) {
            (false, _) => None,
            (true, None) => Some(Vec::new()),
            (true, Some(name)) => {
                let path = manifest_path(name)?;
                let bytes = storage.get(&path).await?;
                Some(
                    IndexManifestEntry::read_index_manifest(&bytes, &path)?
                        .into_iter()
                        .filter(|e| e.kind == FileKind::Add)
                        .collect(),
                )
            }
        };
        Ok(CommitBase {
            latest,
            schema,
            manifests,
            contents,
            offsets,
            index,
        })
    }
}

/// A conflict when a snapshot after `read_at` up to `latest` added rows (see
/// [`CommitChanges::keys_read_at`]); an expired one counts as one, as it cannot be checked.
async fn rows_added_since(storage: &dyn Storage, read_at: i64, latest: &Snapshot) -> Result<()> {
    for id in read_at.saturating_add(1)..=latest.id {
        let s = if id == latest.id {
            latest.clone()
        } else {
            match Snapshot::load(storage, id).await {
                Ok(s) => s,
                Err(crate::Error::NotFound { .. }) => {
                    return Err(crate::Error::Conflict(format!(
                        "snapshot {id} expired while this cross-partition upsert ran; write again"
                    )))
                }
                Err(e) => return Err(e),
            }
        };
        if s.commit_kind != crate::snapshot::CommitKind::Compact {
            return Err(crate::Error::Conflict(format!(
                "snapshot {id} ({:?}) added rows after this write read the table's keys; a \
                 table with cross-partition upserts takes one writer at a time: write again",
                s.commit_kind
            )));
        }
    }
    Ok(())
}
