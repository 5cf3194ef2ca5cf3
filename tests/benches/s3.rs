//! Reads and writes on S3, Strata against paimon-rust, on a real S3-protocol server (moto) on
//! loopback.
//!
//! Read: the merge-on-read benchmark table (`bench/merge-2m` of `scripts/bench.sh`: 2 M input
//! rows in 5 overlapping commits, 4 buckets, written by pypaimon) is uploaded once, file by
//! file, to `s3://BUCKET/wh/bench.db/merge`; then every contender reads all of it (the latest
//! snapshot, every column, merged) in a process of its own:
//! - Strata (`strata-core`'s `ReadBuilder` over `ObjectStoreStorage`), its splits read in turn;
//! - Strata with its splits read on every core (what `strata scan` does);
//! - paimon-rust through PyPI's `pypaimon-rust` (`benches/py/s3_peers.py`).
//!
//! Write: an upsert write of 1 M rows (the first 5 files of `bench/upserts-2m`) into a fresh
//! primary-key table with 4 buckets (created by Strata, one per run and writer), one commit, by
//! Strata's writer (`strata_core::write::write`, what `strata write` drives) and by
//! paimon-rust's batch writer. Both decode the Parquet input before the clock starts.
//!
//! Each side's time covers everything that talks to the server, from opening the table to the
//! last batch (read) or the commit (write). Between the runs the bench counts each side's
//! requests from moto's request log (one line per request) and its bytes on the wire (HTTP
//! headers included) with a counting TCP relay that both sides reach the server through.
//! Medians of `STRATA_BENCH_RUNS` runs (default 3), the contenders interleaved run by run.
//!
//! ```text
//! cargo bench -p strata-tests --bench s3
//! ```
//!
//! Skips with a note (and exits 0) when moto or the bench venv (`pypaimon-rust`) is missing:
//! `scripts/test.sh` installs moto, `scripts/bench.sh` the venv and the tables.

// A benchmark, not library code: a failed unwrap aborts the run, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use strata_core::create_table::{create_table, CreateTable};
use strata_core::read::ReadBuilder;
use strata_core::storage::Storage;
use strata_core::table::Table;
use strata_core::write::{write, Input, WriteOptions};
use strata_tests::s3::{moto, moto_bin, ACCESS_KEY, SECRET_KEY};
use strata_writer::storage::StorageOptions;
use strata_writer::write::input::{input_batches, InputFormat};
use strata_writer::ObjectStoreStorage;

const COLUMNS: &str = "id BIGINT, v1 BIGINT, v2 DOUBLE, s STRING";
/// Input files of the write (of `bench/upserts-2m`'s 10, 200,000 rows each).
const WRITE_FILES: usize = 5;

fn cache() -> PathBuf {
    std::env::var_os("STRATA_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/strata")
        })
}

