//! Index manifests and HASH index files.

use apache_avro::types::Value;

use super::avro::{val, write_container, AvroCodec, Rec};
use super::entry::FileKind;
use super::{binary_row, check_version, read_records, schemas};
use crate::binary_row::BinaryRow;
use crate::{Error, Result};

/// Where one data file's deletion vector sits inside a DELETION_VECTORS index file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionVectorMeta {
    /// The data file the vector applies to (`f0`).
    pub data_file_name: String,
    /// Offset of the vector's `size` int in the index file (`f1`).
    pub offset: i32,
    /// Length of the vector (`f2`).
    pub length: i32,
    /// Number of deleted rows, if known.
    pub cardinality: Option<i64>,
}

/// Metadata of a global index file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalIndexMeta {
    /// First row id covered.
    pub row_range_start: i64,
    /// Last row id covered.
    pub row_range_end: i64,
    /// Indexed field id.
    pub index_field_id: i32,
    /// Further field ids.
    pub extra_field_ids: Option<Vec<i32>>,
    /// Index metadata.
    pub index_meta: Option<Vec<u8>>,
    /// Source metadata.
    pub source_meta: Option<Vec<u8>>,
}

/// One index-manifest record.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexManifestEntry {
    /// Add or delete.
    pub kind: FileKind,
    /// The partition row.
    pub partition: BinaryRow,
    /// The bucket.
    pub bucket: i32,
    /// `HASH`, `DELETION_VECTORS` or a global index type.
    pub index_type: String,
    /// Index file name in `index/`.
    pub file_name: String,
    /// Its size in bytes.
    pub file_size: i64,
    /// Hashes (HASH) or data files (DELETION_VECTORS) in it.
    pub row_count: i64,
    /// Deletion-vector ranges (DELETION_VECTORS only).
    pub dv_ranges: Option<Vec<DeletionVectorMeta>>,
    /// Absolute path when stored outside the table.
    pub external_path: Option<String>,
    /// Global index metadata.
    pub global_index: Option<GlobalIndexMeta>,
}

fn dv_from(v: &Value, file: &str) -> Result<DeletionVectorMeta> {
    let r = Rec::new(v, file)?;
    let data_file_name = r.string("f0")?;
    crate::path::check_file_name(&data_file_name, file)?;
    let (offset, length) = (r.int("f1")?, r.int("f2")?);
    if offset < 0 || length < 0 {
        return Err(Error::corrupt(
            file,
            "negative deletion-vector offset or length",
        ));
    }
    Ok(DeletionVectorMeta {
        data_file_name,
        offset,
        length,
        cardinality: r.opt_long("_CARDINALITY")?,
    })
}

impl IndexManifestEntry {
    /// Reads an index manifest. `file` names it in errors.
    pub fn read_index_manifest(data: &[u8], file: &str) -> Result<Vec<IndexManifestEntry>> {
        read_records(data, file, |r, file| {
            check_version(r, super::INDEX_MANIFEST_VERSION, file)?;
            let kind = match r.int("_KIND")? {
                0 => FileKind::Add,
                1 => FileKind::Delete,
                k => return Err(Error::corrupt(file, format!("_KIND {k} is not 0 or 1"))),
            };
            let file_name = r.string("_FILE_NAME")?;
            crate::path::check_file_name(&file_name, file)?;
            let dv_ranges = r
                .opt_array("_DELETIONS_VECTORS_RANGES")?
                .map(|items| items.iter().map(|v| dv_from(v, file)).collect())
                .transpose()?;
            let global_index = match r.opt_record("_GLOBAL_INDEX")? {
                None => None,
                Some(g) => Some(GlobalIndexMeta {
                    row_range_start: g.long("_ROW_RANGE_START")?,
                    row_range_end: g.long("_ROW_RANGE_END")?,
                    index_field_id: g.int("_INDEX_FIELD_ID")?,
                    extra_field_ids: g
                        .opt_nullable_longs("_EXTRA_FIELD_IDS")?
                        .map(|ids| {
                            ids.into_iter()
                                .map(|x| x.and_then(|x| i32::try_from(x).ok()))
                                .collect::<Option<Vec<i32>>>()
                                .ok_or_else(|| Error::corrupt(file, "bad _EXTRA_FIELD_IDS"))
                        })
                        .transpose()?,
                    index_meta: g.opt_bytes("_INDEX_META")?,
                    source_meta: g.opt_bytes("_SOURCE_META")?,
                }),
            };
            Ok(IndexManifestEntry {
                kind,
                partition: binary_row(r, "_PARTITION", file)?,
                bucket: r.int("_BUCKET")?,
                index_type: r.string("_INDEX_TYPE")?,
                file_name,
                file_size: r.long("_FILE_SIZE")?,
                row_count: r.long("_ROW_COUNT")?,
                dv_ranges,
                external_path: r.opt_string("_EXTERNAL_PATH")?,
                global_index,
            })
        })
    }

