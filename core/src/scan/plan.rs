//! Building splits from a snapshot's manifests.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};

use crate::binary_row::{BinaryRow, Datum};
use crate::bucket::bucket_of;
use crate::bucket::BucketKey;
use crate::deletion_vector::DeletionFile;
use crate::manifest::{
    fold_entries, read_manifest, snapshot_manifests, DataFileMeta, FileKind, ManifestEntry,
    ManifestFileMeta,
};
use crate::predicate::{BoundPredicate, ColumnFacts};
use crate::schema::TableSchema;
use crate::snapshot::Snapshot;
use crate::stats::SimpleStats;
use crate::table::Table;
use crate::types::DataType;
use crate::{Error, Result};

/// The files of one (partition, bucket) that a read merges or concatenates.
#[derive(Debug, Clone)]
pub struct Split {
    /// The partition row.
    pub partition: BinaryRow,
    /// The bucket.
    pub bucket: i32,
    /// Live files, in manifest order.
    pub files: Vec<DataFileMeta>,
    /// Whether the files can be read without a merge (append tables; primary-key splits
    /// whose files do not overlap and hold no retract rows).
    pub raw_convertible: bool,
    /// Deletion vectors of the split's files, by file name.
    pub deletion_files: HashMap<String, DeletionFile>,
}

fn nullable(t: &[DataType]) -> Vec<DataType> {
    t.iter().map(|t| t.with_nullable(true)).collect()
}

/// Facts for the partition columns, from manifest-list partition stats.
fn manifest_may_match(
    m: &ManifestFileMeta,
    ptypes: &[DataType],
    names: &[String],
    filter: &BoundPredicate,
) -> bool {
    let Ok((mins, maxs)) = m.partition_stats.decode(ptypes) else {
        return true; // stats we cannot decode prune nothing
    };
    let rows = m.num_added_files + m.num_deleted_files;
    filter.may_match(&|c: &str| {
        let i = names.iter().position(|n| n == c)?;
        Some(ColumnFacts {
            min: mins[i].clone(),
            max: maxs[i].clone(),
            null_count: m
                .partition_stats
                .null_counts
                .as_ref()
                .and_then(|n| n.get(i).copied().flatten()),
            row_count: rows,
        })
    })
}

/// Facts that hold exactly for one partition value.
fn partition_facts<'a>(
    names: &'a [String],
    values: &'a [Datum],
) -> impl Fn(&str) -> Option<ColumnFacts> + 'a {
    move |c: &str| {
        let i = names.iter().position(|n| n == c)?;
        let v = values[i].clone();
        Some(ColumnFacts {
            null_count: Some(i64::from(v.is_null())),
            min: v.clone(),
            max: v,
            row_count: 1,
        })
    }
}

/// The buckets a filter restricts the read to, when it pins every bucket-key column by
/// equality; `None` to read all buckets.
fn pinned_bucket_keys(
    schema: &TableSchema,
    filter: &BoundPredicate,
) -> Result<Option<Vec<BinaryRow>>> {
    let fields = schema.bucket_key_fields()?;
    if fields.is_empty() {
        return Ok(None);
    }
    let mut combos: Vec<Vec<Datum>> = vec![vec![]];
    for f in &fields {
        let Some(values) = filter.pinned_values(&f.name) else {
            return Ok(None);
        };
        combos = combos
            .into_iter()
            .flat_map(|c| {
                values
                    .iter()
                    .map(move |v| [c.clone(), vec![v.clone()]].concat())
            })
            .collect();
        if combos.len() > 1024 {
            return Ok(None);
        }
    }
    let types: Vec<DataType> = fields
        .iter()
        .map(|f| f.data_type.with_nullable(true))
        .collect();
    Ok(Some(
        combos
            .iter()
            .map(|c| BinaryRow::encode(&types, c))
            .collect::<Result<_>>()?,
    ))
}

/// How many manifests a plan reads at once.
const MANIFEST_READS: usize = 16;

