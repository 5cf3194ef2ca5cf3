//! `strata ingest` against a real Kafka-protocol broker (tansu): Debezium, Canal and Maxwell
//! streams reach the source table's state as Strata and pypaimon read it, every change lands
//! exactly once (also across SIGKILLs and with two ingest processes in one group), schema
//! changes in the stream evolve the table, and every wait is bounded: an unreachable broker or
//! a missing topic fails start-up with a clear error, and `--until-idle` stops an ingest whose
//! group is stuck rebalancing or whose broker went away.
//!
//! Every test that needs the broker skips with a note when tansu is missing (a bare `cargo
//! test`); `scripts/test.sh` installs it and sets `STRATA_REQUIRE_ALL`, which makes them fail
//! instead. Every `strata` process runs under a deadline.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use strata_tests::cdc::*;
use strata_tests::kafka::{
    output_within, strata_bin, tail, unique_group, wait_until, Broker, KillOnDrop,
};
use strata_tests::writes::{pypaimon_rows, sorted};
use strata_writer::ingest::sample::generate;
use strata_writer::ingest::CdcFormat;

/// Runs an ingest that must succeed (within [`strata_tests::kafka::STRATA_TIMEOUT`]) and read
/// `messages` messages; its stdout. A failure shows stderr too (where an ingest that stopped
/// early says why).
fn ingest_all(args: &[&str], messages: usize) -> String {
    let out = strata_tests::kafka::strata(args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.contains(&format!("from {messages} messages")),
        "strata {}:\n{stdout}{}",
        args.join(" "),
        tail(&stderr, 40)
    );
    stdout.into_owned()
}

