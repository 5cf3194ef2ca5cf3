//! Strata's write path against pypaimon: tables Strata writes (each merge engine, partitioned
//! or not, fixed-bucket and append) read the same in pypaimon and in Strata, equal to a model
//! of the writes; and pypaimon and Strata can take turns committing to one table.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use strata_core::write::Overwrite;
use strata_tests::run_py;
use strata_tests::writes::*;

#[test]
fn every_engine_written_by_strata_reads_the_same_everywhere() {
    if strata_tests::python_missing() {
        return;
    }
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
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = dt_table(&wh, "turns", 2, &[]);
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

fn row(id: i64, v: &str, dt: &str) -> Value {
    json!({"id": id, "v": v, "dt": dt})
}

#[test]
fn overwrites_replace_partitions_or_the_table() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = dt_table(&wh, "ow", 2, &[]);
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

/// Files roll over at `target-file-size`: a write of 30,000 rows into a table with a 64 KB
/// target makes several files per bucket, each with its own stats, and pypaimon reads exactly
/// the rows written (primary-key and append tables).
#[test]
fn files_roll_at_the_target_file_size() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let opts = [("target-file-size", "64 kb")];
    let pk = create(
        &wh,
        "roll_pk",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        1,
        &opts,
    );
    let ap = create(&wh, "roll_ap", "id BIGINT, v STRING", &[], &[], -1, &opts);
    let rows: Vec<Value> = (0..30_000)
        .map(|i| json!({"id": i, "v": format!("value {i} {}", i * 7919 % 10007)}))
        .collect();
    let model: Vec<Value> = (0..30_000)
        .map(|i| json!([i, format!("value {i} {}", i * 7919 % 10007)]))
        .collect();
    for (name, t) in [("roll_pk", &pk), ("roll_ap", &ap)] {
        strata_write(t, &rows, None);
        let files = live_entries(t);
        assert!(files.len() >= 3, "{name}: {} files", files.len());
        assert_eq!(files.iter().map(|f| f.file.row_count).sum::<i64>(), 30_000);
        check(&wh, name, t, model.clone());
    }
}

#[test]
fn data_files_follow_file_compression() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let rows: Vec<Value> = (0..2_000)
        .map(|i| json!({"id": i, "v": format!("value {}", i % 37)}))
        .collect();
    let model: Vec<Value> = (0..2_000)
        .map(|i| json!([i, format!("value {}", i % 37)]))
        .collect();
    for (codec, want) in [
        ("snappy", "SNAPPY"),
        ("lz4", "LZ4_RAW"),
        ("gzip", "GZIP"),
        ("none", "UNCOMPRESSED"),
        ("zstd", "ZSTD"),
    ] {
        let name = format!("codec_{codec}");
        let opts = [("file.compression", codec)];
        let t = create(&wh, &name, "id BIGINT, v STRING", &["id"], &[], 2, &opts);
        strata_write(&t, &rows, None);
        for f in live_entries(&t) {
            let path = wh
                .join(format!("db.db/{name}/bucket-{}", f.bucket))
                .join(&f.file.file_name);
            let bytes = std::fs::read(&path).unwrap();
            let meta = parquet::file::metadata::ParquetMetaDataReader::new()
                .parse_and_finish(&bytes::Bytes::from(bytes))
                .unwrap();
            for c in meta.row_group(0).columns() {
                let got = format!("{:?}", c.compression());
                assert!(got.starts_with(want), "{name}: {got}");
            }
        }
        // pypaimon reads them like Strata does.
        check(&wh, &name, &t, model.clone());
    }
}

/// Rows for the write-buffer tests: `n` rows over 150 ids in 2 partitions, with `v` counting
/// up, and (when `deletes`) every tenth row a `-D`.
fn buffer_rows(n: i64, deletes: bool) -> Vec<Value> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let op = if deletes && i % 10 == 9 { "-D" } else { "+I" };
            json!({"id": (x % 150) as i64, "v": i, "s": format!("s{i}"),
                   "dt": if x % 3 == 0 { "d1" } else { "d2" }, "op": op})
        })
        .collect()
}

