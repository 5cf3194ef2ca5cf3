//! Reading data files.
pub mod evolution;
pub mod parquet;
