//! Avro data files (object container files) through the storage trait, decoded by
//! arrow-avro. The file is fetched whole (one range read). arrow-avro trusts a file's block
//! counts (a block holding more records than it states makes it spin forever), so the
//! container is first checked by Strata's defensive Avro walker (`manifest::avro`), which
//! also decompresses it within bounds; arrow-avro then decodes the checked, uncompressed
//! blocks.

use std::io::Cursor;

use arrow_array::RecordBatch;
use arrow_avro::reader::{Reader, ReaderBuilder};
use arrow_avro::schema::AvroSchema;
use bytes::Bytes;

use super::format::{fetch_whole, guarded, guarded_next};
use super::parquet::BATCH_SIZE;
use crate::storage::Storage;
use crate::{Error, Result};

/// Decoded batches of one Avro file, with only the wanted columns.
pub struct AvroStream {
    path: String,
    /// `None` once the decoder failed: its state is not to be trusted after that.
    reader: Option<Reader<Cursor<Bytes>>>,
    columns: Vec<String>,
}

impl AvroStream {
    /// Fetches `path` (`size` bytes, as the manifest says) and prepares to decode it; batches
    /// hold the top-level columns named `columns` that the file has.
    pub async fn open(
        storage: &dyn Storage,
        path: &str,
        size: u64,
        columns: &[&str],
    ) -> Result<Self> {
        let bytes = fetch_whole(storage, path, size, "Avro").await?;
        let (checked, writer) = crate::manifest::avro::checked_uncompressed(&bytes, path)?;
        let bytes = Bytes::from(checked);
        let mut builder = ReaderBuilder::new().with_batch_size(BATCH_SIZE);
        if let Some(reader) = projected(&writer, columns) {
            builder = builder.with_reader_schema(AvroSchema::new(reader.to_string()));
        }
        let reader = guarded(path, "Avro", || {
            builder
                .build(Cursor::new(bytes))
                .map_err(|e| Error::corrupt(path, format!("Avro header: {e}")))
        })?;
        Ok(AvroStream {
            path: path.to_string(),
            reader: Some(reader),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        })
    }

    /// The next batch, or `None` at the end.
    pub fn next(&mut self) -> Result<Option<RecordBatch>> {
        let Some(batch) = guarded_next(&mut self.reader, &self.path, "Avro")? else {
            return Ok(None);
        };
        let schema = batch.schema();
        let keep: Vec<usize> = self
            .columns
            .iter()
            .filter_map(|c| schema.index_of(c).ok())
            .collect();
        batch
            .project(&keep)
            .map(Some)
            .map_err(|e| Error::corrupt(&self.path, e))
    }
}

/// A reader schema with only the writer's top-level fields named `columns`, so the decoder
/// skips the others; `None` when every field or none is wanted (a batch of no columns
/// would lose its row count), or the schema is not a record.
fn projected(writer: &serde_json::Value, columns: &[&str]) -> Option<serde_json::Value> {
    let fields = writer.get("fields")?.as_array()?;
    let kept: Vec<serde_json::Value> = fields
        .iter()
        .filter(|f| {
            f.get("name")
                .and_then(|n| n.as_str())
                .is_some_and(|n| columns.contains(&n))
        })
        .cloned()
        .collect();
    if kept.len() == fields.len() || kept.is_empty() {
        return None;
    }
    let mut reader = writer.clone();
    reader["fields"] = serde_json::Value::Array(kept);
    Some(reader)
}
