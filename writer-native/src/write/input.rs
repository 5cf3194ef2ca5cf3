//! Reading input files for `strata write`: Parquet, CSV (with a header), JSON lines and Arrow
//! IPC, matched to the table's columns by name and converted exactly (nothing is rounded,
//! truncated or dropped unless asked). Errors name the file, the line (text formats) or row,
//! and the column; values and names in them are cut to 200 characters.

mod csv;
mod exact;
mod json;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::fs::File;
use std::sync::Arc;

use arrow_array::{new_null_array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType as ArrowType, Field, Schema, SchemaRef};
use exact::{clip, exact_cast};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use strata_core::types::{to_arrow_type, DataField};
use strata_core::{Error, Result};

/// Input file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// Parquet.
    Parquet,
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// Arrow IPC file.
    Arrow,
}

impl InputFormat {
    /// The format a file name suggests.
    pub fn guess(path: &str) -> Option<Self> {
        let p = path.to_ascii_lowercase();
        if p.ends_with(".parquet") {
            Some(InputFormat::Parquet)
        } else if p.ends_with(".csv") {
            Some(InputFormat::Csv)
        } else if p.ends_with(".jsonl") || p.ends_with(".json") || p.ends_with(".ndjson") {
            Some(InputFormat::Jsonl)
        } else if p.ends_with(".arrow") || p.ends_with(".ipc") || p.ends_with(".feather") {
            Some(InputFormat::Arrow)
        } else {
            None
        }
    }
}

fn bad(path: &str, what: impl std::fmt::Display) -> Error {
    Error::InvalidValue(format!("{path}: {what}"))
}

/// An Arrow error's message without its kind.
fn arrow_message(e: &ArrowError) -> String {
    match e {
        ArrowError::JsonError(m)
        | ArrowError::ParseError(m)
        | ArrowError::CsvError(m)
        | ArrowError::CastError(m)
        | ArrowError::InvalidArgumentError(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Edit distance of `a` and `b` (insertions, deletions, substitutions and swaps of adjacent
/// characters).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![(0..=b.len()).collect::<Vec<_>>(); 3];
    for i in 1..=a.len() {
        let [before, prev, cur] = &mut rows[..] else {
            unreachable!()
        };
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(before[j - 2] + 1);
            }
        }
        rows.rotate_left(1);
    }
    rows[1][b.len()]
}

/// The message for an input column (or nested field, `what`) the table lacks, suggesting the
/// nearest of `known` if one is close.
fn unknown_column<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str>) -> String {
    let lower = name.to_lowercase();
    let nearest = known
        .map(|k| (distance(&lower, &k.to_lowercase()), k))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, k)| *d <= (lower.chars().count().max(k.chars().count()) / 3).max(1));
    let hint = match nearest {
        Some((_, k)) => format!(" (did you mean {:?}?)", clip(k)),
        None => String::new(),
    };
    format!(
        "unknown {what} {:?}{hint}; --ignore-unknown-columns drops unknown columns",
        clip(name)
    )
}

/// Checks an input file's column names: none twice, each a table column or an `extra` one
/// unless `ignore_unknown`.
fn check_columns<'a>(
    path: &str,
    names: impl Iterator<Item = &'a str>,
    fields: &[DataField],
    extra: &[String],
    ignore_unknown: bool,
) -> Result<()> {
    let mut seen = HashSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(bad(path, format!("column {:?} appears twice", clip(name))));
        }
        let known = fields.iter().any(|f| f.name == name) || extra.iter().any(|e| e == name);
        if !known && !ignore_unknown {
            let names = fields.iter().map(|f| f.name.as_str());
            return Err(bad(path, unknown_column("column", name, names)));
        }
    }
    Ok(())
}

/// Reads `path` into batches holding the table's `fields` (plus `extra` string columns such as
/// a row-kind column), in order. The first row of each batch has `line` (1-based data line for
/// text formats, row number otherwise) recorded alongside. Input columns the table lacks are
/// refused (see [`input_batches`]).
pub fn read_input(
    path: &str,
    format: InputFormat,
    fields: &[DataField],
    extra: &[String],
) -> Result<Vec<(usize, RecordBatch)>> {
    input_batches(path, format, fields, extra, false)?.collect()
}

/// Batches of an input file, read as they are needed.
pub type InputBatches = Box<dyn Iterator<Item = Result<(usize, RecordBatch)>> + Send>;

