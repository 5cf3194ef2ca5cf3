//! Reading one split: sections of non-overlapping runs are streamed file by file, overlapping
//! ones go through the k-way merge.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::file::{DataFileReader, Pruning};
use crate::deletion_vector::{read_deletion_vector, DeletionFile};
use crate::manifest::DataFileMeta;
use crate::merge::{interval, KvBatch, MergeFunction, MergeReader};
use crate::options::TableOptions;
use crate::predicate::BoundPredicate;
use crate::scan::Split;
use crate::schema::TableSchema;
use crate::table::Table;
use crate::types::{to_arrow_type, DataField, DataType};
use crate::{Error, Result};

/// What every split of one read shares.
#[derive(Debug, Clone)]
pub struct SplitContext {
    /// The fields read from files (output, key, sequence and filter columns).
    pub fields: Vec<DataField>,
    /// Positions of the trimmed primary key among `fields`.
    pub key_cols: Vec<usize>,
    /// Types of the trimmed primary key.
    pub key_types: Vec<DataType>,
    /// Positions of `sequence.field` columns among `fields`.
    pub seq_cols: Vec<usize>,
    /// `sequence.field.sort-order=descending`.
    pub seq_descending: bool,
    /// The merge engine (primary-key tables).
    pub func: Option<MergeFunction>,
    /// The read's filter, for pruning row groups and pages by statistics (on the key
    /// columns only where a merge follows).
    pub filter: Option<BoundPredicate>,
}

impl SplitContext {
    /// The merge rules of `schema` (trimmed primary key, `sequence.field` and its order, the
    /// merge engine) over `fields`, the columns a read takes from its files: the one place
    /// reads, writes and compactions get them from. Append tables have no key and no merge.
    pub fn new(
        schema: &TableSchema,
        fields: Vec<DataField>,
        filter: Option<BoundPredicate>,
    ) -> Result<Self> {
        let options = TableOptions::new(&schema.options);
        let pk = schema.has_primary_key();
        let pos = |n: &str| fields.iter().position(|f| f.name == n);
        let key_cols = if pk {
            schema
                .trimmed_primary_keys()
                .iter()
                .filter_map(|n| pos(n))
                .collect()
        } else {
            Vec::new()
        };
        let seq_cols = if pk {
            options
                .sequence_fields()
                .iter()
                .filter_map(|n| pos(n))
                .collect()
        } else {
            Vec::new()
        };
        let func = if pk {
            Some(MergeFunction::new(&options, &fields, &schema.primary_keys)?)
        } else {
            None
        };
        Ok(SplitContext {
            key_cols,
            key_types: schema
                .trimmed_primary_key_fields()?
                .iter()
                .map(|f| f.data_type.clone())
                .collect(),
            seq_cols,
            seq_descending: options.sequence_descending(),
            func,
            fields,
            filter,
        })
    }
}

/// A file queue read one file at a time.
struct FileQueue {
    files: VecDeque<DataFileMeta>,
    current: Option<DataFileReader>,
    deletion_files: Arc<HashMap<String, DeletionFile>>,
    /// Whether rows are final (no merge follows), so every filter column may prune row
    /// groups and pages; otherwise only the primary-key columns may.
    final_rows: bool,
}

impl FileQueue {
    fn new(
        files: Vec<DataFileMeta>,
        deletion_files: Arc<HashMap<String, DeletionFile>>,
        final_rows: bool,
    ) -> Self {
        FileQueue {
            files: files.into(),
            current: None,
            deletion_files,
            final_rows,
        }
    }

