//! An Azure Blob Storage server for the object-store suites: Azurite (npm `azurite`, the
//! emulator Microsoft ships), started in memory on a free loopback port for one test process.
//! Containers are created with a request signed by the emulator's well-known account key
//! (object_store cannot create them).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use base64::Engine;
use strata_writer::storage::StorageOptions;

/// The emulator's account.
pub const ACCOUNT: &str = "devstoreaccount1";
/// The emulator's well-known account key (public, the same in every Azurite).
pub const ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The Azurite blob server: `$STRATA_AZURITE`, else
/// `$HOME/.cache/strata/azurite/node_modules/.bin/azurite-blob` (what `scripts/test.sh`
/// installs).
pub fn azurite_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("STRATA_AZURITE") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home).join(".cache/strata/azurite/node_modules/.bin/azurite-blob")
}

/// Whether this test must skip because Azurite is missing: it says why and passes under a
/// bare `cargo test`, and fails under `STRATA_REQUIRE_ALL=1`.
pub fn azurite_missing() -> bool {
    let bin = azurite_bin();
    if bin.exists() {
        return false;
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "{} not found, and STRATA_REQUIRE_ALL is set: scripts/test.sh installs Azurite",
        bin.display()
    );
    eprintln!(
        "skipped: the Azure server Azurite ({}) is missing; scripts/test.sh installs it and runs this suite",
        bin.display()
    );
    true
}

/// A running Azurite, killed when dropped (the process's one is never dropped: it dies with
/// the test process, as moto does).
pub struct Azurite {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The process's Azurite, started on first use.
pub fn azurite() -> &'static Azurite {
    static A: OnceLock<Azurite> = OnceLock::new();
    A.get_or_init(start)
}

fn start() -> Azurite {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port");
    let log = std::env::temp_dir().join(format!("strata-azurite-{port}.log"));
    let log_file = std::fs::File::create(&log).expect("azurite log file");
    // Dies with this process: `sh` waits for its stdin (a pipe we hold) to close.
    let script = format!(
        "\"{}\" --inMemoryPersistence --blobHost 127.0.0.1 --blobPort {port} --skipApiVersionCheck --silent & pid=$!; cat >/dev/null; kill $pid",
        azurite_bin().display()
    );
    let child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(log_file.try_clone().expect("log"))
        .stderr(log_file)
        .spawn()
        .expect("start azurite");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "azurite did not start within 60 s; its log: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Azurite {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
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
