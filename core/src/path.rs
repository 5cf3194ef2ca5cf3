//! Partition paths and file naming.
//!
//! A data file lives at `<k1>=<v1>/…/bucket-<b>/<name>`. Partition values are printed the way
//! Java prints the internal value (`partition.legacy-name=true`, the default: a DATE becomes its
//! epoch-day number) or as a SQL string (`legacy-name=false`), escaped like Hive. Null, empty
//! and blank values become `partition.default-name`.

use crate::binary_row::{BinaryRow, Datum};
use crate::options::TableOptions;
use crate::schema::TableSchema;
use crate::types::{DataField, TypeKind};
use crate::{Error, Result};

/// Default of `partition.default-name`.
pub const DEFAULT_PARTITION_NAME: &str = "__DEFAULT_PARTITION__";

fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{01}'
            ..='\u{1f}'
                | '"'
                | '#'
                | '%'
                | '\''
                | '*'
                | '/'
                | ':'
                | '='
                | '?'
                | '\\'
                | '\u{7f}'
                | '{'
                | '}'
                | '['
                | ']'
                | '^'
    )
}

/// Escapes a partition name or value the way Hive and Paimon do (`%XX`, uppercase hex).
pub fn escape_path_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The value of one ASCII hex digit.
fn hex_digit(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Inverse of [`escape_path_name`]; malformed escapes are kept as they are.
pub fn unescape_path_name(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex_digit(bytes[i + 1]), hex_digit(bytes[i + 2])) {
                out.push((hi << 4) | lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Days since the epoch to `(year, month, day)` (proleptic Gregorian).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Formats a decimal's unscaled value with `scale` digits after the point (plain notation).
pub fn format_decimal(unscaled: i128, scale: u8) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    let scale = usize::from(scale);
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

/// Java's `Double.toString` / `Float.toString`: plain between 1e-3 and 1e7, else `d.dddE±n`;
/// always with a fractional digit.
fn java_float(v: f64, shortest: String) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let abs = v.abs();
    if v == 0.0 || (1e-3..1e7).contains(&abs) {
        if shortest.contains('.') || shortest.contains('e') {
            // Rust never uses exponents for `{}`; this branch is plain already.
            shortest
        } else {
            format!("{shortest}.0")
        }
    } else {
        let sci = format!("{:e}", shortest.parse::<f64>().unwrap_or(v));
        let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exp}")
    }
}

/// Java `LocalDateTime.toString()` of a timestamp: `2024-01-01T00:00`, seconds and fraction
/// only when non-zero (fraction in groups of 3 digits).
pub fn format_local_date_time(millis: i64, nano_of_milli: i32) -> String {
    let days = millis.div_euclid(86_400_000);
    let ms_of_day = millis.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
    );
    let nanos = (ms_of_day % 1000) * 1_000_000 + i64::from(nano_of_milli);
    let mut out = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}");
    if s != 0 || nanos != 0 {
        out.push_str(&format!(":{s:02}"));
        if nanos != 0 {
            if nanos % 1_000_000 == 0 {
                out.push_str(&format!(".{:03}", nanos / 1_000_000));
            } else if nanos % 1000 == 0 {
                out.push_str(&format!(".{:06}", nanos / 1000));
            } else {
                out.push_str(&format!(".{nanos:09}"));
            }
        }
    }
    out
}

