//! Table schemas: the JSON files `schema/schema-N`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::{DataField, DataType};
use crate::{Error, Result};

/// The schema file format version Strata writes.
pub const CURRENT_SCHEMA_VERSION: i32 = 3;

/// A table schema, as stored in `schema/schema-<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableSchema {
    /// File format version; a missing key means 1.
    #[serde(default = "legacy_version")]
    pub version: i32,
    /// Schema id, equal to the file suffix.
    pub id: i64,
    /// Top-level columns in order.
    pub fields: Vec<DataField>,
    /// Largest field id ever assigned, nested fields included.
    pub highest_field_id: i32,
    /// Partition columns.
    #[serde(default)]
    pub partition_keys: Vec<String>,
    /// Primary-key columns; empty for append tables.
    #[serde(default)]
    pub primary_keys: Vec<String>,
    /// Table options; all values are strings.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// Table comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Creation time (epoch ms); 0 if absent.
    #[serde(default)]
    pub time_millis: i64,
}

fn legacy_version() -> i32 {
    1
}

/// Path of the schema file with `id`, relative to the table root.
pub fn schema_path(id: i64) -> String {
    format!("schema/schema-{id}")
}

impl TableSchema {
    /// Parses a schema file, applying the legacy defaults Java applies: version ≤ 1 without
    /// `bucket` means one bucket; version ≤ 2 without `file.format` means ORC.
    pub fn from_json(bytes: &[u8], file: &str) -> Result<Self> {
        let mut s: TableSchema = serde_json::from_slice(bytes).map_err(|source| Error::Json {
            file: file.to_string(),
            source,
        })?;
        if s.version <= 1 && !s.options.contains_key("bucket") {
            s.options.insert("bucket".into(), "1".into());
        }
        if s.version <= 2 && !s.options.contains_key("file.format") {
            s.options.insert("file.format".into(), "orc".into());
        }
        s.validate(file)?;
        Ok(s)
    }

