//! Strata's write path against pypaimon: tables Strata writes (each merge engine, partitioned
//! or not, fixed-bucket and append) read the same in pypaimon and in Strata, equal to a model
//! of the writes; and pypaimon and Strata can take turns committing to one table.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};
use strata_core::read::{read_all, ReadBuilder};
use strata_core::table::Table;
use strata_core::types::DataType;
use strata_tests::{dump_warehouse, rows_json, run_py};
use strata_writer::table::{create_table, CreateTable};
use strata_writer::write::input::{read_input, InputFormat};
use strata_writer::write::{write, Input, Overwrite, WriteOptions};
use strata_writer::ObjectStoreStorage;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn create(
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
    rt().block_on(create_table(&storage, &spec.schema().unwrap()))
        .unwrap();
    Arc::new(rt().block_on(Table::open(Arc::new(storage))).unwrap())
}

fn reopen(t: &Arc<Table>) -> Arc<Table> {
    rt().block_on(async { Arc::new(Table::open(t.storage_arc()).await.unwrap()) })
}

/// Writes JSON rows through Strata's writer (as `strata write` does), one commit.
fn strata_write(t: &Arc<Table>, rows: &[Value], kind_col: Option<&str>) {
    strata_write_with(t, rows, kind_col, None)
}

fn strata_write_with(
    t: &Arc<Table>,
    rows: &[Value],
    kind_col: Option<&str>,
    overwrite: Option<Overwrite>,
) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.jsonl");
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(&path, text).unwrap();
    let extra: Vec<String> = kind_col.map(String::from).into_iter().collect();
    let t = reopen(t);
    let inputs = read_input(
        path.to_str().unwrap(),
        InputFormat::Jsonl,
        &t.schema().fields,
        &extra,
    )
    .unwrap()
    .into_iter()
    .map(|(first_line, batch)| Input {
        path: "in.jsonl".into(),
        first_line,
        batch,
    })
    .collect();
    let opts = WriteOptions {
        row_kind_column: kind_col.map(String::from),
        commit_user: None,
        overwrite,
    };
    rt().block_on(write(t, inputs, opts))
        .unwrap()
        .expect("a snapshot");
}