/// Streams `path` as batches, as [`read_input`] returns them, one at a time.
///
/// Columns are matched by name (a CSV file's by its header). Input columns the table lacks
/// are refused, or dropped with `ignore_unknown`; a name twice is refused. Values must
/// convert exactly: a number with a fraction is not an integer, 300 is not a TINYINT, 1.234
/// is not a DECIMAL(10, 2), and a typed column's cast must not change a value. Errors name
/// the file, the line (text formats) or row, and the column.
pub fn input_batches(
    path: &str,
    format: InputFormat,
    fields: &[DataField],
    extra: &[String],
    ignore_unknown: bool,
) -> Result<InputBatches> {
    let file = File::open(path).map_err(|e| bad(path, e))?;
    let p = path.to_string();
    let counted = move |first: usize, batches: Raw| -> InputBatches {
        let mut line = first;
        let p = p.clone();
        Box::new(batches.map(move |b| {
            let b = b.map_err(|e| bad(&p, clip(&arrow_message(&e))))?;
            let first = line;
            line += b.num_rows();
            Ok((first, b))
        }))
    };
    let (raw, unit): (InputBatches, &'static str) = match format {
        InputFormat::Parquet => {
            let b = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(path, e))?;
            let names = b.schema().fields().iter().map(|f| f.name().as_str());
            check_columns(path, names, fields, extra, ignore_unknown)?;
            let r = b.build().map_err(|e| bad(path, e))?;
            (counted(1, Box::new(r)), "row")
        }
        InputFormat::Arrow => {
            let r = arrow_ipc::reader::FileReader::try_new(file, None).map_err(|e| bad(path, e))?;
            let schema = r.schema();
            let names = schema.fields().iter().map(|f| f.name().as_str());
            check_columns(path, names, fields, extra, ignore_unknown)?;
            (counted(1, Box::new(r)), "row")
        }
        InputFormat::Csv => {
            let r = csv::CsvBatches::new(path, file, fields, extra, ignore_unknown)?;
            (Box::new(r), "line")
        }
        InputFormat::Jsonl => {
            let schema = text_schema(fields, extra);
            let r = json::JsonLines::new(path, file, schema, fields, extra, ignore_unknown)?;
            (Box::new(r), "line")
        }
    };
    let path = path.to_string();
    let fields = fields.to_vec();
    let extra = extra.to_vec();
    Ok(Box::new(raw.map(move |b| {
        let (first, b) = b?;
        let at = |r: usize| format!("{unit} {}", first + r);
        Ok((first, conform_batch(&path, &at, &b, &fields, &extra)?))
    })))
}

type Raw = Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>;

/// The Arrow schema JSON lines are parsed with: the table's columns, all nullable (missing
/// values are reported as missing keys, with their line, afterwards), then `extra` strings.
fn text_schema(fields: &[DataField], extra: &[String]) -> SchemaRef {
    let mut f: Vec<Field> = fields
        .iter()
        .map(|f| Field::new(&f.name, to_arrow_type(&f.data_type), true))
        .collect();
    for e in extra {
        if !fields.iter().any(|x| &x.name == e) {
            f.push(Field::new(e, ArrowType::Utf8, true));
        }
    }
    Arc::new(Schema::new(f))
}

/// The table's columns (converted exactly where types differ, null where absent) plus
/// `extra` columns; `at` names a row's line or row number.
fn conform_batch(
    path: &str,
    at: &dyn Fn(usize) -> String,
    b: &RecordBatch,
    fields: &[DataField],
    extra: &[String],
) -> Result<RecordBatch> {
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(fields.len() + extra.len());
    let mut arrow_fields = Vec::new();
    let convert = |c: &ArrayRef, t: &ArrowType, name: &str, type_name: &dyn Fn() -> String| {
        exact_cast(c, t, &type_name()).map_err(|(r, e)| match r {
            Some(r) => bad(path, format!("{}, column {}: {e}", at(r), clip(name))),
            None => bad(path, format!("column {}: {}", clip(name), clip(&e))),
        })
    };
    for f in fields {
        let t = to_arrow_type(&f.data_type);
        let col = match b.column_by_name(&f.name) {
            Some(c) if c.data_type() == &t => c.clone(),
            Some(c) => convert(c, &t, &f.name, &|| {
                f.data_type.with_nullable(true).to_string()
            })?,
            None => new_null_array(&t, b.num_rows()),
        };
        arrow_fields.push(Field::new(&f.name, t, true));
        cols.push(col);
    }
    for e in extra {
        if fields.iter().any(|f| &f.name == e) {
            continue;
        }
        let col = b
            .column_by_name(e)
            .ok_or_else(|| bad(path, format!("no column {:?}", clip(e))))?;
        let col = convert(col, &ArrowType::Utf8, e, &|| "STRING".into())?;
        arrow_fields.push(Field::new(e, ArrowType::Utf8, true));
        cols.push(col);
    }
    RecordBatch::try_new(Arc::new(Schema::new(arrow_fields)), cols).map_err(|e| bad(path, e))
}
