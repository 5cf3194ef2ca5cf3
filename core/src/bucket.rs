//! Fixed-bucket assignment: which bucket a row's bucket key lands in.
//!
//! Paimon hashes the bucket-key BinaryRow with Murmur3 (seed 42, 4-byte little-endian words)
//! and takes `abs(hash % buckets)` with Java's truncating remainder.
//!
//! ```
//! use strata_core::binary_row::{BinaryRow, Datum};
//! use strata_core::bucket::bucket_of;
//! let key = BinaryRow::encode(&["BIGINT".parse().unwrap()], &[Datum::BigInt(3)]).unwrap();
//! assert_eq!(key.hash_code(), -771300025);
//! assert_eq!(bucket_of(&key, 2), 1);
//! ```

use crate::binary_row::hash::murmur_hash_words;
use crate::binary_row::BinaryRow;
use crate::{Error, Result};

/// The bucket id of Paimon's postpone bucket (`bucket = -2`): rows wait there, unread, until
/// a compaction gives them real buckets; its directory is `bucket-postpone`.
pub const POSTPONE_BUCKET: i32 = -2;

/// A (partition, bucket): the unit that owns an LSM tree, a write buffer, sequence numbers,
/// deletion vectors and a HASH index. Ordered by the partition's bytes, then the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketKey {
    /// The partition row's serialized bytes.
    pub partition: Vec<u8>,
    /// The bucket.
    pub bucket: i32,
}

impl BucketKey {
    /// The key of `bucket` in `partition`.
    pub fn new(partition: &BinaryRow, bucket: i32) -> Self {
        BucketKey {
            partition: partition.serialize(),
            bucket,
        }
    }
}

/// The bucket of a bucket-key row among `buckets` fixed buckets (`buckets` > 0).
pub fn bucket_of(key: &BinaryRow, buckets: i32) -> i32 {
    bucket_of_hash(key.hash_code(), buckets)
}

/// `abs(hash % buckets)` with Java semantics.
pub fn bucket_of_hash(hash: i32, buckets: i32) -> i32 {
    debug_assert!(buckets > 0);
    hash.wrapping_rem(buckets).wrapping_abs()
}

/// The `mod` bucket function (`bucket-function.type=mod`): `floorMod(key, buckets)` for a
/// single INT or BIGINT bucket key.
pub fn mod_bucket(key: i64, buckets: i32) -> Result<i32> {
    if buckets <= 0 {
        return Err(Error::InvalidValue(format!(
            "bucket count {buckets} must be > 0"
        )));
    }
    Ok(key.rem_euclid(i64::from(buckets)) as i32)
}

/// The bucket of every row of `cols` (the bucket-key columns, of Paimon types `types`) among
/// `buckets` fixed buckets.
pub fn buckets_of_columns(
    cols: &[arrow_array::ArrayRef],
    types: &[crate::types::DataType],
    buckets: i32,
) -> Result<Vec<i32>> {
    Ok(hashes_of_columns(cols, types)?
        .into_iter()
        .map(|h| bucket_of_hash(h, buckets))
        .collect())
}

