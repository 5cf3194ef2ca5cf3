//! [`ObjectStoreStorage`]: the core storage trait over `object_store`.
//!
//! A table location is a local path, a `file://` URL, or an object-store URL ([`location`]:
//! `s3://`, `s3a://`, `gs://`, `az://`, `abfs(s)://`, and `http(s)://` for reading only).
//! Snapshot publication uses `PutMode::Create`, which `object_store` implements atomically on
//! the local filesystem (hard link of a finished temp file), on S3 (`If-None-Match: *`), GCS
//! (`ifGenerationMatch=0`) and Azure (`If-None-Match: *`). A store that cannot create
//! conditionally refuses the put, and with it every commit ([`Error::Unsupported`]), unless
//! the location is opened with `single-writer=true` (a check, then a plain put). On object
//! stores a put that fails in a way that leaves its outcome open (timeout, connection reset,
//! server error after the retries) is [`Error::OutcomeUnknown`], which the committer settles.
//! Large files go to remote stores by multipart upload.

pub mod location;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use strata_core::storage::{check_path, ObjectMeta, Storage};
use strata_core::{Error, Result};

pub use location::{StorageOption, StorageOptions, StoreKind};

/// Storage rooted at a table directory inside an object store.
#[derive(Clone)]
pub struct ObjectStoreStorage {
    store: Arc<dyn ObjectStore>,
    root: Path,
    location: String,
    /// The table directory, for a local table: listing and deletion walk it without following
    /// links ([`crate::local_fs`]).
    local: Option<Arc<std::path::PathBuf>>,
    /// The kind of object store, for a remote table.
    remote: Option<StoreKind>,
    /// Create snapshots by a check then a plain put (the `single-writer=true` opt-out).
    single_writer: bool,
    /// The settings it was opened with: the storages of external roots open with them too.
    options: StorageOptions,
    /// Storages of the external roots opened so far, by root.
    externals: Arc<std::sync::Mutex<HashMap<String, Arc<dyn Storage>>>>,
}

/// Files at least this large go to a remote store by multipart upload.
const MULTIPART_MIN: usize = 16 << 20;
/// The part size of a multipart upload (S3 needs at least 5 MiB but for the last part).
const PART_SIZE: usize = 8 << 20;
/// Parts of one upload in flight at once.
const PARTS_IN_FLIGHT: usize = 4;

/// Shows the location and the kind of store only: a store's own `Debug` may carry
/// credentials.
impl std::fmt::Debug for ObjectStoreStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStoreStorage")
            .field("location", &self.location)
            .field("remote", &self.remote)
            .finish_non_exhaustive()
    }
}

impl ObjectStoreStorage {
    /// Storage over `store`, rooted at `root` inside it. `location` is only used in messages.
    /// The store is taken as remote: failed writes whose outcome is open are reported as
    /// [`Error::OutcomeUnknown`].
    pub fn new(store: Arc<dyn ObjectStore>, root: Path, location: impl Into<String>) -> Self {
        ObjectStoreStorage {
            store,
            root,
            location: location.into(),
            local: None,
            remote: Some(StoreKind::S3),
            single_writer: false,
            options: StorageOptions::default(),
            externals: Default::default(),
        }
    }

    /// Opens an existing table location (a local directory, `file://` or an object-store
    /// URL), with object-store settings from the environment only.
    pub fn open(location: &str) -> Result<Self> {
        Self::connect(location, false, &StorageOptions::default())
    }

    /// Opens a table location, creating the directory if missing (for `create`).
    pub fn create(location: &str) -> Result<Self> {
        Self::connect(location, true, &StorageOptions::default())
    }

    /// [`ObjectStoreStorage::open`] with object-store settings (they win over the
    /// environment).
    pub fn open_with(location: &str, options: &StorageOptions) -> Result<Self> {
        Self::connect(location, false, options)
    }

    /// [`ObjectStoreStorage::create`] with object-store settings.
    pub fn create_with(location: &str, options: &StorageOptions) -> Result<Self> {
        Self::connect(location, true, options)
    }

    /// The kind of object store, or `None` for a local table.
    pub fn store_kind(&self) -> Option<StoreKind> {
        self.remote
    }

