//! Snapshots (`snapshot/snapshot-N`), tags (`tag/tag-NAME`), consumers
//! (`consumer/consumer-ID`) and the `LATEST`/`EARLIEST` hint rules.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::storage::Storage;
use crate::{Error, Result};

mod tag;
pub use tag::{tag_path, Tag};

/// The snapshot file format version Strata writes.
pub const CURRENT_SNAPSHOT_VERSION: i32 = 3;
/// `commitIdentifier` of batch commits (Java `Long.MAX_VALUE`).
pub const BATCH_COMMIT_IDENTIFIER: i64 = i64::MAX;

/// What kind of change a snapshot commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CommitKind {
    /// New data files were added.
    Append,
    /// Files were rewritten by compaction.
    Compact,
    /// Files were replaced by an overwrite.
    Overwrite,
    /// Statistics were collected.
    Analyze,
}

/// A snapshot: one committed version of the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// File format version (3 today).
    #[serde(default = "version_one")]
    pub version: i32,
    /// Random UUID of the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Snapshot id, from 1.
    pub id: i64,
    /// Latest schema id when committed.
    pub schema_id: i64,
    /// Manifest list of all files of the previous snapshot.
    pub base_manifest_list: String,
    /// Byte size of the base manifest list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_manifest_list_size: Option<i64>,
    /// Manifest list of this commit's changes.
    pub delta_manifest_list: String,
    /// Byte size of the delta manifest list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_manifest_list_size: Option<i64>,
    /// Manifest list of changelog files, if this commit produced any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog_manifest_list: Option<String>,
    /// Byte size of the changelog manifest list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog_manifest_list_size: Option<i64>,
    /// The full index manifest of the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_manifest: Option<String>,
    /// Identity of the committing job.
    pub commit_user: String,
    /// Version string of the writer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub writer_version: Option<String>,
    /// Monotone per commit user; [`BATCH_COMMIT_IDENTIFIER`] for batch commits.
    pub commit_identifier: i64,
    /// Kind of commit.
    pub commit_kind: CommitKind,
    /// Commit wall-clock time (epoch ms).
    pub time_millis: i64,
    /// Rows in all live files (unmerged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_record_count: Option<i64>,
    /// Rows added minus rows deleted by this commit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_record_count: Option<i64>,
    /// Rows in this commit's changelog files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changelog_record_count: Option<i64>,
    /// Watermark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<i64>,
    /// Statistics file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistics: Option<String>,
    /// Free-form properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<String, String>>,
    /// Row-tracking counter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_row_id: Option<i64>,
    /// SQL-level operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Legacy Kafka log-system offsets per bucket (Paimon ≤ 1.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_offsets: Option<BTreeMap<i32, i64>>,
}

fn version_one() -> i32 {
    1
}

/// Path of snapshot `id`.
pub fn snapshot_path(id: i64) -> String {
    format!("snapshot/snapshot-{id}")
}

/// Path of the `LATEST` hint.
pub const LATEST_HINT: &str = "snapshot/LATEST";
/// Path of the `EARLIEST` hint.
pub const EARLIEST_HINT: &str = "snapshot/EARLIEST";

fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8], file: &str) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| Error::Json {
        file: file.to_string(),
        source,
    })
}

impl Snapshot {
    /// Parses a snapshot file. Unknown fields are ignored.
    pub fn from_json(bytes: &[u8], file: &str) -> Result<Self> {
        let s: Snapshot = parse_json(bytes, file)?;
        if s.id < 1 {
            return Err(Error::corrupt(file, format!("snapshot id {} < 1", s.id)));
        }
        if s.version > CURRENT_SNAPSHOT_VERSION {
            return Err(Error::unsupported(
                file,
                format!("snapshot version {} (newest known is 3)", s.version),
            ));
        }
        Ok(s)
    }

    /// Pretty-printed JSON, as Java writes it.
    #[allow(
        clippy::expect_used,
        reason = "plain data (string or integer map keys, no failing Serialize impl): serde_json cannot fail on it"
    )]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a snapshot always serializes")
    }

    /// Reads snapshot `id` from storage. The file's `id` must be the one its name carries:
    /// a snapshot that claims another id is corrupt (trusting it would make the next commit
    /// number itself from a forged id).
    pub async fn load(storage: &dyn Storage, id: i64) -> Result<Self> {
        let path = snapshot_path(id);
        let bytes = storage.get(&path).await?;
        let s = Snapshot::from_json(&bytes, &path)?;
        if s.id != id {
            return Err(Error::corrupt(
                &path,
                format!("the snapshot's id is {} but its file name says {id}", s.id),
            ));
        }
        Ok(s)
    }

    /// The id of the snapshot after this one; an error once ids run out (`i64::MAX`).
    pub fn next_id(&self) -> Result<i64> {
        self.id.checked_add(1).ok_or_else(|| {
            Error::corrupt(
                snapshot_path(self.id),
                "snapshot ids are exhausted (the id is the largest 64-bit integer)",
            )
        })
    }
}

