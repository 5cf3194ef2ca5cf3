//! Manifest entries and data-file metadata.

use apache_avro::types::Value;

use super::avro::{val, write_container, AvroCodec, Rec};
use super::{binary_row, check_version, read_records, schemas, stats_from, stats_value};
use crate::binary_row::BinaryRow;
use crate::stats::SimpleStats;
use crate::{Error, Result};

/// Whether an entry adds or deletes a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// The file joins the table (`_KIND` 0).
    Add,
    /// The file leaves the table (`_KIND` 1).
    Delete,
}

/// Who wrote a data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileSource {
    /// A writer flush (`_FILE_SOURCE` 0).
    Append,
    /// Compaction (`_FILE_SOURCE` 1).
    Compact,
}

/// Metadata of one data file (the `_FILE` record).
#[derive(Debug, Clone, PartialEq)]
pub struct DataFileMeta {
    /// File name inside the bucket directory.
    pub file_name: String,
    /// Size in bytes.
    pub file_size: i64,
    /// Physical rows, retract rows included.
    pub row_count: i64,
    /// Smallest trimmed primary key (empty row for append tables).
    pub min_key: BinaryRow,
    /// Largest trimmed primary key.
    pub max_key: BinaryRow,
    /// Stats of the key columns.
    pub key_stats: SimpleStats,
    /// Stats of the value columns (see `value_stats_cols`).
    pub value_stats: SimpleStats,
    /// Smallest sequence number.
    pub min_sequence_number: i64,
    /// Largest sequence number.
    pub max_sequence_number: i64,
    /// Schema the file was written with.
    pub schema_id: i64,
    /// LSM level.
    pub level: i32,
    /// Files that belong to this one (index sidecars).
    pub extra_files: Vec<String>,
    /// Creation time: local wall-clock epoch milliseconds, as Java writes it.
    pub creation_time: Option<i64>,
    /// Retract (-U/-D) rows; `None` if unknown.
    pub delete_row_count: Option<i64>,
    /// Inlined file index.
    pub embedded_file_index: Option<Vec<u8>>,
    /// Who wrote the file.
    pub file_source: Option<FileSource>,
    /// Columns covered by `value_stats`; `None` means all columns of `schema_id`.
    pub value_stats_cols: Option<Vec<String>>,
    /// Absolute path when the file lives outside the table.
    pub external_path: Option<String>,
    /// Row-tracking id of the first row.
    pub first_row_id: Option<i64>,
    /// Data evolution: the columns present in the file.
    pub write_cols: Option<Vec<String>>,
    /// Data evolution: per-column max sequence numbers.
    pub write_cols_sequences: Option<Vec<i64>>,
}

impl Default for DataFileMeta {
    /// An empty level-0 file: no rows, empty keys and stats, sequence 0, schema 0, every
    /// optional field unset. Writers and tests fill in what they know.
    fn default() -> Self {
        DataFileMeta {
            file_name: String::new(),
            file_size: 0,
            row_count: 0,
            min_key: BinaryRow::empty(),
            max_key: BinaryRow::empty(),
            key_stats: SimpleStats::empty(),
            value_stats: SimpleStats::empty(),
            min_sequence_number: 0,
            max_sequence_number: 0,
            schema_id: 0,
            level: 0,
            extra_files: vec![],
            creation_time: None,
            delete_row_count: Some(0),
            embedded_file_index: None,
            file_source: None,
            value_stats_cols: None,
            external_path: None,
            first_row_id: None,
            write_cols: None,
            write_cols_sequences: None,
        }
    }
}

/// One manifest record: a file added to or deleted from a (partition, bucket).
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestEntry {
    /// Add or delete.
    pub kind: FileKind,
    /// The partition row.
    pub partition: BinaryRow,
    /// The bucket (-2 for postpone).
    pub bucket: i32,
    /// Bucket count of the partition when written (-1 dynamic/unaware, -2 postpone).
    pub total_buckets: i32,
    /// The file.
    pub file: DataFileMeta,
}

impl DataFileMeta {
    fn from_rec(r: &Rec<'_>, file: &str) -> Result<Self> {
        let file_name = r.string("_FILE_NAME")?;
        crate::path::check_file_name(&file_name, file)?;
        let extra_files = r.opt_strings("_EXTRA_FILES")?.unwrap_or_default();
        for e in &extra_files {
            crate::path::check_file_name(e, file)?;
        }
        let file_source = match r.opt_int("_FILE_SOURCE")? {
            None => None,
            Some(0) => Some(FileSource::Append),
            Some(1) => Some(FileSource::Compact),
            Some(v) => {
                return Err(Error::corrupt(
                    file,
                    format!("_FILE_SOURCE {v} is not 0 or 1"),
                ))
            }
        };
        let write_cols_sequences = r
            .opt_nullable_longs("_WRITE_COLS_SEQUENCES")?
            .map(|v| v.into_iter().collect::<Option<Vec<i64>>>())
            .map(|v| v.ok_or_else(|| Error::corrupt(file, "null item in _WRITE_COLS_SEQUENCES")))
            .transpose()?;
        let meta = DataFileMeta {
            file_name,
            file_size: r.long("_FILE_SIZE")?,
            row_count: r.long("_ROW_COUNT")?,
            min_key: binary_row(r, "_MIN_KEY", file)?,
            max_key: binary_row(r, "_MAX_KEY", file)?,
            key_stats: stats_from(r, "_KEY_STATS", file)?,
            value_stats: stats_from(r, "_VALUE_STATS", file)?,
            min_sequence_number: r.long("_MIN_SEQUENCE_NUMBER")?,
            max_sequence_number: r.long("_MAX_SEQUENCE_NUMBER")?,
            schema_id: r.long("_SCHEMA_ID")?,
            level: r.int("_LEVEL")?,
            extra_files,
            creation_time: r.opt_long("_CREATION_TIME")?,
            delete_row_count: r.opt_long("_DELETE_ROW_COUNT")?,
            embedded_file_index: r.opt_bytes("_EMBEDDED_FILE_INDEX")?,
            file_source,
            value_stats_cols: r.opt_strings("_VALUE_STATS_COLS")?,
            external_path: r.opt_string("_EXTERNAL_PATH")?,
            first_row_id: r.opt_long("_FIRST_ROW_ID")?,
            write_cols: r.opt_strings("_WRITE_COLS")?,
            write_cols_sequences,
        };
        if meta.file_size < 0 || meta.row_count < 0 || meta.level < 0 {
            return Err(Error::corrupt(
                file,
                format!(
                    "{}: negative size, row count or level ({}, {}, {})",
                    meta.file_name, meta.file_size, meta.row_count, meta.level
                ),
            ));
        }
        if meta
            .delete_row_count
            .is_some_and(|d| d < 0 || d > meta.row_count)
        {
            return Err(Error::corrupt(
                file,
                format!("{}: delete row count out of range", meta.file_name),
            ));
        }
        Ok(meta)
    }

