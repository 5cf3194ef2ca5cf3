//! `strata write` never puts input in the wrong place: a bad file fails naming file, line and
//! column and commits nothing; CSV columns go by header name; unknown columns are refused
//! unless `--ignore-unknown-columns`.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::strata;

/// A table `id BIGINT, name STRING` keyed by id, and a directory for input files.
fn table() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t").to_str().unwrap().to_string();
    let cols = "id BIGINT, name STRING";
    let (ok, _, err) = strata(&["create", &t, "--columns", cols, "--primary-key", "id"]);
    assert!(ok, "{err}");
    (dir, t)
}

fn input(dir: &tempfile::TempDir, name: &str, content: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, content).unwrap();
    p.to_str().unwrap().to_string()
}

fn snapshots(t: &str) -> String {
    strata(&["snapshots", t]).1
}

#[test]
fn a_lossy_or_unknown_value_fails_naming_file_line_and_column_and_commits_nothing() {
    let (dir, t) = table();
    for (name, content, needle) in [
        (
            "data.jsonl",
            "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n{\"id\":1.5,\"name\":\"c\"}\n",
            "data.jsonl: line 3, column id: 1.5 is not a BIGINT (it has a fraction)",
        ),
        (
            "typo.jsonl",
            "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"nmae\":\"b\"}\n",
            "typo.jsonl: line 2: unknown column \"nmae\" (did you mean \"name\"?)",
        ),
        (
            "data.csv",
            "name,id\na,1\nb,2.5\n",
            "data.csv: line 3, column id: \"2.5\" is not a BIGINT (it has a fraction)",
        ),
    ] {
        let f = input(&dir, name, content);
        let (ok, _, err) = strata(&["write", &t, &f]);
        assert!(!ok, "{name} was written");
        assert!(err.contains(needle), "{name}: {err}");
        assert!(snapshots(&t).contains("no snapshots"), "{name}: committed");
    }
}

#[test]
fn csv_goes_by_header_and_unknown_columns_are_dropped_when_asked() {
    let (dir, t) = table();
    let csv = input(&dir, "in.csv", "name,id\nalice,1\nbob,2\n");
    let (ok, _, err) = strata(&["write", &t, &csv]);
    assert!(ok, "{err}");
    let typo = input(&dir, "typo.jsonl", "{\"id\":3,\"nmae\":\"carol\"}\n");
    let (ok, _, _) = strata(&["write", &t, &typo]);
    assert!(!ok);
    let (ok, out, err) = strata(&["write", &t, &typo, "--ignore-unknown-columns"]);
    assert!(ok && out.contains("committed snapshot"), "{err}");
    let (ok, out, err) = strata(&["scan", &t]);
    assert!(ok, "{err}");
    let mut rows: Vec<&str> = out.lines().collect();
    rows.sort();
    let expected = [
        "{\"id\":1,\"name\":\"alice\"}",
        "{\"id\":2,\"name\":\"bob\"}",
        "{\"id\":3,\"name\":null}",
    ];
    assert_eq!(rows, expected, "{out}");
}
