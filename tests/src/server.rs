//! The peer servers the object-store suites start (moto, Azurite, fake-gcs-server): where
//! their binary is, what a test does when one is missing, and how one runs for a test
//! process: on a free loopback port, behind an `sh` wrapper that kills it when the pipe we
//! hold on its stdin closes (when the process exits, or when the [`Server`] is dropped):
//! SIGTERM, then SIGKILL if it is still there two seconds later.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A peer's binary: the path in `$env`, else `$HOME/.cache/strata/{cached}` (where
/// `scripts/test.sh` installs it).
pub fn peer_bin(env: &str, cached: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env) {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home).join(".cache/strata").join(cached)
}

/// Whether a test must skip because the peer `what` (at `bin`) is missing: it says why and
/// passes under a bare `cargo test`, and fails under `STRATA_REQUIRE_ALL=1`.
pub fn peer_missing(bin: &Path, what: &str) -> bool {
    if bin.exists() {
        return false;
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "{} not found, and STRATA_REQUIRE_ALL is set: scripts/test.sh installs {what}",
        bin.display()
    );
    eprintln!(
        "skipped: {what} ({}) is missing; scripts/test.sh installs it and runs this suite",
        bin.display()
    );
    true
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running peer server.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Drop for Server {
    /// Closes the wrapper's stdin, so that it kills the server itself, and waits for it.
    /// (Killing the wrapper instead leaves the server running, its parent gone.)
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Starts `command` (a shell command line for a server listening on `port`) with the extra
/// environment `env`, its output in a log file named after `name`, and waits until the port
/// answers (failing the test with the log after 60 s).
pub fn spawn(name: &str, command: &str, port: u16, env: &[(&str, &str)]) -> Server {
    let log = std::env::temp_dir().join(format!("strata-{name}-{port}.log"));
    let log_file = std::fs::File::create(&log).expect("server log file");
    // SIGTERM first; a server that closes without exiting (Azurite's process stays up with
    // its port closed) gets SIGKILL two seconds later.
    let script = format!(
        "{command} & pid=$!; cat >/dev/null; kill $pid; \
         for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 $pid 2>/dev/null || exit 0; sleep 0.2; done; \
         kill -9 $pid"
    );
    let child = Command::new("sh")
        .args(["-c", &script])
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(log_file.try_clone().expect("log"))
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{name} did not start within 60 s; its log: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}
