//! `strata-writer`: Strata's native side.
//!
//! - [`storage`]: the core storage trait over `object_store` (local paths and object stores), with
//!   [`local_fs`] listing and deleting without following links;
//! - [`cli`]: the `strata` command line;
//! - [`runtime`]: the native clock, ids, timer and threads that core's writer asks for;
//! - [`write`], [`maintenance`]: feeding input files to core's writer; expiration, tags;
//! - [`ingest`]: CDC ingest (Debezium, Canal, Maxwell JSON) from Kafka, a file or stdin;
//! - [`reading`]: the native read commands (scan, diff, stream).
//!
//! The format rules live in `strata-core`; this crate supplies IO, tokio and the CLI.

#![warn(missing_docs)]

pub mod cli;
pub mod demo;
pub mod describe;
pub mod ingest;
pub mod local_fs;
pub mod maintenance;
pub mod output;
pub mod progress;
pub mod reading;
pub mod runtime;
pub mod storage;
pub mod write;

pub use storage::ObjectStoreStorage;

/// The wall clock in epoch milliseconds (0 if the clock is before 1970).
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
