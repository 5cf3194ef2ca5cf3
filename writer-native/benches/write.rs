//! Write and compaction throughput against peers, side by side in one run.
//!
//! Upsert write: 10 million rows over 1 million distinct keys (Parquet input generated once
//! by `benches/py/gen_upserts.py`) into a fresh primary-key table with 4 buckets, written by
//! `strata write` (input decoding included), paimon-rust (PyPI `pypaimon-rust`) and pypaimon
//! (input decoding excluded for both). Compaction: the same input written as 5 commits, then
//! `strata compact --full`, against a plain arrow-rs Parquet rewrite of the same files
//! (decode + encode, no merge). Avro: the first two input files into `file.format = avro`
//! tables, by Strata and the peers (`STRATA_BENCH_ONLY=avro` runs only that part).
//! Cross-partition upserts: 50,000 of 200,000 keys moving partition, by Strata and pypaimon
//! (`STRATA_BENCH_ONLY=cross-partition`). Medians of `STRATA_BENCH_RUNS` runs (default 3).
//!
//! ```text
//! cargo bench -p strata-writer --bench write
//! ```

// A benchmark, not library code: a failed unwrap aborts the run, which is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use arrow_array::RecordBatchReader;

fn cache() -> PathBuf {
    std::env::var_os("STRATA_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/strata")
        })
}

