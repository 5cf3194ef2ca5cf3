//! Reading one data file as key-value batches: the read fields (mapped by field id through
//! schema evolution), plus `_SEQUENCE_NUMBER` and `_VALUE_KIND` for primary-key files.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, Int8Type};
use arrow_array::{Array, BooleanArray, Int8Array};
use roaring::RoaringBitmap;
use std::ops::Range;

use super::evolution::FieldMapping;
use super::format::{FileFormat, FileStream};
use super::parquet::{ParquetFile, RowGroupRead};
use super::stats::StatsColumn;
use crate::manifest::DataFileMeta;
use crate::merge::KvBatch;
use crate::predicate::BoundPredicate;
use crate::schema::TableSchema;
use crate::storage::Storage;
use crate::types::DataField;
use crate::{Error, Result};

pub use crate::key_value::{SEQUENCE_NUMBER, VALUE_KIND};

/// How the read's filter may prune a file's rows before they are decoded: whole row groups
/// by their statistics, and pages by the page index where the file has one.
#[derive(Debug, Clone, Copy)]
pub struct Pruning<'a> {
    /// The read's filter.
    pub filter: &'a BoundPredicate,
    /// The only columns whose statistics may rule rows out, or `None` for every column. A
    /// merge that follows needs every row of a key it may output, so there these are the
    /// primary-key columns: a key filter drops a key's rows all together or not at all.
    pub columns: Option<&'a [String]>,
}

impl Pruning<'_> {
    fn allows(&self, column: &str) -> bool {
        self.columns.is_none_or(|cs| cs.iter().any(|c| c == column))
    }
}

/// A data file being read.
pub struct DataFileReader {
    path: String,
    stream: FileStream,
    mapping: FieldMapping,
    key_value: bool,
    deleted: Option<RoaringBitmap>,
    /// The storage of a file outside the table (`_EXTERNAL_PATH`), read instead of the
    /// table's.
    external: Option<std::sync::Arc<dyn Storage>>,
}

impl DataFileReader {
    /// Opens `dir/<file name>` (or the file's `_EXTERNAL_PATH` under one of the external roots
    /// `file_schema` declares), written with `file_schema`, to read `wanted` fields, skipping
    /// the row positions in `deleted` (its deletion vector) and, with `prune`, the row groups
    /// and pages whose statistics rule the filter out.
    #[allow(clippy::too_many_arguments)]
    pub async fn open(
        storage: &dyn Storage,
        dir: &str,
        file: &DataFileMeta,
        file_schema: &TableSchema,
        wanted: &[DataField],
        key_value: bool,
        deleted: Option<RoaringBitmap>,
        prune: Option<Pruning<'_>>,
    ) -> Result<Self> {
        let (external, path) = match &file.external_path {
            // The Wasm reader's storages reach no root outside the table: the module does not
            // carry the resolution (its size is budgeted).
            #[cfg(target_arch = "wasm32")]
            Some(_) => {
                return Err(Error::unsupported(
                    &file.file_name,
                    "data files outside the table (_EXTERNAL_PATH) in the Wasm reader",
                ))
            }
            #[cfg(not(target_arch = "wasm32"))]
            Some(location) => {
                let options = crate::options::TableOptions::new(&file_schema.options);
                let (s, rel) =
                    crate::external_path::open(storage, &options, location, &file.file_name)?;
                (Some(s), rel)
            }
            None if dir.is_empty() => (None, file.file_name.clone()),
            None => (None, format!("{dir}/{}", file.file_name)),
        };
        let storage: &dyn Storage = external.as_deref().unwrap_or(storage);
        let format = FileFormat::of(&file.file_name).ok_or_else(|| {
            Error::unsupported(&path, "a data file that is not Parquet, ORC or Avro")
        })?;
        let size = u64::try_from(file.file_size)
            .map_err(|_| Error::corrupt(&path, "negative file size"))?;
        let mapping = FieldMapping::new(wanted, file_schema);
        let mut names = mapping.file_columns();
        if key_value {
            names.push(SEQUENCE_NUMBER);
            names.push(VALUE_KIND);
        }
        if format != FileFormat::Parquet {
            let stream = FileStream::open_whole(storage, format, &path, size, &names).await?;
            return Ok(DataFileReader {
                path,
                stream,
                mapping,
                key_value,
                deleted,
                external,
            });
        }
        let page_index = prune.is_some_and(|p| p.filter.columns().iter().any(|c| p.allows(c)));
        let pf = ParquetFile::open_with(storage, &path, size, page_index).await?;
        let roots = pf.root_indices(&names);
        let groups = match prune {
            Some(p) => prune_file(&pf, &mapping, p),
            None => (0..pf.metadata().num_row_groups())
                .map(RowGroupRead::all)
                .collect(),
        };
        let stream = FileStream::Parquet(pf.stream(&roots, groups));
        Ok(DataFileReader {
            path,
            stream,
            mapping,
            key_value,
            deleted,
            external,
        })
    }

    /// The next batch, or `None` at the end of the file.
    pub async fn next(&mut self, storage: &dyn Storage) -> Result<Option<KvBatch>> {
        let storage: &dyn Storage = self.external.as_deref().unwrap_or(storage);
        let Some((mut batch, positions)) = self.stream.next(storage).await? else {
            return Ok(None);
        };
        if let Some(deleted) = &self.deleted {
            let keep: BooleanArray = positions
                .into_iter()
                .flatten()
                .map(|p| Some(u32::try_from(p).map_or(true, |p| !deleted.contains(p))))
                .collect();
            batch = arrow_select::filter::filter_record_batch(&batch, &keep)
                .map_err(|e| Error::corrupt(&self.path, e))?;
        }
        self.key_values(&batch).map(Some)
    }

