//! Aggregate functions of the `aggregation` merge engine, over [`Datum`]s.

use std::cmp::Ordering;

use crate::binary_row::Datum;
use crate::predicate::compare_datums;
use crate::types::{DataField, TypeKind};
use crate::{Error, Result};

/// The aggregate functions Strata implements (Paimon's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFn {
    /// `primary-key`: key columns keep their value.
    PrimaryKey,
    /// `sum`.
    Sum,
    /// `product`.
    Product,
    /// `min`.
    Min,
    /// `max`.
    Max,
    /// `last_value` (nulls included).
    LastValue,
    /// `last_non_null_value`.
    LastNonNullValue,
    /// `first_value` (nulls included).
    FirstValue,
    /// `first_non_null_value` (also `first_not_null_value`).
    FirstNonNullValue,
    /// `listagg`.
    ListAgg,
    /// `bool_and`.
    BoolAnd,
    /// `bool_or`.
    BoolOr,
}

impl AggregateFn {
    /// Parses a function name for a field, checking the field's type.
    pub fn parse(name: &str, field: &DataField) -> Result<Self> {
        let f = match name {
            "primary-key" => AggregateFn::PrimaryKey,
            "sum" => AggregateFn::Sum,
            "product" => AggregateFn::Product,
            "min" => AggregateFn::Min,
            "max" => AggregateFn::Max,
            "last_value" => AggregateFn::LastValue,
            "last_non_null_value" => AggregateFn::LastNonNullValue,
            "first_value" => AggregateFn::FirstValue,
            "first_non_null_value" | "first_not_null_value" => AggregateFn::FirstNonNullValue,
            "listagg" => AggregateFn::ListAgg,
            "bool_and" => AggregateFn::BoolAnd,
            "bool_or" => AggregateFn::BoolOr,
            other => {
                return Err(Error::unsupported(
                    format!("fields.{}.aggregate-function", field.name),
                    format!("aggregate function {other:?} (Paimon has no `count`; supported: sum, product, min, max, last_value, last_non_null_value, first_value, first_non_null_value, listagg, bool_and, bool_or)"),
                ))
            }
        };
        let k = &field.data_type.kind;
        let numeric = matches!(
            k,
            TypeKind::TinyInt
                | TypeKind::SmallInt
                | TypeKind::Int
                | TypeKind::BigInt
                | TypeKind::Float
                | TypeKind::Double
                | TypeKind::Decimal { .. }
        );
        let ok = match f {
            AggregateFn::Sum | AggregateFn::Product => numeric,
            AggregateFn::ListAgg => matches!(k, TypeKind::Char(_) | TypeKind::VarChar(_)),
            AggregateFn::BoolAnd | AggregateFn::BoolOr => matches!(k, TypeKind::Boolean),
            AggregateFn::Min | AggregateFn::Max => field.data_type.is_atomic(),
            _ => true,
        };
        if !ok {
            return Err(Error::unsupported(
                format!("fields.{}.aggregate-function", field.name),
                format!("{name} on type {}", field.data_type),
            ));
        }
        Ok(f)
    }

    fn supports_retract(self) -> bool {
        matches!(
            self,
            AggregateFn::Sum
                | AggregateFn::Product
                | AggregateFn::LastValue
                | AggregateFn::LastNonNullValue
                | AggregateFn::PrimaryKey
        )
    }
}

/// One field's aggregator.
#[derive(Debug, Clone)]
pub struct Aggregator {
    func: AggregateFn,
    field: DataField,
    ignore_retract: bool,
    delimiter: String,
}

fn overflow(field: &DataField) -> Error {
    Error::InvalidValue(format!(
        "aggregation of {} overflows {}",
        field.name, field.data_type
    ))
}

impl Aggregator {
    /// An aggregator for `field`.
    pub fn new(
        func: AggregateFn,
        field: DataField,
        ignore_retract: bool,
        delimiter: String,
    ) -> Self {
        Aggregator {
            func,
            field,
            ignore_retract,
            delimiter,
        }
    }

