//! Table schemas: the JSON files `schema/schema-N`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::storage::Storage;
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
    #[allow(
        clippy::expect_used,
        reason = "plain data with string map keys: serde_json cannot fail on it"
    )]
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

impl TableSchema {
    /// Reads schema `id` from storage.
    pub async fn load(storage: &dyn Storage, id: i64) -> Result<Self> {
        let path = schema_path(id);
        let bytes = storage.get(&path).await?;
        TableSchema::from_json(&bytes, &path)
    }

    /// Reads the table's latest schema; [`Error::NotFound`] if the table has none.
    pub async fn load_latest(storage: &dyn Storage) -> Result<Self> {
        match latest_schema_id(storage).await? {
            Some(id) => TableSchema::load(storage, id).await,
            None => Err(Error::NotFound {
                path: "schema/schema-0 (no table here)".into(),
            }),
        }
    }
}

impl TableSchema {
    /// A new table's schema (id 0), validated as Paimon validates `CREATE TABLE`: options are
    /// ones Paimon defines, with values of their kind ([`crate::options::validate_options`]),
    /// keys name columns, primary keys become NOT NULL (unless `primary-key.nullable=true`),
    /// the trimmed primary key is not empty, `bucket` is -2, -1 or positive, a bucket key is a
    /// subset of the primary key and has no partition columns, and fixed-bucket append tables
    /// name one.
    pub fn create(
        mut fields: Vec<DataField>,
        partition_keys: Vec<String>,
        primary_keys: Vec<String>,
        options: BTreeMap<String, String>,
        time_millis: i64,
    ) -> Result<Self> {
        let bad = |what: String| Error::InvalidValue(format!("invalid table: {what}"));
        crate::options::validate_options(&options, &fields).map_err(|e| match e {
            Error::InvalidValue(m) => bad(m),
            other => other,
        })?;
        let pk_nullable = options.get("primary-key.nullable").map(String::as_str) == Some("true");
        for k in &primary_keys {
            let f = fields
                .iter_mut()
                .find(|f| &f.name == k)
                .ok_or_else(|| bad(format!("primary key {k:?} is not a column")))?;
            if !pk_nullable {
                f.data_type.nullable = false;
            }
        }
        for (i, k) in primary_keys.iter().enumerate() {
            if primary_keys[..i].contains(k) {
                return Err(bad(format!("primary key {k:?} listed twice")));
            }
        }
        for (i, k) in partition_keys.iter().enumerate() {
            if partition_keys[..i].contains(k) {
                return Err(bad(format!("partition key {k:?} listed twice")));
            }
        }
        let highest_field_id = fields
            .iter()
            .map(|f| {
                Some(f.id)
                    .max(f.data_type.max_nested_field_id())
                    .unwrap_or(f.id)
            })
            .max()
            .unwrap_or(-1);
        let schema = TableSchema {
            version: CURRENT_SCHEMA_VERSION,
            id: 0,
            fields,
            highest_field_id,
            partition_keys,
            primary_keys,
            options,
            comment: None,
            time_millis,
        };
        schema
            .validate("new table")
            .map_err(|e| bad(e.to_string()))?;
        for k in schema.partition_keys.iter().chain(&schema.primary_keys) {
            let Some(f) = schema.field(k) else {
                return Err(bad(format!("key column {k:?} does not exist")));
            };
            if !f.data_type.is_atomic() {
                return Err(bad(format!(
                    "key column {k:?} has nested type {}",
                    f.data_type
                )));
            }
        }
        if schema.has_primary_key() && schema.trimmed_primary_keys().is_empty() {
            return Err(bad(
                "the primary key must not consist of partition columns only".into(),
            ));
        }
        let buckets = schema.bucket_count().map_err(|e| bad(e.to_string()))?;
        if buckets == 0 || buckets < -2 {
            return Err(bad(format!(
                "bucket = {buckets}: use a positive count, -1 or -2"
            )));
        }
        let bucket_keys = schema.bucket_keys();
        for k in &bucket_keys {
            if schema.field(k).is_none() {
                return Err(bad(format!("bucket key {k:?} is not a column")));
            }
            if schema.partition_keys.contains(k) {
                return Err(bad(format!("bucket key {k:?} is a partition column")));
            }
            if schema.has_primary_key() && !schema.primary_keys.contains(k) {
                return Err(bad(format!(
                    "bucket key {k:?} is not part of the primary key"
                )));
            }
        }
        if !schema.has_primary_key() && buckets > 0 && bucket_keys.is_empty() {
            return Err(bad(
                "a fixed-bucket append table needs a bucket-key option".into()
            ));
        }
        Ok(schema)
    }
}

