//! Compaction of append tables, as Paimon's append compaction manager does it: in each
//! bucket (bucket 0 of a bucket-unaware table), the small files in write order are rewritten
//! into files of the target size once enough of them gather. A file is small below
//! `target-file-size` x `compaction.small-file-ratio` (0.7). A window of small files is
//! rewritten when it holds at least `compaction.min.file-num` (5) files and the target size,
//! or [`MAX_FILES`] files; a window that reaches the target size with too few files slides on
//! (its oldest file is too big to be worth rewriting with the rest); and when no window
//! reaches the target size, the small files are rewritten once `compaction.min.file-num` of
//! them gather (the rule of Paimon's coordinator for bucket-unaware tables). A full
//! compaction rewrites every bucket of more than one file.

use std::collections::BTreeMap;

use crate::binary_row::BinaryRow;
use crate::bucket::BucketKey;
use crate::manifest::{DataFileMeta, ManifestEntry};
use crate::options::TableOptions;
use crate::Result;

/// The most files one append compaction rewrites (Paimon's `compaction.max.file-num`
/// default, before the option was retired).
pub const MAX_FILES: usize = 50;

/// One bucket's files to rewrite.
#[derive(Debug, Clone)]
pub struct AppendTask {
    /// The partition.
    pub partition: BinaryRow,
    /// The bucket.
    pub bucket: i32,
    /// The bucket count the files were written with.
    pub total_buckets: i32,
    /// The files to rewrite, in write order.
    pub files: Vec<DataFileMeta>,
}

/// The thresholds of [`plan_append_compaction`], from the table's options.
#[derive(Debug, Clone, Copy)]
pub struct AppendCompaction {
    /// `target-file-size` (256 MB for append tables by default).
    pub target_size: u64,
    /// Files below this are small.
    pub small_size: u64,
    /// `compaction.min.file-num`.
    pub min_files: usize,
}

impl AppendCompaction {
    /// The thresholds `options` set.
    pub fn new(options: &TableOptions<'_>) -> Result<Self> {
        let target_size = options.target_file_size(false)?;
        let ratio = options
            .value_or_default("compaction.small-file-ratio")
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|r| r.is_finite() && *r > 0.0)
            .unwrap_or(0.7);
        let min_files = options
            .value_or_default("compaction.min.file-num")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(5)
            .max(2);
        Ok(AppendCompaction {
            target_size,
            small_size: (target_size as f64 * ratio) as u64,
            min_files,
        })
    }

    /// The first window of `files` (in write order) worth rewriting, as Paimon picks it.
    pub fn pick(&self, files: &[DataFileMeta]) -> Option<Vec<DataFileMeta>> {
        let small: Vec<&DataFileMeta> = files
            .iter()
            .filter(|f| (f.file_size.max(0) as u64) < self.small_size)
            .collect();
        let (mut start, mut size) = (0, 0u64);
        for end in 0..small.len() {
            size += small[end].file_size.max(0) as u64;
            let count = end + 1 - start;
            if (size >= self.target_size && count >= self.min_files) || count >= MAX_FILES {
                return Some(small[start..=end].iter().map(|f| (*f).clone()).collect());
            }
            if size >= self.target_size {
                size -= small[start].file_size.max(0) as u64;
                start += 1;
            }
        }
        // No window reached the target size: rewrite the small files once enough of them
        // gather, as Paimon's coordinator of bucket-unaware tables does.
        (small.len() - start >= self.min_files)
            .then(|| small[start..].iter().map(|f| (*f).clone()).collect())
    }
}

/// Which buckets of an append table to compact, and which of their files: all files of
/// every bucket with more than one when `full`, else [`AppendCompaction::pick`]'s window.
/// `in_scope` selects partitions.
pub fn plan_append_compaction(
    live: &[ManifestEntry],
    options: &TableOptions<'_>,
    full: bool,
    in_scope: impl Fn(&BinaryRow) -> Result<bool>,
) -> Result<Vec<AppendTask>> {
    let rule = AppendCompaction::new(options)?;
    let mut buckets: BTreeMap<BucketKey, Vec<&ManifestEntry>> = BTreeMap::new();
    for e in live.iter().filter(|e| e.bucket >= 0) {
        buckets.entry(e.bucket_key()).or_default().push(e);
    }
    let mut tasks = Vec::new();
    for entries in buckets.into_values() {
        let first = entries[0];
        if !in_scope(&first.partition)? {
            continue;
        }
        let mut files: Vec<DataFileMeta> = entries.iter().map(|e| e.file.clone()).collect();
        // Write order: sequence numbers, then creation time, then name.
        files.sort_by(|a, b| {
            (a.min_sequence_number, a.creation_time, &a.file_name).cmp(&(
                b.min_sequence_number,
                b.creation_time,
                &b.file_name,
            ))
        });
        let picked = if full {
            (files.len() > 1).then_some(files)
        } else {
            rule.pick(&files)
        };
        if let Some(files) = picked {
            tasks.push(AppendTask {
                partition: first.partition.clone(),
                bucket: first.bucket,
                total_buckets: first.total_buckets,
                files,
            });
        }
    }
    Ok(tasks)
}