#[test]
fn writes_bigger_than_the_write_buffer_spill_sorted_runs() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let engines: [(&str, &[(&str, &str)]); 3] = [
        ("spill_dedup", &[]),
        (
            "spill_agg",
            &[
                ("merge-engine", "aggregation"),
                ("fields.v.aggregate-function", "sum"),
            ],
        ),
        ("spill_first", &[("merge-engine", "first-row")]),
    ];
    for (name, engine) in engines {
        let mut opts = engine.to_vec();
        opts.push(("write-buffer-size", "8kb"));
        let t = create(
            &wh,
            name,
            "id BIGINT, v BIGINT, s STRING, dt STRING",
            &["id", "dt"],
            &["dt"],
            2,
            &opts,
        );
        let dedup = name == "spill_dedup";
        let rows = buffer_rows(6000, dedup);
        let mut model: BTreeMap<(i64, String), Value> = BTreeMap::new();
        for r in &rows {
            let key = (
                r["id"].as_i64().unwrap(),
                r["dt"].as_str().unwrap().to_string(),
            );
            let row = json!([r["id"], r["v"], r["s"], r["dt"]]);
            match name {
                "spill_dedup" if r["op"] == "-D" => {
                    model.remove(&key);
                }
                "spill_dedup" => {
                    model.insert(key, row);
                }
                "spill_agg" => {
                    let e = model.entry(key).or_insert(json!([r["id"], 0, "", r["dt"]]));
                    e[1] = json!(e[1].as_i64().unwrap() + r["v"].as_i64().unwrap());
                    e[2] = r["s"].clone();
                }
                _ => {
                    model.entry(key).or_insert(row);
                }
            }
        }
        strata_write(&t, &rows, dedup.then_some("op"));

        // One write, several sorted runs per bucket: level 0, sequence ranges in order.
        type Bucket = (Vec<u8>, i32);
        let mut runs: BTreeMap<Bucket, Vec<(i64, i64)>> = BTreeMap::new();
        for (p, bucket, level, lo, hi) in live_files(&t) {
            assert_eq!(level, 0, "{name}");
            runs.entry((p, bucket)).or_default().push((lo, hi));
        }
        assert_eq!(runs.len(), 4, "{name}: 2 partitions x 2 buckets");
        for ((_, bucket), mut r) in runs {
            assert!(r.len() >= 3, "{name}: bucket {bucket} has {} runs", r.len());
            r.sort();
            assert!(r.windows(2).all(|w| w[0].1 < w[1].0), "{name}: {r:?}");
        }
        if name == "spill_first" {
            // First-row reads skip level 0: `strata write` compacts it away after each write.
            compact(&t, false).expect("a lookup compaction");
        }
        check(&wh, name, &t, model.into_values().collect());
    }
}

#[test]
fn a_sequence_field_orders_records_within_one_write() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "seqf",
        "id BIGINT, ts BIGINT, s STRING",
        &["id"],
        &[],
        1,
        &[("sequence.field", "ts")],
    );
    let row = |id: i64, ts: i64, s: &str| json!({"id": id, "ts": ts, "s": s});
    strata_write(
        &t,
        &[
            row(1, 5, "a"),
            row(1, 9, "b"),
            row(1, 3, "c"),
            row(2, 1, "x"),
        ],
        None,
    );
    check(
        &wh,
        "seqf",
        &t,
        vec![json!([1, 9, "b"]), json!([2, 1, "x"])],
    );
    // A later write with a smaller sequence field loses to the earlier one.
    strata_write(&t, &[row(1, 7, "d"), row(2, 2, "y")], None);
    check(
        &wh,
        "seqf",
        &t,
        vec![json!([1, 9, "b"]), json!([2, 2, "y"])],
    );
}

