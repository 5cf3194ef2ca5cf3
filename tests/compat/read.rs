//! Strata's read path against pypaimon: every generated table read by `strata-core` equals
//! pypaimon's read of the same (latest) snapshot.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use futures::executor::block_on;
use serde_json::{json, Value};
use strata_core::read::{read_all, ReadBuilder};
use strata_core::table::Table;
use strata_core::types::DataType;
use strata_tests::{rows_json, warehouse};
use strata_writer::ObjectStoreStorage;

fn open(t: &Value) -> Arc<Table> {
    let dir = warehouse()
        .dir
        .path()
        .join("wh")
        .join(t["path"].as_str().unwrap());
    let storage = ObjectStoreStorage::open(dir.to_str().unwrap()).unwrap();
    Arc::new(block_on(Table::open(Arc::new(storage))).unwrap())
}

#[test]
fn every_table_reads_like_pypaimon() {
    if strata_tests::python_missing() {
        return;
    }
    let mut checked = 0;
    for t in warehouse().dump["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if !pypaimon_latest_is_right(t) {
            continue; // pypaimon cannot read it, or reads it wrong: the model test covers it
        }
        let table = open(t);
        let mut reader = block_on(ReadBuilder::new().build(table.clone())).unwrap();
        let batches = block_on(read_all(&mut reader)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let schema = table.schema();
        let types: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
        let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(json!(names), t["read"]["columns"], "{name}: columns");
        let ours = rows_json(&batches, &types);
        let theirs = t["read"]["rows"].as_array().unwrap();
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{name}: row count\nours {ours:?}\ntheirs {theirs:?}"
        );
        assert_eq!(&ours, theirs, "{name}: rows");
        checked += ours.len();
    }
    assert!(checked > 100, "only {checked} rows compared");
}

