//! Parquet data files through the storage trait: the footer first (one range read of the
//! tail, which usually holds the page index too), then, row group by row group, only the
//! column chunks a read needs, fetched in parallel; where the page index narrowed a row
//! group to some rows, only the pages holding them. Decoding is arrow-rs Parquet over the
//! fetched ranges.

use std::collections::VecDeque;
use std::io::Cursor;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, RowSelection, RowSelector,
};
use parquet::arrow::{parquet_to_arrow_field_levels, ProjectionMask};
use parquet::basic::{Encoding, PageType};
use parquet::file::metadata::{
    ColumnChunkMetaData, PageEncodingStats, PageIndexPolicy, ParquetMetaData,
    ParquetMetaDataReader, RowGroupMetaData,
};
use parquet::file::reader::{ChunkReader, Length};

use super::pages::{PageCodec, RowGroupChunks};
use crate::storage::Storage;
use crate::{Error, Result};

/// Bytes read from the end of a file in the first request; most footers fit.
const FOOTER_GUESS: u64 = 64 * 1024;
/// Rows per decoded batch.
pub const BATCH_SIZE: usize = 4096;

/// An open Parquet file: its path, size and decoded footer.
#[derive(Debug, Clone)]
pub struct ParquetFile {
    path: String,
    size: u64,
    meta: ArrowReaderMetadata,
}

fn corrupt(path: &str, what: impl std::fmt::Display) -> Error {
    Error::corrupt(path, what)
}

impl ParquetFile {
    /// Reads and decodes the footer of `path`, whose size the manifest gives.
    pub async fn open(storage: &dyn Storage, path: &str, size: u64) -> Result<Self> {
        Self::open_with(storage, path, size, false).await
    }

    /// Like [`ParquetFile::open`], and with `page_index` also the file's page index (column
    /// and offset indexes) where it has one: free when it lies in the footer's read, one more
    /// range read otherwise.
    pub async fn open_with(
        storage: &dyn Storage,
        path: &str,
        size: u64,
        page_index: bool,
    ) -> Result<Self> {
        if size < 12 {
            return Err(corrupt(
                path,
                format!("{size} bytes is too small for Parquet"),
            ));
        }
        let tail_len = size.min(FOOTER_GUESS);
        let tail = storage.get_range(path, size - tail_len..size).await?;
        if tail.len() as u64 != tail_len || &tail[tail.len() - 4..] != b"PAR1" {
            return Err(corrupt(
                path,
                "no Parquet magic at the end (truncated or not Parquet)",
            ));
        }
        let Some(footer_len) = tail
            .last_chunk::<8>()
            .and_then(|t| t.first_chunk::<4>())
            .map(|b| u32::from_le_bytes(*b) as u64)
        else {
            return Err(corrupt(path, "no footer length before the magic"));
        };
        if footer_len + 12 > size {
            return Err(corrupt(
                path,
                format!("footer length {footer_len} exceeds the file"),
            ));
        }
        let footer = if footer_len + 8 <= tail_len {
            tail.slice((tail_len - 8 - footer_len) as usize..(tail_len - 8) as usize)
        } else {
            storage
                .get_range(path, size - 8 - footer_len..size - 8)
                .await?
        };
        let mut metadata = ParquetMetaDataReader::decode_metadata(&footer)
            .map_err(|e| corrupt(path, format!("Parquet footer: {e}")))?;
        if page_index {
            if let Some(range) = page_index_range(&metadata, size - 8 - footer_len, path)? {
                metadata = read_page_index(storage, path, size, metadata, range, tail).await?;
            }
        }
        let meta = ArrowReaderMetadata::try_new(Arc::new(metadata), ArrowReaderOptions::new())
            .map_err(|e| corrupt(path, format!("Parquet schema: {e}")))?;
        Ok(ParquetFile {
            path: path.to_string(),
            size,
            meta,
        })
    }

    /// Whether the file's page index was read: offsets and statistics of every page.
    pub fn has_page_index(&self) -> bool {
        let m = self.metadata();
        m.offset_index().is_some_and(|o| !o.is_empty())
            && m.column_index().is_some_and(|c| !c.is_empty())
    }

