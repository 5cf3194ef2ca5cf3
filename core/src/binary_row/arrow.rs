//! Converting between [`Datum`]s and Arrow arrays of the matching Paimon type.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float32Array,
    Float64Array, Int16Array, Int32Array, Int64Array, Int8Array, StringArray,
    Time32MillisecondArray, TimestampMicrosecondArray, TimestampMillisecondArray,
    TimestampNanosecondArray, TimestampSecondArray,
};
use arrow_schema::{DataType as ArrowType, TimeUnit};

use super::{Datum, Timestamp};
use crate::{Error, Result};

fn unsupported(t: &ArrowType) -> Error {
    Error::unsupported("Arrow value", format!("type {t} has no Datum"))
}

/// The value at `row` of `array` as a [`Datum`] (atomic types only).
pub fn datum_at(array: &dyn Array, row: usize) -> Result<Datum> {
    if array.is_null(row) {
        return Ok(Datum::Null);
    }
    Ok(match array.data_type() {
        ArrowType::Boolean => Datum::Boolean(array.as_boolean().value(row)),
        ArrowType::Int8 => Datum::TinyInt(array.as_primitive::<Int8Type>().value(row)),
        ArrowType::Int16 => Datum::SmallInt(array.as_primitive::<Int16Type>().value(row)),
        ArrowType::Int32 => Datum::Int(array.as_primitive::<Int32Type>().value(row)),
        ArrowType::Int64 => Datum::BigInt(array.as_primitive::<Int64Type>().value(row)),
        ArrowType::Float32 => Datum::Float(array.as_primitive::<Float32Type>().value(row)),
        ArrowType::Float64 => Datum::Double(array.as_primitive::<Float64Type>().value(row)),
        ArrowType::Utf8 => Datum::String(array.as_string::<i32>().value(row).to_string()),
        ArrowType::LargeUtf8 => Datum::String(array.as_string::<i64>().value(row).to_string()),
        ArrowType::Binary => Datum::Binary(array.as_binary::<i32>().value(row).to_vec()),
        ArrowType::LargeBinary => Datum::Binary(array.as_binary::<i64>().value(row).to_vec()),
        ArrowType::Decimal128(..) => {
            Datum::Decimal(array.as_primitive::<Decimal128Type>().value(row))
        }
        ArrowType::Date32 => Datum::Date(array.as_primitive::<Date32Type>().value(row)),
        ArrowType::Time32(TimeUnit::Millisecond) => {
            Datum::Time(array.as_primitive::<Time32MillisecondType>().value(row))
        }
        ArrowType::Timestamp(unit, _) => {
            let v = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(row),
                TimeUnit::Millisecond => {
                    array.as_primitive::<TimestampMillisecondType>().value(row)
                }
                TimeUnit::Microsecond => {
                    array.as_primitive::<TimestampMicrosecondType>().value(row)
                }
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(row),
            };
            Datum::Timestamp(timestamp_datum(v, *unit).ok_or_else(|| {
                Error::InvalidValue(format!("timestamp {v} ({unit:?}) is out of range"))
            })?)
        }
        other => return Err(unsupported(other)),
    })
}

/// A timestamp of `v` units since the epoch, or `None` beyond the range of milliseconds.
pub fn timestamp_datum(v: i64, unit: TimeUnit) -> Option<Timestamp> {
    let per_milli: i64 = match unit {
        TimeUnit::Second => {
            return Some(Timestamp {
                millis: v.checked_mul(1000)?,
                nano_of_milli: 0,
            })
        }
        TimeUnit::Millisecond => 1,
        TimeUnit::Microsecond => 1000,
        TimeUnit::Nanosecond => 1_000_000,
    };
    Some(Timestamp {
        millis: v.div_euclid(per_milli),
        nano_of_milli: (v.rem_euclid(per_milli) * (1_000_000 / per_milli)) as i32,
    })
}

fn ts_value(t: &Timestamp, unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => t.millis.div_euclid(1000),
        TimeUnit::Millisecond => t.millis,
        TimeUnit::Microsecond => t.millis * 1000 + i64::from(t.nano_of_milli / 1000),
        TimeUnit::Nanosecond => t.millis * 1_000_000 + i64::from(t.nano_of_milli),
    }
}

/// An Arrow array of type `t` holding `values`.
pub fn datums_to_array(values: &[Datum], t: &ArrowType) -> Result<ArrayRef> {
    macro_rules! prim {
        ($arr:ty, $variant:ident) => {
            Arc::new(
                values
                    .iter()
                    .map(|d| match d {
                        Datum::$variant(v) => Ok(Some(v.clone())),
                        Datum::Null => Ok(None),
                        other => Err(Error::InvalidValue(format!("{other} is not a {t}"))),
                    })
                    .collect::<Result<$arr>>()?,
            ) as ArrayRef
        };
    }
    Ok(match t {
        ArrowType::Boolean => prim!(BooleanArray, Boolean),
        ArrowType::Int8 => prim!(Int8Array, TinyInt),
        ArrowType::Int16 => prim!(Int16Array, SmallInt),
        ArrowType::Int32 => prim!(Int32Array, Int),
        ArrowType::Int64 => prim!(Int64Array, BigInt),
        ArrowType::Float32 => prim!(Float32Array, Float),
        ArrowType::Float64 => prim!(Float64Array, Double),
        ArrowType::Utf8 => prim!(StringArray, String),
        ArrowType::Binary => prim!(BinaryArray, Binary),
        ArrowType::Date32 => prim!(Date32Array, Date),
        ArrowType::Time32(TimeUnit::Millisecond) => prim!(Time32MillisecondArray, Time),
        ArrowType::Decimal128(p, s) => Arc::new(
            prim!(Decimal128Array, Decimal)
                .as_primitive::<Decimal128Type>()
                .clone()
                .with_precision_and_scale(*p, *s)
                .map_err(|e| Error::InvalidValue(e.to_string()))?,
        ),
        ArrowType::Timestamp(unit, tz) => {
            let v: Vec<Option<i64>> = values
                .iter()
                .map(|d| match d {
                    Datum::Timestamp(ts) => Ok(Some(ts_value(ts, unit))),
                    Datum::Null => Ok(None),
                    other => Err(Error::InvalidValue(format!("{other} is not a {t}"))),
                })
                .collect::<Result<_>>()?;
            let a: ArrayRef = match unit {
                TimeUnit::Second => Arc::new(TimestampSecondArray::from(v)),
                TimeUnit::Millisecond => Arc::new(TimestampMillisecondArray::from(v)),
                TimeUnit::Microsecond => Arc::new(TimestampMicrosecondArray::from(v)),
                TimeUnit::Nanosecond => Arc::new(TimestampNanosecondArray::from(v)),
            };
            match tz {
                Some(tz) => arrow_cast::cast(&a, &ArrowType::Timestamp(*unit, Some(tz.clone())))
                    .map_err(|e| Error::InvalidValue(e.to_string()))?,
                None => a,
            }
        }
        other => return Err(unsupported(other)),
    })
}
