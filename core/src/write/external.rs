//! Where a table writes new data files outside itself (`data-file.external-paths` and its
//! strategy): each file's location under one of the declared roots.

use std::sync::atomic::Ordering as AtomicOrdering;

use super::WriteEnv;
use crate::options::TableOptions;
use crate::{Error, Result};

/// The table's `data-file.external-paths.strategy` for new data files.
pub(super) enum ExternalWrites {
    /// Files stay in the table (`none`, the default).
    Inside,
    /// Each file goes to the next of these roots in turn (`round-robin`, or `specific-fs`
    /// with the roots of its file system); with `entropy`, under directories made of its
    /// name's hash (`entropy-inject`).
    Roots {
        roots: Vec<String>,
        next: std::sync::atomic::AtomicUsize,
        entropy: bool,
    },
    /// Each file goes to a root drawn with these cumulative weights (`weight-robin`).
    Weighted {
        roots: Vec<String>,
        cumulative: Vec<u64>,
    },
    /// A strategy or setting Strata does not write with.
    Refused(String),
}

impl ExternalWrites {
    pub(super) fn of(options: &TableOptions<'_>, start: usize) -> Self {
        let strategy = options
            .get("data-file.external-paths.strategy")
            .unwrap_or("none")
            .trim()
            .to_ascii_lowercase();
        let roots = crate::external_path::declared_roots(options);
        let roots = match strategy.as_str() {
            "none" => return ExternalWrites::Inside,
            "round-robin" | "entropy-inject" => roots,
            "weight-robin" => {
                let weights: Vec<u64> = options
                    .get("data-file.external-paths.weights")
                    .unwrap_or("")
                    .split(',')
                    .filter(|w| !w.trim().is_empty())
                    .map(|w| w.trim().parse::<u64>().unwrap_or(0))
                    .collect();
                if roots.len() >= 2 && !weights.is_empty() {
                    if weights.len() != roots.len() || weights.contains(&0) {
                        return ExternalWrites::Refused(format!(
                            "{} weights for {} external paths (data-file.external-paths.weights \
                             needs one positive integer per path)",
                            weights.len(),
                            roots.len()
                        ));
                    }
                    let cumulative = weights
                        .iter()
                        .scan(0u64, |sum, w| {
                            *sum = sum.saturating_add(*w);
                            Some(*sum)
                        })
                        .collect();
                    return ExternalWrites::Weighted { roots, cumulative };
                }
                // As Paimon: fewer than two paths, or no weights, is round robin.
                roots
            }
            "specific-fs" => {
                let fs = options
                    .get("data-file.external-paths.specific-fs")
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                roots
                    .into_iter()
                    .filter(|r| crate::external_path::scheme(r).is_some_and(|s| s == fs))
                    .collect()
            }
            other => {
                return ExternalWrites::Refused(format!("the {other:?} external path strategy"))
            }
        };
        if roots.is_empty() {
            return ExternalWrites::Refused(format!(
                "the {strategy} external path strategy without a root it picks in data-file.external-paths"
            ));
        }
        ExternalWrites::Roots {
            next: std::sync::atomic::AtomicUsize::new(start % roots.len()),
            roots,
            entropy: strategy == "entropy-inject",
        }
    }

    /// The location of a new file at table path `path`, when it goes outside the table.
    pub(super) fn place(&self, path: &str, env: &dyn WriteEnv) -> Result<Option<String>> {
        match self {
            ExternalWrites::Inside => Ok(None),
            ExternalWrites::Roots {
                roots,
                next,
                entropy,
            } => {
                let i = next.fetch_add(1, AtomicOrdering::Relaxed) % roots.len();
                let root = &roots[i];
                Ok(Some(match (entropy, path.rsplit_once('/')) {
                    (true, Some((dir, name))) => {
                        format!("{root}/{dir}/{}/{name}", entropy_dirs(name))
                    }
                    (true, None) => format!("{root}/{}/{path}", entropy_dirs(path)),
                    (false, _) => format!("{root}/{path}"),
                }))
            }
            ExternalWrites::Weighted { roots, cumulative } => {
                let total = cumulative.last().copied().unwrap_or(1);
                let r = env.random_below(total);
                let i = cumulative
                    .iter()
                    .position(|&c| r < c)
                    .unwrap_or(roots.len() - 1);
                Ok(Some(format!("{}/{path}", roots[i])))
            }
            ExternalWrites::Refused(what) => Err(Error::unsupported(
                "data-file.external-paths.strategy",
                format!("writing with {what}"),
            )),
        }
    }
}

/// Paimon's `entropy-inject` directories for a file name: the low 20 bits of the name's
/// Murmur3-32 hash (Guava's, seed 0, of its UTF-8 bytes) in binary, as `4/4/4/8` digits.
fn entropy_dirs(name: &str) -> String {
    let bits = format!("{:032b}", murmur3_32(name.as_bytes()) | 0x8000_0000);
    let h = &bits[12..];
    format!("{}/{}/{}/{}", &h[0..4], &h[4..8], &h[8..12], &h[12..])
}

/// MurmurHash3 x86 32-bit with seed 0 (Guava's `murmur3_32`).
fn murmur3_32(data: &[u8]) -> u32 {
    const C1: u32 = 0xcc9e_2d51;
    const C2: u32 = 0x1b87_3593;
    let mix = |k: u32| k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
    let mut h: u32 = 0;
    let mut blocks = data.chunks_exact(4);
    for b in &mut blocks {
        h ^= mix(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let k = tail
            .iter()
            .rev()
            .fold(0u32, |k, &b| (k << 8) | u32::from(b));
        h ^= mix(k);
    }
    h ^= data.len() as u32;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::{entropy_dirs, murmur3_32};

    #[test]
    fn entropy_directories_are_paimons() {
        // Values from pypaimon 2.1, whose hash matches Guava's.
        assert_eq!(murmur3_32(b"hello"), 613_153_351);
        assert_eq!(entropy_dirs("hello"), "1011/1111/1010/01000111");
        assert_eq!(
            entropy_dirs("data-00000000-0000-4000-8000-000000000000-0.parquet"),
            "1110/0110/0001/11000000"
        );
        assert_eq!(entropy_dirs("data-x-0.parquet"), "0000/1110/0011/01000001");
    }
}
