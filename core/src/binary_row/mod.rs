//! BinaryRow: Paimon's binary row layout, used for partitions, min/max keys, stats and
//! bucketing.
//!
//! A row is a header (RowKind byte and null bits), one 8-byte little-endian slot per field, and
//! an 8-byte-aligned variable part. Strings and binaries of up to 7 bytes are stored inline in
//! their slot. Manifests store rows serialized with a 4-byte big-endian arity prefix
//! ([`BinaryRow::serialize`]).
//!
//! ```
//! use strata_core::binary_row::{BinaryRow, Datum};
//! use strata_core::types::DataType;
//! let types: Vec<DataType> = vec!["BIGINT".parse().unwrap()];
//! let row = BinaryRow::encode(&types, &[Datum::BigInt(1)]).unwrap();
//! assert_eq!(row.serialize(), [0,0,0,1, 0,0,0,0,0,0,0,0, 1,0,0,0,0,0,0,0]);
//! assert_eq!(row.decode(&types).unwrap(), vec![Datum::BigInt(1)]);
//! ```

mod arrow;
mod datum;
pub mod hash;

pub use arrow::{datum_at, datums_to_array, timestamp_datum};
pub use datum::{hex, Datum, Timestamp};

use crate::types::{DataType, TypeKind};
use crate::{Error, Result};
use hash::murmur_hash_words;

/// Largest arity accepted when decoding: rows in Paimon metadata have one field per column,
/// and this bound keeps hostile arities from sizing allocations.
pub const MAX_ARITY: usize = 1 << 16;

/// DECIMALs up to this precision are stored in the slot ("compact").
pub const MAX_COMPACT_DECIMAL_PRECISION: u8 = 18;
/// TIMESTAMPs up to this precision are stored in the slot ("compact").
pub const MAX_COMPACT_TIMESTAMP_PRECISION: u8 = 3;

/// A BinaryRow: its arity and its bytes (without the serialized arity prefix).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BinaryRow {
    arity: usize,
    bytes: Vec<u8>,
}

/// Bytes of header plus null bits for `arity` fields.
pub fn header_size(arity: usize) -> usize {
    (arity + 63 + 8) / 64 * 8
}

fn round_to_word(n: usize) -> usize {
    n.div_ceil(8) * 8
}

impl BinaryRow {
    /// The row with no fields (12 bytes serialized): empty partitions, keys of append tables,
    /// empty stats.
    pub fn empty() -> Self {
        BinaryRow {
            arity: 0,
            bytes: vec![0; 8],
        }
    }

    /// Number of fields.
    pub fn arity(&self) -> usize {
        self.arity
    }

