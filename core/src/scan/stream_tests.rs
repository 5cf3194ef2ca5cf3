//! Incremental and streaming reads: the changes each snapshot carries (with and without a
//! changelog producer), where each start mode begins, polling, expiry and consumers.

use std::sync::Arc;

use futures::executor::block_on;

use super::incremental::{carries_changes, snapshot_changes};
use super::plan::Split;
use super::stream::{StartMode, StreamScan, StreamStep};
use crate::manifest::{FileKind, ManifestEntry};
use crate::options::ChangelogProducer;
use crate::snapshot::{CommitKind, Consumer};
use crate::storage::MemoryStorage;
use crate::test_table::{entry, entry_in, Builder};
use crate::Error;

async fn builder(options: &[(&str, &str)]) -> Builder {
    let mut all = vec![("bucket", "2")];
    all.extend_from_slice(options);
    Builder::new(
        Arc::new(MemoryStorage::new()),
        "k INT NOT NULL, v INT",
        &[],
        &["k"],
        &all,
    )
    .await
}

fn add(name: &str, bucket: i32) -> ManifestEntry {
    entry_in(FileKind::Add, name, &[], &[], bucket, 2)
}

/// Each split as (bucket, file names).
fn summary(splits: &[Split]) -> Vec<(i32, Vec<String>)> {
    splits
        .iter()
        .map(|s| {
            (
                s.bucket,
                s.files.iter().map(|f| f.file_name.clone()).collect(),
            )
        })
        .collect()
}

fn one(bucket: i32, names: &[&str]) -> (i32, Vec<String>) {
    (bucket, names.iter().map(|n| n.to_string()).collect())
}

#[test]
fn without_a_producer_only_appends_carry_changes_their_added_files() {
    block_on(async {
        let mut b = builder(&[]).await;
        let s1 = b
            .commit(
                CommitKind::Append,
                vec![add("a", 0), add("b", 1), add("c", 0)],
                vec![],
                1000,
            )
            .await;
        let s2 = b
            .commit(
                CommitKind::Compact,
                vec![add("ac", 0), {
                    let mut d = add("a", 0);
                    d.kind = FileKind::Delete;
                    d
                }],
                vec![],
                2000,
            )
            .await;
        let s3 = b
            .commit(CommitKind::Overwrite, vec![add("o", 1)], vec![], 3000)
            .await;
        let t = &b.table;
        let changes = snapshot_changes(t, &s1).await.unwrap();
        assert_eq!(summary(&changes), vec![one(0, &["a", "c"]), one(1, &["b"])]);
        assert!(
            changes.iter().all(|s| s.raw_convertible),
            "changes are read without merging"
        );
        for s in [&s2, &s3] {
            assert!(
                !carries_changes(s, ChangelogProducer::None),
                "{:?}",
                s.commit_kind
            );
            assert!(snapshot_changes(t, s).await.unwrap().is_empty());
        }
        assert!(carries_changes(&s1, ChangelogProducer::None));
    })
}

#[test]
fn with_a_producer_changes_are_the_changelog_files_of_every_kind_but_overwrite() {
    block_on(async {
        let mut b = builder(&[("changelog-producer", "input")]).await;
        let s1 = b
            .commit(
                CommitKind::Append,
                vec![add("a", 0)],
                vec![add("cl-a", 0)],
                1000,
            )
            .await;
        let s2 = b
            .commit(
                CommitKind::Compact,
                vec![add("x", 1)],
                vec![add("cl-x", 1), add("cl-y", 1)],
                2000,
            )
            .await;
        let s3 = b
            .commit(CommitKind::Append, vec![add("no-log", 0)], vec![], 3000)
            .await;
        let s4 = b
            .commit(
                CommitKind::Overwrite,
                vec![add("o", 0)],
                vec![add("cl-o", 0)],
                4000,
            )
            .await;
        let t = &b.table;
        assert_eq!(
            summary(&snapshot_changes(t, &s1).await.unwrap()),
            vec![one(0, &["cl-a"])]
        );
        assert_eq!(
            summary(&snapshot_changes(t, &s2).await.unwrap()),
            vec![one(1, &["cl-x", "cl-y"])]
        );
        assert!(s3.changelog_manifest_list.is_none());
        assert!(!carries_changes(&s3, ChangelogProducer::Input));
        assert!(snapshot_changes(t, &s3).await.unwrap().is_empty());
        assert!(!carries_changes(&s4, ChangelogProducer::Lookup));
        assert!(snapshot_changes(t, &s4).await.unwrap().is_empty());
        assert!(carries_changes(&s2, ChangelogProducer::FullCompaction));
    })
}

/// Snapshots 1..=4 at 1000..=4000: appends of a and b, a compaction, an append of d.
async fn four() -> Builder {
    let mut b = builder(&[]).await;
    b.commit(CommitKind::Append, vec![add("a", 0)], vec![], 1000)
        .await;
    b.commit(CommitKind::Append, vec![add("b", 1)], vec![], 2000)
        .await;
    let mut del = add("a", 0);
    del.kind = FileKind::Delete;
    b.commit(CommitKind::Compact, vec![add("ab", 0), del], vec![], 3000)
        .await;
    b.commit(CommitKind::Append, vec![add("d", 1)], vec![], 4000)
        .await;
    b
}

async fn start(b: &Builder, mode: StartMode) -> (i64, Option<i64>) {
    let (s, full) = StreamScan::start(b.table.clone(), mode, None)
        .await
        .unwrap();
    (s.next_snapshot(), full.map(|f| f.id))
}

