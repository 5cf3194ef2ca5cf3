//! `TableStream`: following a table's new snapshots, batch by batch, with row kinds.
//!
//! The caller owns the clock: `next` returns the next batch, or `undefined` when nothing new is
//! committed yet, and the npm package sleeps `pollIntervalMs` (honouring an `AbortSignal`)
//! before asking again.

use std::sync::Arc;

use js_sys::Uint8Array;
use serde::Deserialize;
use strata_core::read::ChangeStream;
use strata_core::scan::StartMode;
use strata_core::table::Table;
use wasm_bindgen::prelude::*;

use crate::error::to_js;
use crate::filter::parse_filter;
use crate::ipc::stream_bytes;

/// Options of `stream`, as JSON from the npm package.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StreamOptions {
    /// `latest` (default), `earliest`, `snapshot:N` or `timestamp:MS`.
    pub from: Option<String>,
    /// Read the starting snapshot in full first (rows labelled `+I`).
    pub full: Option<bool>,
    pub columns: Option<Vec<String>>,
    pub filter: Option<String>,
}

fn start_mode(from: &str, full: bool) -> Result<StartMode, JsValue> {
    StartMode::parse(from, full).map_err(to_js)
}

/// A running stream over a table: core's [`ChangeStream`], driven from JavaScript.
#[wasm_bindgen]
pub struct TableStream {
    changes: ChangeStream,
}

impl TableStream {
    /// Starts a stream as `options` say.
    pub(crate) async fn start(table: Arc<Table>, o: StreamOptions) -> Result<Self, JsValue> {
        let mode = start_mode(o.from.as_deref().unwrap_or("latest"), o.full == Some(true))?;
        let filter = parse_filter(o.filter.as_deref())?;
        let changes = ChangeStream::start(table, mode, None, o.columns, filter)
            .await
            .map_err(to_js)?;
        Ok(TableStream { changes })
    }
}

#[wasm_bindgen]
impl TableStream {
    /// The next snapshot id the stream will read.
    #[wasm_bindgen(js_name = nextSnapshot)]
    pub fn next_snapshot(&self) -> f64 {
        self.changes.next_snapshot() as f64
    }

    /// The next batch (with a `_kind` column) as an IPC stream, or `undefined` when no new
    /// snapshot is committed yet.
    pub async fn next(&mut self) -> Result<Option<Uint8Array>, JsValue> {
        let Some(b) = self.changes.next().await.map_err(to_js)? else {
            return Ok(None);
        };
        let bytes = stream_bytes(&b.schema(), &[b]).map_err(to_js)?;
        Ok(Some(Uint8Array::from(bytes.as_slice())))
    }
}
