//! Scan planning: from a snapshot, its manifests and a filter to the splits a read needs.
//!
//! Manifests are pruned by partition stats; entries by partition, by bucket (when the filter
//! pins every bucket-key column) and by level; the survivors are folded into live files, files
//! are pruned by their stats, and what is left is grouped into one split per
//! (partition, bucket).

mod incremental;
mod plan;
mod snapshot;
mod stream;
mod time;

pub use incremental::{carries_changes, snapshot_changes};
pub use plan::{plan_files, plan_splits, Split};
pub use snapshot::{resolve_snapshot, SnapshotSpec};
pub use stream::{StartMode, StreamScan, StreamStep};
pub use time::parse_time_millis;

#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod splits_tests;
#[cfg(test)]
mod stream_tests;
