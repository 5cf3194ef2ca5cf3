//! Listing and deleting on a local table directory without following symbolic links.
//!
//! `object_store`'s local listing follows links (a link inside a table to `/home` would list,
//! and orphan cleaning would delete, files outside the table) and hides its own staging files
//! (`name#N`, left behind when a writer is killed mid-upload), so orphan cleaning could never
//! remove them. These walk the directory tree themselves instead.

use std::io;
use std::path::{Path, PathBuf};

use strata_core::storage::ObjectMeta;

/// Lists the files under `root/prefix` recursively, as paths relative to `root` joined with
/// `/`. The prefix directory itself may be a link (the table's own layout); below it, links
/// are neither followed nor reported. Names that are not UTF-8 cannot be table files and are
/// skipped.
pub fn list(root: &Path, prefix: &str) -> io::Result<Vec<ObjectMeta>> {
    let start = if prefix.is_empty() {
        root.to_path_buf()
    } else {
        root.join(prefix)
    };
    match std::fs::metadata(&start) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Ok(Vec::new()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    }
    let mut out = Vec::new();
    let mut dirs: Vec<(PathBuf, String)> = vec![(start, prefix.trim_matches('/').to_string())];
    while let Some((dir, rel)) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            // Removed while we walked (a concurrent expiration): nothing to list there.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let child = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type()?;
            if kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                dirs.push((entry.path(), child));
            } else if kind.is_file() {
                let meta = match entry.metadata() {
                    Ok(m) => m,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                };
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .and_then(|d| i64::try_from(d.as_millis()).ok());
                out.push(ObjectMeta {
                    path: child,
                    size: meta.len(),
                    last_modified: modified,
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Deletes the file `root/rel` (absent is fine). Refuses when a directory on the way is a
/// symbolic link, or the file itself is not a regular file: a deletion never leaves the table.
pub fn delete(root: &Path, rel: &str) -> io::Result<()> {
    let mut at = root.to_path_buf();
    let segments: Vec<&str> = rel.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        at.push(seg);
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let last = i + 1 == segments.len();
        if meta.file_type().is_symlink() || (last && !meta.is_file()) {
            return Err(io::Error::other(format!(
                "refusing to delete {rel}: {} is a symbolic link or not a plain file, and a \
                 deletion must stay inside the table",
                segments[..=i].join("/")
            )));
        }
    }
    match std::fs::remove_file(&at) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_skips_links_and_keeps_staging_files() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("precious.txt"), b"mine").unwrap();
        let table = tempfile::tempdir().unwrap();
        let root = table.path();
        std::fs::create_dir_all(root.join("bucket-0")).unwrap();
        std::fs::write(root.join("bucket-0/data-1.parquet"), b"x").unwrap();
        std::fs::write(root.join("bucket-0/data-2.parquet#1"), b"partial").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("bucket-1")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("precious.txt"),
            root.join("bucket-0/data-3.parquet"),
        )
        .unwrap();
        let paths: Vec<String> = list(root, "")
            .unwrap()
            .into_iter()
            .map(|o| o.path)
            .collect();
        assert_eq!(
            paths,
            vec!["bucket-0/data-1.parquet", "bucket-0/data-2.parquet#1"]
        );
        assert!(list(root, "bucket-0").unwrap()[0].last_modified.is_some());
        assert!(list(root, "nothing").unwrap().is_empty());

        assert!(delete(root, "bucket-1/precious.txt").is_err());
        assert!(delete(root, "bucket-0/data-3.parquet").is_err());
        assert!(outside.path().join("precious.txt").exists());
        delete(root, "bucket-0/data-2.parquet#1").unwrap();
        delete(root, "bucket-0/absent").unwrap();
        assert!(!root.join("bucket-0/data-2.parquet#1").exists());
    }
}
