//! Parquet data files through the storage trait: the footer first (one range read of the
//! tail), then, row group by row group, only the column chunks a read needs, fetched in
//! parallel. Decoding is arrow-rs Parquet over the fetched ranges.

use std::io::Cursor;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::ProjectionMask;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader, RowGroupMetaData};
use parquet::file::reader::{ChunkReader, Length};

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
        let footer_len =
            u32::from_le_bytes(tail[tail.len() - 8..tail.len() - 4].try_into().expect("4")) as u64;
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
        let metadata = ParquetMetaDataReader::decode_metadata(&footer)
            .map_err(|e| corrupt(path, format!("Parquet footer: {e}")))?;
        let meta = ArrowReaderMetadata::try_new(Arc::new(metadata), ArrowReaderOptions::new())
            .map_err(|e| corrupt(path, format!("Parquet schema: {e}")))?;
        Ok(ParquetFile {
            path: path.to_string(),
            size,
            meta,
        })
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

    /// A stream of batches of the given top-level columns over the given row groups.
    pub fn stream(&self, roots: &[usize], row_groups: Vec<usize>) -> ParquetStream {
        let mask = ProjectionMask::roots(
            self.metadata().file_metadata().schema_descr(),
            roots.iter().copied(),
        );
        ParquetStream {
            file: self.clone(),
            mask,
            row_groups: row_groups.into_iter().rev().collect(),
            current: None,
        }
    }

    /// Byte range of every projected column chunk of a row group, validated against the file.
    fn chunk_ranges(
        &self,
        rg: &RowGroupMetaData,
        mask: &ProjectionMask,
    ) -> Result<Vec<Range<u64>>> {
        let mut out = Vec::new();
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
            out.push(start as u64..start as u64 + len as u64);
        }
        Ok(out)
    }
}

/// Decoded batches of one file, fetched a row group at a time.
pub struct ParquetStream {
    file: ParquetFile,
    mask: ProjectionMask,
    row_groups: Vec<usize>,
    current: Option<ParquetRecordBatchReader>,
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
            let reader = open_row_group(&self.file, &self.mask, storage, rg).await?;
            self.current = Some(reader);
        }
    }
}

/// Fetches a row group's projected column chunks and opens a decoder over them.
async fn open_row_group(
    f: &ParquetFile,
    mask: &ProjectionMask,
    storage: &dyn Storage,
    rg: usize,
) -> Result<ParquetRecordBatchReader> {
    {
        let meta = f
            .metadata()
            .row_groups()
            .get(rg)
            .ok_or_else(|| corrupt(&f.path, format!("no row group {rg}")))?;
        let ranges = f.chunk_ranges(meta, mask)?;
        let fetched = futures::future::try_join_all(
            ranges.iter().map(|r| storage.get_range(&f.path, r.clone())),
        )
        .await?;
        let chunks = SparseFile {
            len: f.size,
            chunks: ranges.into_iter().map(|r| r.start).zip(fetched).collect(),
        };
        ParquetRecordBatchReaderBuilder::new_with_metadata(chunks, f.meta.clone())
            .with_projection(mask.clone())
            .with_row_groups(vec![rg])
            .with_batch_size(BATCH_SIZE)
            .build()
            .map_err(|e| corrupt(&f.path, format!("Parquet row group {rg}: {e}")))
    }
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
