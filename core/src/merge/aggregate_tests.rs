//! The aggregation engine's functions: overflow, retraction, type checks and their messages.

use proptest::prelude::*;

use super::{AggregateFn, Aggregator};
use crate::binary_row::Datum::{self, *};
use crate::types::DataField;
use crate::Error;

fn field(t: &str) -> DataField {
    DataField::new(0, "x", t.parse().unwrap())
}

fn agg(name: &str, t: &str) -> Aggregator {
    let f = field(t);
    Aggregator::new(AggregateFn::parse(name, &f).unwrap(), f, false, ",".into())
}

fn fold(a: &Aggregator, vals: Vec<Datum>) -> Datum {
    vals.into_iter()
        .fold(None, |acc, v| Some(a.add(acc, v).unwrap()))
        .unwrap()
}

fn invalid_value(e: Error) -> std::string::String {
    match e {
        Error::InvalidValue(m) => m,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

fn unsupported(e: Error) -> (std::string::String, std::string::String) {
    match e {
        Error::Unsupported { file, what } => (file, what),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[test]
fn integer_sums_overflow_at_their_own_width() {
    let tiny = agg("sum", "TINYINT");
    assert_eq!(
        tiny.add(Some(TinyInt(100)), TinyInt(27)).unwrap(),
        TinyInt(127)
    );
    assert_eq!(
        invalid_value(tiny.add(Some(TinyInt(127)), TinyInt(1)).unwrap_err()),
        "aggregation of x overflows TINYINT"
    );
    let small = agg("sum", "SMALLINT NOT NULL");
    assert_eq!(
        invalid_value(
            small
                .add(Some(SmallInt(i16::MIN)), SmallInt(-1))
                .unwrap_err()
        ),
        "aggregation of x overflows SMALLINT NOT NULL"
    );
    let big = agg("product", "BIGINT");
    assert_eq!(
        invalid_value(
            big.add(Some(BigInt(i64::MAX / 2 + 1)), BigInt(2))
                .unwrap_err()
        ),
        "aggregation of x overflows BIGINT"
    );
    assert_eq!(
        big.add(Some(BigInt(-3)), BigInt(7)).unwrap(),
        BigInt(-21),
        "a product in range is exact"
    );
}

#[test]
fn decimals_respect_precision_and_scale() {
    // DECIMAL(3, 1): at most 99.9 (unscaled 999).
    let sum = agg("sum", "DECIMAL(3, 1)");
    assert_eq!(
        sum.add(Some(Decimal(998)), Decimal(1)).unwrap(),
        Decimal(999)
    );
    assert_eq!(
        invalid_value(sum.add(Some(Decimal(999)), Decimal(1)).unwrap_err()),
        "aggregation of x overflows DECIMAL(3, 1)"
    );
    assert!(
        sum.add(Some(Decimal(-999)), Decimal(-1)).is_err(),
        "negative overflow too"
    );
    // DECIMAL(5, 2) product rescales: 1.50 * 2.00 = 3.00, 0.05 * 0.05 = 0.0025 -> 0.00.
    let product = agg("product", "DECIMAL(5, 2)");
    assert_eq!(
        product.add(Some(Decimal(150)), Decimal(200)).unwrap(),
        Decimal(300)
    );
    assert_eq!(
        product.add(Some(Decimal(5)), Decimal(5)).unwrap(),
        Decimal(0)
    );
    // Retraction subtracts.
    assert_eq!(
        sum.retract(Some(Decimal(500)), Decimal(125)).unwrap(),
        Decimal(375)
    );
}

#[test]
fn floating_sums_and_products_do_not_overflow_checks() {
    assert_eq!(
        fold(&agg("sum", "FLOAT"), vec![Float(1.5), Null, Float(2.25)]),
        Float(3.75)
    );
    assert_eq!(
        agg("sum", "DOUBLE")
            .retract(Some(Double(10.0)), Double(2.5))
            .unwrap(),
        Double(7.5)
    );
    assert_eq!(
        agg("sum", "DOUBLE")
            .add(Some(Double(f64::MAX)), Double(f64::MAX))
            .unwrap(),
        Double(f64::INFINITY)
    );
}

#[test]
fn mismatched_values_name_the_field_and_both_values() {
    let sum = agg("sum", "INT");
    assert_eq!(
        invalid_value(sum.add(Some(Int(1)), BigInt(2)).unwrap_err()),
        "x: cannot combine 1 and 2"
    );
}

#[test]
fn sum_retraction_from_nothing_negates_and_checks_overflow() {
    let sum = agg("sum", "INT");
    assert_eq!(sum.retract(None, Int(5)).unwrap(), Int(-5));
    assert_eq!(sum.retract(Some(Null), Int(5)).unwrap(), Int(-5));
    assert_eq!(sum.retract(Some(Int(4)), Null).unwrap(), Int(4));
    assert_eq!(
        invalid_value(sum.retract(Some(Int(0)), Int(i32::MIN)).unwrap_err()),
        "aggregation of x overflows INT"
    );
    assert_eq!(
        agg("sum", "DOUBLE").retract(None, Double(1.5)).unwrap(),
        Double(-1.5)
    );
}

#[test]
fn product_retraction_divides_and_leaves_division_by_zero_alone() {
    let p = agg("product", "BIGINT");
    assert_eq!(p.retract(Some(BigInt(24)), BigInt(4)).unwrap(), BigInt(6));
    assert_eq!(p.retract(Some(BigInt(24)), BigInt(0)).unwrap(), BigInt(24));
    let pi = agg("product", "INT");
    assert_eq!(pi.retract(Some(Int(-9)), Int(3)).unwrap(), Int(-3));
    assert_eq!(pi.retract(Some(Int(9)), Int(0)).unwrap(), Int(9));
    let pd = agg("product", "DOUBLE");
    assert_eq!(
        pd.retract(Some(Double(3.0)), Double(2.0)).unwrap(),
        Double(1.5)
    );
    let pf = agg("product", "FLOAT");
    assert_eq!(
        pf.retract(Some(Float(1.0)), Float(4.0)).unwrap(),
        Float(0.25)
    );
}

#[test]
fn last_values_retract_to_null() {
    let last = agg("last_value", "INT");
    assert_eq!(last.retract(Some(Int(3)), Int(3)).unwrap(), Null);
    let last_nn = agg("last_non_null_value", "INT");
    assert_eq!(last_nn.retract(Some(Int(3)), Int(3)).unwrap(), Null);
    assert_eq!(
        last_nn.retract(Some(Int(3)), Null).unwrap(),
        Int(3),
        "retracting a null keeps the last non-null value"
    );
    let key = agg("primary-key", "INT");
    assert_eq!(key.retract(Some(Int(1)), Int(2)).unwrap(), Int(2));
    assert_eq!(key.add(Some(Int(1)), Int(2)).unwrap(), Int(2));
}

#[test]
fn functions_without_retraction_refuse_it_and_say_how_to_ignore_it() {
    for name in [
        "min",
        "max",
        "first_value",
        "first_non_null_value",
        "listagg",
    ] {
        let t = if name == "listagg" { "STRING" } else { "INT" };
        let a = agg(name, t);
        let (file, what) = unsupported(a.retract(Some(Null), Null).unwrap_err());
        assert_eq!(file, "fields.x.aggregate-function", "{name}");
        assert!(
            what.contains("cannot retract; set fields.x.ignore-retract=true"),
            "{name}: {what}"
        );
    }
    let (_, what) = unsupported(agg("bool_or", "BOOLEAN").retract(None, Null).unwrap_err());
    assert!(what.starts_with("BoolOr cannot retract"), "{what}");
}

#[test]
fn ignore_retract_keeps_the_accumulator() {
    let f = field("INT");
    let a = Aggregator::new(AggregateFn::Max, f, true, ",".into());
    assert_eq!(a.retract(Some(Int(7)), Int(100)).unwrap(), Int(7));
    assert_eq!(a.retract(None, Int(100)).unwrap(), Null);
    let s = Aggregator::new(AggregateFn::Sum, field("INT"), true, ",".into());
    assert_eq!(s.retract(Some(Int(7)), Int(3)).unwrap(), Int(7));
}

#[test]
fn names_and_aliases_parse_to_their_functions() {
    let int = field("INT");
    for (name, f) in [
        ("primary-key", AggregateFn::PrimaryKey),
        ("sum", AggregateFn::Sum),
        ("product", AggregateFn::Product),
        ("min", AggregateFn::Min),
        ("max", AggregateFn::Max),
        ("last_value", AggregateFn::LastValue),
        ("last_non_null_value", AggregateFn::LastNonNullValue),
        ("first_value", AggregateFn::FirstValue),
        ("first_non_null_value", AggregateFn::FirstNonNullValue),
        ("first_not_null_value", AggregateFn::FirstNonNullValue),
    ] {
        assert_eq!(AggregateFn::parse(name, &int).unwrap(), f, "{name}");
    }
    let (file, what) = unsupported(AggregateFn::parse("Sum", &int).unwrap_err());
    assert_eq!(file, "fields.x.aggregate-function");
    assert!(what.starts_with("aggregate function \"Sum\""), "{what}");
    assert!(what.contains("Paimon has no `count`"), "{what}");
}

#[test]
fn functions_check_the_field_type() {
    let cases = [
        ("sum", "STRING", false),
        ("sum", "DECIMAL(10, 2)", true),
        ("product", "BOOLEAN", false),
        ("product", "TINYINT", true),
        ("listagg", "VARCHAR(10)", true),
        ("listagg", "CHAR(3)", true),
        ("listagg", "BYTES", false),
        ("bool_and", "BOOLEAN NOT NULL", true),
        ("bool_and", "INT", false),
        ("bool_or", "STRING", false),
        ("min", "ARRAY<INT>", false),
        ("max", "MAP<INT, INT>", false),
        ("max", "TIMESTAMP(3)", true),
        ("last_value", "ROW<a INT>", true),
        ("first_value", "ARRAY<INT>", true),
    ];
    for (name, t, ok) in cases {
        let r = AggregateFn::parse(name, &field(t));
        assert_eq!(r.is_ok(), ok, "{name} on {t}: {r:?}");
        if !ok {
            let (_, what) = unsupported(r.unwrap_err());
            let shown: crate::types::DataType = t.parse().unwrap();
            assert_eq!(what, format!("{name} on type {shown}"));
        }
    }
}

#[test]
fn listagg_uses_the_configured_delimiter_and_skips_nulls() {
    let f = field("STRING");
    let a = Aggregator::new(AggregateFn::ListAgg, f, false, " | ".into());
    assert_eq!(
        fold(
            &a,
            vec![
                Null,
                String("a".into()),
                Null,
                String("b".into()),
                String("".into())
            ]
        ),
        String("a | b | ".into())
    );
}

#[test]
fn first_and_last_values_track_nulls_as_documented() {
    let first_nn = agg("first_non_null_value", "STRING");
    assert_eq!(fold(&first_nn, vec![Null, Null]), Null);
    assert_eq!(
        fold(
            &first_nn,
            vec![Null, String("x".into()), String("y".into())]
        ),
        String("x".into())
    );
    let bool_and = agg("bool_and", "BOOLEAN");
    assert_eq!(
        fold(&bool_and, vec![Null, Boolean(true), Null]),
        Boolean(true),
        "nulls are skipped, not treated as false"
    );
    let min = agg("min", "DATE");
    assert_eq!(fold(&min, vec![Date(3), Date(-1), Null]), Date(-1));
}

proptest! {
    #[test]
    fn sum_min_max_match_the_iterator(vals in proptest::collection::vec(proptest::option::of(-1_000_000i64..1_000_000), 1..40)) {
        let datums: Vec<Datum> = vals.iter().map(|v| v.map_or(Null, BigInt)).collect();
        let non_null: Vec<i64> = vals.iter().flatten().copied().collect();
        let expect = |v: Option<i64>| v.map_or(Null, BigInt);
        prop_assert_eq!(fold(&agg("sum", "BIGINT"), datums.clone()),
            expect((!non_null.is_empty()).then(|| non_null.iter().sum())));
        prop_assert_eq!(fold(&agg("min", "BIGINT"), datums.clone()), expect(non_null.iter().min().copied()));
        prop_assert_eq!(fold(&agg("max", "BIGINT"), datums), expect(non_null.iter().max().copied()));
    }

    #[test]
    fn retracting_every_added_value_sums_to_zero(vals in proptest::collection::vec(-1_000i32..1_000, 1..30)) {
        let sum = agg("sum", "INT");
        let mut acc = None;
        for v in &vals {
            acc = Some(sum.add(acc, Int(*v)).unwrap());
        }
        for v in &vals {
            acc = Some(sum.retract(acc, Int(*v)).unwrap());
        }
        prop_assert_eq!(acc, Some(Int(0)));
    }
}
