//! Writing data files: Parquet bytes, their stats and their `DataFileMeta`.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

use super::column_stats::column_stats;
use super::external::ExternalWrites;
use super::WriteEnv;
use crate::binary_row::{datum_at, BinaryRow, Datum};
use crate::manifest::{DataFileMeta, FileSource};
use crate::merge::row_kind;
use crate::options::{FileCompression, TableOptions};
use crate::path::file_name;
use crate::stats::SimpleStats;
use crate::table::Table;
use crate::types::{to_arrow_type, DataType, FIELD_ID_KEY};
use crate::{Error, Result};
use arrow_array::{Array, ArrayRef, Int64Array, Int8Array, RecordBatch};
use arrow_schema::{Field, Schema};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

/// Largest dictionary page the writer keeps before a column falls back to plain encoding.
const DICTIONARY_PAGE_LIMIT: usize = 128 * 1024;

use crate::key_value::{
    KEY_FIELD_ID_START, KEY_PREFIX, SEQUENCE_NUMBER, SEQUENCE_NUMBER_ID, VALUE_KIND, VALUE_KIND_ID,
};

/// Writes the data files of one write or compaction, naming them `data-<uuid>-<n>.parquet`
/// (`changelog-…` for changelog files). Encoding is synchronous and may run on several threads
/// at once ([`encode_key_value`](Self::encode_key_value)); storing is async ([`put`](Self::put)).
pub struct DataFileWriter {
    table: Arc<Table>,
    env: Arc<dyn WriteEnv>,
    uuid: String,
    counter: AtomicU64,
    /// Postpone-bucket writes: the data file name prefix (`data-u-<user>-s-<id>-w-`).
    postpone_prefix: Option<String>,
    /// Where new files go when the table writes data files outside itself.
    external: ExternalWrites,
}

/// A data file encoded in memory, not yet stored.
pub struct EncodedFile {
    /// Path in the table.
    pub path: String,
    /// The Parquet bytes.
    pub bytes: Bytes,
    /// Its metadata.
    pub meta: DataFileMeta,
}

fn field(name: &str, t: arrow_schema::DataType, nullable: bool, id: i32) -> Field {
    Field::new(name, t, nullable)
        .with_metadata(HashMap::from([(FIELD_ID_KEY.to_string(), id.to_string())]))
}

/// Rows written between checks of a file's size against `target-file-size`.
const ROLL_CHECK_ROWS: usize = 8192;

impl DataFileWriter {
    /// A writer whose files carry a fresh unique id of `env`'s and its creation times.
    pub fn new(table: Arc<Table>, env: Arc<dyn WriteEnv>) -> Self {
        let uuid = env.unique_id();
        let start = writer_number(&uuid) as usize;
        let external = ExternalWrites::of(&TableOptions::new(&table.schema().options), start);
        DataFileWriter {
            table,
            external,
            uuid,
            env,
            counter: AtomicU64::new(0),
            postpone_prefix: None,
        }
    }

    /// A writer of postpone-bucket files, as Paimon writes them: Avro (where this build
    /// writes it), named `data-u-<commit user>-s-<write id>-w-<uuid>-<n>`, the write id a
    /// number of this writer's own.
    pub fn postponed(mut self, commit_user: &str) -> Self {
        let id = writer_number(&self.uuid);
        self.postpone_prefix = Some(format!("data-u-{commit_user}-s-{id}-w-"));
        self
    }

    /// Stores encoded files; returns their metadata.
    pub async fn put(&self, files: Vec<EncodedFile>) -> Result<Vec<DataFileMeta>> {
        let mut metas = Vec::with_capacity(files.len());
        for f in files {
            metas.push(self.store(f).await?.1);
        }
        Ok(metas)
    }

