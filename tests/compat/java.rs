//! Strata against Paimon Java (the reference implementation, Apache Paimon 0.9), both ways:
//! every table Java writes (each data format, merge engine, deletion vectors, changelog
//! producers, schema evolution, awkward partitions, dynamic buckets) reads in Strata equal to
//! Java's own read of every snapshot and tag; Java reads every kind of table Strata writes equal
//! to Strata's read and a model. The two taking turns on one table: `java_turns.rs`.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use strata_core::read::{read_all, ReadBuilder};
use strata_core::scan::SnapshotSpec;
use strata_core::table::Table;
use strata_core::types::DataType;
use strata_core::write::Overwrite;
use strata_tests::java::{columns_and_rows, files_under, java_missing, maps_sorted, peer};
use strata_tests::rows_json;
use strata_tests::writes::*;
use strata_writer::ObjectStoreStorage;

/// The warehouse Java writes once per test process, and Java's model of it.
struct JavaWarehouse {
    _dir: tempfile::TempDir,
    wh: PathBuf,
    model: Value,
}

fn java_warehouse() -> &'static JavaWarehouse {
    static W: OnceLock<JavaWarehouse> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let wh = dir.path().join("wh");
        std::fs::create_dir_all(&wh).unwrap();
        let model = peer().request(&json!({"op": "suite", "warehouse": wh}));
        JavaWarehouse {
            _dir: dir,
            wh,
            model,
        }
    })
}

fn open(path: &Path) -> Arc<Table> {
    let storage = ObjectStoreStorage::open(path.to_str().unwrap()).unwrap();
    Arc::new(rt().block_on(Table::open(Arc::new(storage))).unwrap())
}

/// Strata's read of `spec`: column names (of the snapshot's schema) and sorted rows.
fn strata_read(table: &Arc<Table>, spec: SnapshotSpec) -> (Vec<String>, Vec<Value>) {
    rt().block_on(async {
        let mut reader = ReadBuilder::new()
            .snapshot(spec)
            .build(table.clone())
            .await
            .unwrap();
        let batches = read_all(&mut reader).await.unwrap();
        let schema = match reader.snapshot() {
            Some(s) => table.schema_by_id(s.schema_id).await.unwrap(),
            None => table.schema().clone(),
        };
        let types: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
        (
            schema.fields.iter().map(|f| f.name.clone()).collect(),
            maps_sorted(rows_json(&batches, &types), &types),
        )
    })
}

/// Every snapshot and tag of every table Java writes reads in Strata as Java reads it.
#[test]
fn every_table_java_writes_reads_the_same_in_strata() {
    if java_missing() {
        return;
    }
    let w = java_warehouse();
    let tables = w.model["tables"].as_object().unwrap();
    let mut checked = 0;
    for (name, t) in tables {
        let table = open(&w.wh.join(t["path"].as_str().unwrap()));
        for (snap, expected) in t["snapshots"].as_object().unwrap() {
            let (cols, rows) = columns_and_rows(&mut expected.clone());
            let id: i64 = snap.parse().unwrap();
            let ours = strata_read(&table, SnapshotSpec::Id(id));
            assert_eq!(ours.0, cols, "{name}@{snap}: columns");
            assert_eq!(ours.1, rows, "{name}@{snap}: Strata vs Java");
            checked += 1;
        }
        for (tag, expected) in t["tags"].as_object().unwrap() {
            let (cols, rows) = columns_and_rows(&mut expected.clone());
            let ours = strata_read(&table, SnapshotSpec::Tag(tag.clone()));
            assert_eq!(ours.0, cols, "{name}@tag {tag}: columns");
            assert_eq!(ours.1, rows, "{name}@tag {tag}: Strata vs Java");
        }
    }
    assert!(tables.len() >= 18, "only {} Java tables", tables.len());
    assert!(checked >= 50, "only {checked} snapshots compared");
}

