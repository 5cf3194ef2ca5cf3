//! The table options Paimon defines, as data: 494 keys, the per-column options
//! (`fields.<column>.<option>`) and the open namespaces (`fs.*`, `parquet.*`, ...).
//!
//! Generated from Apache Paimon's Java sources, version 2.1-SNAPSHOT at commit
//! `5dacde516bf6e29b583aff8b32bab321bfc6e64f` (master, 2026-08-22): `CoreOptions`,
//! `FlinkConnectorOptions`, `SparkConnectorOptions`, `IcebergOptions`, the format options (ORC,
//! CSV, JSON, text, Avro, Mosaic), the global-index options (bitmap, multivalue, BTree, sorted,
//! Lumina), plus the keys only pypaimon's `CoreOptions` defines. Keys, value kinds, defaults
//! and fallback keys follow those sources; the descriptions are Strata's own. `Strata` marks
//! the options Strata's code reads; everything else is kept in the schema for Paimon engines.
//!
//! This file is data only; the lookups and the validation live in the sibling modules.

use super::spec::Effect::{Engine, Info, Strata};
use super::spec::Kind::{
    Bool, Columns, Double, Duration, Enum, Float, Int, List, Long, Map, MemorySize, Str,
};
use super::spec::Origin::{Catalog, Core, Flink, Format, GlobalIndex, Iceberg, PyPaimon, Spark};
use super::spec::{Effect, Kind, OptionSpec, Origin};

#[allow(clippy::too_many_arguments)]
const fn opt(
    key: &'static str,
    kind: Kind,
    default: Option<&'static str>,
    fallback_keys: &'static [&'static str],
    effect: Effect,
    origin: Origin,
    description: &'static str,
) -> OptionSpec {
    OptionSpec {
        key,
        kind,
        default,
        fallback_keys,
        effect,
        origin,
        // The Wasm reader never shows descriptions: leaving them out keeps about 20 KB of
        // text out of the module (its size is budgeted).
        description: if cfg!(target_arch = "wasm32") {
            ""
        } else {
            description
        },
    }
}

/// The values of `fields.<column>.aggregate-function` (Paimon's aggregator factories).
pub const AGGREGATE_FUNCTION: &[&str] = &[
    "primary-key",
    "sum",
    "product",
    "max",
    "min",
    "last_value",
    "last_non_null_value",
    "first_value",
    "first_non_null_value",
    "first_not_null_value",
    "listagg",
    "bool_and",
    "bool_or",
    "collect",
    "merge_map",
    "merge_map_with_keytime",
    "nested_update",
    "nested_partial_update",
    "hll_sketch",
    "theta_sketch",
    "rbm32",
    "rbm64",
];
/// The values of Paimon's `BatchScanMode`.
pub const BATCH_SCAN_MODE: &[&str] = &["none", "compact"];
/// The values of Paimon's `BucketFunctionType`.
pub const BUCKET_FUNCTION_TYPE: &[&str] = &["default", "mod", "hive"];
/// The values of Paimon's `ChangelogProducer`.
pub const CHANGELOG_PRODUCER: &[&str] = &["none", "input", "full-compaction", "lookup"];
/// The values of Paimon's `ClusteringIncrementalMode`.
pub const CLUSTERING_INCREMENTAL_MODE: &[&str] = &["global-sort", "local-sort"];
/// The values of Paimon's `CompactionBucketDistributionStrategy`.
pub const COMPACTION_BUCKET_DISTRIBUTION_STRATEGY: &[&str] = &["linear", "size-aware-batch"];
/// The values of Paimon's `ConsumerMode`.
pub const CONSUMER_MODE: &[&str] = &["exactly-once", "at-least-once"];
/// The values of Paimon's CSV `Mode`.
pub const CSV_MODE: &[&str] = &["permissive", "dropmalformed", "failfast"];
/// The values of Paimon's `ExpireExecutionMode`.
pub const EXPIRE_EXECUTION_MODE: &[&str] = &["sync", "async"];
/// The values of Paimon's `ExternalPathStrategy`.
pub const EXTERNAL_PATH_STRATEGY: &[&str] = &[
    "none",
    "specific-fs",
    "round-robin",
    "entropy-inject",
    "weight-robin",
];
/// The values of the `<type>` in `file-index.<type>.columns`.
pub const FILE_INDEX_TYPE: &[&str] = &["bloom-filter", "bitmap", "bsi", "range-bitmap"];
/// The values of Paimon's `FormatTableImplementation`.
pub const FORMAT_TABLE_IMPLEMENTATION: &[&str] = &["paimon", "engine"];
/// The values of Paimon's `GlobalIndexColumnUpdateAction`.
pub const GLOBAL_INDEX_COLUMN_UPDATE_ACTION: &[&str] =
    &["throw_error", "drop_partition_index", "ignore"];
/// The values of Paimon's `GlobalIndexSearchMode`.
pub const GLOBAL_INDEX_SEARCH_MODE: &[&str] = &["fast", "full", "detail"];
/// The values of Paimon's `IncrementalBetweenScanMode`.
pub const INCREMENTAL_BETWEEN_SCAN_MODE: &[&str] = &["auto", "delta", "changelog", "diff"];
/// The values of Paimon's `LookupCacheMode`.
pub const LOOKUP_CACHE_MODE: &[&str] = &["auto", "full", "memory"];
/// The values of Paimon's `LookupCompactMode`.
pub const LOOKUP_COMPACT_MODE: &[&str] = &["radical", "gentle"];
/// The values of Paimon's `MapSharedShreddingColumnPlacementPolicy`.
pub const MAP_COLUMN_PLACEMENT_POLICY: &[&str] = &["plain", "sequential", "lru"];
/// The values of Paimon's `MapNullKeyMode`.
pub const MAP_NULL_KEY_MODE: &[&str] = &["fail", "drop", "literal"];
/// The values of Paimon's `MapStorageLayout`.
pub const MAP_STORAGE_LAYOUT: &[&str] = &["default", "shared-shredding"];
/// The values of Paimon's `MaterializedTableIntervalFreshnessTimeUnit`.
pub const MATERIALIZED_TABLE_INTERVAL_FRESHNESS_TIME_UNIT: &[&str] =
    &["second", "minute", "hour", "day"];
/// The values of Paimon's `MaterializedTableRefreshMode`.
pub const MATERIALIZED_TABLE_REFRESH_MODE: &[&str] = &["continuous", "full", "automatic"];
/// The values of Paimon's `MaterializedTableRefreshStatus`.
pub const MATERIALIZED_TABLE_REFRESH_STATUS: &[&str] = &["initializing", "activated", "suspended"];
/// The values of Paimon's `MergeEngine`.
pub const MERGE_ENGINE: &[&str] = &["deduplicate", "partial-update", "aggregation", "first-row"];
/// The values of Paimon's `NestedKeyNullStrategy`.
pub const NESTED_KEY_NULL_STRATEGY: &[&str] = &["merge", "ignore", "error"];
/// The values of Paimon's `PartitionMarkDoneActionMode`.
pub const PARTITION_MARK_DONE_ACTION_MODE: &[&str] = &["process-time", "watermark"];
/// The values of Paimon's `PartitionSinkStrategy`.
pub const PARTITION_SINK_STRATEGY: &[&str] = &["none", "hash", "partition_dynamic"];
/// The values of Paimon's `RangeStrategy`.
pub const RANGE_STRATEGY: &[&str] = &["size", "quantity"];
/// The values of Paimon's `SequenceNumberInitMode`.
pub const SEQUENCE_NUMBER_INIT_MODE: &[&str] = &["scan", "snapshot"];
/// The values of Paimon's `SortEngine`.
pub const SORT_ENGINE: &[&str] = &["min-heap", "loser-tree"];
/// The values of Paimon's `SortOrder`.
pub const SORT_ORDER: &[&str] = &["ascending", "descending"];
/// The values of Paimon's `SplitAssignMode`.
pub const SPLIT_ASSIGN_MODE: &[&str] = &["fair", "preemptive"];
/// The values of Paimon's `StartupMode`.
pub const STARTUP_MODE: &[&str] = &[
    "default",
    "latest-full",
    "full",
    "latest",
    "latest-delta",
    "compacted-full",
    "from-timestamp",
    "from-creation-timestamp",
    "from-file-creation-time",
    "from-snapshot",
    "from-snapshot-full",
    "incremental",
];
/// The values of Paimon's `StorageLocation`.
pub const STORAGE_LOCATION: &[&str] = &["table-location", "catalog-location"];
/// The values of Paimon's `StorageType`.
pub const STORAGE_TYPE: &[&str] = &[
    "disabled",
    "table-location",
    "hadoop-catalog",
    "hive-catalog",
    "rest-catalog",
];
/// The values of Paimon's `StreamScanMode`.
pub const STREAM_SCAN_MODE: &[&str] = &["none", "compact-bucket-table", "file-monitor"];
/// The values of Paimon's `TableType`.
pub const TABLE_TYPE: &[&str] = &[
    "table",
    "format-table",
    "materialized-table",
    "object-table",
    "lance-table",
    "iceberg-table",
];
/// The values of Paimon's `TagCreationMode`.
pub const TAG_CREATION_MODE: &[&str] = &["none", "process-time", "watermark", "batch"];
/// The values of Paimon's `TagCreationPeriod`.
pub const TAG_CREATION_PERIOD: &[&str] = &["daily", "hourly", "two-hours"];
/// The values of Paimon's `TagPeriodFormatter`.
pub const TAG_PERIOD_FORMATTER: &[&str] =
    &["with_dashes", "without_dashes", "without_dashes_and_spaces"];
/// The values of Paimon's `VariantShreddingInferenceMode`.
pub const VARIANT_SHREDDING_INFERENCE_MODE: &[&str] = &["per-file", "adaptive"];
/// The values of Paimon's `WatermarkEmitStrategy`.
pub const WATERMARK_EMIT_STRATEGY: &[&str] = &["on-periodic", "on-event"];

