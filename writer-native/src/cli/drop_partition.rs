//! `strata drop-partition`: core's [`strata_core::drop_partition`] plan, committed as the
//! writer's static-partition overwrite with no rows (Paimon's `dropPartitions`).

use crate::storage::StorageOptions;
use strata_core::drop_partition::plan;

use strata_core::write::{write, Overwrite, WriteOptions};

/// Parses `k=v[,k2=v2]`.
pub(super) fn parse_spec(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .map(|kv| {
            let (k, v) = kv
                .split_once('=')
                .ok_or_else(|| format!("{kv:?} is not key=value (e.g. dt=2024-01-01,hr=3)"))?;
            let k = k.trim();
            if k.is_empty() {
                return Err(format!("{kv:?} has an empty key"));
            }
            Ok((k.to_string(), v.to_string()))
        })
        .collect()
}

/// Runs `strata drop-partition TABLE --partition SPEC [--dry-run]`.
pub(super) async fn run(
    table: &str,
    spec: Vec<(String, String)>,
    dry_run: bool,
    options: &StorageOptions,
) -> strata_core::Result<()> {
    super::open_existing(table, options).await?;
    let t = crate::reading::open_table_with(table, options).await?;
    let planned = plan(&t, &spec).await?;
    let verb = if dry_run { "would drop" } else { "dropping" };
    for (path, p) in &planned.partitions {
        crate::outln!(
            "{verb} {} ({} files, {} rows, {} bytes)",
            path.trim_end_matches('/'),
            p.files,
            p.rows,
            p.bytes
        );
    }
    let summary = format!(
        "{} partitions, {} files, {} rows",
        planned.partitions.len(),
        planned.files(),
        planned.rows()
    );
    if planned.partitions.is_empty() {
        crate::outln!("no live partition matches; nothing to drop");
        return Ok(());
    }
    if dry_run {
        crate::outln!("dry run: would drop {summary}");
        return Ok(());
    }
    let opts = WriteOptions {
        overwrite: Some(Overwrite { partition: spec }),
        ..WriteOptions::default()
    };
    match write(t, vec![], opts, crate::runtime::env()).await? {
        Some(s) => crate::outln!("dropped {summary}: snapshot {} (OVERWRITE)", s.id),
        None => crate::outln!("nothing to drop"),
    }
    Ok(())
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
