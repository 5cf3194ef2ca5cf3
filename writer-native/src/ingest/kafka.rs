//! The Kafka source: a consumer-group member on a thread of its own.
//!
//! Partitions are assigned by the group, but where to read comes from the table: on every
//! assignment the consumer seeks each partition to the next offset the table's latest snapshot
//! records (the beginning if it records none). Before partitions are revoked, the pipeline
//! commits what it buffered, so the next owner starts exactly where this one stopped. Offsets
//! are never committed to the group: the table is the only record of progress.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::Message as _;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::ClientContext;
use strata_core::storage::Storage;
use strata_core::{Error, Result};
use tokio::runtime::Handle;
use tokio::sync::mpsc::{channel, Receiver, Sender};

use super::source::{current_offsets, CHANNEL_CAPACITY};
use super::{Event, Message};

/// Where and what to consume.
#[derive(Debug, Clone)]
pub struct KafkaOptions {
    /// Bootstrap servers (`host:port,...`).
    pub brokers: String,
    /// Topics.
    pub topics: Vec<String>,
    /// Consumer group.
    pub group: String,
    /// Extra librdkafka settings (`key=value`).
    pub config: Vec<(String, String)>,
}

struct IngestContext {
    tx: Sender<Event>,
    watermarks: Arc<Watermarks>,
    storage: Arc<dyn Storage>,
    runtime: Handle,
}

impl ClientContext for IngestContext {}

impl ConsumerContext for IngestContext {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let parts: Vec<(String, i32)> = tpl
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect();
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let offsets = match self
                    .runtime
                    .block_on(current_offsets(self.storage.as_ref()))
                {
                    Ok(o) => o,
                    Err(e) => {
                        let _ = self.tx.blocking_send(Event::Failed(format!(
                            "reading the table's offsets on assignment: {e}"
                        )));
                        return;
                    }
                };
                let mut assigned = Vec::with_capacity(parts.len());
                for (topic, p) in &parts {
                    let stored = offsets.get(topic).and_then(|m| m.get(p)).copied();
                    let at = stored.map_or(Offset::Beginning, Offset::Offset);
                    let _ = tpl.set_partition_offset(topic, *p, at);
                    if let Ok(mut starts) = self.watermarks.starts.lock() {
                        starts.insert((topic.clone(), *p), stored.unwrap_or(0));
                    }
                    assigned.push((Arc::<str>::from(topic.as_str()), *p, stored));
                }
                tracing::info!(partitions = ?parts, "assigned");
                // Tell the pipeline first: messages of these partitions follow the event.
                let _ = self.tx.blocking_send(Event::Assigned(assigned));
                if let Err(e) = consumer.assign(tpl) {
                    let _ = self
                        .tx
                        .blocking_send(Event::Failed(format!("assigning {parts:?}: {e}")));
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                tracing::info!(partitions = ?parts, "revoked: committing what is buffered");
                let (ack_tx, ack_rx) = std::sync::mpsc::sync_channel(1);
                let revoked = parts
                    .iter()
                    .map(|(t, p)| (Arc::<str>::from(t.as_str()), *p))
                    .collect();
                if self
                    .tx
                    .blocking_send(Event::Revoked(revoked, ack_tx))
                    .is_ok()
                {
                    // The pipeline commits, then answers; if it is gone, so is its buffer.
                    let _ = ack_rx.recv_timeout(Duration::from_secs(120));
                }
                let _ = consumer.unassign();
            }
            other => {
                tracing::warn!(error = ?other, "rebalance error");
                let _ = consumer.unassign();
            }
        }
    }
}

