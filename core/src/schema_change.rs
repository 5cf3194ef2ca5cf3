//! Altering a table's schema, as Paimon's `SchemaChange`s and `SchemaManager` do: add, rename,
//! drop and move columns, widen column types, change a column's nullability or comment, set
//! and reset table options and the table's comment.
//!
//! [`apply`] is a pure function from a schema and a list of changes to the next schema; it
//! refuses what Paimon refuses (dropping or renaming partition columns, dropping primary-key
//! columns, changing key types, NOT NULL added columns, changing immutable options once the
//! table has snapshots) and, where Strata's read path is narrower than Paimon's, what Strata
//! cannot read back: a type change must be a lossless widening ([`widens_to`]).
//! [`alter_table`] loads the latest schema, applies the changes and publishes `schema-N+1`
//! with put-if-absent, so of two concurrent alters one wins and the other gets
//! [`Error::Conflict`] and changes nothing.
//!
//! Readers need nothing new: data files name the schema they were written with, and the read
//! path matches columns by field id (`read::evolution`), so older files read added columns as
//! null, renamed ones under their new name and widened ones cast.
//!
//! ```
//! use strata_core::schema::TableSchema;
//! use strata_core::schema_change::{apply, Move, SchemaChange};
//! let s = TableSchema::create(
//!     strata_core::types::parse_columns("id BIGINT, n INT").unwrap(),
//!     vec![], vec!["id".into()], [("bucket".to_string(), "1".to_string())].into(), 0,
//! ).unwrap();
//! let next = apply(&s, &[
//!     SchemaChange::add_column("note STRING", Some(Move::After("id".into()))).unwrap(),
//!     SchemaChange::UpdateColumnType { name: "n".into(), data_type: "BIGINT".parse().unwrap() },
//! ], false, 1).unwrap();
//! assert_eq!(next.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["id", "note", "n"]);
//! ```

use std::collections::BTreeMap;

use crate::options::{field_options, lookup, validate_options, Kind};
use crate::schema::{schema_path, TableSchema};
use crate::schema_evolution::{commit_schema, widens_to};
use crate::storage::Storage;
use crate::types::{DataField, DataType, TypeKind};
use crate::{Error, Result};

/// Options that fix what a table is: Paimon refuses to set or reset them once the table has
/// snapshots (its `@Immutable` options; `type` is refused always).
pub const IMMUTABLE_OPTIONS: &[&str] = &[
    "aggregation.remove-record-on-delete",
    "blob-descriptor-field",
    "blob-field",
    "blob-view-field",
    "bucket-function.type",
    "bucket-key",
    "data-evolution.enabled",
    "data-file.path-directory",
    "dynamic-bucket.initial-buckets",
    "force-lookup",
    "index-file-in-data-file-dir",
    "merge-engine",
    "partial-update.remove-record-on-delete",
    "partial-update.remove-record-on-sequence-group",
    "partition",
    "pk-clustering-override",
    "primary-key",
    "primary-key.nullable",
    "row-tracking.enabled",
    "rowkind.field",
    "sequence.snapshot-ordering",
    "type",
    "video-frame-field",
];

/// Where a column goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// Before every other column.
    First,
    /// After every other column.
    Last,
    /// Right after the named column.
    After(String),
    /// Right before the named column.
    Before(String),
}

