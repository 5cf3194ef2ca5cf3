//! Merging the previous snapshot's manifests at each commit, so metadata stays small after
//! thousands of commits. The rules are Paimon's:
//!
//! - **Full compaction**, when the manifests that must change (those holding delete entries or
//!   smaller than `manifest.target-file-size`) add up to at least
//!   `manifest.full-compaction-threshold-size`: every delete entry is applied; manifests that
//!   need no change (large, no deletes, none of their files deleted later) are kept whole; the
//!   live entries of the rest are rewritten into manifests of about the target size. Skipped
//!   when it would rewrite fewer than two manifests.
//! - Otherwise **minor compaction**: consecutive manifests are gathered until they reach the
//!   target size and merged into one run (an add and a delete of the same file among them
//!   cancel; a delete whose add lies elsewhere stays); the remaining tail is merged too once it
//!   holds `manifest.merge-min-count` manifests.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::plan::NewFiles;
use crate::manifest::{fold_entries, EntryIdentifier, FileKind, ManifestEntry, ManifestFileMeta};
use crate::options::TableOptions;
use crate::{Error, Result};

/// Manifest merging thresholds, from the table's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManifestMergeOptions {
    /// `manifest.target-file-size` (Paimon's default: 8 MB).
    pub target_size: u64,
    /// `manifest.merge-min-count` (30).
    pub min_count: usize,
    /// `manifest.full-compaction-threshold-size` (16 MB).
    pub full_threshold: u64,
}

impl ManifestMergeOptions {
    /// The thresholds `options` set, with Paimon's defaults.
    pub fn new(options: &TableOptions<'_>) -> Result<Self> {
        Ok(ManifestMergeOptions {
            target_size: options
                .memory_size("manifest.target-file-size")?
                .unwrap_or(8 << 20)
                .max(1),
            min_count: options
                .get("manifest.merge-min-count")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(30usize)
                .max(1),
            full_threshold: options
                .memory_size("manifest.full-compaction-threshold-size")?
                .unwrap_or(16 << 20)
                .max(1),
        })
    }

    /// Whether manifest `m` must change in a full compaction: it holds deletes or is small.
    fn must_change(&self, m: &ManifestFileMeta) -> bool {
        m.num_deleted_files > 0 || (m.file_size as u64) < self.target_size
    }

    /// Whether a full compaction is tried: the manifests that must change reach the threshold.
    fn tries_full(&self, metas: &[ManifestFileMeta]) -> bool {
        let delta: u64 = metas
            .iter()
            .filter(|m| self.must_change(m))
            .map(|m| m.file_size.max(0) as u64)
            .sum();
        delta >= self.full_threshold
    }

    /// The minor compaction's runs of consecutive manifests that are merged: each run that
    /// reaches the target size, and the tail when it holds at least the minimum count. Runs of
    /// one manifest stay as they are.
    fn minor_runs(&self, metas: &[ManifestFileMeta]) -> Vec<Range<usize>> {
        let mut runs = Vec::new();
        let (mut start, mut size) = (0, 0u64);
        for (i, m) in metas.iter().enumerate() {
            size += m.file_size.max(0) as u64;
            if size >= self.target_size {
                runs.push(start..i + 1);
                start = i + 1;
                size = 0;
            }
        }
        if metas.len() - start >= self.min_count {
            runs.push(start..metas.len());
        }
        runs.retain(|r| r.len() >= 2);
        runs
    }

    /// The manifests whose entries the merge of `metas` reads.
    pub(crate) fn manifests_to_read<'m>(&self, metas: &'m [ManifestFileMeta]) -> Vec<&'m str> {
        let all = || metas.iter().map(|m| m.file_name.as_str()).collect();
        if self.tries_full(metas) {
            return all();
        }
        self.minor_runs(metas)
            .into_iter()
            .flat_map(|r| metas[r].iter().map(|m| m.file_name.as_str()))
            .collect()
    }
}

/// The entries of the manifests a commit read, by file name.
pub(crate) type ManifestContents = HashMap<String, Vec<ManifestEntry>>;

/// The entries of manifest `name`, which the commit's base must have read.
pub(crate) fn entries_of<'c>(
    contents: &'c ManifestContents,
    name: &str,
) -> Result<&'c [ManifestEntry]> {
    contents.get(name).map(Vec::as_slice).ok_or_else(|| {
        Error::InvalidValue(format!(
            "manifest {name} was not read for this commit (a bug in commit planning)"
        ))
    })
}

/// Merges `metas` (the previous snapshot's manifests, in order) by the rules above; the new
/// manifests go to `out`.
pub(crate) fn merge_manifests(
    metas: Vec<ManifestFileMeta>,
    contents: &ManifestContents,
    opts: &ManifestMergeOptions,
    out: &mut NewFiles<'_>,
) -> Result<Vec<ManifestFileMeta>> {
    if opts.tries_full(&metas) {
        if let Some(done) = full_merge(&metas, contents, opts, out)? {
            return Ok(done);
        }
    }
    let runs = opts.minor_runs(&metas);
    let mut result = Vec::new();
    let mut at = 0;
    for run in runs {
        result.extend_from_slice(&metas[at..run.start]);
        let mut entries = Vec::new();
        for m in &metas[run.clone()] {
            entries.extend_from_slice(entries_of(contents, &m.file_name)?);
        }
        result.extend(write_rolled(fold_entries(entries)?, opts, out)?);
        at = run.end;
    }
    result.extend_from_slice(&metas[at..]);
    Ok(result)
}

