//! Maintenance and reads on tampered tables, through the `strata` binary: every case here lost
//! or hid data before it was fixed (symlinks, foreign files, gapped or stale hints, forged
//! snapshot ids, damaged entries, staging files, empty files, huge names).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{ok, strata};

/// Runs strata, killing it (and failing) if it takes longer than `limit`.
fn strata_within(args: &[&str], limit: Duration) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strata runs");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.success(), err);
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("strata {args:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Table {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Table {
    fn s(&self) -> &str {
        self.path.to_str().unwrap()
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    /// Writes `rows` (JSON objects, one per line) as one commit.
    fn write(&self, rows: &str, extra: &[&str]) {
        let input = self.path.parent().unwrap().join(format!(
            "in-{}.jsonl",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::write(&input, rows).unwrap();
        let mut args = vec!["write", self.s(), input.to_str().unwrap()];
        args.extend_from_slice(extra);
        ok(&args);
        std::fs::remove_file(input).unwrap();
    }

    fn rows(&self, extra: &[&str]) -> Vec<String> {
        let mut args = vec!["scan", self.s()];
        args.extend_from_slice(extra);
        let mut rows: Vec<String> = ok(&args).lines().map(str::to_string).collect();
        rows.sort();
        rows
    }

    fn snapshot_json(&self, id: i64) -> String {
        std::fs::read_to_string(self.file(&format!("snapshot/snapshot-{id}"))).unwrap()
    }
}

/// A table with three commits of two rows each (append-only writes of keys 1..=6).
fn table(partitioned: bool) -> Table {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t");
    let mut args = vec![
        "create",
        path.to_str().unwrap(),
        "--columns",
        "id BIGINT, v STRING, dt STRING",
        "--primary-key",
    ];
    if partitioned {
        args.extend(["id,dt", "--partition", "dt"]);
    } else {
        args.push("id");
    }
    args.extend(["--bucket", "1", "--option", "write-only=true"]);
    ok(&args);
    let t = Table { _dir: dir, path };
    for c in 0..3 {
        let rows: String = (1..=2)
            .map(|i| {
                let id = c * 2 + i;
                format!("{{\"id\": {id}, \"v\": \"v{id}\", \"dt\": \"2024-01-0{i}\"}}\n")
            })
            .collect();
        t.write(&rows, &[]);
    }
    t
}

fn data_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() && !p.is_symlink() {
            out.extend(data_files(&p));
        } else if p
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("data-")
        {
            out.push(p);
        }
    }
    out
}

#[test]
fn clean_orphans_never_follows_links_out_of_the_table() {
    let t = table(false);
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("bucket-0")).unwrap();
    std::fs::write(outside.path().join("bucket-0/data-mine.parquet"), b"x").unwrap();
    std::fs::write(outside.path().join("precious.txt"), b"x").unwrap();
    // Links inside the table: a directory named like a bucket, a partition-less data dir, a
    // file named like a data file.
    std::os::unix::fs::symlink(outside.path().join("bucket-0"), t.file("bucket-7")).unwrap();
    std::os::unix::fs::symlink(outside.path(), t.file("manifest/linked")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("precious.txt"),
        t.file("bucket-0/data-linked.parquet"),
    )
    .unwrap();
    let out = ok(&["clean-orphans", t.s(), "--older-than", "0s"]);
    assert!(out.contains("deleted"), "{out}");
    assert!(outside.path().join("bucket-0/data-mine.parquet").exists());
    assert!(outside.path().join("precious.txt").exists());
    assert!(t.file("bucket-0/data-linked.parquet").is_symlink());
    assert_eq!(t.rows(&[]).len(), 6);
}

