//! Sorting a bucket's buffered records by key and merging each key's records, as Paimon's
//! write buffer does before a flush.
//!
//! The order is by key, then by the `sequence.field` columns (when the table has them), then
//! by arrival, so the merge sees each key's records in sequence order. A single integer key
//! (the common case) sorts as plain integers; other keys sort as Arrow row-format bytes with
//! an 8-byte prefix compared first. Merge engines that keep one record of each key whole
//! (deduplicate, first-row over inserts) pick it by index and gather the survivors column by
//! column; the others merge key by key through the read path's [`MergeFunction`].

use std::cmp::Ordering;

use crate::binary_row::datum_at;
use crate::merge::{assemble_merged, row_kind, Keep, KvBatch, MergeFunction};
use crate::predicate::compare_datums;
use crate::{Error, Result};
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, Int8Array, UInt32Array};
use arrow_buffer::ScalarBuffer;
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType as A, TimeUnit};

fn arrow_err(e: arrow_schema::ArrowError) -> Error {
    Error::InvalidValue(e.to_string())
}

/// Records in key order, with the runs of equal keys.
pub(crate) struct Sorted {
    /// Record indices, by key then arrival.
    pub order: Vec<u32>,
    /// Where each run of equal keys starts in `order`, then `order.len()`.
    pub bounds: Vec<u32>,
}

impl Sorted {
    fn groups(&self) -> impl Iterator<Item = &[u32]> {
        self.bounds
            .windows(2)
            .map(|w| &self.order[w[0] as usize..w[1] as usize])
    }
}

/// The values of a single integer-like key column, widened to `i64` (order-preserving).
fn integer_key(col: &ArrayRef) -> Option<Vec<i64>> {
    macro_rules! widen {
        ($t:ty) => {
            col.as_primitive::<$t>()
                .values()
                .iter()
                .map(|&v| v as i64)
                .collect()
        };
    }
    Some(match col.data_type() {
        A::Int8 => widen!(Int8Type),
        A::Int16 => widen!(Int16Type),
        A::Int32 => widen!(Int32Type),
        A::Date32 => widen!(Date32Type),
        A::Time32(TimeUnit::Millisecond) => widen!(Time32MillisecondType),
        A::Int64 => col.as_primitive::<Int64Type>().values().to_vec(),
        A::Timestamp(TimeUnit::Second, _) => {
            col.as_primitive::<TimestampSecondType>().values().to_vec()
        }
        A::Timestamp(TimeUnit::Millisecond, _) => col
            .as_primitive::<TimestampMillisecondType>()
            .values()
            .to_vec(),
        A::Timestamp(TimeUnit::Microsecond, _) => col
            .as_primitive::<TimestampMicrosecondType>()
            .values()
            .to_vec(),
        A::Timestamp(TimeUnit::Nanosecond, _) => col
            .as_primitive::<TimestampNanosecondType>()
            .values()
            .to_vec(),
        _ => return None,
    })
}

/// Sorts records by the key columns (no nulls: keys are checked on arrival), then arrival.
pub(crate) fn sort_by_key(cols: &[ArrayRef], key_idx: &[usize]) -> Result<Sorted> {
    let n = cols.first().map_or(0, |c| c.len());
    if n > u32::MAX as usize {
        return Err(Error::InvalidValue(format!(
            "write buffer: {n} rows in one bucket exceed 2^32; lower write-buffer-size"
        )));
    }
    if let [k] = key_idx {
        if let Some(keys) = integer_key(&cols[*k]) {
            let mut pairs: Vec<(i64, u32)> = keys
                .into_iter()
                .enumerate()
                .map(|(i, v)| (v, i as u32))
                .collect();
            pairs.sort_unstable();
            let mut bounds = Vec::new();
            for i in 0..pairs.len() {
                if i == 0 || pairs[i].0 != pairs[i - 1].0 {
                    bounds.push(i as u32);
                }
            }
            bounds.push(n as u32);
            let order = pairs.into_iter().map(|(_, i)| i).collect();
            return Ok(Sorted { order, bounds });
        }
    }
    let key_cols: Vec<ArrayRef> = key_idx.iter().map(|&i| cols[i].clone()).collect();
    let fields = key_cols
        .iter()
        .map(|c| SortField::new(c.data_type().clone()))
        .collect();
    let rows = RowConverter::new(fields)
        .and_then(|conv| conv.convert_columns(&key_cols))
        .map_err(arrow_err)?;
    let bytes: Vec<&[u8]> = rows.iter().map(|r| r.data()).collect();
    let prefix = |b: &[u8]| {
        let mut p = [0u8; 8];
        let m = b.len().min(8);
        p[..m].copy_from_slice(&b[..m]);
        u64::from_be_bytes(p)
    };
    let mut keyed: Vec<(u64, u32)> = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| (prefix(b), i as u32))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| bytes[a.1 as usize].cmp(bytes[b.1 as usize]))
            .then(a.1.cmp(&b.1))
    });
    let mut bounds = Vec::new();
    for i in 0..keyed.len() {
        if i == 0 || bytes[keyed[i].1 as usize] != bytes[keyed[i - 1].1 as usize] {
            bounds.push(i as u32);
        }
    }
    bounds.push(n as u32);
    let order = keyed.into_iter().map(|(_, i)| i).collect();
    Ok(Sorted { order, bounds })
}