    fn to_value(&self) -> Value {
        val::record(vec![
            ("_FILE_NAME", Value::String(self.file_name.clone())),
            ("_FILE_SIZE", Value::Long(self.file_size)),
            ("_ROW_COUNT", Value::Long(self.row_count)),
            ("_MIN_KEY", Value::Bytes(self.min_key.serialize())),
            ("_MAX_KEY", Value::Bytes(self.max_key.serialize())),
            ("_KEY_STATS", stats_value(&self.key_stats)),
            ("_VALUE_STATS", stats_value(&self.value_stats)),
            (
                "_MIN_SEQUENCE_NUMBER",
                Value::Long(self.min_sequence_number),
            ),
            (
                "_MAX_SEQUENCE_NUMBER",
                Value::Long(self.max_sequence_number),
            ),
            ("_SCHEMA_ID", Value::Long(self.schema_id)),
            ("_LEVEL", Value::Int(self.level)),
            ("_EXTRA_FILES", val::strings(&self.extra_files)),
            (
                "_CREATION_TIME",
                val::opt(self.creation_time.map(Value::TimestampMillis)),
            ),
            (
                "_DELETE_ROW_COUNT",
                val::opt(self.delete_row_count.map(Value::Long)),
            ),
            (
                "_EMBEDDED_FILE_INDEX",
                val::opt(self.embedded_file_index.clone().map(Value::Bytes)),
            ),
            (
                "_FILE_SOURCE",
                val::opt(self.file_source.map(|s| {
                    Value::Int(match s {
                        FileSource::Append => 0,
                        FileSource::Compact => 1,
                    })
                })),
            ),
            (
                "_VALUE_STATS_COLS",
                val::opt(self.value_stats_cols.as_deref().map(val::strings)),
            ),
            (
                "_EXTERNAL_PATH",
                val::opt(self.external_path.clone().map(Value::String)),
            ),
            (
                "_FIRST_ROW_ID",
                val::opt(self.first_row_id.map(Value::Long)),
            ),
            (
                "_WRITE_COLS",
                val::opt(self.write_cols.as_deref().map(val::strings)),
            ),
            (
                "_WRITE_COLS_SEQUENCES",
                val::opt(
                    self.write_cols_sequences
                        .as_ref()
                        .map(|s| Value::Array(s.iter().map(|x| Value::Long(*x)).collect())),
                ),
            ),
        ])
    }
}

impl ManifestEntry {
    /// The (partition, bucket) the file belongs to.
    pub fn bucket_key(&self) -> crate::bucket::BucketKey {
        crate::bucket::BucketKey::new(&self.partition, self.bucket)
    }

    /// Reads a manifest file. `file` names it in errors.
    pub fn read_manifest(data: &[u8], file: &str) -> Result<Vec<ManifestEntry>> {
        read_records(data, file, |r, file| {
            check_version(r, super::MANIFEST_VERSION, file)?;
            let kind = match r.int("_KIND")? {
                0 => FileKind::Add,
                1 => FileKind::Delete,
                k => return Err(Error::corrupt(file, format!("_KIND {k} is not 0 or 1"))),
            };
            Ok(ManifestEntry {
                kind,
                partition: binary_row(r, "_PARTITION", file)?,
                bucket: r.int("_BUCKET")?,
                total_buckets: r.int("_TOTAL_BUCKETS")?,
                file: DataFileMeta::from_rec(&r.record("_FILE")?, file)?,
            })
        })
    }

    /// Writes a manifest file in Java's layout.
    pub fn write_manifest(entries: &[ManifestEntry], codec: AvroCodec) -> Result<Vec<u8>> {
        let records = entries
            .iter()
            .map(|e| {
                val::record(vec![
                    ("_VERSION", Value::Int(super::MANIFEST_VERSION)),
                    (
                        "_KIND",
                        Value::Int(match e.kind {
                            FileKind::Add => 0,
                            FileKind::Delete => 1,
                        }),
                    ),
                    ("_PARTITION", Value::Bytes(e.partition.serialize())),
                    ("_BUCKET", Value::Int(e.bucket)),
                    ("_TOTAL_BUCKETS", Value::Int(e.total_buckets)),
                    ("_FILE", e.file.to_value()),
                ])
            })
            .collect();
        write_container(schemas::manifest_entry(), codec, records)
    }
}
