//! The `strata` binary end to end: create, inspect, and clear errors on bad input.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::strata;

#[test]
fn create_then_inspect_then_refuse_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("orders");
    let t = t.to_str().unwrap();
    let (ok, out, err) = strata(&[
        "create",
        t,
        "--columns",
        "id BIGINT, name STRING, dt STRING",
        "--primary-key",
        "id,dt",
        "--partition",
        "dt",
        "--bucket",
        "4",
        "--option",
        "file.format=parquet",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("\"primaryKeys\""));
    let (ok, out, _) = strata(&["schema", t]);
    assert!(ok);
    assert!(
        out.contains("BIGINT NOT NULL"),
        "primary keys become NOT NULL: {out}"
    );
    assert!(out.contains("\"bucket\": \"4\""));
    let (ok, out, _) = strata(&["snapshots", t]);
    assert!(ok && out.contains("no snapshots"));
    let (ok, _, err) = strata(&["create", t, "--columns", "x INT"]);
    assert!(!ok);
    assert!(err.contains("already"), "{err}");
}

#[test]
fn bad_definitions_fail_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    for (args, needle) in [
        (vec!["--columns", "id BIGNT"], "unknown type BIGNT"),
        (vec!["--columns", "id INT", "--primary-key", "nope"], "nope"),
        (vec!["--columns", "id INT", "--bucket", "0"], "bucket"),
    ] {
        let mut all = vec!["create", t];
        all.extend(args);
        let (ok, _, err) = strata(&all);
        assert!(!ok);
        assert!(err.contains(needle), "{err}");
    }
    let (ok, _, err) = strata(&["schema", t]);
    assert!(!ok && err.contains("no such table directory"), "{err}");
}

#[test]
fn demo_runs_on_embedded_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = strata(&["demo", dir.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        out.contains("created table") && out.contains("\"highestFieldId\": 3"),
        "{out}"
    );
}

#[test]
fn options_are_validated_on_create() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    let create = |extra: &[&str]| {
        let mut all = vec![
            "create",
            t,
            "--columns",
            "id BIGINT, v STRING, total DOUBLE",
        ];
        all.extend(["--primary-key", "id"]);
        all.extend(extra);
        strata(&all)
    };
    let (ok, _, err) = create(&["--option", "bukcet=3"]);
    assert!(!ok);
    assert!(
        err.contains("unknown table option \"bukcet\"; did you mean \"bucket\"?"),
        "{err}"
    );
    let (ok, _, err) = create(&["--option", "merge-engine=partial-updat"]);
    assert!(!ok);
    assert!(
        err.contains("merge-engine = \"partial-updat\" is not one of deduplicate, partial-update, aggregation, first-row"),
        "{err}"
    );
    let (ok, _, err) = create(&["--option", "fields.totl.aggregate-function=sum"]);
    assert!(!ok);
    assert!(err.contains("did you mean \"total\""), "{err}");
    let (ok, _, err) = create(&["--option", "write-buffer-size=lots"]);
    assert!(!ok && err.contains("is not a memory size"), "{err}");
    // Nothing was written by the refused attempts.
    assert!(!std::path::Path::new(t).join("schema").exists());

    let (ok, out, err) = create(&[
        "--bucket",
        "2",
        "--option",
        "snapshot.num-retained.min=3",
        "--option",
        "merge-engine=aggregation",
        "--option",
        "fields.total.aggregate-function=sum",
        "--option",
        "write-buffer-size=64 mb",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("created"), "{out}");
    assert!(
        err.contains(
            "note: Strata does not act on option snapshot.num-retained.min (Paimon engines do)"
        ),
        "{err}"
    );
    assert!(
        !err.contains("merge-engine") && !err.contains("bucket"),
        "{err}"
    );
}