fn strata_rows(t: &Arc<Table>) -> Vec<Value> {
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

fn pypaimon_rows(wh: &Path, name: &str) -> Vec<Value> {
    let dump = dump_warehouse(wh);
    let t = dump["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap();
    assert!(
        t["read"].get("error").is_none(),
        "pypaimon failed on {name}: {}",
        t["read"]
    );
    t["read"]["rows"].as_array().unwrap().clone()
}

fn sorted(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by_cached_key(|r| serde_json::to_string(r).unwrap());
    rows
}

fn check(wh: &Path, name: &str, t: &Arc<Table>, model: Vec<Value>) {
    let model = sorted(model);
    assert_eq!(strata_rows(t), model, "{name}: Strata vs model");
    assert_eq!(pypaimon_rows(wh, name), model, "{name}: pypaimon vs model");
}

#[test]
fn every_engine_written_by_strata_reads_the_same_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");

    // deduplicate, partitioned, 3 buckets, with deletes.
    let t = create(
        &wh,
        "w_dedup",
        "id BIGINT, v STRING, dt STRING, op STRING",
        &["id", "dt"],
        &["dt"],
        3,
        &[],
    );
    let mut model: BTreeMap<(i64, String), Value> = BTreeMap::new();
    let rounds = [
        vec![
            (1, "a", "d1", "+I"),
            (2, "b", "d1", "+I"),
            (3, "c", "d2", "+I"),
            (1, "a2", "d1", "+U"),
        ],
        vec![
            (2, "b2", "d1", "+U"),
            (3, "c", "d2", "-D"),
            (4, "d", "d2", "+I"),
            (100, "x", "d1", "-D"),
        ],
        vec![
            (5, "e", "d1", "+I"),
            (4, "d2", "d2", "+U"),
            (1, "a3", "d1", "+U"),
        ],
    ];
    for r in &rounds {
        let rows: Vec<Value> = r
            .iter()
            .map(|(id, v, dt, op)| json!({"id": id, "v": v, "dt": dt, "op": op}))
            .collect();
        strata_write(&t, &rows, Some("op"));
        for (id, v, dt, op) in r {
            if *op == "-D" {
                model.remove(&(*id, dt.to_string()));
            } else {
                model.insert((*id, dt.to_string()), json!([id, v, dt, op]));
            }
        }
        check(&wh, "w_dedup", &t, model.values().cloned().collect());
    }

    // partial-update.
    let t = create(
        &wh,
        "w_pu",
        "id BIGINT, a INT, b STRING",
        &["id"],
        &[],
        2,
        &[("merge-engine", "partial-update")],
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "a": 1}),
            json!({"id": 2, "b": "x"}),
            json!({"id": 1, "b": "y"}),
        ],
        None,
    );
    strata_write(
        &t,
        &[json!({"id": 2, "a": 5}), json!({"id": 1, "a": 9})],
        None,
    );
    check(
        &wh,
        "w_pu",
        &t,
        vec![json!([1, 9, "y"]), json!([2, 5, "x"])],
    );

    // aggregation.
    let agg = [
        ("merge-engine", "aggregation"),
        ("fields.total.aggregate-function", "sum"),
        ("fields.top.aggregate-function", "max"),
    ];
    let t = create(
        &wh,
        "w_agg",
        "id BIGINT, total BIGINT, top STRING",
        &["id"],
        &[],
        1,
        &agg,
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "total": 5, "top": "b"}),
            json!({"id": 1, "total": 2, "top": "a"}),
        ],
        None,
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "total": 10, "top": "c"}),
            json!({"id": 2, "total": 1, "top": "z"}),
        ],
        None,
    );
    check(
        &wh,
        "w_agg",
        &t,
        vec![json!([1, 17, "c"]), json!([2, 1, "z"])],
    );

    // append, bucket-unaware and partitioned.
    let t = create(
        &wh,
        "w_append",
        "k INT, s STRING, dt STRING",
        &[],
        &["dt"],
        -1,
        &[],
    );
    strata_write(
        &t,
        &[
            json!({"k": 1, "s": "a", "dt": "x"}),
            json!({"k": 1, "s": "a", "dt": "y"}),
        ],
        None,
    );
    strata_write(&t, &[json!({"k": 2, "s": null, "dt": "x"})], None);
    check(
        &wh,
        "w_append",
        &t,
        vec![
            json!([1, "a", "x"]),
            json!([1, "a", "y"]),
            json!([2, null, "x"]),
        ],
    );

    // append with a bucket key: pypaimon's reads of fixed buckets see every row.
    let t = create(
        &wh,
        "w_abkt",
        "k INT, s STRING",
        &[],
        &[],
        4,
        &[("bucket-key", "k")],
    );
    let rows: Vec<Value> = (0..20)
        .map(
            |k| json!({"k": if k % 7 == 0 { Value::Null } else { json!(k) }, "s": format!("s{k}")}),
        )
        .collect();
    strata_write(&t, &rows, None);
    check(
        &wh,
        "w_abkt",
        &t,
        rows.iter().map(|r| json!([r["k"], r["s"]])).collect(),
    );
}

