//! Writing: input batches become Paimon data files and one commit.
//!
//! Rows are routed to (partition, bucket) with Paimon's fixed-bucket hash and buffered per
//! bucket, within the table's `write-buffer-size`. Primary-key rows get sequence numbers
//! continuing from the bucket's maximum; a flush sorts them by key, merges each key's records
//! with the table's merge engine and writes one sorted run of level-0 key-value files
//! (`_KEY_*`, `_SEQUENCE_NUMBER`, `_VALUE_KIND`, the row); append rows are written as they
//! are. When the buffer fills, the largest bucket's rows are flushed early (a write bigger
//! than memory leaves several sorted runs for compaction to merge); the rest are flushed at
//! the end, several buckets at once. Then one commit publishes them all, or nothing is
//! published and the written files are deleted.

#[cfg(test)]
mod append_compact_tests;
mod assignment;
#[cfg(feature = "avro")]
mod avro;
mod buffer;
mod column_stats;
mod commit;
#[cfg(test)]
mod compact_stop_tests;
mod cross_partition;
#[cfg(test)]
mod cross_partition_tests;
#[cfg(test)]
mod delete_tests;
#[cfg(test)]
mod deletion_vector_tests;
mod dynamic;
mod env;
mod external;
#[cfg(test)]
mod external_path_tests;
pub mod files;
mod layout;
#[cfg(test)]
mod postpone_tests;
mod sort;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

use crate::binary_row::{BinaryRow, Datum};
use crate::bucket::{BucketKey, POSTPONE_BUCKET};
use crate::commit::{Attempt, CommitChanges, Committer};
use crate::dynamic_bucket::DynamicBucketOptions;
use crate::key_value::RowKind;
use crate::manifest::{FileKind, IndexManifestEntry, ManifestEntry};
use crate::options::{ChangelogProducer, TableOptions};
use crate::read::SplitContext;
use crate::scan::{resolve_snapshot, SnapshotSpec};
use crate::snapshot::{CommitKind, Snapshot, BATCH_COMMIT_IDENTIFIER};
use crate::table::Table;
use crate::{Error, Result};
use arrow_array::{ArrayRef, RecordBatch};
use buffer::{BucketBuffer, FlushRules, Flushed};

pub use crate::path::partition_matches;
pub(crate) use assignment::Assignment;
pub use commit::commit_with_retries;
pub(crate) use commit::Backoff;
use cross_partition::GlobalIndex;
use dynamic::{hash_entries, DynamicBuckets, IndexChanges};
pub use env::{FixedEnv, Progress, WriteEnv};
pub use files::DataFileWriter;
use layout::Layout;

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
    pub offsets: Vec<crate::commit::offsets::OffsetClaim>,
    /// Input files' columns the table lacks are dropped instead of refused (the driver's
    /// input decoding reads this).
    pub ignore_unknown_columns: bool,
}

/// What an overwrite replaces.
#[derive(Debug, Clone, Default)]
pub struct Overwrite {
    /// Static partition spec (`k=v`, possibly partial). Empty: the partitions the new rows fall
    /// in when `dynamic-partition-overwrite` is on (the default) and the table is partitioned,
    /// otherwise the whole table.
    pub partition: Vec<(String, String)>,
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
    /// Each row's kind, where the driver has them typed (CDC ingest); otherwise they come
    /// from the row-kind column, or every row is `+I`.
    pub kinds: Option<Vec<RowKind>>,
}

