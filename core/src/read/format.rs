//! The data file formats a read decodes, told apart by the file's extension as Paimon names
//! them (`.parquet`, `.orc`, `.avro`): one stream type over each format's decoder.

use std::ops::Range;

use arrow_array::RecordBatch;

use super::parquet::ParquetStream;
use crate::storage::Storage;
use crate::{Error, Result};

/// A data file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Apache Parquet.
    Parquet,
    /// Apache ORC.
    Orc,
    /// Apache Avro object container files.
    Avro,
}

impl FileFormat {
    /// The format of a data file, by the extension of its name.
    pub fn of(file_name: &str) -> Option<Self> {
        let ext = file_name.rsplit_once('.')?.1;
        match ext.to_ascii_lowercase().as_str() {
            "parquet" => Some(FileFormat::Parquet),
            "orc" => Some(FileFormat::Orc),
            "avro" => Some(FileFormat::Avro),
            _ => None,
        }
    }

    /// Whether this build decodes the format (ORC and Avro are cargo features of core).
    pub fn readable(self) -> bool {
        match self {
            FileFormat::Parquet => true,
            FileFormat::Orc => cfg!(feature = "orc"),
            FileFormat::Avro => cfg!(feature = "avro"),
        }
    }

    /// The format's name as Paimon's `file.format` spells it.
    pub fn name(self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Orc => "orc",
            FileFormat::Avro => "avro",
        }
    }
}

/// Decoded batches of one data file, in any format this build reads.
// Parquet, the common case, stays inline; the others are boxed.
#[allow(clippy::large_enum_variant)]
pub enum FileStream {
    /// A Parquet file, read row group by row group (maybe pruned).
    Parquet(ParquetStream),
    /// An ORC file.
    #[cfg(feature = "orc")]
    Orc(Box<super::orc::OrcStream>, u64),
    /// An Avro file.
    #[cfg(feature = "avro")]
    Avro(Box<super::avro::AvroStream>, u64),
}

impl FileStream {
    /// Opens `path` of `size` bytes, in a format other than Parquet, to read the top-level
    /// `columns`. Every row is read: these formats are pruned by the manifest's statistics.
    #[allow(unused_variables)]
    pub async fn open_whole(
        storage: &dyn Storage,
        format: FileFormat,
        path: &str,
        size: u64,
        columns: &[&str],
    ) -> Result<Self> {
        match format {
            #[cfg(feature = "orc")]
            FileFormat::Orc => Ok(FileStream::Orc(
                Box::new(super::orc::OrcStream::open(storage, path, size, columns).await?),
                0,
            )),
            #[cfg(feature = "avro")]
            FileFormat::Avro => Ok(FileStream::Avro(
                Box::new(super::avro::AvroStream::open(storage, path, size, columns).await?),
                0,
            )),
            _ => Err(Error::unsupported(
                path,
                format!(
                    "{} data files are not read by this build of Strata",
                    format.name()
                ),
            )),
        }
    }

    /// The next batch, with the positions in the file of its rows (ascending ranges), or
    /// `None` at the end.
    pub async fn next(
        &mut self,
        storage: &dyn Storage,
    ) -> Result<Option<(RecordBatch, Vec<Range<u64>>)>> {
        match self {
            FileStream::Parquet(s) => {
                let Some(batch) = s.next(storage).await? else {
                    return Ok(None);
                };
                let positions = s.take_positions(batch.num_rows() as u64);
                Ok(Some((batch, positions)))
            }
            #[cfg(feature = "orc")]
            FileStream::Orc(s, at) => Ok(s.next()?.map(|b| sequential(b, at))),
            #[cfg(feature = "avro")]
            FileStream::Avro(s, at) => Ok(s.next()?.map(|b| sequential(b, at))),
        }
    }
}

/// Runs a third-party decoder over untrusted bytes: a panic in it (decoders may index or
/// allocate by lengths a corrupt file states) becomes a typed error naming the file. Where
/// panics abort (the Wasm build), this only returns `f`'s result.
#[cfg(any(feature = "orc", feature = "avro"))]
pub(crate) fn guarded<T>(path: &str, format: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(Error::corrupt(
            path,
            format!("{format} data: the decoder failed on malformed data"),
        ))
    })
}

/// The whole of `path`, `size` bytes as the manifest says, for a decoder that works on a
/// file in memory.
#[cfg(any(feature = "orc", feature = "avro"))]
pub(crate) async fn fetch_whole(
    storage: &dyn Storage,
    path: &str,
    size: u64,
    format: &str,
) -> Result<bytes::Bytes> {
    let bytes = storage.get_range(path, 0..size).await?;
    if bytes.len() as u64 != size {
        return Err(Error::corrupt(
            path,
            format!("read {} bytes of a {format} file of {size}", bytes.len()),
        ));
    }
    Ok(bytes)
}

/// The next batch of a third-party decoder, [`guarded`]; a failed decoder is dropped, as its
/// state is not to be trusted after that.
#[cfg(any(feature = "orc", feature = "avro"))]
pub(crate) fn guarded_next<I, E>(
    decoder: &mut Option<I>,
    path: &str,
    format: &str,
) -> Result<Option<RecordBatch>>
where
    I: Iterator<Item = std::result::Result<RecordBatch, E>>,
    E: std::fmt::Display,
{
    let Some(d) = decoder else {
        return Err(Error::corrupt(
            path,
            format!("{format} data: an earlier batch failed"),
        ));
    };
    let out = guarded(path, format, || match d.next() {
        None => Ok(None),
        Some(Ok(b)) => Ok(Some(b)),
        Some(Err(e)) => Err(Error::corrupt(path, format!("{format} data: {e}"))),
    });
    if out.is_err() {
        *decoder = None;
    }
    out
}

/// A batch of a file read from its first row to its last, with its rows' positions.
#[cfg(any(feature = "orc", feature = "avro"))]
fn sequential(batch: RecordBatch, at: &mut u64) -> (RecordBatch, Vec<Range<u64>>) {
    let start = *at;
    *at += batch.num_rows() as u64;
    (batch, std::iter::once(start..*at).collect())
}

#[cfg(test)]
#[cfg(all(feature = "orc", feature = "avro"))]
#[path = "format_tests.rs"]
mod tests;