#[test]
fn clean_orphans_only_touches_paimon_directories() {
    let t = table(true);
    let foreign = [
        "README.md",
        ".git/objects/ab/cdef",
        "notes/todo.txt",
        "photos/a.jpg",
        "dt=2024-01-01/notes.txt",
        "dt=2024-01-01/bucket-0/nested/data-x.parquet",
        "schema/schema-0.bak",
    ];
    for f in foreign {
        std::fs::create_dir_all(t.file(f).parent().unwrap()).unwrap();
        std::fs::write(t.file(f), b"user data").unwrap();
    }
    // Real orphans: an unreferenced data file, a staging file of a killed upload, an
    // unreferenced manifest, a staging snapshot.
    let orphans = [
        "dt=2024-01-01/bucket-0/data-orphan.parquet",
        "dt=2024-01-02/bucket-0/data-killed.parquet#1",
        "manifest/manifest-orphan",
        "snapshot/snapshot-9#1",
    ];
    for f in orphans {
        std::fs::write(t.file(f), b"junk").unwrap();
    }
    let dry = ok(&["clean-orphans", t.s(), "--older-than", "0s", "--dry-run"]);
    for f in orphans {
        assert!(dry.contains(&format!("would delete {f}")), "{f}: {dry}");
        assert!(t.file(f).exists(), "a dry run deleted {f}");
    }
    assert!(dry.contains("would delete 4 orphan files"), "{dry}");
    ok(&["clean-orphans", t.s(), "--older-than", "0s"]);
    for f in foreign {
        assert!(t.file(f).exists(), "clean-orphans deleted the user's {f}");
    }
    for f in orphans {
        assert!(!t.file(f).exists(), "{f} survived");
    }
    assert_eq!(t.rows(&[]).len(), 6);
}

#[test]
fn create_refuses_a_directory_with_files_in_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("photos")).unwrap();
    std::fs::write(dir.path().join("photos/a.jpg"), b"jpeg").unwrap();
    let (ok_, _, err) = strata(&[
        "create",
        dir.path().to_str().unwrap(),
        "--columns",
        "id BIGINT",
    ]);
    assert!(!ok_);
    assert!(
        err.contains("not empty") && err.contains("photos/a.jpg"),
        "{err}"
    );
    assert!(!dir.path().join("schema").exists());
    // An empty directory is fine.
    let empty = tempfile::tempdir().unwrap();
    ok(&[
        "create",
        empty.path().to_str().unwrap(),
        "--columns",
        "id BIGINT",
    ]);
}

