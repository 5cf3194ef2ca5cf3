//! `strata compact`: compaction of a table as one COMPACT commit.

use super::*;

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

/// `strata compact`: universal or full compaction, one COMPACT commit.
pub(super) async fn run(a: CompactArgs, cx: &Context) -> Result<()> {
    let t = open_table_with(&a.table, &cx.storage).await?;
    let options = CompactOptions {
        full: a.full,
        partition: a.partition,
    };
    match interrupt::compact(t, options).await? {
        Some(s) => crate::outln!("committed snapshot {} (COMPACT)", s.id),
        None => crate::outln!("nothing to compact"),
    }
    Ok(())
}
