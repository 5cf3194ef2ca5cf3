//! Expiration on an in-memory table built by the committer: which snapshots go, which files
//! go with them, and that nothing a retained snapshot or a tag uses is touched.

use bytes::Bytes;
use futures::executor::block_on;

use super::*;

use crate::test_table::{exists, table, tag};

fn keep_newest(min: usize) -> Retention {
    Retention {
        min,
        max: None,
        time_millis: 0,
    }
}

#[test]
fn expiration_deletes_only_what_expired_snapshots_alone_used() {
    block_on(async {
        // a, b added; a compacted into c; d added.
        let s = table(&[
            (&["a"], &[]),
            (&["b"], &[]),
            (&["c"], &["a"]),
            (&["d"], &[]),
        ])
        .await;
        let dry = expire(s.as_ref(), keep_newest(2), 10_000, true)
            .await
            .unwrap();
        assert_eq!(dry.snapshots, vec![1, 2]);
        assert!(dry.files.contains(&"bucket-0/a".to_string()), "{dry:?}");
        assert!(
            exists(s.as_ref(), "snapshot/snapshot-1").await,
            "a dry run deleted"
        );
        let removed = expire(s.as_ref(), keep_newest(2), 10_000, false)
            .await
            .unwrap();
        assert_eq!(removed, dry);
        assert!(!exists(s.as_ref(), "bucket-0/a").await);
        for live in ["bucket-0/b", "bucket-0/c", "bucket-0/d"] {
            assert!(exists(s.as_ref(), live).await, "{live}");
        }
        assert!(!exists(s.as_ref(), "snapshot/snapshot-2").await);
        assert_eq!(
            crate::snapshot::earliest_snapshot_id(s.as_ref())
                .await
                .unwrap(),
            Some(3)
        );
        // Every file the retained snapshots use is still there.
        let schema = TableSchema::load_latest(s.as_ref()).await.unwrap();
        for id in [3, 4] {
            let snap = Snapshot::load(s.as_ref(), id).await.unwrap();
            for f in snapshot_files(s.as_ref(), &schema, &snap).await.unwrap() {
                assert!(exists(s.as_ref(), &f).await, "snapshot {id} lost {f}");
            }
        }
    })
}

#[test]
fn tags_and_time_retention_keep_snapshots_files() {
    block_on(async {
        let s = table(&[(&["a"], &[]), (&["b"], &["a"]), (&["c"], &["b"])]).await;
        // Tag snapshot 1: its file `a` survives the expiration of snapshot 1.
        tag(s.as_ref(), "t1", 1).await;
        // Snapshots are at 1000, 2000, 3000: keeping the last 2.5 s at 4000 keeps 2 and 3.
        let r = Retention {
            min: 1,
            max: None,
            time_millis: 2500,
        };
        let removed = expire(s.as_ref(), r, 4000, false).await.unwrap();
        assert_eq!(removed.snapshots, vec![1]);
        assert!(
            exists(s.as_ref(), "bucket-0/a").await,
            "the tag's file was deleted"
        );
        assert!(removed.files.iter().all(|f| !f.starts_with("bucket-0/")));
    })
}

#[test]
fn a_stale_earliest_hint_hides_no_snapshot_from_expiration() {
    block_on(async {
        let s = table(&[(&["a"], &[]), (&["b"], &["a"]), (&["c"], &["b"])]).await;
        crate::snapshot::write_hint(s.as_ref(), EARLIEST_HINT, 3)
            .await
            .unwrap();
        let removed = expire(s.as_ref(), keep_newest(1), 10_000, false)
            .await
            .unwrap();
        assert_eq!(removed.snapshots, vec![1, 2]);
        assert!(!exists(s.as_ref(), "bucket-0/a").await && !exists(s.as_ref(), "bucket-0/b").await);
        assert!(exists(s.as_ref(), "bucket-0/c").await);
        // A consumer that has not read snapshot 2 keeps it.
        let s = table(&[(&["a"], &[]), (&["b"], &["a"]), (&["c"], &["b"])]).await;
        s.put(
            &crate::snapshot::consumer_path("reader"),
            Bytes::from(Consumer { next_snapshot: 2 }.to_json()),
        )
        .await
        .unwrap();
        let removed = expire(s.as_ref(), keep_newest(1), 10_000, false)
            .await
            .unwrap();
        assert_eq!(removed.snapshots, vec![1]);
    })
}

