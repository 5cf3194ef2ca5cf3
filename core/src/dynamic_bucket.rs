//! Dynamic-bucket mode (`bucket = -1` on a primary-key table): each partition keeps a HASH
//! index per bucket (the hashes of the keys written to it), and new keys go to the lowest
//! bucket that is not yet full, as Paimon's single hash-bucket assigner does.
//!
//! A key's hash is the `hashCode` of its trimmed primary key as a BinaryRow (the same hash a
//! fixed-bucket table takes modulo its bucket count). An index file lists a bucket's hashes
//! as big-endian int32 (`index/index-<uuid>-<n>`, see [`crate::manifest::write_hash_index`]).
//! Every record, deletes included, is assigned and recorded; hashes are never removed (an
//! overwrite starts the replaced partitions afresh).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::options::TableOptions;
use crate::{Error, Result};

/// Index type of dynamic-bucket index files.
pub const HASH_INDEX: &str = "HASH";

/// The highest bucket id Paimon's assigner hands out when `dynamic-bucket.max-buckets` is
/// unlimited (`Short.MAX_VALUE - 1`).
const UNLIMITED_MAX_BUCKET: i32 = i16::MAX as i32 - 1;

/// `dynamic-bucket.target-row-num` and `dynamic-bucket.max-buckets`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DynamicBucketOptions {
    /// Keys per bucket before a new bucket is opened (Paimon's default: 2,000,000).
    pub target_rows: i64,
    /// Most buckets per partition; `-1` for no limit.
    pub max_buckets: i32,
}

impl DynamicBucketOptions {
    /// The options `options` set, with Paimon's defaults.
    pub fn new(options: &TableOptions<'_>) -> Result<Self> {
        let int = |key: &str, default: i64| -> Result<i64> {
            match options.get(key) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse()
                    .map_err(|_| Error::InvalidValue(format!("{key}: {v:?} is not an integer"))),
            }
        };
        let target_rows = int("dynamic-bucket.target-row-num", 2_000_000)?;
        let max_buckets = int("dynamic-bucket.max-buckets", -1)?;
        if target_rows <= 0
            || max_buckets == 0
            || max_buckets < -1
            || max_buckets > i64::from(i16::MAX)
        {
            return Err(Error::InvalidValue(format!(
                "dynamic-bucket.target-row-num {target_rows} must be > 0 and \
                 dynamic-bucket.max-buckets {max_buckets} -1 or 1..={}",
                i16::MAX
            )));
        }
        Ok(DynamicBucketOptions {
            target_rows,
            max_buckets: max_buckets as i32,
        })
    }
}

/// The key-hash index of one partition: which bucket each known hash lives in, and which
/// buckets gained hashes.
#[derive(Debug, Clone)]
pub struct PartitionIndex {
    opts: DynamicBucketOptions,
    bucket_of: HashMap<i32, i32>,
    hashes: BTreeMap<i32, Vec<i32>>,
    /// Buckets that may take new keys, lowest first.
    open: BTreeSet<i32>,
    changed: BTreeSet<i32>,
}

impl PartitionIndex {
    /// An empty index (a new or overwritten partition).
    pub fn new(opts: DynamicBucketOptions) -> Self {
        PartitionIndex {
            opts,
            bucket_of: HashMap::new(),
            hashes: BTreeMap::new(),
            open: BTreeSet::new(),
            changed: BTreeSet::new(),
        }
    }

    /// Adds a bucket's index file contents. `file` names it in errors.
    pub fn load(&mut self, bucket: i32, hashes: Vec<i32>, file: &str) -> Result<()> {
        if bucket < 0 || self.hashes.contains_key(&bucket) {
            return Err(Error::corrupt(
                file,
                format!("a second or invalid HASH index for bucket {bucket}"),
            ));
        }
        for &h in &hashes {
            self.bucket_of.insert(h, bucket);
        }
        if (hashes.len() as i64) < self.opts.target_rows {
            self.open.insert(bucket);
        }
        self.hashes.insert(bucket, hashes);
        Ok(())
    }

