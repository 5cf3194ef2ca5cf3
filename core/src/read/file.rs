//! Reading one data file as key-value batches: the read fields (mapped by field id through
//! schema evolution), plus `_SEQUENCE_NUMBER` and `_VALUE_KIND` for primary-key files.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, Int8Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Int8Array};
use arrow_schema::DataType as ArrowType;
use roaring::RoaringBitmap;

use super::evolution::FieldMapping;
use super::parquet::{ParquetFile, ParquetStream};
use crate::binary_row::datum_at;
use crate::manifest::DataFileMeta;
use crate::merge::KvBatch;
use crate::predicate::{BoundPredicate, ColumnFacts};
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
    /// the row positions in `deleted` (its deletion vector) and, with `prune`, the row groups
    /// whose statistics rule the filter out. Prune only files whose rows are final (no merge).
    #[allow(clippy::too_many_arguments)]
    pub async fn open(
        storage: &dyn Storage,
        dir: &str,
        file: &DataFileMeta,
        file_schema: &TableSchema,
        wanted: &[DataField],
        key_value: bool,
        deleted: Option<RoaringBitmap>,
        prune: Option<&BoundPredicate>,
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
        let groups = match prune {
            Some(filter) => prune_row_groups(&pf, &mapping, filter),
            None => (0..pf.metadata().num_row_groups()).collect(),
        };
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
            (seq.as_primitive::<Int64Type>().values().clone(), kind)
        } else {
            (
                arrow_buffer::ScalarBuffer::from(vec![0i64; batch.num_rows()]),
                Int8Array::from(vec![0i8; batch.num_rows()]),
            )
        };
        Ok(Some(KvBatch { cols, seq, kind }))
    }
}

/// Row groups whose Parquet statistics may hold rows matching `filter`. Only columns whose
/// file type equals the read type, and not strings or binaries (writers may truncate their
/// statistics), take part.
fn prune_row_groups(
    pf: &ParquetFile,
    mapping: &FieldMapping,
    filter: &BoundPredicate,
) -> Vec<usize> {
    use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
    let groups = pf.metadata().row_groups();
    let mut stats: Vec<(String, ArrayRef, ArrayRef, Option<Vec<u64>>)> = Vec::new();
    for c in filter.columns() {
        let Some(i) = mapping.fields.iter().position(|f| f.name == c) else {
            continue;
        };
        let Some(Some(src)) = mapping.sources.get(i) else {
            continue;
        };
        let want = crate::types::to_arrow_type(&mapping.fields[i].data_type);
        let Ok(file_field) = pf.schema().field_with_name(src) else {
            continue;
        };
        if file_field.data_type() != &want
            || matches!(
                want,
                ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Binary | ArrowType::LargeBinary
            )
        {
            continue;
        }
        let Ok(conv) = StatisticsConverter::try_new(
            src,
            pf.schema(),
            pf.metadata().file_metadata().schema_descr(),
        ) else {
            continue;
        };
        let (Ok(mins), Ok(maxs)) = (
            conv.row_group_mins(groups.iter()),
            conv.row_group_maxes(groups.iter()),
        ) else {
            continue;
        };
        let nulls = conv.row_group_null_counts(groups.iter()).ok().map(|n| {
            (0..n.len())
                .map(|j| if n.is_null(j) { u64::MAX } else { n.value(j) })
                .collect()
        });
        stats.push((c.to_string(), mins, maxs, nulls));
    }
    (0..groups.len())
        .filter(|&g| {
            filter.may_match(&|c: &str| {
                let (_, mins, maxs, nulls) = stats.iter().find(|s| s.0 == c)?;
                Some(ColumnFacts {
                    min: datum_at(mins.as_ref(), g).ok()?,
                    max: datum_at(maxs.as_ref(), g).ok()?,
                    null_count: nulls
                        .as_ref()
                        .and_then(|n| (n[g] != u64::MAX).then(|| n[g] as i64)),
                    row_count: groups[g].num_rows(),
                })
            })
        })
        .collect()
}
