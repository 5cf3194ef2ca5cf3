//! Scan planning over tables committed by hand: which files a plan reads, partition, bucket,
//! level and stats pruning, and a snapshot whose manifests delete a file nobody added.

use std::sync::Arc;

use futures::executor::block_on;

use super::plan::plan_files;
use crate::binary_row::{BinaryRow, Datum};
use crate::manifest::{FileKind, ManifestEntry};
use crate::predicate::{BoundPredicate, Predicate};
use crate::snapshot::{CommitKind, Snapshot};
use crate::stats::SimpleStats;
use crate::storage::MemoryStorage;
use crate::table::Table;
use crate::test_table::{entry, entry_in, Builder};
use crate::types::{DataType, TypeKind};
use crate::Error;

async fn builder(
    columns: &str,
    partition: &[&str],
    keys: &[&str],
    opts: &[(&str, &str)],
) -> Builder {
    Builder::new(
        Arc::new(MemoryStorage::new()),
        columns,
        partition,
        keys,
        opts,
    )
    .await
}

fn filter(t: &Table, text: &str) -> BoundPredicate {
    Predicate::parse(text)
        .unwrap()
        .bind(&t.schema().fields)
        .unwrap()
}

/// The names of the files `filter` plans on `s`, in plan order.
async fn planned(t: &Table, s: &Snapshot, f: Option<&str>) -> Vec<String> {
    let f = f.map(|f| filter(t, f));
    plan_files(t, s, f.as_ref())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.file.file_name)
        .collect()
}

fn int_stats(mins: &[i32], maxs: &[i32]) -> SimpleStats {
    let types = vec![DataType::nullable(TypeKind::Int); mins.len()];
    let d = |v: &[i32]| v.iter().map(|&x| Datum::Int(x)).collect::<Vec<_>>();
    SimpleStats::from_values(&types, &d(mins), &d(maxs), vec![Some(0); mins.len()]).unwrap()
}

fn adds(names: &[&str]) -> Vec<ManifestEntry> {
    names.iter().map(|n| entry(FileKind::Add, n)).collect()
}

#[test]
fn a_plan_reads_the_live_files_of_the_snapshot_it_is_given() {
    block_on(async {
        let mut b = builder("k INT NOT NULL, v INT", &[], &[], &[]).await;
        let s1 = b
            .commit(CommitKind::Append, adds(&["a", "b"]), vec![], 1000)
            .await;
        let s2 = b
            .commit(CommitKind::Append, adds(&["c"]), vec![], 2000)
            .await;
        let mut compact = adds(&["d"]);
        compact.extend(["a", "b"].map(|n| entry(FileKind::Delete, n)));
        let s3 = b.commit(CommitKind::Compact, compact, vec![], 3000).await;
        let t = &b.table;
        assert_eq!(planned(t, &s1, None).await, ["a", "b"]);
        assert_eq!(planned(t, &s2, None).await, ["a", "b", "c"]);
        assert_eq!(planned(t, &s3, None).await, ["c", "d"]);
        // A filter on a column the files have no stats for prunes nothing.
        assert_eq!(planned(t, &s3, Some("v = 1")).await, ["c", "d"]);
    })
}

#[test]
fn partition_filters_prune_by_partition_value() {
    block_on(async {
        let mut b = builder("dt STRING NOT NULL, k INT", &["dt"], &[], &[]).await;
        let types = b.table.schema().partition_fields().unwrap();
        let types: Vec<DataType> = types.into_iter().map(|f| f.data_type).collect();
        let mut s = None;
        for (i, day) in ["2024-01-01", "2024-01-02", "2024-01-03"]
            .iter()
            .enumerate()
        {
            let e = entry_in(
                FileKind::Add,
                &format!("f{}", i + 1),
                &types,
                &[Datum::String(day.to_string())],
                0,
                1,
            );
            s = Some(
                b.commit(CommitKind::Append, vec![e], vec![], 1000 * (i as i64 + 1))
                    .await,
            );
        }
        let (t, s) = (&b.table, &s.unwrap());
        assert_eq!(planned(t, s, Some("dt = '2024-01-02'")).await, ["f2"]);
        assert_eq!(
            planned(t, s, Some("dt >= '2024-01-02'")).await,
            ["f2", "f3"]
        );
        assert_eq!(
            planned(t, s, Some("dt IN ('2024-01-01', '2024-01-03')")).await,
            ["f1", "f3"]
        );
        assert_eq!(
            planned(t, s, Some("dt = '2023-12-31'")).await,
            Vec::<String>::new()
        );
        assert_eq!(
            planned(t, s, Some("dt != '2024-01-02' AND k = 1")).await,
            ["f1", "f3"]
        );
        assert_eq!(planned(t, s, None).await, ["f1", "f2", "f3"]);
    })
}

