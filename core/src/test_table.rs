//! An in-memory table built by the committer, for unit tests of maintenance.

use std::sync::Arc;

use bytes::Bytes;

use crate::binary_row::BinaryRow;
use crate::commit::{Attempt, CommitChanges, Committer};
use crate::manifest::{DataFileMeta, FileKind, ManifestEntry};
use crate::schema::{schema_path, TableSchema};
use crate::snapshot::CommitKind;
use crate::storage::{MemoryStorage, Storage};
use crate::table::Table;

pub(crate) fn entry(kind: FileKind, name: &str) -> ManifestEntry {
    ManifestEntry {
        kind,
        partition: BinaryRow::encode(&[], &[]).unwrap(),
        bucket: 0,
        total_buckets: 1,
        file: DataFileMeta {
            file_name: name.into(),
            file_size: 1,
            row_count: 1,
            ..Default::default()
        },
    }
}

/// Commits `steps` in order (each: files added, files deleted), with commit times 1000 *
/// step, storing each added data file; returns the storage.
pub(crate) async fn table(steps: &[(&[&str], &[&str])]) -> Arc<MemoryStorage> {
    let storage = Arc::new(MemoryStorage::new());
    let fields = crate::types::parse_columns("k INT NOT NULL, v INT").unwrap();
    let options = [("bucket".to_string(), "1".to_string())].into();
    let schema = TableSchema::create(fields, vec![], vec!["k".into()], options, 0).unwrap();
    storage
        .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
        .await
        .unwrap();
    let t = Arc::new(Table::open(storage.clone()).await.unwrap());
    let c = Committer::new(t, "expire-tests");
    let mut since = None;
    for (i, (adds, deletes)) in steps.iter().enumerate() {
        let mut entries: Vec<ManifestEntry> =
            adds.iter().map(|n| entry(FileKind::Add, n)).collect();
        entries.extend(deletes.iter().map(|n| entry(FileKind::Delete, n)));
        for n in *adds {
            storage
                .put(&format!("bucket-0/{n}"), Bytes::from_static(b"x"))
                .await
                .unwrap();
        }
        let changes = CommitChanges {
            kind: if deletes.is_empty() {
                CommitKind::Append
            } else {
                CommitKind::Compact
            },
            entries,
            changelog: vec![],
            properties: None,
            offsets: vec![],
            index: vec![],
            index_base: vec![],
            keys_read_at: None,
        };
        let at = 1000 * (i as i64 + 1);
        match c
            .try_commit(&changes, i as i64, &format!("u{i}"), at, since)
            .await
            .unwrap()
        {
            Attempt::Committed(s) => since = Some(s.id),
            Attempt::Lost => panic!("no racer"),
        }
    }
    storage
}

/// Whether `path` exists in `storage`.
pub(crate) async fn exists(storage: &dyn Storage, path: &str) -> bool {
    storage.head(path).await.unwrap().is_some()
}

/// Tags snapshot `id` as `name`.
pub(crate) async fn tag(storage: &dyn Storage, name: &str, id: i64) {
    let t = crate::snapshot::Tag {
        snapshot: crate::snapshot::Snapshot::load(storage, id).await.unwrap(),
        tag_create_time: None,
        tag_time_retained: None,
    };
    storage
        .put(&crate::snapshot::tag_path(name), Bytes::from(t.to_json()))
        .await
        .unwrap();
}

/// A table of any shape in any storage, committed entry by entry: for tests that need
/// partitions, buckets, levels, stats or changelogs.
pub(crate) struct Builder {
    pub storage: Arc<dyn Storage>,
    pub table: Arc<Table>,
    committer: Committer,
    since: Option<i64>,
    commits: i64,
}

impl Builder {
    /// A table of `columns` (`"k INT NOT NULL, v INT"`), partitioned by `partition`, keyed by
    /// `keys`, with `options`, whose schema 0 is written into `storage`.
    pub async fn new(
        storage: Arc<dyn Storage>,
        columns: &str,
        partition: &[&str],
        keys: &[&str],
        options: &[(&str, &str)],
    ) -> Builder {
        let fields = crate::types::parse_columns(columns).unwrap();
        let options = options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let names = |s: &[&str]| s.iter().map(|n| n.to_string()).collect();
        let schema =
            TableSchema::create(fields, names(partition), names(keys), options, 0).unwrap();
        storage
            .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
            .await
            .unwrap();
        let table = Arc::new(Table::open(storage.clone()).await.unwrap());
        Builder {
            storage,
            committer: Committer::new(table.clone(), "builder"),
            table,
            since: None,
            commits: 0,
        }
    }

    /// Commits `entries` and `changelog` as `kind` at `at` (epoch ms); returns the snapshot.
    pub async fn commit(
        &mut self,
        kind: CommitKind,
        entries: Vec<ManifestEntry>,
        changelog: Vec<ManifestEntry>,
        at: i64,
    ) -> crate::snapshot::Snapshot {
        let changes = CommitChanges {
            kind,
            entries,
            changelog,
            properties: None,
            offsets: vec![],
            index: vec![],
            index_base: vec![],
            keys_read_at: None,
        };
        self.commits += 1;
        let uuid = format!("b{}", self.commits);
        match self
            .committer
            .try_commit(&changes, self.commits, &uuid, at, self.since)
            .await
            .unwrap()
        {
            Attempt::Committed(s) => {
                self.since = Some(s.id);
                *s
            }
            Attempt::Lost => panic!("no racer"),
        }
    }
}

/// An entry of file `name` in the partition `partition` (values of the partition columns'
/// `types`) and `bucket` of `total_buckets`, at level 0 with one row.
pub(crate) fn entry_in(
    kind: FileKind,
    name: &str,
    types: &[crate::types::DataType],
    partition: &[crate::binary_row::Datum],
    bucket: i32,
    total_buckets: i32,
) -> ManifestEntry {
    let mut e = entry(kind, name);
    e.partition = BinaryRow::encode(types, partition).unwrap();
    e.bucket = bucket;
    e.total_buckets = total_buckets;
    e
}
