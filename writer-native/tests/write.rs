//! `strata write` end to end: bad input fails with file and line and commits nothing; several
//! writers committing at once all land, and no file is referenced twice.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::process::Command;

fn strata(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .output()
        .expect("strata runs")
}

fn create(table: &str) {
    let out = strata(&[
        "create",
        table,
        "--columns",
        "id BIGINT, v STRING",
        "--primary-key",
        "id",
        "--bucket",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_rows_fail_with_file_and_line_and_commit_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    create(table);
    let input = dir.path().join("bad.jsonl");
    std::fs::write(&input, "{\"id\":1,\"v\":\"a\"}\n{\"v\":\"no key\"}\n").unwrap();
    let out = strata(&["write", table, input.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.jsonl") && err.contains("line 2") && err.contains("id"),
        "{err}"
    );
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "id,v\n1,a\nnot-a-number,b\n").unwrap();
    let out = strata(&["write", table, csv.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.csv"));
    let snaps = strata(&["snapshots", table]);
    assert!(
        String::from_utf8_lossy(&snaps.stdout).contains("no snapshots"),
        "nothing may be committed"
    );
}

#[test]
fn concurrent_writers_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap().to_string();
    create(&table);
    let writers = 6;
    // First one write per writer, in turn; then all of them at once.
    let sequential: Vec<_> = (0..writers)
        .map(|w| {
            let input = dir.path().join(format!("in{w}.jsonl"));
            let rows: String = (0..50)
                .map(|i| format!("{{\"id\":{},\"v\":\"w{w}\"}}\n", w * 1000 + i))
                .collect();
            std::fs::write(&input, rows).unwrap();
            Command::new(env!("CARGO_BIN_EXE_strata"))
                .args(["write", &table, input.to_str().unwrap()])
                .output()
        })
        .collect();
    assert!(sequential
        .iter()
        .all(|o| o.as_ref().is_ok_and(|o| o.status.success())));
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let table = table.clone();
            let input = dir.path().join(format!("in{w}.jsonl"));
            let rows: String = (0..50)
                .map(|i| format!("{{\"id\":{},\"v\":\"x{w}\"}}\n", w * 1000 + i + 100))
                .collect();
            std::fs::write(&input, rows).unwrap();
            std::thread::spawn(move || {
                Command::new(env!("CARGO_BIN_EXE_strata"))
                    .args(["write", &table, input.to_str().unwrap()])
                    .output()
                    .unwrap()
            })
        })
        .collect();
    for h in handles {
        let out = h.join().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let scan = strata(&["scan", &table]);
    let lines = String::from_utf8_lossy(&scan.stdout).lines().count();
    assert_eq!(lines, writers * 100, "every row of every writer");
    let snaps = String::from_utf8_lossy(&strata(&["snapshots", &table]).stdout).to_string();
    let appends = snaps.lines().filter(|l| l.contains("APPEND")).count();
    assert_eq!(
        appends,
        writers * 2,
        "one APPEND snapshot per write (plus compactions):
{snaps}"
    );
    let files = String::from_utf8_lossy(&strata(&["files", &table]).stdout).to_string();
    let names: Vec<&str> = files
        .lines()
        .skip(1)
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        names.iter().collect::<HashSet<_>>().len(),
        names.len(),
        "a file referenced twice"
    );
}
