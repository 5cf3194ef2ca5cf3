//! Tests of the option registry, value parsing, validation and the typed accessors.

use std::collections::BTreeMap;
use std::time::Duration;

use super::validate::{edit_distance, nearest};
use super::*;
use crate::types::{DataField, DataType};

fn fields(spec: &[(&str, &str)]) -> Vec<DataField> {
    spec.iter()
        .enumerate()
        .map(|(i, (n, t))| DataField::new(i as i32, *n, t.parse::<DataType>().unwrap()))
        .collect()
}

fn table() -> Vec<DataField> {
    fields(&[
        ("id", "BIGINT NOT NULL"),
        ("name", "STRING"),
        ("total", "DOUBLE"),
        ("ts", "BIGINT"),
        ("dt", "STRING"),
    ])
}

fn opts(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn check(pairs: &[(&str, &str)]) -> Result<Vec<String>> {
    validate_options(&opts(pairs), &table())
}

fn refused(pairs: &[(&str, &str)]) -> String {
    match check(pairs) {
        Err(Error::InvalidValue(m)) => m,
        other => panic!("{pairs:?} should be refused, got {other:?}"),
    }
}

#[test]
fn the_registry_is_sorted_unique_and_consistent() {
    for table in [all_options(), field_options()] {
        for w in table.windows(2) {
            assert!(w[0].key < w[1].key, "{} before {}", w[0].key, w[1].key);
        }
    }
    for o in all_options() {
        assert!(!o.description.is_empty(), "{}", o.key);
        assert_eq!(lookup(o.key).map(|s| s.key), Some(o.key));
        if let Some(d) = o.default {
            // Every default is a valid value of its own kind.
            let mut m = BTreeMap::new();
            m.insert(o.key.to_string(), d.to_string());
            if o.kind != Kind::Columns && !o.key.contains('#') {
                assert!(validate_options(&m, &table()).is_ok(), "{} = {d:?}", o.key);
            }
        }
    }
    assert!(all_options().len() > 450);
    let strata = all_options()
        .iter()
        .filter(|o| o.effect == Effect::Strata)
        .count();
    assert!(strata >= 30, "{strata}");
}

#[test]
fn every_enum_value_is_accepted_in_any_case() {
    for o in all_options().iter().chain(field_options()) {
        let Kind::Enum(values) = o.kind else { continue };
        for v in values {
            for v in [v.to_string(), v.to_uppercase()] {
                let key = if field_options().contains(o) {
                    format!("fields.total.{}", o.key)
                } else {
                    o.key.to_string()
                };
                let mut m = BTreeMap::new();
                m.insert(key.clone(), v.clone());
                assert!(validate_options(&m, &table()).is_ok(), "{key} = {v}");
            }
        }
    }
}

#[test]
fn typos_get_the_nearest_key() {
    let m = refused(&[("bukcet", "3")]);
    assert!(
        m.contains("unknown table option \"bukcet\"; did you mean \"bucket\"?"),
        "{m}"
    );
    let m = refused(&[("deletion-vector.enabled", "true")]);
    assert!(m.contains("\"deletion-vectors.enabled\""), "{m}");
    let m = refused(&[("write-buffer-sise", "64 mb")]);
    assert!(m.contains("\"write-buffer-size\""), "{m}");
    let m = refused(&[("completely-made-up-thing", "1")]);
    assert!(m.contains("not one Paimon defines"), "{m}");
    // Every problem is reported at once.
    let m = refused(&[("bukcet", "3"), ("merge-engine", "x")]);
    assert!(m.contains("bucket") && m.contains("merge-engine"), "{m}");
}

#[test]
fn bad_values_name_the_key_and_the_valid_values() {
    let m = refused(&[("merge-engine", "partial-updat")]);
    assert!(
        m.contains("merge-engine = \"partial-updat\" is not one of deduplicate, partial-update, aggregation, first-row"),
        "{m}"
    );
    assert!(m.contains("did you mean \"partial-update\""), "{m}");
    let m = refused(&[("changelog-producer", "lokup")]);
    assert!(m.contains("none, input, full-compaction, lookup"), "{m}");
    let m = refused(&[("write-only", "yes")]);
    assert!(m.contains("write-only = \"yes\" is not a boolean"), "{m}");
    let m = refused(&[("bucket", "three")]);
    assert!(m.contains("bucket = \"three\" is not an int"), "{m}");
    let m = refused(&[("bucket", " 3")]);
    assert!(
        m.contains("bucket"),
        "Java's Integer.parseInt refuses spaces: {m}"
    );
    let m = refused(&[("write-buffer-size", "12 zb")]);
    assert!(
        m.contains("write-buffer-size = \"12 zb\" is not a memory size"),
        "{m}"
    );
    let m = refused(&[("snapshot.time-retained", "1 fortnight")]);
    assert!(m.contains("is not a duration"), "{m}");
    let m = refused(&[("dynamic-bucket.target-row-num", "1.5")]);
    assert!(m.contains("is not a long"), "{m}");
    let m = refused(&[("file.format.per.level", "0avro")]);
    assert!(m.contains("key:value"), "{m}");
}

#[test]
fn memory_sizes_parse_like_paimon() {
    let mb = 1u64 << 20;
    for (text, bytes) in [
        ("128 mb", 128 * mb),
        ("128mb", 128 * mb),
        ("128 MB", 128 * mb),
        ("  64 kb ", 64 << 10),
        ("1g", 1 << 30),
        ("1 gibibytes", 1 << 30),
        ("2 t", 2 << 40),
        ("4096", 4096),
        ("10 bytes", 10),
        ("0", 0),
        ("500 B", 500),
    ] {
        assert_eq!(parse_memory_size(text), Some(bytes), "{text}");
    }
    for text in [
        "",
        "mb",
        "1.5 mb",
        "-1",
        "12 zb",
        "64 kib",
        "9223372036854775807 kb",
    ] {
        assert_eq!(parse_memory_size(text), None, "{text}");
    }
}

#[test]
fn durations_parse_like_paimon() {
    for (text, d) in [
        ("1 h", Duration::from_secs(3600)),
        ("30min", Duration::from_secs(1800)),
        ("30 m", Duration::from_secs(1800)),
        ("10 s", Duration::from_secs(10)),
        ("10 secs", Duration::from_secs(10)),
        ("100ms", Duration::from_millis(100)),
        ("100", Duration::from_millis(100)),
        ("1d", Duration::from_secs(86_400)),
        ("2 days", Duration::from_secs(172_800)),
        ("5 µs", Duration::from_micros(5)),
        ("7 nanos", Duration::from_nanos(7)),
        ("3 HOURS", Duration::from_secs(3 * 3600)),
    ] {
        assert_eq!(parse_duration(text), Some(d), "{text}");
    }
    for text in [
        "",
        "h",
        "1.5 h",
        "1 fortnight",
        "-1 s",
        "9223372036854775807 d",
    ] {
        assert_eq!(parse_duration(text), None, "{text}");
    }
}

#[test]
fn per_column_options_name_existing_columns() {
    assert!(check(&[
        ("merge-engine", "aggregation"),
        ("fields.total.aggregate-function", "sum"),
        ("fields.name.ignore-retract", "true"),
        ("fields.name.list-agg-delimiter", ";"),
    ])
    .is_ok());
    let m = refused(&[("fields.totl.aggregate-function", "sum")]);
    assert!(
        m.contains("no column \"totl\"; did you mean \"total\"?"),
        "{m}"
    );
    let m = refused(&[("fields.total.agregate-function", "sum")]);
    assert!(
        m.contains("did you mean \"fields.total.aggregate-function\"?"),
        "{m}"
    );
    let m = refused(&[("fields.total.aggregate-function", "summ")]);
    assert!(
        m.contains("is not one of") && m.contains("did you mean \"sum\""),
        "{m}"
    );
    let m = refused(&[("fields.total.ignore-retract", "maybe")]);
    assert!(m.contains("not a boolean"), "{m}");
    // Sequence groups: several sequence fields before the suffix, columns as the value.
    assert!(check(&[("fields.ts,id.sequence-group", "name,total")]).is_ok());
    let m = refused(&[("fields.ts.sequence-group", "name,nope")]);
    assert!(m.contains("no column \"nope\""), "{m}");
    // Column lists.
    let m = refused(&[("sequence.field", "tss")]);
    assert!(m.contains("sequence.field") && m.contains("\"ts\""), "{m}");
    assert!(check(&[("bucket-key", "id"), ("sequence.field", "ts")]).is_ok());
}

#[test]
fn file_index_and_open_namespaces() {
    assert!(check(&[
        ("file-index.bloom-filter.columns", "id,name"),
        ("file-index.bloom-filter.id.fpp", "0.01"),
        ("file-index.bitmap.columns", "dt"),
        ("fs.s3.endpoint", "http://x"),
        ("parquet.block.size", "1024"),
        ("orc.compress", "zstd"),
        ("file.format.per.level", "0:avro,3:parquet"),
        ("file.compression.per.level.0", "lz4"),
        ("commit.callback.com.x.Callback.param", "a"),
    ])
    .is_ok());
    let m = refused(&[("file-index.bloom-filter.columns", "nope")]);
    assert!(m.contains("no column \"nope\""), "{m}");
    let m = refused(&[("file-index.blom.columns", "id")]);
    assert!(m.contains("bloom-filter, bitmap, bsi, range-bitmap"), "{m}");
}

#[test]
fn option_sets_other_writers_create_are_accepted() {
    let notes = check(&[
        ("bucket", "2"),
        ("file.format", "parquet"),
        ("merge-engine", "partial-update"),
        ("fields.total.aggregate-function", "sum"),
        ("changelog-producer", "lookup"),
        ("deletion-vectors.enabled", "true"),
        ("path", "/x"),
    ])
    .unwrap();
    assert_eq!(
        notes,
        vec!["Strata does not act on option path (Paimon engines do)"]
    );
    // pypaimon and Java test suites.
    for set in [
        &[("bucket", "-1"), ("dynamic-bucket.target-row-num", "3")][..],
        &[("merge-engine", "first-row"), ("ignore-delete", "true")],
        &[
            ("rowkind.field", "name"),
            ("manifest.compression", "deflate"),
        ],
        &[
            ("metadata.stats-mode", "full"),
            ("file.compression", "gzip"),
        ],
        &[
            ("dynamic-partition-overwrite", "false"),
            ("bucket-key", "id"),
        ],
        &[
            ("snapshot.num-retained.min", "1"),
            ("snapshot.time-retained", "1 h"),
        ],
        &[("write-only", "true"), ("write-buffer-size", "4kb")],
        &[
            ("target-file-size", "128 mb"),
            ("num-sorted-run.compaction-trigger", "3"),
        ],
        &[
            ("sequence.field", "ts"),
            ("sequence.field.sort-order", "descending"),
        ],
        &[
            ("partial-update.ignore-delete", "true"),
            ("first-row.ignore-delete", "true"),
        ],
        &[
            ("write.compaction-skip", "true"),
            ("comment", "c"),
            ("owner", "o"),
        ],
        &[
            ("scan.mode", "latest"),
            ("consumer-id", "c1"),
            ("type", "table"),
        ],
    ] {
        assert!(check(set).is_ok(), "{set:?}: {:?}", check(set));
    }
}

#[test]
fn notes_for_options_strata_keeps_but_does_not_act_on() {
    let notes = check(&[
        ("snapshot.num-retained.min", "1"),
        ("bucket", "4"),
        ("bucket-key", "id"),
        ("file.format", "orc"),
        ("file.compression", "lzo"),
        ("fields.name.aggregate-function", "collect"),
    ])
    .unwrap();
    let all = notes.join("\n");
    assert!(
        all.contains("does not act on option snapshot.num-retained.min"),
        "{all}"
    );
    assert!(!all.contains("option bucket "), "{all}");
    assert!(
        all.contains("writes Parquet ones (it does not write ORC yet)"),
        "{all}"
    );
    assert!(all.contains("file.compression = lzo"), "{all}");
    assert!(
        all.contains("fields.name.aggregate-function = collect"),
        "{all}"
    );
}

#[test]
fn accessors_take_defaults_and_fallbacks_from_the_registry() {
    let empty = BTreeMap::new();
    let o = TableOptions::new(&empty);
    assert_eq!(TableOptions::default_of("bucket"), Some("-1"));
    assert_eq!(
        TableOptions::default_of("write.compaction-skip"),
        Some("false")
    );
    assert!(!o.write_only());
    assert_eq!(o.partition_default_name(), "__DEFAULT_PARTITION__");
    assert!(o.partition_legacy_name());
    assert_eq!(o.write_buffer_size().unwrap(), 256 << 20);
    assert_eq!(
        o.memory_size_or_default("manifest.target-file-size")
            .unwrap(),
        Some(8 << 20)
    );
    assert_eq!(o.memory_size("manifest.target-file-size").unwrap(), None);
    assert_eq!(
        o.int_or_default("num-sorted-run.compaction-trigger")
            .unwrap(),
        Some(5)
    );
    assert_eq!(o.int_or_default("num-levels").unwrap(), None);
    assert_eq!(
        o.duration_or_default("snapshot.time-retained").unwrap(),
        Some(Duration::from_secs(3600))
    );
    assert_eq!(o.merge_engine().unwrap(), MergeEngine::Deduplicate);
    assert_eq!(o.changelog_producer().unwrap(), ChangelogProducer::None);

    let set = opts(&[
        ("write.compaction-skip", "true"),
        ("partition.default-name", "null"),
        ("partition.legacy-name", "false"),
        ("merge-engine", "Partial-Update"),
        ("changelog-producer", " lookup "),
        ("first-row.ignore-delete", "true"),
        ("write-buffer-size", "64 kb"),
    ]);
    let o = TableOptions::new(&set);
    assert!(o.write_only());
    assert_eq!(o.partition_default_name(), "null");
    assert!(!o.partition_legacy_name());
    assert_eq!(o.merge_engine().unwrap(), MergeEngine::PartialUpdate);
    assert_eq!(o.changelog_producer().unwrap(), ChangelogProducer::Lookup);
    assert!(o.ignore_delete());
    assert_eq!(o.write_buffer_size().unwrap(), 64 << 10);

    // The first key set decides, as in Paimon.
    let set = opts(&[
        ("ignore-delete", "false"),
        ("partial-update.ignore-delete", "true"),
    ]);
    assert!(!TableOptions::new(&set).ignore_delete());
    // Odd values of existing tables fail only where they are used.
    let set = opts(&[("merge-engine", "nope"), ("write-buffer-size", "lots")]);
    let o = TableOptions::new(&set);
    assert!(o.merge_engine().is_err());
    assert!(o.write_buffer_size().is_err());
    assert!(!o.deletion_vectors());
}

#[test]
fn edit_distance_counts_swaps_once() {
    assert_eq!(edit_distance("bukcet", "bucket"), 1);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(
        nearest("bukcet", ["bucket", "bucket-key"].into_iter()),
        Some("bucket")
    );
    assert_eq!(nearest("zzzzzz", ["bucket"].into_iter()), None);
}

#[test]
fn the_reader_registry_is_every_option_strata_reads_in_order() {
    use crate::options::registry::{OPTIONS, STRATA_OPTIONS};
    let strata: Vec<&str> = OPTIONS
        .iter()
        .filter(|o| o.effect == Effect::Strata)
        .map(|o| o.key)
        .collect();
    let reader: Vec<&str> = STRATA_OPTIONS.iter().map(|o| o.key).collect();
    assert_eq!(reader, strata);
    assert!(reader.windows(2).all(|w| w[0] < w[1]), "not sorted");
    assert!(reader.contains(&"merge-engine") && reader.contains(&"bucket"));
}
