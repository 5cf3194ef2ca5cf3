//! Storage over any JavaScript object with an async `read(path, start?, end?)`: presigned URLs,
//! authenticated fetches, OPFS, caches, or (in the npm package) Node's `fs`.
//!
//! The object's methods, all optional but `read`:
//! - `read(path, start?, end?)` → bytes (`Uint8Array`/`ArrayBuffer`), or `null`/`undefined` when
//!   the object is absent; `end` is exclusive. It may also throw an error whose `code` is
//!   `ENOENT` or `NOT_FOUND` for an absent object.
//! - `head(path)` → `{ size }` or `null`; without it, `exists(path)` → boolean is asked and the
//!   size comes from reading the object.
//! - `list(prefix)` → array of paths (or `{ path, size }`) under `prefix`; only tags need it.

use std::ops::Range;

use bytes::Bytes;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use strata_core::storage::{check_path, ObjectMeta, Storage};
use strata_core::{Error, Result};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::error::{js_code, js_message};

/// A storage whose reads are a JavaScript object's methods.
pub struct JsReaderStorage {
    this: JsValue,
    read: Function,
    head: Option<Function>,
    exists: Option<Function>,
    list: Option<Function>,
}

impl std::fmt::Debug for JsReaderStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsReaderStorage").finish_non_exhaustive()
    }
}

fn method(obj: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(obj, &name.into()).ok()?.dyn_into().ok()
}

impl JsReaderStorage {
    /// Wraps `reader`; an `INVALID_ARGUMENT` error if it has no `read` method.
    pub fn new(reader: JsValue) -> Result<Self> {
        let read = method(&reader, "read").ok_or_else(|| {
            Error::InvalidValue("a reader needs an async read(path, start?, end?) method".into())
        })?;
        Ok(JsReaderStorage {
            head: method(&reader, "head"),
            exists: method(&reader, "exists"),
            list: method(&reader, "list"),
            this: reader,
            read,
        })
    }

    /// Calls `f` with `args` and awaits the result if it is a promise; `Ok(None)` for an
    /// absent object (a `null`/`undefined` result or a not-found error).
    async fn call(&self, path: &str, f: &Function, args: &Array) -> Result<Option<JsValue>> {
        let fail = |e: &JsValue| Error::Storage {
            path: path.to_string(),
            message: js_message(e),
        };
        let v = f.apply(&self.this, args).map_err(|e| fail(&e))?;
        let v = match v.dyn_into::<Promise>() {
            Ok(p) => JsFuture::from(p).await,
            Err(v) => Ok(v),
        };
        match v {
            Ok(v) if v.is_null() || v.is_undefined() => Ok(None),
            Ok(v) => Ok(Some(v)),
            Err(e) if matches!(js_code(&e).as_deref(), Some("ENOENT" | "NOT_FOUND")) => Ok(None),
            Err(e) => Err(fail(&e)),
        }
    }

    async fn read(&self, path: &str, range: Option<&Range<u64>>) -> Result<Option<Bytes>> {
        check_path(path)?;
        let args = Array::of1(&path.into());
        if let Some(r) = range {
            args.push(&JsValue::from_f64(r.start as f64));
            args.push(&JsValue::from_f64(r.end as f64));
        }
        let Some(v) = self.call(path, &self.read, &args).await? else {
            return Ok(None);
        };
        // Node's Buffer is a Uint8Array: copy straight out of it, without a second view.
        let bytes = match v.dyn_into::<Uint8Array>() {
            Ok(a) => a.to_vec(),
            Err(v) if v.is_instance_of::<js_sys::ArrayBuffer>() => Uint8Array::new(&v).to_vec(),
            Err(_) => {
                return Err(Error::Storage {
                    path: path.into(),
                    message: "read() must return a Uint8Array, an ArrayBuffer or null".into(),
                })
            }
        };
        Ok(Some(Bytes::from(bytes)))
    }
}

#[async_trait::async_trait(?Send)]
impl Storage for JsReaderStorage {
    async fn get(&self, path: &str) -> Result<Bytes> {
        self.read(path, None)
            .await?
            .ok_or_else(|| Error::NotFound { path: path.into() })
    }

    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes> {
        if range.start > range.end {
            return Err(Error::corrupt(path, format!("empty range {range:?}")));
        }
        let b = self
            .read(path, Some(&range))
            .await?
            .ok_or_else(|| Error::NotFound { path: path.into() })?;
        if b.len() as u64 != range.end - range.start {
            return Err(Error::corrupt(
                path,
                format!("range {range:?} returned {} bytes", b.len()),
            ));
        }
        Ok(b)
    }

    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>> {
        check_path(path)?;
        let meta = |size: u64| ObjectMeta {
            path: path.to_string(),
            size,
            last_modified: None,
        };
        if let Some(h) = &self.head {
            let Some(v) = self.call(path, h, &Array::of1(&path.into())).await? else {
                return Ok(None);
            };
            let size = Reflect::get(&v, &"size".into())
                .ok()
                .and_then(|s| s.as_f64())
                .ok_or_else(|| Error::Storage {
                    path: path.into(),
                    message: "head() must return { size } or null".into(),
                })?;
            return Ok(Some(meta(size as u64)));
        }
        if let Some(e) = &self.exists {
            let found = self.call(path, e, &Array::of1(&path.into())).await?;
            if !found.is_some_and(|v| v.is_truthy()) {
                return Ok(None);
            }
        }
        Ok(self.read(path, None).await?.map(|b| meta(b.len() as u64)))
    }

    async fn put_if_absent(&self, _path: &str, _data: Bytes) -> Result<()> {
        Err(read_only("put_if_absent"))
    }

    async fn put(&self, _path: &str, _data: Bytes) -> Result<()> {
        Err(read_only("put"))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        let Some(l) = &self.list else {
            return Err(Error::unsupported(
                "reader",
                "listing a directory (the reader has no list method)",
            ));
        };
        let Some(v) = self.call(prefix, l, &Array::of1(&prefix.into())).await? else {
            return Ok(Vec::new());
        };
        let items: Array = v.dyn_into().map_err(|_| Error::Storage {
            path: prefix.into(),
            message: "list() must return an array".into(),
        })?;
        let mut out = Vec::new();
        for item in items.iter() {
            let (path, size) = match item.as_string() {
                Some(p) => (p, 0),
                None => (
                    Reflect::get(&item, &"path".into())
                        .ok()
                        .and_then(|p| p.as_string())
                        .unwrap_or_default(),
                    Reflect::get(&item, &"size".into())
                        .ok()
                        .and_then(|s| s.as_f64())
                        .unwrap_or(0.0) as u64,
                ),
            };
            if check_path(&path).is_ok() {
                out.push(ObjectMeta {
                    path,
                    size,
                    last_modified: None,
                });
            }
        }
        Ok(out)
    }

    async fn delete(&self, _path: &str) -> Result<()> {
        Err(read_only("delete"))
    }
}

fn read_only(what: &str) -> Error {
    Error::unsupported("reader", format!("{what} (the Wasm reader is read-only)"))
}
