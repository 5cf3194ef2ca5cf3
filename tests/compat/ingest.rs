//! `strata ingest` end to end with the embedded file source: every format reaches the source
//! table's state, the changelog holds every change exactly once (also across SIGKILLs), bad
//! messages stop or go to the dead-letter file, and schema changes evolve the table.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use strata_tests::cdc::*;
use strata_tests::kafka::{output_within, strata, strata_bin};
use strata_writer::ingest::sample::generate;
use strata_writer::ingest::CdcFormat;

fn file_args<'a>(table: &'a str, format: &'a str, file: &'a str) -> Vec<&'a str> {
    ingest_args(table, format, &["--file", file])
}

#[test]
fn every_format_reaches_the_source_state_with_each_change_once() {
    let dir = tempfile::tempdir().unwrap();
    for (i, format) in [CdcFormat::Debezium, CdcFormat::Canal, CdcFormat::Maxwell]
        .into_iter()
        .enumerate()
    {
        let s = generate(format, 300, 3000, 1, 7 + i as u64);
        let file = dir.path().join(format!("{}.jsonl", format_name(format)));
        write_events(&file, &s);
        let table = dir.path().join(format_name(format));
        let table = table.to_str().unwrap();
        let mut args = file_args(table, format_name(format), file.to_str().unwrap());
        args.extend(["--max-buffer-rows", "700"]);
        let out = ok(&args);
        assert!(out.contains("from 3000 messages"), "{out}");
        assert_eq!(scan(table), model(&s), "{format:?}");
        assert_eq!(changelog(table), expected_changelog(&s), "{format:?}");
        // A second run finds every line in the table: nothing new is committed.
        let before = latest_snapshot(table);
        let out = ok(&args);
        assert!(out.contains("ingested 0 rows"), "{out}");
        assert_eq!(latest_snapshot(table), before);
    }
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(CdcFormat::Debezium, 2000, 100_000, 1, 42);
    let file = dir.path().join("events.jsonl");
    write_events(&file, &s);
    let table = dir.path().join("orders");
    let table = table.to_str().unwrap();
    let mut args = file_args(table, "debezium-json", file.to_str().unwrap());
    args.extend(["--max-buffer-rows", "1000", "--commit-interval", "100ms"]);
    kill_repeatedly(&args, 20, 40, 300, 99);
    // Finish the ingest, then check the table and that every change landed exactly once.
    ok(&args);
    assert_eq!(scan(table), model(&s));
    assert_eq!(changelog(table), expected_changelog(&s));
}

#[test]
fn bad_messages_stop_the_ingest_or_go_to_the_dead_letter_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let lines = [
        r#"{"before":null,"after":{"id":1,"n":"a"},"op":"c"}"#,
        r#"{"before":null,"after":{"id":2,"n":"b"},"op":"c""#,
        r#"{"before":null,"after":{"n":"no key"},"op":"c"}"#,
        r#"{"before":null,"after":{"id":"x","n":"bad id"},"op":"c"}"#,
        r#"{"before":null,"after":{"id":3,"n":"c"},"op":"c"}"#,
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let f = file.to_str().unwrap();
    let base = ["ingest", table, "--format", "debezium-json", "--file", f];
    let mut args = base.to_vec();
    args.extend(["--create-if-missing", "--primary-key", "id"]);
    let out = strata(&args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("events.jsonl line 2") && err.contains("malformed JSON"),
        "{err}"
    );
    // What came before the bad message is committed; nothing after it.
    assert_eq!(scan(table).keys().copied().collect::<Vec<_>>(), [1]);
    // Skipping sends each bad message to the dead-letter file with where and why.
    let dl = dir.path().join("dead.jsonl");
    let mut args = base.to_vec();
    args.extend(["--on-error", "skip"]);
    let out = strata(&args);
    assert!(
        !out.status.success(),
        "skip without a dead-letter file is refused"
    );
    args.extend(["--dead-letter", dl.to_str().unwrap()]);
    let out = ok(&args);
    assert!(out.contains("3 skipped"), "{out}");
    assert_eq!(scan(table).keys().copied().collect::<Vec<_>>(), [1, 3]);
    let dead = jsonl(&std::fs::read_to_string(&dl).unwrap());
    let offsets: Vec<i64> = dead.iter().map(|d| d["offset"].as_i64().unwrap()).collect();
    assert_eq!(offsets, [1, 2, 3]);
    assert!(dead[1]["error"]
        .as_str()
        .unwrap()
        .contains("primary-key column id is missing"));
    assert!(dead[2]["error"].as_str().unwrap().contains("column id"));
    assert_eq!(dead[0]["payload"], json!(lines[1]));
}

