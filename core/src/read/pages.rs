//! Page decompression for the Parquet read path.
//!
//! The parquet crate is built without its codecs: its codec trait pairs every decompressor
//! with a compressor, so each codec it supports keeps its compressor alive, and zstd's
//! alone is about 0.4 MB of the Wasm reader. Instead the decoder is handed each column
//! chunk as uncompressed, and [`Decompress`] decompresses every page it yields with the
//! chunk's real codec: the codecs Paimon writes (zstd, its default; snappy; lz4, both Hadoop's
//! framing and raw blocks; gzip) and uncompressed chunks.

use std::io::Read;
use std::sync::Arc;

use bytes::Bytes;
use parquet::arrow::arrow_reader::RowGroups;
use parquet::basic::Compression;
use parquet::column::page::{Page, PageIterator, PageMetadata, PageReader};
use parquet::errors::{ParquetError, Result as PqResult};
use parquet::file::metadata::{ParquetMetaData, RowGroupMetaData};
use parquet::file::reader::ChunkReader;
use parquet::file::serialized_reader::SerializedPageReader;
use zstd::zstd_safe;

/// The largest page this reader decompresses (a page's size is an `i32` in the format; real
/// pages are around a megabyte). Larger claims are refused before anything is allocated.
const MAX_PAGE_BYTES: usize = 1 << 30;

/// A column chunk's codec, as the decoder needs it: `None` for uncompressed chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageCodec {
    /// Zstandard frames.
    Zstd,
    /// Snappy's raw format.
    Snappy,
    /// gzip members (deflate with gzip's header and trailer).
    Gzip,
    /// Hadoop's LZ4 framing (Parquet's `LZ4`, as parquet-mr writes it): big-endian
    /// uncompressed and compressed sizes before each raw block. Raw blocks are accepted too,
    /// as other readers do.
    Lz4Hadoop,
    /// One raw LZ4 block (Parquet's `LZ4_RAW`).
    Lz4Raw,
}

impl PageCodec {
    /// The codec for a column chunk's compression; `Ok(None)` for uncompressed chunks, an
    /// error naming the codec for those Paimon does not write (brotli, LZO).
    pub(crate) fn of(c: Compression) -> Result<Option<PageCodec>, String> {
        Ok(Some(match c {
            Compression::UNCOMPRESSED => return Ok(None),
            Compression::ZSTD(_) => PageCodec::Zstd,
            Compression::SNAPPY => PageCodec::Snappy,
            Compression::GZIP(_) => PageCodec::Gzip,
            Compression::LZ4 => PageCodec::Lz4Hadoop,
            Compression::LZ4_RAW => PageCodec::Lz4Raw,
            other => {
                return Err(format!(
                    "Parquet compression {other} (supported: zstd, snappy, gzip, lz4, lz4_raw, \
                     uncompressed)"
                ))
            }
        }))
    }
}

fn err(codec: PageCodec, what: impl std::fmt::Display) -> ParquetError {
    ParquetError::General(format!("{codec:?} page: {what}"))
}

fn too_large(codec: PageCodec, n: u64) -> ParquetError {
    err(
        codec,
        format!("decompresses to {n} bytes, more than the limit of {MAX_PAGE_BYTES}"),
    )
}