    /// Stores one encoded file, in the table or at its location outside it; returns where
    /// (its table path, or the location: what [`crate::expire::delete_files`] takes) and its
    /// metadata.
    pub async fn store(&self, f: EncodedFile) -> Result<(String, DataFileMeta)> {
        match &f.meta.external_path {
            Some(location) => {
                let options = TableOptions::new(&self.table.schema().options);
                let (storage, rel) =
                    crate::external_path::open(self.table.storage(), &options, location, &f.path)?;
                storage.put(&rel, f.bytes).await?;
                Ok((location.clone(), f.meta))
            }
            None => {
                self.table.storage().put(&f.path, f.bytes).await?;
                Ok((f.path, f.meta))
            }
        }
    }

    /// Encodes the rows (of columns `types`) as data files of the format the table asks for
    /// at `level` in `dir`, rolling over to a new file once one reaches the table's
    /// `target-file-size`; returns each file's path, bytes and rows.
    #[cfg_attr(not(feature = "avro"), allow(unused_variables))]
    fn encode_files(
        &self,
        dir: &str,
        prefix: &str,
        level: i32,
        schema: Arc<Schema>,
        cols: Vec<ArrayRef>,
        types: &[(&str, &DataType)],
    ) -> Result<Vec<(String, Bytes, Range<usize>)>> {
        let s = self.table.schema();
        if let (Some(postponed), "data-") = (&self.postpone_prefix, prefix) {
            #[cfg(feature = "avro")]
            return self.encode_avro(dir, postponed, schema, cols, types);
            #[cfg(not(feature = "avro"))]
            return self.encode_parquet(dir, postponed, schema, cols);
        }
        match WrittenFormat::of(&TableOptions::new(&s.options), prefix, level) {
            WrittenFormat::Parquet => self.encode_parquet(dir, prefix, schema, cols),
            #[cfg(feature = "avro")]
            WrittenFormat::Avro => self.encode_avro(dir, prefix, schema, cols, types),
        }
    }

    /// Encodes the rows as Avro files, each of about `target-file-size` bytes (estimated
    /// from the first rows' encoded size).
    #[cfg(feature = "avro")]
    fn encode_avro(
        &self,
        dir: &str,
        prefix: &str,
        schema: Arc<Schema>,
        cols: Vec<ArrayRef>,
        types: &[(&str, &DataType)],
    ) -> Result<Vec<(String, Bytes, Range<usize>)>> {
        use super::avro::{encode, AvroColumn};
        let s = self.table.schema();
        let options = TableOptions::new(&s.options);
        let target = options.target_file_size(s.has_primary_key())?;
        let compression = options.file_compression()?;
        let columns: Vec<AvroColumn<'_>> = types
            .iter()
            .map(|(name, data_type)| AvroColumn { name, data_type })
            .collect();
        let batch =
            RecordBatch::try_new(schema, cols).map_err(|e| Error::InvalidValue(e.to_string()))?;
        let rows = batch.num_rows();
        let probe = ROLL_CHECK_ROWS.min(rows);
        let probed = encode(&columns, &batch.slice(0, probe), compression)?;
        let per_row = (probed.len() / probe.max(1)).max(1) as u64;
        let per_file = usize::try_from(target / per_row)
            .unwrap_or(usize::MAX)
            .max(1);
        let mut out = Vec::new();
        let mut start = 0;
        while start < rows || out.is_empty() {
            let end = rows.min(start.saturating_add(per_file));
            let bytes = if start == 0 && end == probe {
                probed.clone()
            } else {
                encode(&columns, &batch.slice(start, end - start), compression)?
            };
            let n = self.counter.fetch_add(1, AtomicOrdering::Relaxed);
            let name = file_name(prefix, &self.uuid, n, ".avro");
            out.push((format!("{dir}/{name}"), Bytes::from(bytes), start..end));
            start = end;
        }
        Ok(out)
    }

