//! Paimon Java and Strata take turns on one table: commits and compactions of each side,
//! on a plain primary-key table, a deletion-vector table and a table with cross-partition
//! upserts; after each step both read equal to the model. Needs the JVM and Paimon's jars
//! (`scripts/paimon-java.sh`); skips without them unless `STRATA_REQUIRE_ALL` is set.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use strata_core::table::Table;
use strata_tests::java::{files_under, java_missing, peer};
use strata_tests::writes::*;

/// Strata and Java commit to and compact one table in turn; after each step both read the
/// model.
#[test]
fn java_and_strata_take_turns() {
    if java_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = dt_table(&wh, "turns", 2, &[]);
    let path = wh.join("db.db/turns");
    let mut model: BTreeMap<(i64, String), Value> = BTreeMap::new();
    let both_read = |t: &Arc<Table>, model: &BTreeMap<(i64, String), Value>, step: &str| {
        let m = sorted(model.values().cloned().collect());
        assert_eq!(strata_rows(t), m, "after {step}: Strata vs model");
        assert_eq!(peer().read(&path).1, m, "after {step}: Java vs model");
    };

    // Strata writes.
    let rows: Vec<Value> = (0..10)
        .map(|i| json!({"id": i, "v": format!("s{i}"), "dt": if i % 2 == 0 { "a" } else { "b" }}))
        .collect();
    strata_write(&t, &rows, None);
    for r in &rows {
        model.insert(
            (r["id"].as_i64().unwrap(), r["dt"].as_str().unwrap().into()),
            json!([r["id"], r["v"], r["dt"]]),
        );
    }
    both_read(&t, &model, "Strata's write");

    // Java upserts and deletes.
    peer().write(
        &path,
        &[
            json!([1, "j1", "b"]),
            json!([2, "", "a"]),
            json!([20, "j20", "c"]),
        ],
        Some(&["+U", "-D", "+I"]),
    );
    model.insert((1, "b".into()), json!([1, "j1", "b"]));
    model.remove(&(2, "a".into()));
    model.insert((20, "c".into()), json!([20, "j20", "c"]));
    both_read(&t, &model, "Java's write");

    // Strata compacts, then writes.
    compact(&t, true);
    both_read(&t, &model, "Strata's compaction");
    strata_write(
        &t,
        &[
            json!({"id": 3, "v": "s3'", "dt": "b"}),
            json!({"id": 21, "v": "s21", "dt": "c"}),
        ],
        None,
    );
    model.insert((3, "b".into()), json!([3, "s3'", "b"]));
    model.insert((21, "c".into()), json!([21, "s21", "c"]));
    both_read(&t, &model, "Strata's second write");

    // Java compacts; Strata writes again and reads through Java's compacted files.
    peer().compact(&path);
    both_read(&t, &model, "Java's compaction");
    strata_write(&t, &[json!({"id": 20, "v": "s20", "dt": "c"})], None);
    model.insert((20, "c".into()), json!([20, "s20", "c"]));
    both_read(&t, &model, "Strata's write after Java's compaction");
}

