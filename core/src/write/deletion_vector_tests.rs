//! Writing deletion-vector tables (`deletion-vectors.enabled`): a write lands in level 0,
//! which batch reads skip; compaction moves it up, merging each key's older row in and marking
//! that row's position in its file's deletion vector, so reads need no merge.

use std::sync::Arc;

use super::tests::{compacted, env, kinds_opts, row, rows_of, table, write_rows};
use super::{Overwrite, WriteOptions};
use crate::compaction::{compact, CompactOptions};
use crate::deletion_vector::{deletion_files, deletion_index, read_deletion_vector};
use crate::manifest::live_files;
use crate::scan::{resolve_snapshot, SnapshotSpec};
use crate::snapshot::CommitKind;
use crate::table::Table;

const DV: (&str, &str) = ("deletion-vectors.enabled", "true");

/// The latest snapshot's deletion vectors: (data file, deleted positions).
async fn vectors(t: &Table) -> Vec<(String, Vec<u32>)> {
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    let mut out = Vec::new();
    for files in deletion_files(t.storage(), &latest)
        .await
        .unwrap()
        .into_values()
    {
        for (name, f) in files {
            let bitmap = read_deletion_vector(t.storage(), &f).await.unwrap();
            out.push((name, bitmap.iter().collect()));
        }
    }
    out.sort();
    out
}

async fn levels(t: &Table) -> Vec<i32> {
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    let mut out: Vec<i32> = live_files(t.storage(), &latest)
        .await
        .unwrap()
        .iter()
        .map(|e| e.file.level)
        .collect();
    out.sort();
    out
}

/// How many rows a batch read of snapshot `id` returns.
async fn rows_at(t: &Arc<Table>, id: i64) -> usize {
    let mut r = crate::read::ReadBuilder::new()
        .snapshot(SnapshotSpec::Id(id))
        .build(t.clone())
        .await
        .unwrap();
    crate::read::read_all(&mut r)
        .await
        .unwrap()
        .iter()
        .map(|b| b.num_rows())
        .sum()
}

/// Keys `1..=n` with values `10 * k`: a first file big enough that the size ratio keeps later
/// small writes from rewriting it, so compaction looks its keys up instead.
fn base(n: i32) -> Vec<(i32, i32, &'static str)> {
    (1..=n).map(|k| (k, 10 * k, "a")).collect()
}

