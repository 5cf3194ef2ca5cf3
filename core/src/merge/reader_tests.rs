//! The k-way merge of sorted runs with deduplicate: keys in order, the newest record of each
//! key by sequence number (or `sequence.field`), deletes and retractions as they are emitted,
//! several runs and batches, composite keys, and what the caller must push when.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{ArrayRef, Int32Array, Int64Array, Int8Array, StringArray};
use arrow_schema::DataType as A;

use super::{row_kind, KvBatch, MergeFunction, MergeReader};
use crate::options::TableOptions;
use crate::Error;

pub(super) const I: i8 = row_kind::INSERT;
pub(super) const UB: i8 = row_kind::UPDATE_BEFORE;
pub(super) const D: i8 = row_kind::DELETE;

/// A record: key, value, sequence number, kind.
pub(super) type Rec = (i64, Option<i32>, i64, i8);

/// One batch of `id BIGINT, v INT` records.
pub(super) fn batch(recs: &[Rec]) -> KvBatch {
    KvBatch {
        cols: vec![
            Arc::new(Int64Array::from_iter_values(recs.iter().map(|r| r.0))) as ArrayRef,
            Arc::new(Int32Array::from(
                recs.iter().map(|r| r.1).collect::<Vec<_>>(),
            )),
        ],
        seq: recs.iter().map(|r| r.2).collect::<Vec<_>>().into(),
        kind: Int8Array::from(recs.iter().map(|r| r.3).collect::<Vec<_>>()),
    }
}

/// The merge engine `opts` configure over `columns` keyed by `id`.
pub(super) fn engine(columns: &str, opts: &[(&str, &str)]) -> MergeFunction {
    let map: BTreeMap<String, String> = opts
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let fields = crate::types::parse_columns(columns).unwrap();
    MergeFunction::new(&TableOptions::new(&map), &fields, &["id".to_string()]).unwrap()
}

/// A merge of `runs` runs keyed by the BIGINT column 0, deduplicating.
fn dedup(runs: usize) -> MergeReader {
    let f = engine("id BIGINT NOT NULL, v INT", &[]);
    MergeReader::new(runs, vec![0], vec![A::Int64], vec![], false, f).unwrap()
}

/// Feeds each run its batches as the reader asks and collects every round's output.
pub(super) fn drain(r: &mut MergeReader, runs: Vec<Vec<KvBatch>>) -> Vec<KvBatch> {
    let mut queues: Vec<VecDeque<KvBatch>> = runs.into_iter().map(VecDeque::from).collect();
    let mut out = Vec::new();
    loop {
        let needs = r.needs();
        if !needs.is_empty() {
            for i in needs {
                r.push(i, queues[i].pop_front()).unwrap();
            }
            continue;
        }
        match r.next_round().unwrap() {
            Some(b) => out.push(b),
            None => return out,
        }
    }
}

/// The records of `id BIGINT, v INT` batches.
fn recs(batches: &[KvBatch]) -> Vec<Rec> {
    let mut out = Vec::new();
    for b in batches {
        let (id, v) = (
            b.cols[0].as_primitive::<Int64Type>(),
            b.cols[1].as_primitive::<Int32Type>(),
        );
        for r in 0..b.len() {
            let value = (!arrow_array::Array::is_null(v, r)).then(|| v.value(r));
            out.push((id.value(r), value, b.seq[r], b.kind.value(r)));
        }
    }
    out
}

#[test]
fn two_runs_merge_by_key_keeping_the_newest_record_of_each() {
    let run0 = vec![batch(&[
        (1, Some(10), 1, I),
        (3, Some(30), 3, I),
        (5, Some(51), 9, I),
    ])];
    let run1 = vec![batch(&[
        (2, Some(20), 2, I),
        (3, Some(31), 6, I),
        (4, Some(40), 7, I),
        (5, Some(50), 5, I),
    ])];
    let out = recs(&drain(&mut dedup(2), vec![run0, run1]));
    assert_eq!(
        out,
        vec![
            (1, Some(10), 1, I),
            (2, Some(20), 2, I),
            (3, Some(31), 6, I),
            (4, Some(40), 7, I),
            // The sequence number decides, not which run the record is in.
            (5, Some(51), 9, I),
        ]
    );
}

#[test]
fn deletes_and_retractions_are_emitted_with_their_kinds_for_the_caller_to_drop() {
    let older = vec![batch(&[
        (1, Some(10), 1, I),
        (2, Some(20), 2, I),
        (3, Some(30), 3, D),
    ])];
    let newer = vec![batch(&[
        (1, Some(10), 4, D),
        (3, Some(33), 5, I),
        (4, None, 6, UB),
    ])];
    let out = recs(&drain(&mut dedup(2), vec![older, newer]));
    assert_eq!(
        out,
        vec![
            (1, Some(10), 4, D),
            (2, Some(20), 2, I),
            (3, Some(33), 5, I),
            (4, None, 6, UB),
        ]
    );
}

#[test]
fn three_runs_of_several_batches_merge_across_batch_boundaries() {
    // Levels as runs: the newest (highest sequence numbers) first, as a reader orders them.
    let level0 = vec![
        batch(&[(4, Some(400), 30, I)]),
        batch(&[(9, Some(900), 31, I), (11, Some(1100), 32, I)]),
    ];
    let level1 = vec![
        batch(&[
            (2, Some(201), 20, I),
            (4, Some(401), 21, I),
            (6, Some(601), 22, I),
        ]),
        batch(&[(8, Some(801), 23, I)]),
    ];
    let level2 = vec![
        batch(&[(1, Some(102), 1, I), (2, Some(202), 2, I)]),
        batch(&[]),
        batch(&[
            (6, Some(602), 3, I),
            (9, Some(902), 4, I),
            (10, Some(1002), 5, I),
        ]),
    ];
    let out = recs(&drain(&mut dedup(3), vec![level0, level1, level2]));
    let want: Vec<Rec> = vec![
        (1, Some(102), 1, I),
        (2, Some(201), 20, I),
        (4, Some(400), 30, I),
        (6, Some(601), 22, I),
        (8, Some(801), 23, I),
        (9, Some(900), 31, I),
        (10, Some(1002), 5, I),
        (11, Some(1100), 32, I),
    ];
    assert_eq!(out, want);
}

