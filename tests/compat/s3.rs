//! Tables on S3: a real S3-protocol server (moto) on loopback, the `strata` binary and the
//! library on `s3://` locations, pypaimon in both directions, concurrent writers, and the
//! storage contract. Skips with a note when moto is missing (fails under STRATA_REQUIRE_ALL).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::process::Output;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Value};
use strata_core::storage::Storage;
use strata_core::table::Table;
use strata_core::write::{write, WriteOptions};
use strata_tests::kafka::strata;
use strata_tests::s3::{moto, moto_missing};
use strata_tests::writes::{inputs_of, strata_rows};
use strata_writer::ObjectStoreStorage;

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `strata` with the moto flags before `args`.
fn s3_strata(args: &[&str]) -> Output {
    let flags = moto().flags();
    let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
    all.extend_from_slice(args);
    strata(&all)
}

fn scan_rows(table: &str) -> Vec<Value> {
    let out = ok(s3_strata(&["scan", table]), "scan");
    let mut rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    rows.sort_by_key(|r| r["id"].as_i64());
    rows
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn s3_storage_keeps_the_storage_contract() {
    if moto_missing() {
        return;
    }
    let bucket = moto().bucket("contract");
    let s = ObjectStoreStorage::open_with(&format!("s3://{bucket}/t"), &moto().options()).unwrap();
    rt().block_on(async {
        strata_core::storage::check_contract(&s).await;
        // One winner among concurrent creates of one snapshot file.
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    s.put_if_absent("snapshot/snapshot-9", Bytes::from(format!("{i}")))
                        .await
                        .is_ok()
                })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            wins += usize::from(t.await.unwrap());
        }
        assert_eq!(wins, 1);
    });
    // Debug output names the location, never the credentials.
    let shown = format!("{s:?}");
    assert!(!shown.contains(strata_tests::s3::SECRET_KEY), "{shown}");
}

#[test]
fn every_command_works_on_s3() {
    if moto_missing() {
        return;
    }
    let bucket = moto().bucket("cli");
    let t = format!("s3://{bucket}/wh/db.db/orders");
    let t = t.as_str();
    ok(
        s3_strata(&[
            "create",
            t,
            "--columns",
            "id BIGINT NOT NULL, v STRING, dt STRING NOT NULL",
            "--primary-key",
            "id,dt",
            "--partition",
            "dt",
            "--bucket",
            "2",
        ]),
        "create",
    );
    let dir = tempfile::tempdir().unwrap();
    let f1 = dir.path().join("a.csv");
    std::fs::write(&f1, "id,v,dt\n1,a,x\n2,b,x\n3,c,y\n").unwrap();
    let f2 = dir.path().join("b.csv");
    std::fs::write(&f2, "id,v,dt\n2,b2,x\n4,d,y\n").unwrap();
    let f1 = f1.to_str().unwrap();
    let f2 = f2.to_str().unwrap();
    ok(s3_strata(&["write", t, f1]), "write 1");
    ok(s3_strata(&["write", t, f2]), "write 2");
    let rows = scan_rows(t);
    assert_eq!(
        rows,
        vec![
            json!({"id": 1, "v": "a", "dt": "x"}),
            json!({"id": 2, "v": "b2", "dt": "x"}),
            json!({"id": 3, "v": "c", "dt": "y"}),
            json!({"id": 4, "v": "d", "dt": "y"}),
        ]
    );
    ok(s3_strata(&["compact", t, "--full"]), "compact");
    assert_eq!(scan_rows(t), rows);
    ok(s3_strata(&["tag", t, "create", "before-expire"]), "tag");
    let snaps = ok(s3_strata(&["snapshots", t]), "snapshots");
    assert!(snaps.contains("COMPACT"), "{snaps}");
    ok(
        s3_strata(&["expire", t, "--retain-min", "1", "--retain-max", "1"]),
        "expire",
    );
    ok(
        s3_strata(&["clean-orphans", t, "--older-than", "0s"]),
        "clean-orphans",
    );
    assert_eq!(scan_rows(t), rows);
    let files = ok(s3_strata(&["files", t]), "files");
    assert!(files.contains("live files"), "{files}");
    let describe = ok(s3_strata(&["describe", t]), "describe");
    assert!(describe.contains(t), "{describe}");
    ok(s3_strata(&["schema", t]), "schema");
    ok(s3_strata(&["write", t, "--overwrite", f2]), "overwrite");
    let after: Vec<i64> = scan_rows(t)
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    // Dynamic partition overwrite: both partitions the file touches are replaced.
    assert_eq!(after, vec![2, 4]);
}