#[test]
fn each_start_mode_begins_where_it_says() {
    block_on(async {
        let b = four().await;
        for (mode, want) in [
            (StartMode::Latest, (5, None)),
            (StartMode::LatestFull, (5, Some(4))),
            (StartMode::Earliest, (1, None)),
            (StartMode::EarliestFull, (2, Some(1))),
            (StartMode::FromSnapshot(2), (2, None)),
            (StartMode::FromSnapshot(0), (1, None)),
            (StartMode::FromSnapshotFull(2), (3, Some(2))),
            // From a time: the first snapshot committed at or after it.
            (StartMode::FromTimestamp(2000), (2, None)),
            (StartMode::FromTimestamp(2001), (3, None)),
            (StartMode::FromTimestamp(500), (1, None)),
            (StartMode::FromTimestamp(99_999), (5, None)),
        ] {
            assert_eq!(start(&b, mode).await, want, "{mode:?}");
        }
        let e = StreamScan::start(b.table.clone(), StartMode::FromSnapshotFull(9), None)
            .await
            .err()
            .unwrap();
        assert!(
            matches!(&e, Error::NotFound { path } if path == "snapshot/snapshot-9"),
            "{e:?}"
        );
        // On a table without snapshots every mode waits for snapshot 1, with no full phase.
        let empty = builder(&[]).await;
        for mode in [
            StartMode::Latest,
            StartMode::LatestFull,
            StartMode::EarliestFull,
            StartMode::FromTimestamp(5),
        ] {
            assert_eq!(start(&empty, mode).await, (1, None), "{mode:?}");
        }
    })
}

#[test]
fn polling_reads_changes_skips_compactions_and_waits_for_new_snapshots() {
    block_on(async {
        let mut b = four().await;
        let (mut s, _) = StreamScan::start(b.table.clone(), StartMode::Earliest, None)
            .await
            .unwrap();
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(match s.poll().await.unwrap() {
                StreamStep::Changes(snap, splits) => format!("{}: {:?}", snap.id, summary(&splits)),
                StreamStep::Skipped(id) => format!("{id}: skipped"),
                StreamStep::Pending => "pending".into(),
            });
        }
        assert_eq!(
            seen,
            [
                "1: [(0, [\"a\"])]",
                "2: [(1, [\"b\"])]",
                "3: skipped",
                "4: [(1, [\"d\"])]",
                "pending"
            ]
        );
        assert_eq!(s.next_snapshot(), 5, "a pending poll does not advance");
        b.commit(CommitKind::Append, vec![add("e", 0)], vec![], 5000)
            .await;
        match s.poll().await.unwrap() {
            StreamStep::Changes(snap, splits) => {
                assert_eq!((snap.id, summary(&splits)), (5, vec![one(0, &["e"])]));
            }
            other => panic!("expected snapshot 5's changes, got {other:?}"),
        }
    })
}

#[test]
fn a_stream_behind_an_expired_snapshot_fails_naming_it() {
    block_on(async {
        let b = four().await;
        let (mut s, _) = StreamScan::start(b.table.clone(), StartMode::Earliest, None)
            .await
            .unwrap();
        for id in [1, 2] {
            b.storage
                .delete(&crate::snapshot::snapshot_path(id))
                .await
                .unwrap();
        }
        crate::snapshot::write_hint(b.storage.as_ref(), crate::snapshot::EARLIEST_HINT, 3)
            .await
            .unwrap();
        let e = s.poll().await.unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { path } if path == "snapshot 1 (expired; the earliest is 3)"),
            "{e:?}"
        );
        assert_eq!(s.next_snapshot(), 1);
    })
}

#[test]
fn a_consumer_records_progress_and_resumes_there_whatever_the_mode() {
    block_on(async {
        let b = four().await;
        let t = b.table.clone();
        let (mut s, _) = StreamScan::start(t.clone(), StartMode::Earliest, Some("job".into()))
            .await
            .unwrap();
        s.poll().await.unwrap();
        s.poll().await.unwrap();
        s.record_progress().await.unwrap();
        let bytes = b.storage.get("consumer/consumer-job").await.unwrap();
        assert_eq!(Consumer::from_json(&bytes, "c").unwrap().next_snapshot, 3);
        let (resumed, full) =
            StreamScan::start(t.clone(), StartMode::LatestFull, Some("job".into()))
                .await
                .unwrap();
        assert_eq!((resumed.next_snapshot(), full.map(|f| f.id)), (3, None));
        // Without a consumer, progress is not recorded anywhere.
        let (anon, _) = StreamScan::start(t.clone(), StartMode::Earliest, None)
            .await
            .unwrap();
        anon.record_progress().await.unwrap();
        let consumers: Vec<String> = b
            .storage
            .list("consumer")
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.path)
            .collect();
        assert_eq!(consumers, ["consumer/consumer-job"]);
        // A consumer id must be a plain file name.
        match StreamScan::start(t, StartMode::Earliest, Some("a/b".into()))
            .await
            .err()
            .unwrap()
        {
            Error::Corrupt { file, what } => {
                assert_eq!(file, "consumer id");
                assert_eq!(what, "file name \"consumer-a/b\" is not a plain file name");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    })
}

#[test]
fn snapshot_changes_ignore_entries_of_postponed_buckets() {
    block_on(async {
        let mut b = builder(&[]).await;
        let mut postponed = entry(FileKind::Add, "later");
        postponed.bucket = -2;
        postponed.total_buckets = 2;
        let s = b
            .commit(
                CommitKind::Append,
                vec![add("now", 1), postponed],
                vec![],
                1000,
            )
            .await;
        assert_eq!(
            summary(&snapshot_changes(&b.table, &s).await.unwrap()),
            vec![one(1, &["now"])]
        );
    })
}