/// Java's suite covers what it says: every format, deletion vectors with live DV index files,
/// and rows in every table.
#[test]
fn the_java_suite_covers_formats_and_deletion_vectors() {
    if java_missing() {
        return;
    }
    let w = java_warehouse();
    let db = w.wh.join("db.db");
    for (table, ext) in [
        ("types_parquet", "parquet"),
        ("types_orc", "orc"),
        ("types_avro", "avro"),
    ] {
        let files = files_under(&db.join(table));
        assert!(
            files.iter().any(|f| f.ends_with(&format!(".{ext}"))),
            "{table} has no .{ext} data file: {files:?}"
        );
    }
    for table in ["dv_parquet", "dv_orc"] {
        let files = files_under(&db.join(table).join("index"));
        assert!(
            files.iter().any(|f| f.contains("index-")),
            "{table} has no deletion-vector index file"
        );
        let t = &w.model["tables"][table]["snapshots"];
        let snaps = t.as_object().unwrap();
        let last = snaps
            .keys()
            .map(|k| k.parse::<i64>().unwrap())
            .max()
            .unwrap();
        let latest = &snaps[&last.to_string()];
        assert_eq!(latest["rows"].as_array().unwrap().len(), 50, "{table}");
    }
}

/// A Strata-written table read by Java equals Strata's read and the model.
fn java_reads(wh: &Path, name: &str, t: &Arc<Table>, model: Vec<Value>) {
    let types: Vec<DataType> = reopen(t)
        .schema()
        .fields
        .iter()
        .map(|f| f.data_type.clone())
        .collect();
    let model = maps_sorted(model, &types);
    assert_eq!(
        maps_sorted(strata_rows(t), &types),
        model,
        "{name}: Strata vs model"
    );
    let (cols, rows) = peer().read(&wh.join(format!("db.db/{name}")));
    let names: Vec<String> = reopen(t)
        .schema()
        .fields
        .iter()
        .map(|f| f.name.clone())
        .collect();
    assert_eq!(cols, names, "{name}: columns in Java");
    assert_eq!(rows, model, "{name}: Java vs model");
}

