//! The write path over the in-memory storage: rows in, the table read back out.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType as A, Field, Schema};
use bytes::Bytes;

use super::*;
use crate::compaction::{compact, CompactOptions};
use crate::read::{read_all, ReadBuilder};
use crate::schema::{schema_path, TableSchema};
use crate::storage::{MemoryStorage, Storage};

/// One environment for every test: its ids must be unique across the writes to a table (two
/// writers with one id would share file names and a commit user).
pub(super) fn env() -> Arc<dyn WriteEnv> {
    static ENV: std::sync::OnceLock<Arc<FixedEnv>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| Arc::new(FixedEnv::new(1_700_000_000_000)))
        .clone()
}

/// A table `k INT NOT NULL, v INT, dt STRING` with `options`, keyed by `k` (or none).
pub(super) async fn table(pk: bool, partitioned: bool, options: &[(&str, &str)]) -> Arc<Table> {
    let storage = Arc::new(MemoryStorage::new());
    let fields = crate::types::parse_columns("k INT NOT NULL, v INT, dt STRING NOT NULL").unwrap();
    let mut opts: BTreeMap<String, String> = [("bucket".to_string(), "2".to_string())].into();
    for (k, v) in options {
        opts.insert(k.to_string(), v.to_string());
    }
    let partition = if partitioned {
        vec!["dt".into()]
    } else {
        vec![]
    };
    let keys = match (pk, partitioned) {
        (false, _) => vec![],
        (true, false) => vec!["k".into()],
        (true, true) => vec!["k".into(), "dt".into()],
    };
    let schema = TableSchema::create(fields, partition, keys, opts, 0).unwrap();
    storage
        .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
        .await
        .unwrap();
    Arc::new(Table::open(storage).await.unwrap())
}

/// Rows `(k, v, dt)` with optional kinds (`+I`, `-D`, ...), as one input.
pub(super) fn input(rows: &[(i32, i32, &str)], kinds: Option<&[&str]>) -> Input {
    let mut fields = vec![
        Field::new("k", A::Int32, false),
        Field::new("v", A::Int32, true),
        Field::new("dt", A::Utf8, false),
    ];
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.0))),
        Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.1))),
        Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.2))),
    ];
    if let Some(k) = kinds {
        fields.push(Field::new("op", A::Utf8, true));
        cols.push(Arc::new(StringArray::from_iter_values(k.iter())));
    }
    Input {
        path: "rows".into(),
        first_line: 1,
        batch: RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap(),
        kinds: None,
    }
}

pub(super) fn kinds_opts() -> WriteOptions {
    WriteOptions {
        row_kind_column: Some("op".into()),
        ..Default::default()
    }
}

pub(super) async fn write_rows(
    t: &Arc<Table>,
    rows: &[(i32, i32, &str)],
    kinds: Option<&[&str]>,
    opts: WriteOptions,
) -> Option<Snapshot> {
    write(t.clone(), vec![input(rows, kinds)], opts, env())
        .await
        .unwrap()
}

/// A compaction of the whole table (`full`: every bucket into its highest level); panics when
/// there is nothing to compact.
pub(super) async fn compacted(t: &Arc<Table>, full: bool) -> Snapshot {
    let opts = CompactOptions {
        full,
        partition: vec![],
    };
    compact(t.clone(), opts, env())
        .await
        .unwrap()
        .expect("a compaction")
}

/// The table's rows `(k, v, dt)`, sorted.
pub(super) async fn rows_of(t: &Arc<Table>) -> Vec<(i32, Option<i32>, String)> {
    let t = Arc::new(Table::open(t.storage_arc()).await.unwrap());
    let mut reader = ReadBuilder::new().build(t).await.unwrap();
    let mut out = Vec::new();
    for b in read_all(&mut reader).await.unwrap() {
        let (k, v, dt) = (
            b.column(0).as_primitive::<Int32Type>(),
            b.column(1).as_primitive::<Int32Type>(),
            b.column(2).as_string::<i32>(),
        );
        for r in 0..b.num_rows() {
            out.push((
                k.value(r),
                v.is_valid(r).then(|| v.value(r)),
                dt.value(r).to_string(),
            ));
        }
    }
    out.sort();
    out
}

