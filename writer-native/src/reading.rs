//! The read commands: `strata scan`, `strata diff` and `strata stream`.

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use strata_core::predicate::Predicate;
use strata_core::read::{read_changes, ChangeStream, ReadBuilder, TableReader};
use strata_core::scan::{SnapshotSpec, StartMode};
use strata_core::table::Table;
use strata_core::{Error, Result};

use crate::output::{BatchWriter, Format};
use crate::progress::Progress;
use crate::storage::StorageOptions;
use crate::ObjectStoreStorage;

/// Opens a table for reading (object-store settings from the environment).
pub async fn open_table(location: &str) -> Result<Arc<Table>> {
    open_table_with(location, &StorageOptions::default()).await
}

/// Opens a table for reading, with object-store settings.
pub async fn open_table_with(location: &str, options: &StorageOptions) -> Result<Arc<Table>> {
    let storage = ObjectStoreStorage::open_with(location, options)?;
    let table = Table::open(Arc::new(storage)).await.map_err(|e| match e {
        // The storage names paths inside the table: say which table has no schema.
        Error::NotFound { path } if path.starts_with("schema/") => Error::NotFound {
            path: format!("{location}: not a Paimon table ({path})"),
        },
        e => e,
    })?;
    Ok(Arc::new(table))
}

/// Where and how read commands write.
pub struct Sink<'a> {
    /// Output format.
    pub format: Format,
    /// File for Parquet output.
    pub out: Option<String>,
    /// Where text formats go.
    pub writer: Box<dyn Write + Send + 'a>,
}

fn io(e: std::io::Error) -> Error {
    Error::Storage {
        path: "output".into(),
        message: e.to_string(),
    }
}

async fn drain(
    reader: &mut TableReader,
    sink: &mut BatchWriter<'_>,
    max_rows: &mut Option<usize>,
    shown: &Progress,
) -> Result<usize> {
    let mut n = 0;
    while let Some(mut b) = reader.next().await? {
        if let Some(m) = max_rows.as_mut() {
            if b.num_rows() > *m {
                b = b.slice(0, *m);
            }
            *m -= b.num_rows();
        }
        sink.write(&b).map_err(io)?;
        n += b.num_rows();
        shown.inc(b.num_rows() as u64);
        if *max_rows == Some(0) {
            break;
        }
    }
    Ok(n)
}

/// `strata scan`.
pub async fn scan(
    table: Arc<Table>,
    snapshot: SnapshotSpec,
    columns: Option<Vec<String>>,
    filter: Option<String>,
    limit: Option<usize>,
    sink: Sink<'_>,
) -> Result<usize> {
    let mut b = ReadBuilder::new().snapshot(snapshot);
    if let Some(c) = columns {
        b = b.columns(c);
    }
    if let Some(f) = filter {
        b = b.filter(&f)?;
    }
    if let Some(n) = limit {
        b = b.limit(n);
    }
    let mut reader = b.build(table).await?;
    let shown = Progress::counter("reading", "rows", sink.out.is_none());
    let mut w = BatchWriter::new(
        sink.format,
        reader.schema().clone(),
        sink.writer,
        sink.out.as_deref(),
    )
    .map_err(io)?;
    // Splits go to every core when running on tokio's multi-threaded runtime (the binary);
    // elsewhere (an embedding executor, tests) they are read in turn.
    let threaded = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = if limit.is_some() || threads == 1 || !threaded {
        drain(&mut reader, &mut w, &mut None, &shown).await?
    } else {
        drain_parallel(reader, threads, &mut w, &shown).await?
    };
    w.finish().map_err(io)?;
    Ok(n)
}

