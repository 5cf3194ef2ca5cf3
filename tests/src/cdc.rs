//! Helpers of the CDC ingest suites: run `strata`, read tables back, and compare them with a
//! generated sample's source state and changes.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};
use strata_writer::ingest::sample::{Order, Sample};
use strata_writer::ingest::CdcFormat;

use crate::kafka::{strata_within, STRATA_TIMEOUT};

/// Runs `strata`, asserting success within [`STRATA_TIMEOUT`]; its stdout.
pub fn ok(args: &[&str]) -> String {
    ok_within(args, STRATA_TIMEOUT)
}

/// Runs `strata`, asserting success within `limit` (it is killed past that); its stdout.
pub fn ok_within(args: &[&str], limit: std::time::Duration) -> String {
    let out = strata_within(args, limit);
    assert!(
        out.status.success(),
        "strata {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Parses JSON lines.
pub fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A sample row as `strata scan` prints it.
pub fn order_json(o: &Order) -> Value {
    json!({"id": o.id, "customer": o.customer, "qty": o.qty, "price": o.price, "note": o.note})
}

/// The table's rows (`strata scan`) by id.
pub fn scan(table: &str) -> BTreeMap<i64, Value> {
    jsonl(&ok(&["scan", table]))
        .into_iter()
        .map(|r| (r["id"].as_i64().unwrap(), r))
        .collect()
}

/// Asserts two keyed row sets are equal, reporting a short summary of the differences.
pub fn same_rows(got: &BTreeMap<i64, Value>, want: &BTreeMap<i64, Value>, what: &str) {
    let missing: Vec<_> = want
        .keys()
        .filter(|k| !got.contains_key(k))
        .take(5)
        .collect();
    let extra: Vec<_> = got
        .keys()
        .filter(|k| !want.contains_key(k))
        .take(5)
        .collect();
    let differ: Vec<_> = want
        .iter()
        .filter(|(k, v)| got.get(k).is_some_and(|g| g != *v))
        .take(3)
        .map(|(k, v)| format!("{k}: got {} want {v}", got[k]))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{what}: {} rows vs {} expected; missing {missing:?}, extra {extra:?}, differing {differ:?}",
        got.len(),
        want.len()
    );
}

/// Asserts two sorted changelogs are equal, reporting counts instead of the whole lists.
pub fn same_changes(got: &[String], want: &[String], what: &str) {
    if got != want {
        let g: std::collections::BTreeSet<_> = got.iter().collect();
        let w: std::collections::BTreeSet<_> = want.iter().collect();
        panic!(
            "{what}: {} changes vs {} expected; {} missing, {} unexpected (e.g. {:?})",
            got.len(),
            want.len(),
            w.difference(&g).count(),
            g.difference(&w).count(),
            g.difference(&w).next()
        );
    }
}

/// The source table's rows by id.
pub fn model(s: &Sample) -> BTreeMap<i64, Value> {
    s.table.iter().map(|(k, o)| (*k, order_json(o))).collect()
}

/// Every change in the table's changelog (changelog-producer = input), sorted.
pub fn changelog(table: &str) -> Vec<String> {
    let latest = latest_snapshot(table).to_string();
    let mut rows: Vec<String> = jsonl(&ok(&["diff", table, "--from", "0", "--to", &latest]))
        .iter()
        .map(|r| r.to_string())
        .collect();
    rows.sort();
    rows
}

/// Every change the sample's events carry, as the changelog prints it, sorted.
pub fn expected_changelog(s: &Sample) -> Vec<String> {
    let mut rows: Vec<String> = s
        .changes
        .iter()
        .map(|(k, o)| {
            let mut v = order_json(o);
            v["_kind"] = json!(k);
            v.to_string()
        })
        .collect();
    rows.sort();
    rows
}

/// The `--format` name of a format.
pub fn format_name(f: CdcFormat) -> &'static str {
    match f {
        CdcFormat::Debezium => "debezium-json",
        CdcFormat::Canal => "canal-json",
        CdcFormat::Maxwell => "maxwell-json",
    }
}

/// The table's latest snapshot id, as `strata snapshots` lists it (any location).
pub fn latest_snapshot(table: &str) -> i64 {
    let listed: Value =
        serde_json::from_str(&ok(&["snapshots", table, "--output", "json"])).unwrap();
    listed
        .as_array()
        .and_then(|a| a.iter().filter_map(|s| s["id"].as_i64()).max())
        .unwrap_or_else(|| panic!("{table} has no snapshots"))
}

/// Writes the sample's events as JSON lines.
pub fn write_events(path: &Path, s: &Sample) {
    let text: String = s
        .events
        .iter()
        .map(|e| format!("{}\n", e.payload))
        .collect();
    std::fs::write(path, text).unwrap();
}

/// Starts `strata args` again and again, each time killing it with SIGKILL after
/// `min_ms + rand(spread_ms)` unless it has finished, until it has been killed `kills` times
/// (so no run lasts longer than `min_ms + spread_ms`).
pub fn kill_repeatedly(args: &[&str], kills: usize, min_ms: u64, spread_ms: u64, seed: u64) {
    let mut rng = strata_writer::ingest::sample::Rng::new(seed);
    let (mut killed, mut rounds) = (0, 0);
    while killed < kills {
        rounds += 1;
        assert!(
            rounds < kills * 10,
            "the ingest kept finishing before it could be killed"
        );
        let mut child = std::process::Command::new(crate::kafka::strata_bin())
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(
            min_ms + rng.below(spread_ms),
        ));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
    }
}

/// `strata ingest TABLE --format F` plus `source` flags, creating the table the suites use: key
/// `id`, 2 buckets, `changelog-producer = input` (so the changelog is every change).
pub fn ingest_args<'a>(table: &'a str, format: &'a str, source: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["ingest", table, "--format", format];
    args.extend_from_slice(source);
    args.extend([
        "--create-if-missing",
        "--primary-key",
        "id",
        "--bucket",
        "2",
        "--option",
        "changelog-producer=input",
    ]);
    args
}

/// `strata ingest` from a Kafka topic in a consumer group, committing every 500 ms and
/// stopping after 20 s without a message, with a short session (a killed member's
/// partitions move on quickly).
pub fn kafka_args<'a>(
    table: &'a str,
    format: &'a str,
    broker: &'a str,
    topic: &'a str,
    group: &'a str,
) -> Vec<&'a str> {
    let mut args = ingest_args(
        table,
        format,
        &["--kafka", broker, "--topic", topic, "--group", group],
    );
    args.extend([
        "--commit-interval",
        "500ms",
        // The idle time counts from the start: joining the group and the first fetch from
        // tansu take a second or two alone, but over ten seconds on a loaded machine (longer
        // after a SIGKILL: the dead member's session must expire first).
        "--until-idle",
        "20",
        // A killed member holds its partitions until its session expires: keep that short.
        "--kafka-option",
        "session.timeout.ms=2000",
        "--kafka-option",
        "heartbeat.interval.ms=300",
    ]);
    args
}

/// Sets `--flag`'s value (or the `--kafka-option key=`'s) in `args`.
pub fn set<'a>(args: &mut [&'a str], flag: &str, value: &'a str) {
    if let Some(a) = args
        .iter_mut()
        .find(|a| a.split_once('=').is_some_and(|(k, _)| k == flag))
    {
        *a = value;
        return;
    }
    let i = args.iter().position(|a| *a == flag).unwrap();
    args[i + 1] = value;
}
