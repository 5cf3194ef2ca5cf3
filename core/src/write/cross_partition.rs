//! Cross-partition upserts: dynamic-bucket primary-key tables whose key lacks a partition
//! column (Paimon's `KEY_DYNAMIC` bucket mode). A key lives in one (partition, bucket) of the
//! whole table, so a write first reads every live key of the latest snapshot with its
//! partition and bucket (Paimon's index bootstrap), then routes each row in input order:
//!
//! - a key seen in the row's own partition keeps its bucket;
//! - a new key gets the partition's first bucket under `dynamic-bucket.target-row-num` keys
//!   (or the first unused one), as Paimon's assigner does;
//! - a key that lives in another partition is settled by the merge engine: `deduplicate`
//!   deletes it there and writes the row to its new partition, `partial-update` and
//!   `aggregation` merge the row into the old partition (its partition columns set to the old
//!   values), `first-row` drops the row.
//!
//! These tables carry no HASH index files (the bootstrap is the index), and the key index is
//! held in memory. A commit is refused when another writer added rows since the bootstrap
//! (the index would be stale), as Paimon allows one writer per such table.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_row::{RowConverter, SortField};

use crate::binary_row::{datums_to_array, BinaryRow, Datum};
use crate::manifest::ManifestEntry;
use crate::merge::row_kind;
use crate::options::MergeEngine;
use crate::read::evolution::read_schema;
use crate::read::{Kinds, TableReader};
use crate::scan::plan_splits;
use crate::snapshot::Snapshot;
use crate::table::Table;
use crate::{Error, Result};

use super::layout::{positions, Layout};
use super::Input;

/// Where every key of the table lives, and how full each partition's buckets are.
pub(super) struct GlobalIndex {
    /// Positions of the primary-key columns in a write's batches.
    key_idx: Vec<usize>,
    converter: RowConverter,
    /// Key (arrow row bytes) to (partition id, bucket).
    keys: HashMap<Vec<u8>, (u32, i32)>,
    /// Partitions by id, and ids by serialized partition row.
    partitions: Vec<BinaryRow>,
    ids: HashMap<Vec<u8>, u32>,
    /// Keys per bucket, per partition id.
    counts: HashMap<u32, BTreeMap<i32, i64>>,
    target_rows: i64,
    engine: MergeEngine,
}

/// Rows routed by the index: the batch to buffer (input rows in order, moved rows and
/// retractions among them), their kinds, partitions and buckets.
pub(super) struct Routed {
    pub(super) input: Input,
    pub(super) kinds: Vec<i8>,
    pub(super) of_row: Vec<u32>,
    pub(super) buckets: Vec<i32>,
}

impl GlobalIndex {
    /// Reads the live keys of `latest` (its `live` files, every level) with their partition
    /// and bucket. With `index_ttl` (`cross-partition-upsert.index-ttl`), as in Paimon, a
    /// bucket none of whose files was created within it before `now_millis` is left out: its
    /// keys are forgotten, and a row of one of them in another partition is a new key there.
    pub(super) async fn bootstrap(
        table: &Arc<Table>,
        latest: Option<&Snapshot>,
        live: &[ManifestEntry],
        target_rows: i64,
        engine: MergeEngine,
        index_ttl: Option<(i64, i64)>,
    ) -> Result<Self> {
        let schema = table.schema().clone();
        let key_fields = schema.fields_named(&schema.primary_keys)?;
        let key_idx = positions(&schema, &key_fields)?;
        let sort_fields = read_schema(&key_fields)
            .fields()
            .iter()
            .map(|f| SortField::new(f.data_type().clone()))
            .collect();
        let converter = RowConverter::new(sort_fields).map_err(arrow_error)?;
        let mut index = GlobalIndex {
            key_idx,
            converter,
            keys: HashMap::new(),
            partitions: Vec::new(),
            ids: HashMap::new(),
            counts: HashMap::new(),
            target_rows,
            engine,
        };
        let Some(latest) = latest else {
            return Ok(index);
        };
        let names: Vec<String> = key_fields.iter().map(|f| f.name.clone()).collect();
        for split in plan_splits(&schema, live.to_vec(), HashMap::new())? {
            if let Some((ttl, now)) = index_ttl {
                let fresh = split.files.iter().any(|f| {
                    f.creation_time
                        .is_some_and(|t| now <= t.saturating_add(ttl))
                });
                if !fresh {
                    continue;
                }
            }
            let partition = index.partition_id(&split.partition);
            let bucket = split.bucket;
            let mut reader = TableReader::new(
                table.clone(),
                schema.clone(),
                Some(latest.clone()),
                vec![split],
                Some(names.clone()),
                None,
                None,
                Kinds::Hidden,
            )?;
            while let Some(batch) = reader.next().await? {
                let rows = index
                    .converter
                    .convert_columns(batch.columns())
                    .map_err(arrow_error)?;
                for r in rows.iter() {
                    if index
                        .keys
                        .insert(r.as_ref().to_vec(), (partition, bucket))
                        .is_some()
                    {
                        return Err(Error::InvalidValue(format!(
                            "a primary key lives in two places of snapshot {} (the table \
                             had more than one writer); cross-partition upserts need each \
                             key once",
                            latest.id
                        )));
                    }
                    *index
                        .counts
                        .entry(partition)
                        .or_default()
                        .entry(bucket)
                        .or_default() += 1;
                }
            }
        }
        Ok(index)
    }

