//! The `strata` command line's arguments (clap).

use clap::{Parser, Subcommand};

use super::*;

/// Strata: Apache Paimon-format tables, from Rust.
#[derive(Parser, Debug)]
#[command(name = "strata", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
    /// More logs on stderr: -v info (counts and timings of each command), -vv debug, -vvv
    /// trace. RUST_LOG, when set, overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(super) verbose: u8,
    /// Only errors on stderr (no warnings or notes).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(super) quiet: bool,
    /// Object-store setting `key=value` for s3://, s3a://, gs://, az://, abfs(s):// and
    /// http(s):// tables (repeatable; wins over the environment, which is read too:
    /// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION,
    /// AWS_ENDPOINT_URL, AWS_ALLOW_HTTP, GOOGLE_*, AZURE_*). Keys: Paimon's s3.endpoint,
    /// s3.access-key, s3.secret-key, s3.session-token, s3.region, s3.path.style.access;
    /// pypaimon's fs.s3.endpoint, fs.s3.accessKeyId, fs.s3.accessKeySecret, fs.s3.region;
    /// or object_store's own (aws_*, google_*, azure_*, allow_http, timeout). Not the same
    /// as `create --option`, which sets table options.
    ///
    /// Example: strata -S s3.endpoint=http://127.0.0.1:9000 scan s3://bucket/orders
    #[arg(
        short = 'S',
        long = "storage-option",
        global = true,
        value_name = "KEY=VALUE"
    )]
    pub(super) storage_options: Vec<crate::storage::StorageOption>,
}

impl Cli {
    /// The log filter the flags ask for (RUST_LOG wins when set).
    pub fn log_filter(&self) -> tracing_subscriber::EnvFilter {
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
        // object_store logs each retry of a throttled or failed request at info: visible
        // unless --quiet.
        let retries = if self.quiet { "error" } else { "info" };
        tracing_subscriber::EnvFilter::new(format!(
            "warn,strata={level},strata_writer={level},strata_core={level},\
             object_store::client::retry={retries}"
        ))
    }

    /// The subcommand's name, for logs.
    pub fn command_name(&self) -> &'static str {
        match &self.command {
            Command::Create(_) => "create",
            Command::Write(_) => "write",
            Command::Ingest(_) => "ingest",
            Command::SampleCdc(_) => "sample-cdc",
            Command::Compact(_) => "compact",
            Command::Expire(_) => "expire",
            Command::Tag(_) => "tag",
            Command::Rollback(_) => "rollback",
            Command::Alter(_) => "alter",
            Command::DropPartition(_) => "drop-partition",
            Command::CleanOrphans(_) => "clean-orphans",
            Command::Schema(_) => "schema",
            Command::Describe(_) => "describe",
            Command::Snapshots(_) => "snapshots",
            Command::Files(_) => "files",
            Command::Scan(_) => "scan",
            Command::Diff(_) => "diff",
            Command::Stream(_) => "stream",
            Command::Demo(_) => "demo",
        }
    }
}