    /// The row bytes (what Paimon hashes), without the arity prefix.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The serialized form used in manifests: big-endian arity, then the row bytes.
    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.bytes.len());
        out.extend_from_slice(&(self.arity as u32).to_be_bytes());
        out.extend_from_slice(&self.bytes);
        out
    }

    /// Parses the serialized form. Checks the arity against [`MAX_ARITY`] and the length
    /// against the fixed part, so later field access can only fail with an error.
    pub fn deserialize(data: &[u8]) -> Result<Self> {
        let what = |w: String| Error::corrupt("BinaryRow", w);
        if data.len() < 4 {
            return Err(what(format!(
                "{} bytes, shorter than the arity prefix",
                data.len()
            )));
        }
        let arity = i32::from_be_bytes([data[0], data[1], data[2], data[3]]);
        if arity < 0 || arity as usize > MAX_ARITY {
            return Err(what(format!("arity {arity} out of range")));
        }
        let arity = arity as usize;
        let bytes = &data[4..];
        let fixed = header_size(arity) + 8 * arity;
        if bytes.len() < fixed {
            return Err(what(format!(
                "{} row bytes, fewer than the {fixed} of the fixed part for arity {arity}",
                bytes.len()
            )));
        }
        Ok(BinaryRow {
            arity,
            bytes: bytes.to_vec(),
        })
    }

    /// Encodes `values` (one per type) the way Java's `RowHelper`/`BinaryRowWriter` does,
    /// including the variable-part reservation for null non-compact DECIMAL and TIMESTAMP.
    pub fn encode(types: &[DataType], values: &[Datum]) -> Result<Self> {
        if types.len() != values.len() {
            return Err(Error::InvalidValue(format!(
                "{} values for {} fields",
                values.len(),
                types.len()
            )));
        }
        let mut w = Writer::new(types.len());
        for (i, (t, v)) in types.iter().zip(values).enumerate() {
            w.write(i, t, v)?;
        }
        Ok(w.finish())
    }

    /// Whether field `i` is null.
    pub fn is_null_at(&self, i: usize) -> bool {
        let bit = i + 8;
        self.bytes
            .get(bit / 8)
            .is_some_and(|b| b & (1 << (bit % 8)) != 0)
    }

    fn slot(&self, i: usize) -> Result<u64> {
        let at = header_size(self.arity) + 8 * i;
        self.bytes
            .get(at..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map(|s| u64::from_le_bytes(*s))
            .ok_or_else(|| Error::corrupt("BinaryRow", format!("slot {i} past the end")))
    }

    fn var_part(&self, i: usize, offset: u64, len: u64) -> Result<&[u8]> {
        let end = offset
            .checked_add(len)
            .filter(|&e| e <= self.bytes.len() as u64);
        match end {
            Some(end) => Ok(&self.bytes[offset as usize..end as usize]),
            None => Err(Error::corrupt(
                "BinaryRow",
                format!(
                    "field {i}: {len} bytes at offset {offset} run past the row's {} bytes",
                    self.bytes.len()
                ),
            )),
        }
    }

    /// Bytes of a string/binary field: inline (≤ 7 bytes) or in the variable part.
    fn var_bytes(&self, i: usize) -> Result<&[u8]> {
        let slot = self.slot(i)?;
        if slot & (0x80 << 56) != 0 {
            let len = ((slot >> 56) & 0x7f) as usize;
            if len > 7 {
                return Err(Error::corrupt(
                    "BinaryRow",
                    format!("field {i}: inline length {len} > 7"),
                ));
            }
            let at = header_size(self.arity) + 8 * i;
            Ok(&self.bytes[at..at + len])
        } else {
            self.var_part(i, slot >> 32, slot & 0xffff_ffff)
        }
    }

    /// Decodes field `i` as type `t`.
    pub fn get(&self, i: usize, t: &DataType) -> Result<Datum> {
        if i >= self.arity {
            return Err(Error::corrupt(
                "BinaryRow",
                format!("field {i} of a row with arity {}", self.arity),
            ));
        }
        if self.is_null_at(i) {
            return Ok(Datum::Null);
        }
        let slot = self.slot(i)?;
        Ok(match &t.kind {
            TypeKind::Boolean => Datum::Boolean(slot as u8 != 0),
            TypeKind::TinyInt => Datum::TinyInt(slot as u8 as i8),
            TypeKind::SmallInt => Datum::SmallInt(slot as u16 as i16),
            TypeKind::Int => Datum::Int(slot as u32 as i32),
            TypeKind::Date => Datum::Date(slot as u32 as i32),
            TypeKind::Time(_) => Datum::Time(slot as u32 as i32),
            TypeKind::BigInt => Datum::BigInt(slot as i64),
            TypeKind::Float => Datum::Float(f32::from_bits(slot as u32)),
            TypeKind::Double => Datum::Double(f64::from_bits(slot)),
            TypeKind::Char(_) | TypeKind::VarChar(_) => {
                let b = self.var_bytes(i)?;
                Datum::String(String::from_utf8(b.to_vec()).map_err(|_| {
                    Error::corrupt("BinaryRow", format!("field {i}: string is not UTF-8"))
                })?)
            }
            TypeKind::Binary(_) | TypeKind::VarBinary(_) | TypeKind::Blob => {
                Datum::Binary(self.var_bytes(i)?.to_vec())
            }
            TypeKind::Decimal { precision, .. } if *precision <= MAX_COMPACT_DECIMAL_PRECISION => {
                Datum::Decimal(i128::from(slot as i64))
            }
            TypeKind::Decimal { .. } => {
                let len = slot & 0xffff_ffff;
                if len == 0 || len > 16 {
                    return Err(Error::corrupt(
                        "BinaryRow",
                        format!("field {i}: decimal of {len} bytes (1..=16 expected)"),
                    ));
                }
                Datum::Decimal(from_be_twos_complement(self.var_part(
                    i,
                    slot >> 32,
                    len,
                )?))
            }
            TypeKind::Timestamp(p) | TypeKind::LocalZonedTimestamp(p)
                if *p <= MAX_COMPACT_TIMESTAMP_PRECISION =>
            {
                Datum::Timestamp(Timestamp {
                    millis: slot as i64,
                    nano_of_milli: 0,
                })
            }
            TypeKind::Timestamp(_) | TypeKind::LocalZonedTimestamp(_) => {
                let nano = (slot & 0xffff_ffff) as i32;
                if !(0..1_000_000).contains(&nano) {
                    return Err(Error::corrupt(
                        "BinaryRow",
                        format!("field {i}: nano-of-millisecond {nano} out of range"),
                    ));
                }
                let b = self.var_part(i, slot >> 32, 8)?;
                let Some(millis) = b.first_chunk::<8>() else {
                    return Err(Error::corrupt(
                        "BinaryRow",
                        format!("field {i}: timestamp of {} bytes, not 8", b.len()),
                    ));
                };
                Datum::Timestamp(Timestamp {
                    millis: i64::from_le_bytes(*millis),
                    nano_of_milli: nano,
                })
            }
            _ => {
                return Err(Error::unsupported(
                    "BinaryRow",
                    format!("decoding nested type {t} (field {i})"),
                ))
            }
        })
    }

    /// Decodes every field; `types` must have one type per field.
    pub fn decode(&self, types: &[DataType]) -> Result<Vec<Datum>> {
        if types.len() != self.arity {
            return Err(Error::corrupt(
                "BinaryRow",
                format!(
                    "arity {} but {} field types expected",
                    self.arity,
                    types.len()
                ),
            ));
        }
        types
            .iter()
            .enumerate()
            .map(|(i, t)| self.get(i, t))
            .collect()
    }

    /// Java's `BinaryRow.hashCode()`: Murmur3 over the row bytes with seed 42.
    pub fn hash_code(&self) -> i32 {
        murmur_hash_words(&self.bytes)
    }
}

