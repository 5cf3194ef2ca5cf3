//! Compaction of append tables over the in-memory storage: small files merged, rows kept.

use super::tests::{data_files, env, rows_of, table, write_rows};
use crate::compaction::{compact, CompactOptions};
use crate::manifest::{live_files, FileSource};
use crate::snapshot::CommitKind;

fn opts(full: bool, partition: &[(&str, &str)]) -> CompactOptions {
    CompactOptions {
        full,
        partition: partition
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[tokio::test]
async fn small_files_of_an_append_table_are_merged_once_enough_gather() {
    let t = table(false, false, &[("bucket", "-1")]).await;
    for i in 0..4 {
        write_rows(
            &t,
            &[(i, i, "a"), (i, i + 100, "a")],
            None,
            Default::default(),
        )
        .await;
    }
    // Four small files: fewer than compaction.min.file-num (5).
    assert!(compact(t.clone(), opts(false, &[]), env())
        .await
        .unwrap()
        .is_none());
    write_rows(&t, &[(9, 9, "a")], None, Default::default()).await;
    let rows = rows_of(&t).await;
    let s = compact(t.clone(), opts(false, &[]), env())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.commit_kind, CommitKind::Compact);
    let live = live_files(t.storage(), &s).await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].file.row_count, 9);
    assert_eq!(live[0].file.file_source, Some(FileSource::Compact));
    assert_eq!(rows_of(&t).await, rows);
    // The old files stay for older snapshots until they expire; nothing more to merge.
    assert_eq!(data_files(&t).await.len(), 6);
    assert!(compact(t.clone(), opts(false, &[]), env())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_full_compaction_merges_every_bucket_of_the_partitions_asked_for() {
    let t = table(false, true, &[("bucket", "-1")]).await;
    for i in 0..2 {
        write_rows(&t, &[(i, i, "a"), (i, i, "b")], None, Default::default()).await;
    }
    let rows = rows_of(&t).await;
    let s = compact(t.clone(), opts(true, &[("dt", "a")]), env())
        .await
        .unwrap()
        .unwrap();
    let live = live_files(t.storage(), &s).await.unwrap();
    // Partition a: one merged file; partition b: its two files untouched.
    assert_eq!(live.len(), 3);
    assert_eq!(
        live.iter()
            .filter(|e| e.file.file_source == Some(FileSource::Compact))
            .count(),
        1
    );
    assert_eq!(rows_of(&t).await, rows);
    let s = compact(t.clone(), opts(true, &[]), env())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(live_files(t.storage(), &s).await.unwrap().len(), 2);
    assert_eq!(rows_of(&t).await, rows);
}

#[tokio::test]
async fn append_tables_with_deletion_vectors_are_refused() {
    let t = table(
        false,
        false,
        &[("bucket", "-1"), ("deletion-vectors.enabled", "true")],
    )
    .await;
    // (Strata does not write such tables; Paimon Java's deletion vectors would have to be
    // applied to the rows a compaction rewrites.)
    let e = compact(t.clone(), opts(true, &[]), env())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("deletion vectors"), "{e}");
}
