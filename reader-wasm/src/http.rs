//! Storage over HTTP(S) with `fetch`: whole objects by `GET`, byte ranges by `Range` requests,
//! existence by `HEAD`. Works in browsers and in Node 20+ (its global `fetch`). Listing (only
//! `tags()` needs it) works where the server answers S3 `ListObjectsV2` or serves an HTML
//! index of directories (see [`crate::listing`]).
//!
//! A server that ignores `Range` answers `200` with the whole object; the object is then kept
//! and later ranges of it are sliced locally, so it is downloaded once. Hints and snapshot
//! files are never cached by the browser, so streams see new commits.
//!
//! Snapshot and schema files are small and immutable, and the core asks whether one exists
//! right before reading it: `head` on them is a `GET` whose body is kept for the `get` that
//! follows, saving a round trip each.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Range;

use bytes::Bytes;
use js_sys::{Promise, Uint8Array};
use strata_core::storage::{check_path, slice_range, ObjectMeta, Storage};
use strata_core::{Error, Result};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCache, RequestInit, Response};

use crate::error::js_message;
use crate::listing;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(request: &Request) -> Promise;
}

/// Counters of what a storage fetched, for benchmarks and tests.
#[derive(Debug, Default, Clone, Copy)]
pub struct FetchStats {
    /// HTTP requests sent.
    pub requests: u64,
    /// Body bytes received.
    pub bytes: u64,
}

/// A table directory served over HTTP(S).
#[derive(Debug)]
pub struct HttpStorage {
    base: String,
    headers: Vec<(String, String)>,
    whole: RefCell<HashMap<String, Bytes>>,
    /// Bodies fetched by `head`, each handed out once by `get`.
    prefetched: RefCell<HashMap<String, Bytes>>,
    stats: Cell<FetchStats>,
    /// The latest requests, for benchmarks and tests (the oldest dropped past `LOG_LIMIT`).
    log: RefCell<std::collections::VecDeque<FetchRecord>>,
    /// Requests ever logged (numbers the records).
    logged: Cell<usize>,
    /// The `fetch` requests go through: the caller's, or the global one.
    fetch: Option<js_sys::Function>,
}

/// Requests kept in the fetch log.
const LOG_LIMIT: usize = 10_000;

/// One request as the reader saw it: when it was issued and when its body was in, on the
/// `performance.now()` clock (milliseconds).
#[derive(Debug, Clone)]
pub struct FetchRecord {
    /// The table file (or directory, for listings).
    pub path: String,
    /// The byte range asked for, if any.
    pub range: Option<(u64, u64)>,
    /// When `fetch` was called.
    pub issued: f64,
    /// When the body was read (or the answer's headers, for bodiless answers).
    pub done: f64,
    /// Body bytes.
    pub bytes: u64,
}

/// `performance.now()`, or `Date.now()` where there is no `performance`.
fn now_ms() -> f64 {
    let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    perf.and_then(|p| {
        let now: js_sys::Function = js_sys::Reflect::get(&p, &"now".into())
            .ok()?
            .dyn_into()
            .ok()?;
        now.call0(&p).ok()?.as_f64()
    })
    .unwrap_or_else(js_sys::Date::now)
}

/// An answer, with the number of its record in the fetch log.
struct Sent {
    response: Response,
    record: usize,
}

impl std::ops::Deref for Sent {
    type Target = Response;
    fn deref(&self) -> &Response {
        &self.response
    }
}

/// Small immutable metadata files whose existence check may fetch them.
fn prefetchable(path: &str) -> bool {
    path.starts_with("snapshot/snapshot-") || path.starts_with("schema/schema-")
}

