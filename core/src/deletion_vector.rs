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
/// Magic of Paimon's 64-bit vectors (`deletion-vectors.bitmap64`), written little-endian.
const MAGIC64: i32 = 1_681_511_377;

/// Where one data file's deletion vector lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionFile {
    /// Path of the index file, relative to the table root.
    pub path: String,
    /// Offset of the size int.
    pub offset: u64,
    /// The index manifest's length: the size (magic + bitmap bytes) of a 32-bit vector, the
    /// whole entry (size + magic + bitmap + CRC) of a 64-bit one, as Paimon records them.
    pub length: u64,
    /// The index file's size, when known: bounds the read.
    pub file_size: Option<u64>,
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
                    file_size: u64::try_from(e.file_size).ok(),
                },
            );
        }
    }
    Ok(out)
}

/// Reads one deletion vector, 32- or 64-bit.
pub async fn read_deletion_vector(
    storage: &dyn Storage,
    f: &DeletionFile,
) -> Result<RoaringBitmap> {
    // The manifest's length is the size field of a 32-bit entry but the whole of a 64-bit
    // one: read enough for the first, within the file, and cut the second to its length.
    let mut end = f.offset.saturating_add(f.length).saturating_add(8);
    if let Some(size) = f.file_size {
        end = end.min(size.max(f.offset));
    }
    let bytes = storage.get_range(&f.path, f.offset..end).await?;
    let wide = bytes
        .get(4..8)
        .is_some_and(|m| i32::from_le_bytes([m[0], m[1], m[2], m[3]]) == MAGIC64);
    let take = if wide {
        bytes
            .len()
            .min(usize::try_from(f.length).unwrap_or(usize::MAX))
    } else {
        bytes.len()
    };
    decode(&bytes[..take], &f.path)
}

/// Decodes `size | magic | bitmap | crc`, a 32-bit vector (big-endian magic, the portable
/// 32-bit bitmap) or a 64-bit one (little-endian magic, the portable 64-bit bitmap: a
/// little-endian count, then each 32-bit bitmap after its key, the high 32 bits). Positions
/// past 2^32 (a data file of more than four billion rows) are refused.
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
    let wide = magic.swap_bytes() == MAGIC64;
    if magic != MAGIC && !wide {
        return Err(bad(format!(
            "magic {magic} is neither a 32-bit ({MAGIC}) nor a 64-bit ({MAGIC64}) vector's"
        )));
    }
    let body = &bytes[4..4 + size as usize];
    let crc = int(4 + size as usize)? as u32;
    if crc32fast::hash(body) != crc {
        return Err(bad("CRC mismatch".into()));
    }
    if wide {
        return decode64(&body[4..]).map_err(bad);
    }
    let bitmap = &body[4..];
    check_portable_header(bitmap).map_err(bad)?;
    RoaringBitmap::deserialize_from(bitmap).map_err(|e| bad(e.to_string()))
}

/// The portable 64-bit format, whose every bitmap must have key 0 (positions below 2^32).
fn decode64(mut b: &[u8]) -> std::result::Result<RoaringBitmap, String> {
    let count = b
        .first_chunk::<8>()
        .map(|c| u64::from_le_bytes(*c))
        .ok_or("a 64-bit bitmap shorter than its count")?;
    b = &b[8..];
    // Every bitmap takes at least its key and a cookie.
    if count.saturating_mul(8) > b.len() as u64 {
        return Err(format!("{count} bitmaps in {} bytes", b.len()));
    }
    // No union: only key 0 may hold positions, once (a union would also grow the Wasm
    // module by kilobytes).
    let mut out: Option<RoaringBitmap> = None;
    for _ in 0..count {
        let key = b
            .first_chunk::<4>()
            .map(|c| u32::from_le_bytes(*c))
            .ok_or("a 64-bit bitmap cut inside a key")?;
        b = &b[4..];
        check_portable_header(b)?;
        let part = RoaringBitmap::deserialize_from(&mut b).map_err(|e| e.to_string())?;
        if key == 0 {
            if out.is_some() {
                return Err("two bitmaps of the same key".into());
            }
            out = Some(part);
        } else if !part.is_empty() {
            return Err(format!(
                "row positions from {} on (past 2^32) are not supported",
                u64::from(key) << 32
            ));
        }
    }
    if !b.is_empty() {
        return Err(format!("{} bytes after the last bitmap", b.len()));
    }
    Ok(out.unwrap_or_default())
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

/// One index-file entry around its body (magic and bitmap): the body's size before it and
/// its CRC-32 after it, both big-endian.
fn framed(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as i32).to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out.extend_from_slice(&crc32fast::hash(body).to_be_bytes());
    out
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
    framed(&body)
}

