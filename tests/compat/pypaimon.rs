//! Strata's metadata codecs against pypaimon 2.1.0: every schema, snapshot, tag, consumer,
//! manifest list, manifest and index manifest of the generated tables parses to exactly what
//! pypaimon and fastavro see; every BinaryRow decodes to pypaimon's values; every file's bucket
//! is recomputed; and manifests Strata rewrites are read back identically by fastavro and by
//! pypaimon (including pypaimon's full read of each table).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use futures::executor::block_on;
use serde_json::{json, Map, Value};
use strata_core::binary_row::{hex, BinaryRow};
use strata_core::bucket::bucket_of;
use strata_core::manifest::{
    live_files, read_container, read_hash_index, AvroCodec, DataFileMeta, FileKind, FileSource,
    IndexManifestEntry, ManifestEntry, ManifestFileMeta,
};
use strata_core::schema::TableSchema;
use strata_core::snapshot::{earliest_snapshot_id, latest_snapshot_id, Consumer, Snapshot, Tag};
use strata_core::stats::SimpleStats;
use strata_core::types::DataType;
use strata_tests::{copy_dir, datum_json, dump_warehouse, json_datum, warehouse};
use strata_writer::ObjectStoreStorage;

fn tables() -> &'static [Value] {
    warehouse().dump["tables"].as_array().expect("tables")
}

fn table_dir(t: &Value) -> std::path::PathBuf {
    warehouse()
        .dir
        .path()
        .join("wh")
        .join(t["path"].as_str().unwrap())
}

