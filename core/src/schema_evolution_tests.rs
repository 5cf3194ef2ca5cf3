//! Schema evolution: the widening matrix, the errors naming the column that cannot change,
//! field ids of added columns, nullability, and publishing with put-if-absent.

use proptest::prelude::*;

use super::*;
use crate::storage::MemoryStorage;

fn t(s: &str) -> DataType {
    s.parse().unwrap()
}

fn schema(columns: &str, partition: &[&str], pk: &[&str]) -> TableSchema {
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut options = std::collections::BTreeMap::new();
    if !pk.is_empty() {
        options.insert("bucket".to_string(), "2".to_string());
    }
    TableSchema::create(
        crate::types::parse_columns(columns).unwrap(),
        strings(partition),
        strings(pk),
        options,
        0,
    )
    .unwrap()
}

fn refused(r: Result<TableSchema>) -> String {
    match r.unwrap_err() {
        Error::InvalidValue(m) => m,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

#[test]
fn the_widening_matrix() {
    let cases = [
        ("TINYINT", "SMALLINT", true),
        ("SMALLINT", "BIGINT", true),
        ("BIGINT", "TINYINT", false),
        ("TINYINT", "FLOAT", true),
        ("SMALLINT", "FLOAT", true),
        ("INT", "FLOAT", false),
        ("INT", "DOUBLE", true),
        ("BIGINT", "DOUBLE", false),
        ("DOUBLE", "FLOAT", false),
        ("TINYINT", "DECIMAL(3, 0)", true),
        ("TINYINT", "DECIMAL(4, 2)", false),
        ("BIGINT", "DECIMAL(19, 0)", true),
        ("DECIMAL(5, 2)", "DECIMAL(6, 2)", true),
        ("DECIMAL(5, 2)", "DECIMAL(6, 3)", true),
        ("DECIMAL(5, 2)", "DECIMAL(5, 3)", false),
        ("DECIMAL(5, 2)", "DECIMAL(10, 1)", false),
        ("DECIMAL(5, 0)", "INT", false),
        ("CHAR(5)", "VARCHAR(5)", true),
        ("CHAR(5)", "CHAR(3)", false),
        ("VARCHAR(5)", "CHAR(10)", false),
        ("BINARY(4)", "BYTES", true),
        ("VARBINARY(8)", "VARBINARY(4)", false),
        ("BYTES", "STRING", false),
        ("TIME(0)", "TIME(3)", true),
        ("TIMESTAMP(6)", "TIMESTAMP(3)", false),
        ("TIMESTAMP(3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE", false),
        (
            "TIMESTAMP(3) WITH LOCAL TIME ZONE",
            "TIMESTAMP(9) WITH LOCAL TIME ZONE",
            true,
        ),
        ("DATE", "TIMESTAMP(3)", false),
        ("INT NOT NULL", "INT", true),
        ("INT", "BIGINT NOT NULL", true),
        ("ARRAY<INT>", "ARRAY<INT>", true),
        ("ARRAY<INT>", "ARRAY<BIGINT>", false),
    ];
    for (from, to, ok) in cases {
        assert_eq!(widens_to(&t(from), &t(to)), ok, "{from} -> {to}");
    }
}

#[test]
fn refusals_name_the_column_and_both_types() {
    let s = schema(
        "id BIGINT, dt STRING, n INT, s STRING",
        &["dt"],
        &["id", "dt"],
    );
    let widen = |name: &str, to: &str| SchemaChange {
        widen: vec![(name.into(), t(to))],
        ..Default::default()
    };
    assert_eq!(
        refused(evolve(&s, &widen("s", "INT"), 1)),
        "column \"s\": type STRING cannot change to INT (only widening is allowed)"
    );
    assert_eq!(
        refused(evolve(&s, &widen("id", "DECIMAL(20, 0)"), 1)),
        "column \"id\" is a key or partition column: its type BIGINT NOT NULL cannot change to DECIMAL(20, 0)"
    );
    assert_eq!(
        refused(evolve(&s, &widen("dt", "INT"), 1)),
        "column \"dt\" is a key or partition column: its type STRING NOT NULL cannot change to INT"
    );
    let nested = SchemaChange {
        add: vec![("tags".into(), t("ARRAY<STRING>"))],
        ..Default::default()
    };
    assert_eq!(
        refused(evolve(&s, &nested, 1)),
        "column \"tags\": adding nested type ARRAY<STRING> is not supported"
    );
}

#[test]
fn key_columns_already_wide_enough_are_left_alone() {
    let s = schema("id BIGINT, v INT", &[], &["id"]);
    let change = SchemaChange {
        widen: vec![("id".into(), t("INT"))],
        ..Default::default()
    };
    let same = evolve(&s, &change, 9).unwrap();
    assert_eq!(same, s, "no new id and no new time");
    // So is a narrower type asked of any column: its values fit the wider column.
    let narrower = SchemaChange {
        widen: vec![("v".into(), t("TINYINT NOT NULL"))],
        ..Default::default()
    };
    assert_eq!(evolve(&s, &narrower, 9).unwrap(), s);
    assert!(SchemaChange::default().is_empty());
    assert!(!change.is_empty());
}

#[test]
fn widening_keeps_nullability_and_added_columns_get_fresh_ids() {
    let s = schema("a INT NOT NULL, b FLOAT", &[], &[]);
    let change = SchemaChange {
        add: vec![("c".into(), t("STRING NOT NULL")), ("d".into(), t("DATE"))],
        widen: vec![
            ("a".into(), t("BIGINT")),
            ("b".into(), t("DOUBLE NOT NULL")),
        ],
    };
    let next = evolve(&s, &change, 42).unwrap();
    assert_eq!((next.id, next.time_millis), (1, 42));
    assert_eq!(next.field("a").unwrap().data_type, t("BIGINT NOT NULL"));
    assert_eq!(next.field("b").unwrap().data_type, t("DOUBLE"));
    let ids: Vec<(String, i32)> = next.fields.iter().map(|f| (f.name.clone(), f.id)).collect();
    assert_eq!(
        ids,
        vec![
            ("a".into(), 0),
            ("b".into(), 1),
            ("c".into(), 2),
            ("d".into(), 3)
        ]
    );
    assert_eq!(next.highest_field_id, 3);
    assert_eq!(
        next.field("c").unwrap().data_type,
        t("STRING"),
        "added columns are nullable"
    );
    // The same column named twice is added once.
    let twice = SchemaChange {
        add: vec![("e".into(), t("INT")), ("e".into(), t("SMALLINT"))],
        ..Default::default()
    };
    let next2 = evolve(&next, &twice, 43).unwrap();
    assert_eq!(next2.fields.len(), 5);
    assert_eq!(next2.field("e").unwrap().data_type, t("INT"));
}

#[tokio::test]
async fn schemas_are_published_once_per_id() {
    let storage = MemoryStorage::new();
    let s = schema("a INT", &[], &[]);
    let next = evolve(
        &s,
        &SchemaChange {
            add: vec![("b".into(), t("INT"))],
            ..Default::default()
        },
        1,
    )
    .unwrap();
    commit_schema(&storage, &next).await.unwrap();
    let back = TableSchema::from_json(&storage.get("schema/schema-1").await.unwrap(), "s").unwrap();
    assert_eq!(back, next);
    match commit_schema(&storage, &next).await.unwrap_err() {
        Error::AlreadyExists { path } => assert_eq!(path, "schema/schema-1"),
        other => panic!("{other:?}"),
    }
}

fn atomic() -> impl Strategy<Value = DataType> {
    prop::sample::select(vec![
        "TINYINT",
        "SMALLINT",
        "INT",
        "BIGINT",
        "FLOAT",
        "DOUBLE",
        "DECIMAL(3, 0)",
        "DECIMAL(10, 0)",
        "DECIMAL(12, 2)",
        "DECIMAL(20, 1)",
        "DECIMAL(38, 4)",
        "CHAR(3)",
        "VARCHAR(3)",
        "VARCHAR(10)",
        "STRING",
        "BINARY(2)",
        "BYTES",
        "TIME(0)",
        "TIME(3)",
        "TIMESTAMP(3)",
        "TIMESTAMP(6)",
        "DATE",
        "BOOLEAN",
    ])
    .prop_map(t)
}

proptest! {
    /// Widening is a preorder: reflexive and transitive, so widening twice never allows what
    /// widening once would refuse.
    #[test]
    fn widening_is_reflexive_and_transitive(a in atomic(), b in atomic(), c in atomic()) {
        prop_assert!(widens_to(&a, &a));
        if widens_to(&a, &b) && widens_to(&b, &c) {
            prop_assert!(widens_to(&a, &c), "{} -> {} -> {}", a, b, c);
        }
    }
}