/// Decompresses one page body. Empty input stays empty: writers store the values of a page
/// with no non-null values as zero bytes, without a compressed frame.
pub(crate) fn decompress(
    codec: PageCodec,
    dctx: &mut Option<zstd_safe::DCtx<'static>>,
    input: &[u8],
) -> PqResult<Vec<u8>> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    match codec {
        PageCodec::Zstd => {
            // The bound is exact for frames that carry their size, and within one block
            // (128 KB) of it for frames that do not (parquet-rs and parquet-mr stream them).
            let bound = zstd_safe::decompress_bound(input)
                .map_err(|c| err(codec, zstd_safe::get_error_name(c)))?;
            if bound > MAX_PAGE_BYTES as u64 {
                return Err(too_large(codec, bound));
            }
            let mut out = Vec::with_capacity(bound as usize);
            let dctx = dctx.get_or_insert_with(zstd_safe::DCtx::create);
            dctx.decompress(&mut out, input)
                .map_err(|c| err(codec, zstd_safe::get_error_name(c)))?;
            Ok(out)
        }
        PageCodec::Snappy => {
            let n = snap::raw::decompress_len(input).map_err(|e| err(codec, e))?;
            if n > MAX_PAGE_BYTES {
                return Err(too_large(codec, n as u64));
            }
            let mut out = vec![0; n];
            let got = snap::raw::Decoder::new()
                .decompress(input, &mut out)
                .map_err(|e| err(codec, e))?;
            out.truncate(got);
            Ok(out)
        }
        PageCodec::Gzip => {
            // The last member's trailer holds its size modulo 2^32: a capacity hint only.
            let hint = input
                .len()
                .checked_sub(4)
                .and_then(|at| input.get(at..))
                .map_or(0, |t| u32::from_le_bytes([t[0], t[1], t[2], t[3]]) as usize);
            let mut out = Vec::with_capacity(hint.min(MAX_PAGE_BYTES));
            flate2::read::MultiGzDecoder::new(input)
                .take(MAX_PAGE_BYTES as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| err(codec, e))?;
            if out.len() > MAX_PAGE_BYTES {
                return Err(too_large(codec, out.len() as u64));
            }
            Ok(out)
        }
        PageCodec::Lz4Hadoop => match lz4_hadoop(input) {
            Some(out) => Ok(out),
            None => lz4_raw(codec, input),
        },
        PageCodec::Lz4Raw => lz4_raw(codec, input),
    }
}

/// Hadoop's LZ4 framing: frames of a big-endian `u32` uncompressed size, a `u32` compressed
/// size and a raw block of exactly those sizes. `None` where the input is not that, so the
/// caller can try a raw block.
fn lz4_hadoop(mut input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let header = input.get(..8)?;
        let raw = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let packed = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let block = input.get(8..8usize.checked_add(packed)?)?;
        if out.len().checked_add(raw)? > MAX_PAGE_BYTES {
            return None;
        }
        let at = out.len();
        out.resize(at + raw, 0);
        let got = lz4_flex::block::decompress_into(block, &mut out[at..]).ok()?;
        if got != raw {
            return None;
        }
        input = &input[8 + packed..];
    }
    Some(out)
}

/// One raw LZ4 block, whose size is not stored: decoded into a buffer that grows until it
/// fits (up to LZ4's largest ratio of 255, and the page limit).
fn lz4_raw(codec: PageCodec, input: &[u8]) -> PqResult<Vec<u8>> {
    let most = input.len().saturating_mul(255).min(MAX_PAGE_BYTES);
    let mut size = input.len().saturating_mul(4).clamp(64, most.max(64));
    loop {
        let mut out = vec![0; size];
        match lz4_flex::block::decompress_into(input, &mut out) {
            Ok(n) => {
                out.truncate(n);
                return Ok(out);
            }
            Err(lz4_flex::block::DecompressError::OutputTooSmall { .. }) if size < most => {
                size = size.saturating_mul(2).min(most);
            }
            Err(e) => return Err(err(codec, e)),
        }
    }
}

/// A column chunk's pages, decompressed: wraps the decoder's page reader over the chunk's
/// compressed bytes (which it was told are uncompressed).
pub(crate) struct Decompress<R: ChunkReader> {
    inner: SerializedPageReader<R>,
    codec: PageCodec,
    dctx: Option<zstd_safe::DCtx<'static>>,
}

impl<R: ChunkReader> Decompress<R> {
    fn page(&mut self, mut page: Page) -> PqResult<Page> {
        let codec = self.codec;
        match &mut page {
            Page::DataPage { buf, .. } | Page::DictionaryPage { buf, .. } => {
                *buf = decompress(codec, &mut self.dctx, buf)?.into();
            }
            Page::DataPageV2 {
                buf,
                def_levels_byte_len,
                rep_levels_byte_len,
                is_compressed,
                ..
            } => {
                // Version 2 pages keep their levels uncompressed, ahead of the values.
                if *is_compressed {
                    let levels = *def_levels_byte_len as usize + *rep_levels_byte_len as usize;
                    let values = buf.get(levels..).ok_or_else(|| {
                        err(
                            codec,
                            format!("levels of {levels} bytes in a page of {}", buf.len()),
                        )
                    })?;
                    let values = decompress(codec, &mut self.dctx, values)?;
                    let mut out = Vec::with_capacity(levels + values.len());
                    out.extend_from_slice(&buf[..levels]);
                    out.extend_from_slice(&values);
                    *buf = Bytes::from(out);
                    *is_compressed = false;
                }
            }
        }
        Ok(page)
    }
}

