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
