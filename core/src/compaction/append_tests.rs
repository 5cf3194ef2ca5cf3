use std::collections::BTreeMap;

use super::append::{plan_append_compaction, AppendCompaction, MAX_FILES};
use crate::binary_row::BinaryRow;
use crate::manifest::{DataFileMeta, FileKind, ManifestEntry};
use crate::options::TableOptions;

const MB: i64 = 1 << 20;

fn file(name: &str, size: i64, seq: i64) -> DataFileMeta {
    DataFileMeta {
        file_name: name.into(),
        file_size: size,
        row_count: 1,
        min_sequence_number: seq,
        max_sequence_number: seq,
        ..Default::default()
    }
}

fn rule(target_mb: i64, min_files: usize) -> AppendCompaction {
    AppendCompaction {
        target_size: (target_mb * MB) as u64,
        small_size: (target_mb * MB * 7 / 10) as u64,
        min_files,
    }
}

fn names(files: &[DataFileMeta]) -> Vec<&str> {
    files.iter().map(|f| f.file_name.as_str()).collect()
}

#[test]
fn options_set_the_thresholds_with_paimons_defaults() {
    let none = BTreeMap::new();
    let r = AppendCompaction::new(&TableOptions::new(&none)).unwrap();
    assert_eq!(r.target_size, 256 << 20);
    assert_eq!(r.small_size, ((256u64 << 20) as f64 * 0.7) as u64);
    assert_eq!(r.min_files, 5);
    let set: BTreeMap<String, String> = [
        ("target-file-size", "10 mb"),
        ("compaction.small-file-ratio", "0.5"),
        ("compaction.min.file-num", "3"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let r = AppendCompaction::new(&TableOptions::new(&set)).unwrap();
    assert_eq!(
        (r.target_size, r.small_size, r.min_files),
        (10 << 20, 5 << 20, 3)
    );
}

#[test]
fn too_few_small_files_wait() {
    let files: Vec<_> = (0..4).map(|i| file(&format!("f{i}"), MB, i)).collect();
    assert!(rule(100, 5).pick(&files).is_none());
}

#[test]
fn enough_small_files_are_rewritten_and_big_ones_left_alone() {
    let mut files: Vec<_> = (0..5).map(|i| file(&format!("s{i}"), MB, i)).collect();
    files.insert(2, file("big", 90 * MB, 10));
    let picked = rule(100, 5).pick(&files).unwrap();
    assert_eq!(names(&picked), ["s0", "s1", "s2", "s3", "s4"]);
}

#[test]
fn a_window_reaching_the_target_with_enough_files_is_taken_first() {
    // 60 + 5 x 10 MB: the window reaches 100 MB at its fifth file with 60 MB leading; with
    // min 5 it is taken as it stands.
    let mut files = vec![file("a", 60 * MB, 0)];
    files.extend((1..=5).map(|i| file(&format!("b{i}"), 10 * MB, i)));
    let picked = rule(100, 5).pick(&files).unwrap();
    assert_eq!(names(&picked), ["a", "b1", "b2", "b3", "b4"]);
}

#[test]
fn a_window_at_the_target_with_too_few_files_slides_on() {
    // 65 + 40 MB reach the target with two files (min 3): the 65 MB file drops out of the
    // window; the rest gather until three of them reach the target.
    let files = vec![
        file("a", 65 * MB, 0),
        file("b", 40 * MB, 1),
        file("c", 40 * MB, 2),
        file("d", 30 * MB, 3),
    ];
    let picked = rule(100, 3).pick(&files).unwrap();
    assert_eq!(names(&picked), ["b", "c", "d"]);
}

#[test]
fn the_window_stops_at_the_file_limit() {
    let files: Vec<_> = (0..MAX_FILES as i64 + 10)
        .map(|i| file(&format!("f{i:03}"), 1, i))
        .collect();
    let picked = rule(100, 5).pick(&files).unwrap();
    assert_eq!(picked.len(), MAX_FILES);
    assert_eq!(picked[0].file_name, "f000");
}

fn entry(partition: &BinaryRow, bucket: i32, f: DataFileMeta) -> ManifestEntry {
    ManifestEntry {
        kind: FileKind::Add,
        partition: partition.clone(),
        bucket,
        total_buckets: 2,
        file: f,
    }
}

#[test]
fn the_plan_takes_each_bucket_in_write_order_and_full_takes_every_bucket_of_two_files() {
    let p = BinaryRow::empty();
    let mut live: Vec<ManifestEntry> = (0..5)
        .rev()
        .map(|i| entry(&p, 0, file(&format!("b0-{i}"), 10, i)))
        .collect();
    live.push(entry(&p, 1, file("b1-0", 10, 0)));
    live.push(entry(&p, 1, file("b1-1", 10, 1)));
    let none = BTreeMap::new();
    let options = TableOptions::new(&none);
    let tasks = plan_append_compaction(&live, &options, false, |_| Ok(true)).unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].bucket, 0);
    assert_eq!(
        names(&tasks[0].files),
        ["b0-0", "b0-1", "b0-2", "b0-3", "b0-4"]
    );
    let full = plan_append_compaction(&live, &options, true, |_| Ok(true)).unwrap();
    assert_eq!(full.iter().map(|t| t.bucket).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(full[1].total_buckets, 2);
    let none_in_scope = plan_append_compaction(&live, &options, true, |_| Ok(false)).unwrap();
    assert!(none_in_scope.is_empty());
    // A bucket of one file has nothing to merge, even in a full compaction.
    let one = plan_append_compaction(&live[5..6], &options, true, |_| Ok(true)).unwrap();
    assert!(one.is_empty());
}
