//! `strata rollback`: an earlier snapshot made the latest again.

use super::*;

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

/// `strata rollback`: an earlier snapshot becomes the latest again.
pub(super) async fn run(a: RollbackArgs, cx: &Context) -> Result<()> {
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
