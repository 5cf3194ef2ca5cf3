//! Object-store behaviour beyond the basics of `s3.rs`: large files by multipart upload, the
//! single-writer opt-out for stores without conditional puts (moto with them switched off in
//! the client), tables read over plain HTTP from a real server (node's `http`, serving a
//! local table with Range support), and a server that checks every signature (moto with its
//! authentication on) taking ours and refusing wrong keys. Each test skips with a note when
//! its server is missing (and fails under STRATA_REQUIRE_ALL).

// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};

use bytes::Bytes;
use strata_core::storage::Storage;
use strata_tests::kafka::strata;
use strata_tests::s3::{moto, moto_missing, moto_with_auth};
use strata_writer::storage::StorageOptions;
use strata_writer::ObjectStoreStorage;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
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

/// `strata` with the moto flags and `extra` storage options before `args`.
fn s3_strata(extra: &[&str], args: &[&str]) -> Output {
    let flags = moto().flags();
    let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
    for kv in extra {
        all.extend_from_slice(&["-S", kv]);
    }
    all.extend_from_slice(args);
    strata(&all)
}

#[test]
fn large_files_go_up_in_parts_and_read_back_whole() {
    if moto_missing() {
        return;
    }
    let bucket = moto().bucket("multipart");
    let s = ObjectStoreStorage::open_with(&format!("s3://{bucket}/t"), &moto().options()).unwrap();
    // 40 MiB + 5 bytes of varied content: five 8 MiB parts and a short last one.
    let data: Vec<u8> = (0..(40u32 << 20) + 5)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let data = Bytes::from(data);
    rt().block_on(async {
        s.put("bucket-0/data-big.parquet", data.clone())
            .await
            .unwrap();
        let back = s.get("bucket-0/data-big.parquet").await.unwrap();
        assert_eq!(back.len(), data.len());
        assert!(back == data, "the object differs from what was put");
        let meta = s.head("bucket-0/data-big.parquet").await.unwrap().unwrap();
        assert_eq!(meta.size, data.len() as u64);
        // Small files stay single puts.
        s.put("bucket-0/small", Bytes::from_static(b"x"))
            .await
            .unwrap();
    });
    // A multipart object's ETag is "<md5 of the parts' md5s>-<parts>".
    let store = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&moto().endpoint)
        .with_bucket_name(&bucket)
        .with_access_key_id(strata_tests::s3::ACCESS_KEY)
        .with_secret_access_key(strata_tests::s3::SECRET_KEY)
        .with_region("us-east-1")
        .with_allow_http(true)
        .build()
        .unwrap();
    let etag = |key: &str| {
        use object_store::ObjectStore;
        let path = object_store::path::Path::from(format!("t/{key}"));
        let meta = rt().block_on(store.head(&path)).unwrap();
        meta.e_tag.unwrap().trim_matches('"').to_string()
    };
    let big = etag("bucket-0/data-big.parquet");
    assert!(big.ends_with("-6"), "{big}");
    assert!(!etag("bucket-0/small").contains('-'));
}

#[test]
fn a_store_without_conditional_puts_is_refused_unless_single_writer() {
    if moto_missing() {
        return;
    }
    let bucket = moto().bucket("nocond");
    let t = format!("s3://{bucket}/orders");
    let cols = [
        "--columns",
        "id BIGINT NOT NULL, v STRING",
        "--primary-key",
        "id",
    ];
    let no_cas = "aws_conditional_put=disabled";
    let mut create = vec!["create", t.as_str()];
    create.extend_from_slice(&cols);
    let out = s3_strata(&[no_cas], &create);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "created without a conditional put");
    assert!(
        err.contains("conditional put") && err.contains("single-writer") && err.contains(&t),
        "{err}"
    );
    // Nothing was half-created.
    let listed = ObjectStoreStorage::open_with(&t, &moto().options()).unwrap();
    assert!(rt().block_on(listed.list("")).unwrap().is_empty());

    let one = ["aws_conditional_put=disabled", "single-writer=true"];
    ok(s3_strata(&one, &create), "create (single writer)");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.csv");
    std::fs::write(&f, "id,v\n1,a\n2,b\n").unwrap();
    let f = f.to_str().unwrap();
    ok(s3_strata(&one, &["write", t.as_str(), f]), "write 1");
    std::fs::write(dir.path().join("a.csv"), "id,v\n2,c\n3,d\n").unwrap();
    ok(s3_strata(&one, &["write", t.as_str(), f]), "write 2");
    let rows = ok(s3_strata(&one, &["scan", t.as_str()]), "scan");
    let mut rows: Vec<&str> = rows.lines().collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            r#"{"id":1,"v":"a"}"#,
            r#"{"id":2,"v":"c"}"#,
            r#"{"id":3,"v":"d"}"#
        ]
    );
    // A snapshot that exists is still never overwritten.
    let s = ObjectStoreStorage::open_with(
        &t,
        &StorageOptions::new(
            moto_pairs()
                .into_iter()
                .chain([("single-writer".to_string(), "true".to_string())]),
        ),
    )
    .unwrap();
    let e = rt()
        .block_on(s.put_if_absent("snapshot/snapshot-1", Bytes::from_static(b"{}")))
        .unwrap_err();
    assert!(matches!(e, strata_core::Error::AlreadyExists { .. }), "{e}");
    let out = s3_strata(&["single-writer=maybe"], &["scan", t.as_str()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("true or false"),
        "{err}"
    );
}

