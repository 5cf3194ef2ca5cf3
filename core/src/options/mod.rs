//! Typed access to the table options that decide how a table is read.

use std::collections::BTreeMap;

use crate::{Error, Result};

/// How rows with the same primary key are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeEngine {
    /// The last row wins (the default).
    Deduplicate,
    /// Non-null fields of later rows overwrite earlier ones.
    PartialUpdate,
    /// Each field is folded with an aggregate function.
    Aggregation,
    /// The first row wins.
    FirstRow,
}

/// Which changelog a table's writers produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangelogProducer {
    /// No changelog files.
    None,
    /// The input records, beside each flush.
    Input,
    /// Produced by lookup during compaction.
    Lookup,
    /// Produced by full compaction.
    FullCompaction,
}

/// The read-relevant options of a table, parsed once.
#[derive(Debug, Clone)]
pub struct TableOptions<'a> {
    options: &'a BTreeMap<String, String>,
}

impl<'a> TableOptions<'a> {
    /// Wraps a schema's options.
    pub fn new(options: &'a BTreeMap<String, String>) -> Self {
        TableOptions { options }
    }

    /// Every option.
    pub fn all(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.options.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Raw option value.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.options.get(key).map(String::as_str)
    }

    /// A boolean option (`true`/`false`, case-insensitive).
    pub fn bool(&self, key: &str, default: bool) -> bool {
        self.get(key)
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
            .unwrap_or(default)
    }

    /// A comma-separated list option.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `merge-engine`.
    pub fn merge_engine(&self) -> Result<MergeEngine> {
        match self.get("merge-engine").map(str::trim) {
            None | Some("deduplicate") => Ok(MergeEngine::Deduplicate),
            Some("partial-update") => Ok(MergeEngine::PartialUpdate),
            Some("aggregation") => Ok(MergeEngine::Aggregation),
            Some("first-row") => Ok(MergeEngine::FirstRow),
            Some(other) => Err(Error::unsupported("merge-engine", format!("{other:?}"))),
        }
    }

    /// `changelog-producer`.
    pub fn changelog_producer(&self) -> Result<ChangelogProducer> {
        match self.get("changelog-producer").map(str::trim) {
            None | Some("none") => Ok(ChangelogProducer::None),
            Some("input") => Ok(ChangelogProducer::Input),
            Some("lookup") => Ok(ChangelogProducer::Lookup),
            Some("full-compaction") => Ok(ChangelogProducer::FullCompaction),
            Some(other) => Err(Error::unsupported(
                "changelog-producer",
                format!("{other:?}"),
            )),
        }
    }

    /// `ignore-delete` (also its older spellings).
    pub fn ignore_delete(&self) -> bool {
        self.bool("ignore-delete", false)
            || self.bool("partial-update.ignore-delete", false)
            || self.bool("first-row.ignore-delete", false)
            || self.bool("deduplicate.ignore-delete", false)
    }

    /// `deletion-vectors.enabled`.
    pub fn deletion_vectors(&self) -> bool {
        self.bool("deletion-vectors.enabled", false)
    }

    /// Whether batch reads skip level 0 (Paimon's `batchScanSkipLevel0`): DV tables without
    /// `deletion-vectors.merge-on-read`, and first-row tables without DVs.
    pub fn batch_scan_skip_level0(&self) -> Result<bool> {
        let dv = self.deletion_vectors();
        Ok(if dv {
            !self.bool("deletion-vectors.merge-on-read", false)
        } else {
            self.merge_engine()? == MergeEngine::FirstRow
        })
    }

    /// `sequence.field` columns.
    pub fn sequence_fields(&self) -> Vec<String> {
        self.list("sequence.field")
    }

    /// A memory-size option (`128 mb`, `256MB`, `64 kb`, `1 gb`, plain bytes), in bytes.
    pub fn memory_size(&self, key: &str) -> Result<Option<u64>> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        let t = v.trim().to_ascii_lowercase();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        let mult: u64 = match unit.trim() {
            "" | "b" | "bytes" => 1,
            "k" | "kb" | "kib" | "kibibytes" => 1 << 10,
            "m" | "mb" | "mib" | "mebibytes" => 1 << 20,
            "g" | "gb" | "gib" | "gibibytes" => 1 << 30,
            "t" | "tb" | "tib" | "tebibytes" => 1 << 40,
            _ => 0,
        };
        num.parse::<u64>()
            .ok()
            .filter(|_| mult > 0)
            .and_then(|n| n.checked_mul(mult))
            .map(Some)
            .ok_or_else(|| {
                Error::InvalidValue(format!("option {key} = {v:?} is not a memory size"))
            })
    }

    /// `target-file-size`: data files roll over at this size (default 128 MB for primary-key
    /// tables, 256 MB for append tables, as in Paimon).
    pub fn target_file_size(&self, primary_key: bool) -> Result<u64> {
        let default = if primary_key { 128 << 20 } else { 256 << 20 };
        Ok(self
            .memory_size("target-file-size")?
            .unwrap_or(default)
            .max(1))
    }

    /// `write-buffer-size`: the memory a writer buffers before it flushes sorted runs
    /// (Paimon's default, 256 MB).
    pub fn write_buffer_size(&self) -> Result<u64> {
        Ok(self
            .memory_size("write-buffer-size")?
            .unwrap_or(256 << 20)
            .max(1))
    }

    /// `sequence.field.sort-order=descending`.
    pub fn sequence_descending(&self) -> bool {
        self.get("sequence.field.sort-order")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("descending"))
    }
}
