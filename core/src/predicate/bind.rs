//! Binding a predicate to a schema: literals become [`Datum`]s of their column's type.

use std::cmp::Ordering;

use super::{CmpOp, Predicate};
use crate::binary_row::{Datum, Timestamp};
use crate::path::format_decimal;
use crate::types::{DataField, DataType, TypeKind};
use crate::{Error, Result};

/// A literal as written in a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `NULL`.
    Null,
    /// `TRUE`/`FALSE`.
    Bool(bool),
    /// A number, kept as text until its column type is known.
    Number(String),
    /// A quoted string.
    String(String),
}

/// A predicate whose columns are resolved and whose literals are typed.
#[derive(Debug, Clone, PartialEq)]
pub enum BoundPredicate {
    /// `column op value`; a null value never matches.
    Compare {
        /// Column name.
        column: String,
        /// Operator.
        op: CmpOp,
        /// Typed literal.
        value: Datum,
    },
    /// `column [NOT] IN (values)`.
    In {
        /// Column name.
        column: String,
        /// Typed literals.
        values: Vec<Datum>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `column IS [NOT] NULL`.
    IsNull {
        /// Column name.
        column: String,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// All must hold.
    And(Vec<BoundPredicate>),
    /// Any must hold.
    Or(Vec<BoundPredicate>),
    /// Negation.
    Not(Box<BoundPredicate>),
}

fn bad(column: &str, t: &DataType, what: impl std::fmt::Display) -> Error {
    Error::InvalidValue(format!("filter on {column} ({t}): {what}"))
}

/// Parses `[-]digits[.digits]` into an unscaled value at `scale`; `None` if it needs more
/// fractional digits than `scale`.
fn parse_decimal(text: &str, scale: u8) -> Option<i128> {
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > usize::from(scale) {
        return None;
    }
    let digits = format!("{int}{frac:0<width$}", width = usize::from(scale));
    let v: i128 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// Days since the epoch for `y-m-d`.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn parse_date(s: &str) -> Option<i32> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    i32::try_from(days_from_civil(y, m, d)).ok()
}

/// `YYYY-MM-DD[ T]HH:MM[:SS[.fraction]]` (a trailing `Z` is accepted) as a timestamp.
pub(crate) fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let s = s.trim().trim_end_matches('Z');
    let (date, time) = match s.find([' ', 'T']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, "00:00"),
    };
    let days = i64::from(parse_date(date)?);
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let parts: Vec<i64> = hms
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (h, mi, sec) = match parts[..] {
        [h, mi] => (h, mi, 0),
        [h, mi, s] => (h, mi, s),
        _ => return None,
    };
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    let millis = days * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + nanos / 1_000_000;
    Some(Timestamp {
        millis,
        nano_of_milli: (nanos % 1_000_000) as i32,
    })
}

fn msg(what: impl std::fmt::Display) -> String {
    what.to_string()
}

/// Converts a literal to a datum of type `t`.
pub fn literal_datum(column: &str, t: &DataType, lit: &Literal) -> Result<Datum> {
    convert_literal(t, lit).map_err(|what| bad(column, t, what))
}