/// One change to a table's schema, as Paimon's `SchemaChange` names them.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaChange {
    /// Set a table option (checked as `CREATE TABLE` checks options).
    SetOption {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// Remove a table option, so its default applies again.
    RemoveOption {
        /// The key.
        key: String,
    },
    /// Add a nullable column: at `position`, else last (or before the partition columns
    /// with `add-column-before-partition=true`).
    AddColumn {
        /// The new column (its id is assigned when applied).
        field: DataField,
        /// Where it goes.
        position: Option<Move>,
    },
    /// Rename a column (not a partition column); key and column-list options follow it.
    RenameColumn {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Drop a column (not a partition or primary-key column).
    DropColumn {
        /// The column.
        name: String,
    },
    /// Change a column's type to a wider one; the column keeps its nullability.
    UpdateColumnType {
        /// The column.
        name: String,
        /// The new type.
        data_type: DataType,
    },
    /// Move a column.
    UpdateColumnPosition {
        /// The column.
        name: String,
        /// Where it goes.
        position: Move,
    },
    /// Make a column nullable, or NOT NULL. Paimon refuses a nullable primary-key column, and
    /// NOT NULL on a nullable column unless `alter-column-null-to-not-null.disabled = false`
    /// (rows already written may hold nulls there).
    UpdateColumnNullability {
        /// The column.
        name: String,
        /// Whether it may hold null.
        nullable: bool,
    },
    /// Set or remove a column's comment.
    UpdateColumnComment {
        /// The column.
        name: String,
        /// The comment, or none.
        comment: Option<String>,
    },
    /// Set or remove the table's comment.
    UpdateComment {
        /// The comment, or none.
        comment: Option<String>,
    },
}

impl SchemaChange {
    /// An [`SchemaChange::AddColumn`] from a column definition such as
    /// `note STRING COMMENT 'why'` (the grammar of `strata create --columns`).
    pub fn add_column(definition: &str, position: Option<Move>) -> Result<Self> {
        let mut fields = crate::types::parse_columns(definition)?;
        if fields.len() != 1 {
            return Err(Error::InvalidValue(format!(
                "add one column at a time: {definition:?} defines {}",
                fields.len()
            )));
        }
        Ok(SchemaChange::AddColumn {
            field: fields.remove(0),
            position,
        })
    }
}

fn refuse(what: String) -> Error {
    Error::InvalidValue(format!("cannot alter the table: {what}"))
}

/// The schema after `changes`, applied in order, with the next id and `time_millis`; an
/// error naming the first change Paimon (or Strata's read path) refuses. `has_snapshots`
/// says whether the table holds data, which decides whether immutable options may change.
pub fn apply(
    schema: &TableSchema,
    changes: &[SchemaChange],
    has_snapshots: bool,
    time_millis: i64,
) -> Result<TableSchema> {
    let mut next = schema.clone();
    next.id = schema
        .id
        .checked_add(1)
        .ok_or_else(|| refuse("the schema id is at its maximum".into()))?;
    next.time_millis = time_millis;
    let mut set_keys = BTreeMap::new();
    for change in changes {
        match change {
            SchemaChange::SetOption { key, value } => {
                if next.options.get(key) == Some(value) {
                    continue;
                }
                check_option_change(&next, key, Some(value), has_snapshots)?;
                next.options.insert(key.clone(), value.clone());
                set_keys.insert(key.clone(), value.clone());
            }
            SchemaChange::RemoveOption { key } => {
                check_option_change(&next, key, None, has_snapshots)?;
                next.options.remove(key);
                set_keys.remove(key);
            }
            SchemaChange::AddColumn { field, position } => add_column(&mut next, field, position)?,
            SchemaChange::RenameColumn { from, to } => rename_column(&mut next, from, to)?,
            SchemaChange::DropColumn { name } => drop_column(&mut next, name)?,
            SchemaChange::UpdateColumnType { name, data_type } => {
                update_type(&mut next, name, data_type)?
            }
            SchemaChange::UpdateColumnPosition { name, position } => {
                let i = index_of(&next, name)?;
                let f = next.fields.remove(i);
                place(&mut next.fields, f, position)?;
            }
            SchemaChange::UpdateColumnNullability { name, nullable } => {
                update_nullability(&mut next, schema, name, *nullable)?
            }
            SchemaChange::UpdateColumnComment { name, comment } => {
                let i = index_of(&next, name)?;
                next.fields[i].description = comment.clone();
            }
            SchemaChange::UpdateComment { comment } => next.comment = comment.clone(),
        }
    }
    // Options set here are checked like CREATE TABLE's, against the final columns; options
    // already there are not (another engine may have set ones this registry does not know).
    validate_options(&set_keys, &next.fields).map_err(|e| match e {
        Error::InvalidValue(m) => refuse(m),
        other => other,
    })?;
    check_column_options(&next)?;
    next.validate(&schema_path(next.id))
        .map_err(|e| refuse(e.to_string()))?;
    Ok(next)
}

/// Paimon's `checkAlterTableOption` / `checkResetTableOption`, plus what Strata cannot do.
fn check_option_change(
    schema: &TableSchema,
    key: &str,
    value: Option<&str>,
    has_snapshots: bool,
) -> Result<()> {
    if key == "type" || (has_snapshots && IMMUTABLE_OPTIONS.contains(&key)) {
        return Err(refuse(format!(
            "option {key} cannot change once the table has data (Paimon refuses it too)"
        )));
    }
    if key == "bucket" {
        let old = schema.bucket_count()?;
        let Some(value) = value else {
            return Err(refuse("option bucket cannot be reset".into()));
        };
        let new: i32 = value
            .trim()
            .parse()
            .map_err(|_| refuse(format!("option bucket = {value:?} is not an int")))?;
        if old == -1 || new == -1 {
            return Err(refuse(format!(
                "bucket cannot change from or to -1 (from {old} to {new})"
            )));
        }
        if new == 0 || new < -2 {
            return Err(refuse(format!(
                "bucket = {new}: use a positive count, -1 or -2"
            )));
        }
        if has_snapshots && old != new {
            return Err(refuse(format!(
                "bucket cannot change from {old} to {new} on a table with data: Paimon then \
                 needs every partition rewritten (a rescale overwrite), which Strata does not do"
            )));
        }
    }
    Ok(())
}

fn index_of(schema: &TableSchema, name: &str) -> Result<usize> {
    schema
        .fields
        .iter()
        .position(|f| f.name == name)
        .ok_or_else(|| {
            refuse(format!(
                "the table has no column {name:?} (columns: {})",
                schema
                    .fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

/// Puts `field` at `position` among `fields` (which no longer hold it).
fn place(fields: &mut Vec<DataField>, field: DataField, position: &Move) -> Result<()> {
    let at = |name: &str, fields: &[DataField]| {
        fields.iter().position(|f| f.name == name).ok_or_else(|| {
            refuse(format!(
                "cannot place column {:?} next to {name:?}: no such column",
                field.name
            ))
        })
    };
    let i = match position {
        Move::First => 0,
        Move::Last => fields.len(),
        Move::After(other) => at(other, fields)? + 1,
        Move::Before(other) => at(other, fields)?,
    };
    fields.insert(i, field);
    Ok(())
}

fn add_column(next: &mut TableSchema, field: &DataField, position: &Option<Move>) -> Result<()> {
    if next.field(&field.name).is_some() {
        return Err(refuse(format!("column {:?} already exists", field.name)));
    }
    if !field.data_type.nullable {
        return Err(refuse(format!(
            "a new column cannot be NOT NULL ({:?}): older rows have no value for it",
            field.name
        )));
    }
    let mut field = field.clone();
    next.highest_field_id += 1;
    field.id = next.highest_field_id;
    renumber(&mut field.data_type, &mut next.highest_field_id);
    let before_partition = next
        .option("add-column-before-partition")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let position = match (position, next.partition_keys.first()) {
        (Some(p), _) => p.clone(),
        (None, Some(first)) if before_partition => Move::Before(first.clone()),
        (None, _) => Move::Last,
    };
    place(&mut next.fields, field, &position)
}

/// Gives the fields nested in `t` fresh ids after `highest`.
fn renumber(t: &mut DataType, highest: &mut i32) {
    match &mut t.kind {
        TypeKind::Array(e) | TypeKind::Multiset(e) => renumber(e, highest),
        TypeKind::Map(k, v) => {
            renumber(k, highest);
            renumber(v, highest);
        }
        TypeKind::Row(fields) => {
            for f in fields {
                *highest += 1;
                f.id = *highest;
                renumber(&mut f.data_type, highest);
            }
        }
        _ => {}
    }
}

fn rename_column(next: &mut TableSchema, from: &str, to: &str) -> Result<()> {
    let i = index_of(next, from)?;
    if next.partition_keys.iter().any(|k| k == from) {
        return Err(refuse(format!(
            "{from:?} is a partition column: its name is part of every partition's path"
        )));
    }
    if next.field(to).is_some() {
        return Err(refuse(format!("column {to:?} already exists")));
    }
    if to.is_empty() {
        return Err(refuse("a column name cannot be empty".into()));
    }
    next.fields[i].name = to.to_string();
    for k in &mut next.primary_keys {
        if k == from {
            *k = to.to_string();
        }
    }
    // Paimon renames the column in these options; any other option naming it is refused
    // later by check_column_options.
    for key in ["bucket-key", "sequence.field"] {
        if let Some(v) = next.options.get_mut(key) {
            *v = v
                .split(',')
                .map(|c| if c.trim() == from { to } else { c })
                .collect::<Vec<_>>()
                .join(",");
        }
    }
    Ok(())
}

fn drop_column(next: &mut TableSchema, name: &str) -> Result<()> {
    let i = index_of(next, name)?;
    if next.partition_keys.iter().any(|k| k == name) {
        return Err(refuse(format!("cannot drop partition column {name:?}")));
    }
    if next.primary_keys.iter().any(|k| k == name) {
        return Err(refuse(format!("cannot drop primary-key column {name:?}")));
    }
    if next.fields.len() == 1 {
        return Err(refuse(format!(
            "cannot drop {name:?}, the table's only column"
        )));
    }
    next.fields.remove(i);
    Ok(())
}

fn update_type(next: &mut TableSchema, name: &str, to: &DataType) -> Result<()> {
    let i = index_of(next, name)?;
    if next.partition_keys.iter().any(|k| k == name) {
        return Err(refuse(format!(
            "cannot change the type of partition column {name:?}"
        )));
    }
    if next.primary_keys.iter().any(|k| k == name) {
        return Err(refuse(format!(
            "cannot change the type of primary-key column {name:?}"
        )));
    }
    let field = &mut next.fields[i];
    if !to.is_atomic() || !field.data_type.is_atomic() {
        return Err(refuse(format!(
            "column {name:?}: only atomic types change type ({} to {to})",
            field.data_type
        )));
    }
    if !widens_to(&field.data_type, to) {
        return Err(refuse(format!(
            "column {name:?} cannot change from {} to {to}: only lossless widenings are \
             allowed (a wider integer, FLOAT to DOUBLE, more decimal digits on either side \
             of the point, longer CHAR/VARCHAR/BINARY, more timestamp precision)",
            field.data_type
        )));
    }
    field.data_type = to.with_nullable(field.data_type.nullable);
    Ok(())
}

/// Paimon's rules for `UpdateColumnNullability`. Whether NOT NULL may be added is the
/// table's option before this alter (`before`), as in Paimon: it cannot be set in the same
/// alter that uses it.
fn update_nullability(
    next: &mut TableSchema,
    before: &TableSchema,
    name: &str,
    nullable: bool,
) -> Result<()> {
    let i = index_of(next, name)?;
    if nullable && next.primary_keys.iter().any(|k| k == name) {
        return Err(refuse(format!(
            "{name:?} is a primary-key column: it cannot become nullable (Paimon refuses it too)"
        )));
    }
    let field = &mut next.fields[i];
    if !nullable && field.data_type.nullable {
        let allowed = before
            .options
            .get("alter-column-null-to-not-null.disabled")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("false"));
        if !allowed {
            return Err(refuse(format!(
                "column {name:?} is nullable and rows already written may hold nulls in it, so \
                 it cannot become NOT NULL; if none do, set the option \
                 alter-column-null-to-not-null.disabled=false first (in an alter of its own)"
            )));
        }
    }
    field.data_type = field.data_type.with_nullable(nullable);
    Ok(())
}

/// The items of a comma-separated list, trimmed, empty ones left out.
fn parse_list(value: &str) -> Vec<&str> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Column-list options (and `fields.<column>.<option>`) must still name columns after a
/// rename or drop: a dangling one would break every later read or write.
fn check_column_options(schema: &TableSchema) -> Result<()> {
    let column = |c: &str| schema.field(c.trim()).is_some();
    for (key, value) in &schema.options {
        if let Some(spec) = lookup(key) {
            if spec.kind == Kind::Columns {
                if let Some(missing) = parse_list(value).into_iter().find(|c| !column(c)) {
                    return Err(refuse(format!(
                        "option {key} = {value:?} names column {missing:?}, which would no \
                         longer exist; change or reset the option first"
                    )));
                }
            }
        } else if let Some(rest) = key.strip_prefix("fields.") {
            let Some(spec) = field_options()
                .iter()
                .filter(|o| rest.len() > o.key.len() + 1 && rest.ends_with(&format!(".{}", o.key)))
                .max_by_key(|o| o.key.len())
            else {
                continue;
            };
            let named = &rest[..rest.len() - spec.key.len() - 1];
            let missing = if spec.key == "sequence-group" {
                parse_list(named).into_iter().find(|c| !column(c))
            } else {
                (!column(named)).then_some(named)
            };
            if let Some(missing) = missing {
                return Err(refuse(format!(
                    "option {key} names column {missing:?}, which would no longer exist; \
                     reset the option first"
                )));
            }
        }
    }
    Ok(())
}

/// Applies `changes` to the table's latest schema and publishes the result as the next
/// `schema/schema-N` with put-if-absent. Returns the new schema, or the current one when the
/// changes change nothing. A concurrent alter that published that id first makes this one
/// fail with [`Error::Conflict`], having changed nothing.
pub async fn alter_table(
    storage: &dyn Storage,
    changes: &[SchemaChange],
    time_millis: i64,
) -> Result<TableSchema> {
    let current = TableSchema::load_latest(storage).await?;
    let has_snapshots = crate::snapshot::latest_snapshot_id(storage)
        .await?
        .is_some();
    let next = apply(&current, changes, has_snapshots, time_millis)?;
    let unchanged = TableSchema {
        id: current.id,
        time_millis: current.time_millis,
        ..next.clone()
    };
    if unchanged == current {
        return Ok(current);
    }
    match commit_schema(storage, &next).await {
        Err(Error::AlreadyExists { .. }) => Err(Error::Conflict(format!(
            "{} was written by a concurrent schema change while this one was planned; \
             nothing was changed: look at the new schema and run the alter again",
            schema_path(next.id)
        ))),
        Err(e) => Err(e),
        Ok(()) => Ok(next),
    }
}

#[cfg(test)]
#[path = "schema_change_tests.rs"]
mod tests;