#[test]
fn pypaimon_and_strata_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "turns",
        "id BIGINT, v STRING, dt STRING",
        &["id", "dt"],
        &["dt"],
        2,
        &[],
    );
    let mut model: BTreeMap<(i64, String), Value> = BTreeMap::new();
    let apply = |rows: &[(i64, &str, &str)], model: &mut BTreeMap<(i64, String), Value>| {
        for (id, v, dt) in rows {
            model.insert((*id, dt.to_string()), json!([id, v, dt]));
        }
    };
    let r1 = [
        (1, "s1", "a"),
        (2, "s1", "a"),
        (3, "s1", "b"),
        (10, "s1", "b"),
    ];
    strata_write(
        &t,
        &r1.iter()
            .map(|(i, v, d)| json!({"id": i, "v": v, "dt": d}))
            .collect::<Vec<_>>(),
        None,
    );
    apply(&r1, &mut model);
    check(&wh, "turns", &t, model.values().cloned().collect());

    let r2 = [
        (1, "p2", "a"),
        (3, "p2", "b"),
        (11, "p2", "b"),
        (12, "p2", "a"),
    ];
    let rows = dir.path().join("r2.json");
    std::fs::write(
        &rows,
        serde_json::to_vec(
            &r2.iter()
                .map(|(i, v, d)| json!({"id": i, "v": v, "dt": d}))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
    )
    .unwrap();
    run_py("pypaimon_write.py", &[&wh, Path::new("db.turns"), &rows]);
    apply(&r2, &mut model);
    check(&wh, "turns", &t, model.values().cloned().collect());

    let r3 = [
        (2, "s3", "a"),
        (11, "s3", "b"),
        (12, "s3", "a"),
        (20, "s3", "b"),
    ];
    strata_write(
        &t,
        &r3.iter()
            .map(|(i, v, d)| json!({"id": i, "v": v, "dt": d}))
            .collect::<Vec<_>>(),
        None,
    );
    apply(&r3, &mut model);
    check(&wh, "turns", &t, model.values().cloned().collect());
}

#[test]
fn overwrites_replace_partitions_or_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "ow",
        "id BIGINT, v STRING, dt STRING",
        &["id", "dt"],
        &["dt"],
        2,
        &[],
    );
    let row = |id: i64, v: &str, dt: &str| json!({"id": id, "v": v, "dt": dt});
    strata_write(
        &t,
        &[row(1, "a", "x"), row(2, "b", "y"), row(3, "c", "z")],
        None,
    );
    // Dynamic: only partition y is replaced.
    strata_write_with(&t, &[row(9, "new", "y")], None, Some(Overwrite::default()));
    check(
        &wh,
        "ow",
        &t,
        vec![
            json!([1, "a", "x"]),
            json!([9, "new", "y"]),
            json!([3, "c", "z"]),
        ],
    );
    // Static partition z.
    let spec = Overwrite {
        partition: vec![("dt".into(), "z".into())],
    };
    strata_write_with(&t, &[row(7, "zz", "z")], None, Some(spec));
    check(
        &wh,
        "ow",
        &t,
        vec![
            json!([1, "a", "x"]),
            json!([9, "new", "y"]),
            json!([7, "zz", "z"]),
        ],
    );
    // Whole unpartitioned table.
    let u = create(&wh, "ow2", "id BIGINT, v STRING", &["id"], &[], 1, &[]);
    strata_write(
        &u,
        &[json!({"id": 1, "v": "a"}), json!({"id": 2, "v": "b"})],
        None,
    );
    strata_write_with(
        &u,
        &[json!({"id": 5, "v": "only"})],
        None,
        Some(Overwrite::default()),
    );
    check(&wh, "ow2", &u, vec![json!([5, "only"])]);
}

fn compact(t: &Arc<Table>, full: bool) -> Option<strata_core::snapshot::Snapshot> {
    use strata_writer::compact::{compact, CompactOptions};
    rt().block_on(compact(
        reopen(t),
        CompactOptions {
            full,
            partition: vec![],
        },
    ))
    .unwrap()
}

fn live_levels(t: &Arc<Table>) -> Vec<(i32, i32)> {
    let t = reopen(t);
    rt().block_on(async {
        let s = strata_core::scan::resolve_snapshot(t.storage(), &Default::default())
            .await
            .unwrap()
            .unwrap();
        strata_core::scan::plan_files(&t, &s, None)
            .await
            .unwrap()
            .iter()
            .map(|e| (e.bucket, e.file.level))
            .collect()
    })
}

