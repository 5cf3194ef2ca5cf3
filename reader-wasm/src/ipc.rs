//! The hand-off to JavaScript: record batches as Arrow IPC stream bytes, which the npm package
//! turns into `apache-arrow` tables with `tableFromIPC` (one copy, no per-value conversion).

use arrow_array::RecordBatch;
use arrow_ipc::writer::StreamWriter;
use arrow_schema::SchemaRef;
use strata_core::{Error, Result};

/// One IPC stream (schema message, the batches, end-of-stream marker).
pub fn stream_bytes(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let fail = |e: arrow_schema::ArrowError| Error::InvalidValue(format!("Arrow IPC: {e}"));
    let mut w = StreamWriter::try_new(Vec::new(), schema).map_err(fail)?;
    for b in batches {
        w.write(b).map_err(fail)?;
    }
    w.finish().map_err(fail)?;
    w.into_inner().map_err(fail)
}
