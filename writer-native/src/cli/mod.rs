//! The `strata` command line: the arguments ([`args`]) and one function per subcommand.

use std::collections::BTreeMap;
use std::io::Write;

use std::time::Duration;

mod alter;
mod args;
mod drop_partition;
mod interrupt;
pub use args::Cli;
use args::*;
pub use interrupt::interrupted;
use strata_core::{Error, Result};

use strata_core::compaction::{compact, CompactOptions};
use strata_core::expire::Retention;
use strata_core::scan::SnapshotSpec;
use strata_core::schema::TableSchema;

use crate::describe::{
    describe_files, describe_snapshots, describe_table, describe_tags, MetaFormat,
};
use crate::ingest::command::parse_kv;
use crate::maintenance::{create_tag, delete_tag, parse_duration, run_clean_orphans, run_expire};
use crate::output::Format;
use crate::reading::{diff, open_table_with, parse_start, scan, stream, Sink, StreamOptions};
use crate::storage::StorageOptions;
use crate::table::{create_table, option_notes, CreateTable};
use crate::write::input::InputFormat;
use crate::ObjectStoreStorage;
use strata_core::write::{Overwrite, WriteOptions};

/// Standard input of `strata write -`, copied to a temporary file that is removed on drop;
/// errors name it `stdin`.
struct SpooledStdin(std::path::PathBuf);

impl SpooledStdin {
    fn new(files: &[String], format: Option<InputFormat>) -> strata_core::Result<Option<Self>> {
        let n = files.iter().filter(|f| f.as_str() == "-").count();
        if n == 0 {
            return Ok(None);
        }
        let bad = |m: String| strata_core::Error::InvalidValue(m);
        if n > 1 {
            return Err(bad("standard input (-) can be named only once".into()));
        }
        if format.is_none() {
            return Err(bad("reading standard input (-) needs --format".into()));
        }
        let path = std::env::temp_dir().join(format!("strata-stdin-{}", uuid::Uuid::new_v4()));
        let spooled = SpooledStdin(path);
        let mut file = std::fs::File::create(&spooled.0)
            .map_err(|e| bad(format!("spooling stdin to {}: {e}", spooled.0.display())))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut file)
            .map_err(|e| bad(format!("reading stdin: {e}")))?;
        Ok(Some(spooled))
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }

    /// The error with the temporary file's name replaced by `stdin`.
    fn rename_in(&self, e: strata_core::Error) -> strata_core::Error {
        match e {
            strata_core::Error::InvalidValue(m) => {
                strata_core::Error::InvalidValue(m.replace(&self.path(), "stdin"))
            }
            other => other,
        }
    }
}

impl Drop for SpooledStdin {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Opens an existing table: a directory without `schema/` is not one, and the maintenance
/// and metadata commands say so instead of reporting an empty table.
async fn open_existing(
    table: &str,
    options: &StorageOptions,
) -> strata_core::Result<ObjectStoreStorage> {
    let storage = ObjectStoreStorage::open_with(table, options)?;
    if strata_core::schema::latest_schema_id(&storage)
        .await?
        .is_none()
    {
        return Err(strata_core::Error::NotFound {
            path: format!("{table}: not a Paimon table (no schema/schema-N in it)"),
        });
    }
    Ok(storage)
}

/// The id of a snapshot named as `SnapshotSpec::parse` reads it (`0`: before the first).
async fn snapshot_id(table: &strata_core::table::Table, text: &str) -> strata_core::Result<i64> {
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

fn seconds(s: f64) -> strata_core::Result<Duration> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| strata_core::Error::InvalidValue(format!("{s} is not a duration in seconds")))
}

