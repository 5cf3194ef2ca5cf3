//! `strata alter`: one schema change from the command line, applied by core's
//! [`strata_core::schema_change`].

use crate::storage::StorageOptions;
use std::collections::BTreeMap;

use clap::{ArgGroup, Subcommand};
use strata_core::schema::TableSchema;
use strata_core::schema_change::{alter_table, apply, Move, SchemaChange};

use crate::ingest::command::parse_kv;

/// The changes `strata alter` makes.
#[derive(Subcommand, Debug)]
pub(super) enum AlterAction {
    /// Add a nullable column (last, or where --first/--after/--before say).
    ///
    /// Example: strata alter /data/orders add-column 'note STRING' --after name
    #[command(group(ArgGroup::new("position").args(["first", "after", "before"])))]
    AddColumn {
        /// The column: `name TYPE [COMMENT 'text']`, as in `create --columns`.
        definition: String,
        /// Put it first.
        #[arg(long)]
        first: bool,
        /// Put it right after this column.
        #[arg(long)]
        after: Option<String>,
        /// Put it right before this column.
        #[arg(long)]
        before: Option<String>,
    },
    /// Rename a column (not a partition column). Data files keep the old name; readers find
    /// it by field id.
    ///
    /// Example: strata alter /data/orders rename-column name customer
    RenameColumn {
        /// The column.
        from: String,
        /// Its new name.
        to: String,
    },
    /// Drop columns (not partition or primary-key columns). Their values stay in older files
    /// but are never read again.
    ///
    /// Example: strata alter /data/orders drop-column note
    DropColumn {
        /// The columns.
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Move a column.
    ///
    /// Example: strata alter /data/orders move-column amount --after id
    #[command(group(ArgGroup::new("position").required(true).args(["first", "last", "after", "before"])))]
    MoveColumn {
        /// The column.
        name: String,
        /// Make it the first column.
        #[arg(long)]
        first: bool,
        /// Make it the last column.
        #[arg(long)]
        last: bool,
        /// Put it right after this column.
        #[arg(long)]
        after: Option<String>,
        /// Put it right before this column.
        #[arg(long)]
        before: Option<String>,
    },
    /// Widen a column's type without loss: a wider integer (INT to BIGINT), FLOAT to DOUBLE,
    /// more decimal digits, longer CHAR/VARCHAR/BINARY (or STRING/BYTES), more timestamp
    /// precision. The column keeps its nullability; key and partition columns keep their type.
    ///
    /// Example: strata alter /data/orders update-column-type qty BIGINT
    #[command(visible_alias = "widen")]
    UpdateColumnType {
        /// The column.
        name: String,
        /// The new type, e.g. BIGINT or 'DECIMAL(12, 2)'.
        data_type: String,
    },
    /// Let a column hold null (not a primary-key column), as Spark's `ALTER COLUMN c DROP NOT
    /// NULL`.
    ///
    /// Example: strata alter /data/orders drop-not-null qty
    DropNotNull {
        /// The column.
        name: String,
    },
    /// Make a nullable column NOT NULL. Refused unless the table sets
    /// alter-column-null-to-not-null.disabled=false, since rows already written may hold nulls;
    /// writes then refuse nulls in it.
    ///
    /// Example: strata alter /data/orders set-not-null qty
    SetNotNull {
        /// The column.
        name: String,
    },
    /// Set a column's comment, or remove it when no comment is given.
    ///
    /// Example: strata alter /data/orders update-column-comment qty 'units ordered'
    UpdateColumnComment {
        /// The column.
        name: String,
        /// The comment (none: remove it).
        comment: Option<String>,
    },
    /// Set the table's comment, or remove it when no comment is given.
    ///
    /// Example: strata alter /data/orders update-comment 'orders by day, from the shop'
    UpdateComment {
        /// The comment (none: remove it).
        comment: Option<String>,
    },
    /// Set table options `key=value`, checked as `create --option` checks them. Options that
    /// fix what the table is (merge-engine, bucket-key, ...) and the bucket count cannot
    /// change once the table has data.
    ///
    /// Example: strata alter /data/orders set-option snapshot.num-retained.min=20 write-only=true
    SetOption {
        /// `key=value` pairs.
        #[arg(required = true, value_parser = parse_kv)]
        options: Vec<(String, String)>,
    },
    /// Remove table options, so Paimon's defaults apply again.
    ///
    /// Example: strata alter /data/orders reset-option write-only
    ResetOption {
        /// The keys.
        #[arg(required = true)]
        keys: Vec<String>,
    },
}

fn position(
    first: bool,
    last: bool,
    after: Option<String>,
    before: Option<String>,
) -> Option<Move> {
    match (first, last, after, before) {
        (true, ..) => Some(Move::First),
        (_, true, ..) => Some(Move::Last),
        (_, _, Some(c), _) => Some(Move::After(c)),
        (.., Some(c)) => Some(Move::Before(c)),
        _ => None,
    }
}

impl AlterAction {
    /// The schema changes the action asks for.
    fn changes(self) -> strata_core::Result<Vec<SchemaChange>> {
        Ok(match self {
            AlterAction::AddColumn {
                definition,
                first,
                after,
                before,
            } => vec![SchemaChange::add_column(
                &definition,
                position(first, false, after, before),
            )?],
            AlterAction::RenameColumn { from, to } => vec![SchemaChange::RenameColumn { from, to }],
            AlterAction::DropColumn { names } => names
                .into_iter()
                .map(|name| SchemaChange::DropColumn { name })
                .collect(),
            AlterAction::MoveColumn {
                name,
                first,
                last,
                after,
                before,
            } => vec![SchemaChange::UpdateColumnPosition {
                name,
                position: position(first, last, after, before).unwrap_or(Move::Last),
            }],
            AlterAction::UpdateColumnType { name, data_type } => {
                vec![SchemaChange::UpdateColumnType {
                    name,
                    data_type: data_type.parse()?,
                }]
            }
            AlterAction::DropNotNull { name } => vec![SchemaChange::UpdateColumnNullability {
                name,
                nullable: true,
            }],
            AlterAction::SetNotNull { name } => vec![SchemaChange::UpdateColumnNullability {
                name,
                nullable: false,
            }],
            AlterAction::UpdateColumnComment { name, comment } => {
                vec![SchemaChange::UpdateColumnComment { name, comment }]
            }
            AlterAction::UpdateComment { comment } => vec![SchemaChange::UpdateComment { comment }],
            AlterAction::SetOption { options } => options
                .into_iter()
                .map(|(key, value)| SchemaChange::SetOption { key, value })
                .collect(),
            AlterAction::ResetOption { keys } => keys
                .into_iter()
                .map(|key| SchemaChange::RemoveOption { key })
                .collect(),
        })
    }
}

/// Runs `strata alter TABLE ACTION`: prints the new schema id (or, with `dry_run`, the schema
/// it would publish) and notes on options Strata keeps but does not act on.
pub(super) async fn run(
    table: &str,
    action: AlterAction,
    dry_run: bool,
    quiet: bool,
    options: &StorageOptions,
) -> strata_core::Result<()> {
    let storage = super::open_existing(table, options).await?;
    let changes = action.changes()?;
    let now = crate::now_millis();
    let before = strata_core::schema::latest_schema_id(&storage).await?;
    let next = if dry_run {
        let current = TableSchema::load_latest(&storage).await?;
        let has_snapshots = strata_core::snapshot::latest_snapshot_id(&storage)
            .await?
            .is_some();
        apply(&current, &changes, has_snapshots, now)?
    } else {
        alter_table(&storage, &changes, now).await?
    };
    let set: BTreeMap<String, String> = changes
        .iter()
        .filter_map(|c| match c {
            SchemaChange::SetOption { key, value } => Some((key.clone(), value.clone())),
            _ => None,
        })
        .collect();
    if !quiet {
        for note in strata_core::options::validate_options(&set, &next.fields)? {
            eprintln!("note: {note}");
        }
    }
    if dry_run {
        crate::outln!("dry run: would publish schema {}", next.id);
        crate::outln!("{}", next.to_json());
    } else if Some(next.id) == before {
        crate::outln!("nothing to change: schema {} already says so", next.id);
    } else {
        crate::outln!("altered {table}: schema {}", next.id);
    }
    Ok(())
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
