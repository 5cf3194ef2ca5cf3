//! `TableStream`: following a table's new snapshots, batch by batch, with row kinds.
//!
//! The caller owns the clock: `next` returns the next batch, or `undefined` when nothing new is
//! committed yet, and the npm package sleeps `pollIntervalMs` (honouring an `AbortSignal`)
//! before asking again.

use std::sync::Arc;

use js_sys::Uint8Array;
use serde::Deserialize;
use strata_core::predicate::Predicate;
use strata_core::read::{read_splits_with_kinds, Kinds, ReadBuilder, TableReader};
use strata_core::scan::{SnapshotSpec, StartMode, StreamScan, StreamStep};
use strata_core::snapshot::Snapshot;
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

/// A running stream over a table.
#[wasm_bindgen]
pub struct TableStream {
    table: Arc<Table>,
    scan: StreamScan,
    full: Option<Snapshot>,
    columns: Option<Vec<String>>,
    filter: Option<Predicate>,
    current: Option<TableReader>,
}

impl TableStream {
    /// Starts a stream as `options` say.
    pub(crate) async fn start(table: Arc<Table>, o: StreamOptions) -> Result<Self, JsValue> {
        let mode = start_mode(o.from.as_deref().unwrap_or("latest"), o.full == Some(true))?;
        let filter = parse_filter(o.filter.as_deref())?;
        let (scan, full) = StreamScan::start(table.clone(), mode, None)
            .await
            .map_err(to_js)?;
        Ok(TableStream {
            table,
            scan,
            full,
            columns: o.columns,
            filter,
            current: None,
        })
    }
}

#[wasm_bindgen]
impl TableStream {
    /// The next snapshot id the stream will read.
    #[wasm_bindgen(js_name = nextSnapshot)]
    pub fn next_snapshot(&self) -> f64 {
        self.scan.next_snapshot() as f64
    }

    /// The next batch (with a `_kind` column) as an IPC stream, or `undefined` when no new
    /// snapshot is committed yet.
    pub async fn next(&mut self) -> Result<Option<Uint8Array>, JsValue> {
        loop {
            if let Some(r) = self.current.as_mut() {
                if let Some(b) = r.next().await.map_err(to_js)? {
                    let schema = b.schema();
                    let bytes = stream_bytes(&schema, &[b]).map_err(to_js)?;
                    return Ok(Some(Uint8Array::from(bytes.as_slice())));
                }
                self.current = None;
                self.scan.record_progress().await.map_err(to_js)?;
                continue;
            }
            if let Some(s) = self.full.take() {
                let mut b = ReadBuilder::new().snapshot(SnapshotSpec::Id(s.id));
                if let Some(c) = &self.columns {
                    b = b.columns(c.clone());
                }
                if let Some(f) = &self.filter {
                    b = b.predicate(f.clone());
                }
                let reader = b
                    .build_with(self.table.clone(), Kinds::Inserts)
                    .await
                    .map_err(to_js)?;
                self.current = Some(reader);
                continue;
            }
            match self.scan.poll().await.map_err(to_js)? {
                StreamStep::Pending => return Ok(None),
                StreamStep::Skipped(_) => self.scan.record_progress().await.map_err(to_js)?,
                StreamStep::Changes(s, splits) => {
                    let reader = read_splits_with_kinds(
                        self.table.clone(),
                        *s,
                        splits,
                        self.columns.clone(),
                        self.filter.as_ref(),
                    )
                    .await
                    .map_err(to_js)?;
                    self.current = Some(reader);
                }
            }
        }
    }
}