/// Starts a consumer thread; its events arrive on the returned channel. The thread stops when
/// the receiver is dropped.
pub fn consume(opts: &KafkaOptions, storage: Arc<dyn Storage>) -> Result<Receiver<Event>> {
    let (tx, rx) = channel(CHANNEL_CAPACITY);
    let watermarks = Watermarks::spawn(&opts.brokers).ok_or_else(|| Error::Storage {
        path: format!("kafka {}", opts.brokers),
        message: "cannot create the watermark client".into(),
    })?;
    let ctx = IngestContext {
        tx: tx.clone(),
        watermarks: watermarks.clone(),
        storage,
        runtime: Handle::current(),
    };
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", &opts.brokers)
        .set("group.id", &opts.group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false");
    for (k, v) in &opts.config {
        config.set(k, v);
    }
    let kafka = |e: KafkaError| Error::Storage {
        path: format!("kafka {}", opts.brokers),
        message: e.to_string(),
    };
    let consumer: BaseConsumer<IngestContext> = config.create_with_context(ctx).map_err(kafka)?;
    let topics: Vec<&str> = opts.topics.iter().map(String::as_str).collect();
    consumer.subscribe(&topics).map_err(kafka)?;
    std::thread::Builder::new()
        .name("kafka-source".into())
        .spawn(move || poll_loop(consumer, tx, watermarks))
        .map_err(|e| Error::Storage {
            path: "kafka source thread".into(),
            message: e.to_string(),
        })?;
    Ok(rx)
}

/// High watermarks of the partitions being read, refreshed by a thread of their own (a
/// watermark query is a broker round trip; the poll loop must never wait on one, or it misses
/// rebalances).
#[derive(Default)]
struct Watermarks {
    wanted: Mutex<Vec<(String, i32)>>,
    highs: Mutex<HashMap<(String, i32), i64>>,
    /// Where reading began, for partitions nothing was read from yet.
    starts: Mutex<HashMap<(String, i32), i64>>,
    stop: AtomicBool,
}

impl Watermarks {
    fn spawn(brokers: &str) -> Option<Arc<Watermarks>> {
        let client: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("group.id", "strata-ingest-watermarks")
            .create()
            .ok()?;
        let w = Arc::new(Watermarks::default());
        let shared = w.clone();
        std::thread::Builder::new()
            .name("kafka-watermarks".into())
            .spawn(move || {
                while !shared.stop.load(Ordering::Relaxed) {
                    let wanted = shared.wanted.lock().map(|w| w.clone()).unwrap_or_default();
                    for (t, p) in wanted {
                        if let Ok((_, high)) =
                            client.fetch_watermarks(&t, p, Duration::from_secs(2))
                        {
                            if let Ok(mut h) = shared.highs.lock() {
                                h.insert((t, p), high);
                            }
                        }
                    }
                    std::thread::sleep(Duration::from_millis(500));
                }
            })
            .ok()?;
        Some(w)
    }

    /// Messages behind the high watermarks (`None` while any is unknown).
    fn lag(&self, consumer: &BaseConsumer<IngestContext>) -> Option<i64> {
        let positions = consumer.position().ok()?;
        let parts: Vec<(String, i32)> = positions
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect();
        if let Ok(mut w) = self.wanted.lock() {
            *w = parts.clone();
        }
        if parts.is_empty() {
            return None;
        }
        let highs = self.highs.lock().ok()?;
        let starts = self.starts.lock().ok()?;
        let mut total = 0;
        for e in positions.elements() {
            let key = (e.topic().to_string(), e.partition());
            let high = *highs.get(&key)?;
            let at = match e.offset() {
                Offset::Offset(at) => at,
                // Nothing read yet: reading began at the table's offset (or the beginning).
                _ => starts.get(&key).copied().unwrap_or(0),
            };
            total += (high - at).max(0);
        }
        Some(total)
    }
}

fn poll_loop(
    consumer: BaseConsumer<IngestContext>,
    tx: Sender<Event>,
    watermarks: Arc<Watermarks>,
) {
    let mut topics: HashMap<String, Arc<str>> = Default::default();
    let mut lag_at = std::time::Instant::now();
    loop {
        if tx.is_closed() {
            break;
        }
        if lag_at.elapsed() >= Duration::from_secs(2) {
            lag_at = std::time::Instant::now();
            if let Some(n) = watermarks.lag(&consumer) {
                if tx.blocking_send(Event::Lag(n)).is_err() {
                    break;
                }
            }
        }
        let event = match consumer.poll(Duration::from_millis(200)) {
            // Idle means caught up: a consumer waiting for partitions, or for a slow fetch of
            // messages the partitions already hold, is not idle.
            None if watermarks.lag(&consumer) == Some(0) => Event::Idle,
            None => continue,
            Some(Ok(m)) => {
                let topic = topics
                    .entry(m.topic().to_string())
                    .or_insert_with(|| m.topic().into())
                    .clone();
                Event::Message(Message {
                    source: topic,
                    partition: m.partition(),
                    offset: m.offset(),
                    payload: m.payload().map(<[u8]>::to_vec),
                })
            }
            Some(Err(e)) => {
                // Transient broker errors are retried by librdkafka; report and go on.
                tracing::warn!(error = %e, "kafka consumer error");
                continue;
            }
        };
        if tx.blocking_send(event).is_err() {
            break;
        }
    }
    watermarks.stop.store(true, Ordering::Relaxed);
    consumer.unsubscribe();
}