fn strata(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(args)
        .output()
        .expect("strata runs");
    assert!(
        out.status.success(),
        "strata {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn create(dir: &Path) -> String {
    create_with(dir, &[])
}

fn create_with(dir: &Path, extra: &[&str]) -> String {
    let _ = std::fs::remove_dir_all(dir);
    let table = dir.join("db.db/t").display().to_string();
    let mut args = vec![
        "create",
        table.as_str(),
        "--columns",
        "id BIGINT, v1 BIGINT, v2 DOUBLE, s STRING",
        "--primary-key",
        "id",
        "--bucket",
        "4",
    ];
    args.extend(extra);
    strata(&args);
    table
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn peer(python: &Path, mode: &str, warehouse: &Path, files: &[String]) -> Option<f64> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/py/write_peers.py");
    let out = Command::new(python)
        .arg(script)
        .args([mode, warehouse.to_str().unwrap(), "db.t"])
        .args(files)
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{mode}: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    v["seconds"].as_f64()
}

/// Reads every data file of a table and rewrites it as one zstd Parquet file: the floor.
fn rewrite_floor(table: &str, out_dir: &Path) -> (f64, u64) {
    let mut files = Vec::new();
    for e in walk(Path::new(table)) {
        if e.extension().is_some_and(|x| x == "parquet") {
            files.push(e);
        }
    }
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    std::fs::create_dir_all(out_dir).unwrap();
    let started = Instant::now();
    for (i, f) in files.iter().enumerate() {
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
            std::fs::File::open(f).unwrap(),
        )
        .unwrap()
        .build()
        .unwrap();
        let schema = reader.schema();
        let props = parquet::file::properties::WriterProperties::builder()
            .set_compression(parquet::basic::Compression::ZSTD(
                parquet::basic::ZstdLevel::try_new(1).unwrap(),
            ))
            .build();
        let out = std::fs::File::create(out_dir.join(format!("{i}.parquet"))).unwrap();
        let mut w = parquet::arrow::ArrowWriter::try_new(out, schema, Some(props)).unwrap();
        for b in reader {
            w.write(&b.unwrap()).unwrap();
        }
        w.close().unwrap();
    }
    (started.elapsed().as_secs_f64(), bytes)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn main() {
    let runs: usize = std::env::var("STRATA_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let rows: u64 = std::env::var("STRATA_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let input = cache().join(format!("bench/upserts-{}m", rows / 1_000_000));
    if !input.join("part-0.parquet").exists() {
        let gen = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/py/gen_upserts.py");
        let st = Command::new(cache().join("venv/bin/python"))
            .args([
                gen.to_str().unwrap(),
                input.to_str().unwrap(),
                &rows.to_string(),
                &(rows / 10).to_string(),
                "10",
            ])
            .status()
            .expect("python");
        assert!(st.success());
    }
    let mut files: Vec<String> = walk(&input)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    let work = std::env::temp_dir().join("strata-write-bench");
    match std::env::var("STRATA_BENCH_ONLY").as_deref() {
        Ok("avro") => return avro_writes(runs, &files, &work),
        Ok("cross-partition") => return cross_partition_writes(runs, &work),
        _ => {}
    }

    let strata_write: Vec<f64> = (0..runs)
        .map(|_| {
            let table = create(&work.join("strata"));
            let started = Instant::now();
            let mut args = vec!["write", table.as_str()];
            args.extend(files.iter().map(String::as_str));
            strata(&args);
            started.elapsed().as_secs_f64()
        })
        .collect();
    let rust_peer: Vec<f64> = (0..runs)
        .filter_map(|_| {
            create(&work.join("paimon-rust"));
            peer(
                &cache().join("bench-venv/bin/python"),
                "pypaimon-rust",
                &work.join("paimon-rust"),
                &files,
            )
        })
        .collect();
    create(&work.join("pypaimon"));
    let py_peer = peer(
        &cache().join("venv/bin/python"),
        "pypaimon",
        &work.join("pypaimon"),
        &files,
    );

    println!(
        "\nUpsert write: {rows} rows, {} distinct keys, 4 buckets\n",
        rows / 10
    );
    println!("| writer | rows/s | seconds |");
    println!("|---|---:|---:|");
    let s = median(strata_write);
    println!(
        "| strata write (input decoding included) | {:.0} k | {s:.2} |",
        rows as f64 / s / 1e3
    );
    if !rust_peer.is_empty() {
        let r = median(rust_peer);
        println!(
            "| paimon-rust (pypaimon-rust) | {:.0} k | {r:.2} |",
            rows as f64 / r / 1e3
        );
        println!("\nStrata / paimon-rust: {:.2}x", r / s);
    }
    if let Some(p) = py_peer {
        println!("| pypaimon | {:.0} k | {p:.2} |", rows as f64 / p / 1e3);
    }

    // Compaction: 5 overlapping commits, then a full compaction, against a plain rewrite.
    let mut compact = Vec::new();
    let mut floor = Vec::new();
    let mut input_bytes = 0;
    for _ in 0..runs {
        // write-only: the writes leave their runs for the explicit compaction below.
        let table = create_with(&work.join("compact"), &["--option", "write-only=true"]);
        for chunk in files.chunks(files.len().div_ceil(5)) {
            let mut args = vec!["write", table.as_str()];
            args.extend(chunk.iter().map(String::as_str));
            strata(&args);
        }
        let (f, bytes) = rewrite_floor(&table, &work.join("floor"));
        floor.push(f);
        input_bytes = bytes;
        let started = Instant::now();
        strata(&["compact", &table, "--full"]);
        compact.push(started.elapsed().as_secs_f64());
    }
    let (c, f) = (median(compact), median(floor));
    let mb = input_bytes as f64 / 1e6;
    println!("\nFull compaction of {mb:.0} MB in 5 sorted runs per bucket\n");
    println!("| job | MB/s | seconds |");
    println!("|---|---:|---:|");
    println!(
        "| strata compact --full (merge + rewrite) | {:.1} | {c:.2} |",
        mb / c
    );
    println!(
        "| arrow-rs Parquet rewrite, no merge (floor) | {:.1} | {f:.2} |",
        mb / f
    );
    avro_writes(runs, &files, &work);
    cross_partition_writes(runs, &work);
}

/// Writes `ids` as one Parquet file of `id BIGINT, v BIGINT, dt STRING`, each row in
/// partition `d<(id + shift) % 4>`.
fn moves_input(path: &Path, ids: &[i64], shift: i64) -> String {
    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
    use std::sync::Arc;
    let cols: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from(ids.to_vec()))),
        (
            "v",
            Arc::new(Int64Array::from_iter_values(ids.iter().map(|i| i * 7))),
        ),
        (
            "dt",
            Arc::new(StringArray::from_iter_values(
                ids.iter().map(|i| format!("d{}", (i + shift) % 4)),
            )),
        ),
    ];
    let batch = RecordBatch::try_from_iter(cols).unwrap();
    let file = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(file, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    path.display().to_string()
}

