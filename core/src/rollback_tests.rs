//! Rollback on an in-memory table built by the committer.

use futures::executor::block_on;

use super::*;
use crate::snapshot::latest_snapshot_id;
use crate::test_table::{exists, table, tag};

#[test]
fn rollback_removes_newer_snapshots_their_tags_and_only_their_files() {
    block_on(async {
        // a; b; a compacted into c; d.
        let s = table(&[
            (&["a"], &[]),
            (&["b"], &[]),
            (&["c"], &["a"]),
            (&["d"], &[]),
        ])
        .await;
        for (name, id) in [("t4", 4), ("t1", 1)] {
            tag(s.as_ref(), name, id).await;
        }
        let dry = rollback(s.as_ref(), &SnapshotSpec::Id(2), true)
            .await
            .unwrap();
        assert_eq!(dry.removed.snapshots, vec![3, 4]);
        assert_eq!(dry.tags, vec!["t4".to_string()]);
        assert!(dry.removed.files.contains(&"bucket-0/c".to_string()));
        assert!(dry.removed.files.contains(&"bucket-0/d".to_string()));
        assert!(exists(s.as_ref(), "snapshot/snapshot-4").await);
        let done = rollback(s.as_ref(), &SnapshotSpec::Id(2), false)
            .await
            .unwrap();
        assert_eq!(done, dry);
        assert_eq!(latest_snapshot_id(s.as_ref()).await.unwrap(), Some(2));
        assert!(!exists(s.as_ref(), &tag_path("t4")).await);
        assert!(exists(s.as_ref(), &tag_path("t1")).await);
        for kept in ["bucket-0/a", "bucket-0/b"] {
            assert!(exists(s.as_ref(), kept).await, "{kept}");
        }
        for gone in ["bucket-0/c", "bucket-0/d"] {
            assert!(!exists(s.as_ref(), gone).await, "{gone}");
        }
    })
}

#[test]
fn a_tag_whose_snapshot_expired_can_be_rolled_back_to() {
    block_on(async {
        let s = table(&[(&["a"], &[]), (&["b"], &["a"]), (&["c"], &["b"])]).await;
        tag(s.as_ref(), "first", 1).await;
        crate::expire::expire(
            s.as_ref(),
            crate::expire::Retention {
                min: 1,
                max: None,
                time_millis: 0,
            },
            10_000,
            false,
        )
        .await
        .unwrap();
        assert!(!exists(s.as_ref(), "snapshot/snapshot-1").await);
        let r = rollback(s.as_ref(), &SnapshotSpec::Tag("first".into()), false)
            .await
            .unwrap();
        assert_eq!((r.to, r.removed.snapshots.clone()), (1, vec![3]));
        assert_eq!(latest_snapshot_id(s.as_ref()).await.unwrap(), Some(1));
        assert_eq!(
            crate::snapshot::earliest_snapshot_id(s.as_ref())
                .await
                .unwrap(),
            Some(1)
        );
        assert!(exists(s.as_ref(), "bucket-0/a").await);
        assert!(!exists(s.as_ref(), "bucket-0/c").await);
        assert!(rollback(s.as_ref(), &SnapshotSpec::Id(3), false)
            .await
            .is_err());
    })
}

#[test]
fn a_target_that_is_not_an_existing_snapshot_or_tag_is_refused_by_name() {
    block_on(async {
        let s = table(&[(&["a"], &[]), (&["b"], &[])]).await;
        let before = s.list("").await.unwrap();
        match rollback(s.as_ref(), &SnapshotSpec::Id(9), false)
            .await
            .unwrap_err()
        {
            Error::NotFound { path } => assert_eq!(
                path,
                "snapshot 9 (expired or never committed; roll back to a tag instead)"
            ),
            other => panic!("expected NotFound, got {other:?}"),
        }
        match rollback(s.as_ref(), &SnapshotSpec::Tag("nope".into()), false)
            .await
            .unwrap_err()
        {
            Error::NotFound { path } => assert_eq!(path, "tag/tag-nope"),
            other => panic!("expected NotFound, got {other:?}"),
        }
        match rollback(s.as_ref(), &SnapshotSpec::Tag("a/b".into()), false)
            .await
            .unwrap_err()
        {
            Error::Corrupt { file, .. } => assert_eq!(file, "tag name"),
            other => panic!("expected Corrupt, got {other:?}"),
        }
        for spec in [SnapshotSpec::Latest, SnapshotSpec::TimestampMillis(1500)] {
            match rollback(s.as_ref(), &spec, false).await.unwrap_err() {
                Error::InvalidValue(m) => assert_eq!(
                    m,
                    format!("rollback needs a snapshot id or a tag, not {spec:?}")
                ),
                other => panic!("expected InvalidValue, got {other:?}"),
            }
        }
        assert_eq!(
            s.list("").await.unwrap(),
            before,
            "a refused rollback changed the table"
        );
    })
}

#[test]
fn rolling_back_to_the_latest_snapshot_removes_nothing() {
    block_on(async {
        let s = table(&[(&["a"], &[]), (&["b"], &["a"])]).await;
        tag(s.as_ref(), "t2", 2).await;
        let before = s.list("").await.unwrap();
        let r = rollback(s.as_ref(), &SnapshotSpec::Id(2), false)
            .await
            .unwrap();
        assert_eq!(
            r,
            RolledBack {
                to: 2,
                removed: Removed::default(),
                tags: vec![],
            }
        );
        assert_eq!(s.list("").await.unwrap(), before);
    })
}

#[test]
fn rolling_back_to_a_live_tag_keeps_older_snapshots_and_the_earliest_hint() {
    block_on(async {
        let s = table(&[(&["a"], &[]), (&["b"], &[]), (&["c"], &["b"])]).await;
        tag(s.as_ref(), "two", 2).await;
        tag(s.as_ref(), "three", 3).await;
        let r = rollback(s.as_ref(), &SnapshotSpec::Tag("two".into()), false)
            .await
            .unwrap();
        assert_eq!((r.to, r.removed.snapshots.clone()), (2, vec![3]));
        assert_eq!(r.tags, vec!["three".to_string()]);
        let data: Vec<&String> = r
            .removed
            .files
            .iter()
            .filter(|f| f.starts_with("bucket-0/"))
            .collect();
        assert_eq!(data, ["bucket-0/c"]);
        assert_eq!(latest_snapshot_id(s.as_ref()).await.unwrap(), Some(2));
        assert_eq!(existing_snapshot_ids(s.as_ref()).await.unwrap(), vec![1, 2]);
        assert!(exists(s.as_ref(), &tag_path("two")).await);
        assert!(!exists(s.as_ref(), &tag_path("three")).await);
        for kept in ["bucket-0/a", "bucket-0/b"] {
            assert!(exists(s.as_ref(), kept).await, "{kept}");
        }
    })
}
