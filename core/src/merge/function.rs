//! Merge engines: how the records of one primary key, in sequence order, combine into the row
//! a read returns.

use std::cmp::Ordering;

use arrow_array::{Array, ArrayRef, Int8Array};

use super::aggregate::{AggregateFn, Aggregator};
use crate::binary_row::{datum_at, Datum};
use crate::options::{MergeEngine, TableOptions};
use crate::predicate::compare_datum_rows;
use crate::types::DataField;
use crate::{Error, Result};

pub use crate::key_value::row_kind;

/// Decoded columns of one batch of key-value records.
#[derive(Debug, Clone)]
pub struct KvBatch {
    /// The read fields' columns.
    pub cols: Vec<ArrayRef>,
    /// `_SEQUENCE_NUMBER`.
    pub seq: arrow_buffer::ScalarBuffer<i64>,
    /// `_VALUE_KIND`.
    pub kind: Int8Array,
}

impl KvBatch {
    /// Rows in the batch.
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }
}

/// A record: (batch index in the arena, row).
pub type RecordRef = (usize, usize);

/// What merging one key produced.
#[derive(Debug, Clone)]
pub enum Merged {
    /// One record as it is (every column from it).
    Pick {
        /// Result row kind.
        kind: i8,
        /// The record.
        at: RecordRef,
    },
    /// Each column taken from a record (`None`: null).
    Fields {
        /// Result row kind.
        kind: i8,
        /// Sequence number of the result (the key's latest).
        seq: i64,
        /// Source of each column.
        from: Vec<Option<RecordRef>>,
    },
    /// Computed values (aggregation).
    Values {
        /// Result row kind.
        kind: i8,
        /// Sequence number of the result (the key's latest).
        seq: i64,
        /// Value of each column.
        values: Vec<Datum>,
    },
}

impl Merged {
    /// The result kind.
    pub fn kind(&self) -> i8 {
        match self {
            Merged::Pick { kind, .. }
            | Merged::Fields { kind, .. }
            | Merged::Values { kind, .. } => *kind,
        }
    }
}

/// A sequence group of partial-update: columns that change together, ordered by `seq` columns.
#[derive(Debug, Clone)]
struct SequenceGroup {
    seq: Vec<usize>,
    cols: Vec<usize>,
}

/// The one record of a key that a merge keeps whole, when the merge is a plain pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The first record in sequence order.
    First,
    /// The last record in sequence order.
    Last,
}

/// A configured merge engine over the read fields.
#[derive(Debug, Clone)]
pub struct MergeFunction {
    engine: MergeEngine,
    ignore_delete: bool,
    remove_on_delete: bool,
    groups: Vec<SequenceGroup>,
    aggregators: Vec<Aggregator>,
    arity: usize,
}

fn datum(arena: &[KvBatch], r: RecordRef, col: usize) -> Result<Datum> {
    datum_at(arena[r.0].cols[col].as_ref(), r.1)
}

fn kind_of(arena: &[KvBatch], r: RecordRef) -> i8 {
    arena[r.0].kind.value(r.1)
}

impl MergeFunction {
    /// The merge engine the options name, over `fields` (the read fields, which include the
    /// key, sequence and sequence-group columns).
    pub fn new(
        options: &TableOptions<'_>,
        fields: &[DataField],
        primary_keys: &[String],
    ) -> Result<Self> {
        let engine = options.merge_engine()?;
        let index = |name: &str| {
            fields.iter().position(|f| f.name == name).ok_or_else(|| {
                Error::InvalidValue(format!(
                    "merge: column {name:?} is not among the read columns"
                ))
            })
        };
        let mut groups = Vec::new();
        let mut aggregators = Vec::new();
        if engine == MergeEngine::PartialUpdate {
            for (key, value) in options_with_suffix(options, ".sequence-group") {
                let seq = key
                    .split(',')
                    .map(|s| index(s.trim()))
                    .collect::<Result<Vec<_>>>()?;
                let cols = value
                    .split(',')
                    .map(|s| index(s.trim()))
                    .collect::<Result<Vec<_>>>()?;
                groups.push(SequenceGroup { seq, cols });
            }
            if options_with_suffix(options, ".aggregate-function")
                .next()
                .is_some()
            {
                return Err(Error::unsupported(
                    "partial-update",
                    "per-field aggregate functions combined with partial-update",
                ));
            }
        }
        if engine == MergeEngine::Aggregation {
            let sequence_fields = options.sequence_fields();
            for f in fields {
                let name = if primary_keys.contains(&f.name) {
                    "primary-key".to_string()
                } else if sequence_fields.contains(&f.name) {
                    "last_value".to_string()
                } else {
                    options
                        .get(&format!("fields.{}.aggregate-function", f.name))
                        .or_else(|| options.get("fields.default-aggregate-function"))
                        .unwrap_or("last_non_null_value")
                        .trim()
                        .to_string()
                };
                let func = AggregateFn::parse(&name, f)?;
                let ignore_retract =
                    options.bool(&format!("fields.{}.ignore-retract", f.name), false);
                let delimiter = options
                    .get(&format!("fields.{}.list-agg-delimiter", f.name))
                    .unwrap_or(",")
                    .to_string();
                aggregators.push(Aggregator::new(func, f.clone(), ignore_retract, delimiter));
            }
        }
        let remove_on_delete = match engine {
            MergeEngine::PartialUpdate => {
                options.bool("partial-update.remove-record-on-delete", false)
            }
            MergeEngine::Aggregation => options.bool("aggregation.remove-record-on-delete", false),
            _ => false,
        };
        Ok(MergeFunction {
            engine,
            ignore_delete: options.ignore_delete(),
            remove_on_delete,
            groups,
            aggregators,
            arity: fields.len(),
        })
    }