/// The text of a partition value in a directory name, before escaping; `None` for null.
pub fn partition_value_text(field: &DataField, value: &Datum, legacy_name: bool) -> Option<String> {
    Some(match (value, &field.data_type.kind) {
        (Datum::Null, _) => return None,
        (Datum::Boolean(b), _) => b.to_string(),
        (Datum::TinyInt(v), _) => v.to_string(),
        (Datum::SmallInt(v), _) => v.to_string(),
        (Datum::Int(v), _) => v.to_string(),
        (Datum::BigInt(v), _) => v.to_string(),
        (Datum::Float(v), _) => java_float(f64::from(*v), v.to_string()),
        (Datum::Double(v), _) => java_float(*v, v.to_string()),
        (Datum::String(s), _) => s.clone(),
        (Datum::Binary(b), _) => String::from_utf8_lossy(b).into_owned(),
        (Datum::Decimal(u), TypeKind::Decimal { scale, .. }) => format_decimal(*u, *scale),
        (Datum::Decimal(u), _) => u.to_string(),
        (Datum::Date(d), _) if legacy_name => d.to_string(),
        (Datum::Date(d), _) => {
            let (y, m, d) = civil_from_days(i64::from(*d));
            format!("{y:04}-{m:02}-{d:02}")
        }
        (Datum::Time(t), _) => t.to_string(),
        (Datum::Timestamp(ts), _) if legacy_name => {
            format_local_date_time(ts.millis, ts.nano_of_milli)
        }
        (Datum::Timestamp(ts), _) => {
            format_local_date_time(ts.millis, ts.nano_of_milli).replace('T', " ")
        }
    })
}

