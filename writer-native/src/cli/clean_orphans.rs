//! `strata clean-orphans`: deletion of files no snapshot, tag or changelog uses.

use super::*;

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

/// `strata clean-orphans`: files no snapshot, tag or changelog uses.
pub(super) async fn run(a: CleanOrphansArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    let removed = run_clean_orphans(&storage, parse_duration(&a.older_than)?, a.dry_run).await?;
    if a.dry_run {
        for f in &removed.files {
            crate::outln!("would delete {f}");
        }
        crate::outln!("dry run: would delete {} orphan files", removed.files.len());
    } else {
        crate::outln!("deleted {} orphan files", removed.files.len());
    }
    Ok(())
}