    /// Rows of each row group, in file order.
    pub fn row_group_rows(&self) -> Vec<u64> {
        self.metadata()
            .row_groups()
            .iter()
            .map(|rg| rg.num_rows().max(0) as u64)
            .collect()
    }

    /// The file's Arrow schema.
    pub fn schema(&self) -> &SchemaRef {
        self.meta.schema()
    }

    /// The decoded footer.
    pub fn metadata(&self) -> &Arc<ParquetMetaData> {
        self.meta.metadata()
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Indices of the top-level columns named `names` (missing names are skipped).
    pub fn root_indices(&self, names: &[&str]) -> Vec<usize> {
        let fields = self.schema().fields();
        let mut idx: Vec<usize> = names
            .iter()
            .filter_map(|n| fields.iter().position(|f| f.name() == n))
            .collect();
        idx.sort_unstable();
        idx.dedup();
        idx
    }

    /// A stream of batches of the given top-level columns over the given row groups (all
    /// their rows, or only the selected ones).
    pub fn stream(&self, roots: &[usize], row_groups: Vec<RowGroupRead>) -> ParquetStream {
        let mask = ProjectionMask::roots(
            self.metadata().file_metadata().schema_descr(),
            roots.iter().copied(),
        );
        let rows = self.row_group_rows();
        let starts: Vec<u64> = rows
            .iter()
            .scan(0u64, |at, n| {
                let s = *at;
                *at += n;
                Some(s)
            })
            .collect();
        let row_groups: Vec<RowGroupRead> = row_groups
            .into_iter()
            .map(|g| RowGroupRead {
                rows: g.rows.and_then(|r| {
                    selector_friendly(r, rows.get(g.index).copied().unwrap_or(0) as usize)
                }),
                index: g.index,
            })
            .collect();
        let mut positions = VecDeque::new();
        for g in &row_groups {
            let start = starts.get(g.index).copied().unwrap_or(0);
            match &g.rows {
                Some(sel) => positions.extend(
                    sel.iter()
                        .map(|r| start + r.start as u64..start + r.end as u64),
                ),
                None => positions.push_back(start..start + rows.get(g.index).copied().unwrap_or(0)),
            }
        }
        ParquetStream {
            file: self.clone(),
            mask,
            row_groups: row_groups.into_iter().rev().collect(),
            current: None,
            positions,
        }
    }

    /// Byte ranges a read of row group `rg` needs: every projected column chunk whole, or
    /// with `rows` only the pages holding those rows, and each chunk's dictionary page unless
    /// none of those pages is dictionary-encoded (then the chunk's leaf index is returned
    /// too). Ranges at most `gap` bytes apart are joined ([`Storage::coalesce_gap`]).
    /// Validated against the file and its chunks.
    fn read_ranges(
        &self,
        index: usize,
        rg: &RowGroupMetaData,
        mask: &ProjectionMask,
        rows: Option<&[Range<usize>]>,
        gap: u64,
    ) -> Result<(Vec<Range<u64>>, Vec<usize>)> {
        let mut out: Vec<Range<u64>> = Vec::new();
        let mut no_dictionary = Vec::new();
        let offsets = self.metadata().offset_index().and_then(|o| o.get(index));
        for (i, col) in rg.columns().iter().enumerate() {
            if !mask.leaf_included(i) {
                continue;
            }
            let start = col
                .dictionary_page_offset()
                .unwrap_or(col.data_page_offset());
            let len = col.compressed_size();
            if start < 0 || len < 0 || (start as u64).saturating_add(len as u64) > self.size {
                return Err(corrupt(
                    &self.path,
                    format!("column chunk {i} at {start}+{len} lies outside the file"),
                ));
            }
            let chunk = start as u64..start as u64 + len as u64;
            let pages = offsets.and_then(|o| o.get(i)).map(|o| o.page_locations());
            match (rows, pages) {
                (Some(rows), Some(pages)) if !pages.is_empty() => {
                    let total = rg.num_rows().max(0) as u64;
                    let wanted = |j: usize| {
                        let from = pages[j].first_row_index.max(0) as u64;
                        let to = pages
                            .get(j + 1)
                            .map_or(total, |n| n.first_row_index.max(0) as u64);
                        rows.iter()
                            .any(|r| (r.start as u64) < to && from < r.end as u64)
                    };
                    let first = pages[0].offset.max(0) as u64;
                    if first > chunk.start {
                        let first_wanted = (0..pages.len()).find(|&j| wanted(j));
                        match first_wanted {
                            Some(j) if j >= dictionary_encoded_pages(col, pages.len()) => {
                                no_dictionary.push(i)
                            }
                            _ => out.push(chunk.start..first.min(chunk.end)),
                        }
                    }
                    for (j, p) in pages.iter().enumerate() {
                        if !wanted(j) {
                            continue;
                        }
                        let at = p.offset;
                        let size = p.compressed_page_size;
                        if at < 0
                            || size < 0
                            || (at as u64) < chunk.start
                            || at as u64 + size as u64 > chunk.end
                        {
                            return Err(corrupt(
                                &self.path,
                                format!(
                                    "page {j} of column chunk {i} at {at}+{size} lies outside \
                                     its chunk {}..{}",
                                    chunk.start, chunk.end
                                ),
                            ));
                        }
                        out.push(at as u64..at as u64 + size as u64);
                    }
                }
                _ => out.push(chunk),
            }
        }
        out.sort_unstable_by_key(|r| r.start);
        let mut joined: Vec<Range<u64>> = Vec::with_capacity(out.len());
        for r in out {
            match joined.last_mut() {
                Some(last) if r.start <= last.end.saturating_add(gap) => {
                    last.end = last.end.max(r.end)
                }
                _ => joined.push(r),
            }
        }
        Ok((joined, no_dictionary))
    }
}

/// One row group of a read: its index, and the rows to read within it (ascending, disjoint
/// ranges), or `None` for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowGroupRead {
    /// The row group's index in the file.
    pub index: usize,
    /// Rows to read within it; `None` for all.
    pub rows: Option<Vec<Range<usize>>>,
}

