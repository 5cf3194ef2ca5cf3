//! Commit planning and publication, sans IO except through the storage trait: new manifests,
//! a delta manifest list, a base manifest list (the previous snapshot's manifests, merged when
//! there are many), then the snapshot, created only if absent, then the `LATEST` hint.
//!
//! [`Committer::try_commit`] makes one attempt. A lost race ([`Attempt::Lost`]) is retried by
//! the caller, which owns the clock (backoff) and randomness (the attempt's file-name UUID).
//! Each attempt first looks for the committer's own earlier success (same commit user,
//! identifier and kind), so a retried commit never lands twice.
//!
//! On object stores the snapshot's conditional put can end without a clear answer (a timeout,
//! a reset after the body was sent, an `AlreadyExists` answering the store client's own retry
//! of a put that had landed). Such an answer is settled by reading the snapshot back and
//! comparing it with the attempt's bytes (its UUID, commit user and identifier): a commit is
//! reported done only when its snapshot is there, failed only when it certainly is not, and
//! otherwise [`Error::OutcomeUnknown`], keeping its files.

mod conflict;
#[cfg(test)]
mod fault_tests;
mod manifest_merge;
mod manifest_meta;
pub mod offsets;
mod publish;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use bytes::Bytes;

use crate::manifest::IndexManifestEntry;
use crate::options::TableOptions;
pub use conflict::check_conflicts;
pub use manifest_merge::ManifestMergeOptions;
use manifest_merge::ManifestSink;
pub use manifest_meta::manifest_meta;
use publish::{publish, Published};

use crate::manifest::{
    fold_entries, manifest_path, read_manifest, snapshot_manifests, AvroCodec, FileKind,
    ManifestEntry, ManifestFileMeta,
};
use crate::snapshot::{
    latest_snapshot_id, list_snapshot_ids, snapshot_path, write_hint, CommitKind, Snapshot,
    CURRENT_SNAPSHOT_VERSION, LATEST_HINT,
};
use crate::table::Table;
use crate::types::DataType;
use crate::{Error, Result};

/// Version string Strata writes into snapshots.
pub const WRITER_VERSION: &str = concat!("strata-", env!("CARGO_PKG_VERSION"));

/// What one commit changes.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    /// APPEND, OVERWRITE or COMPACT.
    pub kind: CommitKind,
    /// ADD and DELETE entries of data files.
    pub entries: Vec<ManifestEntry>,
    /// ADD entries of changelog files.
    pub changelog: Vec<ManifestEntry>,
    /// Snapshot properties.
    pub properties: Option<std::collections::BTreeMap<String, String>>,
    /// Source offsets this commit consumed (exactly-once ingest); checked against the table
    /// and stored in the snapshot's properties. Commits without claims carry the latest
    /// snapshot's offsets forward.
    pub offsets: Vec<offsets::OffsetClaim>,
    /// ADD and DELETE entries of index files (dynamic-bucket HASH indexes). The new
    /// snapshot's index manifest is the latest one's live entries minus the deleted plus the
    /// added; a delete of an index file that is no longer live is a conflict.
    pub index: Vec<IndexManifestEntry>,
    /// The HASH index files a dynamic-bucket writer assigned buckets from, per partition
    /// (serialized partition row) where it added keys: the commit is a conflict when the
    /// partition's live HASH files differ, since another writer may have put the same new key
    /// in another bucket.
    pub index_base: Vec<(Vec<u8>, Vec<String>)>,
}

/// The outcome of one commit attempt.
#[derive(Debug)]
pub enum Attempt {
    /// The snapshot was published (or an earlier attempt of this commit already was).
    Committed(Box<Snapshot>),
    /// Another committer published the snapshot id first: try again.
    Lost,
}

/// The manifest files one attempt wrote, and whether it reached its snapshot's put.
#[derive(Debug, Default)]
struct AttemptFiles {
    names: Vec<String>,
    publishing: bool,
}

/// Commits on behalf of one commit user.
#[derive(Debug, Clone)]
pub struct Committer {
    table: Arc<Table>,
    commit_user: String,
}

impl Committer {
    /// A committer for `table` identified by `commit_user` (stable across a job's restarts).
    pub fn new(table: Arc<Table>, commit_user: impl Into<String>) -> Self {
        Committer {
            table,
            commit_user: commit_user.into(),
        }
    }

    /// The commit user.
    pub fn commit_user(&self) -> &str {
        &self.commit_user
    }