    fn arith(&self, a: &Datum, b: &Datum, negate_b: bool, multiply: bool) -> Result<Datum> {
        use Datum::*;
        let of = || overflow(&self.field);
        macro_rules! int {
            ($x:expr, $y:expr, $v:ident) => {{
                let y = if negate_b {
                    $y.checked_neg().ok_or_else(of)?
                } else {
                    *$y
                };
                $v(if multiply {
                    $x.checked_mul(y)
                } else {
                    $x.checked_add(y)
                }
                .ok_or_else(of)?)
            }};
        }
        Ok(match (a, b) {
            (TinyInt(x), TinyInt(y)) => int!(x, y, TinyInt),
            (SmallInt(x), SmallInt(y)) => int!(x, y, SmallInt),
            (Int(x), Int(y)) => int!(x, y, Int),
            (BigInt(x), BigInt(y)) => int!(x, y, BigInt),
            (Float(x), Float(y)) => Float(if multiply {
                x * y
            } else if negate_b {
                x - y
            } else {
                x + y
            }),
            (Double(x), Double(y)) => Double(if multiply {
                x * y
            } else if negate_b {
                x - y
            } else {
                x + y
            }),
            (Decimal(x), Decimal(y)) => {
                let TypeKind::Decimal { precision, scale } = self.field.data_type.kind else {
                    return Err(of());
                };
                let v = if multiply {
                    x.checked_mul(*y).map(|p| p / 10i128.pow(u32::from(scale)))
                } else if negate_b {
                    x.checked_sub(*y)
                } else {
                    x.checked_add(*y)
                }
                .ok_or_else(of)?;
                if v.unsigned_abs() >= 10u128.pow(u32::from(precision)) {
                    return Err(of());
                }
                Decimal(v)
            }
            _ => {
                return Err(Error::InvalidValue(format!(
                    "{}: cannot combine {a} and {b}",
                    self.field.name
                )))
            }
        })
    }

    /// Folds an added value into the accumulator (`None`: nothing seen yet).
    pub fn add(&self, acc: Option<Datum>, v: Datum) -> Result<Datum> {
        use AggregateFn::*;
        let Some(acc) = acc else {
            return Ok(match self.func {
                FirstNonNullValue | LastNonNullValue | Sum | Product | Min | Max | ListAgg
                | BoolAnd | BoolOr => v,
                _ => v,
            });
        };
        Ok(match self.func {
            PrimaryKey | LastValue => v,
            LastNonNullValue => {
                if v.is_null() {
                    acc
                } else {
                    v
                }
            }
            FirstValue => acc,
            FirstNonNullValue => {
                if acc.is_null() {
                    v
                } else {
                    acc
                }
            }
            _ if v.is_null() => acc,
            _ if acc.is_null() => v,
            Sum => self.arith(&acc, &v, false, false)?,
            Product => self.arith(&acc, &v, false, true)?,
            Min => {
                if compare_datums(&v, &acc) == Some(Ordering::Less) {
                    v
                } else {
                    acc
                }
            }
            Max => {
                if compare_datums(&v, &acc) == Some(Ordering::Greater) {
                    v
                } else {
                    acc
                }
            }
            ListAgg => match (&acc, &v) {
                (Datum::String(a), Datum::String(b)) => {
                    Datum::String(format!("{a}{}{b}", self.delimiter))
                }
                _ => acc,
            },
            BoolAnd => match (&acc, &v) {
                (Datum::Boolean(a), Datum::Boolean(b)) => Datum::Boolean(*a && *b),
                _ => acc,
            },
            BoolOr => match (&acc, &v) {
                (Datum::Boolean(a), Datum::Boolean(b)) => Datum::Boolean(*a || *b),
                _ => acc,
            },
        })
    }

