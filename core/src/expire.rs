//! Snapshot expiration: which snapshots go, and which files no retained snapshot or tag still
//! uses. Orphan cleaning ([`crate::orphan`]) shares its notion of the files a snapshot uses.
//!
//! Expiration deletes the expired snapshots' files first (after moving `EARLIEST`), then the
//! data, changelog, manifest and index files only they referenced. A crash midway leaves
//! orphans (which [`crate::orphan::clean_orphans`] removes later), never a retained snapshot with a missing
//! file.

use std::collections::HashSet;

use crate::manifest::{
    live_files, manifest_path, read_manifest, read_manifest_list, IndexManifestEntry,
};
use crate::path::bucket_dir;
use crate::schema::TableSchema;
use crate::snapshot::{
    earliest_snapshot_id, latest_snapshot_id, list_snapshot_ids, snapshot_path, write_hint,
    Consumer, Snapshot, Tag, EARLIEST_HINT,
};
use crate::storage::{is_staging, Storage};
use crate::{Error, Result};

/// Retention settings (Paimon's `snapshot.num-retained.*`, `snapshot.time-retained`).
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Always keep at least this many snapshots (default 10).
    pub min: usize,
    /// Never keep more than this many (default unbounded).
    pub max: Option<usize>,
    /// Keep snapshots newer than this many milliseconds (default one hour).
    pub time_millis: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            min: 10,
            max: None,
            time_millis: 3_600_000,
        }
    }
}

/// What an expiration or orphan cleaning removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Removed {
    /// Expired snapshot ids.
    pub snapshots: Vec<i64>,
    /// Deleted files (paths relative to the table; locations for files outside it).
    pub files: Vec<String>,
}

/// Where a data file is: its path in the table, or the location of a file outside it
/// (`_EXTERNAL_PATH`, see [`crate::external_path`]).
fn data_file_path(schema: &TableSchema, e: &crate::manifest::ManifestEntry) -> Result<String> {
    Ok(match &e.file.external_path {
        Some(location) => location.clone(),
        None => format!(
            "{}/{}",
            bucket_dir(schema, &e.partition, e.bucket)?,
            e.file.file_name
        ),
    })
}

/// Deletes files [`snapshot_files`] named: paths in the table, and files outside it through
/// the storage of their external root. Files outside the table whose root the storage does
/// not reach (the user did not allow it) are left, with a warning.
pub async fn delete_files(
    storage: &dyn Storage,
    schema: &TableSchema,
    files: &[String],
) -> Result<()> {
    let options = crate::options::TableOptions::new(&schema.options);
    let mut left = Vec::new();
    for f in files {
        if !crate::external_path::is_location(f) {
            storage.delete(f).await?;
            continue;
        }
        match crate::external_path::open(storage, &options, f, f) {
            Ok((s, rel)) => s.delete(&rel).await?,
            Err(e) => left.push((f, e)),
        }
    }
    if let Some((f, e)) = left.first() {
        tracing::warn!(
            files = left.len(),
            first = %f,
            "left data files outside the table that this storage may not reach: {e}"
        );
    }
    Ok(())
}

/// Every file a snapshot uses: its live data files, its changelog files, its manifests and
/// manifest lists, its index manifest and index files. Data files outside the table are
/// named by their location (`_EXTERNAL_PATH`).
pub async fn snapshot_files(
    storage: &dyn Storage,
    schema: &TableSchema,
    s: &Snapshot,
) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    let mut lists = vec![s.base_manifest_list.clone(), s.delta_manifest_list.clone()];
    lists.extend(s.changelog_manifest_list.clone());
    for list in &lists {
        out.insert(manifest_path(list)?);
        for m in read_manifest_list(storage, list).await? {
            out.insert(manifest_path(&m.file_name)?);
        }
    }
    for e in live_files(storage, s).await? {
        out.insert(data_file_path(schema, &e)?);
    }
    if let Some(list) = &s.changelog_manifest_list {
        for m in read_manifest_list(storage, list).await? {
            for e in read_manifest(storage, &m.file_name).await? {
                out.insert(data_file_path(schema, &e)?);
            }
        }
    }
    if let Some(im) = &s.index_manifest {
        let path = manifest_path(im)?;
        out.insert(path.clone());
        let bytes = storage.get(&path).await?;
        for e in IndexManifestEntry::read_index_manifest(&bytes, &path)? {
            out.insert(format!("index/{}", e.file_name));
        }
    }
    Ok(out)
}

