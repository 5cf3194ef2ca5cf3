//! Avro object container files, read defensively.
//!
//! Manifests are untrusted input. Strata parses the container itself (header, blocks, sync
//! markers), decompresses each block with a size bound (`null`, `deflate`, `snappy`,
//! `zstandard`), and walks every datum against the writer schema checking each length and count
//! against the bytes that remain *before* `apache-avro` decodes it, so no allocation is ever
//! sized by an unchecked length. Writing uses `apache-avro`'s writer.

use std::collections::HashMap;
use std::io::Read;

use apache_avro::types::Value;
use apache_avro::Schema;

use super::avro_schema::{AvroSchema, SchemaParser, MAX_DEPTH};
use crate::{Error, Result};

#[cfg(feature = "avro")]
mod check;
#[cfg(feature = "avro")]
pub(crate) use check::checked_uncompressed;

/// The largest decompressed block accepted (Paimon's manifests roll at 8 MiB).
pub const MAX_BLOCK_BYTES: usize = 64 << 20;
const MAGIC: &[u8; 4] = b"Obj\x01";

/// The compression codecs Paimon writes manifests with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AvroCodec {
    /// No compression.
    Null,
    /// Raw deflate.
    Deflate,
    /// Snappy with a CRC32 per block.
    Snappy,
    /// Zstandard (Paimon's default, option value `zstd`).
    Zstandard,
}

impl AvroCodec {
    /// The codec for a `manifest.compression` option value (`zstd`, `snappy`, `deflate`, `none`).
    pub fn from_option(value: &str) -> Result<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "zstd" | "zstandard" => Ok(AvroCodec::Zstandard),
            "snappy" => Ok(AvroCodec::Snappy),
            "deflate" => Ok(AvroCodec::Deflate),
            "null" | "none" | "uncompressed" => Ok(AvroCodec::Null),
            other => Err(Error::unsupported(
                "manifest.compression",
                format!("codec {other:?} (supported: zstd, snappy, deflate, none)"),
            )),
        }
    }

    fn from_header(name: &str, file: &str) -> Result<Self> {
        match name {
            "null" => Ok(AvroCodec::Null),
            "deflate" => Ok(AvroCodec::Deflate),
            "snappy" => Ok(AvroCodec::Snappy),
            "zstandard" => Ok(AvroCodec::Zstandard),
            other => Err(Error::unsupported(file, format!("Avro codec {other:?}"))),
        }
    }

    fn to_avro(self) -> apache_avro::Codec {
        match self {
            AvroCodec::Null => apache_avro::Codec::Null,
            AvroCodec::Deflate => apache_avro::Codec::Deflate(Default::default()),
            AvroCodec::Snappy => apache_avro::Codec::Snappy,
            AvroCodec::Zstandard => {
                apache_avro::Codec::Zstandard(apache_avro::ZstandardSettings::new(1))
            }
        }
    }
}

/// A decoded container file: its writer schema, codec and records.
#[derive(Debug)]
pub struct AvroFile {
    /// The writer schema from the header, as JSON.
    pub schema: serde_json::Value,
    /// The codec from the header.
    pub codec: AvroCodec,
    /// Every record, in order.
    pub records: Vec<Value>,
}

/// A cursor over untrusted bytes that reports errors against a file.
struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    file: &'a str,
}

impl<'a> Cursor<'a> {
    fn err(&self, what: impl std::fmt::Display) -> Error {
        Error::corrupt(self.file, format!("{what} (at byte {})", self.pos))
    }

    fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(self.err(format!(
                "length {n} runs past the end ({} bytes left)",
                self.remaining()
            )));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// The next `N` bytes, as an array.
    fn take_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.take(N)?;
        s.try_into()
            .map_err(|_| self.err(format!("expected {N} bytes, got {}", s.len())))
    }

    /// Reads a union's branch index: the index and the branch's schema.
    fn branch<'s>(&mut self, variants: &'s [AvroSchema]) -> Result<(i64, &'s AvroSchema)> {
        let i = self.long()?;
        usize::try_from(i)
            .ok()
            .and_then(|i| variants.get(i))
            .map(|v| (i, v))
            .ok_or_else(|| self.err(format!("union index {i} out of range")))
    }

    fn long(&mut self) -> Result<i64> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = *self
                .data
                .get(self.pos)
                .ok_or_else(|| self.err("varint runs past the end"))?;
            self.pos += 1;
            if shift == 63 && b > 1 {
                return Err(self.err("varint overflows 64 bits"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok((v >> 1) as i64 ^ -((v & 1) as i64));
            }
        }
        Err(self.err("varint longer than 10 bytes"))
    }

    /// A length or count: non-negative and at most the bytes left times `per_byte`.
    fn len(&mut self, what: &str) -> Result<usize> {
        let n = self.long()?;
        if n < 0 || n as u64 > self.remaining() as u64 {
            return Err(self.err(format!(
                "{what} {n} is negative or larger than the {} bytes left",
                self.remaining()
            )));
        }
        Ok(n as usize)
    }
}

/// A container file's header, as parsed before its blocks.
pub(crate) struct Header {
    /// The writer schema's JSON text.
    #[cfg_attr(not(feature = "avro"), allow(dead_code))]
    schema_text: Vec<u8>,
    schema_json: serde_json::Value,
    schema: AvroSchema,
    named: Vec<AvroSchema>,
    codec: AvroCodec,
    #[cfg_attr(not(feature = "avro"), allow(dead_code))]
    sync: [u8; 16],
}

/// Parses a container file's header, then hands each block to `on_block`: its record count
/// and its bytes, decompressed within [`MAX_BLOCK_BYTES`], with the count bounded by them and
/// the block's sync marker checked. Returns the header.
fn walk_container(
    data: &[u8],
    file: &str,
    mut on_block: impl FnMut(&Header, usize, Vec<u8>) -> Result<()>,
) -> Result<Header> {
    let mut c = Cursor { data, pos: 0, file };
    if c.take(4).ok() != Some(&MAGIC[..]) {
        return Err(Error::corrupt(
            file,
            "not an Avro container file (bad magic)",
        ));
    }
    let mut meta: HashMap<String, Vec<u8>> = HashMap::new();
    loop {
        let mut count = c.long()?;
        if count == 0 {
            break;
        }
        if count < 0 {
            count = count
                .checked_neg()
                .ok_or_else(|| c.err("header block count overflow"))?;
            c.long()?; // block byte size, unused
        }
        if count as u64 > c.remaining() as u64 {
            return Err(c.err(format!("header map of {count} entries")));
        }
        for _ in 0..count {
            let klen = c.len("metadata key length")?;
            let key = String::from_utf8(c.take(klen)?.to_vec())
                .map_err(|_| c.err("metadata key is not UTF-8"))?;
            let vlen = c.len("metadata value length")?;
            meta.insert(key, c.take(vlen)?.to_vec());
        }
    }
    let sync: [u8; 16] = c.take_array()?;
    let schema_text = meta
        .remove("avro.schema")
        .ok_or_else(|| Error::corrupt(file, "header has no avro.schema"))?;
    let schema_json: serde_json::Value = serde_json::from_slice(&schema_text)
        .map_err(|e| Error::corrupt(file, format!("avro.schema is not JSON: {e}")))?;
    let mut parser = SchemaParser {
        names: HashMap::new(),
        named: Vec::new(),
    };
    let schema = parser
        .parse(&schema_json, "", 0)
        .map_err(|e| Error::corrupt(file, format!("invalid writer schema: {e}")))?;
    let named: Vec<AvroSchema> = parser
        .named
        .into_iter()
        .map(|s| s.unwrap_or(AvroSchema::Null))
        .collect();
    let codec = match meta.get("avro.codec") {
        None => AvroCodec::Null,
        Some(name) => AvroCodec::from_header(&String::from_utf8_lossy(name), file)?,
    };
    let header = Header {
        schema_text,
        schema_json,
        schema,
        named,
        codec,
        sync,
    };
    while c.remaining() > 0 {
        let count = c.long()?;
        let size = c.len("block size")?;
        let block_start = c.pos;
        let raw = c.take(size)?;
        let block = decompress(codec, raw, file, block_start)?;
        if count < 0 || count as u64 > block.len() as u64 {
            return Err(Error::corrupt(
                file,
                format!(
                    "block at byte {block_start} claims {count} records in {} bytes",
                    block.len()
                ),
            ));
        }
        if c.take(16)? != sync {
            return Err(c.err("sync marker does not match the header's"));
        }
        on_block(&header, count as usize, block)?;
    }
    Ok(header)
}