/// Snapshots 1..=4 at 1000..=4000 adding a, b, c, d.
async fn four() -> std::sync::Arc<crate::storage::MemoryStorage> {
    table(&[(&["a"], &[]), (&["b"], &[]), (&["c"], &[]), (&["d"], &[])]).await
}

#[test]
fn max_retention_expires_even_snapshots_younger_than_the_time_limit() {
    block_on(async {
        let s = four().await;
        let r = Retention {
            min: 1,
            max: Some(2),
            time_millis: 1_000_000,
        };
        let removed = expire(s.as_ref(), r, 5000, false).await.unwrap();
        assert_eq!(removed.snapshots, vec![1, 2]);
        // Their data files are still live in snapshots 3 and 4: only metadata goes.
        assert!(
            removed.files.iter().all(|f| f.starts_with("manifest/")),
            "{removed:?}"
        );
        assert_eq!(existing_snapshot_ids(s.as_ref()).await.unwrap(), vec![3, 4]);
    })
}

#[test]
fn time_retention_keeps_a_snapshot_exactly_at_the_limit_and_min_always_wins() {
    block_on(async {
        let s = four().await;
        // At 10000 keeping 8000 ms: the limit is 2000, so snapshot 2 (at 2000) stays.
        let r = Retention {
            min: 1,
            max: None,
            time_millis: 8000,
        };
        assert_eq!(
            expire(s.as_ref(), r, 10_000, true).await.unwrap().snapshots,
            vec![1]
        );
        // Everything is old, but the newest three are kept.
        let r = Retention {
            min: 3,
            max: None,
            time_millis: 0,
        };
        assert_eq!(
            expire(s.as_ref(), r, 10_000, true).await.unwrap().snapshots,
            vec![1]
        );
        // min 0 still keeps the latest snapshot.
        let removed = expire(s.as_ref(), keep_newest(0), 10_000, false)
            .await
            .unwrap();
        assert_eq!(removed.snapshots, vec![1, 2, 3]);
        assert_eq!(existing_snapshot_ids(s.as_ref()).await.unwrap(), vec![4]);
    })
}

#[test]
fn nothing_to_expire_changes_nothing() {
    block_on(async {
        let s = four().await;
        let before = s.list("").await.unwrap();
        let removed = expire(s.as_ref(), keep_newest(4), 10_000, false)
            .await
            .unwrap();
        assert_eq!(removed, Removed::default());
        assert_eq!(s.list("").await.unwrap(), before);
        let empty = crate::storage::MemoryStorage::new();
        assert_eq!(
            expire(&empty, keep_newest(1), 10_000, false).await.unwrap(),
            Removed::default()
        );
    })
}

#[test]
fn changelog_files_go_with_the_snapshot_that_wrote_them() {
    block_on(async {
        use crate::manifest::FileKind;
        use crate::test_table::{entry, Builder};
        let storage = std::sync::Arc::new(crate::storage::MemoryStorage::new());
        let mut b = Builder::new(
            storage.clone(),
            "k INT NOT NULL, v INT",
            &[],
            &["k"],
            &[("bucket", "1"), ("changelog-producer", "input")],
        )
        .await;
        for (i, n) in ["1", "2"].iter().enumerate() {
            let (data, log) = (format!("data-{n}"), format!("changelog-{n}"));
            for f in [&data, &log] {
                storage
                    .put(&format!("bucket-0/{f}"), Bytes::from_static(b"x"))
                    .await
                    .unwrap();
            }
            let at = 1000 * (i as i64 + 1);
            b.commit(
                crate::snapshot::CommitKind::Append,
                vec![entry(FileKind::Add, &data)],
                vec![entry(FileKind::Add, &log)],
                at,
            )
            .await;
        }
        let removed = expire(storage.as_ref(), keep_newest(1), 10_000, false)
            .await
            .unwrap();
        assert_eq!(removed.snapshots, vec![1]);
        let data: Vec<&String> = removed
            .files
            .iter()
            .filter(|f| f.starts_with("bucket-0/"))
            .collect();
        assert_eq!(data, ["bucket-0/changelog-1"]);
        assert!(!exists(storage.as_ref(), "bucket-0/changelog-1").await);
        for kept in ["bucket-0/data-1", "bucket-0/data-2", "bucket-0/changelog-2"] {
            assert!(exists(storage.as_ref(), kept).await, "{kept}");
        }
    })
}
