//! Streaming reads, sans IO: where a stream starts, which snapshot it reads next, and the
//! consumer progress it records. The caller owns the clock (polling and idling).

use std::sync::Arc;

use bytes::Bytes;

use super::incremental::snapshot_changes;
use super::plan::Split;
use super::snapshot::{resolve_snapshot, SnapshotSpec};
use crate::snapshot::{
    consumer_path, earliest_snapshot_id, latest_snapshot_id, snapshot_path, Consumer, Snapshot,
};
use crate::table::Table;
use crate::{Error, Result};

/// Where a stream starts (Paimon's `scan.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartMode {
    /// `latest`: only changes after the latest snapshot.
    Latest,
    /// `latest-full`: the latest snapshot in full, then its successors' changes.
    LatestFull,
    /// `from-snapshot`: changes from this snapshot on (at least from the earliest).
    FromSnapshot(i64),
    /// `from-snapshot-full`: this snapshot in full, then its successors' changes.
    FromSnapshotFull(i64),
    /// `from-timestamp`: changes of snapshots committed after this time (epoch ms).
    FromTimestamp(i64),
    /// Changes from the earliest snapshot on.
    Earliest,
    /// The earliest snapshot in full, then its successors' changes.
    EarliestFull,
}

impl StartMode {
    /// Parses a start as users write it: `latest`, `earliest`, `snapshot:N` or
    /// `timestamp:T` (epoch ms or ISO-8601), with `full` for a hybrid read (the start snapshot in full first; not
    /// with a timestamp).
    pub fn parse(from: &str, full: bool) -> Result<StartMode> {
        let bad = || {
            Error::InvalidValue(format!(
                "stream start {from:?}: use latest, earliest, snapshot:N or timestamp:T (epoch ms \
                 or ISO-8601) \
                 (a full read starts from latest, earliest or snapshot:N)"
            ))
        };
        let number = |n: &str| n.trim().parse::<i64>().map_err(|_| bad());
        Ok(match (from.trim().split_once(':'), full) {
            (None, false) if from.trim() == "latest" => StartMode::Latest,
            (None, true) if from.trim() == "latest" => StartMode::LatestFull,
            (None, false) if from.trim() == "earliest" => StartMode::Earliest,
            (None, true) if from.trim() == "earliest" => StartMode::EarliestFull,
            (Some(("snapshot", n)), false) => StartMode::FromSnapshot(number(n)?),
            (Some(("snapshot", n)), true) => StartMode::FromSnapshotFull(number(n)?),
            (Some(("timestamp", t)), false) => {
                StartMode::FromTimestamp(super::time::parse_time_millis(t).map_err(|_| bad())?)
            }
            _ => return Err(bad()),
        })
    }
}

/// What one poll found.
#[derive(Debug)]
pub enum StreamStep {
    /// The next snapshot does not exist yet.
    Pending,
    /// Snapshot `id` carries no changes for this stream (skipped).
    Skipped(i64),
    /// Snapshot `id`'s changes.
    Changes(Box<Snapshot>, Vec<Split>),
}

/// A stream's position.
pub struct StreamScan {
    table: Arc<Table>,
    next: i64,
    consumer: Option<String>,
}

impl StreamScan {
    /// Starts a stream. A consumer with recorded progress resumes there, whatever the mode.
    /// Returns the snapshot to read in full first, if the mode has a full phase.
    pub async fn start(
        table: Arc<Table>,
        mode: StartMode,
        consumer: Option<String>,
    ) -> Result<(Self, Option<Snapshot>)> {
        let storage = table.storage();
        if let Some(id) = &consumer {
            crate::path::check_file_name(&format!("consumer-{id}"), "consumer id")?;
            match storage.get(&consumer_path(id)).await {
                Ok(b) => {
                    let c = Consumer::from_json(&b, &consumer_path(id))?;
                    return Ok((
                        StreamScan {
                            table,
                            next: c.next_snapshot,
                            consumer,
                        },
                        None,
                    ));
                }
                Err(Error::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let latest = latest_snapshot_id(storage).await?;
        let earliest = earliest_snapshot_id(storage).await?;
        let (next, full) = match mode {
            StartMode::Latest => (latest.map_or(1, |l| l + 1), None),
            StartMode::LatestFull => match latest {
                Some(l) => (l + 1, Some(l)),
                None => (1, None),
            },
            StartMode::FromSnapshot(n) => (n.max(earliest.unwrap_or(n)), None),
            StartMode::FromSnapshotFull(n) => (n + 1, Some(n)),
            StartMode::FromTimestamp(t) => {
                match resolve_snapshot(storage, &SnapshotSpec::TimestampMillis(t.saturating_sub(1)))
                    .await
                {
                    Ok(Some(s)) => (s.id + 1, None),
                    Ok(None) => (1, None),
                    Err(Error::NotFound { .. }) => (earliest.unwrap_or(1), None),
                    Err(e) => return Err(e),
                }
            }
            StartMode::Earliest => (earliest.unwrap_or(1), None),
            StartMode::EarliestFull => match earliest {
                Some(e) => (e + 1, Some(e)),
                None => (1, None),
            },
        };
        let full = match full {
            Some(id) => Some(Snapshot::load(storage, id).await?),
            None => None,
        };
        Ok((
            StreamScan {
                table,
                next,
                consumer,
            },
            full,
        ))
    }

    /// The next snapshot id the stream will read.
    pub fn next_snapshot(&self) -> i64 {
        self.next
    }

    /// Looks at the next snapshot: pending, skipped, or its changes. Advances past it unless
    /// pending. Fails if the next snapshot has expired (a consumer would have kept it).
    pub async fn poll(&mut self) -> Result<StreamStep> {
        let storage = self.table.storage();
        if storage.head(&snapshot_path(self.next)).await?.is_none() {
            if let Some(e) = earliest_snapshot_id(storage).await? {
                if e > self.next {
                    return Err(Error::NotFound {
                        path: format!("snapshot {} (expired; the earliest is {e})", self.next),
                    });
                }
            }
            return Ok(StreamStep::Pending);
        }
        let s = Snapshot::load(storage, self.next).await?;
        self.next += 1;
        let splits = snapshot_changes(&self.table, &s).await?;
        Ok(if splits.is_empty() {
            StreamStep::Skipped(s.id)
        } else {
            StreamStep::Changes(Box::new(s), splits)
        })
    }

    /// Records the stream's progress in its consumer file (no-op without a consumer).
    pub async fn record_progress(&self) -> Result<()> {
        if let Some(id) = &self.consumer {
            let c = Consumer {
                next_snapshot: self.next,
            };
            self.table
                .storage()
                .put(&consumer_path(id), Bytes::from(c.to_json()))
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_modes_parse_as_users_write_them() {
        let cases = [
            ("latest", false, StartMode::Latest),
            ("latest", true, StartMode::LatestFull),
            ("earliest", false, StartMode::Earliest),
            ("earliest", true, StartMode::EarliestFull),
            ("snapshot:4", false, StartMode::FromSnapshot(4)),
            ("snapshot:4", true, StartMode::FromSnapshotFull(4)),
            (
                "timestamp:1700000000000",
                false,
                StartMode::FromTimestamp(1_700_000_000_000),
            ),
        ];
        for (from, full, want) in cases {
            assert_eq!(StartMode::parse(from, full).unwrap(), want, "{from} {full}");
        }
        for (from, full) in [
            ("timestamp:5", true),
            ("snapshot:x", false),
            ("newest", false),
            ("", false),
        ] {
            let e = StartMode::parse(from, full).unwrap_err();
            assert!(e.to_string().contains("snapshot:N"), "{e}");
        }
    }
}
