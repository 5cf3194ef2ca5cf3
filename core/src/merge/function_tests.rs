//! Merge engines over one key's records: deduplicate, first-row, partial-update (with and
//! without sequence groups) and aggregation, with retractions and their options.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, Int64Array, Int8Array};

use super::{row_kind, Keep, KvBatch, MergeFunction, Merged, RecordRef};
use crate::binary_row::Datum;
use crate::options::TableOptions;
use crate::Error;

const I: i8 = row_kind::INSERT;
const UB: i8 = row_kind::UPDATE_BEFORE;
const UA: i8 = row_kind::UPDATE_AFTER;
const D: i8 = row_kind::DELETE;

/// A record of key 1: kind, sequence number, then columns a, b, c, d.
type Rec = (i8, i64, [Option<i32>; 4]);

fn engine(opts: &[(&str, &str)]) -> crate::Result<MergeFunction> {
    let map: BTreeMap<String, String> = opts
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let fields =
        crate::types::parse_columns("id BIGINT NOT NULL, a INT, b INT, c INT, d INT").unwrap();
    MergeFunction::new(&TableOptions::new(&map), &fields, &["id".to_string()])
}

fn batch(recs: &[Rec]) -> KvBatch {
    let mut cols: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(vec![1i64; recs.len()]))];
    for c in 0..4 {
        cols.push(Arc::new(Int32Array::from(
            recs.iter().map(|r| r.2[c]).collect::<Vec<_>>(),
        )));
    }
    KvBatch {
        cols,
        seq: recs.iter().map(|r| r.1).collect::<Vec<_>>().into(),
        kind: Int8Array::from(recs.iter().map(|r| r.0).collect::<Vec<_>>()),
    }
}

/// Merges `recs` (one batch, in order) with the engine `opts` configure.
fn merge(opts: &[(&str, &str)], recs: &[Rec]) -> crate::Result<Option<Merged>> {
    let arena = vec![batch(recs)];
    let refs: Vec<RecordRef> = (0..recs.len()).map(|i| (0, i)).collect();
    engine(opts)?.merge(&refs, &arena)
}

fn pick(m: Option<Merged>) -> (i8, RecordRef) {
    match m {
        Some(Merged::Pick { kind, at }) => (kind, at),
        other => panic!("expected a pick, got {other:?}"),
    }
}

fn fields(m: Option<Merged>) -> (i8, i64, Vec<Option<usize>>) {
    match m {
        Some(Merged::Fields { kind, seq, from }) => (
            kind,
            seq,
            from.into_iter()
                .map(|r| r.map(|(b, i)| b * 100 + i))
                .collect(),
        ),
        other => panic!("expected fields, got {other:?}"),
    }
}

fn values(m: Option<Merged>) -> (i8, i64, Vec<Datum>) {
    match m {
        Some(Merged::Values { kind, seq, values }) => (kind, seq, values),
        other => panic!("expected values, got {other:?}"),
    }
}

