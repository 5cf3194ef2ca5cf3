//! Bucketing: the column fast path hashes exactly as BinaryRow does for every key type, buckets
//! stay in range, and bucket keys order by partition bytes, then bucket.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Int16Array, Int32Array, Int64Array, Int8Array, StringArray,
};
use proptest::prelude::*;

use super::*;
use crate::binary_row::{datum_at, Datum};
use crate::types::DataType;

fn types(s: &[&str]) -> Vec<DataType> {
    s.iter().map(|t| t.parse().unwrap()).collect()
}

/// The hash of each row built the slow way, as a BinaryRow.
fn row_hashes(cols: &[ArrayRef], types: &[DataType]) -> Vec<i32> {
    let rows = cols.first().map_or(0, |c| c.len());
    (0..rows)
        .map(|r| {
            let v: Vec<Datum> = cols
                .iter()
                .map(|c| datum_at(c.as_ref(), r).unwrap())
                .collect();
            BinaryRow::encode(types, &v).unwrap().hash_code()
        })
        .collect()
}

#[test]
fn string_keys_take_the_row_path_and_agree_with_binary_row() {
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(vec![
            Some("short"),
            Some("a string longer than seven bytes"),
            None,
            Some(""),
        ])),
        Arc::new(Int32Array::from(vec![1, 2, 3, 4])),
    ];
    let t = types(&["STRING", "INT"]);
    assert_eq!(hashes_of_columns(&cols, &t).unwrap(), row_hashes(&cols, &t));
    let buckets = buckets_of_columns(&cols, &t, 5).unwrap();
    assert_eq!(buckets.len(), 4);
    assert!(buckets.iter().all(|b| (0..5).contains(b)), "{buckets:?}");
}

#[test]
fn no_columns_hash_no_rows_and_mismatched_types_are_errors() {
    assert_eq!(hashes_of_columns(&[], &[]).unwrap(), Vec::<i32>::new());
    let cols: Vec<ArrayRef> = vec![Arc::new(StringArray::from(vec!["x"]))];
    assert!(
        hashes_of_columns(&cols, &types(&["INT"])).is_err(),
        "a string value cannot be written as INT"
    );
}

#[test]
fn bucket_keys_order_by_partition_bytes_then_bucket() {
    let t = types(&["INT"]);
    let p = |v: i32| BinaryRow::encode(&t, &[Datum::Int(v)]).unwrap();
    let mut keys = vec![
        BucketKey::new(&p(2), 0),
        BucketKey::new(&p(1), 5),
        BucketKey::new(&p(1), -1),
        BucketKey::new(&BinaryRow::empty(), 9),
    ];
    keys.sort();
    let shown: Vec<(Vec<u8>, i32)> = keys.into_iter().map(|k| (k.partition, k.bucket)).collect();
    assert_eq!(
        shown,
        vec![
            (BinaryRow::empty().serialize(), 9),
            (p(1).serialize(), -1),
            (p(1).serialize(), 5),
            (p(2).serialize(), 0),
        ]
    );
    assert_eq!(BucketKey::new(&p(1), 3), BucketKey::new(&p(1), 3));
}

#[test]
fn mod_buckets_use_floor_mod_and_name_a_bad_count() {
    assert_eq!(
        mod_bucket(i64::MIN, 7).unwrap(),
        i64::MIN.rem_euclid(7) as i32
    );
    assert_eq!(mod_bucket(-1, 4).unwrap(), 3);
    assert_eq!(mod_bucket(i64::MAX, i32::MAX).unwrap(), 1);
    assert_eq!(
        mod_bucket(5, -2).unwrap_err().to_string(),
        "invalid value: bucket count -2 must be > 0"
    );
}

#[test]
fn a_single_bucket_takes_every_key() {
    for h in [i32::MIN, -1, 0, 1, i32::MAX] {
        assert_eq!(bucket_of_hash(h, 1), 0, "{h}");
    }
    assert_eq!(bucket_of_hash(i32::MIN, i32::MAX), 1);
    assert_eq!(bucket_of_hash(i32::MIN, 2), 0);
}

fn fixed_cols() -> impl Strategy<Value = (Vec<ArrayRef>, Vec<DataType>)> {
    let row = (
        prop::option::weighted(0.9, any::<i8>()),
        prop::option::weighted(0.9, any::<i16>()),
        prop::option::weighted(0.9, any::<i32>()),
        prop::option::weighted(0.9, any::<bool>()),
        prop::option::weighted(0.9, any::<i64>()),
    );
    prop::collection::vec(row, 0..20).prop_map(|rows| {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int8Array::from(
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            )),
            Arc::new(Int16Array::from(
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            )),
            Arc::new(Date32Array::from(
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            )),
            Arc::new(BooleanArray::from(
                rows.iter().map(|r| r.3).collect::<Vec<_>>(),
            )),
            Arc::new(Int64Array::from(
                rows.iter().map(|r| r.4).collect::<Vec<_>>(),
            )),
        ];
        (
            cols,
            types(&["TINYINT", "SMALLINT", "DATE", "BOOLEAN", "BIGINT"]),
        )
    })
}

proptest! {
    /// The fixed-width fast path lays rows out exactly as BinaryRow does, nulls included.
    #[test]
    fn fast_hashes_equal_binary_row_hashes((cols, t) in fixed_cols()) {
        prop_assert_eq!(hashes_of_columns(&cols, &t).unwrap(), row_hashes(&cols, &t));
    }

    #[test]
    fn buckets_are_in_range(hash in any::<i32>(), buckets in 1i32..=i32::MAX) {
        let b = bucket_of_hash(hash, buckets);
        prop_assert!((0..buckets).contains(&b));
        prop_assert_eq!(b, (i64::from(hash) % i64::from(buckets)).abs() as i32);
    }
}
