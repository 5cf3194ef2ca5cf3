//! Deletion vectors: per data file, the row positions that are deleted, stored in
//! `DELETION_VECTORS` index files and listed in the snapshot's index manifest.
//!
//! A DV index file is a version byte (1), then for each data file: its size (int32 BE, = 4 +
//! bitmap bytes), the magic 1581511376 (int32 BE), a 32-bit RoaringBitmap in the portable
//! format, and a CRC32 (int32 BE) of magic and bitmap. The index manifest's `(offset, length)`
//! points at the size int and equals the size.

use std::collections::HashMap;

use roaring::RoaringBitmap;

use crate::bucket::BucketKey;
use crate::manifest::{manifest_path, FileKind, IndexManifestEntry};
use crate::snapshot::Snapshot;
use crate::storage::Storage;
use crate::{Error, Result};

/// Index type of deletion-vector files.
pub const DELETION_VECTORS: &str = "DELETION_VECTORS";
const MAGIC: i32 = 1_581_511_376;

/// Where one data file's deletion vector lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionFile {
    /// Path of the index file, relative to the table root.
    pub path: String,
    /// Offset of the size int.
    pub offset: u64,
    /// The size (magic + bitmap bytes).
    pub length: u64,
}

/// The live `DELETION_VECTORS` entries of a snapshot's index manifest (none without one).
/// Index files outside the table are refused; file names are checked.
pub async fn deletion_index(
    storage: &dyn Storage,
    snapshot: &Snapshot,
) -> Result<Vec<IndexManifestEntry>> {
    let Some(name) = &snapshot.index_manifest else {
        return Ok(Vec::new());
    };
    let path = manifest_path(name)?;
    let bytes = storage.get(&path).await?;
    let mut out = Vec::new();
    for e in IndexManifestEntry::read_index_manifest(&bytes, &path)? {
        if e.kind != FileKind::Add || e.index_type != DELETION_VECTORS {
            continue;
        }
        if e.external_path.is_some() {
            return Err(Error::unsupported(
                &e.file_name,
                "index files outside the table",
            ));
        }
        crate::path::check_file_name(&e.file_name, &path)?;
        out.push(e);
    }
    Ok(out)
}

/// Deletion files by (partition bytes, bucket) and data file name, from a snapshot's index
/// manifest. Empty when the snapshot has none.
pub async fn deletion_files(
    storage: &dyn Storage,
    snapshot: &Snapshot,
) -> Result<HashMap<BucketKey, HashMap<String, DeletionFile>>> {
    let mut out: HashMap<BucketKey, HashMap<String, DeletionFile>> = HashMap::new();
    for e in deletion_index(storage, snapshot).await? {
        let group = out
            .entry(BucketKey::new(&e.partition, e.bucket))
            .or_default();
        for r in e.dv_ranges.iter().flatten() {
            group.insert(
                r.data_file_name.clone(),
                DeletionFile {
                    path: format!("index/{}", e.file_name),
                    offset: r.offset as u64,
                    length: r.length as u64,
                },
            );
        }
    }
    Ok(out)
}

/// Reads one deletion vector.
pub async fn read_deletion_vector(
    storage: &dyn Storage,
    f: &DeletionFile,
) -> Result<RoaringBitmap> {
    let end = f.offset + 4 + f.length + 4;
    let bytes = storage.get_range(&f.path, f.offset..end).await?;
    decode(&bytes, &f.path)
}

/// Decodes `size | magic | bitmap | crc`.
pub fn decode(bytes: &[u8], file: &str) -> Result<RoaringBitmap> {
    let bad = |w: String| Error::corrupt(file, format!("deletion vector: {w}"));
    if bytes.len() < 12 {
        return Err(bad(format!("{} bytes is too short", bytes.len())));
    }
    let int = |at: usize| {
        bytes
            .get(at..)
            .and_then(<[u8]>::first_chunk::<4>)
            .map(|b| i32::from_be_bytes(*b))
            .ok_or_else(|| bad(format!("no 4-byte int at byte {at} of {}", bytes.len())))
    };
    let size = int(0)?;
    if size < 4 || size as usize + 8 != bytes.len() {
        return Err(bad(format!(
            "size {size} does not match {} bytes",
            bytes.len()
        )));
    }
    let magic = int(4)?;
    if magic != MAGIC {
        return Err(bad(format!(
            "magic {magic} (64-bit vectors are not supported yet)"
        )));
    }
    let body = &bytes[4..4 + size as usize];
    let crc = int(4 + size as usize)? as u32;
    if crc32fast::hash(body) != crc {
        return Err(bad("CRC mismatch".into()));
    }
    let bitmap = &body[4..];
    check_portable_header(bitmap).map_err(bad)?;
    RoaringBitmap::deserialize_from(bitmap).map_err(|e| bad(e.to_string()))
}