    /// Encodes the rows as Parquet files in `dir`, rolling over to a new file once one reaches
    /// the table's `target-file-size`; returns each file's path, bytes and rows.
    fn encode_parquet(
        &self,
        dir: &str,
        prefix: &str,
        schema: Arc<Schema>,
        cols: Vec<ArrayRef>,
    ) -> Result<Vec<(String, Bytes, Range<usize>)>> {
        let bad = |e: parquet::errors::ParquetError| Error::InvalidValue(e.to_string());
        let s = self.table.schema();
        let options = TableOptions::new(&s.options);
        let target = options.target_file_size(s.has_primary_key())?;
        let batch = RecordBatch::try_new(schema.clone(), cols)
            .map_err(|e| Error::InvalidValue(e.to_string()))?;
        // Sequence numbers, and a one-column key, are unique within a file: a dictionary
        // would only grow to its size limit before falling back, and a lookup would have to
        // fetch it whole to decode the one page the page index points it to.
        //
        // Other columns keep dictionaries up to 128 KB (the Parquet default is 1 MB): a
        // column whose values outgrow that gains little from one, and a selective read (a
        // lookup, a page-pruned range) must fetch a chunk's dictionary page whole.
        let mut props = WriterProperties::builder()
            .set_compression(file_compression(&options)?)
            .set_dictionary_page_size_limit(DICTIONARY_PAGE_LIMIT);
        let keys = s.trimmed_primary_keys();
        let unique = |name: &str| {
            name == crate::read::file::SEQUENCE_NUMBER
                || (keys.len() == 1
                    && (name == keys[0] || name.strip_prefix(KEY_PREFIX) == Some(&keys[0])))
        };
        for f in schema.fields() {
            let name = f.name();
            if unique(name) {
                props = props.set_column_dictionary_enabled(ColumnPath::from(name.as_str()), false);
            }
        }
        let props = props.build();
        let rows = batch.num_rows();
        let mut out = Vec::new();
        let mut start = 0;
        while start < rows || out.is_empty() {
            let mut buf = Vec::new();
            let mut w =
                ArrowWriter::try_new(&mut buf, schema.clone(), Some(props.clone())).map_err(bad)?;
            let mut end = start;
            while end < rows {
                let len = ROLL_CHECK_ROWS.min(rows - end);
                w.write(&batch.slice(end, len)).map_err(bad)?;
                end += len;
                if (w.bytes_written() + w.in_progress_size()) as u64 >= target {
                    break;
                }
            }
            w.close().map_err(bad)?;
            let n = self.counter.fetch_add(1, AtomicOrdering::Relaxed);
            let name = file_name(prefix, &self.uuid, n, ".parquet");
            out.push((format!("{dir}/{name}"), Bytes::from(buf), start..end));
            start = end;
        }
        Ok(out)
    }

    /// Encodes append-table files of the table's columns in `dir`.
    pub fn encode_append(&self, dir: &str, cols: Vec<ArrayRef>) -> Result<Vec<EncodedFile>> {
        let schema = self.table.schema().clone();
        let arrow = Arc::new(Schema::new(
            schema
                .fields
                .iter()
                .map(|f| {
                    field(
                        &f.name,
                        to_arrow_type(&f.data_type),
                        f.data_type.nullable,
                        f.id,
                    )
                })
                .collect::<Vec<_>>(),
        ));
        let types: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
        let named: Vec<(&str, &DataType)> = schema
            .fields
            .iter()
            .map(|f| (f.name.as_str(), &f.data_type))
            .collect();
        let files = self.encode_files(dir, "data-", 0, arrow, cols.clone(), &named)?;
        let mut out = Vec::with_capacity(files.len());
        for (path, bytes, range) in files {
            let part: Vec<ArrayRef> = cols
                .iter()
                .map(|c| c.slice(range.start, range.len()))
                .collect();
            let (mins, maxs, nulls) = column_stats(&part, &schema.fields)?;
            let meta = DataFileMeta {
                file_name: file_of(&path),
                file_size: bytes.len() as i64,
                row_count: range.len() as i64,
                value_stats: SimpleStats::from_values(&types, &mins, &maxs, nulls)?,
                schema_id: schema.id,
                creation_time: Some(self.env.now_millis()),
                file_source: Some(FileSource::Append),
                ..Default::default()
            };
            let mut meta = meta;
            meta.external_path = self.external.place(&path, self.env.as_ref())?;
            out.push(EncodedFile { path, bytes, meta });
        }
        Ok(out)
    }

