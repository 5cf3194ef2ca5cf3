//! What a write of real buckets for a postpone-bucket table's rows takes: each partition's
//! bucket count, and the postpone files it replaces.

use std::collections::HashMap;

use crate::binary_row::BinaryRow;
use crate::manifest::ManifestEntry;
use crate::options::TableOptions;
use crate::Result;

/// What a compaction of the postpone bucket ([`super::TableWriter::assigning`]) writes: the rows it
/// pushes go to real buckets, each partition's count given, and its commit (COMPACT) deletes
/// the postpone files the rows came from. An overwrite of a postpone-bucket table writes real
/// buckets too, as Paimon's fixed-bucket overwrite does.
pub(crate) struct Assignment {
    /// Bucket count by partition (serialized partition row).
    pub buckets: HashMap<Vec<u8>, i32>,
    /// The count of a partition not in `buckets`, if any may come.
    pub default: Option<i32>,
    /// The postpone files replaced.
    pub replaced: Vec<ManifestEntry>,
}

impl Assignment {
    /// An overwrite's: a partition keeps the count its real buckets have, a new one takes
    /// `postpone.default-bucket-num` (else 1).
    pub(super) fn overwrite(options: &TableOptions<'_>, live: &[ManifestEntry]) -> Result<Self> {
        Ok(Assignment {
            buckets: crate::compaction::known_bucket_counts(live)?
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect(),
            default: Some(options.postpone_default_bucket_num()?.unwrap_or(1)),
            replaced: Vec::new(),
        })
    }

    pub(super) fn count(&self, partition: &BinaryRow) -> Option<i32> {
        self.buckets
            .get(&partition.serialize())
            .copied()
            .or(self.default)
    }
}
