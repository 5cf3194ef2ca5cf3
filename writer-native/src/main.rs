//! The `strata` command line. The work lives in the `strata_writer` library.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use std::time::Duration;

use strata_core::expire::Retention;
use strata_core::scan::SnapshotSpec;
use strata_core::schema::TableSchema;
use strata_writer::compact::{compact, CompactOptions};

/// mimalloc: writes and compactions allocate and free large column buffers at a high rate,
/// which glibc's allocator answers with fresh, kernel-zeroed pages.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use strata_writer::describe::{
    describe_files, describe_snapshots, describe_table, describe_tags, MetaFormat,
};
use strata_writer::ingest::command::parse_kv;
use strata_writer::maintenance::{
    create_tag, delete_tag, parse_duration, run_clean_orphans, run_expire,
};
use strata_writer::output::Format;
use strata_writer::reading::{diff, open_table, parse_start, scan, stream, Sink, StreamOptions};
use strata_writer::table::{create_table, option_notes, CreateTable};
use strata_writer::write::input::InputFormat;
use strata_writer::write::{write_files, Overwrite, WriteOptions};
use strata_writer::ObjectStoreStorage;

/// Strata: Apache Paimon-format tables, from Rust.
#[derive(Parser, Debug)]
#[command(name = "strata", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More logs on stderr: -v info (counts and timings of each command), -vv debug, -vvv
    /// trace. RUST_LOG, when set, overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors on stderr (no warnings or notes).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
}

impl Cli {
    /// The log filter the flags ask for (RUST_LOG wins when set).
    fn log_filter(&self) -> tracing_subscriber::EnvFilter {
        if std::env::var_os("RUST_LOG").is_some() {
            return tracing_subscriber::EnvFilter::from_default_env();
        }
        let level = match (self.quiet, self.verbose) {
            (true, _) => "error",
            (false, 0) => "warn",
            (false, 1) => "info",
            (false, 2) => "debug",
            _ => "trace",
        };
        tracing_subscriber::EnvFilter::new(format!(
            "warn,strata={level},strata_writer={level},strata_core={level}"
        ))
    }