#[test]
fn schema_files_are_validated_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("schema.json");
    std::fs::write(
        &file,
        r#"{"version": 3, "id": 0, "fields": [{"id": 0, "name": "id", "type": "BIGINT NOT NULL"}],
            "highestFieldId": 0, "partitionKeys": [], "primaryKeys": ["id"],
            "options": {"bucket": "1", "changelog-producer": "lokup"}, "timeMillis": 1}"#,
    )
    .unwrap();
    let t = dir.path().join("t");
    let (ok, _, err) = strata(&[
        "create",
        t.to_str().unwrap(),
        "--schema",
        file.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(err.contains("changelog-producer = \"lokup\""), "{err}");
    assert!(err.contains("did you mean \"lookup\""), "{err}");
}

#[test]
fn scans_with_a_limit_repeat_the_same_rows_in_the_same_order() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("orders");
    let t = t.to_str().unwrap();
    let (ok, _, err) = strata(&[
        "create",
        t,
        "--columns",
        "id BIGINT NOT NULL, v STRING, dt STRING NOT NULL",
        "--primary-key",
        "id,dt",
        "--partition",
        "dt",
        "--bucket",
        "4",
    ]);
    assert!(ok, "{err}");
    for (n, day) in ["2024-01-01", "2024-01-02", "2024-01-01"]
        .iter()
        .enumerate()
    {
        let csv: String = (0..50)
            .map(|i| format!("{},v{n}-{i},{day}\n", (i * 7 + n * 3) % 60))
            .collect();
        let f = dir.path().join(format!("w{n}.csv"));
        std::fs::write(&f, format!("id,v,dt\n{csv}")).unwrap();
        let (ok, _, err) = strata(&["write", t, f.to_str().unwrap()]);
        assert!(ok, "{err}");
    }
    let scan = |limit: &str| {
        let (ok, out, err) = strata(&["scan", t, "--limit", limit]);
        assert!(ok, "{err}");
        out.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let first = scan("7");
    assert_eq!(first.len(), 7);
    for _ in 0..3 {
        assert_eq!(scan("7"), first);
    }
    // A longer limit starts with the same rows, and a limit past the end returns every row
    // the unlimited (parallel) scan returns, in a stable order of its own.
    let all = scan("100000");
    assert_eq!(all[..7], first[..]);
    let (ok, out, _) = strata(&["scan", t]);
    assert!(ok);
    let mut unlimited: Vec<String> = out.lines().map(str::to_string).collect();
    let mut sorted_all = all.clone();
    unlimited.sort();
    sorted_all.sort();
    assert_eq!(unlimited, sorted_all);
    assert!(all.len() > 60, "{}", all.len());
}

/// Creates `t`: `id BIGINT NOT NULL, v STRING` keyed by `id`, in `buckets` buckets.
fn create_keyed(t: &str, buckets: u32) {
    let (ok, _, err) = strata(&[
        "create",
        t,
        "--columns",
        "id BIGINT NOT NULL, v STRING",
        "--primary-key",
        "id",
        "--bucket",
        &buckets.to_string(),
    ]);
    assert!(ok, "{err}");
}

#[test]
fn verbose_runs_report_core_counts_and_timings() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    create_keyed(t, 2);
    let f = dir.path().join("a.csv");
    std::fs::write(&f, "id,v\n1,a\n2,b\n3,c\n").unwrap();
    let (ok, _, err) = strata(&["-v", "write", t, f.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(
        err.contains("committed snapshot=1 kind=Append rows=3") && err.contains("ms="),
        "{err}"
    );
    let (ok, _, err) = strata(&["-v", "scan", t]);
    assert!(ok, "{err}");
    assert!(err.contains("planned the scan snapshot=1"), "{err}");
    assert!(err.contains("scanned rows=3"), "{err}");
    let (ok, _, err) = strata(&["-v", "compact", t, "--full"]);
    assert!(ok, "{err}");
    assert!(err.contains("kind=Compact"), "{err}");
    let (ok, _, err) = strata(&["-v", "expire", t, "--retain-min", "1", "--older-than", "0s"]);
    assert!(ok, "{err}");
    assert!(err.contains("expired snapshots=1"), "{err}");
    // Without -v: nothing on stderr.
    let (ok, _, err) = strata(&["scan", t]);
    assert!(ok && err.is_empty(), "{err}");
}

/// Runs `command` (a shell line) on a pseudo-terminal with `script`, as someone at a
/// terminal would; what the terminal showed. `None` where `script` (util-linux) is missing.
fn on_a_terminal(command: &str) -> Option<String> {
    let out = std::process::Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{command}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn long_commands_show_progress_on_a_terminal_and_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    create_keyed(t, 2);
    let f = dir.path().join("a.csv");
    let rows: String = (0..5000).map(|i| format!("{i},v{i}\n")).collect();
    std::fs::write(&f, format!("id,v\n{rows}")).unwrap();
    let bin = env!("CARGO_BIN_EXE_strata");
    let f = f.to_str().unwrap();
    let Some(shown) = on_a_terminal(&format!("{bin} write {t} {f}")) else {
        eprintln!("skipped: no `script` (util-linux) to run the binary on a terminal");
        return;
    };
    assert!(
        shown.contains("writing") && shown.contains("rows"),
        "{shown:?}"
    );
    assert!(shown.contains("committed snapshot 1"), "{shown:?}");
    on_a_terminal(&format!("{bin} write {t} {f}")).unwrap();
    let shown = on_a_terminal(&format!("{bin} compact {t} --full")).unwrap();
    assert!(
        shown.contains("compacting [") && shown.contains("/2 buckets"),
        "{shown:?}"
    );
    // Rows to a file: the read's counter shows; rows to the terminal: nothing in their way.
    let out = dir.path().join("rows.jsonl");
    let shown = on_a_terminal(&format!("{bin} scan {t} > {}", out.display())).unwrap();
    assert!(
        shown.contains("reading") && shown.contains("rows"),
        "{shown:?}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 5000);
    let shown = on_a_terminal(&format!("{bin} scan {t} --limit 2")).unwrap();
    assert!(!shown.contains("reading"), "{shown:?}");
    // --quiet: none.
    let shown = on_a_terminal(&format!("{bin} -q write {t} {f}")).unwrap();
    assert!(!shown.contains("writing"), "{shown:?}");
    // Not a terminal: none (stderr is a pipe here).
    let (ok, _, err) = strata(&["write", t, f]);
    assert!(ok && !err.contains("writing"), "{err}");
}
