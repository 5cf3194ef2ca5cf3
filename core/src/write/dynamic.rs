//! Dynamic-bucket writes (`bucket = -1` on a primary-key table): each partition's HASH index
//! is read from the latest snapshot when the write first touches the partition (an overwrite
//! starts it empty), rows get the bucket of their key hash, and the commit carries a new index
//! file for every bucket that gained keys (all its hashes), replacing the old one.

use std::collections::HashMap;

use crate::binary_row::BinaryRow;
use crate::dynamic_bucket::{DynamicBucketOptions, PartitionIndex, HASH_INDEX};
use crate::manifest::{
    manifest_path, read_hash_index, write_hash_index, FileKind, IndexManifestEntry,
};
use crate::options::TableOptions;
use crate::snapshot::Snapshot;
use crate::storage::Storage;
use crate::{Error, Result};
use bytes::Bytes;

/// The live HASH index entries of a snapshot.
pub(super) async fn hash_entries(
    storage: &dyn Storage,
    snapshot: Option<&Snapshot>,
) -> Result<Vec<IndexManifestEntry>> {
    let Some(name) = snapshot.and_then(|s| s.index_manifest.as_ref()) else {
        return Ok(Vec::new());
    };
    let path = manifest_path(name)?;
    let bytes = storage.get(&path).await?;
    Ok(IndexManifestEntry::read_index_manifest(&bytes, &path)?
        .into_iter()
        .filter(|e| e.kind == FileKind::Add && e.index_type == HASH_INDEX)
        .collect())
}

/// The bucket indexes of the partitions a write touches.
pub(super) struct DynamicBuckets {
    opts: DynamicBucketOptions,
    /// Whether the write is an overwrite (touched partitions start empty).
    overwrite: bool,
    /// The latest snapshot's HASH entries, by partition.
    base: HashMap<Vec<u8>, Vec<IndexManifestEntry>>,
    /// Loaded partitions: the partition row and its index.
    partitions: HashMap<Vec<u8>, (BinaryRow, PartitionIndex)>,
}

impl DynamicBuckets {
    /// The state of a write into a table whose latest snapshot has `entries` (HASH only).
    pub(super) fn new(
        options: &TableOptions<'_>,
        entries: Vec<IndexManifestEntry>,
        overwrite: bool,
    ) -> Result<Self> {
        if options.bool("index-file-in-data-file-dir", false) {
            return Err(Error::unsupported(
                "index-file-in-data-file-dir",
                "dynamic-bucket writes with index files in the bucket directories",
            ));
        }
        let mut base: HashMap<Vec<u8>, Vec<IndexManifestEntry>> = HashMap::new();
        for e in entries {
            base.entry(e.partition.serialize()).or_default().push(e);
        }
        Ok(DynamicBuckets {
            opts: DynamicBucketOptions::new(options)?,
            overwrite,
            base,
            partitions: HashMap::new(),
        })
    }

    /// The HASH entries of the snapshot the write started from.
    pub(super) fn base_entries(&self) -> Vec<IndexManifestEntry> {
        self.base.values().flatten().cloned().collect()
    }

    /// Reads a partition's index unless it is loaded already.
    pub(super) async fn load(
        &mut self,
        storage: &dyn Storage,
        partition: &BinaryRow,
    ) -> Result<()> {
        let key = partition.serialize();
        if self.partitions.contains_key(&key) {
            return Ok(());
        }
        let mut index = PartitionIndex::new(self.opts);
        if !self.overwrite {
            for e in self.base.get(&key).into_iter().flatten() {
                if e.external_path.is_some() {
                    return Err(Error::unsupported(
                        &e.file_name,
                        "index files outside the table",
                    ));
                }
                let path = format!("index/{}", e.file_name);
                crate::path::check_file_name(&e.file_name, &path)?;
                let bytes = storage.get(&path).await?;
                index.load(e.bucket, read_hash_index(&bytes, &path)?, &path)?;
            }
        }
        self.partitions.insert(key, (partition.clone(), index));
        Ok(())
    }

    /// The bucket of each row: `hashes` are the rows' key hashes, `partition_of` each row's
    /// index into `partitions` (all loaded).
    pub(super) fn assign(
        &mut self,
        partitions: &[BinaryRow],
        partition_of: &[u32],
        hashes: &[i32],
    ) -> Result<Vec<i32>> {
        let keys: Vec<Vec<u8>> = partitions.iter().map(BinaryRow::serialize).collect();
        let mut taken: Vec<(BinaryRow, PartitionIndex)> = Vec::with_capacity(keys.len());
        for k in &keys {
            let Some(t) = self.partitions.remove(k) else {
                // Put back what was taken: the indexes stay as they were.
                for (k, v) in keys.iter().cloned().zip(taken) {
                    self.partitions.insert(k, v);
                }
                return Err(Error::InvalidValue(
                    "a partition's bucket index was not loaded before assigning".into(),
                ));
            };
            taken.push(t);
        }
        let out = partition_of
            .iter()
            .zip(hashes)
            .map(|(&p, &h)| taken[p as usize].1.assign(h))
            .collect();
        for (k, v) in keys.into_iter().zip(taken) {
            self.partitions.insert(k, v);
        }
        out
    }

    /// Writes the index files of the buckets that gained keys (every bucket of an
    /// overwritten partition) as `index/index-<uuid>-<n>`; returns their ADD entries, the
    /// DELETE entries of the files they replace, and the base each partition's assignment
    /// started from (for the commit's conflict check). Paths written go to `written`.
    pub(super) async fn write_indexes(
        &self,
        storage: &dyn Storage,
        uuid: &str,
        written: &mut Vec<String>,
    ) -> Result<IndexChanges> {
        let mut out = IndexChanges::default();
        let mut n = 0;
        for (key, (partition, index)) in &self.partitions {
            let old = self.base.get(key).map(Vec::as_slice).unwrap_or_default();
            let buckets: Vec<(i32, Vec<i32>)> = if self.overwrite {
                index.all().collect()
            } else {
                index.changed().collect()
            };
            if buckets.is_empty() {
                continue;
            }
            if !self.overwrite {
                out.base.push((
                    key.clone(),
                    old.iter().map(|e| e.file_name.clone()).collect(),
                ));
            }
            for (bucket, hashes) in buckets {
                let name = format!("index-{uuid}-{n}");
                n += 1;
                let bytes = Bytes::from(write_hash_index(&hashes));
                let file_size = bytes.len() as i64;
                let path = format!("index/{name}");
                written.push(path.clone());
                storage.put(&path, bytes).await?;
                if !self.overwrite {
                    if let Some(e) = old.iter().find(|e| e.bucket == bucket) {
                        out.entries.push(IndexManifestEntry {
                            kind: FileKind::Delete,
                            ..e.clone()
                        });
                    }
                }
                out.entries.push(IndexManifestEntry {
                    kind: FileKind::Add,
                    partition: partition.clone(),
                    bucket,
                    index_type: HASH_INDEX.to_string(),
                    file_name: name,
                    file_size,
                    row_count: hashes.len() as i64,
                    dv_ranges: None,
                    external_path: None,
                    global_index: None,
                });
            }
        }
        Ok(out)
    }
}

/// A write's index changes.
#[derive(Debug, Default, Clone)]
pub(super) struct IndexChanges {
    /// ADD and DELETE entries.
    pub entries: Vec<IndexManifestEntry>,
    /// The HASH files each partition's assignment started from.
    pub base: Vec<(Vec<u8>, Vec<String>)>,
}
