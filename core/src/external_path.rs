//! Data files outside the table (`data-file.external-paths`): Paimon writes them under one of
//! the table's external roots (`<root>/<partition>/bucket-N/<file>`) and records the whole
//! location in the manifest's `_EXTERNAL_PATH`.
//!
//! Metadata is untrusted, so a file outside the table is reached only when its location lies
//! under a root the table's options declare, with no `.`/`..` or empty segment after it; the
//! driver's [`Storage::external`] then decides whether the user allowed that root at all.

use std::sync::Arc;

use crate::options::TableOptions;
use crate::storage::{check_path, Storage};
use crate::{Error, Result};

/// The option that declares the external roots.
pub const EXTERNAL_PATHS: &str = "data-file.external-paths";

/// A location split as Paimon's `Path` sees it: scheme, authority and path, so `file:/x`,
/// `file:///x` and `/x` are one place.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    scheme: String,
    authority: String,
    path: String,
}

impl Location {
    fn parse(text: &str) -> Option<Location> {
        let text = text.trim();
        if text.starts_with('/') {
            return Some(Location {
                scheme: "file".into(),
                authority: String::new(),
                path: text.to_string(),
            });
        }
        let (scheme, rest) = text.split_once(':')?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            return None;
        }
        let (authority, path) = match rest.strip_prefix("//") {
            Some(after) => match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, "/"),
            },
            None if rest.starts_with('/') => ("", rest),
            None => return None,
        };
        Some(Location {
            scheme: scheme.to_ascii_lowercase(),
            authority: authority.to_string(),
            path: path.to_string(),
        })
    }

    /// The path under `root` (no leading `/`), if this lies strictly inside it.
    fn under(&self, root: &Location) -> Option<String> {
        if self.scheme != root.scheme || self.authority != root.authority {
            return None;
        }
        let base = root.path.trim_end_matches('/');
        let rest = self.path.strip_prefix(base)?.strip_prefix('/')?;
        Some(rest.to_string())
    }
}

/// Whether `text` is a location (a scheme's URL, or an absolute path) rather than a path in
/// the table, which is never absolute and whose partition values escape `:`.
pub fn is_location(text: &str) -> bool {
    (text.starts_with('/') || text.contains(":/")) && Location::parse(text).is_some()
}

/// The scheme of a location, lower case (`file` for an absolute path); `None` if it is not
/// one.
pub fn scheme(location: &str) -> Option<String> {
    Location::parse(location).map(|l| l.scheme)
}

/// The table's declared external roots, as written in its options.
pub fn declared_roots(options: &TableOptions<'_>) -> Vec<String> {
    options
        .get(EXTERNAL_PATHS)
        .map(|v| {
            v.split(',')
                .map(|r| r.trim().trim_end_matches('/').to_string())
                .filter(|r| !r.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Where a file recorded at `external` (its `_EXTERNAL_PATH`; `file` names it in errors) lies:
/// the declared root it is under and its path below that root.
pub fn resolve(options: &TableOptions<'_>, external: &str, file: &str) -> Result<(String, String)> {
    let outside = |why: &str| {
        Error::corrupt(
            file,
            format!(
                "_EXTERNAL_PATH {external:?} {why}; the table declares {EXTERNAL_PATHS} = {:?}",
                options.get(EXTERNAL_PATHS).unwrap_or("")
            ),
        )
    };
    let at = Location::parse(external).ok_or_else(|| outside("is not a location"))?;
    for root in declared_roots(options) {
        let Some(base) = Location::parse(&root) else {
            continue;
        };
        if let Some(rel) = at.under(&base) {
            check_path(&rel).map_err(|_| outside("leaves its root"))?;
            return Ok((root, rel));
        }
    }
    Err(outside("lies under none of the table's external roots"))
}

/// The storage and path of a file recorded at `external` (see [`resolve`]).
pub fn open(
    storage: &dyn Storage,
    options: &TableOptions<'_>,
    external: &str,
    file: &str,
) -> Result<(Arc<dyn Storage>, String)> {
    let (root, rel) = resolve(options, external, file)?;
    Ok((storage.external(&root)?, rel))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn options(roots: &str) -> BTreeMap<String, String> {
        [(EXTERNAL_PATHS.to_string(), roots.to_string())].into()
    }

    #[test]
    fn files_resolve_under_a_declared_root_in_any_spelling_of_it() {
        let o = options("file:///data/ext1/, s3://bucket/tables/ext2");
        let o = TableOptions::new(&o);
        assert_eq!(
            resolve(&o, "file:/data/ext1/dt=a/bucket-0/data-1.parquet", "f").unwrap(),
            (
                "file:///data/ext1".to_string(),
                "dt=a/bucket-0/data-1.parquet".to_string()
            )
        );
        assert_eq!(
            resolve(&o, "/data/ext1/bucket-0/data-1.parquet", "f")
                .unwrap()
                .1,
            "bucket-0/data-1.parquet"
        );
        assert_eq!(
            resolve(&o, "s3://bucket/tables/ext2/bucket-1/d.orc", "f").unwrap(),
            (
                "s3://bucket/tables/ext2".to_string(),
                "bucket-1/d.orc".to_string()
            )
        );
    }

    #[test]
    fn files_anywhere_else_are_refused_naming_the_file() {
        let o = options("file:///data/ext1,s3://bucket/ext2");
        let o = TableOptions::new(&o);
        for bad in [
            "file:/data/ext1/../secret/data.parquet",
            "file:/data/ext1/./x",
            "file:/data/ext1//x",
            "file:/data/ext10/x",
            "file:/data/ext1",
            "s3://other/ext2/x",
            "s3://bucket/ext2x/x",
            "gs://bucket/ext2/x",
            "data.parquet",
            "",
        ] {
            let e = resolve(&o, bad, "manifest-1").unwrap_err().to_string();
            assert!(e.contains("manifest-1"), "{bad}: {e}");
        }
        let none = BTreeMap::new();
        let e = resolve(&TableOptions::new(&none), "file:/x/y", "m").unwrap_err();
        assert!(
            e.to_string().contains("none of the table's external roots"),
            "{e}"
        );
    }
}
