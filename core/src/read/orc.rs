//! ORC data files through the storage trait, decoded by orc-rust. The file is fetched whole
//! (one range read): ORC's tail and stripes are small next to a read's other costs, and the
//! decoder is synchronous. Only the projected columns are decoded; stripes whose statistics
//! rule the read's filter out are skipped.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use bytes::{Buf, Bytes};
use orc_rust::arrow_reader::{ArrowReader, ArrowReaderBuilder};
use orc_rust::projection::ProjectionMask;
use orc_rust::reader::ChunkReader;
use orc_rust::schema::DataType as OrcType;

use super::format::{fetch_whole, guarded, guarded_next};
use super::parquet::BATCH_SIZE;
use crate::storage::Storage;
use crate::{Error, Result};

/// Decoded batches of one ORC file.
pub struct OrcStream {
    path: String,
    /// `None` once the decoder failed: its state is not to be trusted after that.
    reader: Option<ArrowReader<FileBytes>>,
    /// Top-level columns of ORC type CHAR, whose values the file stores padded.
    chars: Vec<String>,
}

impl OrcStream {
    /// Fetches `path` (`size` bytes, as the manifest says) and prepares to decode the
    /// top-level columns named `columns` (missing names are skipped).
    pub async fn open(
        storage: &dyn Storage,
        path: &str,
        size: u64,
        columns: &[&str],
    ) -> Result<Self> {
        let bytes = fetch_whole(storage, path, size, "ORC").await?;
        if !bytes.starts_with(b"ORC") {
            return Err(Error::corrupt(path, "no ORC magic at the start (not ORC)"));
        }
        let mut chars = vec![];
        let reader = guarded(path, "ORC", || {
            let builder = ArrowReaderBuilder::try_new(FileBytes(bytes))
                .map_err(|e| Error::corrupt(path, format!("ORC tail: {e}")))?;
            let root = builder.file_metadata().root_data_type();
            chars = root
                .children()
                .iter()
                .filter(|c| matches!(c.data_type(), OrcType::Char { .. }))
                .map(|c| c.name().to_string())
                .collect();
            // No columns at all would lose the batches' row counts: decode them all then.
            let projection = if columns.is_empty() {
                ProjectionMask::all()
            } else {
                ProjectionMask::named_roots(root, columns)
            };
            Ok(builder
                .with_projection(projection)
                .with_batch_size(BATCH_SIZE)
                .build())
        })?;
        Ok(OrcStream {
            path: path.to_string(),
            reader: Some(reader),
            chars,
        })
    }

    /// The next batch, or `None` at the end.
    pub fn next(&mut self) -> Result<Option<RecordBatch>> {
        let batch = guarded_next(&mut self.reader, &self.path, "ORC")?;
        match batch {
            Some(b) if !self.chars.is_empty() => unpad_chars(b, &self.chars)
                .map(Some)
                .map_err(|e| Error::corrupt(&self.path, e)),
            other => Ok(other),
        }
    }
}

/// CHAR values without the spaces ORC pads them with to the declared length, as Apache
/// ORC's reader (and so Paimon Java) gives them back.
fn unpad_chars(
    batch: RecordBatch,
    chars: &[String],
) -> std::result::Result<RecordBatch, arrow_schema::ArrowError> {
    let schema = batch.schema();
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(col, field)| match col.as_string_opt::<i32>() {
            Some(s) if chars.iter().any(|c| c == field.name()) => Arc::new(
                s.iter()
                    .map(|v| v.map(|v| v.trim_end_matches(' ')))
                    .collect::<StringArray>(),
            ) as ArrayRef,
            _ => col.clone(),
        })
        .collect();
    RecordBatch::try_new(schema, columns)
}

/// The fetched file, served to the decoder without copies. Reads past the end fail instead
/// of allocating what the file's (untrusted) lengths claim.
struct FileBytes(Bytes);

impl ChunkReader for FileBytes {
    type T = bytes::buf::Reader<Bytes>;

    fn len(&self) -> u64 {
        self.0.len() as u64
    }

    fn get_read(&self, offset: u64) -> std::io::Result<Self::T> {
        let at = usize::try_from(offset)
            .ok()
            .filter(|&at| at <= self.0.len())
            .ok_or_else(|| past_end(offset, 0, self.0.len()))?;
        Ok(self.0.slice(at..).reader())
    }

    fn get_bytes(&self, offset: u64, length: u64) -> std::io::Result<Bytes> {
        let end = offset.checked_add(length);
        match end {
            Some(end) if end <= self.0.len() as u64 => {
                Ok(self.0.slice(offset as usize..end as usize))
            }
            _ => Err(past_end(offset, length, self.0.len())),
        }
    }
}

fn past_end(offset: u64, length: u64, len: usize) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        format!("bytes {offset}+{length} lie outside the file of {len} bytes"),
    )
}