fn read(t: &Value, rel: &str) -> Vec<u8> {
    std::fs::read(table_dir(t).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn name(t: &Value) -> &str {
    t["name"].as_str().unwrap()
}

/// The table's schemas by id.
fn schemas(t: &Value) -> HashMap<i64, TableSchema> {
    t["schemas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let id = s["id"].as_i64().unwrap();
            let rel = format!("schema/schema-{id}");
            (id, TableSchema::from_json(&read(t, &rel), &rel).unwrap())
        })
        .collect()
}

fn latest_schema(t: &Value) -> TableSchema {
    let s = schemas(t);
    s[s.keys().max().unwrap()].clone()
}

fn types_of(fields: &[strata_core::types::DataField], nullable: bool) -> Vec<DataType> {
    fields
        .iter()
        .map(|f| {
            if nullable {
                f.data_type.with_nullable(true)
            } else {
                f.data_type.clone()
            }
        })
        .collect()
}

fn hexv(b: &[u8]) -> Value {
    json!({ "hex": hex(b) })
}

fn row_json(row: &BinaryRow, types: &[DataType]) -> Value {
    let values = row.decode(types).expect("row decodes");
    Value::Array(
        values
            .iter()
            .zip(types)
            .map(|(d, t)| datum_json(d, t))
            .collect(),
    )
}

fn stats_record(s: &SimpleStats) -> Value {
    json!({
        "_MIN_VALUES": hexv(&s.min_values.serialize()),
        "_MAX_VALUES": hexv(&s.max_values.serialize()),
        "_NULL_COUNTS": s.null_counts,
    })
}

fn stats_decoded(s: &SimpleStats, types: &[DataType]) -> Value {
    json!({
        "min": row_json(&s.min_values, types),
        "max": row_json(&s.max_values, types),
        "null_counts": s.null_counts,
    })
}

fn file_record(f: &DataFileMeta) -> Value {
    json!({
        "_FILE_NAME": f.file_name,
        "_FILE_SIZE": f.file_size,
        "_ROW_COUNT": f.row_count,
        "_MIN_KEY": hexv(&f.min_key.serialize()),
        "_MAX_KEY": hexv(&f.max_key.serialize()),
        "_KEY_STATS": stats_record(&f.key_stats),
        "_VALUE_STATS": stats_record(&f.value_stats),
        "_MIN_SEQUENCE_NUMBER": f.min_sequence_number,
        "_MAX_SEQUENCE_NUMBER": f.max_sequence_number,
        "_SCHEMA_ID": f.schema_id,
        "_LEVEL": f.level,
        "_EXTRA_FILES": f.extra_files,
        "_CREATION_TIME": f.creation_time.map(|t| json!({ "ts_millis": t })),
        "_DELETE_ROW_COUNT": f.delete_row_count,
        "_EMBEDDED_FILE_INDEX": f.embedded_file_index.as_deref().map(hexv),
        "_FILE_SOURCE": f.file_source.map(|s| match s { FileSource::Append => 0, FileSource::Compact => 1 }),
        "_VALUE_STATS_COLS": f.value_stats_cols,
        "_EXTERNAL_PATH": f.external_path,
        "_FIRST_ROW_ID": f.first_row_id,
        "_WRITE_COLS": f.write_cols,
        "_WRITE_COLS_SEQUENCES": f.write_cols_sequences,
    })
}

fn kind(k: FileKind) -> i32 {
    match k {
        FileKind::Add => 0,
        FileKind::Delete => 1,
    }
}

fn entry_record(e: &ManifestEntry) -> Value {
    json!({
        "_VERSION": 2,
        "_KIND": kind(e.kind),
        "_PARTITION": hexv(&e.partition.serialize()),
        "_BUCKET": e.bucket,
        "_TOTAL_BUCKETS": e.total_buckets,
        "_FILE": file_record(&e.file),
    })
}

fn list_record(m: &ManifestFileMeta) -> Value {
    json!({
        "_VERSION": 2,
        "_FILE_NAME": m.file_name,
        "_FILE_SIZE": m.file_size,
        "_NUM_ADDED_FILES": m.num_added_files,
        "_NUM_DELETED_FILES": m.num_deleted_files,
        "_PARTITION_STATS": stats_record(&m.partition_stats),
        "_SCHEMA_ID": m.schema_id,
        "_MIN_BUCKET": m.min_bucket,
        "_MAX_BUCKET": m.max_bucket,
        "_MIN_LEVEL": m.min_level,
        "_MAX_LEVEL": m.max_level,
        "_MIN_ROW_ID": m.min_row_id,
        "_MAX_ROW_ID": m.max_row_id,
    })
}

fn index_record(e: &IndexManifestEntry) -> Value {
    json!({
        "_VERSION": 1,
        "_KIND": kind(e.kind),
        "_PARTITION": hexv(&e.partition.serialize()),
        "_BUCKET": e.bucket,
        "_INDEX_TYPE": e.index_type,
        "_FILE_NAME": e.file_name,
        "_FILE_SIZE": e.file_size,
        "_ROW_COUNT": e.row_count,
        "_DELETIONS_VECTORS_RANGES": e.dv_ranges.as_ref().map(|rs| rs.iter().map(|d| json!({
            "f0": d.data_file_name, "f1": d.offset, "f2": d.length, "_CARDINALITY": d.cardinality,
        })).collect::<Vec<_>>()),
        "_EXTERNAL_PATH": e.external_path,
        "_GLOBAL_INDEX": e.global_index.as_ref().map(|g| json!({
            "_ROW_RANGE_START": g.row_range_start, "_ROW_RANGE_END": g.row_range_end,
            "_INDEX_FIELD_ID": g.index_field_id, "_EXTRA_FIELD_IDS": g.extra_field_ids,
            "_INDEX_META": g.index_meta.as_deref().map(hexv),
            "_SOURCE_META": g.source_meta.as_deref().map(hexv),
        })),
    })
}

/// Fields of Java's manifest-list schema; pypaimon adds `_TOTAL_BUCKETS` and `_EXTRA_FILES`,
/// which Java (and Strata) ignore.
const PYPAIMON_ONLY_LIST_FIELDS: [&str; 2] = ["_TOTAL_BUCKETS", "_EXTRA_FILES"];

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut m = v.as_object().unwrap().clone();
    for k in keys {
        m.remove(*k);
    }
    Value::Object(m)
}

fn codec_of(name: &str) -> AvroCodec {
    match name {
        "null" => AvroCodec::Null,
        "deflate" => AvroCodec::Deflate,
        "snappy" => AvroCodec::Snappy,
        "zstandard" => AvroCodec::Zstandard,
        other => panic!("codec {other}"),
    }
}

fn files<'a>(t: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    t[key].as_array().unwrap().iter()
}

