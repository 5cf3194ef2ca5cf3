//! The k-way merge of a section's sorted runs, sans IO: the caller feeds each run's batches
//! ([`MergeReader::needs`], [`MergeReader::push`]) and pulls merged rows
//! ([`MergeReader::next_round`]).
//!
//! Each round takes, from every run, the rows whose key is at most the smallest last key among
//! the runs' current batches: those rows can be merged without seeing more data. So memory
//! holds one batch per run.

use std::cmp::Ordering;

use arrow_array::{new_null_array, Array, ArrayRef, Int8Array};
use arrow_select::interleave::interleave;

use super::function::{KvBatch, MergeFunction, Merged, RecordRef};
use super::keys::{BatchKeys, Key, KeyEncoder};
use crate::binary_row::{datum_at, datums_to_array};
use crate::predicate::compare_datums;
use crate::{Error, Result};

/// Where a run's batches come from, as the caller tracks it.
pub type RunSource = usize;

struct Cursor {
    /// Arena index of the current batch, if loaded.
    batch: Option<usize>,
    pos: usize,
    done: bool,
}

/// Merges sorted runs (each with unique, ascending keys) with a merge function.
pub struct MergeReader {
    key_cols: Vec<usize>,
    seq_cols: Vec<usize>,
    seq_descending: bool,
    func: MergeFunction,
    encoder: KeyEncoder,
    cursors: Vec<Cursor>,
    arena: Vec<KvBatch>,
    keys: Vec<BatchKeys>,
}

fn arrow_err(e: arrow_schema::ArrowError) -> Error {
    Error::InvalidValue(format!("merge: {e}"))
}

impl MergeReader {
    /// A merge of `runs` runs. `key_cols` index the key columns among the read columns (whose
    /// Arrow types are `key_types`); `seq_cols` the `sequence.field` columns.
    pub fn new(
        runs: usize,
        key_cols: Vec<usize>,
        key_types: Vec<arrow_schema::DataType>,
        seq_cols: Vec<usize>,
        seq_descending: bool,
        func: MergeFunction,
    ) -> Result<Self> {
        let encoder = KeyEncoder::new(key_types).map_err(arrow_err)?;
        Ok(MergeReader {
            key_cols,
            seq_cols,
            seq_descending,
            func,
            encoder,
            cursors: (0..runs)
                .map(|_| Cursor {
                    batch: None,
                    pos: 0,
                    done: false,
                })
                .collect(),
            arena: Vec::new(),
            keys: Vec::new(),
        })
    }

    /// Runs whose next batch the caller must [`push`](Self::push) before the next round.
    pub fn needs(&self) -> Vec<RunSource> {
        self.cursors
            .iter()
            .enumerate()
            .filter(|(_, c)| c.batch.is_none() && !c.done)
            .map(|(i, _)| i)
            .collect()
    }

    /// Gives run `run` its next batch, or `None` when it is exhausted.
    pub fn push(&mut self, run: RunSource, batch: Option<KvBatch>) -> Result<()> {
        let c = &mut self.cursors[run];
        match batch {
            None => c.done = true,
            Some(b) if b.is_empty() => {}
            Some(b) => {
                let cols: Vec<ArrayRef> =
                    self.key_cols.iter().map(|&i| b.cols[i].clone()).collect();
                let rows = self.encoder.encode(&cols).map_err(arrow_err)?;
                self.arena.push(b);
                self.keys.push(rows);
                c.batch = Some(self.arena.len() - 1);
                c.pos = 0;
            }
        }
        Ok(())
    }

