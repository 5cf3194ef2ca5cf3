//! Filters as text: parsing (keywords, quoting, numbers, error positions) and binding
//! (literal conversion and its errors).

use super::*;
use crate::binary_row::{Datum, Timestamp};
use crate::types::{parse_columns, DataType};
use crate::Error;

fn message(e: Error) -> String {
    match e {
        Error::InvalidValue(m) => m,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

fn fields() -> Vec<crate::types::DataField> {
    parse_columns("id BIGINT, name STRING").unwrap()
}

fn bound(text: &str) -> BoundPredicate {
    Predicate::parse(text).unwrap().bind(&fields()).unwrap()
}

#[test]
fn keywords_are_case_insensitive_and_operators_have_aliases() {
    let p = Predicate::parse("a <> 1 or B is not null and not c == 2").unwrap();
    let expected = Predicate::Or(vec![
        Predicate::Compare {
            column: "a".into(),
            op: CmpOp::NotEq,
            value: Literal::Number("1".into()),
        },
        Predicate::And(vec![
            Predicate::IsNull {
                column: "B".into(),
                negated: true,
            },
            Predicate::Not(Box::new(Predicate::Compare {
                column: "c".into(),
                op: CmpOp::Eq,
                value: Literal::Number("2".into()),
            })),
        ]),
    ]);
    assert_eq!(p, expected, "AND binds tighter than OR");
    for (text, op) in [
        ("x<1", CmpOp::Lt),
        ("x<=1", CmpOp::LtEq),
        ("x>1", CmpOp::Gt),
        ("x>=1", CmpOp::GtEq),
        ("x!=1", CmpOp::NotEq),
        ("x=1", CmpOp::Eq),
    ] {
        let Predicate::Compare { op: got, .. } = Predicate::parse(text).unwrap() else {
            panic!("{text}")
        };
        assert_eq!(got, op, "{text}");
    }
}

#[test]
fn literals_keep_their_text_and_kind() {
    let lits = |text: &str| match Predicate::parse(text).unwrap() {
        Predicate::In { values, .. } => values,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        lits("x IN (-1, +2.5, .5, 1e-3, 'q''s', TRUE, false, NuLL)"),
        vec![
            Literal::Number("-1".into()),
            Literal::Number("+2.5".into()),
            Literal::Number(".5".into()),
            Literal::Number("1e-3".into()),
            Literal::String("q's".into()),
            Literal::Bool(true),
            Literal::Bool(false),
            Literal::Null,
        ]
    );
    let Predicate::Compare { column, .. } = Predicate::parse("\"a \"\"b\"\"\" = 1").unwrap() else {
        panic!()
    };
    assert_eq!(
        column, "a \"b\"",
        "double-quoted names escape quotes by doubling"
    );
    let Predicate::Compare { column, .. } = Predicate::parse("t.col_1 = 1").unwrap() else {
        panic!()
    };
    assert_eq!(column, "t.col_1");
}

#[test]
fn columns_are_sorted_and_unique() {
    let p = Predicate::parse("b = 1 OR (a = 2 AND NOT b IN (3)) OR c IS NULL").unwrap();
    assert_eq!(p.columns(), vec!["a", "b", "c"]);
    assert_eq!(
        p.bind(&parse_columns("a INT, b INT, c INT").unwrap())
            .unwrap()
            .columns(),
        vec!["a", "b", "c"]
    );
}

#[test]
fn parse_errors_quote_the_filter_and_point_at_the_token() {
    let cases = [
        ("a IN 1", "expected '(' after IN, found the number 1 at position 6"),
        ("(a = 1", "expected ')', found the end of the filter at position 7"),
        ("a IS 3", "expected NULL after IS, found the number 3 at position 6"),
        ("a NOT = 1", "expected IN after NOT, found the operator = at position 7"),
        ("a IN (1 2)", "expected ',' or ')' in the IN list, found the number 2 at position 9"),
        ("= 3", "expected a column, found the operator = at position 1"),
        ("a 'x'", "expected an operator (=, !=, <>, <, <=, >, >=, IN, IS), found the string 'x' at position 3"),
        ("a = 1)", "expected AND, OR or the end of the filter, found ')' at position 6"),
        ("a = ,", "expected a value, found ',' at position 5"),
    ];
    for (text, what) in cases {
        assert_eq!(
            message(Predicate::parse(text).unwrap_err()),
            format!("filter {text:?}: {what}"),
        );
    }
    assert_eq!(
        message(Predicate::parse("a = 'x").unwrap_err()),
        "filter \"a = 'x\": unclosed quote"
    );
    assert_eq!(
        message(Predicate::parse("a ~ 1").unwrap_err()),
        "filter \"a ~ 1\": unexpected character '~' at position 3"
    );
    let deep = "NOT ".repeat(100) + "a = 1";
    assert!(message(Predicate::parse(&deep).unwrap_err()).ends_with("nested too deeply"));
    let ok = "NOT ".repeat(60) + "a = 1";
    assert!(Predicate::parse(&ok).is_ok(), "64 levels are allowed");
}

#[test]
fn non_ascii_text_is_an_error_or_a_name_never_a_panic() {
    // Identifiers are Unicode words; other characters are refused with their position.
    let p = Predicate::parse("café = 'é' AND 名前 IS NULL").unwrap();
    assert_eq!(p.columns(), vec!["café", "名前"]);
    let e = message(Predicate::parse("a = 1 … b").unwrap_err());
    assert_eq!(
        e,
        "filter \"a = 1 … b\": unexpected character '…' at position 7"
    );
    for text in ["é", "a = 'x' Å", "à=1", "x\u{a0}= 1", "中 = 1"] {
        let _ = Predicate::parse(text);
    }
}

#[test]
fn binding_names_the_missing_column_and_the_misfit_literal() {
    let f = fields();
    assert_eq!(
        message(Predicate::parse("nope = 1").unwrap().bind(&f).unwrap_err()),
        "filter: no column named \"nope\""
    );
    assert_eq!(
        message(
            Predicate::parse("id IN (1, 'x')")
                .unwrap()
                .bind(&f)
                .unwrap_err()
        ),
        "filter on id (BIGINT): \"x\" is not an integer"
    );
    assert_eq!(
        message(Predicate::parse("id = TRUE").unwrap().bind(&f).unwrap_err()),
        "filter on id (BIGINT): a boolean literal"
    );
    assert_eq!(
        message(
            Predicate::parse("name IS NULL OR x IS NULL")
                .unwrap()
                .bind(&f)
                .unwrap_err()
        ),
        "filter: no column named \"x\""
    );
    // Strings take numbers as text.
    assert_eq!(
        bound("name = 12"),
        BoundPredicate::Compare {
            column: "name".into(),
            op: CmpOp::Eq,
            value: Datum::String("12".into())
        }
    );
}

#[test]
fn literals_convert_with_range_and_format_checks() {
    let t = |s: &str| s.parse::<DataType>().unwrap();
    let n = |s: &str| Literal::Number(s.into());
    let q = |s: &str| Literal::String(s.into());
    assert_eq!(
        convert_literal(&t("TINYINT"), &n("-128")),
        Ok(Datum::TinyInt(-128))
    );
    assert_eq!(
        convert_literal(&t("TINYINT"), &n("128")),
        Err("128 is out of range".into())
    );
    assert_eq!(
        convert_literal(&t("SMALLINT"), &q(" 7 ")),
        Ok(Datum::SmallInt(7))
    );
    assert_eq!(
        convert_literal(&t("BOOLEAN"), &n("1")),
        Ok(Datum::Boolean(true))
    );
    assert_eq!(
        convert_literal(&t("BOOLEAN"), &q("FALSE")),
        Ok(Datum::Boolean(false))
    );
    assert_eq!(
        convert_literal(&t("BOOLEAN"), &q("yes")),
        Err("\"yes\" is not a boolean".into())
    );
    assert_eq!(
        convert_literal(&t("DOUBLE"), &n("1e-3")),
        Ok(Datum::Double(0.001))
    );
    assert_eq!(
        convert_literal(&t("FLOAT"), &q("abc")),
        Err("\"abc\" is not a number".into())
    );
    assert_eq!(
        convert_literal(&t("BYTES"), &q("hi")),
        Ok(Datum::Binary(b"hi".to_vec()))
    );
    assert_eq!(
        convert_literal(&t("DECIMAL(4, 2)"), &n("+12.50")),
        Ok(Datum::Decimal(1250))
    );
    assert_eq!(
        convert_literal(&t("DECIMAL(4, 2)"), &n("100")),
        Err("100.00 does not fit".into())
    );
    assert_eq!(
        convert_literal(&t("DECIMAL(4, 2)"), &n("1e2")),
        Err("\"1e2\" is not a decimal with at most 2 fractional digits".into())
    );
    assert_eq!(convert_literal(&t("DATE"), &n("-1")), Ok(Datum::Date(-1)));
    assert_eq!(
        convert_literal(&t("DATE"), &q("2000-02-29")),
        Ok(Datum::Date(11016))
    );
    assert_eq!(
        convert_literal(&t("DATE"), &q("2000-13-01")),
        Err("\"2000-13-01\" is not YYYY-MM-DD".into())
    );
    assert_eq!(
        convert_literal(&t("TIME"), &q("01:02:03.5")),
        Ok(Datum::Time(3_723_500))
    );
    assert_eq!(
        convert_literal(&t("TIME"), &n("86400000")),
        Err("86400000 is out of range".into())
    );
    assert!(convert_literal(&t("TIME"), &q("24:00")).is_err());
    assert_eq!(
        convert_literal(&t("TIMESTAMP(3)"), &q("1970-01-01T00:00:01Z")),
        Ok(Datum::Timestamp(Timestamp {
            millis: 1000,
            nano_of_milli: 0
        }))
    );
    assert_eq!(
        convert_literal(
            &t("TIMESTAMP(9) WITH LOCAL TIME ZONE"),
            &q("1969-12-31 23:59:59.999999999")
        ),
        Ok(Datum::Timestamp(Timestamp {
            millis: -1,
            nano_of_milli: 999_999
        }))
    );
    assert_eq!(
        convert_literal(&t("TIMESTAMP(3)"), &n("-5")),
        Ok(Datum::Timestamp(Timestamp {
            millis: -5,
            nano_of_milli: 0
        }))
    );
    assert_eq!(
        convert_literal(&t("ARRAY<INT>"), &n("1")),
        Err("nested types are not supported here".into())
    );
    assert_eq!(
        convert_literal(&t("ARRAY<INT>"), &Literal::Null),
        Ok(Datum::Null)
    );
}
