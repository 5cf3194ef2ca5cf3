//! `strata alter` end to end: each change through the binary, then writes and scans that see
//! older rows under the new schema; refusals with clear errors; concurrent alters.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};

mod common;
use common::{ok, refused};

fn write(t: &str, dir: &std::path::Path, name: &str, rows: &str) {
    let f = dir.join(name);
    std::fs::write(&f, rows).unwrap();
    ok(&["write", t, f.to_str().unwrap()]);
}

fn scan(t: &str) -> Vec<serde_json::Value> {
    let mut rows: Vec<serde_json::Value> = ok(&["scan", t])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    rows.sort_by_key(|r| r.to_string());
    rows
}

fn columns(t: &str) -> Vec<String> {
    let s: serde_json::Value = serde_json::from_str(&ok(&["schema", t])).unwrap();
    s["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["name"].as_str().unwrap(),
                f["type"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn alter_then_write_then_scan_sees_old_rows_under_the_new_schema() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("orders");
    let t = t.to_str().unwrap();
    ok(&[
        "create",
        t,
        "--columns",
        "id BIGINT, name STRING, qty INT, price FLOAT, code VARCHAR(4), amount DECIMAL(6, 2), dt STRING",
        "--primary-key",
        "id,dt",
        "--partition",
        "dt",
        "--bucket",
        "2",
    ]);
    write(
        t,
        dir.path(),
        "a.jsonl",
        r#"{"id":1,"name":"a","qty":5,"price":1.5,"code":"ab","amount":"12.34","dt":"d1"}
{"id":2,"name":"b","qty":2147483647,"price":2.25,"code":"abcd","amount":"-9999.99","dt":"d2"}
"#,
    );
    assert!(ok(&[
        "alter",
        t,
        "add-column",
        "note STRING COMMENT 'why'",
        "--after",
        "name"
    ])
    .contains("schema 1"));
    // Reads of the latest snapshot use the latest schema before anything is written under
    // it; time travel uses the snapshot's own schema, as in Paimon.
    assert!(ok(&["scan", t]).contains(r#""name":"a","note":null"#));
    assert!(!ok(&["scan", t, "--snapshot", "1"]).contains("note"));
    ok(&["alter", t, "rename-column", "name", "customer"]);
    ok(&["alter", t, "update-column-type", "qty", "BIGINT"]);
    ok(&["alter", t, "widen", "price", "DOUBLE"]);
    ok(&["alter", t, "widen", "code", "STRING"]);
    ok(&["alter", t, "widen", "amount", "DECIMAL(10, 3)"]);
    ok(&["alter", t, "move-column", "dt", "--first"]);
    ok(&["alter", t, "add-column", "gone INT"]);
    ok(&["alter", t, "drop-column", "gone"]);
    // The primary key may be renamed, as in Paimon: files keep the old name, reads use ids.
    ok(&["alter", t, "rename-column", "id", "key"]);
    assert_eq!(
        columns(t),
        [
            "dt STRING NOT NULL",
            "key BIGINT NOT NULL",
            "customer STRING",
            "note STRING",
            "qty BIGINT",
            "price DOUBLE",
            "code STRING",
            "amount DECIMAL(10, 3)"
        ]
    );
    write(
        t,
        dir.path(),
        "b.jsonl",
        r#"{"key":3,"customer":"c","note":"n","qty":9999999999,"price":3.5,"code":"longer code","amount":"1234567.891","dt":"d1"}
{"key":1,"customer":"a2","qty":6,"price":1.0,"code":"x","amount":"0.5","dt":"d1"}
"#,
    );
    let rows = scan(t);
    let expect: Vec<serde_json::Value> = [
        r#"{"dt":"d1","key":1,"customer":"a2","note":null,"qty":6,"price":1.0,"code":"x","amount":0.5}"#,
        r#"{"dt":"d1","key":3,"customer":"c","note":"n","qty":9999999999,"price":3.5,"code":"longer code","amount":1234567.891}"#,
        r#"{"dt":"d2","key":2,"customer":"b","note":null,"qty":2147483647,"price":2.25,"code":"abcd","amount":-9999.99}"#,
    ]
    .iter()
    .map(|r| serde_json::from_str(r).unwrap())
    .collect();
    let mut expect = expect;
    expect.sort_by_key(|r| r.to_string());
    assert_eq!(rows, expect);
    // Old decimals are rescaled to the new scale, exactly.
    assert!(ok(&["scan", t]).contains(r#""amount":-9999.990"#));
    // Compaction rewrites old files under the new schema; the rows stay the same.
    ok(&["compact", t, "--full"]);
    assert_eq!(scan(t), expect);
    assert_eq!(
        ok(&[
            "scan",
            t,
            "--filter",
            "key = 2 AND qty > 2147483646",
            "--columns",
            "customer"
        ])
        .trim(),
        r#"{"customer":"b"}"#
    );
}

#[test]
fn alter_refuses_what_paimon_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    ok(&[
        "create",
        t,
        "--columns",
        "id BIGINT, v INT, s STRING, dt STRING",
        "--primary-key",
        "id,dt",
        "--partition",
        "dt",
        "--bucket",
        "2",
    ]);
    // Before any data, immutable options may still change (as in Paimon).
    ok(&["alter", t, "set-option", "merge-engine=partial-update"]);
    ok(&["alter", t, "reset-option", "merge-engine"]);
    write(
        t,
        dir.path(),
        "a.jsonl",
        "{\"id\":1,\"v\":1,\"s\":\"x\",\"dt\":\"d\"}\n",
    );
    for (args, needle) in [
        (
            vec!["drop-column", "dt"],
            "cannot drop partition column \"dt\"",
        ),
        (
            vec!["drop-column", "id"],
            "cannot drop primary-key column \"id\"",
        ),
        (vec!["rename-column", "dt", "day"], "partition column"),
        (
            vec!["rename-column", "v", "s"],
            "column \"s\" already exists",
        ),
        (vec!["rename-column", "nope", "x"], "no column \"nope\""),
        (vec!["widen", "v", "SMALLINT"], "only lossless widenings"),
        (vec!["widen", "s", "INT"], "only lossless widenings"),
        (vec!["widen", "id", "DECIMAL(20, 0)"], "primary-key column"),
        (vec!["widen", "v", "BIGNT"], "unknown type"),
        (vec!["add-column", "x INT NOT NULL"], "cannot be NOT NULL"),
        (vec!["add-column", "v BIGINT"], "already exists"),
        (
            vec!["add-column", "x INT", "--after", "nope"],
            "no such column",
        ),
        (
            vec!["move-column", "v", "--before", "nope"],
            "no such column",
        ),
        (
            vec!["set-option", "merge-engine=first-row"],
            "merge-engine cannot change",
        ),
        (vec!["reset-option", "bucket"], "bucket cannot be reset"),
        (vec!["set-option", "bucket=4"], "rescale"),
        (vec!["set-option", "bucket=-1"], "-1"),
        (
            vec!["set-option", "write-onyl=true"],
            "did you mean \"write-only\"",
        ),
        (vec!["set-option", "write-only=maybe"], "boolean"),
        (vec!["set-option", "changelog-producer=inputt"], "input"),
    ] {
        let mut all = vec!["alter", t];
        all.extend(args);
        refused(&all, needle);
    }
    // Nothing above published a schema.
    assert!(dir.path().join("t/schema/schema-2").exists());
    assert!(!dir.path().join("t/schema/schema-3").exists());
    refused(&["alter", t, "move-column", "v"], "--first");
    let missing = dir.path().join("missing");
    refused(
        &["alter", missing.to_str().unwrap(), "drop-column", "v"],
        "missing",
    );
    // A dry run prints the schema it would publish and publishes nothing.
    let out = ok(&["alter", t, "--dry-run", "set-option", "write-only=true"]);
    assert!(out.contains("would publish schema 3") && out.contains("\"write-only\": \"true\""));
    assert!(!dir.path().join("t/schema/schema-3").exists());
    // Setting what is already set publishes nothing either.
    assert!(ok(&["alter", t, "set-option", "bucket=2"]).contains("nothing to change"));
}

#[test]
fn concurrent_alters_publish_each_schema_once() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    ok(&["create", t, "--columns", "id BIGINT, v INT"]);
    let children: Vec<_> = (0..6)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_strata"))
                .args(["alter", t, "add-column", &format!("c{i} INT")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut won = Vec::new();
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        if out.status.success() {
            won.push(format!("c{i} INT"));
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("concurrent schema change"), "{err}");
            assert!(err.contains("nothing was changed"), "{err}");
        }
    }
    assert!(!won.is_empty());
    let mut cols = columns(t);
    cols.sort();
    let mut expect = vec!["id BIGINT".to_string(), "v INT".to_string()];
    expect.extend(won.iter().cloned());
    expect.sort();
    assert_eq!(cols, expect, "each winner's column, once; no loser's");
    let schemas = std::fs::read_dir(dir.path().join("t/schema"))
        .unwrap()
        .count();
    assert_eq!(schemas, 1 + won.len());
}

#[test]
fn nullability_and_comments_change_and_writes_follow_them() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t");
    let t = t.to_str().unwrap();
    ok(&[
        "create",
        t,
        "--columns",
        "id BIGINT, q INT NOT NULL, c STRING",
        "--primary-key",
        "id",
        "--bucket",
        "1",
    ]);
    write(t, dir.path(), "a.jsonl", "{\"id\":1,\"q\":1,\"c\":\"a\"}\n");
    let nulls = dir.path().join("nulls.jsonl");
    std::fs::write(&nulls, "{\"id\":2,\"q\":null,\"c\":null}\n").unwrap();
    refused(&["write", t, nulls.to_str().unwrap()], "q");

    ok(&["alter", t, "drop-not-null", "q"]);
    ok(&["alter", t, "update-column-comment", "q", "units ordered"]);
    ok(&["alter", t, "update-comment", "orders, one row per id"]);
    ok(&["write", t, nulls.to_str().unwrap()]);
    assert_eq!(
        scan(t),
        [
            serde_json::json!({"id": 1, "q": 1, "c": "a"}),
            serde_json::json!({"id": 2, "q": null, "c": null}),
        ]
    );
    let schema: serde_json::Value = serde_json::from_str(&ok(&["schema", t])).unwrap();
    assert_eq!(schema["fields"][1]["type"], "INT");
    assert_eq!(schema["fields"][1]["description"], "units ordered");
    assert_eq!(schema["comment"], "orders, one row per id");
    let text = ok(&["describe", t]);
    assert!(
        text.contains("comment        orders, one row per id"),
        "{text}"
    );
    assert!(text.contains("q INT (units ordered)"), "{text}");
    let d: serde_json::Value =
        serde_json::from_str(&ok(&["describe", t, "--output", "json"])).unwrap();
    assert_eq!(d["comment"], "orders, one row per id");
    assert_eq!(d["fields"][1]["comment"], "units ordered");

    // Refused: a nullable key, and NOT NULL where nulls may have been written.
    refused(
        &["alter", t, "drop-not-null", "id"],
        "\"id\" is a primary-key column: it cannot become nullable",
    );
    refused(
        &["alter", t, "set-not-null", "c"],
        "alter-column-null-to-not-null.disabled=false",
    );
    // Allowed once the table says so; writes then refuse nulls there again.
    ok(&[
        "alter",
        t,
        "set-option",
        "alter-column-null-to-not-null.disabled=false",
    ]);
    ok(&["alter", t, "set-not-null", "q"]);
    let null_q = dir.path().join("null_q.jsonl");
    std::fs::write(&null_q, "{\"id\":3,\"q\":null,\"c\":\"z\"}\n").unwrap();
    refused(&["write", t, null_q.to_str().unwrap()], "q");
    // Comments removed when none is given.
    ok(&["alter", t, "update-column-comment", "q"]);
    ok(&["alter", t, "update-comment"]);
    let schema: serde_json::Value = serde_json::from_str(&ok(&["schema", t])).unwrap();
    assert!(schema["fields"][1]
        .get("description")
        .is_none_or(|d| d.is_null()));
    assert!(schema.get("comment").is_none_or(|c| c.is_null()));
}