impl RowGroupRead {
    /// Every row of row group `index`.
    pub fn all(index: usize) -> Self {
        RowGroupRead { index, rows: None }
    }
}

/// Decoded batches of one file, fetched a row group at a time.
pub struct ParquetStream {
    file: ParquetFile,
    mask: ProjectionMask,
    row_groups: Vec<RowGroupRead>,
    current: Option<ParquetRecordBatchReader>,
    /// Positions in the file of the rows still to come, in output order.
    positions: VecDeque<Range<u64>>,
}

impl ParquetStream {
    /// The next batch, or `None` at the end.
    pub async fn next(&mut self, storage: &dyn Storage) -> Result<Option<RecordBatch>> {
        loop {
            if let Some(reader) = &mut self.current {
                match reader.next() {
                    Some(Ok(b)) => return Ok(Some(b)),
                    Some(Err(e)) => {
                        return Err(corrupt(&self.file.path, format!("Parquet data: {e}")))
                    }
                    None => self.current = None,
                }
            }
            let Some(rg) = self.row_groups.pop() else {
                return Ok(None);
            };
            // Borrow only the file and mask across the await, not the current reader (which
            // is not Sync), so the future stays Send.
            let reader = open_row_group(&self.file, &self.mask, storage, &rg).await?;
            self.current = Some(reader);
        }
    }

    /// Positions in the file of the next `n` rows the stream hands out (the rows of the
    /// batch it just returned), as ascending ranges.
    pub fn take_positions(&mut self, mut n: u64) -> Vec<Range<u64>> {
        let mut out = Vec::new();
        while n > 0 {
            let Some(r) = self.positions.front_mut() else {
                break;
            };
            let len = (r.end - r.start).min(n);
            out.push(r.start..r.start + len);
            r.start += len;
            n -= len;
            if r.start >= r.end {
                self.positions.pop_front();
            }
        }
        out
    }
}