/// A deletion vector added to a pypaimon append table hides exactly its rows, from Strata and
/// from pypaimon.
#[test]
fn deletion_vectors_hide_their_rows() {
    if strata_tests::python_missing() {
        return;
    }
    use bytes::Bytes;
    use strata_core::deletion_vector::{encode, DELETION_VECTORS};
    use strata_core::manifest::{
        AvroCodec, DeletionVectorMeta, FileKind, IndexManifestEntry, ManifestFileMeta,
    };
    use strata_core::scan::plan_files;
    use strata_core::snapshot::{snapshot_path, write_hint, Snapshot, LATEST_HINT};
    use strata_core::storage::Storage;

    let t = warehouse().dump["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "t_abkt")
        .unwrap();
    let copy = tempfile::tempdir().unwrap();
    let wh = copy.path().join("wh");
    strata_tests::copy_dir(&warehouse().dir.path().join("wh"), &wh);
    let dir = wh.join(t["path"].as_str().unwrap());
    let storage: Arc<dyn Storage> =
        Arc::new(ObjectStoreStorage::open(dir.to_str().unwrap()).unwrap());
    let table = Arc::new(block_on(Table::open(storage.clone())).unwrap());
    let types: Vec<DataType> = table
        .schema()
        .fields
        .iter()
        .map(|f| f.data_type.clone())
        .collect();
    let read = |table: Arc<Table>| {
        let mut r = block_on(ReadBuilder::new().build(table)).unwrap();
        rows_json(&block_on(read_all(&mut r)).unwrap(), &types)
    };
    let before = read(table.clone());

    // The first live file, and its rows in file order (a filter-free read of it alone).
    let latest = block_on(Snapshot::load(
        storage.as_ref(),
        t["read"]["snapshot"].as_i64().unwrap(),
    ))
    .unwrap();
    let entry = block_on(plan_files(&table, &latest, None))
        .unwrap()
        .remove(0);
    let schema = table.schema().clone();
    let pfields = schema.partition_fields().unwrap();
    let pvalues = entry
        .partition
        .decode(
            &pfields
                .iter()
                .map(|f| f.data_type.clone())
                .collect::<Vec<_>>(),
        )
        .unwrap();
    let fdir = strata_core::path::bucket_path(
        &strata_core::path::partition_path(&pfields, &pvalues, "__DEFAULT_PARTITION__", true),
        entry.bucket,
    );
    let mut fr = block_on(strata_core::read::file::DataFileReader::open(
        storage.as_ref(),
        &fdir,
        &entry.file,
        &schema,
        &schema.fields,
        false,
        None,
        None,
    ))
    .unwrap();
    let mut file_rows = Vec::new();
    while let Some(b) = block_on(fr.next(storage.as_ref())).unwrap() {
        let batch = arrow_array::RecordBatch::try_new(
            strata_core::read::evolution::read_schema(&schema.fields),
            b.cols,
        )
        .unwrap();
        for r in 0..batch.num_rows() {
            file_rows.push(json!(batch
                .columns()
                .iter()
                .zip(&types)
                .map(|(c, t)| strata_tests::arrow_json(c.as_ref(), r, t))
                .collect::<Vec<_>>()));
        }
    }
    assert!(file_rows.len() >= 2, "need a file with two rows");
    let deleted = [0u32, file_rows.len() as u32 - 1];

    // Commit a snapshot that adds a DV index file for it.
    let bitmap: roaring::RoaringBitmap = deleted.iter().copied().collect();
    let dv = encode(&bitmap);
    let mut index_file = vec![1u8];
    index_file.extend_from_slice(&dv);
    block_on(storage.put("index/index-strata-dv-0", Bytes::from(index_file.clone()))).unwrap();
    let im = IndexManifestEntry::write_index_manifest(
        &[IndexManifestEntry {
            kind: FileKind::Add,
            partition: entry.partition.clone(),
            bucket: entry.bucket,
            index_type: DELETION_VECTORS.into(),
            file_name: "index-strata-dv-0".into(),
            file_size: index_file.len() as i64,
            row_count: 1,
            dv_ranges: Some(vec![DeletionVectorMeta {
                data_file_name: entry.file.file_name.clone(),
                offset: 1,
                length: dv.len() as i32 - 8,
                cardinality: Some(2),
            }]),
            external_path: None,
            global_index: None,
        }],
        AvroCodec::Zstandard,
    )
    .unwrap();
    block_on(storage.put("manifest/index-manifest-strata-0", Bytes::from(im))).unwrap();
    let empty = ManifestFileMeta::write_list(&[], AvroCodec::Zstandard).unwrap();
    block_on(storage.put("manifest/manifest-list-strata-empty", Bytes::from(empty))).unwrap();
    let mut next = latest.clone();
    next.id += 1;
    next.index_manifest = Some("index-manifest-strata-0".into());
    next.delta_manifest_list = "manifest-list-strata-empty".into();
    next.base_manifest_list = {
        // The base of the new snapshot is everything the previous one had: its base + delta.
        let all = block_on(strata_core::manifest::snapshot_manifests(
            storage.as_ref(),
            &latest,
        ))
        .unwrap();
        let list = ManifestFileMeta::write_list(&all, AvroCodec::Zstandard).unwrap();
        block_on(storage.put("manifest/manifest-list-strata-base", Bytes::from(list))).unwrap();
        "manifest-list-strata-base".into()
    };
    next.base_manifest_list_size = None;
    next.delta_manifest_list_size = None;
    next.delta_record_count = Some(0);
    block_on(storage.put_if_absent(&snapshot_path(next.id), Bytes::from(next.to_json()))).unwrap();
    block_on(write_hint(storage.as_ref(), LATEST_HINT, next.id)).unwrap();

    let table = Arc::new(block_on(Table::open(storage.clone())).unwrap());
    let after = read(table);
    let mut expected = before.clone();
    for d in deleted {
        let pos = expected
            .iter()
            .position(|r| *r == file_rows[d as usize])
            .expect("row present");
        expected.remove(pos);
    }
    assert_eq!(after, expected);

    // pypaimon applies the same vector once the table declares deletion vectors.
    let schema_file = dir.join(format!("schema/schema-{}", schema.id));
    let mut json: Value = serde_json::from_slice(&std::fs::read(&schema_file).unwrap()).unwrap();
    json["options"]["deletion-vectors.enabled"] = json!("true");
    std::fs::write(&schema_file, serde_json::to_vec(&json).unwrap()).unwrap();
    let dump = strata_tests::dump_warehouse(&wh);
    let py = dump["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "t_abkt")
        .unwrap();
    assert_eq!(
        py["read"]["rows"].as_array().unwrap(),
        &expected,
        "pypaimon's read with the DV"
    );
}

/// Whether pypaimon reads snapshot `snap` of table `name` wrong (see [`PYPAIMON_WRONG`]).
fn pypaimon_wrong(name: &str, snap: &str) -> bool {
    PYPAIMON_WRONG
        .iter()
        .any(|(n, s, _)| *n == name && *s == snap)
}

/// Whether pypaimon's dumped read of a table's latest snapshot is a valid reference: it read
/// the table, and is not known to read it wrong.
fn pypaimon_latest_is_right(t: &Value) -> bool {
    let name = t["name"].as_str().unwrap();
    t["read"].get("error").is_none() && !pypaimon_wrong(name, &t["read"]["snapshot"].to_string())
}

/// Snapshots where pypaimon 2.1.0 is known to read wrong rows, and why; the model wins there.
const PYPAIMON_WRONG: &[(&str, &str, &str)] = &[(
    "t_delonly",
    "2",
    "a level-0 file holds an orphan -D with _DELETE_ROW_COUNT 0; pypaimon reads it raw and returns the deleted key",
)];

fn dump_table(name: &str) -> &'static Value {
    warehouse().dump["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in the dump"))
}