    /// When every key's merge keeps one of its records whole (with that record's kind), which
    /// one: the last for deduplicate (unless deletes are ignored and some record is a
    /// retraction), the first for first-row over inserts only. `None`: call
    /// [`merge`](Self::merge). `only_inserts`: every record to merge is `+I`.
    pub fn keeps(&self, only_inserts: bool) -> Option<Keep> {
        match self.engine {
            MergeEngine::Deduplicate if only_inserts || !self.ignore_delete => Some(Keep::Last),
            MergeEngine::FirstRow if only_inserts => Some(Keep::First),
            _ => None,
        }
    }

    /// Merges the records of one key, given in sequence order. `None`: nothing to emit.
    ///
    /// A key with a single record is returned as written, whatever the engine (Paimon's
    /// reducer wrapper does the same); retractions among the results are the caller's to drop.
    pub fn merge(&self, recs: &[RecordRef], arena: &[KvBatch]) -> Result<Option<Merged>> {
        if let [only] = recs {
            return Ok(Some(Merged::Pick {
                kind: kind_of(arena, *only),
                at: *only,
            }));
        }
        let filtered: Vec<RecordRef>;
        let recs: &[RecordRef] = if self.ignore_delete {
            filtered = recs
                .iter()
                .copied()
                .filter(|r| !row_kind::is_retract(kind_of(arena, *r)))
                .collect();
            &filtered
        } else {
            recs
        };
        let Some(&last) = recs.last() else {
            return Ok(None);
        };
        match self.engine {
            MergeEngine::Deduplicate => Ok(Some(Merged::Pick {
                kind: kind_of(arena, last),
                at: last,
            })),
            MergeEngine::FirstRow => {
                let first = recs[0];
                if recs
                    .iter()
                    .any(|r| row_kind::is_retract(kind_of(arena, *r)))
                {
                    return Err(Error::unsupported(
                        "first-row",
                        "retract (-U/-D) records; set ignore-delete=true to drop them",
                    ));
                }
                Ok(Some(Merged::Pick {
                    kind: row_kind::INSERT,
                    at: first,
                }))
            }
            MergeEngine::PartialUpdate => self.partial_update(recs, arena),
            MergeEngine::Aggregation => self.aggregate(recs, arena),
        }
    }

