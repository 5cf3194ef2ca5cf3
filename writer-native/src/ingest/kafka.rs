//! The Kafka source: a consumer-group member on a thread of its own.
//!
//! Partitions are assigned by the group, but where to read comes from the table: on every
//! assignment the consumer seeks each partition to the next offset the table's latest snapshot
//! records (the beginning if it records none). Before partitions are revoked, the pipeline
//! commits what it buffered, so the next owner starts exactly where this one stopped. Offsets
//! are never committed to the group: the table is the only record of progress.
//!
//! Every wait is bounded: start-up checks within the connect timeout that a broker answers and
//! that every topic exists; the rebalance callback bounds its read of the table's offsets and
//! its wait for the pipeline's commit; the consumer thread stops as soon as the pipeline drops
//! its events, and [`ConsumerThread::wait`] bounds how long the caller waits for it to leave
//! the group. librdkafka's own logs and errors go through `tracing`, at most one line per kind
//! of message every [`LOG_WINDOW`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::Message as _;
use rdkafka::topic_partition_list::{Offset, TopicPartitionList};
use rdkafka::types::{RDKafkaErrorCode, RDKafkaRespErr};
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
    /// Topics (a name starting with `^` is a regular expression, as in librdkafka).
    pub topics: Vec<String>,
    /// Consumer group.
    pub group: String,
    /// Extra librdkafka settings (`key=value`).
    pub config: Vec<(String, String)>,
    /// How long start-up waits for a broker to answer with the topics' metadata.
    pub connect_timeout: Duration,
}

/// The longest the rebalance callback waits for the table's offsets on an assignment.
const OFFSETS_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest the rebalance callback waits for the pipeline to commit before partitions are
/// revoked.
const REVOKE_TIMEOUT: Duration = Duration::from_secs(120);

/// librdkafka lines of one kind (one log facility and level, or one error code) are shown at
/// most once in this window; the next one shown says how many were held back.
pub const LOG_WINDOW: Duration = Duration::from_secs(30);

/// Shows at most one line of each kind per window (a kind is any key, such as a log facility
/// and level).
#[derive(Debug)]
pub struct RateLimit {
    window: Duration,
    /// Per kind: when a line was last shown, and how many were held back since.
    seen: HashMap<String, (Instant, u64)>,
}

impl RateLimit {
    /// The most kinds remembered; past that the memory starts over (a hostile or chatty
    /// broker must not grow it without bound).
    const MAX_KINDS: usize = 1024;

    /// A limit of one line per kind per `window`.
    pub fn new(window: Duration) -> RateLimit {
        RateLimit {
            window,
            seen: HashMap::new(),
        }
    }

    /// Whether a line of kind `key` seen at `now` is shown: `Some(n)` with the number of lines
    /// of its kind held back since the last one shown, or `None` to hold it back.
    pub fn admit(&mut self, key: &str, now: Instant) -> Option<u64> {
        if let Some((shown, held)) = self.seen.get_mut(key) {
            if now.saturating_duration_since(*shown) < self.window {
                *held += 1;
                return None;
            }
            let n = *held;
            *shown = now;
            *held = 0;
            return Some(n);
        }
        if self.seen.len() >= Self::MAX_KINDS {
            self.seen.clear();
        }
        self.seen.insert(key.to_string(), (now, 0));
        Some(0)
    }
}

/// librdkafka's logs and errors, routed to `tracing` (target `librdkafka`) and rate-limited;
/// the last error is kept for the start-up check's message.
#[derive(Debug)]
struct KafkaLog {
    limit: Mutex<RateLimit>,
    last_error: Mutex<Option<String>>,
}

impl Default for KafkaLog {
    fn default() -> Self {
        KafkaLog {
            limit: Mutex::new(RateLimit::new(LOG_WINDOW)),
            last_error: Mutex::new(None),
        }
    }
}

