//! The compaction plan, a pure function: a snapshot's live files and the table's options in,
//! one task per bucket that needs compacting out (the files to rewrite, the level they go
//! to, whether retractions drop, which files a changelog producer diffs against). Drivers
//! run the tasks; they decide only *when* to plan.

use std::collections::{BTreeMap, HashMap};

use super::{
    drops_deletes, pick_level0, pick_universal, sorted_runs, CompactUnit, CompactionOptions,
};
use crate::binary_row::BinaryRow;
use crate::bucket::BucketKey;
use crate::deletion_vector::DeletionFile;
use crate::manifest::{DataFileMeta, ManifestEntry};
use crate::options::{ChangelogProducer, MergeEngine, TableOptions};
use crate::Result;

/// One bucket's compaction.
#[derive(Debug, Clone)]
pub struct CompactTask {
    /// The bucket's partition.
    pub partition: BinaryRow,
    /// The bucket.
    pub bucket: i32,
    /// The bucket count the bucket's files were written with.
    pub total_buckets: i32,
    /// The files to merge and the level they go to.
    pub unit: CompactUnit,
    /// Whether retract rows (`-U`, `-D`) are dropped: nothing older lies below the output.
    pub drop_deletes: bool,
    /// Whether the task rewrites the whole bucket into the highest level.
    pub full: bool,
    /// For the `lookup` and `full-compaction` changelog producers: the files whose merged
    /// rows are the bucket's state before the task (the changelog is after minus before).
    pub changelog_before: Option<Vec<DataFileMeta>>,
    /// Deletion-vector tables: the bucket's other files, all above the output level, where
    /// the unit's keys are looked up (each key's older row there gets marked deleted).
    pub lookup: Vec<DataFileMeta>,
    /// Deletion-vector tables: the bucket's deletion vectors, by data file name.
    pub vectors: HashMap<String, DeletionFile>,
}