/// Within each key, orders records by the `sequence.field` columns, then arrival (as the
/// read path's merge does).
pub(crate) fn order_by_sequence_fields(
    sorted: &mut Sorted,
    cols: &[ArrayRef],
    seq_cols: &[usize],
    descending: bool,
) -> Result<()> {
    if seq_cols.is_empty() {
        return Ok(());
    }
    for w in sorted.bounds.windows(2) {
        let group = &mut sorted.order[w[0] as usize..w[1] as usize];
        if group.len() < 2 {
            continue;
        }
        let mut keyed = Vec::with_capacity(group.len());
        for &r in group.iter() {
            let v = seq_cols
                .iter()
                .map(|&c| datum_at(cols[c].as_ref(), r as usize))
                .collect::<Result<Vec<_>>>()?;
            keyed.push((v, r));
        }
        keyed.sort_by(|(a, ra), (b, rb)| {
            let o = a
                .iter()
                .zip(b)
                .map(|(x, y)| compare_datums(x, y).unwrap_or(Ordering::Equal))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal);
            let o = if descending { o.reverse() } else { o };
            o.then(ra.cmp(rb))
        });
        for (slot, (_, r)) in group.iter_mut().zip(keyed) {
            *slot = r;
        }
    }
    Ok(())
}

/// Gathers records by index: columns, kinds and sequence numbers.
pub(crate) fn gather(
    cols: &[ArrayRef],
    kinds: &Int8Array,
    seq: &[i64],
    idx: Vec<u32>,
) -> Result<(Vec<ArrayRef>, Int8Array, Vec<i64>)> {
    let idx = UInt32Array::from(idx);
    let cols = cols
        .iter()
        .map(|c| arrow_select::take::take(c.as_ref(), &idx, None))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(arrow_err)?;
    let k = idx.values().iter().map(|&i| kinds.value(i as usize));
    let kinds = Int8Array::from_iter_values(k);
    let seq = idx.values().iter().map(|&i| seq[i as usize]).collect();
    Ok((cols, kinds, seq))
}

/// Merges each key's records with the merge engine; the survivors in key order.
pub(crate) fn merge_sorted(
    cols: Vec<ArrayRef>,
    kinds: Int8Array,
    seq: ScalarBuffer<i64>,
    sorted: &Sorted,
    func: &MergeFunction,
) -> Result<(Vec<ArrayRef>, Int8Array, Vec<i64>)> {
    let only_inserts = kinds.values().iter().all(|&k| k == row_kind::INSERT);
    if let Some(keep) = func.keeps(only_inserts) {
        let picks: Vec<u32> = sorted
            .groups()
            .map(|g| match keep {
                Keep::First => g[0],
                Keep::Last => g[g.len() - 1],
            })
            .collect();
        return gather(&cols, &kinds, &seq, picks);
    }
    let arena = vec![KvBatch {
        cols,
        seq,
        kind: kinds,
    }];
    let mut merged = Vec::new();
    for g in sorted.groups() {
        let group: Vec<(usize, usize)> = g.iter().map(|&r| (0, r as usize)).collect();
        if let Some(m) = func.merge(&group, &arena)? {
            merged.push(m);
        }
    }
    let out = assemble_merged(&arena, merged)?;
    let out_seq = out.seq.to_vec();
    Ok((out.cols, out.kind, out_seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::StringArray;

    fn keys(sorted: &Sorted) -> Vec<Vec<u32>> {
        sorted.groups().map(|g| g.to_vec()).collect()
    }

    #[test]
    fn integer_keys_sort_stably_and_group() {
        let cols: Vec<ArrayRef> = vec![Arc::new(arrow_array::Int32Array::from(vec![
            3, 1, 3, -5, 1, 3,
        ]))];
        let s = sort_by_key(&cols, &[0]).unwrap();
        assert_eq!(keys(&s), vec![vec![3], vec![1, 4], vec![0, 2, 5]]);
    }

    #[test]
    fn composite_keys_sort_by_row_bytes_and_group() {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(vec!["b", "a", "b", "a", "abcdefghij"])),
            Arc::new(arrow_array::Int64Array::from(vec![1, 2, 1, 1, 0])),
        ];
        let s = sort_by_key(&cols, &[0, 1]).unwrap();
        assert_eq!(
            keys(&s),
            vec![vec![3], vec![1], vec![4], vec![0, 2]],
            "a/1, a/2, abcdefghij/0, b/1 (twice, in arrival order)"
        );
    }

    #[test]
    fn sequence_fields_order_records_within_a_key() {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(arrow_array::Int64Array::from(vec![7, 7, 7])),
            Arc::new(arrow_array::Int64Array::from(vec![30, 10, 20])),
        ];
        let mut s = sort_by_key(&cols, &[0]).unwrap();
        order_by_sequence_fields(&mut s, &cols, &[1], false).unwrap();
        assert_eq!(s.order, vec![1, 2, 0]);
        order_by_sequence_fields(&mut s, &cols, &[1], true).unwrap();
        assert_eq!(s.order, vec![0, 2, 1]);
    }
}
