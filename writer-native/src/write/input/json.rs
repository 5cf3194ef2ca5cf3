//! JSON lines input, one object per line. Each line is checked before arrow-json decodes it:
//! valid JSON, an object, each key a column (or nested field) of the table, no key twice, and
//! each number in an integer or decimal column exactly a value of that type. A whole number
//! written `1.0` or `1e3` is one; it is handed to arrow-json as plain digits. Rows of a batch
//! are consecutive lines (a blank line ends a batch), so a row's line is its batch's first
//! line plus its index, and every error names its line.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};

use arrow_array::RecordBatch;
use arrow_json::reader::Decoder;
use arrow_schema::{ArrowError, SchemaRef};
use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use strata_core::types::{DataField, DataType, TypeKind};
use strata_core::{Error, Result};

use super::exact::{clip, Exact};
use super::{arrow_message, unknown_column};

/// Lines per batch.
const BATCH: usize = 1024;

/// Batches of a JSON lines file, with the line of each batch's first row.
pub(super) struct JsonLines {
    path: String,
    reader: BufReader<Box<dyn Read + Send>>,
    /// Lines read so far.
    line: usize,
    fields: Vec<DataField>,
    /// Where each of `fields` is, by name.
    index: HashMap<String, usize>,
    extra: Vec<String>,
    ignore_unknown: bool,
    schema: SchemaRef,
    decoder: Decoder,
    done: bool,
}

impl JsonLines {
    /// Reads `file` as rows of `schema` (the table's `fields` and `extra` string columns).
    pub(super) fn new(
        path: &str,
        file: File,
        schema: SchemaRef,
        fields: &[DataField],
        extra: &[String],
        ignore_unknown: bool,
    ) -> Result<Self> {
        Self::over(
            path,
            0,
            Box::new(file),
            schema,
            fields,
            extra,
            ignore_unknown,
        )
    }

