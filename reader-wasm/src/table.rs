//! The `Table` binding: opening a table behind one of the storages, its metadata, and reads.

// The core shares tables and storages as `Arc`s; on wasm32 there is one thread and the
// storages hold JavaScript values, which are neither `Send` nor `Sync`.
#![allow(clippy::arc_with_non_send_sync)]

use std::rc::Rc;
use std::sync::Arc;

use serde::Deserialize;
use strata_core::read::{read_changes, ReadBuilder};
use strata_core::scan::{resolve_snapshot, SnapshotSpec};
use strata_core::snapshot::{earliest_snapshot_id, latest_snapshot_id, Snapshot};
use strata_core::storage::Storage;
use wasm_bindgen::prelude::*;

use crate::error::{invalid, to_js};
use crate::filter::parse_filter;
use crate::http::{HttpStorage, Listing};
use crate::js_reader::JsReaderStorage;
use crate::json::safe_for_js;
use crate::reader::BatchReader;
use crate::stream::{StreamOptions, TableStream};

type JsResult<T> = std::result::Result<T, JsValue>;

/// Options of `scan` and `diff`, as JSON from the npm package.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct ReadOptions {
    pub columns: Option<Vec<String>>,
    pub filter: Option<String>,
    pub snapshot_id: Option<i64>,
    pub timestamp_ms: Option<i64>,
    pub tag: Option<String>,
    pub limit: Option<usize>,
    /// How many splits are read at once (their IO overlaps); 1 reads them in turn.
    pub concurrency: Option<usize>,
    /// `[k, n]`: read only the k-th (from 0) of the n parts `TableReader::partition` makes of
    /// the planned splits, so n workers that plan the same snapshot read it once between them.
    pub part: Option<(usize, usize)>,
}

pub(crate) fn parse_options<T: for<'a> Deserialize<'a> + Default>(json: &str) -> JsResult<T> {
    if json.is_empty() {
        return Ok(T::default());
    }
    // The parser's own words (`expected usize at line 1 column 42`) mean nothing to a
    // JavaScript caller: say what options look like instead.
    serde_json::from_str(json).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => {
                "an unknown option, or a value of the wrong kind (snapshotId, timestampMs, \
                 limit and concurrency are non-negative integers; columns a list of names; \
                 filter, tag and from text)"
            }
            _ => "they are not a JSON object",
        };
        invalid(format!("invalid options: {what}"))
    })
}

/// Where a storage came from; HTTP storages also report what they fetched.
#[derive(Debug)]
enum Source {
    Http(Rc<HttpStorage>),
    Reader,
}

/// An open table (the npm package wraps it in its `Table` class).
#[wasm_bindgen]
pub struct WasmTable {
    table: Arc<strata_core::table::Table>,
    source: Source,
}

/// Opens the table at `url` (its directory) over HTTP(S); `headers_json` is a JSON object of
/// extra request headers, or empty; `fetch`, if given, replaces the global `fetch`.
#[wasm_bindgen(js_name = openHttp)]
pub async fn open_http(
    url: String,
    headers_json: String,
    fetch: Option<js_sys::Function>,
) -> JsResult<WasmTable> {
    let headers: Vec<(String, String)> = if headers_json.is_empty() {
        Vec::new()
    } else {
        serde_json::from_str::<std::collections::BTreeMap<String, String>>(&headers_json)
            .map_err(|e| invalid(format!("headers: {e}")))?
            .into_iter()
            .collect()
    };
    let storage = Rc::new(HttpStorage::new(&url, headers, fetch));
    // The first scan starts with the `LATEST` hint: fetch it while the schema is probed.
    let (table, ()) = futures::join!(
        open(Arc::new(SharedHttp(storage.clone()))),
        storage.prefetch(strata_core::snapshot::LATEST_HINT)
    );
    let table = table?;
    Ok(WasmTable {
        table,
        source: Source::Http(storage),
    })
}

/// Opens the table behind a JavaScript reader object (see the `js_reader` module).
#[wasm_bindgen(js_name = openReader)]
pub async fn open_reader(reader: JsValue) -> JsResult<WasmTable> {
    let storage = JsReaderStorage::new(reader).map_err(to_js)?;
    let table = open(Arc::new(storage)).await?;
    Ok(WasmTable {
        table,
        source: Source::Reader,
    })
}