impl HttpStorage {
    /// A storage rooted at `base` (the table directory's URL), sending `headers` with every
    /// request (authorization, for instance), through `fetch` if given (a function with the
    /// global `fetch`'s signature, called with a `Request`; its answer needs only `status`,
    /// `statusText`, `headers` and `arrayBuffer()`), else through the global `fetch`.
    pub fn new(
        base: &str,
        headers: Vec<(String, String)>,
        fetch: Option<js_sys::Function>,
    ) -> Self {
        let base = if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        };
        HttpStorage {
            base,
            headers,
            whole: RefCell::new(HashMap::new()),
            prefetched: RefCell::new(HashMap::new()),
            stats: Cell::new(FetchStats::default()),
            log: RefCell::new(Default::default()),
            logged: Cell::new(0),
            fetch,
        }
    }

    /// What this storage has fetched so far.
    pub fn stats(&self) -> FetchStats {
        self.stats.get()
    }

    /// The latest requests, oldest first.
    pub fn fetch_log(&self) -> Vec<FetchRecord> {
        self.log.borrow().iter().cloned().collect()
    }

    /// Updates record `n` of the fetch log, if it is still kept.
    fn record(&self, n: usize, f: impl FnOnce(&mut FetchRecord)) {
        let first = self.logged.get() - self.log.borrow().len();
        if let Some(i) = n.checked_sub(first) {
            if let Some(r) = self.log.borrow_mut().get_mut(i) {
                f(r);
            }
        }
    }

    fn url(&self, path: &str) -> Result<String> {
        check_path(path)?;
        // Paths are plain relative names from table metadata; percent-encode what a URL
        // path cannot carry literally.
        let mut out = self.base.clone();
        for b in path.bytes() {
            if b.is_ascii_alphanumeric() || b"/-_.~=:@+,".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        Ok(out)
    }

    async fn send(&self, path: &str, method: &str, range: Option<&Range<u64>>) -> Result<Sent> {
        let url = self.url(path)?;
        self.send_to(&url, path, method, range).await
    }

    /// Sends a request to `url` on behalf of table file `path` (named in errors).
    async fn send_to(
        &self,
        url: &str,
        path: &str,
        method: &str,
        range: Option<&Range<u64>>,
    ) -> Result<Sent> {
        let fail = |what: String| Error::Storage {
            path: path.to_string(),
            message: what,
        };
        let headers = Headers::new().map_err(|e| fail(js_message(&e)))?;
        for (k, v) in &self.headers {
            headers.set(k, v).map_err(|e| fail(js_message(&e)))?;
        }
        if let Some(r) = range {
            headers
                .set("Range", &format!("bytes={}-{}", r.start, r.end - 1))
                .map_err(|e| fail(js_message(&e)))?;
        }
        let init = RequestInit::new();
        init.set_method(method);
        init.set_headers(&headers);
        if path.starts_with("snapshot/") {
            init.set_cache(RequestCache::NoStore);
        }
        let request =
            Request::new_with_str_and_init(url, &init).map_err(|e| fail(js_message(&e)))?;
        let mut s = self.stats.get();
        s.requests += 1;
        self.stats.set(s);
        let record = self.logged.get();
        self.logged.set(record + 1);
        {
            let mut log = self.log.borrow_mut();
            if log.len() >= LOG_LIMIT {
                log.pop_front();
            }
            let issued = now_ms();
            log.push_back(FetchRecord {
                path: path.to_string(),
                range: range.map(|r| (r.start, r.end)),
                issued,
                done: issued,
                bytes: 0,
            });
        }
        let promise = match &self.fetch {
            Some(f) => Promise::resolve(
                &f.call1(&JsValue::UNDEFINED, &request)
                    .map_err(|e| fail(format!("{method} {url}: {}", js_message(&e))))?,
            ),
            None => global_fetch(&request),
        };
        let response = JsFuture::from(promise)
            .await
            .map_err(|e| fail(format!("{method} {url}: {}", js_message(&e))))?;
        self.record(record, |r| r.done = now_ms());
        let response: Response = response.unchecked_into();
        match response.status() {
            404 | 410 => Err(Error::NotFound { path: path.into() }),
            416 => Err(Error::corrupt(
                path,
                format!("range {range:?} is outside the object"),
            )),
            s if (200..300).contains(&s) => Ok(Sent { response, record }),
            s => Err(fail(format!(
                "{method} {url}: HTTP {s} {}",
                response.status_text()
            ))),
        }
    }

    async fn body(&self, path: &str, response: &Sent) -> Result<Bytes> {
        let buf = response.array_buffer().map_err(|e| Error::Storage {
            path: path.into(),
            message: js_message(&e),
        })?;
        let buf = JsFuture::from(buf).await.map_err(|e| Error::Storage {
            path: path.into(),
            message: format!("reading the body: {}", js_message(&e)),
        })?;
        let bytes = Bytes::from(Uint8Array::new(&buf).to_vec());
        let n = bytes.len() as u64;
        self.record(response.record, |r| {
            r.done = now_ms();
            r.bytes = n;
        });
        let mut s = self.stats.get();
        s.bytes += bytes.len() as u64;
        self.stats.set(s);
        Ok(bytes)
    }
}

