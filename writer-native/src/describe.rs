//! Describing what a table holds: its snapshots, its live files, its tags and a summary, as
//! aligned text for people (times in ISO-8601 UTC, sizes in KB/MB/GB) or JSON for programs.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::{json, Value};
use strata_core::binary_row::{BinaryRow, Datum};
use strata_core::expire::{existing_snapshot_ids, tags};
use strata_core::manifest::{live_files, ManifestEntry};
use strata_core::path::bucket_dir;
use strata_core::schema::TableSchema;
use strata_core::snapshot::Snapshot;
use strata_core::storage::Storage;
use strata_core::types::DataType;
use strata_core::Result;

/// How metadata commands print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MetaFormat {
    /// Aligned text with readable times and sizes.
    #[default]
    Text,
    /// One JSON document (exact numbers, epoch milliseconds beside ISO times).
    Json,
}

/// An epoch-millisecond time as ISO-8601 UTC (`2024-01-02T03:04:05.678Z`).
pub fn iso_time(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let ms = millis.rem_euclid(86_400_000);
    let (y, m, d) = strata_core::path::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// A byte count for people: `912 B`, `3.4 KB`, `12.0 MB`, `1.5 GB` (powers of 1024).
pub fn human_size(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn snapshot_json(s: &Snapshot) -> Value {
    json!({
        "id": s.id,
        "kind": format!("{:?}", s.commit_kind).to_uppercase(),
        "schemaId": s.schema_id,
        "totalRecordCount": s.total_record_count,
        "deltaRecordCount": s.delta_record_count,
        "changelogRecordCount": s.changelog_record_count,
        "timeMillis": s.time_millis,
        "time": iso_time(s.time_millis),
        "commitUser": s.commit_user,
        "commitIdentifier": s.commit_identifier,
        "watermark": s.watermark,
    })
}

/// Every snapshot that exists: id, kind, schema, records and time.
pub async fn describe_snapshots(storage: &dyn Storage, format: MetaFormat) -> Result<String> {
    let ids = existing_snapshot_ids(storage).await?;
    let mut snapshots = Vec::with_capacity(ids.len());
    for id in ids {
        snapshots.push(Snapshot::load(storage, id).await?);
    }
    if format == MetaFormat::Json {
        return Ok(pretty(&Value::Array(
            snapshots.iter().map(snapshot_json).collect(),
        )));
    }
    if snapshots.is_empty() {
        return Ok("no snapshots yet\n".into());
    }
    let mut out = String::new();
    writeln!(
        out,
        "{:>6}  {:<9}  {:>6}  {:>12}  {:>12}  time (UTC)",
        "id", "kind", "schema", "total_rows", "delta_rows"
    )
    .ok();
    for s in &snapshots {
        writeln!(
            out,
            "{:>6}  {:<9}  {:>6}  {:>12}  {:>12}  {}",
            s.id,
            format!("{:?}", s.commit_kind).to_uppercase(),
            s.schema_id,
            s.total_record_count.map_or("-".into(), |v| v.to_string()),
            s.delta_record_count.map_or("-".into(), |v| v.to_string()),
            iso_time(s.time_millis)
        )
        .ok();
    }
    Ok(out)
}

/// Decodes a BinaryRow for display.
fn show_row(row: &BinaryRow, types: &[DataType]) -> String {
    match row.decode(types) {
        Ok(values) => format!(
            "({})",
            values
                .iter()
                .map(Datum::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => format!("<{e}>"),
    }
}

/// A live file with what it says about itself, decoded with the schema it was written with.
struct FileInfo {
    dir: String,
    partition: String,
    keys: Option<(String, String)>,
    entry: ManifestEntry,
}

async fn file_infos(storage: &dyn Storage, snap: &Snapshot) -> Result<Vec<FileInfo>> {
    let mut schemas: HashMap<i64, TableSchema> = HashMap::new();
    let mut out = Vec::new();
    for e in live_files(storage, snap).await? {
        let schema = match schemas.entry(e.file.schema_id) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(TableSchema::load(storage, e.file.schema_id).await?)
            }
        };
        let ptypes: Vec<DataType> = schema
            .partition_fields()?
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        let ktypes: Vec<DataType> = schema
            .trimmed_primary_key_fields()?
            .iter()
            .map(|f| f.data_type.clone())
            .collect();
        out.push(FileInfo {
            dir: bucket_dir(schema, &e.partition, e.bucket)?,
            partition: show_row(&e.partition, &ptypes),
            keys: schema.has_primary_key().then(|| {
                (
                    show_row(&e.file.min_key, &ktypes),
                    show_row(&e.file.max_key, &ktypes),
                )
            }),
            entry: e,
        });
    }
    Ok(out)
}

/// The live files of a snapshot (the latest if `None`).
pub async fn describe_files(
    storage: &dyn Storage,
    snapshot: Option<i64>,
    format: MetaFormat,
) -> Result<String> {
    let snap = match snapshot {
        Some(id) => Snapshot::load(storage, id).await?,
        None => match existing_snapshot_ids(storage).await?.last() {
            Some(&id) => Snapshot::load(storage, id).await?,
            None if format == MetaFormat::Json => return Ok("[]\n".into()),
            None => return Ok("no snapshots yet: the table has no files\n".into()),
        },
    };
    let files = file_infos(storage, &snap).await?;
    if format == MetaFormat::Json {
        let items = files
            .iter()
            .map(|f| {
                let d = &f.entry.file;
                json!({
                    "path": format!("{}/{}", f.dir, d.file_name),
                    "partition": f.partition,
                    "bucket": f.entry.bucket,
                    "level": d.level,
                    "rowCount": d.row_count,
                    "deleteRowCount": d.delete_row_count,
                    "fileSize": d.file_size,
                    "minSequenceNumber": d.min_sequence_number,
                    "maxSequenceNumber": d.max_sequence_number,
                    "minKey": f.keys.as_ref().map(|k| &k.0),
                    "maxKey": f.keys.as_ref().map(|k| &k.1),
                    "schemaId": d.schema_id,
                })
            })
            .collect();
        return Ok(pretty(&Value::Array(items)));
    }
    let mut out = String::new();
    let total: i64 = files.iter().map(|f| f.entry.file.file_size).sum();
    writeln!(
        out,
        "snapshot {}: {} live files, {}",
        snap.id,
        files.len(),
        human_size(total)
    )
    .ok();
    for f in &files {
        let d = &f.entry.file;
        let keys = f
            .keys
            .as_ref()
            .map_or(String::new(), |(lo, hi)| format!(" keys {lo}..{hi}"));
        writeln!(
            out,
            "{}/{} level {} rows {} deletes {} size {} seq {}..{}{keys}",
            f.dir,
            d.file_name,
            d.level,
            d.row_count,
            d.delete_row_count.map_or("?".into(), |v| v.to_string()),
            human_size(d.file_size),
            d.min_sequence_number,
            d.max_sequence_number,
        )
        .ok();
    }
    Ok(out)
}

/// Tags: name, snapshot id and commit time.
pub async fn describe_tags(storage: &dyn Storage, format: MetaFormat) -> Result<String> {
    let tags = tags(storage).await?;
    if format == MetaFormat::Json {
        let items = tags
            .iter()
            .map(|(name, t)| {
                json!({
                    "name": name,
                    "snapshotId": t.snapshot.id,
                    "timeMillis": t.snapshot.time_millis,
                    "time": iso_time(t.snapshot.time_millis),
                })
            })
            .collect();
        return Ok(pretty(&Value::Array(items)));
    }
    let mut out = String::new();
    for (name, t) in tags {
        writeln!(
            out,
            "{name}\t{}\t{}",
            t.snapshot.id,
            iso_time(t.snapshot.time_millis)
        )
        .ok();
    }
    Ok(out)
}

/// A summary: the schema's keys and options, the latest snapshot, and per partition and
/// bucket the live files, rows (before merging) and bytes.
pub async fn describe_table(
    storage: &dyn Storage,
    location: &str,
    format: MetaFormat,
) -> Result<String> {
    let schema = TableSchema::load_latest(storage).await?;
    let ids = existing_snapshot_ids(storage).await?;
    let latest = match ids.last() {
        Some(&id) => Some(Snapshot::load(storage, id).await?),
        None => None,
    };
    let files = match &latest {
        Some(s) => file_infos(storage, s).await?,
        None => Vec::new(),
    };
    let mut buckets: BTreeMap<(String, i32), (usize, i64, i64)> = BTreeMap::new();
    for f in &files {
        let b = buckets
            .entry((f.partition.clone(), f.entry.bucket))
            .or_default();
        b.0 += 1;
        b.1 += f.entry.file.row_count;
        b.2 += f.entry.file.file_size;
    }
    let rows: i64 = files.iter().map(|f| f.entry.file.row_count).sum();
    let bytes: i64 = files.iter().map(|f| f.entry.file.file_size).sum();
    let tag_count = tags(storage).await?.len();
    if format == MetaFormat::Json {
        let v = json!({
            "location": location,
            "schemaId": schema.id,
            "comment": schema.comment,
            "fields": schema.fields.iter().map(|f| json!({"name": f.name, "type": f.data_type.to_string(), "comment": f.description})).collect::<Vec<_>>(),
            "primaryKeys": schema.primary_keys,
            "partitionKeys": schema.partition_keys,
            "options": schema.options,
            "snapshots": ids.len(),
            "earliestSnapshot": ids.first(),
            "latestSnapshot": latest.as_ref().map(snapshot_json),
            "tags": tag_count,
            "liveFiles": files.len(),
            "rowsBeforeMerge": rows,
            "bytes": bytes,
            "buckets": buckets.iter().map(|((p, b), (n, r, s))| json!({
                "partition": p, "bucket": b, "files": n, "rows": r, "bytes": s,
            })).collect::<Vec<_>>(),
        });
        return Ok(pretty(&v));
    }
    let mut out = String::new();
    writeln!(out, "table          {location}").ok();
    if let Some(c) = &schema.comment {
        writeln!(out, "comment        {c}").ok();
    }
    let cols: Vec<String> = schema
        .fields
        .iter()
        .map(|f| match &f.description {
            Some(c) => format!("{} {} ({c})", f.name, f.data_type),
            None => format!("{} {}", f.name, f.data_type),
        })
        .collect();
    writeln!(out, "columns        {}", cols.join(", ")).ok();
    writeln!(out, "primary key    {}", schema.primary_keys.join(", ")).ok();
    writeln!(out, "partitioned by {}", schema.partition_keys.join(", ")).ok();
    for (k, v) in &schema.options {
        writeln!(out, "option         {k} = {v}").ok();
    }
    match &latest {
        Some(s) => writeln!(
            out,
            "snapshots      {} ({}..{}), latest {} {} at {}",
            ids.len(),
            ids[0],
            s.id,
            s.id,
            format!("{:?}", s.commit_kind).to_uppercase(),
            iso_time(s.time_millis)
        ),
        None => writeln!(out, "snapshots      none yet"),
    }
    .ok();
    writeln!(out, "tags           {tag_count}").ok();
    writeln!(
        out,
        "live files     {} with {rows} rows before merging, {}",
        files.len(),
        human_size(bytes)
    )
    .ok();
    if !buckets.is_empty() {
        writeln!(
            out,
            "\n{:<40} {:>6} {:>6} {:>12} {:>10}",
            "partition", "bucket", "files", "rows", "size"
        )
        .ok();
        for ((p, b), (n, r, s)) in &buckets {
            writeln!(out, "{p:<40} {b:>6} {n:>6} {r:>12} {:>10}", human_size(*s)).ok();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_sizes_read_well() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(human_size(912), "912 B");
        assert_eq!(human_size(3 * 1024 + 512), "3.5 KB");
        assert_eq!(human_size(12 << 20), "12.0 MB");
    }
}