    fn connect(location: &str, create: bool, options: &StorageOptions) -> Result<Self> {
        let dir = match location.strip_prefix("file://") {
            Some(rest) => rest.to_string(),
            None if location.contains("://") => {
                let url = url::Url::parse(location).map_err(|e| {
                    Error::InvalidValue(format!("{location}: not a valid URL: {e}"))
                })?;
                if url.scheme() != "http" && url.scheme() != "https" && url.host_str().is_none() {
                    return Err(Error::InvalidValue(format!(
                        "{location}: no bucket or container in the URL (expected \
                         {}://BUCKET/path/to/table)",
                        url.scheme()
                    )));
                }
                let remote = location::open_remote(location, &url, options)?;
                return Ok(ObjectStoreStorage {
                    store: remote.store,
                    root: remote.root,
                    location: location.trim_end_matches('/').to_string(),
                    local: None,
                    remote: Some(remote.kind),
                    single_writer: remote.single_writer,
                    options: options.clone(),
                    externals: Default::default(),
                });
            }
            None => location.to_string(),
        };
        let storage_err = |e: std::io::Error| Error::Storage {
            path: location.to_string(),
            message: e.to_string(),
        };
        if create {
            std::fs::create_dir_all(&dir).map_err(storage_err)?;
        } else if !std::path::Path::new(&dir).is_dir() {
            return Err(Error::NotFound {
                path: format!("{location} (no such table directory)"),
            });
        }
        let abs = std::fs::canonicalize(&dir).map_err(storage_err)?;
        let fs = LocalFileSystem::new_with_prefix(&abs).map_err(|e| Error::Storage {
            path: location.to_string(),
            message: e.to_string(),
        })?;
        let mut storage =
            ObjectStoreStorage::new(Arc::new(fs), Path::default(), abs.display().to_string());
        storage.local = Some(Arc::new(abs));
        storage.remote = None;
        storage.options = options.clone();
        Ok(storage)
    }

    /// Refuses writes to a read-only (HTTP) location.
    fn writable(&self, rel: &str) -> Result<()> {
        if self.remote == Some(StoreKind::Http) {
            return Err(Error::unsupported(
                format!("{}/{rel}", self.location),
                "HTTP(S) table locations are read-only (scan, diff, snapshots, files, schema, \
                 describe); write through the table's object-store URL (s3://, gs://, az://) \
                 or a local path",
            ));
        }
        Ok(())
    }

    fn path(&self, rel: &str) -> Result<Path> {
        check_path(rel)?;
        // Paimon's partition directories are already escaped (`%2F`); take path segments as
        // they are rather than percent-encoding them a second time.
        let full = if self.root.as_ref().is_empty() {
            rel.to_string()
        } else {
            format!("{}/{rel}", self.root.as_ref())
        };
        Path::parse(&full).map_err(|e| Error::Storage {
            path: rel.to_string(),
            message: e.to_string(),
        })
    }

    fn io_err(&self, rel: &str, message: String) -> Error {
        Error::Storage {
            path: format!("{}/{rel}", self.location),
            message,
        }
    }

    fn err(&self, rel: &str, e: object_store::Error) -> Error {
        let full = format!("{}/{rel}", self.location);
        let text = e.to_string();
        if text.contains("NoSuchBucket") {
            return Error::NotFound {
                path: format!(
                    "{full}: the bucket does not exist (create it, or check the name and the \
                     endpoint)"
                ),
            };
        }
        let hint = self.remote.map(StoreKind::credentials_hint).unwrap_or("");
        // Some backends report a refusal as a generic error carrying the HTTP status.
        let refused = text.contains("403 Forbidden") || text.contains("401 Unauthorized");
        if refused && self.remote.is_some() {
            return Error::Storage {
                path: full,
                message: format!(
                    "the store refused the request: check the credentials ({hint}) and the \
                     bucket's or container's permissions; {text}"
                ),
            };
        }
        match e {
            object_store::Error::NotFound { .. } => Error::NotFound { path: rel.into() },
            object_store::Error::AlreadyExists { .. } => Error::AlreadyExists { path: rel.into() },
            object_store::Error::PermissionDenied { .. } => Error::Storage {
                path: full,
                message: format!(
                    "permission denied: check the credentials ({hint}) and the bucket's \
                     policy; {text}"
                ),
            },
            object_store::Error::Unauthenticated { .. } => Error::Storage {
                path: full,
                message: format!("the store refused the credentials: set {hint}; {text}"),
            },
            _ => Error::Storage {
                path: full,
                message: text,
            },
        }
    }

