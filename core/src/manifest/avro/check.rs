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
///
/// Paimon Java writes the top-level schema as a nullable union, `["null", record]`, which
/// arrow-avro cannot decode: such a file comes back as plain records (each record's union
/// index dropped, a null record refused), with the record as its schema.
pub(crate) fn checked_uncompressed(
    data: &[u8],
    file: &str,
) -> Result<(Vec<u8>, serde_json::Value)> {
    let mut blocks: Vec<u8> = Vec::with_capacity(data.len());
    let mut unwrapped: Option<usize> = None;
    let header = walk_container(data, file, |h, count, block| {
        put_long(&mut blocks, count as i64);
        match top_level_record(&h.schema, &h.named) {
            None => {
                each_record(&block, count, file, |c| skip(&h.schema, &h.named, c, 0))?;
                put_long(&mut blocks, block.len() as i64);
                blocks.extend_from_slice(&block);
            }
            Some((branch, record)) => {
                unwrapped = Some(branch);
                let mut plain = Vec::with_capacity(block.len());
                each_record(&block, count, file, |c| {
                    let i = c.long()?;
                    if usize::try_from(i).ok() != Some(branch) {
                        return Err(c.err(format!("top-level union branch {i}, not the record")));
                    }
                    let start = c.pos;
                    skip(record, &h.named, c, 1)?;
                    plain.extend_from_slice(&c.data[start..c.pos]);
                    Ok(())
                })?;
                put_long(&mut blocks, plain.len() as i64);
                blocks.extend_from_slice(&plain);
            }
        }
        blocks.extend_from_slice(&h.sync);
        Ok(())
    })?;
    let (schema_text, schema_json) = match unwrapped {
        None => (header.schema_text.clone(), header.schema_json.clone()),
        Some(branch) => {
            let record = header.schema_json[branch].clone();
            (record.to_string().into_bytes(), record)
        }
    };
    let mut out = Vec::with_capacity(blocks.len() + schema_text.len() + 64);
    out.extend_from_slice(MAGIC);
    put_long(&mut out, 2);
    for (key, value) in [
        (&b"avro.schema"[..], &schema_text[..]),
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
    Ok((out, schema_json))
}

/// For a top-level `["null", record]` union (as Paimon Java writes it), the record's branch
/// and schema.
fn top_level_record<'s>(
    schema: &'s AvroSchema,
    named: &'s [AvroSchema],
) -> Option<(usize, &'s AvroSchema)> {
    let AvroSchema::Union(variants) = schema else {
        return None;
    };
    let [AvroSchema::Null, record] = variants.as_slice() else {
        return None;
    };
    let resolved = match record {
        AvroSchema::Named(i) => named.get(*i)?,
        other => other,
    };
    matches!(resolved, AvroSchema::Record(_)).then_some((1, resolved))
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
            let (_, v) = c.branch(variants)?;
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