/// A local date-time as Java's Jackson writes `LocalDateTime`: `[y, m, d, h, min, s, nano]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalDateTime {
    /// Year.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month.
    pub day: u32,
    /// Hour.
    pub hour: u32,
    /// Minute.
    pub minute: u32,
    /// Second.
    pub second: u32,
    /// Nanosecond of the second.
    pub nano: u32,
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut v = vec![
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
            i64::from(self.hour),
            i64::from(self.minute),
        ];
        if self.second != 0 || self.nano != 0 {
            v.push(i64::from(self.second));
        }
        if self.nano != 0 {
            v.push(i64::from(self.nano));
        }
        v.serialize(s)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = Value::deserialize(d)?;
        let parts: Vec<i64> = match &v {
            Value::Array(items) => items
                .iter()
                .map(|x| {
                    x.as_i64()
                        .ok_or_else(|| D::Error::custom("non-integer date part"))
                })
                .collect::<std::result::Result<_, _>>()?,
            Value::String(s) => parse_iso_local(s).ok_or_else(|| D::Error::custom("bad date"))?,
            _ => return Err(D::Error::custom("a date-time must be an array or a string")),
        };
        if !(5..=7).contains(&parts.len()) {
            return Err(D::Error::custom("a date-time array has 5 to 7 numbers"));
        }
        let get = |i: usize, max: i64| -> std::result::Result<u32, D::Error> {
            let x = parts.get(i).copied().unwrap_or(0);
            if (0..=max).contains(&x) {
                Ok(x as u32)
            } else {
                Err(D::Error::custom(format!(
                    "date-time part {i} out of range: {x}"
                )))
            }
        };
        Ok(LocalDateTime {
            year: i32::try_from(parts[0]).map_err(D::Error::custom)?,
            month: get(1, 12)?,
            day: get(2, 31)?,
            hour: get(3, 23)?,
            minute: get(4, 59)?,
            second: get(5, 59)?,
            nano: get(6, 999_999_999)?,
        })
    }
}

/// `2024-01-02T03:04:05.123` (seconds and fraction optional).
fn parse_iso_local(s: &str) -> Option<Vec<i64>> {
    let (date, time) = s.split_once('T').unwrap_or((s, "00:00"));
    let mut parts: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    for p in hms.split(':') {
        parts.push(p.parse().ok()?);
    }
    if !frac.is_empty() {
        if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        parts.resize(6, 0);
        parts.push(format!("{frac:0<9}").parse().ok()?);
    }
    Some(parts)
}

/// A streaming consumer's progress: the next snapshot it will read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consumer {
    /// The next snapshot id to read.
    pub next_snapshot: i64,
}

/// Path of consumer `id`.
pub fn consumer_path(id: &str) -> String {
    format!("consumer/consumer-{id}")
}

impl Consumer {
    /// Parses a consumer file.
    pub fn from_json(bytes: &[u8], file: &str) -> Result<Self> {
        parse_json(bytes, file)
    }

    /// The JSON text.
    #[allow(
        clippy::expect_used,
        reason = "plain data (string or integer map keys, no failing Serialize impl): serde_json cannot fail on it"
    )]
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a consumer always serializes")
    }
}

/// Parses a hint file's content: a decimal id, surrounding whitespace tolerated.
pub fn parse_hint(bytes: &[u8]) -> Option<i64> {
    std::str::from_utf8(bytes).ok()?.trim().parse().ok()
}

