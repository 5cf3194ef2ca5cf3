//! Measuring for the S3 benchmark: a counting TCP relay in front of moto (bytes each way,
//! connections) and moto's request log (requests by kind).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Bytes each way through the relay, and the connections it accepted.
#[derive(Default)]
pub struct Wire {
    up: AtomicU64,
    down: AtomicU64,
    connections: AtomicU64,
}

/// A reading of [`Wire`]'s counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct WireCount {
    /// Bytes to the server.
    pub up: u64,
    /// Bytes from the server.
    pub down: u64,
    /// Connections accepted.
    pub connections: u64,
}

impl Wire {
    pub fn now(&self) -> WireCount {
        WireCount {
            up: self.up.load(Ordering::SeqCst),
            down: self.down.load(Ordering::SeqCst),
            connections: self.connections.load(Ordering::SeqCst),
        }
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, n: Arc<Wire>, up: bool) {
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let k = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(k) => k,
            };
            if to.write_all(&buf[..k]).is_err() {
                break;
            }
            let c = if up { &n.up } else { &n.down };
            c.fetch_add(k as u64, Ordering::SeqCst);
        }
        let _ = to.shutdown(Shutdown::Write);
        let _ = from.shutdown(Shutdown::Read);
    });
}

/// Starts a relay on a free loopback port to `target` (`host:port`); its endpoint URL.
pub fn relay(target: String, wire: Arc<Wire>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("relay port");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let Ok(server) = TcpStream::connect(&target) else {
                continue;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            wire.connections.fetch_add(1, Ordering::SeqCst);
            pump(
                client.try_clone().unwrap(),
                server.try_clone().unwrap(),
                wire.clone(),
                true,
            );
            pump(server, client, wire.clone(), false);
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Requests by kind, from moto's log lines (`"GET /bucket/key?query HTTP/1.1" 200 -`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requests(BTreeMap<&'static str, u64>);

impl Requests {
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    pub fn describe(&self) -> String {
        let order = ["GET", "HEAD", "LIST", "PUT", "POST", "DELETE", "other"];
        order
            .iter()
            .filter_map(|k| self.0.get(k).map(|n| format!("{n} {k}")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// moto's request log: its line count at a moment, and the requests on the bucket between two.
pub struct MotoLog {
    /// The log file.
    pub path: PathBuf,
    /// The bucket whose requests count.
    pub bucket: String,
}

impl MotoLog {
    pub fn lines(&self) -> Vec<String> {
        let text = std::fs::read(&self.path).unwrap_or_default();
        String::from_utf8_lossy(&text)
            .lines()
            .map(String::from)
            .collect()
    }

    /// The log's line count once it has stopped growing (moto logs a request after it answers).
    pub fn settled(&self) -> usize {
        let mut n = self.lines().len();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let m = self.lines().len();
            if m == n {
                return n;
            }
            n = m;
        }
    }

    /// The requests on the bucket logged on lines `from..to`.
    pub fn between(&self, from: usize, to: usize) -> Requests {
        let mut out = Requests::default();
        for line in self.lines().into_iter().take(to).skip(from) {
            let line = strip_ansi(&line);
            let Some(req) = line.split('"').nth(1) else {
                continue;
            };
            let mut parts = req.split_whitespace();
            let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
                continue;
            };
            let (path, query) = target.split_once('?').unwrap_or((target, ""));
            let bucket_only = path.trim_matches('/') == self.bucket;
            if !path.trim_start_matches('/').starts_with(&self.bucket) {
                continue;
            }
            let kind = match method {
                "GET" if bucket_only || query.contains("list-type") => "LIST",
                "GET" => "GET",
                "HEAD" => "HEAD",
                "PUT" => "PUT",
                "POST" => "POST",
                "DELETE" => "DELETE",
                _ => "other",
            };
            *out.0.entry(kind).or_default() += 1;
        }
        out
    }
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