fn read_rows(
    table: Arc<Table>,
    spec: strata_core::scan::SnapshotSpec,
) -> (Vec<String>, Vec<Value>) {
    let mut reader = block_on(ReadBuilder::new().snapshot(spec).build(table.clone())).unwrap();
    let batches = block_on(read_all(&mut reader)).unwrap();
    let schema = match reader.snapshot() {
        Some(s) => block_on(table.schema_by_id(s.schema_id)).unwrap(),
        None => table.schema().clone(),
    };
    let types: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
    (
        schema.fields.iter().map(|f| f.name.clone()).collect(),
        rows_json(&batches, &types),
    )
}

/// Every snapshot of every table, read by Strata, equals the model and (where pypaimon is
/// right) pypaimon's read of that snapshot: merge engines, deletes, sequence fields, schema
/// evolution and overwrites included.
#[test]
fn every_snapshot_reads_like_the_model_and_pypaimon() {
    if strata_tests::python_missing() {
        return;
    }
    let model = &warehouse().model["tables"];
    let mut checked = 0;
    for (name, m) in model.as_object().unwrap() {
        let t = dump_table(name);
        let table = open(t);
        for (snap, rows) in m["snapshots"].as_object().unwrap() {
            let id: i64 = snap.parse().unwrap();
            let (cols, ours) = read_rows(table.clone(), strata_core::scan::SnapshotSpec::Id(id));
            assert_eq!(
                json!(cols),
                m["snapshot_columns"][snap],
                "{name}@{snap}: columns"
            );
            assert_eq!(&json!(ours), rows, "{name}@{snap}: Strata vs model");
            let py = &t["reads"][snap];
            if py.get("error").is_some() {
                continue; // pypaimon cannot read this table (its reader lacks the feature)
            }
            let wrong = pypaimon_wrong(name, snap);
            if wrong {
                assert_ne!(
                    py["rows"], *rows,
                    "{name}@{snap}: pypaimon was expected to be wrong here"
                );
            } else {
                assert_eq!(json!(ours), py["rows"], "{name}@{snap}: Strata vs pypaimon");
            }
            checked += 1;
        }
    }
    assert!(
        checked > 80,
        "only {checked} snapshots compared with pypaimon"
    );
}