#[test]
fn a_forged_snapshot_id_is_refused_and_ids_never_overflow() {
    let t = table(false);
    let json = t.snapshot_json(3);
    let forged = json.replacen("\"id\" : 3", "\"id\" : 9223372036854775807", 1);
    let forged = forged.replacen("\"id\": 3", "\"id\": 9223372036854775807", 1);
    assert_ne!(forged, json, "the test must change the id");
    std::fs::write(t.file("snapshot/snapshot-3"), &forged).unwrap();
    let (ok_, _, err) = strata(&["scan", t.s()]);
    assert!(!ok_);
    assert!(
        err.contains("snapshot/snapshot-3") && err.contains("file name says 3"),
        "{err}"
    );
    let input = t.path.parent().unwrap().join("one.jsonl");
    std::fs::write(&input, "{\"id\": 9, \"v\": \"x\", \"dt\": \"d\"}\n").unwrap();
    let (ok_, err) = strata_within(
        &["write", t.s(), input.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert!(!ok_ && err.contains("file name says 3"), "{err}");
    // A snapshot that really is number i64::MAX: the next id does not exist.
    std::fs::write(t.file("snapshot/snapshot-3"), &json).unwrap();
    let max = json.replacen("\"id\" : 3", "\"id\" : 9223372036854775807", 1);
    let max = max.replacen("\"id\": 3", "\"id\": 9223372036854775807", 1);
    std::fs::write(t.file("snapshot/snapshot-9223372036854775807"), max).unwrap();
    std::fs::write(t.file("snapshot/LATEST"), "9223372036854775807").unwrap();
    let (ok_, err) = strata_within(
        &["write", t.s(), input.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert!(!ok_ && err.contains("exhausted"), "{err}");
    let names: Vec<String> = std::fs::read_dir(t.file("snapshot"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("--")),
        "a negative snapshot id was committed: {names:?}"
    );
    // Its data files were removed with the failed commit.
    let (ok_, out, _) = strata(&["clean-orphans", t.s(), "--older-than", "0s", "--dry-run"]);
    assert!(ok_);
    assert!(out.contains("would delete 0 orphan files"), "{out}");
}

#[test]
fn a_stale_latest_hint_before_a_gap_hides_nothing() {
    let t = table(false);
    t.write("{\"id\": 7, \"v\": \"v7\", \"dt\": \"x\"}\n", &[]);
    // Snapshots 1, 2, 4: snapshot 3 lost, LATEST stale at 1.
    std::fs::remove_file(t.file("snapshot/snapshot-3")).unwrap();
    std::fs::write(t.file("snapshot/LATEST"), "1").unwrap();
    let rows = t.rows(&[]);
    assert_eq!(rows.len(), 7, "{rows:?}");
    ok(&["clean-orphans", t.s(), "--older-than", "0s"]);
    assert_eq!(t.rows(&[]), rows, "clean-orphans lost the newest commits");
}

#[test]
fn every_snapshot_below_a_wrong_earliest_hint_keeps_its_files() {
    let t = table(false);
    // Replace everything: snapshot 1's files are used by snapshots 1..=3 only.
    t.write(
        "{\"id\": 100, \"v\": \"new\", \"dt\": \"x\"}\n",
        &["--overwrite"],
    );
    let first = t.rows(&["--snapshot", "1"]);
    assert_eq!(first.len(), 2);
    std::fs::write(t.file("snapshot/EARLIEST"), "4").unwrap();
    ok(&["clean-orphans", t.s(), "--older-than", "0s"]);
    assert_eq!(t.rows(&["--snapshot", "1"]), first);
    assert_eq!(t.rows(&["--snapshot", "3"]).len(), 6);
    // Expiration with the wrong hint also sees snapshots 1..3 and keeps the tag's files.
    ok(&["tag", t.s(), "create", "old", "--snapshot", "2"]);
    let out = ok(&["expire", t.s(), "--retain-min", "1", "--older-than", "0s"]);
    assert!(out.contains("expired 3 snapshots"), "{out}");
    assert_eq!(t.rows(&["--tag", "old"]).len(), 4);
    assert_eq!(t.rows(&[]).len(), 1);
}

#[test]
fn a_table_with_missing_files_is_not_cleaned() {
    let t = table(false);
    let mut files = data_files(&t.path);
    files.sort();
    std::fs::remove_file(&files[0]).unwrap();
    let orphan = t.file("bucket-0/data-orphan.parquet");
    std::fs::write(&orphan, b"maybe the real file").unwrap();
    let (ok_, _, err) = strata(&["clean-orphans", t.s(), "--older-than", "0s"]);
    assert!(!ok_);
    assert!(
        err.contains("does not exist") && err.contains("deletes nothing"),
        "{err}"
    );
    assert!(orphan.exists());
    let (ok_, _, _) = strata(&["expire", t.s(), "--older-than", "0s", "--dry-run"]);
    assert!(ok_);
}

#[test]
fn empty_data_files_and_huge_names_give_short_clear_errors() {
    let t = table(false);
    let files = data_files(&t.path);
    std::fs::write(&files[0], b"").unwrap();
    let (ok_, _, err) = strata(&["scan", t.s()]);
    assert!(!ok_);
    assert!(err.contains("too short"), "{err}");

    let long = format!("/nonexistent/{}", "n".repeat(100_000));
    let (ok_, _, err) = strata(&["scan", &long]);
    assert!(!ok_);
    assert!(err.len() < 4_000, "{} bytes of stderr", err.len());
    assert!(err.contains("left out"), "{err}");
}

#[test]
fn expire_dry_run_deletes_nothing() {
    let t = table(false);
    let out = ok(&[
        "expire",
        t.s(),
        "--retain-min",
        "1",
        "--older-than",
        "0s",
        "--dry-run",
    ]);
    assert!(out.contains("would expire snapshot 1"), "{out}");
    assert!(out.contains("dry run: would expire 2 snapshots"), "{out}");
    assert!(t.file("snapshot/snapshot-1").exists());
    assert_eq!(t.rows(&["--snapshot", "1"]).len(), 2);
}

#[test]
fn the_quickstart_never_deletes_a_directory_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), b"years of work").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/quickstart.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(dir.path())
        .output()
        .expect("bash runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an empty directory"));
    assert!(dir.path().join("thesis.tex").exists());
}

