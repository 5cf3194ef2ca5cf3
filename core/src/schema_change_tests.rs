//! Tests of `schema_change`: each change, and each refusal Paimon makes.

use super::*;
use crate::storage::MemoryStorage;

fn table(columns: &str, pk: &[&str], part: &[&str], opts: &[(&str, &str)]) -> TableSchema {
    TableSchema::create(
        crate::types::parse_columns(columns).unwrap(),
        part.iter().map(|s| s.to_string()).collect(),
        pk.iter().map(|s| s.to_string()).collect(),
        opts.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        0,
    )
    .unwrap()
}

fn orders() -> TableSchema {
    table(
        "id BIGINT, n INT, f FLOAT, s VARCHAR(10), d DECIMAL(10, 2), dt STRING",
        &["id", "dt"],
        &["dt"],
        &[("bucket", "2")],
    )
}

fn names(s: &TableSchema) -> Vec<&str> {
    s.fields.iter().map(|f| f.name.as_str()).collect()
}

fn t(text: &str) -> DataType {
    text.parse().unwrap()
}

fn set(k: &str, v: &str) -> SchemaChange {
    SchemaChange::SetOption {
        key: k.into(),
        value: v.into(),
    }
}

fn reset(k: &str) -> SchemaChange {
    SchemaChange::RemoveOption { key: k.into() }
}

fn err(s: &TableSchema, changes: &[SchemaChange], data: bool) -> String {
    apply(s, changes, data, 1).unwrap_err().to_string()
}

#[test]
fn adds_columns_with_fresh_ids_where_asked() {
    let s = orders();
    let next = apply(
        &s,
        &[
            SchemaChange::add_column("a STRING", None).unwrap(),
            SchemaChange::add_column("b INT COMMENT 'x'", Some(Move::First)).unwrap(),
            SchemaChange::add_column("c ROW<x INT, y INT>", Some(Move::After("id".into())))
                .unwrap(),
            SchemaChange::add_column("e DOUBLE", Some(Move::Before("dt".into()))).unwrap(),
        ],
        true,
        7,
    )
    .unwrap();
    assert_eq!(
        names(&next),
        ["b", "id", "c", "n", "f", "s", "d", "e", "dt", "a"]
    );
    assert_eq!((next.id, next.time_millis), (1, 7));
    let id = |n: &str| next.field(n).unwrap().id;
    assert_eq!((id("a"), id("b"), id("c"), id("e")), (6, 7, 8, 11));
    assert_eq!(
        next.highest_field_id, 11,
        "c's nested x and y took 9 and 10"
    );
    assert_eq!(next.field("b").unwrap().description.as_deref(), Some("x"));
    assert!(err(
        &s,
        &[SchemaChange::add_column("a INT NOT NULL", None).unwrap()],
        false
    )
    .contains("NOT NULL"));
    assert!(err(
        &s,
        &[SchemaChange::add_column("n INT", None).unwrap()],
        false
    )
    .contains("already exists"));
    assert!(err(
        &s,
        &[SchemaChange::add_column("z INT", Some(Move::After("nope".into()))).unwrap()],
        false
    )
    .contains("nope"));
    assert!(SchemaChange::add_column("a INT, b INT", None).is_err());
    // add-column-before-partition puts new columns before the first partition column.
    let s2 = table(
        "id BIGINT, dt STRING",
        &["id", "dt"],
        &["dt"],
        &[("bucket", "1"), ("add-column-before-partition", "true")],
    );
    let next = apply(
        &s2,
        &[SchemaChange::add_column("v INT", None).unwrap()],
        true,
        1,
    )
    .unwrap();
    assert_eq!(names(&next), ["id", "v", "dt"]);
}

