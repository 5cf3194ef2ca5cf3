//! Running a compaction: the plan's tasks ([`plan_compaction`]) read each bucket's files
//! merged with the table's merge engine, write the merged run (and the changelog a
//! compaction-fed changelog producer asks for) and commit them as one COMPACT snapshot.

use std::sync::Arc;

use std::collections::{HashMap, HashSet};

use super::dv;
use crate::compaction::plan_compaction;
use crate::deletion_vector::{deletion_files, deletion_index, DeletionFile};
use crate::manifest::{FileKind, FileSource, IndexManifestEntry, ManifestEntry};
use crate::merge::row_kind;
use crate::options::{ChangelogProducer, TableOptions};
use crate::path::bucket_dir;
use crate::read::{SplitContext, SplitReader};
use crate::scan::{resolve_snapshot, SnapshotSpec, Split};
use crate::schema::TableSchema;
use crate::snapshot::{CommitKind, Snapshot, BATCH_COMMIT_IDENTIFIER};
use crate::table::Table;
use crate::types::DataType;
use crate::{Error, Result};
use arrow_array::{ArrayRef, Int8Array};

use crate::commit::CommitChanges;
use crate::path::partition_matches;
use crate::write::files::KvFile;
use crate::write::{commit_with_retries, DataFileWriter, Progress, WriteEnv};

/// What a compaction does.
#[derive(Debug, Clone, Default)]
pub struct CompactOptions {
    /// Merge every run of each bucket into the highest level.
    pub full: bool,
    /// Only buckets of partitions matching this spec (`k=v`).
    pub partition: Vec<(String, String)>,
}

/// Compacts the table's buckets that need it (all of them with `full`); `None` if none did.
pub async fn compact(
    table: Arc<Table>,
    opts: CompactOptions,
    env: Arc<dyn WriteEnv>,
) -> Result<Option<Snapshot>> {
    compact_until(table, opts, env, std::future::pending()).await
}