    fn partial_update(&self, recs: &[RecordRef], arena: &[KvBatch]) -> Result<Option<Merged>> {
        let grouped: Vec<bool> = (0..self.arity)
            .map(|c| {
                self.groups
                    .iter()
                    .any(|g| g.cols.contains(&c) || g.seq.contains(&c))
            })
            .collect();
        let mut from: Vec<Option<RecordRef>> = vec![None; self.arity];
        let mut group_seq: Vec<Option<Vec<Datum>>> = vec![None; self.groups.len()];
        let mut seen = false;
        let mut deleted_by = None;
        for &r in recs {
            let retract = row_kind::is_retract(kind_of(arena, r));
            if retract && self.groups.is_empty() {
                if self.remove_on_delete && kind_of(arena, r) == row_kind::DELETE {
                    from = vec![None; self.arity];
                    seen = false;
                    deleted_by = Some(r);
                    continue;
                }
                return Err(Error::unsupported(
                    "partial-update",
                    "retract (-U/-D) records without ignore-delete, partial-update.remove-record-on-delete or sequence groups",
                ));
            }
            for (gi, g) in self.groups.iter().enumerate() {
                let seq: Vec<Datum> = g
                    .seq
                    .iter()
                    .map(|&c| datum(arena, r, c))
                    .collect::<Result<_>>()?;
                if seq.iter().all(Datum::is_null) {
                    continue;
                }
                let newer = match &group_seq[gi] {
                    None => true,
                    Some(old) => compare_datum_rows(&seq, old) != Ordering::Less,
                };
                if newer {
                    for &c in g.cols.iter().chain(&g.seq) {
                        from[c] = if retract { None } else { Some(r) };
                    }
                    group_seq[gi] = Some(seq);
                }
            }
            if retract {
                continue;
            }
            seen = true;
            deleted_by = None;
            for c in (0..self.arity).filter(|&c| !grouped[c]) {
                if !arena[r.0].cols[c].is_null(r.1) {
                    from[c] = Some(r);
                }
            }
        }
        if !seen {
            return Ok(deleted_by.map(deleted_row));
        }
        Ok(Some(Merged::Fields {
            seq: max_seq(recs, arena),
            kind: row_kind::INSERT,
            from,
        }))
    }

    fn aggregate(&self, recs: &[RecordRef], arena: &[KvBatch]) -> Result<Option<Merged>> {
        let mut acc: Vec<Option<Datum>> = vec![None; self.arity];
        let mut deleted_by = None;
        for &r in recs {
            let kind = kind_of(arena, r);
            if row_kind::is_retract(kind) && self.remove_on_delete && kind == row_kind::DELETE {
                acc = vec![None; self.arity];
                deleted_by = Some(r);
                continue;
            }
            for (c, agg) in self.aggregators.iter().enumerate() {
                let v = datum(arena, r, c)?;
                acc[c] = Some(if row_kind::is_retract(kind) {
                    agg.retract(acc[c].take(), v)?
                } else {
                    agg.add(acc[c].take(), v)?
                });
            }
        }
        if acc.iter().all(Option::is_none) {
            return Ok(deleted_by.map(deleted_row));
        }
        Ok(Some(Merged::Values {
            seq: max_seq(recs, arena),
            kind: row_kind::INSERT,
            values: acc.into_iter().map(|v| v.unwrap_or(Datum::Null)).collect(),
        }))
    }
}

/// The `-D` row of a key whose last record removed it (`remove-record-on-delete`): the delete
/// record as written. Written out (a flush, a compaction above the last level) it deletes the
/// key's older rows, so it must keep its key (and NOT NULL columns their values).
fn deleted_row(at: RecordRef) -> Merged {
    Merged::Pick {
        kind: row_kind::DELETE,
        at,
    }
}

fn max_seq(recs: &[RecordRef], arena: &[KvBatch]) -> i64 {
    recs.iter().map(|r| arena[r.0].seq[r.1]).max().unwrap_or(0)
}

/// `fields.<name>.<suffix>` options: (name, value).
fn options_with_suffix<'a>(
    options: &'a TableOptions<'_>,
    suffix: &'a str,
) -> impl Iterator<Item = (String, String)> + 'a {
    options.all().filter_map(move |(k, v)| {
        let name = k.strip_prefix("fields.")?.strip_suffix(suffix)?;
        Some((name.to_string(), v.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn func(opts: &[(&str, &str)]) -> MergeFunction {
        let map: BTreeMap<String, String> = opts
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let fields = crate::types::parse_columns("id BIGINT NOT NULL").unwrap();
        MergeFunction::new(&TableOptions::new(&map), &fields, &["id".to_string()]).unwrap()
    }

    #[test]
    fn plain_picks_are_recognised_per_engine() {
        assert_eq!(func(&[]).keeps(false), Some(Keep::Last));
        let ignoring = func(&[("ignore-delete", "true")]);
        assert_eq!(ignoring.keeps(true), Some(Keep::Last));
        assert_eq!(ignoring.keeps(false), None, "retractions must be filtered");
        let first = func(&[("merge-engine", "first-row")]);
        assert_eq!(first.keeps(true), Some(Keep::First));
        assert_eq!(first.keeps(false), None);
        let pu = func(&[("merge-engine", "partial-update")]);
        assert_eq!(pu.keeps(true), None);
    }
}
