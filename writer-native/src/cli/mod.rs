//! The `strata` command line: the arguments ([`args`]) and one function per subcommand.

use std::collections::BTreeMap;
use std::io::Write;

use std::time::Duration;

mod alter;
mod args;
mod clean_orphans;
mod compact;
mod create;
mod drop_partition;
mod expire;
mod ingest;
mod interrupt;
mod metadata;
mod read;
mod rollback;
mod tag;
mod write;
use alter::AlterArgs;
pub use args::Cli;
use args::*;
use clean_orphans::CleanOrphansArgs;
use compact::CompactArgs;
use create::CreateArgs;
use drop_partition::DropPartitionArgs;
use expire::ExpireArgs;
use ingest::SampleCdcArgs;
pub use interrupt::interrupted;
use metadata::DescribeArgs;
use metadata::FilesArgs;
use metadata::SchemaArgs;
use metadata::SnapshotsArgs;
use read::DiffArgs;
use read::ScanArgs;
use read::StreamArgs;
use rollback::RollbackArgs;
use strata_core::{Error, Result};
use tag::TagArgs;
use write::WriteArgs;

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
use crate::write::input::InputFormat;
use crate::ObjectStoreStorage;
use strata_core::create_table::{create_table, option_notes, CreateTable};
use strata_core::write::{Overwrite, WriteOptions};

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

/// What every subcommand gets besides its own arguments.
pub(super) struct Context {
    /// `--quiet`: only errors on stderr.
    pub(super) quiet: bool,
    /// `--storage-option`s, with the environment's.
    pub(super) storage: StorageOptions,
}

/// Runs a parsed command line: one function per subcommand.
pub async fn run(cli: Cli) -> Result<()> {
    crate::progress::set_quiet(cli.quiet);
    let cx = Context {
        quiet: cli.quiet,
        storage: StorageOptions::from_options(cli.storage_options),
    };
    match cli.command {
        Command::Create(a) => create::run(a, &cx).await,
        Command::Write(a) => write::run(a, &cx).await,
        Command::Compact(a) => compact::run(a, &cx).await,
        Command::Expire(a) => expire::run(a, &cx).await,
        Command::Rollback(a) => rollback::run(a, &cx).await,
        Command::Alter(a) => alter::run(&a.table, a.action, a.dry_run, cx.quiet, &cx.storage).await,
        Command::DropPartition(a) => {
            drop_partition::run(&a.table, a.partition, a.dry_run, &cx.storage).await
        }
        Command::Tag(a) => tag::run(a, &cx).await,
        Command::CleanOrphans(a) => clean_orphans::run(a, &cx).await,
        Command::Schema(a) => metadata::schema(a, &cx).await,
        Command::Describe(a) => metadata::describe(a, &cx).await,
        Command::Snapshots(a) => metadata::snapshots(a, &cx).await,
        Command::Files(a) => metadata::files(a, &cx).await,
        Command::Scan(a) => read::scan_table(a, &cx).await,
        Command::Diff(a) => read::diff_table(a, &cx).await,
        Command::Stream(a) => read::stream_table(a, &cx).await,
        Command::Ingest(a) => ingest::run(a, &cx).await,
        Command::SampleCdc(a) => ingest::sample_cdc(a),
        Command::Demo(a) => crate::demo::run(a.dir).await.map(drop),
    }
}