/// The latest schema id, or `None` if the directory holds no table. Lists `schema/` where the
/// storage can, else probes upwards (schema ids are contiguous from 0).
pub async fn latest_schema_id(storage: &dyn Storage) -> Result<Option<i64>> {
    match storage.list("schema").await {
        Ok(objects) => Ok(objects
            .iter()
            .filter_map(|o| o.path.strip_prefix("schema/schema-")?.parse().ok())
            .max()),
        Err(Error::Unsupported { .. }) => {
            // No listing (plain HTTP): probe ids four at a time, concurrently, so a table
            // with few schemas costs one round trip.
            let mut latest = None;
            let mut id = 0;
            loop {
                let probes = futures::future::join_all(
                    (id..id + 4).map(|i| async move { storage.head(&schema_path(i)).await }),
                )
                .await;
                for (i, probe) in (id..).zip(probes) {
                    if probe?.is_none() {
                        return Ok(latest);
                    }
                    latest = Some(i);
                }
                id += 4;
            }
        }
        Err(e) => Err(e),
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
    fn create_validates_like_paimon() {
        let cols = crate::types::parse_columns("id BIGINT, name STRING, dt STRING").unwrap();
        let opts = |b: &str| BTreeMap::from([("bucket".to_string(), b.to_string())]);
        let s = TableSchema::create(
            cols.clone(),
            vec!["dt".into()],
            vec!["id".into(), "dt".into()],
            opts("2"),
            7,
        )
        .unwrap();
        assert!(!s.field("id").unwrap().data_type.nullable);
        assert_eq!(s.highest_field_id, 2);
        let v = |p: Vec<&str>, k: Vec<&str>, b: &str| {
            TableSchema::create(
                cols.clone(),
                p.into_iter().map(String::from).collect(),
                k.into_iter().map(String::from).collect(),
                opts(b),
                0,
            )
        };
        assert!(
            v(vec!["dt"], vec!["dt"], "2").is_err(),
            "PK of partition columns only"
        );
        assert!(v(vec![], vec!["nope"], "2").is_err());
        assert!(
            v(vec![], vec![], "4").is_err(),
            "append with buckets needs bucket-key"
        );
        assert!(v(vec![], vec!["id"], "0").is_err());
        assert!(v(vec!["x"], vec!["id"], "1").is_err());
        assert!(v(vec![], vec!["id", "id"], "1").is_err());
        assert!(v(vec![], vec![], "-1").is_ok());
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

    /// A storage that cannot list, as plain HTTP: schema ids are probed.
    #[derive(Debug)]
    struct NoListing(crate::storage::MemoryStorage);

    #[async_trait::async_trait]
    impl Storage for NoListing {
        async fn get(&self, path: &str) -> Result<bytes::Bytes> {
            self.0.get(path).await
        }
        async fn get_range(&self, path: &str, r: std::ops::Range<u64>) -> Result<bytes::Bytes> {
            self.0.get_range(path, r).await
        }
        async fn head(&self, path: &str) -> Result<Option<crate::storage::ObjectMeta>> {
            self.0.head(path).await
        }
        async fn put_if_absent(&self, path: &str, data: bytes::Bytes) -> Result<()> {
            self.0.put_if_absent(path, data).await
        }
        async fn put(&self, path: &str, data: bytes::Bytes) -> Result<()> {
            self.0.put(path, data).await
        }
        async fn list(&self, _: &str) -> Result<Vec<crate::storage::ObjectMeta>> {
            Err(Error::unsupported("list", "no listing here"))
        }
        async fn delete(&self, path: &str) -> Result<()> {
            self.0.delete(path).await
        }
    }

    #[test]
    fn schema_ids_are_probed_without_a_listing() {
        futures::executor::block_on(async {
            let s = NoListing(crate::storage::MemoryStorage::new());
            for n in 0..10i64 {
                assert_eq!(latest_schema_id(&s).await.unwrap(), (n > 0).then(|| n - 1));
                s.put(&schema_path(n), bytes::Bytes::from_static(b"{}"))
                    .await
                    .unwrap();
            }
        })
    }
}
