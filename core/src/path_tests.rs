//! Partition paths and file naming: escaping round trips, value printing per type, bucket
//! directories from a schema's options, and partition specs.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::binary_row::Timestamp;
use crate::predicate::{convert_literal, Literal};
use crate::types::DataType;

fn field(name: &str, t: &str) -> DataField {
    DataField::new(0, name, t.parse::<DataType>().unwrap())
}

fn schema(partition: &str, options: &[(&str, &str)]) -> TableSchema {
    let fields = crate::types::parse_columns(&format!("{partition}, v INT")).unwrap();
    let keys: Vec<String> = fields[..fields.len() - 1]
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let options: BTreeMap<String, String> = options
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    TableSchema::create(fields, keys, vec![], options, 0).unwrap()
}

#[test]
fn every_special_character_is_escaped_as_upper_hex() {
    assert_eq!(
        escape_path_name("a\"#%'*/:=?\\{}[]^\u{7f}\u{1}\tb"),
        "a%22%23%25%27%2A%2F%3A%3D%3F%5C%7B%7D%5B%5D%5E%7F%01%09b"
    );
    assert_eq!(escape_path_name("plain-name_1.x ü"), "plain-name_1.x ü");
    assert_eq!(unescape_path_name("%41%4a%4A"), "AJJ", "either hex case");
    assert_eq!(unescape_path_name("%"), "%");
    assert_eq!(
        unescape_path_name("a%2"),
        "a%2",
        "too short to be an escape"
    );
    assert_eq!(unescape_path_name("%C3%BC"), "ü", "escaped UTF-8 bytes");
    assert_eq!(
        unescape_path_name("%FF"),
        "\u{fffd}",
        "invalid UTF-8 is replaced"
    );
}

#[test]
fn field_names_are_escaped_and_blank_values_take_the_default_name() {
    let f = [field("a=b", "STRING"), field("n", "INT")];
    let v = [Datum::String(String::new()), Datum::Int(-3)];
    assert_eq!(partition_path(&f, &v, "NONE", true), "a%3Db=NONE/n=-3");
    let v = [Datum::String("\t".into()), Datum::Null];
    assert_eq!(
        partition_path(&f, &v, "x/y", true),
        "a%3Db=x%2Fy/n=x%2Fy",
        "the default name is escaped too"
    );
    assert_eq!(partition_path(&[], &[], "NONE", true), "");
}

#[test]
fn values_print_per_type_as_java_does() {
    let text = |t: &str, v: Datum, legacy: bool| partition_value_text(&field("x", t), &v, legacy);
    assert_eq!(
        text("DECIMAL(5, 2)", Datum::Decimal(-5), true).unwrap(),
        "-0.05"
    );
    assert_eq!(text("TINYINT", Datum::TinyInt(-128), true).unwrap(), "-128");
    assert_eq!(text("SMALLINT", Datum::SmallInt(7), true).unwrap(), "7");
    assert_eq!(
        text("BIGINT", Datum::BigInt(i64::MIN), true).unwrap(),
        i64::MIN.to_string()
    );
    assert_eq!(
        text("TIME", Datum::Time(3_600_000), false).unwrap(),
        "3600000"
    );
    assert_eq!(
        text("BYTES", Datum::Binary(b"ab".to_vec()), true).unwrap(),
        "ab"
    );
    assert_eq!(text("DATE", Datum::Date(-1), true).unwrap(), "-1");
    assert_eq!(text("DATE", Datum::Date(-1), false).unwrap(), "1969-12-31");
    let ts = Datum::Timestamp(Timestamp {
        millis: 1_704_067_200_000 + 45_296_789,
        nano_of_milli: 1,
    });
    assert_eq!(
        text("TIMESTAMP(9)", ts.clone(), true).unwrap(),
        "2024-01-01T12:34:56.789000001"
    );
    assert_eq!(
        text("TIMESTAMP(9)", ts, false).unwrap(),
        "2024-01-01 12:34:56.789000001"
    );
    assert_eq!(text("INT", Datum::Null, true), None);
}

#[test]
fn floats_print_like_java_to_string() {
    let f = field("x", "FLOAT");
    let d = field("x", "DOUBLE");
    for (v, s) in [
        (0.1f32, "0.1"),
        (1e-3, "0.001"),
        (9_999_999.0, "9999999.0"),
        (1e10, "1.0E10"),
        (-2.5e-5, "-2.5E-5"),
        (f32::NAN, "NaN"),
        (f32::NEG_INFINITY, "-Infinity"),
    ] {
        assert_eq!(
            partition_value_text(&f, &Datum::Float(v), true).unwrap(),
            s,
            "{v}"
        );
    }
    for (v, s) in [
        (123_456_789.0, "1.23456789E8"),
        (0.000_999, "9.99E-4"),
        (f64::INFINITY, "Infinity"),
        (100.0, "100.0"),
    ] {
        assert_eq!(
            partition_value_text(&d, &Datum::Double(v), true).unwrap(),
            s,
            "{v}"
        );
    }
}

