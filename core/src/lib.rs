//! `strata-core`: the Apache Paimon table format, sans IO.
//!
//! This crate knows Paimon's metadata byte for byte and nothing about how bytes arrive: every
//! read and write goes through the small async [`storage::Storage`] trait, which the native
//! writer (object_store), the Wasm reader (fetch) and tests (memory) implement. It builds for
//! `wasm32-unknown-unknown`.
//!
//! Modules follow the format's concepts, from the bottom up:
//! - [`types`]: the data type grammar and its Arrow mapping;
//! - [`schema`] and [`schema_evolution`]: `schema/schema-N` files and how a schema may change;
//!   [`schema_change`]: `ALTER TABLE` (add, rename, drop, move columns; widen types; options);
//! - [`options`]: the registry of every table option Paimon defines, their validation on
//!   create, and typed access to the ones Strata acts on;
//! - [`binary_row`]: the BinaryRow codec used for partitions, keys and stats (and its hash);
//! - [`stats`]: SimpleStats (min, max, null counts);
//! - [`key_value`]: row kinds and the key-value layout of primary-key data files;
//! - [`bucket`] and [`dynamic_bucket`]: fixed-bucket assignment, dynamic buckets' HASH index;
//! - [`path`]: partition and bucket directories, file naming;
//! - [`snapshot`]: snapshot, tag and consumer files and the LATEST/EARLIEST hints;
//! - [`manifest`]: manifest lists, manifests and index manifests (Avro);
//! - [`deletion_vector`]: deletion vector index files;
//! - [`predicate`]: filters, parsed and evaluated against stats and rows;
//! - [`scan`]: from a snapshot (by id, tag or time) to splits; incremental and streaming reads;
//! - [`read`] and [`merge`]: Parquet data files through the storage, merged by key with the
//!   table's merge engine;
//! - [`table`]: an open table (schema and storage); [`create_table`]: a new table's first
//!   schema, in a location the table owns;
//! - [`commit`]: commit planning (a pure plan over a loaded base: conflicts, offset claims,
//!   manifests, the snapshot) and publication (the puts, the snapshot's conditional put);
//! - [`compaction`]: sorted runs, Paimon's universal pick, the compaction plan and (with
//!   `write`) running it;
//! - [`expire`], [`orphan`] and [`rollback`]: snapshot expiration, orphan cleaning, rollback;
//! - [`drop_partition`]: which partitions a drop removes (the commit is an overwrite);
//! - [`storage`]: the storage trait, its contract test and an in-memory implementation;
//! - `write` (the `write` feature, off for the Wasm reader): routing and bucketing, the write
//!   buffer, sorting and the in-buffer merge, key-value file encoding and stats, dynamic
//!   buckets and `TableWriter`, with the driver's clock, ids and threads handed in
//!   (`write::WriteEnv`).

#![warn(missing_docs)]

pub mod binary_row;
pub mod bucket;
pub mod commit;
pub mod compaction;
pub mod create_table;
pub mod deletion_vector;
pub mod drop_partition;
pub mod dynamic_bucket;
mod error;
pub mod expire;
pub mod external_path;
pub mod key_value;
mod log;
pub mod manifest;
pub mod merge;
pub mod options;
pub mod orphan;
pub mod path;
pub mod predicate;
pub mod read;
pub mod rollback;
pub mod scan;
pub mod schema;
pub mod schema_change;
pub mod schema_evolution;
pub mod snapshot;
pub mod stats;
pub mod storage;
pub mod table;
#[cfg(test)]
mod test_table;
pub mod types;
#[cfg(feature = "write")]
pub mod write;

pub use error::{Error, Result};
