//! A table's changes as one pull-based stream of batches, with row kinds: the starting
//! snapshot in full when asked (rows labelled `+I`), then each new snapshot's changes. The
//! driver owns the clock: [`ChangeStream::next`] answers `None` when nothing new is committed
//! yet, and the driver sleeps (or awaits a timer) before asking again.

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::{read_splits_with_kinds, Kinds, ReadBuilder, TableReader};
use crate::predicate::Predicate;
use crate::scan::{SnapshotSpec, StartMode, StreamScan, StreamStep};
use crate::snapshot::Snapshot;
use crate::table::Table;
use crate::Result;

/// A running stream over a table (see the module docs).
pub struct ChangeStream {
    table: Arc<Table>,
    scan: StreamScan,
    full: Option<Snapshot>,
    columns: Option<Vec<String>>,
    filter: Option<Predicate>,
    current: Option<TableReader>,
    peeked: Option<RecordBatch>,
    schema: Option<SchemaRef>,
}

impl ChangeStream {
    /// Starts a stream at `start`, recording progress as `consumer` when given, reading
    /// `columns` (all by default) of rows matching `filter`.
    pub async fn start(
        table: Arc<Table>,
        start: StartMode,
        consumer: Option<String>,
        columns: Option<Vec<String>>,
        filter: Option<Predicate>,
    ) -> Result<Self> {
        let (scan, full) = StreamScan::start(table.clone(), start, consumer).await?;
        Ok(ChangeStream {
            table,
            scan,
            full,
            columns,
            filter,
            current: None,
            peeked: None,
            schema: None,
        })
    }

    /// The next snapshot id the stream will read.
    pub fn next_snapshot(&self) -> i64 {
        self.scan.next_snapshot()
    }

    /// The output schema (the read columns and `_kind`), once a snapshot has been opened.
    pub fn schema(&self) -> Option<&SchemaRef> {
        self.schema.as_ref()
    }

    /// The next batch of changes, or `None` when no new snapshot is committed yet. Progress
    /// (a consumer's next snapshot) moves past a snapshot once all of its rows went out.
    pub async fn next(&mut self) -> Result<Option<RecordBatch>> {
        loop {
            if let Some(b) = self.peeked.take() {
                return Ok(Some(b));
            }
            if let Some(r) = self.current.as_mut() {
                if let Some(b) = r.next().await? {
                    return Ok(Some(b));
                }
                self.current = None;
                self.scan.record_progress().await?;
                continue;
            }
            if let Some(s) = self.full.take() {
                let mut b = ReadBuilder::new().snapshot(SnapshotSpec::Id(s.id));
                if let Some(c) = &self.columns {
                    b = b.columns(c.clone());
                }
                if let Some(f) = &self.filter {
                    b = b.predicate(f.clone());
                }
                self.open(b.build_with(self.table.clone(), Kinds::Inserts).await?);
                continue;
            }
            match self.scan.poll().await? {
                StreamStep::Pending => return Ok(None),
                StreamStep::Skipped(_) => self.scan.record_progress().await?,
                StreamStep::Changes(s, splits) => {
                    let reader = read_splits_with_kinds(
                        self.table.clone(),
                        *s,
                        splits,
                        self.columns.clone(),
                        self.filter.as_ref(),
                    )
                    .await?;
                    self.open(reader);
                }
            }
        }
    }

    /// For a driver that stops taking batches: records progress past the snapshot being read
    /// if its rows are all out (looking one batch ahead, which the next [`next`](Self::next)
    /// returns).
    pub async fn settle(&mut self) -> Result<()> {
        if self.peeked.is_some() {
            return Ok(());
        }
        if let Some(r) = self.current.as_mut() {
            match r.next().await? {
                Some(b) => self.peeked = Some(b),
                None => {
                    self.current = None;
                    self.scan.record_progress().await?;
                }
            }
        }
        Ok(())
    }

    fn open(&mut self, reader: TableReader) {
        self.schema.get_or_insert_with(|| reader.schema().clone());
        self.current = Some(reader);
    }
}