#[test]
fn renames_follow_keys_and_options_but_not_partitions() {
    let s = table(
        "id BIGINT, v STRING, seq BIGINT, dt STRING",
        &["id", "dt"],
        &["dt"],
        &[
            ("bucket", "2"),
            ("sequence.field", "seq"),
            ("bucket-key", "id"),
        ],
    );
    let ren = |from: &str, to: &str| SchemaChange::RenameColumn {
        from: from.into(),
        to: to.into(),
    };
    let next = apply(&s, &[ren("id", "key"), ren("seq", "ver")], true, 1).unwrap();
    assert_eq!(names(&next), ["key", "v", "ver", "dt"]);
    assert_eq!(next.primary_keys, ["key", "dt"]);
    assert_eq!(next.option("bucket-key"), Some("key"));
    assert_eq!(next.option("sequence.field"), Some("ver"));
    assert_eq!(next.field("key").unwrap().id, 0, "ids survive renames");
    assert!(err(&s, &[ren("dt", "day")], false).contains("partition column"));
    assert!(err(&s, &[ren("v", "id")], false).contains("already exists"));
    assert!(err(&s, &[ren("nope", "x")], false).contains("no column \"nope\""));
    // An option naming the column that Paimon does not rename is refused, not left dangling.
    let agg = table(
        "id BIGINT, total BIGINT",
        &["id"],
        &[],
        &[
            ("bucket", "1"),
            ("merge-engine", "aggregation"),
            ("fields.total.aggregate-function", "sum"),
        ],
    );
    assert!(err(&agg, &[ren("total", "sum")], false).contains("fields.total.aggregate-function"));
    assert!(err(
        &agg,
        &[SchemaChange::DropColumn {
            name: "total".into()
        }],
        false
    )
    .contains("reset the option first"));
    // ...and allowed once the option goes in the same alter.
    apply(
        &agg,
        &[
            reset("fields.total.aggregate-function"),
            ren("total", "sum"),
        ],
        false,
        1,
    )
    .unwrap();
}

#[test]
fn drops_and_moves_columns() {
    let s = orders();
    let drop = |n: &str| SchemaChange::DropColumn { name: n.into() };
    let next = apply(&s, &[drop("n"), drop("s")], true, 1).unwrap();
    assert_eq!(names(&next), ["id", "f", "d", "dt"]);
    assert_eq!(
        next.highest_field_id, s.highest_field_id,
        "ids are never reused"
    );
    // A dropped name may come back: a new column with a new id (old values stay gone).
    let back = apply(
        &next,
        &[SchemaChange::add_column("n INT", None).unwrap()],
        true,
        2,
    )
    .unwrap();
    assert_eq!(back.field("n").unwrap().id, 6);
    assert!(err(&s, &[drop("dt")], false).contains("partition column"));
    assert!(err(&s, &[drop("id")], false).contains("primary-key column"));
    let one = table("x INT", &[], &[], &[]);
    assert!(err(&one, &[drop("x")], false).contains("only column"));
    let mv = |n: &str, p: Move| SchemaChange::UpdateColumnPosition {
        name: n.into(),
        position: p,
    };
    let next = apply(
        &s,
        &[
            mv("dt", Move::First),
            mv("id", Move::Last),
            mv("s", Move::After("dt".into())),
            mv("d", Move::Before("n".into())),
        ],
        true,
        1,
    )
    .unwrap();
    assert_eq!(names(&next), ["dt", "s", "d", "n", "f", "id"]);
    assert!(err(&s, &[mv("n", Move::After("n".into()))], false).contains("no such column"));
}

#[test]
fn widens_types_only() {
    let s = orders();
    let ty = |n: &str, to: &str| SchemaChange::UpdateColumnType {
        name: n.into(),
        data_type: t(to),
    };
    let next = apply(
        &s,
        &[
            ty("n", "BIGINT"),
            ty("f", "DOUBLE"),
            ty("s", "STRING"),
            ty("d", "DECIMAL(14, 3)"),
        ],
        true,
        1,
    )
    .unwrap();
    assert_eq!(next.field("n").unwrap().data_type, t("BIGINT"));
    assert_eq!(next.field("s").unwrap().data_type, t("STRING"));
    assert_eq!(next.field("d").unwrap().data_type, t("DECIMAL(14, 3)"));
    for (col, to) in [
        ("n", "SMALLINT"),
        ("f", "INT"),
        ("s", "VARCHAR(5)"),
        ("d", "DECIMAL(10, 3)"),
        ("s", "INT"),
    ] {
        assert!(
            err(&s, &[ty(col, to)], false).contains("lossless"),
            "{col} {to}"
        );
    }
    assert!(err(&s, &[ty("id", "DECIMAL(20, 0)")], false).contains("primary-key"));
    assert!(err(&s, &[ty("dt", "STRING")], false).contains("partition"));
    // The column keeps its nullability.
    let nn = table("id INT, v INT NOT NULL", &[], &[], &[]);
    let next = apply(&nn, &[ty("v", "BIGINT")], false, 1).unwrap();
    assert_eq!(next.field("v").unwrap().data_type, t("BIGINT NOT NULL"));
}

