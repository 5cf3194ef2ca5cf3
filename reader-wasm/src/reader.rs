//! `BatchReader`: the batches of one planned read, handed to JavaScript as Arrow IPC bytes.

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use js_sys::Uint8Array;
use strata_core::read::TableReader;
use strata_core::Result;
use wasm_bindgen::prelude::*;

use crate::error::to_js;
use crate::ipc::stream_bytes;

/// The batches of a scan or diff. Either pull them one at a time (`next`) or all at once
/// (`readAll`, which reads up to `concurrency` splits at a time so their fetches overlap).
#[wasm_bindgen]
pub struct BatchReader {
    schema: SchemaRef,
    reader: Option<TableReader>,
    concurrency: usize,
}

impl BatchReader {
    /// Wraps a planned read.
    pub fn new(reader: TableReader, concurrency: usize) -> Self {
        BatchReader {
            schema: reader.schema().clone(),
            reader: Some(reader),
            concurrency: concurrency.max(1),
        }
    }

    /// A read with no rows (a part of a scan that got no splits).
    pub fn empty(schema: SchemaRef) -> Self {
        BatchReader {
            schema,
            reader: None,
            concurrency: 1,
        }
    }
}

async fn drain(mut reader: TableReader) -> Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    while let Some(b) = reader.next().await? {
        out.push(b);
    }
    Ok(out)
}

#[wasm_bindgen]
impl BatchReader {
    /// The output schema as an IPC stream without batches.
    #[wasm_bindgen(js_name = schemaIpc)]
    pub fn schema_ipc(&self) -> Result<Uint8Array, JsValue> {
        let bytes = stream_bytes(&self.schema, &[]).map_err(to_js)?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// The next batch as a self-contained IPC stream, or `undefined` at the end.
    pub async fn next(&mut self) -> Result<Option<Uint8Array>, JsValue> {
        let Some(reader) = self.reader.as_mut() else {
            return Ok(None);
        };
        match reader.next().await.map_err(to_js)? {
            Some(b) => {
                let bytes = stream_bytes(&self.schema, &[b]).map_err(to_js)?;
                Ok(Some(Uint8Array::from(bytes.as_slice())))
            }
            None => {
                self.reader = None;
                Ok(None)
            }
        }
    }

    /// Every remaining batch as one IPC stream.
    #[wasm_bindgen(js_name = readAll)]
    pub async fn read_all(&mut self) -> Result<Uint8Array, JsValue> {
        let mut batches = Vec::new();
        if let Some(reader) = self.reader.take() {
            let parts = if self.concurrency > 1 {
                reader.partition(self.concurrency)
            } else {
                vec![reader]
            };
            let done = futures::future::try_join_all(parts.into_iter().map(drain))
                .await
                .map_err(to_js)?;
            batches = done.into_iter().flatten().collect();
        }
        let bytes = stream_bytes(&self.schema, &batches).map_err(to_js)?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }
}
