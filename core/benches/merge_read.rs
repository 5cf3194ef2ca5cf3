//! Merge-on-read throughput against peers, in one run, on the same files.
//!
//! A primary-key table with several overlapping sorted runs per bucket (written by pypaimon,
//! `benches/py/gen_merge_table.py`) is read in full by:
//! - Strata's merge-on-read scan (`strata-core`);
//! - paimon-rust, through PyPI's `pypaimon-rust`;
//! - pypaimon (pure Python);
//! - a plain decode of the same files without any merge (the floor): arrow-rs for Parquet,
//!   orc-rust for ORC, arrow-avro for Avro (build with `--features orc,avro` for those).
//!
//! Each contender runs in its own process, so peak memory (VmHWM / ru_maxrss) is its own.
//! Reported: input rows/s (rows in the files / seconds), output rows, peak memory; medians of
//! `STRATA_BENCH_RUNS` runs (default 5; pypaimon runs once: it is slow).
//!
//! ```text
//! cargo bench -p strata-core --bench merge_read            # table from scripts/bench.sh
//! cargo bench -p strata-core --bench merge_read -- WAREHOUSE  # any warehouse with bench.merge
//! cargo bench -p strata-core --features orc,avro --bench merge_read -- WAREHOUSE  # ORC, Avro
//! ```

// A benchmark, not library code: a failed unwrap aborts the run, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use futures::executor::block_on;
use strata_core::read::{ReadBuilder, TableReader};
use strata_core::storage::{check_path, slice_range, ObjectMeta, Storage};
use strata_core::table::Table;
use strata_core::{Error, Result};

/// Blocking std::fs storage: enough for a local benchmark.
#[derive(Debug)]
struct FsStorage(PathBuf);

impl FsStorage {
    fn path(&self, p: &str) -> Result<PathBuf> {
        check_path(p)?;
        Ok(self.0.join(p))
    }
}

fn io(p: &str, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::NotFound { path: p.into() }
    } else {
        Error::Storage {
            path: p.into(),
            message: e.to_string(),
        }
    }
}

#[async_trait::async_trait]
impl Storage for FsStorage {
    async fn get(&self, p: &str) -> Result<Bytes> {
        std::fs::read(self.path(p)?)
            .map(Bytes::from)
            .map_err(|e| io(p, e))
    }
    async fn get_range(&self, p: &str, r: Range<u64>) -> Result<Bytes> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = std::fs::File::open(self.path(p)?).map_err(|e| io(p, e))?;
        let len = f.metadata().map_err(|e| io(p, e))?.len();
        if r.end > len || r.start > r.end {
            return slice_range(p, &Bytes::new(), r);
        }
        f.seek(SeekFrom::Start(r.start)).map_err(|e| io(p, e))?;
        let mut buf = Vec::with_capacity((r.end - r.start) as usize);
        f.take(r.end - r.start)
            .read_to_end(&mut buf)
            .map_err(|e| io(p, e))?;
        Ok(Bytes::from(buf))
    }
    async fn head(&self, p: &str) -> Result<Option<ObjectMeta>> {
        match std::fs::metadata(self.path(p)?) {
            Ok(m) => Ok(Some(ObjectMeta {
                path: p.into(),
                size: m.len(),
                last_modified: None,
            })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(p, e)),
        }
    }
    async fn put_if_absent(&self, p: &str, _: Bytes) -> Result<()> {
        Err(Error::unsupported(p, "the benchmark storage is read-only"))
    }
    async fn put(&self, p: &str, _: Bytes) -> Result<()> {
        Err(Error::unsupported(p, "the benchmark storage is read-only"))
    }
    async fn list(&self, p: &str) -> Result<Vec<ObjectMeta>> {
        let dir = self.path(p.trim_end_matches('/'))?;
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).map_err(|e| io(p, e))? {
            let e = e.map_err(|e| io(p, e))?;
            out.push(ObjectMeta {
                path: format!(
                    "{}/{}",
                    p.trim_end_matches('/'),
                    e.file_name().to_string_lossy()
                ),
                size: e.metadata().map_err(|e| io(p, e))?.len(),
                last_modified: None,
            });
        }
        Ok(out)
    }
    async fn delete(&self, p: &str) -> Result<()> {
        Err(Error::unsupported(p, "the benchmark storage is read-only"))
    }
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