/// A deletion-vector table Strata writes (each write then a compaction, as `strata write`
/// does) reads in Java, Java's own writes and compactions into it read in Strata, and each
/// side's deletion vectors survive the other's next compaction.
#[test]
fn java_and_strata_take_turns_on_a_deletion_vector_table() {
    if java_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = dt_table(&wh, "dv", 1, &[("deletion-vectors.enabled", "true")]);
    let path = wh.join("db.db/dv");
    let mut model: BTreeMap<(i64, String), Value> = BTreeMap::new();
    let dt = |i: i64| if i % 2 == 0 { "a" } else { "b" };
    let both_read = |t: &Arc<Table>, model: &BTreeMap<(i64, String), Value>, step: &str| {
        let m = sorted(model.values().cloned().collect());
        assert_eq!(strata_rows(t), m, "after {step}: Strata vs model");
        assert_eq!(peer().read(&path).1, m, "after {step}: Java vs model");
    };
    let index_files = || files_under(&path.join("index")).len();

    // A big first write, so later small ones are looked up rather than rewritten with it.
    let rows: Vec<Value> = (0..3000)
        .map(|i| json!({"id": i, "v": format!("s{i}"), "dt": dt(i)}))
        .collect();
    strata_write(&t, &rows, None);
    assert_eq!(
        peer().read(&path).1,
        Vec::<Value>::new(),
        "level 0 is unread"
    );
    compact(&t, false);
    for r in &rows {
        let id = r["id"].as_i64().unwrap();
        model.insert((id, dt(id).into()), json!([id, r["v"], dt(id)]));
    }
    both_read(&t, &model, "Strata's first write");

    // Strata updates and deletes: its compaction writes deletion vectors Java honours.
    strata_write(
        &t,
        &[
            json!({"id": 4, "v": "s4'", "dt": "a", "op": "+U"}),
            json!({"id": 7, "v": "", "dt": "b", "op": "-D"}),
            json!({"id": 5000, "v": "new", "dt": "a", "op": "+I"}),
        ],
        Some("op"),
    );
    compact(&t, false);
    model.insert((4, "a".into()), json!([4, "s4'", "a"]));
    model.remove(&(7, "b".into()));
    model.insert((5000, "a".into()), json!([5000, "new", "a"]));
    assert!(index_files() > 0, "Strata wrote no deletion-vector index");
    both_read(&t, &model, "Strata's deletion vectors");

    // Java upserts and deletes (its commit compacts, writing its own vectors).
    peer().write(
        &path,
        &[
            json!([6, "j6", "a"]),
            json!([9, "", "b"]),
            json!([4, "j4", "a"]),
        ],
        Some(&["+U", "-D", "+U"]),
    );
    model.insert((6, "a".into()), json!([6, "j6", "a"]));
    model.remove(&(9, "b".into()));
    model.insert((4, "a".into()), json!([4, "j4", "a"]));
    both_read(&t, &model, "Java's write");

    // Strata again, over Java's vectors.
    strata_write(
        &t,
        &[
            json!({"id": 6, "v": "s6''", "dt": "a"}),
            json!({"id": 11, "v": "s11'", "dt": "b"}),
        ],
        None,
    );
    compact(&t, false);
    model.insert((6, "a".into()), json!([6, "s6''", "a"]));
    model.insert((11, "b".into()), json!([11, "s11'", "b"]));
    both_read(&t, &model, "Strata's write over Java's vectors");

    // Java compacts; Strata's full compaction leaves no vector behind.
    peer().compact(&path);
    both_read(&t, &model, "Java's compaction");
    compact(&t, true);
    both_read(&t, &model, "Strata's full compaction");
}

/// A table with cross-partition upserts (dynamic buckets, key `id` without the partition
/// column `dt`) Strata writes, keys moving between partitions, reads in Java equal to the
/// model; after Java compacts it, Strata's next write finds each key where Java left it.
#[test]
fn java_reads_cross_partition_upserts_strata_writes() {
    if java_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "moves",
        "id BIGINT, v STRING, dt STRING",
        &["id"],
        &["dt"],
        -1,
        &[("dynamic-bucket.target-row-num", "40")],
    );
    let path = wh.join("db.db/moves");
    let mut model: BTreeMap<i64, Value> = BTreeMap::new();
    let both_read = |t: &Arc<Table>, model: &BTreeMap<i64, Value>, step: &str| {
        let m = sorted(model.values().cloned().collect());
        assert_eq!(strata_rows(t), m, "after {step}: Strata vs model");
        assert_eq!(peer().read(&path).1, m, "after {step}: Java vs model");
    };
    let rows: Vec<Value> = (0..100)
        .map(|i| json!({"id": i, "v": format!("s{i}"), "dt": if i % 2 == 0 { "a" } else { "b" }}))
        .collect();
    strata_write(&t, &rows, None);
    for r in &rows {
        model.insert(r["id"].as_i64().unwrap(), json!([r["id"], r["v"], r["dt"]]));
    }
    both_read(&t, &model, "the first write");

    // Keys move: 0 and 2 from a to c, 1 from b to a and back to b in one write; 7 is deleted.
    strata_write(
        &t,
        &[
            json!({"id": 0, "v": "m0", "dt": "c", "op": "+I"}),
            json!({"id": 2, "v": "m2", "dt": "c", "op": "+I"}),
            json!({"id": 1, "v": "m1", "dt": "a", "op": "+I"}),
            json!({"id": 1, "v": "m1'", "dt": "b", "op": "+I"}),
            json!({"id": 7, "v": "", "dt": "b", "op": "-D"}),
        ],
        Some("op"),
    );
    model.insert(0, json!([0, "m0", "c"]));
    model.insert(2, json!([2, "m2", "c"]));
    model.insert(1, json!([1, "m1'", "b"]));
    model.remove(&7);
    both_read(&t, &model, "the moves");

    // Java compacts every bucket; Strata's next write reads its keys from Java's files.
    peer().compact(&path);
    both_read(&t, &model, "Java's compaction");
    strata_write(
        &t,
        &[
            json!({"id": 0, "v": "back", "dt": "a"}),
            json!({"id": 3, "v": "m3", "dt": "c"}),
        ],
        None,
    );
    model.insert(0, json!([0, "back", "a"]));
    model.insert(3, json!([3, "m3", "c"]));
    both_read(&t, &model, "Strata's write after Java's compaction");
    compact(&t, true);
    both_read(&t, &model, "Strata's full compaction");
}
