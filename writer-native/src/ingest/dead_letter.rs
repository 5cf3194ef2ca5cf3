//! Where `--on-error skip` puts the messages it skips: a local JSON-lines file (appended), or
//! a directory on an object store (one `dead-letter-<writer>-<commit>.jsonl` object per
//! commit, since objects cannot be appended to). Either way the lines are durable before the
//! commit whose offsets move past their messages: a skipped message is never lost. A writer
//! killed between the two writes the lines again after its restart (at least once; each line
//! names its source, partition and offset).

use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use strata_core::storage::Storage;
use strata_core::{Error, Result};

use crate::storage::StorageOptions;
use crate::ObjectStoreStorage;

/// The skipped messages' destination, and the lines not yet made durable.
pub(super) struct DeadLetters {
    location: String,
    target: Target,
    pending: Vec<String>,
}

enum Target {
    File(std::fs::File),
    Store(Arc<dyn Storage>),
}

impl DeadLetters {
    /// Opens `location`: a path or `file://` URL is a file, created if missing and appended
    /// to; another URL is an object-store directory, reached with `options`.
    pub(super) fn open(location: &str, options: &StorageOptions) -> Result<Self> {
        let target = match location.strip_prefix("file://") {
            None if location.contains("://") => Target::Store(Arc::new(
                ObjectStoreStorage::create_with(location, options)?,
            )),
            path => {
                let path = path.unwrap_or(location);
                Target::File(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .map_err(|e| Error::Storage {
                            path: path.to_string(),
                            message: format!("opening the dead-letter file: {e}"),
                        })?,
                )
            }
        };
        Ok(DeadLetters {
            location: location.trim_end_matches('/').to_string(),
            target,
            pending: Vec::new(),
        })
    }

    /// Adds one line (a JSON object, no newline).
    pub(super) fn add(&mut self, line: String) {
        self.pending.push(line);
    }

    /// Makes the pending lines durable; `writer` and `commit` name the object on a store.
    /// Called before each commit.
    pub(super) async fn persist(&mut self, writer: &str, commit: i64) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut text = self.pending.join("\n");
        text.push('\n');
        let err = |path: String, e: String| Error::Storage { path, message: e };
        match &mut self.target {
            Target::File(f) => {
                f.write_all(text.as_bytes())
                    .and_then(|()| f.sync_data())
                    .map_err(|e| err(self.location.clone(), e.to_string()))?;
            }
            Target::Store(s) => {
                let name = format!("dead-letter-{writer}-{commit}.jsonl");
                s.put(&name, Bytes::from(text)).await.map_err(|e| match e {
                    Error::Storage { path, message } => err(path, message),
                    other => err(format!("{}/{name}", self.location), other.to_string()),
                })?;
            }
        }
        self.pending.clear();
        Ok(())
    }
}
