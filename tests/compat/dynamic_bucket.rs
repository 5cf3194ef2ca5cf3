//! Dynamic-bucket primary-key tables (`bucket = -1`) written by Strata, by pypaimon and by
//! both in turns: every read equals the model, and every key's hash sits in the HASH index
//! of the one bucket that holds the key (so any Paimon writer routes it there again).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde_json::json;
use strata_core::bucket::hashes_of_columns;
use strata_core::dynamic_bucket::HASH_INDEX;
use strata_core::manifest::{read_hash_index, FileKind, IndexManifestEntry};
use strata_core::table::Table;
use strata_core::write::{Overwrite, TableWriter, WriteOptions};
use strata_tests::writes::*;

fn table(wh: &Path, name: &str) -> Arc<Table> {
    dt_table(wh, name, -1, &[("dynamic-bucket.target-row-num", "40")])
}

/// Every live data file's keys are in its bucket's live HASH index, each bucket with data has
/// exactly one, and no key is indexed in two buckets of a partition. Returns the number of
/// buckets per partition.
fn check_index(t: &Arc<Table>) -> BTreeMap<Vec<u8>, usize> {
    let t = reopen(t);
    let storage = t.storage();
    let rt = rt();
    let s = rt
        .block_on(strata_core::scan::resolve_snapshot(
            storage,
            &Default::default(),
        ))
        .unwrap()
        .unwrap();
    let name = s.index_manifest.clone().expect("an index manifest");
    let path = strata_core::manifest::manifest_path(&name).unwrap();
    let bytes = rt.block_on(storage.get(&path)).unwrap();
    let entries: Vec<IndexManifestEntry> = IndexManifestEntry::read_index_manifest(&bytes, &path)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == FileKind::Add && e.index_type == HASH_INDEX)
        .collect();
    let mut index: HashMap<(Vec<u8>, i32), HashSet<i32>> = HashMap::new();
    let mut owner: HashMap<(Vec<u8>, i32), i32> = HashMap::new();
    for e in &entries {
        let p = e.partition.serialize();
        let bytes = rt
            .block_on(storage.get(&format!("index/{}", e.file_name)))
            .unwrap();
        let hashes = read_hash_index(&bytes, &e.file_name).unwrap();
        assert_eq!(hashes.len() as i64, e.row_count);
        for &h in &hashes {
            if let Some(b) = owner.insert((p.clone(), h), e.bucket) {
                assert_eq!(b, e.bucket, "hash {h} indexed in two buckets");
            }
        }
        let set: HashSet<i32> = hashes.into_iter().collect();
        assert!(
            index.insert((p, e.bucket), set).is_none(),
            "two live HASH files for bucket {}",
            e.bucket
        );
    }
    let key_type = t.schema().trimmed_primary_key_fields().unwrap()[0]
        .data_type
        .clone();
    let mut with_data: HashSet<Vec<u8>> = HashSet::new();
    for e in live_entries(&t) {
        assert_eq!(e.total_buckets, -1, "dynamic-bucket entries carry -1");
        let p = e.partition.serialize();
        let set = index
            .get(&(p.clone(), e.bucket))
            .unwrap_or_else(|| panic!("bucket {} has data but no HASH index", e.bucket));
        let dir = strata_core::path::bucket_dir(t.schema(), &e.partition, e.bucket).unwrap();
        let data = rt
            .block_on(storage.get(&format!("{dir}/{}", e.file.file_name)))
            .unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(data)
            .unwrap()
            .build()
            .unwrap();
        for b in reader {
            let b = b.unwrap();
            let key = b.column_by_name("_KEY_id").unwrap().clone();
            for h in hashes_of_columns(&[key], std::slice::from_ref(&key_type)).unwrap() {
                assert!(
                    set.contains(&h),
                    "a key of bucket {} is not in its index",
                    e.bucket
                );
            }
        }
        with_data.insert(p);
    }
    // Buckets per partition that holds data.
    let mut buckets: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    for (p, _) in index.keys().filter(|(p, _)| with_data.contains(p)) {
        *buckets.entry(p.clone()).or_default() += 1;
    }
    buckets
}

