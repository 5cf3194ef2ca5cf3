//! Helpers of the write-path suites: create tables, write rows through Strata's writer, read
//! them back with Strata and with pypaimon, and compare against a model.

use std::path::Path;
use std::sync::Arc;

use crate::{dump_warehouse, rows_json};
use serde_json::Value;
use strata_core::create_table::{create_table, CreateTable};
use strata_core::read::{read_all, ReadBuilder};
use strata_core::table::Table;
use strata_core::types::DataType;
use strata_core::write::{write, Input, Overwrite, WriteOptions};
use strata_writer::write::input::{input_batches, InputFormat};
use strata_writer::ObjectStoreStorage;

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

pub fn create(
    wh: &Path,
    name: &str,
    columns: &str,
    pk: &[&str],
    part: &[&str],
    bucket: i32,
    opts: &[(&str, &str)],
) -> Arc<Table> {
    let spec = CreateTable {
        columns: columns.into(),
        primary_keys: pk.iter().map(|s| s.to_string()).collect(),
        partition_keys: part.iter().map(|s| s.to_string()).collect(),
        bucket: Some(bucket),
        options: opts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    let dir = wh.join(format!("db.db/{name}"));
    let storage = ObjectStoreStorage::create(dir.to_str().unwrap()).unwrap();
    rt().block_on(create_table(
        &storage,
        &spec.schema(strata_writer::now_millis()).unwrap(),
    ))
    .unwrap();
    Arc::new(rt().block_on(Table::open(Arc::new(storage))).unwrap())
}

/// A table keyed by (id, dt), partitioned by dt: `id BIGINT, v STRING, dt STRING`.
pub fn dt_table(wh: &Path, name: &str, buckets: i32, opts: &[(&str, &str)]) -> Arc<Table> {
    create(
        wh,
        name,
        "id BIGINT, v STRING, dt STRING",
        &["id", "dt"],
        &["dt"],
        buckets,
        opts,
    )
}

pub fn reopen(t: &Arc<Table>) -> Arc<Table> {
    rt().block_on(async { Arc::new(Table::open(t.storage_arc()).await.unwrap()) })
}

/// Writes JSON rows through Strata's writer (as `strata write` does), one commit.
pub fn strata_write(t: &Arc<Table>, rows: &[Value], kind_col: Option<&str>) {
    strata_write_with(t, rows, kind_col, None)
}

pub fn strata_write_with(
    t: &Arc<Table>,
    rows: &[Value],
    kind_col: Option<&str>,
    overwrite: Option<Overwrite>,
) {
    try_strata_write(t, rows, kind_col, overwrite)
        .unwrap()
        .expect("a snapshot");
}

/// Writes JSON rows (from `in.jsonl`, one row per line) through Strata's writer, one commit.
pub fn try_strata_write(
    t: &Arc<Table>,
    rows: &[Value],
    kind_col: Option<&str>,
    overwrite: Option<Overwrite>,
) -> strata_core::Result<Option<strata_core::snapshot::Snapshot>> {
    let t = reopen(t);
    let inputs = inputs_of(&t, rows, kind_col);
    let opts = WriteOptions {
        row_kind_column: kind_col.map(String::from),
        commit_user: None,
        overwrite,
        ..WriteOptions::default()
    };
    rt().block_on(write(t, inputs, opts, strata_writer::runtime::env()))
}

/// JSON rows as writer input batches (read from `in.jsonl`, one row per line).
pub fn inputs_of(t: &Arc<Table>, rows: &[Value], kind_col: Option<&str>) -> Vec<Input> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.jsonl");
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, text).unwrap();
    let extra: Vec<String> = kind_col.map(String::from).into_iter().collect();
    // Rows may carry keys the table lacks (an `op` the write does not use): dropped.
    input_batches(
        path.to_str().unwrap(),
        InputFormat::Jsonl,
        &t.schema().fields,
        &extra,
        true,
    )
    .unwrap()
    .map(Result::unwrap)
    .map(|(first_line, batch)| Input {
        path: "in.jsonl".into(),
        first_line,
        batch,
        kinds: None,
    })
    .collect()
}

pub fn strata_rows(t: &Arc<Table>) -> Vec<Value> {
    let t = reopen(t);
    let types: Vec<DataType> = t
        .schema()
        .fields
        .iter()
        .map(|f| f.data_type.clone())
        .collect();
    rt().block_on(async {
        let mut r = ReadBuilder::new().build(t).await.unwrap();
        rows_json(&read_all(&mut r).await.unwrap(), &types)
    })
}

