//! Reading a table: plan the snapshot's splits, read their files, merge primary-key buckets,
//! apply the filter exactly, and hand out Arrow record batches.
//!
//! ```no_run
//! # async fn demo(storage: std::sync::Arc<dyn strata_core::storage::Storage>) -> strata_core::Result<()> {
//! use strata_core::read::ReadBuilder;
//! let table = std::sync::Arc::new(strata_core::table::Table::open(storage).await?);
//! let mut reader = ReadBuilder::new().columns(vec!["id".into()]).filter("id > 3")?.build(table).await?;
//! while let Some(batch) = reader.next().await? {
//!     println!("{} rows", batch.num_rows());
//! }
//! # Ok(()) }
//! ```

#[cfg(feature = "avro")]
mod avro;
pub mod evolution;
pub mod file;
pub mod format;
#[cfg(feature = "orc")]
mod orc;
mod pages;
pub mod parquet;
mod split;
mod stats;
mod stream;

use std::collections::VecDeque;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int8Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema, SchemaRef};

pub use split::{SplitContext, SplitReader};
pub use stream::ChangeStream;

use crate::merge::row_kind;
use crate::options::TableOptions;
use crate::path::bucket_dir;
use crate::predicate::{BoundPredicate, Predicate};
use crate::scan::{plan_files, plan_splits, resolve_snapshot, SnapshotSpec, Split};
use crate::schema::TableSchema;
use crate::snapshot::Snapshot;
use crate::table::Table;
use crate::types::DataField;
use crate::{Error, Result};

/// Name of the row-kind column.
pub const KIND_COLUMN: &str = "_kind";

/// How a read treats row kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kinds {
    /// A batch read: retractions dropped, no kind column.
    Hidden,
    /// A full snapshot in a stream: retractions dropped, every row labelled `+I`.
    Inserts,
    /// Changes: every row kept with its kind in a `_kind` column.
    Changes,
}

/// Options of a batch read.
#[derive(Debug, Clone, Default)]
pub struct ReadBuilder {
    columns: Option<Vec<String>>,
    filter: Option<Predicate>,
    limit: Option<usize>,
    snapshot: SnapshotSpec,
}

impl ReadBuilder {
    /// Reads every column of the latest snapshot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only these columns, in this order.
    pub fn columns(mut self, columns: Vec<String>) -> Self {
        self.columns = Some(columns);
        self
    }

    /// Only rows matching this filter text.
    pub fn filter(mut self, text: &str) -> Result<Self> {
        self.filter = Some(Predicate::parse(text)?);
        Ok(self)
    }

    /// Only rows matching this predicate.
    pub fn predicate(mut self, p: Predicate) -> Self {
        self.filter = Some(p);
        self
    }

    /// At most this many rows.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Which snapshot to read.
    pub fn snapshot(mut self, s: SnapshotSpec) -> Self {
        self.snapshot = s;
        self
    }

    /// Plans the read.
    pub async fn build(self, table: Arc<Table>) -> Result<TableReader> {
        self.build_with(table, Kinds::Hidden).await
    }

    /// Plans the read, with row kinds treated as `kinds` says.
    pub async fn build_with(self, table: Arc<Table>, kinds: Kinds) -> Result<TableReader> {
        let clock = crate::log::Stopwatch::start();
        let snapshot = resolve_snapshot(table.storage(), &self.snapshot).await?;
        // As in Paimon: a time-travel read uses the schema its snapshot was committed with;
        // a read of the latest snapshot uses the table's latest schema, so columns an alter
        // added, renamed or widened since the last commit show (older files map by field id).
        let schema = match &snapshot {
            Some(s) if self.snapshot != SnapshotSpec::Latest || s.schema_id > table.schema().id => {
                table.schema_by_id(s.schema_id).await?
            }
            _ => table.schema().clone(),
        };
        let filter = self
            .filter
            .as_ref()
            .map(|f| f.bind(&schema.fields))
            .transpose()?;
        let splits = match &snapshot {
            Some(s) => {
                let files = plan_files(&table, s, filter.as_ref()).await?;
                let dvs = crate::deletion_vector::deletion_files(table.storage(), s).await?;
                plan_splits(&schema, files, dvs)?
            }
            None => Vec::new(),
        };
        tracing::info!(
            snapshot = snapshot.as_ref().map(|s| s.id),
            splits = splits.len(),
            files = splits.iter().map(|s| s.files.len()).sum::<usize>(),
            bytes = splits
                .iter()
                .flat_map(|s| &s.files)
                .map(|f| f.file_size)
                .sum::<i64>(),
            ms = clock.ms(),
            "planned the scan"
        );
        TableReader::new(
            table,
            schema,
            snapshot,
            splits,
            self.columns,
            filter,
            self.limit,
            kinds,
        )
    }
}

