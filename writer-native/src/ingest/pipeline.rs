//! The ingest pipeline: events in, decoded and converted rows buffered, commits out.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::now_millis;
use serde_json::json;
use strata_core::commit::offsets::OffsetClaim;
use strata_core::schema::TableSchema;
use strata_core::schema_evolution::{commit_schema, evolve, SchemaChange};
use strata_core::storage::Storage;
use strata_core::table::Table;
use strata_core::{Error, Result};
use tokio::sync::mpsc::Receiver;

use super::buffer::RowBuffer;
use super::compaction::BackgroundCompaction;
use super::dead_letter::DeadLetters;
use super::formats::{CdcFormat, Decoded, Decoder};
use super::schema_sync;
use super::{Event, Message};
use crate::storage::StorageOptions;
use strata_core::write::{write, Input, WriteOptions};

/// What to do with a message that cannot be ingested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OnError {
    /// Commit what came before it, then stop with an error naming it.
    #[default]
    Fail,
    /// Write it to the dead-letter file and go on.
    Skip,
}

/// How `strata ingest` runs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The message format.
    pub format: CdcFormat,
    /// Time between commits.
    pub commit_interval: Duration,
    /// Rows buffered before a commit regardless of the interval (bounds memory).
    pub max_buffer_rows: usize,
    /// Create the table from the first message if it does not exist.
    pub create_if_missing: bool,
    /// Primary key of a created table (default: the key the messages name).
    pub primary_key: Vec<String>,
    /// Partition columns of a created table.
    pub partition: Vec<String>,
    /// Bucket count of a created table.
    pub bucket: i32,
    /// Table options of a created table.
    pub table_options: Vec<(String, String)>,
    /// Bad messages: fail or skip.
    pub on_error: OnError,
    /// Where skipped messages go (JSON lines): a file, or a directory on an object store.
    pub dead_letter: Option<String>,
    /// Settings for an object-store dead-letter location.
    pub storage: StorageOptions,
    /// Stop after this long without a message, counted from the start and from each message
    /// whatever else happens (waiting for a broker or a partition assignment, rebalances);
    /// files and stdin also stop at their end.
    pub until_idle: Option<Duration>,
    /// Run universal compaction in the background after commits.
    pub compact: bool,
    /// Print progress lines to stderr.
    pub progress: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            format: CdcFormat::Debezium,
            commit_interval: Duration::from_secs(5),
            max_buffer_rows: 500_000,
            create_if_missing: false,
            primary_key: Vec::new(),
            partition: Vec::new(),
            bucket: 4,
            table_options: Vec::new(),
            on_error: OnError::Fail,
            dead_letter: None,
            storage: StorageOptions::default(),
            until_idle: None,
            compact: true,
            progress: false,
        }
    }
}

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Messages read (including skipped ones and ones already in the table).
    pub messages: u64,
    /// Row changes written.
    pub rows: u64,
    /// Messages sent to the dead-letter file.
    pub skipped: u64,
    /// Messages already covered by the table's offsets.
    pub duplicates: u64,
    /// Snapshots committed (not counting compactions).
    pub commits: u64,
    /// The last snapshot committed.
    pub last_snapshot: Option<i64>,
    /// Schema changes applied.
    pub schema_changes: u64,
}

/// Where one source partition stands.
#[derive(Debug, Clone, Copy, Default)]
struct Position {
    /// The table's offset when this writer began (or last committed) the partition.
    from: Option<i64>,
    /// The offset after the last message buffered since then.
    next: Option<i64>,
}

struct Pipeline {
    decoder: Decoder,
    location: String,
    storage: Arc<dyn Storage>,
    opts: IngestOptions,
    table: Option<Arc<Table>>,
    buffer: RowBuffer,
    positions: HashMap<(Arc<str>, i32), Position>,
    user: String,
    identifier: i64,
    last_commit: Instant,
    stats: IngestStats,
    dead_letter: Option<DeadLetters>,
    compaction: BackgroundCompaction,
    started: Instant,
    lag: Option<i64>,
}