#[test]
fn a_bad_row_after_a_spill_commits_nothing_and_leaves_no_files() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "spill_bad",
        "id BIGINT, v BIGINT, s STRING, dt STRING",
        &["id", "dt"],
        &["dt"],
        2,
        &[("write-buffer-size", "16kb")],
    );
    let mut rows = buffer_rows(5000, false);
    rows[4500]["id"] = Value::Null;
    let err = try_strata_write(&t, &rows, None, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("in.jsonl: line 4501") && err.contains("primary-key column id"),
        "{err}"
    );
    let table_dir = wh.join("db.db/spill_bad");
    assert!(!table_dir.join("snapshot").exists(), "nothing committed");
    let mut files = Vec::new();
    let mut stack = vec![table_dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.path().extension().is_some_and(|x| x == "parquet") {
                files.push(e.path());
            }
        }
    }
    assert!(files.is_empty(), "spilled files left behind: {files:?}");
}

#[test]
fn merged_manifests_read_the_same_everywhere() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    // Tiny thresholds: the first table's manifests go through full compactions (deletes
    // applied, big manifests kept), the second's through minor ones (runs merged as they reach
    // the target size).
    let configs = [("mfull", "2kb", "6kb"), ("mminor", "5kb", "30kb")];
    for (name, target, full) in configs {
        let t = create(
            &wh,
            name,
            "id BIGINT, v STRING, dt STRING",
            &["id", "dt"],
            &["dt"],
            2,
            &[
                ("manifest.target-file-size", target),
                ("manifest.merge-min-count", "3"),
                ("manifest.full-compaction-threshold-size", full),
                ("num-sorted-run.compaction-trigger", "3"),
            ],
        );
        let mut model: BTreeMap<(i64, String), Value> = BTreeMap::new();
        for i in 0..40i64 {
            let dt = format!("d{}", i % 4);
            let rows: Vec<Value> = (0..5)
                .map(|k| json!({"id": k + i % 7, "v": format!("v{i}"), "dt": dt}))
                .collect();
            if i % 9 == 8 {
                // A static partition overwrite deletes that partition's files.
                model.retain(|(_, d), _| *d != dt);
                let partition = vec![("dt".into(), dt.clone())];
                strata_write_with(&t, &rows, None, Some(Overwrite { partition }));
            } else {
                strata_write(&t, &rows, None);
            }
            for r in &rows {
                let key = (r["id"].as_i64().unwrap(), dt.clone());
                model.insert(key, json!([r["id"], r["v"], r["dt"]]));
            }
            if i % 5 == 4 {
                compact(&t, false);
            }
        }
        check(&wh, name, &t, model.into_values().collect());
    }
}

#[test]
fn an_overwrite_is_planned_again_after_concurrent_commits() {
    if strata_tests::python_missing() {
        return;
    }
    use strata_core::write::{TableWriter, WriteOptions};
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = dt_table(&wh, "ow_race", 1, &[]);
    strata_write(
        &t,
        &[row(1, "a", "x"), row(2, "b", "x"), row(3, "c", "y")],
        None,
    );
    strata_write(&t, &[row(4, "d", "x")], None);

    // The overwrite of dt=x reads the table, buffers its rows...
    let opts = WriteOptions {
        overwrite: Some(Overwrite {
            partition: vec![("dt".into(), "x".into())],
        }),
        ..WriteOptions::default()
    };
    let mut w = rt()
        .block_on(TableWriter::new(
            reopen(&t),
            opts,
            strata_writer::runtime::env(),
        ))
        .unwrap();
    for input in inputs_of(&t, &[row(10, "new", "x")], None) {
        rt().block_on(w.push(input)).unwrap();
    }
    // ...while others append to dt=x and dt=y and compact away the files it read.
    strata_write(&t, &[row(5, "e", "x"), row(6, "f", "y")], None);
    compact(&t, true).expect("a full compaction");

    rt().block_on(w.commit())
        .unwrap()
        .expect("the overwrite commits");
    check(
        &wh,
        "ow_race",
        &t,
        vec![
            json!([10, "new", "x"]),
            json!([3, "c", "y"]),
            json!([6, "f", "y"]),
        ],
    );
}