    /// Writes key-value files (see [`encode_key_value`](Self::encode_key_value)) in `dir`.
    pub async fn write_kv(
        &self,
        dir: &str,
        file: KvFile,
        cols: Vec<ArrayRef>,
        kinds: Int8Array,
        seq: Vec<i64>,
    ) -> Result<Vec<DataFileMeta>> {
        let files = self.encode_key_value(dir, file, cols, kinds, seq)?;
        self.put(files).await
    }

    /// Encodes key-value files in `dir`: the rows (sorted by key) with `_KEY_*`,
    /// `_SEQUENCE_NUMBER` and `_VALUE_KIND`, their key and value stats.
    pub fn encode_key_value(
        &self,
        dir: &str,
        file: KvFile,
        cols: Vec<ArrayRef>,
        kinds: Int8Array,
        seq: Vec<i64>,
    ) -> Result<Vec<EncodedFile>> {
        if kinds.is_empty() {
            return Ok(vec![]);
        }
        let schema = self.table.schema().clone();
        let key_fields = schema.trimmed_primary_key_fields()?;
        let key_cols: Vec<ArrayRef> = key_fields
            .iter()
            .map(|k| {
                let at = schema
                    .fields
                    .iter()
                    .position(|f| f.id == k.id)
                    .ok_or_else(|| Error::InvalidValue(format!("no key column {:?}", k.name)))?;
                Ok(cols[at].clone())
            })
            .collect::<Result<_>>()?;
        let mut fields: Vec<Field> = key_fields
            .iter()
            .map(|k| {
                field(
                    &format!("{KEY_PREFIX}{}", k.name),
                    to_arrow_type(&k.data_type),
                    false,
                    KEY_FIELD_ID_START + k.id,
                )
            })
            .collect();
        fields.push(field(
            SEQUENCE_NUMBER,
            arrow_schema::DataType::Int64,
            false,
            SEQUENCE_NUMBER_ID,
        ));
        fields.push(field(
            VALUE_KIND,
            arrow_schema::DataType::Int8,
            false,
            VALUE_KIND_ID,
        ));
        fields.extend(schema.fields.iter().map(|f| {
            field(
                &f.name,
                to_arrow_type(&f.data_type),
                f.data_type.nullable,
                f.id,
            )
        }));
        let seq = Int64Array::from(seq);
        let mut all: Vec<ArrayRef> = key_cols.clone();
        all.push(Arc::new(seq.clone()));
        all.push(Arc::new(kinds.clone()));
        all.extend(cols.iter().cloned());

        let key_types: Vec<DataType> = key_fields.iter().map(|f| f.data_type.clone()).collect();
        let row_key = |r: usize| -> Result<BinaryRow> {
            let v: Vec<Datum> = key_cols
                .iter()
                .map(|c| datum_at(c.as_ref(), r))
                .collect::<Result<_>>()?;
            BinaryRow::encode(&key_types, &v)
        };
        let vtypes: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
        let key_names: Vec<String> = key_fields
            .iter()
            .map(|k| format!("{KEY_PREFIX}{}", k.name))
            .collect();
        let key_types: Vec<DataType> = key_fields
            .iter()
            .map(|k| k.data_type.with_nullable(false))
            .collect();
        let (seq_type, kind_type) = (
            DataType::not_null(crate::types::TypeKind::BigInt),
            DataType::not_null(crate::types::TypeKind::TinyInt),
        );
        let mut named: Vec<(&str, &DataType)> = key_names
            .iter()
            .map(String::as_str)
            .zip(key_types.iter())
            .collect();
        named.push((SEQUENCE_NUMBER, &seq_type));
        named.push((VALUE_KIND, &kind_type));
        named.extend(
            schema
                .fields
                .iter()
                .map(|f| (f.name.as_str(), &f.data_type)),
        );
        let files = self.encode_files(
            dir,
            file.prefix,
            file.level,
            Arc::new(Schema::new(fields)),
            all,
            &named,
        )?;
        let mut out = Vec::with_capacity(files.len());
        for (path, bytes, r) in files {
            let slice = |c: &ArrayRef| c.slice(r.start, r.len());
            let kpart: Vec<ArrayRef> = key_cols.iter().map(slice).collect();
            let vpart: Vec<ArrayRef> = cols.iter().map(slice).collect();
            let (kmins, kmaxs, knulls) = column_stats(&kpart, &key_fields)?;
            let (vmins, vmaxs, vnulls) = column_stats(&vpart, &schema.fields)?;
            let deletes = kinds.values()[r.clone()]
                .iter()
                .filter(|k| row_kind::is_retract(**k))
                .count() as i64;
            let seqs = &seq.values()[r.clone()];
            let (Some(&min_seq), Some(&max_seq)) = (seqs.iter().min(), seqs.iter().max()) else {
                return Err(Error::InvalidValue(format!(
                    "{path}: a data file without rows"
                )));
            };
            let meta = DataFileMeta {
                file_name: file_of(&path),
                file_size: bytes.len() as i64,
                row_count: r.len() as i64,
                min_key: row_key(r.start)?,
                max_key: row_key(r.end - 1)?,
                key_stats: SimpleStats::from_values(&key_types, &kmins, &kmaxs, knulls)?,
                value_stats: SimpleStats::from_values(&vtypes, &vmins, &vmaxs, vnulls)?,
                min_sequence_number: min_seq,
                max_sequence_number: max_seq,
                schema_id: schema.id,
                level: file.level,
                creation_time: Some(self.env.now_millis()),
                delete_row_count: Some(deletes),
                file_source: Some(file.source),
                ..Default::default()
            };
            let mut meta = meta;
            meta.external_path = self.external.place(&path, self.env.as_ref())?;
            out.push(EncodedFile { path, bytes, meta });
        }
        Ok(out)
    }
}

