//! Summaries of manifests Strata writes: counts, partition stats, bucket and level ranges.

use std::cmp::Ordering;

use crate::binary_row::Datum;
use crate::manifest::{FileKind, ManifestEntry, ManifestFileMeta};
use crate::predicate::compare_datums;
use crate::stats::SimpleStats;
use crate::types::DataType;
use crate::Result;

/// The manifest-list record of a manifest holding `entries`, written as `file_name` of
/// `file_size` bytes. `partition_types` are the partition columns' types.
pub fn manifest_meta(
    file_name: &str,
    file_size: i64,
    entries: &[ManifestEntry],
    partition_types: &[DataType],
    default_schema_id: i64,
) -> Result<ManifestFileMeta> {
    let arity = partition_types.len();
    let mut mins: Vec<Datum> = vec![Datum::Null; arity];
    let mut maxs: Vec<Datum> = vec![Datum::Null; arity];
    let mut nulls = vec![0i64; arity];
    for e in entries {
        let values = e.partition.decode(partition_types)?;
        for (i, v) in values.into_iter().enumerate() {
            if v.is_null() {
                nulls[i] += 1;
                continue;
            }
            if mins[i].is_null() || compare_datums(&v, &mins[i]) == Some(Ordering::Less) {
                mins[i] = v.clone();
            }
            if maxs[i].is_null() || compare_datums(&v, &maxs[i]) == Some(Ordering::Greater) {
                maxs[i] = v;
            }
        }
    }
    let partition_stats = SimpleStats::from_values(
        partition_types,
        &mins,
        &maxs,
        nulls.into_iter().map(Some).collect(),
    )?;
    let count = |k: FileKind| entries.iter().filter(|e| e.kind == k).count() as i64;
    Ok(ManifestFileMeta {
        file_name: file_name.to_string(),
        file_size,
        num_added_files: count(FileKind::Add),
        num_deleted_files: count(FileKind::Delete),
        partition_stats,
        schema_id: entries
            .iter()
            .map(|e| e.file.schema_id)
            .max()
            .unwrap_or(default_schema_id),
        min_bucket: entries.iter().map(|e| e.bucket).min(),
        max_bucket: entries.iter().map(|e| e.bucket).max(),
        min_level: entries.iter().map(|e| e.file.level).min(),
        max_level: entries.iter().map(|e| e.file.level).max(),
        min_row_id: None,
        max_row_id: None,
    })
}