/// Fetches what a row group's read needs and opens a decoder over it.
async fn open_row_group(
    f: &ParquetFile,
    mask: &ProjectionMask,
    storage: &dyn Storage,
    g: &RowGroupRead,
) -> Result<ParquetRecordBatchReader> {
    let rg = g.index;
    let meta = f
        .metadata()
        .row_groups()
        .get(rg)
        .ok_or_else(|| corrupt(&f.path, format!("no row group {rg}")))?;
    // Each projected chunk's codec, refused by name where Paimon never writes it.
    let codecs = meta
        .columns()
        .iter()
        .enumerate()
        .map(|(i, col)| match PageCodec::of(col.compression()) {
            Ok(codec) => Ok(codec),
            Err(_) if !mask.leaf_included(i) => Ok(None),
            Err(e) => Err(Error::unsupported(
                &f.path,
                format!("{e}, in column chunk {i} of row group {rg}"),
            )),
        })
        .collect::<Result<Vec<_>>>()?;
    let (ranges, no_dictionary) =
        f.read_ranges(rg, meta, mask, g.rows.as_deref(), storage.coalesce_gap())?;
    let fetched =
        futures::future::try_join_all(ranges.iter().map(|r| storage.get_range(&f.path, r.clone())))
            .await?;
    let chunks = SparseFile {
        len: f.size,
        chunks: ranges.into_iter().map(|r| r.start).zip(fetched).collect(),
    };
    let levels = parquet_to_arrow_field_levels(
        f.metadata().file_metadata().schema_descr(),
        mask.clone(),
        Some(f.schema().fields()),
    )
    .map_err(|e| corrupt(&f.path, format!("Parquet schema: {e}")))?;
    let chunks = RowGroupChunks {
        file: Arc::new(chunks),
        metadata: f.metadata().clone(),
        row_group: rg,
        codecs,
        no_dictionary,
    };
    let total = meta.num_rows().max(0) as usize;
    let selection = g.rows.as_ref().map(|rows| selection(rows, total));
    ParquetRecordBatchReader::try_new_with_row_groups(&levels, &chunks, BATCH_SIZE, selection)
        .map_err(|e| corrupt(&f.path, format!("Parquet row group {rg}: {e}")))
}

/// How many of a chunk's `pages` data pages (the first ones: writers fall back from a
/// dictionary to plain encoding once, never back) are dictionary-encoded, by its page
/// encoding statistics; all of them where the statistics are missing or do not add up.
fn dictionary_encoded_pages(col: &ColumnChunkMetaData, pages: usize) -> usize {
    let Some(stats) = col.page_encoding_stats() else {
        return pages;
    };
    let data = |s: &&PageEncodingStats| {
        matches!(s.page_type, PageType::DATA_PAGE | PageType::DATA_PAGE_V2)
    };
    let total: i64 = stats.iter().filter(data).map(|s| i64::from(s.count)).sum();
    if total != pages as i64 {
        return pages;
    }
    stats
        .iter()
        .filter(data)
        .filter(|s| {
            matches!(
                s.encoding,
                Encoding::PLAIN_DICTIONARY | Encoding::RLE_DICTIONARY
            )
        })
        .map(|s| s.count.max(0) as usize)
        .sum()
}