/// Streams the rows of planned splits as record batches of the output columns.
pub struct TableReader {
    table: Arc<Table>,
    snapshot: Option<Snapshot>,
    schema: SchemaRef,
    read_schema: Arc<TableSchema>,
    ctx: Arc<SplitContext>,
    output: Vec<usize>,
    filter: Option<BoundPredicate>,
    remaining: Option<usize>,
    kinds: Kinds,
    splits: VecDeque<Split>,
    current: Option<SplitReader>,
}

impl TableReader {
    /// A reader over `splits` of a table whose rows follow `read_schema`; `kinds` says whether
    /// retractions are kept and whether a `_kind` column (`+I`, `-U`, `+U`, `-D`) is appended.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        table: Arc<Table>,
        read_schema: Arc<TableSchema>,
        snapshot: Option<Snapshot>,
        splits: Vec<Split>,
        columns: Option<Vec<String>>,
        filter: Option<BoundPredicate>,
        limit: Option<usize>,
        kinds: Kinds,
    ) -> Result<Self> {
        let out_fields: Vec<DataField> = match &columns {
            None => read_schema.fields.clone(),
            Some(cols) => read_schema.fields_named(cols).map_err(|_| {
                let missing = cols
                    .iter()
                    .find(|c| read_schema.field(c).is_none())
                    .cloned()
                    .unwrap_or_default();
                Error::InvalidValue(format!("no column named {missing:?}"))
            })?,
        };
        let options = TableOptions::new(&read_schema.options);
        let pk = read_schema.has_primary_key();
        let key_names = read_schema.trimmed_primary_keys();
        let seq_names = if pk {
            options.sequence_fields()
        } else {
            Vec::new()
        };
        let mut group_names: Vec<String> = Vec::new();
        for (k, v) in options.all() {
            if let Some(cols) = k
                .strip_prefix("fields.")
                .and_then(|r| r.strip_suffix(".sequence-group"))
            {
                group_names.extend(
                    cols.split(',')
                        .chain(v.split(','))
                        .map(|s| s.trim().to_string()),
                );
            }
        }
        let filter_names: Vec<String> = filter
            .iter()
            .flat_map(|f| f.columns())
            .map(String::from)
            .collect();
        let needed: Vec<&String> = out_fields
            .iter()
            .map(|f| &f.name)
            .chain(if pk { key_names.iter() } else { [].iter() })
            .chain(seq_names.iter())
            .chain(group_names.iter())
            .chain(filter_names.iter())
            .collect();
        let fields: Vec<DataField> = read_schema
            .fields
            .iter()
            .filter(|f| needed.contains(&&f.name))
            .cloned()
            .collect();
        let pos = |n: &str| fields.iter().position(|f| f.name == n);
        let ctx = SplitContext::new(&read_schema, fields.clone(), filter.clone())?;
        let output: Vec<usize> = out_fields
            .iter()
            .map(|f| {
                pos(&f.name)
                    .ok_or_else(|| Error::InvalidValue(format!("no column named {:?}", f.name)))
            })
            .collect::<Result<_>>()?;
        let mut arrow_fields: Vec<Field> = out_fields.iter().map(evolution::read_field).collect();
        if kinds != Kinds::Hidden {
            arrow_fields.push(Field::new(KIND_COLUMN, arrow_schema::DataType::Utf8, false));
        }
        Ok(TableReader {
            table,
            snapshot,
            schema: Arc::new(Schema::new(arrow_fields)),
            read_schema,
            ctx: Arc::new(ctx),
            output,
            filter,
            remaining: limit,
            kinds,
            splits: splits.into(),
            current: None,
        })
    }

    /// Splits this reader into at most `n` readers over disjoint sets of splits, balanced by
    /// bytes, to be driven concurrently (one task or thread each). Each applies the filter; a
    /// limit applies to each of them, so callers enforcing a global limit must count rows.
    pub fn partition(self, n: usize) -> Vec<TableReader> {
        let n = n.max(1).min(self.splits.len().max(1));
        let mut groups: Vec<(u64, Vec<Split>)> = (0..n).map(|_| (0, Vec::new())).collect();
        let mut splits: Vec<Split> = self.splits.into_iter().collect();
        let size = |s: &Split| {
            s.files
                .iter()
                .map(|f| f.file_size.max(0) as u64)
                .sum::<u64>()
        };
        splits.sort_by_key(|s| std::cmp::Reverse(size(s)));
        for s in splits {
            #[allow(clippy::expect_used, reason = "groups has n >= 1 entries (made above)")]
            let g = groups.iter_mut().min_by_key(|g| g.0).expect("n >= 1");
            g.0 += size(&s);
            g.1.push(s);
        }
        groups
            .into_iter()
            .map(|(_, splits)| TableReader {
                table: self.table.clone(),
                snapshot: self.snapshot.clone(),
                schema: self.schema.clone(),
                read_schema: self.read_schema.clone(),
                ctx: self.ctx.clone(),
                output: self.output.clone(),
                filter: self.filter.clone(),
                remaining: self.remaining,
                kinds: self.kinds,
                splits: splits.into(),
                current: None,
            })
            .collect()
    }

    /// The Arrow schema of the batches.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The snapshot being read (`None` for a table without snapshots).
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// The directory of a split's files.
    fn split_dir(&self, split: &Split) -> Result<String> {
        bucket_dir(&self.read_schema, &split.partition, split.bucket)
    }

    /// The next batch, or `None` when the read is complete.
    pub async fn next(&mut self) -> Result<Option<RecordBatch>> {
        loop {
            if self.remaining == Some(0) {
                return Ok(None);
            }
            let reader = match self.current {
                Some(ref mut reader) => reader,
                None => {
                    let Some(split) = self.splits.pop_front() else {
                        return Ok(None);
                    };
                    let dir = self.split_dir(&split)?;
                    self.current
                        .insert(SplitReader::new(split, dir, self.ctx.clone())?)
                }
            };
            let Some(crate::merge::KvBatch {
                cols, kind: kinds, ..
            }) = reader.next(&self.table).await?
            else {
                self.current = None;
                continue;
            };
            if let Some(batch) = self.finish(cols, kinds)? {
                return Ok(Some(batch));
            }
        }
    }

    /// Drops retractions (unless kept), applies the filter and limit, projects the output.
    fn finish(&mut self, cols: Vec<ArrayRef>, kinds: Int8Array) -> Result<Option<RecordBatch>> {
        let rows = kinds.len();
        let err = |e: arrow_schema::ArrowError| Error::InvalidValue(format!("read: {e}"));
        let mut keep: BooleanArray = if self.kinds == Kinds::Changes {
            BooleanArray::from(vec![true; rows])
        } else {
            kinds
                .values()
                .iter()
                .map(|k| Some(!row_kind::is_retract(*k)))
                .collect()
        };
        if let Some(f) = &self.filter {
            let read_batch =
                RecordBatch::try_new(evolution::read_schema(&self.ctx.fields), cols.clone())
                    .map_err(err)?;
            keep =
                arrow_arith::boolean::and_kleene(&keep, &f.evaluate(&read_batch)?).map_err(err)?;
        }
        let mut out: Vec<ArrayRef> = self.output.iter().map(|&i| cols[i].clone()).collect();
        match self.kinds {
            Kinds::Hidden => {}
            Kinds::Inserts => out.push(Arc::new(StringArray::from_iter_values(
                std::iter::repeat_n(row_kind::name(row_kind::INSERT), rows),
            ))),
            Kinds::Changes => out.push(Arc::new(StringArray::from_iter_values(
                kinds.values().iter().map(|k| row_kind::name(*k)),
            ))),
        }
        let batch = RecordBatch::try_new(self.schema.clone(), out).map_err(err)?;
        let mut batch = if keep.true_count() == rows {
            batch
        } else {
            arrow_select::filter::filter_record_batch(&batch, &keep).map_err(err)?
        };
        if let Some(n) = self.remaining.as_mut() {
            if batch.num_rows() > *n {
                batch = batch.slice(0, *n);
            }
            *n -= batch.num_rows();
        }
        Ok((batch.num_rows() > 0).then_some(batch))
    }
}