/// Converts a literal to a datum of type `t`; the error says why it does not fit. Integers
/// are accepted for DATE (days), TIME (milliseconds of the day) and timestamps (epoch
/// milliseconds); strings in their SQL text forms.
pub fn convert_literal(t: &DataType, lit: &Literal) -> std::result::Result<Datum, String> {
    let text = match lit {
        Literal::Null => return Ok(Datum::Null),
        Literal::Bool(b) => {
            return match t.kind {
                TypeKind::Boolean => Ok(Datum::Boolean(*b)),
                _ => Err(msg("a boolean literal")),
            }
        }
        Literal::Number(s) | Literal::String(s) => s.as_str(),
    };
    let int = |min: i128, max: i128| -> std::result::Result<i128, String> {
        let v: i128 = text
            .trim()
            .parse()
            .map_err(|_| msg(format!("{text:?} is not an integer")))?;
        if v < min || v > max {
            return Err(msg(format!("{v} is out of range")));
        }
        Ok(v)
    };
    Ok(match &t.kind {
        TypeKind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Datum::Boolean(true),
            "false" | "0" => Datum::Boolean(false),
            _ => return Err(msg(format!("{text:?} is not a boolean"))),
        },
        TypeKind::TinyInt => Datum::TinyInt(int(i8::MIN.into(), i8::MAX.into())? as i8),
        TypeKind::SmallInt => Datum::SmallInt(int(i16::MIN.into(), i16::MAX.into())? as i16),
        TypeKind::Int => Datum::Int(int(i32::MIN.into(), i32::MAX.into())? as i32),
        TypeKind::BigInt => Datum::BigInt(int(i64::MIN.into(), i64::MAX.into())? as i64),
        TypeKind::Float => Datum::Float(
            text.trim()
                .parse()
                .map_err(|_| msg(format!("{text:?} is not a number")))?,
        ),
        TypeKind::Double => Datum::Double(
            text.trim()
                .parse()
                .map_err(|_| msg(format!("{text:?} is not a number")))?,
        ),
        TypeKind::Char(_) | TypeKind::VarChar(_) => Datum::String(text.to_string()),
        TypeKind::Binary(_) | TypeKind::VarBinary(_) => Datum::Binary(text.as_bytes().to_vec()),
        TypeKind::Decimal { precision, scale } => {
            let v = parse_decimal(text.trim(), *scale).ok_or_else(|| {
                msg(format!(
                    "{text:?} is not a decimal with at most {scale} fractional digits"
                ))
            })?;
            if v.unsigned_abs() >= 10u128.pow(u32::from(*precision)) {
                return Err(msg(format!("{} does not fit", format_decimal(v, *scale))));
            }
            Datum::Decimal(v)
        }
        TypeKind::Date => match lit {
            Literal::Number(_) => Datum::Date(int(i32::MIN.into(), i32::MAX.into())? as i32),
            _ => Datum::Date(
                parse_date(text).ok_or_else(|| msg(format!("{text:?} is not YYYY-MM-DD")))?,
            ),
        },
        TypeKind::Time(_) => match lit {
            Literal::Number(_) => Datum::Time(int(0, 86_399_999)? as i32),
            _ => Datum::Time(
                parse_timestamp(&format!("1970-01-01 {}", text.trim()))
                    .filter(|ts| (0..86_400_000).contains(&ts.millis))
                    .map(|ts| ts.millis as i32)
                    .ok_or_else(|| format!("{text:?} is not HH:MM[:SS[.f]]"))?,
            ),
        },
        TypeKind::Timestamp(_) | TypeKind::LocalZonedTimestamp(_) => match lit {
            Literal::Number(_) => Datum::Timestamp(Timestamp {
                millis: int(i64::MIN.into(), i64::MAX.into())? as i64,
                nano_of_milli: 0,
            }),
            _ => Datum::Timestamp(
                parse_timestamp(text)
                    .ok_or_else(|| msg(format!("{text:?} is not YYYY-MM-DD HH:MM[:SS[.f]]")))?,
            ),
        },
        _ => return Err(msg("nested types are not supported here")),
    })
}

impl Predicate {
    /// Binds to `fields`: every column must exist and every literal must fit its type.
    pub fn bind(&self, fields: &[DataField]) -> Result<BoundPredicate> {
        let field = |c: &str| {
            fields
                .iter()
                .find(|f| f.name == c)
                .ok_or_else(|| Error::InvalidValue(format!("filter: no column named {c:?}")))
        };
        Ok(match self {
            Predicate::Compare { column, op, value } => {
                let f = field(column)?;
                BoundPredicate::Compare {
                    column: column.clone(),
                    op: *op,
                    value: literal_datum(column, &f.data_type, value)?,
                }
            }
            Predicate::In {
                column,
                values,
                negated,
            } => {
                let f = field(column)?;
                BoundPredicate::In {
                    column: column.clone(),
                    values: values
                        .iter()
                        .map(|v| literal_datum(column, &f.data_type, v))
                        .collect::<Result<_>>()?,
                    negated: *negated,
                }
            }
            Predicate::IsNull { column, negated } => {
                field(column)?;
                BoundPredicate::IsNull {
                    column: column.clone(),
                    negated: *negated,
                }
            }
            Predicate::And(ps) => {
                BoundPredicate::And(ps.iter().map(|p| p.bind(fields)).collect::<Result<_>>()?)
            }
            Predicate::Or(ps) => {
                BoundPredicate::Or(ps.iter().map(|p| p.bind(fields)).collect::<Result<_>>()?)
            }
            Predicate::Not(p) => BoundPredicate::Not(Box::new(p.bind(fields)?)),
        })
    }
}

