//! Table-level operations: creating a table and describing what it holds.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::now_millis;
use bytes::Bytes;
use strata_core::binary_row::{BinaryRow, Datum};
use strata_core::manifest::{live_files, ManifestEntry};
use strata_core::options::{validate_options, TableOptions};
use strata_core::path::partition_path;
use strata_core::schema::{latest_schema_id, schema_path, TableSchema};
use strata_core::snapshot::{earliest_snapshot_id, latest_snapshot_id, Snapshot};
use strata_core::storage::Storage;
use strata_core::types::{parse_columns, DataType};
use strata_core::{Error, Result};

/// What `strata create` needs.
#[derive(Debug, Clone, Default)]
pub struct CreateTable {
    /// Column list, e.g. `id BIGINT NOT NULL, name STRING`.
    pub columns: String,
    /// Primary-key columns.
    pub primary_keys: Vec<String>,
    /// Partition columns.
    pub partition_keys: Vec<String>,
    /// `bucket` option, if given.
    pub bucket: Option<i32>,
    /// Further options.
    pub options: BTreeMap<String, String>,
}

impl CreateTable {
    /// The validated schema-0 of the new table.
    pub fn schema(&self) -> Result<TableSchema> {
        let fields = parse_columns(&self.columns)?;
        let mut options = self.options.clone();
        if let Some(b) = self.bucket {
            options.insert("bucket".into(), b.to_string());
        }
        TableSchema::create(
            fields,
            self.partition_keys.clone(),
            self.primary_keys.clone(),
            options,
            now_millis(),
        )
    }
}

/// Creates a table by writing `schema/schema-0` with put-if-absent; refuses a location that
/// already holds a table, or holds any other file: a table owns its directory (orphan
/// cleaning deletes unused files in it), so it never moves in beside a user's files. Refuses
/// options Paimon does not define, or values not of their kind
/// ([`strata_core::options::validate_options`]; [`option_notes`] lists what Strata ignores).
pub async fn create_table(storage: &dyn Storage, schema: &TableSchema) -> Result<()> {
    validate_options(&schema.options, &schema.fields)?;
    if let Some(id) = latest_schema_id(storage).await? {
        return Err(Error::AlreadyExists {
            path: format!("{} (a table is already here)", schema_path(id)),
        });
    }
    let present = storage.list("").await?;
    if present.iter().any(|o| o.path.starts_with("schema/schema-")) {
        // Another creator won the race since the check above.
        return Err(Error::AlreadyExists {
            path: "schema/ (a table is already here)".into(),
        });
    }
    if let Some(first) = present.first() {
        return Err(Error::InvalidValue(format!(
            "the table location is not empty ({} files, e.g. {}): create a table in a new or \
             empty directory",
            present.len(),
            first.path
        )));
    }
    let mut schema = schema.clone();
    schema.id = 0;
    storage
        .put_if_absent(&schema_path(0), Bytes::from(schema.to_json()))
        .await
}

/// The notes on a new table's options: those Strata keeps in the schema but does not act on
/// (Paimon engines do), and values Strata cannot work with. An error if an option is invalid.
pub fn option_notes(schema: &TableSchema) -> Result<Vec<String>> {
    validate_options(&schema.options, &schema.fields)
}

/// One line per snapshot: id, kind, schema, records and time.
pub async fn describe_snapshots(storage: &dyn Storage) -> Result<String> {
    let mut out = String::new();
    let (Some(first), Some(last)) = (
        earliest_snapshot_id(storage).await?,
        latest_snapshot_id(storage).await?,
    ) else {
        return Ok("no snapshots yet\n".into());
    };
    writeln!(
        out,
        "{:>6}  {:<9}  {:>6}  {:>12}  {:>12}  time_millis",
        "id", "kind", "schema", "total_rows", "delta_rows"
    )
    .ok();
    for id in first..=last {
        let s = Snapshot::load(storage, id).await?;
        writeln!(
            out,
            "{:>6}  {:<9}  {:>6}  {:>12}  {:>12}  {}",
            s.id,
            format!("{:?}", s.commit_kind).to_uppercase(),
            s.schema_id,
            s.total_record_count.map_or("-".into(), |v| v.to_string()),
            s.delta_record_count.map_or("-".into(), |v| v.to_string()),
            s.time_millis
        )
        .ok();
    }
    Ok(out)
}

/// Decodes a BinaryRow for display.
fn show_row(row: &BinaryRow, types: &[DataType]) -> String {
    match row.decode(types) {
        Ok(values) => format!(
            "({})",
            values
                .iter()
                .map(Datum::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => format!("<{e}>"),
    }
}

/// The live files of a snapshot (latest if `None`), one line each.
pub async fn describe_files(storage: &dyn Storage, snapshot: Option<i64>) -> Result<String> {
    let id = match snapshot {
        Some(id) => id,
        None => match latest_snapshot_id(storage).await? {
            Some(id) => id,
            None => return Ok("no snapshots yet: the table has no files\n".into()),
        },
    };
    let snap = Snapshot::load(storage, id).await?;
    let files = live_files(storage, &snap).await?;
    let mut schemas: HashMap<i64, TableSchema> = HashMap::new();
    let mut out = String::new();
    writeln!(out, "snapshot {id}: {} live files", files.len()).ok();
    for e in &files {
        let schema = match schemas.get(&e.file.schema_id) {
            Some(s) => s,
            None => {
                let s = TableSchema::load(storage, e.file.schema_id).await?;
                schemas.entry(e.file.schema_id).or_insert(s)
            }
        };
        writeln!(out, "{}", describe_entry(e, schema)?).ok();
    }
    Ok(out)
}

fn describe_entry(e: &ManifestEntry, schema: &TableSchema) -> Result<String> {
    let pfields = schema.partition_fields()?;
    let ptypes: Vec<DataType> = pfields.iter().map(|f| f.data_type.clone()).collect();
    let pvalues = e.partition.decode(&ptypes)?;
    let options = TableOptions::new(&schema.options);
    let dir = strata_core::path::bucket_path(
        &partition_path(
            &pfields,
            &pvalues,
            options.partition_default_name(),
            options.partition_legacy_name(),
        ),
        e.bucket,
    );
    let ktypes: Vec<DataType> = schema
        .trimmed_primary_key_fields()?
        .iter()
        .map(|f| f.data_type.clone())
        .collect();
    let keys = if schema.has_primary_key() {
        format!(
            " keys {}..{}",
            show_row(&e.file.min_key, &ktypes),
            show_row(&e.file.max_key, &ktypes)
        )
    } else {
        String::new()
    };
    Ok(format!(
        "{dir}/{} level {} rows {} deletes {} seq {}..{}{keys}",
        e.file.file_name,
        e.file.level,
        e.file.row_count,
        e.file
            .delete_row_count
            .map_or("?".into(), |d| d.to_string()),
        e.file.min_sequence_number,
        e.file.max_sequence_number,
    ))
}