/// Every table option, sorted by key.
#[rustfmt::skip]
pub const OPTIONS: &[OptionSpec] = &[
    opt("add-column-before-partition", Bool, Some("false"), &[], Engine, Core, "New columns go before the first partition column."),
    opt("aggregation.remove-record-on-delete", Bool, Some("false"), &[], Strata, Core, "Aggregation tables drop the whole row on a -D record."),
    opt("alter-column-null-to-not-null.disabled", Bool, Some("true"), &[], Engine, Core, "Schema changes may not make a nullable column NOT NULL."),
    opt("async-file-write", Bool, Some("true"), &[], Engine, Core, "Files are written asynchronously."),
    opt("auto-create", Bool, Some("false"), &[], Engine, Core, "Reads and writes create missing storage."),
    opt("avro.codec", Str, Some("snappy"), &[], Engine, Format, "Avro: compression codec."),
    opt("avro.row-name-mapping", Map, None, &[], Engine, Format, "Avro: record names of row types."),
    opt("batch-scan-mode", Enum(BATCH_SCAN_MODE), Some("none"), &[], Engine, Core, "Internal: scanner used by dedicated batch jobs."),
    opt("bitmap-index.compression", Str, Some("none"), &[], Engine, GlobalIndex, "Bitmap global index: compression of dictionary blocks."),
    opt("bitmap-index.compression-level", Int, Some("1"), &[], Engine, GlobalIndex, "Bitmap global index: compression level."),
    opt("bitmap-index.dictionary-block-size", MemorySize, Some("16 kb"), &[], Engine, GlobalIndex, "Bitmap global index: dictionary block size."),
    opt("bitmap-index.fallback-scan-max-size", MemorySize, Some("256 mb"), &[], Engine, GlobalIndex, "Bitmap global index: largest index scanned as a fallback."),
    opt("blob-as-descriptor", Bool, Some("false"), &[], Engine, Core, "BLOBs are written as descriptors instead of bytes."),
    opt("blob-compaction.enabled", Bool, Some("false"), &[], Engine, Core, "Compaction of data evolution tables also compacts BLOB files."),
    opt("blob-descriptor-field", Columns, None, &["blob.stored-descriptor-fields"], Engine, Core, "BLOB columns stored inline as descriptors."),
    opt("blob-descriptor.source-table", Str, None, &[], Engine, Core, "Table whose storage descriptor BLOBs are copied from."),
    opt("blob-field", Columns, None, &[], Engine, Core, "Columns stored as BLOBs."),
    opt("blob-view-field", Columns, None, &[], Engine, Core, "BLOB columns stored inline as views of other tables."),
    opt("blob-view.resolve.enabled", Bool, Some("true"), &[], Engine, Core, "Reads resolve BLOB views."),
    opt("blob-write-null-on-fetch-failure", Bool, Some("false"), &[], Engine, Core, "A descriptor BLOB that cannot be fetched is written as NULL."),
    opt("blob-write-null-on-missing-file", Bool, Some("false"), &[], Engine, Core, "A descriptor BLOB whose file is missing is written as NULL."),
    opt("blob.copy-buffer-size", MemorySize, Some("4 kb"), &[], Engine, Core, "Buffer used to copy BLOB payloads."),
    opt("blob.split-by-file-size", Bool, None, &[], Engine, Core, "Read splitting counts BLOB file sizes."),
    opt("blob.target-file-size", MemorySize, None, &[], Engine, Core, "Size BLOB files roll over at (default: target-file-size)."),
    opt("branch", Str, Some("main"), &[], Engine, Core, "The branch a table handle works on."),
    opt("btree-index.block-size", MemorySize, Some("64 kb"), &[], Engine, GlobalIndex, "BTree index: block size."),
    opt("btree-index.build.max-parallelism", Int, Some("4096"), &[], Engine, GlobalIndex, "BTree index: most parallel build tasks."),
    opt("btree-index.cache-size", MemorySize, Some("128 mb"), &[], Engine, GlobalIndex, "BTree index: cache size."),
    opt("btree-index.compression", Str, Some("none"), &[], Engine, GlobalIndex, "BTree index: compression."),
    opt("btree-index.compression-level", Int, Some("1"), &[], Engine, GlobalIndex, "BTree index: compression level."),
    opt("btree-index.fallback-scan-max-size", MemorySize, Some("256 mb"), &[], Engine, GlobalIndex, "BTree index: largest index scanned as a fallback."),
    opt("btree-index.high-priority-pool-ratio", Double, Some("0.1"), &[], Engine, GlobalIndex, "BTree index: share of cache reserved for high-priority blocks."),
    opt("btree-index.records-per-range", Long, Some("10000000"), &[], Engine, GlobalIndex, "BTree index: rows per index file."),
    opt("bucket", Int, Some("-1"), &[], Strata, Core, "Number of buckets: positive for fixed buckets, -1 dynamic, -2 postpone."),
    opt("bucket-append-ordered", Bool, Some("true"), &[], Engine, Core, "Whether append-table reads keep the order within buckets."),
    opt("bucket-function.type", Enum(BUCKET_FUNCTION_TYPE), Some("default"), &[], Engine, Core, "How a bucket key hash maps to a bucket."),
    opt("bucket-key", Columns, None, &[], Strata, Core, "Columns hashed to pick a row's bucket (default: the primary key)."),
    opt("cache-page-size", MemorySize, Some("64 kb"), &[], Engine, Core, "Size of one cache page."),
    opt("chain-table.chain-partition-keys", Columns, None, &[], Engine, Core, "Chain tables: the trailing partition keys that take part in chaining."),
    opt("chain-table.enabled", Bool, Some("false"), &[], Engine, Core, "Turns the table into a chain table."),
    opt("chain-table.split.key-range-enabled", Bool, Some("true"), &[], Engine, Core, "Chain tables: batch scans split buckets by key range."),
    opt("chain-table.streaming.merge-snapshot", Bool, Some("false"), &[], Engine, Core, "Chain tables: streaming reads merge the snapshot and delta partitions at start."),
    opt("changelog-file.compression", Str, None, &[], Engine, Core, "Compression of changelog files (default: file.compression)."),
    opt("changelog-file.format", Str, None, &[], Strata, Core, "Format of changelog files (default: file.format)."),
    opt("changelog-file.prefix", Str, Some("changelog-"), &[], Engine, Core, "File-name prefix of changelog files."),
    opt("changelog-file.stats-mode", Str, None, &[], Engine, Core, "Column statistics kept for changelog files."),
    opt("changelog-producer", Enum(CHANGELOG_PRODUCER), Some("none"), &[], Strata, Core, "How the table's changelog is produced."),
    opt("changelog-producer.compaction-interval", Duration, Some("0 s"), &[], Engine, Flink, "Interval of full compactions for the full-compaction changelog producer."),
    opt("changelog-producer.row-deduplicate", Bool, Some("false"), &[], Engine, Core, "Unchanged rows produce no -U/+U changelog."),
    opt("changelog-producer.row-deduplicate-ignore-fields", Columns, None, &[], Engine, Core, "Columns ignored when deciding that a row is unchanged."),
    opt("changelog.num-retained.max", Int, None, &[], Engine, Core, "Most changelogs expiration keeps."),
    opt("changelog.num-retained.min", Int, None, &[], Engine, Core, "Fewest changelogs expiration keeps."),
    opt("changelog.precommit-compact.buffer-size", MemorySize, Some("128 mb"), &[], Engine, Flink, "Buffer for compacting changelog files before commit."),
    opt("changelog.precommit-compact.thread-num", Int, None, &[], Engine, Flink, "Threads that compact changelog files before commit."),
    opt("changelog.time-retained", Duration, None, &[], Engine, Core, "How long changelogs are kept before they may expire."),
    opt("clustering.columns", Columns, None, &["sink.clustering.by-columns"], Engine, Core, "Columns data is clustered by."),
    opt("clustering.history-partition.idle-to-full-sort", Duration, None, &[], Engine, Core, "Idle time after which a partition is fully clustered."),
    opt("clustering.history-partition.limit", Int, Some("5"), &[], Engine, Core, "Most historical partitions fully clustered at once."),
    opt("clustering.incremental", Bool, Some("false"), &[], Engine, Core, "Clustering runs incrementally."),
    opt("clustering.incremental.mode", Enum(CLUSTERING_INCREMENTAL_MODE), Some("global-sort"), &[], Engine, Core, "Sort mode of incremental clustering."),
    opt("clustering.incremental.optimize-write", Bool, Some("false"), &[], Engine, Core, "Incremental clustering also sorts at write time."),
    opt("clustering.strategy", Str, Some("auto"), &["sink.clustering.strategy"], Engine, Core, "Clustering curve (zorder, hilbert, order, auto)."),
    opt("comment", Str, None, &[], Info, Catalog, "Table comment some catalogs keep among the options."),
    opt("commit.callback.#.param", Str, None, &[], Engine, Core, "Constructor argument of commit callback class #."),
    opt("commit.callbacks", List, Some(""), &[], Engine, Core, "Comma-separated commit callback classes."),
    opt("commit.custom-listeners", List, Some(""), &[], Engine, Flink, "Identifiers of custom commit listeners."),
    opt("commit.discard-duplicate-files", Bool, Some("false"), &[], Engine, Core, "Commits drop files they already hold."),
    opt("commit.force-compact", Bool, Some("false"), &[], Engine, Core, "Every commit compacts first."),
    opt("commit.force-create-snapshot", Bool, Some("false"), &[], Engine, Core, "Streaming commits create a snapshot even without data."),
    opt("commit.max-retries", Int, Some("10"), &[], Engine, Core, "Most retries of a failing commit."),
    opt("commit.max-retry-wait", Duration, Some("10 s"), &[], Engine, Core, "Longest wait between commit retries."),
    opt("commit.min-retry-wait", Duration, Some("10 ms"), &[], Engine, Core, "Shortest wait between commit retries."),
    opt("commit.strict-mode.last-safe-snapshot", Long, None, &[], Engine, Core, "Snapshot after which commits check for other writers' commits."),
    opt("commit.timeout", Duration, None, &[], Engine, Core, "How long a failing commit keeps retrying."),
    opt("commit.user-prefix", Str, None, &[], Engine, Core, "Prefix of commit user names."),
    opt("compaction.bucket-distribution-strategy", Enum(COMPACTION_BUCKET_DISTRIBUTION_STRATEGY), Some("linear"), &[], Engine, Flink, "How dedicated compaction jobs spread buckets over writers."),
    opt("compaction.delete-ratio-threshold", Double, Some("0.2"), &[], Engine, Core, "Share of deleted rows that forces an append-table file to be compacted."),
    opt("compaction.file-num-limit", Int, Some("100000"), &[], Engine, Core, "Most files one unaware-bucket compaction scans."),
    opt("compaction.force-rewrite-all-files", Bool, Some("false"), &[], Engine, Core, "Full compactions rewrite every file."),
    opt("compaction.force-up-level-0", Bool, Some("false"), &[], Engine, Core, "Compaction always includes every level-0 file."),
    opt("compaction.incremental-size-threshold", MemorySize, None, &[], Engine, Core, "New data larger than this forces a full compaction."),
    opt("compaction.max-size-amplification-percent", Int, Some("200"), &[], Strata, Core, "Extra storage, in percent, that triggers a full compaction of a bucket."),
    opt("compaction.min.file-num", Int, Some("5"), &[], Strata, Core, "Fewest files an append-table compaction rewrites."),
    opt("compaction.offpeak-ratio", Int, Some("0"), &[], Engine, Core, "Size ratio used for compaction picks during off-peak hours."),
    opt("compaction.offpeak.end.hour", Int, Some("-1"), &[], Engine, Core, "End of off-peak hours, 0 to 23, exclusive (-1: no off-peak)."),
    opt("compaction.offpeak.start.hour", Int, Some("-1"), &[], Engine, Core, "First off-peak hour, 0 to 23 (-1: no off-peak)."),
    opt("compaction.optimization-interval", Duration, None, &[], Engine, Core, "How often an optimizing full compaction runs."),
    opt("compaction.size-ratio", Int, Some("1"), &[], Strata, Core, "Size slack, in percent, for merging neighbouring sorted runs."),
    opt("compaction.skip-expired-partitions", Bool, Some("false"), &[], Engine, Core, "Compaction skips partitions that have expired."),
    opt("compaction.small-file-ratio", Double, Some("0.7"), &[], Strata, Core, "Files smaller than this fraction of target-file-size count as small for compaction."),
    opt("compaction.total-size-threshold", MemorySize, None, &[], Engine, Core, "Buckets smaller than this are fully compacted."),
    opt("consumer-id", Str, None, &[], Engine, Core, "Consumer whose read progress is recorded in the table."),
    opt("consumer.changelog-only", Bool, Some("false"), &[], Engine, Core, "Consumers protect changelogs only, not snapshots."),
    opt("consumer.expiration-time", Duration, None, &[], Engine, Core, "Age at which an unused consumer expires."),
    opt("consumer.ignore-progress", Bool, Some("false"), &[], Engine, Core, "New jobs ignore recorded consumer progress."),
    opt("consumer.mode", Enum(CONSUMER_MODE), Some("exactly-once"), &[], Engine, Core, "Delivery guarantee of consumer progress."),
    opt("continuous.discovery-interval", Duration, Some("10 s"), &[], Engine, Core, "How often streaming reads look for new snapshots."),
    opt("cross-partition-upsert.bootstrap-parallelism", Int, Some("10"), &[], Engine, Core, "Parallelism of the cross-partition upsert bootstrap."),
    opt("cross-partition-upsert.index-ttl", Duration, None, &[], Engine, Core, "Lifetime of entries in the cross-partition upsert index."),
    opt("csv.escape-character", Str, Some("\\"), &["escape"], Engine, Format, "CSV: escape character."),
    opt("csv.field-delimiter", Str, Some(","), &["field-delimiter", "seq", "delimiter"], Engine, Format, "CSV: field separator."),
    opt("csv.include-header", Bool, Some("false"), &["header"], Engine, Format, "CSV: files start with a header line."),
    opt("csv.line-delimiter", Str, Some("\n"), &["lineSep"], Engine, Format, "CSV: line separator."),
    opt("csv.mode", Enum(CSV_MODE), Some("permissive"), &["mode"], Engine, Format, "CSV: what reads do with malformed lines."),
    opt("csv.null-literal", Str, Some(""), &["nullvalue"], Engine, Format, "CSV: text that stands for NULL."),
    opt("csv.quote-character", Str, Some("\""), &["quote"], Engine, Format, "CSV: quote character."),
    opt("data-evolution.compaction.rewrite-row-ids", Bool, Some("false"), &[], Engine, Core, "Legacy switch; true is refused."),
    opt("data-evolution.enabled", Bool, Some("false"), &[], Engine, Core, "Row-tracking tables allow column-wise data evolution."),
    opt("data-evolution.merge-into.file-pruning", Bool, Some("true"), &[], Engine, Core, "MERGE INTO on data evolution tables prunes files."),
    opt("data-evolution.merge-into.source-persist", Bool, Some("false"), &[], Engine, Core, "MERGE INTO on data evolution tables persists its source."),
    opt("data-evolution.reassign.skip-contiguous-row-count", Long, Some("1000000000"), &[], Engine, Core, "Contiguous row-id runs longer than this are not reassigned."),
    opt("data-evolution.row-id-conflict-rewrite.max-size", MemorySize, Some("256 mb"), &[], Engine, Core, "Most data rewritten to resolve row-id conflicts."),
    opt("data-evolution.row-sidecar.enabled", Bool, Some("false"), &[], Engine, Core, "Data evolution tables write row-store sidecar files."),
    opt("data-evolution.row-sidecar.max-selected-rows", Long, Some("4096"), &[], Engine, Core, "Most selected rows for which sidecar files are used."),
    opt("data-evolution.row-sidecar.max-selection-ratio", Double, Some("0.05"), &[], Engine, Core, "Largest selected share of rows for which sidecar files are used."),
    opt("data-file.external-paths", List, None, &[], Engine, Core, "Comma-separated external locations data files may be written to."),
    opt("data-file.external-paths.specific-fs", Str, None, &[], Engine, Core, "The filesystem scheme used by the specific-fs external path strategy."),
    opt("data-file.external-paths.strategy", Enum(EXTERNAL_PATH_STRATEGY), Some("none"), &[], Engine, Core, "How a writer picks one of the external data paths."),
    opt("data-file.external-paths.weights", List, None, &[], Engine, Core, "Comma-separated weights of the external paths for weighted selection."),
    opt("data-file.path-directory", Str, None, &[], Strata, Core, "Subdirectory that holds the data files."),
    opt("data-file.prefix", Str, Some("data-"), &[], Engine, Core, "File-name prefix of data files."),
    opt("data-file.thin-mode", Bool, Some("false"), &[], Engine, Core, "Data files do not repeat the key columns."),
    opt("delete.force-produce-changelog", Bool, Some("false"), &[], Engine, Core, "DELETE statements produce changelog."),
    opt("deletion-vector.index-file.target-size", MemorySize, Some("2 mb"), &[], Engine, Core, "Size deletion-vector index files roll over at."),
    opt("deletion-vectors.bitmap64", Bool, Some("false"), &[], Engine, Core, "Deletion vectors use 64-bit bitmaps (Iceberg-compatible)."),
    opt("deletion-vectors.enabled", Bool, Some("false"), &[], Strata, Core, "Deletes and updates are recorded in deletion vectors."),
    opt("deletion-vectors.merge-on-read", Bool, Some("false"), &[], Strata, Core, "Reads of deletion-vector tables also merge level-0 files."),
    opt("deletion-vectors.modifiable", Bool, Some("false"), &[], Engine, Core, "Deletion vectors may be modified."),
    opt("disable-explicit-type-casting", Bool, Some("false"), &[], Engine, Core, "Schema changes may not narrow column types."),
    opt("dynamic-bucket.assigner-parallelism", Int, None, &[], Engine, Core, "Parallelism of the dynamic bucket assigner."),
    opt("dynamic-bucket.initial-buckets", Int, None, &[], Engine, Core, "Buckets a partition starts with in dynamic bucket mode."),
    opt("dynamic-bucket.max-buckets", Int, Some("-1"), &[], Strata, Core, "Most buckets per partition in dynamic bucket mode (-1: no limit)."),
    opt("dynamic-bucket.target-row-num", Long, Some("2000000"), &[], Strata, Core, "Rows per bucket before dynamic bucketing opens another."),
    opt("dynamic-partition-overwrite", Bool, Some("true"), &[], Strata, Core, "Overwrites replace only the partitions written to."),
    opt("end-input.check-partition-expire", Bool, Some("false"), &[], Engine, Core, "Bounded jobs check partition expiration when input ends."),
    opt("end-input.watermark", Long, None, &[], Engine, Flink, "Watermark committed when a bounded input ends."),
    opt("fields.default-aggregate-function", Str, None, &[], Strata, Core, "Aggregate function of columns that name none."),
    opt("file-index.in-manifest-threshold", MemorySize, Some("500 b"), &[], Engine, Core, "File indexes smaller than this are stored inside the manifest."),
    opt("file-index.read.enabled", Bool, Some("true"), &[], Engine, Core, "Reads use file indexes to skip files."),
    opt("file-operation.thread-num", Int, None, &["delete-file.thread-num"], Engine, Core, "Threads used for file operations."),
    opt("file-reader-async-threshold", MemorySize, Some("10 mb"), &[], Engine, Core, "Files larger than this are read asynchronously."),
    opt("file.block-size", MemorySize, None, &[], Engine, Core, "Block size of the file format (ORC stripe, Parquet row group)."),
    opt("file.compression", Str, Some("zstd"), &[], Strata, Core, "Compression codec of data files."),
    opt("file.compression.per.level", Map, None, &[], Engine, Core, "Compression per LSM level, as level:codec pairs."),
    opt("file.compression.zstd-level", Int, Some("1"), &[], Strata, Core, "Zstandard level used when file.compression is zstd."),
    opt("file.format", Str, Some("parquet"), &[], Strata, Core, "Format of data files (parquet, orc, avro, ...)."),
    opt("file.format.per.level", Map, None, &[], Strata, Core, "Data file format per LSM level, as level:format pairs."),
    opt("file.suffix.include.compression", Bool, Some("false"), &[], Engine, Core, "Data and changelog file names carry the compression codec."),
    opt("filesystem.job-level-settings.enabled", Bool, Some("true"), &[], Engine, Flink, "Job-level filesystem settings reach the table's file IO."),
    opt("force-lookup", Bool, Some("false"), &[], Engine, Core, "Compaction always uses lookup."),
    opt("format-table.commit-hive-sync-url", Str, None, &[], Engine, Core, "Hive endpoint a format table commit syncs to."),
    opt("format-table.file.compression", Str, None, &[], Engine, Core, "Compression of format table files."),
    opt("format-table.implementation", Enum(FORMAT_TABLE_IMPLEMENTATION), Some("paimon"), &[], Engine, Core, "Whether format tables are read and written by Paimon or by the engine."),
    opt("format-table.partition-path-only-value", Bool, Some("false"), &[], Engine, Core, "Format table partition directories hold only the values."),
    opt("format-table.repair.collect-statistics", Bool, Some("false"), &[], Engine, Spark, "MSCK REPAIR also measures format table partitions."),
    opt("format-table.scan.list-parallelism", Int, Some("64"), &[], Engine, Core, "Threads listing partition files of a format table."),
    opt("format-table.statistics.parallelism", Int, Some("8"), &[], Engine, Spark, "Concurrent requests when measuring format table partitions."),
    opt("full-compaction.delta-commits", Int, None, &[], Engine, Core, "Commits between forced full compactions."),
    opt("full-text-index.search-mode", Enum(GLOBAL_INDEX_SEARCH_MODE), Some("fast"), &[], Engine, Core, "Search mode of full-text index queries."),
    opt("global-index.build.max-parallelism", Int, Some("4096"), &[], Engine, Core, "Most parallel tasks of a global index build."),
    opt("global-index.build.max-shard", Int, Some("32"), &[], Engine, Core, "Preferred most shards of a global index build."),
    opt("global-index.column-update-action", Enum(GLOBAL_INDEX_COLUMN_UPDATE_ACTION), Some("throw_error"), &[], Engine, Core, "What updates to globally indexed columns do."),
    opt("global-index.enabled", Bool, Some("true"), &[], Engine, Core, "Scans use global indexes."),
    opt("global-index.external-path", Str, None, &[], Engine, Core, "Directory that holds global index files."),
    opt("global-index.row-count-per-shard", Long, Some("100000"), &[], Engine, Core, "Rows per global index shard."),
    opt("global-index.search-mode", Enum(GLOBAL_INDEX_SEARCH_MODE), None, &[], Engine, Core, "Fallback search mode of global index queries."),
    opt("global-index.thread-num", Int, Some("32"), &[], Engine, Core, "Threads for global index I/O."),
    opt("ignore-delete", Bool, Some("false"), &["first-row.ignore-delete", "deduplicate.ignore-delete", "partial-update.ignore-delete"], Strata, Core, "Delete records are dropped instead of applied."),
    opt("ignore-update-before", Bool, Some("false"), &[], Engine, Core, "Update-before records are dropped."),
    opt("incremental-between", List, None, &[], Engine, Core, "Read the changes between two snapshots or tags."),
    opt("incremental-between-scan-mode", Enum(INCREMENTAL_BETWEEN_SCAN_MODE), Some("auto"), &[], Engine, Core, "Which files an incremental-between read returns."),
    opt("incremental-between-tag-to-snapshot", Bool, Some("false"), &[], Engine, Core, "Incremental reads between tags use the tags' snapshots."),
    opt("incremental-between-timestamp", List, None, &[], Engine, Core, "Read the changes between two timestamps."),
    opt("incremental-to-auto-tag", Str, None, &[], Engine, Core, "Read the changes up to this automatic tag from the tag before it."),
    opt("index-file-in-data-file-dir", Bool, Some("false"), &[], Strata, Core, "Index files live in the data file directories."),
    opt("json.ignore-parse-errors", Bool, Some("false"), &[], Engine, Format, "JSON: reads skip unparsable lines."),
    opt("json.line-delimiter", Str, Some("\n"), &[], Engine, Format, "JSON: line separator."),
    opt("json.map-null-key-literal", Str, Some("null"), &[], Engine, Format, "JSON: text written for NULL map keys."),
    opt("json.map-null-key-mode", Enum(MAP_NULL_KEY_MODE), Some("fail"), &[], Engine, Format, "JSON: what happens to NULL map keys."),
    opt("key-value.sequence_number.enabled", Bool, Some("false"), &[], Engine, Core, "Key-value reads include _SEQUENCE_NUMBER (internal)."),
    opt("legacy-timestamp-mapping.enabled", Bool, Some("false"), &[], Engine, Spark, "TIMESTAMP maps to Spark TIMESTAMP instead of TIMESTAMP_NTZ."),
    opt("local-cache.block-size", MemorySize, Some("1 mb"), &[], Engine, PyPaimon, "Block size of the local cache."),
    opt("local-cache.dir", Str, None, &[], Engine, PyPaimon, "Directory of the local block cache (memory if unset)."),
    opt("local-cache.enabled", Bool, Some("false"), &[], Engine, PyPaimon, "Cache file blocks locally."),
    opt("local-cache.max-size", MemorySize, None, &[], Engine, PyPaimon, "Most bytes the local block cache holds."),
    opt("local-cache.whitelist", List, Some("meta,global-index"), &[], Engine, PyPaimon, "File kinds the local cache holds."),
    opt("local-kv-db.block-size", MemorySize, Some("4 kb"), &[], Engine, Core, "Block size of the local key-value store."),
    opt("local-merge-buffer-size", MemorySize, None, &[], Engine, Core, "Buffer that merges rows by key before they are shuffled."),
    opt("local-sort.max-num-file-handles", Int, Some("128"), &[], Engine, Core, "Fan-in of the external merge sort."),
    opt("lookup-compact", Enum(LOOKUP_COMPACT_MODE), Some("radical"), &[], Engine, Core, "How eagerly lookup compaction runs."),
    opt("lookup-compact.max-interval", Int, None, &[], Engine, Core, "Most commits between gentle lookup compactions."),
    opt("lookup-wait", Bool, Some("true"), &["changelog-producer.lookup-wait"], Engine, Core, "Commits wait for lookup compaction."),
    opt("lookup.async", Bool, Some("false"), &[], Engine, Flink, "Lookup joins run asynchronously."),
    opt("lookup.async-thread-number", Int, Some("16"), &[], Engine, Flink, "Threads of asynchronous lookups."),
    opt("lookup.blob-as-descriptor", Bool, Some("false"), &[], Engine, Core, "Lookup caches keep BLOB descriptors instead of BLOB bytes."),
    opt("lookup.bootstrap-parallelism", Int, Some("4"), &[], Engine, Flink, "Parallelism of the lookup join bootstrap."),
    opt("lookup.cache", Enum(LOOKUP_CACHE_MODE), Some("auto"), &[], Engine, Flink, "Cache mode of lookup joins."),
    opt("lookup.cache-file-retention", Duration, Some("1 h"), &[], Engine, Core, "How long local lookup files are kept."),
    opt("lookup.cache-max-disk-size", MemorySize, Some("9223372036854775807 b"), &[], Engine, Core, "Most local disk the lookup cache may use."),
    opt("lookup.cache-max-memory-size", MemorySize, Some("256 mb"), &[], Engine, Core, "Most memory the lookup cache may use."),
    opt("lookup.cache-rows", Long, Some("10000"), &[], Engine, Core, "Most rows held by the lookup cache."),
    opt("lookup.cache-spill-compression", Str, Some("zstd"), &[], Engine, Core, "Compression of lookup cache spill files."),
    opt("lookup.cache.bloom.filter.enabled", Bool, Some("true"), &[], Engine, Core, "The lookup cache builds bloom filters."),
    opt("lookup.cache.bloom.filter.fpp", Double, Some("0.05"), &[], Engine, Core, "False-positive rate of lookup cache bloom filters."),
    opt("lookup.cache.high-priority-pool-ratio", Double, Some("0.25"), &[], Engine, Core, "Share of lookup cache memory reserved for index and filter blocks."),
    opt("lookup.continuous.discovery-interval", Duration, None, &[], Engine, Core, "How often lookup reads look for new snapshots."),
    opt("lookup.dynamic-partition.refresh-interval", Duration, Some("1 h"), &[], Engine, Flink, "How often dynamic lookup partitions are refreshed."),
    opt("lookup.dynamic-partition.refresh.async", Bool, Some("false"), &[], Engine, Flink, "Dynamic lookup partitions refresh in the background."),
    opt("lookup.hash-load-factor", Float, Some("0.75"), &[], Engine, Core, "Load factor of the lookup hash index."),
    opt("lookup.merge-buffer-size", MemorySize, Some("8 mb"), &[], Engine, Core, "Buffer for merging the versions of one key in lookups."),
    opt("lookup.merge-records-threshold", Int, Some("1024"), &[], Engine, Core, "Versions of one key above which lookups merge in a binary buffer."),
    opt("lookup.refresh.async", Bool, Some("false"), &[], Engine, Flink, "Lookup tables refresh in the background."),
    opt("lookup.refresh.async.pending-snapshot-count", Int, Some("5"), &[], Engine, Flink, "Pending snapshots that force a synchronous lookup refresh."),
    opt("lookup.refresh.full-load-threshold", Int, None, &[], Engine, Flink, "Pending snapshots that force a full lookup reload."),
    opt("lookup.refresh.time-periods-blacklist", Str, None, &[], Engine, Flink, "Time periods in which lookup tables do not refresh."),
    opt("lookup.remote-file.enabled", Bool, Some("false"), &[], Engine, Core, "Compaction writes lookup files to remote storage."),
    opt("lookup.remote-file.level-threshold", Int, Some("-2147483648"), &[], Engine, Core, "Lowest level that gets remote lookup files."),
    opt("lumina.diskann.build.ef_construction", Int, Some("1024"), &[], Engine, GlobalIndex, "Lumina vector index: DiskANN candidate list size while building."),
    opt("lumina.diskann.build.neighbor_count", Int, Some("64"), &[], Engine, GlobalIndex, "Lumina vector index: DiskANN neighbours per node."),
    opt("lumina.diskann.build.thread_count", Int, Some("32"), &[], Engine, GlobalIndex, "Lumina vector index: DiskANN build threads."),
    opt("lumina.diskann.search.beam_width", Int, Some("4"), &[], Engine, GlobalIndex, "Lumina vector index: DiskANN search beam width."),
    opt("lumina.diskann.search.list_size", Int, None, &[], Engine, GlobalIndex, "Lumina vector index: DiskANN search list size."),
    opt("lumina.distance.metric", Str, Some("inner_product"), &[], Engine, GlobalIndex, "Lumina vector index: distance metric."),
    opt("lumina.encoding.pq.m", Int, Some("64"), &[], Engine, GlobalIndex, "Lumina vector index: PQ sub-quantizers."),
    opt("lumina.encoding.type", Str, Some("pq"), &[], Engine, GlobalIndex, "Lumina vector index: vector encoding."),
    opt("lumina.index.dimension", Int, Some("128"), &[], Engine, GlobalIndex, "Lumina vector index: vector dimension."),
    opt("lumina.index.type", Str, Some("diskann"), &[], Engine, GlobalIndex, "Lumina vector index: index type."),
    opt("lumina.pretrain.sample_ratio", Double, Some("0.2"), &[], Engine, GlobalIndex, "Lumina vector index: pretraining sample ratio."),
    opt("lumina.search.parallel_number", Int, Some("5"), &[], Engine, GlobalIndex, "Lumina vector index: search parallelism."),
    opt("manifest-sort.enabled", Bool, Some("false"), &[], Engine, Core, "Commits rewrite manifests sorted by partition."),
    opt("manifest-sort.max-rewrite-size", MemorySize, Some("256 mb"), &[], Engine, Core, "Most manifest bytes one sorted rewrite touches."),
    opt("manifest-sort.partition-field", Columns, None, &[], Engine, Core, "Partition column manifests are sorted by."),
    opt("manifest.compression", Str, Some("zstd"), &[], Strata, Core, "Compression codec of manifest files."),
    opt("manifest.delete-file-drop-stats", Bool, Some("false"), &[], Engine, Core, "DELETE manifest entries drop their statistics."),
    opt("manifest.full-compaction-threshold-size", MemorySize, Some("16 mb"), &[], Strata, Core, "Total size of deleted manifest entries that triggers a full manifest compaction."),
    opt("manifest.merge-min-count", Int, Some("30"), &[], Strata, Core, "Fewest small manifests that are merged into one."),
    opt("manifest.merge-optimize.enabled", Bool, Some("true"), &[], Engine, Core, "Manifest merges skip blocks that need no change."),
    opt("manifest.target-file-size", MemorySize, Some("8 mb"), &[], Strata, Core, "Size manifest files roll over at."),
    opt("materialized-table.definition-query", Str, None, &[], Engine, Core, "Materialized tables: the defining query."),
    opt("materialized-table.interval-freshness", Str, None, &[], Engine, Core, "Materialized tables: the freshness interval."),
    opt("materialized-table.interval-freshness.time-unit", Enum(MATERIALIZED_TABLE_INTERVAL_FRESHNESS_TIME_UNIT), None, &[], Engine, Core, "Materialized tables: the unit of the freshness interval."),
    opt("materialized-table.logical-refresh-mode", Enum(MATERIALIZED_TABLE_REFRESH_MODE), None, &[], Engine, Core, "Materialized tables: the logical refresh mode."),
    opt("materialized-table.refresh-handler-bytes", Str, None, &[], Engine, Core, "Materialized tables: the serialized refresh handler."),
    opt("materialized-table.refresh-handler-description", Str, None, &[], Engine, Core, "Materialized tables: summary of the refresh handler."),
    opt("materialized-table.refresh-mode", Enum(MATERIALIZED_TABLE_REFRESH_MODE), None, &[], Engine, Core, "Materialized tables: the physical refresh mode."),
    opt("materialized-table.refresh-status", Enum(MATERIALIZED_TABLE_REFRESH_STATUS), None, &[], Engine, Core, "Materialized tables: the refresh status."),
    opt("merge-engine", Enum(MERGE_ENGINE), Some("deduplicate"), &[], Strata, Core, "How rows with the same primary key are merged."),
    opt("metadata.iceberg.compaction.max.file-num", Int, Some("50"), &[], Engine, Iceberg, "Small Iceberg manifests that always trigger their compaction."),
    opt("metadata.iceberg.compaction.min.file-num", Int, Some("10"), &[], Engine, Iceberg, "Iceberg manifests that trigger their compaction."),
    opt("metadata.iceberg.database", Str, None, &[], Engine, Iceberg, "Database name in the Iceberg catalog."),
    opt("metadata.iceberg.delete-after-commit.enabled", Bool, Some("true"), &[], Engine, Iceberg, "Old Iceberg metadata files are deleted after commits."),
    opt("metadata.iceberg.format-version", Int, Some("2"), &[], Engine, Iceberg, "Iceberg format version written."),
    opt("metadata.iceberg.glue.skip-archive", Bool, Some("false"), &[], Engine, Iceberg, "AWS Glue skips archiving table versions."),
    opt("metadata.iceberg.hadoop-conf-dir", Str, None, &[], Engine, Iceberg, "Hadoop configuration directory of the Iceberg catalog."),
    opt("metadata.iceberg.hive-client-class", Str, Some("org.apache.hadoop.hive.metastore.HiveMetaStoreClient"), &[], Engine, Iceberg, "Hive client class of the Iceberg catalog."),
    opt("metadata.iceberg.hive-conf-dir", Str, None, &[], Engine, Iceberg, "Hive configuration directory of the Iceberg catalog."),
    opt("metadata.iceberg.hive-skip-update-stats", Bool, Some("false"), &[], Engine, Iceberg, "Hive statistics are not updated."),
    opt("metadata.iceberg.manifest-compression", Str, Some("snappy"), &[], Engine, Iceberg, "Compression of Iceberg manifest files."),
    opt("metadata.iceberg.manifest-legacy-version", Bool, Some("false"), &[], Engine, Iceberg, "Iceberg manifests use the legacy (1.4) version."),
    opt("metadata.iceberg.previous-versions-max", Int, Some("0"), &[], Engine, Iceberg, "Old Iceberg metadata files kept."),
    opt("metadata.iceberg.storage", Enum(STORAGE_TYPE), Some("disabled"), &[], Engine, Iceberg, "Where Iceberg-compatible metadata is written (disabled by default)."),
    opt("metadata.iceberg.storage-location", Enum(STORAGE_LOCATION), None, &[], Engine, Iceberg, "Directory of the Iceberg-compatible metadata."),
    opt("metadata.iceberg.table", Str, None, &[], Engine, Iceberg, "Table name in the Iceberg catalog."),
    opt("metadata.iceberg.uri", Str, None, &[], Engine, Iceberg, "Hive metastore URI of the Iceberg catalog."),
    opt("metadata.stats-dense-store", Bool, Some("true"), &[], Engine, Core, "Manifests store statistics densely."),
    opt("metadata.stats-keep-first-n-columns", Int, Some("-1"), &[], Engine, Core, "Only the first N columns keep statistics (-1: all)."),
    opt("metadata.stats-mode", Str, Some("truncate(16)"), &[], Engine, Core, "Column statistics kept in manifests (none, counts, truncate(N), full)."),
    opt("metadata.stats-mode.per.level", Map, None, &[], Engine, Core, "Column statistics mode per LSM level, as level:mode pairs."),
    opt("metastore.partitioned-table", Bool, Some("false"), &[], Engine, Core, "The metastore sees the table as partitioned."),
    opt("metastore.tag-to-partition", Str, None, &[], Engine, Core, "Metastore partition column that maps tags of an unpartitioned table."),
    opt("metastore.tag-to-partition.preview", Enum(TAG_CREATION_MODE), Some("none"), &[], Engine, Core, "Which snapshots are previewed as metastore tag partitions."),
    opt("mosaic.num-buckets", Int, None, &[], Engine, Format, "Mosaic: column buckets for parallel IO."),
    opt("mosaic.stats-columns", List, Some(""), &[], Engine, Format, "Mosaic: columns that get statistics."),
    opt("multivalue-index.compression", Str, Some("none"), &[], Engine, GlobalIndex, "Multivalue index: compression of dictionary blocks."),
    opt("multivalue-index.compression-level", Int, Some("1"), &[], Engine, GlobalIndex, "Multivalue index: compression level."),
    opt("multivalue-index.dictionary-block-size", MemorySize, Some("16 kb"), &[], Engine, GlobalIndex, "Multivalue index: dictionary block size."),
    opt("num-levels", Int, None, &[], Strata, Core, "Number of LSM levels (default: compaction trigger + 1)."),
    opt("num-sorted-run.compaction-trigger", Int, Some("5"), &[], Strata, Core, "Number of sorted runs that triggers a compaction."),
    opt("num-sorted-run.stop-trigger", Int, None, &[], Strata, Core, "Number of sorted runs at which writes wait for compaction (default: compaction trigger + 3)."),
    opt("orc.column.encoding.direct", List, None, &[], Engine, Format, "ORC: columns written without dictionary encoding."),
    opt("orc.dictionary.key.threshold", Double, Some("0.8"), &[], Engine, Format, "ORC: distinct-key share above which dictionary encoding stops."),
    opt("orc.timestamp-ltz.legacy.type", Bool, Some("true"), &[], Engine, Format, "ORC: TIMESTAMP_LTZ uses the legacy encoding."),
    opt("overwrite-upgrade", Bool, Some("true"), &[], Engine, Core, "Overwrites of primary-key tables try to upgrade files."),
    opt("owner", Str, None, &[], Info, Catalog, "Table owner some catalogs keep among the options."),
    opt("page-size", MemorySize, Some("64 kb"), &[], Engine, Core, "Size of one memory page."),
    opt("parquet.enable.dictionary", Int, None, &[], Engine, Core, "Parquet dictionary encoding switch."),
    opt("partial-update.remove-record-on-delete", Bool, Some("false"), &[], Strata, Core, "Partial-update tables drop the whole row on a -D record."),
    opt("partial-update.remove-record-on-sequence-group", Columns, None, &[], Engine, Core, "Sequence groups whose -D records drop the whole row."),
    opt("partition", Columns, None, &[], Engine, Core, "Partition columns given as an option (comma-separated)."),
    opt("partition.default-name", Str, Some("__DEFAULT_PARTITION__"), &[], Strata, Core, "Directory name used for a NULL or empty partition value."),
    opt("partition.end-input-to-done", Bool, Some("false"), &[], Engine, Core, "Mark partitions done when the input ends."),
    opt("partition.expiration-batch-size", Int, None, &[], Engine, Core, "Partitions dropped per batch during expiration."),
    opt("partition.expiration-check-interval", Duration, Some("1 h"), &[], Engine, Core, "How often partition expiration runs."),
    opt("partition.expiration-max-num", Int, Some("100"), &[], Engine, Core, "Most partitions expired in one go."),
    opt("partition.expiration-strategy", Str, Some("values-time"), &[], Engine, Core, "How a partition's time is found for partition expiration."),
    opt("partition.expiration-time", Duration, None, &[], Engine, Core, "Age at which a partition expires."),
    opt("partition.idle-time-to-done", Duration, None, &[], Engine, Flink, "Idle time after which a partition is marked done."),
    opt("partition.idle-time-to-report-statistic", Duration, Some("0 ms"), &[], Engine, Core, "Idle time after which partition statistics are reported."),
    opt("partition.legacy-name", Bool, Some("true"), &[], Strata, Core, "Partition directory names use the legacy string form of values."),
    opt("partition.mark-done-action", List, Some("success-file"), &[], Engine, Core, "Actions run when a partition is marked done."),
    opt("partition.mark-done-action.custom.class", Str, None, &[], Engine, Core, "Class of the custom mark-done action."),
    opt("partition.mark-done-action.http.params", Str, None, &[], Engine, Core, "Parameters sent by the http-report mark-done action."),
    opt("partition.mark-done-action.http.url", Str, None, &[], Engine, Core, "URL the http-report mark-done action posts to."),
    opt("partition.mark-done-action.mode", Enum(PARTITION_MARK_DONE_ACTION_MODE), Some("process-time"), &[], Engine, Flink, "What triggers the partition mark-done action."),
    opt("partition.mark-done.recover-from-state", Bool, Some("true"), &[], Engine, Flink, "Mark partitions done after recovering from state."),
    opt("partition.sink-strategy", Enum(PARTITION_SINK_STRATEGY), Some("none"), &[], Engine, Core, "How writers shuffle rows by partition."),
    opt("partition.time-interval", Duration, None, &[], Engine, Flink, "Time span of one partition."),
    opt("partition.timestamp-format.strict", Bool, Some("false"), &[], Engine, Core, "Partition values that do not match the timestamp format are errors."),
    opt("partition.timestamp-formatter", Str, None, &[], Engine, Core, "Date format used to read a time from partition values."),
    opt("partition.timestamp-pattern", Str, None, &[], Engine, Core, "Pattern that builds a timestamp string from partition columns."),
    opt("path", Str, None, &[], Engine, Core, "The table's location."),
    opt("pk-bitmap.index.columns", Columns, None, &[], Engine, Core, "Columns with primary-key bitmap indexes."),
    opt("pk-btree.index.columns", Columns, None, &[], Engine, Core, "Columns with primary-key BTree indexes."),
    opt("pk-clustering-override", Bool, Some("false"), &[], Engine, Core, "Data files are sorted by the clustering columns instead of the primary key."),
    opt("pk-full-text.index.columns", Columns, None, &[], Engine, Core, "Text columns with primary-key full-text indexes."),
    opt("pk-multivalue.index.columns", Columns, None, &[], Engine, Core, "ARRAY columns with primary-key multivalue indexes."),
    opt("pk-vector.index.columns", Columns, None, &[], Engine, Core, "Vector columns with primary-key vector indexes."),
    opt("postpone.batch-write-fixed-bucket", Bool, Some("true"), &[], Engine, Core, "Batch writes to postpone-bucket tables write fixed buckets."),
    opt("postpone.batch-write-fixed-bucket.max-parallelism", Int, Some("2048"), &[], Engine, Core, "Most buckets a postpone batch write infers per partition."),
    opt("postpone.batch-write-fixed-bucket.rescale-load-factor", Int, Some("32"), &[], Engine, Core, "Bucket count ratio beyond which postpone writes rescale."),
    opt("postpone.default-bucket-num", Int, None, &[], Engine, Core, "Bucket count of partitions that get real buckets for the first time."),
    opt("postpone.merge-on-read", Bool, Some("false"), &[], Engine, Core, "Batch reads merge postponed rows with bucketed rows."),
    opt("postpone.target-row-num-per-bucket", Long, None, &[], Engine, Core, "Rows per bucket when inferring postpone bucket counts."),
    opt("postpone.target-size-per-bucket", MemorySize, Some("1 gb"), &[], Engine, Core, "Bytes per bucket when inferring postpone bucket counts."),
    opt("precommit-compact", Bool, Some("false"), &["changelog.precommit-compact"], Engine, Flink, "Small files are compacted before commit."),
    opt("primary-key", Columns, None, &[], Engine, Core, "Primary key given as an option (comma-separated columns)."),
    opt("primary-key.nullable", Bool, Some("false"), &[], Strata, Core, "Primary-key columns may hold NULL."),
    opt("query-auth.enabled", Bool, Some("false"), &[], Engine, Core, "Queries are authorized by the catalog."),
    opt("read.allow.fullScan", Bool, Some("true"), &[], Engine, Spark, "Partitioned tables may be read in full."),
    opt("read.batch-size", Int, Some("1024"), &[], Engine, Core, "Rows per batch when reading files."),
    opt("read.changelog", Bool, Some("false"), &[], Engine, Spark, "Reads return rows with their row kind."),
    opt("read.parallelism", Int, None, &[], Engine, PyPaimon, "Threads reading splits in one read."),
    opt("read.shuffle-bucket-with-partition", Bool, Some("true"), &["streaming-read.shuffle-bucket-with-partition"], Engine, Flink, "Reads shuffle by partition and bucket."),
    opt("read.stream.maxBytesPerTrigger", Long, None, &[], Engine, Spark, "Most bytes per streaming batch."),
    opt("read.stream.maxFilesPerTrigger", Int, None, &[], Engine, Spark, "Most files per streaming batch."),
    opt("read.stream.maxRowsPerTrigger", Long, None, &[], Engine, Spark, "Most rows per streaming batch."),
    opt("read.stream.maxTriggerDelayMs", Long, None, &[], Engine, Spark, "Longest delay between streaming batches."),
    opt("read.stream.minRowsPerTrigger", Long, None, &[], Engine, Spark, "Fewest rows per streaming batch."),
    opt("record-level.expire-time", Duration, None, &[], Engine, Core, "Age at which rows expire during compaction."),
    opt("record-level.time-field", Columns, None, &[], Engine, Core, "Column holding each row's time for record-level expiration."),
    opt("requiredSparkConfsCheck.enabled", Bool, Some("true"), &[], Engine, Spark, "Check the session's required settings."),
    opt("row-tracking.enabled", Bool, Some("false"), &[], Engine, Core, "Append tables assign each row a unique id."),
    opt("row-tracking.partition-group-on-commit", Bool, Some("true"), &[], Engine, Core, "Row-tracking commits group new files by partition."),
    opt("rowkind.field", Str, None, &[], Strata, Core, "Column holding each row's kind (+I, -U, +U, -D)."),
    opt("scalar-index.search-mode", Enum(GLOBAL_INDEX_SEARCH_MODE), Some("fast"), &[], Engine, Core, "Search mode of scalar index queries."),
    opt("scan.bounded", Bool, None, &[], Engine, Flink, "Whether the source is bounded."),
    opt("scan.bounded.watermark", Long, None, &[], Engine, Core, "Watermark at which a bounded streaming read ends."),
    opt("scan.bucket", Int, None, &[], Engine, Core, "Reads plan only this bucket."),
    opt("scan.creation-time-millis", Long, None, &[], Engine, Core, "Epoch milliseconds a from-creation-timestamp read starts at."),
    opt("scan.dedicated-split-generation", Bool, Some("false"), &[], Engine, Flink, "Splits are generated in a task instead of the coordinator."),
    opt("scan.fallback-branch", Str, None, &[], Engine, Core, "Branch read for partitions missing from the current branch."),
    opt("scan.fallback-branch.read-fail-fast", Bool, Some("false"), &[], Engine, Core, "Reads fail when the fallback branch fails."),
    opt("scan.fallback-delta-branch", Str, None, &[], Engine, Core, "Chain tables: delta branch read for partitions found in neither branch."),
    opt("scan.fallback-snapshot-branch", Str, None, &[], Engine, Core, "Chain tables: branch read for partitions missing from the main branch."),
    opt("scan.file-creation-time-millis", Long, None, &[], Engine, Core, "Reads skip data files created before this epoch millisecond."),
    opt("scan.ignore-corrupt-files", Bool, Some("false"), &[], Engine, Core, "Reads skip corrupt files."),
    opt("scan.ignore-lost-files", Bool, Some("false"), &[], Engine, Core, "Reads skip missing files."),
    opt("scan.infer-parallelism", Bool, Some("true"), &[], Engine, Flink, "Infer the source parallelism from the splits."),
    opt("scan.infer-parallelism.max", Int, Some("1024"), &[], Engine, Flink, "Upper bound of an inferred source parallelism."),
    opt("scan.manifest.parallelism", Int, None, &[], Engine, Core, "Threads that read manifests during planning."),
    opt("scan.max-snapshot.count", Int, Some("-1"), &[], Engine, Flink, "Most snapshots scanned per checkpoint (negative: no limit)."),
    opt("scan.max-splits-per-task", Int, Some("10"), &[], Engine, Core, "Splits cached per reader task before enumeration pauses."),
    opt("scan.mode", Enum(STARTUP_MODE), Some("default"), &["log.scan"], Engine, Core, "Where a read starts."),
    opt("scan.native-plan.enabled", Bool, Some("false"), &[], Engine, PyPaimon, "Plan scans natively."),
    opt("scan.parallelism", Int, None, &[], Engine, Flink, "Parallelism of the source."),
    opt("scan.partitions", Str, None, &["lookup.dynamic-partition"], Engine, Flink, "Partitions a read is limited to."),
    opt("scan.plan-auto-tag-for-read.time-retained", Duration, None, &[], Engine, Core, "Batch planning protects its snapshot with a temporary tag kept this long."),
    opt("scan.plan-sort-partition", Bool, Some("false"), &[], Engine, Core, "Read plans are ordered by partition."),
    opt("scan.primary-branch", Str, None, &[], Engine, Core, "Branch whose partitions take precedence in reads."),
    opt("scan.remove-normalize", Bool, Some("false"), &["log.scan.remove-normalize"], Engine, Flink, "Streaming reads skip the normalize operator."),
    opt("scan.snapshot-id", Long, None, &[], Engine, Core, "Snapshot a from-snapshot read starts at."),
    opt("scan.split-enumerator.batch-size", Int, Some("10"), &[], Engine, Flink, "Splits handed to a reader at a time."),
    opt("scan.split-enumerator.mode", Enum(SPLIT_ASSIGN_MODE), Some("fair"), &[], Engine, Flink, "How splits are handed to readers."),
    opt("scan.tag-name", Str, None, &[], Engine, Core, "Tag a read starts at."),
    opt("scan.timestamp", Str, None, &[], Engine, Core, "Timestamp string a from-timestamp read starts at."),
    opt("scan.timestamp-millis", Long, None, &["log.scan.timestamp-millis"], Engine, Core, "Epoch milliseconds a from-timestamp read starts at."),
    opt("scan.version", Str, None, &[], Engine, Core, "Tag or snapshot a time-travel read uses."),
    opt("scan.watermark", Long, None, &[], Engine, Core, "Watermark a from-snapshot read starts at."),
    opt("scan.watermark.alignment.group", Str, None, &[], Engine, Flink, "Group of sources whose watermarks are aligned."),
    opt("scan.watermark.alignment.max-drift", Duration, None, &[], Engine, Flink, "Largest watermark drift before a source pauses."),
    opt("scan.watermark.alignment.update-interval", Duration, Some("1 s"), &[], Engine, Flink, "How often aligned watermarks are exchanged."),
    opt("scan.watermark.emit.strategy", Enum(WATERMARK_EMIT_STRATEGY), Some("on-event"), &[], Engine, Flink, "When watermarks are emitted."),
    opt("scan.watermark.idle-timeout", Duration, None, &[], Engine, Flink, "Idle time after which a split no longer holds back the watermark."),
    opt("sequence.field", Columns, None, &[], Strata, Core, "Columns that order the versions of a key."),
    opt("sequence.field.sort-order", Enum(SORT_ORDER), Some("ascending"), &[], Strata, Core, "Whether the larger or the smaller sequence value wins."),
    opt("sequence.snapshot-ordering", Bool, Some("false"), &[], Engine, Core, "Merges order the versions of a key by snapshot id."),
    opt("sink.clustering.sample-factor", Int, Some("100"), &[], Engine, Flink, "Sample factor of clustered writes."),
    opt("sink.clustering.sort-in-cluster", Bool, Some("true"), &[], Engine, Flink, "Clustered writes also sort within each task."),
    opt("sink.committer-cpu", Double, Some("1.0"), &[], Engine, Flink, "CPU cores of the committer."),
    opt("sink.committer-memory", MemorySize, None, &[], Engine, Flink, "Heap memory of the committer."),
    opt("sink.committer-operator-chaining", Bool, Some("true"), &[], Engine, Flink, "The committer may chain with writers."),
    opt("sink.coordinator-commit.enabled", Bool, Some("false"), &[], Engine, Flink, "Commits run in the job manager."),
    opt("sink.cross-partition.managed-memory", MemorySize, Some("256 mb"), &[], Engine, Flink, "Managed memory weight of the cross-partition index."),
    opt("sink.key-only-deletes.enabled", Bool, Some("false"), &[], Engine, Flink, "The sink accepts deletes that carry only the key."),
    opt("sink.managed.writer-buffer-memory", MemorySize, Some("256 mb"), &[], Engine, Flink, "Managed memory weight of writer buffers."),
    opt("sink.operator-uid.suffix", Str, None, &[], Engine, Flink, "Uid suffix of sink operators."),
    opt("sink.parallelism", Int, None, &[], Engine, Flink, "Parallelism of the sink."),
    opt("sink.process-time-zone", Str, None, &[], Engine, Core, "Time zone processing time is read in."),
    opt("sink.savepoint.auto-tag", Bool, Some("false"), &[], Engine, Flink, "Savepoints create a tag."),
    opt("sink.use-managed-memory-allocator", Bool, Some("false"), &[], Engine, Flink, "Writers use managed memory."),
    opt("sink.watermark-time-zone", Str, Some("UTC"), &[], Engine, Core, "Time zone watermarks are read in."),
    opt("sink.writer-coordinator.cache-expire-after-access", Duration, None, &[], Engine, Flink, "Idle lifetime of writer coordinator cache entries."),
    opt("sink.writer-coordinator.cache-memory", MemorySize, Some("2048 mb"), &[], Engine, Flink, "Manifest cache memory of the writer coordinator."),
    opt("sink.writer-coordinator.cache-soft-values", Bool, Some("true"), &[], Engine, Flink, "Writer coordinator cache entries are soft references."),
    opt("sink.writer-coordinator.enabled", Bool, Some("false"), &[], Engine, Flink, "Writers plan files through the job manager."),
    opt("sink.writer-coordinator.page-size", MemorySize, Some("32 kb"), &[], Engine, Flink, "Page size of writer coordinator requests."),
    opt("sink.writer-coordinator.prefetch-manifests", Bool, Some("false"), &[], Engine, Flink, "The writer coordinator reads all manifests up front."),
    opt("sink.writer-cpu", Double, Some("1.0"), &[], Engine, Flink, "CPU cores of a writer."),
    opt("sink.writer-memory", MemorySize, None, &[], Engine, Flink, "Heap memory of a writer."),
    opt("sink.writer-refresh-detectors", Str, None, &[], Engine, Flink, "Option groups streaming writers refresh."),
    opt("snapshot.clean-empty-directories", Bool, Some("false"), &["snapshot.expire.clean-empty-directories"], Engine, Core, "Expiration removes directories it leaves empty."),
    opt("snapshot.expire.execution-mode", Enum(EXPIRE_EXECUTION_MODE), Some("sync"), &[], Engine, Core, "Whether snapshot expiration runs synchronously with commits."),
    opt("snapshot.expire.limit", Int, Some("50"), &[], Engine, Core, "Most snapshots expired in one go."),
    opt("snapshot.ignore-empty-commit", Bool, None, &[], Engine, Core, "Commits without changes create no snapshot."),
    opt("snapshot.num-retained.max", Int, Some("2147483647"), &[], Engine, Core, "Most snapshots expiration keeps."),
    opt("snapshot.num-retained.min", Int, Some("10"), &[], Engine, Core, "Fewest snapshots expiration keeps."),
    opt("snapshot.time-retained", Duration, Some("1 h"), &[], Engine, Core, "How long snapshots are kept before they may expire."),
    opt("snapshot.watermark-idle-timeout", Duration, None, &[], Engine, Core, "Idle time after which a source no longer holds back the watermark."),
    opt("sort-compaction.local-sample.magnification", Int, Some("1000"), &[], Engine, Core, "Sample size factor of sort compaction."),
    opt("sort-compaction.range-strategy", Enum(RANGE_STRATEGY), Some("size"), &[], Engine, Core, "How sort compaction splits key ranges."),
    opt("sort-engine", Enum(SORT_ENGINE), Some("loser-tree"), &[], Engine, Core, "Sort algorithm used to merge sorted runs."),
    opt("sort-spill-buffer-size", MemorySize, Some("64 mb"), &[], Engine, Core, "Data spilled to disk at a time when a sort spills."),
    opt("sort-spill-threshold", Int, None, &[], Engine, Core, "Number of sorted readers above which merging spills to disk."),
    opt("sorted-index.build.max-parallelism", Int, Some("4096"), &["btree-index.build.max-parallelism"], Engine, GlobalIndex, "Sorted index: most parallel build tasks."),
    opt("sorted-index.records-per-range", Long, Some("10000000"), &["btree-index.records-per-range"], Engine, GlobalIndex, "Sorted index: rows per index file."),
    opt("source.checkpoint-align.enabled", Bool, Some("false"), &[], Engine, Flink, "Checkpoints align with table snapshots."),
    opt("source.checkpoint-align.timeout", Duration, Some("30 s"), &[], Engine, Flink, "Longest wait for a snapshot when checkpoints align."),
    opt("source.operator-uid.suffix", Str, None, &[], Engine, Flink, "Uid suffix of source operators."),
    opt("source.split.open-file-cost", MemorySize, Some("4 mb"), &[], Engine, Core, "Size each file counts as when packing read splits."),
    opt("source.split.target-size", MemorySize, Some("128 mb"), &[], Engine, Core, "Target size of a read split."),
    opt("source.split.target-size-with-column-pruning", Bool, Some("false"), &[], Engine, Spark, "Split sizes count only the projected columns."),
    opt("spill-compression", Str, Some("zstd"), &[], Engine, Core, "Compression codec of spill files."),
    opt("spill-compression.zstd-level", Int, Some("1"), &[], Engine, Core, "Zstandard level of spill files."),
    opt("stream-scan-mode", Enum(STREAM_SCAN_MODE), Some("none"), &[], Engine, Core, "Internal: scanner used by dedicated streaming jobs."),
    opt("streaming-read-append-overwrite", Bool, Some("false"), &[], Engine, Core, "Streaming reads of append tables include overwritten data."),
    opt("streaming-read-overwrite", Bool, Some("false"), &[], Engine, Core, "Streaming reads include the changes of overwrites."),
    opt("streaming.read.snapshot.delay", Duration, None, &[], Engine, Core, "Delay before streaming reads pick up a new snapshot."),
    opt("table-read.sequence-number.enabled", Bool, Some("false"), &[], Engine, Core, "Audit-log and binlog reads include _SEQUENCE_NUMBER."),
    opt("tag.automatic-completion", Bool, Some("false"), &[], Engine, Core, "Missing automatic tags are created afterwards."),
    opt("tag.automatic-creation", Enum(TAG_CREATION_MODE), Some("none"), &[], Engine, Core, "Whether and how tags are created automatically."),
    opt("tag.batch.customized-name", Str, None, &[], Engine, Core, "Name of the tag a batch job creates."),
    opt("tag.callback.#.param", Str, None, &[], Engine, Core, "Constructor argument of tag callback class #."),
    opt("tag.callbacks", List, Some(""), &[], Engine, Core, "Comma-separated tag callback classes."),
    opt("tag.create-success-file", Bool, Some("false"), &[], Engine, Core, "New tags get a success file."),
    opt("tag.creation-delay", Duration, Some("0 ms"), &[], Engine, Core, "Delay after a period ends before its tag is created."),
    opt("tag.creation-period", Enum(TAG_CREATION_PERIOD), Some("daily"), &[], Engine, Core, "How often automatic tags are created."),
    opt("tag.creation-period-duration", Duration, None, &[], Engine, Core, "Custom period of automatic tags (overrides tag.creation-period)."),
    opt("tag.default-time-retained", Duration, None, &[], Engine, Core, "How long new tags are kept by default."),
    opt("tag.num-retained-max", Int, None, &[], Engine, Core, "Most automatic tags kept."),
    opt("tag.period-formatter", Enum(TAG_PERIOD_FORMATTER), Some("with_dashes"), &[], Engine, Core, "Date format of automatic tag names."),
    opt("tag.time-expire-enabled", Bool, Some("true"), &[], Engine, Core, "Tags expire by their retention time."),
    opt("target-file-row-num", Long, Some("9223372036854775807"), &[], Engine, Core, "Row count data files roll over at."),
    opt("target-file-size", MemorySize, None, &[], Strata, Core, "Size data files roll over at (default 128 mb for primary-key tables, 256 mb for append tables)."),
    opt("text.line-delimiter", Str, Some("\n"), &["lineSep"], Engine, Format, "TEXT: line separator."),
    opt("type", Enum(TABLE_TYPE), Some("table"), &[], Engine, Core, "Kind of table: a Paimon table or another kind of table the catalog manages."),
    opt("unaware-bucket.compaction.parallelism", Int, None, &[], Engine, Flink, "Parallelism of unaware-bucket compaction jobs."),
    opt("unaware-bucket.no-shuffle", Bool, Some("false"), &[], Engine, Flink, "Skip the shuffle between source and writer."),
    opt("variant.inferShreddingSchema", Bool, Some("false"), &[], Engine, Core, "Writers infer the VARIANT shredding schema from the data."),
    opt("variant.shredding.adaptive.maxInferBufferRow", Int, Some("256"), &[], Engine, Core, "Rows sampled per later file in adaptive VARIANT inference."),
    opt("variant.shredding.adaptive.retentionRatio", Double, Some("0.05"), &[], Engine, Core, "Presence ratio under which adaptive inference drops a shredded VARIANT path."),
    opt("variant.shredding.enabled", Bool, Some("true"), &[], Engine, PyPaimon, "VARIANT columns are shredded."),
    opt("variant.shredding.inferenceMode", Enum(VARIANT_SHREDDING_INFERENCE_MODE), Some("per-file"), &[], Engine, Core, "How VARIANT shredding schemas are inferred across files."),
    opt("variant.shredding.maxInferBufferRow", Int, Some("4096"), &[], Engine, Core, "Rows buffered to infer a VARIANT shredding schema."),
    opt("variant.shredding.maxSchemaDepth", Int, Some("50"), &[], Engine, Core, "Deepest nesting VARIANT schema inference visits."),
    opt("variant.shredding.maxSchemaWidth", Int, Some("300"), &[], Engine, Core, "Most shredded fields an inferred VARIANT schema may have."),
    opt("variant.shredding.minFieldCardinalityRatio", Double, Some("0.1"), &[], Engine, Core, "Share of rows a VARIANT field must appear in to be shredded."),
    opt("variant.shreddingSchema", Str, None, &["parquet.variant.shreddingSchema"], Engine, Core, "Schema used to shred VARIANT columns when writing."),
    opt("vector-field", Columns, None, &[], Engine, Core, "ARRAY columns stored as vectors."),
    opt("vector-index.search-mode", Enum(GLOBAL_INDEX_SEARCH_MODE), Some("fast"), &[], Engine, Core, "Search mode of vector index queries."),
    opt("vector-search.distribute.enabled", Bool, Some("false"), &[], Engine, Core, "Vector search runs distributed."),
    opt("vector-search.lateral-join.batch-size", Int, Some("256"), &[], Engine, Core, "Queries per batch of a lateral vector search."),
    opt("vector-search.lateral-join.parallelism", Int, Some("16"), &[], Engine, Spark, "Parallelism of lateral vector search."),
    opt("vector.file.format", Str, None, &[], Engine, Core, "Format of vector store files."),
    opt("vector.target-file-size", MemorySize, None, &[], Engine, Core, "Size vector store files roll over at."),
    opt("visibility-callback.check-interval", Duration, Some("10 s"), &[], Engine, Core, "How often visibility is checked."),
    opt("visibility-callback.enabled", Bool, Some("false"), &[], Engine, Core, "Commits wait until compaction or index builds make data visible."),
    opt("visibility-callback.timeout", Duration, Some("30 min"), &[], Engine, Core, "Longest wait for visibility."),
    opt("write-buffer-for-append", Bool, Some("false"), &[], Engine, Core, "Append writers buffer rows in memory before writing."),
    opt("write-buffer-size", MemorySize, Some("256 mb"), &[], Strata, Core, "Memory a writer fills before it flushes a sorted run."),
    opt("write-buffer-spill.max-disk-size", MemorySize, Some("9223372036854775807 b"), &[], Engine, Core, "Most local disk the write buffer may spill to."),
    opt("write-buffer-spillable", Bool, Some("true"), &[], Engine, Core, "The write buffer may spill to local disk."),
    opt("write-max-writers-to-spill", Int, Some("10"), &[], Engine, Core, "Open writers above which batch appends start spilling."),
    opt("write-only", Bool, Some("false"), &["write.compaction-skip"], Strata, Core, "Writers skip compaction and snapshot expiration."),
    opt("write.batch-memory", MemorySize, Some("128 mb"), &[], Engine, Core, "Memory per batch when writing files."),
    opt("write.batch-size", Int, Some("1024"), &["orc.write.batch-size"], Engine, Core, "Rows per batch when writing files."),
    opt("write.data-evolution.update-conflict-retry.max-attempts", Int, Some("20"), &[], Engine, Spark, "Attempts of an UPDATE on data evolution tables."),
    opt("write.data-evolution.update-conflict-retry.wait-ms", Long, Some("10"), &[], Engine, Spark, "Milliseconds between UPDATE attempts."),
    opt("write.hive-style-dynamic-partition.enabled", Bool, Some("false"), &[], Engine, Spark, "Positional inserts order dynamic partitions the Hive way."),
    opt("write.merge-schema", Bool, Some("false"), &[], Engine, Spark, "Writes add new columns to the schema."),
    opt("write.merge-schema.explicit-cast", Bool, Some("false"), &[], Engine, Spark, "Schema merging may cast lossily."),
    opt("write.merge-schema.type-widening", Bool, Some("false"), &[], Engine, Spark, "Schema merging may widen column types."),
    opt("write.sequence-number-init-mode", Enum(SEQUENCE_NUMBER_INIT_MODE), Some("scan"), &[], Engine, Core, "Where primary-key writers start their sequence numbers."),
    opt("write.use-v2-write", Bool, Some("false"), &[], Engine, Spark, "Use the V2 write path."),
    opt("zorder.var-length-contribution", Int, Some("8"), &[], Engine, Core, "Bytes of variable-length values used for z-order sorting."),
];

