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
use strata_writer::ingest::command::parse_kv;
use strata_writer::maintenance::{
    create_tag, delete_tag, list_tags, parse_duration, run_clean_orphans, run_expire,
};
use strata_writer::output::Format;
use strata_writer::reading::{diff, open_table, parse_start, scan, stream, Sink, StreamOptions};
use strata_writer::table::{
    create_table, describe_files, describe_snapshots, option_notes, CreateTable,
};
use strata_writer::write::input::InputFormat;
use strata_writer::write::{write_files, Overwrite, WriteOptions};
use strata_writer::ObjectStoreStorage;

/// Strata: Apache Paimon-format tables, from Rust.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
        /// Input files.
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
    },
    /// List the snapshots.
    ///
    /// Example: strata snapshots /data/orders
    Snapshots {
        /// Table directory.
        table: String,
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
        /// Read the latest snapshot committed at or before this time (epoch ms).
        #[arg(long, conflicts_with = "tag")]
        timestamp: Option<i64>,
        /// Read the snapshot this tag holds.
        #[arg(long)]
        tag: Option<String>,
        #[command(flatten)]
        out: OutputArgs,
        /// At most this many rows.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// The changes between two snapshots, each row with its `_kind` (+I/-U/+U/-D).
    ///
    /// Example: strata diff /data/orders --from 3 --to 7
    Diff {
        /// Table directory.
        table: String,
        /// Start snapshot (exclusive).
        #[arg(long)]
        from: i64,
        /// End snapshot (inclusive).
        #[arg(long)]
        to: i64,
        #[command(flatten)]
        out: OutputArgs,
    },
    /// Follow the table: each new snapshot's changes, one row per line with `_kind`.
    ///
    /// Example: strata stream /data/orders --from latest --full --consumer dash --idle-exit 30
    Stream {
        /// Table directory.
        table: String,
        /// Where to start: latest, earliest, snapshot:N or timestamp:MS.
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
    List,
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
    /// File to write Parquet output to.
    #[arg(long)]
    out: Option<String>,
}

impl OutputArgs {
    fn sink(&self) -> Sink<'static> {
        Sink {
            format: self.output,
            out: self.out.clone(),
            writer: Box::new(std::io::BufWriter::new(std::io::stdout())),
        }
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
        let write_only = t
            .schema()
            .option("write-only")
            .is_some_and(|v| v.trim() == "true");
        if !t.schema().has_primary_key() || write_only {
            return Ok(());
        }
        match compact(t, CompactOptions::default()).await {
            Ok(Some(s)) => {
                println!("compacted: snapshot {} (COMPACT)", s.id);
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
                eprintln!("note: {note}");
            }
            println!("created {table}");
            println!("{}", schema.to_json());
        }
        Command::Write {
            table,
            files,
            format,
            row_kind_column,
            overwrite,
            partition,
        } => {
            let t = open_table(&table).await?;
            let extra: Vec<String> = row_kind_column.iter().cloned().collect();
            let files = files
                .iter()
                .map(|f| {
                    let fmt = format.or_else(|| InputFormat::guess(f)).ok_or_else(|| {
                        strata_core::Error::InvalidValue(format!(
                            "{f}: unknown input format; pass --format"
                        ))
                    })?;
                    Ok((f.clone(), fmt))
                })
                .collect::<strata_core::Result<Vec<_>>>()?;
            let opts = WriteOptions {
                row_kind_column,
                commit_user: None,
                overwrite: overwrite.then_some(Overwrite { partition }),
                ..WriteOptions::default()
            };
            let written = write_files(t, files, extra, opts).await?;
            // Compact the buckets the write pushed past the trigger, as Paimon's writers do.
            if written.is_some() {
                compact_after_write(&table).await?;
            }
            match written {
                Some(s) => println!(
                    "committed snapshot {} ({} rows)",
                    s.id,
                    s.delta_record_count.unwrap_or(0)
                ),
                None => println!("nothing to write"),
            }
        }
        Command::Compact {
            table,
            full,
            partition,
        } => {
            let t = open_table(&table).await?;
            match compact(t, CompactOptions { full, partition }).await? {
                Some(s) => println!("committed snapshot {} (COMPACT)", s.id),
                None => println!("nothing to compact"),
            }
        }
        Command::Expire {
            table,
            retain_min,
            retain_max,
            older_than,
            dry_run,
        } => {
            let storage = ObjectStoreStorage::open(&table)?;
            let retention = Retention {
                min: retain_min,
                max: retain_max,
                time_millis: i64::try_from(parse_duration(&older_than)?.as_millis())
                    .unwrap_or(i64::MAX),
            };
            let removed = run_expire(&storage, retention, dry_run).await?;
            if dry_run {
                for id in &removed.snapshots {
                    println!("would expire snapshot {id}");
                }
                for f in &removed.files {
                    println!("would delete {f}");
                }
                println!(
                    "dry run: would expire {} snapshots and delete {} files",
                    removed.snapshots.len(),
                    removed.files.len()
                );
            } else {
                println!(
                    "expired {} snapshots, deleted {} files",
                    removed.snapshots.len(),
                    removed.files.len()
                );
            }
        }
        Command::Tag { table, action } => {
            let storage = ObjectStoreStorage::open(&table)?;
            match action {
                TagAction::Create { name, snapshot } => {
                    let t = create_tag(&storage, &name, snapshot).await?;
                    println!("tagged snapshot {} as {name}", t.snapshot.id);
                }
                TagAction::Delete { name } => {
                    delete_tag(&storage, &name).await?;
                    println!("deleted tag {name}");
                }
                TagAction::List => print!("{}", list_tags(&storage).await?),
            }
        }
        Command::CleanOrphans {
            table,
            older_than,
            dry_run,
        } => {
            let storage = ObjectStoreStorage::open(&table)?;
            let removed =
                run_clean_orphans(&storage, parse_duration(&older_than)?, dry_run).await?;
            if dry_run {
                for f in &removed.files {
                    println!("would delete {f}");
                }
                println!("dry run: would delete {} orphan files", removed.files.len());
            } else {
                println!("deleted {} orphan files", removed.files.len());
            }
        }
        Command::Schema { table } => {
            let storage = ObjectStoreStorage::open(&table)?;
            println!("{}", TableSchema::load_latest(&storage).await?.to_json());
        }
        Command::Snapshots { table } => {
            let storage = ObjectStoreStorage::open(&table)?;
            print!("{}", describe_snapshots(&storage).await?);
        }
        Command::Files { table, snapshot } => {
            let storage = ObjectStoreStorage::open(&table)?;
            print!("{}", describe_files(&storage, snapshot).await?);
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
                (_, Some(t), _) => SnapshotSpec::TimestampMillis(t),
                (_, _, Some(t)) => SnapshotSpec::Tag(t),
                _ => SnapshotSpec::Latest,
            };
            let t = open_table(&table).await?;
            scan(
                t,
                spec,
                out.columns.clone(),
                out.filter.clone(),
                limit,
                out.sink(),
            )
            .await?;
        }
        Command::Diff {
            table,
            from,
            to,
            out,
        } => {
            let t = open_table(&table).await?;
            diff(
                t,
                from,
                to,
                out.columns.clone(),
                out.filter.clone(),
                out.sink(),
            )
            .await?;
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
            stream(t, opts, out.sink()).await?;
        }
        Command::Ingest(args) => {
            let stats = strata_writer::ingest::command::run(args).await?;
            println!(
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
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
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
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strata: error: {e}");
            ExitCode::FAILURE
        }
    }
}
