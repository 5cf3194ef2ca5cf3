//! The merge reader with the other engines: partial-update and aggregation rows assembled from
//! several runs (and mixed with plain picks in one round), first-row's choice and refusal.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, Int32Array, Int64Array, Int8Array};
use arrow_schema::DataType as A;

use super::reader_tests::{batch, drain, engine, D, I, UB};
use super::{KvBatch, MergeReader};
use crate::Error;

/// A record of `id BIGINT, a INT, b INT`: (id, a, b, seq, kind).
type Wide = (i64, Option<i32>, Option<i32>, i64, i8);

/// A batch of [`Wide`] records.
fn wide(recs: &[Wide]) -> KvBatch {
    KvBatch {
        cols: vec![
            Arc::new(Int64Array::from_iter_values(recs.iter().map(|r| r.0))) as ArrayRef,
            Arc::new(Int32Array::from(
                recs.iter().map(|r| r.1).collect::<Vec<_>>(),
            )),
            Arc::new(Int32Array::from(
                recs.iter().map(|r| r.2).collect::<Vec<_>>(),
            )),
        ],
        seq: recs.iter().map(|r| r.3).collect::<Vec<_>>().into(),
        kind: Int8Array::from(recs.iter().map(|r| r.4).collect::<Vec<_>>()),
    }
}

fn wide_rows(out: &[KvBatch]) -> Vec<Wide> {
    let mut rows = Vec::new();
    for b in out {
        let id = b.cols[0].as_primitive::<Int64Type>();
        let (x, y) = (
            b.cols[1].as_primitive::<Int32Type>(),
            b.cols[2].as_primitive::<Int32Type>(),
        );
        let get = |c: &arrow_array::Int32Array, r: usize| (!c.is_null(r)).then(|| c.value(r));
        for r in 0..b.len() {
            rows.push((id.value(r), get(x, r), get(y, r), b.seq[r], b.kind.value(r)));
        }
    }
    rows
}

fn reader(runs: usize, opts: &[(&str, &str)]) -> MergeReader {
    let f = engine("id BIGINT NOT NULL, a INT, b INT", opts);
    MergeReader::new(runs, vec![0], vec![A::Int64], vec![], false, f).unwrap()
}

#[test]
fn partial_update_fills_each_column_from_the_newest_non_null_value_across_runs() {
    let run0 = vec![wide(&[
        (1, Some(10), None, 1, I),
        (2, Some(20), Some(200), 2, I),
        (3, Some(30), None, 3, I),
    ])];
    let run1 = vec![wide(&[
        (1, None, Some(100), 5, I),
        (3, Some(31), None, 6, I),
    ])];
    let run2 = vec![wide(&[(1, Some(11), None, 7, I)])];
    let out = drain(
        &mut reader(3, &[("merge-engine", "partial-update")]),
        vec![run0, run1, run2],
    );
    assert_eq!(
        wide_rows(&out),
        vec![
            // Merged: a from seq 7, b from seq 5; the row carries the key's newest sequence.
            (1, Some(11), Some(100), 7, I),
            // A key in one run is returned as written, beside merged rows in the same round.
            (2, Some(20), Some(200), 2, I),
            (3, Some(31), None, 6, I),
        ]
    );
}