#[test]
fn a_server_that_checks_signatures_takes_ours_and_wrong_keys_are_refused_in_words() {
    if moto_missing() {
        return;
    }
    let m = moto_with_auth();
    m.bucket("signed");
    let t = "s3://signed/wh/db.db/orders";
    let good = m.flags(&m.access_key, &m.secret_key);
    let with = |flags: &[String], args: &[&str]| {
        let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        strata(&all)
    };
    // Every request of create, write, compact and scan is signed as the server expects.
    let create = [
        "create",
        t,
        "--columns",
        "id BIGINT NOT NULL, v STRING",
        "--primary-key",
        "id",
        "--bucket",
        "1",
    ];
    ok(with(&good, &create), "create");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.csv");
    for rows in ["id,v\n1,a\n2,b\n", "id,v\n2,c\n"] {
        std::fs::write(&f, rows).unwrap();
        ok(with(&good, &["write", t, f.to_str().unwrap()]), "write");
    }
    ok(with(&good, &["compact", t, "--full"]), "compact");
    let rows = ok(with(&good, &["scan", t]), "scan");
    let mut rows: Vec<&str> = rows.lines().collect();
    rows.sort();
    assert_eq!(rows, [r#"{"id":1,"v":"a"}"#, r#"{"id":2,"v":"c"}"#]);

    // A wrong secret and an unknown key: refused, the URL and what to check named, no secret.
    let wrong_secret = "Wr0ngSecretWr0ngSecretWr0ngSecret0000000";
    for (key, secret) in [
        (m.access_key.as_str(), wrong_secret),
        ("AKIAUNKNOWNKEY000000", m.secret_key.as_str()),
    ] {
        for args in [vec!["scan", t], vec!["write", t, f.to_str().unwrap()]] {
            let out = with(&m.flags(key, secret), &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{args:?} with a wrong key succeeded");
            assert!(
                err.contains("check the credentials") && err.contains("s3://signed/"),
                "{args:?}: {err}"
            );
            assert!(
                !err.contains(wrong_secret) && !err.contains(&m.secret_key),
                "a secret in the message: {err}"
            );
        }
    }
    // Nothing was committed by the refused writes.
    let snaps = ok(
        with(&good, &["snapshots", t, "--output", "json"]),
        "snapshots",
    );
    let snaps: serde_json::Value = serde_json::from_str(&snaps).unwrap();
    assert_eq!(snaps.as_array().unwrap().len(), 3, "{snaps}");
}

fn moto_pairs() -> Vec<(String, String)> {
    moto()
        .flags()
        .chunks(2)
        .filter_map(|f| f[1].split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// node serving a directory over HTTP (with Range), killed on drop.
struct NodeServer {
    child: Child,
    url: String,
}

impl Drop for NodeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn node_missing() -> bool {
    if Command::new("node").arg("--version").output().is_ok() {
        return false;
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "node not found, and STRATA_REQUIRE_ALL is set: scripts/test.sh installs it"
    );
    eprintln!(
        "skipped: node (the HTTP server of this test) is missing; scripts/test.sh installs it"
    );
    true
}

fn serve(dir: &std::path::Path) -> NodeServer {
    let server = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../npm/test/support/server.js")
        .canonicalize()
        .unwrap();
    let script = format!(
        "const m = await import({:?}); const s = await m.serve({:?}); console.log(s.url);",
        format!("file://{}", server.display()),
        dir.display().to_string()
    );
    let mut child = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("http://"), "server said {line:?}");
    NodeServer {
        child,
        url: line.trim().to_string(),
    }
}

#[test]
fn tables_read_over_http_from_a_real_server() {
    if node_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("wh/db.db/orders");
    let t = t.to_str().unwrap();
    ok(
        strata(&[
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
    let f = dir.path().join("a.csv");
    std::fs::write(&f, "id,v,dt\n1,a,x\n2,b,x\n3,c,y\n").unwrap();
    ok(strata(&["write", t, f.to_str().unwrap()]), "write 1");
    std::fs::write(&f, "id,v,dt\n2,b2,x\n").unwrap();
    ok(strata(&["write", t, f.to_str().unwrap()]), "write 2");
    ok(
        strata(&["tag", t, "create", "first", "--snapshot", "1"]),
        "tag",
    );
    let server = serve(dir.path());
    let url = format!("{}/wh/db.db/orders", server.url);
    let sorted = |out: String| {
        let mut v: Vec<String> = out.lines().map(str::to_string).collect();
        v.sort();
        v
    };
    let local = sorted(ok(strata(&["scan", t]), "local scan"));
    let remote = sorted(ok(strata(&["scan", &url]), "HTTP scan"));
    assert_eq!(remote, local);
    assert_eq!(remote.len(), 3);
    let tagged = sorted(ok(
        strata(&["scan", &url, "--tag", "first"]),
        "HTTP scan by tag",
    ));
    assert!(
        tagged.iter().any(|r| r.contains(r#""v":"b""#)),
        "{tagged:?}"
    );
    let diff = |table: &str| {
        let out = ok(strata(&["diff", table, "--from", "1", "--to", "2"]), "diff");
        sorted(out)
    };
    let remote_diff = diff(&url);
    assert_eq!(remote_diff, diff(t));
    assert!(
        remote_diff.iter().any(|r| r.contains(r#""v":"b2""#)),
        "{remote_diff:?}"
    );
    let schema = ok(strata(&["schema", &url]), "HTTP schema");
    assert!(schema.contains("\"id\""), "{schema}");
    // Writes are refused before any request, naming the location.
    let out = strata(&["write", &url, f.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains(&url), "{err}");
    // A missing table names its URL.
    let missing = format!("{}/wh/db.db/nothing", server.url);
    let out = strata(&["scan", &missing]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("nothing"), "{err}");
}

#[test]
fn skipped_messages_go_to_a_dead_letter_directory_on_s3() {
    if moto_missing() {
        return;
    }
    let bucket = moto().bucket("dlq");
    let table = format!("s3://{bucket}/wh/db.db/t");
    let dlq = format!("s3://{bucket}/dead/t");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.jsonl");
    let lines = [
        r#"{"before":null,"after":{"id":1,"n":"a"},"op":"c"}"#,
        r#"{"before":null,"after":{"n":"no key"},"op":"c"}"#,
        r#"{"before":null,"after":{"id":2,"n":"b"},"op":"c"}"#,
        r#"{"before":null,"after":{"id":"x","n":"bad id"},"op":"c"}"#,
    ];
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let f = file.to_str().unwrap();
    let args = [
        "ingest",
        &table,
        "--format",
        "debezium-json",
        "--file",
        f,
        "--create-if-missing",
        "--primary-key",
        "id",
        "--on-error",
        "skip",
        "--dead-letter",
        &dlq,
    ];
    let out = ok(s3_strata(&[], &args), "ingest");
    assert!(out.contains("2 skipped"), "{out}");
    let rows = ok(s3_strata(&[], &["scan", &table]), "scan");
    assert_eq!(rows.lines().count(), 2, "{rows}");
    // One object for the commit that skipped them, with where and why of each message.
    let dead = ObjectStoreStorage::open_with(&dlq, &moto().options()).unwrap();
    let rt = rt();
    let objects = rt.block_on(dead.list("")).unwrap();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert!(objects[0].path.starts_with("dead-letter-") && objects[0].path.ends_with(".jsonl"));
    let text = rt.block_on(dead.get(&objects[0].path)).unwrap();
    let dead: Vec<serde_json::Value> = String::from_utf8_lossy(&text)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let offsets: Vec<i64> = dead.iter().map(|d| d["offset"].as_i64().unwrap()).collect();
    assert_eq!(offsets, [1, 3]);
    assert_eq!(dead[0]["payload"], serde_json::json!(lines[1]));
    assert!(dead[0]["error"]
        .as_str()
        .unwrap()
        .contains("primary-key column id is missing"));
}