#[test]
fn compaction_keeps_every_reader_right() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "c_dedup",
        "id BIGINT, v STRING, op STRING",
        &["id"],
        &[],
        2,
        &[],
    );
    let mut model: BTreeMap<i64, Value> = BTreeMap::new();
    for i in 1..=7i64 {
        let rows = vec![
            json!({"id": i, "v": format!("v{i}"), "op": "+I"}),
            json!({"id": 1, "v": format!("one-{i}"), "op": "+U"}),
            json!({"id": i - 1, "v": "x", "op": "-D"}),
        ];
        strata_write(&t, &rows, Some("op"));
        model.insert(i, json!([i, format!("v{i}"), "+I"]));
        model.insert(1, json!([1, format!("one-{i}"), "+U"]));
        model.remove(&(i - 1));
        if i == 1 {
            model.insert(1, json!([1, "one-1", "+U"]));
        }
        // Universal compaction after each write, as `strata write` runs it.
        compact(&t, false);
        check(&wh, "c_dedup", &t, model.values().cloned().collect());
    }
    assert!(
        live_levels(&t).iter().any(|(_, l)| *l > 0),
        "universal compaction should have run"
    );
    compact(&t, true).expect("a full compaction commits");
    check(&wh, "c_dedup", &t, model.values().cloned().collect());
    let levels = live_levels(&t);
    assert!(levels.iter().all(|(_, l)| *l == 5), "{levels:?}");
    assert!(compact(&t, true).is_none(), "nothing left to compact");

    // first-row: invisible to batch reads until compacted, then the first row of each key.
    let f = create(
        &wh,
        "c_first",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        1,
        &[("merge-engine", "first-row")],
    );
    strata_write(
        &f,
        &[json!({"id": 1, "v": "first"}), json!({"id": 2, "v": "b"})],
        None,
    );
    strata_write(
        &f,
        &[json!({"id": 1, "v": "second"}), json!({"id": 3, "v": "c"})],
        None,
    );
    check(&wh, "c_first", &f, vec![]);
    compact(&f, true).unwrap();
    check(
        &wh,
        "c_first",
        &f,
        vec![json!([1, "first"]), json!([2, "b"]), json!([3, "c"])],
    );

    // aggregation folds across compaction.
    let agg = [
        ("merge-engine", "aggregation"),
        ("fields.total.aggregate-function", "sum"),
    ];
    let a = create(
        &wh,
        "c_agg",
        "id BIGINT, total BIGINT",
        &["id"],
        &[],
        1,
        &agg,
    );
    for i in 1..=3 {
        strata_write(
            &a,
            &[
                json!({"id": 1, "total": i}),
                json!({"id": 2, "total": 10 * i}),
            ],
            None,
        );
    }
    compact(&a, true).unwrap();
    strata_write(&a, &[json!({"id": 1, "total": 100})], None);
    check(&wh, "c_agg", &a, vec![json!([1, 106]), json!([2, 60])]);
}

#[test]
fn expiration_tags_and_orphans_keep_what_is_used() {
    use strata_core::expire::{clean_orphans, expire, Retention};
    use strata_writer::maintenance::{create_tag, delete_tag};
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(&wh, "m", "id BIGINT, v STRING", &["id"], &[], 2, &[]);
    for i in 1..=6i64 {
        strata_write(
            &t,
            &[
                json!({"id": i % 3, "v": format!("v{i}")}),
                json!({"id": 10 + i, "v": "x"}),
            ],
            None,
        );
    }
    let storage = t.storage_arc();
    let tagged_rows = {
        let tt = reopen(&t);
        rt().block_on(create_tag(tt.storage(), "keep", Some(2)))
            .unwrap();
        let mut r = rt()
            .block_on(
                ReadBuilder::new()
                    .snapshot(strata_core::scan::SnapshotSpec::Tag("keep".into()))
                    .build(tt.clone()),
            )
            .unwrap();
        let types: Vec<DataType> = tt
            .schema()
            .fields
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        rows_json(&rt().block_on(read_all(&mut r)).unwrap(), &types)
    };
    let before = strata_rows(&t);
    let removed = rt()
        .block_on(expire(
            storage.as_ref(),
            Retention {
                min: 2,
                max: None,
                time_millis: 0,
            },
            i64::MAX / 2,
        ))
        .unwrap();
    assert_eq!(removed.snapshots, vec![1, 2, 3, 4]);
    assert!(!removed.files.is_empty());
    // The latest snapshot and the tag still read the same, here and in pypaimon.
    check(&wh, "m", &t, before.clone());
    let tt = reopen(&t);
    let types: Vec<DataType> = tt
        .schema()
        .fields
        .iter()
        .map(|f| f.data_type.clone())
        .collect();
    let mut r = rt()
        .block_on(
            ReadBuilder::new()
                .snapshot(strata_core::scan::SnapshotSpec::Tag("keep".into()))
                .build(tt.clone()),
        )
        .unwrap();
    assert_eq!(
        rows_json(&rt().block_on(read_all(&mut r)).unwrap(), &types),
        tagged_rows
    );
    assert!(rt()
        .block_on(
            ReadBuilder::new()
                .snapshot(strata_core::scan::SnapshotSpec::Id(1))
                .build(tt.clone())
        )
        .is_err());
    // Nothing in use is an orphan; after the tag goes, its files are.
    assert!(rt()
        .block_on(clean_orphans(storage.as_ref(), i64::MAX))
        .unwrap()
        .files
        .is_empty());
    rt().block_on(delete_tag(storage.as_ref(), "keep")).unwrap();
    let orphans = rt()
        .block_on(clean_orphans(storage.as_ref(), i64::MAX))
        .unwrap();
    assert!(!orphans.files.is_empty());
    check(&wh, "m", &t, before);
}

