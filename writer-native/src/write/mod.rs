//! `strata write`: input batches become Paimon data files and one commit.
//!
//! Rows are routed to (partition, bucket) with Paimon's fixed-bucket hash. Primary-key rows
//! get sequence numbers continuing from the bucket's maximum, are sorted by key and merged
//! per key with the table's merge engine, and are written as level-0 key-value files
//! (`_KEY_*`, `_SEQUENCE_NUMBER`, `_VALUE_KIND`, the row); append rows are written as they
//! are. Then one commit publishes them all, or nothing is published.

pub mod files;
pub mod input;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::now_millis;
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Int8Array, RecordBatch};
use arrow_row::{RowConverter, SortField};
use strata_core::binary_row::{datum_at, BinaryRow, Datum};
use strata_core::bucket::buckets_of_columns;
use strata_core::commit::{Attempt, CommitChanges, Committer};
use strata_core::manifest::{FileKind, FileSource, ManifestEntry};
use strata_core::merge::{assemble_merged, row_kind, KvBatch, MergeFunction};
use strata_core::options::{ChangelogProducer, TableOptions};
use strata_core::scan::{resolve_snapshot, SnapshotSpec};
use strata_core::snapshot::{CommitKind, Snapshot, BATCH_COMMIT_IDENTIFIER};
use strata_core::table::Table;
use strata_core::types::DataType;
use strata_core::{Error, Result};

pub use files::DataFileWriter;

/// Options of a write.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// A column whose values (`+I`, `-U`, `+U`, `-D`) give each row's kind; defaults to the
    /// table's `rowkind.field`.
    pub row_kind_column: Option<String>,
    /// Commit user; a fresh UUID when empty.
    pub commit_user: Option<String>,
    /// Replace data instead of adding to it (an OVERWRITE snapshot).
    pub overwrite: Option<Overwrite>,
    /// Commit identifier (unique per commit user; retries of one commit reuse it). Defaults to
    /// Paimon's batch identifier.
    pub commit_identifier: Option<i64>,
    /// Source offsets the rows come from (exactly-once ingest). A write with claims commits
    /// even when it has no rows, so the offsets advance.
    pub offsets: Vec<strata_core::commit::offsets::OffsetClaim>,
}

/// What an overwrite replaces.
#[derive(Debug, Clone, Default)]
pub struct Overwrite {
    /// Static partition spec (`k=v`, possibly partial). Empty: the partitions the new rows fall
    /// in when `dynamic-partition-overwrite` is on (the default) and the table is partitioned,
    /// otherwise the whole table.
    pub partition: Vec<(String, String)>,
}

fn parse_kind(s: &str) -> Option<i8> {
    match s.trim() {
        "+I" => Some(row_kind::INSERT),
        "-U" => Some(row_kind::UPDATE_BEFORE),
        "+U" => Some(row_kind::UPDATE_AFTER),
        "-D" => Some(row_kind::DELETE),
        _ => None,
    }
}

/// One input batch: where it came from (file, first line) and its rows (the table's columns,
/// then the row-kind column if it is not a table column).
pub struct Input {
    /// The input file.
    pub path: String,
    /// Line (or row) of the first row.
    pub first_line: usize,
    /// The rows.
    pub batch: RecordBatch,
}

/// Rows routed to one (partition, bucket).
struct Group {
    partition: BinaryRow,
    partition_values: Vec<Datum>,
    bucket: i32,
    rows: Vec<(usize, usize)>,
}