#[test]
fn date_times_drop_zero_seconds_and_keep_the_shortest_fraction() {
    assert_eq!(format_local_date_time(1000, 0), "1970-01-01T00:00:01");
    assert_eq!(
        format_local_date_time(0, 1),
        "1970-01-01T00:00:00.000000001"
    );
    assert_eq!(
        format_local_date_time(0, 1000),
        "1970-01-01T00:00:00.000001"
    );
    assert_eq!(format_local_date_time(60_000, 0), "1970-01-01T00:01");
    assert_eq!(
        format_local_date_time(-62_135_596_800_000, 0),
        "0001-01-01T00:00",
        "the first day of the common era"
    );
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(civil_from_days(-719_468), (0, 3, 1));
}

#[test]
fn bucket_dirs_follow_the_schema_options() {
    let s = schema("dt STRING, h INT", &[]);
    let ptypes: Vec<DataType> = s
        .partition_fields()
        .unwrap()
        .into_iter()
        .map(|f| f.data_type)
        .collect();
    let part = BinaryRow::encode(&ptypes, &[Datum::String("2024/01".into()), Datum::Null]).unwrap();
    assert_eq!(
        bucket_dir(&s, &part, 3).unwrap(),
        "dt=2024%2F01/h=__DEFAULT_PARTITION__/bucket-3"
    );
    let s = schema(
        "dt STRING, h INT",
        &[
            ("partition.default-name", "null"),
            ("data-file.path-directory", " /data/ "),
        ],
    );
    assert_eq!(
        bucket_dir(&s, &part, -2).unwrap(),
        "data/dt=2024%2F01/h=null/bucket-postpone"
    );
    let unpartitioned = TableSchema::create(
        crate::types::parse_columns("v INT").unwrap(),
        vec![],
        vec![],
        BTreeMap::new(),
        0,
    )
    .unwrap();
    assert_eq!(
        bucket_dir(&unpartitioned, &BinaryRow::empty(), 0).unwrap(),
        "bucket-0"
    );
    assert!(
        bucket_dir(&s, &BinaryRow::empty(), 0).is_err(),
        "a partition row of the wrong arity"
    );
}

#[test]
fn partition_specs_match_printed_values() {
    let s = schema("d DATE, k STRING", &[("partition.legacy-name", "false")]);
    let fields = s.partition_fields().unwrap();
    let values = [Datum::Date(19_723), Datum::Null];
    let spec = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert!(partition_matches(
        &fields,
        &values,
        &spec(&[("d", "2024-01-01")]),
        &s
    ));
    assert!(partition_matches(
        &fields,
        &values,
        &spec(&[("d", "2024-01-01"), ("k", "__DEFAULT_PARTITION__")]),
        &s
    ));
    assert!(!partition_matches(
        &fields,
        &values,
        &spec(&[("d", "19723")]),
        &s
    ));
    assert!(!partition_matches(
        &fields,
        &values,
        &spec(&[("nope", "1")]),
        &s
    ));
    assert!(
        partition_matches(&fields, &values, &[], &s),
        "an empty spec matches all"
    );
    let legacy = schema("d DATE, k STRING", &[]);
    assert!(partition_matches(
        &fields,
        &values,
        &spec(&[("d", "19723")]),
        &legacy
    ));
}

#[test]
fn file_name_errors_name_the_referring_file() {
    match check_file_name("a/b", "manifest-7").unwrap_err() {
        Error::Corrupt { file, what } => {
            assert_eq!(file, "manifest-7");
            assert_eq!(what, "file name \"a/b\" is not a plain file name");
        }
        other => panic!("{other:?}"),
    }
    assert!(check_file_name(".", "m").is_err());
    assert!(
        check_file_name("x\u{85}y", "m").is_err(),
        "a C1 control character"
    );
    assert!(check_file_name("...", "m").is_ok());
    assert!(check_file_name("données-1.parquet", "m").is_ok());
}

proptest! {
    #[test]
    fn unescaping_undoes_escaping(s in any::<String>()) {
        let escaped = escape_path_name(&s);
        prop_assert!(!escaped.contains('/') && !escaped.contains('='));
        prop_assert_eq!(unescape_path_name(&escaped), s);
    }

    /// Printed dates parse back to the same day through the filter's date literals.
    #[test]
    fn printed_dates_parse_back(days in -719_528i32..3_000_000) {
        let text = partition_value_text(&field("d", "DATE"), &Datum::Date(days), false).unwrap();
        let back = convert_literal(&"DATE".parse().unwrap(), &Literal::String(text.clone()));
        prop_assert_eq!(back, Ok(Datum::Date(days)), "{}", text);
    }
}
