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
    /// or object_store's own (aws_*, google_*, azure_*, allow_http, timeout). For a store
    /// without conditional writes, single-writer=true commits by a check and a plain put:
    /// safe only while one process at a time writes the table. A table whose data files
    /// live outside it (its data-file.external-paths) is read, written and expired there
    /// only with external-paths=declared (every root the table declares) or
    /// external-paths=ROOT[,ROOT...]; the roots open with these same settings. Not the same
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
    /// Compact a table, as one COMPACT snapshot. Primary-key buckets: Paimon's universal
    /// compaction, or everything into the highest level with --full. Append tables: small
    /// files merged once compaction.min.file-num (5) gather, or all files of each bucket with
    /// --full. Ctrl-C stops between buckets, committing nothing.
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
    /// columns, widen a column's type, change its nullability or comment, set or reset
    /// options, set the table's comment. Publishes the next
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

/// The arguments of `strata demo`.
#[derive(clap::Args, Debug)]
pub(super) struct DemoArgs {
    /// Where to put the demo table.
    pub(super) dir: Option<String>,
}
