use super::*;
use serde_json::json;

fn kinds(d: &Decoded) -> Vec<i8> {
    d.changes.iter().map(|c| c.kind.to_byte()).collect()
}

fn dec(f: CdcFormat, v: Value) -> Decoded {
    decode(f, Some(v.to_string().as_bytes())).unwrap()
}

#[test]
fn debezium_without_envelope() {
    use strata_core::key_value::row_kind::*;
    let raw = br#"{"before": null, "after": {"id": 1, "b": "x"}, "op": "c"}"#;
    let d = decode(CdcFormat::Debezium, Some(raw)).unwrap();
    assert_eq!(kinds(&d), vec![INSERT]);
    // Column order is the message's, not alphabetical.
    let names: Vec<&str> = d.changes[0].row.0.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["id", "b"]);
    let u = dec(
        CdcFormat::Debezium,
        json!({"before": {"id": 1}, "after": {"id": 1, "b": "y"}, "op": "u"}),
    );
    assert_eq!(kinds(&u), vec![UPDATE_BEFORE, UPDATE_AFTER]);
    // Without a before image an update is an upsert.
    let u = dec(
        CdcFormat::Debezium,
        json!({"before": null, "after": {"id": 1}, "op": "u"}),
    );
    assert_eq!(kinds(&u), vec![UPDATE_AFTER]);
    let d = dec(
        CdcFormat::Debezium,
        json!({"before": {"id": 1}, "after": null, "op": "d"}),
    );
    assert_eq!(kinds(&d), vec![DELETE]);
    assert_eq!(
        kinds(&dec(
            CdcFormat::Debezium,
            json!({"after": {"id": 5}, "op": "r"})
        )),
        vec![INSERT]
    );
}

#[test]
fn debezium_envelope_types_and_tombstones() {
    let msg = json!({
        "schema": {"type": "struct", "fields": [
            {"type": "struct", "optional": true, "field": "before", "fields": []},
            {"type": "struct", "optional": true, "field": "after", "fields": [
                {"type": "int32", "optional": false, "field": "id"},
                {"type": "bytes", "optional": true, "field": "amount",
                 "name": "org.apache.kafka.connect.data.Decimal",
                 "parameters": {"scale": "2", "connect.decimal.precision": "10"}},
                {"type": "int64", "optional": true, "field": "at", "name": "io.debezium.time.MicroTimestamp"},
                {"type": "int32", "optional": true, "field": "day", "name": "io.debezium.time.Date"}
            ]}
        ]},
        "payload": {"before": null, "after": {"id": 1, "amount": "AN0=", "at": 5, "day": 3}, "op": "c"}
    });
    let d = dec(CdcFormat::Debezium, msg);
    let types: Vec<String> = d.columns.iter().map(|c| c.data_type.to_string()).collect();
    assert_eq!(
        types,
        ["INT NOT NULL", "DECIMAL(10, 2)", "TIMESTAMP(6)", "DATE"]
    );
    assert_eq!(d.encoding("amount"), Encoding::Base64Decimal);
    assert_eq!(d.encoding("at"), Encoding::Micros);
    // Kafka tombstones (no value), and an envelope whose payload is null, carry no change.
    assert_eq!(
        decode(CdcFormat::Debezium, None).unwrap(),
        Decoded::default()
    );
    assert!(dec(
        CdcFormat::Debezium,
        json!({"schema": null, "payload": null})
    )
    .changes
    .is_empty());
}

#[test]
fn canal_batches_and_ddl() {
    use strata_core::key_value::row_kind::*;
    let msg = json!({
        "data": [{"id": "1", "n": "b"}, {"id": "2", "n": "d"}],
        "old": [{"n": "a"}, {"n": "c"}],
        "type": "UPDATE", "isDdl": false, "pkNames": ["id"],
        "mysqlType": {"id": "bigint(20) unsigned", "n": "varchar(10)"}
    });
    let d = dec(CdcFormat::Canal, msg);
    assert_eq!(
        kinds(&d),
        vec![UPDATE_BEFORE, UPDATE_AFTER, UPDATE_BEFORE, UPDATE_AFTER]
    );
    assert_eq!(d.changes[0].row.get("n"), Some(&json!("a")));
    assert_eq!(d.changes[3].row.get("n"), Some(&json!("d")));
    assert_eq!(d.primary_keys, ["id"]);
    assert_eq!(d.columns[0].data_type.to_string(), "DECIMAL(20, 0)");
    let ddl =
        json!({"data": null, "type": "ALTER", "isDdl": true, "sql": "alter table t add c int"});
    assert!(dec(CdcFormat::Canal, ddl).changes.is_empty());
    let bad = json!({"data": [{"id": "1"}], "type": "TRUNCATE", "isDdl": false});
    assert!(decode(CdcFormat::Canal, Some(bad.to_string().as_bytes())).is_err());
}

#[test]
fn maxwell_messages() {
    use strata_core::key_value::row_kind::*;
    let u = dec(
        CdcFormat::Maxwell,
        json!({"type": "update", "data": {"id": 1, "n": "b"}, "old": {"n": "a"}, "primary_key_columns": ["id"]}),
    );
    assert_eq!(kinds(&u), vec![UPDATE_BEFORE, UPDATE_AFTER]);
    assert_eq!(u.changes[0].row.get("n"), Some(&json!("a")));
    assert_eq!(
        kinds(&dec(
            CdcFormat::Maxwell,
            json!({"type": "bootstrap-insert", "data": {"id": 1}})
        )),
        vec![INSERT]
    );
    assert!(dec(
        CdcFormat::Maxwell,
        json!({"type": "bootstrap-start", "data": {}})
    )
    .changes
    .is_empty());
    assert_eq!(
        kinds(&dec(
            CdcFormat::Maxwell,
            json!({"type": "delete", "data": {"id": 1}})
        )),
        vec![DELETE]
    );
}

#[test]
fn malformed_messages_say_why() {
    let e = decode(CdcFormat::Debezium, Some(b"{\"op\": \"c\", \"after\": ")).unwrap_err();
    assert!(e.contains("malformed JSON"), "{e}");
    let e = decode(CdcFormat::Debezium, Some(b"{\"after\": {\"id\": 1}}")).unwrap_err();
    assert!(e.contains("without \"op\""), "{e}");
    let e = decode(
        CdcFormat::Debezium,
        Some(b"{\"op\": \"d\", \"before\": null}"),
    )
    .unwrap_err();
    assert!(e.contains("without \"before\""), "{e}");
    let e = decode(CdcFormat::Debezium, Some(b"{\"op\": \"t\"}")).unwrap_err();
    assert!(e.contains("unsupported"), "{e}");
    assert!(decode(CdcFormat::Maxwell, Some(b"[1, 2]")).is_err());
    assert!(decode(CdcFormat::Canal, Some(b"{\"type\": \"INSERT\"}")).is_err());
    assert_eq!(mysql_type("tinyint(1)").to_string(), "BOOLEAN");
    assert_eq!(mysql_type("datetime(3)").to_string(), "TIMESTAMP(3)");
    assert_eq!(mysql_type("decimal(12,4)").to_string(), "DECIMAL(12, 4)");
}