/// Every kind of table Strata writes reads in Java equal to the model: each merge engine,
/// partitioned with awkward values, fixed, dynamic and unaware buckets, every type, after
/// compaction and after an overwrite.
#[test]
fn java_reads_every_table_strata_writes() {
    if java_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");

    // deduplicate, partitioned (awkward values), 3 buckets, with deletes; then compacted.
    let t = create(
        &wh,
        "dedup",
        "id BIGINT, v STRING, dt STRING, op STRING",
        &["id", "dt"],
        &["dt"],
        3,
        &[],
    );
    let parts = ["a b", "x/y", "é=1", "100%"];
    let mut model: BTreeMap<(i64, String), Value> = BTreeMap::new();
    for round in 0..3i64 {
        let mut rows = vec![];
        for i in 0..12i64 {
            let id = i + round * 4;
            let dt = parts[(i % 4) as usize];
            let op = if round > 0 && i % 5 == 0 { "-D" } else { "+I" };
            let v = format!("v{round}-{i}");
            rows.push(json!({"id": id, "v": v, "dt": dt, "op": op}));
            if op == "-D" {
                model.remove(&(id, dt.to_string()));
            } else {
                model.insert((id, dt.to_string()), json!([id, v, dt, op]));
            }
        }
        strata_write(&t, &rows, Some("op"));
    }
    java_reads(&wh, "dedup", &t, model.values().cloned().collect());
    compact(&t, true);
    java_reads(&wh, "dedup", &t, model.values().cloned().collect());

    // partial-update, aggregation, first-row.
    let t = create(
        &wh,
        "partial",
        "id BIGINT, a INT, b STRING",
        &["id"],
        &[],
        2,
        &[("merge-engine", "partial-update")],
    );
    strata_write(
        &t,
        &[json!({"id": 1, "a": 1}), json!({"id": 2, "b": "x"})],
        None,
    );
    strata_write(
        &t,
        &[json!({"id": 1, "b": "y"}), json!({"id": 2, "a": 5})],
        None,
    );
    java_reads(
        &wh,
        "partial",
        &t,
        vec![json!([1, 1, "y"]), json!([2, 5, "x"])],
    );

    let t = create(
        &wh,
        "agg",
        "id BIGINT, total BIGINT, top DOUBLE, last STRING",
        &["id"],
        &[],
        1,
        &[
            ("merge-engine", "aggregation"),
            ("fields.total.aggregate-function", "sum"),
            ("fields.top.aggregate-function", "max"),
            ("fields.last.aggregate-function", "last_non_null_value"),
        ],
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "total": 5, "top": 1.5, "last": "a"}),
            json!({"id": 1, "total": 2, "top": 0.5}),
        ],
        None,
    );
    strata_write(
        &t,
        &[json!({"id": 1, "total": -1, "top": 7.25, "last": null})],
        None,
    );
    java_reads(&wh, "agg", &t, vec![json!([1, 6, 7.25, "a"])]);

    let t = create(
        &wh,
        "first",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        1,
        &[("merge-engine", "first-row")],
    );
    strata_write(&t, &[json!({"id": 1, "v": "first"})], None);
    strata_write(
        &t,
        &[
            json!({"id": 1, "v": "second"}),
            json!({"id": 2, "v": "two"}),
        ],
        None,
    );
    compact(&t, true);
    java_reads(
        &wh,
        "first",
        &t,
        vec![json!([1, "first"]), json!([2, "two"])],
    );

    // dynamic bucket.
    let t = create(
        &wh,
        "dynamic",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        -1,
        &[("dynamic-bucket.target-row-num", "5")],
    );
    let rows: Vec<Value> = (0..20)
        .map(|i| json!({"id": i, "v": format!("v{i}")}))
        .collect();
    strata_write(&t, &rows, None);
    strata_write(
        &t,
        &[json!({"id": 3, "v": "three"}), json!({"id": 30, "v": "x"})],
        None,
    );
    let mut model: Vec<Value> = (0..20)
        .map(|i| {
            json!([
                i,
                if i == 3 {
                    "three".into()
                } else {
                    format!("v{i}")
                }
            ])
        })
        .collect();
    model.push(json!([30, "x"]));
    java_reads(&wh, "dynamic", &t, model);

    // append (bucket unaware), partitioned, with a partition overwrite.
    let t = create(
        &wh,
        "append",
        "k INT, v STRING, p STRING",
        &[],
        &["p"],
        -1,
        &[],
    );
    strata_write(
        &t,
        &[
            json!({"k": 1, "v": "a", "p": "x/y"}),
            json!({"k": 2, "v": "b", "p": "z"}),
        ],
        None,
    );
    strata_write_with(
        &t,
        &[json!({"k": 3, "v": "c", "p": "x/y"})],
        None,
        Some(Overwrite::default()),
    );
    java_reads(
        &wh,
        "append",
        &t,
        vec![json!([2, "b", "z"]), json!([3, "c", "x/y"])],
    );

    // every type Strata writes from JSON lines.
    let t = create(
        &wh,
        "types",
        "id INT NOT NULL, b BOOLEAN, ti TINYINT, si SMALLINT, bi BIGINT, f FLOAT, d DOUBLE, \
         c CHAR(3), s STRING, dec DECIMAL(10, 2), big DECIMAL(38, 10), dt DATE, \
         ts TIMESTAMP(3), ts6 TIMESTAMP(6), ltz TIMESTAMP_LTZ(6), arr ARRAY<INT>, \
         m MAP<STRING, BIGINT>, r ROW<x INT, y STRING>, ms MULTISET<STRING>",
        &["id"],
        &[],
        2,
        &[],
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "b": true, "ti": -128, "si": 32767, "bi": -9007199254740993i64,
                   "f": 1.5, "d": -0.1, "c": "abc", "s": "héllo 字", "dec": "-12345678.91",
                   "big": "1234567890123456789012345678.0123456789", "dt": "1969-12-31",
                   "ts": "2024-02-29T23:59:59.123", "ts6": "1960-01-01T00:00:00.000001",
                   "ltz": "2024-01-01T00:00:00.5Z", "arr": [1, null, 3],
                   "m": {"k": 1, "z": null}, "r": {"x": 7, "y": "seven"},
                   "ms": {"a": 2, "b": 1}}),
            json!({"id": 2}),
        ],
        None,
    );
    let expected = strata_rows(&t);
    assert_eq!(expected.len(), 2);
    java_reads(&wh, "types", &t, expected);
}

