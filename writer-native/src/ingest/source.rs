//! The embedded sources: a file of JSON lines, or stdin. One message per line; the offset is
//! the 0-based line number, so a file ingest resumes after the last line the table holds.

use std::io::BufRead;
use std::sync::Arc;

use strata_core::commit::offsets::{table_offsets, SourceOffsets};
use strata_core::scan::{resolve_snapshot, SnapshotSpec};
use strata_core::storage::Storage;
use strata_core::Result;
use tokio::sync::mpsc::{channel, Receiver, Sender};

use super::{Event, Message};

/// Messages buffered between a source thread and the pipeline.
pub const CHANNEL_CAPACITY: usize = 8192;

/// The source name a file's offsets are stored under.
pub fn file_source(path: &str) -> String {
    format!("file:{path}")
}

/// The source offsets of the table's latest snapshot that records any (none for a location
/// that holds no table yet).
pub async fn current_offsets(storage: &dyn Storage) -> Result<SourceOffsets> {
    if strata_core::schema::latest_schema_id(storage)
        .await?
        .is_none()
    {
        return Ok(SourceOffsets::new());
    }
    let latest = resolve_snapshot(storage, &SnapshotSpec::Latest).await?;
    table_offsets(storage, latest.as_ref()).await
}

/// The table's next offset of a source partition, if the table records one.
pub async fn stored_offset(
    storage: &dyn Storage,
    source: &str,
    partition: i32,
) -> Result<Option<i64>> {
    let offsets = current_offsets(storage).await?;
    Ok(offsets.get(source).and_then(|m| m.get(&partition)).copied())
}

/// Reads `path` line by line from where the table's offsets say, on a thread of its own.
/// Offsets are recorded under the file's absolute path.
pub async fn file(storage: &dyn Storage, path: &str) -> Result<Receiver<Event>> {
    let io = |e: std::io::Error| strata_core::Error::Storage {
        path: path.to_string(),
        message: e.to_string(),
    };
    let file = std::fs::File::open(path).map_err(io)?;
    // Offsets are stored under the absolute path, so a resume from another directory matches.
    let absolute = std::fs::canonicalize(path).map_err(io)?;
    let source: Arc<str> = file_source(&absolute.to_string_lossy()).into();
    let from = stored_offset(storage, &source, 0).await?;
    let (tx, rx) = channel(CHANNEL_CAPACITY);
    let _ = tx.try_send(Event::Assigned(vec![(source.clone(), 0, from)]));
    let reader = std::io::BufReader::with_capacity(1 << 20, file);
    std::thread::spawn(move || read_lines(reader, source, from.unwrap_or(0), tx));
    Ok(rx)
}

/// Reads stdin line by line on a thread of its own (stdin cannot be replayed: its offsets are
/// not recorded).
pub fn stdin() -> Receiver<Event> {
    let (tx, rx) = channel(CHANNEL_CAPACITY);
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        read_lines(stdin.lock(), "stdin".into(), 0, tx)
    });
    rx
}

fn read_lines(mut reader: impl BufRead, source: Arc<str>, skip: i64, tx: Sender<Event>) {
    let mut line = Vec::new();
    let mut offset: i64 = 0;
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                let _ =
                    tx.blocking_send(Event::Failed(format!("{source} line {}: {e}", offset + 1)));
                return;
            }
        }
        let this = offset;
        offset += 1;
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        if this < skip || line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let msg = Message {
            source: source.clone(),
            partition: 0,
            offset: this,
            payload: Some(std::mem::take(&mut line)),
        };
        if tx.blocking_send(Event::Message(msg)).is_err() {
            return; // the pipeline stopped
        }
    }
    let _ = tx.blocking_send(Event::End);
}
