//! Ctrl-C through the binary: a write stopped mid-way commits nothing and leaves no files; a
//! stream stops; an ingest from stdin commits what it read; each exits with 130.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::ok;

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn sigint(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until `ready` holds (or panics after a minute).
fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < Duration::from_secs(60), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn ctrl_c_mid_write_commits_nothing_and_removes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let ts = t.to_str().unwrap();
    // Small buffers and files, so the write flushes data files long before it commits.
    ok(&[
        "create",
        ts,
        "--columns",
        "id BIGINT, v STRING, n DOUBLE",
        "--option",
        "write-buffer-size=2mb",
        "--option",
        "target-file-size=1mb",
    ]);
    let input = dir.path().join("big.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
    for i in 0..1_000_000 {
        writeln!(f, "{{\"id\":{i},\"v\":\"value-{i}\",\"n\":{i}.5}}").unwrap();
    }
    f.flush().unwrap();
    drop(f);
    let child = spawn(&["write", ts, input.to_str().unwrap()]);
    wait_for("the write should flush a data file", || {
        files(&t).iter().any(|f| f.ends_with(".parquet"))
    });
    sigint(&child);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: nothing was committed"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        files(&t),
        ["schema/schema-0"],
        "no data file, manifest or snapshot left"
    );
    assert!(ok(&["snapshots", ts]).contains("no snapshots"));
}

#[test]
fn ctrl_c_stops_a_stream_and_an_ingest() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let ts = t.to_str().unwrap();
    // Ingest from stdin: Ctrl-C commits what was read, then stops.
    let mut ingest = spawn(&[
        "ingest",
        ts,
        "--format",
        "debezium-json",
        "--stdin",
        "--create-if-missing",
        "--primary-key",
        "id",
        "--commit-interval",
        "1h",
    ]);
    let events = ok(&["sample-cdc", "--events", "50", "--keys", "10"]);
    let mut stdin = ingest.stdin.take().unwrap();
    stdin.write_all(events.as_bytes()).unwrap();
    stdin.flush().unwrap();
    wait_for("ingest should create the table", || {
        t.join("schema").exists()
    });
    std::thread::sleep(Duration::from_millis(500));
    sigint(&ingest);
    let out = ingest.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: ingest committed"), "{err}");
    drop(stdin);
    let rows = ok(&["scan", ts]).lines().count();
    assert!(rows > 0 && rows <= 10, "{rows} rows");

    // A stream waits for new snapshots until Ctrl-C.
    let stream = spawn(&["stream", ts, "--from", "earliest", "--interval", "0.05"]);
    std::thread::sleep(Duration::from_millis(500));
    sigint(&stream);
    let out = stream.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: stopped streaming"), "{err}");
    assert!(!String::from_utf8_lossy(&out.stdout).is_empty());
}
