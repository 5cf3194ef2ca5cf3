//! Strata's compaction, changelog producers and maintenance against pypaimon: after every
//! compaction, expiration or orphan cleaning, Strata and pypaimon read what the model says,
//! and changelog files match pypaimon's incremental reads.

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use serde_json::{json, Value};
use strata_core::read::{read_all, ReadBuilder};
use strata_core::types::DataType;
use strata_tests::rows_json;
use strata_tests::writes::*;

#[test]
fn compaction_keeps_every_reader_right() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(
        &wh,
        "c_dedup",
        "id BIGINT, v STRING, op STRING",
        &["id"],
        &[],
        2,
        &[],
    );
    let mut model: BTreeMap<i64, Value> = BTreeMap::new();
    for i in 1..=7i64 {
        let rows = vec![
            json!({"id": i, "v": format!("v{i}"), "op": "+I"}),
            json!({"id": 1, "v": format!("one-{i}"), "op": "+U"}),
            json!({"id": i - 1, "v": "x", "op": "-D"}),
        ];
        strata_write(&t, &rows, Some("op"));
        model.insert(i, json!([i, format!("v{i}"), "+I"]));
        model.insert(1, json!([1, format!("one-{i}"), "+U"]));
        model.remove(&(i - 1));
        if i == 1 {
            model.insert(1, json!([1, "one-1", "+U"]));
        }
        // Universal compaction after each write, as `strata write` runs it.
        compact(&t, false);
        check(&wh, "c_dedup", &t, model.values().cloned().collect());
    }
    assert!(
        live_levels(&t).iter().any(|(_, l)| *l > 0),
        "universal compaction should have run"
    );
    compact(&t, true).expect("a full compaction commits");
    check(&wh, "c_dedup", &t, model.values().cloned().collect());
    let levels = live_levels(&t);
    assert!(levels.iter().all(|(_, l)| *l == 5), "{levels:?}");
    assert!(compact(&t, true).is_none(), "nothing left to compact");

    // first-row: invisible to batch reads until compacted, then the first row of each key.
    let f = create(
        &wh,
        "c_first",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        1,
        &[("merge-engine", "first-row")],
    );
    strata_write(
        &f,
        &[json!({"id": 1, "v": "first"}), json!({"id": 2, "v": "b"})],
        None,
    );
    strata_write(
        &f,
        &[json!({"id": 1, "v": "second"}), json!({"id": 3, "v": "c"})],
        None,
    );
    check(&wh, "c_first", &f, vec![]);
    compact(&f, true).unwrap();
    check(
        &wh,
        "c_first",
        &f,
        vec![json!([1, "first"]), json!([2, "b"]), json!([3, "c"])],
    );

    // aggregation folds across compaction.
    let agg = [
        ("merge-engine", "aggregation"),
        ("fields.total.aggregate-function", "sum"),
    ];
    let a = create(
        &wh,
        "c_agg",
        "id BIGINT, total BIGINT",
        &["id"],
        &[],
        1,
        &agg,
    );
    for i in 1..=3 {
        strata_write(
            &a,
            &[
                json!({"id": 1, "total": i}),
                json!({"id": 2, "total": 10 * i}),
            ],
            None,
        );
    }
    compact(&a, true).unwrap();
    strata_write(&a, &[json!({"id": 1, "total": 100})], None);
    check(&wh, "c_agg", &a, vec![json!([1, 106]), json!([2, 60])]);
}

/// Append tables: small files merged (five of them, Paimon's compaction.min.file-num), in a
/// fixed-bucket and a bucket-unaware table; pypaimon reads the same rows after.
#[test]
fn append_compaction_merges_small_files_that_pypaimon_reads() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    for (name, bucket, key) in [("a_fixed", 2, &["id"][..]), ("a_unaware", -1, &[][..])] {
        let options = [("bucket-key", "id")];
        let t = create(
            &wh,
            name,
            "id BIGINT, v STRING, dt STRING",
            &[],
            &["dt"],
            bucket,
            if key.is_empty() { &[] } else { &options },
        );
        let mut model = Vec::new();
        for i in 0..5i64 {
            let rows: Vec<Value> = (0..4)
                .map(|j| json!({"id": i * 10 + j, "v": format!("v{i}-{j}"), "dt": "d"}))
                .collect();
            model.extend(rows.iter().map(|r| json!([r["id"], r["v"], r["dt"]])));
            strata_write(&t, &rows, None);
        }
        let files_before = live_levels(&t).len();
        compact(&t, false).expect("five small files per bucket are merged");
        let files_after = live_levels(&t).len();
        assert!(
            files_after < files_before,
            "{name}: {files_before} -> {files_after}"
        );
        check(&wh, name, &t, model.clone());
        assert!(
            compact(&t, false).is_none(),
            "{name}: nothing left to merge"
        );
    }
}