    /// Folds a retracted value (-U/-D input) into the accumulator.
    pub fn retract(&self, acc: Option<Datum>, v: Datum) -> Result<Datum> {
        use AggregateFn::*;
        if self.ignore_retract {
            return Ok(acc.unwrap_or(Datum::Null));
        }
        if !self.func.supports_retract() {
            return Err(Error::unsupported(
                format!("fields.{}.aggregate-function", self.field.name),
                format!(
                    "{:?} cannot retract; set fields.{}.ignore-retract=true",
                    self.func, self.field.name
                ),
            ));
        }
        let acc = acc.unwrap_or(Datum::Null);
        Ok(match self.func {
            PrimaryKey => v,
            LastValue => Datum::Null,
            LastNonNullValue => {
                if v.is_null() {
                    acc
                } else {
                    Datum::Null
                }
            }
            _ if v.is_null() => acc,
            Sum if acc.is_null() => self.arith(&zero_like(&v), &v, true, false)?,
            Sum => self.arith(&acc, &v, true, false)?,
            Product => match (&acc, &v) {
                (Datum::Double(a), Datum::Double(b)) => Datum::Double(a / b),
                (Datum::Float(a), Datum::Float(b)) => Datum::Float(a / b),
                (Datum::BigInt(a), Datum::BigInt(b)) if *b != 0 => Datum::BigInt(a / b),
                (Datum::Int(a), Datum::Int(b)) if *b != 0 => Datum::Int(a / b),
                _ => acc,
            },
            _ => acc,
        })
    }
}

fn zero_like(v: &Datum) -> Datum {
    match v {
        Datum::TinyInt(_) => Datum::TinyInt(0),
        Datum::SmallInt(_) => Datum::SmallInt(0),
        Datum::Int(_) => Datum::Int(0),
        Datum::BigInt(_) => Datum::BigInt(0),
        Datum::Float(_) => Datum::Float(0.0),
        Datum::Double(_) => Datum::Double(0.0),
        Datum::Decimal(_) => Datum::Decimal(0),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(name: &str, t: &str) -> Aggregator {
        let f = DataField::new(0, "x", t.parse().unwrap());
        Aggregator::new(AggregateFn::parse(name, &f).unwrap(), f, false, ",".into())
    }

    fn fold(a: &Aggregator, vals: Vec<Datum>) -> Datum {
        vals.into_iter()
            .fold(None, |acc, v| Some(a.add(acc, v).unwrap()))
            .unwrap()
    }

    #[test]
    fn functions_fold_like_paimon() {
        use Datum::*;
        assert_eq!(
            fold(&agg("sum", "BIGINT"), vec![BigInt(1), Null, BigInt(5)]),
            BigInt(6)
        );
        assert_eq!(
            fold(&agg("product", "DOUBLE"), vec![Double(2.0), Double(4.0)]),
            Double(8.0)
        );
        assert_eq!(
            fold(
                &agg("min", "STRING"),
                vec![String("b".into()), Null, String("a".into())]
            ),
            String("a".into())
        );
        assert_eq!(
            fold(&agg("max", "INT"), vec![Int(3), Int(9), Int(1)]),
            Int(9)
        );
        assert_eq!(fold(&agg("last_value", "INT"), vec![Int(3), Null]), Null);
        assert_eq!(
            fold(&agg("last_non_null_value", "INT"), vec![Int(3), Null]),
            Int(3)
        );
        assert_eq!(fold(&agg("first_value", "INT"), vec![Null, Int(3)]), Null);
        assert_eq!(
            fold(
                &agg("first_non_null_value", "INT"),
                vec![Null, Int(3), Int(4)]
            ),
            Int(3)
        );
        assert_eq!(
            fold(
                &agg("listagg", "STRING"),
                vec![String("a".into()), Null, String("b".into())]
            ),
            String("a,b".into())
        );
        assert_eq!(
            fold(
                &agg("bool_and", "BOOLEAN"),
                vec![Boolean(true), Boolean(false)]
            ),
            Boolean(false)
        );
        assert_eq!(
            fold(
                &agg("bool_or", "BOOLEAN"),
                vec![Boolean(false), Null, Boolean(true)]
            ),
            Boolean(true)
        );
        assert_eq!(
            fold(
                &agg("sum", "DECIMAL(5, 2)"),
                vec![Decimal(150), Decimal(-25)]
            ),
            Decimal(125)
        );
        let s = agg("sum", "INT");
        assert_eq!(s.retract(Some(Int(10)), Int(3)).unwrap(), Int(7));
        assert!(agg("max", "INT").retract(Some(Int(1)), Int(1)).is_err());
        assert!(s.add(Some(Int(i32::MAX)), Int(1)).is_err());
        let f = DataField::new(0, "x", "INT".parse().unwrap());
        assert!(AggregateFn::parse("count", &f).is_err());
        assert!(AggregateFn::parse("listagg", &f).is_err());
    }
}
