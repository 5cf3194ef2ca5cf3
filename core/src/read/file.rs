//! Reading one data file as key-value batches: the read fields (mapped by field id through
//! schema evolution), plus `_SEQUENCE_NUMBER` and `_VALUE_KIND` for primary-key files.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, Int8Type};
use arrow_array::{Array, BooleanArray, Int8Array};
use roaring::RoaringBitmap;

use super::evolution::FieldMapping;
use super::parquet::{ParquetFile, ParquetStream};
use crate::manifest::DataFileMeta;
use crate::merge::KvBatch;
use crate::schema::TableSchema;
use crate::storage::Storage;
use crate::types::DataField;
use crate::{Error, Result};

/// Column of the sequence number in primary-key files.
pub const SEQUENCE_NUMBER: &str = "_SEQUENCE_NUMBER";
/// Column of the row kind in primary-key files.
pub const VALUE_KIND: &str = "_VALUE_KIND";

/// A data file being read.
pub struct DataFileReader {
    path: String,
    stream: ParquetStream,
    mapping: FieldMapping,
    key_value: bool,
    deleted: Option<RoaringBitmap>,
    position: u64,
}

impl DataFileReader {
    /// Opens `dir/<file name>`, written with `file_schema`, to read `wanted` fields, skipping
    /// the row positions in `deleted` (its deletion vector).
    pub async fn open(
        storage: &dyn Storage,
        dir: &str,
        file: &DataFileMeta,
        file_schema: &TableSchema,
        wanted: &[DataField],
        key_value: bool,
        deleted: Option<RoaringBitmap>,
    ) -> Result<Self> {
        if file.external_path.is_some() {
            return Err(Error::unsupported(
                &file.file_name,
                "data files outside the table (_EXTERNAL_PATH)",
            ));
        }
        let path = if dir.is_empty() {
            file.file_name.clone()
        } else {
            format!("{dir}/{}", file.file_name)
        };
        if !file.file_name.ends_with(".parquet") {
            return Err(Error::unsupported(
                &path,
                "only Parquet data files are read so far",
            ));
        }
        let size = u64::try_from(file.file_size)
            .map_err(|_| Error::corrupt(&path, "negative file size"))?;
        let pf = ParquetFile::open(storage, &path, size).await?;
        let mapping = FieldMapping::new(wanted, file_schema);
        let mut names = mapping.file_columns();
        if key_value {
            names.push(SEQUENCE_NUMBER);
            names.push(VALUE_KIND);
        }
        let roots = pf.root_indices(&names);
        let groups = (0..pf.metadata().num_row_groups()).collect();
        let stream = pf.stream(&roots, groups);
        Ok(DataFileReader {
            path,
            stream,
            mapping,
            key_value,
            deleted,
            position: 0,
        })
    }

    /// The next batch, or `None` at the end of the file.
    pub async fn next(&mut self, storage: &dyn Storage) -> Result<Option<KvBatch>> {
        let Some(mut batch) = self.stream.next(storage).await? else {
            return Ok(None);
        };
        let start = self.position;
        self.position += batch.num_rows() as u64;
        if let Some(deleted) = &self.deleted {
            let keep: BooleanArray = (start..self.position)
                .map(|p| Some(u32::try_from(p).map_or(true, |p| !deleted.contains(p))))
                .collect();
            batch = arrow_select::filter::filter_record_batch(&batch, &keep)
                .map_err(|e| Error::corrupt(&self.path, e))?;
        }
        let cols = self.mapping.columns(&batch, &self.path)?;
        let (seq, kind) = if self.key_value {
            let col = |name: &str| {
                batch.column_by_name(name).ok_or_else(|| {
                    Error::corrupt(&self.path, format!("primary-key file without {name}"))
                })
            };
            let seq = arrow_cast::cast(col(SEQUENCE_NUMBER)?, &arrow_schema::DataType::Int64)
                .map_err(|e| Error::corrupt(&self.path, e))?;
            let kind = arrow_cast::cast(col(VALUE_KIND)?, &arrow_schema::DataType::Int8)
                .map_err(|e| Error::corrupt(&self.path, e))?;
            if seq.null_count() > 0 || kind.null_count() > 0 {
                return Err(Error::corrupt(
                    &self.path,
                    "null _SEQUENCE_NUMBER or _VALUE_KIND",
                ));
            }
            let kind: Int8Array = kind.as_primitive::<Int8Type>().clone();
            if let Some(bad) = kind.values().iter().find(|k| !(0..=3).contains(*k)) {
                return Err(Error::corrupt(
                    &self.path,
                    format!("_VALUE_KIND {bad} is not 0..=3"),
                ));
            }
            (seq.as_primitive::<Int64Type>().values().to_vec(), kind)
        } else {
            (
                vec![0; batch.num_rows()],
                Int8Array::from(vec![0i8; batch.num_rows()]),
            )
        };
        Ok(Some(KvBatch { cols, seq, kind }))
    }
}