/// Full compaction; `None` when fewer than two manifests would be rewritten.
fn full_merge(
    metas: &[ManifestFileMeta],
    contents: &ManifestContents,
    opts: &ManifestMergeOptions,
    out: &mut NewFiles<'_>,
) -> Result<Option<Vec<ManifestFileMeta>>> {
    let mut all = Vec::with_capacity(metas.len());
    for m in metas {
        all.push(entries_of(contents, &m.file_name)?);
    }
    let deleted: HashSet<EntryIdentifier> = all
        .iter()
        .copied()
        .flatten()
        .filter(|e| e.kind == FileKind::Delete)
        .map(EntryIdentifier::of)
        .collect();
    let mut kept = Vec::new();
    let mut rewrite: Vec<&[ManifestEntry]> = Vec::new();
    for (m, entries) in metas.iter().zip(all) {
        let touched = opts.must_change(m)
            || entries
                .iter()
                .any(|e| e.kind == FileKind::Add && deleted.contains(&EntryIdentifier::of(e)));
        if touched {
            rewrite.push(entries);
        } else {
            kept.push(m.clone());
        }
    }
    if rewrite.len() < 2 {
        return Ok(None);
    }
    let live: Vec<ManifestEntry> = rewrite
        .into_iter()
        .flatten()
        .filter(|e| e.kind == FileKind::Add && !deleted.contains(&EntryIdentifier::of(e)))
        .cloned()
        .collect();
    kept.extend(write_rolled(live, opts, out)?);
    Ok(Some(kept))
}

/// Encodes entries as manifests of about the target size each (at least the target, unless
/// all fit in one): one trial encoding of all of them gives the bytes per entry, then each
/// file takes as many entries as fill it.
fn write_rolled(
    entries: Vec<ManifestEntry>,
    opts: &ManifestMergeOptions,
    out: &mut NewFiles<'_>,
) -> Result<Vec<ManifestFileMeta>> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let trial = ManifestEntry::write_manifest(&entries, out.codec())?.len() as u64;
    // At least the target size each, so a rolled file does not count as small next time.
    let files = (trial / opts.target_size).max(1) as usize;
    let per_file = entries.len().div_ceil(files);
    entries
        .chunks(per_file)
        .map(|chunk| out.manifest(chunk))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use bytes::Bytes;
    use futures::executor::block_on;

    use super::*;
    use crate::commit::{Attempt, CommitChanges, Committer};
    use crate::manifest::{live_files, snapshot_manifests};
    use crate::schema::{schema_path, TableSchema};
    use crate::snapshot::CommitKind;
    use crate::storage::{MemoryStorage, Storage};
    use crate::table::Table;
    use crate::test_table::entry;

    /// 150 commits adding two files each, every seventh also deleting three: after every
    /// commit the live files equal the model, and the manifests stay few and near the target
    /// size instead of growing by one per commit. The first thresholds lead to full
    /// compactions, the second to minor ones only.
    #[test]
    fn manifests_stay_few_and_exact_over_many_commits() {
        for full in ["4kb", "24kb"] {
            block_on(commits(full));
        }
    }

    async fn commits(full: &str) {
        {
            let storage = Arc::new(MemoryStorage::new());
            let options = [
                ("bucket", "-1"),
                ("manifest.target-file-size", "4kb"),
                ("manifest.merge-min-count", "5"),
                ("manifest.full-compaction-threshold-size", full),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            let fields = crate::types::parse_columns("k INT").unwrap();
            let schema = TableSchema::create(fields, vec![], vec![], options, 0).unwrap();
            storage
                .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
                .await
                .unwrap();
            let table = Arc::new(Table::open(storage.clone()).await.unwrap());
            let committer = Committer::new(table, "merge-test");
            let mut model: BTreeSet<String> = BTreeSet::new();
            let mut since = None;
            let mut most = 0;
            for i in 0..150i64 {
                let mut entries = vec![
                    entry(FileKind::Add, &format!("f{i:03}-a")),
                    entry(FileKind::Add, &format!("f{i:03}-b")),
                ];
                let deletes: Vec<String> = if i % 7 == 6 {
                    model.iter().step_by(5).take(3).cloned().collect()
                } else {
                    Vec::new()
                };
                entries.extend(deletes.iter().map(|n| entry(FileKind::Delete, n)));
                let changes = CommitChanges {
                    kind: if deletes.is_empty() {
                        CommitKind::Append
                    } else {
                        CommitKind::Compact
                    },
                    entries,
                    changelog: Vec::new(),
                    properties: None,
                    offsets: Vec::new(),
                    index: Vec::new(),
                    index_base: Vec::new(),
                    keys_read_at: None,
                };
                let s = match committer
                    .try_commit(&changes, i, &format!("u{i}"), 0, since)
                    .await
                    .unwrap()
                {
                    Attempt::Committed(s) => s,
                    Attempt::Lost => panic!("no other committer"),
                };
                since = Some(s.id);
                model.insert(format!("f{i:03}-a"));
                model.insert(format!("f{i:03}-b"));
                for d in &deletes {
                    model.remove(d);
                }
                let live: BTreeSet<String> = live_files(storage.as_ref(), &s)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|e| e.file.file_name)
                    .collect();
                assert_eq!(live, model, "after commit {i}");
                let metas = snapshot_manifests(storage.as_ref(), &s).await.unwrap();
                most = most.max(metas.len());
            }
            assert!(most <= 12, "up to {most} manifests in one snapshot");
            // Without merging there would be one per commit: 150.
            // Merged manifests roll near the target size.
            let s = crate::snapshot::Snapshot::load(storage.as_ref(), since.unwrap())
                .await
                .unwrap();
            for m in snapshot_manifests(storage.as_ref(), &s).await.unwrap() {
                assert!(
                    m.file_size < 3 * 4096,
                    "{} is {} bytes",
                    m.file_name,
                    m.file_size
                );
            }
        }
    }
}