/// The format a data file is written in.
enum WrittenFormat {
    Parquet,
    #[cfg(feature = "avro")]
    Avro,
}

impl WrittenFormat {
    /// The format for a file at `level` ([`TableOptions::file_format`]): Avro when it says
    /// so (and this build writes Avro); Parquet otherwise, ORC included (Strata does not
    /// write ORC yet; the option validation says so).
    fn of(options: &TableOptions<'_>, prefix: &str, level: i32) -> Self {
        let name = options.file_format(level, prefix == "changelog-");
        match name.to_ascii_lowercase().as_str() {
            #[cfg(feature = "avro")]
            "avro" => WrittenFormat::Avro,
            _ => WrittenFormat::Parquet,
        }
    }
}

/// A non-negative number of a writer's own, from its unique id (a postpone writer's id, where
/// an external path strategy starts).
fn writer_number(uuid: &str) -> u32 {
    uuid.bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        & 0x7fff_ffff
}

/// What kind of key-value file to encode.
#[derive(Debug, Clone, Copy)]
pub struct KvFile {
    /// File name prefix: `data-` or `changelog-`.
    pub prefix: &'static str,
    /// LSM level.
    pub level: i32,
    /// Whether an append or a compaction made it.
    pub source: FileSource,
}

/// The file name of a path.
fn file_of(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

/// The Parquet codec for the table's `file.compression` ([`TableOptions::file_compression`]).
fn file_compression(o: &TableOptions<'_>) -> Result<Compression> {
    Ok(match o.file_compression()? {
        FileCompression::Zstd(level) => {
            Compression::ZSTD(ZstdLevel::try_new(level).map_err(|e| {
                Error::InvalidValue(format!("option file.compression.zstd-level: {e}"))
            })?)
        }
        FileCompression::Snappy => Compression::SNAPPY,
        FileCompression::Lz4 => Compression::LZ4_RAW,
        FileCompression::Gzip => Compression::GZIP(GzipLevel::default()),
        FileCompression::None => Compression::UNCOMPRESSED,
    })
}