    /// How many keys the index holds.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    fn partition_id(&mut self, partition: &BinaryRow) -> u32 {
        let key = partition.serialize();
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        self.partitions.push(partition.clone());
        let id = self.partitions.len() as u32 - 1;
        self.ids.insert(key, id);
        id
    }

    /// Paimon's assignment: the lowest bucket under the target, else the lowest unused.
    fn assign_bucket(&mut self, partition: u32) -> i32 {
        let counts = self.counts.entry(partition).or_default();
        if let Some((&b, n)) = counts.iter_mut().find(|(_, n)| **n < self.target_rows) {
            *n += 1;
            return b;
        }
        let mut b = 0;
        while counts.contains_key(&b) {
            b += 1;
        }
        counts.insert(b, 1);
        b
    }

    /// Routes a checked batch whose rows lie in `parts` (`of_row`): returns the rows to
    /// buffer with their kinds, partitions (new ones appended to `parts`) and buckets.
    pub(super) fn route(
        &mut self,
        layout: &Layout,
        input: Input,
        kinds: Vec<i8>,
        parts: &mut Vec<(Vec<Datum>, BinaryRow)>,
        of_row: Vec<u32>,
    ) -> Result<Routed> {
        let b = &input.batch;
        let key_cols: Vec<ArrayRef> = self.key_idx.iter().map(|&c| b.column(c).clone()).collect();
        let rows = self
            .converter
            .convert_columns(&key_cols)
            .map_err(|e| Error::InvalidValue(format!("{}: primary key: {e}", input.path)))?;
        // Index of each part in this index's partition ids, and back.
        let part_ids: Vec<u32> = parts.iter().map(|(_, p)| self.partition_id(p)).collect();
        let mut part_of_id: HashMap<u32, u32> = part_ids
            .iter()
            .enumerate()
            .map(|(i, &id)| (id, i as u32))
            .collect();
        // (source, row): source 0 is the input, 1 the rows given another partition.
        let mut order: Vec<(usize, usize)> = Vec::with_capacity(b.num_rows());
        let mut moved: Vec<(usize, u32)> = Vec::new();
        let (mut out_kinds, mut out_parts, mut out_buckets) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..b.num_rows() {
            let key = rows.row(r);
            let part = part_ids[of_row[r] as usize];
            let found = self.keys.get(key.as_ref()).copied();
            let bucket = match found {
                Some((p, bucket)) if p == part => bucket,
                Some((old, old_bucket)) => {
                    let old_part = match part_of_id.get(&old) {
                        Some(&i) => i,
                        None => {
                            let row = self.partitions[old as usize].clone();
                            let values = row.decode(&layout.ptypes)?;
                            parts.push((values, row));
                            let i = parts.len() as u32 - 1;
                            part_of_id.insert(old, i);
                            i
                        }
                    };
                    match self.engine {
                        MergeEngine::FirstRow => continue,
                        MergeEngine::PartialUpdate | MergeEngine::Aggregation => {
                            // Merged into the row already stored, where it is.
                            order.push((1, moved.len()));
                            moved.push((r, old_part));
                            out_kinds.push(kinds[r]);
                            out_parts.push(old_part);
                            out_buckets.push(old_bucket);
                            continue;
                        }
                        MergeEngine::Deduplicate => {
                            order.push((1, moved.len()));
                            moved.push((r, old_part));
                            out_kinds.push(row_kind::DELETE);
                            out_parts.push(old_part);
                            out_buckets.push(old_bucket);
                            if let Some(n) = self
                                .counts
                                .get_mut(&old)
                                .and_then(|c| c.get_mut(&old_bucket))
                            {
                                *n -= 1;
                            }
                            let bucket = self.assign_bucket(part);
                            self.keys.insert(key.as_ref().to_vec(), (part, bucket));
                            bucket
                        }
                    }
                }
                None => {
                    let bucket = self.assign_bucket(part);
                    self.keys.insert(key.as_ref().to_vec(), (part, bucket));
                    bucket
                }
            };
            order.push((0, r));
            out_kinds.push(kinds[r]);
            out_parts.push(of_row[r]);
            out_buckets.push(bucket);
        }
        if moved.is_empty() && order.len() == b.num_rows() {
            return Ok(Routed {
                input,
                kinds: out_kinds,
                of_row: out_parts,
                buckets: out_buckets,
            });
        }
        let moved_batch = self.with_partitions(layout, b, parts, &moved)?;
        let columns = (0..b.num_columns())
            .map(|c| {
                let sources = [b.column(c).as_ref(), moved_batch[c].as_ref()];
                arrow_select::interleave::interleave(&sources, &order).map_err(arrow_error)
            })
            .collect::<Result<Vec<_>>>()?;
        let batch = RecordBatch::try_new(b.schema(), columns).map_err(arrow_error)?;
        Ok(Routed {
            input: Input { batch, ..input },
            kinds: out_kinds,
            of_row: out_parts,
            buckets: out_buckets,
        })
    }

    /// The columns of the `moved` rows (input row, part) with their partition columns set to
    /// the part's values.
    fn with_partitions(
        &self,
        layout: &Layout,
        b: &RecordBatch,
        parts: &[(Vec<Datum>, BinaryRow)],
        moved: &[(usize, u32)],
    ) -> Result<Vec<ArrayRef>> {
        let idx = arrow_array::UInt32Array::from(
            moved.iter().map(|&(r, _)| r as u32).collect::<Vec<_>>(),
        );
        let mut columns = b
            .columns()
            .iter()
            .map(|c| arrow_select::take::take(c.as_ref(), &idx, None).map_err(arrow_error))
            .collect::<Result<Vec<_>>>()?;
        for (i, &c) in layout.pidx.iter().enumerate() {
            let values: Vec<Datum> = moved
                .iter()
                .map(|&(_, p)| parts[p as usize].0[i].clone())
                .collect();
            columns[c] = datums_to_array(&values, b.column(c).data_type())?;
        }
        Ok(columns)
    }
}

fn arrow_error(e: arrow_schema::ArrowError) -> Error {
    Error::InvalidValue(e.to_string())
}
