//! Folding manifest entries into the live files of a snapshot (Paimon's
//! `FileEntry.mergeEntries`), and reading a snapshot's manifests through storage.

use std::collections::HashMap;

use super::{manifest_path, FileKind, ManifestEntry, ManifestFileMeta};
use crate::binary_row::BinaryRow;
use crate::snapshot::Snapshot;
use crate::storage::Storage;
use crate::{Error, Result};

/// The identity of a file entry: partition bytes, bucket, level, file name, extra files,
/// embedded index and external path. Level is part of it, so a level upgrade is a DELETE plus
/// an ADD of the same file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EntryIdentifier {
    partition: BinaryRow,
    bucket: i32,
    level: i32,
    file_name: String,
    extra_files: Vec<String>,
    embedded_index: Option<Vec<u8>>,
    external_path: Option<String>,
}

impl EntryIdentifier {
    /// The identity of `e`.
    pub fn of(e: &ManifestEntry) -> Self {
        EntryIdentifier {
            partition: e.partition.clone(),
            bucket: e.bucket,
            level: e.file.level,
            file_name: e.file.file_name.clone(),
            extra_files: e.file.extra_files.clone(),
            embedded_index: e.file.embedded_file_index.clone(),
            external_path: e.file.external_path.clone(),
        }
    }
}

/// Folds entries in manifest order: an ADD joins, a DELETE removes its ADD (or stays pending
/// when its ADD is in an earlier manifest not given here). Adding an identifier twice is an
/// error. The result keeps the first-seen order.
pub fn fold_entries(
    entries: impl IntoIterator<Item = ManifestEntry>,
) -> Result<Vec<ManifestEntry>> {
    let mut order: Vec<EntryIdentifier> = Vec::new();
    let mut live: HashMap<EntryIdentifier, ManifestEntry> = HashMap::new();
    for e in entries {
        let id = EntryIdentifier::of(&e);
        match (e.kind, live.get(&id).map(|x| x.kind)) {
            (FileKind::Add, Some(_)) => {
                return Err(Error::corrupt(
                    &e.file.file_name,
                    "file added twice (or added after its delete) in one snapshot",
                ))
            }
            (FileKind::Delete, Some(FileKind::Add)) => {
                live.remove(&id);
            }
            (FileKind::Delete, Some(FileKind::Delete)) => {
                return Err(Error::corrupt(&e.file.file_name, "file deleted twice"))
            }
            (_, None) => {
                order.push(id.clone());
                live.insert(id, e);
            }
        }
    }
    Ok(order
        .into_iter()
        .filter_map(|id| live.remove(&id))
        .collect())
}

/// Reads a manifest list by file name.
pub async fn read_manifest_list(
    storage: &dyn Storage,
    name: &str,
) -> Result<Vec<ManifestFileMeta>> {
    let path = manifest_path(name)?;
    let bytes = storage.get(&path).await?;
    ManifestFileMeta::read_list(&bytes, &path)
}

/// Reads a manifest by file name.
pub async fn read_manifest(storage: &dyn Storage, name: &str) -> Result<Vec<ManifestEntry>> {
    let path = manifest_path(name)?;
    let bytes = storage.get(&path).await?;
    ManifestEntry::read_manifest(&bytes, &path)
}

/// All manifests of a snapshot: those of the base list, then those of the delta list.
pub async fn snapshot_manifests(
    storage: &dyn Storage,
    s: &Snapshot,
) -> Result<Vec<ManifestFileMeta>> {
    let (mut metas, delta) = futures::future::try_join(
        read_manifest_list(storage, &s.base_manifest_list),
        read_manifest_list(storage, &s.delta_manifest_list),
    )
    .await?;
    metas.extend(delta);
    Ok(metas)
}

/// How many manifests [`live_files`] reads at once.
const MANIFEST_READS: usize = 8;

/// The live data files of a snapshot: every manifest's entries folded in order. A DELETE left
/// pending after the full fold means the metadata is inconsistent.
pub async fn live_files(storage: &dyn Storage, s: &Snapshot) -> Result<Vec<ManifestEntry>> {
    use futures::{StreamExt, TryStreamExt};
    let names: Vec<String> = snapshot_manifests(storage, s)
        .await?
        .into_iter()
        .map(|m| m.file_name)
        .collect();
    // Independent reads, a few at a time (each is a request on an object store), folded in
    // manifest order.
    let read: Vec<Vec<ManifestEntry>> = futures::stream::iter(names)
        .map(|name| async move { read_manifest(storage, &name).await })
        .buffered(MANIFEST_READS)
        .try_collect()
        .await?;
    let folded = fold_entries(read.into_iter().flatten())?;
    if let Some(d) = folded.iter().find(|e| e.kind == FileKind::Delete) {
        return Err(Error::corrupt(
            crate::snapshot::snapshot_path(s.id),
            format!("DELETE of {} which no manifest adds", d.file.file_name),
        ));
    }
    Ok(folded)
}