/// Bounds the container count by the bytes present before the bitmap crate allocates for it.
fn check_portable_header(b: &[u8]) -> std::result::Result<(), String> {
    let Some(cookie) = b.first_chunk::<4>().map(|c| u32::from_le_bytes(*c)) else {
        return Err("bitmap shorter than its cookie".into());
    };
    let count = b
        .get(4..)
        .and_then(<[u8]>::first_chunk::<4>)
        .map(|n| u32::from_le_bytes(*n) as usize);
    let containers = match (cookie & 0xffff, count) {
        (12347, _) => (cookie >> 16) as usize + 1,
        (12346, Some(n)) => n,
        _ => return Err(format!("unknown bitmap cookie {cookie}")),
    };
    // Every container takes at least 4 bytes of description.
    if containers.saturating_mul(4) > b.len() {
        return Err(format!("{containers} containers in {} bytes", b.len()));
    }
    Ok(())
}

/// Encodes a deletion vector as one entry of a DV index file (`size | magic | bitmap | crc`).
#[allow(
    clippy::expect_used,
    reason = "serializing into a Vec does no I/O that can fail"
)]
pub fn encode(bitmap: &RoaringBitmap) -> Vec<u8> {
    let mut body = MAGIC.to_be_bytes().to_vec();
    bitmap
        .serialize_into(&mut body)
        .expect("writing to a Vec cannot fail");
    let mut out = (body.len() as i32).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    out
}

/// One bucket's deletion vectors as a DV index file, as Paimon writes it: the version byte,
/// then each vector's entry ([`encode`]) back to back in the order of the ranges returned
/// (by data file name), which say where each entry starts and its size. Paimon 0.9 reads the
/// entries in that order without seeking, so nothing lies between them. Empty vectors are
/// left out. A file past 2 GiB (the ranges are 32-bit) is refused.
pub fn write_index_file(
    vectors: &std::collections::BTreeMap<String, RoaringBitmap>,
) -> Result<(Vec<u8>, Vec<crate::manifest::DeletionVectorMeta>)> {
    let mut out = vec![1u8];
    let mut ranges = Vec::new();
    for (name, bitmap) in vectors.iter().filter(|(_, b)| !b.is_empty()) {
        let offset = i32::try_from(out.len());
        let entry = encode(bitmap);
        let length = i32::try_from(entry.len() - 8);
        let (Ok(offset), Ok(length)) = (offset, length) else {
            return Err(Error::InvalidValue(
                "a deletion-vector index file would pass 2 GiB".into(),
            ));
        };
        out.extend_from_slice(&entry);
        ranges.push(crate::manifest::DeletionVectorMeta {
            data_file_name: name.clone(),
            offset,
            length,
            cardinality: Some(bitmap.len() as i64),
        });
    }
    Ok((out, ranges))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_files_hold_their_entries_back_to_back() {
        let a: RoaringBitmap = [0u32, 7].into_iter().collect();
        let b: RoaringBitmap = (100u32..200).collect();
        let vectors = [
            ("data-b.parquet".to_string(), b.clone()),
            ("data-a.parquet".to_string(), a.clone()),
            ("data-c.parquet".to_string(), RoaringBitmap::new()),
        ]
        .into_iter()
        .collect();
        let (bytes, ranges) = write_index_file(&vectors).unwrap();
        assert_eq!(bytes[0], 1);
        let names: Vec<&str> = ranges.iter().map(|r| r.data_file_name.as_str()).collect();
        assert_eq!(names, ["data-a.parquet", "data-b.parquet"]);
        assert_eq!(ranges[0].offset, 1);
        assert_eq!(
            ranges[1].offset,
            ranges[0].offset + 8 + ranges[0].length,
            "no gap between entries"
        );
        let last = &ranges[1];
        assert_eq!(bytes.len() as i32, last.offset + 8 + last.length);
        assert_eq!(
            &bytes[5..9],
            &[0x5e, 0x43, 0xf2, 0xd0],
            "the magic, big-endian"
        );
        for (r, want) in ranges.iter().zip([&a, &b]) {
            let at = r.offset as usize;
            let got = decode(&bytes[at..at + 8 + r.length as usize], "index/x").unwrap();
            assert_eq!(&got, want);
            assert_eq!(r.cardinality, Some(want.len() as i64));
        }
    }

    #[test]
    fn round_trips_and_rejects_corruption() {
        let bm: RoaringBitmap = [1u32, 5, 70_000].into_iter().collect();
        let bytes = encode(&bm);
        assert_eq!(decode(&bytes, "index/x").unwrap(), bm);
        let mut bad = bytes.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert!(decode(&bad, "index/x")
            .unwrap_err()
            .to_string()
            .contains("CRC"));
        assert!(decode(&bytes[..10], "index/x").is_err());
        let mut huge = bytes.clone();
        huge[8..12].copy_from_slice(&(12347u32 | (60000 << 16)).to_le_bytes());
        let body_end = huge.len() - 4;
        let crc = crc32fast::hash(&huge[4..body_end]).to_be_bytes();
        huge[body_end..].copy_from_slice(&crc);
        assert!(decode(&huge, "index/x").is_err());
    }
}

#[cfg(test)]
#[path = "deletion_vector_tests.rs"]
mod format_tests;
