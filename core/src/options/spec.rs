//! What the registry says about one option, and lookups into it.

use super::registry::{FIELD_OPTIONS, OPEN_FIELD_PREFIXES, OPEN_PREFIXES, OPTIONS};

/// The kind of value an option takes, and so how its value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `true` or `false`, in any case.
    Bool,
    /// A 32-bit integer.
    Int,
    /// A 64-bit integer.
    Long,
    /// A 32-bit float.
    Float,
    /// A 64-bit float.
    Double,
    /// Free text.
    Str,
    /// A comma-separated list of free-form items.
    List,
    /// A comma-separated list of the table's column names.
    Columns,
    /// A memory size as Paimon's `MemorySize` parses it (`128 mb`, `1g`, `4096`).
    MemorySize,
    /// A duration as Paimon's `TimeUtils.parseDuration` parses it (`1 h`, `30min`, `100`).
    Duration,
    /// `key:value` pairs separated by commas; each pair may also be set as `<option>.<key>`.
    Map,
    /// One of these values, compared case-insensitively as Paimon does.
    Enum(&'static [&'static str]),
}

impl Kind {
    /// A short name of the kind, for messages and listings.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Bool => "boolean",
            Kind::Int => "int",
            Kind::Long => "long",
            Kind::Float => "float",
            Kind::Double => "double",
            Kind::Str => "string",
            Kind::List => "list",
            Kind::Columns => "column list",
            Kind::MemorySize => "memory size",
            Kind::Duration => "duration",
            Kind::Map => "map",
            Kind::Enum(_) => "enum",
        }
    }
}

/// Who acts on an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Strata's code reads it (as Paimon defines it).
    Strata,
    /// Only Paimon engines (Java, Flink, Spark, pypaimon) act on it; Strata keeps it.
    Engine,
    /// Descriptive metadata nobody acts on.
    Info,
}

/// Where Paimon defines an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// `CoreOptions`.
    Core,
    /// `FlinkConnectorOptions`.
    Flink,
    /// `SparkConnectorOptions`.
    Spark,
    /// `IcebergOptions` (Iceberg-compatible metadata).
    Iceberg,
    /// A file format's options (ORC, CSV, JSON, text, Avro, Mosaic).
    Format,
    /// A global index's options.
    GlobalIndex,
    /// pypaimon's `CoreOptions` only.
    PyPaimon,
    /// Kept by catalogs among the options (`comment`, `owner`).
    Catalog,
}

/// One table option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionSpec {
    /// The key.
    pub key: &'static str,
    /// The kind of value.
    pub kind: Kind,
    /// Paimon's default, as text; `None` where it has none (or computes one).
    pub default: Option<&'static str>,
    /// Older or alternative keys Paimon reads when the key is not set.
    pub fallback_keys: &'static [&'static str],
    /// Who acts on it.
    pub effect: Effect,
    /// Where Paimon defines it.
    pub origin: Origin,
    /// One line on what it does (empty in the Wasm build, which never shows it).
    pub description: &'static str,
}

/// Every registered option, sorted by key.
pub fn all_options() -> &'static [OptionSpec] {
    OPTIONS
}

/// The option `key` names, by its key or one of its fallback keys. In the Wasm reader only
/// the options Strata reads are known ([`super::registry::STRATA_OPTIONS`]).
pub fn lookup(key: &str) -> Option<&'static OptionSpec> {
    let searched = searched();
    match searched.binary_search_by(|o| o.key.cmp(key)) {
        Ok(i) => Some(&searched[i]),
        Err(_) => searched.iter().find(|o| o.fallback_keys.contains(&key)),
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn searched() -> &'static [OptionSpec] {
    OPTIONS
}

#[cfg(target_arch = "wasm32")]
fn searched() -> &'static [OptionSpec] {
    &super::registry::STRATA_OPTIONS
}

/// The per-column option `suffix` (`aggregate-function` in `fields.x.aggregate-function`).
pub fn field_option(suffix: &str) -> Option<&'static OptionSpec> {
    FIELD_OPTIONS
        .binary_search_by(|o| o.key.cmp(suffix))
        .ok()
        .map(|i| &FIELD_OPTIONS[i])
}

/// Every per-column option, sorted by key.
pub fn field_options() -> &'static [OptionSpec] {
    FIELD_OPTIONS
}

/// The open namespace (`fs.`, `parquet.`, ...) `key` falls in, if any.
pub fn open_prefix(key: &str) -> Option<&'static str> {
    OPEN_PREFIXES
        .iter()
        .map(|(p, _)| *p)
        .find(|p| key.starts_with(p) && key.len() > p.len())
}

/// Whether a per-column key suffix falls in an open namespace (`pk-vector.*`, ...).
pub fn open_field_prefix(suffix: &str) -> bool {
    OPEN_FIELD_PREFIXES
        .iter()
        .any(|p| suffix.starts_with(p) && suffix.len() > p.len())
}

/// Paimon's default of `key` as text (a fallback key finds its option's default).
pub fn default_of(key: &str) -> Option<&'static str> {
    lookup(key).and_then(|o| o.default)
}