    fn command_name(&self) -> &'static str {
        match &self.command {
            Command::Create { .. } => "create",
            Command::Write { .. } => "write",
            Command::Ingest(_) => "ingest",
            Command::SampleCdc { .. } => "sample-cdc",
            Command::Compact { .. } => "compact",
            Command::Expire { .. } => "expire",
            Command::Tag { .. } => "tag",
            Command::Rollback { .. } => "rollback",
            Command::CleanOrphans { .. } => "clean-orphans",
            Command::Schema { .. } => "schema",
            Command::Describe { .. } => "describe",
            Command::Snapshots { .. } => "snapshots",
            Command::Files { .. } => "files",
            Command::Scan { .. } => "scan",
            Command::Diff { .. } => "diff",
            Command::Stream { .. } => "stream",
            Command::Demo { .. } => "demo",
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a table (writes schema/schema-0; refuses an existing table).
    ///
    /// Example: strata create /data/orders --columns 'id BIGINT NOT NULL, name STRING, dt STRING'
    ///          --primary-key id,dt --partition dt --bucket 4
    Create {
        /// Table directory (path or file:// URL).
        table: String,
        /// Column list: `name TYPE [NOT NULL] [COMMENT 'x'], ...`.
        #[arg(long, required_unless_present = "schema")]
        columns: Option<String>,
        /// Primary-key columns, comma-separated.
        #[arg(long, value_delimiter = ',')]
        primary_key: Vec<String>,
        /// Partition columns, comma-separated.
        #[arg(long, value_delimiter = ',')]
        partition: Vec<String>,
        /// Bucket count (-1 dynamic/unaware, -2 postpone).
        #[arg(long, allow_negative_numbers = true)]
        bucket: Option<i32>,
        /// Table option `key=value` (repeatable). Keys and values are checked against the
        /// options Paimon defines; options Strata keeps but does not act on get a note.
        #[arg(long = "option", value_parser = parse_kv)]
        options: Vec<(String, String)>,
        /// A Paimon schema JSON file to create the table from instead of the flags.
        #[arg(long, conflicts_with_all = ["columns", "primary_key", "partition", "bucket"])]
        schema: Option<String>,
    },
    /// Write files into a table as one commit (all rows or none).
    ///
    /// Example: strata write /data/orders day1.parquet day2.csv --row-kind-column op
    Write {
        /// Table directory.
        table: String,
        /// Input files; `-` reads standard input (with --format).
        #[arg(required = true)]
        files: Vec<String>,
        /// Input format (default: from each file's extension).
        #[arg(long, value_enum)]
        format: Option<InputFormat>,
        /// Column holding each row's kind (+I, -U, +U, -D); default: the table's rowkind.field.
        #[arg(long)]
        row_kind_column: Option<String>,
        /// Replace instead of add: the partitions the rows fall in (dynamic-partition-overwrite,
        /// the default), the `--partition` given, or the whole table.
        #[arg(long)]
        overwrite: bool,
        /// With --overwrite: the static partition to replace, `k=v` (repeatable).
        #[arg(long, value_parser = parse_kv, requires = "overwrite")]
        partition: Vec<(String, String)>,
        /// Drop input columns the table lacks instead of refusing the file.
        #[arg(long)]
        ignore_unknown_columns: bool,
    },
    /// Keep a primary-key table in sync with a CDC stream (Debezium, Canal or Maxwell JSON)
    /// from Kafka, a file or stdin; exactly-once, with offsets stored in the table's snapshots.
    ///
    /// Example: strata ingest /data/orders --format debezium-json --kafka 127.0.0.1:9092
    ///          --topic orders --create-if-missing --primary-key id
    Ingest(strata_writer::ingest::command::IngestArgs),
    /// Print a deterministic sample CDC stream of an `orders` table (one JSON message per
    /// line), for trying `strata ingest --file` or `--stdin`.
    ///
    /// Example: strata sample-cdc --format debezium-json --events 1000 > orders.jsonl
    SampleCdc {
        /// Message format.
        #[arg(long, value_enum, default_value = "debezium-json")]
        format: strata_writer::ingest::CdcFormat,
        /// Number of events.
        #[arg(long, default_value_t = 1000)]
        events: usize,
        /// Number of distinct order ids.
        #[arg(long, default_value_t = 200)]
        keys: u64,
        /// Random seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Compact primary-key buckets: Paimon's universal compaction, or everything into the
    /// highest level with --full. Commits a COMPACT snapshot.
    ///
    /// Example: strata compact /data/orders --full --partition dt=2024-01-01
    Compact {
        /// Table directory.
        table: String,
        /// Merge every sorted run of each bucket into the highest level.
        #[arg(long)]
        full: bool,
        /// Only partitions matching `k=v` (repeatable).
        #[arg(long, value_parser = parse_kv)]
        partition: Vec<(String, String)>,
    },
    /// Expire old snapshots and delete the files only they used.
    ///
    /// Example: strata expire /data/orders --retain-min 5 --older-than 1h
    Expire {
        /// Table directory.
        table: String,
        /// Keep at least this many snapshots.
        #[arg(long, default_value_t = 10)]
        retain_min: usize,
        /// Keep at most this many snapshots.
        #[arg(long)]
        retain_max: Option<usize>,
        /// Keep snapshots younger than this (e.g. 1h, 30min, 2d).
        #[arg(long, default_value = "1h")]
        older_than: String,
        /// Delete nothing: list the snapshots and files that would go.
        #[arg(long)]
        dry_run: bool,
    },
    /// Make an earlier snapshot (an id or tag:NAME) the latest again: newer snapshots, the
    /// tags on them and the files only they used are deleted, as Paimon's rollback does.
    ///
    /// Example: strata rollback /data/orders --to tag:before-migration --dry-run
    Rollback {
        /// Table directory.
        table: String,
        /// The snapshot to keep as the latest: an id or tag:NAME.
        #[arg(long)]
        to: String,
        /// Delete nothing: list what would go.
        #[arg(long)]
        dry_run: bool,
    },
    /// Create, delete or list tags.
    ///
    /// Example: strata tag /data/orders create nightly --snapshot 42
    Tag {
        /// Table directory.
        table: String,
        #[command(subcommand)]
        action: TagAction,
    },
    /// Delete files that no snapshot, tag or changelog uses, in the directories Paimon owns
    /// (manifest/, index/ and the partition/bucket-N/ data directories) and nowhere else;
    /// only files older than --older-than, so running writers are safe. Symbolic links are
    /// not followed. A table whose snapshots name missing files is left untouched.
    ///
    /// Example: strata clean-orphans /data/orders --older-than 2d --dry-run
    CleanOrphans {
        /// Table directory.
        table: String,
        /// Only files last modified longer ago than this.
        #[arg(long, default_value = "1d")]
        older_than: String,
        /// Delete nothing: list the files that would go.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the latest schema as JSON.
    ///
    /// Example: strata schema /data/orders
    Schema {
        /// Table directory.
        table: String,
        /// Output format (the schema is JSON either way).
        #[arg(long, value_enum, default_value = "json")]
        output: MetaFormat,
    },
    /// Summarise a table: columns, keys, options, snapshots, tags, and the live files, rows
    /// (before merging) and bytes of each partition and bucket.
    ///
    /// Example: strata describe /data/orders --output json
    Describe {
        /// Table directory.
        table: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: MetaFormat,
    },
    /// List the snapshots.
    ///
    /// Example: strata snapshots /data/orders
    Snapshots {
        /// Table directory.
        table: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: MetaFormat,
    },
    /// List the live data files of a snapshot (the latest by default).
    ///
    /// Example: strata files /data/orders --snapshot 3
    Files {
        /// Table directory.
        table: String,
        /// Snapshot id.
        #[arg(long)]
        snapshot: Option<i64>,
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: MetaFormat,
    },
    /// Read a snapshot (the latest by default), merged, as rows.
    ///
    /// Example: strata scan /data/orders --filter "dt = '2024-01-01' AND amount > 10" --limit 5
    Scan {
        /// Table directory.
        table: String,
        /// Read this snapshot id.
        #[arg(long, conflicts_with_all = ["timestamp", "tag"])]
        snapshot: Option<i64>,
        /// Read the latest snapshot committed at or before this time: epoch ms or ISO-8601
        /// (`2024-01-02T03:04:05Z`; UTC without an offset).
        #[arg(long, conflicts_with = "tag")]
        timestamp: Option<String>,
        /// Read the snapshot this tag holds.
        #[arg(long)]
        tag: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
        /// At most this many rows.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// The changes between two snapshots, each row with its `_kind` (+I/-U/+U/-D). A
    /// snapshot is an id, tag:NAME, timestamp:MS or an ISO-8601 time (the latest snapshot
    /// committed at or before it).
    ///
    /// Example: strata diff /data/orders --from tag:nightly --to 2024-01-02T00:00:00Z
    Diff {
        /// Table directory.
        table: String,
        /// Start snapshot (exclusive; 0 is before the first).
        #[arg(long)]
        from: String,
        /// End snapshot (inclusive).
        #[arg(long)]
        to: String,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Follow the table: each new snapshot's changes, one row per line with `_kind`.
    ///
    /// Example: strata stream /data/orders --from latest --full --consumer dash --idle-exit 30
    Stream {
        /// Table directory.
        table: String,
        /// Where to start: latest, earliest, snapshot:N or timestamp:T (epoch ms or ISO-8601).
        #[arg(long, default_value = "latest")]
        from: String,
        /// Read the start snapshot in full first (a hybrid read).
        #[arg(long)]
        full: bool,
        /// Record progress under this consumer id (and resume from it).
        #[arg(long)]
        consumer: Option<String>,
        /// Stop after this many rows.
        #[arg(long)]
        max_rows: Option<usize>,
        /// Stop after this many seconds without a new snapshot.
        #[arg(long)]
        idle_exit: Option<f64>,
        /// Seconds between looks for a new snapshot.
        #[arg(long, default_value_t = 1.0)]
        interval: f64,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Run the main job on embedded defaults: create a demo table under DIR (default: a
    /// fresh directory in the system temp dir) and describe it.
    Demo {
        /// Where to put the demo table.
        dir: Option<String>,
    },
}

/// `strata tag` actions.
#[derive(Subcommand, Debug)]
enum TagAction {
    /// Tag a snapshot (the latest by default).
    Create {
        /// Tag name.
        name: String,
        /// Snapshot id.
        #[arg(long)]
        snapshot: Option<i64>,
    },
    /// Delete a tag.
    Delete {
        /// Tag name.
        name: String,
    },
    /// List tags: name, snapshot id, commit time.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value = "text")]
        output: MetaFormat,
    },
}

/// Output selection shared by the read commands.
#[derive(clap::Args, Debug)]
struct OutputArgs {
    /// Only these columns, comma-separated, in this order.
    #[arg(long, value_delimiter = ',')]
    columns: Option<Vec<String>>,
    /// Only rows matching this filter, e.g. "id > 3 AND (dt = '2024-01-01' OR name IS NULL)".
    #[arg(long)]
    filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    output: Format,
    /// Write the output to this file instead of standard output (required for parquet).
    #[arg(long)]
    out: Option<String>,
}

impl OutputArgs {
    fn sink(&self) -> Sink<'static> {
        Sink {
            format: self.output,
            out: self.out.clone(),
            writer: Box::new(std::io::BufWriter::new(strata_writer::output::stdout())),
        }
    }
}

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
async fn open_existing(table: &str) -> strata_core::Result<ObjectStoreStorage> {
    let storage = ObjectStoreStorage::open(table)?;
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
async fn compact_after_write(table: &str) -> strata_core::Result<()> {
    for _ in 0..3 {
        let t = open_table(table).await?;
        let write_only = strata_core::options::TableOptions::new(&t.schema().options).write_only();
        if !t.schema().has_primary_key() || write_only {
            return Ok(());
        }
        match compact(t, CompactOptions::default()).await {
            Ok(Some(s)) => {
                strata_writer::outln!("compacted: snapshot {} (COMPACT)", s.id);
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

async fn run(cli: Cli) -> strata_core::Result<()> {
    let quiet = cli.quiet;
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
            let storage = ObjectStoreStorage::create(&table)?;
            create_table(&storage, &schema).await?;
            for note in notes {
                if !quiet {
                    eprintln!("note: {note}");
                }
            }
            strata_writer::outln!("created {table}");
            strata_writer::outln!("{}", schema.to_json());
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
            let t = open_table(&table).await?;
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
            let written = write_files(t, files, extra, opts)
                .await
                .map_err(|e| match &stdin {
                    Some(s) => s.rename_in(e),
                    None => e,
                })?;
            drop(stdin);
            // Compact the buckets the write pushed past the trigger, as Paimon's writers do.
            if written.is_some() {
                compact_after_write(&table).await?;
            }
            match written {
                Some(s) => strata_writer::outln!(
                    "committed snapshot {} ({} rows)",
                    s.id,
                    s.delta_record_count.unwrap_or(0)
                ),
                None => strata_writer::outln!("nothing to write"),
            }
        }
        Command::Compact {
            table,
            full,
            partition,
        } => {
            let t = open_table(&table).await?;
            match compact(t, CompactOptions { full, partition }).await? {
                Some(s) => strata_writer::outln!("committed snapshot {} (COMPACT)", s.id),
                None => strata_writer::outln!("nothing to compact"),
            }
        }
        Command::Expire {
            table,
            retain_min,
            retain_max,
            older_than,
            dry_run,
        } => {
            let storage = open_existing(&table).await?;
            let retention = Retention {
                min: retain_min,
                max: retain_max,
                time_millis: i64::try_from(parse_duration(&older_than)?.as_millis())
                    .unwrap_or(i64::MAX),
            };
            let removed = run_expire(&storage, retention, dry_run).await?;
            if dry_run {
                for id in &removed.snapshots {
                    strata_writer::outln!("would expire snapshot {id}");
                }
                for f in &removed.files {
                    strata_writer::outln!("would delete {f}");
                }
                strata_writer::outln!(
                    "dry run: would expire {} snapshots and delete {} files",
                    removed.snapshots.len(),
                    removed.files.len()
                );
            } else {
                strata_writer::outln!(
                    "expired {} snapshots, deleted {} files",
                    removed.snapshots.len(),
                    removed.files.len()
                );
            }
        }
        Command::Rollback { table, to, dry_run } => {
            let storage = open_existing(&table).await?;
            let target = SnapshotSpec::parse(&to)?;
            let r = strata_core::rollback::rollback(&storage, &target, dry_run).await?;
            let verb = if dry_run { "would delete" } else { "deleted" };
            for id in &r.removed.snapshots {
                strata_writer::outln!("{verb} snapshot {id}");
            }
            for t in &r.tags {
                strata_writer::outln!("{verb} tag {t}");
            }
            for f in &r.removed.files {
                strata_writer::outln!("{verb} {f}");
            }
            strata_writer::outln!(
                "{}rolled back to snapshot {}: {} snapshots, {} tags, {} files removed",
                if dry_run { "dry run: would have " } else { "" },
                r.to,
                r.removed.snapshots.len(),
                r.tags.len(),
                r.removed.files.len()
            );
        }
        Command::Tag { table, action } => {
            let storage = open_existing(&table).await?;
            match action {
                TagAction::Create { name, snapshot } => {
                    let t = create_tag(&storage, &name, snapshot).await?;
                    strata_writer::outln!("tagged snapshot {} as {name}", t.snapshot.id);
                }
                TagAction::Delete { name } => {
                    delete_tag(&storage, &name).await?;
                    strata_writer::outln!("deleted tag {name}");
                }
                TagAction::List { output } => {
                    strata_writer::out!("{}", describe_tags(&storage, output).await?)
                }
            }
        }
        Command::CleanOrphans {
            table,
            older_than,
            dry_run,
        } => {
            let storage = open_existing(&table).await?;
            let removed =
                run_clean_orphans(&storage, parse_duration(&older_than)?, dry_run).await?;
            if dry_run {
                for f in &removed.files {
                    strata_writer::outln!("would delete {f}");
                }
                strata_writer::outln!("dry run: would delete {} orphan files", removed.files.len());
            } else {
                strata_writer::outln!("deleted {} orphan files", removed.files.len());
            }
        }
        Command::Schema { table, output: _ } => {
            let storage = open_existing(&table).await?;
            strata_writer::outln!("{}", TableSchema::load_latest(&storage).await?.to_json());
        }
        Command::Describe { table, output } => {
            let storage = open_existing(&table).await?;
            strata_writer::out!("{}", describe_table(&storage, &table, output).await?);
        }
        Command::Snapshots { table, output } => {
            let storage = open_existing(&table).await?;
            strata_writer::out!("{}", describe_snapshots(&storage, output).await?);
        }
        Command::Files {
            table,
            snapshot,
            output,
        } => {
            let storage = open_existing(&table).await?;
            strata_writer::out!("{}", describe_files(&storage, snapshot, output).await?);
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
            let t = open_table(&table).await?;
            let rows = scan(
                t,
                spec,
                out.columns.clone(),
                out.filter.clone(),
                limit,
                out.sink(),
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
            let t = open_table(&table).await?;
            let from = snapshot_id(&t, &from).await?;
            let to = snapshot_id(&t, &to).await?;
            let rows = diff(
                t,
                from,
                to,
                out.columns.clone(),
                out.filter.clone(),
                out.sink(),
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
            let t = open_table(&table).await?;
            let rows = stream(t, opts, out.sink()).await?;
            tracing::info!(rows, "streamed");
        }
        Command::Ingest(args) => {
            let stats = strata_writer::ingest::command::run(args).await?;
            strata_writer::outln!(
                "ingested {} rows from {} messages in {} commits (last snapshot {}); {} skipped, {} already in the table, {} schema changes",
                stats.rows,
                stats.messages,
                stats.commits,
                stats.last_snapshot.map_or("none".into(), |s| s.to_string()),
                stats.skipped,
                stats.duplicates,
                stats.schema_changes
            );
        }
        Command::SampleCdc {
            format,
            events,
            keys,
            seed,
        } => {
            let s = strata_writer::ingest::sample::generate(format, keys, events, 1, seed);
            let mut out = std::io::BufWriter::new(strata_writer::output::stdout());
            for e in &s.events {
                writeln!(out, "{}", e.payload).map_err(|e| strata_core::Error::Storage {
                    path: "stdout".into(),
                    message: e.to_string(),
                })?;
            }
        }
        Command::Demo { dir } => {
            strata_writer::demo::run(dir).await?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(cli.log_filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let command = cli.command_name();
    let started = std::time::Instant::now();
    let span = tracing::info_span!("strata", command);
    let result = tracing::Instrument::instrument(run(cli), span).await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(()) => {
            tracing::info!(command, elapsed_ms, "done");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::info!(command, elapsed_ms, "failed");
            eprintln!("strata: error: {e}");
            ExitCode::FAILURE
        }
    }
}
