//! The write buffer of one (partition, bucket), and turning its rows into data files.
//!
//! Rows are buffered as they arrive (each with the next sequence number of the bucket). A
//! flush sorts them by key, merges each key's records with the merge engine and encodes one
//! sorted run of level-0 files (plus, with `changelog-producer=input`, the unmerged records as
//! changelog files); the postpone bucket's rows are written as they came. Flushing is synchronous CPU work: the writer hands the flushes of several
//! buckets to the driver's [`WriteEnv::run_all`], which may run them on threads at once.

use crate::binary_row::BinaryRow;
use crate::manifest::FileSource;
use crate::merge::MergeFunction;
use crate::{Error, Result};
use arrow_array::{ArrayRef, Int8Array};
use arrow_buffer::ScalarBuffer;

use std::sync::Mutex;

use super::files::{DataFileWriter, EncodedFile, KvFile};
use super::sort::{gather, merge_sorted, order_by_sequence_fields, sort_by_key};
use super::WriteEnv;

/// Rows of one (partition, bucket) waiting to be flushed.
pub(crate) struct BucketBuffer {
    /// The partition.
    pub partition: BinaryRow,
    /// The bucket.
    pub bucket: i32,
    /// The bucket's directory.
    pub dir: String,
    chunks: Vec<Vec<ArrayRef>>,
    kinds: Vec<i8>,
    /// Bytes of buffered columns.
    pub bytes: usize,
    /// Sequence number of the first buffered row.
    next_seq: i64,
}

/// Rows taken out of a buffer to be flushed.
pub(crate) struct Pending {
    cols: Vec<ArrayRef>,
    kinds: Int8Array,
    seq_start: i64,
    /// Index of the buffer the rows came from.
    pub buffer: usize,
    /// Postpone bucket: written as they came, neither sorted nor merged.
    arrival_order: bool,
}

/// Files a flush produced.
pub(crate) struct Flushed {
    /// Index of the buffer the rows came from.
    pub buffer: usize,
    /// Data files (one sorted run).
    pub data: Vec<EncodedFile>,
    /// Changelog files.
    pub changelog: Vec<EncodedFile>,
}

/// How a flush sorts, merges and encodes: fixed for a write.
pub(crate) struct FlushRules {
    /// Columns of the (trimmed) primary key; empty for append tables.
    pub key_idx: Vec<usize>,
    /// `sequence.field` columns.
    pub seq_cols: Vec<usize>,
    /// `sequence.field.sort-order=descending`.
    pub seq_descending: bool,
    /// The merge engine (primary-key tables).
    pub func: Option<MergeFunction>,
    /// Whether to write the input as changelog files.
    pub changelog: bool,
}

impl BucketBuffer {
    /// An empty buffer whose first row gets sequence number `next_seq`.
    pub fn new(partition: BinaryRow, bucket: i32, dir: String, next_seq: i64) -> Self {
        BucketBuffer {
            partition,
            bucket,
            dir,
            chunks: Vec::new(),
            kinds: Vec::new(),
            bytes: 0,
            next_seq,
        }
    }

    /// Buffers rows (the table's columns) and their kinds; returns the bytes they take.
    pub fn push(&mut self, cols: Vec<ArrayRef>, kinds: &[i8]) -> usize {
        let bytes: usize = cols.iter().map(|c| c.get_array_memory_size()).sum();
        self.chunks.push(cols);
        self.kinds.extend_from_slice(kinds);
        self.bytes += bytes;
        bytes
    }