async fn open(storage: Arc<dyn Storage>) -> JsResult<Arc<strata_core::table::Table>> {
    let table = strata_core::table::Table::open(storage)
        .await
        .map_err(to_js)?;
    Ok(Arc::new(table))
}

/// Lets the table own the HTTP storage while the binding keeps a handle for its counters.
#[derive(Debug)]
struct SharedHttp(Rc<HttpStorage>);

#[async_trait::async_trait(?Send)]
impl Storage for SharedHttp {
    async fn get(&self, path: &str) -> strata_core::Result<bytes::Bytes> {
        self.0.get(path).await
    }
    async fn get_range(
        &self,
        path: &str,
        range: std::ops::Range<u64>,
    ) -> strata_core::Result<bytes::Bytes> {
        self.0.get_range(path, range).await
    }
    async fn head(
        &self,
        path: &str,
    ) -> strata_core::Result<Option<strata_core::storage::ObjectMeta>> {
        self.0.head(path).await
    }
    async fn put_if_absent(&self, path: &str, data: bytes::Bytes) -> strata_core::Result<()> {
        self.0.put_if_absent(path, data).await
    }
    async fn put(&self, path: &str, data: bytes::Bytes) -> strata_core::Result<()> {
        self.0.put(path, data).await
    }
    async fn list(
        &self,
        prefix: &str,
    ) -> strata_core::Result<Vec<strata_core::storage::ObjectMeta>> {
        self.0.list(prefix).await
    }
    async fn delete(&self, path: &str) -> strata_core::Result<()> {
        self.0.delete(path).await
    }
    fn coalesce_gap(&self) -> u64 {
        self.0.coalesce_gap()
    }
}

#[wasm_bindgen]
impl WasmTable {
    /// The latest schema (Paimon's `schema-N` JSON).
    #[wasm_bindgen(js_name = schemaJson)]
    pub fn schema_json(&self) -> String {
        self.table.schema().to_json()
    }

    /// The latest snapshot's JSON, or `undefined` for a table without snapshots.
    #[wasm_bindgen(js_name = latestSnapshotJson)]
    pub async fn latest_snapshot_json(&self) -> JsResult<Option<String>> {
        let s = resolve_snapshot(self.table.storage(), &SnapshotSpec::Latest)
            .await
            .map_err(to_js)?;
        Ok(s.map(|s| safe_for_js(&s.to_json())))
    }

    /// Every live snapshot, oldest first, as a JSON array (read without listing: the hints,
    /// then each id in between).
    #[wasm_bindgen(js_name = snapshotsJson)]
    pub async fn snapshots_json(&self) -> JsResult<String> {
        let storage = self.table.storage();
        let (first, last) = match (
            earliest_snapshot_id(storage).await.map_err(to_js)?,
            latest_snapshot_id(storage).await.map_err(to_js)?,
        ) {
            (Some(f), Some(l)) => (f, l),
            _ => return Ok("[]".into()),
        };
        let loads = (first..=last).map(|id| Snapshot::load(storage, id));
        let snapshots = futures::future::try_join_all(loads).await.map_err(to_js)?;
        let parts: Vec<String> = snapshots.iter().map(Snapshot::to_json).collect();
        Ok(safe_for_js(&format!("[{}]", parts.join(","))))
    }

    /// Tags as a JSON array of `[name, tag]` pairs, sorted by name. Tags live in files that
    /// can only be found by listing `tag/`: over HTTP through S3 `ListObjectsV2` or an HTML
    /// index; a server that offers neither fails with `UNSUPPORTED`.
    #[wasm_bindgen(js_name = tagsJson)]
    pub async fn tags_json(&self) -> JsResult<String> {
        let tags = match &self.source {
            Source::Http(h) => strata_core::expire::tags(&Listing(h)).await,
            Source::Reader => strata_core::expire::tags(self.table.storage()).await,
        }
        .map_err(to_js)?;
        let parts: Vec<String> = tags
            .iter()
            .map(|(name, t)| {
                let name = serde_json::Value::String(name.clone()).to_string();
                format!("[{name},{}]", t.to_json())
            })
            .collect();
        Ok(safe_for_js(&format!("[{}]", parts.join(","))))
    }