/// Reads the splits of `reader` on `threads` tasks at once, writing batches as they come.
async fn drain_parallel(
    reader: TableReader,
    threads: usize,
    w: &mut BatchWriter<'_>,
    shown: &Progress,
) -> Result<usize> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<arrow_array::RecordBatch>>(threads * 2);
    for mut part in reader.partition(threads) {
        let tx = tx.clone();
        tokio::spawn(async move {
            loop {
                let item = match part.next().await {
                    Ok(Some(b)) => Ok(b),
                    Ok(None) => break,
                    Err(e) => Err(e),
                };
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
    }
    drop(tx);
    let mut n = 0;
    while let Some(b) = rx.recv().await {
        let b = b?;
        w.write(&b).map_err(io)?;
        n += b.num_rows();
        shown.inc(b.num_rows() as u64);
    }
    Ok(n)
}

/// `strata diff`: the changes of snapshots `(from, to]` with their row kinds.
pub async fn diff(
    table: Arc<Table>,
    from: i64,
    to: i64,
    columns: Option<Vec<String>>,
    filter: Option<String>,
    sink: Sink<'_>,
) -> Result<usize> {
    let filter = filter.map(|f| Predicate::parse(&f)).transpose()?;
    let mut reader = read_changes(table, from, to, columns, filter.as_ref()).await?;
    let sink_to_stdout = sink.out.is_none();
    let mut w = BatchWriter::new(
        sink.format,
        reader.schema().clone(),
        sink.writer,
        sink.out.as_deref(),
    )
    .map_err(io)?;
    let shown = Progress::counter("reading", "rows", sink_to_stdout);
    let n = drain(&mut reader, &mut w, &mut None, &shown).await?;
    w.finish().map_err(io)?;
    Ok(n)
}

/// Parses `--from` (see [`StartMode::parse`]).
pub fn parse_start(from: &str, full: bool) -> Result<StartMode> {
    StartMode::parse(from, full)
}

/// Options of `strata stream`.
pub struct StreamOptions {
    /// Where to start.
    pub start: StartMode,
    /// Consumer id recording progress.
    pub consumer: Option<String>,
    /// Stop after this many rows.
    pub max_rows: Option<usize>,
    /// Stop after this long without a new snapshot.
    pub idle_exit: Option<Duration>,
    /// How often to look for a new snapshot.
    pub poll: Duration,
    /// Only these columns.
    pub columns: Option<Vec<String>>,
    /// Only rows matching this filter.
    pub filter: Option<String>,
}

/// `strata stream`: follows the table, writing each change with its `_kind`. The stream is
/// core's [`ChangeStream`]; this drives it: sleeps between polls, stops after `max_rows` or
/// `idle_exit`.
pub async fn stream<'a>(table: Arc<Table>, opts: StreamOptions, sink: Sink<'a>) -> Result<usize> {
    let filter = opts.filter.as_deref().map(Predicate::parse).transpose()?;
    let mut changes = ChangeStream::start(
        table,
        opts.start,
        opts.consumer.clone(),
        opts.columns,
        filter,
    )
    .await?;
    let mut max_rows = opts.max_rows;
    let mut w: Option<BatchWriter<'a>> = None;
    let mut writer = Some(sink.writer);
    let mut total = 0;
    let mut idle_since = Instant::now();
    let mut cut = false;
    while max_rows != Some(0) {
        let batch = changes.next().await?;
        if let (None, Some(schema), Some(out)) = (&w, changes.schema(), writer.take()) {
            w = Some(
                BatchWriter::new(sink.format, schema.clone(), out, sink.out.as_deref())
                    .map_err(io)?,
            );
        }
        let Some(mut b) = batch else {
            if opts.idle_exit.is_some_and(|d| idle_since.elapsed() >= d) {
                break;
            }
            tokio::time::sleep(opts.poll).await;
            continue;
        };
        idle_since = Instant::now();
        if let Some(m) = max_rows.as_mut() {
            if b.num_rows() > *m {
                b = b.slice(0, *m);
                cut = true;
            }
            *m -= b.num_rows();
        }
        if let Some(w) = w.as_mut() {
            w.write(&b).map_err(io)?;
        }
        total += b.num_rows();
    }
    // Stopping at max_rows: progress still moves past a snapshot whose rows all went out
    // (not when the last batch was cut short: its other rows must be read again).
    if !cut {
        changes.settle().await?;
    }
    if let Some(w) = w {
        w.finish().map_err(io)?;
    }
    Ok(total)
}
