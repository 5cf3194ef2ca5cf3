//! Dropping partitions, as Paimon's `dropPartitions` does: one OVERWRITE commit that deletes
//! every live data file (and HASH index file) of the partitions a spec matches, writing no
//! rows. The commit itself is the writer's static-partition overwrite with no input; this
//! module owns the rules around it: which specs are valid, which partitions a spec matches,
//! and what a drop would remove.
//!
//! ```
//! use strata_core::drop_partition::check_spec;
//! use strata_core::schema::TableSchema;
//! let s = TableSchema::create(
//!     strata_core::types::parse_columns("id BIGINT, dt STRING, hr INT").unwrap(),
//!     vec!["dt".into(), "hr".into()], vec![], Default::default(), 0,
//! ).unwrap();
//! assert!(check_spec(&s, &[("dt".into(), "2024-01-01".into())]).is_ok());
//! assert!(check_spec(&s, &[("day".into(), "x".into())]).is_err());
//! ```

use std::collections::BTreeMap;

use crate::binary_row::Datum;
use crate::manifest::{live_files, ManifestEntry};
use crate::options::TableOptions;
use crate::path::partition_path;
use crate::scan::{resolve_snapshot, SnapshotSpec};
use crate::schema::TableSchema;
use crate::snapshot::Snapshot;
use crate::table::Table;
use crate::types::DataType;
use crate::{Error, Result};

/// Checks a partition spec (`k=v` pairs, possibly a prefix or any subset of the partition
/// keys): the table must be partitioned, every key a partition key, named once.
pub fn check_spec(schema: &TableSchema, spec: &[(String, String)]) -> Result<()> {
    if schema.partition_keys.is_empty() {
        return Err(Error::InvalidValue(
            "the table is not partitioned: there is no partition to drop".into(),
        ));
    }
    if spec.is_empty() {
        return Err(Error::InvalidValue(format!(
            "name the partition to drop, e.g. {}=VALUE (partition keys: {})",
            schema.partition_keys[0],
            schema.partition_keys.join(", ")
        )));
    }
    for (i, (k, _)) in spec.iter().enumerate() {
        if !schema.partition_keys.contains(k) {
            return Err(Error::InvalidValue(format!(
                "{k:?} is not a partition key (partition keys: {})",
                schema.partition_keys.join(", ")
            )));
        }
        if spec[..i].iter().any(|(other, _)| other == k) {
            return Err(Error::InvalidValue(format!(
                "partition key {k:?} is given twice"
            )));
        }
    }
    Ok(())
}

/// Whether a partition (its values, in partition-key order) matches `spec`: each named key's
/// value, written as in the partition's directory name (NULL and empty as
/// `partition.default-name`), equals the spec's text.
pub fn partition_matches(
    schema: &TableSchema,
    values: &[Datum],
    spec: &[(String, String)],
) -> Result<bool> {
    let fields = schema.partition_fields()?;
    Ok(crate::path::partition_matches(
        &fields, values, spec, schema,
    ))
}

/// What dropping a spec's partitions removes from a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DropPlan {
    /// The snapshot planned against; `None` for a table without snapshots.
    pub snapshot: Option<i64>,
    /// Each matched partition's directory (`dt=2024-01-01/`) with its live files and rows.
    pub partitions: BTreeMap<String, PartitionFiles>,
}

/// The live files of one partition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartitionFiles {
    /// Data files.
    pub files: usize,
    /// Rows in them (before merging).
    pub rows: i64,
    /// Their bytes.
    pub bytes: i64,
}

impl DropPlan {
    /// Data files in all matched partitions.
    pub fn files(&self) -> usize {
        self.partitions.values().map(|p| p.files).sum()
    }

    /// Rows in them (before merging: a primary-key table may hold several versions of a row).
    pub fn rows(&self) -> i64 {
        self.partitions.values().map(|p| p.rows).sum()
    }
}

/// The partitions of `entries` (live files of a snapshot) that `spec` matches, with their
/// files and rows. Files of postponed buckets (bucket -2) are left out: as in Paimon's
/// overwrite, they stay.
pub fn plan_entries(
    schema: &TableSchema,
    entries: &[ManifestEntry],
    spec: &[(String, String)],
) -> Result<BTreeMap<String, PartitionFiles>> {
    check_spec(schema, spec)?;
    let fields = schema.partition_fields()?;
    let types: Vec<DataType> = fields.iter().map(|f| f.data_type.clone()).collect();
    let options = TableOptions::new(&schema.options);
    let mut out: BTreeMap<String, PartitionFiles> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.bucket >= 0) {
        let values = e.partition.decode(&types)?;
        if !partition_matches(schema, &values, spec)? {
            continue;
        }
        let path = partition_path(
            &fields,
            &values,
            options.partition_default_name(),
            options.partition_legacy_name(),
        );
        let p = out.entry(path).or_default();
        p.files += 1;
        p.rows += e.file.row_count;
        p.bytes += e.file.file_size;
    }
    Ok(out)
}

/// What dropping `spec`'s partitions from the table's latest snapshot would remove.
pub async fn plan(table: &Table, spec: &[(String, String)]) -> Result<DropPlan> {
    check_spec(table.schema(), spec)?;
    let Some(snapshot): Option<Snapshot> =
        resolve_snapshot(table.storage(), &SnapshotSpec::Latest).await?
    else {
        return Ok(DropPlan::default());
    };
    let entries = live_files(table.storage(), &snapshot).await?;
    let schema = table.schema_by_id(snapshot.schema_id).await?;
    Ok(DropPlan {
        snapshot: Some(snapshot.id),
        partitions: plan_entries(&schema, &entries, spec)?,
    })
}

#[cfg(test)]
#[path = "drop_partition_tests.rs"]
mod tests;