/// The per-column options: `fields.<column>.<key>` (for `sequence-group`, `<column>` may list
/// The options Strata's code reads, sorted by key: all that the Wasm reader looks up. It never
/// validates options, so the rest of the registry (some 30 KB of keys, defaults and
/// descriptions) stays out of its module.
pub static STRATA_OPTIONS: [OptionSpec; strata_count(OPTIONS)] = strata_only(OPTIONS);

const fn strata_count(all: &[OptionSpec]) -> usize {
    let (mut i, mut n) = (0, 0);
    while i < all.len() {
        if matches!(all[i].effect, Strata) {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn strata_only<const N: usize>(all: &[OptionSpec]) -> [OptionSpec; N] {
    let mut out = [all[0]; N];
    let (mut i, mut n) = (0, 0);
    while i < all.len() {
        if matches!(all[i].effect, Strata) {
            out[n] = all[i];
            n += 1;
        }
        i += 1;
    }
    out
}

/// several sequence fields separated by commas). Sorted by key.
#[rustfmt::skip]
pub static FIELD_OPTIONS: &[OptionSpec] = &[
    opt("aggregate-function", Enum(AGGREGATE_FUNCTION), None, &[], Strata, Core, "Aggregate function that merges this column."),
    opt("count-limit", Int, Some("2147483647"), &[], Engine, Core, "Most rows nested_update keeps."),
    opt("default-value", Str, None, &[], Engine, Core, "Legacy: value written when the column is missing (older Paimon versions)."),
    opt("distinct", Bool, Some("false"), &[], Engine, Core, "Collect keeps distinct elements only."),
    opt("ignore-retract", Bool, Some("false"), &[], Strata, Core, "Retractions leave this column unchanged."),
    opt("index-type", Str, None, &[], Engine, Core, "Vector index type of this column."),
    opt("list-agg-delimiter", Str, Some(","), &[], Strata, Core, "Separator listagg puts between values."),
    opt("map.shared-shredding.column-placement-policy", Enum(MAP_COLUMN_PLACEMENT_POLICY), Some("lru"), &[], Engine, Core, "How shared-shredding maps reuse value columns."),
    opt("map.shared-shredding.max-columns", Int, Some("256"), &[], Engine, Core, "Value columns of a shared-shredding map."),
    opt("map.storage-layout", Enum(MAP_STORAGE_LAYOUT), Some("default"), &[], Engine, Core, "Physical layout of this MAP column."),
    opt("nested-key", List, None, &[], Engine, Core, "Key fields of the rows nested_update merges."),
    opt("nested-key-null-strategy", Enum(NESTED_KEY_NULL_STRATEGY), Some("merge"), &[], Engine, Core, "What nested_update does with NULL nested keys."),
    opt("nested-sequence-field", List, None, &[], Engine, Core, "Fields that order the nested rows nested_update merges."),
    opt("pk-bitmap.index.options", Str, None, &[], Engine, Core, "JSON options of this column's primary-key bitmap index."),
    opt("pk-btree.index.options", Str, None, &[], Engine, Core, "JSON options of this column's primary-key BTree index."),
    opt("pk-full-text.index.options", Str, None, &[], Engine, Core, "JSON options of this column's primary-key full-text index."),
    opt("pk-multivalue.index.options", Str, None, &[], Engine, Core, "JSON options of this column's primary-key multivalue index."),
    opt("pk-vector.distance.metric", Str, Some("inner_product"), &[], Engine, Core, "Distance metric of this column's primary-key vector index."),
    opt("pk-vector.index.options", Str, None, &[], Engine, Core, "JSON options of this column's primary-key vector index."),
    opt("pk-vector.index.type", Str, None, &[], Engine, Core, "Algorithm of this column's primary-key vector index."),
    opt("sequence-group", Columns, None, &[], Strata, Core, "Columns this sequence field orders (partial-update)."),
    opt("ts-field", Str, None, &[], Engine, Core, "Time field merge_map_with_keytime compares."),
];

/// Namespaces whose keys Paimon hands on unchecked to a file system, a file format or an index
/// library: any key under them is accepted.
#[rustfmt::skip]
pub static OPEN_PREFIXES: &[(&str, &str)] = &[
    ("fs.", "File system settings."),
    ("s3.", "S3 file system settings."),
    ("s3a.", "S3A file system settings."),
    ("oss.", "Alibaba OSS file system settings."),
    ("gs.", "Google Cloud Storage settings."),
    ("hadoop.", "Hadoop configuration."),
    ("parquet.", "Parquet writer and reader settings."),
    ("orc.", "ORC writer and reader settings."),
    ("avro.", "Avro writer settings."),
    ("lumina.", "Lumina vector index settings."),
    ("full-text.", "Full-text index settings."),
];

/// Per-column namespaces under `fields.<column>.` whose keys go to index libraries unchecked.
#[rustfmt::skip]
pub static OPEN_FIELD_PREFIXES: &[&str] = &[
    "pk-vector.", "pk-full-text.", "pk-btree.", "pk-bitmap.", "pk-multivalue.", "lumina.",
];