/// Encodes a deletion vector as a 64-bit entry (`deletion-vectors.bitmap64`): the size and
/// CRC big-endian around a little-endian magic and the portable 64-bit bitmap (one bitmap,
/// key 0, when any row is deleted).
#[allow(
    clippy::expect_used,
    reason = "serializing into a Vec does no I/O that can fail"
)]
pub fn encode64(bitmap: &RoaringBitmap) -> Vec<u8> {
    let mut body = MAGIC64.to_le_bytes().to_vec();
    let count: u64 = if bitmap.is_empty() { 0 } else { 1 };
    body.extend_from_slice(&count.to_le_bytes());
    if count == 1 {
        body.extend_from_slice(&0u32.to_le_bytes());
        bitmap
            .serialize_into(&mut body)
            .expect("writing to a Vec cannot fail");
    }
    framed(&body)
}

/// One bucket's deletion vectors as a DV index file, as Paimon writes it: the version byte,
/// then each vector's entry ([`encode`], or [`encode64`] when `wide`) back to back in the
/// order of the ranges returned (by data file name), which say where each entry starts and
/// its length (the size field of a 32-bit entry, the whole of a 64-bit one, as Paimon
/// records them). Paimon 0.9 reads the entries in that order without seeking, so nothing
/// lies between them. Empty vectors are left out. A file past 2 GiB (the ranges are 32-bit)
/// is refused.
pub fn write_index_file(
    vectors: &std::collections::BTreeMap<String, RoaringBitmap>,
    wide: bool,
) -> Result<(Vec<u8>, Vec<crate::manifest::DeletionVectorMeta>)> {
    let mut out = vec![1u8];
    let mut ranges = Vec::new();
    for (name, bitmap) in vectors.iter().filter(|(_, b)| !b.is_empty()) {
        let offset = i32::try_from(out.len());
        let entry = if wide {
            encode64(bitmap)
        } else {
            encode(bitmap)
        };
        let length = i32::try_from(if wide { entry.len() } else { entry.len() - 8 });
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
        let (bytes, ranges) = write_index_file(&vectors, false).unwrap();
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
    fn wide_index_files_record_whole_entries_and_read_back() {
        let a: RoaringBitmap = [3u32, 70_000, u32::MAX].into_iter().collect();
        let b: RoaringBitmap = (0u32..5000).collect();
        let vectors = [("a".to_string(), a.clone()), ("b".to_string(), b.clone())]
            .into_iter()
            .collect();
        let (bytes, ranges) = write_index_file(&vectors, true).unwrap();
        assert_eq!(ranges[1].offset, ranges[0].offset + ranges[0].length);
        assert_eq!(bytes.len() as i32, ranges[1].offset + ranges[1].length);
        // The magic is little-endian, after a big-endian size.
        assert_eq!(&bytes[5..9], &MAGIC64.to_le_bytes());
        for (r, want) in ranges.iter().zip([&a, &b]) {
            let at = r.offset as usize;
            let got = decode(&bytes[at..at + r.length as usize], "index/x").unwrap();
            assert_eq!(&got, want);
        }
        let empty = decode(&encode64(&RoaringBitmap::new()), "index/x").unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn wide_vectors_past_two_to_the_32_and_trailing_bytes_are_refused() {
        // count 1, key 1: positions from 2^32 on.
        let mut body = MAGIC64.to_le_bytes().to_vec();
        body.extend_from_slice(&1u64.to_le_bytes());
        body.extend_from_slice(&1u32.to_le_bytes());
        let one: RoaringBitmap = [5u32].into_iter().collect();
        one.serialize_into(&mut body).unwrap();
        let entry = |body: &[u8]| {
            let mut out = (body.len() as i32).to_be_bytes().to_vec();
            out.extend_from_slice(body);
            out.extend_from_slice(&crc32fast::hash(body).to_be_bytes());
            out
        };
        let e = decode(&entry(&body), "index/x").unwrap_err().to_string();
        assert!(e.contains("past 2^32") && e.contains("index/x"), "{e}");
        let mut ok = MAGIC64.to_le_bytes().to_vec();
        ok.extend_from_slice(&0u64.to_le_bytes());
        ok.push(9);
        let e = decode(&entry(&ok), "index/x").unwrap_err().to_string();
        assert!(e.contains("after the last bitmap"), "{e}");
        let mut huge = MAGIC64.to_le_bytes().to_vec();
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        let e = decode(&entry(&huge), "index/x").unwrap_err().to_string();
        assert!(e.contains("bitmaps in"), "{e}");
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
