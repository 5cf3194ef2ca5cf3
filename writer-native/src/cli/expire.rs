//! `strata expire`: snapshot expiration.

use super::*;

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

/// `strata expire`: snapshots past the retention, and the files only they used.
pub(super) async fn run(a: ExpireArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    let retention = Retention {
        min: a.retain_min,
        max: a.retain_max,
        time_millis: i64::try_from(parse_duration(&a.older_than)?.as_millis()).unwrap_or(i64::MAX),
    };
    let removed = run_expire(&storage, retention, a.dry_run).await?;
    if a.dry_run {
        for id in &removed.snapshots {
            crate::outln!("would expire snapshot {id}");
        }
        for f in &removed.files {
            crate::outln!("would delete {f}");
        }
        crate::outln!(
            "dry run: would expire {} snapshots and delete {} files",
            removed.snapshots.len(),
            removed.files.len()
        );
    } else {
        crate::outln!(
            "expired {} snapshots, deleted {} files",
            removed.snapshots.len(),
            removed.files.len()
        );
    }
    Ok(())
}
