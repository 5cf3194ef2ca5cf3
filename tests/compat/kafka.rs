//! `strata ingest` against a real Kafka-protocol broker (tansu): Debezium, Canal and Maxwell
//! streams reach the source table's state as Strata and pypaimon read it, every change lands
//! exactly once (also across SIGKILLs and with two ingest processes in one group), and schema
//! changes in the stream evolve the table.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use strata_tests::cdc::*;
use strata_tests::kafka::{strata_bin, Broker};
use strata_tests::writes::{pypaimon_rows, sorted};
use strata_writer::ingest::sample::generate;
use strata_writer::ingest::CdcFormat;

fn kafka_args<'a>(
    table: &'a str,
    format: &'a str,
    broker: &'a str,
    topic: &'a str,
) -> Vec<&'a str> {
    let mut args = ingest_args(
        table,
        format,
        &[
            "--kafka",
            broker,
            "--topic",
            topic,
            "--group",
            "strata-test",
        ],
    );
    args.extend([
        "--commit-interval",
        "500ms",
        "--until-idle",
        "4",
        // A killed member holds its partitions until its session expires: keep that short.
        "--kafka-option",
        "session.timeout.ms=2000",
        "--kafka-option",
        "heartbeat.interval.ms=300",
    ]);
    args
}

/// 300,000 events in the three formats, each ingested into its own table, which Strata and
/// pypaimon then read as the source's final state, with every change in the changelog once.
#[test]
fn every_format_from_kafka_reaches_the_source_state() {
    let broker = Broker::start();
    let wh = tempfile::tempdir().unwrap();
    for (i, format) in [CdcFormat::Debezium, CdcFormat::Canal, CdcFormat::Maxwell]
        .into_iter()
        .enumerate()
    {
        let name = format_name(format).replace('-', "_");
        let s = generate(format, 20_000, 100_000, 3, 11 + i as u64);
        broker.create_topic(&name, 3);
        broker.produce(&name, &s.events);
        let table = wh.path().join(format!("db.db/{name}"));
        let table = table.to_str().unwrap();
        let out = ok(&kafka_args(
            table,
            format_name(format),
            &broker.address,
            &name,
        ));
        assert!(out.contains("from 100000 messages"), "{out}");
        same_rows(&scan(table), &model(&s), "table");
        same_changes(&changelog(table), &expected_changelog(&s), "changelog");
        // pypaimon's rows follow the table's column order (Canal's comes from `mysqlType`).
        let schema: Value = serde_json::from_str(&ok(&["schema", table])).unwrap();
        let columns: Vec<&str> = schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        let want: Vec<Value> = model(&s)
            .values()
            .map(|r| Value::Array(columns.iter().map(|c| r[*c].clone()).collect()))
            .collect();
        let got = pypaimon_rows(wh.path(), &name);
        let want = sorted(want);
        assert!(
            got == want,
            "{format:?}: pypaimon read {} rows, the source has {}; first difference: {:?}",
            got.len(),
            want.len(),
            got.iter().zip(&want).find(|(g, w)| g != w)
        );
    }
}

/// Ingest processes killed with SIGKILL at random moments (20 times) while events keep
/// arriving, each restarted: the table ends at the source's state and its changelog holds
/// every change exactly once.
#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let s = generate(CdcFormat::Debezium, 5_000, 60_000, 3, 5);
    broker.create_topic("orders", 3);
    let table = dir.path().join("orders");
    let table = table.to_str().unwrap();
    let mut args = kafka_args(table, "debezium-json", &broker.address, "orders");
    let i = args.iter().position(|a| *a == "--commit-interval").unwrap();
    args[i + 1] = "100ms"; // commit often, so kills land in and between commits
    let (first, rest) = s.events.split_at(10_000);
    broker.produce("orders", first);
    std::thread::scope(|scope| {
        // The rest arrives while the ingest is being killed and restarted.
        let producer = scope.spawn(|| {
            for chunk in rest.chunks(1_000) {
                broker.produce("orders", chunk);
                std::thread::sleep(Duration::from_millis(1_500));
            }
        });
        // A restart waits about 3 s for the killed member's session to expire, then
        // ingests: the kill lands in the join, the ingest, a commit or a compaction.
        kill_repeatedly(&args, 20, 2_500, 3_000, 3);
        producer.join().unwrap();
    });
    ok(&args);
    same_rows(&scan(table), &model(&s), "table");
    same_changes(&changelog(table), &expected_changelog(&s), "changelog");
}