    /// A failed write's error: on a remote store a failure other than a definite refusal may
    /// have taken effect, and says so.
    fn put_err(&self, rel: &str, e: object_store::Error) -> Error {
        use object_store::Error as E;
        match e {
            E::NotImplemented => Error::unsupported(
                format!("{}/{rel}", self.location),
                "this store cannot create a file only if it is absent (a conditional put), \
                 which commits need to stay atomic with concurrent writers; use a store with \
                 conditional writes (S3 and most S3-compatible stores, GCS, Azure), check \
                 `aws_conditional_put` is not disabled, or, if only one process ever writes \
                 this table at a time, pass --storage-option single-writer=true",
            ),
            E::Generic { .. } if self.remote.is_some() && !refused_outright(&e.to_string()) => {
                Error::OutcomeUnknown {
                    path: format!("{}/{rel}", self.location),
                    message: e.to_string(),
                }
            }
            other => self.err(rel, other),
        }
    }
}

/// Whether a store's error text reports an answer that refuses the request itself (a client
/// error, 4xx, other than 408 Request Timeout and 429 Too Many Requests): the server took no
/// action, so the write certainly did not happen. object_store keeps the status only in the
/// text of its generic error (its retry error type is private).
fn refused_outright(text: &str) -> bool {
    const MARK: &str = "status code: ";
    text.match_indices(MARK).any(|(i, _)| {
        let code = text.get(i + MARK.len()..i + MARK.len() + 3);
        matches!(code.and_then(|c| c.parse::<u16>().ok()), Some(c) if (400..500).contains(&c) && c != 408 && c != 429)
    })
}

impl ObjectStoreStorage {
    /// A large file as a multipart upload, its parts sent a few at a time. The object appears
    /// only when the upload completes; an upload whose part fails is aborted, so the store
    /// keeps no parts (a failure of the last part or of the completion itself leaves them to
    /// the bucket's lifecycle rules).
    async fn put_multipart(&self, rel: &str, p: &Path, data: Bytes) -> Result<()> {
        let upload = self
            .store
            .put_multipart(p)
            .await
            .map_err(|e| self.put_err(rel, e))?;
        let mut w = object_store::WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        let sent = async {
            let mut at = 0;
            while at < data.len() {
                w.wait_for_capacity(PARTS_IN_FLIGHT).await?;
                let end = (at + PART_SIZE).min(data.len());
                w.put(data.slice(at..end));
                at = end;
            }
            w.wait_for_capacity(0).await?;
            Ok::<_, object_store::Error>(())
        }
        .await;
        match sent {
            Ok(()) => w.finish().await.map(|_| ()),
            Err(e) => {
                let _ = w.abort().await;
                Err(e)
            }
        }
        .map_err(|e| self.put_err(rel, e))
    }
}

/// Runs blocking filesystem work on tokio's blocking pool when a runtime is there, and in
/// place otherwise (callers that drive the storage with another executor).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> std::io::Result<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle
            .spawn_blocking(f)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?,
        Err(_) => f(),
    }
}

