//! Cross-partition upserts: a dynamic-bucket table keyed by `k` and partitioned by `dt`, so a
//! key that comes again in another partition is settled by the merge engine.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use bytes::Bytes;

use super::tests::{compacted, data_files, env, input, kinds_opts, rows_of, write_rows};
use super::{Overwrite, TableWriter, WriteOptions};
use crate::manifest::live_files;
use crate::scan::{resolve_snapshot, SnapshotSpec};
use crate::schema::{schema_path, TableSchema};
use crate::storage::{MemoryStorage, Storage};
use crate::table::Table;
use crate::Error;

/// `k INT NOT NULL, v INT, dt STRING NOT NULL`, key `k`, partitioned by `dt`, dynamic buckets.
async fn table(options: &[(&str, &str)]) -> Arc<Table> {
    let storage = Arc::new(MemoryStorage::new());
    let fields = crate::types::parse_columns("k INT NOT NULL, v INT, dt STRING NOT NULL").unwrap();
    let mut opts: BTreeMap<String, String> = [("bucket".to_string(), "-1".to_string())].into();
    for (k, v) in options {
        opts.insert(k.to_string(), v.to_string());
    }
    let schema = TableSchema::create(fields, vec!["dt".into()], vec!["k".into()], opts, 0).unwrap();
    storage
        .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
        .await
        .unwrap();
    Arc::new(Table::open(storage).await.unwrap())
}

fn r(k: i32, v: i32, dt: &str) -> (i32, Option<i32>, String) {
    (k, Some(v), dt.to_string())
}

/// The (partition value, bucket) of every live data file.
async fn placements(t: &Table) -> BTreeSet<(String, i32)> {
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    live_files(t.storage(), &latest)
        .await
        .unwrap()
        .iter()
        .map(|e| {
            let types = [t.schema().partition_fields().unwrap()[0].data_type.clone()];
            let dt = e.partition.decode(&types).unwrap();
            (dt[0].to_string().trim_matches('"').to_string(), e.bucket)
        })
        .collect()
}

#[tokio::test]
async fn a_key_written_to_another_partition_leaves_its_old_one() {
    let t = table(&[]).await;
    write_rows(&t, &[(1, 10, "a"), (2, 20, "a")], None, Default::default()).await;
    write_rows(&t, &[(1, 11, "b")], None, Default::default()).await;
    assert_eq!(rows_of(&t).await, vec![r(1, 11, "b"), r(2, 20, "a")]);
    // No HASH index: the table's keys are the index.
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.index_manifest, None);
    // A compaction keeps each key once.
    compacted(&t, true).await;
    assert_eq!(rows_of(&t).await, vec![r(1, 11, "b"), r(2, 20, "a")]);
    // Deleting the key where it lives now removes it.
    write_rows(&t, &[(1, 0, "b")], Some(&["-D"]), kinds_opts()).await;
    assert_eq!(rows_of(&t).await, vec![r(2, 20, "a")]);
}

#[tokio::test]
async fn one_batch_moving_a_key_back_and_forth_keeps_its_last_place() {
    let t = table(&[]).await;
    write_rows(
        &t,
        &[
            (1, 1, "a"),
            (1, 2, "b"),
            (1, 3, "a"),
            (2, 1, "b"),
            (2, 2, "c"),
        ],
        None,
        Default::default(),
    )
    .await;
    assert_eq!(rows_of(&t).await, vec![r(1, 3, "a"), r(2, 2, "c")]);
    write_rows(&t, &[(1, 4, "c"), (2, 3, "c")], None, Default::default()).await;
    assert_eq!(rows_of(&t).await, vec![r(1, 4, "c"), r(2, 3, "c")]);
}

#[tokio::test]
async fn partial_update_and_aggregation_merge_into_the_old_partition() {
    let t = table(&[("merge-engine", "partial-update")]).await;
    write_rows(&t, &[(1, 10, "a")], None, Default::default()).await;
    write_rows(&t, &[(1, 20, "b"), (2, 5, "b")], None, Default::default()).await;
    assert_eq!(rows_of(&t).await, vec![r(1, 20, "a"), r(2, 5, "b")]);

    let t = table(&[
        ("merge-engine", "aggregation"),
        ("fields.v.aggregate-function", "sum"),
    ])
    .await;
    write_rows(&t, &[(1, 10, "a")], None, Default::default()).await;
    write_rows(&t, &[(1, 5, "b"), (1, 1, "c")], None, Default::default()).await;
    assert_eq!(rows_of(&t).await, vec![r(1, 16, "a")]);
}

#[tokio::test]
async fn first_row_drops_a_key_seen_in_another_partition() {
    let t = table(&[("merge-engine", "first-row")]).await;
    write_rows(&t, &[(1, 10, "a")], None, Default::default()).await;
    write_rows(&t, &[(1, 20, "b"), (2, 5, "b")], None, Default::default()).await;
    // First-row tables show what compaction lifted out of level 0.
    compacted(&t, true).await;
    assert_eq!(rows_of(&t).await, vec![r(1, 10, "a"), r(2, 5, "b")]);
}