/// Tags of the table (their snapshots pin files).
pub async fn tags(storage: &dyn Storage) -> Result<Vec<(String, Tag)>> {
    let listed = storage.list("tag").await?;
    // Independent reads: fetch them together (one round trip over HTTP, not one per tag).
    let loads = listed
        .iter()
        .filter(|o| !is_staging(&o.path))
        .filter_map(|o| {
            let name = o.path.strip_prefix("tag/tag-")?;
            Some(async move {
                let bytes = storage.get(&o.path).await?;
                Ok::<_, crate::Error>((name.to_string(), Tag::from_json(&bytes, &o.path)?))
            })
        });
    let mut out = futures::future::try_join_all(loads).await?;
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

async fn min_consumer(storage: &dyn Storage) -> Result<Option<i64>> {
    let mut min = None;
    for o in storage.list("consumer").await? {
        if !o.path.starts_with("consumer/consumer-") || is_staging(&o.path) {
            continue;
        }
        let c = Consumer::from_json(&storage.get(&o.path).await?, &o.path)?;
        min = Some(min.map_or(c.next_snapshot, |m: i64| m.min(c.next_snapshot)));
    }
    Ok(min)
}

/// The ids of the snapshots that exist, ascending: listed where the storage can list (so a
/// stale or raced `EARLIEST`/`LATEST` hint cannot hide one), else the hinted range.
pub async fn existing_snapshot_ids(storage: &dyn Storage) -> Result<Vec<i64>> {
    if let Some(ids) = list_snapshot_ids(storage).await? {
        return Ok(ids);
    }
    let (Some(earliest), Some(latest)) = (
        earliest_snapshot_id(storage).await?,
        latest_snapshot_id(storage).await?,
    ) else {
        return Ok(Vec::new());
    };
    let mut ids = Vec::new();
    for id in earliest..=latest {
        if storage.head(&snapshot_path(id)).await?.is_some() {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Expires snapshots as Paimon does: keep the newest `min`, at most `max`, everything newer
/// than `time_millis` before `now_millis`, and every snapshot a consumer has not read yet.
/// With `dry_run`, deletes nothing and returns what it would delete.
pub async fn expire(
    storage: &dyn Storage,
    retention: Retention,
    now_millis: i64,
    dry_run: bool,
) -> Result<Removed> {
    let clock = crate::log::Stopwatch::start();
    let ids = existing_snapshot_ids(storage).await?;
    let n = ids.len();
    if n == 0 {
        return Ok(Removed::default());
    }
    let schema = TableSchema::load_latest(storage).await?;
    // Positions in `ids`: expire ids[..cut], keep ids[cut..].
    let lo = retention.max.map_or(0, |m| n.saturating_sub(m));
    let mut end = n.saturating_sub(retention.min.max(1));
    if let Some(c) = min_consumer(storage).await? {
        end = end.min(ids.partition_point(|&id| id < c));
    }
    // Everything before `lo`, then (as Paimon's ExpireSnapshotsImpl does) each snapshot in
    // turn up to `end`, until the first one younger than the time retention.
    let mut cut = lo.min(end);
    let older_than = now_millis.saturating_sub(retention.time_millis);
    while cut < end {
        if Snapshot::load(storage, ids[cut]).await?.time_millis >= older_than {
            break;
        }
        cut += 1;
    }
    if cut == 0 {
        return Ok(Removed::default());
    }
    let mut candidates = HashSet::new();
    let mut expired = Vec::new();
    for &id in &ids[..cut] {
        match Snapshot::load(storage, id).await {
            Ok(s) => {
                candidates.extend(snapshot_files(storage, &schema, &s).await?);
                expired.push(id);
            }
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let mut keep = HashSet::new();
    for &id in &ids[cut..] {
        keep.extend(snapshot_files(storage, &schema, &Snapshot::load(storage, id).await?).await?);
    }
    for (_, t) in tags(storage).await? {
        keep.extend(snapshot_files(storage, &schema, &t.snapshot).await?);
    }
    let mut files: Vec<String> = candidates.difference(&keep).cloned().collect();
    files.sort();
    if dry_run {
        return Ok(Removed {
            snapshots: expired,
            files,
        });
    }
    // Move EARLIEST and drop the snapshot files first: a crash from here on leaves orphans,
    // not a retained snapshot pointing at deleted files.
    write_hint(storage, EARLIEST_HINT, ids[cut]).await?;
    for id in &expired {
        storage.delete(&snapshot_path(*id)).await?;
    }
    delete_files(storage, &schema, &files).await?;
    tracing::info!(
        snapshots = expired.len(),
        files = files.len(),
        earliest = ids[cut],
        ms = clock.ms(),
        "expired"
    );
    Ok(Removed {
        snapshots: expired,
        files,
    })
}

#[cfg(test)]
#[path = "expire_tests.rs"]
mod tests;
