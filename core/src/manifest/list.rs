//! Manifest lists: the manifests of a snapshot.

use apache_avro::types::Value;

use super::avro::{val, write_container, AvroCodec};
use super::{check_version, read_records, schemas, stats_from, stats_value};
use crate::stats::SimpleStats;
use crate::{Error, Result};

/// One manifest-list record: a manifest and its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestFileMeta {
    /// Manifest file name in `manifest/`.
    pub file_name: String,
    /// Its size in bytes.
    pub file_size: i64,
    /// ADD entries in it.
    pub num_added_files: i64,
    /// DELETE entries in it.
    pub num_deleted_files: i64,
    /// Stats of the partitions of all its entries.
    pub partition_stats: SimpleStats,
    /// Largest schema id of its entries.
    pub schema_id: i64,
    /// Smallest bucket of its entries.
    pub min_bucket: Option<i32>,
    /// Largest bucket.
    pub max_bucket: Option<i32>,
    /// Smallest level.
    pub min_level: Option<i32>,
    /// Largest level.
    pub max_level: Option<i32>,
    /// Smallest first row id (row tracking).
    pub min_row_id: Option<i64>,
    /// Largest row id.
    pub max_row_id: Option<i64>,
}

impl ManifestFileMeta {
    /// Reads a manifest list. `file` names it in errors. Fields only pypaimon writes
    /// (`_TOTAL_BUCKETS`, `_EXTRA_FILES`) are ignored, as Java ignores them.
    pub fn read_list(data: &[u8], file: &str) -> Result<Vec<ManifestFileMeta>> {
        read_records(data, file, |r, file| {
            check_version(r, super::MANIFEST_VERSION, file)?;
            let file_name = r.string("_FILE_NAME")?;
            crate::path::check_file_name(&file_name, file)?;
            let m = ManifestFileMeta {
                file_name,
                file_size: r.long("_FILE_SIZE")?,
                num_added_files: r.long("_NUM_ADDED_FILES")?,
                num_deleted_files: r.long("_NUM_DELETED_FILES")?,
                partition_stats: stats_from(r, "_PARTITION_STATS", file)?,
                schema_id: r.long("_SCHEMA_ID")?,
                min_bucket: r.opt_int("_MIN_BUCKET")?,
                max_bucket: r.opt_int("_MAX_BUCKET")?,
                min_level: r.opt_int("_MIN_LEVEL")?,
                max_level: r.opt_int("_MAX_LEVEL")?,
                min_row_id: r.opt_long("_MIN_ROW_ID")?,
                max_row_id: r.opt_long("_MAX_ROW_ID")?,
            };
            if m.num_added_files < 0 || m.num_deleted_files < 0 || m.file_size < 0 {
                return Err(Error::corrupt(
                    file,
                    format!("{}: negative size or file counts", m.file_name),
                ));
            }
            Ok(m)
        })
    }

    /// Writes a manifest list in Java's layout.
    pub fn write_list(metas: &[ManifestFileMeta], codec: AvroCodec) -> Result<Vec<u8>> {
        let records = metas
            .iter()
            .map(|m| {
                val::record(vec![
                    ("_VERSION", Value::Int(super::MANIFEST_VERSION)),
                    ("_FILE_NAME", Value::String(m.file_name.clone())),
                    ("_FILE_SIZE", Value::Long(m.file_size)),
                    ("_NUM_ADDED_FILES", Value::Long(m.num_added_files)),
                    ("_NUM_DELETED_FILES", Value::Long(m.num_deleted_files)),
                    ("_PARTITION_STATS", stats_value(&m.partition_stats)),
                    ("_SCHEMA_ID", Value::Long(m.schema_id)),
                    ("_MIN_BUCKET", val::opt(m.min_bucket.map(Value::Int))),
                    ("_MAX_BUCKET", val::opt(m.max_bucket.map(Value::Int))),
                    ("_MIN_LEVEL", val::opt(m.min_level.map(Value::Int))),
                    ("_MAX_LEVEL", val::opt(m.max_level.map(Value::Int))),
                    ("_MIN_ROW_ID", val::opt(m.min_row_id.map(Value::Long))),
                    ("_MAX_ROW_ID", val::opt(m.max_row_id.map(Value::Long))),
                ])
            })
            .collect();
        write_container(schemas::manifest_list(), codec, records)
    }
}