/// Storage options that reach the server at `endpoint` (Paimon's names, as `strata -S`).
fn options(endpoint: &str) -> StorageOptions {
    StorageOptions::new([
        ("s3.endpoint", endpoint),
        ("s3.access-key", ACCESS_KEY),
        ("s3.secret-key", SECRET_KEY),
        ("s3.region", "us-east-1"),
        ("s3.path.style.access", "true"),
    ])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Children: one contender run each, in a process of its own.

/// The columns of the projected read: all but `v1`, whose chunk (about 0.8 MB a file) lies
/// between the key's and `v2`'s.
const PROJECTED: [&str; 3] = ["id", "v2", "s"];

/// The S3 storage with [`Storage::coalesce_gap`] 0 (only touching ranges joined, as before
/// 2026-12-06), to show what joining ranges across gaps saves.
#[derive(Debug)]
struct TouchingOnly(ObjectStoreStorage);

#[async_trait::async_trait]
impl Storage for TouchingOnly {
    async fn get(&self, p: &str) -> strata_core::Result<Bytes> {
        self.0.get(p).await
    }
    async fn get_range(&self, p: &str, r: std::ops::Range<u64>) -> strata_core::Result<Bytes> {
        self.0.get_range(p, r).await
    }
    async fn head(&self, p: &str) -> strata_core::Result<Option<strata_core::storage::ObjectMeta>> {
        self.0.head(p).await
    }
    async fn put_if_absent(&self, p: &str, d: Bytes) -> strata_core::Result<()> {
        self.0.put_if_absent(p, d).await
    }
    async fn put(&self, p: &str, d: Bytes) -> strata_core::Result<()> {
        self.0.put(p, d).await
    }
    async fn list(&self, p: &str) -> strata_core::Result<Vec<strata_core::storage::ObjectMeta>> {
        self.0.list(p).await
    }
    async fn delete(&self, p: &str) -> strata_core::Result<()> {
        self.0.delete(p).await
    }
}

/// Strata's merge-on-read scan of the table at `url`: its splits in turn, or on every core;
/// every column, or [`PROJECTED`]; `touching_only` with [`TouchingOnly`] storage.
fn child_read(
    endpoint: &str,
    url: &str,
    every_core: bool,
    projected: bool,
    touching_only: bool,
) -> (f64, u64) {
    let rt = runtime();
    let started = Instant::now();
    let rows = rt.block_on(async {
        let storage = ObjectStoreStorage::open_with(url, &options(endpoint)).expect("storage");
        let storage: Arc<dyn Storage> = if touching_only {
            Arc::new(TouchingOnly(storage))
        } else {
            Arc::new(storage)
        };
        let table = Arc::new(Table::open(storage).await.expect("table opens"));
        let mut builder = ReadBuilder::new();
        if projected {
            builder = builder.columns(PROJECTED.iter().map(|c| c.to_string()).collect());
        }
        let mut reader = builder.build(table).await.expect("plan");
        if !every_core {
            let mut rows = 0u64;
            while let Some(b) = reader.next().await.expect("read") {
                rows += b.num_rows() as u64;
            }
            return rows;
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let tasks: Vec<_> = reader
            .partition(threads)
            .into_iter()
            .map(|mut part| {
                tokio::spawn(async move {
                    let mut rows = 0u64;
                    while let Some(b) = part.next().await.expect("read") {
                        rows += b.num_rows() as u64;
                    }
                    rows
                })
            })
            .collect();
        let mut rows = 0;
        for t in tasks {
            rows += t.await.expect("task");
        }
        rows
    });
    (started.elapsed().as_secs_f64(), rows)
}

/// Strata's writer: the Parquet `files` upserted into the table at `url` as one commit. The
/// input is decoded before the clock starts, as the peer's is.
fn child_write(endpoint: &str, url: &str, files: &[String]) -> (f64, u64) {
    let rt = runtime();
    let opts = options(endpoint);
    let fields = {
        let storage = ObjectStoreStorage::open_with(url, &opts).expect("storage");
        let table = rt
            .block_on(Table::open(Arc::new(storage)))
            .expect("table opens");
        table.schema().fields.clone()
    };
    let mut inputs = Vec::new();
    for f in files {
        for b in input_batches(f, InputFormat::Parquet, &fields, &[], false).expect("input") {
            let (first_line, batch) = b.expect("input batch");
            inputs.push(Input {
                path: f.clone(),
                first_line,
                batch,
                kinds: None,
            });
        }
    }
    let rows = inputs.iter().map(|i| i.batch.num_rows() as u64).sum();
    let started = Instant::now();
    rt.block_on(async {
        let storage = ObjectStoreStorage::open_with(url, &opts).expect("storage");
        let table = Arc::new(Table::open(Arc::new(storage)).await.expect("table opens"));
        write(
            table,
            inputs,
            WriteOptions::default(),
            strata_writer::runtime::env(),
        )
        .await
        .expect("write")
        .expect("a snapshot");
    });
    (started.elapsed().as_secs_f64(), rows)
}

#[path = "s3/wire.rs"]
mod wire;
use wire::{relay, MotoLog, Requests, Wire, WireCount};

// ---------------------------------------------------------------------------------------
// The parent: set-up, runs, and the report.

#[derive(Debug, Clone)]
struct Sample {
    seconds: f64,
    rows: u64,
    peak_kb: u64,
    requests: Requests,
    wire: WireCount,
}

fn parse(out: &[u8]) -> Option<(f64, u64, u64)> {
    let v: serde_json::Value =
        serde_json::from_slice(out.split(|b| *b == b'\n').rfind(|l| !l.is_empty())?).ok()?;
    Some((
        v["seconds"].as_f64()?,
        v["rows"].as_u64()?,
        v["peak_kb"].as_u64()?,
    ))
}

/// Runs one contender's command, counting its requests and bytes.
fn measure(log: &MotoLog, wire: &Wire, cmd: &mut Command, what: &str) -> Option<Sample> {
    let from = log.settled();
    let before = wire.now();
    let out = cmd.output().expect("contender runs");
    let to = log.settled();
    let after = wire.now();
    if !out.status.success() {
        eprintln!(
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let (seconds, rows, peak_kb) = parse(&out.stdout)?;
    let requests = log.between(from, to);
    Some(Sample {
        seconds,
        rows,
        peak_kb,
        requests,
        wire: WireCount {
            up: after.up - before.up,
            down: after.down - before.down,
            connections: after.connections - before.connections,
        },
    })
}

fn median(mut v: Vec<Sample>) -> Option<Sample> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mut peaks: Vec<u64> = v.iter().map(|s| s.peak_kb).collect();
    peaks.sort_unstable();
    let mut m = v[v.len() / 2].clone();
    m.peak_kb = peaks[peaks.len() / 2];
    Some(m)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

fn print_table(title: &str, rows_label: &str, results: &[(&str, Option<Sample>)]) {
    println!("\n{title}\n");
    println!(
        "| {rows_label} | seconds | output rows | peak MB | requests | MB down | MB up | connections | time vs Strata |"
    );
    println!("|---|---:|---:|---:|---|---:|---:|---:|---:|");
    let base = results[0].1.as_ref().map(|s| s.seconds);
    for (name, s) in results {
        match s {
            Some(s) => println!(
                "| {name} | {:.2} | {} | {} | {} ({}) | {} | {} | {} | {} |",
                s.seconds,
                s.rows,
                s.peak_kb / 1024,
                s.requests.total(),
                s.requests.describe(),
                mb(s.wire.down),
                mb(s.wire.up),
                s.wire.connections,
                base.map_or("-".into(), |b| format!("{:.2}x", s.seconds / b)),
            ),
            None => println!("| {name} | not run (see stderr) | | | | | | | |"),
        }
    }
}

/// Creates a fresh `id`-keyed table with 4 buckets at `url`.
fn create(rt: &tokio::runtime::Runtime, url: &str, opts: &StorageOptions) {
    let spec = CreateTable {
        columns: COLUMNS.into(),
        primary_keys: vec!["id".into()],
        partition_keys: vec![],
        bucket: Some(4),
        options: BTreeMap::new(),
    };
    let storage = ObjectStoreStorage::create_with(url, opts).expect("storage");
    rt.block_on(create_table(
        &storage,
        &spec.schema(strata_writer::now_millis()).expect("schema"),
    ))
    .expect("create");
}

/// Rows of the latest snapshot of the table at `url`, merged (Strata's read).
fn merged_rows(rt: &tokio::runtime::Runtime, url: &str, opts: &StorageOptions) -> u64 {
    rt.block_on(async {
        let storage = ObjectStoreStorage::open_with(url, opts).expect("storage");
        let table = Arc::new(Table::open(Arc::new(storage)).await.expect("table opens"));
        let mut reader = ReadBuilder::new().build(table).await.expect("plan");
        let mut rows = 0u64;
        while let Some(b) = reader.next().await.expect("read") {
            rows += b.num_rows() as u64;
        }
        rows
    })
}

/// The merge-on-read table of `scripts/bench.sh` (2 M rows), generated with pypaimon when
/// missing; `None` (with a note) when it cannot be.
fn read_table() -> Option<PathBuf> {
    let wh = std::env::var_os("STRATA_BENCH_S3_WAREHOUSE")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("bench/merge-2m"));
    let dir = wh.join("bench.db/merge");
    if dir.join("snapshot").exists() {
        return Some(dir);
    }
    let py = cache().join("venv/bin/python");
    if !py.exists() {
        println!(
            "note: {} is missing and so is pypaimon ({}) to generate it: the read is skipped \
             (scripts/bench.sh makes both)",
            dir.display(),
            py.display()
        );
        return None;
    }
    let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/benches/py/gen_merge_table.py");
    let _ = std::fs::remove_dir_all(&wh);
    let ok = Command::new(py)
        .arg(gen)
        .args([wh.to_str().unwrap(), "2000000", "5", "4"])
        .status()
        .is_ok_and(|s| s.success());
    ok.then_some(dir)
}

/// The write's input files (`bench/upserts-2m`, generated when missing).
fn write_input() -> Option<Vec<String>> {
    let dir = cache().join("bench/upserts-2m");
    if !dir
        .join(format!("part-{}.parquet", WRITE_FILES - 1))
        .exists()
    {
        let gen = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../writer-native/benches/py/gen_upserts.py");
        let ok = Command::new(cache().join("venv/bin/python"))
            .arg(gen)
            .args([dir.to_str().unwrap(), "2000000", "200000", "10"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            println!(
                "note: could not generate {}: the write is skipped",
                dir.display()
            );
            return None;
        }
    }
    Some(
        (0..WRITE_FILES)
            .map(|i| dir.join(format!("part-{i}.parquet")).display().to_string())
            .collect(),
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        let (seconds, rows) = match args[1].as_str() {
            "read" => child_read(&args[2], &args[3], false, false, false),
            "read-every-core" => child_read(&args[2], &args[3], true, false, false),
            "read-projected" => child_read(&args[2], &args[3], true, true, false),
            "read-projected-touching" => child_read(&args[2], &args[3], true, true, true),
            _ => child_write(&args[2], &args[3], &args[4..]),
        };
        println!(
            "{}",
            serde_json::json!({"seconds": seconds, "rows": rows, "peak_kb": peak_kb()})
        );
        return;
    }

    let venv_python = cache().join("bench-venv/bin/python");
    if !moto_bin().exists() {
        println!(
            "skipped: the S3 server moto ({}) is missing; scripts/test.sh installs it",
            moto_bin().display()
        );
        return;
    }
    if !venv_python.exists() {
        println!(
            "skipped: the bench venv with pypaimon-rust ({}) is missing; scripts/bench.sh installs it",
            venv_python.display()
        );
        return;
    }
    let runs: usize = std::env::var("STRATA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);

    let server = moto();
    let port = server.endpoint.rsplit(':').next().unwrap().to_string();
    let bucket = server.bucket("bench");
    let log = MotoLog {
        path: std::env::temp_dir().join(format!("strata-moto-{port}.log")),
        bucket: bucket.clone(),
    };
    let wire = Arc::new(Wire::default());
    let endpoint = relay(format!("127.0.0.1:{port}"), wire.clone());
    let opts = options(&endpoint);
    let rt = runtime();
    let me = std::env::current_exe().expect("bench binary");
    let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/py/s3_peers.py");
    println!(
        "moto {} (log {}), through a counting relay at {endpoint}; {runs} runs",
        server.endpoint,
        log.path.display()
    );

    // Read.
    if let Some(dir) = read_table() {
        let url = format!("s3://{bucket}/wh/bench.db/merge");
        let storage = ObjectStoreStorage::open_with(&url, &opts).expect("storage");
        let files = walk(&dir);
        let mut bytes = 0u64;
        let started = Instant::now();
        rt.block_on(async {
            for f in &files {
                let rel = f.strip_prefix(&dir).unwrap().to_str().unwrap();
                let data = std::fs::read(f).unwrap();
                bytes += data.len() as u64;
                storage.put(rel, Bytes::from(data)).await.expect("upload");
            }
        });
        let input_rows = {
            let table = rt
                .block_on(Table::open(Arc::new(storage.clone())))
                .expect("table opens");
            let snap = rt
                .block_on(strata_core::scan::resolve_snapshot(
                    table.storage(),
                    &Default::default(),
                ))
                .expect("snapshot")
                .expect("a snapshot");
            rt.block_on(strata_core::scan::plan_files(&table, &snap, None))
                .expect("plan")
                .iter()
                .map(|e| e.file.row_count as u64)
                .sum::<u64>()
        };
        println!(
            "uploaded {} ({} files, {} MB, {input_rows} input rows) to {url} in {:.1} s",
            dir.display(),
            files.len(),
            mb(bytes),
            started.elapsed().as_secs_f64()
        );
        let (mut one, mut every, mut peer) = (vec![], vec![], vec![]);
        let (mut projected, mut touching, mut peer_projected) = (vec![], vec![], vec![]);
        for _ in 0..runs {
            for (mode, into) in [
                ("read", &mut one),
                ("read-every-core", &mut every),
                ("read-projected", &mut projected),
                ("read-projected-touching", &mut touching),
            ] {
                let mut cmd = Command::new(&me);
                cmd.args(["--child", mode, &endpoint, &url]);
                into.extend(measure(&log, &wire, &mut cmd, mode));
            }
            for (mode, into) in [("read", &mut peer), ("read-projected", &mut peer_projected)] {
                let mut cmd = Command::new(&venv_python);
                cmd.arg(&peers).args([
                    mode,
                    &endpoint,
                    &format!("s3://{bucket}/wh"),
                    "bench.merge",
                ]);
                into.extend(measure(
                    &log,
                    &wire,
                    &mut cmd,
                    &format!("paimon-rust {mode}"),
                ));
            }
        }
        let results = [
            ("Strata merge-on-read, splits in turn", median(one)),
            (
                "Strata merge-on-read, splits on every core (as `strata scan`)",
                median(every),
            ),
            ("paimon-rust 0.4.0 (`pypaimon-rust`)", median(peer)),
        ];
        print_table(
            &format!("Merge-on-read of {input_rows} input rows on S3 (moto), median of {runs}"),
            "reader",
            &results,
        );
        let strata_rows = results[0].1.as_ref().map(|s| s.rows);
        for (name, s) in &results[1..] {
            if let (Some(a), Some(s)) = (strata_rows, s) {
                assert_eq!(a, s.rows, "{name} and Strata disagree on the merged rows");
            }
        }
        let results = [
            (
                "Strata merge-on-read of `id, v2, s`, splits on every core",
                median(projected),
            ),
            (
                "Strata, the same, ranges joined only where they touch (before 2026-12-06)",
                median(touching),
            ),
            (
                "paimon-rust 0.4.0 (`pypaimon-rust`), `with_projection`",
                median(peer_projected),
            ),
        ];
        print_table(
            &format!(
                "Merge-on-read of {input_rows} input rows on S3 (moto), columns `id, v2, s` \
                 (`v1` skipped), median of {runs}"
            ),
            "reader",
            &results,
        );
        for (name, s) in &results {
            if let (Some(a), Some(s)) = (strata_rows, s) {
                assert_eq!(a, s.rows, "{name} disagrees on the merged rows");
            }
        }
    }

    // Write.
    if let Some(files) = write_input() {
        let (mut strata, mut peer) = (vec![], vec![]);
        let mut merged = BTreeMap::new();
        for run in 0..runs {
            let url = format!("s3://{bucket}/write/strata-{run}/db.db/t");
            create(&rt, &url, &opts);
            let mut cmd = Command::new(&me);
            cmd.args(["--child", "write", &endpoint, &url]).args(&files);
            strata.extend(measure(&log, &wire, &mut cmd, "strata write"));
            merged.insert("strata", merged_rows(&rt, &url, &opts));

            let wh = format!("s3://{bucket}/write/prust-{run}");
            let url = format!("{wh}/db.db/t");
            create(&rt, &url, &opts);
            let mut cmd = Command::new(&venv_python);
            cmd.arg(&peers)
                .args(["write", &endpoint, &wh, "db.t"])
                .args(&files);
            peer.extend(measure(&log, &wire, &mut cmd, "paimon-rust write"));
            merged.insert("paimon-rust", merged_rows(&rt, &url, &opts));
        }
        let results = [
            (
                "Strata (`strata_core::write`, as `strata write`)",
                median(strata),
            ),
            ("paimon-rust 0.4.0 (`pypaimon-rust`)", median(peer)),
        ];
        let input_rows = results
            .iter()
            .find_map(|r| r.1.as_ref().map(|s| s.rows))
            .unwrap_or(0);
        print_table(
            &format!(
                "Upsert write of {input_rows} rows into a fresh 4-bucket table on S3 (moto), one \
                 commit, median of {runs} (output rows: the rows written; merged rows read back \
                 by Strata: {merged:?})"
            ),
            "writer",
            &results,
        );
        assert!(
            merged.values().all(|n| Some(n) == merged.values().next()),
            "the two writers' tables read back differently: {merged:?}"
        );
    }
}
