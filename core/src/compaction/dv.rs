//! Compaction of deletion-vector tables, as Paimon's lookup compaction does it: the unit's
//! keys are looked up in the bucket's files above the output level; each key's older live row
//! found there is merged into the output (so partial-update, aggregation and sequence fields
//! see it) and its position is marked in that file's deletion vector, which keeps every key
//! at most once among the live rows of levels 1 and up. Batch reads then read those files
//! without merging. The bucket's vectors are rewritten as one index file when they change.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use arrow_array::{ArrayRef, Int8Array};
use arrow_row::{RowConverter, Rows, SortField};
use bytes::Bytes;
use roaring::RoaringBitmap;

use super::run::Rows3;
use super::CompactTask;
use crate::binary_row::Datum;
use crate::deletion_vector::{read_deletion_vector, write_index_file, DELETION_VECTORS};
use crate::manifest::{DataFileMeta, FileKind, IndexManifestEntry};
use crate::merge::{row_kind, KvBatch, MergeReader};
use crate::options::TableOptions;
use crate::predicate::compare_datum_rows;
use crate::read::file::DataFileReader;
use crate::read::SplitContext;
use crate::table::Table;
use crate::types::to_arrow_type;
use crate::{Error, Result};

fn arrow(e: arrow_schema::ArrowError) -> Error {
    Error::InvalidValue(format!("deletion-vector compaction: {e}"))
}

/// The unit's keys, comparable with the keys of the files looked up.
struct UnitKeys {
    converter: RowConverter,
    keys: HashSet<Vec<u8>>,
}

impl UnitKeys {
    fn new(unit: &Rows3, ctx: &SplitContext) -> Result<Self> {
        let fields = ctx
            .key_types
            .iter()
            .map(|t| SortField::new(to_arrow_type(t)))
            .collect();
        let converter = RowConverter::new(fields).map_err(arrow)?;
        let rows = converter
            .convert_columns(&key_cols(&unit.cols, ctx))
            .map_err(arrow)?;
        let keys = rows.iter().map(|r| r.as_ref().to_vec()).collect();
        Ok(UnitKeys { converter, keys })
    }

    fn rows(&self, cols: &[ArrayRef], ctx: &SplitContext) -> Result<Rows> {
        self.converter
            .convert_columns(&key_cols(cols, ctx))
            .map_err(arrow)
    }
}

fn key_cols(cols: &[ArrayRef], ctx: &SplitContext) -> Vec<ArrayRef> {
    ctx.key_cols.iter().map(|&i| cols[i].clone()).collect()
}

/// What a lookup found: the older rows of the unit's keys (sorted by key, one per key) and
/// the positions they had, by data file name.
pub(super) struct Found {
    pub old: Rows3,
    pub marks: BTreeMap<String, RoaringBitmap>,
}

/// The bucket's deletion vectors, by data file name.
pub(super) async fn load_vectors(
    table: &Table,
    task: &CompactTask,
) -> Result<HashMap<String, RoaringBitmap>> {
    let mut out = HashMap::new();
    for (name, f) in &task.vectors {
        out.insert(
            name.clone(),
            read_deletion_vector(table.storage(), f).await?,
        );
    }
    Ok(out)
}

/// Looks the unit's keys up in the task's other files, lowest level first, skipping rows
/// their vectors already delete; the first live row of a key wins.
pub(super) async fn look_up(
    table: &Arc<Table>,
    dir: &str,
    ctx: &SplitContext,
    task: &CompactTask,
    vectors: &HashMap<String, RoaringBitmap>,
    unit: &Rows3,
) -> Result<Found> {
    let keys = UnitKeys::new(unit, ctx)?;
    let mut files = overlapping(task, &ctx.key_types)?;
    files.sort_by_key(|f| f.level);
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut parts: Vec<KvBatch> = Vec::new();
    let mut marks: BTreeMap<String, RoaringBitmap> = BTreeMap::new();
    for f in files.iter().filter(|_| !keys.keys.is_empty()) {
        let schema = table.schema_by_id(f.schema_id).await?;
        let mut reader = DataFileReader::open(
            table.storage(),
            dir,
            f,
            &schema,
            &ctx.fields,
            true,
            vectors.get(&f.file_name).cloned(),
            None,
        )
        .await?;
        while let Some((batch, positions)) = reader.next_positioned(table.storage()).await? {
            let rows = keys.rows(&batch.cols, ctx)?;
            let mut take = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let key = row.as_ref();
                if keys.keys.contains(key) && !seen.contains(key) {
                    seen.insert(key.to_vec());
                    take.push(i as u32);
                    let at = u32::try_from(positions[i])
                        .map_err(|_| Error::corrupt(&f.file_name, "a row position past 2^32"))?;
                    marks.entry(f.file_name.clone()).or_default().insert(at);
                }
            }
            if !take.is_empty() {
                parts.push(take_rows(&batch, &take)?);
            }
        }
    }
    Ok(Found {
        old: sorted(parts, ctx, &keys)?,
        marks,
    })
}

