//! Commit attempts that end without publishing leave nothing behind, and snapshot ids are
//! checked.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::executor::block_on;

use super::*;
use crate::manifest::FileKind;
use crate::schema::{schema_path, TableSchema};
use crate::storage::{MemoryStorage, ObjectMeta, Storage};
use crate::test_table::entry;

fn changes(entries: Vec<ManifestEntry>) -> CommitChanges {
    CommitChanges {
        kind: CommitKind::Append,
        entries,
        changelog: Vec::new(),
        properties: None,
        offsets: Vec::new(),
        index: Vec::new(),
        index_base: Vec::new(),
        keys_read_at: None,
    }
}

/// A storage where another committer takes the next snapshot id just before this one's put,
/// once, when `race` is set.
#[derive(Debug, Default)]
struct Racing {
    inner: MemoryStorage,
    race: AtomicBool,
}

#[async_trait::async_trait]
impl Storage for Racing {
    async fn get(&self, p: &str) -> Result<Bytes> {
        self.inner.get(p).await
    }
    async fn get_range(&self, p: &str, r: std::ops::Range<u64>) -> Result<Bytes> {
        self.inner.get_range(p, r).await
    }
    async fn head(&self, p: &str) -> Result<Option<ObjectMeta>> {
        self.inner.head(p).await
    }
    async fn put_if_absent(&self, p: &str, d: Bytes) -> Result<()> {
        if p.starts_with("snapshot/") && self.race.swap(false, Ordering::SeqCst) {
            self.inner.put(p, Bytes::from_static(b"{}")).await?;
        }
        self.inner.put_if_absent(p, d).await
    }
    async fn put(&self, p: &str, d: Bytes) -> Result<()> {
        self.inner.put(p, d).await
    }
    async fn list(&self, p: &str) -> Result<Vec<ObjectMeta>> {
        self.inner.list(p).await
    }
    async fn delete(&self, p: &str) -> Result<()> {
        self.inner.delete(p).await
    }
}

async fn committer(storage: Arc<Racing>) -> Committer {
    let fields = crate::types::parse_columns("k INT").unwrap();
    let options = [("bucket".to_string(), "-1".to_string())].into();
    let schema = TableSchema::create(fields, vec![], vec![], options, 0).unwrap();
    storage
        .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
        .await
        .unwrap();
    let table = Arc::new(Table::open(storage).await.unwrap());
    Committer::new(table, "tests")
}

async fn manifests(s: &Racing) -> usize {
    s.list("manifest").await.unwrap().len()
}

#[test]
fn a_lost_race_removes_the_attempts_manifests() {
    block_on(async {
        let storage = Arc::new(Racing::default());
        let c = committer(storage.clone()).await;
        let first = c
            .try_commit(&changes(vec![entry(FileKind::Add, "a")]), 1, "u1", 0, None)
            .await
            .unwrap();
        assert!(matches!(first, Attempt::Committed(_)));
        let before = manifests(&storage).await;
        storage.race.store(true, Ordering::SeqCst);
        let lost = c
            .try_commit(
                &changes(vec![entry(FileKind::Add, "b")]),
                2,
                "u2",
                0,
                Some(1),
            )
            .await
            .unwrap();
        assert!(matches!(lost, Attempt::Lost));
        assert_eq!(
            manifests(&storage).await,
            before,
            "the lost attempt left files"
        );
    })
}

#[test]
fn a_conflict_removes_the_attempts_manifests_and_says_nothing_was_published() {
    block_on(async {
        let storage = Arc::new(Racing::default());
        let c = committer(storage.clone()).await;
        c.try_commit(&changes(vec![entry(FileKind::Add, "a")]), 1, "u1", 0, None)
            .await
            .unwrap();
        let before = manifests(&storage).await;
        let mut gone = changes(vec![entry(FileKind::Delete, "never-added")]);
        gone.kind = CommitKind::Compact;
        let e = c.try_commit(&gone, 2, "u2", 0, Some(1)).await.unwrap_err();
        assert!(e.is_unpublished(), "{e}");
        assert_eq!(manifests(&storage).await, before);
    })
}

#[test]
fn the_last_snapshot_id_has_no_successor() {
    block_on(async {
        let storage = Arc::new(Racing::default());
        let c = committer(storage.clone()).await;
        let Attempt::Committed(s) = c
            .try_commit(&changes(vec![entry(FileKind::Add, "a")]), 1, "u1", 0, None)
            .await
            .unwrap()
        else {
            panic!("no race")
        };
        let last = Snapshot { id: i64::MAX, ..*s };
        storage
            .put(&snapshot_path(i64::MAX), Bytes::from(last.to_json()))
            .await
            .unwrap();
        crate::snapshot::write_hint(storage.as_ref(), LATEST_HINT, i64::MAX)
            .await
            .unwrap();
        let before = manifests(&storage).await;
        let e = c
            .try_commit(
                &changes(vec![entry(FileKind::Add, "b")]),
                2,
                "u2",
                0,
                Some(1),
            )
            .await
            .unwrap_err();
        assert!(
            e.is_unpublished() && e.to_string().contains("exhausted"),
            "{e}"
        );
        assert_eq!(manifests(&storage).await, before);
        assert_eq!(
            crate::snapshot::list_snapshot_ids(storage.as_ref())
                .await
                .unwrap(),
            Some(vec![1, i64::MAX])
        );
    })
}