impl KafkaLog {
    /// `Some(note)` when a line of kind `key` is shown now (the note tells how many were held
    /// back), `None` when it is held back. The kinds are coarse on purpose: a log facility and
    /// level (librdkafka's lines name brokers, threads and milliseconds, so their texts rarely
    /// repeat exactly) or an error code.
    fn admit(&self, key: &str) -> Option<String> {
        let mut limit = self.limit.lock().ok()?;
        let held = limit.admit(key, Instant::now())?;
        Some(if held == 0 {
            String::new()
        } else {
            format!(" ({held} more like it held back)")
        })
    }

    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        let kind = || format!("log {fac} {level:?}");
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => {
                self.remember(message);
                if let Some(note) = self.admit(&kind()) {
                    tracing::error!(target: "librdkafka", "{fac}: {message}{note}");
                }
            }
            RDKafkaLogLevel::Warning => {
                if let Some(note) = self.admit(&kind()) {
                    tracing::warn!(target: "librdkafka", "{fac}: {message}{note}");
                }
            }
            RDKafkaLogLevel::Notice => tracing::info!(target: "librdkafka", "{fac}: {message}"),
            RDKafkaLogLevel::Info | RDKafkaLogLevel::Debug => {
                tracing::debug!(target: "librdkafka", "{fac}: {message}")
            }
        }
    }

    fn error(&self, error: &KafkaError, reason: &str) {
        self.remember(reason);
        let text = error.to_string();
        if let Some(note) = self.admit(&format!("error {text}")) {
            tracing::error!(target: "librdkafka", "{text}: {reason}{note}");
        }
    }

    fn remember(&self, message: &str) {
        // librdkafka prefixes its thread ("[thrd:127.0.0.1:1/bootstrap]: "): not for users.
        let message = match message.strip_prefix("[thrd:") {
            Some(rest) => rest.split_once("]: ").map_or(message, |(_, m)| m),
            None => message,
        };
        if let Ok(mut last) = self.last_error.lock() {
            *last = Some(message.to_string());
        }
    }

    fn last_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|l| l.clone())
    }
}

/// The context of the clients that are not group members (the start-up check and the
/// watermark queries).
#[derive(Default)]
struct LogContext {
    log: Arc<KafkaLog>,
}

impl ClientContext for LogContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        self.log.log(level, fac, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.log.error(&error, reason);
    }
}

impl ConsumerContext for LogContext {}

/// Serves a client's queued events without waiting: its log lines reach [`KafkaLog`] and its
/// errors are logged (rate-limited) and remembered. A client outside the group has nothing
/// else on its queue, which grows unless something reads it.
fn drain(client: &BaseConsumer<LogContext>) {
    for _ in 0..1000 {
        match client.poll(Duration::ZERO) {
            None => return,
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                let log = &client.context().log;
                let text = e.to_string();
                log.remember(&text);
                if let Some(note) = log.admit(&format!("client {text}")) {
                    tracing::warn!(target: "librdkafka", "{text}{note}");
                }
            }
        }
    }
}

struct IngestContext {
    tx: Sender<Event>,
    watermarks: Arc<Watermarks>,
    storage: Arc<dyn Storage>,
    runtime: Handle,
    log: Arc<KafkaLog>,
    /// Set on the first assignment.
    assigned: Arc<AtomicBool>,
}

