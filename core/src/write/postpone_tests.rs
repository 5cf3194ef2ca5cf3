//! Postpone-bucket tables (`bucket = -2`): writes wait in `bucket-postpone`, unread, until a
//! compaction gives their rows real buckets.

use super::tests::{compacted, env, input, kinds_opts, row, rows_of, table, write_rows};
use super::{Overwrite, WriteOptions};
use crate::bucket::POSTPONE_BUCKET;
use crate::manifest::{live_files, ManifestEntry};
use crate::scan::{resolve_snapshot, SnapshotSpec};
use crate::snapshot::CommitKind;
use crate::table::Table;

const POSTPONE: (&str, &str) = ("bucket", "-2");

async fn live(t: &Table) -> Vec<ManifestEntry> {
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    live_files(t.storage(), &latest).await.unwrap()
}

#[tokio::test]
async fn writes_wait_unread_in_the_postpone_bucket() {
    let t = table(true, false, &[POSTPONE]).await;
    let opts = WriteOptions {
        commit_user: Some("alice".into()),
        ..Default::default()
    };
    write_rows(&t, &[(2, 20, "a"), (1, 10, "a"), (2, 21, "a")], None, opts).await;
    assert_eq!(rows_of(&t).await, vec![]);
    let files = live(&t).await;
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!(
        (f.bucket, f.total_buckets, f.file.level),
        (POSTPONE_BUCKET, -2, 0)
    );
    assert!(
        f.file.file_name.starts_with("data-u-alice-s-"),
        "{}",
        f.file.file_name
    );
    assert!(f.file.file_name.contains("-w-"), "{}", f.file.file_name);
    // Rows as they came: not merged, numbered from 0.
    assert_eq!(f.file.row_count, 3);
    assert_eq!(
        (f.file.min_sequence_number, f.file.max_sequence_number),
        (0, 2)
    );
    let listed = t.storage().list("bucket-postpone").await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
}

#[tokio::test]
async fn compaction_gives_rows_buckets_replaying_them_in_order() {
    let t = table(
        true,
        false,
        &[POSTPONE, ("postpone.default-bucket-num", "3")],
    )
    .await;
    write_rows(
        &t,
        &[(1, 10, "a"), (2, 20, "a"), (3, 1, "a"), (3, 2, "a")],
        None,
        Default::default(),
    )
    .await;
    write_rows(
        &t,
        &[(1, 11, "a"), (2, 0, "a"), (4, 40, "a")],
        Some(&["+U", "-D", "+I"]),
        kinds_opts(),
    )
    .await;
    let s = compacted(&t, false).await;
    assert_eq!(s.commit_kind, CommitKind::Compact);
    assert_eq!(rows_of(&t).await, vec![row(1, 11), row(3, 2), row(4, 40)]);
    let files = live(&t).await;
    assert!(
        files.iter().all(|e| e.bucket >= 0 && e.bucket < 3),
        "{files:?}"
    );
    assert!(files.iter().all(|e| e.total_buckets == 3));
    assert!(files.iter().all(|e| e.bucket != POSTPONE_BUCKET));

    // Later rows land after the bucket's own: their renumbering starts past its maximum.
    write_rows(&t, &[(1, 12, "a")], None, Default::default()).await;
    assert_eq!(rows_of(&t).await, vec![row(1, 11), row(3, 2), row(4, 40)]);
    compacted(&t, false).await;
    assert_eq!(rows_of(&t).await, vec![row(1, 12), row(3, 2), row(4, 40)]);
}

#[tokio::test]
async fn a_partition_keeps_its_bucket_count_and_new_ones_are_sized_by_their_rows() {
    let t = table(
        true,
        true,
        &[POSTPONE, ("postpone.target-row-num-per-bucket", "2")],
    )
    .await;
    let rows: Vec<(i32, i32, &str)> = (1..=5).map(|k| (k, k, "a")).collect();
    write_rows(&t, &rows, None, Default::default()).await;
    compacted(&t, false).await;
    let counts = |files: &[ManifestEntry]| {
        let mut c: Vec<i32> = files.iter().map(|e| e.total_buckets).collect();
        c.sort();
        c.dedup();
        c
    };
    // 5 rows at 2 a bucket: 3 buckets.
    assert_eq!(counts(&live(&t).await), vec![3]);
    let rows: Vec<(i32, i32, &str)> = (6..=15).map(|k| (k, k, "a")).collect();
    write_rows(&t, &rows, None, Default::default()).await;
    let more: Vec<(i32, i32, &str)> = (1..=7).map(|k| (k, k, "b")).collect();
    write_rows(&t, &more, None, Default::default()).await;
    compacted(&t, false).await;
    let files = live(&t).await;
    let of = |dt: &str| -> Vec<ManifestEntry> {
        files
            .iter()
            .filter(|e| {
                let types = [t.schema().partition_fields().unwrap()[0].data_type.clone()];
                e.partition.decode(&types).unwrap()[0]
                    .to_string()
                    .trim_matches('"')
                    == dt
            })
            .cloned()
            .collect()
    };
    assert_eq!(counts(&of("a")), vec![3], "a keeps its count");
    assert_eq!(counts(&of("b")), vec![4], "b: 7 rows at 2 a bucket");
    assert_eq!(rows_of(&t).await.len(), 22);
}

#[tokio::test]
async fn overwrites_drop_a_partitions_waiting_rows_and_write_real_buckets() {
    let t = table(
        true,
        true,
        &[POSTPONE, ("postpone.default-bucket-num", "1")],
    )
    .await;
    write_rows(&t, &[(1, 1, "a"), (2, 2, "b")], None, Default::default()).await;
    let drop_a = WriteOptions {
        overwrite: Some(Overwrite {
            partition: vec![("dt".into(), "a".into())],
        }),
        ..Default::default()
    };
    super::write(t.clone(), vec![], drop_a.clone(), env())
        .await
        .unwrap();
    compacted(&t, false).await;
    assert_eq!(rows_of(&t).await, vec![(2, Some(2), "b".to_string())]);
    // An overwrite with rows writes real buckets at once, as Paimon's does.
    write_rows(&t, &[(5, 5, "a")], None, Default::default()).await;
    super::write(t.clone(), vec![input(&[(1, 7, "a")], None)], drop_a, env())
        .await
        .unwrap();
    assert_eq!(
        rows_of(&t).await,
        vec![(1, Some(7), "a".to_string()), (2, Some(2), "b".to_string())]
    );
    let a: Vec<ManifestEntry> = live(&t).await;
    assert!(
        a.iter().all(|e| e.bucket >= 0 && e.total_buckets == 1),
        "{a:?}"
    );

    let t = table(false, false, &[POSTPONE]).await;
    let e = super::write(
        t,
        vec![input(&[(1, 1, "a")], None)],
        Default::default(),
        env(),
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("primary key"), "{e}");
}

#[tokio::test]
async fn orphan_cleaning_keeps_the_waiting_files() {
    let t = table(true, false, &[POSTPONE]).await;
    write_rows(&t, &[(1, 1, "a")], None, Default::default()).await;
    let before = t.storage().list("bucket-postpone").await.unwrap().len();
    assert_eq!(before, 1);
    crate::orphan::clean_orphans(t.storage(), i64::MAX, false)
        .await
        .unwrap();
    assert_eq!(t.storage().list("bucket-postpone").await.unwrap().len(), 1);
    compacted(&t, false).await;
    assert_eq!(rows_of(&t).await, vec![row(1, 1)]);
}