/// [`compact`], stopped when `stop` resolves (Ctrl-C): between buckets, the files already
/// rewritten are deleted and nothing is committed; the error is [`Error::Uncommitted`]. A
/// bucket under way finishes first; a commit under way finishes.
pub async fn compact_until(
    table: Arc<Table>,
    opts: CompactOptions,
    env: Arc<dyn WriteEnv>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<Option<Snapshot>> {
    use futures::FutureExt;
    let stop = stop.fuse();
    futures::pin_mut!(stop);
    let schema = table.schema().clone();
    if !schema.has_primary_key() {
        return super::append_run::compact_append(table, opts, env, stop).await;
    }
    let options = TableOptions::new(&schema.options);
    // A postpone-bucket table's waiting rows get their buckets first; then the buckets are
    // compacted as any others.
    let assigned = if schema.bucket_count()? == crate::bucket::POSTPONE_BUCKET {
        super::postpone::assign_postponed(&table, &opts, env.clone()).await?
    } else {
        None
    };
    let Some((latest, live)) = latest_live(&table).await? else {
        return Ok(None);
    };
    let with_vectors = options.deletion_vectors();
    let (vectors, vector_index) = if with_vectors {
        (
            deletion_files(table.storage(), &latest).await?,
            deletion_index(table.storage(), &latest).await?,
        )
    } else {
        Default::default()
    };
    let lookup_changelog = options.changelog_producer()? == ChangelogProducer::Lookup;
    let tasks = plan_compaction(
        &live,
        &options,
        opts.full,
        &vectors,
        in_partitions(&schema, &opts.partition)?,
    )?;
    if tasks.is_empty() {
        return Ok(assigned);
    }
    let (clock, buckets) = (crate::log::Stopwatch::start(), tasks.len());
    let ctx = Arc::new(SplitContext::new(&schema, schema.fields.clone(), None)?);
    let writer = DataFileWriter::new(table.clone(), env.clone());
    let mut entries = Vec::new();
    let mut changelog = Vec::new();
    let mut index = Vec::new();
    let mut index_files = Vec::new();
    let index_uuid = env.unique_id();
    // Files written for buckets before a failure are unused: remove them on the way out.
    let written: Result<()> = async {
        for (done, task) in tasks.into_iter().enumerate() {
            env.progress(Progress::Compacted {
                done,
                total: buckets,
            });
            if (&mut stop).now_or_never().is_some() {
                return Err(Error::Uncommitted(Box::new(Error::InvalidValue(
                    "the compaction was stopped before its commit".into(),
                ))));
            }
            let (partition, bucket) = (task.partition.clone(), task.bucket);
            let dir = bucket_dir(&schema, &partition, bucket)?;
            let inputs: HashSet<&str> = task
                .unit
                .files
                .iter()
                .map(|f| f.file_name.as_str())
                .collect();
            let unit_vectors: HashMap<String, DeletionFile> = task
                .vectors
                .iter()
                .filter(|(name, _)| inputs.contains(name.as_str()))
                .map(|(n, f)| (n.clone(), f.clone()))
                .collect();
            let read = |files: Vec<crate::manifest::DataFileMeta>, live_only: bool| {
                let vectors = unit_vectors.clone();
                let (table, partition, dir, ctx) = (&table, &partition, &dir, &ctx);
                async move {
                    read_bucket(
                        table, partition, bucket, files, dir, ctx, live_only, vectors,
                    )
                    .await
                }
            };
            let (merged, before) = if with_vectors {
                // Lookup compaction: older rows of the unit's keys are merged in and marked.
                let unit = read(task.unit.files.clone(), false).await?;
                let bitmaps = dv::load_vectors(&table, &task).await?;
                let found = dv::look_up(&table, &dir, &ctx, &task, &bitmaps, &unit).await?;
                let before = if lookup_changelog {
                    let upper = task.unit.files.iter().filter(|f| f.level > 0).cloned();
                    Some(read(upper.collect(), true).await?.concat(&found.old)?)
                } else {
                    None
                };
                let merged = dv::merge_old(&ctx, unit, found.old)?;
                if let Some(next) = dv::next_vectors(&bitmaps, &inputs, &found.marks) {
                    let name = format!("index-{index_uuid}-{}", index_files.len());
                    index.extend(
                        dv::write_vectors(
                            &table,
                            &task,
                            &vector_index,
                            &next,
                            name,
                            &mut index_files,
                        )
                        .await?,
                    );
                }
                (merged, before)
            } else {
                let merged = read(task.unit.files.clone(), task.drop_deletes).await?;
                let before = match task.changelog_before.clone() {
                    Some(files) => Some(read(files, true).await?),
                    None => None,
                };
                (merged, before)
            };
            // Changelog producers that compaction feeds diff the bucket's values before and
            // after.
            if let Some(before) = before {
                // With deletion vectors `merged` is already the keys' live rows after.
                let live_after = if task.drop_deletes || with_vectors {
                    None
                } else {
                    Some(read(task.unit.files.clone(), true).await?)
                };
                if let Some((c, k, q)) = diff_changelog(
                    &before,
                    live_after.as_ref().unwrap_or(&merged),
                    &ctx.key_cols,
                )? {
                    let kv = KvFile {
                        prefix: "changelog-",
                        level: 0,
                        source: FileSource::Compact,
                    };
                    for file in writer.write_kv(&dir, kv, c, k, q).await? {
                        changelog.push(ManifestEntry {
                            kind: FileKind::Add,
                            partition: partition.clone(),
                            bucket,
                            total_buckets: task.total_buckets,
                            file,
                        });
                    }
                }
            }
            let kv = KvFile {
                prefix: "data-",
                level: task.unit.output_level,
                source: FileSource::Compact,
            };
            let out = writer
                .write_kv(
                    &dir,
                    kv,
                    merged.cols,
                    Int8Array::from(merged.kinds),
                    merged.seq,
                )
                .await?;
            entries.extend(
                live.iter()
                    .filter(|e| {
                        e.bucket == bucket
                            && e.partition == partition
                            && inputs.contains(e.file.file_name.as_str())
                    })
                    .map(|e| ManifestEntry {
                        kind: FileKind::Delete,
                        ..e.clone()
                    }),
            );
            entries.extend(out.into_iter().map(|file| ManifestEntry {
                kind: FileKind::Add,
                partition: partition.clone(),
                bucket,
                total_buckets: task.total_buckets,
                file,
            }));
        }
        Ok(())
    }
    .await;
    if let Err(e) = written {
        remove_outputs(&table, &schema, &entries, &changelog).await;
        remove_index_files(&table, &index_files).await;
        return Err(e);
    }
    if entries.is_empty() && index.is_empty() {
        return Ok(None);
    }
    tracing::info!(
        buckets,
        rewritten = entries
            .iter()
            .filter(|e| e.kind == FileKind::Delete)
            .count(),
        written = entries.iter().filter(|e| e.kind == FileKind::Add).count(),
        changelog_files = changelog.len(),
        ms = clock.ms(),
        "compaction rewrote its buckets; committing"
    );
    let committed =
        commit_compaction(&table, &latest, entries, changelog, index, env.as_ref()).await;
    if committed.as_ref().is_err_and(Error::is_unpublished) {
        remove_index_files(&table, &index_files).await;
    }
    committed
}

/// Deletes index files a compaction wrote (best effort), for one that will not commit.
async fn remove_index_files(table: &Table, paths: &[String]) {
    for p in paths {
        let _ = table.storage().delete(p).await;
    }
}

/// The latest snapshot and its live data files; `None` for a table without snapshots.
pub(super) async fn latest_live(table: &Table) -> Result<Option<(Snapshot, Vec<ManifestEntry>)>> {
    let Some(latest) = resolve_snapshot(table.storage(), &SnapshotSpec::Latest).await? else {
        return Ok(None);
    };
    let live = crate::manifest::live_files(table.storage(), &latest).await?;
    Ok(Some((latest, live)))
}

/// Whether a partition is among those `spec` (`k=v`, all of them when empty) selects.
pub(super) fn in_partitions<'a>(
    schema: &'a TableSchema,
    spec: &'a [(String, String)],
) -> Result<impl Fn(&crate::binary_row::BinaryRow) -> Result<bool> + 'a> {
    let pfields = schema.partition_fields()?;
    let ptypes: Vec<DataType> = pfields.iter().map(|f| f.data_type.clone()).collect();
    Ok(move |partition: &crate::binary_row::BinaryRow| {
        let values = partition.decode(&ptypes)?;
        Ok(partition_matches(&pfields, &values, spec, schema))
    })
}