/// Writes `inputs` into `table` and commits them as one APPEND snapshot.
pub async fn write(
    table: Arc<Table>,
    inputs: Vec<Input>,
    opts: WriteOptions,
) -> Result<Option<Snapshot>> {
    let schema = table.schema().clone();
    let options = TableOptions::new(&schema.options);
    let pk = schema.has_primary_key();
    let buckets = schema.bucket_count()?;
    if buckets == -2 || (pk && buckets == -1) {
        return Err(Error::unsupported(
            "bucket",
            format!(
                "writing {} tables (use a fixed bucket count)",
                if buckets == -2 {
                    "postpone-bucket"
                } else {
                    "dynamic-bucket"
                }
            ),
        ));
    }
    if options.deletion_vectors() {
        return Err(Error::unsupported(
            "deletion-vectors.enabled",
            "writing deletion-vector tables",
        ));
    }
    let nfields = schema.fields.len();
    let kind_col = opts
        .row_kind_column
        .clone()
        .or_else(|| options.get("rowkind.field").map(String::from));
    let kind_index = kind_col.as_ref().map(|k| {
        schema
            .fields
            .iter()
            .position(|f| &f.name == k)
            .unwrap_or(nfields)
    });
    let pfields = schema.partition_fields()?;
    let ptypes: Vec<DataType> = pfields.iter().map(|f| f.data_type.clone()).collect();
    let pidx = positions(&schema, &pfields);
    let bfields = schema.bucket_key_fields()?;
    let btypes: Vec<DataType> = bfields.iter().map(|f| f.data_type.clone()).collect();
    let bidx = positions(&schema, &bfields);
    let pk_idx: Vec<usize> = schema
        .primary_keys
        .iter()
        .map(|k| {
            schema
                .fields
                .iter()
                .position(|f| &f.name == k)
                .expect("validated schema")
        })
        .collect();

    // Route every row; check keys and kinds on the way, naming file and line.
    let mut groups: Vec<Group> = Vec::new();
    let mut by_key: HashMap<Vec<u8>, HashMap<i32, usize>> = HashMap::new();
    let mut kinds: Vec<Vec<i8>> = Vec::with_capacity(inputs.len());
    for (bi, input) in inputs.iter().enumerate() {
        let b = &input.batch;
        let at = |r: usize| format!("{}: line {}", input.path, input.first_line + r);
        for (c, f) in schema.fields.iter().enumerate() {
            if f.data_type.nullable && !pk_idx.contains(&c) {
                continue;
            }
            if let Some(r) = (0..b.num_rows()).find(|&r| b.column(c).is_null(r)) {
                let what = if pk_idx.contains(&c) {
                    "primary-key column"
                } else {
                    "NOT NULL column"
                };
                return Err(Error::InvalidValue(format!(
                    "{}: {what} {} is missing",
                    at(r),
                    f.name
                )));
            }
        }
        let k: Vec<i8> = match kind_index {
            None => vec![row_kind::INSERT; b.num_rows()],
            Some(i) => {
                let col = b.column(i);
                let strings = col.as_string_opt::<i32>().ok_or_else(|| {
                    Error::InvalidValue(format!(
                        "{}: the row-kind column is not a string",
                        input.path
                    ))
                })?;
                (0..b.num_rows())
                    .map(|r| {
                        strings
                            .is_valid(r)
                            .then(|| parse_kind(strings.value(r)))
                            .flatten()
                            .ok_or_else(|| {
                                Error::InvalidValue(format!(
                                    "{}: row kind must be +I, -U, +U or -D",
                                    at(r)
                                ))
                            })
                    })
                    .collect::<Result<_>>()?
            }
        };
        if !pk && k.iter().any(|k| *k != row_kind::INSERT) {
            return Err(Error::InvalidValue(format!(
                "{}: append tables take only +I rows",
                input.path
            )));
        }
        kinds.push(k);
        let row_buckets: Option<Vec<i32>> = if buckets > 0 {
            let cols: Vec<ArrayRef> = bidx.iter().map(|&c| b.column(c).clone()).collect();
            Some(buckets_of_columns(&cols, &btypes, buckets)?)
        } else {
            None
        };
        // Unpartitioned tables route by bucket alone; partitioned ones build each row's
        // partition (cached while consecutive rows share it).
        let mut last: Option<(Vec<Datum>, BinaryRow, Vec<u8>)> = None;
        for r in 0..b.num_rows() {
            let pvals: Vec<Datum> = pidx
                .iter()
                .map(|&c| datum_at(b.column(c).as_ref(), r))
                .collect::<Result<_>>()?;
            if last.as_ref().is_none_or(|l| l.0 != pvals) {
                let partition = BinaryRow::encode(&ptypes, &pvals)
                    .map_err(|e| Error::InvalidValue(format!("{}: {e}", at(r))))?;
                let bytes = partition.serialize();
                last = Some((pvals.clone(), partition, bytes));
            }
            let (pvals, partition, bytes) = last.as_ref().expect("set above");
            let bucket = row_buckets.as_ref().map_or(0, |v| v[r]);
            let g = match by_key.get(bytes.as_slice()).and_then(|m| m.get(&bucket)) {
                Some(&g) => g,
                None => {
                    groups.push(Group {
                        partition: partition.clone(),
                        partition_values: pvals.clone(),
                        bucket,
                        rows: Vec::new(),
                    });
                    by_key
                        .entry(bytes.clone())
                        .or_default()
                        .insert(bucket, groups.len() - 1);
                    groups.len() - 1
                }
            };
            groups[g].rows.push((bi, r));
        }
    }
    let dynamic = options.bool("dynamic-partition-overwrite", true) && !pfields.is_empty();
    if let Some(o) = &opts.overwrite {
        for (k, _) in &o.partition {
            if !pfields.iter().any(|f| &f.name == k) {
                return Err(Error::InvalidValue(format!(
                    "--partition {k}: not a partition column"
                )));
            }
        }
        for g in &groups {
            if !partition_matches(&pfields, &g.partition_values, &o.partition, &schema) {
                return Err(Error::InvalidValue(format!(
                    "a row of partition {:?} lies outside the overwritten partition {:?}",
                    g.partition_values
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>(),
                    o.partition
                )));
            }
        }
    }
    if groups.is_empty()
        && opts.offsets.is_empty()
        && (opts.overwrite.is_none()
            || (dynamic
                && opts
                    .overwrite
                    .as_ref()
                    .is_some_and(|o| o.partition.is_empty())))
    {
        return Ok(None);
    }

    // Sequence numbers continue from each bucket's live maximum.
    let latest = resolve_snapshot(table.storage(), &SnapshotSpec::Latest).await?;
    // The latest live files, read once: sequence numbers and overwrites both need them.
    let live = match &latest {
        Some(s) if pk || opts.overwrite.is_some() => {
            strata_core::manifest::live_files(table.storage(), s).await?
        }
        _ => Vec::new(),
    };
    let mut max_seq: HashMap<(Vec<u8>, i32), i64> = HashMap::new();
    if pk {
        for e in &live {
            let m = max_seq
                .entry((e.partition.serialize(), e.bucket))
                .or_insert(-1);
            *m = (*m).max(e.file.max_sequence_number);
        }
    }

    let uuid = uuid::Uuid::new_v4().to_string();
    let mut writer = DataFileWriter::new(table.clone(), uuid.clone());
    let mut entries = Vec::new();
    let mut changelog = Vec::new();
    let producer = options.changelog_producer()?;
    let func = if pk {
        Some(MergeFunction::new(
            &options,
            &schema.fields,
            &schema.primary_keys,
        )?)
    } else {
        None
    };
    let key_idx: Vec<usize> = schema
        .trimmed_primary_keys()
        .iter()
        .map(|k| {
            schema
                .fields
                .iter()
                .position(|f| &f.name == k)
                .expect("key")
        })
        .collect();
    for g in groups {
        let sources: Vec<&RecordBatch> = inputs.iter().map(|i| &i.batch).collect();
        let cols: Vec<ArrayRef> = (0..nfields)
            .map(|c| {
                let arrays: Vec<&dyn Array> =
                    sources.iter().map(|b| b.column(c).as_ref()).collect();
                arrow_select::interleave::interleave(&arrays, &g.rows)
            })
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::InvalidValue(e.to_string()))?;
        let kinds = Int8Array::from(g.rows.iter().map(|&(b, r)| kinds[b][r]).collect::<Vec<_>>());
        let total_buckets = if buckets > 0 { buckets } else { -1 };
        let meta = match &func {
            None => {
                writer
                    .write_append(&g.partition_values, g.bucket, cols)
                    .await?
            }
            Some(func) => {
                let start = max_seq
                    .get(&(g.partition.serialize(), g.bucket))
                    .copied()
                    .unwrap_or(-1)
                    + 1;
                let seq: Vec<i64> = (start..start + kinds.len() as i64).collect();
                if producer == ChangelogProducer::Input {
                    let (c, k, s) = sort_by_key(&cols, &kinds, &seq, &key_idx)?;
                    let files = writer
                        .write_changelog(&g.partition_values, g.bucket, c, k, s, FileSource::Append)
                        .await?;
                    changelog.extend(files.into_iter().map(|file| ManifestEntry {
                        kind: FileKind::Add,
                        partition: g.partition.clone(),
                        bucket: g.bucket,
                        total_buckets,
                        file,
                    }));
                }
                let (cols, kinds, seq) = merge_in_buffer(cols, kinds, seq, &key_idx, func)?;
                writer
                    .write_key_value(
                        &g.partition_values,
                        g.bucket,
                        cols,
                        kinds,
                        seq,
                        0,
                        FileSource::Append,
                    )
                    .await?
            }
        };
        entries.extend(meta.into_iter().map(|file| ManifestEntry {
            kind: FileKind::Add,
            partition: g.partition.clone(),
            bucket: g.bucket,
            total_buckets,
            file,
        }));
    }
    let kind = if let Some(o) = &opts.overwrite {
        // Delete every live file of the replaced partitions (buckets >= 0), then add the new.
        let new_partitions: std::collections::HashSet<Vec<u8>> =
            entries.iter().map(|e| e.partition.serialize()).collect();
        for e in live {
            if e.bucket < 0 {
                continue;
            }
            let replaced = if !o.partition.is_empty() {
                let values = e.partition.decode(&ptypes)?;
                partition_matches(&pfields, &values, &o.partition, &schema)
            } else if dynamic {
                new_partitions.contains(&e.partition.serialize())
            } else {
                true
            };
            if replaced {
                entries.push(ManifestEntry {
                    kind: FileKind::Delete,
                    ..e
                });
            }
        }
        CommitKind::Overwrite
    } else {
        CommitKind::Append
    };
    if kind == CommitKind::Overwrite {
        changelog.clear(); // Paimon drops changelog produced by overwrites
    }
    let changes = CommitChanges {
        kind,
        entries,
        changelog,
        properties: None,
        offsets: opts.offsets.clone(),
    };
    let user = opts
        .commit_user
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    commit_with_retries(
        table,
        &user,
        &changes,
        opts.commit_identifier.unwrap_or(BATCH_COMMIT_IDENTIFIER),
        latest.map(|s| s.id),
    )
    .await
    .map(Some)
}

