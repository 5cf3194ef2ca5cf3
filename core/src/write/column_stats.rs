//! Column statistics of a data file being written: min, max and null count per column, as
//! Paimon's stats collectors compute them.

use std::cmp::Ordering;

use crate::binary_row::{datum_at, Datum};
use crate::predicate::compare_datums;
use crate::types::DataField;
use crate::{Error, Result};
use arrow_array::{Array, ArrayRef};

/// Mins, maxes and null counts of columns.
pub(super) type ColumnStats = (Vec<Datum>, Vec<Datum>, Vec<Option<i64>>);

/// Min, max (nulls where unknown or for nested types) and null count of each column.
pub(super) fn column_stats(cols: &[ArrayRef], fields: &[DataField]) -> Result<ColumnStats> {
    let mut mins = Vec::with_capacity(cols.len());
    let mut maxs = Vec::with_capacity(cols.len());
    let mut nulls = Vec::with_capacity(cols.len());
    for (c, f) in cols.iter().zip(fields) {
        nulls.push(Some(c.null_count() as i64));
        let (lo, hi) = if f.data_type.is_atomic() {
            min_max(c)?
        } else {
            (Datum::Null, Datum::Null)
        };
        mins.push(lo);
        maxs.push(hi);
    }
    Ok((mins, maxs, nulls))
}

/// Min and max of an atomic column with Arrow's aggregate kernels (NaN excluded for floats,
/// as Paimon's stats collectors skip it).
fn min_max(c: &ArrayRef) -> Result<(Datum, Datum)> {
    use arrow_arith::aggregate as agg;
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_schema::{DataType as A, TimeUnit};
    macro_rules! prim {
        ($t:ty, $v:ident) => {{
            let a = c.as_primitive::<$t>();
            (
                agg::min(a).map_or(Datum::Null, Datum::$v),
                agg::max(a).map_or(Datum::Null, Datum::$v),
            )
        }};
    }
    let ts = |v: Option<i64>, per_milli: i64| {
        v.map_or(Datum::Null, |v| {
            Datum::Timestamp(crate::binary_row::Timestamp {
                millis: v.div_euclid(per_milli),
                nano_of_milli: (v.rem_euclid(per_milli) * (1_000_000 / per_milli)) as i32,
            })
        })
    };
    Ok(match c.data_type() {
        A::Boolean => {
            let a = c.as_boolean();
            (
                agg::min_boolean(a).map_or(Datum::Null, Datum::Boolean),
                agg::max_boolean(a).map_or(Datum::Null, Datum::Boolean),
            )
        }
        A::Int8 => prim!(Int8Type, TinyInt),
        A::Int16 => prim!(Int16Type, SmallInt),
        A::Int32 => prim!(Int32Type, Int),
        A::Int64 => prim!(Int64Type, BigInt),
        A::Date32 => prim!(Date32Type, Date),
        A::Time32(TimeUnit::Millisecond) => prim!(Time32MillisecondType, Time),
        A::Decimal128(..) => prim!(Decimal128Type, Decimal),
        A::Float32 | A::Float64 => {
            // Skip NaN: compare through Datum on the non-NaN values.
            let filtered =
                arrow_ord::cmp::eq(c, c).map_err(|e| Error::InvalidValue(e.to_string()))?;
            let c = arrow_select::filter::filter(c.as_ref(), &filtered)
                .map_err(|e| Error::InvalidValue(e.to_string()))?;
            match c.data_type() {
                A::Float32 => {
                    let a = c.as_primitive::<Float32Type>();
                    (
                        agg::min(a).map_or(Datum::Null, Datum::Float),
                        agg::max(a).map_or(Datum::Null, Datum::Float),
                    )
                }
                _ => {
                    let a = c.as_primitive::<Float64Type>();
                    (
                        agg::min(a).map_or(Datum::Null, Datum::Double),
                        agg::max(a).map_or(Datum::Null, Datum::Double),
                    )
                }
            }
        }
        A::Timestamp(unit, _) => {
            let (lo, hi, per) = match unit {
                TimeUnit::Second => {
                    let a = c.as_primitive::<TimestampSecondType>();
                    (
                        agg::min(a).map(|v| v * 1000),
                        agg::max(a).map(|v| v * 1000),
                        1,
                    )
                }
                TimeUnit::Millisecond => {
                    let a = c.as_primitive::<TimestampMillisecondType>();
                    (agg::min(a), agg::max(a), 1)
                }
                TimeUnit::Microsecond => {
                    let a = c.as_primitive::<TimestampMicrosecondType>();
                    (agg::min(a), agg::max(a), 1000)
                }
                TimeUnit::Nanosecond => {
                    let a = c.as_primitive::<TimestampNanosecondType>();
                    (agg::min(a), agg::max(a), 1_000_000)
                }
            };
            (ts(lo, per), ts(hi, per))
        }
        A::Utf8 => {
            let a = c.as_string::<i32>();
            (
                agg::min_string(a).map_or(Datum::Null, |s| Datum::String(s.to_string())),
                agg::max_string(a).map_or(Datum::Null, |s| Datum::String(s.to_string())),
            )
        }
        A::Binary => {
            let a = c.as_binary::<i32>();
            (
                agg::min_binary(a).map_or(Datum::Null, |s| Datum::Binary(s.to_vec())),
                agg::max_binary(a).map_or(Datum::Null, |s| Datum::Binary(s.to_vec())),
            )
        }
        _ => {
            let mut lo = Datum::Null;
            let mut hi = Datum::Null;
            for r in 0..c.len() {
                let v = datum_at(c.as_ref(), r)?;
                if v.is_null() {
                    continue;
                }
                if lo.is_null() || compare_datums(&v, &lo) == Some(Ordering::Less) {
                    lo = v.clone();
                }
                if hi.is_null() || compare_datums(&v, &hi) == Some(Ordering::Greater) {
                    hi = v;
                }
            }
            (lo, hi)
        }
    })
}
