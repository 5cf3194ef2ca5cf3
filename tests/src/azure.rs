//! An Azure Blob Storage server for the object-store suites: Azurite (npm `azurite`, the
//! emulator Microsoft ships), started in memory on a free loopback port for one test process.
//! Containers are created with a request signed by the emulator's well-known account key
//! (object_store cannot create them).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use base64::Engine;
use strata_writer::storage::StorageOptions;

use crate::server::{self, free_port, peer_bin, peer_missing, Server};

/// The emulator's account.
pub const ACCOUNT: &str = "devstoreaccount1";
/// The emulator's well-known account key (public, the same in every Azurite).
pub const ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The Azurite blob server: `$STRATA_AZURITE`, else
/// `$HOME/.cache/strata/azurite/node_modules/.bin/azurite-blob` (what `scripts/test.sh`
/// installs).
pub fn azurite_bin() -> PathBuf {
    peer_bin("STRATA_AZURITE", "azurite/node_modules/.bin/azurite-blob")
}

/// Whether this test must skip because Azurite is missing ([`peer_missing`]).
pub fn azurite_missing() -> bool {
    peer_missing(&azurite_bin(), "the Azure server Azurite")
}

/// A running Azurite.
pub struct Azurite {
    _server: Server,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

/// The process's Azurite, started on first use (it dies with the test process).
pub fn azurite() -> &'static Azurite {
    static A: OnceLock<Azurite> = OnceLock::new();
    A.get_or_init(|| {
        let port = free_port();
        let command = format!(
            "\"{}\" --inMemoryPersistence --blobHost 127.0.0.1 --blobPort {port} --skipApiVersionCheck --silent",
            azurite_bin().display()
        );
        let server = server::spawn("azurite", &command, port, &[]);
        Azurite {
            endpoint: server.endpoint.clone(),
            _server: server,
        }
    })
}

impl Azurite {
    /// Creates a fresh container (a signed `PUT ?restype=container`) and returns its name.
    pub fn container(&self, prefix: &str) -> String {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "{prefix}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let date = chrono::Utc::now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let version = "2021-08-06";
        // Shared Key: the verb, eleven empty standard headers, the x-ms- headers, and the
        // resource (path-style: the account twice) with its query.
        let to_sign = format!(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:{date}\nx-ms-version:{version}\n/{ACCOUNT}/{ACCOUNT}/{name}\nrestype:container"
        );
        let key = base64::engine::general_purpose::STANDARD
            .decode(ACCOUNT_KEY)
            .expect("the emulator key is base64");
        let tag = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key),
            to_sign.as_bytes(),
        );
        let signature = base64::engine::general_purpose::STANDARD.encode(tag.as_ref());
        let out = Command::new("curl")
            .args([
                "-sf",
                "-X",
                "PUT",
                "-H",
                &format!("x-ms-date: {date}"),
                "-H",
                &format!("x-ms-version: {version}"),
                "-H",
                &format!("Authorization: SharedKey {ACCOUNT}:{signature}"),
                "-H",
                "Content-Length: 0",
                "-H",
                "Content-Type:",
                &format!("{}/{ACCOUNT}/{name}?restype=container", self.endpoint),
            ])
            .output()
            .expect("curl runs");
        assert!(
            out.status.success(),
            "creating container {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        name
    }

    /// The storage options that reach this server (object_store's Azure keys).
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
        [
            ("azure_storage_account_name", ACCOUNT.to_string()),
            ("azure_storage_account_key", ACCOUNT_KEY.to_string()),
            ("azure_endpoint", format!("{}/{ACCOUNT}", self.endpoint)),
            ("allow_http", "true".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}
