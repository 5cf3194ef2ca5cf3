//! Schema changes across implementations: pypaimon reads (and writes) a table after Strata's
//! alters, and Strata reads a table pypaimon altered.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use serde_json::{json, Value};
use strata_core::schema_change::{alter_table, Move, SchemaChange};
use strata_tests::run_py;
use strata_tests::writes::*;

fn strata_alter(t: &std::sync::Arc<strata_core::table::Table>, changes: &[SchemaChange]) {
    rt().block_on(alter_table(t.storage(), changes, 1)).unwrap();
}

fn pypaimon_alter(wh: &Path, name: &str, changes: Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("changes.json");
    std::fs::write(&path, serde_json::to_vec(&changes).unwrap()).unwrap();
    run_py(
        "pypaimon_alter.py",
        &[wh, Path::new(&format!("db.{name}")), &path],
    );
}

#[test]
fn pypaimon_reads_and_writes_after_strata_alters() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "evolved",
        "id BIGINT, v STRING, n INT, f FLOAT, gone STRING, dt STRING",
        &["id", "dt"],
        &["dt"],
        2,
        &[],
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "v": "a", "n": 5, "f": 1.5, "gone": "x", "dt": "d1"}),
            json!({"id": 2, "v": "b", "n": 2147483647, "f": 2.25, "gone": "y", "dt": "d2"}),
        ],
        None,
    );
    strata_alter(
        &t,
        &[
            SchemaChange::add_column("note STRING", Some(Move::After("v".into()))).unwrap(),
            SchemaChange::RenameColumn {
                from: "v".into(),
                to: "val".into(),
            },
            SchemaChange::UpdateColumnType {
                name: "n".into(),
                data_type: "BIGINT".parse().unwrap(),
            },
            SchemaChange::UpdateColumnType {
                name: "f".into(),
                data_type: "DOUBLE".parse().unwrap(),
            },
            SchemaChange::DropColumn {
                name: "gone".into(),
            },
            SchemaChange::UpdateColumnPosition {
                name: "dt".into(),
                position: Move::First,
            },
            SchemaChange::SetOption {
                key: "snapshot.num-retained.min".into(),
                value: "20".into(),
            },
        ],
    );
    let t = reopen(&t);
    strata_write(
        &t,
        &[json!({"id": 3, "val": "c", "note": "n", "n": 9999999999i64, "f": 3.5, "dt": "d1"})],
        None,
    );
    let mut model = vec![
        json!(["d1", 1, "a", null, 5, 1.5]),
        json!(["d2", 2, "b", null, 2147483647, 2.25]),
        json!(["d1", 3, "c", "n", 9999999999i64, 3.5]),
    ];
    check(&wh, "evolved", &t, model.clone());
    // pypaimon writes under the new schema; both read its rows and the older ones.
    pypaimon_write(
        &wh,
        "evolved",
        &[json!({"id": 1, "val": "a2", "note": "py", "n": 1i64 << 40, "f": 0.25, "dt": "d1"})],
    );
    model[0] = json!(["d1", 1, "a2", "py", 1i64 << 40, 0.25]);
    check(&wh, "evolved", &t, model);
}

#[test]
fn strata_reads_a_table_pypaimon_altered() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "py_altered",
        "id BIGINT, v STRING, n INT, gone STRING",
        &["id"],
        &[],
        1,
        &[],
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "v": "a", "n": 1, "gone": "x"}),
            json!({"id": 2, "v": "b", "n": -7, "gone": "y"}),
        ],
        None,
    );
    pypaimon_alter(
        &wh,
        "py_altered",
        json!([
            {"add": "extra", "type": "DOUBLE", "after": "id"},
            {"rename": "v", "to": "val"},
            {"type_of": "n", "to": "BIGINT"},
            {"drop": "gone"},
            {"set": "snapshot.num-retained.min", "value": "20"},
        ]),
    );
    let t = reopen(&t);
    let names: Vec<&str> = t.schema().fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["id", "extra", "val", "n"]);
    let mut model = vec![json!([1, null, "a", 1]), json!([2, null, "b", -7])];
    check(&wh, "py_altered", &t, model.clone());
    // Strata writes under pypaimon's schema, and alters it further.
    strata_write(
        &t,
        &[json!({"id": 3, "extra": 0.5, "val": "c", "n": 1i64 << 40})],
        None,
    );
    model.push(json!([3, 0.5, "c", 1i64 << 40]));
    check(&wh, "py_altered", &t, model.clone());
    strata_alter(
        &t,
        &[SchemaChange::RenameColumn {
            from: "val".into(),
            to: "label".into(),
        }],
    );
    check(&wh, "py_altered", &reopen(&t), model);
}

#[test]
fn nullability_and_comments_changed_by_one_are_honoured_by_the_other() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "nulls",
        "id BIGINT, q INT NOT NULL, c STRING",
        &["id"],
        &[],
        1,
        &[],
    );
    strata_write(&t, &[json!({"id": 1, "q": 1, "c": "a"})], None);
    strata_alter(
        &t,
        &[
            SchemaChange::UpdateColumnNullability {
                name: "q".into(),
                nullable: true,
            },
            SchemaChange::UpdateColumnComment {
                name: "c".into(),
                comment: Some("a note".into()),
            },
            SchemaChange::UpdateComment {
                comment: Some("from strata".into()),
            },
        ],
    );
    // pypaimon writes a null into the column Strata made nullable; both read it.
    pypaimon_write(&wh, "nulls", &[json!({"id": 2, "q": null, "c": "b"})]);
    let mut model = vec![json!([1, 1, "a"]), json!([2, null, "b"])];
    check(&wh, "nulls", &reopen(&t), model.clone());
    // pypaimon changes comments and makes a column NOT NULL (allowed by the option); Strata
    // sees the new schema and writes under it.
    pypaimon_alter(
        &wh,
        "nulls",
        json!([{"set": "alter-column-null-to-not-null.disabled", "value": "false"}]),
    );
    pypaimon_alter(
        &wh,
        "nulls",
        json!([
            {"comment_of": "q", "comment": "quantity"},
            {"table_comment": "from pypaimon"},
            {"nullable": "c", "to": false},
        ]),
    );
    let t = reopen(&t);
    let s = t.schema();
    assert_eq!(s.comment.as_deref(), Some("from pypaimon"));
    assert_eq!(
        s.field("q").unwrap().description.as_deref(),
        Some("quantity")
    );
    assert_eq!(s.field("c").unwrap().description.as_deref(), Some("a note"));
    assert!(!s.field("c").unwrap().data_type.nullable);
    strata_write(&t, &[json!({"id": 3, "q": null, "c": "c"})], None);
    model.push(json!([3, null, "c"]));
    check(&wh, "nulls", &t, model);
}
