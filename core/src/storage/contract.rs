//! The storage contract, written once and run against every [`Storage`]: the in-memory one
//! here, the native `object_store` one in `strata-writer`'s tests. Any new backend (S3, GCS,
//! Azure) passes it before commits rely on it.

// A contract test harness: a failed unwrap here is a failed check, reported as a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;

use super::Storage;
use crate::Error;

/// Checks `storage` (rooted at an empty location) against the contract every backend owes
/// the core; panics naming the first broken promise. For tests of storage implementations.
pub async fn check_contract(storage: &dyn Storage) {
    let s = storage;
    let snap = "snapshot/snapshot-1";
    // put_if_absent: one winner, the loser told AlreadyExists, the first bytes kept.
    s.put_if_absent(snap, Bytes::from_static(b"first"))
        .await
        .expect("put_if_absent of a new path");
    assert!(
        matches!(
            s.put_if_absent(snap, Bytes::from_static(b"second")).await,
            Err(Error::AlreadyExists { .. })
        ),
        "put_if_absent on an existing path must say AlreadyExists"
    );
    assert_eq!(&s.get(snap).await.expect("get")[..], b"first");
    // get_range: exact bytes; past the end is an error (Corrupt), never short data.
    assert_eq!(&s.get_range(snap, 1..4).await.expect("range")[..], b"irs");
    assert_eq!(s.get_range(snap, 5..5).await.expect("empty range").len(), 0);
    assert!(
        matches!(s.get_range(snap, 2..9).await, Err(Error::Corrupt { .. })),
        "a range past the end must be Corrupt"
    );
    // Missing objects: NotFound for reads, None for head, success for delete.
    for missing in ["snapshot/snapshot-2", "nothing/here"] {
        assert!(matches!(s.get(missing).await, Err(Error::NotFound { .. })));
        assert!(matches!(
            s.get_range(missing, 0..1).await,
            Err(Error::NotFound { .. })
        ));
        assert!(s.head(missing).await.expect("head").is_none());
        s.delete(missing).await.expect("deleting nothing is fine");
    }
    let meta = s.head(snap).await.expect("head").expect("exists");
    assert_eq!((meta.path.as_str(), meta.size), (snap, 5));
    // put replaces.
    s.put("snapshot/LATEST", Bytes::from_static(b"1"))
        .await
        .unwrap();
    s.put("snapshot/LATEST", Bytes::from_static(b"2"))
        .await
        .unwrap();
    assert_eq!(&s.get("snapshot/LATEST").await.unwrap()[..], b"2");
    // list: recursive under a directory prefix, relative paths, never a sibling that only
    // shares the prefix's spelling; an absent directory lists empty.
    s.put("snapshotx", Bytes::new()).await.unwrap();
    s.put("dt=a/bucket-0/data-1.parquet", Bytes::from_static(b"12"))
        .await
        .unwrap();
    let mut listed: Vec<String> = s
        .list("snapshot")
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.path)
        .collect();
    listed.sort();
    assert_eq!(listed, vec!["snapshot/LATEST", snap]);
    let all = s.list("").await.unwrap();
    let data = all
        .iter()
        .find(|o| o.path == "dt=a/bucket-0/data-1.parquet")
        .expect("a recursive listing of the root finds nested files");
    assert_eq!(data.size, 2);
    assert_eq!(all.len(), 4, "{all:?}");
    assert!(s.list("absent").await.unwrap().is_empty());
    // delete removes.
    s.delete(snap).await.unwrap();
    assert!(s.head(snap).await.unwrap().is_none());
    // Paths that leave the table are refused by every operation.
    for bad in ["../x", "/etc/passwd", "a/../../b", "a//b", ""] {
        assert!(s.get(bad).await.is_err(), "get {bad:?}");
        assert!(s.head(bad).await.is_err(), "head {bad:?}");
        assert!(s.put(bad, Bytes::new()).await.is_err(), "put {bad:?}");
        assert!(s.delete(bad).await.is_err(), "delete {bad:?}");
    }
}
