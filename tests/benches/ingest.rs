//! Kafka CDC ingest, end to end against a real broker (tansu): rows/s from the broker into the
//! table, next to the floor of consuming and decoding the same messages without writing, and
//! the latency from produce to a visible snapshot at the default commit interval.
//!
//! `cargo bench -p strata-tests --bench ingest [-- EVENTS]` (default 100,000 events: tansu's sqlite engine is the bottleneck beyond that; needs
//! tansu, which `scripts/test.sh` installs). Prints a Markdown table for BENCHMARKS.md.

// A benchmark, not library code: a failed unwrap aborts the run, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message as _;
use strata_core::storage::Storage;
use strata_tests::kafka::Broker;
use strata_writer::ingest::formats::Decoder;
use strata_writer::ingest::kafka::{consume, KafkaOptions};
use strata_writer::ingest::sample::{generate, SampleEvent};
use strata_writer::ingest::{ingest, CdcFormat, IngestOptions};
use strata_writer::ObjectStoreStorage;

/// CPU seconds (user + system) this process has used, from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

struct Run {
    rows: u64,
    seconds: f64,
    cpu: f64,
}

/// The floor: consume every message of `topic` and decode it, writing nothing.
fn consume_and_decode(broker: &Broker, topic: &str, total: usize, group: &str) -> Run {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &broker.address)
        .set("group.id", group)
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let (mut seen, mut rows) = (0usize, 0u64);
    let mut decoder = Decoder::new(CdcFormat::Debezium);
    while seen < total {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(500)) {
            seen += 1;
            rows += decoder.decode(m.payload()).unwrap().changes.len() as u64;
        }
    }
    Run {
        rows,
        seconds: t0.elapsed().as_secs_f64(),
        cpu: cpu_seconds() - cpu0,
    }
}

fn kafka_options(broker: &Broker, topic: &str, group: &str) -> KafkaOptions {
    KafkaOptions {
        brokers: broker.address.clone(),
        topics: vec![topic.into()],
        group: group.into(),
        config: vec![],
        connect_timeout: Duration::from_secs(30),
    }
}

/// `strata ingest` (in process): from the broker (or, without one, the file) into a new
/// table, until idle (or the end of the file).
async fn ingest_run(broker: Option<&Broker>, file: &str, topic: &str, group: &str) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let loc = dir.path().join("orders");
    let loc = loc.to_str().unwrap().to_string();
    let storage: Arc<dyn Storage> = Arc::new(ObjectStoreStorage::create(&loc).unwrap());
    let idle = Duration::from_secs(5);
    let opts = IngestOptions {
        create_if_missing: true,
        primary_key: vec!["id".into()],
        bucket: 4,
        until_idle: Some(idle),
        ..IngestOptions::default()
    };
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let events = match broker {
        Some(b) => {
            consume(&kafka_options(b, topic, group), storage.clone())
                .await
                .unwrap()
                .0
        }
        None => strata_writer::ingest::source::file(storage.as_ref(), file)
            .await
            .unwrap(),
    };
    let stats = ingest(&loc, storage, opts, events, std::future::pending())
        .await
        .unwrap();
    Run {
        rows: stats.rows,
        // A broker run ends `idle` after the last message; that wait is not ingest work.
        seconds: t0.elapsed().as_secs_f64()
            - if broker.is_some() {
                idle.as_secs_f64()
            } else {
                0.0
            },
        cpu: cpu_seconds() - cpu0,
    }
}