#[test]
fn partial_update_removes_a_record_on_delete_only_when_asked_to() {
    let runs = || {
        vec![
            vec![wide(&[
                (1, Some(10), Some(100), 1, I),
                (2, Some(20), None, 2, I),
            ])],
            vec![wide(&[(1, None, None, 3, D), (2, None, Some(200), 4, I)])],
        ]
    };
    let mut removing = reader(
        2,
        &[
            ("merge-engine", "partial-update"),
            ("partial-update.remove-record-on-delete", "true"),
        ],
    );
    assert_eq!(
        wide_rows(&drain(&mut removing, runs())),
        vec![(1, None, None, 3, D), (2, Some(20), Some(200), 4, I)]
    );
    let mut strict = reader(2, &[("merge-engine", "partial-update")]);
    strict.push(0, Some(runs()[0][0].clone())).unwrap();
    strict.push(1, Some(runs()[1][0].clone())).unwrap();
    match strict.next_round().unwrap_err() {
        Error::Unsupported { file, what } => {
            assert_eq!(file, "partial-update");
            assert!(
                what.starts_with("retract (-U/-D) records without ignore-delete"),
                "{what}"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn aggregation_combines_every_run_and_retracts() {
    let opts = [
        ("merge-engine", "aggregation"),
        ("fields.a.aggregate-function", "sum"),
        ("fields.b.aggregate-function", "max"),
        ("fields.b.ignore-retract", "true"),
    ];
    let run0 = vec![wide(&[
        (1, Some(1), Some(5), 1, I),
        (2, Some(7), Some(70), 2, I),
    ])];
    let run1 = vec![wide(&[
        (1, Some(10), Some(3), 3, I),
        (3, Some(100), None, 4, I),
    ])];
    let run2 = vec![wide(&[
        (1, Some(100), Some(9), 5, I),
        (3, Some(40), None, 6, UB),
    ])];
    let out = drain(&mut reader(3, &opts), vec![run0, run1, run2]);
    assert_eq!(
        wide_rows(&out),
        vec![
            (1, Some(111), Some(9), 5, I),
            (2, Some(7), Some(70), 2, I),
            // -U retracts from the sum.
            (3, Some(60), None, 6, I),
        ]
    );
}

#[test]
fn first_row_keeps_the_oldest_record_and_refuses_retractions() {
    let f = engine(
        "id BIGINT NOT NULL, v INT",
        &[("merge-engine", "first-row")],
    );
    let mut r = MergeReader::new(2, vec![0], vec![A::Int64], vec![], false, f).unwrap();
    let out = drain(
        &mut r,
        vec![
            vec![batch(&[(1, Some(10), 8, I), (2, Some(20), 2, I)])],
            vec![batch(&[(1, Some(11), 3, I), (2, Some(21), 9, I)])],
        ],
    );
    let v = out[0].cols[1].as_primitive::<Int32Type>();
    assert_eq!(v.values().to_vec(), vec![11, 20]);
    assert_eq!(out[0].seq.to_vec(), vec![3, 2]);
    assert_eq!(out[0].kind.values().to_vec(), vec![I, I]);

    let f = engine(
        "id BIGINT NOT NULL, v INT",
        &[("merge-engine", "first-row")],
    );
    let mut r = MergeReader::new(2, vec![0], vec![A::Int64], vec![], false, f).unwrap();
    r.push(0, Some(batch(&[(1, Some(10), 1, I)]))).unwrap();
    r.push(1, Some(batch(&[(1, Some(10), 2, D)]))).unwrap();
    match r.next_round().unwrap_err() {
        Error::Unsupported { file, what } => {
            assert_eq!(file, "first-row");
            assert_eq!(
                what,
                "retract (-U/-D) records; set ignore-delete=true to drop them"
            );
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn ignore_delete_drops_retractions_before_deduplicating() {
    let f = engine("id BIGINT NOT NULL, v INT", &[("ignore-delete", "true")]);
    let mut r = MergeReader::new(2, vec![0], vec![A::Int64], vec![], false, f).unwrap();
    let out = drain(
        &mut r,
        vec![
            vec![batch(&[(1, Some(10), 1, I), (2, Some(20), 2, I)])],
            vec![batch(&[(1, Some(10), 3, D), (2, Some(22), 4, I)])],
        ],
    );
    let v = out[0].cols[1].as_primitive::<Int32Type>();
    // Key 1's delete is ignored: its insert survives.
    assert_eq!(v.values().to_vec(), vec![10, 22]);
    assert_eq!(out[0].seq.to_vec(), vec![1, 4]);
    assert_eq!(out[0].kind.values().to_vec(), vec![I, I]);
}
