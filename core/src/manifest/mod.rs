//! Manifests: the Avro files that list a snapshot's files.
//!
//! - A **manifest list** (`manifest/manifest-list-…`) lists manifests ([`ManifestFileMeta`]).
//! - A **manifest** (`manifest/manifest-…`) lists data-file additions and deletions
//!   ([`ManifestEntry`] holding a [`DataFileMeta`]).
//! - An **index manifest** (`manifest/index-manifest-…`) lists index files
//!   ([`IndexManifestEntry`]).
//!
//! Reading resolves fields by name and ignores record names, so files from Java (any version
//! since 0.8, nullable-union roots included) and pypaimon read alike. Writing produces Java's
//! current layout.

pub(crate) mod avro;
mod avro_schema;
mod entry;
mod fold;
mod index;
mod list;
pub mod schemas;

pub use avro::{read_container, write_container, AvroCodec, AvroFile, MAX_BLOCK_BYTES};
pub use entry::{DataFileMeta, FileKind, FileSource, ManifestEntry};
pub use fold::{
    fold_entries, live_files, read_manifest, read_manifest_list, snapshot_manifests,
    EntryIdentifier,
};
pub use index::{
    read_hash_index, write_hash_index, DeletionVectorMeta, GlobalIndexMeta, IndexManifestEntry,
};
pub use list::ManifestFileMeta;

use apache_avro::types::Value;

use crate::binary_row::BinaryRow;
use crate::stats::SimpleStats;
use crate::{Error, Result};
use avro::{val, Rec};

/// `_VERSION` of manifest and manifest-list records.
pub const MANIFEST_VERSION: i32 = 2;
/// `_VERSION` of index-manifest records.
pub const INDEX_MANIFEST_VERSION: i32 = 1;

/// Path of a manifest-directory file, relative to the table root. The name comes from
/// metadata, so it is checked to be a plain file name.
pub fn manifest_path(file_name: &str) -> Result<String> {
    crate::path::check_file_name(file_name, "manifest reference")?;
    Ok(format!("manifest/{file_name}"))
}

fn check_version(rec: &Rec<'_>, expected: i32, file: &str) -> Result<()> {
    let v = rec.int("_VERSION")?;
    if v != expected {
        return Err(Error::unsupported(
            file,
            format!(
                "record _VERSION {v} (expected {expected}; version 1 tables must be recreated)"
            ),
        ));
    }
    Ok(())
}

fn binary_row(rec: &Rec<'_>, field: &str, file: &str) -> Result<BinaryRow> {
    BinaryRow::deserialize(&rec.bytes(field)?)
        .map_err(|e| Error::corrupt(file, format!("field {field}: {e}")))
}

fn stats_from(rec: &Rec<'_>, field: &str, file: &str) -> Result<SimpleStats> {
    let s = rec.record(field)?;
    Ok(SimpleStats {
        min_values: binary_row(&s, "_MIN_VALUES", file)?,
        max_values: binary_row(&s, "_MAX_VALUES", file)?,
        null_counts: s.opt_nullable_longs("_NULL_COUNTS")?,
    })
}

fn stats_value(s: &SimpleStats) -> Value {
    val::record(vec![
        ("_MIN_VALUES", Value::Bytes(s.min_values.serialize())),
        ("_MAX_VALUES", Value::Bytes(s.max_values.serialize())),
        (
            "_NULL_COUNTS",
            val::opt(
                s.null_counts.as_ref().map(|c| {
                    Value::Array(c.iter().map(|n| val::opt(n.map(Value::Long))).collect())
                }),
            ),
        ),
    ])
}

/// Decodes every record of a container file with `decode`.
fn read_records<T>(
    data: &[u8],
    file: &str,
    decode: impl Fn(&Rec<'_>, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let f = read_container(data, file)?;
    f.records
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let rec = Rec::new(v, file)?;
            decode(&rec, file).map_err(|e| match e {
                Error::Corrupt { file, what } => Error::Corrupt {
                    file,
                    what: format!("record {i}: {what}"),
                },
                other => other,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
