//! Data files outside the table (`data-file.external-paths`), written by pypaimon and by
//! Strata in turns: each reads the other's files through their roots, equal to the model;
//! Strata reaches a root only when `-S external-paths` allows it, and its expiration deletes
//! the files no snapshot uses any more in their roots.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{json, Value};
use strata_core::expire::{expire, Retention};
use strata_core::read::ReadBuilder;
use strata_core::table::Table;
use strata_tests::writes::*;
use strata_writer::storage::StorageOptions;
use strata_writer::ObjectStoreStorage;

fn rows(ids: std::ops::Range<i64>, v: &str) -> Vec<Value> {
    ids.map(|id| json!({"id": id, "v": v, "dt": if id % 2 == 0 { "a" } else { "b" }}))
        .collect()
}

fn apply(model: &mut BTreeMap<i64, Value>, rows: &[Value]) {
    for r in rows {
        model.insert(r["id"].as_i64().unwrap(), json!([r["id"], r["v"], r["dt"]]));
    }
}

fn files_under(dir: &Path) -> usize {
    walkdir(dir)
        .iter()
        .filter(|p| p.contains("/bucket-"))
        .count()
}

fn walkdir(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walkdir(&p));
            } else {
                out.push(p.to_string_lossy().into_owned());
            }
        }
    }
    out
}

/// The table at `path` opened with `options` (the storage settings of `-S`).
fn open(path: &Path, options: &[(&str, &str)]) -> Arc<Table> {
    let options = StorageOptions::new(options.iter().copied());
    let storage = ObjectStoreStorage::open_with(path.to_str().unwrap(), &options).unwrap();
    Arc::new(rt().block_on(Table::open(Arc::new(storage))).unwrap())
}

#[test]
fn pypaimon_and_strata_share_a_table_whose_files_live_outside_it() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let (one, two) = (dir.path().join("ext1"), dir.path().join("ext2"));
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&two).unwrap();
    let roots = format!("file://{},file://{}", one.display(), two.display());
    dt_table(
        &wh,
        "ext",
        2,
        &[
            ("data-file.external-paths", roots.as_str()),
            ("data-file.external-paths.strategy", "round-robin"),
        ],
    );
    let path = wh.join("db.db/ext");
    let mut model = BTreeMap::new();
    let values = |m: &BTreeMap<i64, Value>| m.values().cloned().collect::<Vec<_>>();

    // pypaimon's files go to the roots; Strata reads them once allowed to reach them.
    let r1 = rows(0..40, "p1");
    pypaimon_write(&wh, "ext", &r1);
    apply(&mut model, &r1);
    assert!(
        files_under(&one) + files_under(&two) > 0,
        "pypaimon wrote nothing outside"
    );
    let refused = open(&path, &[]);
    let e = rt()
        .block_on(async {
            let mut r = ReadBuilder::new().build(refused).await?;
            strata_core::read::read_all(&mut r).await
        })
        .unwrap_err();
    assert!(e.to_string().contains("external-paths"), "{e}");
    let t = open(&path, &[("external-paths", "declared")]);
    check(&wh, "ext", &t, values(&model));

    // Strata's files go there too, and pypaimon reads them.
    let inside_before = files_under(&path);
    let r2 = rows(20..60, "s2");
    strata_write(&t, &r2, None);
    apply(&mut model, &r2);
    assert_eq!(
        files_under(&path),
        inside_before,
        "Strata wrote inside the table"
    );
    check(&wh, "ext", &t, values(&model));

    // A full compaction, then expiring all but the last snapshot: the files only the older
    // snapshots used are deleted in their roots.
    let before = files_under(&one) + files_under(&two);
    compact(&t, true).expect("a compaction");
    check(&wh, "ext", &t, values(&model));
    let retention = Retention {
        min: 1,
        max: None,
        time_millis: 0,
    };
    let removed = rt()
        .block_on(expire(reopen(&t).storage(), retention, i64::MAX, false))
        .unwrap();
    assert!(
        removed.files.iter().any(|f| f.starts_with("file:")),
        "{removed:?}"
    );
    let after = files_under(&one) + files_under(&two);
    assert!(
        after < before,
        "{after} files outside after expiring, {before} before"
    );
    check(&wh, "ext", &t, values(&model));
}