    /// Serializes as pretty-printed JSON, as Java does.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a schema always serializes")
    }

    /// Checks the invariants readers rely on: keys name existing columns, names and ids are
    /// unique, `highestFieldId` covers every id.
    pub fn validate(&self, file: &str) -> Result<()> {
        let mut names = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for f in &self.fields {
            if !names.insert(f.name.as_str()) {
                return Err(Error::corrupt(
                    file,
                    format!("duplicate column {:?}", f.name),
                ));
            }
            let max_id = Some(f.id)
                .max(f.data_type.max_nested_field_id())
                .unwrap_or(f.id);
            if !ids.insert(f.id) || f.id < 0 || max_id > self.highest_field_id {
                return Err(Error::corrupt(
                    file,
                    format!(
                        "field {:?} has id {} (highestFieldId {})",
                        f.name, f.id, self.highest_field_id
                    ),
                ));
            }
        }
        for k in self.partition_keys.iter().chain(&self.primary_keys) {
            if !names.contains(k.as_str()) {
                return Err(Error::corrupt(
                    file,
                    format!("key column {k:?} is not a column"),
                ));
            }
        }
        Ok(())
    }

    /// The column named `name`.
    pub fn field(&self, name: &str) -> Option<&DataField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The columns named by `names`, in that order.
    pub fn fields_named(&self, names: &[String]) -> Result<Vec<DataField>> {
        names
            .iter()
            .map(|n| {
                self.field(n).cloned().ok_or_else(|| {
                    Error::corrupt(schema_path(self.id), format!("no column named {n:?}"))
                })
            })
            .collect()
    }

    /// The partition columns.
    pub fn partition_fields(&self) -> Result<Vec<DataField>> {
        self.fields_named(&self.partition_keys)
    }

    /// The trimmed primary key: primary keys minus partition keys. This is the key stored in
    /// data files and in `_MIN_KEY`/`_MAX_KEY`.
    pub fn trimmed_primary_keys(&self) -> Vec<String> {
        self.primary_keys
            .iter()
            .filter(|k| !self.partition_keys.contains(k))
            .cloned()
            .collect()
    }

    /// The trimmed primary-key columns.
    pub fn trimmed_primary_key_fields(&self) -> Result<Vec<DataField>> {
        self.fields_named(&self.trimmed_primary_keys())
    }

    /// The bucket key: option `bucket-key` if set, else the trimmed primary key.
    pub fn bucket_keys(&self) -> Vec<String> {
        match self.options.get("bucket-key") {
            Some(v) if !v.trim().is_empty() => v
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            _ => self.trimmed_primary_keys(),
        }
    }

    /// The bucket-key columns.
    pub fn bucket_key_fields(&self) -> Result<Vec<DataField>> {
        self.fields_named(&self.bucket_keys())
    }

    /// The `bucket` option (default -1: dynamic for PK tables, unaware for append tables).
    pub fn bucket_count(&self) -> Result<i32> {
        match self.options.get("bucket") {
            None => Ok(-1),
            Some(v) => v.trim().parse().map_err(|_| {
                Error::corrupt(
                    schema_path(self.id),
                    format!("option bucket={v:?} is not an int"),
                )
            }),
        }
    }

    /// Whether this is a primary-key table.
    pub fn has_primary_key(&self) -> bool {
        !self.primary_keys.is_empty()
    }

    /// The row type of the table (the types of all columns).
    pub fn field_types(&self) -> Vec<DataType> {
        self.fields.iter().map(|f| f.data_type.clone()).collect()
    }

    /// A table option, if set.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.get(key).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYPAIMON: &str = r#"{"version": 3, "id": 0, "fields": [
        {"id": 0, "name": "id", "type": "BIGINT NOT NULL"}, {"id": 1, "name": "name", "type": "STRING"},
        {"id": 2, "name": "dt", "type": "STRING NOT NULL"}, {"id": 3, "name": "v", "type": "DOUBLE"}],
      "highestFieldId": 3, "partitionKeys": ["dt"], "primaryKeys": ["id", "dt"],
      "options": {"bucket": "2", "file.format": "parquet"}, "comment": null, "timeMillis": 1, "extra": 5}"#;

    #[test]
    fn parses_pypaimon_schema_and_derives_keys() {
        let s = TableSchema::from_json(PYPAIMON.as_bytes(), "schema/schema-0").unwrap();
        assert_eq!(s.trimmed_primary_keys(), vec!["id"]);
        assert_eq!(s.bucket_keys(), vec!["id"]);
        assert_eq!(s.bucket_count().unwrap(), 2);
        let back = TableSchema::from_json(s.to_json().as_bytes(), "x").unwrap();
        assert_eq!(back, s);
        assert!(!s.to_json().contains("comment"));
    }

    #[test]
    fn legacy_defaults_apply() {
        let s = TableSchema::from_json(
            br#"{"id":0,"fields":[],"highestFieldId":-1,"partitionKeys":[],"primaryKeys":[],"options":{}}"#,
            "s",
        )
        .unwrap();
        assert_eq!(s.version, 1);
        assert_eq!(s.option("bucket"), Some("1"));
        assert_eq!(s.option("file.format"), Some("orc"));
    }

    #[test]
    fn corrupt_schemas_name_the_file() {
        for bad in [
            &b"{"[..],
            br#"{"id":0,"fields":[{"id":0,"name":"a","type":"INT"},{"id":0,"name":"b","type":"INT"}],"highestFieldId":1}"#,
            br#"{"id":0,"fields":[{"id":5,"name":"a","type":"INT"}],"highestFieldId":1}"#,
            br#"{"id":0,"fields":[],"highestFieldId":1,"primaryKeys":["x"]}"#,
        ] {
            let e = TableSchema::from_json(bad, "schema/schema-9").unwrap_err();
            assert!(e.to_string().contains("schema/schema-9"), "{e}");
        }
    }
}