/// The hash (`BinaryRow.hashCode`) of every row of `cols` (key columns of Paimon types
/// `types`). Rows whose keys are non-null integers, dates or booleans are hashed from a reused
/// buffer laid out exactly as their BinaryRow; other rows build the BinaryRow.
pub fn hashes_of_columns(
    cols: &[arrow_array::ArrayRef],
    types: &[crate::types::DataType],
) -> Result<Vec<i32>> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Int16Type, Int32Type, Int64Type, Int8Type};
    use arrow_array::Array;
    use arrow_schema::DataType as A;
    let rows = cols.first().map_or(0, |c| c.len());
    let header = crate::binary_row::header_size(cols.len());
    let mut buf = vec![0u8; header + 8 * cols.len()];
    let fixed = cols.iter().all(|c| {
        matches!(
            c.data_type(),
            A::Int8 | A::Int16 | A::Int32 | A::Int64 | A::Date32 | A::Boolean
        )
    });
    let mut out = Vec::with_capacity(rows);
    for r in 0..rows {
        if fixed && cols.iter().all(|c| c.is_valid(r)) {
            for (i, c) in cols.iter().enumerate() {
                let slot: u64 = match c.data_type() {
                    A::Int8 => c.as_primitive::<Int8Type>().value(r) as u8 as u64,
                    A::Int16 => c.as_primitive::<Int16Type>().value(r) as u16 as u64,
                    A::Int32 => c.as_primitive::<Int32Type>().value(r) as u32 as u64,
                    A::Date32 => c.as_primitive::<Date32Type>().value(r) as u32 as u64,
                    A::Int64 => c.as_primitive::<Int64Type>().value(r) as u64,
                    _ => u64::from(c.as_boolean().value(r)),
                };
                buf[header + 8 * i..header + 8 * i + 8].copy_from_slice(&slot.to_le_bytes());
            }
            out.push(murmur_hash_words(&buf));
        } else {
            let values: Vec<crate::binary_row::Datum> = cols
                .iter()
                .map(|c| crate::binary_row::datum_at(c.as_ref(), r))
                .collect::<Result<_>>()?;
            out.push(BinaryRow::encode(types, &values)?.hash_code());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary_row::Datum;
    use crate::types::DataType;

    fn key(t: &str, v: Datum) -> BinaryRow {
        BinaryRow::encode(&[t.parse::<DataType>().unwrap()], &[v]).unwrap()
    }

    #[test]
    fn key_hashes_match_pypaimon_dynamic_bucket_indexes() {
        // pypaimon 2.1.0's HASH index entries for a single INT key.
        let col: arrow_array::ArrayRef =
            std::sync::Arc::new(arrow_array::Int32Array::from(vec![0, 1, 2, 3, 4, 5, 6]));
        let hashes = hashes_of_columns(&[col], &["INT".parse::<DataType>().unwrap()]).unwrap();
        assert_eq!(
            hashes,
            vec![-300363099, 1465514398, 1340390384, -771300025, 1447522506, 260196596, 842153448]
        );
    }

    #[test]
    fn hashes_match_pypaimon_written_buckets() {
        for (id, hash, bucket) in [
            (1, 1465514398, 0),
            (2, 1340390384, 0),
            (3, -771300025, 1),
            (10, 124495984, 0),
            (11, -1585648237, 1),
            (12, 1824611496, 0),
        ] {
            let k = key("BIGINT", Datum::BigInt(id));
            assert_eq!(k.hash_code(), hash, "id {id}");
            assert_eq!(bucket_of(&k, 2), bucket, "id {id}");
        }
        for (k, bucket) in [(0, 3), (1, 2), (2, 0), (3, 1), (4, 2), (5, 0)] {
            assert_eq!(bucket_of(&key("INT", Datum::Int(k)), 4), bucket, "k {k}");
        }
        assert_eq!(bucket_of(&key("INT", Datum::Null), 4), 0);
    }

    #[test]
    fn column_buckets_equal_row_buckets() {
        use std::sync::Arc;
        let ids = arrow_array::Int64Array::from(vec![Some(1), Some(3), None, Some(-7)]);
        let ks = arrow_array::Int32Array::from(vec![Some(0), Some(5), Some(2), None]);
        let types: Vec<DataType> = vec!["BIGINT".parse().unwrap(), "INT".parse().unwrap()];
        let cols: Vec<arrow_array::ArrayRef> = vec![Arc::new(ids.clone()), Arc::new(ks.clone())];
        let fast = buckets_of_columns(&cols, &types, 7).unwrap();
        for (r, want) in fast.iter().enumerate() {
            let v = vec![
                crate::binary_row::datum_at(&ids, r).unwrap(),
                crate::binary_row::datum_at(&ks, r).unwrap(),
            ];
            assert_eq!(
                *want,
                bucket_of(&BinaryRow::encode(&types, &v).unwrap(), 7),
                "row {r}"
            );
        }
    }

    #[test]
    fn java_remainder_and_floor_mod() {
        assert_eq!(bucket_of_hash(i32::MIN, 3), 2);
        assert_eq!(bucket_of_hash(-7, 3), 1);
        assert_eq!(mod_bucket(-7, 3).unwrap(), 2);
        assert!(mod_bucket(1, 0).is_err());
        assert_eq!(murmur_hash_words(&[1, 2, 3]), murmur_hash_words(&[1, 2, 3]));
    }
}

#[cfg(test)]
#[path = "bucket_tests.rs"]
mod hashing_tests;