#[test]
fn racing_writers_leave_no_orphan_files() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    // Compaction after each write too: its commits race the writers' and conflict.
    ok(&[
        "create",
        t,
        "--columns",
        "id BIGINT, v STRING",
        "--primary-key",
        "id",
        "--bucket",
        "1",
        "--option",
        "num-sorted-run.compaction-trigger=2",
    ]);
    let writers = 8;
    let inputs: Vec<PathBuf> = (0..writers)
        .map(|w| {
            let p = dir.path().join(format!("w{w}.jsonl"));
            std::fs::write(&p, format!("{{\"id\": {w}, \"v\": \"w{w}\"}}\n")).unwrap();
            p
        })
        .collect();
    let children: Vec<_> = inputs
        .iter()
        .map(|p| {
            Command::new(env!("CARGO_BIN_EXE_strata"))
                .args(["write", t, p.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut committed = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        committed += usize::from(out.status.success());
    }
    let rows = Table {
        _dir: tempfile::tempdir().unwrap(),
        path: PathBuf::from(t),
    }
    .rows(&[]);
    assert_eq!(rows.len(), committed, "{rows:?}");
    assert!(committed > 0);
    let out = ok(&["clean-orphans", t, "--older-than", "0s", "--dry-run"]);
    assert!(
        out.contains("would delete 0 orphan files"),
        "racing commits left files behind:\n{out}"
    );
}

#[test]
fn a_closed_pipe_ends_commands_quietly_and_successfully() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t");
    let t = path.to_str().unwrap();
    ok(&["create", t, "--columns", "id BIGINT, v STRING"]);
    let input = dir.path().join("rows.jsonl");
    let rows: String = (0..20_000)
        .map(|i| format!("{{\"id\": {i}, \"v\": \"a fairly long value to fill pipes {i}\"}}\n"))
        .collect();
    std::fs::write(&input, rows).unwrap();
    ok(&["write", t, input.to_str().unwrap()]);
    for args in [
        vec!["scan", t],
        vec!["scan", t, "--output", "csv"],
        vec!["diff", t, "--from", "0", "--to", "1"],
        vec!["files", t],
    ] {
        use std::io::Read;
        let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {:?} {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn metadata_commands_refuse_a_directory_that_is_not_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for cmd in ["snapshots", "files", "schema", "clean-orphans", "expire"] {
        let (ok_, _, err) = strata(&[cmd, d]);
        assert!(!ok_, "{cmd} succeeded on a plain directory");
        assert!(err.contains("not a Paimon table"), "{cmd}: {err}");
    }
}

#[test]
fn out_writes_every_format_to_the_file() {
    let t = table(false);
    let dir = tempfile::tempdir().unwrap();
    for format in ["jsonl", "csv", "table", "parquet"] {
        let file = dir.path().join(format!("rows.{format}"));
        let stdout = ok(&[
            "scan",
            t.s(),
            "--output",
            format,
            "--out",
            file.to_str().unwrap(),
        ]);
        assert!(stdout.is_empty(), "{format} also went to stdout: {stdout}");
        let written = std::fs::read(&file).unwrap();
        assert!(!written.is_empty(), "{format}: empty file");
        if format != "parquet" {
            assert!(String::from_utf8_lossy(&written).contains("v6"), "{format}");
        }
    }
}

#[test]
fn time_travel_and_diffs_take_ids_tags_and_times() {
    let t = table(false);
    ok(&["tag", t.s(), "create", "two", "--snapshot", "2"]);
    let second: serde_json::Value = serde_json::from_str(&t.snapshot_json(2)).unwrap();
    let at = second["timeMillis"].as_i64().unwrap();
    let iso = {
        let out = ok(&["scan", t.s(), "--timestamp", &at.to_string()]);
        assert_eq!(out.lines().count(), 4);
        // The same instant in ISO-8601 (UTC), to the millisecond.
        let secs = at.div_euclid(1000);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = strata_core::path::civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60,
            at.rem_euclid(1000)
        )
    };
    assert_eq!(t.rows(&["--timestamp", &iso]).len(), 4);
    for (from, to) in [("1", "tag:two"), ("snapshot:1", &iso[..]), ("1", "2")] {
        let out = ok(&["diff", t.s(), "--from", from, "--to", to]);
        assert_eq!(out.lines().count(), 2, "{from}..{to}: {out}");
    }
    let (ok_, _, err) = strata(&["diff", t.s(), "--from", "yesterday", "--to", "2"]);
    assert!(!ok_ && err.contains("tag:NAME"), "{err}");
}

#[test]
fn verbose_and_quiet_flags_and_the_version() {
    let t = table(false);
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["-v", "scan", t.s()])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rows=6") && err.contains("elapsed_ms"),
        "{err}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["scan", t.s(), "-q"])
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(out.stderr.is_empty());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 6);
    let (_, version, _) = strata(&["--version"]);
    assert!(version.starts_with("strata "), "{version}");
}

