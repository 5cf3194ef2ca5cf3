//! Running an append-table compaction ([`super::append`]): each task's files are read in
//! write order and rewritten into files of the target size, committed as one COMPACT
//! snapshot that deletes the small files and adds the new ones.

use std::sync::Arc;

use arrow_array::ArrayRef;

use super::append::plan_append_compaction;
use super::run::{commit_compaction, in_partitions, latest_live, remove_outputs, CompactOptions};
use crate::manifest::{FileKind, FileSource, ManifestEntry};
use crate::options::TableOptions;
use crate::path::bucket_dir;
use crate::read::{SplitContext, SplitReader};
use crate::scan::Split;
use crate::snapshot::Snapshot;
use crate::table::Table;
use crate::write::{DataFileWriter, Progress, WriteEnv};
use crate::{Error, Result};

/// Compacts an append table's small files (all files of each bucket with `full`); `None` if
/// nothing needed it. Stops between buckets when `stop` resolves, as
/// [`super::compact_until`] does.
pub(super) async fn compact_append(
    table: Arc<Table>,
    opts: CompactOptions,
    env: Arc<dyn WriteEnv>,
    stop: std::pin::Pin<&mut impl futures::future::FusedFuture<Output = ()>>,
) -> Result<Option<Snapshot>> {
    use futures::FutureExt;
    let mut stop = stop;
    let schema = table.schema().clone();
    let options = TableOptions::new(&schema.options);
    if options.deletion_vectors() {
        return Err(Error::unsupported(
            "compact",
            "compaction of append tables with deletion vectors",
        ));
    }
    let Some((latest, live)) = latest_live(&table).await? else {
        return Ok(None);
    };
    let tasks = plan_append_compaction(
        &live,
        &options,
        opts.full,
        in_partitions(&schema, &opts.partition)?,
    )?;
    if tasks.is_empty() {
        return Ok(None);
    }
    let (clock, buckets) = (crate::log::Stopwatch::start(), tasks.len());
    let ctx = Arc::new(SplitContext::new(&schema, schema.fields.clone(), None)?);
    let writer = DataFileWriter::new(table.clone(), env.clone());
    let mut entries = Vec::new();
    let written: Result<()> = async {
        for (done, task) in tasks.into_iter().enumerate() {
            env.progress(Progress::Compacted {
                done,
                total: buckets,
            });
            if stop.as_mut().now_or_never().is_some() {
                return Err(Error::Uncommitted(Box::new(Error::InvalidValue(
                    "the compaction was stopped before its commit".into(),
                ))));
            }
            let dir = bucket_dir(&schema, &task.partition, task.bucket)?;
            let split = Split {
                partition: task.partition.clone(),
                bucket: task.bucket,
                files: task.files.clone(),
                raw_convertible: true,
                deletion_files: Default::default(),
            };
            let mut reader = SplitReader::new(split, dir.clone(), ctx.clone())?;
            let mut parts: Vec<Vec<ArrayRef>> = vec![Vec::new(); ctx.fields.len()];
            while let Some(b) = reader.next(&table).await? {
                for (c, col) in b.cols.into_iter().enumerate() {
                    parts[c].push(col);
                }
            }
            let cols = parts
                .into_iter()
                .map(|p| {
                    let refs: Vec<&dyn arrow_array::Array> = p.iter().map(|a| a.as_ref()).collect();
                    arrow_select::concat::concat(&refs)
                        .map_err(|e| Error::InvalidValue(format!("{dir}: {e}")))
                })
                .collect::<Result<Vec<_>>>()?;
            let mut files = writer.encode_append(&dir, cols)?;
            // The new files keep the inputs' place in write order.
            let mut seq = task
                .files
                .iter()
                .map(|f| f.min_sequence_number)
                .min()
                .unwrap_or(0);
            for f in &mut files {
                f.meta.file_source = Some(FileSource::Compact);
                f.meta.min_sequence_number = seq;
                f.meta.max_sequence_number = seq + (f.meta.row_count - 1).max(0);
                seq = f.meta.max_sequence_number + 1;
            }
            let added = writer.put(files).await?;
            let inputs: std::collections::HashSet<&str> =
                task.files.iter().map(|f| f.file_name.as_str()).collect();
            entries.extend(
                live.iter()
                    .filter(|e| {
                        e.bucket == task.bucket
                            && e.partition == task.partition
                            && inputs.contains(e.file.file_name.as_str())
                    })
                    .map(|e| ManifestEntry {
                        kind: FileKind::Delete,
                        ..e.clone()
                    }),
            );
            entries.extend(added.into_iter().map(|file| ManifestEntry {
                kind: FileKind::Add,
                partition: task.partition.clone(),
                bucket: task.bucket,
                total_buckets: task.total_buckets,
                file,
            }));
        }
        Ok(())
    }
    .await;
    if let Err(e) = written {
        remove_outputs(&table, &schema, &entries, &[]).await;
        return Err(e);
    }
    tracing::info!(
        buckets,
        rewritten = entries
            .iter()
            .filter(|e| e.kind == FileKind::Delete)
            .count(),
        written = entries.iter().filter(|e| e.kind == FileKind::Add).count(),
        ms = clock.ms(),
        "append compaction merged small files; committing"
    );
    commit_compaction(
        &table,
        &latest,
        entries,
        Vec::new(),
        Vec::new(),
        env.as_ref(),
    )
    .await
}
