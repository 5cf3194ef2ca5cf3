//! Table options: the registry of every option Paimon defines ([`registry`], looked up
//! through [`lookup`]), their validation when a table is created ([`validate_options`]), and
//! typed access to the options that decide how Strata reads and writes a table
//! ([`TableOptions`]).
//!
//! Each default has one owner, the registry: accessors that fall back to a default take it
//! from there ([`TableOptions::default_of`]), and values are parsed as Paimon parses them
//! ([`parse_memory_size`], [`parse_duration`]). Accessors also read an option's fallback keys
//! (`write.compaction-skip` for `write-only`), as Paimon does.

mod compression;
mod parse;
pub mod registry;
mod spec;
#[cfg(test)]
mod tests;
mod validate;

use std::collections::BTreeMap;

pub use compression::{FileCompression, WRITTEN_CODECS};
pub use parse::{parse_bool, parse_duration, parse_memory_size};
pub use spec::{
    all_options, default_of, field_option, field_options, lookup, Effect, Kind, OptionSpec, Origin,
};
pub use validate::validate_options;

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

    /// Raw option value of exactly `key`.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.options.get(key).map(String::as_str)
    }

    /// The value of `key`, or else of its first fallback key that is set (Paimon's order).
    pub fn value(&self, key: &str) -> Option<&'a str> {
        self.get(key)
            .or_else(|| lookup(key)?.fallback_keys.iter().find_map(|k| self.get(k)))
    }

    /// Paimon's default of `key`, from the registry.
    pub fn default_of(key: &str) -> Option<&'static str> {
        default_of(key)
    }

    /// The value of `key` (or a fallback key), else its default.
    pub fn value_or_default(&self, key: &str) -> Option<&'a str> {
        self.value(key).or_else(|| default_of(key))
    }

    /// A boolean option (`true`/`false`, case-insensitive; anything else is false).
    pub fn bool(&self, key: &str, default: bool) -> bool {
        self.get(key)
            .map(|v| v.trim().eq_ignore_ascii_case("true"))
            .unwrap_or(default)
    }

    /// A boolean option with fallback keys and the registry's default (false if none).
    pub fn bool_or_default(&self, key: &str) -> bool {
        self.value_or_default(key)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// An int or long option with fallback keys and the registry's default; `None` if neither
    /// is set.
    pub fn int_or_default(&self, key: &str) -> Result<Option<i64>> {
        self.value_or_default(key)
            .map(|v| {
                v.trim().parse::<i64>().map_err(|_| {
                    Error::InvalidValue(format!("option {key} = {v:?} is not an integer"))
                })
            })
            .transpose()
    }

    /// A comma-separated list option.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .map(|v| parse::parse_list(v).into_iter().map(String::from).collect())
            .unwrap_or_default()
    }

    /// The value of an enum option (or its default) as the registry spells it; an error if
    /// the value is not one of the option's values.
    fn choice(&self, key: &str) -> Result<Option<&'static str>> {
        let Some(Kind::Enum(values)) = lookup(key).map(|o| o.kind) else {
            return Err(Error::InvalidValue(format!("option {key} is not an enum")));
        };
        match self.value_or_default(key) {
            None => Ok(None),
            Some(v) => parse::parse_enum(v.trim(), values)
                .map(Some)
                .ok_or_else(|| Error::unsupported(key, format!("{v:?}"))),
        }
    }

    /// `merge-engine`.
    pub fn merge_engine(&self) -> Result<MergeEngine> {
        match self.choice("merge-engine")? {
            Some("partial-update") => Ok(MergeEngine::PartialUpdate),
            Some("aggregation") => Ok(MergeEngine::Aggregation),
            Some("first-row") => Ok(MergeEngine::FirstRow),
            _ => Ok(MergeEngine::Deduplicate),
        }
    }

    /// `changelog-producer`.
    pub fn changelog_producer(&self) -> Result<ChangelogProducer> {
        match self.choice("changelog-producer")? {
            Some("input") => Ok(ChangelogProducer::Input),
            Some("lookup") => Ok(ChangelogProducer::Lookup),
            Some("full-compaction") => Ok(ChangelogProducer::FullCompaction),
            _ => Ok(ChangelogProducer::None),
        }
    }

    /// `ignore-delete`, or else its older spellings (`first-row.ignore-delete`,
    /// `deduplicate.ignore-delete`, `partial-update.ignore-delete`): the first one set decides.
    pub fn ignore_delete(&self) -> bool {
        self.bool_or_default("ignore-delete")
    }

    /// `deletion-vectors.enabled`.
    pub fn deletion_vectors(&self) -> bool {
        self.bool_or_default("deletion-vectors.enabled")
    }

    /// Whether batch reads skip level 0 (Paimon's `batchScanSkipLevel0`): DV tables without
    /// `deletion-vectors.merge-on-read`, and first-row tables without DVs.
    pub fn batch_scan_skip_level0(&self) -> Result<bool> {
        let dv = self.deletion_vectors();
        Ok(if dv {
            !self.bool_or_default("deletion-vectors.merge-on-read")
        } else {
            self.merge_engine()? == MergeEngine::FirstRow
        })
    }

    /// `sequence.field` columns.
    pub fn sequence_fields(&self) -> Vec<String> {
        self.list("sequence.field")
    }

    /// A memory-size option (`128 mb`, `256MB`, `64 kb`, `1 gb`, plain bytes; parsed as
    /// Paimon's `MemorySize` parses it), in bytes; `None` if neither it nor a fallback key
    /// is set.
    pub fn memory_size(&self, key: &str) -> Result<Option<u64>> {
        self.value(key).map(|v| memory(key, v)).transpose()
    }

    /// A memory-size option, else the registry's default; `None` if neither is set.
    pub fn memory_size_or_default(&self, key: &str) -> Result<Option<u64>> {
        self.value_or_default(key)
            .map(|v| memory(key, v))
            .transpose()
    }

    /// `postpone.default-bucket-num`: the bucket count of a partition that gets real buckets
    /// for the first time, when set (a number > 0).
    pub fn postpone_default_bucket_num(&self) -> Result<Option<i32>> {
        let key = "postpone.default-bucket-num";
        self.get(key)
            .map(|v| match v.trim().parse::<i32>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(Error::InvalidValue(format!(
                    "option {key} = {v:?}: must be a number > 0"
                ))),
            })
            .transpose()
    }

    /// A duration option (`1 h`, `30 min`, `100` = ms; parsed as Paimon's `TimeUtils`
    /// parses it), else the registry's default; `None` if neither is set.
    pub fn duration_or_default(&self, key: &str) -> Result<Option<std::time::Duration>> {
        self.value_or_default(key)
            .map(|v| {
                parse_duration(v).ok_or_else(|| {
                    Error::InvalidValue(format!(
                        "option {key} = {v:?} is not {}",
                        parse::DURATION_HINT
                    ))
                })
            })
            .transpose()
    }

    /// `target-file-size`: data files roll over at this size (default 128 MB for primary-key
    /// tables, 256 MB for append tables, as in Paimon, which computes it: the registry has
    /// no single default).
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
            .memory_size_or_default("write-buffer-size")?
            .unwrap_or(256 << 20)
            .max(1))
    }

    /// `sequence.field.sort-order=descending`.
    pub fn sequence_descending(&self) -> bool {
        self.value("sequence.field.sort-order")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("descending"))
    }

    /// `write-only` (or its older key `write.compaction-skip`): writers neither compact nor
    /// expire snapshots.
    pub fn write_only(&self) -> bool {
        self.bool_or_default("write-only")
    }

    /// `partition.default-name`: the directory name of NULL and empty partition values
    /// (default `__DEFAULT_PARTITION__`).
    pub fn partition_default_name(&self) -> &'a str {
        self.value_or_default("partition.default-name")
            .unwrap_or("__DEFAULT_PARTITION__")
    }

    /// `partition.legacy-name`: partition directory names use the legacy string form of
    /// values (default true).
    pub fn partition_legacy_name(&self) -> bool {
        self.bool_or_default("partition.legacy-name")
    }

    /// The format named for a data file at LSM `level` (a changelog file when `changelog`):
    /// `changelog-file.format` for changelog files, then `file.format.per.level`, then
    /// `file.format` (default `parquet`).
    pub fn file_format(&self, level: i32, changelog: bool) -> &'a str {
        let per_level = self
            .get("file.format.per.level")
            .and_then(|m| parse::parse_map(m).ok())
            .and_then(|pairs| {
                pairs
                    .into_iter()
                    .find(|(l, _)| l.parse::<i32>().ok() == Some(level))
                    .map(|(_, f)| f)
            });
        changelog
            .then(|| self.get("changelog-file.format"))
            .flatten()
            .or(per_level)
            .or(self.get("file.format"))
            .unwrap_or("parquet")
    }
}

/// `value` of option `key` as a memory size in bytes.
fn memory(key: &str, value: &str) -> Result<u64> {
    parse_memory_size(value).ok_or_else(|| {
        Error::InvalidValue(format!(
            "option {key} = {value:?} is not {}",
            parse::MEMORY_SIZE_HINT
        ))
    })
}
