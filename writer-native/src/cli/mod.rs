//! The `strata` command line: the arguments ([`args`]) and one function per subcommand.

use std::collections::BTreeMap;
use std::io::Write;

use std::time::Duration;

mod alter;
mod args;
mod drop_partition;
mod interrupt;
pub use args::Cli;
use args::{Command, TagAction};
pub use interrupt::interrupted;

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

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> strata_core::Result<()> {
    let quiet = cli.quiet;
    let storage_options = StorageOptions::from_options(cli.storage_options);
    match cli.command {
        Command::Create {
            table,
            columns,
            primary_key,
            partition,
            bucket,
            options,
            schema,
        } => {
            let schema = match schema {
                Some(file) => {
                    let bytes = std::fs::read(&file).map_err(|e| strata_core::Error::Storage {
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
                    columns: columns.unwrap_or_default(),
                    primary_keys: primary_key,
                    partition_keys: partition,
                    bucket,
                    options: options.into_iter().collect::<BTreeMap<_, _>>(),
                }
                .schema()?,
            };
            let notes = option_notes(&schema)?;
            let storage = ObjectStoreStorage::create_with(&table, &storage_options)?;
            create_table(&storage, &schema).await?;
            for note in notes {
                if !quiet {
                    eprintln!("note: {note}");
                }
            }
            crate::outln!("created {table}");
            crate::outln!("{}", schema.to_json());
        }
        Command::Write {
            table,
            files,
            format,
            row_kind_column,
            overwrite,
            partition,
            ignore_unknown_columns,
        } => {
            let t = open_table_with(&table, &storage_options).await?;
            let extra: Vec<String> = row_kind_column.iter().cloned().collect();
            // `-` is standard input, spooled to a temporary file (the readers need to seek).
            let stdin = SpooledStdin::new(&files, format)?;
            let files = files
                .iter()
                .map(|f| {
                    let fmt = format.or_else(|| InputFormat::guess(f)).ok_or_else(|| {
                        strata_core::Error::InvalidValue(format!(
                            "{f}: unknown input format; pass --format"
                        ))
                    })?;
                    let path = match (f.as_str(), &stdin) {
                        ("-", Some(s)) => s.path(),
                        _ => f.clone(),
                    };
                    Ok((path, fmt))
                })
                .collect::<strata_core::Result<Vec<_>>>()?;
            let opts = WriteOptions {
                row_kind_column,
                commit_user: None,
                overwrite: overwrite.then_some(Overwrite { partition }),
                ignore_unknown_columns,
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
                interrupt::or_interrupt(&what, compact_after_write(&table, &storage_options))
                    .await?;
            }
            match written {
                Some(s) => crate::outln!(
                    "committed snapshot {} ({} rows)",
                    s.id,
                    s.delta_record_count.unwrap_or(0)
                ),
                None => crate::outln!("nothing to write"),
            }
        }
        Command::Compact {
            table,
            full,
            partition,
        } => {
            let t = open_table_with(&table, &storage_options).await?;
            let compacted = interrupt::or_interrupt(
                "nothing was committed (files the compaction had rewritten are orphans for clean-orphans)",
                compact(t, CompactOptions { full, partition }, crate::runtime::env()),
            );
            match compacted.await? {
                Some(s) => crate::outln!("committed snapshot {} (COMPACT)", s.id),
                None => crate::outln!("nothing to compact"),
            }
        }
        Command::Expire {
            table,
            retain_min,
            retain_max,
            older_than,
            dry_run,
        } => {
            let storage = open_existing(&table, &storage_options).await?;
            let retention = Retention {
                min: retain_min,
                max: retain_max,
                time_millis: i64::try_from(parse_duration(&older_than)?.as_millis())
                    .unwrap_or(i64::MAX),
            };
            let removed = run_expire(&storage, retention, dry_run).await?;
            if dry_run {
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
        }
        Command::Rollback { table, to, dry_run } => {
            let storage = open_existing(&table, &storage_options).await?;
            let target = SnapshotSpec::parse(&to)?;
            let r = strata_core::rollback::rollback(&storage, &target, dry_run).await?;
            let verb = if dry_run { "would delete" } else { "deleted" };
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
                if dry_run { "dry run: would have " } else { "" },
                r.to,
                r.removed.snapshots.len(),
                r.tags.len(),
                r.removed.files.len()
            );
        }
        Command::Alter {
            table,
            dry_run,
            action,
        } => alter::run(&table, action, dry_run, quiet, &storage_options).await?,
        Command::DropPartition {
            table,
            partition,
            dry_run,
        } => drop_partition::run(&table, partition, dry_run, &storage_options).await?,
        Command::Tag { table, action } => {
            let storage = open_existing(&table, &storage_options).await?;
            match action {
                TagAction::Create { name, snapshot } => {
                    let t = create_tag(&storage, &name, snapshot).await?;
                    crate::outln!("tagged snapshot {} as {name}", t.snapshot.id);
                }
                TagAction::Delete { name } => {
                    delete_tag(&storage, &name).await?;
                    crate::outln!("deleted tag {name}");
                }
                TagAction::List { output } => {
                    crate::out!("{}", describe_tags(&storage, output).await?)
                }
            }
        }
        Command::CleanOrphans {
            table,
            older_than,
            dry_run,
        } => {
            let storage = open_existing(&table, &storage_options).await?;
            let removed =
                run_clean_orphans(&storage, parse_duration(&older_than)?, dry_run).await?;
            if dry_run {
                for f in &removed.files {
                    crate::outln!("would delete {f}");
                }
                crate::outln!("dry run: would delete {} orphan files", removed.files.len());
            } else {
                crate::outln!("deleted {} orphan files", removed.files.len());
            }
        }
        Command::Schema { table, output: _ } => {
            let storage = open_existing(&table, &storage_options).await?;
            crate::outln!("{}", TableSchema::load_latest(&storage).await?.to_json());
        }
        Command::Describe { table, output } => {
            let storage = open_existing(&table, &storage_options).await?;
            crate::out!("{}", describe_table(&storage, &table, output).await?);
        }
        Command::Snapshots { table, output } => {
            let storage = open_existing(&table, &storage_options).await?;
            crate::out!("{}", describe_snapshots(&storage, output).await?);
        }
        Command::Files {
            table,
            snapshot,
            output,
        } => {
            let storage = open_existing(&table, &storage_options).await?;
            crate::out!("{}", describe_files(&storage, snapshot, output).await?);
        }
        Command::Scan {
            table,
            snapshot,
            timestamp,
            tag,
            out,
            limit,
        } => {
            let spec = match (snapshot, timestamp, tag) {
                (Some(id), _, _) => SnapshotSpec::Id(id),
                (_, Some(t), _) => {
                    SnapshotSpec::TimestampMillis(strata_core::scan::parse_time_millis(&t)?)
                }
                (_, _, Some(t)) => SnapshotSpec::Tag(t),
                _ => SnapshotSpec::Latest,
            };
            let t = open_table_with(&table, &storage_options).await?;
            let rows = interrupt::or_interrupt(
                "stopped reading",
                scan(
                    t,
                    spec,
                    out.columns.clone(),
                    out.filter.clone(),
                    limit,
                    out.sink(),
                ),
            )
            .await?;
            tracing::info!(rows, "scanned");
        }
        Command::Diff {
            table,
            from,
            to,
            out,
        } => {
            let t = open_table_with(&table, &storage_options).await?;
            let from = snapshot_id(&t, &from).await?;
            let to = snapshot_id(&t, &to).await?;
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
        }
        Command::Stream {
            table,
            from,
            full,
            consumer,
            max_rows,
            idle_exit,
            interval,
            out,
        } => {
            let opts = StreamOptions {
                start: parse_start(&from, full)?,
                consumer,
                max_rows,
                idle_exit: idle_exit.map(seconds).transpose()?,
                poll: seconds(interval)?,
                columns: out.columns.clone(),
                filter: out.filter.clone(),
            };
            let t = open_table_with(&table, &storage_options).await?;
            let rows =
                interrupt::or_interrupt("stopped streaming", stream(t, opts, out.sink())).await?;
            tracing::info!(rows, "streamed");
        }
        Command::Ingest(args) => {
            let stats =
                interrupt::noting_interrupt(crate::ingest::command::run(args, &storage_options))
                    .await?;
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
        }
        Command::SampleCdc {
            format,
            events,
            keys,
            seed,
        } => {
            let s = crate::ingest::sample::generate(format, keys, events, 1, seed);
            let mut out = std::io::BufWriter::new(crate::output::stdout());
            for e in &s.events {
                writeln!(out, "{}", e.payload).map_err(|e| strata_core::Error::Storage {
                    path: "stdout".into(),
                    message: e.to_string(),
                })?;
            }
        }
        Command::Demo { dir } => {
            crate::demo::run(dir).await?;
        }
    }
    Ok(())
}
