//! Data files outside the table (`data-file.external-paths`): written to the declared roots
//! in turn, read back through the storage of their root, and deleted there when no snapshot
//! uses them any more.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use super::tests::{compacted, env, row, rows_of, write_rows};
use crate::expire::{expire, Retention};
use crate::manifest::live_files;
use crate::scan::{resolve_snapshot, SnapshotSpec};
use crate::schema::{schema_path, TableSchema};
use crate::storage::{MemoryStorage, ObjectMeta, Storage};
use crate::table::Table;
use crate::Result;

const ROOTS: &str = "mem://one/ext, mem://two/ext/";

/// A table's storage that also reaches the external roots it was given.
#[derive(Debug, Default)]
struct WithRoots {
    table: MemoryStorage,
    roots: HashMap<String, Arc<MemoryStorage>>,
}

#[async_trait::async_trait]
impl Storage for WithRoots {
    async fn get(&self, path: &str) -> Result<Bytes> {
        self.table.get(path).await
    }
    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes> {
        self.table.get_range(path, range).await
    }
    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>> {
        self.table.head(path).await
    }
    async fn put_if_absent(&self, path: &str, data: Bytes) -> Result<()> {
        self.table.put_if_absent(path, data).await
    }
    async fn put(&self, path: &str, data: Bytes) -> Result<()> {
        self.table.put(path, data).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        self.table.list(prefix).await
    }
    async fn delete(&self, path: &str) -> Result<()> {
        self.table.delete(path).await
    }
    fn external(&self, root: &str) -> Result<Arc<dyn Storage>> {
        match self.roots.get(root) {
            Some(s) => Ok(s.clone()),
            None => Err(crate::Error::unsupported(
                root,
                "a root this test does not reach",
            )),
        }
    }
}

/// A key-value table `k INT, v INT, dt STRING` in 2 buckets whose data files go to `ROOTS`.
async fn table(
    strategy: &str,
    reach: bool,
    extra: &[(&str, &str)],
) -> (Arc<Table>, Vec<Arc<MemoryStorage>>) {
    let roots: Vec<Arc<MemoryStorage>> = (0..2).map(|_| Arc::new(MemoryStorage::new())).collect();
    let storage = WithRoots {
        table: MemoryStorage::new(),
        roots: if reach {
            [
                ("mem://one/ext".to_string(), roots[0].clone()),
                ("mem://two/ext".to_string(), roots[1].clone()),
            ]
            .into()
        } else {
            HashMap::new()
        },
    };
    let fields = crate::types::parse_columns("k INT NOT NULL, v INT, dt STRING NOT NULL").unwrap();
    let opts: BTreeMap<String, String> = [
        ("bucket", "2"),
        ("data-file.external-paths", ROOTS),
        ("data-file.external-paths.strategy", strategy),
    ]
    .into_iter()
    .chain(extra.iter().copied())
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let schema = TableSchema::create(fields, vec![], vec!["k".into()], opts, 0).unwrap();
    storage
        .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
        .await
        .unwrap();
    (
        Arc::new(Table::open(Arc::new(storage)).await.unwrap()),
        roots,
    )
}

async fn files_in(s: &MemoryStorage) -> Vec<String> {
    s.list("")
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.path)
        .collect()
}

