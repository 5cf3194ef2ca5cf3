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

use std::collections::HashSet;

use super::Committer;
use crate::manifest::{
    fold_entries, read_manifest, AvroCodec, EntryIdentifier, FileKind, ManifestEntry,
    ManifestFileMeta,
};
use crate::options::TableOptions;
use crate::types::DataType;
use crate::Result;

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
}

/// Where the merge writes: the manifests' partition types, schema id, codec and file names.
pub(crate) struct ManifestSink<'a> {
    pub ptypes: &'a [DataType],
    pub schema_id: i64,
    pub codec: AvroCodec,
    pub next_name: &'a mut (dyn FnMut(&str) -> String + Send),
}

impl Committer {
    /// Merges `metas` (the previous snapshot's manifests, in order) by the rules above.
    pub(crate) async fn merge_manifests(
        &self,
        metas: Vec<ManifestFileMeta>,
        opts: &ManifestMergeOptions,
        sink: &mut ManifestSink<'_>,
    ) -> Result<Vec<ManifestFileMeta>> {
        let must_change = |m: &ManifestFileMeta| {
            m.num_deleted_files > 0 || (m.file_size as u64) < opts.target_size
        };
        let delta: u64 = metas
            .iter()
            .filter(|m| must_change(m))
            .map(|m| m.file_size.max(0) as u64)
            .sum();
        if delta >= opts.full_threshold {
            if let Some(done) = self.full_merge(&metas, opts, sink, must_change).await? {
                return Ok(done);
            }
        }
        let mut result = Vec::new();
        let mut run: Vec<ManifestFileMeta> = Vec::new();
        let mut size = 0u64;
        for m in metas {
            size += m.file_size.max(0) as u64;
            run.push(m);
            if size >= opts.target_size {
                result.extend(self.merge_run(std::mem::take(&mut run), opts, sink).await?);
                size = 0;
            }
        }
        if run.len() >= opts.min_count {
            result.extend(self.merge_run(run, opts, sink).await?);
        } else {
            result.extend(run);
        }
        Ok(result)
    }

    /// Merges consecutive manifests into one run of rolled manifests.
    async fn merge_run(
        &self,
        run: Vec<ManifestFileMeta>,
        opts: &ManifestMergeOptions,
        sink: &mut ManifestSink<'_>,
    ) -> Result<Vec<ManifestFileMeta>> {
        if run.len() < 2 {
            return Ok(run);
        }
        let storage = self.table.storage();
        let mut entries = Vec::new();
        for m in &run {
            entries.extend(read_manifest(storage, &m.file_name).await?);
        }
        let merged = fold_entries(entries)?;
        self.write_rolled(merged, opts, sink).await
    }

    /// Full compaction; `None` when fewer than two manifests would be rewritten.
    async fn full_merge(
        &self,
        metas: &[ManifestFileMeta],
        opts: &ManifestMergeOptions,
        sink: &mut ManifestSink<'_>,
        must_change: impl Fn(&ManifestFileMeta) -> bool,
    ) -> Result<Option<Vec<ManifestFileMeta>>> {
        let storage = self.table.storage();
        let mut contents = Vec::with_capacity(metas.len());
        for m in metas {
            contents.push(read_manifest(storage, &m.file_name).await?);
        }
        let deleted: HashSet<EntryIdentifier> = contents
            .iter()
            .flatten()
            .filter(|e| e.kind == FileKind::Delete)
            .map(EntryIdentifier::of)
            .collect();
        let mut kept = Vec::new();
        let mut rewrite: Vec<(&ManifestFileMeta, Vec<ManifestEntry>)> = Vec::new();
        for (m, entries) in metas.iter().zip(contents) {
            let touched = must_change(m)
                || entries
                    .iter()
                    .any(|e| e.kind == FileKind::Add && deleted.contains(&EntryIdentifier::of(e)));
            if touched {
                rewrite.push((m, entries));
            } else {
                kept.push(m.clone());
            }
        }
        if rewrite.len() < 2 {
            return Ok(None);
        }
        let live: Vec<ManifestEntry> = rewrite
            .into_iter()
            .flat_map(|(_, entries)| entries)
            .filter(|e| e.kind == FileKind::Add && !deleted.contains(&EntryIdentifier::of(e)))
            .collect();
        kept.extend(self.write_rolled(live, opts, sink).await?);
        Ok(Some(kept))
    }

    /// Writes entries as manifests of about the target size each (at least the target, unless
    /// all fit in one): one trial encoding of all of them gives the bytes per entry, then each
    /// file takes as many entries as fill it.
    async fn write_rolled(
        &self,
        entries: Vec<ManifestEntry>,
        opts: &ManifestMergeOptions,
        sink: &mut ManifestSink<'_>,
    ) -> Result<Vec<ManifestFileMeta>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let trial = ManifestEntry::write_manifest(&entries, sink.codec)?.len() as u64;
        // At least the target size each, so a rolled file does not count as small next time.
        let files = (trial / opts.target_size).max(1) as usize;
        let per_file = entries.len().div_ceil(files);
        let mut out = Vec::new();
        for chunk in entries.chunks(per_file) {
            let name = (sink.next_name)("manifest-");
            out.push(
                self.write_manifest(chunk, sink.ptypes, sink.schema_id, sink.codec, &name)
                    .await?,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use bytes::Bytes;
    use futures::executor::block_on;

    use super::*;
    use crate::commit::{Attempt, CommitChanges};
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
