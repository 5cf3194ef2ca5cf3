//! `strata compact`: Paimon's universal compaction (or a full one) of primary-key buckets,
//! merged with the table's merge engine and committed as a COMPACT snapshot.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int8Array};
use strata_core::compaction::{drops_deletes, pick_universal, sorted_runs, CompactionOptions};
use strata_core::manifest::{FileKind, FileSource, ManifestEntry};
use strata_core::merge::{row_kind, MergeFunction};
use strata_core::options::TableOptions;
use strata_core::read::{bucket_dir, SplitContext, SplitReader};
use strata_core::scan::{resolve_snapshot, SnapshotSpec, Split};
use strata_core::snapshot::{CommitKind, Snapshot, BATCH_COMMIT_IDENTIFIER};
use strata_core::table::Table;
use strata_core::types::DataType;
use strata_core::{Error, Result};

use crate::write::{commit_with_retries, DataFileWriter};
use strata_core::commit::CommitChanges;

/// What `strata compact` does.
#[derive(Debug, Clone, Default)]
pub struct CompactOptions {
    /// Merge every run of each bucket into the highest level.
    pub full: bool,
    /// Only buckets of partitions matching this spec (`k=v`).
    pub partition: Vec<(String, String)>,
}

/// Compacts the table's buckets that need it (all of them with `full`); `None` if none did.
pub async fn compact(table: Arc<Table>, opts: CompactOptions) -> Result<Option<Snapshot>> {
    let schema = table.schema().clone();
    if !schema.has_primary_key() {
        return Err(Error::unsupported("compact", "compaction of append tables"));
    }
    let options = TableOptions::new(&schema.options);
    let copts = CompactionOptions::from(&options);
    let Some(latest) = resolve_snapshot(table.storage(), &SnapshotSpec::Latest).await? else {
        return Ok(None);
    };
    let pfields = schema.partition_fields()?;
    let ptypes: Vec<DataType> = pfields.iter().map(|f| f.data_type.clone()).collect();
    let mut buckets: BTreeMap<(Vec<u8>, i32), Vec<ManifestEntry>> = BTreeMap::new();
    for e in strata_core::manifest::live_files(table.storage(), &latest).await? {
        if e.bucket < 0 {
            continue;
        }
        buckets
            .entry((e.partition.serialize(), e.bucket))
            .or_default()
            .push(e);
    }
    let key_fields = schema.trimmed_primary_key_fields()?;
    let fields = schema.fields.clone();
    let ctx = Arc::new(SplitContext {
        key_cols: key_fields
            .iter()
            .map(|k| fields.iter().position(|f| f.id == k.id).expect("key"))
            .collect(),
        key_types: key_fields.iter().map(|f| f.data_type.clone()).collect(),
        seq_cols: options
            .sequence_fields()
            .iter()
            .filter_map(|n| fields.iter().position(|f| &f.name == n))
            .collect(),
        seq_descending: options.sequence_descending(),
        func: Some(MergeFunction::new(&options, &fields, &schema.primary_keys)?),
        fields: fields.clone(),
        filter: None,
    });
    let uuid = uuid::Uuid::new_v4().to_string();
    let mut writer = DataFileWriter::new(table.clone(), uuid);
    let mut entries = Vec::new();
    for ((_, bucket), live) in buckets {
        let partition = live[0].partition.clone();
        let values = partition.decode(&ptypes)?;
        if !crate::write::partition_matches(&pfields, &values, &opts.partition, &schema) {
            continue;
        }
        let files: Vec<_> = live.iter().map(|e| e.file.clone()).collect();
        let runs = sorted_runs(&files);
        let unit = if opts.full {
            let done = runs.len() == 1
                && runs[0].level == copts.max_level()
                && files.iter().all(|f| f.delete_row_count == Some(0));
            (!done).then(|| strata_core::compaction::CompactUnit {
                output_level: copts.max_level(),
                files: files.clone(),
            })
        } else {
            pick_universal(&runs, &copts)
        };
        let Some(unit) = unit else { continue };
        let drop = drops_deletes(unit.output_level, &runs, options.deletion_vectors());
        let split = Split {
            partition: partition.clone(),
            bucket,
            files: unit.files.clone(),
            raw_convertible: false,
            deletion_files: Default::default(),
        };
        let mut reader =
            SplitReader::new(split, bucket_dir(&schema, &partition, bucket)?, ctx.clone())?;
        let mut cols: Vec<Vec<ArrayRef>> = vec![Vec::new(); fields.len()];
        let (mut kinds, mut seqs) = (Vec::new(), Vec::new());
        while let Some(b) = reader.next(&table).await? {
            let keep: Vec<usize> = (0..b.kind.len())
                .filter(|&r| !(drop && row_kind::is_retract(b.kind.value(r))))
                .collect();
            let idx =
                arrow_array::UInt32Array::from(keep.iter().map(|&r| r as u32).collect::<Vec<_>>());
            for (c, col) in b.cols.iter().enumerate() {
                cols[c].push(
                    arrow_select::take::take(col.as_ref(), &idx, None)
                        .map_err(|e| Error::InvalidValue(e.to_string()))?,
                );
            }
            kinds.extend(keep.iter().map(|&r| b.kind.value(r)));
            seqs.extend(keep.iter().map(|&r| b.seq[r]));
        }
        let cols: Vec<ArrayRef> = cols
            .into_iter()
            .map(|parts| {
                let refs: Vec<&dyn arrow_array::Array> = parts.iter().map(|a| a.as_ref()).collect();
                arrow_select::concat::concat(&refs).map_err(|e| Error::InvalidValue(e.to_string()))
            })
            .collect::<Result<_>>()?;
        let out = writer
            .write_key_value(
                &values,
                bucket,
                cols,
                Int8Array::from(kinds),
                seqs,
                unit.output_level,
                FileSource::Compact,
            )
            .await?;
        let total_buckets = live[0].total_buckets;
        let inputs: std::collections::HashSet<&str> =
            unit.files.iter().map(|f| f.file_name.as_str()).collect();
        entries.extend(
            live.iter()
                .filter(|e| inputs.contains(e.file.file_name.as_str()))
                .map(|e| ManifestEntry {
                    kind: FileKind::Delete,
                    ..e.clone()
                }),
        );
        entries.extend(out.into_iter().map(|file| ManifestEntry {
            kind: FileKind::Add,
            partition: partition.clone(),
            bucket,
            total_buckets,
            file,
        }));
    }
    if entries.is_empty() {
        return Ok(None);
    }
    let changes = CommitChanges {
        kind: CommitKind::Compact,
        entries,
        changelog: Vec::new(),
        properties: None,
    };
    let user = uuid::Uuid::new_v4().to_string();
    commit_with_retries(
        table,
        &user,
        &changes,
        BATCH_COMMIT_IDENTIFIER,
        Some(latest.id),
    )
    .await
    .map(Some)
}
