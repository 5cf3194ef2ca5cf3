//! Dropping partitions: spec validation messages, which partitions a spec matches (subsets,
//! defaults for nulls, legacy names), what a plan counts, and postponed buckets left alone.

use std::sync::Arc;

use bytes::Bytes;

use super::*;
use crate::binary_row::BinaryRow;
use crate::manifest::{DataFileMeta, FileKind};
use crate::schema::schema_path;
use crate::storage::{MemoryStorage, Storage};

fn schema(partition: &[&str], options: &[(&str, &str)]) -> TableSchema {
    TableSchema::create(
        crate::types::parse_columns("id BIGINT, dt STRING, hr INT, d DATE").unwrap(),
        partition.iter().map(|s| s.to_string()).collect(),
        vec![],
        options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        0,
    )
    .unwrap()
}

fn spec(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn refused(r: Result<impl std::fmt::Debug>) -> String {
    match r.unwrap_err() {
        Error::InvalidValue(m) => m,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

/// A live file of partition (dt, hr) in `bucket`.
fn entry(s: &TableSchema, dt: Option<&str>, hr: i32, bucket: i32, rows: i64) -> ManifestEntry {
    let types: Vec<DataType> = s
        .partition_fields()
        .unwrap()
        .into_iter()
        .map(|f| f.data_type)
        .collect();
    let dt = dt.map_or(Datum::Null, |v| Datum::String(v.into()));
    ManifestEntry {
        kind: FileKind::Add,
        partition: BinaryRow::encode(&types, &[dt, Datum::Int(hr)]).unwrap(),
        bucket,
        total_buckets: 1,
        file: DataFileMeta {
            file_name: format!("data-{rows}-{bucket}.parquet"),
            file_size: rows * 10,
            row_count: rows,
            ..Default::default()
        },
    }
}

#[test]
fn specs_are_checked_with_messages_that_list_the_keys() {
    let s = schema(&["dt", "hr"], &[]);
    assert_eq!(
        refused(check_spec(&s, &[])),
        "name the partition to drop, e.g. dt=VALUE (partition keys: dt, hr)"
    );
    assert_eq!(
        refused(check_spec(&s, &spec(&[("id", "1")]))),
        "\"id\" is not a partition key (partition keys: dt, hr)"
    );
    assert_eq!(
        refused(check_spec(&s, &spec(&[("hr", "1"), ("hr", "2")]))),
        "partition key \"hr\" is given twice"
    );
    assert!(
        check_spec(&s, &spec(&[("hr", "1")])).is_ok(),
        "any subset of the keys"
    );
    assert_eq!(
        refused(check_spec(&schema(&[], &[]), &spec(&[("dt", "x")]))),
        "the table is not partitioned: there is no partition to drop"
    );
}

#[test]
fn plans_count_the_matching_partitions_files_rows_and_bytes() {
    let s = schema(&["dt", "hr"], &[]);
    let entries = vec![
        entry(&s, Some("2024-01-01"), 1, 0, 5),
        entry(&s, Some("2024-01-01"), 1, 1, 7),
        entry(&s, Some("2024-01-01"), 2, 0, 3),
        entry(&s, Some("2024-01-02"), 1, 0, 11),
        entry(&s, Some("2024-01-01"), 2, -2, 100), // postponed: stays
    ];
    let by_day = plan_entries(&s, &entries, &spec(&[("dt", "2024-01-01")])).unwrap();
    assert_eq!(
        by_day.into_iter().collect::<Vec<_>>(),
        vec![
            (
                "dt=2024-01-01/hr=1".to_string(),
                PartitionFiles {
                    files: 2,
                    rows: 12,
                    bytes: 120
                }
            ),
            (
                "dt=2024-01-01/hr=2".to_string(),
                PartitionFiles {
                    files: 1,
                    rows: 3,
                    bytes: 30
                }
            ),
        ]
    );
    let by_hour = plan_entries(&s, &entries, &spec(&[("hr", "1")])).unwrap();
    assert_eq!(
        by_hour.keys().collect::<Vec<_>>(),
        vec!["dt=2024-01-01/hr=1", "dt=2024-01-02/hr=1"]
    );
    let both = spec(&[("hr", "2"), ("dt", "2024-01-02")]);
    assert!(plan_entries(&s, &entries, &both).unwrap().is_empty());
    let plan = DropPlan {
        snapshot: Some(3),
        partitions: plan_entries(&s, &entries, &spec(&[("dt", "2024-01-01")])).unwrap(),
    };
    assert_eq!((plan.files(), plan.rows()), (3, 15));
}

#[test]
fn null_partitions_are_matched_by_the_default_name() {
    let s = schema(&["dt", "hr"], &[("partition.default-name", "NULL_DT")]);
    let entries = vec![entry(&s, None, 1, 0, 2), entry(&s, Some(""), 1, 0, 4)];
    let plan = plan_entries(&s, &entries, &spec(&[("dt", "NULL_DT")])).unwrap();
    assert_eq!(
        plan.into_iter().collect::<Vec<_>>(),
        vec![(
            "dt=NULL_DT/hr=1".to_string(),
            PartitionFiles {
                files: 2,
                rows: 6,
                bytes: 60
            }
        )],
        "null and empty strings are one partition directory"
    );
    assert!(plan_entries(&s, &entries, &spec(&[("dt", "")]))
        .unwrap()
        .is_empty());
}

#[test]
fn date_partitions_match_the_name_style_the_table_uses() {
    for (legacy, text) in [("true", "19723"), ("false", "2024-01-01")] {
        let s = schema(&["d"], &[("partition.legacy-name", legacy)]);
        let values = [Datum::Date(19_723)];
        assert!(
            partition_matches(&s, &values, &spec(&[("d", text)])).unwrap(),
            "{legacy}: {text}"
        );
        let other = if legacy == "true" {
            "2024-01-01"
        } else {
            "19723"
        };
        assert!(!partition_matches(&s, &values, &spec(&[("d", other)])).unwrap());
    }
}

#[tokio::test]
async fn a_table_without_snapshots_plans_nothing_but_still_checks_the_spec() {
    let storage = Arc::new(MemoryStorage::new());
    let s = schema(&["dt"], &[]);
    storage
        .put_if_absent(&schema_path(0), Bytes::from(s.to_json()))
        .await
        .unwrap();
    let table = Table::open(storage).await.unwrap();
    let p = plan(&table, &spec(&[("dt", "x")])).await.unwrap();
    assert_eq!(p, DropPlan::default());
    assert_eq!((p.snapshot, p.files(), p.rows()), (None, 0, 0));
    assert_eq!(
        refused(plan(&table, &spec(&[("hr", "1")])).await),
        "\"hr\" is not a partition key (partition keys: dt)"
    );
}
