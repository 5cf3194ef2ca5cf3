//! Shared harness of Strata's cross-implementation suites: the pypaimon environment, the
//! generated warehouse, and the JSON conventions the Python dumper and the Rust side share.
//!
//! Datum JSON (one value of a typed column): null; booleans; integers; floats (`"NaN"`,
//! `"Infinity"`, `"-Infinity"` as strings); strings; `{"hex": …}` for binaries;
//! `{"unscaled": "…"}` for decimals; `{"days": n}` for dates; `{"millis_of_day": n}` for times;
//! `{"micros": n}` for timestamps.

// Test-only harness crate: a failed unwrap in a test or its helpers is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use serde_json::{json, Value};
use strata_core::binary_row::{datum_at, hex, Datum, Timestamp};
use strata_core::types::{DataType, TypeKind};

/// The Python interpreter of the pypaimon venv: `$STRATA_PYTHON`, else
/// `$HOME/.cache/strata/venv/bin/python` (what `scripts/test.sh` installs).
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("STRATA_PYTHON") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home).join(".cache/strata/venv/bin/python")
}

/// Whether this test must skip because the pypaimon venv is missing: a bare `cargo test` on
/// a fresh clone has no Python peer, so the suites that need one say why and pass, while
/// `scripts/test.sh` (which installs the venv and sets `STRATA_REQUIRE_ALL=1`) fails instead.
pub fn python_missing() -> bool {
    let py = python();
    if py.exists() {
        return false;
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "{} not found, and STRATA_REQUIRE_ALL is set: scripts/test.sh installs the pypaimon venv",
        py.display()
    );
    eprintln!(
        "skipped: the pypaimon venv ({}) is missing; scripts/test.sh installs it and runs this suite",
        py.display()
    );
    true
}

/// Directory of the Python scripts.
pub fn py_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("compat/py")
}

/// Runs a Python script of `compat/py` with arguments; panics with its output on failure.
pub fn run_py(script: &str, args: &[&Path]) {
    let py = python();
    assert!(
        py.exists(),
        "{} not found: run scripts/test.sh (it creates the pypaimon venv) or set STRATA_PYTHON",
        py.display()
    );
    let out = Command::new(&py)
        .arg(py_dir().join(script))
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A warehouse of pypaimon-written tables, pypaimon's dump of it, and the generator's model
/// of what every snapshot holds.
pub struct Warehouse {
    /// Keeps the directory alive.
    pub dir: tempfile::TempDir,
    /// The dump (`dump_tables.py` output).
    pub dump: Value,
    /// The model (`model.json`): rows of every snapshot, computed without any Paimon reader.
    pub model: Value,
}

/// Generates the warehouse once per test process.
pub fn warehouse() -> &'static Warehouse {
    static W: OnceLock<Warehouse> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let wh = dir.path().join("wh");
        run_py("gen_tables.py", &[&wh]);
        let dump = dump_warehouse(&wh);
        let model =
            serde_json::from_slice(&std::fs::read(wh.join("model.json")).expect("model.json"))
                .expect("model is JSON");
        Warehouse { dir, dump, model }
    })
}

/// Runs the dumper over a warehouse and parses its output.
pub fn dump_warehouse(wh: &Path) -> Value {
    let out = wh.with_extension("dump.json");
    run_py("dump_tables.py", &[wh, &out]);
    serde_json::from_slice(&std::fs::read(&out).expect("dump written")).expect("dump is JSON")
}

/// The datum JSON of a value of type `t`.
pub fn datum_json(d: &Datum, t: &DataType) -> Value {
    let float = |f: f64| {
        if f.is_nan() {
            json!("NaN")
        } else if f.is_infinite() {
            json!(if f > 0.0 { "Infinity" } else { "-Infinity" })
        } else {
            json!(f)
        }
    };
    match d {
        Datum::Null => Value::Null,
        Datum::Boolean(b) => json!(b),
        Datum::TinyInt(v) => json!(v),
        Datum::SmallInt(v) => json!(v),
        Datum::Int(v) => json!(v),
        Datum::BigInt(v) => json!(v),
        Datum::Float(v) => float(f64::from(*v)),
        Datum::Double(v) => float(*v),
        Datum::String(s) => json!(s),
        Datum::Binary(b) => json!({ "hex": hex(b) }),
        Datum::Decimal(u) => json!({ "unscaled": u.to_string() }),
        Datum::Date(d) => json!({ "days": d }),
        Datum::Time(t) => json!({ "millis_of_day": t }),
        Datum::Timestamp(ts) => {
            let _ = t;
            json!({ "micros": ts.to_micros() })
        }
    }
}