fn expect(rows: &[(i32, i32, &'static str)]) -> Vec<(i32, Option<i32>, String)> {
    let mut out: Vec<_> = rows.iter().map(|&(k, v, _)| row(k, v)).collect();
    out.sort();
    out
}

#[tokio::test]
async fn writes_show_after_compaction_which_marks_replaced_rows_in_deletion_vectors() {
    let t = table(true, false, &[DV, ("bucket", "1")]).await;
    let mut want = base(2000);
    let s1 = write_rows(&t, &want, None, Default::default()).await;
    assert_eq!(s1.unwrap().commit_kind, CommitKind::Append);
    assert!(
        rows_of(&t).await.is_empty(),
        "level 0 is invisible to batch reads"
    );
    let s2 = compacted(&t, false).await;
    assert_eq!(s2.commit_kind, CommitKind::Compact);
    assert_eq!(rows_of(&t).await, expect(&want));
    assert!(levels(&t).await.iter().all(|&l| l > 0));
    assert!(vectors(&t).await.is_empty(), "nothing replaced yet");

    write_rows(
        &t,
        &[(2, 21, "a"), (3000, 30, "a")],
        None,
        Default::default(),
    )
    .await;
    assert_eq!(
        rows_of(&t).await,
        expect(&want),
        "the uncompacted write is not visible yet"
    );
    compacted(&t, false).await;
    want[1] = (2, 21, "a");
    want.push((3000, 30, "a"));
    assert_eq!(rows_of(&t).await, expect(&want));
    assert_eq!(levels(&t).await.len(), 2, "the big file stays");
    let v = vectors(&t).await;
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].1, vec![1], "key 2's old row (position 1) is deleted");

    // A delete marks the key's row and leaves no retraction behind; a second update of a key
    // marks its newer row, in the other file.
    write_rows(
        &t,
        &[(1, 10, "a"), (2, 22, "a")],
        Some(&["-D", "+I"]),
        kinds_opts(),
    )
    .await;
    compacted(&t, false).await;
    want.remove(0);
    want[0] = (2, 22, "a");
    assert_eq!(rows_of(&t).await, expect(&want));
    assert!(levels(&t).await.iter().all(|&l| l > 0));
    let v = vectors(&t).await;
    assert!(v.iter().any(|(_, p)| p == &vec![0, 1]), "{v:?}");

    // Time travel to the APPEND snapshot of the first write reads nothing of level 0; the
    // COMPACT after it reads the first rows.
    assert_eq!(rows_at(&t, 1).await, 0);
    assert_eq!(rows_at(&t, 2).await, 2000);

    // A full compaction rewrites every file with a vector: none are left.
    compacted(&t, true).await;
    assert_eq!(rows_of(&t).await, expect(&want));
    assert!(vectors(&t).await.is_empty());
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    assert!(deletion_index(t.storage(), &latest)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn repeated_upserts_keep_each_key_once_among_live_rows() {
    let t = table(true, true, &[DV, ("bucket", "2")]).await;
    let mut want = std::collections::BTreeMap::new();
    let seed: Vec<(i32, i32, &str)> = (0..3000)
        .map(|k| (k, -k, if k % 2 == 0 { "a" } else { "b" }))
        .collect();
    for r in &seed {
        want.insert((r.0, r.2.to_string()), r.1);
    }
    write_rows(&t, &seed, None, Default::default()).await;
    compacted(&t, false).await;
    for round in 0..6 {
        let rows: Vec<(i32, i32, &str)> = (0..8)
            .filter(|k| (k + round) % 3 != 0)
            .map(|k| (k, round * 100 + k, if k % 2 == 0 { "a" } else { "b" }))
            .collect();
        for r in &rows {
            want.insert((r.0, r.2.to_string()), r.1);
        }
        write_rows(&t, &rows, None, Default::default()).await;
        compacted(&t, false).await;
        let got = rows_of(&t).await;
        let expected: Vec<_> = want
            .iter()
            .map(|((k, dt), v)| (*k, Some(*v), dt.clone()))
            .collect();
        assert_eq!(got, expected, "round {round}");
    }
    assert!(!vectors(&t).await.is_empty());
}

#[tokio::test]
async fn aggregation_merges_the_older_row_found_by_lookup() {
    let opts = [
        DV,
        ("bucket", "1"),
        ("merge-engine", "aggregation"),
        ("fields.v.aggregate-function", "sum"),
    ];
    let t = table(true, false, &opts).await;
    let mut want = base(2000);
    write_rows(&t, &want, None, Default::default()).await;
    compacted(&t, false).await;
    write_rows(&t, &[(1, 5, "a")], None, Default::default()).await;
    compacted(&t, false).await;
    write_rows(&t, &[(1, 1, "a"), (2, 2, "a")], None, Default::default()).await;
    compacted(&t, false).await;
    want[0].1 = 16;
    want[1].1 = 22;
    assert_eq!(rows_of(&t).await, expect(&want));
    assert!(!vectors(&t).await.is_empty());
}

#[tokio::test]
async fn an_overwrite_drops_the_vectors_of_the_files_it_replaces() {
    let t = table(true, false, &[DV, ("bucket", "1")]).await;
    write_rows(&t, &base(2000), None, Default::default()).await;
    compacted(&t, false).await;
    write_rows(&t, &[(2, 21, "a")], None, Default::default()).await;
    compacted(&t, false).await;
    assert_eq!(vectors(&t).await.len(), 1);
    let opts = WriteOptions {
        overwrite: Some(Overwrite { partition: vec![] }),
        ..Default::default()
    };
    write_rows(&t, &[(7, 70, "a")], None, opts).await;
    assert!(vectors(&t).await.is_empty());
    compacted(&t, false).await;
    assert_eq!(rows_of(&t).await, vec![row(7, 70)]);
}

/// Whether the table has a key, its options, and what the refusal names.
type Refused = (bool, &'static [(&'static str, &'static str)], &'static str);

#[tokio::test]
async fn deletion_vector_tables_strata_does_not_write_are_refused_by_name() {
    let cases: [Refused; 3] = [
        (false, &[DV, ("bucket", "-1")], "without a primary key"),
        (true, &[DV, ("merge-engine", "first-row")], "first-row"),
        (
            true,
            &[DV, ("changelog-producer", "full-compaction")],
            "full-compaction",
        ),
    ];
    for (pk, opts, what) in cases {
        let t = table(pk, false, opts).await;
        let e = super::write(
            t.clone(),
            vec![super::tests::input(&[(1, 1, "a")], None)],
            Default::default(),
            env(),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains(what), "{what}: {e}");
        assert!(e.to_string().contains("deletion-vectors.enabled"), "{e}");
    }
}

#[tokio::test]
async fn compaction_reads_only_the_files_whose_key_range_meets_the_units() {
    let t = table(true, false, &[DV, ("bucket", "1")]).await;
    write_rows(&t, &base(2000), None, Default::default()).await;
    compacted(&t, false).await;
    // The big file (keys 1..=2000) is made unreadable: a compaction of keys past its range
    // must not open it.
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    let live = live_files(t.storage(), &latest).await.unwrap();
    assert_eq!(live.len(), 1);
    let name = &live[0].file.file_name;
    let path = super::tests::data_files(&t)
        .await
        .into_iter()
        .find(|p| p.ends_with(name.as_str()))
        .unwrap();
    t.storage()
        .put(&path, bytes::Bytes::from_static(b"not parquet"))
        .await
        .unwrap();
    write_rows(
        &t,
        &[(5000, 1, "a"), (5001, 2, "a")],
        None,
        Default::default(),
    )
    .await;
    compacted(&t, false).await;
    assert!(vectors(&t).await.is_empty());
    // A key inside its range does read it, and the corruption is reported.
    write_rows(&t, &[(7, 1, "a")], None, Default::default()).await;
    let e = compact(t.clone(), CompactOptions::default(), env())
        .await
        .unwrap_err();
    assert!(e.to_string().contains(name.as_str()), "{e}");
}

#[tokio::test]
async fn the_lookup_changelog_producer_diffs_against_the_rows_found() {
    use crate::read::ChangeStream;
    use crate::scan::StartMode;
    let opts = [DV, ("bucket", "1"), ("changelog-producer", "lookup")];
    let t = table(true, false, &opts).await;
    write_rows(&t, &base(2000), None, Default::default()).await;
    compacted(&t, false).await;
    let mut s = ChangeStream::start(t.clone(), StartMode::FromSnapshot(3), None, None, None)
        .await
        .unwrap();
    write_rows(
        &t,
        &[(2, 21, "a"), (3, 30, "a"), (4000, 1, "a")],
        Some(&["+U", "-D", "+I"]),
        kinds_opts(),
    )
    .await;
    compacted(&t, false).await;
    let mut changes = Vec::new();
    while let Some(b) = s.next().await.unwrap() {
        changes.extend(super::tests::changes_of(&b));
    }
    changes.sort();
    let kind = |k: &str| k.to_string();
    assert_eq!(
        changes,
        vec![
            (2, 20, kind("-U")),
            (2, 21, kind("+U")),
            (3, 30, kind("-D")),
            (4000, 1, kind("+I")),
        ]
    );
}

#[tokio::test]
async fn bitmap64_tables_get_64_bit_vectors() {
    let opts = [DV, ("bucket", "1"), ("deletion-vectors.bitmap64", "true")];
    let t = table(true, false, &opts).await;
    let mut want = base(2000);
    write_rows(&t, &want, None, Default::default()).await;
    compacted(&t, false).await;
    write_rows(&t, &[(5, 1, "a"), (9, 2, "a")], None, Default::default()).await;
    compacted(&t, false).await;
    want[4].1 = 1;
    want[8].1 = 2;
    assert_eq!(rows_of(&t).await, expect(&want));
    assert_eq!(vectors(&t).await[0].1, vec![4, 8]);
    let latest = resolve_snapshot(t.storage(), &SnapshotSpec::Latest)
        .await
        .unwrap()
        .unwrap();
    let index = deletion_index(t.storage(), &latest).await.unwrap();
    let range = &index[0].dv_ranges.as_ref().unwrap()[0];
    let bytes = t
        .storage()
        .get(&format!("index/{}", index[0].file_name))
        .await
        .unwrap();
    assert_eq!(
        range.offset + range.length,
        bytes.len() as i32,
        "whole entries"
    );
    let magic = &bytes[range.offset as usize + 4..range.offset as usize + 8];
    assert_eq!(magic, 1_681_511_377i32.to_le_bytes());
}
