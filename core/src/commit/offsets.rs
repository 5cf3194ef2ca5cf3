//! Source positions stored in snapshots, for exactly-once ingest.
//!
//! A snapshot that an ingest commit publishes carries, in its `properties`, the next offset to
//! read of every source partition the table has consumed (Kafka topic partitions, or input
//! files). The offsets travel atomically with the data: a restarted writer resumes from the
//! table, never from anything stored elsewhere. Later commits that consume nothing (compaction,
//! plain writes) carry the map forward unchanged.
//!
//! A commit *claims* the offsets it consumed: for each source partition, where it began (the
//! table's position when the writer took the partition over) and where it ends. If the table's
//! position is no longer where the writer began, another writer consumed that partition in
//! between, and the commit fails with [`Error::Conflict`] instead of duplicating its rows.

use std::collections::BTreeMap;

use crate::snapshot::{earliest_snapshot_id, Snapshot};
use crate::storage::Storage;
use crate::{Error, Result};

/// The snapshot property holding the consumed source positions, as JSON:
/// `{"<source>": {"<partition>": next_offset, ...}, ...}`.
pub const SOURCE_OFFSETS_PROPERTY: &str = "strata.source-offsets";

/// Next offset to read, per source and partition.
pub type SourceOffsets = BTreeMap<String, BTreeMap<i32, i64>>;

/// What one commit consumed of one source partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetClaim {
    /// The source (a Kafka topic, or `file:<path>`).
    pub source: String,
    /// The partition of the source.
    pub partition: i32,
    /// The table's position for the partition when the writer began consuming it (`None`: the
    /// table had none).
    pub from: Option<i64>,
    /// The next offset after the last message the commit covers.
    pub to: i64,
}

/// The source offsets a snapshot carries, if any.
pub fn snapshot_offsets(snapshot: &Snapshot) -> Result<Option<SourceOffsets>> {
    snapshot
        .properties
        .as_ref()
        .and_then(|p| p.get(SOURCE_OFFSETS_PROPERTY))
        .map(|text| parse_offsets(text, &format!("snapshot-{}", snapshot.id)))
        .transpose()
}

/// Parses the property's JSON; `file` names the snapshot in errors.
pub fn parse_offsets(text: &str, file: &str) -> Result<SourceOffsets> {
    let bad =
        |what: String| Error::corrupt(file, format!("property {SOURCE_OFFSETS_PROPERTY}: {what}"));
    let raw: BTreeMap<String, BTreeMap<String, i64>> =
        serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let mut out = SourceOffsets::new();
    for (source, parts) in raw {
        let mut m = BTreeMap::new();
        for (p, o) in parts {
            let p: i32 = p
                .parse()
                .map_err(|_| bad(format!("partition {p:?} of {source:?} is not an integer")))?;
            m.insert(p, o);
        }
        out.insert(source, m);
    }
    Ok(out)
}

/// The offsets JSON stored in the property.
#[allow(
    clippy::expect_used,
    reason = "maps with string keys and integer values: serde_json cannot fail on them"
)]
pub fn offsets_json(offsets: &SourceOffsets) -> String {
    let raw: BTreeMap<&String, BTreeMap<String, i64>> = offsets
        .iter()
        .map(|(s, m)| (s, m.iter().map(|(p, o)| (p.to_string(), *o)).collect()))
        .collect();
    serde_json::to_string(&raw).expect("maps of strings and integers serialize")
}

/// The table's source offsets: those of the newest snapshot at or before `latest` that carries
/// any (writers that do not know the property, such as pypaimon, drop it; the walk skips them).
pub async fn table_offsets(
    storage: &dyn Storage,
    latest: Option<&Snapshot>,
) -> Result<SourceOffsets> {
    let Some(latest) = latest else {
        return Ok(SourceOffsets::new());
    };
    if let Some(o) = snapshot_offsets(latest)? {
        return Ok(o);
    }
    let earliest = earliest_snapshot_id(storage).await?.unwrap_or(1);
    for id in (earliest..latest.id).rev() {
        let s = match Snapshot::load(storage, id).await {
            Ok(s) => s,
            // Expired while we walk: older ones are gone too, or going.
            Err(Error::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        if let Some(o) = snapshot_offsets(&s)? {
            return Ok(o);
        }
    }
    Ok(SourceOffsets::new())
}

/// The offsets after a commit with `claims` lands on a table at `current`; a conflict if a
/// claim does not begin where the table stands.
pub fn apply_claims(current: &SourceOffsets, claims: &[OffsetClaim]) -> Result<SourceOffsets> {
    let mut next = current.clone();
    for c in claims {
        let now = current
            .get(&c.source)
            .and_then(|m| m.get(&c.partition))
            .copied();
        if now != c.from {
            return Err(Error::Conflict(format!(
                "{} partition {}: the table's offset is {}, but this writer began at {} (another \
                 writer consumed the partition meanwhile)",
                c.source,
                c.partition,
                now.map_or("none".into(), |o| o.to_string()),
                c.from.map_or("none".into(), |o| o.to_string()),
            )));
        }
        if c.to < c.from.unwrap_or(i64::MIN) {
            return Err(Error::InvalidValue(format!(
                "{} partition {}: offset claim ends at {} before it begins",
                c.source, c.partition, c.to
            )));
        }
        next.entry(c.source.clone())
            .or_default()
            .insert(c.partition, c.to);
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(from: Option<i64>, to: i64) -> OffsetClaim {
        OffsetClaim {
            source: "t".into(),
            partition: 0,
            from,
            to,
        }
    }

    #[test]
    fn claims_advance_and_fence() {
        let empty = SourceOffsets::new();
        let one = apply_claims(&empty, &[claim(None, 10)]).unwrap();
        assert_eq!(one["t"][&0], 10);
        let two = apply_claims(&one, &[claim(Some(10), 25)]).unwrap();
        assert_eq!(two["t"][&0], 25);
        // A writer that began at 10 after another moved the table to 25: fenced.
        assert!(matches!(
            apply_claims(&two, &[claim(Some(10), 30)]),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            apply_claims(&two, &[claim(None, 30)]),
            Err(Error::Conflict(_))
        ));
    }

    #[test]
    fn json_round_trip_and_bad_json() {
        let mut o = SourceOffsets::new();
        o.entry("orders".into()).or_default().insert(2, 7);
        assert_eq!(parse_offsets(&offsets_json(&o), "s").unwrap(), o);
        assert!(matches!(
            parse_offsets("{\"a\":{\"x\":1}}", "s"),
            Err(Error::Corrupt { .. })
        ));
        assert!(matches!(
            parse_offsets("[", "s"),
            Err(Error::Corrupt { .. })
        ));
    }
}
