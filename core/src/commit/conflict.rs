//! Conflict checks before publishing a commit (Paimon's `ConflictDetection`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::binary_row::Datum;
use crate::bucket::BucketKey;
use crate::manifest::{fold_entries, FileKind, ManifestEntry};
use crate::predicate::compare_datum_rows;
use crate::snapshot::CommitKind;
use crate::types::DataType;
use crate::{Error, Result};

fn conflict(what: String) -> Error {
    Error::Conflict(what)
}

/// Checks `delta` against the live entries `base` of the latest snapshot:
/// - files the commit deletes must still be live (someone else may have removed them);
/// - outside overwrites, each partition keeps one bucket count;
/// - for primary-key tables (`key_types` not empty), files of one (partition, bucket,
///   level >= 1) must not overlap.
pub fn check_conflicts(
    base: Vec<ManifestEntry>,
    delta: &[ManifestEntry],
    key_types: &[DataType],
    kind: CommitKind,
) -> Result<()> {
    if kind != CommitKind::Overwrite {
        let mut buckets: BTreeMap<Vec<u8>, i32> = BTreeMap::new();
        for e in base.iter().chain(delta).filter(|e| e.total_buckets > 0) {
            let p = e.partition.serialize();
            match buckets.get(&p) {
                Some(&n) if n != e.total_buckets => {
                    return Err(conflict(format!(
                        "a partition has {n} buckets in the table but {} in this commit",
                        e.total_buckets
                    )))
                }
                _ => {
                    buckets.insert(p, e.total_buckets);
                }
            }
        }
    }
    fold_entries(delta.iter().cloned())
        .map_err(|e| conflict(format!("the commit itself is inconsistent: {e}")))?;
    let merged = fold_entries(base.into_iter().chain(delta.iter().cloned()))
        .map_err(|e| conflict(e.to_string()))?;
    if let Some(d) = merged.iter().find(|e| e.kind == FileKind::Delete) {
        return Err(conflict(format!(
            "file {} is no longer live (a concurrent compaction or overwrite removed it)",
            d.file.file_name
        )));
    }
    if !key_types.is_empty() {
        let mut levels: BTreeMap<(BucketKey, i32), Vec<KeyRange<'_>>> = BTreeMap::new();
        for e in merged.iter().filter(|e| e.file.level >= 1) {
            let min = e.file.min_key.decode(key_types)?;
            let max = e.file.max_key.decode(key_types)?;
            levels
                .entry((e.bucket_key(), e.file.level))
                .or_default()
                .push((min, max, &e.file.file_name));
        }
        for ((_, level), files) in levels.iter_mut() {
            files.sort_by(|a, b| compare_datum_rows(&a.0, &b.0));
            for w in files.windows(2) {
                if compare_datum_rows(&w[0].1, &w[1].0) != Ordering::Less {
                    return Err(conflict(format!(
                        "files {} and {} overlap at level {level}",
                        w[0].2, w[1].2
                    )));
                }
            }
        }
    }
    Ok(())
}

/// A file's (min key, max key, name).
type KeyRange<'a> = (Vec<Datum>, Vec<Datum>, &'a str);