#[async_trait::async_trait]
impl Storage for ObjectStoreStorage {
    async fn get(&self, path: &str) -> Result<Bytes> {
        let p = self.path(path)?;
        let r = self.store.get(&p).await.map_err(|e| self.err(path, e))?;
        r.bytes().await.map_err(|e| self.err(path, e))
    }

    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes> {
        let p = self.path(path)?;
        if range.start >= range.end {
            // Backends refuse empty ranges; the contract answers them (the object must exist
            // and be long enough).
            let meta = self
                .head(path)
                .await?
                .ok_or_else(|| Error::NotFound { path: path.into() })?;
            if range.start > range.end || range.end > meta.size {
                return Err(Error::corrupt(
                    path,
                    format!("range {range:?} is outside the file's {} bytes", meta.size),
                ));
            }
            return Ok(Bytes::new());
        }
        match self.store.get_range(&p, range.clone()).await {
            // Some backends answer a range past the end with the bytes that exist.
            Ok(b) if b.len() as u64 != range.end - range.start => Err(Error::corrupt(
                path,
                format!(
                    "asked for bytes {}..{} and got {} bytes: the file is shorter than its \
                     metadata says (truncated?)",
                    range.start,
                    range.end,
                    b.len()
                ),
            )),
            Ok(b) => Ok(b),
            Err(object_store::Error::NotFound { .. }) => Err(Error::NotFound { path: path.into() }),
            Err(e) => {
                // The usual cause is metadata naming a size the file does not have (a
                // truncated or empty file): say so, as the trait promises, instead of the
                // backend's "requested range was invalid".
                match self.store.head(&p).await {
                    Ok(meta) if range.end > meta.size => Err(Error::corrupt(
                        path,
                        format!(
                            "the file is {} bytes, too short for the read of bytes {}..{} \
                             its metadata asks for (truncated?)",
                            meta.size, range.start, range.end
                        ),
                    )),
                    _ => Err(self.err(path, e)),
                }
            }
        }
    }

    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>> {
        let p = self.path(path)?;
        match self.store.head(&p).await {
            Ok(m) => Ok(Some(ObjectMeta {
                path: path.into(),
                size: m.size,
                last_modified: Some(m.last_modified.timestamp_millis()),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.err(path, e)),
        }
    }

    async fn put_if_absent(&self, path: &str, data: Bytes) -> Result<()> {
        self.writable(path)?;
        let p = self.path(path)?;
        if self.single_writer && self.remote.is_some() {
            // The documented opt-out: not atomic against a second writer.
            return match self.store.head(&p).await {
                Ok(_) => Err(Error::AlreadyExists { path: path.into() }),
                Err(object_store::Error::NotFound { .. }) => self.put(path, data).await,
                Err(e) => Err(self.err(path, e)),
            };
        }
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        self.store
            .put_opts(&p, PutPayload::from_bytes(data), opts)
            .await
            .map(|_| ())
            .map_err(|e| self.put_err(path, e))
    }

    async fn put(&self, path: &str, data: Bytes) -> Result<()> {
        self.writable(path)?;
        let p = self.path(path)?;
        if self.remote.is_some() && data.len() >= MULTIPART_MIN {
            return self.put_multipart(path, &p, data).await;
        }
        self.store
            .put(&p, PutPayload::from_bytes(data))
            .await
            .map(|_| ())
            .map_err(|e| self.put_err(path, e))
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        let prefix = prefix.trim_end_matches('/');
        if let Some(root) = &self.local {
            if !prefix.is_empty() {
                check_path(prefix)?;
            }
            let (root, rel) = (root.clone(), prefix.to_string());
            return blocking(move || crate::local_fs::list(&root, &rel))
                .await
                .map_err(|e| self.io_err(prefix, e.to_string()));
        }
        if self.remote == Some(StoreKind::Http) {
            // Plain HTTP servers do not list (object_store would try WebDAV's PROPFIND);
            // readers probe instead, as the trait allows.
            return Err(Error::unsupported(
                format!("{}/{prefix}", self.location),
                "HTTP(S) locations cannot be listed",
            ));
        }
        let p = if prefix.is_empty() {
            self.root.clone()
        } else {
            self.path(prefix)?
        };
        let root_len = self.root.parts().count();
        let metas: Vec<_> = match self.store.list(Some(&p)).try_collect().await {
            Ok(v) => v,
            Err(object_store::Error::NotFound { .. }) => Vec::new(),
            Err(e) => return Err(self.err(prefix, e)),
        };
        Ok(metas
            .into_iter()
            .map(|m| ObjectMeta {
                path: m
                    .location
                    .parts()
                    .skip(root_len)
                    .map(|p| p.as_ref().to_string())
                    .collect::<Vec<_>>()
                    .join("/"),
                size: m.size,
                last_modified: Some(m.last_modified.timestamp_millis()),
            })
            .collect())
    }

    fn coalesce_gap(&self) -> u64 {
        if self.local.is_some() {
            0
        } else {
            strata_core::storage::REMOTE_COALESCE_GAP
        }
    }

    /// The storage of an external root the table declares, opened with this storage's
    /// settings, when the `external-paths` storage option allows it.
    fn external(&self, root: &str) -> Result<Arc<dyn Storage>> {
        if !self.options.external_path_allowed(&self.location, root)? {
            return Err(Error::unsupported(
                root,
                "data files outside the table (its data-file.external-paths) unless allowed: \
                 pass -S external-paths=declared (every root the table declares) or \
                 -S external-paths=ROOT[,ROOT...]",
            ));
        }
        let mut open = self.externals.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = open.get(root) {
            return Ok(s.clone());
        }
        // Paimon writes local roots `file:/dir`; object_store wants a path or `file://`.
        let location = match root.strip_prefix("file:") {
            Some(rest) if !rest.starts_with("//") => rest.to_string(),
            _ => root.to_string(),
        };
        let storage: Arc<dyn Storage> = Arc::new(Self::connect(&location, true, &self.options)?);
        open.insert(root.to_string(), storage.clone());
        Ok(storage)
    }

    async fn delete(&self, path: &str) -> Result<()> {
        self.writable(path)?;
        let p = self.path(path)?;
        if let Some(root) = &self.local {
            let (root, rel) = (root.clone(), path.to_string());
            return blocking(move || crate::local_fs::delete(&root, &rel))
                .await
                .map_err(|e| self.io_err(path, e.to_string()));
        }
        match self.store.delete(&p).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(self.err(path, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_storage_keeps_the_storage_contract() {
        let dir = tempfile::tempdir().unwrap();
        let s = ObjectStoreStorage::create(dir.path().to_str().unwrap()).unwrap();
        strata_core::storage::check_contract(&s).await;
    }

    #[tokio::test]
    async fn http_locations_refuse_writes_before_any_request() {
        let s = ObjectStoreStorage::open("http://127.0.0.1:9/t").unwrap();
        assert_eq!(s.store_kind(), Some(StoreKind::Http));
        for e in [
            s.put("a", Bytes::new()).await.unwrap_err(),
            s.put_if_absent("a", Bytes::new()).await.unwrap_err(),
            s.delete("a").await.unwrap_err(),
        ] {
            assert!(e.to_string().contains("read-only"), "{e}");
        }
        assert!(matches!(s.list("").await, Err(Error::Unsupported { .. })));
    }

    #[test]
    fn only_client_errors_other_than_timeouts_and_throttling_refuse_a_put_outright() {
        let put = |status: &str| {
            format!(
                "Generic GCS error: Error performing PUT http://h/b/o in 1ms - Server returned \
                 non-2xx status code: {status}: body"
            )
        };
        assert!(refused_outright(&put("400 Bad Request")));
        assert!(refused_outright(&put("404 Not Found")));
        assert!(!refused_outright(&put("408 Request Timeout")));
        assert!(!refused_outright(&put("429 Too Many Requests")));
        assert!(!refused_outright(&put("500 Internal Server Error")));
        assert!(!refused_outright(&put("503 Service Unavailable")));
        assert!(!refused_outright("error sending request: connection reset"));
        assert!(!refused_outright("status code: 4"));
    }

    #[test]
    fn local_listing_works_without_a_tokio_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let s = ObjectStoreStorage::create(dir.path().to_str().unwrap()).unwrap();
        std::fs::write(dir.path().join("a"), b"x").unwrap();
        let listed = futures::executor::block_on(s.list("")).unwrap();
        assert_eq!(listed.len(), 1);
        futures::executor::block_on(s.delete("a")).unwrap();
    }

    #[tokio::test]
    async fn put_if_absent_has_exactly_one_winner() {
        let dir = tempfile::tempdir().unwrap();
        let s = ObjectStoreStorage::create(dir.path().to_str().unwrap()).unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.put_if_absent("snapshot/snapshot-9", Bytes::from(format!("{i}")))
                        .await
                        .is_ok()
                })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.unwrap());
        }
        assert_eq!(wins, 1);
    }
}
