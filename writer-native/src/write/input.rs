//! Reading input files for `strata write`: Parquet, CSV (with a header), JSON lines and Arrow
//! IPC, conformed to the table's columns by name. Errors name the file and, for text formats,
//! the line.

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use arrow_array::{new_null_array, ArrayRef, RecordBatch};
use arrow_schema::{Schema, SchemaRef};
use strata_core::read::evolution::conform;
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

/// The Arrow schema input text formats are parsed with: the table's columns, all nullable
/// (missing values are reported as missing keys, with their line, afterwards).
fn text_schema(fields: &[DataField], extra: &[String]) -> SchemaRef {
    let mut f: Vec<arrow_schema::Field> = fields
        .iter()
        .map(|f| arrow_schema::Field::new(&f.name, to_arrow_type(&f.data_type), true))
        .collect();
    for e in extra {
        if !fields.iter().any(|x| &x.name == e) {
            f.push(arrow_schema::Field::new(
                e,
                arrow_schema::DataType::Utf8,
                true,
            ));
        }
    }
    Arc::new(Schema::new(f))
}

/// Reads `path` into batches holding the table's `fields` (plus `extra` string columns such as
/// a row-kind column), in order. The first row of each batch has `line` (1-based data line for
/// text formats, row number otherwise) recorded alongside.
pub fn read_input(
    path: &str,
    format: InputFormat,
    fields: &[DataField],
    extra: &[String],
) -> Result<Vec<(usize, RecordBatch)>> {
    input_batches(path, format, fields, extra)?.collect()
}

/// Batches of an input file, read as they are needed.
pub type InputBatches = Box<dyn Iterator<Item = Result<(usize, RecordBatch)>> + Send>;

/// Streams `path` as batches, as [`read_input`] returns them, one at a time.
pub fn input_batches(
    path: &str,
    format: InputFormat,
    fields: &[DataField],
    extra: &[String],
) -> Result<InputBatches> {
    let file = File::open(path).map_err(|e| bad(path, e))?;
    let raw: Box<
        dyn Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>> + Send,
    > = match format {
        InputFormat::Parquet => Box::new(
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| bad(path, e))?
                .build()
                .map_err(|e| bad(path, e))?,
        ),
        InputFormat::Arrow => {
            Box::new(arrow_ipc::reader::FileReader::try_new(file, None).map_err(|e| bad(path, e))?)
        }
        InputFormat::Csv => Box::new(
            arrow_csv::ReaderBuilder::new(text_schema(fields, extra))
                .with_header(true)
                .build(BufReader::new(file))
                .map_err(|e| bad(path, e))?,
        ),
        InputFormat::Jsonl => Box::new(
            arrow_json::ReaderBuilder::new(text_schema(fields, extra))
                .build(BufReader::new(file))
                .map_err(|e| bad(path, e))?,
        ),
    };
    let mut line = match format {
        InputFormat::Csv => 2,
        _ => 1,
    };
    let path = path.to_string();
    let fields = fields.to_vec();
    let extra = extra.to_vec();
    Ok(Box::new(raw.map(move |b| {
        let b = b.map_err(|e| bad(&path, e))?;
        let first = line;
        line += b.num_rows();
        Ok((first, conform_batch(&path, &b, &fields, &extra)?))
    })))
}

/// The table's columns (cast where types differ, null where absent) plus `extra` columns.
fn conform_batch(
    path: &str,
    b: &RecordBatch,
    fields: &[DataField],
    extra: &[String],
) -> Result<RecordBatch> {
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(fields.len() + extra.len());
    let mut arrow_fields = Vec::new();
    for f in fields {
        let t = to_arrow_type(&f.data_type);
        let col = match b.column_by_name(&f.name) {
            Some(c) => conform(c, &t).map_err(|e| bad(path, format!("column {}: {e}", f.name)))?,
            None => new_null_array(&t, b.num_rows()),
        };
        arrow_fields.push(arrow_schema::Field::new(&f.name, t, true));
        cols.push(col);
    }
    for e in extra {
        if fields.iter().any(|f| &f.name == e) {
            continue;
        }
        let col = b
            .column_by_name(e)
            .ok_or_else(|| bad(path, format!("no column {e:?}")))?;
        let col = conform(col, &arrow_schema::DataType::Utf8)
            .map_err(|x| bad(path, format!("column {e}: {x}")))?;
        arrow_fields.push(arrow_schema::Field::new(
            e,
            arrow_schema::DataType::Utf8,
            true,
        ));
        cols.push(col);
    }
    RecordBatch::try_new(Arc::new(Schema::new(arrow_fields)), cols).map_err(|e| bad(path, e))
}
