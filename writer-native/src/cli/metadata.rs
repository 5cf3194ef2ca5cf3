//! The metadata commands: `strata schema`, `describe`, `snapshots` and `files`.

use super::*;

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

/// `strata schema`: the latest schema as JSON.
pub(super) async fn schema(a: SchemaArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::outln!("{}", TableSchema::load_latest(&storage).await?.to_json());
    Ok(())
}

/// `strata describe`: the table's summary.
pub(super) async fn describe(a: DescribeArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::out!("{}", describe_table(&storage, &a.table, a.output).await?);
    Ok(())
}

/// `strata snapshots`: the snapshot list.
pub(super) async fn snapshots(a: SnapshotsArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::out!("{}", describe_snapshots(&storage, a.output).await?);
    Ok(())
}

/// `strata files`: a snapshot's live data files.
pub(super) async fn files(a: FilesArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    crate::out!("{}", describe_files(&storage, a.snapshot, a.output).await?);
    Ok(())
}