    /// The snapshot of an earlier commit of this user with this identifier and kind, among
    /// snapshots `from..=latest`.
    pub async fn find_committed(
        &self,
        from: i64,
        identifier: i64,
        kind: CommitKind,
    ) -> Result<Option<Snapshot>> {
        let storage = self.table.storage();
        let Some(latest) = latest_snapshot_id(storage).await? else {
            return Ok(None);
        };
        // The snapshots that exist, newest first: listed where the storage can list (ids
        // come from file names, so a forged id cannot make this walk 2^63 numbers), else
        // the id range from the earliest one.
        let ids: Vec<i64> = match list_snapshot_ids(storage).await? {
            Some(ids) => ids
                .into_iter()
                .filter(|&id| id >= from && id <= latest)
                .rev()
                .collect(),
            None => {
                let earliest = crate::snapshot::earliest_snapshot_id(storage)
                    .await?
                    .unwrap_or(1);
                (from.max(earliest)..=latest).rev().collect()
            }
        };
        for id in ids {
            let s = match Snapshot::load(storage, id).await {
                Ok(s) => s,
                Err(Error::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            };
            if s.commit_user == self.commit_user
                && s.commit_identifier == identifier
                && s.commit_kind == kind
            {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    /// One commit attempt. `uuid` names the files this attempt writes (use a fresh one per
    /// attempt); `now_millis` is the commit time; `since` is the latest snapshot id the commit
    /// knew when it was prepared (its own earlier success is looked for after it).
    ///
    /// An attempt that ends before its snapshot is published (lost race, conflict, failed
    /// write) deletes the manifests it wrote, as Paimon does, and its error is a
    /// [`Error::Conflict`] or [`Error::Uncommitted`]; one whose snapshot put failed with an
    /// unknown outcome keeps them, since the snapshot may be live.
    pub async fn try_commit(
        &self,
        changes: &CommitChanges,
        identifier: i64,
        uuid: &str,
        now_millis: i64,
        since: Option<i64>,
    ) -> Result<Attempt> {
        let mut written = AttemptFiles::default();
        let outcome = self
            .attempt(changes, identifier, uuid, now_millis, since, &mut written)
            .await;
        let unpublished = match &outcome {
            Ok(Attempt::Lost) => true,
            Ok(Attempt::Committed(_)) => false,
            Err(_) => !written.publishing,
        };
        if unpublished {
            let storage = self.table.storage();
            for name in &written.names {
                if let Ok(path) = manifest_path(name) {
                    let _ = storage.delete(&path).await;
                }
            }
        }
        match outcome {
            Err(e) if unpublished && !e.is_unpublished() => Err(Error::Uncommitted(Box::new(e))),
            other => other,
        }
    }

    async fn attempt(
        &self,
        changes: &CommitChanges,
        identifier: i64,
        uuid: &str,
        now_millis: i64,
        since: Option<i64>,
        written: &mut AttemptFiles,
    ) -> Result<Attempt> {
        let storage = self.table.storage();
        let from = since.map_or(Some(1), |s| s.checked_add(1));
        if let Some(from) = from {
            if let Some(s) = self.find_committed(from, identifier, changes.kind).await? {
                return Ok(Attempt::Committed(Box::new(s)));
            }
        }
        let latest = match latest_snapshot_id(storage).await? {
            Some(id) => Some(Snapshot::load(storage, id).await?),
            None => None,
        };
        let schema = crate::schema::TableSchema::load_latest(storage).await?;
        let ptypes: Vec<DataType> = schema
            .partition_fields()?
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        let codec = AvroCodec::from_option(
            TableOptions::new(&schema.options)
                .value_or_default("manifest.compression")
                .unwrap_or("zstd"),
        )?;

        // Conflicts matter only when the commit deletes files or there is something to clash with.
        let base_metas = match &latest {
            Some(l) => snapshot_manifests(storage, l).await?,
            None => Vec::new(),
        };
        if latest.is_some() && changes.entries.iter().any(|e| e.kind == FileKind::Delete) {
            let mut base = Vec::new();
            for m in &base_metas {
                base.extend(read_manifest(storage, &m.file_name).await?);
            }
            let key_types: Vec<DataType> = schema
                .trimmed_primary_key_fields()?
                .iter()
                .map(|f| f.data_type.clone())
                .collect();
            check_conflicts(
                fold_entries(base)?,
                &changes.entries,
                &key_types,
                changes.kind,
            )?;
        }

        // Source offsets: claims are checked against the table (fencing a writer whose
        // partition another writer consumed); otherwise the latest offsets carry forward.
        let mut properties = changes.properties.clone();
        let offsets_text = if changes.offsets.is_empty() {
            latest
                .as_ref()
                .and_then(|l| l.properties.as_ref())
                .and_then(|p| p.get(offsets::SOURCE_OFFSETS_PROPERTY))
                .cloned()
        } else {
            let current = offsets::table_offsets(storage, latest.as_ref()).await?;
            let next = offsets::apply_claims(&current, &changes.offsets)?;
            Some(offsets::offsets_json(&next))
        };
        if let Some(text) = offsets_text {
            properties
                .get_or_insert_with(Default::default)
                .insert(offsets::SOURCE_OFFSETS_PROPERTY.to_string(), text);
        }

        let id = match &latest {
            Some(l) => l.next_id()?,
            None => 1,
        };
        let mut counter = 0u64;
        let names = &mut written.names;
        let mut next_name = |prefix: &str| {
            counter += 1;
            let name = format!("{prefix}{uuid}-{}", counter - 1);
            names.push(name.clone());
            name
        };
        // Base: the previous snapshot's manifests, merged by Paimon's rules (manifest_merge).
        let merge_opts = ManifestMergeOptions::new(&TableOptions::new(&schema.options))?;
        let base_metas = self
            .merge_manifests(
                base_metas,
                &merge_opts,
                &mut ManifestSink {
                    ptypes: &ptypes,
                    schema_id: schema.id,
                    codec,
                    next_name: &mut next_name,
                },
            )
            .await?;
        let base_list = next_name("manifest-list-");
        let base_size = self.write_list(&base_metas, codec, &base_list).await?;

        let mut delta_metas = Vec::new();
        if !changes.entries.is_empty() {
            delta_metas.push(
                self.write_manifest(
                    &changes.entries,
                    &ptypes,
                    schema.id,
                    codec,
                    &next_name("manifest-"),
                )
                .await?,
            );
        }
        let delta_list = next_name("manifest-list-");
        let delta_size = self.write_list(&delta_metas, codec, &delta_list).await?;
        let (changelog_list, changelog_size) = if changes.changelog.is_empty() {
            (None, None)
        } else {
            let m = self
                .write_manifest(
                    &changes.changelog,
                    &ptypes,
                    schema.id,
                    codec,
                    &next_name("manifest-"),
                )
                .await?;
            let name = next_name("manifest-list-");
            let size = self.write_list(&[m], codec, &name).await?;
            (Some(name), Some(size))
        };

        let index_manifest = self
            .next_index_manifest(latest.as_ref(), changes, codec, &mut next_name)
            .await?;

        let rows = |k: FileKind| {
            changes
                .entries
                .iter()
                .filter(|e| e.kind == k)
                .map(|e| e.file.row_count)
                .sum::<i64>()
        };
        let delta = rows(FileKind::Add) - rows(FileKind::Delete);
        let total = latest
            .as_ref()
            .and_then(|l| l.total_record_count)
            .unwrap_or(0)
            + delta;
        let snapshot = Snapshot {
            version: CURRENT_SNAPSHOT_VERSION,
            uuid: Some(uuid.to_string()),
            id,
            schema_id: schema.id,
            base_manifest_list: base_list,
            base_manifest_list_size: Some(base_size),
            delta_manifest_list: delta_list,
            delta_manifest_list_size: Some(delta_size),
            changelog_manifest_list: changelog_list,
            changelog_manifest_list_size: changelog_size,
            index_manifest,
            commit_user: self.commit_user.clone(),
            writer_version: Some(WRITER_VERSION.to_string()),
            commit_identifier: identifier,
            commit_kind: changes.kind,
            time_millis: now_millis,
            total_record_count: Some(total),
            delta_record_count: Some(delta),
            changelog_record_count: (!changes.changelog.is_empty())
                .then(|| changes.changelog.iter().map(|e| e.file.row_count).sum()),
            watermark: latest.as_ref().and_then(|l| l.watermark),
            statistics: latest
                .as_ref()
                .filter(|l| l.schema_id == schema.id)
                .and_then(|l| l.statistics.clone()),
            properties,
            next_row_id: Some(latest.as_ref().and_then(|l| l.next_row_id).unwrap_or(0)),
            operation: None,
            log_offsets: None,
        };
        written.publishing = true;
        match publish(storage, &snapshot_path(id), Bytes::from(snapshot.to_json())).await? {
            Published::Ours => {}
            Published::Theirs => return Ok(Attempt::Lost),
            Published::Refused(e) => {
                written.publishing = false;
                return Err(e);
            }
        }
        // The hint is only a hint: readers probe past it, so a failure here loses nothing.
        let _ = write_hint(storage, LATEST_HINT, id).await;
        Ok(Attempt::Committed(Box::new(snapshot)))
    }

    /// The index manifest of the new snapshot: the latest one's when the commit changes no
    /// index file, otherwise its live entries with the commit's deletes and adds applied. A
    /// delete of a file that is no longer live, an add for a (partition, bucket, type) that
    /// already has a live file, and a changed HASH base are conflicts.
    async fn next_index_manifest(
        &self,
        latest: Option<&Snapshot>,
        changes: &CommitChanges,
        codec: AvroCodec,
        next_name: &mut (dyn FnMut(&str) -> String + Send),
    ) -> Result<Option<String>> {
        let previous = latest.and_then(|l| l.index_manifest.clone());
        if changes.index.is_empty() && changes.index_base.is_empty() {
            return Ok(previous);
        }
        let storage = self.table.storage();
        let mut live: Vec<IndexManifestEntry> = match &previous {
            Some(name) => {
                let path = manifest_path(name)?;
                let bytes = storage.get(&path).await?;
                IndexManifestEntry::read_index_manifest(&bytes, &path)?
                    .into_iter()
                    .filter(|e| e.kind == FileKind::Add)
                    .collect()
            }
            None => Vec::new(),
        };
        let conflict = |what: String| Error::Conflict(what);
        for (partition, base) in &changes.index_base {
            let mut now: Vec<&str> = live
                .iter()
                .filter(|e| {
                    e.index_type == crate::dynamic_bucket::HASH_INDEX
                        && &e.partition.serialize() == partition
                })
                .map(|e| e.file_name.as_str())
                .collect();
            let mut base: Vec<&str> = base.iter().map(String::as_str).collect();
            now.sort_unstable();
            base.sort_unstable();
            if now != base {
                return Err(conflict(
                    "a concurrent writer changed the bucket index of a partition this write \
                     added keys to; write again"
                        .into(),
                ));
            }
        }
        for d in changes.index.iter().filter(|e| e.kind == FileKind::Delete) {
            let Some(at) = live.iter().position(|e| e.file_name == d.file_name) else {
                return Err(conflict(format!(
                    "index file {} is no longer live (a concurrent writer replaced it)",
                    d.file_name
                )));
            };
            live.remove(at);
        }
        for a in changes.index.iter().filter(|e| e.kind == FileKind::Add) {
            if live.iter().any(|e| {
                e.bucket == a.bucket && e.index_type == a.index_type && e.partition == a.partition
            }) {
                return Err(conflict(format!(
                    "bucket {} already has a live {} index (a concurrent writer added it)",
                    a.bucket, a.index_type
                )));
            }
            live.push(a.clone());
        }
        if live.is_empty() {
            return Ok(None);
        }
        let name = next_name("index-manifest-");
        let bytes = IndexManifestEntry::write_index_manifest(&live, codec)?;
        storage
            .put(&manifest_path(&name)?, Bytes::from(bytes))
            .await?;
        Ok(Some(name))
    }

    async fn write_manifest(
        &self,
        entries: &[ManifestEntry],
        ptypes: &[DataType],
        schema_id: i64,
        codec: AvroCodec,
        name: &str,
    ) -> Result<ManifestFileMeta> {
        let bytes = ManifestEntry::write_manifest(entries, codec)?;
        let size = bytes.len() as i64;
        self.table
            .storage()
            .put(&manifest_path(name)?, Bytes::from(bytes))
            .await?;
        manifest_meta(name, size, entries, ptypes, schema_id)
    }

    async fn write_list(
        &self,
        metas: &[ManifestFileMeta],
        codec: AvroCodec,
        name: &str,
    ) -> Result<i64> {
        let bytes = ManifestFileMeta::write_list(metas, codec)?;
        let size = bytes.len() as i64;
        self.table
            .storage()
            .put(&manifest_path(name)?, Bytes::from(bytes))
            .await?;
        Ok(size)
    }
}
