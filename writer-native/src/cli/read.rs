//! The read commands: `strata scan`, `diff` and `stream`.

use super::*;

/// Output selection shared by the read commands.
#[derive(clap::Args, Debug)]
pub(super) struct OutputArgs {
    /// Only these columns, comma-separated, in this order.
    #[arg(long, value_delimiter = ',')]
    pub(super) columns: Option<Vec<String>>,
    /// Only rows matching this filter, e.g. "id > 3 AND (dt = '2024-01-01' OR name IS NULL)".
    #[arg(long)]
    pub(super) filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    pub(super) output: Format,
    /// Write the output to this file instead of standard output (required for parquet).
    #[arg(long)]
    pub(super) out: Option<String>,
}

impl OutputArgs {
    pub(super) fn sink(&self) -> Sink<'static> {
        Sink {
            format: self.output,
            out: self.out.clone(),
            writer: Box::new(std::io::BufWriter::new(crate::output::stdout())),
        }
    }
}

/// The arguments of `strata scan`.
#[derive(clap::Args, Debug)]
pub(super) struct ScanArgs {
    /// Table directory.
    pub(super) table: String,
    /// Read this snapshot id.
    #[arg(long, conflicts_with_all = ["timestamp", "tag"])]
    pub(super) snapshot: Option<i64>,
    /// Read the latest snapshot committed at or before this time: epoch ms or ISO-8601
    /// (`2024-01-02T03:04:05Z`; UTC without an offset).
    #[arg(long, conflicts_with = "tag")]
    pub(super) timestamp: Option<String>,
    /// Read the snapshot this tag holds.
    #[arg(long)]
    pub(super) tag: Option<String>,
    #[command(flatten)]
    pub(super) out: OutputArgs,
    /// At most this many rows. A limited scan reads splits in order (partition, bucket,
    /// then key), so the same snapshot gives the same rows in the same order every time;
    /// an unlimited scan reads splits on every core and may interleave them differently.
    #[arg(long)]
    pub(super) limit: Option<usize>,
}

/// The arguments of `strata diff`.
#[derive(clap::Args, Debug)]
pub(super) struct DiffArgs {
    /// Table directory.
    pub(super) table: String,
    /// Start snapshot (exclusive; 0 is before the first).
    #[arg(long)]
    pub(super) from: String,
    /// End snapshot (inclusive).
    #[arg(long)]
    pub(super) to: String,
    #[command(flatten)]
    pub(super) out: OutputArgs,
}

/// The arguments of `strata stream`.
#[derive(clap::Args, Debug)]
pub(super) struct StreamArgs {
    /// Table directory.
    pub(super) table: String,
    /// Where to start: latest, earliest, snapshot:N or timestamp:T (epoch ms or ISO-8601).
    #[arg(long, default_value = "latest")]
    pub(super) from: String,
    /// Read the start snapshot in full first (a hybrid read).
    #[arg(long)]
    pub(super) full: bool,
    /// Record progress under this consumer id (and resume from it).
    #[arg(long)]
    pub(super) consumer: Option<String>,
    /// Stop after this many rows.
    #[arg(long)]
    pub(super) max_rows: Option<usize>,
    /// Stop after this many seconds without a new snapshot.
    #[arg(long)]
    pub(super) idle_exit: Option<f64>,
    /// Seconds between looks for a new snapshot.
    #[arg(long, default_value_t = 1.0)]
    pub(super) interval: f64,
    #[command(flatten)]
    pub(super) out: OutputArgs,
}

/// The id of a snapshot named as `SnapshotSpec::parse` reads it (`0`: before the first).
pub(super) async fn snapshot_id(
    table: &strata_core::table::Table,
    text: &str,
) -> strata_core::Result<i64> {
    match SnapshotSpec::parse(text)? {
        SnapshotSpec::Id(id) => Ok(id),
        spec => strata_core::scan::resolve_snapshot(table.storage(), &spec)
            .await?
            .map(|s| s.id)
            .ok_or_else(|| strata_core::Error::NotFound {
                path: format!("snapshot {text:?} (the table has no snapshots)"),
            }),
    }
}

pub(super) fn seconds(s: f64) -> strata_core::Result<Duration> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| strata_core::Error::InvalidValue(format!("{s} is not a duration in seconds")))
}

/// `strata scan`: a snapshot's merged rows.
pub(super) async fn scan_table(a: ScanArgs, cx: &Context) -> Result<()> {
    let spec = match (a.snapshot, a.timestamp, a.tag) {
        (Some(id), _, _) => SnapshotSpec::Id(id),
        (_, Some(t), _) => SnapshotSpec::TimestampMillis(strata_core::scan::parse_time_millis(&t)?),
        (_, _, Some(t)) => SnapshotSpec::Tag(t),
        _ => SnapshotSpec::Latest,
    };
    let t = open_table_with(&a.table, &cx.storage).await?;
    let out = a.out;
    let rows = interrupt::or_interrupt(
        "stopped reading",
        scan(
            t,
            spec,
            out.columns.clone(),
            out.filter.clone(),
            a.limit,
            out.sink(),
        ),
    )
    .await?;
    tracing::info!(rows, "scanned");
    Ok(())
}

/// `strata diff`: the changes between two snapshots.
pub(super) async fn diff_table(a: DiffArgs, cx: &Context) -> Result<()> {
    let t = open_table_with(&a.table, &cx.storage).await?;
    let from = snapshot_id(&t, &a.from).await?;
    let to = snapshot_id(&t, &a.to).await?;
    let out = a.out;
    let rows = interrupt::or_interrupt(
        "stopped reading",
        diff(
            t,
            from,
            to,
            out.columns.clone(),
            out.filter.clone(),
            out.sink(),
        ),
    )
    .await?;
    tracing::info!(rows, from, to, "diffed");
    Ok(())
}

/// `strata stream`: follows the table's new snapshots.
pub(super) async fn stream_table(a: StreamArgs, cx: &Context) -> Result<()> {
    let opts = StreamOptions {
        start: parse_start(&a.from, a.full)?,
        consumer: a.consumer,
        max_rows: a.max_rows,
        idle_exit: a.idle_exit.map(seconds).transpose()?,
        poll: seconds(a.interval)?,
        columns: a.out.columns.clone(),
        filter: a.out.filter.clone(),
    };
    let t = open_table_with(&a.table, &cx.storage).await?;
    let rows = interrupt::or_interrupt("stopped streaming", stream(t, opts, a.out.sink())).await?;
    tracing::info!(rows, "streamed");
    Ok(())
}
