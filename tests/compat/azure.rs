//! Tables on Azure Blob Storage: a real Azure-protocol server (Azurite) on loopback, the
//! `strata` binary and the library on `az://CONTAINER/path` locations: the storage contract
//! (one winner among concurrent conditional creates), every command, and tables at their own
//! paths. Skips with a note when Azurite is missing (fails under STRATA_REQUIRE_ALL).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use bytes::Bytes;
use strata_core::storage::Storage;
use strata_tests::azure::{azurite, azurite_missing};
use strata_tests::kafka::strata;
use strata_writer::ObjectStoreStorage;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn az(args: &[&str]) -> Output {
    let flags = azurite().flags();
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

#[test]
fn azure_storage_keeps_the_storage_contract() {
    if azurite_missing() {
        return;
    }
    let c = azurite().container("contract");
    let s = ObjectStoreStorage::open_with(&format!("az://{c}/t"), &azurite().options()).unwrap();
    rt().block_on(async {
        strata_core::storage::check_contract(&s).await;
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
    let shown = format!("{s:?}");
    assert!(!shown.contains(strata_tests::azure::ACCOUNT_KEY), "{shown}");
}

#[test]
fn every_command_works_on_azure_at_the_tables_own_path() {
    if azurite_missing() {
        return;
    }
    let c = azurite().container("cli");
    let t = format!("az://{c}/wh/db.db/orders");
    let other = format!("az://{c}/elsewhere/orders");
    let t = t.as_str();
    let create = |table: &str| {
        ok(
            az(&[
                "create",
                table,
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
        )
    };
    create(t);
    // A table of the same name under another directory is another table.
    create(&other);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.csv");
    std::fs::write(&f, "id,v,dt\n1,a,x\n2,b,x\n3,c,y\n").unwrap();
    ok(az(&["write", t, f.to_str().unwrap()]), "write 1");
    std::fs::write(&f, "id,v,dt\n2,b2,x\n4,d,y\n").unwrap();
    ok(az(&["write", t, f.to_str().unwrap()]), "write 2");
    let rows = sorted_lines(&ok(az(&["scan", t]), "scan"));
    assert_eq!(
        rows,
        [
            r#"{"id":1,"v":"a","dt":"x"}"#,
            r#"{"id":2,"v":"b2","dt":"x"}"#,
            r#"{"id":3,"v":"c","dt":"y"}"#,
            r#"{"id":4,"v":"d","dt":"y"}"#
        ]
    );
    assert!(ok(az(&["scan", &other]), "scan the other").is_empty());
    ok(az(&["compact", t, "--full"]), "compact");
    ok(az(&["tag", t, "create", "kept"]), "tag");
    ok(
        az(&[
            "expire",
            t,
            "--retain-min",
            "1",
            "--retain-max",
            "1",
            "--older-than",
            "0s",
        ]),
        "expire",
    );
    ok(
        az(&["clean-orphans", t, "--older-than", "0s"]),
        "clean-orphans",
    );
    assert_eq!(sorted_lines(&ok(az(&["scan", t]), "scan after")), rows);
    let snaps = ok(az(&["snapshots", t]), "snapshots");
    assert!(snaps.contains("COMPACT"), "{snaps}");
    // Every object of the table is under its path in the container.
    let root = ObjectStoreStorage::open_with(&format!("az://{c}"), &azurite().options()).unwrap();
    let objects = rt().block_on(root.list("")).unwrap();
    assert!(!objects.is_empty());
    for o in &objects {
        assert!(
            o.path.starts_with("wh/db.db/orders/") || o.path.starts_with("elsewhere/orders/"),
            "{} is outside both tables",
            o.path
        );
    }
    assert!(objects
        .iter()
        .any(|o| o.path.starts_with("wh/db.db/orders/snapshot/")));
}

#[test]
fn a_wrong_key_is_refused_with_what_to_check_and_no_secret() {
    if azurite_missing() {
        return;
    }
    let c = azurite().container("denied");
    let t = format!("az://{c}/t");
    ok(
        az(&[
            "create",
            &t,
            "--columns",
            "id BIGINT NOT NULL",
            "--primary-key",
            "id",
        ]),
        "create",
    );
    // The right account with another key: the server refuses every request (403).
    let wrong = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
    let mut args: Vec<String> = azurite().flags();
    let i = args
        .iter()
        .position(|a| a.starts_with("azure_storage_account_key="))
        .unwrap();
    args[i] = format!("azure_storage_account_key={wrong}");
    for cmd in [&["scan", t.as_str()][..], &["snapshots", t.as_str()][..]] {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend_from_slice(cmd);
        let out = strata(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{cmd:?} passed with a wrong key");
        assert!(err.contains(&t), "{err}");
        assert!(
            err.contains("AZURE_STORAGE_ACCOUNT_KEY") || err.contains("credentials"),
            "{err}"
        );
        assert!(!err.contains(wrong), "the key leaked: {err}");
    }
}
