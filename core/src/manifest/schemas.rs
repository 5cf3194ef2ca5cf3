//! The Avro writer schemas of manifest files, as Java Paimon writes them (record names
//! `org.apache.paimon.avro.generated.record…`). Readers never depend on these names.

use std::sync::OnceLock;

use apache_avro::Schema;

const NS: &str = "org.apache.paimon.avro.generated";

fn stats(name: &str) -> String {
    format!(
        r#"{{"type":"record","name":"{name}","namespace":"{NS}","fields":[
        {{"name":"_MIN_VALUES","type":"bytes"}},
        {{"name":"_MAX_VALUES","type":"bytes"}},
        {{"name":"_NULL_COUNTS","type":["null",{{"type":"array","items":["null","long"]}}],"default":null}}]}}"#
    )
}

fn opt(t: &str) -> String {
    format!(r#"["null",{t}],"default":null"#)
}

const STRING_ARRAY: &str = r#"{"type":"array","items":"string"}"#;

fn manifest_entry_json() -> String {
    format!(
        r#"{{"type":"record","name":"record","namespace":"{NS}","fields":[
        {{"name":"_VERSION","type":"int"}},
        {{"name":"_KIND","type":"int"}},
        {{"name":"_PARTITION","type":"bytes"}},
        {{"name":"_BUCKET","type":"int"}},
        {{"name":"_TOTAL_BUCKETS","type":"int"}},
        {{"name":"_FILE","type":{{"type":"record","name":"record__FILE","namespace":"{NS}","fields":[
            {{"name":"_FILE_NAME","type":"string"}},
            {{"name":"_FILE_SIZE","type":"long"}},
            {{"name":"_ROW_COUNT","type":"long"}},
            {{"name":"_MIN_KEY","type":"bytes"}},
            {{"name":"_MAX_KEY","type":"bytes"}},
            {{"name":"_KEY_STATS","type":{key_stats}}},
            {{"name":"_VALUE_STATS","type":{value_stats}}},
            {{"name":"_MIN_SEQUENCE_NUMBER","type":"long"}},
            {{"name":"_MAX_SEQUENCE_NUMBER","type":"long"}},
            {{"name":"_SCHEMA_ID","type":"long"}},
            {{"name":"_LEVEL","type":"int"}},
            {{"name":"_EXTRA_FILES","type":{STRING_ARRAY}}},
            {{"name":"_CREATION_TIME","type":{ts}}},
            {{"name":"_DELETE_ROW_COUNT","type":{long}}},
            {{"name":"_EMBEDDED_FILE_INDEX","type":{bytes}}},
            {{"name":"_FILE_SOURCE","type":{int}}},
            {{"name":"_VALUE_STATS_COLS","type":{strings}}},
            {{"name":"_EXTERNAL_PATH","type":{string}}},
            {{"name":"_FIRST_ROW_ID","type":{long}}},
            {{"name":"_WRITE_COLS","type":{strings}}},
            {{"name":"_WRITE_COLS_SEQUENCES","type":{longs}}}]}}}}]}}"#,
        key_stats = stats("record__FILE__KEY_STATS"),
        value_stats = stats("record__FILE__VALUE_STATS"),
        ts = opt(r#"{"type":"long","logicalType":"timestamp-millis"}"#),
        long = opt(r#""long""#),
        int = opt(r#""int""#),
        bytes = opt(r#""bytes""#),
        string = opt(r#""string""#),
        strings = opt(STRING_ARRAY),
        longs = opt(r#"{"type":"array","items":"long"}"#),
    )
}

fn manifest_list_json() -> String {
    format!(
        r#"{{"type":"record","name":"record","namespace":"{NS}","fields":[
        {{"name":"_VERSION","type":"int"}},
        {{"name":"_FILE_NAME","type":"string"}},
        {{"name":"_FILE_SIZE","type":"long"}},
        {{"name":"_NUM_ADDED_FILES","type":"long"}},
        {{"name":"_NUM_DELETED_FILES","type":"long"}},
        {{"name":"_PARTITION_STATS","type":{stats}}},
        {{"name":"_SCHEMA_ID","type":"long"}},
        {{"name":"_MIN_BUCKET","type":{int}}},
        {{"name":"_MAX_BUCKET","type":{int}}},
        {{"name":"_MIN_LEVEL","type":{int}}},
        {{"name":"_MAX_LEVEL","type":{int}}},
        {{"name":"_MIN_ROW_ID","type":{long}}},
        {{"name":"_MAX_ROW_ID","type":{long}}}]}}"#,
        stats = stats("record__PARTITION_STATS"),
        int = opt(r#""int""#),
        long = opt(r#""long""#),
    )
}

fn index_manifest_json() -> String {
    format!(
        r#"{{"type":"record","name":"record","namespace":"{NS}","fields":[
        {{"name":"_VERSION","type":"int"}},
        {{"name":"_KIND","type":"int"}},
        {{"name":"_PARTITION","type":"bytes"}},
        {{"name":"_BUCKET","type":"int"}},
        {{"name":"_INDEX_TYPE","type":"string"}},
        {{"name":"_FILE_NAME","type":"string"}},
        {{"name":"_FILE_SIZE","type":"long"}},
        {{"name":"_ROW_COUNT","type":"long"}},
        {{"name":"_DELETIONS_VECTORS_RANGES","type":{ranges}}},
        {{"name":"_EXTERNAL_PATH","type":{string}}},
        {{"name":"_GLOBAL_INDEX","type":{global}}}]}}"#,
        ranges = opt(&format!(
            r#"{{"type":"array","items":["null",{{"type":"record","name":"record__DELETIONS_VECTORS_RANGES","namespace":"{NS}","fields":[
                {{"name":"f0","type":"string"}},
                {{"name":"f1","type":"int"}},
                {{"name":"f2","type":"int"}},
                {{"name":"_CARDINALITY","type":{long}}}]}}]}}"#,
            long = opt(r#""long""#)
        )),
        string = opt(r#""string""#),
        global = opt(&format!(
            r#"{{"type":"record","name":"record__GLOBAL_INDEX","namespace":"{NS}","fields":[
                {{"name":"_ROW_RANGE_START","type":"long"}},
                {{"name":"_ROW_RANGE_END","type":"long"}},
                {{"name":"_INDEX_FIELD_ID","type":"int"}},
                {{"name":"_EXTRA_FIELD_IDS","type":{ints}}},
                {{"name":"_INDEX_META","type":{bytes}}},
                {{"name":"_SOURCE_META","type":{bytes}}}]}}"#,
            ints = opt(r#"{"type":"array","items":"int"}"#),
            bytes = opt(r#""bytes""#)
        )),
    )
}

#[allow(
    clippy::expect_used,
    reason = "parses only the constant schemas of this file, which every manifest test uses"
)]
fn parse(json: String) -> Schema {
    Schema::parse_str(&json).expect("built-in manifest schemas are valid")
}

/// Writer schema of manifest files (`ManifestEntry`).
pub fn manifest_entry() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| parse(manifest_entry_json()))
}

/// Writer schema of manifest lists (`ManifestFileMeta`).
pub fn manifest_list() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| parse(manifest_list_json()))
}

/// Writer schema of index manifests (`IndexManifestEntry`).
pub fn index_manifest() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| parse(index_manifest_json()))
}
