//! Filters at work: exact evaluation with SQL nulls, stats pruning that never drops a
//! match, and the values a filter pins.

use std::sync::Arc;

use arrow_array::{Array, BooleanArray, Int64Array, RecordBatch, StringArray};
use proptest::prelude::*;

use super::*;
use crate::binary_row::Datum;
use crate::types::parse_columns;
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

fn batch() -> RecordBatch {
    RecordBatch::try_from_iter(vec![
        (
            "id",
            Arc::new(Int64Array::from(vec![Some(1), Some(5), None, Some(9)])) as _,
        ),
        (
            "name",
            Arc::new(StringArray::from(vec![
                Some("a"),
                None,
                Some("c"),
                Some("d"),
            ])) as _,
        ),
    ])
    .unwrap()
}

fn true_rows(m: &BooleanArray) -> Vec<usize> {
    (0..m.len())
        .filter(|&i| m.is_valid(i) && m.value(i))
        .collect()
}

fn hits(text: &str) -> Vec<usize> {
    true_rows(&bound(text).evaluate(&batch()).unwrap())
}

#[test]
fn evaluation_follows_sql_null_logic() {
    assert_eq!(hits("id >= 5 OR name = 'a'"), vec![0, 1, 3]);
    assert_eq!(hits("NOT (id >= 5 OR name = 'a')"), Vec::<usize>::new());
    assert_eq!(hits("name IS NOT NULL AND id IS NULL"), vec![2]);
    assert_eq!(hits("NOT name IN ('a', 'c')"), vec![3]);
    assert_eq!(hits("id <= 5 AND name < 'b'"), vec![0]);
    assert_eq!(hits("NOT NOT id = 5"), vec![1]);
}

#[test]
fn negated_comparisons_with_null_literals_match_nothing() {
    // `x = NULL` is unknown for every row, and so is its negation; the same for IN lists
    // whose other values do not match.
    for text in [
        "NOT id = NULL",
        "NOT id != NULL",
        "NOT (id IN (1, NULL))",
        "id NOT IN (1, NULL)",
        "NOT (name = NULL OR id > 100)",
    ] {
        assert_eq!(hits(text), Vec::<usize>::new(), "{text}");
    }
    assert_eq!(hits("id IN (1, NULL)"), vec![0]);
    assert_eq!(hits("NOT (id NOT IN (1, NULL))"), vec![0]);
}

#[test]
fn evaluation_refuses_columns_that_were_not_read() {
    let fields = parse_columns("id BIGINT, other INT").unwrap();
    let p = Predicate::parse("other = 1")
        .unwrap()
        .bind(&fields)
        .unwrap();
    assert_eq!(
        message(p.evaluate(&batch()).unwrap_err()),
        "filter: column \"other\" was not read"
    );
}

#[test]
fn stats_pruning_handles_all_null_and_unknown_facts() {
    let all_null = |c: &str| {
        (c == "id").then_some(ColumnFacts {
            min: Datum::Null,
            max: Datum::Null,
            null_count: Some(10),
            row_count: 10,
        })
    };
    assert!(!bound("id = 1").may_match(&all_null));
    assert!(!bound("id IS NOT NULL").may_match(&all_null));
    assert!(bound("id IS NULL").may_match(&all_null));
    let unknown = |_: &str| {
        Some(ColumnFacts {
            min: Datum::Null,
            max: Datum::Null,
            null_count: None,
            row_count: 10,
        })
    };
    assert!(bound("id = 1").may_match(&unknown));
    assert!(bound("id IS NULL").may_match(&unknown));
    assert!(
        !bound("id = NULL").may_match(&unknown),
        "a null literal never matches"
    );
    let single = |_: &str| {
        Some(ColumnFacts {
            min: Datum::BigInt(4),
            max: Datum::BigInt(4),
            null_count: Some(0),
            row_count: 3,
        })
    };
    assert!(!bound("id != 4").may_match(&single));
    assert!(!bound("id NOT IN (4, 7)").may_match(&single));
    assert!(bound("id NOT IN (5)").may_match(&single));
    assert!(!bound("NOT (id = 4 OR id < 0)").may_match(&single));
}

#[test]
fn pinned_values_come_from_equalities_under_and_and_or() {
    assert_eq!(
        bound("(id = 1 OR id IN (2, 3)) AND name = 'x'").pinned_values("id"),
        Some(vec![Datum::BigInt(1), Datum::BigInt(2), Datum::BigInt(3)])
    );
    assert_eq!(bound("id NOT IN (1)").pinned_values("id"), None);
    assert_eq!(bound("id > 1").pinned_values("id"), None);
    assert_eq!(bound("NOT id = 1").pinned_values("id"), None);
    assert_eq!(
        bound("name = 'x'").pinned_values("name"),
        Some(vec![Datum::String("x".into())])
    );
}

fn facts_of(vals: &[Option<i64>]) -> Option<ColumnFacts> {
    let non_null: Vec<i64> = vals.iter().flatten().copied().collect();
    Some(ColumnFacts {
        min: non_null
            .iter()
            .min()
            .map_or(Datum::Null, |v| Datum::BigInt(*v)),
        max: non_null
            .iter()
            .max()
            .map_or(Datum::Null, |v| Datum::BigInt(*v)),
        null_count: Some((vals.len() - non_null.len()) as i64),
        row_count: vals.len() as i64,
    })
}

fn leaf() -> impl Strategy<Value = String> {
    let op = prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]);
    prop_oneof![
        (op, -5i64..15).prop_map(|(o, v)| format!("id {o} {v}")),
        prop::collection::vec(-5i64..15, 1..4).prop_map(|vs| {
            let list: Vec<String> = vs.iter().map(ToString::to_string).collect();
            format!("id IN ({})", list.join(", "))
        }),
        Just("id IS NULL".to_string()),
        Just("id IS NOT NULL".to_string()),
    ]
}

fn filter() -> impl Strategy<Value = String> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|p| format!("NOT ({p})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) AND ({b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) OR ({b})")),
        ]
    })
}

proptest! {
    /// Pruning by min/max/null count never drops a set of rows the exact evaluation matches.
    #[test]
    fn pruning_never_drops_a_match(
        vals in prop::collection::vec(prop::option::weighted(0.8, 0i64..10), 1..8),
        text in filter(),
    ) {
        let fields = parse_columns("id BIGINT").unwrap();
        let p = Predicate::parse(&text).unwrap().bind(&fields).unwrap();
        let batch = RecordBatch::try_from_iter(vec![
            ("id", Arc::new(Int64Array::from(vals.clone())) as _),
        ]).unwrap();
        let matched = !true_rows(&p.evaluate(&batch).unwrap()).is_empty();
        let facts = facts_of(&vals);
        let may = p.may_match(&|_| facts.clone());
        prop_assert!(may || !matched, "{} pruned rows {:?} it matches", text, vals);
    }
}