/// Where each of `fields` (columns of `schema`) sits among the schema's columns.
fn positions(
    schema: &strata_core::schema::TableSchema,
    fields: &[strata_core::types::DataField],
) -> Vec<usize> {
    fields
        .iter()
        .map(|f| {
            schema
                .fields
                .iter()
                .position(|x| x.id == f.id)
                .expect("a column of the schema")
        })
        .collect()
}

/// Whether partition `values` match a static spec, comparing as Paimon prints partition
/// values in paths (before escaping).
pub(crate) fn partition_matches(
    fields: &[strata_core::types::DataField],
    values: &[Datum],
    spec: &[(String, String)],
    schema: &strata_core::schema::TableSchema,
) -> bool {
    let default = schema
        .option("partition.default-name")
        .unwrap_or(strata_core::path::DEFAULT_PARTITION_NAME);
    let legacy = schema.option("partition.legacy-name") != Some("false");
    spec.iter().all(|(k, v)| {
        fields.iter().zip(values).any(|(f, d)| {
            &f.name == k
                && strata_core::path::partition_value_text(f, d, legacy)
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| default.to_string())
                    == *v
        })
    })
}

/// The key rows of the records and their order by key, then arrival (stable).
fn key_order(cols: &[ArrayRef], key_idx: &[usize]) -> Result<(arrow_row::Rows, Vec<usize>)> {
    let arrow = |e: arrow_schema::ArrowError| Error::InvalidValue(e.to_string());
    let key_cols: Vec<ArrayRef> = key_idx.iter().map(|&i| cols[i].clone()).collect();
    let fields = key_cols
        .iter()
        .map(|c| SortField::new(c.data_type().clone()))
        .collect();
    let rows = RowConverter::new(fields)
        .and_then(|conv| conv.convert_columns(&key_cols))
        .map_err(arrow)?;
    let mut order: Vec<usize> = (0..cols.first().map_or(0, |c| c.len())).collect();
    order.sort_by(|&a, &b| rows.row(a).cmp(&rows.row(b)).then(a.cmp(&b)));
    Ok((rows, order))
}