/// The datum of type `t` for a datum JSON value.
pub fn json_datum(v: &Value, t: &DataType) -> Datum {
    if v.is_null() {
        return Datum::Null;
    }
    let field = |k: &str| v.get(k).unwrap_or_else(|| panic!("{v} has no {k}"));
    match &t.kind {
        TypeKind::Boolean => Datum::Boolean(v.as_bool().unwrap()),
        TypeKind::TinyInt => Datum::TinyInt(v.as_i64().unwrap() as i8),
        TypeKind::SmallInt => Datum::SmallInt(v.as_i64().unwrap() as i16),
        TypeKind::Int => Datum::Int(v.as_i64().unwrap() as i32),
        TypeKind::BigInt => Datum::BigInt(v.as_i64().unwrap()),
        TypeKind::Float => Datum::Float(v.as_f64().unwrap() as f32),
        TypeKind::Double => Datum::Double(v.as_f64().unwrap()),
        TypeKind::Char(_) | TypeKind::VarChar(_) => Datum::String(v.as_str().unwrap().into()),
        TypeKind::Binary(_) | TypeKind::VarBinary(_) => {
            let h = field("hex").as_str().unwrap();
            Datum::Binary(
                (0..h.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
                    .collect(),
            )
        }
        TypeKind::Decimal { .. } => {
            Datum::Decimal(field("unscaled").as_str().unwrap().parse().unwrap())
        }
        TypeKind::Date => Datum::Date(field("days").as_i64().unwrap() as i32),
        TypeKind::Time(_) => Datum::Time(field("millis_of_day").as_i64().unwrap() as i32),
        TypeKind::Timestamp(_) | TypeKind::LocalZonedTimestamp(_) => {
            Datum::Timestamp(Timestamp::from_micros(field("micros").as_i64().unwrap()))
        }
        other => panic!("no datum JSON for {other:?}"),
    }
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The datum JSON of row `row` of an Arrow column of Paimon type `t`, nested types included
/// (ARRAY as a list, MAP as a list of `[key, value]` pairs, MULTISET as `[element, count]`
/// pairs, ROW as a list).
pub fn arrow_json(array: &dyn Array, row: usize, t: &DataType) -> Value {
    if array.is_null(row) {
        return Value::Null;
    }
    match &t.kind {
        TypeKind::Array(e) => {
            let list = array.as_list::<i32>().value(row);
            Value::Array(
                (0..list.len())
                    .map(|i| arrow_json(list.as_ref(), i, e))
                    .collect(),
            )
        }
        // A multiset is a map of each element to its count.
        TypeKind::Multiset(k) => {
            let count = DataType::not_null(TypeKind::Int);
            let as_map = DataType::nullable(TypeKind::Map(k.clone(), Box::new(count)));
            arrow_json(array, row, &as_map)
        }
        TypeKind::Map(k, v) => {
            let m = array.as_map();
            let (start, end) = (
                m.value_offsets()[row] as usize,
                m.value_offsets()[row + 1] as usize,
            );
            Value::Array(
                (start..end)
                    .map(|i| {
                        json!([
                            arrow_json(m.keys().as_ref(), i, k),
                            arrow_json(m.values().as_ref(), i, v)
                        ])
                    })
                    .collect(),
            )
        }
        TypeKind::Row(fields) => {
            let s = array.as_struct();
            Value::Array(
                fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| arrow_json(s.column(i).as_ref(), row, &f.data_type))
                    .collect(),
            )
        }
        _ => datum_json(&datum_at(array, row).expect("atomic value"), t),
    }
}

/// Rows of record batches as datum JSON, sorted by their compact JSON text (as the dumper
/// sorts pypaimon's rows).
pub fn rows_json(batches: &[RecordBatch], types: &[DataType]) -> Vec<Value> {
    let mut rows: Vec<Value> = batches
        .iter()
        .flat_map(|b| {
            (0..b.num_rows()).map(move |r| {
                Value::Array(
                    b.columns()
                        .iter()
                        .zip(types)
                        .map(|(c, t)| arrow_json(c.as_ref(), r, t))
                        .collect(),
                )
            })
        })
        .collect();
    rows.sort_by_cached_key(|r| serde_json::to_string(r).expect("json"));
    rows
}
pub mod azure;
pub mod cdc;
pub mod gcs;
pub mod java;
pub mod kafka;
pub mod s3;
pub mod server;
pub mod writes;