impl ClientContext for IngestContext {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, message: &str) {
        self.log.log(level, fac, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.log.error(&error, reason);
    }
}

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
                if self.tx.is_closed() {
                    // The pipeline has stopped (and the runtime may be going away): read nothing.
                    return;
                }
                let storage = self.storage.clone();
                let read = self.runtime.block_on(async move {
                    tokio::time::timeout(OFFSETS_TIMEOUT, current_offsets(storage.as_ref())).await
                });
                let offsets = match read {
                    Ok(Ok(o)) => o,
                    Ok(Err(e)) => {
                        let _ = self.tx.blocking_send(Event::Failed(format!(
                            "reading the table's offsets on assignment of {parts:?}: {e}"
                        )));
                        return;
                    }
                    Err(_) => {
                        let _ = self.tx.blocking_send(Event::Failed(format!(
                            "reading the table's offsets on assignment of {parts:?} took more \
                             than {}s: check that the table's storage is reachable",
                            OFFSETS_TIMEOUT.as_secs()
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
                self.assigned.store(true, Ordering::Relaxed);
                // Tell the pipeline first: messages of these partitions follow the event.
                if self.tx.blocking_send(Event::Assigned(assigned)).is_err() {
                    return; // the pipeline has stopped
                }
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
                    // The pipeline commits, then answers; if it is gone, so is its buffer (and
                    // the acknowledgement with it, which ends this wait at once).
                    if ack_rx.recv_timeout(REVOKE_TIMEOUT).is_err() {
                        tracing::warn!(partitions = ?parts, "the pipeline did not confirm its commit before the partitions were revoked");
                    }
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

/// The consumer's thread, to wait for after the pipeline has dropped its events (the thread
/// then unsubscribes and leaves the group).
#[derive(Debug)]
pub struct ConsumerThread {
    /// Disconnected when the thread ends.
    ended: std::sync::mpsc::Receiver<()>,
    assigned: Arc<AtomicBool>,
}

impl ConsumerThread {
    /// Whether the group ever assigned this consumer a partition.
    pub fn was_assigned(&self) -> bool {
        self.assigned.load(Ordering::Relaxed)
    }

    /// Waits up to `timeout` for the consumer to leave its group and its thread to end
    /// (drop the events receiver first); whether it did.
    pub fn wait(&self, timeout: Duration) -> bool {
        matches!(
            self.ended.recv_timeout(timeout),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) | Ok(())
        )
    }
}

/// Checks, for at most `opts.connect_timeout`, that a broker answers and that every topic
/// exists and has partitions.
fn check_topics(client: &BaseConsumer<LogContext>, opts: &KafkaOptions) -> Result<()> {
    let deadline = Instant::now() + opts.connect_timeout;
    let topics = opts.topics.join(",");
    let mut answered = false;
    let mut last: Option<String> = None;
    // A pattern subscription names no topic to look up: a broker answering is enough.
    let wanted: Vec<Option<&str>> = match opts.topics.iter().any(|t| t.starts_with('^')) {
        true => vec![None],
        false => opts.topics.iter().map(|t| Some(t.as_str())).collect(),
    };
    for topic in wanted {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            drain(client);
            if left.is_zero() {
                // Unanswered, librdkafka's own reason ("Connect to ... failed: Connection
                // refused") says more than the metadata request's error; answered, the topic's
                // error is the one that matters.
                let logged = client.context().log.last_error();
                let last = if answered {
                    last.or(logged)
                } else {
                    logged.or(last)
                };
                let last = last.map_or(String::new(), |e| format!("; the last error: {e}"));
                return Err(Error::Storage {
                    path: format!("kafka {}", opts.brokers),
                    message: if answered {
                        format!(
                            "topic {} was not ready within {:?}{last}",
                            topic.unwrap_or(&topics),
                            opts.connect_timeout
                        )
                    } else {
                        format!(
                            "no broker answered within {:?} (topics {topics}): check that the \
                             brokers are running and reachable from here and that --kafka names \
                             them as host:port, or raise --connect-timeout{last}",
                            opts.connect_timeout
                        )
                    },
                });
            }
            match client.fetch_metadata(topic, left) {
                Err(e) => {
                    last = Some(e.to_string());
                    std::thread::sleep(left.min(Duration::from_millis(200)));
                    continue;
                }
                Ok(metadata) => {
                    answered = true;
                    let Some(name) = topic else { break };
                    let found = metadata.topics().iter().find(|t| t.name() == name);
                    match found.map(|t| (t.error(), t.partitions().len())) {
                        Some((None, n)) if n > 0 => break,
                        None
                        | Some((
                            Some(RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART),
                            _,
                        )) => {
                            return Err(Error::NotFound {
                                path: format!(
                                    "kafka topic {name} on {} (strata ingest does not create \
                                     topics: create it, or check --topic and --kafka)",
                                    opts.brokers
                                ),
                            });
                        }
                        Some((e, _)) => {
                            last = Some(match e {
                                Some(e) => RDKafkaErrorCode::from(e).to_string(),
                                None => "no partitions".into(),
                            });
                            std::thread::sleep(left.min(Duration::from_millis(200)));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Checks within `opts.connect_timeout` that a broker answers and every topic exists, then
/// starts a consumer thread; its events arrive on the returned channel. The thread stops when
/// the receiver is dropped; wait for it with [`ConsumerThread::wait`].
pub async fn consume(
    opts: &KafkaOptions,
    storage: Arc<dyn Storage>,
) -> Result<(Receiver<Event>, ConsumerThread)> {
    let log = Arc::new(KafkaLog::default());
    let kafka = |e: KafkaError| Error::Storage {
        path: format!("kafka {}", opts.brokers),
        message: e.to_string(),
    };
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &opts.brokers);
    for (k, v) in &opts.config {
        config.set(k, v);
    }
    // The start-up check and the watermark queries share a client outside any group (without
    // a group.id it never talks to a group coordinator, and closing it never waits on one).
    let client: BaseConsumer<LogContext> = config
        .clone()
        .remove("group.id")
        .create_with_context(LogContext { log: log.clone() })
        .map_err(kafka)?;
    let check = opts.clone();
    let client =
        tokio::task::spawn_blocking(move || check_topics(&client, &check).map(|()| client))
            .await
            .map_err(|e| Error::Storage {
                path: format!("kafka {}", opts.brokers),
                message: format!("the start-up check failed: {e}"),
            })??;
    let watermarks = Watermarks::spawn(client).map_err(|e| Error::Storage {
        path: "kafka watermark thread".into(),
        message: e.to_string(),
    })?;
    let (tx, rx) = channel(CHANNEL_CAPACITY);
    let assigned = Arc::new(AtomicBool::new(false));
    let ctx = IngestContext {
        tx: tx.clone(),
        watermarks: watermarks.clone(),
        storage,
        runtime: Handle::current(),
        log,
        assigned: assigned.clone(),
    };
    config
        .set("group.id", &opts.group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("enable.partition.eof", "false");
    for (k, v) in &opts.config {
        config.set(k, v);
    }
    let consumer: BaseConsumer<IngestContext> = config.create_with_context(ctx).map_err(kafka)?;
    let topics: Vec<&str> = opts.topics.iter().map(String::as_str).collect();
    consumer.subscribe(&topics).map_err(kafka)?;
    let (ended_tx, ended) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("kafka-source".into())
        .spawn(move || {
            poll_loop(consumer, tx, watermarks);
            drop(ended_tx);
        })
        .map_err(|e| Error::Storage {
            path: "kafka source thread".into(),
            message: e.to_string(),
        })?;
    Ok((rx, ConsumerThread { ended, assigned }))
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
    fn spawn(client: BaseConsumer<LogContext>) -> std::io::Result<Arc<Watermarks>> {
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
                    drain(&client);
                    std::thread::sleep(Duration::from_millis(500));
                }
            })?;
        Ok(w)
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
    let mut lag_at = Instant::now();
    loop {
        if tx.is_closed() {
            break;
        }
        if lag_at.elapsed() >= Duration::from_secs(2) {
            lag_at = Instant::now();
            if let Some(n) = watermarks.lag(&consumer) {
                // Progress only: never wait for room (a full channel means a busy pipeline).
                let _ = tx.try_send(Event::Lag(n));
            }
        }
        // Idle time is the pipeline's to count (`--until-idle`): the poll just returns.
        let event = match consumer.poll(Duration::from_millis(200)) {
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
                let text = e.to_string();
                if let Some(note) = consumer.context().log.admit(&format!("consumer {text}")) {
                    tracing::warn!(error = %text, "kafka consumer error{note}");
                }
                continue;
            }
        };
        // Waits only while the pipeline is alive and busy: once it drops its receiver, this
        // fails at once.
        if tx.blocking_send(event).is_err() {
            break;
        }
    }
    watermarks.stop.store(true, Ordering::Relaxed);
    // Leave the group now, so that its other members (or the next ingest) get the partitions
    // without waiting for this member's session to expire. Dropping the consumer closes it;
    // the caller bounds how long it waits for that ([`ConsumerThread::wait`]).
    consumer.unsubscribe();
    drop(consumer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_shows_one_line_per_kind_per_window() {
        let t0 = Instant::now();
        let mut limit = RateLimit::new(Duration::from_secs(30));
        assert_eq!(limit.admit("a", t0), Some(0));
        for i in 1..=20 {
            assert_eq!(limit.admit("a", t0 + Duration::from_millis(50 * i)), None);
        }
        // Another kind is not held back by the first.
        assert_eq!(limit.admit("b", t0 + Duration::from_secs(1)), Some(0));
        // After the window, the next line is shown with the count held back.
        assert_eq!(limit.admit("a", t0 + Duration::from_secs(31)), Some(20));
        assert_eq!(limit.admit("a", t0 + Duration::from_secs(32)), None);
        assert_eq!(limit.admit("a", t0 + Duration::from_secs(62)), Some(1));
    }

    #[test]
    fn rate_limit_memory_is_bounded() {
        let t0 = Instant::now();
        let mut limit = RateLimit::new(Duration::from_secs(30));
        for i in 0..10_000 {
            limit.admit(&i.to_string(), t0);
        }
        assert!(limit.seen.len() <= RateLimit::MAX_KINDS);
    }

    #[test]
    fn a_kind_of_librdkafka_line_shows_once_per_window() {
        let log = KafkaLog::default();
        assert_eq!(log.admit("log FAIL Error"), Some(String::new()));
        assert_eq!(log.admit("log FAIL Error"), None);
        assert_eq!(log.admit("log FAIL Warning"), Some(String::new()));
        assert_eq!(
            log.admit("error Global error: AllBrokersDown"),
            Some(String::new())
        );
        log.log(
            RDKafkaLogLevel::Error,
            "FAIL",
            "[thrd:b/1]: b/1: Connect failed",
        );
        assert_eq!(log.last_error().as_deref(), Some("b/1: Connect failed"));
    }
}