#[test]
fn append_tables_prune_files_by_value_stats() {
    block_on(async {
        let mut b = builder("k INT, v INT", &[], &[], &[]).await;
        let mut files = adds(&["low", "high", "k-only"]);
        files[0].file.value_stats = int_stats(&[1, 100], &[10, 200]);
        files[1].file.value_stats = int_stats(&[20, 300], &[30, 400]);
        // Stats of `k` alone: `v` is unknown for this file.
        files[2].file.value_stats = int_stats(&[50], &[60]);
        files[2].file.value_stats_cols = Some(vec!["k".into()]);
        let s = b.commit(CommitKind::Append, files, vec![], 1000).await;
        let t = &b.table;
        assert_eq!(planned(t, &s, Some("k > 15")).await, ["high", "k-only"]);
        assert_eq!(planned(t, &s, Some("k <= 10")).await, ["low"]);
        assert_eq!(planned(t, &s, Some("v = 350")).await, ["high", "k-only"]);
        assert_eq!(
            planned(t, &s, Some("k = 55 OR v = 150")).await,
            ["low", "k-only"]
        );
        // Every null count is 0: no file holds a null `k`.
        assert_eq!(
            planned(t, &s, Some("k IS NULL")).await,
            Vec::<String>::new()
        );
    })
}

#[test]
fn primary_key_tables_prune_on_key_stats_only() {
    block_on(async {
        let mut b = builder("k INT NOT NULL, v INT", &[], &["k"], &[("bucket", "1")]).await;
        let mut files = adds(&["f1", "f2"]);
        files[0].file.key_stats = int_stats(&[1], &[10]);
        files[1].file.key_stats = int_stats(&[20], &[30]);
        // Value stats that would exclude both files must not prune a key-value file: the
        // filter could drop a newer version of a row and bring back an older one.
        for f in &mut files {
            f.file.value_stats = int_stats(&[0, 0], &[0, 0]);
        }
        let s = b.commit(CommitKind::Append, files, vec![], 1000).await;
        let t = &b.table;
        assert_eq!(planned(t, &s, Some("k = 25")).await, ["f2"]);
        assert_eq!(planned(t, &s, Some("k < 20")).await, ["f1"]);
        assert_eq!(planned(t, &s, Some("v = 999")).await, ["f1", "f2"]);
        assert_eq!(planned(t, &s, Some("k = 15")).await, Vec::<String>::new());
    })
}

#[test]
fn a_filter_pinning_the_bucket_key_reads_only_its_buckets() {
    block_on(async {
        let mut b = builder("k INT NOT NULL, v INT", &[], &["k"], &[("bucket", "4")]).await;
        let files = (0..4)
            .map(|i| entry_in(FileKind::Add, &format!("b{i}"), &[], &[], i, 4))
            .collect();
        let s = b.commit(CommitKind::Append, files, vec![], 1000).await;
        let int = DataType::nullable(TypeKind::Int);
        let bucket = |k: i32| {
            crate::bucket::bucket_of(
                &BinaryRow::encode(std::slice::from_ref(&int), &[Datum::Int(k)]).unwrap(),
                4,
            )
        };
        let t = &b.table;
        assert_eq!(
            planned(t, &s, Some("k = 7")).await,
            [format!("b{}", bucket(7))]
        );
        let mut two: Vec<String> = [7, 8].iter().map(|&k| format!("b{}", bucket(k))).collect();
        two.sort();
        two.dedup();
        assert_eq!(planned(t, &s, Some("k IN (7, 8)")).await, two);
        // A range pins no bucket.
        assert_eq!(
            planned(t, &s, Some("k > 7")).await,
            ["b0", "b1", "b2", "b3"]
        );
        assert_eq!(
            planned(t, &s, Some("k = 7 OR v = 1")).await,
            ["b0", "b1", "b2", "b3"]
        );
    })
}

#[test]
fn deletion_vector_and_first_row_tables_skip_level_zero_in_batch_reads() {
    block_on(async {
        for (opts, want) in [
            (vec![("deletion-vectors.enabled", "true")], vec!["upper"]),
            (
                vec![
                    ("deletion-vectors.enabled", "true"),
                    ("deletion-vectors.merge-on-read", "true"),
                ],
                vec!["l0", "upper"],
            ),
            (vec![("merge-engine", "first-row")], vec!["upper"]),
            (vec![], vec!["l0", "upper"]),
        ] {
            let mut all = vec![("bucket", "1")];
            all.extend(opts.iter().copied());
            let mut b = builder("k INT NOT NULL, v INT", &[], &["k"], &all).await;
            let mut files = adds(&["l0", "upper"]);
            files[1].file.level = 1;
            let s = b.commit(CommitKind::Append, files, vec![], 1000).await;
            assert_eq!(planned(&b.table, &s, None).await, want, "{opts:?}");
        }
    })
}

#[test]
fn a_delete_of_a_file_no_manifest_adds_is_reported_as_corrupt() {
    block_on(async {
        let mut b = builder("k INT NOT NULL, v INT", &[], &[], &[]).await;
        let s1 = b
            .commit(CommitKind::Append, adds(&["a"]), vec![], 1000)
            .await;
        let mut compact = adds(&["c"]);
        compact.push(entry(FileKind::Delete, "a"));
        let s2 = b.commit(CommitKind::Compact, compact, vec![], 2000).await;
        // Snapshot 3 loses the manifests that add `a`: its base is snapshot 2's delta (which
        // deletes `a`), its delta snapshot 1's empty base.
        let mut s3 = s2.clone();
        s3.id = 3;
        s3.base_manifest_list = s2.delta_manifest_list.clone();
        s3.delta_manifest_list = s1.base_manifest_list.clone();
        match plan_files(&b.table, &s3, None).await.unwrap_err() {
            Error::Corrupt { file, what } => {
                assert_eq!(file, "snapshot/snapshot-3");
                assert_eq!(what, "DELETE of a which no manifest adds");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    })
}
