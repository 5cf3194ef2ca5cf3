//! Tables on Google Cloud Storage: a real GCS-protocol server (fake-gcs-server) on loopback,
//! the `strata` binary and the library on `gs://BUCKET/path` locations. Every read command
//! answers on GCS as it does for the same table on the local disk (latest, time travel, tags,
//! diffs, listings). fake-gcs-server does not take object_store's XML-API uploads, so tables
//! are written locally and uploaded through the server's JSON API (tests/src/gcs.rs); a write
//! the server refuses fails with the URL and leaves nothing. Skips with a note when
//! fake-gcs-server is missing (fails under STRATA_REQUIRE_ALL).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Output;

use strata_core::storage::Storage;
use strata_tests::gcs::{fake_gcs, fake_gcs_missing};
use strata_tests::kafka::strata;
use strata_writer::ObjectStoreStorage;

fn gs(args: &[&str]) -> Output {
    let flags = fake_gcs().flags();
    let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
    all.extend_from_slice(args);
    strata(&all)
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().map(str::to_string).collect();
    v.sort();
    v
}

/// A partitioned primary-key table with upserts, a delete, a full compaction, a tag and a
/// write after it: five snapshots.
fn local_table(dir: &Path) -> String {
    let t = dir.join("orders");
    let t_str = t.to_str().unwrap().to_string();
    ok(
        strata(&[
            "create",
            &t_str,
            "--columns",
            "id BIGINT NOT NULL, v STRING, dt STRING NOT NULL, op STRING",
            "--primary-key",
            "id,dt",
            "--partition",
            "dt",
            "--bucket",
            "2",
        ]),
        "create",
    );
    let f = dir.join("in.csv");
    let write = |rows: &str| {
        std::fs::write(&f, format!("id,v,dt,op\n{rows}")).unwrap();
        ok(
            strata(&[
                "write",
                &t_str,
                f.to_str().unwrap(),
                "--row-kind-column",
                "op",
            ]),
            "write",
        );
    };
    write("1,a,x,+I\n2,b,x,+I\n3,c,y,+I\n4,d,y w,+I\n");
    write("2,b2,x,+U\n3,,y,-D\n5,e,z,+I\n");
    ok(strata(&["compact", &t_str, "--full"]), "compact");
    ok(strata(&["tag", &t_str, "create", "kept"]), "tag");
    write("1,a3,x,+U\n6,f,y,+I\n");
    t_str
}

#[test]
fn every_read_command_on_gcs_answers_as_on_the_local_disk() {
    if fake_gcs_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let local = local_table(dir.path());
    let bucket = fake_gcs().bucket("reads");
    fake_gcs().upload_dir(Path::new(&local), &bucket, "wh/db.db/orders");
    let remote = format!("gs://{bucket}/wh/db.db/orders");

    let cases: Vec<Vec<&str>> = vec![
        vec!["scan"],
        vec!["scan", "--snapshot", "1"],
        vec!["scan", "--snapshot", "2"],
        vec!["scan", "--tag", "kept"],
        vec!["snapshots"],
        vec!["files"],
        vec!["files", "--snapshot", "2"],
        vec!["schema"],
        vec!["describe"],
        vec!["diff", "--from", "1", "--to", "4"],
        vec!["tag", "list"],
    ];
    for case in cases {
        let (cmd, rest) = case.split_first().unwrap();
        let mut on_disk = vec![*cmd, local.as_str()];
        on_disk.extend_from_slice(rest);
        let mut on_gcs = vec![*cmd, remote.as_str()];
        on_gcs.extend_from_slice(rest);
        let want = ok(strata(&on_disk), &format!("{case:?} on disk")).replace(&local, &remote);
        let got = ok(gs(&on_gcs), &format!("{case:?} on GCS"));
        assert!(!got.trim().is_empty(), "{case:?} printed nothing");
        assert_eq!(sorted_lines(&got), sorted_lines(&want), "{case:?}");
    }
    // The rows themselves, so that the comparison above is not of two empty answers.
    assert_eq!(
        sorted_lines(&ok(gs(&["scan", &remote]), "scan")),
        [
            r#"{"id":1,"v":"a3","dt":"x","op":"+U"}"#,
            r#"{"id":2,"v":"b2","dt":"x","op":"+U"}"#,
            r#"{"id":4,"v":"d","dt":"y w","op":"+I"}"#,
            r#"{"id":5,"v":"e","dt":"z","op":"+I"}"#,
            r#"{"id":6,"v":"f","dt":"y","op":"+I"}"#,
        ]
    );
}

#[test]
fn gcs_storage_lists_and_reads_ranges_as_the_local_disk() {
    if fake_gcs_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let local = local_table(dir.path());
    let bucket = fake_gcs().bucket("ranges");
    fake_gcs().upload_dir(Path::new(&local), &bucket, "t");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let on_disk = ObjectStoreStorage::open(&local).unwrap();
    let on_gcs =
        ObjectStoreStorage::open_with(&format!("gs://{bucket}/t"), &fake_gcs().options()).unwrap();
    rt.block_on(async {
        let mut want: Vec<(String, u64)> = on_disk
            .list("")
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.path, o.size))
            .collect();
        let mut got: Vec<(String, u64)> = on_gcs
            .list("")
            .await
            .unwrap()
            .into_iter()
            .map(|o| (o.path, o.size))
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want);
        let (path, size) = want
            .iter()
            .find(|(p, _)| p.ends_with(".parquet"))
            .cloned()
            .unwrap();
        let whole = on_disk.get(&path).await.unwrap();
        assert_eq!(on_gcs.get(&path).await.unwrap(), whole);
        for r in [0..4, size - 8..size, 3..size / 2] {
            let got = on_gcs.get_range(&path, r.clone()).await.unwrap();
            assert_eq!(got, whole.slice(r.start as usize..r.end as usize), "{r:?}");
        }
        assert!(matches!(
            on_gcs.get("snapshot/snapshot-99").await,
            Err(strata_core::Error::NotFound { .. })
        ));
    });
    // The key given as a setting is not shown.
    assert!(!format!("{on_gcs:?}").contains("disable_oauth"));
}

#[test]
fn a_missing_bucket_or_table_and_a_refused_write_name_the_url() {
    if fake_gcs_missing() {
        return;
    }
    let bucket = fake_gcs().bucket("bad");
    for (table, cmd) in [
        (format!("gs://no-such-bucket-{bucket}/t"), "scan"),
        (format!("gs://{bucket}/missing"), "scan"),
        (format!("gs://{bucket}/missing"), "snapshots"),
    ] {
        let out = gs(&[cmd, &table]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{cmd} {table} passed");
        assert!(err.contains(&table), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    // fake-gcs-server answers object_store's upload with 400: a definite refusal, reported as
    // one (not as a write whose outcome is unknown), and nothing is left in the bucket.
    let t = format!("gs://{bucket}/w");
    let out = gs(&["create", &t, "--columns", "id BIGINT NOT NULL"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "create passed: {err}");
    assert!(err.contains(&t), "{err}");
    assert!(err.contains("400"), "{err}");
    assert!(!err.contains("may or may not"), "{err}");
    let root =
        ObjectStoreStorage::open_with(&format!("gs://{bucket}"), &fake_gcs().options()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert!(rt.block_on(root.list("")).unwrap().is_empty());
}
