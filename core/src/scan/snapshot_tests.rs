//! Choosing the snapshot a read sees: latest, by id, by tag and by time, and the errors that
//! name what is missing.

use futures::executor::block_on;

use super::snapshot::{resolve_snapshot, SnapshotSpec};
use crate::storage::{MemoryStorage, Storage};
use crate::test_table::{table, tag};
use crate::Error;

/// Snapshots 1, 2, 3 committed at 1000, 2000, 3000.
async fn three() -> std::sync::Arc<MemoryStorage> {
    table(&[(&["a"], &[]), (&["b"], &[]), (&["c"], &[])]).await
}

async fn id_of(s: &dyn Storage, spec: SnapshotSpec) -> Option<i64> {
    resolve_snapshot(s, &spec).await.unwrap().map(|s| s.id)
}

fn not_found(e: Error) -> String {
    match e {
        Error::NotFound { path } => path,
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[test]
fn latest_and_ids_resolve_to_their_snapshots() {
    block_on(async {
        let s = three().await;
        assert_eq!(id_of(s.as_ref(), SnapshotSpec::Latest).await, Some(3));
        let two = resolve_snapshot(s.as_ref(), &SnapshotSpec::Id(2))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((two.id, two.time_millis), (2, 2000));
        let e = resolve_snapshot(s.as_ref(), &SnapshotSpec::Id(9))
            .await
            .unwrap_err();
        assert_eq!(not_found(e), "snapshot 9 (expired or never committed)");
        // A table without snapshots reads as empty, by latest or by time.
        let empty = MemoryStorage::new();
        assert_eq!(id_of(&empty, SnapshotSpec::Latest).await, None);
        assert_eq!(
            id_of(&empty, SnapshotSpec::TimestampMillis(5000)).await,
            None
        );
    })
}

#[test]
fn a_time_resolves_to_the_last_snapshot_committed_at_or_before_it() {
    block_on(async {
        let s = three().await;
        for (t, want) in [
            (1000, 1),
            (1999, 1),
            (2000, 2),
            (2500, 2),
            (3000, 3),
            (99_999, 3),
        ] {
            assert_eq!(
                id_of(s.as_ref(), SnapshotSpec::TimestampMillis(t)).await,
                Some(want),
                "at {t}"
            );
        }
        let e = resolve_snapshot(s.as_ref(), &SnapshotSpec::TimestampMillis(999))
            .await
            .unwrap_err();
        assert_eq!(
            not_found(e),
            "snapshot at or before 999 ms (the earliest, 1, is at 1000)"
        );
        // After snapshot 1 expires, the earliest is 2.
        s.delete("snapshot/snapshot-1").await.unwrap();
        crate::snapshot::write_hint(s.as_ref(), crate::snapshot::EARLIEST_HINT, 2)
            .await
            .unwrap();
        let e = resolve_snapshot(s.as_ref(), &SnapshotSpec::TimestampMillis(1500))
            .await
            .unwrap_err();
        assert_eq!(
            not_found(e),
            "snapshot at or before 1500 ms (the earliest, 2, is at 2000)"
        );
    })
}

#[test]
fn a_tag_resolves_to_its_snapshot_even_after_the_snapshot_expired() {
    block_on(async {
        let s = three().await;
        tag(s.as_ref(), "nightly", 1).await;
        s.delete("snapshot/snapshot-1").await.unwrap();
        let snap = resolve_snapshot(s.as_ref(), &SnapshotSpec::Tag("nightly".into()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((snap.id, snap.time_millis), (1, 1000));
        let e = resolve_snapshot(s.as_ref(), &SnapshotSpec::Tag("weekly".into()))
            .await
            .unwrap_err();
        assert_eq!(not_found(e), "tag \"weekly\"");
        // A tag name that is not a plain file name never reaches the storage.
        match resolve_snapshot(s.as_ref(), &SnapshotSpec::Tag("../x".into()))
            .await
            .unwrap_err()
        {
            Error::Corrupt { file, what } => {
                assert_eq!(file, "tag name");
                assert_eq!(what, "file name \"../x\" is not a plain file name");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        // A corrupt tag file names itself.
        s.put("tag/tag-broken", bytes::Bytes::from_static(b"{"))
            .await
            .unwrap();
        match resolve_snapshot(s.as_ref(), &SnapshotSpec::Tag("broken".into()))
            .await
            .unwrap_err()
        {
            Error::Json { file, .. } => assert_eq!(file, "tag/tag-broken"),
            other => panic!("expected Json, got {other:?}"),
        }
    })
}
