//! A commit as a pure plan: from the table's state ([`CommitBase`]) and the changes, every
//! file the commit writes (manifests, manifest lists, the index manifest) and its snapshot,
//! encoded in memory. Conflicts and offset fencing are decided here, before anything is
//! written; publishing the plan is the puts ([`super::Committer::try_commit`]).

use bytes::Bytes;

use super::base::CommitBase;
use super::conflict::check_conflicts;
use super::manifest_merge::{merge_manifests, ManifestMergeOptions};
use super::manifest_meta::manifest_meta;
use super::{offsets, CommitChanges, WRITER_VERSION};
use crate::manifest::{
    fold_entries, AvroCodec, FileKind, IndexManifestEntry, ManifestEntry, ManifestFileMeta,
};
use crate::options::TableOptions;
use crate::snapshot::{Snapshot, CURRENT_SNAPSHOT_VERSION};
use crate::types::DataType;
use crate::{Error, Result};

/// Who commits, and the attempt's own values: the file-name UUID (fresh per attempt) and the
/// commit time. Core has no clock or randomness: the driver hands these in.
#[derive(Debug, Clone, Copy)]
pub struct AttemptId<'a> {
    /// The commit user (stable across a job's restarts).
    pub commit_user: &'a str,
    /// The commit identifier (a checkpoint or batch number).
    pub identifier: i64,
    /// Names this attempt's files.
    pub uuid: &'a str,
    /// The commit time.
    pub now_millis: i64,
}

/// Everything one commit attempt writes, in memory.
#[derive(Debug, Clone)]
pub struct CommitPlan {
    /// Files to put in `manifest/` before the snapshot: (file name, bytes).
    pub files: Vec<(String, Bytes)>,
    /// The snapshot to create if absent.
    pub snapshot: Snapshot,
}

/// Whether a commit is checked for conflicts against the latest snapshot's live files: only
/// when it deletes files (an append cannot clash with anything).
pub(crate) fn checks_conflicts(changes: &CommitChanges) -> bool {
    changes.entries.iter().any(|e| e.kind == FileKind::Delete)
}

/// Whether a commit changes the index manifest (or must check its HASH base).
pub(crate) fn changes_index(changes: &CommitChanges) -> bool {
    !changes.index.is_empty() || !changes.index_base.is_empty()
}

/// The new files of a plan, named `<prefix><uuid>-<n>` in order, with what every manifest
/// of this commit shares (partition types, schema id, codec).
pub(crate) struct NewFiles<'a> {
    uuid: &'a str,
    ptypes: Vec<DataType>,
    schema_id: i64,
    codec: AvroCodec,
    files: Vec<(String, Bytes)>,
}

impl NewFiles<'_> {
    /// The manifests' codec.
    pub(crate) fn codec(&self) -> AvroCodec {
        self.codec
    }

    fn add(&mut self, prefix: &str, bytes: Vec<u8>) -> (String, i64) {
        let name = format!("{prefix}{}-{}", self.uuid, self.files.len());
        let size = bytes.len() as i64;
        self.files.push((name.clone(), Bytes::from(bytes)));
        (name, size)
    }

    /// A new manifest holding `entries`, and its manifest-list record.
    pub(crate) fn manifest(&mut self, entries: &[ManifestEntry]) -> Result<ManifestFileMeta> {
        let bytes = ManifestEntry::write_manifest(entries, self.codec)?;
        let (name, size) = self.add("manifest-", bytes);
        manifest_meta(&name, size, entries, &self.ptypes, self.schema_id)
    }

    /// A new manifest list of `metas`: its name and size.
    fn list(&mut self, metas: &[ManifestFileMeta]) -> Result<(String, i64)> {
        let bytes = ManifestFileMeta::write_list(metas, self.codec)?;
        Ok(self.add("manifest-list-", bytes))
    }
}