#[test]
fn strata_writes_dynamic_bucket_tables_pypaimon_reads() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = table(&wh, "dyn");
    let mut model = DtModel::new();
    // 100 keys in partition a (target 40 per bucket: 3 buckets), 30 in b.
    let mut r1 = dt_rows(0..100, "s1", "a");
    r1.extend(dt_rows(0..30, "s1", "b"));
    strata_write(&t, &r1, None);
    apply_dt_rows(&mut model, &r1);
    check(&wh, "dyn", &t, model.values().cloned().collect());
    let buckets = check_index(&t);
    assert_eq!(buckets.values().copied().collect::<Vec<_>>(), vec![3, 1]);

    // Updates of old keys stay in their buckets; new keys fill the open bucket, then a new
    // one; deletes of unseen keys are assigned too, as Paimon does.
    let mut r2 = dt_rows((50..130).step_by(2), "s2", "a");
    r2.push(json!({"id": 500, "v": "x", "dt": "b", "op": "-D"}));
    r2.push(json!({"id": 3, "v": "x", "dt": "b", "op": "-D"}));
    for r in &mut r2 {
        if r.get("op").is_none() {
            r["op"] = json!("+I");
        }
    }
    strata_write(&t, &r2, Some("op"));
    apply_dt_rows(&mut model, &r2);
    check(&wh, "dyn", &t, model.values().cloned().collect());
    check_index(&t);
    compact(&t, true);
    check(&wh, "dyn", &t, model.values().cloned().collect());
    check_index(&t);

    // Overwriting partition a starts its index afresh.
    let r3 = dt_rows(1000..1010, "s3", "a");
    let partition = vec![("dt".to_string(), "a".to_string())];
    strata_write_with(&t, &r3, None, Some(Overwrite { partition }));
    model.retain(|(_, dt), _| dt != "a");
    apply_dt_rows(&mut model, &r3);
    check(&wh, "dyn", &t, model.values().cloned().collect());
    let buckets = check_index(&t);
    assert_eq!(buckets.values().copied().collect::<Vec<_>>(), vec![1, 1]);
}

#[test]
fn pypaimon_and_strata_take_turns_on_a_dynamic_bucket_table() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = table(&wh, "turns");
    let mut model = DtModel::new();
    let r1 = dt_rows(0..70, "p1", "a");
    pypaimon_write(&wh, "turns", &r1);
    apply_dt_rows(&mut model, &r1);
    check(&wh, "turns", &t, model.values().cloned().collect());
    check_index(&t);

    // Strata updates pypaimon's keys (they must land in pypaimon's buckets) and adds more.
    let r2 = dt_rows(40..120, "s2", "a");
    strata_write(&t, &r2, None);
    apply_dt_rows(&mut model, &r2);
    check(&wh, "turns", &t, model.values().cloned().collect());
    check_index(&t);

    // pypaimon updates Strata's keys: it routes them by Strata's index.
    let r3 = dt_rows(100..150, "p3", "a");
    pypaimon_write(&wh, "turns", &r3);
    apply_dt_rows(&mut model, &r3);
    check(&wh, "turns", &t, model.values().cloned().collect());
    check_index(&t);
}

#[test]
fn concurrent_dynamic_bucket_writers_conflict_instead_of_duplicating() {
    if strata_tests::python_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wh = dir.path().join("wh");
    let t = table(&wh, "race");
    strata_write(&t, &dt_rows(0..10, "s0", "a"), None);
    let start = |ids: std::ops::Range<i64>, v: &str| {
        let mut w = rt()
            .block_on(TableWriter::new(
                reopen(&t),
                WriteOptions::default(),
                strata_writer::runtime::env(),
            ))
            .unwrap();
        for input in inputs_of(&t, &dt_rows(ids, v, "a"), None) {
            rt().block_on(w.push(input)).unwrap();
        }
        w
    };
    // Both assign key 20 (new to both) a bucket from the same index.
    let first = start(15..25, "w1");
    let second = start(20..30, "w2");
    rt().block_on(first.commit())
        .unwrap()
        .expect("the first commits");
    let err = rt().block_on(second.commit()).unwrap_err();
    assert!(matches!(err, strata_core::Error::Conflict(_)), "{err}");
    let mut model = DtModel::new();
    apply_dt_rows(&mut model, &dt_rows(0..10, "s0", "a"));
    apply_dt_rows(&mut model, &dt_rows(15..25, "w1", "a"));
    check(&wh, "race", &t, model.values().cloned().collect());
    check_index(&t);
}