    /// Reads JSON lines from `source` as if they were lines `after + 1...` of `path`.
    pub(super) fn over(
        path: &str,
        after: usize,
        source: Box<dyn Read + Send>,
        schema: SchemaRef,
        fields: &[DataField],
        extra: &[String],
        ignore_unknown: bool,
    ) -> Result<Self> {
        Ok(JsonLines {
            path: path.to_string(),
            reader: BufReader::new(source),
            line: after,
            fields: fields.to_vec(),
            index: fields
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name.clone(), i))
                .collect(),
            extra: extra.to_vec(),
            ignore_unknown,
            decoder: decoder(&schema)?,
            schema,
            done: false,
        })
    }

    fn at(&self, line: usize, what: impl fmt::Display) -> Error {
        self.after(line, format!(": {what}"))
    }

    /// An error at `line`, `tail` following the line number (`: ...` or `, column ...`).
    fn after(&self, line: usize, tail: String) -> Error {
        Error::InvalidValue(format!("{}: line {line}{tail}", self.path))
    }

    /// The next batch of consecutive non-blank lines, checked and decoded.
    fn next_batch(&mut self) -> Result<Option<(usize, RecordBatch)>> {
        let mut chunk: Vec<u8> = Vec::new();
        let mut starts: Vec<usize> = Vec::new();
        let mut first = 0;
        while starts.len() < BATCH {
            // Each line is read onto the end of the chunk, and kept there if it has a row.
            let start = chunk.len();
            let n = self
                .reader
                .read_until(b'\n', &mut chunk)
                .map_err(|e| Error::InvalidValue(format!("{}: {e}", self.path)))?;
            if n == 0 {
                break;
            }
            self.line += 1;
            if self.line == 1 && chunk.starts_with("\u{feff}".as_bytes()) {
                chunk.drain(..3); // a byte-order mark
            }
            let text = std::str::from_utf8(&chunk[start..])
                .map_err(|_| self.at(self.line, "not UTF-8"))?;
            if text.trim_ascii().is_empty() {
                chunk.truncate(start);
                if starts.is_empty() {
                    continue;
                }
                break;
            }
            let rewritten = match self.check(text) {
                Ok(Cow::Borrowed(_)) => None,
                Ok(Cow::Owned(t)) => Some(t),
                Err(e) => return Err(self.after(self.line, e)),
            };
            if let Some(t) = rewritten {
                chunk.truncate(start);
                chunk.extend_from_slice(t.as_bytes());
            }
            if chunk.last() != Some(&b'\n') {
                chunk.push(b'\n');
            }
            if starts.is_empty() {
                first = self.line;
            }
            starts.push(start);
        }
        if starts.is_empty() {
            return Ok(None);
        }
        match decode(&mut self.decoder, &chunk) {
            Ok(Some(b)) => Ok(Some((first, b))),
            Ok(None) => Ok(None),
            Err(e) => {
                // Which line: decode them one at a time.
                for (i, &s) in starts.iter().enumerate() {
                    let end = starts.get(i + 1).copied().unwrap_or(chunk.len());
                    if let Err(e) = decode(&mut decoder(&self.schema)?, &chunk[s..end]) {
                        return Err(self.at(first + i, clip(&arrow_message(&e))));
                    }
                }
                let last = first + starts.len() - 1;
                Err(Error::InvalidValue(format!(
                    "{}: lines {first}-{last}: {}",
                    self.path,
                    clip(&arrow_message(&e))
                )))
            }
        }
    }

    /// Checks one line; returns it with inexactly written whole numbers rewritten as digits.
    /// Errors are what follows the line number in a message.
    fn check<'a>(&self, text: &'a str) -> std::result::Result<Cow<'a, str>, String> {
        let members: Members =
            serde_json::from_str(text).map_err(|e| format!(": {}", json_error(&e)))?;
        let mut edits = Vec::new();
        let base = text.as_ptr() as usize;
        // Names seen: compared in turn while few, hashed when many.
        let many = members.0.len() > 32;
        let mut seen = HashSet::with_capacity(if many { members.0.len() } else { 0 });
        for (i, (name, raw)) in members.0.iter().enumerate() {
            let path = Path::Column(name);
            let twice = match many {
                true => !seen.insert(name.as_ref()),
                false => members.0[..i].iter().any(|(n, _)| n == name),
            };
            if twice {
                return Err(format!(": column {path} appears twice"));
            }
            let column = match self.fields.len() {
                0..=16 => self.fields.iter().position(|f| f.name == *name),
                _ => self.index.get(name.as_ref()).copied(),
            };
            match column {
                Some(i) => {
                    let t = &self.fields[i].data_type;
                    self.check_value(raw, t, &path, base, &mut edits)?
                }
                None if self.extra.iter().any(|e| e == name) || self.ignore_unknown => {}
                None => {
                    let names = self.fields.iter().map(|f| f.name.as_str());
                    return Err(format!(": {}", unknown_column("column", name, names)));
                }
            }
        }
        if edits.is_empty() {
            return Ok(Cow::Borrowed(text));
        }
        edits.sort_by_key(|e| e.0);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, with) in edits {
            out.push_str(&text[at..start]);
            out.push_str(&with);
            at = end;
        }
        out.push_str(&text[at..]);
        Ok(Cow::Owned(out))
    }

    /// Checks a value of type `t`: numbers of integer and decimal types fit exactly (those
    /// arrow-json would not read exactly are queued in `edits` as plain digits), and nested
    /// fields are known. Arrow-json checks the rest.
    fn check_value(
        &self,
        raw: &RawValue,
        t: &DataType,
        path: &Path<'_>,
        base: usize,
        edits: &mut Vec<(usize, usize, String)>,
    ) -> std::result::Result<(), String> {
        let text = raw.get();
        let first = text.as_bytes().first().copied().unwrap_or(b'n');
        if first == b'n' {
            return Ok(());
        }
        match &t.kind {
            TypeKind::TinyInt
            | TypeKind::SmallInt
            | TypeKind::Int
            | TypeKind::BigInt
            | TypeKind::Decimal { .. } => {
                let exact = match t.kind {
                    TypeKind::TinyInt => Exact::Int(8),
                    TypeKind::SmallInt => Exact::Int(16),
                    TypeKind::Int => Exact::Int(32),
                    TypeKind::Decimal { precision, scale } => {
                        Exact::Decimal(precision, scale as i8)
                    }
                    _ => Exact::Int(64),
                };
                let number: Cow<str> = match first {
                    b'"' => serde_json::from_str(text)
                        .map_err(|e| format!(", column {path}: {}", json_error(&e)))?,
                    b'-' | b'0'..=b'9' => Cow::Borrowed(text),
                    _ => Cow::Borrowed(""),
                };
                let v = exact
                    .parse(&number, text)
                    .map_err(|m| format!(", column {path}: {m}"))?;
                if first == b'"' || !exact.reads_exactly(text) {
                    let start = text.as_ptr() as usize - base;
                    edits.push((start, start + text.len(), exact.plain(v)));
                }
            }
            TypeKind::Array(e) if first == b'[' => {
                let items: Vec<&RawValue> = serde_json::from_str(text)
                    .map_err(|e| format!(", column {path}: {}", json_error(&e)))?;
                for (i, item) in items.into_iter().enumerate() {
                    self.check_value(item, e, &Path::Index(path, i), base, edits)?;
                }
            }
            TypeKind::Map(_, v) if first == b'{' => {
                let m: Members = serde_json::from_str(text)
                    .map_err(|e| format!(", column {path}: {}", json_error(&e)))?;
                for (k, item) in &m.0 {
                    self.check_value(item, v, &Path::Key(path, k), base, edits)?;
                }
            }
            TypeKind::Row(fields) if first == b'{' => {
                let m: Members = serde_json::from_str(text)
                    .map_err(|e| format!(", column {path}: {}", json_error(&e)))?;
                for (k, item) in &m.0 {
                    match fields.iter().find(|f| &f.name == k) {
                        Some(f) => {
                            let p = Path::Field(path, k);
                            self.check_value(item, &f.data_type, &p, base, edits)?;
                        }
                        None if self.ignore_unknown => {}
                        None => {
                            let names = fields.iter().map(|f| f.name.as_str());
                            let name = format!("{path}.{k}");
                            return Err(format!(": {}", unknown_column("field", &name, names)));
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl Iterator for JsonLines {
    type Item = Result<(usize, RecordBatch)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_batch();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next.transpose()
    }
}

fn decoder(schema: &SchemaRef) -> Result<Decoder> {
    arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(BATCH + 1)
        .build_decoder()
        .map_err(|e| Error::InvalidValue(e.to_string()))
}

fn decode(
    decoder: &mut Decoder,
    mut bytes: &[u8],
) -> std::result::Result<Option<RecordBatch>, ArrowError> {
    while !bytes.is_empty() {
        let n = decoder.decode(bytes)?;
        if n == 0 {
            break;
        }
        bytes = &bytes[n..];
    }
    decoder.flush()
}

/// A JSON parse error without serde's position (always line 1 of the one line parsed).
fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => &msg,
    };
    match e.classify() {
        serde_json::error::Category::Data => clip(msg),
        _ => format!("invalid JSON: {} (at character {})", clip(msg), e.column()),
    }
}

/// Where a value sits: a column, and fields, elements or map values inside it.
enum Path<'a> {
    Column(&'a str),
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
    Key(&'a Path<'a>, &'a str),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Column(c) => f.write_str(&clip(c)),
            Path::Field(p, n) => write!(f, "{p}.{}", clip(n)),
            Path::Index(p, i) => write!(f, "{p}[{i}]"),
            Path::Key(p, k) => write!(f, "{p}[{:?}]", clip(k)),
        }
    }
}

/// A JSON object's members in order, values unparsed, borrowed from the text where possible.
struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_map(MembersVisitor)
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> std::result::Result<Self::Value, M::Error> {
        let mut members = Vec::with_capacity(m.size_hint().unwrap_or(8));
        while let Some(k) = m.next_key_seed(Key)? {
            members.push((k, m.next_value::<&'de RawValue>()?));
        }
        Ok(Members(members))
    }
}

/// A member name: borrowed unless it has escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}
