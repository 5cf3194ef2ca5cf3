//! Orphan cleaning over a storage that dates its files: only unused files older than the
//! limit and inside Paimon's directories go; tags protect files; damaged tables and tables
//! with branches are left untouched.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::executor::block_on;

use super::clean_orphans;
use crate::manifest::FileKind;
use crate::snapshot::CommitKind;
use crate::storage::{MemoryStorage, ObjectMeta, Storage};
use crate::test_table::{entry, Builder};
use crate::{Error, Result};

/// A memory storage whose files carry the clock's time when they were last put.
#[derive(Debug, Default)]
struct Dated {
    inner: MemoryStorage,
    now: AtomicI64,
    times: Mutex<HashMap<String, i64>>,
}

impl Dated {
    fn stamp(&self, p: &str) {
        let now = self.now.load(Ordering::SeqCst);
        self.times.lock().unwrap().insert(p.to_string(), now);
    }

    fn date(&self, mut o: ObjectMeta) -> ObjectMeta {
        o.last_modified = self.times.lock().unwrap().get(&o.path).copied();
        o
    }
}

#[async_trait::async_trait]
impl Storage for Dated {
    async fn get(&self, p: &str) -> Result<Bytes> {
        self.inner.get(p).await
    }
    async fn get_range(&self, p: &str, r: std::ops::Range<u64>) -> Result<Bytes> {
        self.inner.get_range(p, r).await
    }
    async fn head(&self, p: &str) -> Result<Option<ObjectMeta>> {
        Ok(self.inner.head(p).await?.map(|o| self.date(o)))
    }
    async fn put_if_absent(&self, p: &str, d: Bytes) -> Result<()> {
        self.inner.put_if_absent(p, d).await?;
        self.stamp(p);
        Ok(())
    }
    async fn put(&self, p: &str, d: Bytes) -> Result<()> {
        self.inner.put(p, d).await?;
        self.stamp(p);
        Ok(())
    }
    async fn list(&self, p: &str) -> Result<Vec<ObjectMeta>> {
        Ok(self
            .inner
            .list(p)
            .await?
            .into_iter()
            .map(|o| self.date(o))
            .collect())
    }
    async fn delete(&self, p: &str) -> Result<()> {
        self.inner.delete(p).await
    }
}

/// At time 100: a table whose snapshot 1 adds `a` and snapshot 2 replaces it with `b` (data
/// files written), plus files nobody uses, old and new, inside and outside Paimon's
/// directories.
async fn table_with_orphans() -> (Arc<Dated>, Builder) {
    let s = Arc::new(Dated::default());
    s.now.store(100, Ordering::SeqCst);
    let mut b = Builder::new(s.clone(), "k INT NOT NULL, v INT", &[], &[], &[]).await;
    b.commit(
        CommitKind::Append,
        vec![entry(FileKind::Add, "a")],
        vec![],
        100,
    )
    .await;
    let replace = vec![entry(FileKind::Add, "b"), entry(FileKind::Delete, "a")];
    b.commit(CommitKind::Compact, replace, vec![], 100).await;
    let x = || Bytes::from_static(b"x");
    for p in [
        "bucket-0/a",
        "bucket-0/b",
        "bucket-0/old-orphan",
        "manifest/manifest-old-orphan",
        "snapshot/.snapshot-3.abc.tmp",
        "README.md",
        "photos/bucket-0/x.jpg",
    ] {
        s.put(p, x()).await.unwrap();
    }
    s.now.store(900, Ordering::SeqCst);
    s.put("bucket-0/new-orphan", x()).await.unwrap();
    (s, b)
}

async fn exists(s: &Dated, p: &str) -> bool {
    s.head(p).await.unwrap().is_some()
}

#[test]
fn only_unused_files_older_than_the_limit_in_paimon_directories_are_deleted() {
    block_on(async {
        let (s, _b) = table_with_orphans().await;
        let before: Vec<String> = s
            .list("")
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.path)
            .collect();
        let dry = clean_orphans(s.as_ref(), 500, true).await.unwrap();
        let want = [
            // `a` is no longer live, but snapshot 1 still uses it.
            "bucket-0/old-orphan",
            "manifest/manifest-old-orphan",
            "snapshot/.snapshot-3.abc.tmp",
        ];
        assert_eq!(dry.files, want);
        assert!(dry.snapshots.is_empty());
        let after_dry: Vec<String> = s
            .list("")
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.path)
            .collect();
        assert_eq!(after_dry, before, "a dry run deleted");
        let done = clean_orphans(s.as_ref(), 500, false).await.unwrap();
        assert_eq!(done, dry);
        for gone in want {
            assert!(!exists(&s, gone).await, "{gone}");
        }
        for kept in [
            "bucket-0/a",
            "bucket-0/b",
            "bucket-0/new-orphan",
            "README.md",
            "photos/bucket-0/x.jpg",
        ] {
            assert!(exists(&s, kept).await, "{kept}");
        }
        // The newer orphan goes once the limit passes it.
        let later = clean_orphans(s.as_ref(), 1000, false).await.unwrap();
        assert_eq!(later.files, ["bucket-0/new-orphan"]);
    })
}

#[test]
fn a_tag_keeps_the_files_of_its_expired_snapshot() {
    block_on(async {
        let (s, _b) = table_with_orphans().await;
        crate::test_table::tag(s.as_ref(), "first", 1).await;
        s.delete("snapshot/snapshot-1").await.unwrap();
        let r = clean_orphans(s.as_ref(), 500, false).await.unwrap();
        assert!(!r.files.contains(&"bucket-0/a".to_string()), "{r:?}");
        assert!(exists(&s, "bucket-0/a").await);
        // Without the tag, `a` is an orphan.
        s.delete("tag/tag-first").await.unwrap();
        let r = clean_orphans(s.as_ref(), 500, false).await.unwrap();
        assert!(r.files.contains(&"bucket-0/a".to_string()), "{r:?}");
        assert!(!exists(&s, "bucket-0/a").await);
    })
}

#[test]
fn a_table_missing_a_used_file_is_left_untouched() {
    block_on(async {
        let (s, _b) = table_with_orphans().await;
        s.delete("bucket-0/b").await.unwrap();
        match clean_orphans(s.as_ref(), 500, false).await.unwrap_err() {
            Error::Corrupt { file, what } => {
                assert_eq!(file, "snapshot/snapshot-2");
                assert!(
                    what.starts_with(
                        "it uses bucket-0/b, which does not exist (1 used files are missing)"
                    ),
                    "{what}"
                );
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
        assert!(
            exists(&s, "bucket-0/old-orphan").await,
            "a damaged table lost a file"
        );
    })
}

#[test]
fn a_table_with_branches_is_refused() {
    block_on(async {
        let (s, _b) = table_with_orphans().await;
        s.put(
            "branch/branch-dev/snapshot/snapshot-1",
            Bytes::from_static(b"{}"),
        )
        .await
        .unwrap();
        match clean_orphans(s.as_ref(), 500, false).await.unwrap_err() {
            Error::Unsupported { file, what } => {
                assert_eq!(file, "branch/branch-dev/snapshot/snapshot-1");
                assert!(what.starts_with("the table has branches"), "{what}");
            }
            other => panic!("expected Unsupported, got {other:?}"),
        }
        assert!(exists(&s, "bucket-0/old-orphan").await);
    })
}