#[test]
fn a_round_stops_at_the_smallest_last_key_and_asks_only_for_the_runs_it_used_up() {
    let mut r = dedup(2);
    assert_eq!(r.needs(), vec![0, 1]);
    r.push(0, Some(batch(&[(1, Some(1), 1, I), (5, Some(5), 2, I)])))
        .unwrap();
    // An empty batch is no batch: the run is still needed.
    r.push(1, Some(batch(&[]))).unwrap();
    assert_eq!(r.needs(), vec![1]);
    r.push(1, Some(batch(&[(2, Some(2), 3, I), (3, Some(3), 4, I)])))
        .unwrap();
    // Run 1 ends at key 3: this round may emit keys up to 3 only.
    let first = recs(&[r.next_round().unwrap().unwrap()]);
    assert_eq!(
        first,
        vec![(1, Some(1), 1, I), (2, Some(2), 3, I), (3, Some(3), 4, I)]
    );
    assert_eq!(r.needs(), vec![1], "run 0 still holds key 5");
    r.push(1, Some(batch(&[(5, Some(50), 9, I)]))).unwrap();
    let second = recs(&[r.next_round().unwrap().unwrap()]);
    assert_eq!(second, vec![(5, Some(50), 9, I)]);
    assert_eq!(r.needs(), vec![0, 1]);
    r.push(0, None).unwrap();
    r.push(1, None).unwrap();
    assert!(r.needs().is_empty());
    assert!(r.next_round().unwrap().is_none(), "every run is exhausted");
}

#[test]
fn a_sequence_field_orders_records_before_the_sequence_number() {
    // `v` is the sequence field: the larger v wins, ties fall back to the sequence number.
    let runs = || {
        vec![
            vec![batch(&[
                (1, Some(9), 1, I),
                (2, Some(5), 1, I),
                (3, Some(7), 8, I),
            ])],
            vec![batch(&[
                (1, Some(3), 2, I),
                (2, Some(5), 2, I),
                (3, None, 9, I),
            ])],
        ]
    };
    let f = || engine("id BIGINT NOT NULL, v INT", &[]);
    let mut asc = MergeReader::new(2, vec![0], vec![A::Int64], vec![1], false, f()).unwrap();
    assert_eq!(
        recs(&drain(&mut asc, runs())),
        vec![(1, Some(9), 1, I), (2, Some(5), 2, I), (3, Some(7), 8, I)]
    );
    let mut desc = MergeReader::new(2, vec![0], vec![A::Int64], vec![1], true, f()).unwrap();
    assert_eq!(
        recs(&drain(&mut desc, runs())),
        vec![(1, Some(3), 2, I), (2, Some(5), 2, I), (3, None, 9, I)]
    );
}

#[test]
fn composite_keys_merge_in_key_order_through_arrow_rows() {
    let b = |recs: &[(i32, &str, i32, i64)]| KvBatch {
        cols: vec![
            Arc::new(Int32Array::from_iter_values(recs.iter().map(|r| r.0))) as ArrayRef,
            Arc::new(StringArray::from_iter_values(recs.iter().map(|r| r.1))),
            Arc::new(Int32Array::from_iter_values(recs.iter().map(|r| r.2))),
        ],
        seq: recs.iter().map(|r| r.3).collect::<Vec<_>>().into(),
        kind: Int8Array::from(vec![I; recs.len()]),
    };
    let f = engine("id INT NOT NULL, s STRING NOT NULL, v INT", &[]);
    let mut r = MergeReader::new(2, vec![0, 1], vec![A::Int32, A::Utf8], vec![], false, f).unwrap();
    let run0 = vec![b(&[(1, "b", 10, 1), (2, "a", 20, 2)])];
    let run1 = vec![b(&[(1, "a", 11, 3), (1, "b", 12, 4), (10, "", 13, 5)])];
    let out = drain(&mut r, vec![run0, run1]);
    let mut got = Vec::new();
    for batch in &out {
        let (k, s, v) = (
            batch.cols[0].as_primitive::<Int32Type>(),
            batch.cols[1].as_string::<i32>(),
            batch.cols[2].as_primitive::<Int32Type>(),
        );
        for i in 0..batch.len() {
            got.push((k.value(i), s.value(i).to_string(), v.value(i)));
        }
    }
    let want = [(1, "a", 11), (1, "b", 12), (2, "a", 20), (10, "", 13)];
    assert_eq!(got, want.map(|(k, s, v)| (k, s.to_string(), v)));
}

#[test]
fn a_key_column_that_is_not_bigint_is_refused_when_pushed() {
    let mut r = dedup(1);
    let wrong = KvBatch {
        cols: vec![
            Arc::new(Int32Array::from(vec![1])) as ArrayRef,
            Arc::new(Int32Array::from(vec![1])),
        ],
        seq: vec![1i64].into(),
        kind: Int8Array::from(vec![I]),
    };
    match r.push(0, Some(wrong)).unwrap_err() {
        Error::InvalidValue(m) => assert_eq!(m, "merge: Invalid argument error: key is not BIGINT"),
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}