#[tokio::test]
async fn data_files_go_to_the_roots_in_turn_and_read_back() {
    let (t, roots) = table("round-robin", true, &[]).await;
    let rows: Vec<(i32, i32, &str)> = (1..=20).map(|k| (k, k, "a")).collect();
    write_rows(&t, &rows, None, Default::default()).await;
    // Nothing in the table's own bucket directories; a file in each root.
    let inside = t.storage().list("").await.unwrap();
    assert!(
        inside.iter().all(|m| !m.path.contains("bucket-")),
        "{inside:?}"
    );
    let (one, two) = (files_in(&roots[0]).await, files_in(&roots[1]).await);
    assert_eq!(one.len() + two.len(), 2, "{one:?} {two:?}");
    assert!(
        !one.is_empty() && !two.is_empty(),
        "round robin: {one:?} {two:?}"
    );
    assert!(one.iter().chain(&two).all(|p| p.starts_with("bucket-")));
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    for e in live_files(t.storage(), &latest).await.unwrap() {
        let at = e.file.external_path.unwrap();
        assert!(
            at.starts_with("mem://one/ext/bucket-") || at.starts_with("mem://two/ext/bucket-"),
            "{at}"
        );
        assert!(at.ends_with(&e.file.file_name), "{at}");
    }
    let want: Vec<_> = (1..=20).map(|k| row(k, k)).collect();
    assert_eq!(rows_of(&t).await, want);

    // Updates, a full compaction (its outputs go out too), then expiring the old
    // snapshots deletes the files only they used, in their roots.
    write_rows(&t, &[(1, 100, "a")], None, Default::default()).await;
    compacted(&t, true).await;
    let mut want = want;
    want[0] = row(1, 100);
    assert_eq!(rows_of(&t).await, want);
    let before = files_in(&roots[0]).await.len() + files_in(&roots[1]).await.len();
    let retention = Retention {
        min: 1,
        max: None,
        time_millis: 0,
    };
    let removed = expire(t.storage(), retention, i64::MAX, false)
        .await
        .unwrap();
    assert!(
        removed.files.iter().any(|f| f.starts_with("mem://")),
        "{removed:?}"
    );
    let after = files_in(&roots[0]).await.len() + files_in(&roots[1]).await.len();
    assert_eq!(
        after, 2,
        "one compacted file per bucket is left of {before}"
    );
    assert_eq!(rows_of(&t).await, want);
}

async fn write_error(t: Arc<Table>) -> String {
    let rows = vec![super::tests::input(&[(1, 1, "a")], None)];
    super::write(t, rows, Default::default(), env())
        .await
        .unwrap_err()
        .to_string()
}

#[tokio::test]
async fn roots_the_storage_does_not_reach_and_unknown_strategies_are_refused() {
    let e = write_error(table("round-robin", false, &[]).await.0).await;
    assert!(e.contains("mem://"), "{e}");
    let weights = [("data-file.external-paths.weights", "1,2,3")];
    let e = write_error(table("weight-robin", true, &weights).await.0).await;
    assert!(e.contains("3 weights for 2 external paths"), "{e}");
}

#[tokio::test]
async fn entropy_and_weighted_strategies_place_files_as_paimon_does() {
    let rows: Vec<(i32, i32, &str)> = (1..=20).map(|k| (k, k, "a")).collect();
    let want: Vec<_> = (1..=20).map(|k| row(k, k)).collect();
    // entropy-inject: bucket-N/dddd/dddd/dddd/dddddddd/<file>, from the name's hash.
    let (t, roots) = table("entropy-inject", true, &[]).await;
    write_rows(&t, &rows, None, Default::default()).await;
    let mut files = files_in(&roots[0]).await;
    files.extend(files_in(&roots[1]).await);
    assert_eq!(files.len(), 2, "{files:?}");
    for f in &files {
        let parts: Vec<&str> = f.split('/').collect();
        assert_eq!(parts.len(), 6, "{f}");
        assert!(parts[1..5]
            .iter()
            .all(|d| d.chars().all(|c| c == '0' || c == '1')));
        assert_eq!(
            parts[1..5].iter().map(|d| d.len()).collect::<Vec<_>>(),
            [4, 4, 4, 8]
        );
    }
    assert_eq!(rows_of(&t).await, want);
    // weight-robin: every file in one of the roots, read back.
    let weights = [("data-file.external-paths.weights", "1,3")];
    let (t, roots) = table("weight-robin", true, &weights).await;
    write_rows(&t, &rows, None, Default::default()).await;
    let n = files_in(&roots[0]).await.len() + files_in(&roots[1]).await.len();
    assert_eq!(n, 2);
    assert_eq!(rows_of(&t).await, want);
}