    /// Writes an index manifest in Java's layout.
    pub fn write_index_manifest(
        entries: &[IndexManifestEntry],
        codec: AvroCodec,
    ) -> Result<Vec<u8>> {
        let records = entries
            .iter()
            .map(|e| {
                let ranges = e.dv_ranges.as_ref().map(|rs| {
                    Value::Array(
                        rs.iter()
                            .map(|d| {
                                val::opt(Some(val::record(vec![
                                    ("f0", Value::String(d.data_file_name.clone())),
                                    ("f1", Value::Int(d.offset)),
                                    ("f2", Value::Int(d.length)),
                                    ("_CARDINALITY", val::opt(d.cardinality.map(Value::Long))),
                                ])))
                            })
                            .collect(),
                    )
                });
                let global = e.global_index.as_ref().map(|g| {
                    val::record(vec![
                        ("_ROW_RANGE_START", Value::Long(g.row_range_start)),
                        ("_ROW_RANGE_END", Value::Long(g.row_range_end)),
                        ("_INDEX_FIELD_ID", Value::Int(g.index_field_id)),
                        (
                            "_EXTRA_FIELD_IDS",
                            val::opt(g.extra_field_ids.as_ref().map(|ids| {
                                Value::Array(ids.iter().map(|i| Value::Int(*i)).collect())
                            })),
                        ),
                        (
                            "_INDEX_META",
                            val::opt(g.index_meta.clone().map(Value::Bytes)),
                        ),
                        (
                            "_SOURCE_META",
                            val::opt(g.source_meta.clone().map(Value::Bytes)),
                        ),
                    ])
                });
                val::record(vec![
                    ("_VERSION", Value::Int(super::INDEX_MANIFEST_VERSION)),
                    (
                        "_KIND",
                        Value::Int(match e.kind {
                            FileKind::Add => 0,
                            FileKind::Delete => 1,
                        }),
                    ),
                    ("_PARTITION", Value::Bytes(e.partition.serialize())),
                    ("_BUCKET", Value::Int(e.bucket)),
                    ("_INDEX_TYPE", Value::String(e.index_type.clone())),
                    ("_FILE_NAME", Value::String(e.file_name.clone())),
                    ("_FILE_SIZE", Value::Long(e.file_size)),
                    ("_ROW_COUNT", Value::Long(e.row_count)),
                    ("_DELETIONS_VECTORS_RANGES", val::opt(ranges)),
                    (
                        "_EXTERNAL_PATH",
                        val::opt(e.external_path.clone().map(Value::String)),
                    ),
                    ("_GLOBAL_INDEX", val::opt(global)),
                ])
            })
            .collect();
        write_container(schemas::index_manifest(), codec, records)
    }
}

/// Reads a HASH index file: big-endian int32 key hashes, no header.
pub fn read_hash_index(data: &[u8], file: &str) -> Result<Vec<i32>> {
    if data.len() % 4 != 0 {
        return Err(Error::corrupt(
            file,
            format!("{} bytes is not a whole number of int32 hashes", data.len()),
        ));
    }
    let mut hashes = Vec::with_capacity(data.len() / 4);
    let mut rest = data;
    while let Some((word, tail)) = rest.split_first_chunk::<4>() {
        hashes.push(i32::from_be_bytes(*word));
        rest = tail;
    }
    Ok(hashes)
}

/// Writes a HASH index file.
pub fn write_hash_index(hashes: &[i32]) -> Vec<u8> {
    hashes.iter().flat_map(|h| h.to_be_bytes()).collect()
}