    /// Plans a read of one snapshot (see `ReadOptions`); the result hands out its batches.
    pub async fn scan(&self, options_json: String) -> JsResult<BatchReader> {
        let o: ReadOptions = parse_options(&options_json)?;
        let spec = match (o.snapshot_id, o.timestamp_ms, o.tag) {
            (Some(id), None, None) => SnapshotSpec::Id(id),
            (None, Some(t), None) => SnapshotSpec::TimestampMillis(t),
            (None, None, Some(t)) => SnapshotSpec::Tag(t),
            (None, None, None) => SnapshotSpec::Latest,
            _ => {
                return Err(invalid(
                    "give at most one of snapshotId, timestampMs and tag",
                ))
            }
        };
        let mut b = ReadBuilder::new().snapshot(spec);
        if let Some(c) = o.columns {
            b = b.columns(c);
        }
        if let Some(f) = &o.filter {
            b = b.filter(f).map_err(to_js)?;
        }
        // A limit reads splits in turn, as natively, so the first rows are the same.
        let concurrency = if o.limit.is_some() {
            1
        } else {
            o.concurrency.unwrap_or(4)
        };
        if let Some(n) = o.limit {
            b = b.limit(n);
        }
        let reader = b.build(self.table.clone()).await.map_err(to_js)?;
        match o.part {
            None => Ok(BatchReader::new(reader, concurrency)),
            Some((k, n)) if k < n && o.limit.is_none() => {
                let schema = reader.schema().clone();
                Ok(match reader.partition(n).into_iter().nth(k) {
                    Some(r) => BatchReader::new(r, concurrency),
                    None => BatchReader::empty(schema),
                })
            }
            Some((k, n)) => Err(invalid(format!("part [{k}, {n}] needs k < n and no limit"))),
        }
    }

    /// The changes of snapshots `(from, to]` with a `_kind` column (`+I`, `-U`, `+U`, `-D`).
    pub async fn diff(&self, from: i64, to: i64, options_json: String) -> JsResult<BatchReader> {
        let o: ReadOptions = parse_options(&options_json)?;
        if o.snapshot_id.is_some()
            || o.timestamp_ms.is_some()
            || o.tag.is_some()
            || o.limit.is_some()
            || o.part.is_some()
        {
            return Err(invalid("diff takes only columns and filter"));
        }
        let filter = parse_filter(o.filter.as_deref())?;
        let reader = read_changes(self.table.clone(), from, to, o.columns, filter.as_ref())
            .await
            .map_err(to_js)?;
        Ok(BatchReader::new(reader, 1))
    }

    /// Starts following the table (see `StreamOptions`).
    pub async fn stream(&self, options_json: String) -> JsResult<TableStream> {
        let o: StreamOptions = parse_options(&options_json)?;
        TableStream::start(self.table.clone(), o).await
    }

    /// What this table's HTTP storage has fetched so far, as JSON
    /// `{ "requests": n, "bytes": n }` (zeros for other storages).
    #[wasm_bindgen(js_name = fetchStatsJson)]
    pub fn fetch_stats_json(&self) -> String {
        let s = match &self.source {
            Source::Http(h) => h.stats(),
            Source::Reader => Default::default(),
        };
        format!("{{\"requests\":{},\"bytes\":{}}}", s.requests, s.bytes)
    }

    /// The latest HTTP requests as the reader saw them, oldest first, as a JSON array of
    /// `{ path, range: [start, end] | null, issued, done, bytes }` (times on the
    /// `performance.now()` clock; empty for other storages).
    #[wasm_bindgen(js_name = fetchLogJson)]
    pub fn fetch_log_json(&self) -> String {
        let Source::Http(h) = &self.source else {
            return "[]".into();
        };
        let items: Vec<serde_json::Value> = h
            .fetch_log()
            .into_iter()
            .map(|r| {
                serde_json::json!({
                    "path": r.path,
                    "range": r.range.map(|(a, b)| [a, b]),
                    "issued": r.issued,
                    "done": r.done,
                    "bytes": r.bytes,
                })
            })
            .collect();
        serde_json::Value::Array(items).to_string()
    }
}