/// Parses a container file and decodes every record.
pub fn read_container(data: &[u8], file: &str) -> Result<AvroFile> {
    let mut records = Vec::new();
    let header = walk_container(data, file, |h, count, block| {
        each_record(&block, count, file, |c| {
            records.push(decode(&h.schema, &h.named, c, 0)?);
            Ok(())
        })
    })?;
    Ok(AvroFile {
        schema: header.schema_json,
        codec: header.codec,
        records,
    })
}

/// Runs `record` over each of a block's `count` records; they must fill it exactly.
fn each_record(
    block: &[u8],
    count: usize,
    file: &str,
    mut record: impl FnMut(&mut Cursor<'_>) -> Result<()>,
) -> Result<()> {
    let mut c = Cursor {
        data: block,
        pos: 0,
        file,
    };
    for _ in 0..count {
        record(&mut c)?;
    }
    match c.remaining() {
        0 => Ok(()),
        n => Err(Error::corrupt(
            file,
            format!("{n} stray bytes after the block's records"),
        )),
    }
}

fn decompress(codec: AvroCodec, raw: &[u8], file: &str, at: usize) -> Result<Vec<u8>> {
    let bad = |what: String| Error::corrupt(file, format!("block at byte {at}: {what}"));
    match codec {
        AvroCodec::Null => Ok(raw.to_vec()),
        AvroCodec::Deflate => {
            miniz_oxide::inflate::decompress_to_vec_with_limit(raw, MAX_BLOCK_BYTES)
                .map_err(|e| bad(format!("deflate: {e:?} (corrupt, or over the size limit)")))
        }
        AvroCodec::Snappy => {
            if raw.len() < 4 {
                return Err(bad("snappy block shorter than its CRC".into()));
            }
            let (body, crc) = raw.split_at(raw.len() - 4);
            let n = snap::raw::decompress_len(body).map_err(|e| bad(format!("snappy: {e}")))?;
            if n > MAX_BLOCK_BYTES {
                return Err(bad(format!(
                    "snappy block of {n} bytes exceeds the size limit"
                )));
            }
            let out = snap::raw::Decoder::new()
                .decompress_vec(body)
                .map_err(|e| bad(format!("snappy: {e}")))?;
            if crc32fast::hash(&out).to_be_bytes() != crc {
                return Err(bad("snappy CRC mismatch".into()));
            }
            Ok(out)
        }
        AvroCodec::Zstandard => {
            let mut out = Vec::new();
            let decoder =
                zstd::stream::read::Decoder::new(raw).map_err(|e| bad(format!("zstd: {e}")))?;
            decoder
                .take(MAX_BLOCK_BYTES as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| bad(format!("zstd: {e}")))?;
            if out.len() > MAX_BLOCK_BYTES {
                return Err(bad("zstd block exceeds the size limit".into()));
            }
            Ok(out)
        }
    }
}

/// Decodes one datum of `schema`, checking every length, count and index against the bytes
/// that remain before allocating.
fn decode(
    schema: &AvroSchema,
    named: &[AvroSchema],
    c: &mut Cursor<'_>,
    depth: usize,
) -> Result<Value> {
    if depth > MAX_DEPTH {
        return Err(c.err("datum nested too deeply"));
    }
    Ok(match schema {
        AvroSchema::Null => Value::Null,
        AvroSchema::Boolean => match c.take(1)?[0] {
            0 => Value::Boolean(false),
            1 => Value::Boolean(true),
            b => return Err(c.err(format!("boolean byte {b}"))),
        },
        AvroSchema::Int => {
            let v = c.long()?;
            Value::Int(i32::try_from(v).map_err(|_| c.err(format!("int {v} out of range")))?)
        }
        AvroSchema::Long => Value::Long(c.long()?),
        AvroSchema::Float => Value::Float(f32::from_le_bytes(c.take_array()?)),
        AvroSchema::Double => Value::Double(f64::from_le_bytes(c.take_array()?)),
        AvroSchema::Bytes => {
            let n = c.len("bytes length")?;
            Value::Bytes(c.take(n)?.to_vec())
        }
        AvroSchema::String => {
            let n = c.len("string length")?;
            let b = c.take(n)?;
            Value::String(
                std::str::from_utf8(b)
                    .map_err(|_| c.err("string is not UTF-8"))?
                    .to_string(),
            )
        }
        AvroSchema::Fixed(n) => Value::Fixed(*n, c.take(*n)?.to_vec()),
        AvroSchema::Enum(symbols) => {
            let i = c.long()?;
            let s = usize::try_from(i)
                .ok()
                .and_then(|i| symbols.get(i))
                .ok_or_else(|| c.err(format!("enum index {i} out of range")))?;
            Value::Enum(i as u32, s.clone())
        }
        AvroSchema::Union(variants) => {
            let (i, v) = c.branch(variants)?;
            Value::Union(i as u32, Box::new(decode(v, named, c, depth + 1)?))
        }
        AvroSchema::Record(fields) => Value::Record(
            fields
                .iter()
                .map(|(n, s)| Ok((n.clone(), decode(s, named, c, depth + 1)?)))
                .collect::<Result<_>>()?,
        ),
        AvroSchema::Array(items) => {
            let mut out = Vec::new();
            decode_blocks(c, |c| {
                out.push(decode(items, named, c, depth + 1)?);
                Ok(())
            })?;
            Value::Array(out)
        }
        AvroSchema::Map(values) => {
            let mut out = HashMap::new();
            decode_blocks(c, |c| {
                let n = c.len("map key length")?;
                let k = String::from_utf8(c.take(n)?.to_vec())
                    .map_err(|_| c.err("map key is not UTF-8"))?;
                out.insert(k, decode(values, named, c, depth + 1)?);
                Ok(())
            })?;
            Value::Map(out)
        }
        AvroSchema::Named(i) => decode(&named[*i], named, c, depth + 1)?,
    })
}

fn decode_blocks(
    c: &mut Cursor<'_>,
    mut item: impl FnMut(&mut Cursor<'_>) -> Result<()>,
) -> Result<()> {
    loop {
        let mut count = c.long()?;
        if count == 0 {
            return Ok(());
        }
        if count < 0 {
            count = count
                .checked_neg()
                .ok_or_else(|| c.err("block count overflow"))?;
            c.len("block byte size")?;
        }
        // Items of zero bytes (null) are possible, so the count alone cannot be bounded by the
        // bytes left; items are appended one by one and never pre-allocated.
        if count as u64 > (c.remaining() as u64).saturating_mul(8).max(64) {
            return Err(c.err(format!("block of {count} items in {} bytes", c.remaining())));
        }
        for _ in 0..count {
            item(c)?;
        }
    }
}

/// Writes `records` of `schema` as a container file with `codec`.
pub fn write_container(schema: &Schema, codec: AvroCodec, records: Vec<Value>) -> Result<Vec<u8>> {
    let fail = |e: apache_avro::Error| Error::InvalidValue(format!("writing Avro: {e}"));
    let mut w = apache_avro::Writer::with_codec(schema, Vec::new(), codec.to_avro());
    for r in records {
        w.append(r).map_err(fail)?;
    }
    w.into_inner().map_err(fail)
}

/// Read access to a decoded record by field name, with errors naming the file and field.
pub(crate) struct Rec<'a> {
    fields: &'a [(String, Value)],
    file: &'a str,
}

/// Strips a union wrapper.
fn unwrap_union(v: &Value) -> &Value {
    match v {
        Value::Union(_, inner) => inner,
        other => other,
    }
}

impl<'a> Rec<'a> {
    /// Views `v` (possibly a nullable-union root) as a record.
    pub(crate) fn new(v: &'a Value, file: &'a str) -> Result<Self> {
        match unwrap_union(v) {
            Value::Record(fields) => Ok(Rec { fields, file }),
            other => Err(Error::corrupt(
                file,
                format!("expected a record, got {other:?}"),
            )),
        }
    }

    fn err(&self, field: &str, what: &str) -> Error {
        Error::corrupt(self.file, format!("field {field}: {what}"))
    }

    /// The field's value, `None` if absent or null.
    pub(crate) fn opt(&self, name: &str) -> Option<&'a Value> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| unwrap_union(v))
            .filter(|v| !matches!(v, Value::Null))
    }

    fn req(&self, name: &str) -> Result<&'a Value> {
        self.opt(name)
            .ok_or_else(|| self.err(name, "missing or null"))
    }

    pub(crate) fn opt_long(&self, name: &str) -> Result<Option<i64>> {
        match self.opt(name) {
            None => Ok(None),
            Some(Value::Long(v))
            | Some(Value::TimestampMillis(v))
            | Some(Value::LocalTimestampMillis(v)) => Ok(Some(*v)),
            Some(Value::Int(v)) => Ok(Some(i64::from(*v))),
            Some(_) => Err(self.err(name, "not a long")),
        }
    }

    pub(crate) fn long(&self, name: &str) -> Result<i64> {
        self.opt_long(name)?
            .ok_or_else(|| self.err(name, "missing or null"))
    }

    pub(crate) fn opt_int(&self, name: &str) -> Result<Option<i32>> {
        match self.opt(name) {
            None => Ok(None),
            Some(Value::Int(v)) => Ok(Some(*v)),
            Some(Value::Long(v)) => i32::try_from(*v)
                .map(Some)
                .map_err(|_| self.err(name, "out of int range")),
            Some(_) => Err(self.err(name, "not an int")),
        }
    }

    pub(crate) fn int(&self, name: &str) -> Result<i32> {
        self.opt_int(name)?
            .ok_or_else(|| self.err(name, "missing or null"))
    }

    pub(crate) fn opt_string(&self, name: &str) -> Result<Option<String>> {
        match self.opt(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.err(name, "not a string")),
        }
    }

    pub(crate) fn string(&self, name: &str) -> Result<String> {
        self.opt_string(name)?
            .ok_or_else(|| self.err(name, "missing or null"))
    }

    pub(crate) fn opt_bytes(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self.opt(name) {
            None => Ok(None),
            Some(Value::Bytes(b)) | Some(Value::Fixed(_, b)) => Ok(Some(b.clone())),
            Some(_) => Err(self.err(name, "not bytes")),
        }
    }

    pub(crate) fn bytes(&self, name: &str) -> Result<Vec<u8>> {
        self.opt_bytes(name)?
            .ok_or_else(|| self.err(name, "missing or null"))
    }

    pub(crate) fn record(&self, name: &str) -> Result<Rec<'a>> {
        Rec::new(self.req(name)?, self.file)
    }

    pub(crate) fn opt_record(&self, name: &str) -> Result<Option<Rec<'a>>> {
        self.opt(name).map(|v| Rec::new(v, self.file)).transpose()
    }

    pub(crate) fn opt_array(&self, name: &str) -> Result<Option<&'a [Value]>> {
        match self.opt(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(_) => Err(self.err(name, "not an array")),
        }
    }

    pub(crate) fn opt_strings(&self, name: &str) -> Result<Option<Vec<String>>> {
        let Some(items) = self.opt_array(name)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|v| match unwrap_union(v) {
                Value::String(s) => Ok(s.clone()),
                _ => Err(self.err(name, "array item is not a string")),
            })
            .collect::<Result<_>>()
            .map(Some)
    }

    /// An array of nullable longs (or ints).
    pub(crate) fn opt_nullable_longs(&self, name: &str) -> Result<Option<Vec<Option<i64>>>> {
        let Some(items) = self.opt_array(name)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|v| match unwrap_union(v) {
                Value::Null => Ok(None),
                Value::Long(x) => Ok(Some(*x)),
                Value::Int(x) => Ok(Some(i64::from(*x))),
                _ => Err(self.err(name, "array item is not a long")),
            })
            .collect::<Result<_>>()
            .map(Some)
    }
}

/// Builders for the values written.
pub(crate) mod val {
    use apache_avro::types::Value;

    /// A nullable union value: branch 0 is null, branch 1 the value.
    pub(crate) fn opt(v: Option<Value>) -> Value {
        match v {
            None => Value::Union(0, Box::new(Value::Null)),
            Some(v) => Value::Union(1, Box::new(v)),
        }
    }

    pub(crate) fn record(fields: Vec<(&str, Value)>) -> Value {
        Value::Record(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    pub(crate) fn strings(items: &[String]) -> Value {
        Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
    }
}