#[test]
fn expiration_tags_and_orphans_keep_what_is_used() {
    if strata_tests::python_missing() {
        return;
    }
    use strata_core::expire::{expire, Retention};
    use strata_core::orphan::clean_orphans;
    use strata_writer::maintenance::{create_tag, delete_tag};
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = create(&wh, "m", "id BIGINT, v STRING", &["id"], &[], 2, &[]);
    for i in 1..=6i64 {
        strata_write(
            &t,
            &[
                json!({"id": i % 3, "v": format!("v{i}")}),
                json!({"id": 10 + i, "v": "x"}),
            ],
            None,
        );
    }
    let storage = t.storage_arc();
    let tagged_rows = {
        let tt = reopen(&t);
        rt().block_on(create_tag(tt.storage(), "keep", Some(2)))
            .unwrap();
        let mut r = rt()
            .block_on(
                ReadBuilder::new()
                    .snapshot(strata_core::scan::SnapshotSpec::Tag("keep".into()))
                    .build(tt.clone()),
            )
            .unwrap();
        let types: Vec<DataType> = tt
            .schema()
            .fields
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        rows_json(&rt().block_on(read_all(&mut r)).unwrap(), &types)
    };
    let before = strata_rows(&t);
    let removed = rt()
        .block_on(expire(
            storage.as_ref(),
            Retention {
                min: 2,
                max: None,
                time_millis: 0,
            },
            i64::MAX / 2,
            false,
        ))
        .unwrap();
    assert_eq!(removed.snapshots, vec![1, 2, 3, 4]);
    assert!(!removed.files.is_empty());
    // The latest snapshot and the tag still read the same, here and in pypaimon.
    check(&wh, "m", &t, before.clone());
    let tt = reopen(&t);
    let types: Vec<DataType> = tt
        .schema()
        .fields
        .iter()
        .map(|f| f.data_type.clone())
        .collect();
    let mut r = rt()
        .block_on(
            ReadBuilder::new()
                .snapshot(strata_core::scan::SnapshotSpec::Tag("keep".into()))
                .build(tt.clone()),
        )
        .unwrap();
    assert_eq!(
        rows_json(&rt().block_on(read_all(&mut r)).unwrap(), &types),
        tagged_rows
    );
    assert!(rt()
        .block_on(
            ReadBuilder::new()
                .snapshot(strata_core::scan::SnapshotSpec::Id(1))
                .build(tt.clone())
        )
        .is_err());
    // Nothing in use is an orphan; after the tag goes, its files are.
    assert!(rt()
        .block_on(clean_orphans(storage.as_ref(), i64::MAX, false))
        .unwrap()
        .files
        .is_empty());
    rt().block_on(delete_tag(storage.as_ref(), "keep")).unwrap();
    let orphans = rt()
        .block_on(clean_orphans(storage.as_ref(), i64::MAX, false))
        .unwrap();
    assert!(!orphans.files.is_empty());
    check(&wh, "m", &t, before);
}

#[test]
fn changelog_producers_feed_streaming_readers() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    // input: the records as written, with their kinds.
    let t = create(
        &wh,
        "cl_input",
        "id BIGINT, v STRING, op STRING",
        &["id"],
        &[],
        1,
        &[("changelog-producer", "input")],
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "v": "a", "op": "+I"}),
            json!({"id": 2, "v": "b", "op": "+I"}),
        ],
        Some("op"),
    );
    strata_write(
        &t,
        &[
            json!({"id": 1, "v": "a", "op": "-U"}),
            json!({"id": 1, "v": "a2", "op": "+U"}),
            json!({"id": 2, "v": "b", "op": "-D"}),
        ],
        Some("op"),
    );
    let want = sorted(vec![
        json!([1, "a", "-U", "-U"]),
        json!([1, "a2", "+U", "+U"]),
        json!([2, "b", "-D", "-D"]),
    ]);
    assert_eq!(changes(&t, 1, 2), want);
    assert_eq!(pypaimon_changes(&wh, "cl_input", 1, 2), json!(want));

    // lookup: compaction after each write diffs old and new values.
    let l = create(
        &wh,
        "cl_lookup",
        "id BIGINT, v STRING",
        &["id"],
        &[],
        1,
        &[("changelog-producer", "lookup")],
    );
    strata_write(
        &l,
        &[json!({"id": 1, "v": "a"}), json!({"id": 2, "v": "b"})],
        None,
    );
    let s1 = compact(&l, false).expect("lookup compacts level 0 at once");
    strata_write(
        &l,
        &[
            json!({"id": 1, "v": "a2"}),
            json!({"id": 3, "v": "c"}),
            json!({"id": 2, "v": "b"}),
        ],
        None,
    );
    let s2 = compact(&l, false).expect("lookup compacts level 0 at once");
    assert_eq!(
        changes(&l, s1.id - 1, s1.id),
        sorted(vec![json!([1, "a", "+I"]), json!([2, "b", "+I"])])
    );
    let want = sorted(vec![
        json!([1, "a", "-U"]),
        json!([1, "a2", "+U"]),
        json!([3, "c", "+I"]),
    ]);
    assert_eq!(
        changes(&l, s1.id, s2.id),
        want,
        "unchanged key 2 produces nothing"
    );
    assert_eq!(
        pypaimon_changes(&wh, "cl_lookup", s2.id - 1, s2.id),
        json!(want)
    );
    check(
        &wh,
        "cl_lookup",
        &l,
        vec![json!([1, "a2"]), json!([2, "b"]), json!([3, "c"])],
    );
}
