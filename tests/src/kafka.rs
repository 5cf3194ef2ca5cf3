//! A real Kafka-protocol broker for the ingest suites: tansu with its sqlite engine, started
//! on a free loopback port in a temporary directory, and a producer for CDC samples.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use strata_writer::ingest::sample::SampleEvent;

/// The tansu binary: `$STRATA_TANSU`, else `$HOME/.cache/strata-infra/bin/tansu` (what
/// `scripts/test.sh` installs).
pub fn tansu() -> PathBuf {
    let path = std::env::var_os("STRATA_TANSU")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache/strata-infra/bin/tansu")
        });
    assert!(
        path.exists(),
        "the tansu broker is not installed at {} (scripts/test.sh installs it)",
        path.display()
    );
    path
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

/// Runs `strata` with arguments.
pub fn strata(args: &[&str]) -> Output {
    Command::new(strata_bin())
        .args(args)
        .output()
        .expect("run strata")
}

/// A running broker; stopped when dropped.
pub struct Broker {
    child: Child,
    /// `127.0.0.1:port`.
    pub address: String,
    _dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Broker {
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
        let out = Command::new(tansu())
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
            .output()
            .expect("tansu topic create");
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
