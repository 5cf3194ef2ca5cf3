//! The one door to IO: a small async storage trait, rooted at a table directory.
//!
//! Paths are `/`-separated and relative to the table root (`snapshot/LATEST`,
//! `manifest/manifest-…`, `dt=2024-01-01/bucket-0/data-….parquet`). Implementations must reject
//! paths that escape the root; [`check_path`] does that.
//!
//! On `wasm32` the futures are not `Send` (JavaScript promises are not), elsewhere they are.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Mutex;

use bytes::Bytes;

use crate::{Error, Result};

mod contract;
pub use contract::check_contract;

/// What `head` and `list` report about an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Path relative to the storage root.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification (epoch ms), where the storage knows it.
    pub last_modified: Option<i64>,
}

/// The [`Storage::coalesce_gap`] of storages that reach files over a network: 1 MiB, about
/// what a link moves in one request's round trip (object_store's own default too).
pub const REMOTE_COALESCE_GAP: u64 = 1 << 20;

/// Async object storage rooted at a table directory.
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
pub trait Storage: std::fmt::Debug + MaybeSendSync {
    /// Reads a whole object; [`Error::NotFound`] if absent.
    async fn get(&self, path: &str) -> Result<Bytes>;
    /// Reads bytes `range` of an object; [`Error::NotFound`] if absent, [`Error::Corrupt`] if
    /// the range runs past the end.
    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes>;
    /// Size of an object, or `None` if it does not exist.
    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>>;
    /// Creates an object atomically only if absent; [`Error::AlreadyExists`] if it exists.
    /// Snapshot publication relies on this being atomic.
    async fn put_if_absent(&self, path: &str, data: Bytes) -> Result<()>;
    /// Creates or replaces an object.
    async fn put(&self, path: &str, data: Bytes) -> Result<()>;
    /// Lists objects under a directory prefix (`snapshot/`), recursively, never following
    /// symbolic links out of the table. It may include a backend's staging files (see
    /// [`is_staging`]). Readers never need this; storages that cannot list (plain HTTP)
    /// return [`Error::Unsupported`].
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>>;
    /// Deletes an object; deleting an absent object is not an error.
    async fn delete(&self, path: &str) -> Result<()>;
    /// The widest gap between two byte ranges of one file that a reader should fetch in one
    /// request, reading the gap and dropping it: where each request costs a round trip (object
    /// stores, HTTP), about what the link moves in that time. 0, the default, joins only
    /// touching ranges (a local disk, where a request costs no more than its bytes).
    fn coalesce_gap(&self) -> u64 {
        0
    }
    /// The storage rooted at `root`, a location outside the table where the table keeps data
    /// files (one of its `data-file.external-paths`, see [`crate::external_path`]), when the
    /// user let the driver reach it. By default no storage reaches any.
    fn external(&self, root: &str) -> Result<std::sync::Arc<dyn Storage>> {
        Err(Error::unsupported(
            root,
            "data files outside the table (data-file.external-paths) on this storage",
        ))
    }
}

/// `Send + Sync` on native targets, nothing on `wasm32`.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSendSync: Send + Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + Sync> MaybeSendSync for T {}
/// `Send + Sync` on native targets, nothing on `wasm32`.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSendSync {}
#[cfg(target_arch = "wasm32")]
impl<T> MaybeSendSync for T {}

/// Rejects paths that are empty, absolute, contain `..`/`.` segments, backslashes or control
/// characters: table metadata is untrusted, and a file name must never reach outside the table.
pub fn check_path(path: &str) -> Result<()> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.chars().any(char::is_control)
        || path
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == "..");
    if bad {
        return Err(Error::corrupt(
            path,
            "path is not a plain relative path inside the table",
        ));
    }
    Ok(())
}

/// Whether the last segment of `path` is a backend's in-progress upload (`name#N`, N digits:
/// `object_store`'s local staging files, left behind when a writer is killed mid-upload).
/// Listings may report them; they are never table files, and orphan cleaning removes them.
pub fn is_staging(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name.rsplit_once('#'), Some((stem, digits))
        if !stem.is_empty() && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Reads a byte range out of a whole object, as `get_range` promises.
pub fn slice_range(path: &str, data: &Bytes, range: Range<u64>) -> Result<Bytes> {
    if range.start > range.end || range.end > data.len() as u64 {
        return Err(Error::corrupt(
            path,
            format!(
                "range {range:?} is outside the object's {} bytes",
                data.len()
            ),
        ));
    }
    Ok(data.slice(range.start as usize..range.end as usize))
}

/// An in-memory storage, for tests and examples.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    objects: Mutex<BTreeMap<String, Bytes>>,
}

impl MemoryStorage {
    /// An empty storage.
    pub fn new() -> Self {
        Self::default()
    }

    fn objects(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Bytes>> {
        // A panic while holding the lock cannot leave the map half-updated: every update is a
        // single insert or remove.
        self.objects.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
impl Storage for MemoryStorage {
    async fn get(&self, path: &str) -> Result<Bytes> {
        check_path(path)?;
        self.objects()
            .get(path)
            .cloned()
            .ok_or_else(|| Error::NotFound { path: path.into() })
    }

    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes> {
        let data = self.get(path).await?;
        slice_range(path, &data, range)
    }

    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>> {
        check_path(path)?;
        Ok(self.objects().get(path).map(|b| ObjectMeta {
            path: path.into(),
            size: b.len() as u64,
            last_modified: None,
        }))
    }

    async fn put_if_absent(&self, path: &str, data: Bytes) -> Result<()> {
        check_path(path)?;
        let mut objects = self.objects();
        if objects.contains_key(path) {
            return Err(Error::AlreadyExists { path: path.into() });
        }
        objects.insert(path.into(), data);
        Ok(())
    }

    async fn put(&self, path: &str, data: Bytes) -> Result<()> {
        check_path(path)?;
        self.objects().insert(path.into(), data);
        Ok(())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        let prefix = prefix.trim_end_matches('/');
        let dir = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        Ok(self
            .objects()
            .range(dir.clone()..)
            .take_while(|(k, _)| k.starts_with(&dir))
            .map(|(k, v)| ObjectMeta {
                path: k.clone(),
                size: v.len() as u64,
                last_modified: None,
            })
            .collect())
    }

    async fn delete(&self, path: &str) -> Result<()> {
        check_path(path)?;
        self.objects().remove(path);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn memory_storage_keeps_the_storage_contract() {
        block_on(check_contract(&MemoryStorage::new()));
    }

    #[test]
    fn paths_cannot_escape_the_table() {
        for bad in [
            "",
            "/etc/passwd",
            "a/../../b",
            "../x",
            "a//b",
            "a\\b",
            "a/./b",
            "a\nb",
        ] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_path("dt=2024-01-01/bucket-0/data-1.parquet").is_ok());
    }

    #[test]
    fn staging_files_are_recognised() {
        assert!(is_staging("bucket-0/data-1.parquet#1"));
        assert!(is_staging("snapshot-3#12"));
        for not in ["bucket-0/data-1.parquet", "a#", "#1", "a#1x", "dir#1/file"] {
            assert!(!is_staging(not), "{not}");
        }
    }
}
