//! The `strata` binary end to end: create, inspect, and clear errors on bad input.


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