fn unsupported(what: &str) -> Error {
    Error::unsupported(
        "http storage",
        format!("{what} (HTTP tables are read-only)"),
    )
}

impl HttpStorage {
    /// Fetches `path` ahead of its first read (which then takes it from memory, once).
    /// Failures are left for that read to meet. For the `LATEST` hint this is safe even if
    /// the first read comes much later: a stale hint only makes the reader probe further.
    pub async fn prefetch(&self, path: &str) {
        let Ok(response) = self.send(path, "GET", None).await else {
            return;
        };
        if let Ok(body) = self.body(path, &response).await {
            self.prefetched.borrow_mut().insert(path.to_string(), body);
        }
    }
}

#[async_trait::async_trait(?Send)]
impl Storage for HttpStorage {
    async fn get(&self, path: &str) -> Result<Bytes> {
        if let Some(b) = self.whole.borrow().get(path) {
            return Ok(b.clone());
        }
        if let Some(b) = self.prefetched.borrow_mut().remove(path) {
            return Ok(b);
        }
        let response = self.send(path, "GET", None).await?;
        self.body(path, &response).await
    }

    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes> {
        if let Some(b) = self.whole.borrow().get(path) {
            return slice_range(path, b, range);
        }
        if range.start >= range.end {
            check_path(path)?;
            return Ok(Bytes::new());
        }
        let response = self.send(path, "GET", Some(&range)).await?;
        let partial = response.status() == 206;
        let body = self.body(path, &response).await?;
        if partial {
            if body.len() as u64 != range.end - range.start {
                return Err(Error::corrupt(
                    path,
                    format!("range {range:?} returned {} bytes", body.len()),
                ));
            }
            return Ok(body);
        }
        // The server ignored the range: keep the whole object for the ranges still to come.
        self.whole
            .borrow_mut()
            .insert(path.to_string(), body.clone());
        slice_range(path, &body, range)
    }

    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>> {
        if let Some(b) = self.whole.borrow().get(path) {
            return Ok(Some(meta(path, b.len() as u64)));
        }
        if prefetchable(path) {
            return match self.send(path, "GET", None).await {
                Ok(r) => {
                    let body = self.body(path, &r).await?;
                    let size = body.len() as u64;
                    let mut kept = self.prefetched.borrow_mut();
                    // Probes that are never followed by a read (the earliest snapshot's,
                    // a search's) must not pile up in a long-running stream.
                    if kept.len() >= 64 {
                        kept.clear();
                    }
                    kept.insert(path.to_string(), body);
                    Ok(Some(meta(path, size)))
                }
                Err(Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            };
        }
        match self.send(path, "HEAD", None).await {
            Ok(r) => {
                let size = r
                    .headers()
                    .get("content-length")
                    .ok()
                    .flatten()
                    .and_then(|v| v.parse().ok());
                match size {
                    Some(n) => Ok(Some(meta(path, n))),
                    // No length in the answer (compressed transfer): fetch the object itself.
                    None => Ok(Some(meta(path, self.get(path).await?.len() as u64))),
                }
            }
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn put_if_absent(&self, _path: &str, _data: Bytes) -> Result<()> {
        Err(unsupported("put_if_absent"))
    }

    async fn put(&self, _path: &str, _data: Bytes) -> Result<()> {
        Err(unsupported("put"))
    }

    /// Reads never list: a read that meets a storage without listing probes instead, so
    /// listing here would only add round trips to every open. `tags()` lists through
    /// [`Listing`].
    async fn list(&self, _prefix: &str) -> Result<Vec<ObjectMeta>> {
        Err(Error::unsupported("http storage", "listing a directory"))
    }

    async fn delete(&self, _path: &str) -> Result<()> {
        Err(unsupported("delete"))
    }
    fn coalesce_gap(&self) -> u64 {
        strata_core::storage::REMOTE_COALESCE_GAP
    }
}

impl HttpStorage {
    /// Lists directory `prefix` as the server allows: S3 `ListObjectsV2`, then an HTML index.
    pub async fn list_dir(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        let dir = prefix.trim_end_matches('/');
        check_path(dir)?;
        for l in listing::s3_listings(&self.base, dir) {
            if let Some(found) = self.list_s3(&l, dir).await? {
                return Ok(found);
            }
        }
        let index = format!("{}/", self.url(dir)?);
        if let Ok(r) = self.send_to(&index, dir, "GET", None).await {
            let html = String::from_utf8_lossy(&self.body(dir, &r).await?).into_owned();
            if let Some(names) = listing::parse_html_index(&html) {
                return Ok(names
                    .into_iter()
                    .map(|n| meta(&format!("{dir}/{n}"), 0))
                    .collect());
            }
        }
        Err(Error::unsupported(
            "http storage",
            format!(
                "listing {dir}/: the server answers neither S3 ListObjectsV2 nor an HTML \
                 index of the directory (pass a reader with list() instead)"
            ),
        ))
    }

    /// Lists through S3 `ListObjectsV2`, page by page: `None` if the server does not answer
    /// like S3 (or refuses the listing).
    async fn list_s3(&self, l: &listing::S3Listing, dir: &str) -> Result<Option<Vec<ObjectMeta>>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let url = match &token {
                Some(t) => format!("{}&continuation-token={}", l.url, listing::encode_query(t)),
                None => l.url.clone(),
            };
            let Ok(r) = self.send_to(&url, dir, "GET", None).await else {
                return Ok(None);
            };
            let xml = String::from_utf8_lossy(&self.body(dir, &r).await?).into_owned();
            let Some((objects, next)) = listing::parse_s3_listing(&xml) else {
                return Ok(None);
            };
            for (key, size) in objects {
                if let Some(rel) = key.strip_prefix(&l.table_key) {
                    if check_path(rel).is_ok() {
                        out.push(meta(rel, size));
                    }
                }
            }
            match next {
                Some(t) if token.as_ref() != Some(&t) => token = Some(t),
                _ => return Ok(Some(out)),
            }
        }
    }
}

/// The HTTP storage with listing switched on (for `tags()`, the one caller that must list).
#[derive(Debug)]
pub struct Listing<'a>(pub &'a HttpStorage);

#[async_trait::async_trait(?Send)]
impl Storage for Listing<'_> {
    async fn get(&self, path: &str) -> Result<Bytes> {
        self.0.get(path).await
    }
    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes> {
        self.0.get_range(path, range).await
    }
    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>> {
        self.0.head(path).await
    }
    async fn put_if_absent(&self, path: &str, data: Bytes) -> Result<()> {
        self.0.put_if_absent(path, data).await
    }
    async fn put(&self, path: &str, data: Bytes) -> Result<()> {
        self.0.put(path, data).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        self.0.list_dir(prefix).await
    }
    async fn delete(&self, path: &str) -> Result<()> {
        self.0.delete(path).await
    }
}

fn meta(path: &str, size: u64) -> ObjectMeta {
    ObjectMeta {
        path: path.to_string(),
        size,
        last_modified: None,
    }
}