#[test]
fn options_are_validated_and_immutable_ones_refused_once_there_is_data() {
    let s = orders();
    let next = apply(
        &s,
        &[
            set("snapshot.num-retained.min", "20"),
            set("write-only", "true"),
        ],
        true,
        1,
    )
    .unwrap();
    assert_eq!(next.option("write-only"), Some("true"));
    let next = apply(&next, &[reset("write-only")], true, 2).unwrap();
    assert_eq!(next.option("write-only"), None);
    assert!(err(&s, &[set("write-onyl", "true")], false).contains("did you mean \"write-only\""));
    assert!(err(&s, &[set("write-only", "maybe")], false).contains("boolean"));
    assert!(err(&s, &[set("merge-engine", "first-row")], true).contains("merge-engine"));
    assert!(err(&s, &[reset("merge-engine")], true).contains("merge-engine"));
    assert!(err(&s, &[set("type", "format-table")], false).contains("type"));
    // On a table without snapshots, Paimon lets immutable options change.
    let next = apply(&s, &[set("merge-engine", "first-row")], false, 1).unwrap();
    assert_eq!(next.option("merge-engine"), Some("first-row"));
    // bucket: never reset, never to or from -1, and not with data (no rescale in Strata).
    assert!(err(&s, &[reset("bucket")], false).contains("cannot be reset"));
    assert!(err(&s, &[set("bucket", "-1")], false).contains("-1"));
    assert!(err(&s, &[set("bucket", "4")], true).contains("rescale"));
    assert_eq!(
        apply(&s, &[set("bucket", "4")], false, 1)
            .unwrap()
            .option("bucket"),
        Some("4")
    );
    // Options set before are not re-validated (another engine may know more keys).
    let mut foreign = s.clone();
    foreign.options.insert("some.engine.key".into(), "x".into());
    apply(&foreign, &[set("write-only", "true")], true, 1).unwrap();
}

#[test]
fn alter_table_publishes_once_and_concurrent_alters_conflict() {
    futures::executor::block_on(async {
        let storage = MemoryStorage::new();
        let s = orders();
        commit_schema(&storage, &s).await.unwrap();
        let add = [SchemaChange::add_column("a STRING", None).unwrap()];
        let next = alter_table(&storage, &add, 5).await.unwrap();
        assert_eq!(next.id, 1);
        assert_eq!(TableSchema::load_latest(&storage).await.unwrap(), next);
        // Changing nothing publishes nothing.
        let same = alter_table(&storage, &[set("bucket", "2")], 6)
            .await
            .unwrap();
        assert_eq!(same.id, 1);
        assert!(storage.head("schema/schema-2").await.unwrap().is_none());
        // Another alter publishes schema-2 between this one's read and its put.
        let rival = apply(&next, &[set("write-only", "true")], false, 7).unwrap();
        let racing = Racing {
            inner: storage,
            rival: std::sync::Mutex::new(Some(rival)),
        };
        let e = alter_table(&racing, &[set("write-only", "false")], 8)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Conflict(_)), "{e}");
        assert!(e.to_string().contains("schema/schema-2"), "{e}");
        let latest = TableSchema::load_latest(&racing).await.unwrap();
        assert_eq!(
            latest.option("write-only"),
            Some("true"),
            "the rival's change stands"
        );
    })
}

/// A storage where a rival schema is published just before the first put-if-absent.
#[derive(Debug)]
struct Racing {
    inner: MemoryStorage,
    rival: std::sync::Mutex<Option<TableSchema>>,
}