/// Minimal big-endian two's complement, as Java's `BigInteger.toByteArray`.
pub fn to_be_twos_complement(v: i128) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 15 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0x00 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// Inverse of [`to_be_twos_complement`] for 1..=16 bytes.
pub fn from_be_twos_complement(b: &[u8]) -> i128 {
    let fill = if b.first().is_some_and(|x| x & 0x80 != 0) {
        0xff
    } else {
        0
    };
    let mut full = [fill; 16];
    full[16 - b.len()..].copy_from_slice(b);
    i128::from_be_bytes(full)
}

/// Builds a BinaryRow field by field.
struct Writer {
    arity: usize,
    fixed: usize,
    bytes: Vec<u8>,
}

impl Writer {
    fn new(arity: usize) -> Self {
        let fixed = header_size(arity) + 8 * arity;
        Writer {
            arity,
            fixed,
            bytes: vec![0; fixed],
        }
    }

    fn slot_at(&self, i: usize) -> usize {
        header_size(self.arity) + 8 * i
    }

    fn set_slot(&mut self, i: usize, v: u64) {
        let at = self.slot_at(i);
        self.bytes[at..at + 8].copy_from_slice(&v.to_le_bytes());
    }

    fn set_null(&mut self, i: usize) {
        let bit = i + 8;
        self.bytes[bit / 8] |= 1 << (bit % 8);
    }

    /// Appends `data` to the variable part, padded to a word; returns its offset.
    fn append(&mut self, data: &[u8], reserve: usize) -> u64 {
        let offset = self.bytes.len();
        let size = round_to_word(data.len().max(reserve));
        self.bytes.resize(offset + size, 0);
        self.bytes[offset..offset + data.len()].copy_from_slice(data);
        offset as u64
    }