/// The partition directory (`dt=2024-01-01/hr=3`), or `""` for unpartitioned tables.
pub fn partition_path(
    fields: &[DataField],
    values: &[Datum],
    default_name: &str,
    legacy_name: bool,
) -> String {
    fields
        .iter()
        .zip(values)
        .map(|(f, v)| {
            let text = partition_value_text(f, v, legacy_name)
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| default_name.to_string());
            format!("{}={}", escape_path_name(&f.name), escape_path_name(&text))
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The directory of a bucket: `<partition>/bucket-<b>` (`bucket-postpone` for -2).
pub fn bucket_path(partition_path: &str, bucket: i32) -> String {
    let dir = if bucket == -2 {
        "bucket-postpone".to_string()
    } else {
        format!("bucket-{bucket}")
    };
    if partition_path.is_empty() {
        dir
    } else {
        format!("{partition_path}/{dir}")
    }
}

/// A file name `<prefix><uuid>-<counter><ext>`, e.g. `data-<uuid>-0.parquet`.
pub fn file_name(prefix: &str, uuid: &str, counter: u64, extension: &str) -> String {
    format!("{prefix}{uuid}-{counter}{extension}")
}

/// Checks that a file name taken from metadata is a single plain path segment: not empty, no
/// `/`, `\`, `..`, or control characters. Metadata is untrusted; this keeps a manifest from
/// pointing a reader or a deleter outside the table.
pub fn check_file_name(name: &str, context: &str) -> Result<()> {
    if name.is_empty()
        || name == "."
        || name == ".."
        || name.contains('/')
        || name.contains('\\')
        || name.chars().any(char::is_control)
    {
        return Err(Error::corrupt(
            context,
            format!("file name {name:?} is not a plain file name"),
        ));
    }
    Ok(())
}

/// The directory of a bucket's files: the partition path (escaped, with the default
/// partition name for nulls) then `bucket-N`, under `data-file.path-directory` if set.
pub fn bucket_dir(schema: &TableSchema, partition: &BinaryRow, bucket: i32) -> Result<String> {
    let pfields = schema.partition_fields()?;
    let ptypes: Vec<_> = pfields.iter().map(|f| f.data_type.clone()).collect();
    let values = partition.decode(&ptypes)?;
    let options = TableOptions::new(&schema.options);
    let default = options.partition_default_name();
    let legacy = options.partition_legacy_name();
    let dir = bucket_path(&partition_path(&pfields, &values, default, legacy), bucket);
    Ok(match options.get("data-file.path-directory") {
        Some(p) if !p.trim().is_empty() => format!("{}/{dir}", p.trim().trim_matches('/')),
        _ => dir,
    })
}

/// Whether partition `values` match a static spec, comparing as Paimon prints partition
/// values in paths (before escaping).
pub fn partition_matches(
    fields: &[crate::types::DataField],
    values: &[Datum],
    spec: &[(String, String)],
    schema: &crate::schema::TableSchema,
) -> bool {
    let options = crate::options::TableOptions::new(&schema.options);
    let default = options.partition_default_name();
    let legacy = options.partition_legacy_name();
    spec.iter().all(|(k, v)| {
        fields.iter().zip(values).any(|(f, d)| {
            &f.name == k
                && partition_value_text(f, d, legacy)
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| default.to_string())
                    == *v
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary_row::Timestamp;
    use crate::types::DataType;

    fn field(name: &str, t: &str) -> DataField {
        DataField::new(0, name, t.parse::<DataType>().unwrap())
    }

    #[test]
    fn partition_paths_follow_paimon() {
        let f = [
            field("d", "DATE"),
            field("b", "BOOLEAN"),
            field("s", "STRING"),
        ];
        let v = [
            Datum::Date(19723),
            Datum::Boolean(true),
            Datum::String("a/b=c %:x".into()),
        ];
        assert_eq!(
            partition_path(&f, &v, DEFAULT_PARTITION_NAME, true),
            "d=19723/b=true/s=a%2Fb%3Dc %25%3Ax"
        );
        assert_eq!(
            partition_path(&f, &v, DEFAULT_PARTITION_NAME, false),
            "d=2024-01-01/b=true/s=a%2Fb%3Dc %25%3Ax"
        );
        let blank = [
            Datum::Null,
            Datum::Boolean(false),
            Datum::String("  ".into()),
        ];
        assert_eq!(
            partition_path(&f, &blank, DEFAULT_PARTITION_NAME, true),
            "d=__DEFAULT_PARTITION__/b=false/s=__DEFAULT_PARTITION__"
        );
        assert_eq!(unescape_path_name("a%2Fb%3Dc %25%3Ax"), "a/b=c %:x");
        assert_eq!(unescape_path_name("bad%zz%4"), "bad%zz%4");
        assert_eq!(bucket_path("", 3), "bucket-3");
        assert_eq!(bucket_path("dt=1", -2), "dt=1/bucket-postpone");
    }

    #[test]
    fn values_print_like_java() {
        assert_eq!(format_decimal(-1000, 3), "-1.000");
        assert_eq!(format_decimal(5, 3), "0.005");
        assert_eq!(format_decimal(1234, 0), "1234");
        assert_eq!(format_local_date_time(1704067200000, 0), "2024-01-01T00:00");
        assert_eq!(
            format_local_date_time(1704067200005, 0),
            "2024-01-01T00:00:00.005"
        );
        assert_eq!(
            format_local_date_time(1704067200123, 456000),
            "2024-01-01T00:00:00.123456"
        );
        assert_eq!(format_local_date_time(-1, 0), "1969-12-31T23:59:59.999");
        let d = field("x", "DOUBLE");
        for (v, s) in [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (1e7, "1.0E7"),
            (1.5e-4, "1.5E-4"),
            (-0.0, "-0.0"),
        ] {
            assert_eq!(
                partition_value_text(&d, &Datum::Double(v), true).unwrap(),
                s
            );
        }
        let ts = Datum::Timestamp(Timestamp {
            millis: 0,
            nano_of_milli: 0,
        });
        assert_eq!(
            partition_value_text(&d, &ts, false).unwrap(),
            "1970-01-01 00:00"
        );
    }

    #[test]
    fn file_names_from_metadata_are_checked() {
        for bad in ["", "..", "../x", "a/b", "a\\b", "x\0"] {
            assert!(check_file_name(bad, "manifest-1").is_err(), "{bad:?}");
        }
        assert!(check_file_name("data-1.parquet", "m").is_ok());
        assert_eq!(file_name("data-", "u", 3, ".parquet"), "data-u-3.parquet");
    }
}

#[cfg(test)]
#[path = "path_tests.rs"]
mod naming_tests;
