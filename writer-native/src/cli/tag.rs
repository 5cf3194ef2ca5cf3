//! `strata tag`: tags.

use super::*;

/// The arguments of `strata tag`.
#[derive(clap::Args, Debug)]
pub(super) struct TagArgs {
    /// Table directory.
    pub(super) table: String,
    #[command(subcommand)]
    pub(super) action: TagAction,
}

/// `strata tag` actions.
#[derive(clap::Subcommand, Debug)]
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

/// `strata tag create|delete|list`.
pub(super) async fn run(a: TagArgs, cx: &Context) -> Result<()> {
    let storage = open_existing(&a.table, &cx.storage).await?;
    match a.action {
        TagAction::Create { name, snapshot } => {
            let t = create_tag(&storage, &name, snapshot).await?;
            crate::outln!("tagged snapshot {} as {name}", t.snapshot.id);
        }
        TagAction::Delete { name } => {
            delete_tag(&storage, &name).await?;
            crate::outln!("deleted tag {name}");
        }
        TagAction::List { output } => crate::out!("{}", describe_tags(&storage, output).await?),
    }
    Ok(())
}