fn open(table_dir: &Path) -> Arc<Table> {
    Arc::new(
        block_on(Table::open(Arc::new(FsStorage(table_dir.to_path_buf())))).expect("table opens"),
    )
}

/// Child: Strata's merge-on-read scan.
fn run_strata(table_dir: &Path) -> (f64, u64) {
    let table = open(table_dir);
    let started = Instant::now();
    let mut reader: TableReader = block_on(ReadBuilder::new().build(table)).expect("plan");
    let mut rows = 0u64;
    while let Some(b) = block_on(reader.next()).expect("read") {
        rows += b.num_rows() as u64;
    }
    (started.elapsed().as_secs_f64(), rows)
}

/// Child: Strata's merge-on-read scan with its splits read on every core (as `strata scan`).
fn run_strata_parallel(table_dir: &Path) -> (f64, u64) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .build()
        .expect("runtime");
    let table = open(table_dir);
    let started = Instant::now();
    let rows = rt.block_on(async move {
        let reader = ReadBuilder::new().build(table).await.expect("plan");
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

/// The live data files of the latest snapshot and their total row count.
fn live_files(table_dir: &Path) -> (Vec<PathBuf>, u64) {
    let table = open(table_dir);
    let snap = block_on(strata_core::scan::resolve_snapshot(
        table.storage(),
        &Default::default(),
    ))
    .expect("snapshot")
    .expect("the table has a snapshot");
    let files = block_on(strata_core::scan::plan_files(&table, &snap, None)).expect("plan");
    let rows = files.iter().map(|e| e.file.row_count as u64).sum();
    let paths = files
        .iter()
        .map(|e| {
            table_dir
                .join(format!("bucket-{}", e.bucket))
                .join(&e.file.file_name)
        })
        .collect();
    (paths, rows)
}

/// Child: decode every column of every file with its format's decoder (arrow-rs Parquet,
/// orc-rust, arrow-avro), no merge.
fn run_decode(table_dir: &Path) -> (f64, u64) {
    let (files, _) = live_files(table_dir);
    let started = Instant::now();
    let mut rows = 0u64;
    for f in files {
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or_default();
        rows += match ext {
            "parquet" => {
                let file = std::fs::File::open(&f).expect("data file");
                parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                    .expect("parquet")
                    .with_batch_size(8192)
                    .build()
                    .expect("reader")
                    .map(|b| b.expect("batch").num_rows() as u64)
                    .sum::<u64>()
            }
            #[cfg(feature = "orc")]
            "orc" => {
                let bytes = Bytes::from(std::fs::read(&f).expect("data file"));
                orc_rust::arrow_reader::ArrowReaderBuilder::try_new(bytes)
                    .expect("orc")
                    .with_batch_size(8192)
                    .build()
                    .map(|b| b.expect("batch").num_rows() as u64)
                    .sum::<u64>()
            }
            #[cfg(feature = "avro")]
            "avro" => {
                let bytes = std::io::Cursor::new(std::fs::read(&f).expect("data file"));
                arrow_avro::reader::ReaderBuilder::new()
                    .with_batch_size(8192)
                    .build(bytes)
                    .expect("avro")
                    .map(|b| b.expect("batch").num_rows() as u64)
                    .sum::<u64>()
            }
            other => panic!("{}: no decoder for .{other} in this build", f.display()),
        };
    }
    (started.elapsed().as_secs_f64(), rows)
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    seconds: f64,
    rows: u64,
    peak_kb: u64,
}

fn parse_sample(out: &[u8]) -> Option<Sample> {
    let v: serde_json::Value =
        serde_json::from_slice(out.split(|b| *b == b'\n').rfind(|l| !l.is_empty())?).ok()?;
    Some(Sample {
        seconds: v["seconds"].as_f64()?,
        rows: v["rows"].as_u64()?,
        peak_kb: v["peak_kb"].as_u64()?,
    })
}

fn median(mut v: Vec<Sample>) -> Option<Sample> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    let mut peaks: Vec<u64> = v.iter().map(|s| s.peak_kb).collect();
    peaks.sort_unstable();
    let mut m = v[v.len() / 2];
    m.peak_kb = peaks[peaks.len() / 2];
    Some(m)
}

fn cache() -> PathBuf {
    std::env::var_os("STRATA_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/strata")
        })
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--child") {
        let dir = PathBuf::from(&args[2]);
        let (seconds, rows) = match args[1].as_str() {
            "strata" => run_strata(&dir),
            "strata-parallel" => run_strata_parallel(&dir),
            _ => run_decode(&dir),
        };
        println!(
            "{}",
            serde_json::json!({"seconds": seconds, "rows": rows, "peak_kb": peak_kb()})
        );
        return;
    }
    let warehouse = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| cache().join("bench/merge-10m"));
    let table_dir = warehouse.join("bench.db/merge");
    assert!(
        table_dir.exists(),
        "{} missing: run scripts/bench.sh to generate it",
        table_dir.display()
    );
    let runs: usize = std::env::var("STRATA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let (files, input_rows) = live_files(&table_dir);
    println!(
        "table {}: {} files, {input_rows} input rows",
        table_dir.display(),
        files.len()
    );

    let me = std::env::current_exe().expect("bench binary");
    let child = |mode: &str| {
        let out = Command::new(&me)
            .args(["--child", mode, table_dir.to_str().unwrap()])
            .output()
            .expect("child");
        parse_sample(&out.stdout)
    };
    let venv = |name: &str| cache().join(name).join("bin/python");
    let peers = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/py/read_peers.py");
    let python = |py: PathBuf, mode: &str| {
        let out = Command::new(py)
            .arg(&peers)
            .args([mode, warehouse.to_str().unwrap(), "bench.merge"])
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!("{mode}: {}", String::from_utf8_lossy(&out.stderr));
        }
        parse_sample(&out.stdout)
    };
    let results: Vec<(&str, Option<Sample>)> = vec![
        (
            "strata merge-on-read",
            median((0..runs).filter_map(|_| child("strata")).collect()),
        ),
        (
            "strata merge-on-read, splits on every core",
            median((0..runs).filter_map(|_| child("strata-parallel")).collect()),
        ),
        (
            "plain decode (arrow-rs Parquet, orc-rust, arrow-avro), no merge",
            median((0..runs).filter_map(|_| child("decode")).collect()),
        ),
        (
            "paimon-rust (pypaimon-rust)",
            median(
                (0..runs)
                    .filter_map(|_| python(venv("bench-venv"), "pypaimon-rust"))
                    .collect(),
            ),
        ),
        (
            "pypaimon (pure Python)",
            median(python(venv("venv"), "pypaimon").into_iter().collect()),
        ),
    ];
    let strata = results[0].1.expect("strata ran");
    println!("\n| reader | input rows/s | seconds | output rows | peak MB | Strata speed-up |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, s) in &results {
        match s {
            Some(s) => println!(
                "| {name} | {:.2} M | {:.2} | {} | {} | {:.2}x |",
                input_rows as f64 / s.seconds / 1e6,
                s.seconds,
                s.rows,
                s.peak_kb / 1024,
                s.seconds / strata.seconds
            ),
            None => println!("| {name} | not run | | | | |"),
        }
    }
    if let Some(Some(py)) = results.get(3).map(|r| r.1) {
        assert_eq!(
            py.rows, strata.rows,
            "paimon-rust and Strata disagree on the merged row count"
        );
    }
}
