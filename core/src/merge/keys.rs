//! The merge's sort keys: a batch's primary keys, compared as the merge orders them.
//!
//! The common primary key, one BIGINT column, is compared as plain integers; any other key is
//! encoded with arrow-row and compared as bytes. Both order nulls first, then ascending.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_row::{Row, RowConverter, Rows, SortField};
use arrow_schema::{ArrowError, DataType};

/// Encodes batches' key columns as [`BatchKeys`].
pub(crate) enum KeyEncoder {
    /// One `Int64` key column.
    Int64,
    /// Anything else, through arrow-row.
    Rows(RowConverter),
}

/// One batch's keys.
pub(crate) enum BatchKeys {
    Int64 {
        values: ScalarBuffer<i64>,
        nulls: Option<NullBuffer>,
    },
    Rows(Rows),
}

/// One key, borrowed from its batch's [`BatchKeys`]. Keys of one encoder compare as the merge
/// orders them (keys of different encoders never meet).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Key<'a> {
    Int64(Option<i64>),
    Row(Row<'a>),
}

impl KeyEncoder {
    /// An encoder for key columns of types `types`.
    pub fn new(types: Vec<DataType>) -> Result<Self, ArrowError> {
        Ok(match types.as_slice() {
            [DataType::Int64] => KeyEncoder::Int64,
            _ => KeyEncoder::Rows(RowConverter::new(
                types.into_iter().map(SortField::new).collect(),
            )?),
        })
    }

    /// The keys of a batch's key columns.
    pub fn encode(&self, cols: &[ArrayRef]) -> Result<BatchKeys, ArrowError> {
        match self {
            KeyEncoder::Int64 => {
                let a = cols
                    .first()
                    .and_then(|c| c.as_primitive_opt::<Int64Type>())
                    .ok_or_else(|| ArrowError::InvalidArgumentError("key is not BIGINT".into()))?;
                Ok(BatchKeys::Int64 {
                    values: a.values().clone(),
                    nulls: a.nulls().cloned(),
                })
            }
            KeyEncoder::Rows(c) => Ok(BatchKeys::Rows(c.convert_columns(cols)?)),
        }
    }
}

impl BatchKeys {
    /// The key of row `i`.
    #[inline]
    pub fn key(&self, i: usize) -> Key<'_> {
        match self {
            BatchKeys::Int64 { values, nulls } => {
                let valid = nulls.as_ref().is_none_or(|n| n.is_valid(i));
                Key::Int64(valid.then(|| values[i]))
            }
            BatchKeys::Rows(r) => Key::Row(r.row(i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::Int64Array;

    use super::*;

    #[test]
    fn integer_keys_order_as_arrow_row_does() {
        let values = vec![
            Some(3),
            None,
            Some(-7),
            Some(i64::MIN),
            Some(i64::MAX),
            Some(0),
            None,
        ];
        let col: ArrayRef = Arc::new(Int64Array::from(values.clone()));
        let ints = KeyEncoder::new(vec![DataType::Int64]).unwrap();
        let rows =
            KeyEncoder::Rows(RowConverter::new(vec![SortField::new(DataType::Int64)]).unwrap());
        let (a, b) = (
            ints.encode(std::slice::from_ref(&col)).unwrap(),
            rows.encode(std::slice::from_ref(&col)).unwrap(),
        );
        for i in 0..values.len() {
            assert!(a.key(i) == Key::Int64(values[i]));
            for j in 0..values.len() {
                assert_eq!(
                    a.key(i).cmp(&a.key(j)),
                    b.key(i).cmp(&b.key(j)),
                    "{i} vs {j}"
                );
            }
        }
    }

    #[test]
    fn other_keys_go_through_arrow_row() {
        assert!(matches!(
            KeyEncoder::new(vec![DataType::Int32]).unwrap(),
            KeyEncoder::Rows(_)
        ));
        let two = KeyEncoder::new(vec![DataType::Int64, DataType::Utf8]).unwrap();
        assert!(matches!(two, KeyEncoder::Rows(_)));
        let ints = KeyEncoder::new(vec![DataType::Int64]).unwrap();
        let wrong: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1]));
        assert!(ints.encode(&[wrong]).is_err());
    }
}
