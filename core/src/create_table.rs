//! Creating a table: its first schema, in a location it owns.

use std::collections::BTreeMap;

use crate::options::validate_options;
use crate::schema::{latest_schema_id, schema_path, TableSchema};
use crate::storage::Storage;
use crate::types::parse_columns;
use crate::{Error, Result};
use bytes::Bytes;

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
    /// The validated schema-0 of the new table, created at `now_millis`.
    pub fn schema(&self, now_millis: i64) -> Result<TableSchema> {
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
            now_millis,
        )
    }
}

/// Creates a table by writing `schema/schema-0` with put-if-absent; refuses a location that
/// already holds a table, or holds any other file: a table owns its directory (orphan
/// cleaning deletes unused files in it), so it never moves in beside a user's files. Refuses
/// options Paimon does not define, or values not of their kind
/// ([`crate::options::validate_options`]; [`option_notes`] lists what Strata ignores).
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
