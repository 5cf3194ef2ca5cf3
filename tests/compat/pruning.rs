//! Filters on a primary-key table whose runs overlap prune row groups and pages by the key
//! before the merge, and still apply exactly: each filtered read equals the model filtered
//! row by row, a value filter never hides a key's newer version, and a point lookup fetches
//! a fraction of the files.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};
use strata_core::read::{read_all, ReadBuilder};
use strata_core::storage::{ObjectMeta, Storage};
use strata_core::table::Table;
use strata_tests::rows_json;
use strata_tests::writes::*;

/// Counts the bytes read through it.
#[derive(Debug)]
struct Counting {
    inner: Arc<dyn Storage>,
    bytes: AtomicU64,
}

#[async_trait::async_trait]
impl Storage for Counting {
    async fn get(&self, path: &str) -> strata_core::Result<Bytes> {
        let b = self.inner.get(path).await?;
        self.bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok(b)
    }
    async fn get_range(&self, path: &str, range: Range<u64>) -> strata_core::Result<Bytes> {
        let b = self.inner.get_range(path, range).await?;
        self.bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok(b)
    }
    async fn head(&self, path: &str) -> strata_core::Result<Option<ObjectMeta>> {
        self.inner.head(path).await
    }
    async fn put_if_absent(&self, path: &str, data: Bytes) -> strata_core::Result<()> {
        self.inner.put_if_absent(path, data).await
    }
    async fn put(&self, path: &str, data: Bytes) -> strata_core::Result<()> {
        self.inner.put(path, data).await
    }
    async fn list(&self, prefix: &str) -> strata_core::Result<Vec<ObjectMeta>> {
        self.inner.list(prefix).await
    }
    async fn delete(&self, path: &str) -> strata_core::Result<()> {
        self.inner.delete(path).await
    }
}

const N: i64 = 300_000;

#[test]
fn key_filters_prune_pages_before_the_merge_and_apply_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "pruned",
        "id BIGINT, v BIGINT, s STRING, op STRING",
        &["id"],
        &[],
        1,
        &[("num-sorted-run.compaction-trigger", "10")],
    );
    // Three overlapping runs: every id, then every third id updated, then every tenth deleted.
    let mut model: BTreeMap<i64, Value> = BTreeMap::new();
    let rounds: [Vec<(i64, i64, &str, &str)>; 3] = [
        (0..N).map(|i| (i, i, "a", "+I")).collect(),
        (0..N).step_by(3).map(|i| (i, -i, "b", "+U")).collect(),
        (0..N).step_by(10).map(|i| (i, 0, "c", "-D")).collect(),
    ];
    for r in &rounds {
        let rows: Vec<Value> = r
            .iter()
            .map(|(id, v, s, op)| json!({"id": id, "v": v, "s": s, "op": op}))
            .collect();
        strata_write(&t, &rows, Some("op"));
        for (id, v, s, op) in r {
            if *op == "-D" {
                model.remove(id);
            } else {
                model.insert(*id, json!([id, v, s, op]));
            }
        }
    }
    assert_eq!(live_levels(&t).len(), 3, "three runs, not compacted");

    let counting = Arc::new(Counting {
        inner: t.storage_arc(),
        bytes: AtomicU64::new(0),
    });
    let table = Arc::new(rt().block_on(Table::open(counting.clone())).unwrap());
    let types = table.schema().field_types();
    let read = |filter: &str| {
        counting.bytes.store(0, Ordering::Relaxed);
        let rows = rt().block_on(async {
            let mut r = ReadBuilder::new()
                .filter(filter)
                .unwrap()
                .build(table.clone())
                .await
                .unwrap();
            rows_json(&read_all(&mut r).await.unwrap(), &types)
        });
        (rows, counting.bytes.load(Ordering::Relaxed))
    };
    let id = |r: &Value| r[0].as_i64().unwrap();
    let v = |r: &Value| r[1].as_i64().unwrap();
    type RowTest = Box<dyn Fn(&Value) -> bool>;
    let cases: Vec<(&str, RowTest)> = vec![
        ("id = 31234", Box::new(move |r| id(r) == 31234)),
        ("id = 31233", Box::new(move |r| id(r) == 31233)),
        ("id = 31230", Box::new(move |r| id(r) == 31230)),
        (
            "id >= 1000 AND id < 1010",
            Box::new(move |r| (1000..1010).contains(&id(r))),
        ),
        (
            "id IN (5, 299999, 31233, 777777)",
            Box::new(move |r| [5, 299999, 31233].contains(&id(r))),
        ),
        // A value filter must see each key's latest version: pruning uses the key alone.
        (
            "v < 0 AND id < 100",
            Box::new(move |r| v(r) < 0 && id(r) < 100),
        ),
        ("v = 42", Box::new(move |r| v(r) == 42)),
        (
            "s = 'b' OR id = 7",
            Box::new(move |r| r[2] == "b" || id(r) == 7),
        ),
        (
            "id > 299990 OR v = -3",
            Box::new(move |r| id(r) > 299990 || v(r) == -3),
        ),
        ("NOT (id < 299000)", Box::new(move |r| id(r) >= 299000)),
    ];
    let (_, everything) = read("id >= 0");
    for (filter, keep) in cases {
        let (ours, _) = read(filter);
        // (`rows_json` sorts rows by their JSON text.)
        let want = sorted(model.values().filter(|r| keep(r)).cloned().collect());
        assert_eq!(ours.len(), want.len(), "{filter}");
        assert_eq!(ours, want, "{filter}");
    }
    // A point lookup reads each run's footer (64 KB of its tail, page index included), the
    // pages holding the key, and the dictionary pages of the value columns: at this small
    // scale a third of what reading everything fetches; the fixed costs shrink with the files.
    let (hit, lookup) = read("id = 31234");
    assert_eq!(hit.len(), 1);
    assert!(
        lookup * 2 < everything,
        "lookup fetched {lookup} bytes, everything {everything}"
    );
}