async fn read_hint(storage: &dyn Storage, path: &str) -> Result<Option<i64>> {
    match storage.get(path).await {
        Ok(b) => Ok(parse_hint(&b)),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn snapshot_exists(storage: &dyn Storage, id: i64) -> Result<bool> {
    Ok(storage.head(&snapshot_path(id)).await?.is_some())
}

/// The id a snapshot file name carries: `snapshot-N` with N a positive decimal written as
/// Java writes it (no sign, no leading zeros). Anything else in `snapshot/` (hints, a
/// backend's staging files, stray files) is not a snapshot.
pub fn parse_snapshot_file_name(name: &str) -> Option<i64> {
    let digits = name.strip_prefix("snapshot-")?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Every snapshot id whose file exists, ascending, found by listing `snapshot/`; `None` if
/// the storage cannot list. Maintenance protects exactly these (never a range between
/// hints, which a stale or raced hint makes wrong).
pub async fn list_snapshot_ids(storage: &dyn Storage) -> Result<Option<Vec<i64>>> {
    match storage.list("snapshot").await {
        Ok(objects) => {
            let mut ids: Vec<i64> = objects
                .iter()
                .filter_map(|o| parse_snapshot_file_name(o.path.strip_prefix("snapshot/")?))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            Ok(Some(ids))
        }
        Err(Error::Unsupported { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The ids missing between the first and the last of ascending `ids`, as `(from, to)`
/// inclusive ranges. Expiration deletes from the oldest end and rollback from the newest,
/// so a healthy table has none; a gap means lost snapshot files.
pub fn snapshot_gaps(ids: &[i64]) -> Vec<(i64, i64)> {
    ids.windows(2)
        .filter(|w| w[1] > w[0] + 1)
        .map(|w| (w[0] + 1, w[1] - 1))
        .collect()
}

/// The latest snapshot id, or `None` for a table without snapshots.
///
/// Follows Paimon's hint rule: `LATEST` = N is trusted when `snapshot-N` exists and
/// `snapshot-(N+1)` does not. A stale hint (N+1 exists) or a missing one is never followed
/// snapshot by snapshot where the storage can list, since a gap would stop that walk short
/// of the newest commits: the newest listed snapshot wins. Storages without listing (plain
/// HTTP) probe forward from the hint, or search from the earliest snapshot.
pub async fn latest_snapshot_id(storage: &dyn Storage) -> Result<Option<i64>> {
    // A hint of i64::MAX cannot have a successor; treat it like a missing hint.
    let hint = read_hint(storage, LATEST_HINT).await?;
    let hint = hint.filter(|&n| n > 0 && n < i64::MAX - 1);
    if let Some(n) = hint {
        // Both checks at once: over HTTP that is one round trip instead of two.
        let (next, this) =
            futures::future::try_join(snapshot_exists(storage, n + 1), snapshot_exists(storage, n))
                .await?;
        if !next && this {
            return Ok(Some(n));
        }
    }
    if let Some(ids) = list_snapshot_ids(storage).await? {
        return Ok(ids.last().copied());
    }
    if let Some(n) = hint {
        if snapshot_exists(storage, n + 1).await? {
            let mut id = n + 1;
            while id < i64::MAX && snapshot_exists(storage, id + 1).await? {
                id += 1;
            }
            return Ok(Some(id));
        }
    }
    let Some(start) = earliest_snapshot_id(storage).await? else {
        return Ok(None);
    };
    // Exponential then binary search over the contiguous id range [start, latest].
    let (mut lo, mut step) = (start, 1i64);
    while snapshot_exists(storage, lo.saturating_add(step)).await? {
        lo = lo.saturating_add(step);
        step = step.saturating_mul(2);
    }
    let mut hi = lo.saturating_add(step);
    if hi == lo {
        return Ok(Some(lo));
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if snapshot_exists(storage, mid).await? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Some(lo))
}

/// The earliest snapshot id, or `None` for a table without snapshots.
///
/// Trusts `EARLIEST` = E when `snapshot-E` exists (Paimon's rule: a hint is only a hint, and
/// maintenance never relies on it); otherwise lists, or (without listing) probes upwards
/// from the hint or from 1.
pub async fn earliest_snapshot_id(storage: &dyn Storage) -> Result<Option<i64>> {
    let hint = read_hint(storage, EARLIEST_HINT).await?.filter(|&e| e > 0);
    if let Some(e) = hint {
        if snapshot_exists(storage, e).await? {
            return Ok(Some(e));
        }
    }
    if let Some(ids) = list_snapshot_ids(storage).await? {
        return Ok(ids.first().copied());
    }
    // Expiration deletes from the oldest end, so the earliest snapshot is the first existing
    // one at or after the (stale) hint; bound the probe by the latest hint.
    let from = hint.unwrap_or(1);
    let to = read_hint(storage, LATEST_HINT)
        .await?
        .unwrap_or(from)
        .max(from);
    for id in from..=to.min(from.saturating_add(100_000)) {
        if snapshot_exists(storage, id).await? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Writes a hint file (`LATEST` or `EARLIEST`) the way Paimon does: the bare decimal id.
pub async fn write_hint(storage: &dyn Storage, path: &str, id: i64) -> Result<()> {
    storage.put(path, Bytes::from(id.to_string())).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemoryStorage;
    use futures::executor::block_on;

    const SNAP: &str = r#"{"version":3,"id":3,"schemaId":0,
        "baseManifestList":"manifest-list-a-0","deltaManifestList":"manifest-list-a-1",
        "totalRecordCount":12,"deltaRecordCount":4,"commitUser":"ae73",
        "commitIdentifier":9223372036854775807,"commitKind":"APPEND","timeMillis":1795784060661,
        "baseManifestListSize":1388,"deltaManifestListSize":1359,"uuid":"c6ec",
        "writerVersion":"python-2.1.0","somethingNew":{"x":1}}"#;

    #[test]
    fn snapshot_round_trips() {
        let s = Snapshot::from_json(SNAP.as_bytes(), "snapshot/snapshot-3").unwrap();
        assert_eq!(s.commit_identifier, BATCH_COMMIT_IDENTIFIER);
        assert_eq!(s.commit_kind, CommitKind::Append);
        assert_eq!(Snapshot::from_json(s.to_json().as_bytes(), "x").unwrap(), s);
        let e = Snapshot::from_json(b"{\"id\":1}", "snapshot/snapshot-1").unwrap_err();
        assert!(e.to_string().contains("snapshot/snapshot-1"));
        let bad_kind = SNAP.replace("APPEND", "MERGE");
        assert!(Snapshot::from_json(bad_kind.as_bytes(), "s").is_err());
    }

    #[test]
    fn tag_times_parse_in_java_and_string_forms() {
        let with = SNAP.replace(
            "\"uuid\"",
            "\"tagCreateTime\":[2024,1,2,3,4,5,6000000],\"tagTimeRetained\":5.000000000,\"uuid\"",
        );
        let t = Tag::from_json(with.as_bytes(), "tag/tag-a").unwrap();
        let c = t.tag_create_time.unwrap();
        assert_eq!((c.year, c.second, c.nano), (2024, 5, 6_000_000));
        assert_eq!(t.tag_time_retained, Some(5.0));
        assert_eq!(Tag::from_json(t.to_json().as_bytes(), "x").unwrap(), t);
        let s = SNAP.replace(
            "\"uuid\"",
            "\"tagCreateTime\":\"2024-01-02T03:04\",\"uuid\"",
        );
        assert_eq!(
            Tag::from_json(s.as_bytes(), "t")
                .unwrap()
                .tag_create_time
                .unwrap()
                .minute,
            4
        );
        let bad = SNAP.replace("\"uuid\"", "\"tagCreateTime\":[2024,13,1,0,0],\"uuid\"");
        assert!(Tag::from_json(bad.as_bytes(), "t").is_err());
    }

    #[test]
    fn tag_fields_are_optional_and_checked() {
        let t = Tag::from_json(SNAP.as_bytes(), "tag/tag-a").unwrap();
        assert_eq!((t.tag_create_time, t.tag_time_retained), (None, None));
        assert_eq!(
            t.snapshot,
            Snapshot::from_json(SNAP.as_bytes(), "s").unwrap()
        );
        let zero = SNAP.replace("\"id\":3", "\"id\":0");
        assert!(Tag::from_json(zero.as_bytes(), "tag/tag-a").is_err());
        let bad = SNAP.replace("\"uuid\"", "\"tagTimeRetained\":\"5s\",\"uuid\"");
        let e = Tag::from_json(bad.as_bytes(), "tag/tag-a").unwrap_err();
        assert!(e.to_string().contains("tag/tag-a"), "{e}");
    }

    #[test]
    fn consumer_json() {
        let c = Consumer::from_json(br#"{"nextSnapshot": 4}"#, "c").unwrap();
        assert_eq!(c.next_snapshot, 4);
        assert_eq!(c.to_json(), r#"{"nextSnapshot":4}"#);
    }

    async fn put_snap(s: &MemoryStorage, id: i64) {
        s.put(&snapshot_path(id), Bytes::from_static(b"{}"))
            .await
            .unwrap();
    }

    #[test]
    fn hints_follow_paimon_rules() {
        block_on(async {
            let s = MemoryStorage::new();
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), None);
            assert_eq!(earliest_snapshot_id(&s).await.unwrap(), None);
            for id in 3..=7 {
                put_snap(&s, id).await;
            }
            // No hints: listing.
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(7));
            assert_eq!(earliest_snapshot_id(&s).await.unwrap(), Some(3));
            // Stale hints: LATEST behind, EARLIEST pointing at an expired snapshot.
            write_hint(&s, LATEST_HINT, 5).await.unwrap();
            write_hint(&s, EARLIEST_HINT, 1).await.unwrap();
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(7));
            assert_eq!(earliest_snapshot_id(&s).await.unwrap(), Some(3));
            write_hint(&s, LATEST_HINT, 7).await.unwrap();
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(7));
            // Hostile hints fall back to listing.
            for bad in [i64::MAX, i64::MAX - 1, -5] {
                write_hint(&s, LATEST_HINT, bad).await.unwrap();
                write_hint(&s, EARLIEST_HINT, bad).await.unwrap();
                assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(7));
                assert_eq!(earliest_snapshot_id(&s).await.unwrap(), Some(3));
            }
            s.put(LATEST_HINT, Bytes::from_static(b"garbage"))
                .await
                .unwrap();
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(7));
        })
    }

    #[test]
    fn a_stale_hint_before_a_gap_still_finds_the_newest_snapshot() {
        block_on(async {
            let s = MemoryStorage::new();
            for id in [1, 2, 4] {
                put_snap(&s, id).await;
            }
            write_hint(&s, LATEST_HINT, 1).await.unwrap();
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(4));
            assert_eq!(list_snapshot_ids(&s).await.unwrap(), Some(vec![1, 2, 4]));
            assert_eq!(snapshot_gaps(&[1, 2, 4, 5, 9]), vec![(3, 3), (6, 8)]);
            assert!(snapshot_gaps(&[3, 4, 5]).is_empty());
        })
    }

    #[test]
    fn snapshot_file_names_are_parsed_strictly() {
        assert_eq!(parse_snapshot_file_name("snapshot-12"), Some(12));
        for bad in [
            "snapshot-",
            "snapshot-0",
            "snapshot-012",
            "snapshot--3",
            "snapshot-+3",
            "snapshot-3#1",
            "snapshot-99999999999999999999",
            "LATEST",
        ] {
            assert_eq!(parse_snapshot_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_snapshot_must_carry_the_id_of_its_file_name() {
        block_on(async {
            let s = MemoryStorage::new();
            let forged = SNAP.replace("\"id\":3", "\"id\":9223372036854775807");
            s.put(&snapshot_path(3), Bytes::from(forged)).await.unwrap();
            let e = Snapshot::load(&s, 3).await.unwrap_err();
            assert!(e.to_string().contains("snapshot/snapshot-3"), "{e}");
            assert!(e.to_string().contains("9223372036854775807"), "{e}");
            let max = Snapshot::from_json(
                SNAP.replace("\"id\":3", "\"id\":9223372036854775807")
                    .as_bytes(),
                "x",
            )
            .unwrap();
            assert!(max.next_id().is_err());
        })
    }

    /// A storage that cannot list, like a plain HTTP server.
    #[derive(Debug, Default)]
    struct NoList(MemoryStorage);

    #[async_trait::async_trait]
    impl Storage for NoList {
        async fn get(&self, p: &str) -> Result<Bytes> {
            self.0.get(p).await
        }
        async fn get_range(&self, p: &str, r: std::ops::Range<u64>) -> Result<Bytes> {
            self.0.get_range(p, r).await
        }
        async fn head(&self, p: &str) -> Result<Option<crate::storage::ObjectMeta>> {
            self.0.head(p).await
        }
        async fn put_if_absent(&self, p: &str, d: Bytes) -> Result<()> {
            self.0.put_if_absent(p, d).await
        }
        async fn put(&self, p: &str, d: Bytes) -> Result<()> {
            self.0.put(p, d).await
        }
        async fn list(&self, p: &str) -> Result<Vec<crate::storage::ObjectMeta>> {
            Err(Error::unsupported(p, "listing"))
        }
        async fn delete(&self, p: &str) -> Result<()> {
            self.0.delete(p).await
        }
    }

    #[test]
    fn hints_without_listing_probe() {
        block_on(async {
            let s = NoList::default();
            for id in 1..=37 {
                put_snap(&s.0, id).await;
            }
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(37));
            write_hint(&s, LATEST_HINT, 30).await.unwrap();
            assert_eq!(latest_snapshot_id(&s).await.unwrap(), Some(37));
            for id in 1..=4 {
                s.delete(&snapshot_path(id)).await.unwrap();
            }
            write_hint(&s, EARLIEST_HINT, 2).await.unwrap();
            assert_eq!(earliest_snapshot_id(&s).await.unwrap(), Some(5));
        })
    }
}
