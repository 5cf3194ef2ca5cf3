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
    let open = || File::open(path).map_err(|e| bad(path, e));
    let mut out = Vec::new();
    let mut line = match format {
        InputFormat::Csv => 2,
        _ => 1,
    };
    let mut push = |b: RecordBatch| {
        let n = b.num_rows();
        out.push((line, b));
        line += n;
    };
    match format {
        InputFormat::Parquet => {
            let r = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(open()?)
                .map_err(|e| bad(path, e))?
                .build()
                .map_err(|e| bad(path, e))?;
            for b in r {
                push(b.map_err(|e| bad(path, e))?);
            }
        }
        InputFormat::Arrow => {
            let r =
                arrow_ipc::reader::FileReader::try_new(open()?, None).map_err(|e| bad(path, e))?;
            for b in r {
                push(b.map_err(|e| bad(path, e))?);
            }
        }
        InputFormat::Csv => {
            let r = arrow_csv::ReaderBuilder::new(text_schema(fields, extra))
                .with_header(true)
                .build(BufReader::new(open()?))
                .map_err(|e| bad(path, e))?;
            for b in r {
                push(b.map_err(|e| bad(path, e))?);
            }
        }
        InputFormat::Jsonl => {
            let r = arrow_json::ReaderBuilder::new(text_schema(fields, extra))
                .build(BufReader::new(open()?))
                .map_err(|e| bad(path, e))?;
            for b in r {
                push(b.map_err(|e| bad(path, e))?);
            }
        }
    }
    out.into_iter()
        .map(|(line, b)| Ok((line, conform_batch(path, &b, fields, extra)?)))
        .collect()
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