/// Universal compaction after a write (skipped with `write-only=true`, as in Paimon, when a
/// separate job compacts). A concurrent committer may compact the same files first: then plan
/// again from the new state; the written data is committed either way.
async fn compact_after_write(
    table: &str,
    storage_options: &StorageOptions,
) -> strata_core::Result<()> {
    for _ in 0..3 {
        let t = open_table_with(table, storage_options).await?;
        if !strata_core::compaction::CompactionPolicy::new(t.schema(), true).after_commit() {
            return Ok(());
        }
        match compact(t, CompactOptions::default(), crate::runtime::env()).await {
            Ok(Some(s)) => {
                crate::outln!("compacted: snapshot {} (COMPACT)", s.id);
                return Ok(());
            }
            Ok(None) => return Ok(()),
            Err(strata_core::Error::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    eprintln!("strata: compaction kept conflicting with concurrent writers; the write is committed, compact later");
    Ok(())
}

/// What every subcommand gets besides its own arguments.
pub(super) struct Context {
    /// `--quiet`: only errors on stderr.
    pub(super) quiet: bool,
    /// `--storage-option`s, with the environment's.
    pub(super) storage: StorageOptions,
}

/// Runs a parsed command line: one function per subcommand.
pub async fn run(cli: Cli) -> Result<()> {
    let cx = Context {
        quiet: cli.quiet,
        storage: StorageOptions::from_options(cli.storage_options),
    };
    match cli.command {
        Command::Create(a) => create(a, &cx).await,
        Command::Write(a) => write(a, &cx).await,
        Command::Compact(a) => compact_table(a, &cx).await,
        Command::Expire(a) => expire(a, &cx).await,
        Command::Rollback(a) => rollback(a, &cx).await,
        Command::Alter(a) => alter::run(&a.table, a.action, a.dry_run, cx.quiet, &cx.storage).await,
        Command::DropPartition(a) => {
            drop_partition::run(&a.table, a.partition, a.dry_run, &cx.storage).await
        }
        Command::Tag(a) => tag(a, &cx).await,
        Command::CleanOrphans(a) => clean_orphans(a, &cx).await,
        Command::Schema(a) => schema(a, &cx).await,
        Command::Describe(a) => describe(a, &cx).await,
        Command::Snapshots(a) => snapshots(a, &cx).await,
        Command::Files(a) => files(a, &cx).await,
        Command::Scan(a) => scan_table(a, &cx).await,
        Command::Diff(a) => diff_table(a, &cx).await,
        Command::Stream(a) => stream_table(a, &cx).await,
        Command::Ingest(a) => ingest(a, &cx).await,
        Command::SampleCdc(a) => sample_cdc(a),
        Command::Demo(a) => crate::demo::run(a.dir).await.map(drop),
    }
}

/// `strata create`: a table from column flags or a Paimon schema file.
async fn create(a: CreateArgs, cx: &Context) -> Result<()> {
    let schema = match a.schema {
        Some(file) => {
            let bytes = std::fs::read(&file).map_err(|e| Error::Storage {
                path: file.clone(),
                message: e.to_string(),
            })?;
            let s = TableSchema::from_json(&bytes, &file)?;
            TableSchema::create(
                s.fields,
                s.partition_keys,
                s.primary_keys,
                s.options,
                s.time_millis,
            )?
        }
        None => CreateTable {
            columns: a.columns.unwrap_or_default(),
            primary_keys: a.primary_key,
            partition_keys: a.partition,
            bucket: a.bucket,
            options: a.options.into_iter().collect::<BTreeMap<_, _>>(),
        }
        .schema()?,
    };
    let notes = option_notes(&schema)?;
    let storage = ObjectStoreStorage::create_with(&a.table, &cx.storage)?;
    create_table(&storage, &schema).await?;
    if !cx.quiet {
        for note in notes {
            eprintln!("note: {note}");
        }
    }
    crate::outln!("created {}", a.table);
    crate::outln!("{}", schema.to_json());
    Ok(())
}

/// `strata write`: files (or stdin) as one commit, then the compaction it triggers.
async fn write(a: WriteArgs, cx: &Context) -> Result<()> {
    let t = open_table_with(&a.table, &cx.storage).await?;
    let extra: Vec<String> = a.row_kind_column.iter().cloned().collect();
    // `-` is standard input, spooled to a temporary file (the readers need to seek).
    let stdin = SpooledStdin::new(&a.files, a.format)?;
    let files = a
        .files
        .iter()
        .map(|f| {
            let fmt = a.format.or_else(|| InputFormat::guess(f)).ok_or_else(|| {
                Error::InvalidValue(format!("{f}: unknown input format; pass --format"))
            })?;
            let path = match (f.as_str(), &stdin) {
                ("-", Some(s)) => s.path(),
                _ => f.clone(),
            };
            Ok((path, fmt))
        })
        .collect::<Result<Vec<_>>>()?;
    let opts = WriteOptions {
        row_kind_column: a.row_kind_column,
        commit_user: None,
        overwrite: a.overwrite.then_some(Overwrite {
            partition: a.partition,
        }),
        ignore_unknown_columns: a.ignore_unknown_columns,
        ..WriteOptions::default()
    };
    let written = interrupt::write_files(t, files, extra, opts)
        .await
        .map_err(|e| match &stdin {
            Some(s) => s.rename_in(e),
            None => e,
        })?;
    drop(stdin);
    // Compact the buckets the write pushed past the trigger, as Paimon's writers do.
    if let Some(s) = &written {
        let what = format!(
            "the write is committed (snapshot {}); its compaction was not",
            s.id
        );
        interrupt::or_interrupt(&what, compact_after_write(&a.table, &cx.storage)).await?;
    }
    match written {
        Some(s) => crate::outln!(
            "committed snapshot {} ({} rows)",
            s.id,
            s.delta_record_count.unwrap_or(0)
        ),
        None => crate::outln!("nothing to write"),
    }
    Ok(())
}

/// `strata compact`: universal or full compaction, one COMPACT commit.
async fn compact_table(a: CompactArgs, cx: &Context) -> Result<()> {
    let t = open_table_with(&a.table, &cx.storage).await?;
    let options = CompactOptions {
        full: a.full,
        partition: a.partition,
    };
    let compacted = interrupt::or_interrupt(
        "nothing was committed (files the compaction had rewritten are orphans for clean-orphans)",
        compact(t, options, crate::runtime::env()),
    );
    match compacted.await? {
        Some(s) => crate::outln!("committed snapshot {} (COMPACT)", s.id),
        None => crate::outln!("nothing to compact"),
    }
    Ok(())
}

/// `strata expire`: snapshots past the retention, and the files only they used.
async fn expire(a: ExpireArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    let retention = Retention {
        min: a.retain_min,
        max: a.retain_max,
        time_millis: i64::try_from(parse_duration(&a.older_than)?.as_millis()).unwrap_or(i64::MAX),
    };
    let removed = run_expire(&storage, retention, a.dry_run).await?;
    if a.dry_run {
        for id in &removed.snapshots {
            crate::outln!("would expire snapshot {id}");
        }
        for f in &removed.files {
            crate::outln!("would delete {f}");
        }
        crate::outln!(
            "dry run: would expire {} snapshots and delete {} files",
            removed.snapshots.len(),
            removed.files.len()
        );
    } else {
        crate::outln!(
            "expired {} snapshots, deleted {} files",
            removed.snapshots.len(),
            removed.files.len()
        );
    }
    Ok(())
}

/// `strata rollback`: an earlier snapshot becomes the latest again.
async fn rollback(a: RollbackArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    let target = SnapshotSpec::parse(&a.to)?;
    let r = strata_core::rollback::rollback(&storage, &target, a.dry_run).await?;
    let verb = if a.dry_run { "would delete" } else { "deleted" };
    for id in &r.removed.snapshots {
        crate::outln!("{verb} snapshot {id}");
    }
    for t in &r.tags {
        crate::outln!("{verb} tag {t}");
    }
    for f in &r.removed.files {
        crate::outln!("{verb} {f}");
    }
    crate::outln!(
        "{}rolled back to snapshot {}: {} snapshots, {} tags, {} files removed",
        if a.dry_run {
            "dry run: would have "
        } else {
            ""
        },
        r.to,
        r.removed.snapshots.len(),
        r.tags.len(),
        r.removed.files.len()
    );
    Ok(())
}

/// `strata tag create|delete|list`.
async fn tag(a: TagArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    match a.action {
        TagAction::Create { name, snapshot } => {
            let t = create_tag(&storage, &name, snapshot).await?;
            crate::outln!("tagged snapshot {} as {name}", t.snapshot.id);
        }
        TagAction::Delete { name } => {
            delete_tag(&storage, &name).await?;
            crate::outln!("deleted tag {name}");
        }
        TagAction::List { output } => crate::out!("{}", describe_tags(&storage, output).await?),
    }
    Ok(())
}

/// `strata clean-orphans`: files no snapshot, tag or changelog uses.
async fn clean_orphans(a: CleanOrphansArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    let removed = run_clean_orphans(&storage, parse_duration(&a.older_than)?, a.dry_run).await?;
    if a.dry_run {
        for f in &removed.files {
            crate::outln!("would delete {f}");
        }
        crate::outln!("dry run: would delete {} orphan files", removed.files.len());
    } else {
        crate::outln!("deleted {} orphan files", removed.files.len());
    }
    Ok(())
}

/// `strata schema`: the latest schema as JSON.
async fn schema(a: SchemaArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::outln!("{}", TableSchema::load_latest(&storage).await?.to_json());
    Ok(())
}

/// `strata describe`: the table's summary.
async fn describe(a: DescribeArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::out!("{}", describe_table(&storage, &a.table, a.output).await?);
    Ok(())
}

/// `strata snapshots`: the snapshot list.
async fn snapshots(a: SnapshotsArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::out!("{}", describe_snapshots(&storage, a.output).await?);
    Ok(())
}

/// `strata files`: a snapshot's live data files.
async fn files(a: FilesArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::out!("{}", describe_files(&storage, a.snapshot, a.output).await?);
    Ok(())
}

/// `strata scan`: a snapshot's merged rows.
async fn scan_table(a: ScanArgs, cx: &Context) -> Result<()> {
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
async fn diff_table(a: DiffArgs, cx: &Context) -> Result<()> {
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
async fn stream_table(a: StreamArgs, cx: &Context) -> Result<()> {
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

/// `strata ingest`: CDC messages into the table, exactly once.
async fn ingest(a: crate::ingest::command::IngestArgs, cx: &Context) -> Result<()> {
    let stats = interrupt::noting_interrupt(crate::ingest::command::run(a, &cx.storage)).await?;
    crate::outln!(
        "ingested {} rows from {} messages in {} commits (last snapshot {}); {} skipped, {} already in the table, {} schema changes",
        stats.rows,
        stats.messages,
        stats.commits,
        stats.last_snapshot.map_or("none".into(), |s| s.to_string()),
        stats.skipped,
        stats.duplicates,
        stats.schema_changes
    );
    if interrupted() {
        eprintln!(
            "strata: interrupted: ingest committed what it had read, with its offsets, and stopped"
        );
    }
    Ok(())
}

/// `strata sample-cdc`: a deterministic CDC stream on stdout.
fn sample_cdc(a: SampleCdcArgs) -> Result<()> {
    let s = crate::ingest::sample::generate(a.format, a.keys, a.events, 1, a.seed);
    let mut out = std::io::BufWriter::new(crate::output::stdout());
    for e in &s.events {
        writeln!(out, "{}", e.payload).map_err(|e| Error::Storage {
            path: "stdout".into(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}
