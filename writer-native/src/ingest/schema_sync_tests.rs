use super::buffer::RowBuffer;
use super::formats::{decode, CdcFormat, Decoded};
use super::pipeline::IngestOptions;
use super::schema_sync::{created_schema, schema_change};
use strata_core::key_value::RowKind;
use strata_core::schema::TableSchema;
use strata_core::types::{parse_columns, TypeKind};

fn debezium(json: &str) -> Decoded {
    decode(CdcFormat::Debezium, Some(json.as_bytes())).unwrap()
}

fn table(columns: &str) -> TableSchema {
    TableSchema::create(
        parse_columns(columns).unwrap(),
        vec![],
        vec!["id".into()],
        Default::default(),
        0,
    )
    .unwrap()
}

fn options(pk: &[&str]) -> IngestOptions {
    IngestOptions {
        primary_key: pk.iter().map(|s| s.to_string()).collect(),
        bucket: 3,
        ..IngestOptions::default()
    }
}

#[test]
fn a_created_table_takes_the_first_rows_columns_and_the_given_key() {
    let d = debezium(r#"{"after": {"id": 1, "name": "a", "price": 2.5}, "op": "c"}"#);
    let s = created_schema(&d, &options(&["id"]), "msg@0", 7).unwrap();
    let names: Vec<&str> = s.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["id", "name", "price"]);
    assert_eq!(s.primary_keys, ["id"]);
    assert_eq!(s.options.get("bucket").map(String::as_str), Some("3"));
    assert_eq!(s.time_millis, 7);
    // The key column is NOT NULL, as Paimon makes primary keys.
    assert!(!s.fields[0].data_type.nullable);
}

#[test]
fn a_created_table_needs_a_key_and_says_where_it_looked() {
    let d = debezium(r#"{"after": {"id": 1}, "op": "c"}"#);
    let e = created_schema(&d, &options(&[]), "topic/0@12", 0).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("topic/0@12") && text.contains("--primary-key"),
        "{text}"
    );
}

#[test]
fn new_columns_are_added_and_known_ones_left_alone() {
    let s = table("id BIGINT NOT NULL, name STRING");
    let d = debezium(r#"{"after": {"id": 1, "name": "a", "qty": 4, "note": null}, "op": "c"}"#);
    let change = schema_change(&s, &d, "m").unwrap();
    let added: Vec<&str> = change.add.iter().map(|(n, _)| n.as_str()).collect();
    // A null says nothing about its column's type: it is not added yet.
    assert_eq!(added, ["qty"]);
    assert!(change.widen.is_empty());
    let same = debezium(r#"{"after": {"id": 2, "name": "b"}, "op": "c"}"#);
    assert!(schema_change(&s, &same, "m").unwrap().is_empty());
}

#[test]
fn declared_types_widen_and_narrowings_are_refused_with_the_message() {
    let s = table("id BIGINT NOT NULL, n INT");
    let widened = Decoded {
        columns: vec![super::formats::SourceColumn {
            name: "n".into(),
            data_type: strata_core::types::DataType::nullable(TypeKind::BigInt),
            encoding: super::formats::Encoding::Plain,
        }],
        ..debezium(r#"{"after": {"id": 1, "n": 5}, "op": "c"}"#)
    };
    let change = schema_change(&s, &widened, "m").unwrap();
    assert_eq!(change.widen.len(), 1);
    assert_eq!(change.widen[0].0, "n");
    let s = table("id BIGINT NOT NULL, n BIGINT");
    let narrowed = Decoded {
        columns: vec![super::formats::SourceColumn {
            name: "n".into(),
            data_type: strata_core::types::DataType::nullable(TypeKind::Boolean),
            encoding: super::formats::Encoding::Plain,
        }],
        ..debezium(r#"{"after": {"id": 1, "n": true}, "op": "c"}"#)
    };
    let e = schema_change(&s, &narrowed, "orders/1@9")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("orders/1@9") && e.contains("not a widening"),
        "{e}"
    );
}

#[test]
fn the_buffer_takes_a_message_whole_or_not_at_all() {
    let s = table("id BIGINT NOT NULL, name STRING");
    let mut b = RowBuffer::default();
    b.reset(Some(&s));
    let ok = debezium(
        r#"{"before": {"id": 1, "name": "a"}, "after": {"id": 1, "name": "b"}, "op": "u"}"#,
    );
    b.push(&s, &ok).unwrap();
    assert_eq!(b.kinds(), [RowKind::UpdateBefore, RowKind::UpdateAfter]);
    let missing_key = debezium(r#"{"after": {"name": "c"}, "op": "c"}"#);
    let e = b.push(&s, &missing_key).unwrap_err();
    assert_eq!(e, "primary-key column id is missing");
    assert_eq!(b.len(), 2);
    let batch = b.batch(&s).unwrap();
    assert_eq!(batch.num_rows(), 2);
    assert_eq!(batch.num_columns(), 2);
    b.reset(Some(&s));
    assert!(b.is_empty());
}

#[test]
fn a_value_of_the_wrong_type_names_its_column() {
    let s = table("id BIGINT NOT NULL, qty INT");
    let mut b = RowBuffer::default();
    b.reset(Some(&s));
    let bad = debezium(r#"{"after": {"id": 1, "qty": "many"}, "op": "c"}"#);
    let e = b.push(&s, &bad).unwrap_err();
    assert!(e.starts_with("column qty:"), "{e}");
    assert!(b.is_empty());
}
