//! Avro data files checked for a decoder that trusts them (arrow-avro): every block proven to
//! hold exactly its stated records by a walk that builds no values, then re-framed
//! uncompressed.

use super::{decode_blocks, each_record, walk_container, Cursor, MAGIC};
use crate::manifest::avro_schema::{AvroSchema, MAX_DEPTH};
use crate::Result;

/// Checks a container file for a decoder that trusts it: every block decompressed within
/// [`MAX_BLOCK_BYTES`](super::MAX_BLOCK_BYTES) and holding exactly its stated number of records of the writer schema,
/// every length and count within the bytes that remain. Returns the same records as an
/// uncompressed container file, and the writer schema.
pub(crate) fn checked_uncompressed(
    data: &[u8],
    file: &str,
) -> Result<(Vec<u8>, serde_json::Value)> {
    let mut blocks: Vec<u8> = Vec::with_capacity(data.len());
    let header = walk_container(data, file, |h, count, block| {
        each_record(&block, count, file, |c| skip(&h.schema, &h.named, c, 0))?;
        put_long(&mut blocks, count as i64);
        put_long(&mut blocks, block.len() as i64);
        blocks.extend_from_slice(&block);
        blocks.extend_from_slice(&h.sync);
        Ok(())
    })?;
    let mut out = Vec::with_capacity(blocks.len() + header.schema_text.len() + 64);
    out.extend_from_slice(MAGIC);
    put_long(&mut out, 2);
    for (key, value) in [
        (&b"avro.schema"[..], &header.schema_text[..]),
        (b"avro.codec", b"null"),
    ] {
        put_long(&mut out, key.len() as i64);
        out.extend_from_slice(key);
        put_long(&mut out, value.len() as i64);
        out.extend_from_slice(value);
    }
    put_long(&mut out, 0);
    out.extend_from_slice(&header.sync);
    out.extend_from_slice(&blocks);
    Ok((out, header.schema_json))
}

/// Appends `v` as an Avro (zig-zag varint) long.
fn put_long(out: &mut Vec<u8>, v: i64) {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8 & 0x7f) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

/// Steps over one datum of `schema`, with [`decode`]'s checks but no values built.
fn skip(schema: &AvroSchema, named: &[AvroSchema], c: &mut Cursor<'_>, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(c.err("datum nested too deeply"));
    }
    match schema {
        AvroSchema::Null => {}
        AvroSchema::Boolean => {
            if c.take(1)?[0] > 1 {
                return Err(c.err("boolean byte above 1"));
            }
        }
        AvroSchema::Int => {
            let v = c.long()?;
            i32::try_from(v).map_err(|_| c.err(format!("int {v} out of range")))?;
        }
        AvroSchema::Long | AvroSchema::Enum(_) => {
            c.long()?;
        }
        AvroSchema::Float => {
            c.take(4)?;
        }
        AvroSchema::Double => {
            c.take(8)?;
        }
        AvroSchema::Bytes => {
            let n = c.len("bytes length")?;
            c.take(n)?;
        }
        AvroSchema::String => {
            let n = c.len("string length")?;
            std::str::from_utf8(c.take(n)?).map_err(|_| c.err("string is not UTF-8"))?;
        }
        AvroSchema::Fixed(n) => {
            c.take(*n)?;
        }
        AvroSchema::Union(variants) => {
            let i = c.long()?;
            let v = usize::try_from(i)
                .ok()
                .and_then(|i| variants.get(i))
                .ok_or_else(|| c.err(format!("union index {i} out of range")))?;
            skip(v, named, c, depth + 1)?;
        }
        AvroSchema::Record(fields) => {
            for (_, s) in fields {
                skip(s, named, c, depth + 1)?;
            }
        }
        AvroSchema::Array(items) => decode_blocks(c, |c| skip(items, named, c, depth + 1))?,
        AvroSchema::Map(values) => decode_blocks(c, |c| {
            let n = c.len("map key length")?;
            std::str::from_utf8(c.take(n)?).map_err(|_| c.err("map key is not UTF-8"))?;
            skip(values, named, c, depth + 1)
        })?,
        AvroSchema::Named(i) => skip(&named[*i], named, c, depth + 1)?,
    }
    Ok(())
}