/// A message that cannot be ingested: where and why.
fn bad_message(msg: &Message, why: impl std::fmt::Display) -> Error {
    Error::InvalidValue(format!("{}: {why}", msg.location()))
}

/// `--until-idle`: how long since the last message (or the start), whatever else the source
/// reports.
#[derive(Debug, Clone, Copy)]
pub struct IdleClock {
    limit: Option<Duration>,
    last: Instant,
}

impl IdleClock {
    /// A clock that runs out after `limit` without a message (never with `None`), starting
    /// at `now`.
    pub fn new(limit: Option<Duration>, now: Instant) -> IdleClock {
        IdleClock { limit, last: now }
    }

    /// A message arrived at `now`.
    pub fn message(&mut self, now: Instant) {
        self.last = now;
    }

    /// Time left at `now` before the clock runs out (`None`: it never does).
    pub fn left(&self, now: Instant) -> Option<Duration> {
        self.limit
            .map(|d| d.saturating_sub(now.saturating_duration_since(self.last)))
    }

    /// Whether the clock has run out at `now`.
    pub fn expired(&self, now: Instant) -> bool {
        self.left(now).is_some_and(|d| d.is_zero())
    }
}

/// Runs an ingest until the source ends, `until_idle` passes without a message, the source
/// fails, or `shutdown` resolves; commits what is buffered before returning (except after a
/// failed commit).
pub async fn ingest(
    location: &str,
    storage: Arc<dyn Storage>,
    opts: IngestOptions,
    mut events: Receiver<Event>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<IngestStats> {
    let table = match strata_core::schema::latest_schema_id(storage.as_ref()).await? {
        Some(_) => Some(Arc::new(Table::open(storage.clone()).await?)),
        None if opts.create_if_missing => None,
        None => {
            return Err(Error::NotFound {
                path: format!("{location} (no table here; use --create-if-missing)"),
            })
        }
    };
    if let Some(t) = &table {
        if !t.schema().has_primary_key() {
            return Err(Error::InvalidValue(format!(
                "{location}: CDC ingest needs a primary-key table"
            )));
        }
    }
    let dead_letter = opts
        .dead_letter
        .as_deref()
        .map(|l| DeadLetters::open(l, &opts.storage))
        .transpose()?;
    let mut p = Pipeline {
        decoder: Decoder::new(opts.format),
        location: location.to_string(),
        storage,
        table,
        buffer: RowBuffer::default(),
        positions: HashMap::new(),
        user: uuid::Uuid::new_v4().to_string(),
        identifier: 0,
        last_commit: Instant::now(),
        stats: IngestStats::default(),
        dead_letter,
        compaction: BackgroundCompaction::default(),
        started: Instant::now(),
        lag: None,
        opts,
    };
    p.reset_buffer();
    tokio::pin!(shutdown);
    let mut idle = IdleClock::new(p.opts.until_idle, Instant::now());
    loop {
        // Events already waiting (messages that arrived during a long commit) come first.
        if idle.expired(Instant::now()) && events.is_empty() {
            tracing::info!(
                "no message for {:?}: stopping (--until-idle)",
                p.opts.until_idle.unwrap_or_default()
            );
            break;
        }
        let mut wait = p
            .opts
            .commit_interval
            .saturating_sub(p.last_commit.elapsed());
        if let Some(left) = idle.left(Instant::now()) {
            wait = wait.min(left);
        }
        let wait = wait.max(Duration::from_millis(10));
        let event = tokio::select! {
            _ = &mut shutdown => {
                tracing::info!("shutting down: committing what is buffered");
                break;
            }
            e = tokio::time::timeout(wait, events.recv()) => e,
        };
        match event {
            Err(_) => {} // the commit interval or the idle time elapsed
            Ok(None) | Ok(Some(Event::End)) => break,
            Ok(Some(Event::Failed(why))) => {
                p.commit().await?;
                return Err(Error::Storage {
                    path: "source".into(),
                    message: why,
                });
            }
            Ok(Some(Event::Lag(n))) => p.lag = Some(n),
            Ok(Some(Event::Assigned(parts))) => {
                for (source, partition, from) in parts {
                    p.positions
                        .insert((source, partition), Position { from, next: None });
                }
            }
            Ok(Some(Event::Revoked(parts, ack))) => {
                p.commit().await?;
                for (s, part) in parts {
                    p.positions.remove(&(s, part));
                }
                let _ = ack.send(());
            }
            Ok(Some(Event::Message(m))) => {
                idle.message(Instant::now());
                if let Err(e) = p.message(m).await {
                    // Keep what came before the bad message, then stop.
                    p.commit().await?;
                    p.compaction.finish(p.table.clone(), p.opts.compact).await;
                    return Err(e);
                }
            }
        }
        if p.buffer.len() >= p.opts.max_buffer_rows
            || p.last_commit.elapsed() >= p.opts.commit_interval
        {
            p.commit().await?;
        }
    }
    p.commit().await?;
    p.compaction.finish(p.table.clone(), p.opts.compact).await;
    Ok(p.stats)
}

impl Pipeline {
    fn schema(&self) -> Option<&Arc<TableSchema>> {
        self.table.as_ref().map(|t| t.schema())
    }

    fn reset_buffer(&mut self) {
        let schema = self.table.as_ref().map(|t| t.schema().clone());
        self.buffer.reset(schema.as_deref());
    }

    async fn message(&mut self, msg: Message) -> Result<()> {
        self.stats.messages += 1;
        let key = (msg.source.clone(), msg.partition);
        let pos = self.positions.entry(key.clone()).or_default();
        if let Some(n) = pos.next.or(pos.from) {
            if msg.offset < n {
                self.stats.duplicates += 1; // already in the table (or in the buffer)
                return Ok(());
            }
        }
        match self.rows_of(&msg).await {
            Ok(()) => {}
            Err(e @ Error::InvalidValue(_)) if self.opts.on_error == OnError::Skip => {
                self.dead_letter(&msg, &e)?;
            }
            Err(e) => return Err(e),
        }
        if msg.resumable() {
            self.positions.entry(key).or_default().next = Some(msg.offset + 1);
        }
        Ok(())
    }

    fn dead_letter(&mut self, msg: &Message, e: &Error) -> Result<()> {
        self.stats.skipped += 1;
        let Some(d) = self.dead_letter.as_mut() else {
            return Err(Error::InvalidValue(format!(
                "{e} (--on-error skip needs a --dead-letter file, so that nothing is dropped silently)"
            )));
        };
        let payload = msg.payload.as_deref().map(String::from_utf8_lossy);
        let line = json!({
            "source": &*msg.source,
            "partition": msg.partition,
            "offset": msg.offset,
            "error": e.to_string(),
            "payload": payload,
        });
        d.add(line.to_string());
        tracing::warn!(location = %msg.location(), error = %e, "message sent to the dead-letter file");
        Ok(())
    }

    /// Decodes a message and buffers its rows (all or none).
    async fn rows_of(&mut self, msg: &Message) -> Result<()> {
        let decoded = self
            .decoder
            .decode(msg.payload.as_deref())
            .map_err(|e| bad_message(msg, e))?;
        if decoded.changes.is_empty() {
            return Ok(());
        }
        if self.table.is_none() {
            self.create_table(msg, &decoded).await?;
        }
        let schema = self
            .schema()
            .ok_or_else(|| bad_message(msg, "no table to write to"))?;
        let change = schema_sync::schema_change(schema, &decoded, &msg.location())?;
        if !change.is_empty() {
            self.commit().await?;
            self.apply_schema_change(msg, &change).await?;
        }
        let schema = self
            .schema()
            .ok_or_else(|| bad_message(msg, "no table to write to"))?
            .clone();
        self.buffer
            .push(&schema, &decoded)
            .map_err(|why| bad_message(msg, why))
    }

    async fn apply_schema_change(&mut self, msg: &Message, change: &SchemaChange) -> Result<()> {
        for _ in 0..10 {
            let current = TableSchema::load_latest(self.storage.as_ref()).await?;
            let next = evolve(&current, change, now_millis()).map_err(|e| Error::Unsupported {
                file: msg.location(),
                what: e.to_string(),
            })?;
            if next.id != current.id {
                match commit_schema(self.storage.as_ref(), &next).await {
                    Ok(()) => {}
                    Err(Error::AlreadyExists { .. }) => continue,
                    Err(e) => return Err(e),
                }
                self.stats.schema_changes += 1;
                tracing::info!(schema = next.id, location = %msg.location(), add = ?change.add, widen = ?change.widen, "schema evolved");
            }
            self.table = Some(Arc::new(Table::open(self.storage.clone()).await?));
            self.reset_buffer();
            return Ok(());
        }
        Err(Error::Conflict(
            "schema evolution kept racing with other writers".into(),
        ))
    }

    async fn create_table(&mut self, msg: &Message, decoded: &Decoded) -> Result<()> {
        let schema =
            schema_sync::created_schema(decoded, &self.opts, &msg.location(), now_millis())?;
        match strata_core::create_table::create_table(self.storage.as_ref(), &schema).await {
            Ok(()) => {
                tracing::info!(table = %self.location, "created the table from {}", msg.location())
            }
            Err(Error::AlreadyExists { .. }) => {} // another ingest created it first
            Err(e) => return Err(e),
        }
        self.table = Some(Arc::new(Table::open(self.storage.clone()).await?));
        self.reset_buffer();
        Ok(())
    }

    /// Commits the buffer and the offsets it covers as one snapshot.
    async fn commit(&mut self) -> Result<()> {
        let result = self.commit_buffer().await;
        // The interval counts from the end of a commit, so a slow commit never makes the next
        // one follow at once.
        self.last_commit = Instant::now();
        result
    }

    async fn commit_buffer(&mut self) -> Result<()> {
        let claims: Vec<OffsetClaim> = self
            .positions
            .iter()
            .filter_map(|((s, p), pos)| {
                pos.next.map(|to| OffsetClaim {
                    source: s.to_string(),
                    partition: *p,
                    from: pos.from,
                    to,
                })
            })
            .collect();
        let Some(table) = self.table.clone() else {
            return Ok(()); // nothing decoded yet, so nothing to record
        };
        if self.buffer.is_empty() && claims.is_empty() {
            return Ok(());
        }
        self.compaction
            .wait_if_behind(&table, self.opts.compact)
            .await;
        let rows = self.buffer.len();
        let batch = self.buffer.batch(table.schema())?;
        self.identifier += 1;
        // The skipped messages' lines are durable before the offsets that pass them.
        if let Some(d) = self.dead_letter.as_mut() {
            d.persist(&self.user, self.identifier).await?;
        }
        let inputs = vec![Input {
            path: "ingest buffer".into(),
            first_line: 1,
            batch,
            kinds: Some(self.buffer.kinds().to_vec()),
        }];
        let snapshot = write(
            table.clone(),
            inputs,
            WriteOptions {
                commit_user: Some(self.user.clone()),
                commit_identifier: Some(self.identifier),
                offsets: claims,
                ..WriteOptions::default()
            },
            crate::runtime::env(),
        )
        .await?;
        for pos in self.positions.values_mut() {
            if let Some(n) = pos.next.take() {
                pos.from = Some(n);
            }
        }
        self.reset_buffer();
        self.stats.rows += rows as u64;
        if let Some(s) = snapshot {
            self.stats.commits += 1;
            self.stats.last_snapshot = Some(s.id);
            let secs = self.started.elapsed().as_secs_f64().max(1e-3);
            tracing::info!(snapshot = s.id, rows, "committed");
            if self.opts.progress {
                let lag = self
                    .lag
                    .map_or(String::new(), |n| format!(" | lag {n} messages"));
                eprintln!(
                    "strata ingest: snapshot {} | {} rows in this commit | {} rows, {} messages, {:.0} rows/s | {} skipped{lag}",
                    s.id,
                    rows,
                    self.stats.rows,
                    self.stats.messages,
                    self.stats.rows as f64 / secs,
                    self.stats.skipped
                );
            }
            self.compaction.after_commit(table, self.opts.compact);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_clock_counts_from_the_start_and_from_each_message() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut clock = IdleClock::new(Some(s(4)), t0);
        assert_eq!(clock.left(t0 + s(1)), Some(s(3)));
        assert!(!clock.expired(t0 + s(3)));
        assert!(clock.expired(t0 + s(4)));
        clock.message(t0 + s(3));
        assert!(!clock.expired(t0 + s(6)));
        assert!(clock.expired(t0 + s(7)));
        // A clock read before its start (instants from another thread) is not expired.
        assert_eq!(clock.left(t0), Some(s(4)));
        let never = IdleClock::new(None, t0);
        assert_eq!(never.left(t0 + s(1_000_000)), None);
        assert!(!never.expired(t0 + s(1_000_000)));
    }

    /// Runs an ingest into a new table directory with `until_idle`, fed by `feed`; how long it
    /// took and what it did.
    async fn idle_ingest(
        until_idle: Duration,
        feed: impl FnOnce(tokio::sync::mpsc::Sender<Event>) + Send + 'static,
    ) -> (Duration, IngestStats) {
        let dir = tempfile::tempdir().unwrap();
        let location = dir.path().join("t");
        let location = location.to_str().unwrap();
        let storage: Arc<dyn Storage> =
            Arc::new(crate::ObjectStoreStorage::create(location).unwrap());
        let (tx, rx) = tokio::sync::mpsc::channel(16);
        feed(tx);
        let opts = IngestOptions {
            create_if_missing: true,
            primary_key: vec!["id".into()],
            until_idle: Some(until_idle),
            commit_interval: Duration::from_millis(50),
            ..IngestOptions::default()
        };
        let started = Instant::now();
        let stats = tokio::time::timeout(
            Duration::from_secs(20),
            ingest(location, storage, opts, rx, std::future::pending()),
        )
        .await
        .expect("--until-idle stops the ingest")
        .unwrap();
        (started.elapsed(), stats)
    }

    #[tokio::test]
    async fn until_idle_stops_a_source_that_never_sends_anything() {
        let (took, stats) = idle_ingest(Duration::from_millis(300), |tx| {
            // The source stays alive (waiting for a broker, say) but sends nothing.
            tokio::spawn(async move {
                tx.closed().await;
            });
        })
        .await;
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert_eq!(stats, IngestStats::default());
    }

    #[tokio::test]
    async fn until_idle_counts_across_rebalances_and_lag_reports() {
        let (took, stats) = idle_ingest(Duration::from_millis(500), |tx| {
            // A group that keeps rebalancing: assignments, revocations and lag, no message.
            tokio::spawn(async move {
                loop {
                    let (ack, _acked) = std::sync::mpsc::sync_channel(1);
                    let events = [
                        Event::Assigned(vec![("orders".into(), 0, None)]),
                        Event::Lag(0),
                        Event::Revoked(vec![("orders".into(), 0)], ack),
                    ];
                    for e in events {
                        if tx.send(e).await.is_err() {
                            return;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
        })
        .await;
        assert!(took < Duration::from_secs(5), "took {took:?}");
        assert_eq!(stats.messages, 0);
    }

    #[tokio::test]
    async fn messages_keep_an_ingest_with_until_idle_going() {
        let (took, stats) = idle_ingest(Duration::from_millis(400), |tx| {
            tokio::spawn(async move {
                for id in 0..10i64 {
                    let payload = format!(r#"{{"before":null,"after":{{"id":{id}}},"op":"c"}}"#);
                    let m = Message {
                        source: "orders".into(),
                        partition: 0,
                        offset: id,
                        payload: Some(payload.into_bytes()),
                    };
                    if tx.send(Event::Message(m)).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                tx.closed().await;
            });
        })
        .await;
        // Ten messages 200 ms apart (each resets the 400 ms clock), then 400 ms of silence.
        assert!(took >= Duration::from_millis(2_000), "took {took:?}");
        assert!(took < Duration::from_secs(10), "took {took:?}");
        assert_eq!((stats.messages, stats.rows), (10, 10));
    }
}