/// Rows to read within a row group of `total` rows, shaped for the decoder to skip the
/// others page by page. The decoder reads a selection whose runs average under 32 rows
/// through a mask over every row of a batch, which would decode pages that were not
/// fetched. So gaps under 64 rows are read through (the read's filter drops their rows like
/// any other row of a fetched page), and a selection still that fragmented becomes `None`,
/// the whole row group.
fn selector_friendly(rows: Vec<Range<usize>>, total: usize) -> Option<Vec<Range<usize>>> {
    let mut out: Vec<Range<usize>> = Vec::with_capacity(rows.len());
    for r in rows {
        let r = r.start.min(total)..r.end.min(total);
        if r.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if r.start < last.end.saturating_add(64) => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    // At most a skip and a select per range, over the rows up to the last one selected.
    let covered = out.last().map_or(0, |r| r.end);
    (!out.is_empty() && covered >= 64 * out.len()).then_some(out)
}

/// The row selection reading `rows` of a row group of `total` rows.
fn selection(rows: &[Range<usize>], total: usize) -> RowSelection {
    let mut out = Vec::with_capacity(rows.len() * 2 + 1);
    let mut at = 0;
    for r in rows {
        let (start, end) = (r.start.min(total), r.end.min(total));
        if start > at {
            out.push(RowSelector::skip(start - at));
        }
        if end > start.max(at) {
            out.push(RowSelector::select(end - start.max(at)));
            at = end;
        }
    }
    if total > at {
        out.push(RowSelector::skip(total - at));
    }
    RowSelection::from(out)
}

/// The byte range of the file's page index (column and offset indexes), if it has one,
/// validated to lie before the footer at `footer_start`.
fn page_index_range(
    meta: &ParquetMetaData,
    footer_start: u64,
    path: &str,
) -> Result<Option<Range<u64>>> {
    let mut range: Option<Range<u64>> = None;
    let mut columns_with_index = 0usize;
    let mut columns = 0usize;
    for rg in meta.row_groups() {
        for c in rg.columns() {
            columns += 1;
            let parts = [
                (c.column_index_offset(), c.column_index_length()),
                (c.offset_index_offset(), c.offset_index_length()),
            ];
            if parts.iter().all(|(o, l)| o.is_some() && l.is_some()) {
                columns_with_index += 1;
            }
            for (off, len) in parts {
                let (Some(off), Some(len)) = (off, len) else {
                    continue;
                };
                if off < 0 || len < 0 || off as u64 + len as u64 > footer_start {
                    return Err(corrupt(
                        path,
                        format!("page index at {off}+{len} overlaps the footer or the file's end"),
                    ));
                }
                let r = off as u64..off as u64 + len as u64;
                range = Some(match range {
                    Some(a) => a.start.min(r.start)..a.end.max(r.end),
                    None => r,
                });
            }
        }
    }
    // Prune only with a complete index: every chunk's column and offset index.
    Ok(range.filter(|_| columns > 0 && columns_with_index == columns))
}

/// Decodes the page index in `range`, fetching what the footer's read `tail` lacks.
async fn read_page_index(
    storage: &dyn Storage,
    path: &str,
    size: u64,
    metadata: ParquetMetaData,
    range: Range<u64>,
    tail: Bytes,
) -> Result<ParquetMetaData> {
    let tail_start = size - tail.len() as u64;
    let covering = if range.start >= tail_start {
        tail
    } else {
        let head = storage.get_range(path, range.start..tail_start).await?;
        let mut all = Vec::with_capacity(head.len() + tail.len());
        all.extend_from_slice(&head);
        all.extend_from_slice(&tail);
        Bytes::from(all)
    };
    let mut reader = ParquetMetaDataReader::new_with_metadata(metadata)
        .with_page_index_policy(PageIndexPolicy::Required);
    reader
        .read_page_indexes_sized(&covering, size)
        .map_err(|e| corrupt(path, format!("Parquet page index: {e}")))?;
    reader
        .finish()
        .map_err(|e| corrupt(path, format!("Parquet page index: {e}")))
}

/// The fetched column chunks of a file, served to the Parquet decoder.
struct SparseFile {
    len: u64,
    chunks: Vec<(u64, Bytes)>,
}

impl SparseFile {
    fn find(&self, start: u64, len: u64) -> parquet::errors::Result<Bytes> {
        for (at, b) in &self.chunks {
            if start >= *at && start + len <= at + b.len() as u64 {
                let from = (start - at) as usize;
                return Ok(b.slice(from..from + len as usize));
            }
        }
        Err(parquet::errors::ParquetError::General(format!(
            "bytes {start}..{} were not fetched",
            start + len
        )))
    }
}

impl Length for SparseFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for SparseFile {
    type T = Cursor<Bytes>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        for (at, b) in &self.chunks {
            if start >= *at && start < at + b.len() as u64 {
                return Ok(Cursor::new(b.slice((start - at) as usize..)));
            }
        }
        Err(parquet::errors::ParquetError::General(format!(
            "byte {start} was not fetched"
        )))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        self.find(start, length as u64)
    }
}