/// A write in progress: rows are pushed in batches, buffered per (partition, bucket) within
/// the table's `write-buffer-size`, flushed as sorted runs of level-0 files when the buffer
/// fills, and committed as one snapshot by [`commit`](Self::commit). A write that fails
/// before its commit deletes the files it wrote ([`abort`](Self::abort)).
pub struct TableWriter {
    table: Arc<Table>,
    opts: WriteOptions,
    layout: Layout,
    rules: FlushRules,
    latest: Option<Snapshot>,
    live: Vec<ManifestEntry>,
    max_seq: HashMap<BucketKey, i64>,
    buffers: Vec<BucketBuffer>,
    index: HashMap<BucketKey, usize>,
    buffered: usize,
    budget: usize,
    writer: DataFileWriter,
    entries: Vec<ManifestEntry>,
    changelog: Vec<ManifestEntry>,
    written: Vec<String>,
    dynamic: Option<DynamicBuckets>,
    /// Cross-partition upserts: where every key of the table lives.
    global: Option<GlobalIndex>,
    /// A compaction giving the postpone bucket's rows real buckets.
    assigning: Option<Assignment>,
    index_changes: IndexChanges,
    /// The commit user (postpone-bucket file names carry it).
    user: String,
    env: Arc<dyn WriteEnv>,
}

impl TableWriter {
    /// Starts a write into `table`: reads the latest snapshot's live files (sequence numbers
    /// continue from each bucket's maximum; overwrites replace them). `env` is the driver's
    /// clock, ids and threads.
    pub async fn new(
        table: Arc<Table>,
        opts: WriteOptions,
        env: Arc<dyn WriteEnv>,
    ) -> Result<Self> {
        Self::start(table, opts, env, None).await
    }

    /// A compaction of a postpone-bucket table's waiting rows, which it is then given
    /// ([`push`](Self::push), in the order they were written): each goes to its real bucket
    /// as a write would put it, after that bucket's rows.
    pub(crate) async fn assigning(
        table: Arc<Table>,
        env: Arc<dyn WriteEnv>,
        assignment: Assignment,
    ) -> Result<Self> {
        Self::start(table, WriteOptions::default(), env, Some(assignment)).await
    }

    async fn start(
        table: Arc<Table>,
        opts: WriteOptions,
        env: Arc<dyn WriteEnv>,
        assigning: Option<Assignment>,
    ) -> Result<Self> {
        let schema = table.schema().clone();
        let options = TableOptions::new(&schema.options);
        let layout = Layout::new(&schema, &options, &opts)?;
        let latest = resolve_snapshot(table.storage(), &SnapshotSpec::Latest).await?;
        let live = match &latest {
            Some(s) if layout.pk || opts.overwrite.is_some() => {
                crate::manifest::live_files(table.storage(), s).await?
            }
            _ => Vec::new(),
        };
        let mut max_seq: HashMap<BucketKey, i64> = HashMap::new();
        if layout.pk {
            for e in &live {
                let m = max_seq.entry(e.bucket_key()).or_insert(-1);
                *m = (*m).max(e.file.max_sequence_number);
            }
        }
        let merge = SplitContext::new(&schema, schema.fields.clone(), None)?;
        let rules = FlushRules {
            key_idx: merge.key_cols,
            seq_cols: merge.seq_cols,
            seq_descending: merge.seq_descending,
            func: merge.func,
            changelog: layout.pk && options.changelog_producer()? == ChangelogProducer::Input,
        };
        let budget = options.write_buffer_size()?.min(usize::MAX as u64) as usize;
        let global = if layout.cross_partition && opts.overwrite.is_none() {
            let clock = crate::log::Stopwatch::start();
            let index = GlobalIndex::bootstrap(
                &table,
                latest.as_ref(),
                &live,
                DynamicBucketOptions::new(&options)?.target_rows,
                options.merge_engine()?,
                options
                    .duration_or_default("cross-partition-upsert.index-ttl")?
                    .map(|ttl| {
                        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
                        (ms, env.now_millis())
                    }),
            )
            .await?;
            tracing::info!(
                keys = index.len(),
                ms = clock.ms(),
                "read the table's keys for cross-partition upserts"
            );
            Some(index)
        } else {
            None
        };
        let dynamic = if layout.dynamic_bucket && !layout.cross_partition {
            let entries = hash_entries(table.storage(), latest.as_ref()).await?;
            Some(DynamicBuckets::new(
                &options,
                entries,
                opts.overwrite.is_some(),
            )?)
        } else {
            None
        };
        let assigning = match assigning {
            None if layout.postpone && opts.overwrite.is_some() => {
                Some(Assignment::overwrite(&options, &live)?)
            }
            a => a,
        };
        let mut writer = DataFileWriter::new(table.clone(), env.clone());
        let user = opts.commit_user.clone().unwrap_or_else(|| env.unique_id());
        if layout.postpone && assigning.is_none() {
            writer = writer.postponed(&user);
        }
        Ok(TableWriter {
            table,
            opts,
            layout,
            rules,
            latest,
            live,
            max_seq,
            buffers: Vec::new(),
            index: HashMap::new(),
            buffered: 0,
            budget,
            writer,
            entries: Vec::new(),
            changelog: Vec::new(),
            written: Vec::new(),
            dynamic,
            global,
            assigning,
            index_changes: IndexChanges::default(),
            user,
            env,
        })
    }