/// Orders two non-null datums of the same type the way Paimon's key comparator does: numbers
/// by value (floats as Java's `compare`: -0.0 < 0.0, NaN last), strings and binaries by
/// unsigned bytes, `false < true`. `None` for datums of different kinds.
pub fn compare_datums(a: &Datum, b: &Datum) -> Option<Ordering> {
    use Datum::*;
    Some(match (a, b) {
        (Null, Null) => Ordering::Equal,
        (Null, _) => Ordering::Less,
        (_, Null) => Ordering::Greater,
        (Boolean(x), Boolean(y)) => x.cmp(y),
        (TinyInt(x), TinyInt(y)) => x.cmp(y),
        (SmallInt(x), SmallInt(y)) => x.cmp(y),
        (Int(x), Int(y)) | (Date(x), Date(y)) | (Time(x), Time(y)) => x.cmp(y),
        (BigInt(x), BigInt(y)) => x.cmp(y),
        (Float(x), Float(y)) => x.total_cmp(y),
        (Double(x), Double(y)) => x.total_cmp(y),
        (String(x), String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Binary(x), Binary(y)) => x.cmp(y),
        (Decimal(x), Decimal(y)) => x.cmp(y),
        (Timestamp(x), Timestamp(y)) => x.cmp(y),
        _ => return None,
    })
}

/// Orders two rows of datums field by field with [`compare_datums`] (Paimon's key order);
/// fields of different kinds count as equal.
pub fn compare_datum_rows(a: &[Datum], b: &[Datum]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| compare_datums(x, y).unwrap_or(Ordering::Equal))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DataType {
        s.parse().unwrap()
    }

    #[test]
    fn literals_convert_to_column_types() {
        let n = |s: &str| Literal::Number(s.into());
        let q = |s: &str| Literal::String(s.into());
        assert_eq!(
            literal_datum("a", &t("DECIMAL(10, 2)"), &n("12.3")).unwrap(),
            Datum::Decimal(1230)
        );
        assert_eq!(
            literal_datum("a", &t("DECIMAL(10, 2)"), &n("-0.05")).unwrap(),
            Datum::Decimal(-5)
        );
        assert!(literal_datum("a", &t("DECIMAL(10, 2)"), &n("1.234")).is_err());
        assert!(literal_datum("a", &t("DECIMAL(3, 0)"), &n("1000")).is_err());
        assert_eq!(
            literal_datum("a", &t("DATE"), &q("2024-01-01")).unwrap(),
            Datum::Date(19723)
        );
        assert_eq!(
            literal_datum("a", &t("TIMESTAMP(6)"), &q("2024-01-01 00:00:00.123456")).unwrap(),
            Datum::Timestamp(Timestamp {
                millis: 1704067200123,
                nano_of_milli: 456000
            })
        );
        assert!(literal_datum("a", &t("TINYINT"), &n("300")).is_err());
        assert!(literal_datum("a", &t("INT"), &q("x")).is_err());
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(parse_date("1969-12-31"), Some(-1));
    }

    #[test]
    fn datums_order_like_java() {
        assert_eq!(
            compare_datums(&Datum::Double(-0.0), &Datum::Double(0.0)),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_datums(&Datum::Double(f64::NAN), &Datum::Double(f64::INFINITY)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare_datums(&Datum::String("a".into()), &Datum::String("é".into())),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_datums(&Datum::Null, &Datum::Int(1)),
            Some(Ordering::Less)
        );
        assert_eq!(compare_datums(&Datum::Int(1), &Datum::BigInt(1)), None);
    }
}