#[async_trait::async_trait]
impl Storage for Racing {
    async fn get(&self, path: &str) -> Result<bytes::Bytes> {
        self.inner.get(path).await
    }
    async fn get_range(&self, path: &str, r: std::ops::Range<u64>) -> Result<bytes::Bytes> {
        self.inner.get_range(path, r).await
    }
    async fn head(&self, path: &str) -> Result<Option<crate::storage::ObjectMeta>> {
        self.inner.head(path).await
    }
    async fn put_if_absent(&self, path: &str, data: bytes::Bytes) -> Result<()> {
        let rival = self.rival.lock().unwrap().take();
        if let Some(rival) = rival {
            commit_schema(&self.inner, &rival).await?;
        }
        self.inner.put_if_absent(path, data).await
    }
    async fn put(&self, path: &str, data: bytes::Bytes) -> Result<()> {
        self.inner.put(path, data).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<crate::storage::ObjectMeta>> {
        self.inner.list(prefix).await
    }
    async fn delete(&self, path: &str) -> Result<()> {
        self.inner.delete(path).await
    }
}

fn nullability(name: &str, nullable: bool) -> SchemaChange {
    SchemaChange::UpdateColumnNullability {
        name: name.into(),
        nullable,
    }
}

#[test]
fn columns_become_nullable_but_not_null_only_when_the_table_allows_it() {
    let s = table("id BIGINT, n INT NOT NULL, m INT", &["id"], &[], &[]);
    let next = apply(&s, &[nullability("n", true)], true, 1).unwrap();
    assert!(next.field("n").unwrap().data_type.nullable);
    assert_eq!(next.field("n").unwrap().data_type.to_string(), "INT");

    let e = err(&s, &[nullability("id", true)], false);
    assert!(
        e.contains("primary-key column") && e.contains("\"id\""),
        "{e}"
    );
    // NOT NULL where it already is: nothing to refuse.
    assert!(apply(&s, &[nullability("id", false)], true, 1).is_ok());

    let e = err(&s, &[nullability("m", false)], true);
    assert!(
        e.contains("may hold nulls") && e.contains("alter-column-null-to-not-null.disabled=false"),
        "{e}"
    );
    // The option counts once it is in the table, not within the alter that sets it.
    let same_alter = [
        set("alter-column-null-to-not-null.disabled", "false"),
        nullability("m", false),
    ];
    assert!(err(&s, &same_alter, true).contains("may hold nulls"));
    let allowing = apply(&s, &same_alter[..1], true, 1).unwrap();
    let next = apply(&allowing, &[nullability("m", false)], true, 2).unwrap();
    assert!(!next.field("m").unwrap().data_type.nullable);
    assert!(err(&s, &[nullability("nope", true)], false).contains("no column \"nope\""));
}

#[test]
fn comments_of_columns_and_of_the_table_are_set_and_removed() {
    let s = orders();
    let next = apply(
        &s,
        &[
            SchemaChange::UpdateColumnComment {
                name: "n".into(),
                comment: Some("how many".into()),
            },
            SchemaChange::UpdateComment {
                comment: Some("orders by day".into()),
            },
        ],
        true,
        1,
    )
    .unwrap();
    assert_eq!(
        next.field("n").unwrap().description.as_deref(),
        Some("how many")
    );
    assert_eq!(next.comment.as_deref(), Some("orders by day"));
    let json = next.to_json();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["fields"][1]["description"], "how many", "{json}");
    assert_eq!(v["comment"], "orders by day", "{json}");
    let back = TableSchema::from_json(json.as_bytes(), "schema-1").unwrap();
    assert_eq!(back.comment.as_deref(), Some("orders by day"));

    let cleared = apply(
        &next,
        &[
            SchemaChange::UpdateColumnComment {
                name: "n".into(),
                comment: None,
            },
            SchemaChange::UpdateComment { comment: None },
        ],
        true,
        2,
    )
    .unwrap();
    assert_eq!(cleared.field("n").unwrap().description, None);
    assert_eq!(cleared.comment, None);
    assert!(err(
        &s,
        &[SchemaChange::UpdateColumnComment {
            name: "x".into(),
            comment: None
        }],
        false
    )
    .contains("no column \"x\""));
}