/// Cross-partition upserts: a table keyed by `id`, partitioned by `dt`, with dynamic buckets,
/// holding 200,000 keys; the timed write upserts 50,000 of them, each into another partition
/// (so each is deleted where it was), reading the table's keys first. No peer writes these
/// tables (pypaimon 2.1 refuses them; paimon-rust 0.4 has no dynamic-bucket writes), so the
/// nearest peer work is the same rows into a dynamic-bucket table keyed by `(id, dt)`, which
/// needs no key read: pypaimon and Strata both write that too.
fn cross_partition_writes(runs: usize, work: &Path) {
    let (keys, moved) = (200_000i64, 50_000usize);
    let dir = work.join("moves-input");
    std::fs::create_dir_all(&dir).unwrap();
    let all: Vec<i64> = (0..keys).collect();
    let load = moves_input(&dir.join("load.parquet"), &all, 0);
    // Every fourth key, each one partition on.
    let some: Vec<i64> = (0..keys).step_by(4).take(moved).collect();
    let upsert = moves_input(&dir.join("upsert.parquet"), &some, 1);
    let create = |at: &Path, key: &str| -> String {
        let _ = std::fs::remove_dir_all(at);
        let table = at.join("db.db/t").display().to_string();
        strata(&[
            "create",
            &table,
            "--columns",
            "id BIGINT, v BIGINT, dt STRING",
            "--primary-key",
            key,
            "--partition",
            "dt",
            "--bucket",
            "-1",
        ]);
        table
    };
    let strata_runs = |key: &str| -> f64 {
        median(
            (0..runs)
                .map(|_| {
                    let table = create(&work.join("moves-strata"), key);
                    strata(&["write", &table, &load]);
                    let started = Instant::now();
                    strata(&["write", &table, &upsert]);
                    started.elapsed().as_secs_f64()
                })
                .collect(),
        )
    };
    let (cross, local) = (strata_runs("id"), strata_runs("id,dt"));
    let python = cache().join("venv/bin/python");
    let py_local = {
        let at = work.join("moves-pypaimon");
        create(&at, "id,dt");
        peer(&python, "pypaimon", &at, std::slice::from_ref(&load))
            .and_then(|_| peer(&python, "pypaimon", &at, std::slice::from_ref(&upsert)))
    };
    println!("\nCross-partition upserts: {moved} of {keys} keys move partition, one commit\n");
    println!("| writer | table | rows/s | seconds |");
    println!("|---|---|---:|---:|");
    let line = |name: &str, table: &str, t: f64| {
        println!(
            "| {name} | {table} | {:.0} k | {t:.3} |",
            moved as f64 / t / 1e3
        );
    };
    line(
        "strata write (input decoding and the key read included)",
        "key id: cross-partition",
        cross,
    );
    line("strata write", "key (id, dt): dynamic buckets", local);
    match py_local {
        Some(p) => {
            line("pypaimon", "key (id, dt): dynamic buckets", p);
            println!(
                "\npypaimon (id, dt) / Strata cross-partition: {:.2}x",
                p / cross
            );
            println!("pypaimon (id, dt) / Strata (id, dt): {:.2}x", p / local);
        }
        None => println!("| pypaimon | key (id, dt) | failed (see stderr) | |"),
    }
}

/// The upsert write into a `file.format = avro` table: the first two input files (2 million
/// rows at the default size), by Strata (Avro, and Parquet for reference) and the peers.
fn avro_writes(runs: usize, files: &[String], work: &Path) {
    let files = &files[..files.len().min(2)];
    let rows: usize = files
        .iter()
        .map(|f| {
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                std::fs::File::open(f).unwrap(),
            )
            .unwrap()
            .metadata()
            .file_metadata()
            .num_rows() as usize
        })
        .sum();
    let strata_runs = |format: &str| -> f64 {
        median(
            (0..runs)
                .map(|_| {
                    let option = format!("file.format={format}");
                    let table = create_with(&work.join("avro"), &["--option", &option]);
                    let started = Instant::now();
                    let mut args = vec!["write", table.as_str()];
                    args.extend(files.iter().map(String::as_str));
                    strata(&args);
                    started.elapsed().as_secs_f64()
                })
                .collect(),
        )
    };
    let avro = strata_runs("avro");
    let parquet = strata_runs("parquet");
    let peer_avro = |python: PathBuf, mode: &str, runs: usize| -> Option<f64> {
        let times: Vec<f64> = (0..runs)
            .filter_map(|_| {
                create_with(&work.join(mode), &["--option", "file.format=avro"]);
                peer(&python, mode, &work.join(mode), files)
            })
            .collect();
        (!times.is_empty()).then(|| median(times))
    };
    let rust_peer = peer_avro(cache().join("bench-venv/bin/python"), "pypaimon-rust", runs);
    let py_peer = peer_avro(cache().join("venv/bin/python"), "pypaimon", 1);
    println!("\nUpsert write into Avro data files: {rows} rows, 4 buckets\n");
    println!("| writer | rows/s | seconds |");
    println!("|---|---:|---:|");
    let line = |name: &str, s: f64| {
        println!("| {name} | {:.0} k | {s:.2} |", rows as f64 / s / 1e3);
    };
    line("strata write, Avro (input decoding included)", avro);
    line("strata write, Parquet (same input, reference)", parquet);
    match rust_peer {
        Some(r) => line("paimon-rust (pypaimon-rust), Avro", r),
        None => println!("| paimon-rust (pypaimon-rust), Avro | failed (see stderr) | |"),
    }
    match py_peer {
        Some(p) => line("pypaimon, Avro", p),
        None => println!("| pypaimon, Avro | failed (see stderr) | |"),
    }
    if let Some(p) = py_peer {
        println!("\nStrata Avro / pypaimon Avro: {:.2}x", p / avro);
    }
    if let Some(r) = rust_peer {
        println!("Strata Avro / paimon-rust Avro: {:.2}x", r / avro);
    }
}