#[tokio::test]
async fn buckets_fill_to_the_target_and_a_moved_key_frees_its_place() {
    let t = table(&[("dynamic-bucket.target-row-num", "2")]).await;
    let rows: Vec<(i32, i32, &str)> = (1..=5).map(|k| (k, k, "a")).collect();
    write_rows(&t, &rows, None, Default::default()).await;
    let a = |b: i32| ("a".to_string(), b);
    assert_eq!(placements(&t).await, [a(0), a(1), a(2)].into());
    // Key 1 leaves bucket 0 of `a`; key 6 takes its place there, not a new bucket.
    write_rows(&t, &[(1, 1, "b"), (6, 6, "a")], None, Default::default()).await;
    let live = placements(&t).await;
    assert!(!live.contains(&a(3)), "{live:?}");
    assert!(live.contains(&("b".to_string(), 0)), "{live:?}");
    // A later write reads where each key lives: key 3 (bucket 1) stays one row.
    write_rows(&t, &[(3, 30, "a"), (6, 60, "a")], None, Default::default()).await;
    let mut want: Vec<_> = (2..=5).map(|k| r(k, k, "a")).collect();
    want[1] = r(3, 30, "a");
    want.insert(0, r(1, 1, "b"));
    want.push(r(6, 60, "a"));
    want.sort();
    assert_eq!(rows_of(&t).await, want);
}

#[tokio::test]
async fn a_write_racing_another_writer_is_a_conflict_but_not_a_compaction() {
    let t = table(&[]).await;
    write_rows(&t, &[(1, 10, "a")], None, Default::default()).await;
    // A compaction after the bootstrap moves no key: the write lands.
    let mut w = TableWriter::new(t.clone(), WriteOptions::default(), env())
        .await
        .unwrap();
    compacted(&t, true).await;
    w.push(input(&[(1, 11, "b")], None)).await.unwrap();
    w.commit().await.unwrap();
    assert_eq!(rows_of(&t).await, vec![r(1, 11, "b")]);
    // Another writer's rows after the bootstrap: the key index may be stale.
    let mut w = TableWriter::new(t.clone(), WriteOptions::default(), env())
        .await
        .unwrap();
    write_rows(&t, &[(1, 12, "c")], None, Default::default()).await;
    let files_before = data_files(&t).await;
    w.push(input(&[(1, 13, "a")], None)).await.unwrap();
    let e = w.commit().await.unwrap_err();
    assert!(matches!(e, Error::Conflict(_)), "{e}");
    assert!(e.to_string().contains("one writer at a time"), "{e}");
    assert_eq!(rows_of(&t).await, vec![r(1, 12, "c")]);
    // The losing write's files were deleted.
    assert_eq!(data_files(&t).await, files_before);
}

#[tokio::test]
async fn overwrites_with_rows_and_deletion_vectors_are_refused_by_name() {
    let t = table(&[]).await;
    let opts = WriteOptions {
        overwrite: Some(Overwrite::default()),
        ..Default::default()
    };
    let e = super::write(t.clone(), vec![input(&[(1, 1, "a")], None)], opts, env())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cross-partition upserts"), "{e}");
    // Dropping a partition (an overwrite without rows) is fine.
    write_rows(&t, &[(1, 1, "a"), (2, 2, "b")], None, Default::default()).await;
    let drop_a = WriteOptions {
        overwrite: Some(Overwrite {
            partition: vec![("dt".into(), "a".into())],
        }),
        ..Default::default()
    };
    super::write(t.clone(), vec![], drop_a, env())
        .await
        .unwrap();
    assert_eq!(rows_of(&t).await, vec![r(2, 2, "b")]);
    write_rows(&t, &[(1, 3, "b")], None, Default::default()).await;
    assert_eq!(rows_of(&t).await, vec![r(1, 3, "b"), r(2, 2, "b")]);

    let t = table(&[("deletion-vectors.enabled", "true")]).await;
    let e = super::write(
        t,
        vec![input(&[(1, 1, "a")], None)],
        Default::default(),
        env(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("cross-partition upserts"), "{e}");
}

/// The shared test environment, its clock `ahead` milliseconds later.
struct Later(i64);

impl super::WriteEnv for Later {
    fn now_millis(&self) -> i64 {
        env().now_millis() + self.0
    }
    fn unique_id(&self) -> String {
        env().unique_id()
    }
    fn random_below(&self, n: u64) -> u64 {
        env().random_below(n)
    }
    fn sleep(&self, d: std::time::Duration) -> futures::future::BoxFuture<'static, ()> {
        env().sleep(d)
    }
}

#[tokio::test]
async fn keys_of_buckets_older_than_the_index_ttl_are_forgotten_as_in_paimon() {
    let t = table(&[("cross-partition-upsert.index-ttl", "1 min")]).await;
    write_rows(&t, &[(1, 10, "a")], None, Default::default()).await;
    // Within the TTL the key moves.
    let later = |ms| -> Arc<dyn super::WriteEnv> { Arc::new(Later(ms)) };
    let rows = |r| vec![input(&[r], None)];
    super::write(
        t.clone(),
        rows((1, 11, "b")),
        Default::default(),
        later(30_000),
    )
    .await
    .unwrap();
    assert_eq!(rows_of(&t).await, vec![r(1, 11, "b")]);
    // Past it the bucket's keys are not read: the row is a new key in its partition.
    super::write(
        t.clone(),
        rows((1, 12, "c")),
        Default::default(),
        later(600_000),
    )
    .await
    .unwrap();
    assert_eq!(rows_of(&t).await, vec![r(1, 11, "b"), r(1, 12, "c")]);
}
