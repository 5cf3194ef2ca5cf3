//! Writing data files: Parquet bytes, their stats and their `DataFileMeta`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, Int8Array, RecordBatch};
use arrow_schema::{Field, Schema};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use strata_core::binary_row::{datum_at, BinaryRow, Datum};
use strata_core::manifest::{DataFileMeta, FileSource};
use strata_core::merge::row_kind;
use strata_core::path::file_name;
use strata_core::predicate::compare_datums;
use strata_core::stats::SimpleStats;
use strata_core::table::Table;
use strata_core::types::{to_arrow_type, DataField, DataType, FIELD_ID_KEY};
use strata_core::{Error, Result};

/// Field ids Java gives the system columns of key-value files.
const KEY_FIELD_ID_START: i32 = i32::MAX / 2;
const SEQUENCE_NUMBER_ID: i32 = i32::MAX - 1;
const VALUE_KIND_ID: i32 = i32::MAX - 2;

/// Writes the data files of one write or compaction, naming them `data-<uuid>-<n>.parquet`.
pub struct DataFileWriter {
    table: Arc<Table>,
    uuid: String,
    counter: u64,
    prefix: &'static str,
}

fn field(name: &str, t: arrow_schema::DataType, nullable: bool, id: i32) -> Field {
    Field::new(name, t, nullable)
        .with_metadata(HashMap::from([(FIELD_ID_KEY.to_string(), id.to_string())]))
}

/// Mins, maxes and null counts of columns.
type ColumnStats = (Vec<Datum>, Vec<Datum>, Vec<Option<i64>>);