/// Plans one commit of `changes` on `base`: conflicts, offset claims, the base manifests
/// merged by Paimon's rules, the delta and changelog manifests, the index manifest and the
/// snapshot. Pure: the same inputs give the same files (up to the random sync markers of
/// their Avro containers) and snapshot.
pub fn plan_commit(
    base: &CommitBase,
    changes: &CommitChanges,
    who: AttemptId<'_>,
) -> Result<CommitPlan> {
    let schema = &base.schema;
    let latest = base.latest.as_ref();
    let options = TableOptions::new(&schema.options);
    let codec = AvroCodec::from_option(
        options
            .value_or_default("manifest.compression")
            .unwrap_or("zstd"),
    )?;

    if latest.is_some() && checks_conflicts(changes) {
        let mut live = Vec::new();
        for m in &base.manifests {
            live.extend_from_slice(super::manifest_merge::entries_of(
                &base.contents,
                &m.file_name,
            )?);
        }
        let key_types: Vec<DataType> = schema
            .trimmed_primary_key_fields()?
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        check_conflicts(
            fold_entries(live)?,
            &changes.entries,
            &key_types,
            changes.kind,
        )?;
    }

    // Source offsets: claims are checked against the table (fencing a writer whose partition
    // another writer consumed); otherwise the latest offsets carry forward.
    let mut properties = changes.properties.clone();
    let offsets_text = if changes.offsets.is_empty() {
        latest
            .and_then(|l| l.properties.as_ref())
            .and_then(|p| p.get(offsets::SOURCE_OFFSETS_PROPERTY))
            .cloned()
    } else {
        let current = base.offsets.as_ref().ok_or_else(|| {
            Error::InvalidValue("the table's offsets were not read for this commit".into())
        })?;
        let next = offsets::apply_claims(current, &changes.offsets)?;
        Some(offsets::offsets_json(&next))
    };
    if let Some(text) = offsets_text {
        properties
            .get_or_insert_with(Default::default)
            .insert(offsets::SOURCE_OFFSETS_PROPERTY.to_string(), text);
    }

    let id = match latest {
        Some(l) => l.next_id()?,
        None => 1,
    };
    let mut out = NewFiles {
        uuid: who.uuid,
        ptypes: schema
            .partition_fields()?
            .iter()
            .map(|f| f.data_type.clone())
            .collect(),
        schema_id: schema.id,
        codec,
        files: Vec::new(),
    };
    // The index manifest first: its conflicts end the plan before any encoding work.
    let index_manifest = next_index_manifest(base, changes, &mut out)?;
    // Base: the previous snapshot's manifests, merged by Paimon's rules (manifest_merge).
    let merge_opts = ManifestMergeOptions::new(&options)?;
    let base_metas = merge_manifests(
        base.manifests.clone(),
        &base.contents,
        &merge_opts,
        &mut out,
    )?;
    let (base_list, base_size) = out.list(&base_metas)?;
    let delta_metas = if changes.entries.is_empty() {
        Vec::new()
    } else {
        vec![out.manifest(&changes.entries)?]
    };
    let (delta_list, delta_size) = out.list(&delta_metas)?;
    let (changelog_list, changelog_size) = if changes.changelog.is_empty() {
        (None, None)
    } else {
        let m = out.manifest(&changes.changelog)?;
        let (name, size) = out.list(&[m])?;
        (Some(name), Some(size))
    };

    let rows = |k: FileKind| {
        changes
            .entries
            .iter()
            .filter(|e| e.kind == k)
            .map(|e| e.file.row_count)
            .sum::<i64>()
    };
    let delta = rows(FileKind::Add) - rows(FileKind::Delete);
    let total = latest.and_then(|l| l.total_record_count).unwrap_or(0) + delta;
    let snapshot = Snapshot {
        version: CURRENT_SNAPSHOT_VERSION,
        uuid: Some(who.uuid.to_string()),
        id,
        schema_id: schema.id,
        base_manifest_list: base_list,
        base_manifest_list_size: Some(base_size),
        delta_manifest_list: delta_list,
        delta_manifest_list_size: Some(delta_size),
        changelog_manifest_list: changelog_list,
        changelog_manifest_list_size: changelog_size,
        index_manifest,
        commit_user: who.commit_user.to_string(),
        writer_version: Some(WRITER_VERSION.to_string()),
        commit_identifier: who.identifier,
        commit_kind: changes.kind,
        time_millis: who.now_millis,
        total_record_count: Some(total),
        delta_record_count: Some(delta),
        changelog_record_count: (!changes.changelog.is_empty())
            .then(|| changes.changelog.iter().map(|e| e.file.row_count).sum()),
        watermark: latest.and_then(|l| l.watermark),
        statistics: latest
            .filter(|l| l.schema_id == schema.id)
            .and_then(|l| l.statistics.clone()),
        properties,
        next_row_id: Some(latest.and_then(|l| l.next_row_id).unwrap_or(0)),
        operation: None,
        log_offsets: None,
    };
    Ok(CommitPlan {
        files: out.files,
        snapshot,
    })
}

/// The index manifest of the new snapshot: the latest one's when the commit changes no index
/// file, otherwise its live entries with the commit's deletes and adds applied. A delete of a
/// file that is no longer live, an add for a (partition, bucket, type) that already has a live
/// file, and a changed HASH base are conflicts.
fn next_index_manifest(
    base: &CommitBase,
    changes: &CommitChanges,
    out: &mut NewFiles<'_>,
) -> Result<Option<String>> {
    let previous = base.latest.as_ref().and_then(|l| l.index_manifest.clone());
    if !changes_index(changes) {
        return Ok(previous);
    }
    let mut live: Vec<IndexManifestEntry> = base.index.clone().ok_or_else(|| {
        Error::InvalidValue("the table's index manifest was not read for this commit".into())
    })?;
    let conflict = |what: String| Error::Conflict(what);
    for (partition, files) in &changes.index_base {
        let mut now: Vec<&str> = live
            .iter()
            .filter(|e| {
                e.index_type == crate::dynamic_bucket::HASH_INDEX
                    && &e.partition.serialize() == partition
            })
            .map(|e| e.file_name.as_str())
            .collect();
        let mut files: Vec<&str> = files.iter().map(String::as_str).collect();
        now.sort_unstable();
        files.sort_unstable();
        if now != files {
            return Err(conflict(
                "a concurrent writer changed the bucket index of a partition this write added \
                 keys to; write again"
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
    let bytes = IndexManifestEntry::write_index_manifest(&live, out.codec)?;
    Ok(Some(out.add("index-manifest-", bytes).0))
}