pub(super) async fn data_files(t: &Table) -> Vec<String> {
    let mut files: Vec<String> = t
        .storage()
        .list("")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.path)
        .filter(|p| p.contains("bucket-"))
        .collect();
    files.sort();
    files
}

pub(super) fn row(k: i32, v: i32) -> (i32, Option<i32>, String) {
    (k, Some(v), "a".to_string())
}

#[tokio::test]
async fn primary_key_writes_merge_by_key_across_commits() {
    let t = table(true, false, &[]).await;
    let s1 = write_rows(&t, &[(1, 10, "a"), (2, 20, "a")], None, Default::default()).await;
    assert_eq!(s1.map(|s| s.id), Some(1));
    write_rows(&t, &[(2, 21, "a"), (3, 30, "a")], None, Default::default()).await;
    assert_eq!(rows_of(&t).await, vec![row(1, 10), row(2, 21), row(3, 30)]);
}

#[tokio::test]
async fn deletes_and_updates_follow_the_row_kind_column() {
    let t = table(true, false, &[]).await;
    write_rows(&t, &[(1, 10, "a"), (2, 20, "a")], None, Default::default()).await;
    write_rows(
        &t,
        &[(1, 10, "a"), (2, 20, "a"), (2, 22, "a")],
        Some(&["-D", "-U", "+U"]),
        kinds_opts(),
    )
    .await;
    assert_eq!(rows_of(&t).await, vec![row(2, 22)]);
}

#[tokio::test]
async fn typed_kinds_need_no_column() {
    let t = table(true, false, &[]).await;
    write_rows(&t, &[(1, 10, "a"), (2, 20, "a")], None, Default::default()).await;
    let mut typed = input(&[(1, 10, "a"), (2, 21, "a")], None);
    typed.kinds = Some(vec![RowKind::Delete, RowKind::UpdateAfter]);
    write(t.clone(), vec![typed], Default::default(), env())
        .await
        .unwrap();
    assert_eq!(rows_of(&t).await, vec![row(2, 21)]);
    let mut short = input(&[(3, 30, "a")], None);
    short.kinds = Some(vec![]);
    let err = write(t.clone(), vec![short], Default::default(), env())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("0 row kinds for 1 rows"), "{err}");
}