/// Tables Strata writes with `file.format = avro` (every type Avro holds, key-value and
/// append, compacted, and Avro only at level 0 through `file.format.per.level`) read in Java
/// and in Strata equal to the model, and their files are Avro.
#[test]
fn java_reads_the_avro_files_strata_writes() {
    if java_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let avro = [("file.format", "avro")];
    let t = create(
        &wh,
        "avro_types",
        "id INT NOT NULL, b BOOLEAN, ti TINYINT, si SMALLINT, bi BIGINT, f FLOAT, d DOUBLE, \
         c CHAR(3), s STRING, bin BYTES, dec DECIMAL(10, 2), big DECIMAL(38, 10), dt DATE, \
         tm TIME, ts TIMESTAMP(3), ts6 TIMESTAMP(6), ltz TIMESTAMP_LTZ(6), arr ARRAY<INT>, \
         m MAP<STRING, BIGINT>, r ROW<x INT, y ROW<z STRING>>",
        &["id"],
        &[],
        2,
        &avro,
    );
    let full = json!({"id": 1, "b": true, "ti": -128, "si": 32767, "bi": -9007199254740993i64,
        "f": 1.5, "d": -0.1, "c": "abc", "s": "héllo 字", "bin": "AAEC",
        "dec": "-12345678.91", "big": "1234567890123456789012345678.0123456789",
        "dt": "1969-12-31", "tm": "12:34:56.789", "ts": "2024-02-29T23:59:59.123",
        "ts6": "1960-01-01T00:00:00.000001", "ltz": "2024-01-01T00:00:00.5Z",
        "arr": [1, null, 3], "m": {"k": 1, "z": null}, "r": {"x": 7, "y": {"z": "deep"}}});
    strata_write(
        &t,
        &[full.clone(), json!({"id": 2}), json!({"id": 3, "s": "x"})],
        None,
    );
    strata_write(&t, &[json!({"id": 3, "s": "y"})], None);
    let expected = strata_rows(&t);
    assert_eq!(expected.len(), 3);
    java_reads(&wh, "avro_types", &t, expected.clone());
    compact(&t, true);
    java_reads(&wh, "avro_types", &t, expected);
    let files: Vec<String> = live_entries(&t)
        .iter()
        .map(|e| e.file.file_name.clone())
        .collect();
    assert!(files.iter().all(|f| f.ends_with(".avro")), "{files:?}");

    // An append table in Avro, partitioned.
    let t = create(
        &wh,
        "avro_append",
        "k INT, v STRING, p STRING",
        &[],
        &["p"],
        -1,
        &avro,
    );
    strata_write(
        &t,
        &[
            json!({"k": 1, "v": "a", "p": "x"}),
            json!({"k": 2, "v": null, "p": "y"}),
        ],
        None,
    );
    java_reads(
        &wh,
        "avro_append",
        &t,
        vec![json!([1, "a", "x"]), json!([2, null, "y"])],
    );

    // Avro at level 0 only: a full compaction rewrites the rows to Parquet.
    let t = create(
        &wh,
        "avro_level0",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        1,
        &[("file.format.per.level", "0:avro")],
    );
    strata_write(
        &t,
        &[json!({"id": 1, "v": "a"}), json!({"id": 2, "v": "b"})],
        None,
    );
    let level0: Vec<String> = live_entries(&t)
        .iter()
        .map(|e| e.file.file_name.clone())
        .collect();
    assert!(level0.iter().all(|f| f.ends_with(".avro")), "{level0:?}");
    strata_write(&t, &[json!({"id": 2, "v": "b2"})], None);
    compact(&t, true);
    let compacted: Vec<String> = live_entries(&t)
        .iter()
        .map(|e| e.file.file_name.clone())
        .collect();
    assert!(
        compacted.iter().all(|f| f.ends_with(".parquet")),
        "{compacted:?}"
    );
    java_reads(
        &wh,
        "avro_level0",
        &t,
        vec![json!([1, "a"]), json!([2, "b2"])],
    );
}
