//! When writers compact: one policy for every driver (a batch write, CDC ingest). What to
//! compact is the plan's business ([`plan_compaction`](super::plan_compaction)); this only says
//! whether to run one after a commit, how far a running one may fall behind before writers
//! wait for it (Paimon's stop trigger), and whether one is due before a writer stops.

use super::CompactionOptions;
use crate::options::{ChangelogProducer, TableOptions};
use crate::schema::TableSchema;

/// The compaction policy of one table's writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompactionPolicy {
    enabled: bool,
    behind: u32,
    at_end: bool,
}

impl CompactionPolicy {
    /// The policy for writes into `schema`'s table; `enabled` is the driver's switch (off:
    /// never compact). Append tables and `write-only` tables are not compacted by writers
    /// (a separate job does it, as in Paimon).
    pub fn new(schema: &TableSchema, enabled: bool) -> Self {
        let options = TableOptions::new(&schema.options);
        let enabled = enabled && schema.has_primary_key() && !options.write_only();
        let triggers = CompactionOptions::from(&options);
        CompactionPolicy {
            enabled,
            behind: triggers
                .stop_trigger
                .saturating_sub(triggers.trigger)
                .clamp(1, u32::MAX as usize) as u32,
            at_end: options.deletion_vectors()
                || options
                    .changelog_producer()
                    .is_ok_and(|p| p == ChangelogProducer::Lookup),
        }
    }

    /// Whether to run a compaction after a commit.
    pub fn after_commit(&self) -> bool {
        self.enabled
    }

    /// Whether a writer that has committed `commits` times since the running compaction
    /// started must wait for it: the stop trigger minus the compaction trigger (at least one
    /// commit) may go by first.
    pub fn must_wait(&self, commits: u32) -> bool {
        self.enabled && commits >= self.behind
    }

    /// Whether a writer stopping after `commits` uncompacted commits compacts once more: with
    /// the `lookup` changelog producer, so its last commits' changes reach the changelog, and
    /// on deletion-vector tables, whose batch reads skip level 0.
    pub fn before_stop(&self, commits: u32) -> bool {
        self.enabled && self.at_end && commits > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::parse_columns;

    fn schema(pk: bool, options: &[(&str, &str)]) -> TableSchema {
        let fields = parse_columns("k INT NOT NULL, v INT").unwrap();
        let options = options
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let keys = if pk { vec!["k".into()] } else { vec![] };
        TableSchema::create(fields, vec![], keys, options, 0).unwrap()
    }

    #[test]
    fn primary_key_tables_compact_after_commits() {
        let p = CompactionPolicy::new(&schema(true, &[("bucket", "1")]), true);
        assert!(p.after_commit());
        assert!(!p.before_stop(3), "no lookup changelog");
        // Paimon's defaults: trigger 5, stop trigger 8: three commits may go by.
        assert!(!p.must_wait(2));
        assert!(p.must_wait(3));
    }

    #[test]
    fn append_write_only_and_disabled_writers_never_compact() {
        for p in [
            CompactionPolicy::new(&schema(false, &[("bucket", "-1")]), true),
            CompactionPolicy::new(
                &schema(true, &[("bucket", "1"), ("write-only", "true")]),
                true,
            ),
            CompactionPolicy::new(&schema(true, &[("bucket", "1")]), false),
        ] {
            assert!(!p.after_commit() && !p.must_wait(100) && !p.before_stop(100));
        }
    }

    #[test]
    fn the_stop_trigger_and_lookup_changelog_shape_the_policy() {
        let p = CompactionPolicy::new(
            &schema(
                true,
                &[
                    ("bucket", "1"),
                    ("num-sorted-run.compaction-trigger", "2"),
                    ("num-sorted-run.stop-trigger", "2"),
                    ("changelog-producer", "lookup"),
                ],
            ),
            true,
        );
        assert!(p.must_wait(1), "at least one commit, then wait");
        assert!(p.before_stop(1));
        assert!(!p.before_stop(0));
    }
}
