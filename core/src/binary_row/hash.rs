//! Java's `MurmurHashUtils` (Murmur3, seed 42, over 4-byte little-endian words): the hash of
//! a BinaryRow, which fixed-bucket assignment takes modulo the bucket count.

const SEED: u32 = 42;
const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

fn mix_k1(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

fn mix_h1(h: u32, k: u32) -> u32 {
    (h ^ k)
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

fn fmix(mut h: u32, len: u32) -> u32 {
    h ^= len;
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Java's `MurmurHashUtils.hashBytesByWords` with seed 42 (also `hashBytes` for lengths that
/// are not a multiple of 4: the tail bytes are mixed one by one, sign-extended).
pub fn murmur_hash_words(bytes: &[u8]) -> i32 {
    let mut h = SEED;
    let mut rest = bytes;
    while let Some((w, tail)) = rest.split_first_chunk::<4>() {
        h = mix_h1(h, mix_k1(u32::from_le_bytes(*w)));
        rest = tail;
    }
    for &b in rest {
        h = mix_h1(h, mix_k1(b as i8 as i32 as u32));
    }
    fmix(h, bytes.len() as u32) as i32
}