/// Commits a compaction's entries (and changelog) as one COMPACT snapshot based on `latest`;
/// a commit that publishes nothing deletes the files it would have added.
pub(super) async fn commit_compaction(
    table: &Arc<Table>,
    latest: &Snapshot,
    entries: Vec<ManifestEntry>,
    changelog: Vec<ManifestEntry>,
    index: Vec<IndexManifestEntry>,
    env: &dyn WriteEnv,
) -> Result<Option<Snapshot>> {
    let changes = CommitChanges {
        kind: CommitKind::Compact,
        entries,
        changelog,
        properties: None,
        offsets: Vec::new(),
        index,
        index_base: Vec::new(),
        keys_read_at: None,
    };
    let user = env.unique_id();
    let committed = commit_with_retries(
        table.clone(),
        &user,
        &changes,
        BATCH_COMMIT_IDENTIFIER,
        Some(latest.id),
        env,
    )
    .await;
    if committed.as_ref().is_err_and(Error::is_unpublished) {
        // Nothing was published: the new files are unused.
        remove_outputs(table, table.schema(), &changes.entries, &changes.changelog).await;
    }
    committed.map(Some)
}

/// Deletes the files a compaction wrote (best effort), for one that will not commit.
pub(super) async fn remove_outputs(
    table: &Table,
    schema: &crate::schema::TableSchema,
    entries: &[ManifestEntry],
    changelog: &[ManifestEntry],
) {
    let mut files = Vec::new();
    for e in entries.iter().chain(changelog) {
        if e.kind != FileKind::Add {
            continue;
        }
        match (
            &e.file.external_path,
            bucket_dir(schema, &e.partition, e.bucket),
        ) {
            (Some(location), _) => files.push(location.clone()),
            (None, Ok(dir)) => files.push(format!("{dir}/{}", e.file.file_name)),
            (None, Err(_)) => {}
        }
    }
    let _ = crate::expire::delete_files(table.storage(), schema, &files).await;
}

/// Merged rows of a bucket: columns, kinds, sequence numbers.
pub(super) struct Rows3 {
    pub(super) cols: Vec<ArrayRef>,
    pub(super) kinds: Vec<i8>,
    pub(super) seq: Vec<i64>,
}

impl Rows3 {
    /// These rows followed by `other`'s.
    fn concat(self, other: &Rows3) -> Result<Rows3> {
        let cols = self
            .cols
            .iter()
            .zip(&other.cols)
            .map(|(a, b)| {
                arrow_select::concat::concat(&[a.as_ref(), b.as_ref()])
                    .map_err(|e| Error::InvalidValue(e.to_string()))
            })
            .collect::<Result<_>>()?;
        let mut kinds = self.kinds;
        kinds.extend_from_slice(&other.kinds);
        let mut seq = self.seq;
        seq.extend_from_slice(&other.seq);
        Ok(Rows3 { cols, kinds, seq })
    }
}