/// The records sorted by key, then arrival (stable), unmerged.
fn sort_by_key(
    cols: &[ArrayRef],
    kinds: &Int8Array,
    seq: &[i64],
    key_idx: &[usize],
) -> Result<(Vec<ArrayRef>, Int8Array, Vec<i64>)> {
    let (_, order) = key_order(cols, key_idx)?;
    let idx = arrow_array::UInt32Array::from(order.iter().map(|&i| i as u32).collect::<Vec<_>>());
    let cols = cols
        .iter()
        .map(|c| arrow_select::take::take(c.as_ref(), &idx, None))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| Error::InvalidValue(e.to_string()))?;
    let kinds = Int8Array::from(order.iter().map(|&i| kinds.value(i)).collect::<Vec<_>>());
    let seq = order.iter().map(|&i| seq[i]).collect();
    Ok((cols, kinds, seq))
}

/// Sorts a bucket's records by key (then arrival) and merges each key's records with the
/// merge engine, as Paimon's write buffer does before a flush.
fn merge_in_buffer(
    cols: Vec<ArrayRef>,
    kinds: Int8Array,
    seq: Vec<i64>,
    key_idx: &[usize],
    func: &MergeFunction,
) -> Result<(Vec<ArrayRef>, Int8Array, Vec<i64>)> {
    let (rows, order) = key_order(&cols, key_idx)?;
    let arena = vec![KvBatch {
        cols,
        seq: seq.into(),
        kind: kinds,
    }];
    let mut merged = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && rows.row(order[j]) == rows.row(order[i]) {
            j += 1;
        }
        let group: Vec<(usize, usize)> = order[i..j].iter().map(|&r| (0, r)).collect();
        if let Some(m) = func.merge(&group, &arena)? {
            merged.push(m);
        }
        i = j;
    }
    let out = assemble_merged(&arena, merged)?;
    let out_seq = out.seq.to_vec();
    let (cols, kinds) = (out.cols, out.kind);
    Ok((cols, kinds, out_seq))
}

/// Publishes a commit, retrying lost races with backoff (10 ms doubling to 10 s, up to 10
/// retries). A retry never lands twice: each attempt first looks for its own earlier success.
pub async fn commit_with_retries(
    table: Arc<Table>,
    user: &str,
    changes: &CommitChanges,
    identifier: i64,
    since: Option<i64>,
) -> Result<Snapshot> {
    let committer = Committer::new(table, user);
    let mut wait = Duration::from_millis(10);
    for attempt in 0..=10 {
        let uuid = uuid::Uuid::new_v4().to_string();
        match committer
            .try_commit(changes, identifier, &uuid, now_millis(), since)
            .await
        {
            Ok(Attempt::Committed(s)) => return Ok(*s),
            Ok(Attempt::Lost) if attempt < 10 => {
                let jitter = (uuid.as_bytes()[0] as u64 % 20) * wait.as_millis() as u64 / 100;
                tokio::time::sleep(wait + Duration::from_millis(jitter)).await;
                wait = (wait * 2).min(Duration::from_secs(10));
            }
            Ok(Attempt::Lost) => break,
            Err(e) => return Err(e),
        }
    }
    Err(Error::InvalidValue(
        "commit: gave up after 10 retries (too many concurrent committers)".into(),
    ))
}
