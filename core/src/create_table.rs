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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;
    use futures::executor::block_on;

    fn spec(columns: &str) -> CreateTable {
        CreateTable {
            columns: columns.into(),
            primary_keys: vec!["id".into()],
            bucket: Some(2),
            ..CreateTable::default()
        }
    }

    #[test]
    fn the_first_schema_is_schema_0_with_the_flags_as_options() {
        let storage = MemoryStorage::new();
        let schema = spec("id BIGINT NOT NULL, v STRING").schema(42).unwrap();
        block_on(create_table(&storage, &schema)).unwrap();
        let read = block_on(TableSchema::load_latest(&storage)).unwrap();
        assert_eq!(read.id, 0);
        assert_eq!(read.time_millis, 42);
        assert_eq!(read.primary_keys, ["id"]);
        assert_eq!(read.options.get("bucket").map(String::as_str), Some("2"));
        assert_eq!(read.fields.len(), 2);
    }

    #[test]
    fn a_second_create_is_refused_and_changes_nothing() {
        let storage = MemoryStorage::new();
        let first = spec("id BIGINT NOT NULL").schema(1).unwrap();
        block_on(create_table(&storage, &first)).unwrap();
        let second = spec("id BIGINT NOT NULL, extra INT").schema(2).unwrap();
        let e = block_on(create_table(&storage, &second)).unwrap_err();
        assert!(
            matches!(&e, Error::AlreadyExists { path } if path.contains("schema/schema-0")),
            "{e}"
        );
        let read = block_on(TableSchema::load_latest(&storage)).unwrap();
        assert_eq!(read.fields.len(), 1);
        assert_eq!(read.time_millis, 1);
    }

    #[test]
    fn a_location_holding_other_files_is_refused() {
        let storage = MemoryStorage::new();
        block_on(storage.put("notes/readme.txt", Bytes::from_static(b"mine"))).unwrap();
        let schema = spec("id BIGINT NOT NULL").schema(1).unwrap();
        let e = block_on(create_table(&storage, &schema)).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("not empty") && text.contains("notes/readme.txt"),
            "{text}"
        );
        assert!(block_on(storage.head(&schema_path(0))).unwrap().is_none());
    }

    #[test]
    fn invalid_options_are_refused_before_anything_is_written() {
        let storage = MemoryStorage::new();
        let mut s = spec("id BIGINT NOT NULL");
        s.options
            .insert("merge-engine".into(), "partial-updat".into());
        let e = s.schema(1).unwrap_err();
        assert!(
            e.to_string().contains("did you mean \"partial-update\""),
            "{e}"
        );
        // A schema edited after it was checked (e.g. read from a file) is checked again.
        let mut schema = spec("id BIGINT NOT NULL").schema(1).unwrap();
        schema.options.insert("bukcet".into(), "3".into());
        let e = block_on(create_table(&storage, &schema)).unwrap_err();
        assert!(e.to_string().contains("bucket"), "{e}");
        assert!(block_on(storage.list("")).unwrap().is_empty());
    }

    #[test]
    fn a_schema_with_another_id_is_published_as_schema_0() {
        let storage = MemoryStorage::new();
        let mut schema = spec("id BIGINT NOT NULL").schema(1).unwrap();
        schema.id = 7;
        block_on(create_table(&storage, &schema)).unwrap();
        assert!(block_on(storage.head(&schema_path(0))).unwrap().is_some());
        assert!(block_on(storage.head(&schema_path(7))).unwrap().is_none());
    }

    #[test]
    fn the_bucket_flag_wins_over_a_bucket_option_and_bad_columns_are_refused() {
        let mut s = spec("id BIGINT NOT NULL");
        s.options.insert("bucket".into(), "5".into());
        let schema = s.schema(1).unwrap();
        assert_eq!(schema.options.get("bucket").map(String::as_str), Some("2"));
        assert!(spec("id NOSUCHTYPE").schema(1).is_err());
        let e = spec("v STRING").schema(1).unwrap_err();
        assert!(e.to_string().contains("id"), "{e}");
    }
}