/// The task's lookup files whose key range meets the unit's: no other file can hold one of
/// the unit's keys.
fn overlapping(
    task: &CompactTask,
    key_types: &[crate::types::DataType],
) -> Result<Vec<DataFileMeta>> {
    let range = |f: &DataFileMeta| -> Result<(Vec<Datum>, Vec<Datum>)> {
        let min = f
            .min_key
            .decode(key_types)
            .map_err(|e| e.in_file(&f.file_name))?;
        let max = f
            .max_key
            .decode(key_types)
            .map_err(|e| e.in_file(&f.file_name))?;
        Ok((min, max))
    };
    let mut unit: Option<(Vec<Datum>, Vec<Datum>)> = None;
    for f in &task.unit.files {
        let (min, max) = range(f)?;
        unit = Some(match unit {
            None => (min, max),
            Some((lo, hi)) => (
                std::cmp::min_by(lo, min, |a, b| compare_datum_rows(a, b)),
                std::cmp::max_by(hi, max, |a, b| compare_datum_rows(a, b)),
            ),
        });
    }
    let Some((lo, hi)) = unit else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for f in &task.lookup {
        let (min, max) = range(f)?;
        let apart = compare_datum_rows(&max, &lo) == Ordering::Less
            || compare_datum_rows(&min, &hi) == Ordering::Greater;
        if !apart {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn take_rows(b: &KvBatch, idx: &[u32]) -> Result<KvBatch> {
    let idx = arrow_array::UInt32Array::from(idx.to_vec());
    let cols = b
        .cols
        .iter()
        .map(|c| arrow_select::take::take(c.as_ref(), &idx, None).map_err(arrow))
        .collect::<Result<_>>()?;
    let kind = arrow_select::take::take(&b.kind, &idx, None).map_err(arrow)?;
    Ok(KvBatch {
        cols,
        seq: idx.values().iter().map(|&i| b.seq[i as usize]).collect(),
        kind: arrow_array::cast::AsArray::as_primitive::<arrow_array::types::Int8Type>(&kind)
            .clone(),
    })
}

/// The found rows as one batch in key order.
fn sorted(parts: Vec<KvBatch>, ctx: &SplitContext, keys: &UnitKeys) -> Result<Rows3> {
    let mut cols = Vec::with_capacity(ctx.fields.len());
    for c in 0..ctx.fields.len() {
        let arrays: Vec<&dyn arrow_array::Array> =
            parts.iter().map(|p| p.cols[c].as_ref()).collect();
        cols.push(if arrays.is_empty() {
            arrow_array::new_empty_array(&to_arrow_type(&ctx.fields[c].data_type))
        } else {
            arrow_select::concat::concat(&arrays).map_err(arrow)?
        });
    }
    let kinds: Vec<i8> = parts
        .iter()
        .flat_map(|p| p.kind.values().iter().copied())
        .collect();
    let seq: Vec<i64> = parts.iter().flat_map(|p| p.seq.iter().copied()).collect();
    let rows = keys.rows(&cols, ctx)?;
    let mut order: Vec<u32> = (0..kinds.len() as u32).collect();
    order.sort_by(|&a, &b| rows.row(a as usize).cmp(&rows.row(b as usize)));
    let idx = arrow_array::UInt32Array::from(order.clone());
    let cols = cols
        .iter()
        .map(|c| arrow_select::take::take(c.as_ref(), &idx, None).map_err(arrow))
        .collect::<Result<_>>()?;
    Ok(Rows3 {
        cols,
        kinds: order.iter().map(|&i| kinds[i as usize]).collect(),
        seq: order.iter().map(|&i| seq[i as usize]).collect(),
    })
}

fn batch(rows: Rows3) -> KvBatch {
    KvBatch {
        cols: rows.cols,
        seq: rows.seq.into(),
        kind: Int8Array::from(rows.kinds),
    }
}

/// The unit's merged rows merged once more with the older rows found for their keys (both in
/// key order, one row per key), by the table's merge engine; retractions are dropped, as
/// nothing of these keys stays live below the output.
pub(super) fn merge_old(ctx: &SplitContext, unit: Rows3, old: Rows3) -> Result<Rows3> {
    let func = ctx.func.clone().ok_or_else(|| {
        Error::InvalidValue("a deletion-vector compaction without a merge function".into())
    })?;
    let mut reader = MergeReader::new(
        2,
        ctx.key_cols.clone(),
        ctx.key_types.iter().map(to_arrow_type).collect(),
        ctx.seq_cols.clone(),
        ctx.seq_descending,
        func,
    )?;
    reader.push(0, Some(batch(old)))?;
    reader.push(1, Some(batch(unit)))?;
    let mut parts: Vec<KvBatch> = Vec::new();
    loop {
        for run in reader.needs() {
            reader.push(run, None)?;
        }
        match reader.next_round()? {
            Some(b) => parts.push(b),
            None => break,
        }
    }
    let mut cols: Vec<Vec<ArrayRef>> = vec![Vec::new(); ctx.fields.len()];
    let (mut kinds, mut seq) = (Vec::new(), Vec::new());
    for b in &parts {
        let keep: Vec<u32> = (0..b.len())
            .filter(|&r| !row_kind::is_retract(b.kind.value(r)))
            .map(|r| r as u32)
            .collect();
        let kept = take_rows(b, &keep)?;
        for (c, col) in kept.cols.into_iter().enumerate() {
            cols[c].push(col);
        }
        kinds.extend(kept.kind.values().iter().copied());
        seq.extend(kept.seq.iter().copied());
    }
    let cols = cols
        .into_iter()
        .enumerate()
        .map(|(c, parts)| {
            if parts.is_empty() {
                return Ok(arrow_array::new_empty_array(&to_arrow_type(
                    &ctx.fields[c].data_type,
                )));
            }
            let refs: Vec<&dyn arrow_array::Array> = parts.iter().map(|a| a.as_ref()).collect();
            arrow_select::concat::concat(&refs).map_err(arrow)
        })
        .collect::<Result<_>>()?;
    Ok(Rows3 { cols, kinds, seq })
}

/// The bucket's deletion vectors after the task: those of the files it rewrote go, the new
/// marks are added to the rest. `None` when they are unchanged.
pub(super) fn next_vectors(
    current: &HashMap<String, RoaringBitmap>,
    rewritten: &HashSet<&str>,
    marks: &BTreeMap<String, RoaringBitmap>,
) -> Option<BTreeMap<String, RoaringBitmap>> {
    let mut next: BTreeMap<String, RoaringBitmap> = current
        .iter()
        .filter(|(name, _)| !rewritten.contains(name.as_str()))
        .map(|(n, b)| (n.clone(), b.clone()))
        .collect();
    for (name, m) in marks {
        *next.entry(name.clone()).or_default() |= m;
    }
    next.retain(|_, b| !b.is_empty());
    let unchanged = next.len() == current.len()
        && next
            .iter()
            .all(|(n, b)| current.get(n).is_some_and(|c| c == b));
    (!unchanged).then_some(next)
}

/// Writes the bucket's new vectors as one index file `index/index-<uuid>-<n>` (none when
/// they are empty) and returns the index changes: the DELETE of the bucket's previous file
/// and the ADD of the new one. Paths written go to `written`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn write_vectors(
    table: &Table,
    task: &CompactTask,
    previous: &[IndexManifestEntry],
    next: &BTreeMap<String, RoaringBitmap>,
    name: String,
    written: &mut Vec<String>,
) -> Result<Vec<IndexManifestEntry>> {
    let mut out: Vec<IndexManifestEntry> = previous
        .iter()
        .filter(|e| e.partition == task.partition && e.bucket == task.bucket)
        .map(|e| IndexManifestEntry {
            kind: FileKind::Delete,
            ..e.clone()
        })
        .collect();
    if next.is_empty() {
        return Ok(out);
    }
    let wide = TableOptions::new(&table.schema().options).bool("deletion-vectors.bitmap64", false);
    let (bytes, ranges) = write_index_file(next, wide)?;
    let path = format!("index/{name}");
    let file_size = bytes.len() as i64;
    table
        .storage()
        .put_if_absent(&path, Bytes::from(bytes))
        .await?;
    written.push(path);
    out.push(IndexManifestEntry {
        kind: FileKind::Add,
        partition: task.partition.clone(),
        bucket: task.bucket,
        index_type: DELETION_VECTORS.to_string(),
        file_name: name,
        file_size,
        row_count: ranges.len() as i64,
        dv_ranges: Some(ranges),
        external_path: None,
        global_index: None,
    });
    Ok(out)
}
