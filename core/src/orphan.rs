//! Orphan cleaning: deleting the files that no snapshot, tag or changelog uses, in the
//! directories Paimon owns and nowhere else.
//!
//! The rules, following Paimon's `OrphanFilesClean`:
//! - only `manifest/`, `index/` and the data directories (`[path-directory/]k1=v/…/bucket-N/`,
//!   one level per partition key) hold candidates, plus a backend's staging files in
//!   `snapshot/` and `changelog/`; a `README.md`, `.git/` or a user's `photos/` beside the
//!   table is never touched, nor is anything under a symbolic link (listings do not follow
//!   them);
//! - every snapshot file that exists is protected, found by listing (never by trusting the
//!   `EARLIEST`/`LATEST` hints), and so is every tag and every changelog file;
//! - a table whose snapshots or tags name files that do not exist is damaged: nothing is
//!   deleted, since its real files may be the ones that look unused;
//! - only files last modified before a threshold go, so commits in flight are safe.

use std::collections::{HashMap, HashSet};

use crate::expire::{snapshot_files, tags, Removed};
use crate::path::escape_path_name;
use crate::schema::TableSchema;
use crate::snapshot::{list_snapshot_ids, tag_path, Snapshot};
use crate::storage::{is_staging, Storage};
use crate::{Error, Result};

/// Where a table's data files live: the optional `data-file.path-directory`, then one
/// directory per partition key, then the bucket directory.
#[derive(Debug, Clone)]
struct DataLayout {
    prefix: Vec<String>,
    partition_dirs: Vec<String>,
}