/// Plans the compaction of `live` (a snapshot's live data files): Paimon's universal pick per
/// bucket, or everything into the highest level with `full`. Buckets of append tables
/// (negative bucket ids) and those `in_scope` rejects are left alone.
///
/// Deletion-vector tables (`vectors`: the snapshot's, by bucket) never keep level-0 files,
/// whose rows batch reads skip: each bucket with one is compacted, by the universal pick or
/// else its level-0 runs into the level below the next run (Paimon's forced level-0 pick).
/// A full compaction also rewrites a bucket whose only deletes are deletion vectors.
pub fn plan_compaction(
    live: &[ManifestEntry],
    options: &TableOptions<'_>,
    full: bool,
    vectors: &HashMap<BucketKey, HashMap<String, DeletionFile>>,
    in_scope: impl Fn(&BinaryRow) -> Result<bool>,
) -> Result<Vec<CompactTask>> {
    let copts = CompactionOptions::from(options);
    let dv = options.deletion_vectors();
    let producer = options.changelog_producer()?;
    let first_row = options.merge_engine()? == MergeEngine::FirstRow;
    let mut buckets: BTreeMap<BucketKey, Vec<&ManifestEntry>> = BTreeMap::new();
    for e in live.iter().filter(|e| e.bucket >= 0) {
        buckets.entry(e.bucket_key()).or_default().push(e);
    }
    let mut tasks = Vec::new();
    for (key, entries) in buckets {
        let bucket = key.bucket;
        let bucket_vectors = vectors.get(&key).cloned().unwrap_or_default();
        let first = entries[0];
        if !in_scope(&first.partition)? {
            continue;
        }
        let files: Vec<DataFileMeta> = entries.iter().map(|e| e.file.clone()).collect();
        let runs = sorted_runs(&files);
        // Lookup compaction (the `lookup` producer, and first-row tables, whose batch reads
        // skip level 0) leaves no level-0 file behind, as Paimon's lookup strategy does.
        let lookup = (producer == ChangelogProducer::Lookup || first_row)
            && files.iter().any(|f| f.level == 0);
        let unit = if full || (lookup && !dv) {
            let done = runs.len() == 1
                && runs[0].level == copts.max_level()
                && files.iter().all(|f| f.delete_row_count == Some(0))
                && bucket_vectors.is_empty();
            (!done).then(|| CompactUnit {
                output_level: copts.max_level(),
                files: files.clone(),
            })
        } else if dv {
            pick_universal(&runs, &copts).or_else(|| pick_level0(&runs, &copts))
        } else {
            pick_universal(&runs, &copts)
        };
        let Some(unit) = unit else { continue };
        // A single file already at its output level is left where it is.
        if unit.files.len() == 1
            && unit.files[0].level == unit.output_level
            && !(full && bucket_vectors.contains_key(&unit.files[0].file_name))
            && unit.files[0].delete_row_count == Some(0)
        {
            continue;
        }
        let drop_deletes = drops_deletes(unit.output_level, &runs, options.deletion_vectors());
        let whole = unit.output_level == copts.max_level() && unit.files.len() == files.len();
        let changelog_before = match producer {
            ChangelogProducer::Lookup if whole => {
                Some(files.iter().filter(|f| f.level > 0).cloned().collect())
            }
            ChangelogProducer::FullCompaction if whole => Some(
                files
                    .iter()
                    .filter(|f| f.level == copts.max_level())
                    .cloned()
                    .collect(),
            ),
            _ => None,
        };
        let lookup = if dv {
            let inputs: std::collections::HashSet<&str> =
                unit.files.iter().map(|f| f.file_name.as_str()).collect();
            files
                .iter()
                .filter(|f| !inputs.contains(f.file_name.as_str()))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        // With deletion vectors the bucket's state before is what the task reads itself.
        let changelog_before = if dv { None } else { changelog_before };
        tasks.push(CompactTask {
            partition: first.partition.clone(),
            bucket,
            total_buckets: first.total_buckets,
            unit,
            drop_deletes,
            full: whole,
            changelog_before,
            lookup,
            vectors: bucket_vectors,
        });
    }
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::manifest::FileKind;

    fn entry(bucket: i32, level: i32, size: i64, seq: i64) -> ManifestEntry {
        ManifestEntry {
            kind: FileKind::Add,
            partition: BinaryRow::encode(&[], &[]).unwrap(),
            bucket,
            total_buckets: 2,
            file: DataFileMeta {
                file_name: format!("b{bucket}-l{level}-s{seq}"),
                file_size: size,
                row_count: 1,
                min_sequence_number: seq,
                max_sequence_number: seq,
                level,
                delete_row_count: Some(0),
                ..Default::default()
            },
        }
    }

    fn options(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn plan(live: &[ManifestEntry], opts: &[(&str, &str)], full: bool) -> Vec<CompactTask> {
        let o = options(opts);
        plan_compaction(live, &TableOptions::new(&o), full, &HashMap::new(), |_| {
            Ok(true)
        })
        .unwrap()
    }

    #[test]
    fn universal_compaction_waits_for_the_trigger() {
        let four: Vec<_> = (1..=4).map(|s| entry(0, 0, 10, s)).collect();
        assert!(plan(&four, &[], false).is_empty());
        let five: Vec<_> = (1..=5).map(|s| entry(0, 0, 10, s)).collect();
        let tasks = plan(&five, &[], false);
        assert_eq!(tasks.len(), 1);
        let t = &tasks[0];
        // Nothing below: everything goes to the highest level, retractions drop.
        assert_eq!((t.unit.output_level, t.unit.files.len()), (5, 5));
        assert!(t.drop_deletes && t.full);
        assert!(t.changelog_before.is_none());
        // A lower trigger plans sooner.
        let low = plan(&four, &[("num-sorted-run.compaction-trigger", "3")], false);
        assert_eq!(low.len(), 1);
    }

    #[test]
    fn full_compaction_skips_buckets_already_compacted() {
        let done = vec![entry(0, 5, 100, 1), entry(0, 5, 100, 2)];
        assert!(plan(&done, &[], true).is_empty());
        let mut pending = done.clone();
        pending[1].file.delete_row_count = Some(3);
        let tasks = plan(&pending, &[], true);
        assert_eq!(tasks.len(), 1, "a file with retractions is rewritten");
        let two_levels = vec![entry(1, 5, 100, 1), entry(1, 2, 10, 2)];
        let tasks = plan(&two_levels, &[], true);
        assert_eq!((tasks[0].bucket, tasks[0].unit.output_level), (1, 5));
    }

    #[test]
    fn append_buckets_and_out_of_scope_partitions_are_left_alone() {
        let live: Vec<_> = (1..=6).map(|s| entry(-1, 0, 10, s)).collect();
        assert!(plan(&live, &[], true).is_empty());
        let live: Vec<_> = (1..=6).map(|s| entry(0, 0, 10, s)).collect();
        let o = options(&[]);
        let none = plan_compaction(&live, &TableOptions::new(&o), true, &HashMap::new(), |_| {
            Ok(false)
        })
        .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn lookup_producers_and_first_row_tables_leave_no_level_zero() {
        let live = vec![entry(0, 0, 10, 3), entry(0, 5, 100, 1)];
        for opts in [
            vec![("changelog-producer", "lookup")],
            vec![("merge-engine", "first-row")],
        ] {
            let tasks = plan(&live, &opts, false);
            assert_eq!(tasks.len(), 1, "{opts:?}");
            assert_eq!(tasks[0].unit.output_level, 5);
        }
        let lookup = plan(&live, &[("changelog-producer", "lookup")], false);
        let before = lookup[0].changelog_before.as_ref().unwrap();
        assert_eq!(before.len(), 1);
        assert_eq!(before[0].level, 5);
        let full = plan(&live, &[("changelog-producer", "full-compaction")], true);
        assert_eq!(full[0].changelog_before.as_ref().unwrap()[0].level, 5);
        // Without a producer there is nothing to diff.
        assert!(plan(&live, &[], true)[0].changelog_before.is_none());
    }

    #[test]
    fn a_partial_compaction_keeps_retractions_above_older_data() {
        let mut live: Vec<_> = (1..=5).map(|s| entry(0, 0, 10, s)).collect();
        live.push(entry(0, 5, 100_000, 0));
        let tasks = plan(&live, &[], false);
        let t = &tasks[0];
        assert_eq!((t.unit.output_level, t.unit.files.len()), (4, 5));
        assert!(!t.drop_deletes && !t.full);
        // Deletion vectors drop them anyway (deleted rows are marked in the files below).
        let dv = plan(&live, &[("deletion-vectors.enabled", "true")], false);
        assert!(dv[0].drop_deletes);
    }
}