    /// Checks, routes and buffers a batch of rows; flushes the largest buffers while the
    /// buffered rows exceed the write buffer.
    pub async fn push(&mut self, input: Input) -> Result<()> {
        let schema = self.table.schema().clone();
        let mut kinds = self.layout.check(&schema, &input)?;
        let (mut parts, mut of_row, mut buckets) = self.layout.route(&input)?;
        let mut input = input;
        if self.layout.cross_partition && self.opts.overwrite.is_some() {
            // Dropping partitions is fine; rows would need their keys looked up elsewhere.
            return Err(Error::unsupported(
                "bucket",
                "overwriting a table with cross-partition upserts (a dynamic-bucket table \
                 whose primary key lacks a partition column) with rows: a replaced key may \
                 live in another partition",
            ));
        }
        if let Some(g) = &mut self.global {
            let routed = g.route(&self.layout, input, kinds, &mut parts, of_row)?;
            (input, kinds, of_row, buckets) =
                (routed.input, routed.kinds, routed.of_row, routed.buckets);
        } else if self.layout.postpone {
            buckets = self.postpone_buckets(&input, &parts, &of_row, &buckets)?;
        } else if let Some(d) = &mut self.dynamic {
            for (_, partition) in &parts {
                d.load(self.table.storage(), partition).await?;
            }
            let rows: Vec<BinaryRow> = parts.iter().map(|(_, p)| p.clone()).collect();
            buckets = d.assign(&rows, &of_row, &buckets)?;
        }
        // Buffers are grouped by bucket; the postpone bucket is the only one of its write.
        let postponed = self.layout.postpone && self.assigning.is_none();
        let slot = |b: i32| if postponed { 0 } else { b as usize };
        let nb = if self.layout.dynamic_bucket || self.layout.postpone {
            buckets.iter().map(|&b| slot(b)).max().map_or(1, |m| m + 1)
        } else {
            self.layout.buckets.max(1) as usize
        };
        let mut groups: Vec<Vec<u32>> = vec![Vec::new(); parts.len() * nb];
        for (r, (&p, &b)) in of_row.iter().zip(&buckets).enumerate() {
            groups[p as usize * nb + slot(b)].push(r as u32);
        }
        let b = &input.batch;
        let nfields = schema.fields.len();
        for (g, rows) in groups.into_iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let (values, partition) = &parts[g / nb];
            let bucket = if postponed {
                POSTPONE_BUCKET
            } else {
                (g % nb) as i32
            };
            let slot = self.buffer_for(partition, values, bucket)?;
            let (cols, k): (Vec<ArrayRef>, Vec<i8>) = if rows.len() == b.num_rows() {
                (b.columns()[..nfields].to_vec(), kinds.clone())
            } else {
                let idx = arrow_array::UInt32Array::from(rows);
                let cols = b.columns()[..nfields]
                    .iter()
                    .map(|c| arrow_select::take::take(c.as_ref(), &idx, None))
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|e| Error::InvalidValue(e.to_string()))?;
                (
                    cols,
                    idx.values().iter().map(|&r| kinds[r as usize]).collect(),
                )
            };
            self.buffered += self.buffers[slot].push(cols, &k);
        }
        while self.buffered > self.budget {
            let Some(largest) = (0..self.buffers.len())
                .filter(|&i| !self.buffers[i].is_empty())
                .max_by_key(|&i| self.buffers[i].bytes)
            else {
                break;
            };
            self.buffered -= self.buffers[largest].bytes;
            let pending = self.buffers[largest].take(largest)?;
            let flushed = buffer::flush(
                pending,
                &self.buffers[largest].dir,
                &self.rules,
                &self.writer,
            )?;
            self.store(vec![flushed]).await?;
        }
        Ok(())
    }

    fn buffer_for(
        &mut self,
        partition: &BinaryRow,
        values: &[Datum],
        bucket: i32,
    ) -> Result<usize> {
        let key = BucketKey::new(partition, bucket);
        if let Some(&i) = self.index.get(&key) {
            return Ok(i);
        }
        let schema = self.table.schema();
        if let Some(o) = &self.opts.overwrite {
            if !partition_matches(&self.layout.pfields, values, &o.partition, schema) {
                return Err(Error::InvalidValue(format!(
                    "a row of partition {:?} lies outside the overwritten partition {:?}",
                    values.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
                    o.partition
                )));
            }
        }
        // A postpone writer numbers its rows from 0, as Paimon's does; compaction renumbers.
        let next_seq = if bucket == POSTPONE_BUCKET {
            0
        } else {
            self.max_seq.get(&key).copied().unwrap_or(-1) + 1
        };
        let dir = crate::path::bucket_dir(schema, partition, bucket)?;
        self.buffers
            .push(BucketBuffer::new(partition.clone(), bucket, dir, next_seq));
        self.index.insert(key, self.buffers.len() - 1);
        Ok(self.buffers.len() - 1)
    }

    /// The bucket of each row of a postpone-bucket table (`hashes`: their bucket-key
    /// hashes): the postpone bucket, or, when assigning, the real bucket among the
    /// partition's count.
    fn postpone_buckets(
        &self,
        input: &Input,
        parts: &[(Vec<Datum>, BinaryRow)],
        of_row: &[u32],
        hashes: &[i32],
    ) -> Result<Vec<i32>> {
        let Some(a) = &self.assigning else {
            return Ok(vec![POSTPONE_BUCKET; input.batch.num_rows()]);
        };
        let counts: Vec<i32> = parts
            .iter()
            .map(|(_, p)| {
                a.count(p).ok_or_else(|| {
                    Error::InvalidValue(format!(
                        "{}: a postponed row of a partition without a bucket count",
                        input.path
                    ))
                })
            })
            .collect::<Result<_>>()?;
        Ok(of_row
            .iter()
            .zip(hashes)
            .map(|(&p, &h)| crate::bucket::bucket_of_hash(h, counts[p as usize]))
            .collect())
    }

    /// Stores flushed files and records their manifest entries.
    async fn store(&mut self, flushed: Vec<Flushed>) -> Result<()> {
        for f in flushed {
            let b = &self.buffers[f.buffer];
            let total_buckets = match &self.assigning {
                _ if self.layout.buckets > 0 => self.layout.buckets,
                Some(a) => a.count(&b.partition).unwrap_or(-1),
                None if self.layout.postpone => POSTPONE_BUCKET,
                None => -1,
            };
            let entry = |file| ManifestEntry {
                kind: FileKind::Add,
                partition: b.partition.clone(),
                bucket: b.bucket,
                total_buckets,
                file,
            };
            for (files, to) in [
                (f.data, &mut self.entries),
                (f.changelog, &mut self.changelog),
            ] {
                for file in files {
                    let (at, meta) = self.writer.store(file).await?;
                    self.written.push(at);
                    to.push(entry(meta));
                }
            }
        }
        Ok(())
    }

    /// Deletes the files this write stored (best effort): for a write that will not commit.
    pub async fn abort(self) {
        let storage = self.table.storage();
        let _ = crate::expire::delete_files(storage, self.table.schema(), &self.written).await;
    }

    /// Flushes every buffer (on several threads) and commits the files as one snapshot:
    /// APPEND, or OVERWRITE with the replaced files deleted. An overwrite is planned again
    /// against the latest snapshot at each attempt, so files a concurrent writer added to or
    /// compacted in the replaced partitions are replaced too. `None` when there was nothing
    /// to write.
    pub async fn commit(mut self) -> Result<Option<Snapshot>> {
        if let Err(e) = self.flush_remaining().await {
            self.abort().await;
            return Err(e);
        }
        if let Some(d) = &self.dynamic {
            let uuid = self.env.unique_id();
            match d
                .write_indexes(self.table.storage(), &uuid, &mut self.written)
                .await
            {
                Ok(changes) => self.index_changes = changes,
                Err(e) => {
                    self.abort().await;
                    return Err(e);
                }
            }
        }
        let user = self.user.clone();
        let identifier = self
            .opts
            .commit_identifier
            .unwrap_or(BATCH_COMMIT_IDENTIFIER);
        let since = self.latest.as_ref().map(|s| s.id);
        if self.opts.overwrite.is_none() {
            let Some(changes) = self.changes(&[], &[])? else {
                return Ok(None);
            };
            let committed = commit_with_retries(
                self.table.clone(),
                &user,
                &changes,
                identifier,
                since,
                self.env.as_ref(),
            )
            .await;
            if committed.as_ref().is_err_and(Error::is_unpublished) {
                // Nothing was published: the files are unused.
                self.abort().await;
            }
            return committed.map(Some);
        }
        let committer = Committer::new(self.table.clone(), &user);
        let mut live = std::mem::take(&mut self.live);
        let mut hashes = self
            .dynamic
            .as_ref()
            .map(DynamicBuckets::base_entries)
            .unwrap_or_default();
        // The deletion vectors of replaced partitions go with their files.
        let vectors = self.layout.deletion_vectors;
        if vectors {
            match self.vector_entries(self.latest.as_ref()).await {
                Ok(v) => hashes.extend(v),
                Err(e) => {
                    self.abort().await;
                    return Err(e);
                }
            }
        }
        let env = self.env.clone();
        let mut backoff = Backoff::new(env.as_ref());
        loop {
            let Some(changes) = self.changes(&live, &hashes)? else {
                return Ok(None);
            };
            let attempt = env.unique_id();
            match committer
                .try_commit(&changes, identifier, &attempt, env.now_millis(), since)
                .await
            {
                Ok(Attempt::Committed(s)) => return Ok(Some(*s)),
                Ok(Attempt::Lost) | Err(Error::Conflict(_)) => {
                    if let Err(e) = backoff.wait().await {
                        self.abort().await;
                        return Err(e);
                    }
                }
                Err(e) if e.is_unpublished() => {
                    self.abort().await;
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
            let storage = self.table.storage();
            let latest = resolve_snapshot(storage, &SnapshotSpec::Latest).await?;
            live = match &latest {
                Some(s) => crate::manifest::live_files(storage, s).await?,
                None => Vec::new(),
            };
            hashes = if self.dynamic.is_some() {
                hash_entries(storage, latest.as_ref()).await?
            } else {
                Vec::new()
            };
            if vectors {
                hashes.extend(self.vector_entries(latest.as_ref()).await?);
            }
        }
    }

    /// The live deletion-vector index entries of `snapshot`.
    async fn vector_entries(&self, snapshot: Option<&Snapshot>) -> Result<Vec<IndexManifestEntry>> {
        match snapshot {
            Some(s) => crate::deletion_vector::deletion_index(self.table.storage(), s).await,
            None => Ok(Vec::new()),
        }
    }

    async fn flush_remaining(&mut self) -> Result<()> {
        let mut pending = Vec::new();
        for i in 0..self.buffers.len() {
            if !self.buffers[i].is_empty() {
                let bytes = self.buffers[i].bytes;
                pending.push((bytes, self.buffers[i].take(i)?));
            }
        }
        self.buffered = 0;
        // Largest first: the driver's threads take jobs in order.
        pending.sort_by_key(|(bytes, _)| std::cmp::Reverse(*bytes));
        let pending = pending.into_iter().map(|(_, p)| p).collect();
        let dirs: Vec<String> = self.buffers.iter().map(|b| b.dir.clone()).collect();
        let flushed =
            buffer::flush_all(pending, &dirs, &self.rules, &self.writer, self.env.as_ref())?;
        self.store(flushed).await
    }

    /// The commit's changes; for an overwrite, deleting the files of `live` (and the HASH
    /// indexes and deletion vectors of `hashes`) it replaces. `None` when there is nothing to commit.
    fn changes(
        &self,
        live: &[ManifestEntry],
        hashes: &[IndexManifestEntry],
    ) -> Result<Option<CommitChanges>> {
        let overwrite = self.opts.overwrite.as_ref();
        let static_spec = overwrite.is_some_and(|o| !o.partition.is_empty());
        if self.entries.is_empty()
            && self.opts.offsets.is_empty()
            && self
                .assigning
                .as_ref()
                .is_none_or(|a| a.replaced.is_empty())
            && (overwrite.is_none() || (self.layout.dynamic && !static_spec))
        {
            return Ok(None);
        }
        let mut entries = self.entries.clone();
        let mut changelog = self.changelog.clone();
        let mut index = self.index_changes.entries.clone();
        let kind = if let Some(o) = overwrite {
            // Delete every live file of the replaced partitions (buckets >= 0).
            let schema = self.table.schema();
            let new_partitions: std::collections::HashSet<Vec<u8>> =
                entries.iter().map(|e| e.partition.serialize()).collect();
            let replaced = |partition: &BinaryRow| -> Result<bool> {
                Ok(if !o.partition.is_empty() {
                    let values = partition.decode(&self.layout.ptypes)?;
                    partition_matches(&self.layout.pfields, &values, &o.partition, schema)
                } else if self.layout.dynamic {
                    new_partitions.contains(&partition.serialize())
                } else {
                    true
                })
            };
            for e in live {
                if (e.bucket >= 0 || e.bucket == POSTPONE_BUCKET) && replaced(&e.partition)? {
                    entries.push(ManifestEntry {
                        kind: FileKind::Delete,
                        ..e.clone()
                    });
                }
            }
            for e in hashes {
                if replaced(&e.partition)? {
                    index.push(IndexManifestEntry {
                        kind: FileKind::Delete,
                        ..e.clone()
                    });
                }
            }
            changelog.clear(); // Paimon drops changelog produced by overwrites
            CommitKind::Overwrite
        } else if let Some(a) = &self.assigning {
            entries.extend(a.replaced.iter().map(|e| ManifestEntry {
                kind: FileKind::Delete,
                ..e.clone()
            }));
            CommitKind::Compact
        } else {
            CommitKind::Append
        };
        Ok(Some(CommitChanges {
            kind,
            entries,
            changelog,
            properties: None,
            offsets: self.opts.offsets.clone(),
            index,
            index_base: self.index_changes.base.clone(),
            keys_read_at: self
                .global
                .is_some()
                .then(|| self.latest.as_ref().map_or(0, |s| s.id)),
        }))
    }
}

/// Writes `inputs` into `table` and commits them as one snapshot (see [`TableWriter`]).
pub async fn write(
    table: Arc<Table>,
    inputs: Vec<Input>,
    opts: WriteOptions,
    env: Arc<dyn WriteEnv>,
) -> Result<Option<Snapshot>> {
    let mut w = TableWriter::new(table, opts, env).await?;
    for input in inputs {
        if let Err(e) = w.push(input).await {
            w.abort().await;
            return Err(e);
        }
    }
    w.commit().await
}