#[test]
fn bad_locations_say_what_to_set() {
    if moto_missing() {
        return;
    }
    let out = s3_strata(&["scan", "s3://no-such-bucket-here/t"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("s3://no-such-bucket-here/t") && err.contains("bucket does not exist"),
        "{err}"
    );
    let out = strata(&[
        "-S",
        &format!("s3.endpoint={}", moto().endpoint),
        "scan",
        "s3://b/t",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("AWS_ACCESS_KEY_ID"),
        "{err}"
    );
    let out = strata(&["scan", "ftp://host/t"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("\"ftp\""), "{err}");
    let out = s3_strata(&[
        "-S",
        "s3.secret-key=hunter2",
        "-S",
        "nope=1",
        "scan",
        "s3://b/t",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope") && !err.contains("hunter2"), "{err}");
}

fn peer(args: &[&str]) -> String {
    let py = strata_tests::python();
    let out = std::process::Command::new(&py)
        .arg(strata_tests::py_dir().join("s3_peer.py"))
        .arg(&moto().endpoint)
        .args(args)
        .output()
        .expect("python runs");
    ok(out, &format!("s3_peer.py {}", args.join(" ")))
}

fn peer_rows(warehouse: &str, ident: &str) -> Vec<Value> {
    let out = peer(&[warehouse, "dump", ident]);
    let v: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    v["rows"].as_array().unwrap().clone()
}

#[test]
fn pypaimon_and_strata_read_each_others_s3_tables() {
    if moto_missing() || strata_tests::python_missing() {
        return;
    }
    let bucket = moto().bucket("peer");
    let wh = format!("s3://{bucket}/wh");

    // pypaimon writes (with an overwrite); Strata reads, then writes, compacts, expires and
    // cleans; pypaimon reads the result.
    peer(&[&wh, "write", "db.p"]);
    let t = format!("{wh}/db.db/p");
    let expected = vec![
        json!({"id": 1, "v": "a1", "dt": "a"}),
        json!({"id": 2, "v": "a2-new", "dt": "a"}),
        json!({"id": 9, "v": "b9", "dt": "b"}),
    ];
    assert_eq!(scan_rows(&t), expected);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("more.csv");
    std::fs::write(&f, "id,v,dt\n5,a5,a\n1,a1-new,a\n").unwrap();
    ok(s3_strata(&["write", &t, f.to_str().unwrap()]), "write");
    ok(s3_strata(&["compact", &t, "--full"]), "compact");
    ok(s3_strata(&["tag", &t, "create", "t1"]), "tag");
    ok(
        s3_strata(&["expire", &t, "--retain-min", "1", "--retain-max", "1"]),
        "expire",
    );
    ok(
        s3_strata(&["clean-orphans", &t, "--older-than", "0s"]),
        "clean-orphans",
    );
    let want = vec![
        json!({"id": 1, "v": "a1-new", "dt": "a"}),
        json!({"id": 2, "v": "a2-new", "dt": "a"}),
        json!({"id": 5, "v": "a5", "dt": "a"}),
        json!({"id": 9, "v": "b9", "dt": "b"}),
    ];
    assert_eq!(scan_rows(&t), want);
    assert_eq!(peer_rows(&wh, "db.p"), want);

    // Strata creates and writes (with an overwrite); pypaimon reads, appends; Strata reads.
    let s = format!("{wh}/db.db/s");
    ok(
        s3_strata(&[
            "create",
            &s,
            "--columns",
            "id BIGINT NOT NULL, v STRING, dt STRING NOT NULL",
            "--primary-key",
            "id,dt",
            "--partition",
            "dt",
            "--bucket",
            "2",
        ]),
        "create",
    );
    let f1 = dir.path().join("s1.csv");
    std::fs::write(&f1, "id,v,dt\n1,x1,a\n2,x2,b\n3,x3,b\n").unwrap();
    let f2 = dir.path().join("s2.csv");
    std::fs::write(&f2, "id,v,dt\n7,x7,b\n").unwrap();
    ok(s3_strata(&["write", &s, f1.to_str().unwrap()]), "write");
    ok(
        s3_strata(&["write", &s, "--overwrite", f2.to_str().unwrap()]),
        "overwrite",
    );
    let want = vec![
        json!({"id": 1, "v": "x1", "dt": "a"}),
        json!({"id": 7, "v": "x7", "dt": "b"}),
    ];
    assert_eq!(peer_rows(&wh, "db.s"), want);
    peer(&[&wh, "append", "db.s", "8", "x8", "a"]);
    let ids: Vec<i64> = scan_rows(&s)
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 7, 8]);
}

#[test]
fn four_writers_fifty_commits_each_lose_nothing() {
    if moto_missing() {
        return;
    }
    const WRITERS: i64 = 4;
    const COMMITS: i64 = 50;
    let bucket = moto().bucket("race");
    let location = format!("s3://{bucket}/t");
    let options = moto().options();
    let storage = ObjectStoreStorage::create_with(&location, &options).unwrap();
    let schema = strata_core::create_table::CreateTable {
        columns: "id BIGINT NOT NULL, w INT".into(),
        bucket: Some(-1),
        ..Default::default()
    }
    .schema(strata_writer::now_millis())
    .unwrap();
    let rt = rt();
    rt.block_on(strata_core::create_table::create_table(&storage, &schema))
        .unwrap();
    let table = Arc::new(rt.block_on(Table::open(Arc::new(storage))).unwrap());
    // Each commit adds one row. A write that gives up on contention (a conflict: nothing
    // published) is run again with the same commit identifier, as a user would.
    let retried = rt.block_on(async {
        let tasks: Vec<_> = (0..WRITERS)
            .map(|w| {
                let location = location.clone();
                let options = options.clone();
                tokio::spawn(async move {
                    let mut retried = 0;
                    for i in 0..COMMITS {
                        loop {
                            let s = ObjectStoreStorage::open_with(&location, &options).unwrap();
                            let t = Arc::new(Table::open(Arc::new(s)).await.unwrap());
                            let row = json!({"id": w * 1000 + i, "w": w});
                            let input = inputs_of(&t, &[row], None);
                            let opts = WriteOptions {
                                commit_user: Some(format!("writer-{w}")),
                                commit_identifier: Some(i + 1),
                                ..WriteOptions::default()
                            };
                            match write(t, input, opts, strata_writer::runtime::env()).await {
                                Ok(s) => {
                                    s.expect("a snapshot");
                                    break;
                                }
                                Err(e) if e.is_unpublished() => retried += 1,
                                Err(e) => panic!("writer {w} commit {i}: {e}"),
                            }
                        }
                    }
                    retried
                })
            })
            .collect();
        let mut retried = 0;
        for t in tasks {
            retried += t.await.unwrap();
        }
        retried
    });
    eprintln!("{retried} writes gave up on contention and were run again");
    let rows = strata_rows(&table);
    let ids: BTreeSet<i64> = rows.iter().map(|r| r[0].as_i64().unwrap()).collect();
    assert_eq!(rows.len() as i64, WRITERS * COMMITS, "duplicated rows");
    let want: BTreeSet<i64> = (0..WRITERS)
        .flat_map(|w| (0..COMMITS).map(move |i| w * 1000 + i))
        .collect();
    assert_eq!(ids, want, "lost rows");
    let storage = table.storage();
    rt.block_on(async {
        let snapshot_ids = strata_core::snapshot::list_snapshot_ids(storage)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(snapshot_ids, (1..=WRITERS * COMMITS).collect::<Vec<_>>());
        let mut commits = BTreeSet::new();
        for id in snapshot_ids {
            let s = strata_core::snapshot::Snapshot::load(storage, id)
                .await
                .unwrap();
            assert!(commits.insert((s.commit_user, s.commit_identifier)));
        }
    });
}
