//! `strata ingest`: keep a primary-key table in sync with a CDC stream (Debezium, Canal or
//! Maxwell JSON) from Kafka, a file or stdin.
//!
//! Messages are decoded into row changes, converted to the table's column types and buffered;
//! every commit interval (or when the buffer is full, or at the end) the buffer becomes one
//! APPEND snapshot through the write path, and that snapshot also records, in its properties,
//! the next offset of every source partition it covers (see
//! [`strata_core::commit::offsets`]). A restarted ingest resumes from those offsets, so a crash
//! at any point neither loses nor duplicates a change. Compaction runs in the background after
//! commits; ingest waits for it only when it falls behind (the stop trigger).
//!
//! New source columns become added columns and wider source types widen columns (a new schema
//! file each time, after committing what was buffered under the old schema).

mod buffer;
pub mod command;
mod compaction;
pub mod convert;
mod dead_letter;
pub mod formats;
pub mod kafka;
pub mod pipeline;
pub mod sample;
mod schema_sync;
pub mod source;

pub use formats::{decode, CdcFormat};
pub use pipeline::{ingest, IngestOptions, IngestStats, OnError};

use std::sync::Arc;

/// One message of a source.
#[derive(Debug, Clone)]
pub struct Message {
    /// The source: a Kafka topic, `file:<path>` or `stdin`.
    pub source: Arc<str>,
    /// The source partition (0 for files and stdin).
    pub partition: i32,
    /// The offset within the partition (the 0-based line for files and stdin).
    pub offset: i64,
    /// The message value; `None` for a Kafka tombstone.
    pub payload: Option<Vec<u8>>,
}

impl Message {
    /// Where the message is, for errors: `topic T partition P offset O` or `FILE line N`.
    pub fn location(&self) -> String {
        match self.source.strip_prefix("file:") {
            Some(path) => format!("{path} line {}", self.offset + 1),
            None if &*self.source == "stdin" => format!("stdin line {}", self.offset + 1),
            None => format!(
                "topic {} partition {} offset {}",
                self.source, self.partition, self.offset
            ),
        }
    }

    /// Whether commits record this message's offset (stdin cannot be replayed, so it is not).
    pub fn resumable(&self) -> bool {
        &*self.source != "stdin"
    }
}

/// What a source sends the pipeline.
#[derive(Debug)]
pub enum Event {
    /// A message.
    Message(Message),
    /// The source now reads these partitions, starting after the table's offsets (`None`: the
    /// table had none for the partition).
    Assigned(Vec<(Arc<str>, i32, Option<i64>)>),
    /// The source is about to give these partitions up: commit what is buffered, then reply.
    Revoked(Vec<(Arc<str>, i32)>, std::sync::mpsc::SyncSender<()>),
    /// The source is exhausted (end of file or stdin).
    End,
    /// Messages the source has not delivered yet (Kafka: high watermarks minus positions).
    Lag(i64),
    /// The source failed.
    Failed(String),
}

#[cfg(test)]
mod schema_sync_tests;