/// 300,000 events in the three formats, each ingested into its own table, which Strata and
/// pypaimon then read as the source's final state, with every change in the changelog once.
#[test]
fn every_format_from_kafka_reaches_the_source_state() {
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    // The pypaimon half of the check needs the venv (a bare `cargo test` may lack it).
    let pypaimon = !strata_tests::python_missing();
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
        let group = unique_group("strata-test");
        ingest_all(
            &kafka_args(table, format_name(format), &broker.address, &name, &group),
            100_000,
        );
        same_rows(&scan(table), &model(&s), "table");
        same_changes(&changelog(table), &expected_changelog(&s), "changelog");
        if !pypaimon {
            continue;
        }
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
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = generate(CdcFormat::Debezium, 5_000, 60_000, 3, 5);
    broker.create_topic("orders", 3);
    let table = dir.path().join("orders");
    let table = table.to_str().unwrap();
    // One group across the restarts: each restart takes over from the killed member.
    let group = unique_group("strata-test");
    let mut args = kafka_args(table, "debezium-json", &broker.address, "orders", &group);
    set(&mut args, "--commit-interval", "100ms"); // commit often, so kills land in and between commits
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
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = generate(CdcFormat::Debezium, 10_000, 80_000, 4, 8);
    broker.create_topic("orders", 4);
    let table = dir.path().join("orders");
    let table = table.to_str().unwrap();
    let group = unique_group("strata-test");
    let mut args = kafka_args(table, "debezium-json", &broker.address, "orders", &group);
    // The group settles (a few seconds) before anything is produced: the idle clock, which
    // runs from the start, must outlast that. Two live members need a session long enough for
    // tansu's coordinator to settle them (with 2 s it keeps rebalancing).
    set(&mut args, "--until-idle", "30");
    set(&mut args, "session.timeout.ms", "session.timeout.ms=6000");
    set(
        &mut args,
        "heartbeat.interval.ms",
        "heartbeat.interval.ms=1000",
    );
    let started = Instant::now();
    let mut children: Vec<KillOnDrop> = (0..2)
        .map(|_| {
            KillOnDrop(
                Command::new(strata_bin())
                    .args(&args)
                    .env("RUST_LOG", "strata_writer=info")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap(),
            )
        })
        .collect();
    // Each process logs its assignments; once both hold two of the four partitions, the group
    // has settled and the events can flow.
    let (tx, rx) = std::sync::mpsc::channel::<(usize, usize)>();
    let logs: Vec<_> = children
        .iter_mut()
        .enumerate()
        .map(|(n, c)| {
            let stderr = c.0.stderr.take().unwrap();
            let stdout = c.0.stdout.take().unwrap();
            let tx = tx.clone();
            std::thread::spawn(move || {
                let out =
                    std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
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
                (out.join().unwrap_or_default(), log)
            })
        })
        .collect();
    let mut held = [0usize; 2];
    let deadline = Instant::now() + Duration::from_secs(90);
    while held != [2, 2] {
        let left = deadline.saturating_duration_since(Instant::now());
        let (n, parts) = rx
            .recv_timeout(left)
            .expect("the group settles on 2 + 2 partitions");
        held[n] = parts;
    }
    eprintln!("the group settled after {:?}", started.elapsed());
    broker.produce("orders", &s.events);
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut rows = Vec::new();
    for (mut c, log) in children.into_iter().zip(logs) {
        let status = wait_until(&mut c.0, deadline);
        let (text, log) = log.join().unwrap();
        let Some(status) = status else {
            panic!(
                "an ingest ran past its deadline and was killed; its log ends:\n{}",
                tail(&log, 40)
            );
        };
        assert!(status.success(), "{text}{log}");
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
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
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
    let group = unique_group("strata-test");
    let out = ingest_all(
        &kafka_args(table, "debezium-json", &broker.address, "people", &group),
        200,
    );
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

/// Runs `strata args` without `RUST_LOG` (so stderr is what a user sees by default) under a
/// deadline; its output and how long it took.
fn timed(args: &[&str], limit: Duration) -> (std::process::Output, Duration) {
    let child = Command::new(strata_bin())
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let out = output_within(child, limit, &format!("strata {}", args.join(" ")));
    (out, started.elapsed())
}

/// A broker that does not answer (a closed port) fails start-up within `--connect-timeout`,
/// naming the broker and the topic, and librdkafka's retries do not flood stderr. (This test
/// needs no broker: it runs everywhere.)
#[test]
fn an_unreachable_broker_fails_within_the_connect_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let broker = format!("127.0.0.1:{}", strata_tests::kafka::free_port());
    let group = unique_group("strata-test");
    let mut args = kafka_args(table, "debezium-json", &broker, "orders", &group);
    args.extend(["--connect-timeout", "2s"]);
    let (out, took) = timed(&args, Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(took < Duration::from_secs(15), "took {took:?}: {err}");
    assert!(
        err.contains(&format!("kafka {broker}"))
            && err.contains("no broker answered within 2s")
            && err.contains("orders")
            && err.contains("Connection refused"),
        "{err}"
    );
    assert!(
        err.lines().count() <= 10,
        "librdkafka's retries are summarised, not repeated: {err}"
    );
    assert!(
        !std::path::Path::new(table).exists(),
        "the failed ingest left an empty table directory behind"
    );
}

/// A topic the broker does not have is a clear error at start-up (tansu, like a broker with
/// `auto.create.topics.enable=false`, never creates one), not a consumer waiting forever.
#[test]
fn a_missing_topic_is_a_clear_error() {
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    broker.create_topic("orders", 1);
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let group = unique_group("strata-test");
    let mut args = kafka_args(table, "debezium-json", &broker.address, "nope", &group);
    args.extend(["--connect-timeout", "10s"]);
    let (out, took) = timed(&args, Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {err}");
    assert!(
        err.contains(&format!("kafka topic nope on {}", broker.address))
            && err.contains("does not create topics"),
        "{err}"
    );
    // Two topics, one missing: the missing one is named.
    set(&mut args, "--topic", "orders,nope");
    let (out, _) = timed(&args, Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("kafka topic nope"),
        "{err}"
    );
}

/// `--until-idle` on a topic without messages: the ingest stops once the time has passed.
#[test]
fn until_idle_stops_an_ingest_of_a_topic_without_messages() {
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    broker.create_topic("quiet", 2);
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let group = unique_group("strata-test");
    let mut args = kafka_args(table, "debezium-json", &broker.address, "quiet", &group);
    set(&mut args, "--until-idle", "2");
    let (out, took) = timed(&args, Duration::from_secs(60));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}: {err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("ingested 0 rows from 0 messages"),
        "{err}"
    );
}

/// `--until-idle` counts from the start, also while the group keeps the ingest waiting for an
/// assignment: here a SIGKILLed member of the same group holds the partition until its
/// 30-second session expires, and the new member's JoinGroup waits for that. The ingest stops
/// after its 2 idle seconds instead of waiting out the session.
#[test]
fn until_idle_fires_while_the_group_keeps_the_ingest_waiting() {
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    broker.create_topic("quiet", 1);
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let group = unique_group("strata-test");
    let mut args = kafka_args(table, "debezium-json", &broker.address, "quiet", &group);
    set(&mut args, "session.timeout.ms", "session.timeout.ms=30000");
    set(
        &mut args,
        "heartbeat.interval.ms",
        "heartbeat.interval.ms=1000",
    );
    // The first member: no --until-idle, so it stays until it is killed.
    let first: Vec<&str> = args
        .iter()
        .copied()
        .enumerate()
        .filter(|(i, a)| {
            *a != "--until-idle" && args.get(i.wrapping_sub(1)) != Some(&"--until-idle")
        })
        .map(|(_, a)| a)
        .collect();
    let mut member = KillOnDrop(
        Command::new(strata_bin())
            .args(&first)
            .env("RUST_LOG", "strata_writer=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = member.0.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains(" assigned") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("the first member gets the partition");
    drop(member); // SIGKILL: it never leaves the group
    set(&mut args, "--until-idle", "2");
    let (out, took) = timed(&args, Duration::from_secs(90));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        took < Duration::from_secs(20),
        "--until-idle 2 took {took:?} while the group waited for a dead member: {err}"
    );
    // It never got the partition: the dead member held it all along.
    assert!(err.contains("stopped before group"), "{err}");
}

/// A broker that goes away while the ingest runs: what was read is committed, `--until-idle`
/// still stops the ingest, and the connection errors are summarised.
#[test]
fn until_idle_fires_after_the_broker_goes_away() {
    let Some(broker) = Broker::start_or_skip() else {
        return;
    };
    let s = generate(CdcFormat::Debezium, 50, 200, 1, 3);
    broker.create_topic("orders", 1);
    broker.produce("orders", &s.events);
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("t");
    let table = table.to_str().unwrap();
    let group = unique_group("strata-test");
    let mut args = kafka_args(table, "debezium-json", &broker.address, "orders", &group);
    set(&mut args, "--until-idle", "3");
    let child = Command::new(strata_bin())
        .args(&args)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let what = format!("strata {}", args.join(" "));
    let running = std::thread::spawn(move || output_within(child, Duration::from_secs(120), &what));
    // Once everything is committed, the broker goes away.
    let latest = Path::new(table).join("snapshot/LATEST");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !(latest.exists() && scan(table).len() == s.table.len()) {
        assert!(Instant::now() < deadline, "the ingest commits the events");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(broker);
    let gone = Instant::now();
    let out = running
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
    let took = gone.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        took < Duration::from_secs(20),
        "took {took:?} after the broker went away: {err}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("from 200 messages"),
        "{err}"
    );
    assert!(
        err.lines().count() <= 30,
        "the connection errors are summarised: {err}"
    );
    same_rows(&scan(table), &model(&s), "table");
}