#[derive(Subcommand, Debug)]
pub(super) enum Command {
    /// Create a table (writes schema/schema-0; refuses an existing table).
    ///
    /// Example: strata create /data/orders --columns 'id BIGINT NOT NULL, name STRING, dt STRING'
    ///          --primary-key id,dt --partition dt --bucket 4
    Create(CreateArgs),
    /// Write files into a table as one commit (all rows or none).
    ///
    /// Example: strata write /data/orders day1.parquet day2.csv --row-kind-column op
    Write(WriteArgs),
    /// Keep a primary-key table in sync with a CDC stream (Debezium, Canal or Maxwell JSON)
    /// from Kafka, a file or stdin; exactly-once, with offsets stored in the table's snapshots.
    ///
    /// Example: strata ingest /data/orders --format debezium-json --kafka 127.0.0.1:9092
    ///          --topic orders --create-if-missing --primary-key id
    Ingest(crate::ingest::command::IngestArgs),
    /// Print a deterministic sample CDC stream of an `orders` table (one JSON message per
    /// line), for trying `strata ingest --file` or `--stdin`.
    ///
    /// Example: strata sample-cdc --format debezium-json --events 1000 > orders.jsonl
    SampleCdc(SampleCdcArgs),
    /// Compact primary-key buckets: Paimon's universal compaction, or everything into the
    /// highest level with --full. Commits a COMPACT snapshot.
    ///
    /// Example: strata compact /data/orders --full --partition dt=2024-01-01
    Compact(CompactArgs),
    /// Expire old snapshots and delete the files only they used.
    ///
    /// Example: strata expire /data/orders --retain-min 5 --older-than 1h
    Expire(ExpireArgs),
    /// Make an earlier snapshot (an id or tag:NAME) the latest again: newer snapshots, the
    /// tags on them and the files only they used are deleted, as Paimon's rollback does.
    ///
    /// Example: strata rollback /data/orders --to tag:before-migration --dry-run
    Rollback(RollbackArgs),
    /// Change the table's schema as Paimon's ALTER TABLE does: add, rename, drop or move
    /// columns, widen a column's type, set or reset options. Publishes the next
    /// schema/schema-N; rows already written read under the new schema (added columns as
    /// null). Of two concurrent alters, one wins and the other fails, changing nothing.
    ///
    /// Example: strata alter /data/orders add-column 'note STRING' --after name
    Alter(AlterArgs),
    /// Drop a partition: one OVERWRITE commit deletes every live file of the partitions the
    /// spec matches (a subset of the partition keys matches every partition under it), as
    /// Paimon's drop-partition does. Earlier snapshots still hold the rows until they expire.
    ///
    /// Example: strata drop-partition /data/orders --partition dt=2024-01-01,hr=3 --dry-run
    DropPartition(DropPartitionArgs),
    /// Create, delete or list tags.
    ///
    /// Example: strata tag /data/orders create nightly --snapshot 42
    Tag(TagArgs),
    /// Delete files that no snapshot, tag or changelog uses, in the directories Paimon owns
    /// (manifest/, index/ and the partition/bucket-N/ data directories) and nowhere else;
    /// only files older than --older-than, so running writers are safe. Symbolic links are
    /// not followed. A table whose snapshots name missing files is left untouched.
    ///
    /// Example: strata clean-orphans /data/orders --older-than 2d --dry-run
    CleanOrphans(CleanOrphansArgs),
    /// Print the latest schema as JSON.
    ///
    /// Example: strata schema /data/orders
    Schema(SchemaArgs),
    /// Summarise a table: columns, keys, options, snapshots, tags, and the live files, rows
    /// (before merging) and bytes of each partition and bucket.
    ///
    /// Example: strata describe /data/orders --output json
    Describe(DescribeArgs),
    /// List the snapshots.
    ///
    /// Example: strata snapshots /data/orders
    Snapshots(SnapshotsArgs),
    /// List the live data files of a snapshot (the latest by default).
    ///
    /// Example: strata files /data/orders --snapshot 3
    Files(FilesArgs),
    /// Read a snapshot (the latest by default), merged, as rows.
    ///
    /// Example: strata scan /data/orders --filter "dt = '2024-01-01' AND amount > 10" --limit 5
    Scan(ScanArgs),
    /// The changes between two snapshots, each row with its `_kind` (+I/-U/+U/-D). A
    /// snapshot is an id, tag:NAME, timestamp:MS or an ISO-8601 time (the latest snapshot
    /// committed at or before it).
    ///
    /// Example: strata diff /data/orders --from tag:nightly --to 2024-01-02T00:00:00Z
    Diff(DiffArgs),
    /// Follow the table: each new snapshot's changes, one row per line with `_kind`.
    ///
    /// Example: strata stream /data/orders --from latest --full --consumer dash --idle-exit 30
    Stream(StreamArgs),
    /// Run the main job on embedded defaults: create a demo table under DIR (default: a
    /// fresh directory in the system temp dir) and describe it.
    Demo(DemoArgs),
}

