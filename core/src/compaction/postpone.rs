//! Compacting a postpone-bucket table (`bucket = -2`): the rows waiting in each partition's
//! `bucket-postpone` directory get real buckets, as Paimon's postpone compaction gives them.
//!
//! A partition keeps the bucket count its real buckets already have; a partition without any
//! takes `postpone.default-bucket-num`, else as many buckets as its waiting rows need at
//! `postpone.target-row-num-per-bucket` rows (when set) or its waiting files' bytes at
//! `postpone.target-size-per-bucket` (1 GiB) per bucket. The waiting files are replayed
//! oldest first (by creation time), each row in the order it was written, into its bucket by
//! the bucket-key hash, after the rows already there (new sequence numbers, its kind kept); the
//! new level-0 files and the removal of the postpone files are one COMPACT snapshot.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::RecordBatch;

use crate::bucket::POSTPONE_BUCKET;
use crate::key_value::RowKind;
use crate::manifest::ManifestEntry;
use crate::options::TableOptions;
use crate::path::bucket_dir;
use crate::read::evolution::read_schema;
use crate::read::file::DataFileReader;
use crate::snapshot::Snapshot;
use crate::table::Table;
use crate::write::{Assignment, Input, TableWriter, WriteEnv};
use crate::{Error, Result};

use super::run::{in_partitions, latest_live};
use super::CompactOptions;

/// Gives the postpone bucket's rows (of the partitions `opts` selects) real buckets; `None`
/// when none are waiting.
pub(super) async fn assign_postponed(
    table: &Arc<Table>,
    opts: &CompactOptions,
    env: Arc<dyn WriteEnv>,
) -> Result<Option<Snapshot>> {
    let schema = table.schema().clone();
    let Some((_, live)) = latest_live(table).await? else {
        return Ok(None);
    };
    let in_scope = in_partitions(&schema, &opts.partition)?;
    let mut waiting: Vec<ManifestEntry> = Vec::new();
    for e in live.iter().filter(|e| e.bucket == POSTPONE_BUCKET) {
        if in_scope(&e.partition)? {
            waiting.push(e.clone());
        }
    }
    if waiting.is_empty() {
        return Ok(None);
    }
    let buckets = bucket_counts(&TableOptions::new(&schema.options), &live, &waiting)?;
    // Oldest first; files of one moment in the order the snapshot lists them.
    waiting.sort_by_key(|e| e.file.creation_time.unwrap_or(i64::MIN));
    let clock = crate::log::Stopwatch::start();
    let files = waiting.len();
    let assignment = Assignment {
        buckets,
        default: None,
        replaced: waiting.clone(),
    };
    let mut writer = TableWriter::assigning(table.clone(), env, assignment).await?;
    let wanted = schema.fields.clone();
    let out = read_schema(&wanted);
    for e in &waiting {
        let dir = bucket_dir(&schema, &e.partition, POSTPONE_BUCKET)?;
        let path = format!("{dir}/{}", e.file.file_name);
        let file_schema = table.schema_by_id(e.file.schema_id).await?;
        let read = async {
            let mut reader = DataFileReader::open(
                table.storage(),
                &dir,
                &e.file,
                &file_schema,
                &wanted,
                true,
                None,
                None,
            )
            .await?;
            let mut line = 0;
            while let Some(kv) = reader.next(table.storage()).await? {
                let kinds = kv
                    .kind
                    .values()
                    .iter()
                    .map(|&k| {
                        RowKind::from_byte(k)
                            .ok_or_else(|| Error::corrupt(&path, format!("row kind {k}")))
                    })
                    .collect::<Result<Vec<_>>>()?;
                let rows = kinds.len();
                let batch = RecordBatch::try_new(out.clone(), kv.cols)
                    .map_err(|x| Error::corrupt(&path, x))?;
                writer
                    .push(Input {
                        path: path.clone(),
                        first_line: line,
                        batch,
                        kinds: Some(kinds),
                    })
                    .await?;
                line += rows;
            }
            Ok::<(), Error>(())
        };
        if let Err(err) = read.await {
            writer.abort().await;
            return Err(err);
        }
    }
    let snapshot = writer.commit().await?;
    tracing::info!(
        files,
        snapshot = snapshot.as_ref().map(|s| s.id),
        ms = clock.ms(),
        "gave the postpone bucket's rows real buckets"
    );
    Ok(snapshot)
}

/// The bucket count of each partition with real buckets among `live` (serialized partition
/// row); a partition whose files disagree is an error.
pub(crate) fn known_bucket_counts(live: &[ManifestEntry]) -> Result<HashMap<Vec<u8>, i32>> {
    let mut known: HashMap<Vec<u8>, i32> = HashMap::new();
    for e in live.iter().filter(|e| e.bucket >= 0) {
        let key = e.partition.serialize();
        match known.get(&key) {
            Some(&n) if n != e.total_buckets => {
                return Err(Error::corrupt(
                    &e.file.file_name,
                    format!(
                        "a partition's files say {n} and {} buckets",
                        e.total_buckets
                    ),
                ))
            }
            _ => {
                known.insert(key, e.total_buckets);
            }
        }
    }
    Ok(known)
}

/// The bucket count of each partition with waiting files (serialized partition row).
fn bucket_counts(
    options: &TableOptions<'_>,
    live: &[ManifestEntry],
    waiting: &[ManifestEntry],
) -> Result<HashMap<Vec<u8>, i32>> {
    let known = known_bucket_counts(live)?;
    let default = options.postpone_default_bucket_num()?.map(i64::from);
    let target_rows = match options.get("postpone.target-row-num-per-bucket") {
        None => None,
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(Error::InvalidValue(format!(
                    "option postpone.target-row-num-per-bucket = {v:?}: must be a number > 0"
                )))
            }
        },
    };
    let target_size = options
        .memory_size("postpone.target-size-per-bucket")?
        .unwrap_or(1 << 30)
        .clamp(1, i64::MAX as u64) as i64;
    // What each new partition waits with: rows and bytes.
    let mut waiting_sums: HashMap<Vec<u8>, (i64, i64)> = HashMap::new();
    for e in waiting {
        let s = waiting_sums.entry(e.partition.serialize()).or_default();
        s.0 = s.0.saturating_add(e.file.row_count);
        s.1 = s.1.saturating_add(e.file.file_size);
    }
    let mut out = HashMap::new();
    for (key, (rows, bytes)) in waiting_sums {
        let n = match (known.get(&key), default, target_rows) {
            (Some(&n), _, _) if n > 0 => i64::from(n),
            (Some(&n), _, _) => {
                return Err(Error::InvalidValue(format!(
                    "a partition's real buckets say {n} buckets"
                )))
            }
            (None, Some(n), _) => n,
            (None, None, Some(t)) => (rows.max(1) - 1) / t + 1,
            (None, None, None) => (bytes.max(1) - 1) / target_size + 1,
        };
        let n = i32::try_from(n).map_err(|_| {
            Error::InvalidValue(format!("{n} buckets for one partition is too many"))
        })?;
        out.insert(key, n);
    }
    Ok(out)
}