/// Reads `files` of a bucket merged, without retractions when `live_only`, skipping the rows
/// `deletion_files` delete.
#[allow(clippy::too_many_arguments)]
async fn read_bucket(
    table: &Arc<Table>,
    partition: &crate::binary_row::BinaryRow,
    bucket: i32,
    files: Vec<crate::manifest::DataFileMeta>,
    dir: &str,
    ctx: &Arc<SplitContext>,
    live_only: bool,
    deletion_files: HashMap<String, DeletionFile>,
) -> Result<Rows3> {
    let split = Split {
        partition: partition.clone(),
        bucket,
        files,
        raw_convertible: false,
        deletion_files,
    };
    let mut reader = SplitReader::new(split, dir.to_string(), ctx.clone())?;
    let mut parts: Vec<Vec<ArrayRef>> = vec![Vec::new(); ctx.fields.len()];
    let (mut kinds, mut seq) = (Vec::new(), Vec::new());
    while let Some(b) = reader.next(table).await? {
        let keep: Vec<u32> = (0..b.kind.len())
            .filter(|&r| !(live_only && row_kind::is_retract(b.kind.value(r))))
            .map(|r| r as u32)
            .collect();
        let idx = arrow_array::UInt32Array::from(keep.clone());
        for (c, col) in b.cols.iter().enumerate() {
            parts[c].push(
                arrow_select::take::take(col.as_ref(), &idx, None)
                    .map_err(|e| Error::InvalidValue(e.to_string()))?,
            );
        }
        kinds.extend(keep.iter().map(|&r| b.kind.value(r as usize)));
        seq.extend(keep.iter().map(|&r| b.seq[r as usize]));
    }
    let cols = parts
        .into_iter()
        .enumerate()
        .map(|(c, p)| {
            if p.is_empty() {
                return Ok(arrow_array::new_empty_array(&crate::types::to_arrow_type(
                    &ctx.fields[c].data_type,
                )));
            }
            let refs: Vec<&dyn arrow_array::Array> = p.iter().map(|a| a.as_ref()).collect();
            arrow_select::concat::concat(&refs).map_err(|e| Error::InvalidValue(e.to_string()))
        })
        .collect::<Result<_>>()?;
    Ok(Rows3 { cols, kinds, seq })
}

/// The changelog between a bucket's values before and after: `+I` for new keys, `-D` for
/// vanished ones, `-U`/`+U` for changed ones (unchanged rows produce nothing).
#[allow(clippy::type_complexity)]
fn diff_changelog(
    before: &Rows3,
    after: &Rows3,
    key_cols: &[usize],
) -> Result<Option<(Vec<ArrayRef>, Int8Array, Vec<i64>)>> {
    use arrow_row::{RowConverter, SortField};
    let arrow = |e: arrow_schema::ArrowError| Error::InvalidValue(e.to_string());
    let conv = |cols: &[ArrayRef]| {
        RowConverter::new(
            cols.iter()
                .map(|c| SortField::new(c.data_type().clone()))
                .collect(),
        )
        .map_err(arrow)
    };
    let kb: Vec<ArrayRef> = key_cols.iter().map(|&i| before.cols[i].clone()).collect();
    let ka: Vec<ArrayRef> = key_cols.iter().map(|&i| after.cols[i].clone()).collect();
    let kconv = conv(&kb)?;
    let (bk, ak) = (
        kconv.convert_columns(&kb).map_err(arrow)?,
        kconv.convert_columns(&ka).map_err(arrow)?,
    );
    let vconv = conv(&before.cols)?;
    let (bv, av) = (
        vconv.convert_columns(&before.cols).map_err(arrow)?,
        vconv.convert_columns(&after.cols).map_err(arrow)?,
    );
    let before_at: std::collections::HashMap<&[u8], usize> = (0..before.kinds.len())
        .map(|i| (bk.row(i).data(), i))
        .collect();
    let mut seen = vec![false; before.kinds.len()];
    let (mut idx, mut kinds, mut seq) = (Vec::new(), Vec::new(), Vec::new());
    for a in 0..after.kinds.len() {
        match before_at.get(ak.row(a).data()) {
            None => {
                idx.push((1, a));
                kinds.push(row_kind::INSERT);
                seq.push(after.seq[a]);
            }
            Some(&b) => {
                seen[b] = true;
                if bv.row(b) != av.row(a) {
                    idx.extend([(0, b), (1, a)]);
                    kinds.extend([row_kind::UPDATE_BEFORE, row_kind::UPDATE_AFTER]);
                    seq.extend([after.seq[a], after.seq[a]]);
                }
            }
        }
    }
    for (b, s) in seen.iter().enumerate() {
        if !s {
            idx.push((0, b));
            kinds.push(row_kind::DELETE);
            seq.push(before.seq[b]);
        }
    }
    if idx.is_empty() {
        return Ok(None);
    }
    let cols = (0..after.cols.len())
        .map(|c| {
            arrow_select::interleave::interleave(
                &[before.cols[c].as_ref(), after.cols[c].as_ref()],
                &idx,
            )
        })
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(arrow)?;
    Ok(Some((cols, Int8Array::from(kinds), seq)))
}
