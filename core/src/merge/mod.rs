//! Merge-on-read for primary-key tables: the interval partition of a bucket's files, merge
//! engines, and the k-way merge of sorted runs.

mod aggregate;
mod function;
pub mod interval;
mod keys;
mod reader;

pub use aggregate::{AggregateFn, Aggregator};
pub use function::{row_kind, Keep, KvBatch, MergeFunction, Merged, RecordRef};
pub use reader::{assemble_merged, MergeReader, RunSource};

#[cfg(test)]
mod aggregate_tests;
#[cfg(test)]
mod function_tests;
#[cfg(test)]
mod reader_engine_tests;
#[cfg(test)]
mod reader_tests;