/// Time travel by tag and by timestamp lands on the same snapshot as pypaimon's.
#[test]
fn tags_and_timestamps_travel_like_pypaimon() {
    if strata_tests::python_missing() {
        return;
    }
    let mut checked = 0;
    for t in warehouse().dump["tables"].as_array().unwrap() {
        let table = open(t);
        for (tag, py) in t["tag_reads"].as_object().into_iter().flatten() {
            if py.get("error").is_some() {
                continue;
            }
            let (_, ours) = read_rows(
                table.clone(),
                strata_core::scan::SnapshotSpec::Tag(tag.clone()),
            );
            assert_eq!(json!(ours), py["rows"], "{} tag {tag}", t["name"]);
            checked += 1;
        }
        for (ts, py) in t["timestamp_reads"].as_object().into_iter().flatten() {
            if py.get("error").is_some() {
                continue;
            }
            let spec = strata_core::scan::SnapshotSpec::TimestampMillis(ts.parse().unwrap());
            let mut reader = block_on(
                ReadBuilder::new()
                    .snapshot(spec.clone())
                    .build(table.clone()),
            )
            .unwrap();
            assert_eq!(
                json!(reader.snapshot().map(|s| s.id)),
                py["snapshot"],
                "{} at {ts}",
                t["name"]
            );
            let _ = block_on(read_all(&mut reader)).unwrap();
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} time-travel reads compared");
}

/// Incremental reads between consecutive snapshots equal pypaimon's (rows and row kinds),
/// where both use the same schema.
#[test]
fn incremental_reads_match_pypaimon() {
    if strata_tests::python_missing() {
        return;
    }
    use strata_core::read::read_changes;
    let mut checked = 0;
    for t in warehouse().dump["tables"].as_array().unwrap() {
        let table = open(t);
        for (range, py) in t["incremental"].as_object().into_iter().flatten() {
            if py.get("error").is_some() {
                continue;
            }
            let (from, to) = range.split_once('-').unwrap();
            let (from, to): (i64, i64) = (from.parse().unwrap(), to.parse().unwrap());
            let mut reader = block_on(read_changes(table.clone(), from, to, None, None)).unwrap();
            let batches = block_on(read_all(&mut reader)).unwrap();
            let names: Vec<String> = reader
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect();
            if json!(names) != py["columns"] {
                continue; // pypaimon reads increments with the latest schema, Strata with `to`'s
            }
            let end = block_on(table.schema_by_id(reader.snapshot().unwrap().schema_id)).unwrap();
            let mut types: Vec<DataType> = end.fields.iter().map(|f| f.data_type.clone()).collect();
            types.push("STRING".parse().unwrap());
            assert_eq!(
                json!(rows_json(&batches, &types)),
                py["rows"],
                "{} {range}",
                t["name"]
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} increments compared");
}

/// Filters prune partitions, buckets and files, and apply exactly: each filtered read equals
/// the unfiltered read filtered row by row here.
#[test]
fn filters_prune_and_apply_exactly() {
    if strata_tests::python_missing() {
        return;
    }
    use strata_core::predicate::Predicate;
    use strata_core::scan::{plan_files, resolve_snapshot, SnapshotSpec};
    let t = dump_table("t");
    let table = open(t);
    let all = t["read"]["rows"].as_array().unwrap(); // id, name, dt, v
    type RowTest = Box<dyn Fn(&Value) -> bool>;
    let cases: Vec<(&str, RowTest)> = vec![
        (
            "dt = '2024-01-02'",
            Box::new(|r: &Value| r[2] == "2024-01-02"),
        ),
        (
            "dt = '2024-01-02' AND id > 10",
            Box::new(|r: &Value| r[2] == "2024-01-02" && r[0].as_i64().unwrap() > 10),
        ),
        (
            "id IN (1, 11, 99)",
            Box::new(|r: &Value| [1, 11, 99].contains(&r[0].as_i64().unwrap())),
        ),
        (
            "name IS NULL OR v < 2",
            Box::new(|r: &Value| r[1].is_null() || r[3].as_f64().is_some_and(|v| v < 2.0)),
        ),
        (
            "NOT (dt = '2024-01-01') AND v IS NOT NULL",
            Box::new(|r: &Value| r[2] != "2024-01-01" && !r[3].is_null()),
        ),
    ];
    for (filter, keep) in cases {
        let mut reader = block_on(
            ReadBuilder::new()
                .filter(filter)
                .unwrap()
                .build(table.clone()),
        )
        .unwrap();
        let types: Vec<DataType> = table
            .schema()
            .fields
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        let ours = rows_json(&block_on(read_all(&mut reader)).unwrap(), &types);
        let want: Vec<Value> = all.iter().filter(|r| keep(r)).cloned().collect();
        assert_eq!(ours, want, "{filter}");
    }
    // Pruning: a partition filter plans only that partition's files, a key filter one bucket.
    let snap = block_on(resolve_snapshot(table.storage(), &SnapshotSpec::Latest))
        .unwrap()
        .unwrap();
    let plan = |f: &str| {
        let p = Predicate::parse(f)
            .unwrap()
            .bind(&table.schema().fields)
            .unwrap();
        block_on(plan_files(&table, &snap, Some(&p))).unwrap()
    };
    let everything = block_on(plan_files(&table, &snap, None)).unwrap();
    let part = plan("dt = '2024-01-02'");
    assert!(!part.is_empty() && part.len() < everything.len());
    let one_bucket = plan("id = 1");
    assert!(one_bucket.iter().all(|e| e.bucket == one_bucket[0].bucket));
    assert!(one_bucket.len() < everything.len());
    assert!(plan("id = 12345678")
        .iter()
        .all(|e| e.bucket == 0 || e.bucket == 1));
    assert!(ReadBuilder::new().filter("nope = 1").is_ok());
    assert!(block_on(
        ReadBuilder::new()
            .filter("nope = 1")
            .unwrap()
            .build(table.clone())
    )
    .is_err());
}

/// `strata scan` (the command's code, in process) prints one JSON object per row with the
/// table's columns, for every table pypaimon can read, and as many rows as pypaimon reads.
#[test]
fn strata_scan_prints_every_row_as_json() {
    if strata_tests::python_missing() {
        return;
    }
    use strata_writer::output::Format;
    use strata_writer::reading::{scan, Sink};
    for t in warehouse().dump["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if !pypaimon_latest_is_right(t) {
            continue;
        }
        let mut out = Vec::new();
        let sink = Sink {
            format: Format::Jsonl,
            out: None,
            writer: Box::new(&mut out),
        };
        let n = block_on(scan(open(t), Default::default(), None, None, None, sink)).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}: {l}")))
            .collect();
        assert_eq!(n, lines.len());
        assert_eq!(
            lines.len(),
            t["read"]["rows"].as_array().unwrap().len(),
            "{name}"
        );
        let mut want: Vec<&str> = t["read"]["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        want.sort_unstable();
        for l in &lines {
            let keys: Vec<&str> = l.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, want, "{name}");
        }
    }
}