/// `strata tag` actions.
#[derive(Subcommand, Debug)]
pub(super) enum TagAction {
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

/// The arguments of `strata create`.
#[derive(clap::Args, Debug)]
pub(super) struct CreateArgs {
    /// Table location: a directory path, file://, s3://, gs://, az:// (see --storage-option).
    pub(super) table: String,
    /// Column list: `name TYPE [NOT NULL] [COMMENT 'x'], ...`.
    #[arg(long, required_unless_present = "schema")]
    pub(super) columns: Option<String>,
    /// Primary-key columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub(super) primary_key: Vec<String>,
    /// Partition columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub(super) partition: Vec<String>,
    /// Bucket count (-1 dynamic/unaware, -2 postpone).
    #[arg(long, allow_negative_numbers = true)]
    pub(super) bucket: Option<i32>,
    /// Table option `key=value` (repeatable). Keys and values are checked against the
    /// options Paimon defines; options Strata keeps but does not act on get a note.
    #[arg(long = "option", value_parser = parse_kv)]
    pub(super) options: Vec<(String, String)>,
    /// A Paimon schema JSON file to create the table from instead of the flags.
    #[arg(long, conflicts_with_all = ["columns", "primary_key", "partition", "bucket"])]
    pub(super) schema: Option<String>,
}

/// The arguments of `strata write`.
#[derive(clap::Args, Debug)]
pub(super) struct WriteArgs {
    /// Table directory.
    pub(super) table: String,
    /// Input files; `-` reads standard input (with --format).
    #[arg(required = true)]
    pub(super) files: Vec<String>,
    /// Input format (default: from each file's extension).
    #[arg(long, value_enum)]
    pub(super) format: Option<InputFormat>,
    /// Column holding each row's kind (+I, -U, +U, -D); default: the table's rowkind.field.
    #[arg(long)]
    pub(super) row_kind_column: Option<String>,
    /// Replace instead of add: the partitions the rows fall in (dynamic-partition-overwrite,
    /// the default), the `--partition` given, or the whole table.
    #[arg(long)]
    pub(super) overwrite: bool,
    /// With --overwrite: the static partition to replace, `k=v` (repeatable).
    #[arg(long, value_parser = parse_kv, requires = "overwrite")]
    pub(super) partition: Vec<(String, String)>,
    /// Drop input columns the table lacks instead of refusing the file.
    #[arg(long)]
    pub(super) ignore_unknown_columns: bool,
}

/// The arguments of `strata sample-cdc`.
#[derive(clap::Args, Debug)]
pub(super) struct SampleCdcArgs {
    /// Message format.
    #[arg(long, value_enum, default_value = "debezium-json")]
    pub(super) format: crate::ingest::CdcFormat,
    /// Number of events.
    #[arg(long, default_value_t = 1000)]
    pub(super) events: usize,
    /// Number of distinct order ids.
    #[arg(long, default_value_t = 200)]
    pub(super) keys: u64,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
}

/// The arguments of `strata compact`.
#[derive(clap::Args, Debug)]
pub(super) struct CompactArgs {
    /// Table directory.
    pub(super) table: String,
    /// Merge every sorted run of each bucket into the highest level.
    #[arg(long)]
    pub(super) full: bool,
    /// Only partitions matching `k=v` (repeatable).
    #[arg(long, value_parser = parse_kv)]
    pub(super) partition: Vec<(String, String)>,
}

/// The arguments of `strata expire`.
#[derive(clap::Args, Debug)]
pub(super) struct ExpireArgs {
    /// Table directory.
    pub(super) table: String,
    /// Keep at least this many snapshots.
    #[arg(long, default_value_t = 10)]
    pub(super) retain_min: usize,
    /// Keep at most this many snapshots.
    #[arg(long)]
    pub(super) retain_max: Option<usize>,
    /// Keep snapshots younger than this (e.g. 1h, 30min, 2d).
    #[arg(long, default_value = "1h")]
    pub(super) older_than: String,
    /// Delete nothing: list the snapshots and files that would go.
    #[arg(long)]
    pub(super) dry_run: bool,
}

/// The arguments of `strata rollback`.
#[derive(clap::Args, Debug)]
pub(super) struct RollbackArgs {
    /// Table directory.
    pub(super) table: String,
    /// The snapshot to keep as the latest: an id or tag:NAME.
    #[arg(long)]
    pub(super) to: String,
    /// Delete nothing: list what would go.
    #[arg(long)]
    pub(super) dry_run: bool,
}

/// The arguments of `strata alter`.
#[derive(clap::Args, Debug)]
pub(super) struct AlterArgs {
    /// Table directory.
    pub(super) table: String,
    /// Publish nothing: print the schema the change would publish.
    #[arg(long)]
    pub(super) dry_run: bool,
    #[command(subcommand)]
    pub(super) action: super::alter::AlterAction,
}

/// The arguments of `strata drop-partition`.
#[derive(clap::Args, Debug)]
pub(super) struct DropPartitionArgs {
    /// Table directory.
    pub(super) table: String,
    /// The partition: `key=value[,key2=value2]` (partition keys only).
    #[arg(long, value_parser = super::drop_partition::parse_spec)]
    pub(super) partition: std::vec::Vec<(String, String)>,
    /// Delete nothing: list the partitions, files and rows that would go.
    #[arg(long)]
    pub(super) dry_run: bool,
}

/// The arguments of `strata tag`.
#[derive(clap::Args, Debug)]
pub(super) struct TagArgs {
    /// Table directory.
    pub(super) table: String,
    #[command(subcommand)]
    pub(super) action: TagAction,
}

/// The arguments of `strata clean-orphans`.
#[derive(clap::Args, Debug)]
pub(super) struct CleanOrphansArgs {
    /// Table directory.
    pub(super) table: String,
    /// Only files last modified longer ago than this.
    #[arg(long, default_value = "1d")]
    pub(super) older_than: String,
    /// Delete nothing: list the files that would go.
    #[arg(long)]
    pub(super) dry_run: bool,
}

/// The arguments of `strata schema`.
#[derive(clap::Args, Debug)]
pub(super) struct SchemaArgs {
    /// Table directory.
    pub(super) table: String,
    /// Output format (the schema is JSON either way).
    #[arg(long, value_enum, default_value = "json")]
    pub(super) output: MetaFormat,
}

/// The arguments of `strata describe`.
#[derive(clap::Args, Debug)]
pub(super) struct DescribeArgs {
    /// Table directory.
    pub(super) table: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(super) output: MetaFormat,
}

/// The arguments of `strata snapshots`.
#[derive(clap::Args, Debug)]
pub(super) struct SnapshotsArgs {
    /// Table directory.
    pub(super) table: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(super) output: MetaFormat,
}

/// The arguments of `strata files`.
#[derive(clap::Args, Debug)]
pub(super) struct FilesArgs {
    /// Table directory.
    pub(super) table: String,
    /// Snapshot id.
    #[arg(long)]
    pub(super) snapshot: Option<i64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub(super) output: MetaFormat,
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
    /// At most this many rows.
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

/// The arguments of `strata demo`.
#[derive(clap::Args, Debug)]
pub(super) struct DemoArgs {
    /// Where to put the demo table.
    pub(super) dir: Option<String>,
}