fn envelope(fields: Value, after: Value, op: &str) -> String {
    let mut after_s = json!({"type": "struct", "optional": true, "field": "after"});
    after_s["fields"] = fields;
    json!({"schema": {"type": "struct", "fields": [after_s]},
           "payload": {"before": null, "after": after, "op": op}})
    .to_string()
}

#[test]
fn new_and_widened_source_columns_evolve_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let f = |t: &str, n: &str| json!({"type": t, "optional": n != "id", "field": n});
    let v1 = json!([f("int32", "id"), f("int32", "qty")]);
    let v2 = json!([f("int32", "id"), f("int64", "qty"), f("string", "email")]);
    let v3 = json!([f("int32", "id"), f("string", "qty")]);
    let lines = [
        envelope(v1.clone(), json!({"id": 1, "qty": 5}), "c"),
        envelope(
            v2.clone(),
            json!({"id": 2, "qty": 5_000_000_000_i64, "email": "a@b"}),
            "c",
        ),
        envelope(v1, json!({"id": 3, "qty": 7}), "c"),
    ];
    let file = dir.path().join("events.jsonl");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let args = [
        "ingest",
        table,
        "--format",
        "debezium-json",
        "--file",
        file.to_str().unwrap(),
        "--create-if-missing",
    ];
    let mut with_key = args.to_vec();
    with_key.extend(["--primary-key", "id"]);
    let out = ok(&with_key);
    assert!(out.contains("1 schema changes"), "{out}");
    let rows = scan(table);
    assert_eq!(rows[&1], json!({"id": 1, "qty": 5, "email": null}));
    assert_eq!(
        rows[&2],
        json!({"id": 2, "qty": 5_000_000_000_i64, "email": "a@b"})
    );
    assert_eq!(rows[&3], json!({"id": 3, "qty": 7, "email": null}));
    let schema = ok(&["schema", table]);
    assert!(
        schema.contains("\"id\": 1,") && schema.contains("BIGINT"),
        "{schema}"
    );
    // A change that is not a widening stops the ingest, naming where.
    let bad = envelope(v3, json!({"id": 4, "qty": "many"}), "c");
    std::fs::write(&file, lines.join("\n") + "\n" + &bad + "\n").unwrap();
    let out = strata(&args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 4") && err.contains("qty"), "{err}");
    assert_eq!(scan(table).len(), 3);
}

/// SIGTERM commits what is buffered before the process exits (stdin stays open, and the
/// commit interval is far away).
#[test]
fn sigterm_commits_the_buffer_and_exits() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let mut child = Command::new(strata_bin())
        .args(["ingest", table, "--format", "maxwell-json", "--stdin"])
        .args([
            "--create-if-missing",
            "--primary-key",
            "id",
            "--commit-interval",
            "1h",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for id in 0..50 {
        writeln!(
            stdin,
            r#"{{"type":"insert","data":{{"id":{id},"v":"x{id}"}}}}"#
        )
        .unwrap();
    }
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let out = output_within(child, Duration::from_secs(60), "strata ingest --stdin");
    drop(stdin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ingested 50 rows"));
    assert_eq!(scan(table).len(), 50);
}

/// With `changelog-producer = lookup`, compaction writes the changelog: replaying it in
/// snapshot order (each -U and -D retracting the value the key has) ends at the source state.
#[test]
fn lookup_changelog_replays_to_the_source_state() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(CdcFormat::Canal, 200, 4000, 1, 17);
    let file = dir.path().join("events.jsonl");
    write_events(&file, &s);
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let mut args = file_args(table, "canal-json", file.to_str().unwrap());
    let n = args.len();
    args[n - 1] = "changelog-producer=lookup";
    args.extend(["--max-buffer-rows", "900"]);
    ok(&args);
    let mut state: BTreeMap<i64, Value> = BTreeMap::new();
    let mut snapshot = 0;
    let last = latest_snapshot(table);
    while snapshot < last {
        let (from, to) = (snapshot.to_string(), (snapshot + 1).to_string());
        for mut row in jsonl(&ok(&["diff", table, "--from", &from, "--to", &to])) {
            let kind = row["_kind"].as_str().unwrap().to_string();
            row.as_object_mut().unwrap().remove("_kind");
            let id = row["id"].as_i64().unwrap();
            match kind.as_str() {
                "+I" | "+U" => {
                    state.insert(id, row);
                }
                _ => assert_eq!(
                    state.remove(&id),
                    Some(row),
                    "{kind} of {id} retracts its value"
                ),
            }
        }
        snapshot += 1;
    }
    // Canal's columns come from `mysqlType` (alphabetical in the sample): compare by name.
    assert_eq!(state, model(&s));
    assert_eq!(scan(table), model(&s));
}