#[test]
fn rollback_to_a_snapshot_or_a_tag() {
    let t = table(false);
    ok(&["tag", t.s(), "create", "first", "--snapshot", "1"]);
    ok(&["tag", t.s(), "create", "third", "--snapshot", "3"]);
    let dry = ok(&["rollback", t.s(), "--to", "2", "--dry-run"]);
    assert!(dry.contains("would delete snapshot 3") && dry.contains("would delete tag third"));
    assert_eq!(t.rows(&[]).len(), 6);
    let out = ok(&["rollback", t.s(), "--to", "2"]);
    assert!(out.contains("rolled back to snapshot 2"), "{out}");
    assert_eq!(t.rows(&[]).len(), 4);
    ok(&["rollback", t.s(), "--to", "tag:first"]);
    assert_eq!(t.rows(&[]).len(), 2);
    let (ok_, _, err) = strata(&["rollback", t.s(), "--to", "tag:third"]);
    assert!(!ok_ && err.contains("not found"), "{err}");
    // A write after a rollback continues from it.
    t.write("{\"id\": 9, \"v\": \"v9\", \"dt\": \"x\"}\n", &[]);
    assert_eq!(t.rows(&[]).len(), 3);
    let out = ok(&["clean-orphans", t.s(), "--older-than", "0s", "--dry-run"]);
    assert!(out.contains("would delete 0 orphan files"), "{out}");
}

#[test]
fn metadata_in_json_and_a_table_summary() {
    let t = table(true);
    ok(&["tag", t.s(), "create", "first", "--snapshot", "1"]);
    let snaps: serde_json::Value =
        serde_json::from_str(&ok(&["snapshots", t.s(), "--output", "json"])).unwrap();
    assert_eq!(snaps.as_array().unwrap().len(), 3);
    assert_eq!(snaps[2]["totalRecordCount"], 6);
    assert!(snaps[0]["time"].as_str().unwrap().ends_with('Z'));
    let files: serde_json::Value =
        serde_json::from_str(&ok(&["files", t.s(), "--output", "json"])).unwrap();
    let files = files.as_array().unwrap();
    assert_eq!(files.len(), 6);
    assert!(files.iter().all(|f| f["fileSize"].as_i64().unwrap() > 0));
    assert!(files[0]["path"].as_str().unwrap().starts_with("dt="));
    let tags: serde_json::Value =
        serde_json::from_str(&ok(&["tag", t.s(), "list", "--output", "json"])).unwrap();
    assert_eq!(tags[0]["name"], "first");
    let text = ok(&["files", t.s()]);
    assert!(text.contains(" KB") && text.contains("size"), "{text}");
    let d = ok(&["describe", t.s()]);
    assert!(
        d.contains("primary key    id, dt") && d.contains("live files     6"),
        "{d}"
    );
    let d: serde_json::Value =
        serde_json::from_str(&ok(&["describe", t.s(), "--output", "json"])).unwrap();
    assert_eq!(d["rowsBeforeMerge"], 6);
    assert_eq!(d["latestSnapshot"]["id"], 3);
    assert_eq!(d["buckets"].as_array().unwrap().len(), 2);
}

#[test]
fn write_reads_standard_input() {
    use std::io::Write as _;
    let t = table(false);
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["write", t.s(), "-", "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\": 42, \"v\": \"from stdin\", \"dt\": \"x\"}\n{\"id\": 1.5}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("stdin: line 2"), "{err}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["write", t.s(), "-", "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"id\": 42, \"v\": \"from stdin\", \"dt\": \"x\"}\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(t.rows(&[]).len(), 7);
    let (ok_, _, err) = strata(&["write", t.s(), "-"]);
    assert!(!ok_ && err.contains("--format"), "{err}");
}
