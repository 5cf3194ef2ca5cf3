//! Deletion vectors: the entry layout, every corruption check and its message, reading
//! entries at their offsets in an index file, and finding them through the index manifest.

use bytes::Bytes;
use proptest::prelude::*;

use super::*;
use crate::binary_row::{BinaryRow, Datum};
use crate::manifest::{AvroCodec, DeletionVectorMeta};
use crate::storage::MemoryStorage;
use crate::types::DataType;

fn corrupt(e: Error) -> (String, String) {
    match e {
        Error::Corrupt { file, what } => (file, what),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

/// Rewrites the CRC of an entry after its body was changed.
fn reseal(mut entry: Vec<u8>) -> Vec<u8> {
    let end = entry.len() - 4;
    let crc = crc32fast::hash(&entry[4..end]).to_be_bytes();
    entry[end..].copy_from_slice(&crc);
    entry
}

#[test]
fn an_entry_is_size_magic_bitmap_crc() {
    let bm: RoaringBitmap = [0u32, 7].into_iter().collect();
    let bytes = encode(&bm);
    let size = i32::from_be_bytes(bytes[0..4].try_into().unwrap());
    assert_eq!(
        size as usize,
        bytes.len() - 8,
        "size covers magic and bitmap"
    );
    assert_eq!(&bytes[4..8], &1_581_511_376i32.to_be_bytes());
    let mut bitmap = Vec::new();
    bm.serialize_into(&mut bitmap).unwrap();
    assert_eq!(&bytes[8..8 + bitmap.len()], &bitmap[..]);
    let crc = u32::from_be_bytes(bytes[bytes.len() - 4..].try_into().unwrap());
    assert_eq!(crc, crc32fast::hash(&bytes[4..bytes.len() - 4]));
    let empty = encode(&RoaringBitmap::new());
    assert_eq!(decode(&empty, "f").unwrap(), RoaringBitmap::new());
}

#[test]
fn corrupt_entries_name_the_file_and_the_fault() {
    let good = encode(&[3u32].into_iter().collect());
    let (file, what) = corrupt(decode(&good[..11], "index/dv-1").unwrap_err());
    assert_eq!(file, "index/dv-1");
    assert_eq!(what, "deletion vector: 11 bytes is too short");

    let mut long = good.clone();
    long.push(0);
    let (_, what) = corrupt(decode(&long, "f").unwrap_err());
    assert_eq!(
        what,
        format!(
            "deletion vector: size {} does not match {} bytes",
            good.len() - 8,
            good.len() + 1
        )
    );

    let mut negative = good.clone();
    negative[0..4].copy_from_slice(&(-1i32).to_be_bytes());
    let (_, what) = corrupt(decode(&negative, "f").unwrap_err());
    assert!(what.contains("size -1 does not match"), "{what}");

    let mut unknown = good.clone();
    unknown[4..8].copy_from_slice(&1_581_511_377i32.to_be_bytes());
    let (_, what) = corrupt(decode(&reseal(unknown), "f").unwrap_err());
    assert_eq!(
        what,
        "deletion vector: magic 1581511377 is neither a 32-bit (1581511376) nor a 64-bit \
         (1681511377) vector's"
    );

    let mut flipped = good.clone();
    flipped[9] ^= 0x40;
    let (_, what) = corrupt(decode(&flipped, "f").unwrap_err());
    assert_eq!(what, "deletion vector: CRC mismatch");

    let mut cookie = good.clone();
    cookie[8..12].copy_from_slice(&777u32.to_le_bytes());
    let (_, what) = corrupt(decode(&reseal(cookie), "f").unwrap_err());
    assert_eq!(what, "deletion vector: unknown bitmap cookie 777");
}

#[test]
fn bitmaps_claiming_more_containers_than_bytes_are_refused_before_allocating() {
    // A portable bitmap without run containers: cookie 12346, then the container count.
    let mut body = 1_581_511_376i32.to_be_bytes().to_vec();
    body.extend_from_slice(&12346u32.to_le_bytes());
    body.extend_from_slice(&1_000_000u32.to_le_bytes());
    let mut entry = (body.len() as i32).to_be_bytes().to_vec();
    entry.extend_from_slice(&body);
    entry.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    let (_, what) = corrupt(decode(&entry, "f").unwrap_err());
    assert_eq!(what, "deletion vector: 1000000 containers in 8 bytes");
}

#[tokio::test]
async fn entries_are_read_at_their_offsets_in_an_index_file() {
    let a: RoaringBitmap = [1u32, 2, 3].into_iter().collect();
    let b: RoaringBitmap = (100u32..200).chain([1 << 20]).collect();
    let (ea, eb) = (encode(&a), encode(&b));
    let mut file = vec![1u8];
    file.extend_from_slice(&ea);
    file.extend_from_slice(&eb);
    let storage = MemoryStorage::new();
    storage.put("index/dv-0", Bytes::from(file)).await.unwrap();
    let at = |offset: usize, entry: &[u8]| DeletionFile {
        path: "index/dv-0".into(),
        offset: offset as u64,
        length: (entry.len() - 8) as u64,
        file_size: None,
    };
    assert_eq!(
        read_deletion_vector(&storage, &at(1, &ea)).await.unwrap(),
        a
    );
    assert_eq!(
        read_deletion_vector(&storage, &at(1 + ea.len(), &eb))
            .await
            .unwrap(),
        b
    );
    let missing = DeletionFile {
        path: "index/none".into(),
        offset: 0,
        length: 4,
        file_size: None,
    };
    assert!(matches!(
        read_deletion_vector(&storage, &missing).await.unwrap_err(),
        Error::NotFound { .. }
    ));
}

fn snapshot(index_manifest: Option<&str>) -> Snapshot {
    serde_json::from_value(serde_json::json!({
        "id": 1, "schemaId": 0, "baseManifestList": "b", "deltaManifestList": "d",
        "indexManifest": index_manifest, "commitUser": "u", "commitIdentifier": 0,
        "commitKind": "APPEND", "timeMillis": 0
    }))
    .unwrap()
}

fn index_entry(kind: FileKind, index_type: &str, file: &str, part: i32) -> IndexManifestEntry {
    let t: Vec<DataType> = vec!["INT".parse().unwrap()];
    IndexManifestEntry {
        kind,
        partition: BinaryRow::encode(&t, &[Datum::Int(part)]).unwrap(),
        bucket: 2,
        index_type: index_type.into(),
        file_name: file.into(),
        file_size: 100,
        row_count: 2,
        dv_ranges: Some(vec![
            DeletionVectorMeta {
                data_file_name: "data-a.parquet".into(),
                offset: 1,
                length: 20,
                cardinality: Some(3),
            },
            DeletionVectorMeta {
                data_file_name: "data-b.parquet".into(),
                offset: 29,
                length: 30,
                cardinality: None,
            },
        ]),
        external_path: None,
        global_index: None,
    }
}

#[tokio::test]
async fn the_index_manifest_maps_data_files_to_their_vectors() {
    let storage = MemoryStorage::new();
    assert!(deletion_files(&storage, &snapshot(None))
        .await
        .unwrap()
        .is_empty());
    let mut hash = index_entry(FileKind::Add, "HASH", "hash-1", 7);
    hash.dv_ranges = None;
    let entries = vec![
        index_entry(FileKind::Add, DELETION_VECTORS, "dv-1", 7),
        index_entry(FileKind::Delete, DELETION_VECTORS, "dv-0", 7),
        hash,
    ];
    let bytes = IndexManifestEntry::write_index_manifest(&entries, AvroCodec::Null).unwrap();
    storage
        .put("manifest/index-manifest-1", Bytes::from(bytes))
        .await
        .unwrap();
    let found = deletion_files(&storage, &snapshot(Some("index-manifest-1")))
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "one (partition, bucket)");
    let key = BucketKey::new(&entries[0].partition, 2);
    let files = &found[&key];
    assert_eq!(files.len(), 2);
    assert_eq!(
        files["data-b.parquet"],
        DeletionFile {
            path: "index/dv-1".into(),
            offset: 29,
            length: 30,
            file_size: Some(100),
        }
    );
    assert_eq!(files["data-a.parquet"].offset, 1);
}

#[tokio::test]
async fn index_files_outside_the_table_are_refused() {
    let storage = MemoryStorage::new();
    let mut e = index_entry(FileKind::Add, DELETION_VECTORS, "dv-9", 1);
    e.external_path = Some("s3://elsewhere/dv-9".into());
    let bytes = IndexManifestEntry::write_index_manifest(&[e], AvroCodec::Null).unwrap();
    storage
        .put("manifest/im", Bytes::from(bytes))
        .await
        .unwrap();
    let err = deletion_files(&storage, &snapshot(Some("im")))
        .await
        .unwrap_err();
    match err {
        Error::Unsupported { file, what } => {
            assert_eq!(file, "dv-9");
            assert_eq!(what, "index files outside the table");
        }
        other => panic!("{other:?}"),
    }
    let bad_ref = deletion_files(&storage, &snapshot(Some("../escape")))
        .await
        .unwrap_err();
    assert!(
        bad_ref.to_string().contains("is not a plain file name"),
        "{bad_ref}"
    );
}

proptest! {
    #[test]
    fn any_bitmap_round_trips(values in prop::collection::btree_set(any::<u32>(), 0..300),
                              dense in 0u32..5000) {
        let bm: RoaringBitmap = values.iter().copied().chain(0..dense).collect();
        let bytes = encode(&bm);
        prop_assert_eq!(decode(&bytes, "f").unwrap(), bm);
    }
}
