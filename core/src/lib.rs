//! `strata-core`: the Apache Paimon table format, sans IO.
//!
//! This crate knows Paimon's metadata byte for byte and nothing about how bytes arrive: every
//! read and write goes through the small async [`storage::Storage`] trait, which the native
//! writer (object_store), the Wasm reader (fetch) and tests (memory) implement. It builds for
//! `wasm32-unknown-unknown`.
//!
//! Modules follow the format's concepts:
//! - [`types`]: the data type grammar and its Arrow mapping;
//! - [`schema`]: `schema/schema-N` files;
//! - [`options`]: the registry of every table option Paimon defines, their validation on
//!   create, and typed access to the ones Strata acts on;
//! - [`snapshot`]: snapshot, tag and consumer files and the LATEST/EARLIEST hints;
//! - [`manifest`]: manifest lists, manifests and index manifests (Avro);
//! - [`binary_row`]: the BinaryRow codec used for partitions, keys and stats;
//! - [`stats`]: SimpleStats (min, max, null counts);
//! - [`bucket`]: fixed-bucket assignment;
//! - [`path`]: partition paths and file naming;
//! - [`expire`] and [`orphan`]: snapshot expiration and orphan cleaning;
//! - [`storage`]: the storage trait and an in-memory implementation.

#![warn(missing_docs)]

pub mod binary_row;
pub mod bucket;
pub mod commit;
pub mod compaction;
pub mod deletion_vector;
pub mod dynamic_bucket;
mod error;
pub mod expire;
pub mod manifest;
pub mod merge;
pub mod options;
pub mod orphan;
pub mod path;
pub mod predicate;
pub mod read;
pub mod scan;
pub mod schema;
pub mod schema_evolution;
pub mod snapshot;
pub mod stats;
pub mod storage;
pub mod table;
pub mod types;

pub use error::{Error, Result};