#[tokio::test]
async fn a_bad_row_kind_names_its_line_and_commits_nothing() {
    let t = table(true, false, &[]).await;
    let err = write(
        t.clone(),
        vec![input(&[(1, 1, "a"), (2, 2, "a")], Some(&["+I", "?"]))],
        kinds_opts(),
        env(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("rows: line 2"), "{err}");
    assert!(data_files(&t).await.is_empty());
    assert!(rows_of(&t).await.is_empty());
}

#[tokio::test]
async fn a_small_write_buffer_spills_sorted_runs_that_still_merge() {
    let t = table(true, false, &[("write-buffer-size", "1 kb")]).await;
    let rows: Vec<(i32, i32, &str)> = (0..2000).map(|i| (i % 300, i, "a")).collect();
    let mut w = TableWriter::new(t.clone(), Default::default(), env())
        .await
        .unwrap();
    for chunk in rows.chunks(100) {
        w.push(input(chunk, None)).await.unwrap();
    }
    w.commit().await.unwrap();
    assert!(data_files(&t).await.len() > 2, "the buffer spilled runs");
    // Each key's last row: i = 1800 + k for k < 200, 1500 + k above.
    let want: Vec<_> = (0..300)
        .map(|k| row(k, if k < 200 { 1800 + k } else { 1500 + k }))
        .collect();
    assert_eq!(rows_of(&t).await, want);
}

#[tokio::test]
async fn files_are_named_and_dated_by_the_environment() {
    let t = table(false, false, &[("bucket", "-1")]).await;
    let own = Arc::new(FixedEnv::new(1_700_000_000_000));
    write(
        t.clone(),
        vec![input(&[(1, 1, "a")], None)],
        Default::default(),
        own,
    )
    .await
    .unwrap();
    let files = data_files(&t).await;
    assert_eq!(
        files,
        vec!["bucket-0/data-00000000-0000-4000-8000-000000000000-0.parquet"]
    );
    let live = crate::manifest::live_files(
        t.storage(),
        &crate::scan::resolve_snapshot(t.storage(), &Default::default())
            .await
            .unwrap()
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(live[0].file.creation_time, Some(1_700_000_000_000));
}

#[tokio::test]
async fn a_static_overwrite_replaces_only_its_partition() {
    let t = table(true, true, &[]).await;
    write_rows(&t, &[(1, 1, "a"), (2, 2, "b")], None, Default::default()).await;
    let opts = WriteOptions {
        overwrite: Some(Overwrite {
            partition: vec![("dt".into(), "a".into())],
        }),
        ..Default::default()
    };
    let s = write_rows(&t, &[(3, 3, "a")], None, opts).await.unwrap();
    assert_eq!(s.commit_kind, crate::snapshot::CommitKind::Overwrite);
    assert_eq!(
        rows_of(&t).await,
        vec![(2, Some(2), "b".into()), (3, Some(3), "a".into())]
    );
}

#[tokio::test]
async fn an_empty_static_overwrite_drops_the_partition() {
    let t = table(false, true, &[("bucket", "-1")]).await;
    write_rows(&t, &[(1, 1, "a"), (2, 2, "b")], None, Default::default()).await;
    let opts = WriteOptions {
        overwrite: Some(Overwrite {
            partition: vec![("dt".into(), "b".into())],
        }),
        ..Default::default()
    };
    write(t.clone(), vec![], opts, env()).await.unwrap();
    assert_eq!(rows_of(&t).await, vec![row(1, 1)]);
}

#[tokio::test]
async fn a_row_outside_the_overwritten_partition_is_refused() {
    let t = table(true, true, &[]).await;
    let opts = WriteOptions {
        overwrite: Some(Overwrite {
            partition: vec![("dt".into(), "a".into())],
        }),
        ..Default::default()
    };
    let err = write(t.clone(), vec![input(&[(1, 1, "b")], None)], opts, env())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("outside the overwritten partition"),
        "{err}"
    );
}

#[tokio::test]
async fn append_tables_refuse_retractions() {
    let t = table(false, false, &[("bucket", "-1")]).await;
    let err = write(
        t.clone(),
        vec![input(&[(1, 1, "a")], Some(&["-D"]))],
        kinds_opts(),
        env(),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("append tables take only +I"),
        "{err}"
    );
}

#[tokio::test]
async fn writers_racing_from_one_base_both_land() {
    let t = table(false, false, &[("bucket", "-1")]).await;
    let mut a = TableWriter::new(t.clone(), Default::default(), env())
        .await
        .unwrap();
    let mut b = TableWriter::new(t.clone(), Default::default(), env())
        .await
        .unwrap();
    a.push(input(&[(1, 1, "a")], None)).await.unwrap();
    b.push(input(&[(2, 2, "a")], None)).await.unwrap();
    assert_eq!(a.commit().await.unwrap().map(|s| s.id), Some(1));
    assert_eq!(b.commit().await.unwrap().map(|s| s.id), Some(2));
    assert_eq!(rows_of(&t).await, vec![row(1, 1), row(2, 2)]);
}

#[tokio::test]
async fn a_full_compaction_leaves_one_run_that_reads_the_same() {
    let t = table(true, false, &[("bucket", "1")]).await;
    for i in 0..4 {
        write_rows(
            &t,
            &[(1, i, "a"), (i + 2, i, "a")],
            None,
            Default::default(),
        )
        .await;
    }
    let before = rows_of(&t).await;
    let full = CompactOptions {
        full: true,
        partition: vec![],
    };
    let s = compact(t.clone(), full.clone(), env())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.commit_kind, crate::snapshot::CommitKind::Compact);
    assert_eq!(rows_of(&t).await, before);
    let live = crate::manifest::live_files(t.storage(), &s).await.unwrap();
    assert_eq!(live.len(), 1);
    assert!(live[0].file.level > 0);
    assert!(compact(t.clone(), full, env()).await.unwrap().is_none());
}