impl<R: ChunkReader> Iterator for Decompress<R> {
    type Item = PqResult<Page>;

    fn next(&mut self) -> Option<Self::Item> {
        self.get_next_page().transpose()
    }
}

impl<R: ChunkReader> PageReader for Decompress<R> {
    fn get_next_page(&mut self) -> PqResult<Option<Page>> {
        match self.inner.get_next_page()? {
            Some(page) => self.page(page).map(Some),
            None => Ok(None),
        }
    }

    fn peek_next_page(&mut self) -> PqResult<Option<PageMetadata>> {
        self.inner.peek_next_page()
    }

    fn skip_next_page(&mut self) -> PqResult<()> {
        self.inner.skip_next_page()
    }

    fn at_record_boundary(&mut self) -> PqResult<bool> {
        self.inner.at_record_boundary()
    }
}

/// One row group of a file, served to the decoder column chunk by column chunk, each
/// decompressed by [`Decompress`] with its codec from `codecs` (by leaf index, as
/// [`PageCodec::of`] gives it). The chunks at `no_dictionary` are read from their first
/// data page on, without their dictionary page (every page read is plain-encoded).
pub(crate) struct RowGroupChunks<R: ChunkReader> {
    pub(crate) file: Arc<R>,
    pub(crate) metadata: Arc<ParquetMetaData>,
    pub(crate) row_group: usize,
    pub(crate) codecs: Vec<Option<PageCodec>>,
    pub(crate) no_dictionary: Vec<usize>,
}

impl<R: ChunkReader + 'static> RowGroupChunks<R> {
    fn chunk(&self, i: usize) -> PqResult<Box<dyn PageReader>> {
        let rg = self.metadata.row_group(self.row_group);
        let col = rg.columns().get(i).ok_or_else(|| {
            ParquetError::General(format!(
                "no column {i} in row group {} of {} columns",
                self.row_group,
                rg.num_columns()
            ))
        })?;
        let codec = self.codecs.get(i).copied().flatten();
        let pages = self
            .metadata
            .offset_index()
            .and_then(|o| o.get(self.row_group))
            .and_then(|o| o.get(i))
            .map(|o| o.page_locations().clone());
        let mut plain = col.clone().into_builder();
        if codec.is_some() {
            plain = plain.set_compression(Compression::UNCOMPRESSED);
        }
        if self.no_dictionary.contains(&i) {
            if let Some(first) = pages.as_ref().and_then(|p| p.first()) {
                plain = plain
                    .set_dictionary_page_offset(None)
                    .set_data_page_offset(first.offset);
            }
        }
        let plain = plain.build()?;
        let rows = usize::try_from(rg.num_rows())
            .map_err(|_| ParquetError::General(format!("row count {}", rg.num_rows())))?;
        let inner = SerializedPageReader::new(self.file.clone(), &plain, rows, pages)?;
        Ok(match codec {
            Some(codec) => Box::new(Decompress {
                inner,
                codec,
                dctx: None,
            }),
            None => Box::new(inner),
        })
    }
}

impl<R: ChunkReader + 'static> RowGroups for RowGroupChunks<R> {
    fn num_rows(&self) -> usize {
        self.metadata.row_group(self.row_group).num_rows().max(0) as usize
    }

    fn column_chunks(&self, i: usize) -> PqResult<Box<dyn PageIterator>> {
        Ok(Box::new(OneChunk(Some(self.chunk(i)))))
    }

    fn row_groups(&self) -> Box<dyn Iterator<Item = &RowGroupMetaData> + '_> {
        Box::new(std::iter::once(self.metadata.row_group(self.row_group)))
    }

    fn metadata(&self) -> &ParquetMetaData {
        &self.metadata
    }
}

/// The page readers of one column over the row group read: just the one.
struct OneChunk(Option<PqResult<Box<dyn PageReader>>>);

impl Iterator for OneChunk {
    type Item = PqResult<Box<dyn PageReader>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.0.take()
    }
}

impl PageIterator for OneChunk {}

#[cfg(test)]
#[path = "pages_tests.rs"]
mod tests;
