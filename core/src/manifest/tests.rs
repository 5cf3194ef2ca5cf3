//! Manifest codec tests: round trips for every record type and codec, and hostile input.

use proptest::prelude::*;

use super::*;
use crate::binary_row::Datum;
use crate::types::DataType;

const CODECS: [AvroCodec; 4] = [
    AvroCodec::Null,
    AvroCodec::Deflate,
    AvroCodec::Snappy,
    AvroCodec::Zstandard,
];

fn key(v: i64) -> BinaryRow {
    BinaryRow::encode(
        &["BIGINT".parse::<DataType>().unwrap()],
        &[Datum::BigInt(v)],
    )
    .unwrap()
}

fn sample_file(i: i64) -> DataFileMeta {
    DataFileMeta {
        file_name: format!("data-{i}.parquet"),
        file_size: 1000 + i,
        row_count: 10,
        min_key: key(i),
        max_key: key(i + 9),
        key_stats: SimpleStats {
            min_values: key(i),
            max_values: key(i + 9),
            null_counts: Some(vec![Some(0)]),
        },
        value_stats: SimpleStats::empty(),
        min_sequence_number: 0,
        max_sequence_number: 9,
        schema_id: 0,
        level: (i % 3) as i32,
        extra_files: vec![],
        creation_time: Some(1_700_000_000_000 + i),
        delete_row_count: Some(i % 2),
        embedded_file_index: None,
        file_source: Some(FileSource::Append),
        value_stats_cols: Some(vec![]),
        external_path: None,
        first_row_id: None,
        write_cols: None,
        write_cols_sequences: None,
    }
}

fn sample_entries(n: i64) -> Vec<ManifestEntry> {
    (0..n)
        .map(|i| ManifestEntry {
            kind: if i % 4 == 3 {
                FileKind::Delete
            } else {
                FileKind::Add
            },
            partition: BinaryRow::empty(),
            bucket: (i % 2) as i32,
            total_buckets: 2,
            file: sample_file(i),
        })
        .collect()
}

#[test]
fn manifests_round_trip_in_every_codec() {
    let entries = sample_entries(50);
    for codec in CODECS {
        let bytes = ManifestEntry::write_manifest(&entries, codec).unwrap();
        let f = read_container(&bytes, "m").unwrap();
        assert_eq!(f.codec, codec);
        assert_eq!(ManifestEntry::read_manifest(&bytes, "m").unwrap(), entries);
    }
}

#[test]
fn manifest_lists_and_index_manifests_round_trip() {
    let metas = vec![ManifestFileMeta {
        file_name: "manifest-a-0".into(),
        file_size: 1234,
        num_added_files: 3,
        num_deleted_files: 1,
        partition_stats: SimpleStats::empty(),
        schema_id: 2,
        min_bucket: Some(0),
        max_bucket: Some(1),
        min_level: Some(0),
        max_level: None,
        min_row_id: None,
        max_row_id: Some(7),
    }];
    let index = vec![IndexManifestEntry {
        kind: FileKind::Add,
        partition: BinaryRow::empty(),
        bucket: 1,
        index_type: "DELETION_VECTORS".into(),
        file_name: "index-x-0".into(),
        file_size: 99,
        row_count: 1,
        dv_ranges: Some(vec![DeletionVectorMeta {
            data_file_name: "data-1.parquet".into(),
            offset: 1,
            length: 30,
            cardinality: Some(4),
        }]),
        external_path: None,
        global_index: Some(GlobalIndexMeta {
            row_range_start: 0,
            row_range_end: 9,
            index_field_id: 3,
            extra_field_ids: Some(vec![4]),
            index_meta: Some(vec![1, 2]),
            source_meta: None,
        }),
    }];
    for codec in CODECS {
        let b = ManifestFileMeta::write_list(&metas, codec).unwrap();
        assert_eq!(ManifestFileMeta::read_list(&b, "l").unwrap(), metas);
        let b = IndexManifestEntry::write_index_manifest(&index, codec).unwrap();
        assert_eq!(
            IndexManifestEntry::read_index_manifest(&b, "i").unwrap(),
            index
        );
    }
    assert_eq!(
        read_hash_index(&write_hash_index(&[1, -2]), "h").unwrap(),
        vec![1, -2]
    );
    assert!(read_hash_index(&[0, 1, 2], "index-1").is_err());
}

#[test]
fn hostile_manifests_are_typed_errors() {
    let good = ManifestEntry::write_manifest(&sample_entries(20), AvroCodec::Null).unwrap();
    let name = "manifest/manifest-evil";
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), vec![]),
        ("bad magic".into(), b"Obj\x02rest".to_vec()),
        ("truncated header".into(), good[..10].to_vec()),
    ];
    for cut in [good.len() - 1, good.len() - 17, good.len() / 2] {
        cases.push((format!("truncated at {cut}"), good[..cut].to_vec()));
    }
    // A version 1 record, a ../ file name, a huge array count.
    let mut v1 = sample_entries(1);
    v1[0].file.file_name = "../../etc/passwd".into();
    cases.push((
        "escaping name".into(),
        ManifestEntry::write_manifest(&v1, AvroCodec::Null).unwrap(),
    ));
    let mut flipped = good.clone();
    for b in flipped.iter_mut().skip(good.len() / 2).step_by(7) {
        *b ^= 0x5a;
    }
    cases.push(("bit flips".into(), flipped));
    for (what, bytes) in cases {
        match ManifestEntry::read_manifest(&bytes, name) {
            Err(e) => assert!(e.to_string().contains(name), "{what}: {e}"),
            Ok(_) => panic!("{what}: accepted"),
        }
    }
}