#[tokio::test]
async fn the_input_changelog_producer_keeps_every_record() {
    let t = table(true, false, &[("changelog-producer", "input")]).await;
    write_rows(
        &t,
        &[(1, 1, "a"), (1, 2, "a")],
        Some(&["+I", "+U"]),
        kinds_opts(),
    )
    .await;
    let changelog: Vec<String> = data_files(&t)
        .await
        .into_iter()
        .filter(|p| p.contains("/changelog-"))
        .collect();
    assert_eq!(changelog.len(), 1);
    assert_eq!(rows_of(&t).await, vec![row(1, 2)]);
}

/// Rows of a change batch: `(k, v, kind)`.
pub(super) fn changes_of(b: &RecordBatch) -> Vec<(i32, i32, String)> {
    let (k, v) = (
        b.column(0).as_primitive::<Int32Type>(),
        b.column(1).as_primitive::<Int32Type>(),
    );
    let kind = b.column(b.num_columns() - 1).as_string::<i32>();
    (0..b.num_rows())
        .map(|r| (k.value(r), v.value(r), kind.value(r).to_string()))
        .collect()
}

#[tokio::test]
async fn a_change_stream_pulls_each_commit_once_and_records_progress() {
    use crate::read::ChangeStream;
    use crate::scan::StartMode;
    let t = table(true, false, &[("bucket", "1")]).await;
    write_rows(&t, &[(1, 10, "a")], None, Default::default()).await;
    let mut s = ChangeStream::start(
        t.clone(),
        StartMode::EarliestFull,
        Some("c".into()),
        Some(vec!["k".into(), "v".into()]),
        None,
    )
    .await
    .unwrap();
    let first = s.next().await.unwrap().unwrap();
    assert_eq!(changes_of(&first), vec![(1, 10, "+I".to_string())]);
    assert!(s.next().await.unwrap().is_none(), "nothing new yet");
    write_rows(&t, &[(1, 10, "a")], Some(&["-D"]), kinds_opts()).await;
    let second = s.next().await.unwrap().unwrap();
    assert_eq!(changes_of(&second), vec![(1, 10, "-D".to_string())]);
    assert!(s.next().await.unwrap().is_none());
    let consumer = t.storage().get("consumer/consumer-c").await.unwrap();
    assert!(String::from_utf8_lossy(&consumer).contains("\"nextSnapshot\":3"));
}

#[tokio::test]
async fn settling_a_stream_moves_progress_only_past_snapshots_read_whole() {
    use crate::read::ChangeStream;
    use crate::scan::StartMode;
    let t = table(true, false, &[("bucket", "1")]).await;
    write_rows(&t, &[(1, 10, "a")], None, Default::default()).await;
    write_rows(&t, &[(2, 20, "a")], None, Default::default()).await;
    let mut s = ChangeStream::start(
        t.clone(),
        StartMode::FromSnapshot(1),
        Some("c".into()),
        None,
        None,
    )
    .await
    .unwrap();
    s.next().await.unwrap().unwrap();
    s.settle().await.unwrap();
    let consumer = t.storage().get("consumer/consumer-c").await.unwrap();
    assert!(String::from_utf8_lossy(&consumer).contains("\"nextSnapshot\":2"));
    // The batch a settle looked ahead at is not lost.
    let b = s.next().await.unwrap().unwrap();
    assert_eq!(changes_of(&b)[0].0, 2);
}
