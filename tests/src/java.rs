//! Paimon Java (the reference implementation) as a peer: `tests/java/PaimonJava.java`, compiled
//! once per test process against Apache Paimon 0.9's jars and kept running, answering one JSON
//! request per line (JVM start-up dominates a run, so one JVM serves every request).
//!
//! The jars come from PyPI sdists (`scripts/paimon-java.sh` puts them in
//! `$STRATA_PAIMON_JARS`, default `~/.cache/strata-infra/paimon-java`); the JDK is Debian's.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};
use strata_core::types::{DataType, TypeKind};

/// Where the Paimon Java jars are: `$STRATA_PAIMON_JARS`, else
/// `$HOME/.cache/strata-infra/paimon-java`.
pub fn jars_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("STRATA_PAIMON_JARS") {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").expect("HOME is set");
    PathBuf::from(home).join(".cache/strata-infra/paimon-java")
}

/// The jars the peer needs (Paimon 0.9 shaded, Hadoop's client, commons-logging over slf4j).
const JARS: [&str; 4] = [
    "paimon-python-java-bridge-0.9.0.jar",
    "hadoop-client-api-3.4.1.jar",
    "hadoop-client-runtime-3.4.1.jar",
    "jcl-over-slf4j-2.0.16.jar",
];

fn has_tool(name: &str) -> bool {
    Command::new(name)
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether this test must skip because Java or Paimon's jars are missing: a bare `cargo
/// test` on a fresh clone has neither, so the Java suite says why and passes, while
/// `scripts/test.sh` (which installs them and sets `STRATA_REQUIRE_ALL=1`) fails instead.
pub fn java_missing() -> bool {
    let dir = jars_dir();
    let mut missing: Vec<String> = JARS
        .iter()
        .filter(|j| !dir.join(j).exists())
        .map(|j| dir.join(j).display().to_string())
        .collect();
    for tool in ["java", "javac"] {
        if !has_tool(tool) {
            missing.push(tool.to_string());
        }
    }
    if missing.is_empty() {
        return false;
    }
    assert!(
        std::env::var_os("STRATA_REQUIRE_ALL").is_none(),
        "missing {}, and STRATA_REQUIRE_ALL is set: scripts/paimon-java.sh installs them",
        missing.join(", ")
    );
    eprintln!(
        "skipped: Paimon Java is missing ({}); scripts/test.sh installs it and runs this suite",
        missing.join(", ")
    );
    true
}

/// A running Paimon Java peer.
pub struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Peer {
    fn start() -> Peer {
        let dir = tempfile::tempdir().unwrap();
        let classes = dir.path().join("classes");
        let classpath: Vec<String> = JARS
            .iter()
            .map(|j| jars_dir().join(j).display().to_string())
            .collect();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("java/PaimonJava.java");
        let out = Command::new("javac")
            .args(["-Xlint:all,-try", "-Werror", "-d"])
            .arg(&classes)
            .arg("-cp")
            .arg(classpath.join(":"))
            .arg(&source)
            .output()
            .expect("javac runs");
        assert!(
            out.status.success(),
            "javac failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let log = dir.path().join("java.log");
        let tmp = dir.path().join("tmp");
        std::fs::create_dir_all(&tmp).unwrap();
        let mut cp = classpath;
        cp.push(classes.display().to_string());
        let mut child = Command::new("java")
            .arg("-Duser.timezone=UTC")
            .arg(format!("-Djava.io.tmpdir={}", tmp.display()))
            .arg("-cp")
            .arg(cp.join(":"))
            .arg("PaimonJava")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("java starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Peer {
            child,
            stdin,
            stdout,
            log,
            _dir: dir,
        }
    }

    /// Sends one request; the answer's `ok` value, or an `Err` with Java's error.
    pub fn try_request(&mut self, req: &Value) -> Result<Value, String> {
        writeln!(self.stdin, "{req}").unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        if line.is_empty() {
            let status = self.child.try_wait().ok().flatten();
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            panic!("Paimon Java exited ({status:?}) on {req}:\n{log}");
        }
        let mut answer: Value = serde_json::from_str(&line).unwrap();
        match answer.get("error") {
            Some(e) => Err(e.as_str().unwrap_or_default().to_string()),
            None => Ok(answer["ok"].take()),
        }
    }

    /// Sends one request; panics with Java's error.
    pub fn request(&mut self, req: &Value) -> Value {
        self.try_request(req)
            .unwrap_or_else(|e| panic!("Paimon Java failed on {req}:\n{e}"))
    }

    /// Java's read of the table at `path` (latest snapshot): column names and rows as datum
    /// JSON, sorted as `rows_json` sorts them.
    pub fn read(&mut self, path: &Path) -> (Vec<String>, Vec<Value>) {
        let mut r = self.request(&json!({"op": "read", "path": path}));
        columns_and_rows(&mut r)
    }

    /// Java commits rows (datum JSON in the table's column order), with optional row kinds
    /// (`+I`, `-U`, `+U`, `-D`); returns the latest snapshot id.
    pub fn write(&mut self, path: &Path, rows: &[Value], kinds: Option<&[&str]>) -> i64 {
        self.request(&json!({"op": "write", "path": path, "rows": rows, "kinds": kinds}))
            .as_i64()
            .unwrap()
    }

    /// Java fully compacts every bucket; returns the latest snapshot id.
    pub fn compact(&mut self, path: &Path) -> i64 {
        self.request(&json!({"op": "compact", "path": path}))
            .as_i64()
            .unwrap()
    }
}

/// Column names and sorted rows out of a `read` answer.
pub fn columns_and_rows(r: &mut Value) -> (Vec<String>, Vec<Value>) {
    let cols = r["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let rows = crate::writes::sorted(r["rows"].take().as_array().unwrap().clone());
    (cols, rows)
}

/// The process's Paimon Java peer, started on first use.
pub fn peer() -> std::sync::MutexGuard<'static, Peer> {
    static PEER: OnceLock<Mutex<Peer>> = OnceLock::new();
    PEER.get_or_init(|| Mutex::new(Peer::start()))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Rows (datum JSON of columns of `types`) with every MAP's pairs sorted by their key's JSON
/// text, as the Java peer gives them (a map has no order), then the rows sorted again.
pub fn maps_sorted(rows: Vec<Value>, types: &[DataType]) -> Vec<Value> {
    let rows = rows
        .into_iter()
        .map(|mut r| {
            if let Some(cols) = r.as_array_mut() {
                for (v, t) in cols.iter_mut().zip(types) {
                    sort_maps(v, t);
                }
            }
            r
        })
        .collect();
    crate::writes::sorted(rows)
}

fn sort_maps(v: &mut Value, t: &DataType) {
    let Some(items) = v.as_array_mut() else {
        return;
    };
    match &t.kind {
        TypeKind::Array(e) => items.iter_mut().for_each(|i| sort_maps(i, e)),
        // A multiset is a map of each element to its count.
        TypeKind::Multiset(k) => {
            for pair in items.iter_mut() {
                if let Some(p) = pair.as_array_mut() {
                    sort_maps(&mut p[0], k);
                }
            }
            items.sort_by_cached_key(|p| p[0].to_string());
        }
        TypeKind::Map(k, val) => {
            for pair in items.iter_mut() {
                if let Some(p) = pair.as_array_mut() {
                    sort_maps(&mut p[0], k);
                    sort_maps(&mut p[1], val);
                }
            }
            items.sort_by_cached_key(|p| p[0].to_string());
        }
        TypeKind::Row(fields) => items
            .iter_mut()
            .zip(fields)
            .for_each(|(i, f)| sort_maps(i, &f.data_type)),
        _ => {}
    }
}

/// The names of every file under `dir`, recursively (none if it is missing).
pub fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(files_under(&e.path()));
        } else {
            out.push(e.file_name().to_string_lossy().into_owned());
        }
    }
    out
}