fn unsupported(e: Error) -> (String, String) {
    match e {
        Error::Unsupported { file, what } => (file, what),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

const PARTIAL: (&str, &str) = ("merge-engine", "partial-update");
const AGG: (&str, &str) = ("merge-engine", "aggregation");

#[test]
fn a_single_record_is_returned_as_written_by_every_engine() {
    for engine in ["deduplicate", "first-row", "partial-update", "aggregation"] {
        let m = merge(&[("merge-engine", engine)], &[(D, 7, [None; 4])]).unwrap();
        assert_eq!(pick(m), (D, (0, 0)), "{engine}");
    }
}

#[test]
fn deduplicate_keeps_the_last_record_and_its_kind() {
    let recs = [
        (I, 1, [Some(1); 4]),
        (UA, 2, [Some(2); 4]),
        (D, 3, [None; 4]),
    ];
    assert_eq!(pick(merge(&[], &recs).unwrap()), (D, (0, 2)));
    let ignoring = merge(&[("ignore-delete", "true")], &recs).unwrap();
    assert_eq!(pick(ignoring), (UA, (0, 1)), "the -D is dropped");
    let all_retracts = [(UB, 1, [None; 4]), (D, 2, [None; 4])];
    assert!(merge(&[("ignore-delete", "true")], &all_retracts)
        .unwrap()
        .is_none());
}

#[test]
fn records_in_several_batches_are_addressed_by_batch_and_row() {
    let arena = vec![
        batch(&[(I, 1, [Some(1), None, None, None])]),
        batch(&[(I, 5, [None, Some(2), None, None]), (I, 4, [None; 4])]),
    ];
    let f = engine(&[PARTIAL]).unwrap();
    let (kind, seq, from) = fields(f.merge(&[(0, 0), (1, 1), (1, 0)], &arena).unwrap());
    assert_eq!(kind, I);
    assert_eq!(seq, 5, "the largest sequence number, not the last one");
    assert_eq!(from, vec![Some(100), Some(0), Some(100), None, None]);
    let dedup = engine(&[]).unwrap();
    assert_eq!(
        pick(dedup.merge(&[(0, 0), (1, 0)], &arena).unwrap()),
        (I, (1, 0))
    );
}

#[test]
fn first_row_keeps_the_first_record_as_an_insert() {
    let recs = [(UA, 1, [Some(1); 4]), (I, 2, [Some(2); 4])];
    assert_eq!(
        pick(merge(&[("merge-engine", "first-row")], &recs).unwrap()),
        (I, (0, 0))
    );
    let with_delete = [
        (D, 1, [None; 4]),
        (I, 2, [Some(2); 4]),
        (I, 3, [Some(3); 4]),
    ];
    let (file, what) =
        unsupported(merge(&[("merge-engine", "first-row")], &with_delete).unwrap_err());
    assert_eq!(file, "first-row");
    assert!(what.contains("set ignore-delete=true"), "{what}");
    // The older spelling of ignore-delete works too.
    let m = merge(
        &[
            ("merge-engine", "first-row"),
            ("first-row.ignore-delete", "true"),
        ],
        &with_delete,
    )
    .unwrap();
    assert_eq!(pick(m), (I, (0, 1)));
}

#[test]
fn partial_update_takes_each_column_from_its_last_non_null_value() {
    let recs = [
        (I, 1, [Some(1), Some(1), None, Some(1)]),
        (I, 2, [None, Some(2), None, None]),
        (UA, 3, [Some(3), None, None, None]),
    ];
    let (kind, seq, from) = fields(merge(&[PARTIAL], &recs).unwrap());
    assert_eq!(
        kind, I,
        "the result is an insert even when the last input is +U"
    );
    assert_eq!(seq, 3);
    assert_eq!(from, vec![Some(2), Some(2), Some(1), None, Some(0)]);
}

#[test]
fn partial_update_refuses_retractions_unless_told_what_to_do() {
    let recs = [(I, 1, [Some(1); 4]), (D, 2, [None; 4])];
    let (file, what) = unsupported(merge(&[PARTIAL], &recs).unwrap_err());
    assert_eq!(file, "partial-update");
    assert!(what.contains("remove-record-on-delete"), "{what}");
    // remove-record-on-delete acts on -D only: a -U is still refused.
    let update_before = [(I, 1, [Some(1); 4]), (UB, 2, [None; 4])];
    let remove = ("partial-update.remove-record-on-delete", "true");
    assert!(merge(&[PARTIAL, remove], &update_before).is_err());
    // ignore-delete drops both.
    let (kind, _, from) =
        fields(merge(&[PARTIAL, ("ignore-delete", "true")], &update_before).unwrap());
    assert_eq!(kind, I);
    assert_eq!(from, vec![Some(0); 5]);
}

#[test]
fn partial_update_remove_record_on_delete_starts_the_row_over() {
    let remove = ("partial-update.remove-record-on-delete", "true");
    let deleted = [(I, 1, [Some(1); 4]), (D, 2, [None; 4])];
    assert_eq!(
        pick(merge(&[PARTIAL, remove], &deleted).unwrap()),
        (D, (0, 1)),
        "nothing before the delete survives: the -D record itself, with its key"
    );
    let reinserted = [
        (I, 1, [Some(1); 4]),
        (D, 2, [None; 4]),
        (I, 3, [None, Some(3), None, None]),
    ];
    let (kind, seq, from) = fields(merge(&[PARTIAL, remove], &reinserted).unwrap());
    assert_eq!((kind, seq), (I, 3));
    assert_eq!(from, vec![Some(2), None, Some(2), None, None]);
}

#[test]
fn sequence_groups_update_their_columns_together_by_group_order() {
    // c orders the group {a, b}; d and the key are ungrouped.
    let group = ("fields.c.sequence-group", "a, b");
    let recs = [
        (I, 1, [Some(1), Some(1), Some(10), Some(1)]),
        (I, 2, [Some(2), None, Some(5), None]), // an older group version: ignored
        (I, 3, [Some(3), Some(3), None, Some(4)]), // no group sequence: ignored
    ];
    let (_, _, from) = fields(merge(&[PARTIAL, group], &recs).unwrap());
    assert_eq!(from, vec![Some(2), Some(0), Some(0), Some(0), Some(2)]);
    // A newer group version replaces every column of the group, nulls included.
    let newer = [
        (I, 1, [Some(1), Some(1), Some(10), Some(1)]),
        (I, 2, [Some(2), None, Some(20), None]),
    ];
    let (_, _, from) = fields(merge(&[PARTIAL, group], &newer).unwrap());
    assert_eq!(from, vec![Some(1), Some(1), Some(1), Some(1), Some(0)]);
    // An equal group sequence counts as newer.
    let equal = [
        (I, 1, [Some(1), Some(1), Some(10), None]),
        (I, 2, [Some(2), None, Some(10), None]),
    ];
    let (_, _, from) = fields(merge(&[PARTIAL, group], &equal).unwrap());
    assert_eq!(from[1..4], [Some(1), Some(1), Some(1)]);
}

#[test]
fn a_retraction_in_a_sequence_group_clears_the_group_only() {
    let group = ("fields.c.sequence-group", "a,b");
    let recs = [
        (I, 1, [Some(1), Some(1), Some(10), Some(1)]),
        (UB, 2, [Some(1), Some(1), Some(11), Some(1)]),
    ];
    let (kind, seq, from) = fields(merge(&[PARTIAL, group], &recs).unwrap());
    assert_eq!((kind, seq), (I, 2));
    assert_eq!(from, vec![Some(0), None, None, None, Some(0)]);
    // An older retraction does not touch the group.
    let older = [
        (I, 1, [Some(1), Some(1), Some(10), Some(1)]),
        (D, 2, [None, None, Some(3), None]),
    ];
    let (_, _, from) = fields(merge(&[PARTIAL, group], &older).unwrap());
    assert_eq!(from, vec![Some(0); 5]);
    // Retractions only: nothing to emit.
    let only = [(D, 1, [None, None, Some(1), None]), (D, 2, [None; 4])];
    assert!(merge(&[PARTIAL, group], &only).unwrap().is_none());
}

#[test]
fn partial_update_options_naming_unknown_columns_or_aggregates_are_refused() {
    let e = engine(&[PARTIAL, ("fields.c.sequence-group", "a,zz")]).unwrap_err();
    match e {
        Error::InvalidValue(m) => {
            assert_eq!(m, "merge: column \"zz\" is not among the read columns")
        }
        other => panic!("{other:?}"),
    }
    let e = engine(&[PARTIAL, ("fields.nope.sequence-group", "a")]).unwrap_err();
    assert!(e.to_string().contains("\"nope\""), "{e}");
    let e = engine(&[PARTIAL, ("fields.a.aggregate-function", "sum")]).unwrap_err();
    let (file, what) = unsupported(e);
    assert_eq!(file, "partial-update");
    assert!(what.contains("aggregate functions"), "{what}");
}

#[test]
fn aggregation_folds_each_column_with_its_function() {
    let opts = [
        AGG,
        ("fields.a.aggregate-function", "sum"),
        ("fields.b.aggregate-function", " max "),
        ("fields.default-aggregate-function", "first_non_null_value"),
        ("sequence.field", "d"),
    ];
    let recs = [
        (I, 1, [Some(1), Some(5), None, Some(1)]),
        (UA, 2, [Some(2), Some(3), Some(7), None]),
        (I, 3, [None, Some(9), Some(8), Some(3)]),
    ];
    let (kind, seq, vals) = values(merge(&opts, &recs).unwrap());
    assert_eq!((kind, seq), (I, 3));
    use Datum::{BigInt, Int};
    assert_eq!(vals, vec![BigInt(1), Int(3), Int(9), Int(7), Int(3)]);
    // The default for unconfigured columns is last_non_null_value.
    let (_, _, vals) = values(merge(&[AGG], &recs).unwrap());
    assert_eq!(vals, vec![BigInt(1), Int(2), Int(9), Int(8), Int(3)]);
}

#[test]
fn aggregation_retracts_through_each_function() {
    let opts = [
        AGG,
        ("fields.a.aggregate-function", "sum"),
        ("fields.b.aggregate-function", "max"),
        ("fields.b.ignore-retract", "true"),
        ("fields.c.aggregate-function", "first_non_null_value"),
        ("fields.c.ignore-retract", "TRUE"),
        ("fields.d.aggregate-function", "last_value"),
    ];
    let recs = [
        (I, 1, [Some(1), Some(5), None, Some(1)]),
        (UB, 2, [Some(2), Some(3), Some(7), None]),
        (I, 3, [None, Some(4), Some(8), Some(3)]),
    ];
    let (_, _, vals) = values(merge(&opts, &recs).unwrap());
    use Datum::{BigInt, Int};
    assert_eq!(vals, vec![BigInt(1), Int(-1), Int(5), Int(8), Int(3)]);
    // Without ignore-retract, max cannot retract.
    let strict = [AGG, ("fields.b.aggregate-function", "max")];
    let (file, _) = unsupported(merge(&strict, &recs).unwrap_err());
    assert_eq!(file, "fields.b.aggregate-function");
}

#[test]
fn aggregation_remove_record_on_delete_resets_the_accumulators() {
    let opts = [
        AGG,
        ("fields.a.aggregate-function", "sum"),
        ("aggregation.remove-record-on-delete", "true"),
    ];
    let deleted = [(I, 1, [Some(4); 4]), (D, 2, [Some(4); 4])];
    // The key is deleted: the -D record itself, with its key.
    assert_eq!(pick(merge(&opts, &deleted).unwrap()), (D, (0, 1)));
    let again = [
        (I, 1, [Some(4); 4]),
        (D, 2, [Some(4); 4]),
        (I, 3, [Some(6), None, None, None]),
    ];
    let (kind, seq, vals) = values(merge(&opts, &again).unwrap());
    assert_eq!((kind, seq), (I, 3));
    use Datum::{BigInt, Int, Null};
    assert_eq!(vals, vec![BigInt(1), Int(6), Null, Null, Null]);
    // Without the option the -D retracts from the sum.
    let (_, _, vals) = values(merge(&opts[..2], &again).unwrap());
    assert_eq!(vals[1], Int(6));
    assert_eq!(
        vals[2], Null,
        "last_non_null_value retracted to null, then null added"
    );
}

#[test]
fn aggregation_refuses_unknown_functions_when_configured() {
    let e = engine(&[AGG, ("fields.c.aggregate-function", "count")]).unwrap_err();
    let (file, what) = unsupported(e);
    assert_eq!(file, "fields.c.aggregate-function");
    assert!(what.contains("\"count\""), "{what}");
    let e = engine(&[AGG, ("fields.default-aggregate-function", "bool_or")]).unwrap_err();
    assert_eq!(
        unsupported(e),
        (
            "fields.a.aggregate-function".to_string(),
            "bool_or on type INT".to_string()
        ),
        "the default applies to every value column, and the first one is named"
    );
    assert!(
        engine(&[("merge-engine", "nonsense")]).is_err(),
        "an unknown engine is not read as deduplicate"
    );
}

#[test]
fn keeps_and_kind_report_the_plain_picks() {
    let first = engine(&[("merge-engine", "first-row"), ("ignore-delete", "true")]).unwrap();
    assert_eq!(first.keeps(true), Some(Keep::First));
    assert_eq!(first.keeps(false), None);
    assert_eq!(engine(&[AGG]).unwrap().keeps(true), None);
    assert_eq!(engine(&[]).unwrap().keeps(false), Some(Keep::Last));
    let m = Merged::Values {
        kind: D,
        seq: 0,
        values: vec![],
    };
    assert_eq!(m.kind(), D);
    let b = batch(&[]);
    assert!(b.is_empty());
    assert_eq!(batch(&[(I, 1, [None; 4]); 3]).len(), 3);
}