/// The changes of snapshots `(from, to]`, in commit order, as rows with a `_kind` column:
/// delta files of APPEND snapshots, or changelog files where the table has a changelog
/// producer. The rows follow snapshot `to`'s schema.
pub async fn read_changes(
    table: Arc<Table>,
    from: i64,
    to: i64,
    columns: Option<Vec<String>>,
    filter: Option<&Predicate>,
) -> Result<TableReader> {
    if from >= to {
        return Err(Error::InvalidValue(format!(
            "incremental read needs from < to, got {from}..{to}"
        )));
    }
    let end = Snapshot::load(table.storage(), to).await?;
    let schema = table.schema_by_id(end.schema_id).await?;
    let filter = filter.map(|f| f.bind(&schema.fields)).transpose()?;
    let mut splits = Vec::new();
    for id in from + 1..=to {
        let s = Snapshot::load(table.storage(), id).await?;
        splits.extend(crate::scan::snapshot_changes(&table, &s).await?);
    }
    TableReader::new(
        table,
        schema,
        Some(end),
        splits,
        columns,
        filter,
        None,
        Kinds::Changes,
    )
}

/// A reader of given change splits (one snapshot's, from a stream), keeping row kinds.
pub async fn read_splits_with_kinds(
    table: Arc<Table>,
    snapshot: Snapshot,
    splits: Vec<Split>,
    columns: Option<Vec<String>>,
    filter: Option<&Predicate>,
) -> Result<TableReader> {
    let schema = table.schema_by_id(snapshot.schema_id).await?;
    let filter = filter.map(|f| f.bind(&schema.fields)).transpose()?;
    TableReader::new(
        table,
        schema,
        Some(snapshot),
        splits,
        columns,
        filter,
        None,
        Kinds::Changes,
    )
}

/// Reads everything into memory (tests and small tables).
pub async fn read_all(reader: &mut TableReader) -> Result<Vec<RecordBatch>> {
    let mut out = Vec::new();
    while let Some(b) = reader.next().await? {
        out.push(b);
    }
    Ok(out)
}