#[test]
fn unknown_versions_and_absurd_counts_are_rejected() {
    use apache_avro::types::Value;
    // A list record with _VERSION 1.
    let rec = avro::val::record(vec![
        ("_VERSION", Value::Int(1)),
        ("_FILE_NAME", Value::String("m".into())),
        ("_FILE_SIZE", Value::Long(1)),
        ("_NUM_ADDED_FILES", Value::Long(1)),
        ("_NUM_DELETED_FILES", Value::Long(0)),
        ("_PARTITION_STATS", stats_value(&SimpleStats::empty())),
        ("_SCHEMA_ID", Value::Long(0)),
        ("_MIN_BUCKET", avro::val::opt(None)),
        ("_MAX_BUCKET", avro::val::opt(None)),
        ("_MIN_LEVEL", avro::val::opt(None)),
        ("_MAX_LEVEL", avro::val::opt(None)),
        ("_MIN_ROW_ID", avro::val::opt(None)),
        ("_MAX_ROW_ID", avro::val::opt(None)),
    ]);
    let b = write_container(schemas::manifest_list(), AvroCodec::Null, vec![rec]).unwrap();
    let e = ManifestFileMeta::read_list(&b, "manifest/manifest-list-old").unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");

    // A block claiming 2^62 records, and an array claiming 2^40 items.
    let good = ManifestFileMeta::write_list(&[], AvroCodec::Null).unwrap();
    let mut huge = good.clone();
    huge.extend_from_slice(&[
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x02, 0x00,
    ]);
    assert!(ManifestFileMeta::read_list(&huge, "l").is_err());
}

#[test]
fn zstd_bombs_are_bounded() {
    // 200 MiB of zeros compresses to a few KiB; decompression must stop at the limit.
    let bomb = zstd::bulk::compress(&vec![0u8; 200 << 20], 1).unwrap();
    let empty = ManifestFileMeta::write_list(&[], AvroCodec::Zstandard).unwrap();
    let mut file = empty.clone();
    let sync = empty[empty.len() - 16..].to_vec();
    let mut block = vec![0x02]; // one record
    let mut n = (bomb.len() as u64) << 1;
    while n >= 0x80 {
        block.push((n as u8) | 0x80);
        n >>= 7;
    }
    block.push(n as u8);
    file.extend_from_slice(&block);
    file.extend_from_slice(&bomb);
    file.extend_from_slice(&sync);
    let e = ManifestFileMeta::read_list(&file, "manifest/bomb").unwrap_err();
    assert!(e.to_string().contains("limit"), "{e}");
}

proptest! {
    #[test]
    fn entries_round_trip(
        rows in proptest::collection::vec((any::<i64>(), any::<i32>(), any::<bool>(), proptest::option::of(any::<i64>())), 0..30),
        codec in 0usize..4,
    ) {
        let entries: Vec<ManifestEntry> = rows.iter().enumerate().map(|(i, (k, b, del, ct))| {
            let mut f = sample_file(i as i64);
            f.min_key = key(*k);
            f.creation_time = *ct;
            f.value_stats_cols = if *del { None } else { Some(vec!["a".into(), "b".into()]) };
            f.write_cols_sequences = if *del { Some(vec![*k, 1]) } else { None };
            ManifestEntry {
                kind: if *del { FileKind::Delete } else { FileKind::Add },
                partition: key(*k),
                bucket: *b,
                total_buckets: -1,
                file: f,
            }
        }).collect();
        let bytes = ManifestEntry::write_manifest(&entries, CODECS[codec]).unwrap();
        prop_assert_eq!(ManifestEntry::read_manifest(&bytes, "m").unwrap(), entries);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = ManifestEntry::read_manifest(&data, "m");
        let _ = ManifestFileMeta::read_list(&data, "m");
        let _ = IndexManifestEntry::read_index_manifest(&data, "m");
    }

    #[test]
    fn corrupted_manifests_never_panic(pos in 0usize..2000, byte in any::<u8>(), codec in 0usize..4) {
        let mut bytes = ManifestEntry::write_manifest(&sample_entries(5), CODECS[codec]).unwrap();
        let at = pos % bytes.len();
        bytes[at] = byte;
        let _ = ManifestEntry::read_manifest(&bytes, "m");
        bytes.truncate(at);
        let _ = ManifestEntry::read_manifest(&bytes, "m");
    }
}

#[test]
fn folding_follows_paimon_rules() {
    let mut e = sample_entries(3);
    for x in &mut e {
        x.kind = FileKind::Add;
    }
    let mut del = e[1].clone();
    del.kind = FileKind::Delete;
    let folded = fold_entries(vec![e[0].clone(), e[1].clone(), e[2].clone(), del.clone()]).unwrap();
    assert_eq!(folded, vec![e[0].clone(), e[2].clone()]);
    // Pending delete (its ADD is elsewhere) is kept; adding after it is an error.
    assert_eq!(fold_entries(vec![del.clone()]).unwrap(), vec![del.clone()]);
    assert!(fold_entries(vec![del.clone(), e[1].clone()]).is_err());
    assert!(fold_entries(vec![e[0].clone(), e[0].clone()]).is_err());
    // A level change is a different identity.
    let mut up = e[0].clone();
    up.file.level = 5;
    assert_eq!(
        fold_entries(vec![e[0].clone(), up.clone()]).unwrap().len(),
        2
    );
}