/// Live files of `snapshot` that may hold rows matching `filter`, with partition, bucket and
/// level pruning applied before the fold and stats pruning after it.
pub async fn plan_files(
    table: &Table,
    snapshot: &Snapshot,
    filter: Option<&BoundPredicate>,
) -> Result<Vec<ManifestEntry>> {
    let storage = table.storage();
    let schema = table.schema_by_id(snapshot.schema_id).await?;
    let options = crate::options::TableOptions::new(&schema.options);
    let pfields = schema.partition_fields()?;
    let pnames: Vec<String> = pfields.iter().map(|f| f.name.clone()).collect();
    let ptypes: Vec<DataType> = pfields.iter().map(|f| f.data_type.clone()).collect();
    let pk = schema.has_primary_key();
    let skip_level0 = pk && options.batch_scan_skip_level0()?;
    let buckets = match filter {
        Some(f) => pinned_bucket_keys(&schema, f)?,
        None => None,
    };

    let manifests: Vec<_> = snapshot_manifests(storage, snapshot)
        .await?
        .into_iter()
        .filter(|m| filter.is_none_or(|f| manifest_may_match(m, &nullable(&ptypes), &pnames, f)))
        .collect();
    // Manifests are independent reads: a few at a time, their entries kept in manifest order.
    let read: Vec<_> = futures::stream::iter(&manifests)
        .map(|m| read_manifest(storage, &m.file_name))
        .buffered(MANIFEST_READS)
        .try_collect()
        .await?;
    let mut entries = Vec::new();
    for (m, manifest_entries) in manifests.iter().zip(read) {
        for e in manifest_entries {
            if e.bucket == -2 || (skip_level0 && e.file.level == 0) {
                continue;
            }
            if let Some(f) = filter {
                let values = e
                    .partition
                    .decode(&ptypes)
                    .map_err(|x| x.in_file(&m.file_name))?;
                if !f.may_match(&partition_facts(&pnames, &values)) {
                    continue;
                }
            }
            if let Some(keys) = &buckets {
                if e.total_buckets > 0
                    && !keys
                        .iter()
                        .any(|k| bucket_of(k, e.total_buckets) == e.bucket)
                {
                    continue;
                }
            }
            entries.push(e);
        }
    }
    let folded = fold_entries(entries)?;
    if let Some(d) = folded.iter().find(|e| e.kind == FileKind::Delete) {
        return Err(Error::corrupt(
            crate::snapshot::snapshot_path(snapshot.id),
            format!("DELETE of {} which no manifest adds", d.file.file_name),
        ));
    }
    let Some(filter) = filter else {
        return Ok(folded);
    };
    let mut out = Vec::with_capacity(folded.len());
    for e in folded {
        if file_may_match(table, &schema, &e.file, filter).await? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Stats pruning of one file. Primary-key tables prune only on key columns (a value filter
/// could drop a newer version of a row and resurrect an older one); append tables on any
/// column whose type is unchanged since the file was written.
async fn file_may_match(
    table: &Table,
    read_schema: &TableSchema,
    file: &DataFileMeta,
    filter: &BoundPredicate,
) -> Result<bool> {
    let file_schema = table.schema_by_id(file.schema_id).await?;
    let pk = read_schema.has_primary_key();
    let (stats, names): (&SimpleStats, Vec<String>) = if pk {
        (&file.key_stats, file_schema.trimmed_primary_keys())
    } else {
        let names = match &file.value_stats_cols {
            Some(cols) => cols.clone(),
            None => file_schema.fields.iter().map(|f| f.name.clone()).collect(),
        };
        (&file.value_stats, names)
    };
    if names.is_empty() || stats.min_values.arity() != names.len() {
        return Ok(true);
    }
    let Ok(fields) = file_schema.fields_named(&names) else {
        return Ok(true);
    };
    let types: Vec<DataType> = fields
        .iter()
        .map(|f| f.data_type.with_nullable(true))
        .collect();
    let Ok((mins, maxs)) = stats.decode(&types) else {
        return Ok(true);
    };
    let by_read_name: BTreeMap<String, usize> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let now = read_schema.fields.iter().find(|r| r.id == f.id)?;
            (now.data_type.kind == f.data_type.kind).then(|| (now.name.clone(), i))
        })
        .collect();
    Ok(filter.may_match(&|c: &str| {
        let i = *by_read_name.get(c)?;
        Some(ColumnFacts {
            min: mins[i].clone(),
            max: maxs[i].clone(),
            null_count: stats
                .null_counts
                .as_ref()
                .and_then(|n| n.get(i).copied().flatten()),
            row_count: file.row_count,
        })
    }))
}

/// Groups planned files into one split per (partition, bucket), ordered by partition bytes
/// and bucket, attaches their deletion vectors, and decides which splits can skip the merge.
pub fn plan_splits(
    schema: &Arc<TableSchema>,
    files: Vec<ManifestEntry>,
    mut deletion_files: HashMap<BucketKey, HashMap<String, DeletionFile>>,
) -> Result<Vec<Split>> {
    let options = crate::options::TableOptions::new(&schema.options);
    let pk = schema.has_primary_key();
    let dv = options.deletion_vectors();
    let first_row = options.merge_engine()? == crate::options::MergeEngine::FirstRow;
    let mut groups: BTreeMap<BucketKey, Split> = BTreeMap::new();
    for e in files {
        groups
            .entry(e.bucket_key())
            .or_insert_with(|| Split {
                partition: e.partition.clone(),
                bucket: e.bucket,
                files: Vec::new(),
                raw_convertible: false,
                deletion_files: deletion_files.remove(&e.bucket_key()).unwrap_or_default(),
            })
            .files
            .push(e.file);
    }
    let mut splits: Vec<Split> = groups.into_values().collect();
    for s in &mut splits {
        s.raw_convertible = !pk || {
            let no_deletes = s.files.iter().all(|f| f.delete_row_count == Some(0));
            let all_upper = s.files.iter().all(|f| f.level != 0);
            let one_level = s.files.windows(2).all(|w| w[0].level == w[1].level);
            no_deletes && ((all_upper && (dv || first_row || one_level)) || s.files.len() == 1)
        };
    }
    Ok(splits)
}