/// Value-stats column types of an entry, per `_VALUE_STATS_COLS`.
fn value_stats_types(schema: &TableSchema, f: &DataFileMeta) -> Vec<DataType> {
    match &f.value_stats_cols {
        None => types_of(&schema.fields, true),
        Some(cols) => types_of(&schema.fields_named(cols).unwrap(), true),
    }
}

#[test]
fn every_schema_matches_pypaimon() {
    if strata_tests::python_missing() {
        return;
    }
    for t in tables() {
        for s in t["schemas"].as_array().unwrap() {
            let id = s["id"].as_i64().unwrap();
            let rel = format!("schema/schema-{id}");
            let ours = TableSchema::from_json(&read(t, &rel), &rel).unwrap();
            let theirs = &s["json"];
            assert_eq!(ours.id, id);
            assert_eq!(json!(ours.highest_field_id), theirs["highestFieldId"]);
            assert_eq!(json!(ours.partition_keys), theirs["partitionKeys"]);
            assert_eq!(json!(ours.primary_keys), theirs["primaryKeys"]);
            assert_eq!(json!(ours.options), theirs["options"]);
            let fields = theirs["fields"].as_array().unwrap();
            assert_eq!(ours.fields.len(), fields.len());
            for (f, j) in ours.fields.iter().zip(fields) {
                assert_eq!(json!(f.id), j["id"], "{}", name(t));
                assert_eq!(json!(f.name), j["name"]);
                assert_eq!(
                    canonical_type(&serde_json::to_value(&f.data_type).unwrap()),
                    canonical_type(&j["type"]),
                    "{}.{}",
                    name(t),
                    f.name
                );
            }
            // And back: our JSON parses to the same schema.
            assert_eq!(
                TableSchema::from_json(ours.to_json().as_bytes(), "x").unwrap(),
                ours
            );
        }
    }
}

