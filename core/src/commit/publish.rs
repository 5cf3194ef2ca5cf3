//! Publishing a commit's snapshot: a conditional put, and settling a put whose outcome is
//! unknown by reading the snapshot back.

use bytes::Bytes;

use crate::{Error, Result};

/// How many times [`publish`] reads a snapshot back (and re-sends its put) to settle a put
/// whose outcome is unknown. Each storage call retries on its own (object_store's backoff), so
/// these are not spaced out here: core has no clock.
const SETTLE_TRIES: usize = 5;

/// Who holds a snapshot id after [`publish`].
#[derive(Debug)]
pub(super) enum Published {
    /// This attempt's snapshot is the file.
    Ours,
    /// Another committer's snapshot is, or the store refused the put as a conflict (S3's 409
    /// for a concurrent conditional write): nothing of ours is published.
    Theirs,
    /// The store refused the put for good (permission, no conditional writes): nothing is
    /// published.
    Refused(Error),
}

/// Creates the snapshot file `path` with `ours` if absent, and settles every answer that
/// leaves the outcome open by reading the file back: an [`Error::OutcomeUnknown`] (timeout,
/// lost acknowledgement) and also an [`Error::AlreadyExists`], which may be the answer to a
/// transport-level retry of our own successful request. The file is ours when it holds
/// exactly our bytes (the snapshot carries the attempt's UUID, commit user and identifier);
/// a strict prefix of them is a truncated read and is read again. When the file is absent the
/// same conditional put is sent again: it either lands or finds the file now there. Returns
/// [`Error::OutcomeUnknown`] when the storage keeps failing; the caller then keeps every file
/// the snapshot may reference.
pub(super) async fn publish(
    storage: &dyn crate::storage::Storage,
    path: &str,
    ours: Bytes,
) -> Result<Published> {
    let mut unknown = match storage.put_if_absent(path, ours.clone()).await {
        Ok(()) => return Ok(Published::Ours),
        Err(Error::AlreadyExists { .. }) => None,
        Err(e @ Error::OutcomeUnknown { .. }) => Some(e),
        Err(e) => return Ok(Published::Refused(e)),
    };
    for _ in 0..SETTLE_TRIES {
        match storage.get(path).await {
            Ok(found) if found == ours => return Ok(Published::Ours),
            Ok(found) if found.len() < ours.len() && ours.starts_with(&found) => {
                unknown = Some(Error::corrupt(path, "read back truncated"));
            }
            Ok(_) => return Ok(Published::Theirs),
            // An `AlreadyExists` for a file that is not there: a conflict answer (409) to a
            // put that did not land.
            Err(Error::NotFound { .. }) if unknown.is_none() => return Ok(Published::Theirs),
            Err(Error::NotFound { .. }) => match storage.put_if_absent(path, ours.clone()).await {
                Ok(()) => return Ok(Published::Ours),
                Err(Error::AlreadyExists { .. }) => {}
                Err(e) => unknown = Some(e),
            },
            Err(e) => unknown = Some(e),
        }
    }
    let last = unknown.map_or_else(|| "no answer".to_string(), |e| e.to_string());
    Err(Error::OutcomeUnknown {
        path: path.to_string(),
        message: format!(
            "could not tell whether this commit's snapshot was published after {SETTLE_TRIES} \
             read-backs (last: {last}); its files are kept: run `strata snapshots` to see \
             whether it landed, and retry the same commit (same commit user and identifier) \
             or clean orphans"
        ),
    })
}