    /// [`next`](Self::next), with each row's position in the file (what a deletion vector
    /// marks).
    #[cfg(feature = "write")]
    pub async fn next_positioned(
        &mut self,
        storage: &dyn Storage,
    ) -> Result<Option<(KvBatch, Vec<u64>)>> {
        let storage: &dyn Storage = self.external.as_deref().unwrap_or(storage);
        let Some((mut batch, positions)) = self.stream.next(storage).await? else {
            return Ok(None);
        };
        let mut kept: Vec<u64> = positions.into_iter().flatten().collect();
        if let Some(deleted) = &self.deleted {
            let keep: BooleanArray = kept
                .iter()
                .map(|&p| Some(u32::try_from(p).map_or(true, |p| !deleted.contains(p))))
                .collect();
            batch = arrow_select::filter::filter_record_batch(&batch, &keep)
                .map_err(|e| Error::corrupt(&self.path, e))?;
            kept.retain(|&p| u32::try_from(p).map_or(true, |p| !deleted.contains(p)));
        }
        if kept.len() != batch.num_rows() {
            return Err(Error::corrupt(
                &self.path,
                format!("{} rows at {} positions", batch.num_rows(), kept.len()),
            ));
        }
        Ok(Some((self.key_values(&batch)?, kept)))
    }

    /// A decoded batch as the read fields' columns with sequence numbers and row kinds.
    fn key_values(&self, batch: &arrow_array::RecordBatch) -> Result<KvBatch> {
        let cols = self.mapping.columns(batch, &self.path)?;
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
        Ok(KvBatch { cols, seq, kind })
    }
}

/// The filter columns whose statistics may prune this file: allowed by `p`, present in the
/// file with the read type, and of a type whose statistics are read (see `stats`). Each with
/// the read column's name.
fn stats_columns(
    pf: &ParquetFile,
    mapping: &FieldMapping,
    p: &Pruning<'_>,
) -> Vec<(String, StatsColumn)> {
    let mut out = Vec::new();
    for c in p.filter.columns() {
        if !p.allows(c) {
            continue;
        }
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
        if file_field.data_type() != &want {
            continue;
        }
        let descr = pf.metadata().file_metadata().schema_descr();
        if let Some(col) = StatsColumn::new(descr, src, &want) {
            out.push((c.to_string(), col));
        }
    }
    out
}

/// The row groups, and within them the rows, that statistics say may match: row groups by
/// their statistics, then pages by the page index where the file has one.
fn prune_file(pf: &ParquetFile, mapping: &FieldMapping, p: Pruning<'_>) -> Vec<RowGroupRead> {
    let cols = stats_columns(pf, mapping, &p);
    let groups = pf.metadata().row_groups();
    (0..groups.len())
        .filter(|&g| {
            p.filter.may_match(&|c: &str| {
                let (_, col) = cols.iter().find(|s| s.0 == c)?;
                Some(col.row_group(&groups[g]))
            })
        })
        .filter_map(|g| match prune_pages(pf, &cols, p.filter, g) {
            None => Some(RowGroupRead::all(g)),
            Some(rows) if rows.is_empty() => None,
            Some(rows) => Some(RowGroupRead {
                index: g,
                rows: Some(rows),
            }),
        })
        .collect()
}

/// Rows of row group `rg` whose pages may match, by each statistics column's page index
/// (the intersection over columns), or `None` when the page index rules nothing out.
fn prune_pages(
    pf: &ParquetFile,
    cols: &[(String, StatsColumn)],
    filter: &BoundPredicate,
    rg: usize,
) -> Option<Vec<Range<usize>>> {
    if cols.is_empty() || !pf.has_page_index() {
        return None;
    }
    let md = pf.metadata();
    let (ci, oi) = (md.column_index()?, md.offset_index()?);
    let total = usize::try_from(md.row_groups().get(rg)?.num_rows()).ok()?;
    let all_rows = std::iter::once(0..total).collect::<Vec<_>>();
    let mut selected = all_rows.clone();
    for (name, col) in cols {
        let (Some(index), Some(pages)) = (
            ci.get(rg).and_then(|c| c.get(col.leaf)),
            oi.get(rg)
                .and_then(|o| o.get(col.leaf))
                .map(|o| o.page_locations()),
        ) else {
            continue;
        };
        if index.num_pages() != pages.len() as u64 {
            continue;
        }
        let bounds: Option<Vec<(usize, usize)>> = (0..pages.len())
            .map(|j| {
                let from = usize::try_from(pages[j].first_row_index).ok()?;
                let to = match pages.get(j + 1) {
                    Some(n) => usize::try_from(n.first_row_index).ok()?,
                    None => total,
                };
                (from <= to && to <= total).then_some((from, to))
            })
            .collect();
        // An offset index that does not tile the row group prunes nothing.
        let Some(bounds) = bounds else { continue };
        let mut keep: Vec<Range<usize>> = Vec::new();
        for (j, &(from, to)) in bounds.iter().enumerate() {
            let facts = || col.page(index, j, (to - from) as i64);
            if from == to || !filter.may_match(&|c: &str| (c == name).then(facts)) {
                continue;
            }
            match keep.last_mut() {
                Some(last) if last.end == from => last.end = to,
                _ => keep.push(from..to),
            }
        }
        selected = intersect(&selected, &keep);
    }
    (selected != all_rows).then_some(selected)
}

/// The intersection of two lists of ascending, disjoint ranges.
fn intersect(a: &[Range<usize>], b: &[Range<usize>]) -> Vec<Range<usize>> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let (start, end) = (a[i].start.max(b[j].start), a[i].end.min(b[j].end));
        if start < end {
            out.push(start..end);
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