/// Normalizes the two spellings pypaimon and Java differ on, independently of our printer:
/// `TIMESTAMP_LTZ(p)` vs `TIMESTAMP(p) WITH LOCAL TIME ZONE`, and pypaimon's `nullable` key.
fn canonical_type(v: &Value) -> Value {
    match v {
        Value::String(s) => {
            let s = s.trim();
            if let Some(rest) = s.strip_prefix("TIMESTAMP_LTZ(") {
                let (p, tail) = rest.split_once(')').unwrap();
                json!(format!("TIMESTAMP({p}) WITH LOCAL TIME ZONE{tail}"))
            } else {
                json!(s)
            }
        }
        Value::Object(o) => Value::Object(
            o.iter()
                .filter(|(k, _)| *k != "nullable")
                .map(|(k, v)| (k.clone(), canonical_type(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(canonical_type).collect()),
        other => other.clone(),
    }
}

fn drop_nulls(v: &Value) -> Value {
    Value::Object(
        v.as_object()
            .unwrap()
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

#[test]
fn every_snapshot_tag_consumer_and_hint_matches() {
    if strata_tests::python_missing() {
        return;
    }
    for t in tables() {
        for s in t["snapshots"].as_array().unwrap() {
            let id = s["id"].as_i64().unwrap();
            let rel = format!("snapshot/snapshot-{id}");
            let ours = Snapshot::from_json(&read(t, &rel), &rel).unwrap();
            assert_eq!(
                serde_json::to_value(&ours).unwrap(),
                drop_nulls(&s["json"]),
                "{rel}"
            );
        }
        for tag in t["tags"].as_array().unwrap() {
            let rel = format!("tag/tag-{}", tag["name"].as_str().unwrap());
            let ours = Tag::from_json(&read(t, &rel), &rel).unwrap();
            assert_eq!(
                serde_json::to_value(&ours).unwrap(),
                drop_nulls(&tag["json"])
            );
        }
        for c in t["consumers"].as_array().unwrap() {
            let rel = format!("consumer/consumer-{}", c["id"].as_str().unwrap());
            let ours = Consumer::from_json(&read(t, &rel), &rel).unwrap();
            assert_eq!(serde_json::to_value(ours).unwrap(), c["json"]);
        }
        let storage = ObjectStoreStorage::open(table_dir(t).to_str().unwrap()).unwrap();
        let ids: Vec<i64> = t["snapshots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        assert_eq!(
            block_on(latest_snapshot_id(&storage)).unwrap(),
            ids.iter().max().copied()
        );
        assert_eq!(
            block_on(earliest_snapshot_id(&storage)).unwrap(),
            ids.iter().min().copied()
        );
        if let Some(h) = t["latest_hint"].as_i64() {
            assert_eq!(Some(h), ids.iter().max().copied(), "{}", name(t));
        }
    }
}

#[test]
fn every_manifest_list_matches_fastavro_and_pypaimon() {
    if strata_tests::python_missing() {
        return;
    }
    let mut checked = 0;
    for t in tables() {
        let ptypes = types_of(&latest_schema(t).partition_fields().unwrap(), true);
        for f in files(t, "manifest_lists") {
            let rel = format!("manifest/{}", f["file"].as_str().unwrap());
            let bytes = read(t, &rel);
            assert_eq!(
                read_container(&bytes, &rel).unwrap().codec,
                codec_of(f["codec"].as_str().unwrap())
            );
            let ours = ManifestFileMeta::read_list(&bytes, &rel).unwrap();
            let records = f["records"].as_array().unwrap();
            assert_eq!(ours.len(), records.len());
            for (i, m) in ours.iter().enumerate() {
                assert_eq!(
                    list_record(m),
                    without(&records[i], &PYPAIMON_ONLY_LIST_FIELDS),
                    "{rel}"
                );
                assert_eq!(
                    stats_decoded(&m.partition_stats, &ptypes),
                    f["decoded"][i]["partition_stats"],
                    "{rel}"
                );
                assert_eq!(
                    stats_decoded(&m.partition_stats, &ptypes),
                    f["pypaimon"][i]["partition_stats"],
                    "{rel}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 50, "only {checked} manifest-list records");
}

#[test]
fn every_manifest_entry_and_binary_row_matches() {
    if strata_tests::python_missing() {
        return;
    }
    let mut checked = 0;
    for t in tables() {
        let schemas = schemas(t);
        for f in files(t, "manifests") {
            let rel = format!("manifest/{}", f["file"].as_str().unwrap());
            let bytes = read(t, &rel);
            assert_eq!(
                read_container(&bytes, &rel).unwrap().codec,
                codec_of(f["codec"].as_str().unwrap())
            );
            let ours = ManifestEntry::read_manifest(&bytes, &rel).unwrap();
            let records = f["records"].as_array().unwrap();
            assert_eq!(ours.len(), records.len(), "{rel}");
            for (i, e) in ours.iter().enumerate() {
                assert_eq!(entry_record(e), records[i], "{rel} record {i}");
                let schema = &schemas[&e.file.schema_id];
                let ptypes = types_of(&schema.partition_fields().unwrap(), false);
                let ktypes = types_of(&schema.trimmed_primary_key_fields().unwrap(), false);
                let decoded = json!({
                    "partition": row_json(&e.partition, &ptypes),
                    "min_key": row_json(&e.file.min_key, &ktypes),
                    "max_key": row_json(&e.file.max_key, &ktypes),
                    "key_stats": stats_decoded(&e.file.key_stats, &types_of(&schema.trimmed_primary_key_fields().unwrap(), true)),
                    "value_stats": stats_decoded(&e.file.value_stats, &value_stats_types(schema, &e.file)),
                });
                assert_eq!(decoded, f["decoded"][i], "{} {rel} record {i}", name(t));
                let py = &f["pypaimon"][i];
                assert_eq!(decoded["partition"], py["partition"], "{rel}");
                assert_eq!(decoded["min_key"], py["file"]["min_key"], "{rel}");
                assert_eq!(decoded["max_key"], py["file"]["max_key"], "{rel}");
                assert_eq!(decoded["key_stats"], py["file"]["key_stats"], "{rel}");
                assert_eq!(decoded["value_stats"], py["file"]["value_stats"], "{rel}");
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} manifest entries");
}

#[test]
fn every_index_manifest_and_hash_index_matches() {
    if strata_tests::python_missing() {
        return;
    }
    let mut checked = 0;
    for t in tables() {
        for f in files(t, "index_manifests") {
            let rel = format!("manifest/{}", f["file"].as_str().unwrap());
            let ours = IndexManifestEntry::read_index_manifest(&read(t, &rel), &rel).unwrap();
            let records = f["records"].as_array().unwrap();
            assert_eq!(ours.len(), records.len());
            for (e, r) in ours.iter().zip(records) {
                assert_eq!(index_record(e), *r, "{rel}");
                checked += 1;
            }
        }
        for h in files(t, "hash_index_files") {
            let rel = format!("index/{}", h["file"].as_str().unwrap());
            let ints = read_hash_index(&read(t, &rel), &rel).unwrap();
            assert_eq!(json!(ints), h["ints"], "{rel}");
        }
    }
    assert!(checked > 0, "no index manifests generated");
}

#[test]
fn every_bucket_is_recomputed() {
    if strata_tests::python_missing() {
        return;
    }
    let mut rows = 0;
    for t in tables() {
        let schema = latest_schema(t);
        let ktypes = types_of(&schema.bucket_key_fields().unwrap(), false);
        for f in files(t, "data_files") {
            let n = f["total_buckets"].as_i64().unwrap() as i32;
            for r in f["bucket_key_rows"].as_array().unwrap() {
                let values: Vec<_> = r
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(&ktypes)
                    .map(|(v, t)| json_datum(v, t))
                    .collect();
                let key = BinaryRow::encode(
                    &types_of(&schema.bucket_key_fields().unwrap(), true),
                    &values,
                )
                .unwrap();
                assert_eq!(
                    json!(bucket_of(&key, n)),
                    f["bucket"],
                    "{} {} key {r}",
                    name(t),
                    f["file"]
                );
                rows += 1;
            }
        }
    }
    assert!(rows > 100, "only {rows} bucket keys checked");
}

#[test]
fn live_files_agree_with_snapshot_counts() {
    if strata_tests::python_missing() {
        return;
    }
    for t in tables() {
        let storage = ObjectStoreStorage::open(table_dir(t).to_str().unwrap()).unwrap();
        for s in t["snapshots"].as_array().unwrap() {
            let snap = Snapshot::from_json(&serde_json::to_vec(&s["json"]).unwrap(), "s").unwrap();
            let live = block_on(live_files(&storage, &snap)).unwrap();
            let rows: i64 = live.iter().map(|e| e.file.row_count).sum();
            assert_eq!(
                Some(rows),
                snap.total_record_count,
                "{} snapshot {}",
                name(t),
                snap.id
            );
        }
    }
}

/// Rewrites every manifest file of a copy of the warehouse with Strata's writer, then has
/// pypaimon dump the copy: fastavro must see the same records, pypaimon the same entries and
/// the same table contents.
#[test]
fn manifests_written_by_strata_read_back_identically() {
    if strata_tests::python_missing() {
        return;
    }
    let copy = tempfile::tempdir().unwrap();
    let wh = copy.path().join("wh");
    copy_dir(&warehouse().dir.path().join("wh"), &wh);
    for t in tables() {
        let dir = wh.join(t["path"].as_str().unwrap()).join("manifest");
        for f in files(t, "manifests") {
            rewrite(&dir, f, |b, n, c| {
                ManifestEntry::write_manifest(&ManifestEntry::read_manifest(b, n).unwrap(), c)
            });
        }
        for f in files(t, "manifest_lists") {
            rewrite(&dir, f, |b, n, c| {
                ManifestFileMeta::write_list(&ManifestFileMeta::read_list(b, n).unwrap(), c)
            });
        }
        for f in files(t, "index_manifests") {
            rewrite(&dir, f, |b, n, c| {
                IndexManifestEntry::write_index_manifest(
                    &IndexManifestEntry::read_index_manifest(b, n).unwrap(),
                    c,
                )
            });
        }
    }
    let after = dump_warehouse(&wh);
    let before: BTreeMap<&str, &Value> = tables().iter().map(|t| (name(t), t)).collect();
    for t in after["tables"].as_array().unwrap() {
        let orig = before[name(t)];
        assert_eq!(
            t["read"],
            orig["read"],
            "pypaimon reads {} differently",
            name(t)
        );
        for key in ["manifests", "manifest_lists", "index_manifests"] {
            let a = t[key].as_array().unwrap();
            let b = orig[key].as_array().unwrap();
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x["file"], y["file"]);
                assert!(x.get("error").is_none(), "{}: {}", x["file"], x["error"]);
                assert_eq!(x["codec"], y["codec"], "{}", x["file"]);
                let strip = |v: &Value| -> Vec<Value> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|r| {
                            if key == "manifest_lists" {
                                without(r, &PYPAIMON_ONLY_LIST_FIELDS)
                            } else {
                                r.clone()
                            }
                        })
                        .collect()
                };
                assert_eq!(
                    strip(&x["records"]),
                    strip(&y["records"]),
                    "fastavro: {}",
                    x["file"]
                );
                if key != "index_manifests" {
                    assert_eq!(x["decoded"], y["decoded"], "{}", x["file"]);
                    let py = |v: &Value| -> Vec<Value> {
                        v.as_array()
                            .unwrap()
                            .iter()
                            .map(|r| without(r, &["total_buckets", "extra_files"]))
                            .collect()
                    };
                    if key == "manifest_lists" {
                        assert_eq!(
                            py(&x["pypaimon"]),
                            py(&y["pypaimon"]),
                            "pypaimon: {}",
                            x["file"]
                        );
                    } else {
                        assert_eq!(x["pypaimon"], y["pypaimon"], "pypaimon: {}", x["file"]);
                    }
                }
            }
        }
    }
}

fn rewrite(
    dir: &Path,
    f: &Value,
    recode: impl Fn(&[u8], &str, AvroCodec) -> strata_core::Result<Vec<u8>>,
) {
    let path = dir.join(f["file"].as_str().unwrap());
    let bytes = std::fs::read(&path).unwrap();
    let codec = codec_of(f["codec"].as_str().unwrap());
    let out = recode(&bytes, &path.display().to_string(), codec).unwrap();
    std::fs::write(&path, out).unwrap();
}

/// A table created by `strata create` opens in pypaimon with the same schema.
#[test]
fn tables_created_by_strata_open_in_pypaimon() {
    if strata_tests::python_missing() {
        return;
    }
    use strata_core::create_table::{create_table, CreateTable};
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let columns =
        "id BIGINT NOT NULL, b BOOLEAN, ti TINYINT, si SMALLINT, i INT, f FLOAT, d DOUBLE, \
        c CHAR(3), vc VARCHAR(20), s STRING, bin BINARY(4), vb VARBINARY(9), by BYTES, \
        dec DECIMAL(10, 2), big DECIMAL(38, 10), dt DATE, tm TIME(3), ts TIMESTAMP(3), \
        ts6 TIMESTAMP(6), ltz TIMESTAMP_LTZ(6), arr ARRAY<INT>, m MAP<STRING NOT NULL, BIGINT>, \
        r ROW<x INT, y STRING>, p STRING NOT NULL";
    let spec = CreateTable {
        columns: columns.into(),
        primary_keys: vec!["id".into(), "p".into()],
        partition_keys: vec!["p".into()],
        bucket: Some(3),
        options: BTreeMap::from([("file.format".to_string(), "parquet".to_string())]),
    };
    let schema = spec.schema(strata_writer::now_millis()).unwrap();
    let table = wh.join("db.db/t_created");
    let storage = ObjectStoreStorage::create(table.to_str().unwrap()).unwrap();
    block_on(create_table(&storage, &schema)).unwrap();
    assert!(
        block_on(create_table(&storage, &schema)).is_err(),
        "second create must fail"
    );

    let dump = dump_warehouse(&wh);
    let t = &dump["tables"][0];
    assert_eq!(t["name"], "t_created");
    assert!(
        t["read"].get("error").is_none(),
        "pypaimon could not read: {}",
        t["read"]
    );
    assert_eq!(t["read"]["rows"], json!([]));
    let theirs = &t["schemas"][0]["json"];
    assert_eq!(
        canonical_type(&serde_json::to_value(&schema).unwrap()["fields"]),
        canonical_type(&theirs["fields"])
    );
    assert_eq!(theirs["primaryKeys"], json!(["id", "p"]));
    let names: Vec<Value> = schema.fields.iter().map(|f| json!(f.name)).collect();
    assert_eq!(t["read"]["columns"], json!(names));
}
