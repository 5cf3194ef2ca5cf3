//! BinaryRow golden vectors (from files pypaimon wrote, format reference §5.3) and property
//! tests.

use proptest::prelude::*;

use super::*;

fn types(texts: &[&str]) -> Vec<DataType> {
    texts.iter().map(|t| t.parse().unwrap()).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn long_string_partition() {
    let row =
        BinaryRow::encode(&types(&["STRING"]), &[Datum::String("2024-01-01".into())]).unwrap();
    assert_eq!(
        row.serialize(),
        unhex("00000001 0000000000000000 0a00000010000000 32303234 2d30312d 3031 000000000000")
    );
}

#[test]
fn inline_and_long_strings() {
    let t = types(&["INT", "STRING"]);
    let row = BinaryRow::encode(&t, &[Datum::Int(7), Datum::String("short".into())]).unwrap();
    assert_eq!(
        row.serialize(),
        unhex("00000002 0000000000000000 0700000000000000 73686f7274000085")
    );
    let long = "a-much-longer-partition";
    let row = BinaryRow::encode(&t, &[Datum::Int(7), Datum::String(long.into())]).unwrap();
    assert_eq!(&row.serialize()[20..28], &unhex("1700000018000000")[..]);
    assert_eq!(row.decode(&t).unwrap()[1], Datum::String(long.into()));
}

#[test]
fn composite_key_matches_pypaimon_bytes() {
    let t = types(&[
        "BOOLEAN NOT NULL",
        "INT NOT NULL",
        "STRING NOT NULL",
        "DECIMAL(10, 2) NOT NULL",
        "DECIMAL(20, 3) NOT NULL",
        "DATE NOT NULL",
        "TIMESTAMP(3) NOT NULL",
        "TIMESTAMP(6) NOT NULL",
    ]);
    let values = vec![
        Datum::Boolean(true),
        Datum::Int(-2),
        Datum::String("hello-paimon-key".into()),
        Datum::Decimal(1234),
        Datum::Decimal(-1000),
        Datum::Date(19723),
        Datum::Timestamp(Timestamp {
            millis: 1704067200005,
            nano_of_milli: 0,
        }),
        Datum::Timestamp(Timestamp {
            millis: 1704067200123,
            nano_of_milli: 456000,
        }),
    ];
    let row = BinaryRow::encode(&t, &values).unwrap();
    let expected = unhex(
        "00000008 0000000000000000 0100000000000000 feffffff00000000 1000000048000000
         d204000000000000 0200000058000000 0b4d000000000000 05f451c28c010000 40f5060068000000
         68656c6c6f2d7061696d6f6e2d6b6579 fc180000000000000000000000000000 7bf451c28c010000",
    );
    assert_eq!(row.serialize(), expected);
    assert_eq!(row.serialize().len(), 116);
    assert_eq!(row.decode(&t).unwrap(), values);
}

#[test]
fn stats_row_with_nulls() {
    let t = types(&["INT", "STRING", "STRING"]);
    let row = BinaryRow::encode(
        &t,
        &[Datum::Int(3), Datum::Null, Datum::String("zeta".into())],
    )
    .unwrap();
    let b = row.serialize();
    assert_eq!(&b[4..12], &unhex("0002000000000000")[..]);
    assert_eq!(&b[28..36], &unhex("7a65746100000084")[..]);
    assert!(row.is_null_at(1) && !row.is_null_at(0));
}

#[test]
fn java_reserves_space_for_null_non_compact_values() {
    let t = types(&["DECIMAL(20, 3)", "TIMESTAMP(6)"]);
    let row = BinaryRow::encode(&t, &[Datum::Null, Datum::Null]).unwrap();
    // 8 header + 16 slots + 16 decimal reservation + 8 timestamp reservation, plus 4 prefix.
    assert_eq!(row.serialize().len(), 52);
    assert_eq!(row.decode(&t).unwrap(), vec![Datum::Null, Datum::Null]);
    // pypaimon's 32-byte form (no reservation) decodes the same.
    let py = BinaryRow::deserialize(&unhex(
        "00000002 0003000000000000 0000000000000000 0000000000000000",
    ))
    .unwrap();
    assert_eq!(py.decode(&t).unwrap(), vec![Datum::Null, Datum::Null]);
}

#[test]
fn empty_row_and_null_key() {
    assert_eq!(BinaryRow::empty().serialize(), vec![0; 12]);
    let row = BinaryRow::encode(&types(&["INT"]), &[Datum::Null]).unwrap();
    assert_eq!(row.bytes(), &unhex("0001000000000000 0000000000000000")[..]);
}

#[test]
fn twos_complement_matches_java_biginteger() {
    assert_eq!(to_be_twos_complement(0), vec![0]);
    assert_eq!(to_be_twos_complement(-1000), vec![0xfc, 0x18]);
    assert_eq!(to_be_twos_complement(128), vec![0x00, 0x80]);
    assert_eq!(to_be_twos_complement(-128), vec![0x80]);
    assert_eq!(to_be_twos_complement(-129), vec![0xff, 0x7f]);
    for v in [0, 1, -1, 127, -128, i128::MAX, i128::MIN, 10i128.pow(37)] {
        assert_eq!(from_be_twos_complement(&to_be_twos_complement(v)), v);
    }
}

#[test]
fn hostile_rows_are_errors_not_panics() {
    let t = types(&["STRING", "DECIMAL(20, 3)", "TIMESTAMP(6)"]);
    let cases = [
        unhex(""),
        unhex("000000"),
        unhex("ffffffff"),
        unhex("7fffffff 00"),
        unhex("00000003 0000000000000000"),
        // string pointing past the end
        unhex("00000003 0000000000000000 ffff0000ffff0000 0000000000000000 0000000000000000"),
        // inline length 15
        unhex("00000003 0000000000000000 00000000000000ff 0000000000000000 0000000000000000"),
        // decimal with 40 bytes
        unhex("00000003 0000000000000000 0000000000000080 2800000020000000 0000000000000000"),
        // timestamp nanos out of range
        unhex("00000003 0000000000000000 0000000000000080 0100000020000000 ffffffff20000000 0000000000000000"),
    ];
    for c in cases {
        if let Ok(row) = BinaryRow::deserialize(&c) {
            assert!(row.decode(&t).is_err(), "{c:?} decoded");
        }
    }
    let row = BinaryRow::encode(&types(&["INT"]), &[Datum::Int(1)]).unwrap();
    assert!(row.decode(&t).is_err(), "arity mismatch");
    assert!(row.get(5, &t[0]).is_err());
}

#[test]
fn encode_rejects_mismatched_values() {
    let t = types(&["INT NOT NULL", "DECIMAL(5, 2)"]);
    assert!(BinaryRow::encode(&t, &[Datum::Null, Datum::Null]).is_err());
    assert!(BinaryRow::encode(&t, &[Datum::String("x".into()), Datum::Null]).is_err());
    assert!(BinaryRow::encode(&t, &[Datum::Int(1), Datum::Decimal(100_000)]).is_err());
    assert!(BinaryRow::encode(&t, &[Datum::Int(1)]).is_err());
}

/// A type and a strategy for its values (nullable types also produce nulls).
fn typed_value() -> impl Strategy<Value = (DataType, Datum)> {
    let decimal = (1u8..=38, 0u8..=38).prop_flat_map(|(p, s)| {
        let s = s.min(p);
        let max = 10i128.pow(u32::from(p)) - 1;
        (-max..=max).prop_map(move |u| (format!("DECIMAL({p}, {s})"), Datum::Decimal(u)))
    });
    let ts = (0u8..=9, any::<i64>(), 0i32..1_000_000).prop_map(|(p, ms, n)| {
        let nano = if p <= 3 { 0 } else { n };
        (
            format!("TIMESTAMP({p})"),
            Datum::Timestamp(Timestamp {
                millis: ms,
                nano_of_milli: nano,
            }),
        )
    });
    let atom = prop_oneof![
        any::<bool>().prop_map(|v| ("BOOLEAN".to_string(), Datum::Boolean(v))),
        any::<i8>().prop_map(|v| ("TINYINT".to_string(), Datum::TinyInt(v))),
        any::<i16>().prop_map(|v| ("SMALLINT".to_string(), Datum::SmallInt(v))),
        any::<i32>().prop_map(|v| ("INT".to_string(), Datum::Int(v))),
        any::<i64>().prop_map(|v| ("BIGINT".to_string(), Datum::BigInt(v))),
        any::<i32>().prop_map(|v| ("DATE".to_string(), Datum::Date(v))),
        (0i32..86_400_000).prop_map(|v| ("TIME(3)".to_string(), Datum::Time(v))),
        any::<f32>()
            .prop_filter("NaN != NaN", |f| !f.is_nan())
            .prop_map(|v| ("FLOAT".to_string(), Datum::Float(v))),
        any::<f64>()
            .prop_filter("NaN != NaN", |f| !f.is_nan())
            .prop_map(|v| ("DOUBLE".to_string(), Datum::Double(v))),
        ".{0,20}".prop_map(|v| ("STRING".to_string(), Datum::String(v))),
        proptest::collection::vec(any::<u8>(), 0..20)
            .prop_map(|v| ("BYTES".to_string(), Datum::Binary(v))),
        decimal,
        ts.clone(),
        ts.prop_map(|(t, v)| (t + " WITH LOCAL TIME ZONE", v)),
    ];
    (atom, any::<bool>(), any::<bool>()).prop_map(|((t, v), nullable, null)| {
        let t: DataType = t.parse().unwrap();
        let t = t.with_nullable(nullable || null);
        (t, if null { Datum::Null } else { v })
    })
}

proptest! {
    #[test]
    fn encode_decode_round_trips(fields in proptest::collection::vec(typed_value(), 0..70)) {
        let (types, values): (Vec<_>, Vec<_>) = fields.into_iter().unzip();
        let row = BinaryRow::encode(&types, &values).unwrap();
        prop_assert_eq!(row.bytes().len() % 8, 0);
        let again = BinaryRow::deserialize(&row.serialize()).unwrap();
        prop_assert_eq!(&again, &row);
        prop_assert_eq!(again.decode(&types).unwrap(), values);
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(
        data in proptest::collection::vec(any::<u8>(), 0..200),
        fields in proptest::collection::vec(typed_value(), 1..5),
    ) {
        let types: Vec<_> = fields.into_iter().map(|(t, _)| t).collect();
        if let Ok(row) = BinaryRow::deserialize(&data) {
            for (i, t) in types.iter().enumerate() {
                let _ = row.get(i, t);
            }
            let _ = row.decode(&types);
            let _ = row.hash_code();
        }
    }
}