/// pypaimon's dump of one table of a warehouse.
fn pypaimon_table(wh: &Path, name: &str) -> Value {
    let dump = dump_warehouse(wh);
    dump["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()
        .clone()
}

pub fn pypaimon_rows(wh: &Path, name: &str) -> Vec<Value> {
    let t = pypaimon_table(wh, name);
    assert!(
        t["read"].get("error").is_none(),
        "pypaimon failed on {name}: {}",
        t["read"]
    );
    t["read"]["rows"].as_array().unwrap().clone()
}

pub fn sorted(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by_cached_key(|r| serde_json::to_string(r).unwrap());
    rows
}

pub fn check(wh: &Path, name: &str, t: &Arc<Table>, model: Vec<Value>) {
    let model = sorted(model);
    assert_eq!(strata_rows(t), model, "{name}: Strata vs model");
    assert_eq!(pypaimon_rows(wh, name), model, "{name}: pypaimon vs model");
}

pub fn compact(t: &Arc<Table>, full: bool) -> Option<strata_core::snapshot::Snapshot> {
    use strata_core::compaction::{compact, CompactOptions};
    rt().block_on(compact(
        reopen(t),
        CompactOptions {
            full,
            partition: vec![],
        },
        strata_writer::runtime::env(),
    ))
    .unwrap()
}

fn latest(t: &Arc<Table>) -> strata_core::snapshot::Snapshot {
    rt().block_on(strata_core::scan::resolve_snapshot(
        t.storage(),
        &Default::default(),
    ))
    .unwrap()
    .expect("a snapshot")
}

/// (bucket, level) of the files a batch read of the latest snapshot plans.
pub fn live_levels(t: &Arc<Table>) -> Vec<(i32, i32)> {
    let t = reopen(t);
    let s = latest(&t);
    rt().block_on(strata_core::scan::plan_files(&t, &s, None))
        .unwrap()
        .iter()
        .map(|e| (e.bucket, e.file.level))
        .collect()
}

/// The latest snapshot's live data files (every level, whatever reads skip).
pub fn live_entries(t: &Arc<Table>) -> Vec<strata_core::manifest::ManifestEntry> {
    let t = reopen(t);
    let s = latest(&t);
    rt().block_on(strata_core::manifest::live_files(t.storage(), &s))
        .unwrap()
}

/// The latest snapshot's live data files: (partition bytes, bucket, level, min and max
/// sequence number).
pub fn live_files(t: &Arc<Table>) -> Vec<(Vec<u8>, i32, i32, i64, i64)> {
    live_entries(t)
        .iter()
        .map(|e| {
            (
                e.partition.serialize(),
                e.bucket,
                e.file.level,
                e.file.min_sequence_number,
                e.file.max_sequence_number,
            )
        })
        .collect()
}

pub fn changes(t: &Arc<Table>, from: i64, to: i64) -> Vec<Value> {
    let t = reopen(t);
    let mut types: Vec<DataType> = t
        .schema()
        .fields
        .iter()
        .map(|f| f.data_type.clone())
        .collect();
    types.push("STRING".parse().unwrap());
    rt().block_on(async {
        let mut r = strata_core::read::read_changes(t, from, to, None, None)
            .await
            .unwrap();
        rows_json(&read_all(&mut r).await.unwrap(), &types)
    })
}

pub fn pypaimon_changes(wh: &Path, name: &str, from: i64, to: i64) -> Value {
    let t = pypaimon_table(wh, name);
    t["incremental"][format!("{from}-{to}")]["rows"].clone()
}

/// Writes JSON rows (objects keyed by column name) into `db.<name>` of warehouse `wh` with
/// pypaimon's batch writer, one commit.
pub fn pypaimon_write(wh: &Path, name: &str, rows: &[Value]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.json");
    std::fs::write(&path, serde_json::to_vec(rows).unwrap()).unwrap();
    crate::run_py(
        "pypaimon_write.py",
        &[wh, Path::new(&format!("db.{name}")), &path],
    );
}

/// The model of a `dt_table`: rows `[id, v, dt]` by `(id, dt)`.
pub type DtModel = std::collections::BTreeMap<(i64, String), Value>;

/// JSON rows `{id, v, dt}` of a `dt_table`, one per id.
pub fn dt_rows(ids: impl Iterator<Item = i64>, v: &str, dt: &str) -> Vec<Value> {
    ids.map(|id| serde_json::json!({"id": id, "v": v, "dt": dt}))
        .collect()
}

/// Applies JSON rows of a `dt_table` to its model (`"op": "-D"` deletes).
pub fn apply_dt_rows(model: &mut DtModel, rows: &[Value]) {
    for r in rows {
        let key = (
            r["id"].as_i64().unwrap(),
            r["dt"].as_str().unwrap().to_string(),
        );
        if r.get("op").is_some_and(|o| o == "-D") {
            model.remove(&key);
        } else {
            model.insert(key, serde_json::json!([r["id"], r["v"], r["dt"]]));
        }
    }
}
