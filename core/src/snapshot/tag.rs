//! Tags: snapshots kept under a name (`tag/tag-<name>`), with the tag's own fields.

use serde::{Deserialize, Serialize};

use super::{parse_json, LocalDateTime, Snapshot};
use crate::{Error, Result};

/// A tag: a snapshot kept under a name, plus tag fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tag {
    /// The tagged snapshot.
    #[serde(flatten)]
    pub snapshot: Snapshot,
    /// When the tag was created (Java `LocalDateTime`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_create_time: Option<LocalDateTime>,
    /// How long the tag is kept, in seconds (Java `Duration` as decimal seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_time_retained: Option<f64>,
}

/// Path of tag `name`.
pub fn tag_path(name: &str) -> String {
    format!("tag/tag-{name}")
}

/// The fields a tag file adds to those of its snapshot.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagFields {
    #[serde(default)]
    tag_create_time: Option<LocalDateTime>,
    #[serde(default)]
    tag_time_retained: Option<f64>,
}

impl Tag {
    /// Parses a tag file. Unknown fields are ignored.
    pub fn from_json(bytes: &[u8], file: &str) -> Result<Self> {
        // Read as a snapshot and again as the tag's own fields, each ignoring the other's: a
        // derived `#[serde(flatten)]` buffers the whole object and decodes the snapshot a
        // second way, about 30 KB of code in the Wasm module for files of a few hundred bytes.
        let snapshot: Snapshot = parse_json(bytes, file)?;
        if snapshot.id < 1 {
            return Err(Error::corrupt(file, "tag snapshot id < 1"));
        }
        let fields: TagFields = parse_json(bytes, file)?;
        Ok(Tag {
            snapshot,
            tag_create_time: fields.tag_create_time,
            tag_time_retained: fields.tag_time_retained,
        })
    }

    /// Pretty-printed JSON.
    #[allow(
        clippy::expect_used,
        reason = "plain data (string or integer map keys, no failing Serialize impl): serde_json cannot fail on it"
    )]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a tag always serializes")
    }
}