/// Produce one event at a time and wait until a snapshot covering it is visible.
async fn latency(broker: &Broker, samples: usize) -> Vec<f64> {
    let topic = "latency";
    broker.create_topic(topic, 1);
    let dir = tempfile::tempdir().unwrap();
    let loc = dir.path().join("t");
    let loc = loc.to_str().unwrap().to_string();
    let storage: Arc<dyn Storage> = Arc::new(ObjectStoreStorage::create(&loc).unwrap());
    let opts = IngestOptions {
        create_if_missing: true,
        primary_key: vec!["id".into()],
        ..IngestOptions::default() // the default commit interval (5 s)
    };
    let (events, _consumer) = consume(&kafka_options(broker, topic, "latency"), storage.clone())
        .await
        .unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let run = tokio::spawn({
        let storage = storage.clone();
        let loc = loc.clone();
        async move {
            ingest(&loc, storage, opts, events, async {
                let _ = stop_rx.await;
            })
            .await
        }
    });
    let sample = generate(CdcFormat::Debezium, 1_000_000, samples, 1, 77);
    let mut out = Vec::new();
    let mut rng = strata_writer::ingest::sample::Rng::new(5);
    for (i, e) in sample.events.iter().enumerate() {
        // Produce at a random moment of the commit cycle.
        tokio::time::sleep(Duration::from_millis(rng.below(5_000))).await;
        let t0 = Instant::now();
        broker.produce(topic, std::slice::from_ref(e));
        loop {
            let offsets = strata_writer::ingest::source::stored_offset(storage.as_ref(), topic, 0)
                .await
                .unwrap();
            if offsets.is_some_and(|o| o > i as i64) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        out.push(t0.elapsed().as_secs_f64());
    }
    let _ = stop_tx.send(());
    run.await.unwrap().unwrap();
    out
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(100_000);
    let runs: usize = std::env::var("STRATA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let broker = Broker::start();
    let sample = generate(CdcFormat::Debezium, (events / 5) as u64, events, 4, 1);
    let bytes: usize = sample.events.iter().map(|e| e.payload.len()).sum();
    let topic = "orders";
    broker.create_topic(topic, 4);
    let t0 = Instant::now();
    for chunk in sample.events.chunks(50_000) {
        broker.produce(topic, chunk);
    }
    let produce_s = t0.elapsed().as_secs_f64();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let text: String = sample
        .events
        .iter()
        .map(|e: &SampleEvent| format!("{}\n", e.payload))
        .collect();
    std::fs::write(&file, text).unwrap();
    let file = file.to_str().unwrap();
    let changes = sample.changes.len() as u64;

    let mut floor = Vec::new();
    let mut strata = Vec::new();
    let mut embedded = Vec::new();
    for r in 0..runs {
        floor.push(consume_and_decode(
            &broker,
            topic,
            events,
            &format!("floor-{r}"),
        ));
        strata.push(ingest_run(Some(&broker), file, topic, &format!("ingest-{r}")).await);
        embedded.push(ingest_run(None, file, topic, "").await);
    }
    for run in strata.iter().chain(&embedded) {
        assert_eq!(run.rows, changes, "an ingest run wrote every change");
    }
    let lat = latency(&broker, 7).await;

    let rate = |v: &[Run]| median(v.iter().map(|r| r.rows as f64 / r.seconds).collect());
    let per_cpu = |v: &[Run]| median(v.iter().map(|r| r.rows as f64 / r.cpu.max(1e-9)).collect());
    let secs = |v: &[Run]| median(v.iter().map(|r| r.seconds).collect());
    let (s, f) = (rate(&strata), rate(&floor));
    println!(
        "{events} Debezium events (schema envelope, {:.0} bytes each), {} row changes, 4 partitions; produced in {produce_s:.1} s; median of {runs} runs\n",
        bytes as f64 / events as f64,
        changes
    );
    println!("| contender | rows/s | seconds | rows per CPU-second | vs floor |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| `strata ingest` (broker -> table, 4 buckets, compaction on) | {:.0} | {:.2} | {:.0} | {:.2}x |",
        s,
        secs(&strata),
        per_cpu(&strata),
        s / f
    );
    println!(
        "| rdkafka consume + Debezium decode only (the floor) | {:.0} | {:.2} | {:.0} | 1.00x |",
        f,
        secs(&floor),
        per_cpu(&floor)
    );
    println!(
        "| `strata ingest --file` of the same events (no broker) | {:.0} | {:.2} | {:.0} | {:.2}x |",
        rate(&embedded),
        secs(&embedded),
        per_cpu(&embedded),
        rate(&embedded) / f
    );
    let mut sorted = lat.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    println!(
        "\nproduce -> visible snapshot at the default 5 s commit interval ({} samples at random moments): median {:.2} s, max {:.2} s",
        lat.len(),
        median(lat),
        sorted.last().copied().unwrap_or(0.0)
    );
}
