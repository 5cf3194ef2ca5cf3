//! Grouping planned files into splits: one per (partition, bucket), their deletion vectors,
//! and which splits a read may take without merging.

use std::collections::HashMap;
use std::sync::Arc;

use super::plan::{plan_splits, Split};
use crate::binary_row::Datum;
use crate::bucket::BucketKey;
use crate::deletion_vector::DeletionFile;
use crate::manifest::{FileKind, ManifestEntry};
use crate::schema::TableSchema;
use crate::test_table::entry_in;
use crate::types::{DataType, TypeKind};

fn schema(keys: &[&str], options: &[(&str, &str)]) -> Arc<TableSchema> {
    let fields = crate::types::parse_columns("dt STRING NOT NULL, k INT NOT NULL, v INT").unwrap();
    let options = options
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let keys = keys.iter().map(|k| k.to_string()).collect();
    Arc::new(TableSchema::create(fields, vec!["dt".into()], keys, options, 0).unwrap())
}

fn string() -> DataType {
    DataType::not_null(TypeKind::VarChar(crate::types::MAX_LENGTH))
}

/// A file of partition `dt` and `bucket` at `level`, with `deletes` retract rows.
fn file(name: &str, dt: &str, bucket: i32, level: i32, deletes: Option<i64>) -> ManifestEntry {
    let mut e = entry_in(
        FileKind::Add,
        name,
        &[string()],
        &[Datum::String(dt.into())],
        bucket,
        2,
    );
    e.file.level = level;
    e.file.delete_row_count = deletes;
    e
}

/// Each split as (partition value, bucket, file names, raw convertible).
fn summary(splits: &[Split]) -> Vec<(String, i32, Vec<String>, bool)> {
    splits
        .iter()
        .map(|s| {
            let dt = match &s.partition.decode(&[string()]).unwrap()[0] {
                Datum::String(s) => s.clone(),
                other => panic!("{other:?}"),
            };
            let names = s.files.iter().map(|f| f.file_name.clone()).collect();
            (dt, s.bucket, names, s.raw_convertible)
        })
        .collect()
}

fn split(dt: &str, bucket: i32, names: &[&str], raw: bool) -> (String, i32, Vec<String>, bool) {
    (
        dt.into(),
        bucket,
        names.iter().map(|n| n.to_string()).collect(),
        raw,
    )
}

#[test]
fn files_group_into_one_split_per_partition_and_bucket_in_order() {
    let files = vec![
        file("b1", "b", 1, 0, None),
        file("a1-x", "a", 1, 0, None),
        file("a0", "a", 0, 0, None),
        file("a1-y", "a", 1, 0, None),
    ];
    // Append tables never merge: every split is raw, whatever the files say.
    let splits = plan_splits(&schema(&[], &[]), files, HashMap::new()).unwrap();
    assert_eq!(
        summary(&splits),
        vec![
            split("a", 0, &["a0"], true),
            split("a", 1, &["a1-x", "a1-y"], true),
            split("b", 1, &["b1"], true),
        ]
    );
}

#[test]
fn primary_key_splits_skip_the_merge_only_when_no_file_can_overlap() {
    let pk = schema(&["dt", "k"], &[]);
    let cases = [
        (vec![file("one", "a", 0, 0, Some(0))], true),
        (vec![file("unknown-deletes", "a", 0, 0, None)], false),
        (vec![file("retracts", "a", 0, 3, Some(2))], false),
        (
            vec![file("x", "a", 0, 0, Some(0)), file("y", "a", 0, 0, Some(0))],
            false,
        ),
        (
            vec![file("x", "a", 0, 2, Some(0)), file("y", "a", 0, 2, Some(0))],
            true,
        ),
        (
            vec![file("x", "a", 0, 1, Some(0)), file("y", "a", 0, 2, Some(0))],
            false,
        ),
        (
            vec![file("x", "a", 0, 1, Some(0)), file("y", "a", 0, 2, Some(1))],
            false,
        ),
    ];
    for (files, want) in cases {
        let names: Vec<String> = files.iter().map(|e| e.file.file_name.clone()).collect();
        let splits = plan_splits(&pk, files, HashMap::new()).unwrap();
        assert_eq!(splits.len(), 1);
        assert_eq!(splits[0].raw_convertible, want, "{names:?}");
    }
    // Across levels, deletion vectors or first-row make sorted upper-level files safe; a
    // level-0 file never is.
    for options in [
        [("deletion-vectors.enabled", "true")],
        [("merge-engine", "first-row")],
    ] {
        let s = schema(&["dt", "k"], &options);
        let upper = vec![file("x", "a", 0, 1, Some(0)), file("y", "a", 0, 2, Some(0))];
        assert!(
            plan_splits(&s, upper, HashMap::new()).unwrap()[0].raw_convertible,
            "{options:?}"
        );
        let with_l0 = vec![file("x", "a", 0, 0, Some(0)), file("y", "a", 0, 2, Some(0))];
        assert!(
            !plan_splits(&s, with_l0, HashMap::new()).unwrap()[0].raw_convertible,
            "{options:?}"
        );
    }
}

#[test]
fn deletion_vectors_go_to_the_split_of_their_bucket() {
    let files = vec![
        file("a0", "a", 0, 1, Some(0)),
        file("a1", "a", 1, 1, Some(0)),
    ];
    let key = BucketKey::new(&files[1].partition, 1);
    let dv = DeletionFile {
        path: "index/index-1".into(),
        offset: 4,
        length: 20,
        file_size: None,
    };
    let other = BucketKey::new(&files[0].partition, 7);
    let by_bucket = HashMap::from([
        (key, HashMap::from([("a1".to_string(), dv.clone())])),
        (other, HashMap::from([("gone".to_string(), dv.clone())])),
    ]);
    let splits = plan_splits(
        &schema(&["dt", "k"], &[("deletion-vectors.enabled", "true")]),
        files,
        by_bucket,
    )
    .unwrap();
    assert_eq!(splits.len(), 2);
    assert!(splits[0].deletion_files.is_empty());
    assert_eq!(splits[1].deletion_files.len(), 1);
    let got = &splits[1].deletion_files["a1"];
    assert_eq!(
        (got.path.as_str(), got.offset, got.length),
        ("index/index-1", 4, 20)
    );
}