    fn write_var(&mut self, i: usize, data: &[u8]) {
        if data.len() <= 7 {
            let mut slot = [0u8; 8];
            slot[..data.len()].copy_from_slice(data);
            slot[7] = 0x80 | data.len() as u8;
            let at = self.slot_at(i);
            self.bytes[at..at + 8].copy_from_slice(&slot);
        } else {
            let offset = self.append(data, 0);
            self.set_slot(i, (offset << 32) | data.len() as u64);
        }
    }

    fn write(&mut self, i: usize, t: &DataType, v: &Datum) -> Result<()> {
        let mismatch = || Error::InvalidValue(format!("field {i}: {v} is not a {t}"));
        match (&t.kind, v) {
            (TypeKind::Decimal { precision, .. }, Datum::Null)
                if *precision > MAX_COMPACT_DECIMAL_PRECISION =>
            {
                self.set_null(i);
                let offset = self.append(&[], 16);
                self.set_slot(i, offset << 32);
            }
            (TypeKind::Timestamp(p) | TypeKind::LocalZonedTimestamp(p), Datum::Null)
                if *p > MAX_COMPACT_TIMESTAMP_PRECISION =>
            {
                self.set_null(i);
                let offset = self.append(&[], 8);
                self.set_slot(i, offset << 32);
            }
            (_, Datum::Null) => {
                if !t.nullable {
                    // Java would write it anyway; we refuse a null in a NOT NULL field.
                    return Err(Error::InvalidValue(format!("field {i}: null in {t}")));
                }
                self.set_null(i);
            }
            (TypeKind::Boolean, Datum::Boolean(b)) => self.set_slot(i, u64::from(*b)),
            (TypeKind::TinyInt, Datum::TinyInt(x)) => self.set_slot(i, *x as u8 as u64),
            (TypeKind::SmallInt, Datum::SmallInt(x)) => self.set_slot(i, *x as u16 as u64),
            (TypeKind::Int, Datum::Int(x))
            | (TypeKind::Date, Datum::Date(x))
            | (TypeKind::Time(_), Datum::Time(x)) => self.set_slot(i, *x as u32 as u64),
            (TypeKind::BigInt, Datum::BigInt(x)) => self.set_slot(i, *x as u64),
            (TypeKind::Float, Datum::Float(x)) => self.set_slot(i, u64::from(x.to_bits())),
            (TypeKind::Double, Datum::Double(x)) => self.set_slot(i, x.to_bits()),
            (TypeKind::Char(_) | TypeKind::VarChar(_), Datum::String(s)) => {
                self.write_var(i, s.as_bytes())
            }
            (TypeKind::Binary(_) | TypeKind::VarBinary(_) | TypeKind::Blob, Datum::Binary(b)) => {
                self.write_var(i, b)
            }
            (TypeKind::Decimal { precision, .. }, Datum::Decimal(u)) => {
                if u.unsigned_abs() >= 10u128.pow(u32::from(*precision)) {
                    return Err(Error::InvalidValue(format!(
                        "field {i}: unscaled {u} has more than {precision} digits"
                    )));
                }
                if *precision <= MAX_COMPACT_DECIMAL_PRECISION {
                    self.set_slot(i, *u as i64 as u64);
                } else {
                    let b = to_be_twos_complement(*u);
                    let offset = self.append(&b, 16);
                    self.set_slot(i, (offset << 32) | b.len() as u64);
                }
            }
            (TypeKind::Timestamp(p) | TypeKind::LocalZonedTimestamp(p), Datum::Timestamp(ts)) => {
                if !(0..1_000_000).contains(&ts.nano_of_milli) {
                    return Err(mismatch());
                }
                if *p <= MAX_COMPACT_TIMESTAMP_PRECISION {
                    self.set_slot(i, ts.millis as u64);
                } else {
                    let offset = self.append(&ts.millis.to_le_bytes(), 8);
                    self.set_slot(i, (offset << 32) | ts.nano_of_milli as u32 as u64);
                }
            }
            _ => return Err(mismatch()),
        }
        Ok(())
    }

    fn finish(self) -> BinaryRow {
        debug_assert!(self.bytes.len() >= self.fixed);
        BinaryRow {
            arity: self.arity,
            bytes: self.bytes,
        }
    }
}

#[cfg(test)]
mod tests;
