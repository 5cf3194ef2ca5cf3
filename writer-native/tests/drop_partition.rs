//! `strata drop-partition` end to end: what it drops and says, what it refuses, and pypaimon
//! reading the table after the drop.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{ok, refused};

fn scan_ids(t: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = ok(&["scan", t, "--columns", "id"])
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    ids.sort();
    ids
}

/// The pypaimon venv's python, if there is one (see tests/src/lib.rs in strata-tests).
fn python() -> Option<PathBuf> {
    let py = match std::env::var_os("STRATA_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/strata/venv/bin/python"),
    };
    if py.exists() {
        return Some(py);
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "{} not found, and STRATA_REQUIRE_ALL is set",
        py.display()
    );
    eprintln!("skipped the pypaimon read: {} is missing", py.display());
    None
}

/// pypaimon's read of `db.<name>` in `wh`: the sorted ids.
fn pypaimon_ids(py: &Path, wh: &Path, name: &str) -> Vec<i64> {
    let script = format!(
        "from pypaimon import CatalogFactory\n\
         t = CatalogFactory.create({{'warehouse': {wh:?}}}).get_table('db.{name}')\n\
         b = t.new_read_builder()\n\
         r = b.new_read().to_arrow(b.new_scan().plan().splits())\n\
         print(sorted(r.column('id').to_pylist()) if r is not None else [])\n",
        wh = wh.to_str().unwrap()
    );
    let out = Command::new(py).arg("-c").arg(script).output().unwrap();
    assert!(
        out.status.success(),
        "pypaimon failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn drop_partition_deletes_its_files_in_one_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = wh.join("db.db/events");
    let t = t.to_str().unwrap();
    ok(&[
        "create",
        t,
        "--columns",
        "id BIGINT, v STRING, dt STRING, hr INT",
        "--primary-key",
        "id,dt,hr",
        "--partition",
        "dt,hr",
        "--bucket",
        "2",
    ]);
    let input = dir.path().join("in.jsonl");
    let rows: String = (1..=12)
        .map(|i| {
            format!(
                "{{\"id\":{i},\"v\":\"v{i}\",\"dt\":\"d{}\",\"hr\":{}}}\n",
                i % 3,
                i % 2
            )
        })
        .collect();
    std::fs::write(&input, rows).unwrap();
    ok(&["write", t, input.to_str().unwrap()]);
    let all: Vec<i64> = (1..=12).collect();
    assert_eq!(scan_ids(t), all);

    // A dry run lists the partitions and commits nothing.
    let out = ok(&["drop-partition", t, "--partition", "dt=d0", "--dry-run"]);
    assert!(out.contains("would drop dt=d0/hr=0 ("), "{out}");
    assert!(out.contains("would drop dt=d0/hr=1 ("), "{out}");
    assert!(out.contains("dry run: would drop 2 partitions"), "{out}");
    assert!(out.contains("4 rows"), "{out}");
    assert_eq!(scan_ids(t), all);

    // A full spec drops one partition; a prefix drops every partition under it.
    let out = ok(&["drop-partition", t, "--partition", "dt=d1,hr=1"]);
    assert!(
        out.contains("dropped 1 partitions") && out.contains("2 rows") && out.contains("OVERWRITE"),
        "{out}"
    );
    assert_eq!(scan_ids(t), [2, 3, 4, 5, 6, 8, 9, 10, 11, 12]);
    ok(&["drop-partition", t, "--partition", "dt=d0"]);
    let left = vec![2, 4, 5, 8, 10, 11];
    assert_eq!(scan_ids(t), left);
    let snapshots = ok(&["snapshots", t]);
    assert_eq!(snapshots.matches("OVERWRITE").count(), 2, "{snapshots}");
    // The dropped rows are still readable at the snapshot before the drop.
    assert_eq!(
        ok(&["scan", t, "--snapshot", "1", "--columns", "id"])
            .lines()
            .count(),
        12
    );
    // Nothing left to match: no commit.
    let out = ok(&["drop-partition", t, "--partition", "dt=d0"]);
    assert!(out.contains("nothing to drop"), "{out}");
    assert_eq!(ok(&["snapshots", t]).matches("OVERWRITE").count(), 2);

    if let Some(py) = python() {
        assert_eq!(pypaimon_ids(&py, &wh, "events"), left);
    }
}

#[test]
fn drop_partition_refuses_bad_specs() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    let p = p.to_str().unwrap();
    ok(&[
        "create",
        p,
        "--columns",
        "id BIGINT, dt STRING",
        "--partition",
        "dt",
    ]);
    refused(
        &["drop-partition", p, "--partition", "day=1"],
        "\"day\" is not a partition key (partition keys: dt)",
    );
    refused(
        &["drop-partition", p, "--partition", "dt"],
        "is not key=value",
    );
    refused(
        &["drop-partition", p, "--partition", "dt=1,dt=2"],
        "given twice",
    );
    refused(&["drop-partition", p], "--partition");
    // A partitioned table without snapshots has nothing to drop.
    assert!(ok(&["drop-partition", p, "--partition", "dt=1"]).contains("nothing to drop"));
    let flat = dir.path().join("flat");
    let flat = flat.to_str().unwrap();
    ok(&["create", flat, "--columns", "id BIGINT"]);
    refused(
        &["drop-partition", flat, "--partition", "id=1"],
        "not partitioned",
    );
    let missing = dir.path().join("missing");
    refused(
        &[
            "drop-partition",
            missing.to_str().unwrap(),
            "--partition",
            "dt=1",
        ],
        "missing",
    );
}