fn changes(t: &Arc<Table>, from: i64, to: i64) -> Vec<Value> {
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

fn pypaimon_changes(wh: &Path, name: &str, from: i64, to: i64) -> Value {
    let dump = dump_warehouse(wh);
    let t = dump["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap()
        .clone();
    t["incremental"][format!("{from}-{to}")]["rows"].clone()
}

#[test]
fn changelog_producers_feed_streaming_readers() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    // input: the records as written, with their kinds.
    let t = create(
        &wh,
        "cl_input",
        "id BIGINT, v STRING, op STRING",
        &["id"],
        &[],
        1,
        &[("changelog-producer", "input")],
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "v": "a", "op": "+I"}),
            json!({"id": 2, "v": "b", "op": "+I"}),
        ],
        Some("op"),
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "v": "a", "op": "-U"}),
            json!({"id": 1, "v": "a2", "op": "+U"}),
            json!({"id": 2, "v": "b", "op": "-D"}),
        ],
        Some("op"),
    );
    let want = sorted(vec![
        json!([1, "a", "-U", "-U"]),
        json!([1, "a2", "+U", "+U"]),
        json!([2, "b", "-D", "-D"]),
    ]);
    assert_eq!(changes(&t, 1, 2), want);
    assert_eq!(pypaimon_changes(&wh, "cl_input", 1, 2), json!(want));

    // lookup: compaction after each write diffs old and new values.
    let l = create(
        &wh,
        "cl_lookup",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        1,
        &[("changelog-producer", "lookup")],
    );
    strata_write(
        &l,
        &[json!({"id": 1, "v": "a"}), json!({"id": 2, "v": "b"})],
        None,
    );
    let s1 = compact(&l, false).expect("lookup compacts level 0 at once");
    strata_write(
        &l,
        &[
            json!({"id": 1, "v": "a2"}),
            json!({"id": 3, "v": "c"}),
            json!({"id": 2, "v": "b"}),
        ],
        None,
    );
    let s2 = compact(&l, false).expect("lookup compacts level 0 at once");
    assert_eq!(
        changes(&l, s1.id - 1, s1.id),
        sorted(vec![json!([1, "a", "+I"]), json!([2, "b", "+I"])])
    );
    let want = sorted(vec![
        json!([1, "a", "-U"]),
        json!([1, "a2", "+U"]),
        json!([3, "c", "+I"]),
    ]);
    assert_eq!(
        changes(&l, s1.id, s2.id),
        want,
        "unchanged key 2 produces nothing"
    );
    assert_eq!(
        pypaimon_changes(&wh, "cl_lookup", s2.id - 1, s2.id),
        json!(want)
    );
    check(
        &wh,
        "cl_lookup",
        &l,
        vec![json!([1, "a2"]), json!([2, "b"]), json!([3, "c"])],
    );
}
