//! `strata stream` follows a table while pypaimon commits to it: every change arrives once,
//! in commit order, with its row kind, and the consumer records the progress.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

fn python() -> PathBuf {
    std::env::var_os("STRATA_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/strata/venv/bin/python")
        })
}

/// Whether to skip: without the pypaimon venv a bare `cargo test` passes with a note, while
/// `scripts/test.sh` (STRATA_REQUIRE_ALL=1) fails.
fn python_missing() -> bool {
    let py = python();
    if py.exists() {
        return false;
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "{} not found: scripts/test.sh installs the pypaimon venv",
        py.display()
    );
    eprintln!(
        "skipped: the pypaimon venv ({}) is missing; scripts/test.sh installs it",
        py.display()
    );
    true
}

fn stream_writer(table: &str, commits: usize, delay_ms: u64, out: &PathBuf) -> Vec<Value> {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/compat/py/stream_writer.py");
    let py = python();
    assert!(py.exists(), "{} missing: run scripts/test.sh", py.display());
    let status = Command::new(py)
        .arg(script)
        .args([
            table,
            &commits.to_string(),
            &delay_ms.to_string(),
            out.to_str().unwrap(),
        ])
        .status()
        .expect("python runs");
    assert!(status.success(), "stream_writer.py failed");
    let v: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    v["commits"].as_array().unwrap().clone()
}

fn key(row: &Value) -> String {
    format!("{}|{}|{}", row[0], row[1], row[2])
}

#[test]
fn stream_follows_pypaimon_commits_once_and_in_order() {
    if python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("wh/db.db/events");
    let table = table.to_str().unwrap().to_string();
    // The table and its first snapshot.
    let mut commits = stream_writer(&table, 1, 0, &dir.path().join("c1.json"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "stream",
            &table,
            "--from",
            "earliest",
            "--consumer",
            "follower",
            "--interval",
            "0.05",
            "--idle-exit",
            "4",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strata stream starts");
    let stdout = child.stdout.take().unwrap();
    let lines = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map(Result::unwrap)
            .collect::<Vec<_>>()
    });

    commits.extend(stream_writer(&table, 12, 120, &dir.path().join("c2.json")));
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "strata stream failed: {err}");
    let got: Vec<Value> = lines
        .join()
        .unwrap()
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            serde_json::json!([v["id"], v["v"], v["_kind"]])
        })
        .collect();

    // Walk the output commit by commit: each commit's rows, in any order within it.
    let total: usize = commits
        .iter()
        .map(|c| c["rows"].as_array().unwrap().len())
        .sum();
    assert_eq!(got.len(), total, "every change exactly once\n{got:?}");
    let mut at = 0;
    for c in &commits {
        let rows = c["rows"].as_array().unwrap();
        let mut want: Vec<String> = rows.iter().map(key).collect();
        let mut have: Vec<String> = got[at..at + rows.len()].iter().map(key).collect();
        want.sort();
        have.sort();
        assert_eq!(have, want, "snapshot {}", c["snapshot"]);
        at += rows.len();
    }
    let last = commits.last().unwrap()["snapshot"].as_i64().unwrap();
    let consumer: Value = serde_json::from_slice(
        &std::fs::read(format!("{table}/consumer/consumer-follower")).unwrap(),
    )
    .unwrap();
    assert_eq!(consumer["nextSnapshot"], last + 1);

    // A restart with the same consumer resumes after the last snapshot: nothing new.
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "stream",
            &table,
            "--from",
            "earliest",
            "--consumer",
            "follower",
            "--idle-exit",
            "0.2",
            "--interval",
            "0.05",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stdout.is_empty(),
        "resumed stream repeated rows: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn full_then_changes_is_a_hybrid_read() {
    if python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("wh/db.db/h");
    let table = table.to_str().unwrap().to_string();
    let commits = stream_writer(&table, 4, 0, &dir.path().join("c.json"));
    let full = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["scan", &table])
        .output()
        .unwrap();
    assert!(full.status.success());
    let snapshot_rows = String::from_utf8_lossy(&full.stdout).lines().count();
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args([
            "stream",
            &table,
            "--from",
            "snapshot:2",
            "--full",
            "--idle-exit",
            "0.2",
            "--interval",
            "0.05",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Snapshot 2 in full (all +I), then the changes of snapshots 3 and 4.
    let later: usize = commits[2..]
        .iter()
        .map(|c| c["rows"].as_array().unwrap().len())
        .sum();
    let full2 = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["scan", &table, "--snapshot", "2"])
        .output()
        .unwrap();
    let rows2 = String::from_utf8_lossy(&full2.stdout).lines().count();
    assert_eq!(lines.len(), rows2 + later);
    assert!(lines[..rows2].iter().all(|l| l["_kind"] == "+I"));
    assert!(snapshot_rows > 0);
}