    fn seq_order(&self, a: RecordRef, b: RecordRef) -> Ordering {
        for &c in &self.seq_cols {
            let x = datum_at(self.arena[a.0].cols[c].as_ref(), a.1)
                .unwrap_or(crate::binary_row::Datum::Null);
            let y = datum_at(self.arena[b.0].cols[c].as_ref(), b.1)
                .unwrap_or(crate::binary_row::Datum::Null);
            let o = compare_datums(&x, &y).unwrap_or(Ordering::Equal);
            let o = if self.seq_descending { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        self.arena[a.0].seq[a.1].cmp(&self.arena[b.0].seq[b.1])
    }

    /// Merges what can be merged with the batches at hand: the merged columns and row kinds,
    /// or `None` when every run is exhausted. Call only when [`needs`](Self::needs) is empty.
    pub fn next_round(&mut self) -> Result<Option<KvBatch>> {
        debug_assert!(self.needs().is_empty());
        // The active runs: (cursor, batch).
        let active: Vec<(usize, usize)> = self
            .cursors
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.batch.map(|b| (i, b)))
            .collect();
        // The smallest last key among the current batches bounds this round.
        let Some((bound_batch, bound_row)) = active
            .iter()
            .map(|&(_, b)| (b, self.arena[b].len() - 1))
            .min_by(|x, y| self.keys[x.0].key(x.1).cmp(&self.keys[y.0].key(y.1)))
        else {
            return Ok(None);
        };
        let bound = self.keys[bound_batch].key(bound_row);
        // Each active run contributes the slice of its batch up to the bound.
        let mut slices: Vec<(usize, usize, usize)> = Vec::with_capacity(active.len());
        for &(i, b) in &active {
            let keys = &self.keys[b];
            let (mut lo, mut hi) = (self.cursors[i].pos, self.arena[b].len());
            while lo < hi {
                let mid = (lo + hi) / 2;
                if keys.key(mid) <= bound {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if lo > self.cursors[i].pos {
                slices.push((b, self.cursors[i].pos, lo));
            }
            self.cursors[i].pos = lo;
        }
        // k-way merge of the slices: each run has unique keys, so a key's records are at the
        // heads of the slices holding it. k is small: a linear scan finds the smallest head.
        let mut out = Output::with_capacity(slices.iter().map(|s| s.2 - s.1).sum());
        let keys = &self.keys;
        let mut heads: Vec<(Key<'_>, usize, usize, usize)> = slices
            .iter()
            .map(|&(b, from, to)| (keys[b].key(from), b, from, to))
            .collect();
        let mut group: Vec<RecordRef> = Vec::with_capacity(heads.len());
        while !heads.is_empty() {
            if heads.len() == 1 {
                // One run left in this round: its rows have no partner.
                // A single record is returned as written (the reducer rule).
                let (_, b, from, to) = heads[0];
                out.picks(b, from..to, &self.arena[b].kind.values()[from..to]);
                break;
            }
            let mut min = 0;
            for i in 1..heads.len() {
                if heads[i].0 < heads[min].0 {
                    min = i;
                }
            }
            let key = heads[min].0;
            group.clear();
            for i in (0..heads.len()).rev() {
                if heads[i].0 == key {
                    let (_, b, r, to) = heads[i];
                    group.push((b, r));
                    if r + 1 < to {
                        heads[i] = (keys[b].key(r + 1), b, r + 1, to);
                    } else {
                        heads.swap_remove(i);
                    }
                }
            }
            if group.len() > 1 {
                if self.seq_cols.is_empty() {
                    let arena = &self.arena;
                    group.sort_unstable_by_key(|r| arena[r.0].seq[r.1]);
                } else {
                    group.sort_by(|a, b| self.seq_order(*a, *b));
                }
            }
            if let Some(m) = self.func.merge(&group, &self.arena)? {
                out.push(m);
            }
        }
        let out = self.build(out)?;
        self.release();
        Ok(Some(out))
    }

    /// Output columns for merged rows.
    fn build(&self, out: Output) -> Result<KvBatch> {
        assemble(&self.arena, out)
    }
}

/// Builds the output columns and row kinds of merged rows whose records live in `arena`.
pub fn assemble_merged(arena: &[KvBatch], merged: Vec<Merged>) -> Result<KvBatch> {
    assemble(arena, Output::Merged(merged))
}

fn assemble(arena: &[KvBatch], out: Output) -> Result<KvBatch> {
    {
        let ncols = arena.first().map_or(0, |b| b.cols.len());
        let merged = match out {
            Output::Picks { at, kinds } => {
                let mut cols = Vec::with_capacity(ncols);
                for c in 0..ncols {
                    let sources: Vec<&dyn Array> =
                        arena.iter().map(|b| b.cols[c].as_ref()).collect();
                    cols.push(interleave(&sources, &at).map_err(arrow_err)?);
                }
                let seq: Vec<i64> = at.iter().map(|r| arena[r.0].seq[r.1]).collect();
                return Ok(KvBatch {
                    cols,
                    seq: seq.into(),
                    kind: Int8Array::from(kinds),
                });
            }
            Output::Merged(m) => m,
        };
        let kinds = Int8Array::from(merged.iter().map(Merged::kind).collect::<Vec<_>>());
        let seq: Vec<i64> = merged
            .iter()
            .map(|m| match m {
                Merged::Pick { at, .. } => arena[at.0].seq[at.1],
                Merged::Fields { seq, .. } | Merged::Values { seq, .. } => *seq,
            })
            .collect();
        let mut cols = Vec::with_capacity(ncols);
        for c in 0..ncols {
            let dt = arena[0].cols[c].data_type().clone();
            let mut sources: Vec<&dyn Array> = arena.iter().map(|b| b.cols[c].as_ref()).collect();
            if merged.iter().any(|m| matches!(m, Merged::Values { .. })) {
                let values = merged
                    .iter()
                    .map(|m| match m {
                        Merged::Values { values, .. } => Ok(values[c].clone()),
                        Merged::Pick { at, .. } => datum_at(arena[at.0].cols[c].as_ref(), at.1),
                        Merged::Fields { from, .. } => match from[c] {
                            Some(at) => datum_at(arena[at.0].cols[c].as_ref(), at.1),
                            None => Ok(crate::binary_row::Datum::Null),
                        },
                    })
                    .collect::<Result<Vec<_>>>()?;
                cols.push(datums_to_array(&values, &dt)?);
                continue;
            }
            let null = new_null_array(&dt, 1);
            sources.push(null.as_ref());
            let null_at = (sources.len() - 1, 0);
            let indices: Vec<(usize, usize)> = merged
                .iter()
                .map(|m| match m {
                    Merged::Pick { at, .. } => *at,
                    Merged::Fields { from, .. } => from[c].unwrap_or(null_at),
                    Merged::Values { .. } => null_at,
                })
                .collect();
            cols.push(interleave(&sources, &indices).map_err(arrow_err)?);
        }
        Ok(KvBatch {
            cols,
            seq: seq.into(),
            kind: kinds,
        })
    }
}

impl MergeReader {
    /// Drops batches that no cursor still reads.
    fn release(&mut self) {
        let mut arena = Vec::new();
        let mut keys = Vec::new();
        // Batches and their keys are pushed together, one batch per cursor.
        let mut old: Vec<Option<(KvBatch, BatchKeys)>> = std::mem::take(&mut self.arena)
            .into_iter()
            .zip(std::mem::take(&mut self.keys))
            .map(Some)
            .collect();
        for c in &mut self.cursors {
            let Some(b) = c.batch else { continue };
            match old[b].take() {
                Some((batch, batch_keys)) if c.pos < batch.len() => {
                    arena.push(batch);
                    keys.push(batch_keys);
                    c.batch = Some(arena.len() - 1);
                }
                _ => c.batch = None,
            }
        }
        self.arena = arena;
        self.keys = keys;
    }
}

/// A round's results: plain picks (the common case, built with one `interleave` per column)
/// until a merge produces anything else.
enum Output {
    Picks { at: Vec<RecordRef>, kinds: Vec<i8> },
    Merged(Vec<Merged>),
}

impl Output {
    fn with_capacity(n: usize) -> Self {
        Output::Picks {
            at: Vec::with_capacity(n),
            kinds: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, m: Merged) {
        match (self, m) {
            (Output::Picks { at, kinds }, Merged::Pick { kind, at: r }) => {
                at.push(r);
                kinds.push(kind);
            }
            (Output::Merged(v), m) => v.push(m),
            (this, m) => {
                let Output::Picks { at, kinds } =
                    std::mem::replace(this, Output::Merged(Vec::new()))
                else {
                    unreachable!("matched above")
                };
                let mut v: Vec<Merged> = at
                    .into_iter()
                    .zip(kinds)
                    .map(|(at, kind)| Merged::Pick { kind, at })
                    .collect();
                v.push(m);
                *this = Output::Merged(v);
            }
        }
    }

    fn picks(&mut self, batch: usize, rows: std::ops::Range<usize>, stored: &[i8]) {
        match self {
            Output::Picks { at, kinds } => {
                at.extend(rows.map(|r| (batch, r)));
                kinds.extend_from_slice(stored);
            }
            Output::Merged(v) => v.extend(rows.zip(stored).map(|(r, &kind)| Merged::Pick {
                kind,
                at: (batch, r),
            })),
        }
    }
}