    /// The bucket of a key hash: its known bucket, else the lowest bucket with room, else a
    /// new bucket (the lowest unused id). With every id in use and a `max-buckets` limit, a
    /// bucket chosen by the hash among the existing ones takes it.
    pub fn assign(&mut self, hash: i32) -> Result<i32> {
        if let Some(&b) = self.bucket_of.get(&hash) {
            return Ok(b);
        }
        let bucket = match self.open.first() {
            Some(&b) => b,
            None => {
                let max = if self.opts.max_buckets == -1 {
                    UNLIMITED_MAX_BUCKET
                } else {
                    self.opts.max_buckets - 1
                };
                match (0..=max).find(|b| !self.hashes.contains_key(b)) {
                    Some(b) => {
                        self.open.insert(b);
                        b
                    }
                    None if self.opts.max_buckets == -1 => {
                        return Err(Error::InvalidValue(format!(
                            "dynamic bucket: all {} buckets of a partition are full; raise \
                             dynamic-bucket.target-row-num",
                            max + 1
                        )))
                    }
                    None => {
                        let ids: Vec<i32> = self.hashes.keys().copied().collect();
                        ids[crate::bucket::bucket_of_hash(hash, ids.len() as i32) as usize]
                    }
                }
            }
        };
        let list = self.hashes.entry(bucket).or_default();
        list.push(hash);
        if list.len() as i64 >= self.opts.target_rows {
            self.open.remove(&bucket);
        }
        self.bucket_of.insert(hash, bucket);
        self.changed.insert(bucket);
        Ok(bucket)
    }

    /// The buckets that gained hashes, each with all its hashes (sorted): the index files
    /// to write.
    pub fn changed(&self) -> impl Iterator<Item = (i32, Vec<i32>)> + '_ {
        self.changed.iter().map(|b| {
            let mut all = self.hashes[b].clone();
            all.sort_unstable();
            (*b, all)
        })
    }

    /// Every bucket with its hashes (sorted).
    pub fn all(&self) -> impl Iterator<Item = (i32, Vec<i32>)> + '_ {
        self.hashes.iter().map(|(b, h)| {
            let mut all = h.clone();
            all.sort_unstable();
            (*b, all)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(target: i64, max: i32) -> DynamicBucketOptions {
        DynamicBucketOptions {
            target_rows: target,
            max_buckets: max,
        }
    }

    #[test]
    fn fills_buckets_in_order_and_remembers_keys() {
        let mut p = PartitionIndex::new(opts(2, -1));
        let got: Vec<i32> = [10, 11, 10, 12, 13, 14, 11]
            .iter()
            .map(|h| p.assign(*h).unwrap())
            .collect();
        assert_eq!(got, vec![0, 0, 0, 1, 1, 2, 0]);
        let changed: Vec<(i32, Vec<i32>)> = p.changed().collect();
        assert_eq!(
            changed,
            vec![(0, vec![10, 11]), (1, vec![12, 13]), (2, vec![14])]
        );
    }

    #[test]
    fn loaded_buckets_are_filled_first_and_gaps_reused() {
        let mut p = PartitionIndex::new(opts(2, -1));
        p.load(0, vec![1, 2], "i0").unwrap(); // full
        p.load(2, vec![3], "i2").unwrap(); // room for one
        assert_eq!(p.assign(2).unwrap(), 0, "known");
        assert_eq!(p.assign(4).unwrap(), 2, "the open bucket");
        assert_eq!(p.assign(5).unwrap(), 1, "the lowest unused id");
        assert_eq!(p.assign(6).unwrap(), 1);
        assert_eq!(p.assign(7).unwrap(), 3);
        assert_eq!(
            p.changed().map(|(b, _)| b).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert!(p.load(2, vec![], "again").is_err());
    }

    #[test]
    fn a_bucket_limit_spreads_the_overflow_over_existing_buckets() {
        let mut p = PartitionIndex::new(opts(1, 2));
        assert_eq!(p.assign(100).unwrap(), 0);
        assert_eq!(p.assign(101).unwrap(), 1);
        let b = p.assign(102).unwrap();
        assert!(b == 0 || b == 1);
        assert_eq!(p.assign(102).unwrap(), b, "stable once assigned");
    }
}