/// Min, max (nulls where unknown or for nested types) and null count of each column.
fn column_stats(cols: &[ArrayRef], fields: &[DataField]) -> Result<ColumnStats> {
    let mut mins = Vec::with_capacity(cols.len());
    let mut maxs = Vec::with_capacity(cols.len());
    let mut nulls = Vec::with_capacity(cols.len());
    for (c, f) in cols.iter().zip(fields) {
        nulls.push(Some(c.null_count() as i64));
        if !f.data_type.is_atomic() {
            mins.push(Datum::Null);
            maxs.push(Datum::Null);
            continue;
        }
        let (mut lo, mut hi) = (Datum::Null, Datum::Null);
        for r in 0..c.len() {
            let v = datum_at(c.as_ref(), r)?;
            if v.is_null()
                || matches!(v, Datum::Float(x) if x.is_nan())
                || matches!(v, Datum::Double(x) if x.is_nan())
            {
                continue;
            }
            if lo.is_null() || compare_datums(&v, &lo) == Some(Ordering::Less) {
                lo = v.clone();
            }
            if hi.is_null() || compare_datums(&v, &hi) == Some(Ordering::Greater) {
                hi = v;
            }
        }
        mins.push(lo);
        maxs.push(hi);
    }
    Ok((mins, maxs, nulls))
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl DataFileWriter {
    /// A writer whose files carry `uuid`.
    pub fn new(table: Arc<Table>, uuid: String) -> Self {
        DataFileWriter {
            table,
            uuid,
            counter: 0,
            prefix: "data-",
        }
    }

    fn dir(&self, partition: &[Datum], bucket: i32) -> Result<String> {
        let schema = self.table.schema();
        let types: Vec<DataType> = schema
            .partition_fields()?
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        strata_core::read::bucket_dir(schema, &BinaryRow::encode(&types, partition)?, bucket)
    }

    async fn put_parquet(
        &mut self,
        dir: &str,
        schema: Arc<Schema>,
        cols: Vec<ArrayRef>,
    ) -> Result<(String, i64)> {
        let batch = RecordBatch::try_new(schema.clone(), cols)
            .map_err(|e| Error::InvalidValue(e.to_string()))?;
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).expect("level 1")))
            .build();
        let mut buf = Vec::new();
        let mut w = ArrowWriter::try_new(&mut buf, schema, Some(props))
            .map_err(|e| Error::InvalidValue(e.to_string()))?;
        w.write(&batch)
            .map_err(|e| Error::InvalidValue(e.to_string()))?;
        w.close().map_err(|e| Error::InvalidValue(e.to_string()))?;
        let name = file_name(self.prefix, &self.uuid, self.counter, ".parquet");
        self.counter += 1;
        let size = buf.len() as i64;
        self.table
            .storage()
            .put(&format!("{dir}/{name}"), Bytes::from(buf))
            .await?;
        Ok((name, size))
    }

    /// Writes an append-table file of the table's columns.
    pub async fn write_append(
        &mut self,
        partition: &[Datum],
        bucket: i32,
        cols: Vec<ArrayRef>,
    ) -> Result<Vec<DataFileMeta>> {
        let schema = self.table.schema().clone();
        let rows = cols.first().map_or(0, |c| c.len()) as i64;
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
        let (mins, maxs, nulls) = column_stats(&cols, &schema.fields)?;
        let types: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
        let value_stats = SimpleStats::from_values(&types, &mins, &maxs, nulls)?;
        let dir = self.dir(partition, bucket)?;
        let (name, size) = self.put_parquet(&dir, arrow, cols).await?;
        Ok(vec![DataFileMeta {
            file_name: name,
            file_size: size,
            row_count: rows,
            min_key: BinaryRow::empty(),
            max_key: BinaryRow::empty(),
            key_stats: SimpleStats::empty(),
            value_stats,
            min_sequence_number: 0,
            max_sequence_number: 0,
            schema_id: schema.id,
            level: 0,
            extra_files: vec![],
            creation_time: Some(now_millis()),
            delete_row_count: Some(0),
            embedded_file_index: None,
            file_source: Some(FileSource::Append),
            value_stats_cols: None,
            external_path: None,
            first_row_id: None,
            write_cols: None,
            write_cols_sequences: None,
        }])
    }

    /// Writes a changelog file (`changelog-…`, level 0): the records as given, with their row
    /// kinds, sorted by key.
    pub async fn write_changelog(
        &mut self,
        partition: &[Datum],
        bucket: i32,
        cols: Vec<ArrayRef>,
        kinds: Int8Array,
        seq: Vec<i64>,
        source: FileSource,
    ) -> Result<Vec<DataFileMeta>> {
        self.prefix = "changelog-";
        let out = self
            .write_key_value(partition, bucket, cols, kinds, seq, 0, source)
            .await;
        self.prefix = "data-";
        out
    }

    /// Writes a key-value file at `level`: rows sorted by key.
    #[allow(clippy::too_many_arguments)]
    pub async fn write_key_value(
        &mut self,
        partition: &[Datum],
        bucket: i32,
        cols: Vec<ArrayRef>,
        kinds: Int8Array,
        seq: Vec<i64>,
        level: i32,
        source: FileSource,
    ) -> Result<Vec<DataFileMeta>> {
        if kinds.is_empty() {
            return Ok(vec![]);
        }
        let schema = self.table.schema().clone();
        let key_fields = schema.trimmed_primary_key_fields()?;
        let key_cols: Vec<ArrayRef> = key_fields
            .iter()
            .map(|k| {
                cols[schema
                    .fields
                    .iter()
                    .position(|f| f.id == k.id)
                    .expect("key")]
                .clone()
            })
            .collect();
        let mut fields: Vec<Field> = key_fields
            .iter()
            .map(|k| {
                field(
                    &format!("_KEY_{}", k.name),
                    to_arrow_type(&k.data_type),
                    false,
                    KEY_FIELD_ID_START + k.id,
                )
            })
            .collect();
        fields.push(field(
            "_SEQUENCE_NUMBER",
            arrow_schema::DataType::Int64,
            false,
            SEQUENCE_NUMBER_ID,
        ));
        fields.push(field(
            "_VALUE_KIND",
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
        let mut all: Vec<ArrayRef> = key_cols.clone();
        all.push(Arc::new(Int64Array::from(seq.clone())));
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
        let (kmins, kmaxs, knulls) = column_stats(&key_cols, &key_fields)?;
        let (vmins, vmaxs, vnulls) = column_stats(&cols, &schema.fields)?;
        let vtypes: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
        let deletes = kinds
            .values()
            .iter()
            .filter(|k| row_kind::is_retract(**k))
            .count() as i64;
        let dir = self.dir(partition, bucket)?;
        let (name, size) = self
            .put_parquet(&dir, Arc::new(Schema::new(fields)), all)
            .await?;
        Ok(vec![DataFileMeta {
            file_name: name,
            file_size: size,
            row_count: kinds.len() as i64,
            min_key: row_key(0)?,
            max_key: row_key(kinds.len() - 1)?,
            key_stats: SimpleStats::from_values(&key_types, &kmins, &kmaxs, knulls)?,
            value_stats: SimpleStats::from_values(&vtypes, &vmins, &vmaxs, vnulls)?,
            min_sequence_number: *seq.iter().min().expect("not empty"),
            max_sequence_number: *seq.iter().max().expect("not empty"),
            schema_id: schema.id,
            level,
            extra_files: vec![],
            creation_time: Some(now_millis()),
            delete_row_count: Some(deletes),
            embedded_file_index: None,
            file_source: Some(source),
            value_stats_cols: None,
            external_path: None,
            first_row_id: None,
            write_cols: None,
            write_cols_sequences: None,
        }])
    }
}
