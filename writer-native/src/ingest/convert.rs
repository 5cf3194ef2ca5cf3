//! CDC values to table values: JSON values (in the encodings the formats use) to datums of the
//! table's column types, and the types of columns that messages do not declare.

use base64::Engine;
use serde_json::Value;
use strata_core::binary_row::{Datum, Timestamp};
use strata_core::predicate::{convert_literal, Literal};
use strata_core::types::{DataType, TypeKind, MAX_LENGTH};

use super::formats::Encoding;

/// The type of a column no message declared, from one of its values: whole numbers BIGINT,
/// other numbers DOUBLE, booleans BOOLEAN, everything else STRING (objects and arrays as JSON
/// text). `None` for null (decide on a later value).
pub fn infer_type(v: &Value) -> Option<DataType> {
    let kind = match v {
        Value::Null => return None,
        Value::Bool(_) => TypeKind::Boolean,
        Value::Number(n) if n.is_i64() => TypeKind::BigInt,
        Value::Number(n) if n.is_u64() => TypeKind::Decimal {
            precision: 20,
            scale: 0,
        },
        Value::Number(_) => TypeKind::Double,
        _ => TypeKind::VarChar(MAX_LENGTH),
    };
    Some(DataType::nullable(kind))
}

fn b64(s: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| format!("{s:?} is not base64: {e}"))
}

/// Converts one value to a datum of `t`; the error says why it does not fit.
pub fn to_datum(v: &Value, t: &DataType, enc: Encoding) -> Result<Datum, String> {
    let int = |v: &Value| v.as_i64().ok_or_else(|| format!("{v} is not an integer"));
    match (v, enc, &t.kind) {
        (Value::Null, _, _) => Ok(Datum::Null),
        (_, Encoding::Micros, TypeKind::Timestamp(_) | TypeKind::LocalZonedTimestamp(_)) => {
            Ok(Datum::Timestamp(Timestamp::from_micros(int(v)?)))
        }
        (_, Encoding::Nanos, TypeKind::Timestamp(_) | TypeKind::LocalZonedTimestamp(_)) => {
            let n = int(v)?;
            Ok(Datum::Timestamp(Timestamp {
                millis: n.div_euclid(1_000_000),
                nano_of_milli: n.rem_euclid(1_000_000) as i32,
            }))
        }
        (_, Encoding::MicrosOfDay, TypeKind::Time(_)) => {
            let m = int(v)? / 1000;
            i32::try_from(m)
                .ok()
                .filter(|m| (0..86_400_000).contains(m))
                .map(Datum::Time)
                .ok_or_else(|| format!("{v} is not a time of day in microseconds"))
        }
        (Value::String(s), Encoding::Base64, TypeKind::Binary(_) | TypeKind::VarBinary(_)) => {
            Ok(Datum::Binary(b64(s)?))
        }
        (Value::String(s), Encoding::Base64Decimal, TypeKind::Decimal { precision, .. }) => {
            let bytes = b64(s)?;
            if bytes.is_empty() || bytes.len() > 16 {
                return Err(format!("{s:?} is not a decimal's unscaled bytes"));
            }
            let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0 };
            let mut buf = [fill; 16];
            buf[16 - bytes.len()..].copy_from_slice(&bytes);
            let u = i128::from_be_bytes(buf);
            if u.unsigned_abs() >= 10u128.pow(u32::from(*precision)) {
                return Err(format!("{u} (unscaled) does not fit {t}"));
            }
            Ok(Datum::Decimal(u))
        }
        (Value::Bool(b), _, _) => convert_literal(t, &Literal::Bool(*b)),
        (Value::Number(n), _, TypeKind::Boolean) => match n.as_i64() {
            Some(0) => Ok(Datum::Boolean(false)),
            Some(1) => Ok(Datum::Boolean(true)),
            _ => Err(format!("{n} is not a boolean")),
        },
        (Value::Number(n), _, TypeKind::Char(_) | TypeKind::VarChar(_)) => {
            Ok(Datum::String(n.to_string()))
        }
        (Value::Number(n), _, _) => convert_literal(t, &Literal::Number(n.to_string())),
        (Value::String(s), _, TypeKind::Char(_) | TypeKind::VarChar(_)) => {
            Ok(Datum::String(s.clone()))
        }
        (Value::String(s), _, TypeKind::Binary(_) | TypeKind::VarBinary(_)) => {
            Ok(Datum::Binary(s.as_bytes().to_vec()))
        }
        (Value::String(s), _, _) => convert_literal(t, &Literal::String(s.clone())),
        (Value::Array(_) | Value::Object(_), _, TypeKind::Char(_) | TypeKind::VarChar(_)) => {
            Ok(Datum::String(v.to_string()))
        }
        (_, _, _) => Err(format!("{v} does not fit {t}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> DataType {
        strata_core::types::parse_columns(&format!("x {s}")).unwrap()[0]
            .data_type
            .clone()
    }

    #[test]
    fn converts_json_values() {
        let p = Encoding::Plain;
        assert_eq!(to_datum(&json!(5), &t("INT"), p), Ok(Datum::Int(5)));
        assert_eq!(to_datum(&json!("5"), &t("BIGINT"), p), Ok(Datum::BigInt(5)));
        assert!(to_datum(&json!("x"), &t("INT"), p).is_err());
        assert!(to_datum(&json!(1_i64 << 40), &t("INT"), p).is_err());
        assert_eq!(
            to_datum(&json!("1"), &t("BOOLEAN"), p),
            Ok(Datum::Boolean(true))
        );
        assert_eq!(
            to_datum(&json!("12.50"), &t("DECIMAL(5, 2)"), p),
            Ok(Datum::Decimal(1250))
        );
        assert_eq!(
            to_datum(&json!("1970-01-02"), &t("DATE"), p),
            Ok(Datum::Date(1))
        );
        assert_eq!(
            to_datum(&json!("00:00:01.5"), &t("TIME"), p),
            Ok(Datum::Time(1500))
        );
        assert_eq!(
            to_datum(&json!(1_500), &t("TIMESTAMP(6)"), Encoding::Micros),
            Ok(Datum::Timestamp(Timestamp::from_micros(1_500)))
        );
        // Kafka Connect decimal: unscaled -2 is 0xfe.
        assert_eq!(
            to_datum(&json!("/g=="), &t("DECIMAL(5, 2)"), Encoding::Base64Decimal),
            Ok(Datum::Decimal(-2))
        );
        assert_eq!(
            to_datum(&json!({"a": 1}), &t("STRING"), p),
            Ok(Datum::String("{\"a\":1}".into()))
        );
        assert_eq!(infer_type(&json!(1.5)), Some(t("DOUBLE")));
    }
}