impl DataLayout {
    fn of(schema: &TableSchema) -> Self {
        let prefix = match schema.option("data-file.path-directory") {
            Some(p) if !p.trim().is_empty() => p
                .trim()
                .trim_matches('/')
                .split('/')
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        DataLayout {
            prefix,
            partition_dirs: schema
                .partition_keys
                .iter()
                .map(|k| format!("{}=", escape_path_name(k)))
                .collect(),
        }
    }

    /// Whether `segments` name a file directly inside a bucket directory.
    fn is_data_file(&self, segments: &[&str]) -> bool {
        let Some(rest) = strip_segments(segments, &self.prefix) else {
            return false;
        };
        let k = self.partition_dirs.len();
        if rest.len() != k + 2 {
            return false;
        }
        let partitions_match = rest[..k]
            .iter()
            .zip(&self.partition_dirs)
            .all(|(seg, key)| seg.starts_with(key.as_str()));
        partitions_match && is_bucket_dir(rest[k])
    }
}

fn strip_segments<'a>(segments: &'a [&'a str], prefix: &[String]) -> Option<&'a [&'a str]> {
    if segments.len() < prefix.len() || !segments.iter().zip(prefix).all(|(a, b)| *a == b) {
        return None;
    }
    Some(&segments[prefix.len()..])
}

fn is_bucket_dir(name: &str) -> bool {
    match name.strip_prefix("bucket-") {
        Some("postpone") => true,
        Some(n) => n.parse::<i32>().is_ok(),
        None => false,
    }
}

/// Whether orphan cleaning may delete `path` when nothing uses it.
fn is_candidate(path: &str, layout: &DataLayout) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    match segments.as_slice() {
        ["manifest", _] | ["index", _] => true,
        // Snapshot and changelog directories: only leftovers of interrupted writes
        // (a backend's staging file, Java's `.snapshot-N.<uuid>.tmp`).
        ["snapshot", name] | ["changelog", name] => {
            is_staging(name) || (name.starts_with('.') && name.ends_with(".tmp"))
        }
        _ => layout.is_data_file(&segments),
    }
}

/// The changelog files of tables that keep changelogs longer than snapshots
/// (`changelog/changelog-N`, the snapshot format).
async fn changelogs(storage: &dyn Storage) -> Result<Vec<(String, Snapshot)>> {
    let mut out = Vec::new();
    for o in storage.list("changelog").await? {
        let Some(name) = o.path.strip_prefix("changelog/") else {
            continue;
        };
        let is_changelog = name
            .strip_prefix("changelog-")
            .is_some_and(|n| n.parse::<i64>().is_ok_and(|n| n > 0));
        if !is_changelog {
            continue;
        }
        let bytes = match storage.get(&o.path).await {
            Ok(b) => b,
            Err(Error::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        out.push((o.path.clone(), Snapshot::from_json(&bytes, &o.path)?));
    }
    Ok(out)
}

/// Every file in use, each with the metadata file (snapshot, tag or changelog) that uses it.
async fn used_files(
    storage: &dyn Storage,
    schema: &TableSchema,
) -> Result<HashMap<String, String>> {
    let ids = list_snapshot_ids(storage).await?.ok_or_else(|| {
        Error::unsupported(
            "snapshot/",
            "orphan cleaning needs a storage that can list the table's files",
        )
    })?;
    let mut users: Vec<(String, Snapshot)> = Vec::new();
    for id in ids {
        match Snapshot::load(storage, id).await {
            Ok(s) => users.push((crate::snapshot::snapshot_path(id), s)),
            // Expired between the listing and now: its files are another expiration's.
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    for (name, t) in tags(storage).await? {
        users.push((tag_path(&name), t.snapshot));
    }
    users.extend(changelogs(storage).await?);
    let mut used = HashMap::new();
    for (owner, s) in users {
        for f in snapshot_files(storage, schema, &s).await? {
            // Files outside the table are not in its directories: never candidates here.
            if !crate::external_path::is_location(&f) {
                used.entry(f).or_insert_with(|| owner.clone());
            }
        }
    }
    Ok(used)
}

/// Deletes the files no snapshot, tag or changelog uses, in the directories Paimon owns,
/// last modified before `older_than_millis`. With `dry_run`, deletes nothing and returns
/// what it would delete.
///
/// Refuses (deleting nothing) when the table has branches, whose snapshots this does not
/// read yet, and when a live snapshot or tag names a file that does not exist.
pub async fn clean_orphans(
    storage: &dyn Storage,
    older_than_millis: i64,
    dry_run: bool,
) -> Result<Removed> {
    let clock = crate::log::Stopwatch::start();
    let schema = TableSchema::load_latest(storage).await?;
    if let Some(b) = storage
        .list("branch")
        .await?
        .into_iter()
        .find(|o| !is_staging(&o.path))
    {
        return Err(Error::unsupported(
            &b.path,
            "the table has branches, whose snapshots orphan cleaning does not read yet; \
             it deletes nothing rather than files a branch may use",
        ));
    }
    let used = used_files(storage, &schema).await?;
    let listed = storage.list("").await?;
    let present: HashSet<&str> = listed.iter().map(|o| o.path.as_str()).collect();

    // A used file that is missing (and not merely behind a link the listing skips) means the
    // table is damaged, unless its user went away meanwhile (a concurrent expiration).
    let mut missing: Vec<(&String, &String)> = Vec::new();
    for (path, owner) in &used {
        if !present.contains(path.as_str()) && storage.head(path).await?.is_none() {
            missing.push((path, owner));
        }
    }
    missing.sort();
    for (path, owner) in &missing {
        if storage.head(owner).await?.is_some() {
            return Err(Error::corrupt(
                owner,
                format!(
                    "it uses {path}, which does not exist ({} used files are missing): the \
                     table is damaged, so orphan cleaning deletes nothing",
                    missing.len()
                ),
            ));
        }
    }

    let layout = DataLayout::of(&schema);
    let mut files: Vec<String> = listed
        .iter()
        .filter(|o| is_candidate(&o.path, &layout) && !used.contains_key(&o.path))
        .filter(|o| o.last_modified.is_some_and(|m| m < older_than_millis))
        .map(|o| o.path.clone())
        .collect();
    files.sort();
    if !dry_run {
        for f in &files {
            storage.delete(f).await?;
        }
    }
    tracing::info!(
        listed = listed.len(),
        used = used.len(),
        orphans = files.len(),
        dry_run,
        ms = clock.ms(),
        "cleaned orphans"
    );
    Ok(Removed {
        snapshots: vec![],
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(prefix: &[&str], keys: &[&str]) -> DataLayout {
        DataLayout {
            prefix: prefix.iter().map(|s| s.to_string()).collect(),
            partition_dirs: keys.iter().map(|k| format!("{k}=")).collect(),
        }
    }

    #[test]
    fn only_paimon_directories_hold_candidates() {
        let l = layout(&[], &["dt", "hr"]);
        for yes in [
            "manifest/manifest-1",
            "index/index-1",
            "dt=2024-01-01/hr=3/bucket-0/data-1.parquet",
            "dt=2024-01-01/hr=3/bucket-0/data-1.parquet#1",
            "dt=x/hr=__DEFAULT_PARTITION__/bucket-postpone/data-2.parquet",
            "snapshot/snapshot-4#1",
            "snapshot/.snapshot-4.5c1e.tmp",
        ] {
            assert!(is_candidate(yes, &l), "{yes}");
        }
        for no in [
            "README.md",
            ".git/objects/ab/cdef",
            "photos/a.jpg",
            "notes/bucket-0/x",
            "dt=2024-01-01/bucket-0/data-1.parquet",
            "dt=2024-01-01/hr=3/bucket-0/sub/data-1.parquet",
            "dt=2024-01-01/hr=3/bucket-x/data-1.parquet",
            "hr=3/dt=2024-01-01/bucket-0/data-1.parquet",
            "snapshot/snapshot-4",
            "snapshot/LATEST",
            "schema/schema-0",
            "tag/tag-a",
            "consumer/consumer-a",
            "branch/branch-b/snapshot/snapshot-1",
            "statistics/stat-1",
            "manifest/sub/manifest-1",
        ] {
            assert!(!is_candidate(no, &l), "{no}");
        }
        let unpartitioned = layout(&["data"], &[]);
        assert!(is_candidate("data/bucket-3/data-1.orc", &unpartitioned));
        assert!(!is_candidate("bucket-3/data-1.orc", &unpartitioned));
    }
}

#[cfg(test)]
#[path = "orphan_tests.rs"]
mod dated_tests;
