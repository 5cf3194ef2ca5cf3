//! The `strata ingest` command line.

use std::sync::Arc;

use strata_core::storage::Storage;
use strata_core::{Error, Result};

use super::kafka::{consume, KafkaOptions};
use super::pipeline::{ingest, IngestOptions, IngestStats, OnError};
use super::{source, CdcFormat};
use crate::maintenance::parse_duration;
use crate::storage::StorageOptions;
use crate::ObjectStoreStorage;

/// `strata ingest` arguments.
#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["kafka", "file", "stdin"])))]
pub struct IngestArgs {
    /// Table directory.
    pub table: String,
    /// Message format.
    #[arg(long, value_enum)]
    pub format: CdcFormat,
    /// Kafka bootstrap servers (`host:port,...`).
    #[arg(long, requires = "topic")]
    pub kafka: Option<String>,
    /// Kafka topics, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub topic: Vec<String>,
    /// Kafka consumer group.
    #[arg(long, default_value = "strata-ingest")]
    pub group: String,
    /// Extra librdkafka setting `key=value` (repeatable).
    #[arg(long = "kafka-option", value_parser = parse_kv)]
    pub kafka_options: Vec<(String, String)>,
    /// How long start-up waits for a Kafka broker to answer with the topics' metadata before
    /// failing (e.g. 30s, 500ms).
    #[arg(long, default_value = "30s")]
    pub connect_timeout: String,
    /// Read messages from a file, one JSON message per line (resumes after the last line
    /// the table holds).
    #[arg(long)]
    pub file: Option<String>,
    /// Read messages from stdin, one JSON message per line.
    #[arg(long)]
    pub stdin: bool,
    /// Time between commits (e.g. 5s, 500ms).
    #[arg(long, default_value = "5s")]
    pub commit_interval: String,
    /// Commit early once this many rows are buffered.
    #[arg(long, default_value_t = 500_000)]
    pub max_buffer_rows: usize,
    /// Create the table from the first message if it does not exist.
    #[arg(long)]
    pub create_if_missing: bool,
    /// Primary key of a created table, comma-separated (default: the key the messages name).
    #[arg(long, value_delimiter = ',')]
    pub primary_key: Vec<String>,
    /// Partition columns of a created table, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub partition: Vec<String>,
    /// Bucket count of a created table.
    #[arg(long, default_value_t = 4)]
    pub bucket: i32,
    /// Table option `key=value` of a created table (repeatable).
    #[arg(long = "option", value_parser = parse_kv)]
    pub options: Vec<(String, String)>,
    /// What to do with a message that cannot be ingested.
    #[arg(long, value_enum, default_value = "fail")]
    pub on_error: OnError,
    /// Where skipped messages go (required with --on-error skip): a JSON-lines file, appended
    /// to, or a directory on an object store (s3://…), which gets one
    /// dead-letter-<writer>-<commit>.jsonl object per commit. Lines are durable before the
    /// commit that skips their messages.
    #[arg(long)]
    pub dead_letter: Option<String>,
    /// Stop after this many seconds without a message, counted from the start and from each
    /// message (also while waiting for a broker or a partition assignment); commits first.
    #[arg(long)]
    pub until_idle: Option<f64>,
    /// Do not compact in the background.
    #[arg(long)]
    pub no_compact: bool,
}

/// Parses a `key=value` flag.
pub fn parse_kv(s: &str) -> std::result::Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("expected key=value, got {s:?}"))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs `strata ingest`. A table directory that the run created and left empty (it failed
/// before the table was created: no broker, a missing topic, a bad first message) is removed.
pub async fn run(args: IngestArgs, storage: &StorageOptions) -> Result<IngestStats> {
    let local = match args.table.strip_prefix("file://") {
        Some(rest) => Some(rest.to_string()),
        None if !args.table.contains("://") => Some(args.table.clone()),
        None => None,
    };
    let fresh = local.filter(|p| !std::path::Path::new(p).exists());
    let result = run_ingest(args, storage).await;
    if let (Err(_), Some(dir)) = (&result, fresh) {
        // `remove_dir` removes only an empty directory.
        let _ = std::fs::remove_dir(dir);
    }
    result
}

async fn run_ingest(args: IngestArgs, storage_options: &StorageOptions) -> Result<IngestStats> {
    if args.on_error == OnError::Skip && args.dead_letter.is_none() {
        return Err(Error::InvalidValue(
            "--on-error skip needs --dead-letter FILE: skipped messages are never dropped silently"
                .into(),
        ));
    }
    let duration = |flag: &str, s: &str| {
        parse_duration(s).map_err(|e| Error::InvalidValue(format!("{flag}: {e}")))
    };
    let connect_timeout = duration("--connect-timeout", &args.connect_timeout)?;
    let until_idle = args
        .until_idle
        .map(|s| {
            std::time::Duration::try_from_secs_f64(s).map_err(|_| {
                Error::InvalidValue(format!(
                    "--until-idle: expected a number of seconds (0 or more), got {s}"
                ))
            })
        })
        .transpose()?;
    let storage: Arc<dyn Storage> = Arc::new(ObjectStoreStorage::create_with(
        &args.table,
        storage_options,
    )?);
    let opts = IngestOptions {
        format: args.format,
        commit_interval: duration("--commit-interval", &args.commit_interval)?,
        max_buffer_rows: args.max_buffer_rows.max(1),
        create_if_missing: args.create_if_missing,
        primary_key: args.primary_key,
        partition: args.partition,
        bucket: args.bucket,
        table_options: args.options,
        on_error: args.on_error,
        dead_letter: args.dead_letter,
        storage: storage_options.clone(),
        until_idle,
        compact: !args.no_compact,
        progress: true,
    };
    if let Some(brokers) = args.kafka {
        let kafka = KafkaOptions {
            brokers,
            topics: args.topic,
            group: args.group,
            config: args.kafka_options,
            connect_timeout,
        };
        let (events, consumer) = consume(&kafka, storage.clone()).await?;
        // `ingest` drops the events when it returns, which stops the consumer; it then leaves
        // its group, so that the partitions move on without waiting for its session to expire.
        let result = ingest(&args.table, storage, opts, events, shutdown_signal()).await;
        let assigned = consumer.was_assigned();
        let left = tokio::task::spawn_blocking(move || consumer.wait(CLOSE_TIMEOUT))
            .await
            .unwrap_or(false);
        if !left {
            tracing::warn!(
                "the Kafka consumer did not leave its group within {CLOSE_TIMEOUT:?}; its \
                 partitions move on when its session times out"
            );
        }
        if result.is_ok() && !assigned {
            eprintln!(
                "strata ingest: stopped before group {} assigned this consumer a partition of \
                 {} (the group may still be rebalancing, or another member holds them all); a \
                 longer --until-idle waits longer",
                kafka.group,
                kafka.topics.join(",")
            );
        }
        return result;
    }
    let events = match &args.file {
        Some(f) => source::file(storage.as_ref(), f).await?,
        None => source::stdin(),
    };
    ingest(&args.table, storage, opts, events, shutdown_signal()).await
}

/// How long `strata ingest` waits for its Kafka consumer to leave the group before it exits.
const CLOSE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
