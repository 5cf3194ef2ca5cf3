//! A real Kafka-protocol broker for the ingest suites: tansu with its sqlite engine, started
//! on a free loopback port in a temporary directory, and a producer for CDC samples.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use strata_writer::ingest::sample::SampleEvent;

/// Where the tansu binary should be: `$STRATA_TANSU`, else `$HOME/.cache/strata-infra/bin/tansu`
/// (what `scripts/test.sh` installs).
pub fn tansu_path() -> PathBuf {
    std::env::var_os("STRATA_TANSU")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/strata-infra/bin/tansu")
        })
}

/// The tansu binary; panics when it is missing (see [`tansu_missing`] for the suites).
pub fn tansu() -> PathBuf {
    let path = tansu_path();
    assert!(
        path.exists(),
        "the tansu broker is not installed at {} (scripts/test.sh installs it)",
        path.display()
    );
    path
}

/// Whether this test must skip because the tansu broker is missing: a bare `cargo test` on a
/// fresh clone has no broker, so the Kafka suites say why and pass, while `scripts/test.sh`
/// (which installs tansu and sets `STRATA_REQUIRE_ALL=1`) fails instead.
pub fn tansu_missing() -> bool {
    let path = tansu_path();
    if path.exists() {
        return false;
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "the tansu broker is not installed at {}, and STRATA_REQUIRE_ALL is set: scripts/test.sh installs it",
        path.display()
    );
    eprintln!(
        "skipped: tansu not found at {}; scripts/test.sh installs it",
        path.display()
    );
    true
}

/// A consumer group name no earlier process used: `prefix`, this process's id, the time and a
/// counter (a stale member of a reused group can hold a new one up for its whole session).
pub fn unique_group(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The `strata` binary of this build (`$STRATA_BIN`, else beside the test executable's
/// directory, where `cargo test --workspace` builds it).
pub fn strata_bin() -> PathBuf {
    let path = std::env::var_os("STRATA_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let exe = std::env::current_exe().expect("test executable");
            exe.parent()
                .and_then(|deps| deps.parent())
                .expect("target directory")
                .join("strata")
        });
    assert!(
        path.exists(),
        "no strata binary at {} (cargo build -p strata-writer)",
        path.display()
    );
    path
}

/// How long one `strata` command of the suites may run before it is killed and the test fails
/// (the longest, an ingest of 100,000 messages, takes well under a minute).
pub const STRATA_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs `strata` with arguments, within [`STRATA_TIMEOUT`].
pub fn strata(args: &[&str]) -> Output {
    strata_within(args, STRATA_TIMEOUT)
}

/// Runs `strata` with arguments; kills it and fails the test (with the end of its stderr) if
/// it runs longer than `limit`.
pub fn strata_within(args: &[&str], limit: Duration) -> Output {
    let child = Command::new(strata_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run strata");
    output_within(child, limit, &format!("strata {}", args.join(" ")))
}

/// Waits until `deadline` for `child` to exit; kills it (and reaps it) if it has not by then.
/// Its exit status, or `None` when it was killed.
pub fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().expect("wait for a child process") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child process that is killed (and reaped) when dropped, so that a failing test leaves
/// nothing running.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Collects `child`'s output (whichever of stdout and stderr are piped); kills it and fails the
/// test with the end of its stderr if it runs longer than `limit`. `what` names it.
pub fn output_within(mut child: Child, limit: Duration, what: &str) -> Output {
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_until(&mut child, Instant::now() + limit);
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let Some(status) = status else {
        panic!(
            "{what} ran longer than {limit:?} and was killed; the end of its stderr:\n{}",
            tail(&String::from_utf8_lossy(&stderr), 40)
        );
    };
    Output {
        status,
        stdout,
        stderr,
    }
}

/// A running broker; stopped when dropped.
pub struct Broker {
    child: Child,
    /// `127.0.0.1:port`.
    pub address: String,
    _dir: tempfile::TempDir,
}

pub use crate::server::free_port;

impl Broker {
    /// Starts a broker, or says why the test skips and returns `None` when tansu is missing
    /// (see [`tansu_missing`]).
    pub fn start_or_skip() -> Option<Broker> {
        if tansu_missing() {
            return None;
        }
        Some(Broker::start())
    }

    /// Starts a broker and waits until it accepts connections.
    pub fn start() -> Broker {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let log = std::fs::File::create(dir.path().join("tansu.log")).unwrap();
        let child = Command::new(tansu())
            .current_dir(dir.path())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start tansu");
        let address = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(&address).is_err() {
            assert!(Instant::now() < deadline, "tansu did not start listening");
            std::thread::sleep(Duration::from_millis(20));
        }
        Broker {
            child,
            address,
            _dir: dir,
        }
    }

    /// Creates a topic.
    pub fn create_topic(&self, name: &str, partitions: i32) {
        let child = Command::new(tansu())
            .args([
                "topic",
                "create",
                name,
                "--partitions",
                &partitions.to_string(),
            ])
            .args(["--broker", &format!("tcp://{}", self.address)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tansu topic create");
        let out = output_within(
            child,
            Duration::from_secs(60),
            &format!("tansu topic create {name}"),
        );
        assert!(
            out.status.success(),
            "creating topic {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Produces events, each to its own partition, and waits until all are acknowledged.
    pub fn produce(&self, topic: &str, events: &[SampleEvent]) {
        let producer: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
            .set("bootstrap.servers", &self.address)
            .set("linger.ms", "5")
            .set("compression.type", "lz4")
            .set("enable.idempotence", "true")
            .create()
            .expect("producer");
        for e in events {
            let mut record = BaseRecord::to(topic)
                .key(&e.key)
                .payload(&e.payload)
                .partition(e.partition);
            loop {
                match producer.send(record) {
                    Ok(()) => break,
                    Err((
                        rdkafka::error::KafkaError::MessageProduction(
                            rdkafka::types::RDKafkaErrorCode::QueueFull,
                        ),
                        r,
                    )) => {
                        record = r;
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err((e, _)) => panic!("produce: {e}"),
                }
            }
        }
        producer.flush(Duration::from_secs(120)).expect("flush");
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