    async fn next(
        &mut self,
        table: &Table,
        dir: &str,
        ctx: &SplitContext,
    ) -> Result<Option<crate::merge::KvBatch>> {
        loop {
            if let Some(r) = &mut self.current {
                if let Some(b) = r.next(table.storage()).await? {
                    return Ok(Some(b));
                }
                self.current = None;
            }
            let Some(f) = self.files.pop_front() else {
                return Ok(None);
            };
            let schema = table.schema_by_id(f.schema_id).await?;
            let kv = ctx.func.is_some();
            let deleted = match self.deletion_files.get(&f.file_name) {
                Some(d) => Some(read_deletion_vector(table.storage(), d).await?),
                None => None,
            };
            let keys: Vec<String> = ctx
                .key_cols
                .iter()
                .map(|&i| ctx.fields[i].name.clone())
                .collect();
            let prune = ctx.filter.as_ref().map(|filter| Pruning {
                filter,
                columns: (!self.final_rows).then_some(keys.as_slice()),
            });
            self.current = Some(
                DataFileReader::open(
                    table.storage(),
                    dir,
                    &f,
                    &schema,
                    &ctx.fields,
                    kv,
                    deleted,
                    prune,
                )
                .await?,
            );
        }
    }
}

enum Section {
    Sequential(FileQueue),
    Merge(MergeReader, Vec<FileQueue>),
}

/// Streams the rows of one split, with their row kinds.
pub struct SplitReader {
    dir: String,
    ctx: Arc<SplitContext>,
    pending: VecDeque<Vec<Vec<DataFileMeta>>>,
    current: Option<Section>,
    deletion_files: Arc<HashMap<String, DeletionFile>>,
}

impl SplitReader {
    /// A reader of `split`, whose files live in `dir`.
    pub fn new(split: Split, dir: String, ctx: Arc<SplitContext>) -> Result<Self> {
        let pending = if ctx.func.is_none() || split.raw_convertible {
            // No merge: files in manifest order (for incremental reads, commit order).
            VecDeque::from([vec![split.files]])
        } else {
            interval::partition(split.files, &ctx.key_types)?.into()
        };
        Ok(SplitReader {
            deletion_files: Arc::new(split.deletion_files),
            dir,
            ctx,
            pending,
            current: None,
        })
    }

    /// The next batch of read-field columns with their row kinds and sequence numbers, or
    /// `None` at the end.
    pub async fn next(&mut self, table: &Table) -> Result<Option<KvBatch>> {
        loop {
            match &mut self.current {
                None => {
                    let Some(runs) = self.pending.pop_front() else {
                        return Ok(None);
                    };
                    self.current = Some(match <[Vec<DataFileMeta>; 1]>::try_from(runs) {
                        Ok([run]) => Section::Sequential(FileQueue::new(
                            run,
                            self.deletion_files.clone(),
                            true,
                        )),
                        Err(runs) => {
                            let Some(func) = self.ctx.func.clone() else {
                                return Err(Error::InvalidValue(format!(
                                    "{} sorted runs in {} to merge without a merge function",
                                    runs.len(),
                                    self.dir
                                )));
                            };
                            let reader = MergeReader::new(
                                runs.len(),
                                self.ctx.key_cols.clone(),
                                self.ctx.key_types.iter().map(to_arrow_type).collect(),
                                self.ctx.seq_cols.clone(),
                                self.ctx.seq_descending,
                                func,
                            )?;
                            Section::Merge(
                                reader,
                                runs.into_iter()
                                    .map(|r| FileQueue::new(r, self.deletion_files.clone(), false))
                                    .collect(),
                            )
                        }
                    });
                }
                Some(Section::Sequential(q)) => match q.next(table, &self.dir, &self.ctx).await? {
                    Some(b) => return Ok(Some(b)),
                    None => self.current = None,
                },
                Some(Section::Merge(reader, queues)) => {
                    // The runs' next batches are independent reads: fetch them together, so
                    // opening a section's files costs one round of requests, not one per run.
                    let needs = reader.needs();
                    let (dir, ctx) = (&self.dir, &self.ctx);
                    let reads = queues
                        .iter_mut()
                        .enumerate()
                        .filter(|(i, _)| needs.contains(i))
                        .map(|(i, q)| async move {
                            Ok::<_, Error>((i, q.next(table, dir, ctx).await?))
                        });
                    for (run, b) in futures::future::try_join_all(reads).await? {
                        reader.push(run, b)?;
                    }
                    match reader.next_round()? {
                        Some(b) => return Ok(Some(b)),
                        None => self.current = None,
                    }
                }
            }
        }
    }
}