    /// Whether no rows are buffered.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Takes the buffered rows out (the buffer is empty afterwards; sequence numbers go on).
    pub fn take(&mut self, buffer: usize) -> Result<Pending> {
        let chunks = std::mem::take(&mut self.chunks);
        let kinds = Int8Array::from(std::mem::take(&mut self.kinds));
        let ncols = chunks.first().map_or(0, Vec::len);
        let cols = (0..ncols)
            .map(|c| {
                if chunks.len() == 1 {
                    return Ok(chunks[0][c].clone());
                }
                let parts: Vec<&dyn arrow_array::Array> =
                    chunks.iter().map(|ch| ch[c].as_ref()).collect();
                arrow_select::concat::concat(&parts)
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::InvalidValue(e.to_string()))?;
        let seq_start = self.next_seq;
        self.next_seq += kinds.len() as i64;
        self.bytes = 0;
        Ok(Pending {
            cols,
            kinds,
            seq_start,
            buffer,
            arrival_order: self.bucket == crate::bucket::POSTPONE_BUCKET,
        })
    }
}

/// Sorts, merges and encodes a buffer's rows: one sorted run of level-0 files.
pub(crate) fn flush(
    p: Pending,
    dir: &str,
    rules: &FlushRules,
    writer: &DataFileWriter,
) -> Result<Flushed> {
    let Some(func) = &rules.func else {
        return Ok(Flushed {
            buffer: p.buffer,
            data: writer.encode_append(dir, p.cols)?,
            changelog: Vec::new(),
        });
    };
    let n = p.kinds.len() as i64;
    if p.arrival_order {
        // The postpone bucket keeps the rows as they came; compaction replays them in order.
        let file = KvFile {
            prefix: "data-",
            level: 0,
            source: FileSource::Append,
        };
        let seq = (p.seq_start..p.seq_start + n).collect();
        return Ok(Flushed {
            buffer: p.buffer,
            data: writer.encode_key_value(dir, file, p.cols, p.kinds, seq)?,
            changelog: Vec::new(),
        });
    }
    let seq = ScalarBuffer::from((p.seq_start..p.seq_start + n).collect::<Vec<i64>>());
    let mut sorted = sort_by_key(&p.cols, &rules.key_idx)?;
    order_by_sequence_fields(&mut sorted, &p.cols, &rules.seq_cols, rules.seq_descending)?;
    let changelog = if rules.changelog {
        let (c, k, s) = gather(&p.cols, &p.kinds, &seq, sorted.order.clone())?;
        let file = KvFile {
            prefix: "changelog-",
            level: 0,
            source: FileSource::Append,
        };
        writer.encode_key_value(dir, file, c, k, s)?
    } else {
        Vec::new()
    };
    let (cols, kinds, seq) = merge_sorted(p.cols, p.kinds, seq, &sorted, func)?;
    let file = KvFile {
        prefix: "data-",
        level: 0,
        source: FileSource::Append,
    };
    Ok(Flushed {
        buffer: p.buffer,
        data: writer.encode_key_value(dir, file, cols, kinds, seq)?,
        changelog,
    })
}

/// Flushes several buffers' rows through `env`'s [`run_all`](WriteEnv::run_all) (several at
/// once where the driver has threads); `pending` comes largest first. Results in the order of
/// `pending`.
pub(crate) fn flush_all(
    pending: Vec<Pending>,
    dirs: &[String],
    rules: &FlushRules,
    writer: &DataFileWriter,
    env: &dyn WriteEnv,
) -> Result<Vec<Flushed>> {
    let n = pending.len();
    let jobs: Vec<Mutex<Option<Pending>>> =
        pending.into_iter().map(|p| Mutex::new(Some(p))).collect();
    let results: Vec<Mutex<Option<Result<Flushed>>>> = (0..n).map(|_| Mutex::new(None)).collect();
    env.run_all(n, &|i| {
        let Some(p) = jobs[i].lock().ok().and_then(|mut j| j.take()) else {
            return;
        };
        let dir = &dirs[p.buffer];
        let flushed = flush(p, dir, rules, writer);
        if let Ok(mut slot) = results[i].lock() {
            *slot = Some(flushed);
        }
    });
    results
        .into_iter()
        .map(|r| {
            r.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(Error::InvalidValue(
                    "write: a flush did not run (the driver's run_all skipped it)".into(),
                ))
            })
        })
        .collect()
}