#[test]
fn two_ingest_processes_in_one_group_share_the_partitions() {
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let s = generate(CdcFormat::Debezium, 10_000, 80_000, 4, 8);
    broker.create_topic("orders", 4);
    let table = dir.path().join("orders");
    let table = table.to_str().unwrap();
    let mut args = kafka_args(table, "debezium-json", &broker.address, "orders");
    let i = args.iter().position(|a| *a == "--until-idle").unwrap();
    args[i + 1] = "15"; // idle while the group settles, before anything is produced
                        // Two live members need a session long enough for tansu's coordinator to settle them
                        // (with 2 s it keeps rebalancing).
    for a in args.iter_mut() {
        if a.starts_with("session.timeout.ms=") {
            *a = "session.timeout.ms=6000";
        } else if a.starts_with("heartbeat.interval.ms=") {
            *a = "heartbeat.interval.ms=1000";
        }
    }
    let mut children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(strata_bin())
                .args(&args)
                .env("RUST_LOG", "strata_writer=info")
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Each process logs its assignments; once both hold two of the four partitions, the group
    // has settled and the events can flow.
    let (tx, rx) = std::sync::mpsc::channel::<(usize, usize)>();
    let logs: Vec<_> = children
        .iter_mut()
        .enumerate()
        .map(|(n, c)| {
            let stderr = c.stderr.take().unwrap();
            let tx = tx.clone();
            std::thread::spawn(move || {
                use std::io::BufRead;
                let mut log = String::new();
                for line in std::io::BufReader::new(stderr)
                    .lines()
                    .map_while(Result::ok)
                {
                    if line.contains(" assigned") {
                        let _ = tx.send((n, line.matches("(\"orders\"").count()));
                    }
                    log.push_str(&line);
                    log.push('\n');
                }
                log
            })
        })
        .collect();
    let mut held = [0usize; 2];
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    while held != [2, 2] {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let (n, parts) = rx
            .recv_timeout(left)
            .expect("the group settles on 2 + 2 partitions");
        held[n] = parts;
    }
    broker.produce("orders", &s.events);
    let mut rows = Vec::new();
    for (c, log) in children.into_iter().zip(logs) {
        let out = c.wait_with_output().unwrap();
        let log = log.join().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{text}{log}");
        let n: u64 = text
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{text}"));
        rows.push(n);
    }
    assert!(
        rows.iter().all(|&n| n > 0),
        "both processes ingested: {rows:?}"
    );
    same_rows(&scan(table), &model(&s), "table");
    same_changes(&changelog(table), &expected_changelog(&s), "changelog");
}

fn envelope(fields: Value, after: Value) -> String {
    json!({"schema": {"type": "struct", "fields": [
              {"type": "struct", "optional": true, "field": "after", "fields": fields}]},
           "payload": {"before": null, "after": after, "op": "c"}})
    .to_string()
}

#[test]
fn a_new_column_in_the_stream_becomes_a_table_column() {
    let broker = Broker::start();
    let dir = tempfile::tempdir().unwrap();
    let f = |t: &str, n: &str| json!({"type": t, "optional": n != "id", "field": n});
    let v1 = json!([f("int64", "id"), f("int32", "qty")]);
    let v2 = json!([f("int64", "id"), f("int64", "qty"), f("string", "email")]);
    let mut events = Vec::new();
    for id in 0..200i64 {
        let payload = if id < 100 {
            envelope(v1.clone(), json!({"id": id, "qty": id}))
        } else {
            envelope(
                v2.clone(),
                json!({"id": id, "qty": id << 33, "email": format!("{id}@x")}),
            )
        };
        events.push(strata_writer::ingest::sample::SampleEvent {
            partition: 0,
            key: id.to_string(),
            payload,
        });
    }
    broker.create_topic("people", 1);
    broker.produce("people", &events);
    let table = dir.path().join("people");
    let table = table.to_str().unwrap();
    let out = ok(&kafka_args(
        table,
        "debezium-json",
        &broker.address,
        "people",
    ));
    assert!(out.contains("1 schema changes"), "{out}");
    let rows = scan(table);
    assert_eq!(rows.len(), 200);
    assert_eq!(rows[&5], json!({"id": 5, "qty": 5, "email": null}));
    assert_eq!(
        rows[&150],
        json!({"id": 150, "qty": 150_i64 << 33, "email": "150@x"})
    );
    assert!(Path::new(&format!("{table}/schema/schema-1")).exists());
}
