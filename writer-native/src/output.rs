//! Writing record batches for people and programs: JSON lines, CSV, Parquet or a table.
//!
//! JSON lines: one object per row, keys = column names, values in their natural JSON form:
//! integers as numbers (64-bit ones as strings beyond ±2^53), decimals as numbers when the
//! number text reads back as the same decimal, otherwise strings; floats as numbers (`NaN`,
//! `Infinity` as strings); dates `YYYY-MM-DD`, times `HH:MM:SS.mmm`, timestamps ISO-8601
//! (`Z`-suffixed for `WITH LOCAL TIME ZONE`); binaries base64; arrays, maps (objects when
//! keys are strings) and rows nested.

use std::io::Write;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use base64::Engine;
use strata_core::binary_row::{datum_at, Datum};
use strata_core::path::{civil_from_days, format_decimal, format_local_date_time};

/// Output formats of `strata scan`, `diff` and `stream`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// A Parquet file.
    Parquet,
    /// An aligned text table.
    Table,
}

/// Standard output for the CLI: when the reader goes away (`strata scan T | head`), the
/// process ends at once, quietly and with success, as ripgrep does, instead of failing with
/// a broken-pipe error or panicking in `println!`.
#[derive(Debug)]
pub struct QuietStdout(std::io::Stdout);

/// The CLI's standard output (see [`QuietStdout`]).
pub fn stdout() -> QuietStdout {
    QuietStdout(std::io::stdout())
}

fn exit_on_closed_pipe(e: std::io::Error) -> std::io::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    e
}

impl Write for QuietStdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf).map_err(exit_on_closed_pipe)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush().map_err(exit_on_closed_pipe)
    }
}

/// `println!` through [`stdout`]: a closed pipe ends the process quietly.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!($crate::output::stdout(), $($arg)*);
    }};
}

/// `print!` through [`stdout`]: a closed pipe ends the process quietly.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!($crate::output::stdout(), $($arg)*);
    }};
}

const MAX_SAFE_INT: i64 = 1 << 53;

#[allow(clippy::expect_used, reason = "serde_json cannot fail on a str")]
fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// The JSON text of one value.
pub fn json_value(array: &dyn Array, row: usize) -> String {
    if array.is_null(row) {
        return "null".into();
    }
    match array.data_type() {
        DataType::List(_) | DataType::LargeList(_) => {
            let list = match array.data_type() {
                DataType::List(_) => array.as_list::<i32>().value(row),
                _ => array.as_list::<i64>().value(row),
            };
            let items: Vec<String> = (0..list.len())
                .map(|i| json_value(list.as_ref(), i))
                .collect();
            format!("[{}]", items.join(","))
        }
        DataType::Map(..) => {
            let m = array.as_map();
            let (s, e) = (
                m.value_offsets()[row] as usize,
                m.value_offsets()[row + 1] as usize,
            );
            let string_keys = matches!(m.keys().data_type(), DataType::Utf8 | DataType::LargeUtf8);
            let items: Vec<String> = (s..e)
                .map(|i| {
                    let k = json_value(m.keys().as_ref(), i);
                    let v = json_value(m.values().as_ref(), i);
                    if string_keys {
                        format!("{k}:{v}")
                    } else {
                        format!("[{k},{v}]")
                    }
                })
                .collect();
            if string_keys {
                format!("{{{}}}", items.join(","))
            } else {
                format!("[{}]", items.join(","))
            }
        }
        DataType::Struct(fields) => {
            let st = array.as_struct();
            let items: Vec<String> = fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    format!(
                        "{}:{}",
                        json_string(f.name()),
                        json_value(st.column(i).as_ref(), row)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(","))
        }
        dt => atomic_json(dt, datum_at(array, row).unwrap_or(Datum::Null)),
    }
}

/// The batch with its nested columns (arrays, multisets, maps, rows) as JSON text, as CSV
/// cells hold them ([`json_value`]; a null stays an empty cell).
fn nested_as_json(batch: &RecordBatch) -> std::io::Result<RecordBatch> {
    let nested = |t: &DataType| t.is_nested();
    if !batch
        .schema()
        .fields()
        .iter()
        .any(|f| nested(f.data_type()))
    {
        return Ok(batch.clone());
    }
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut columns = Vec::with_capacity(batch.num_columns());
    for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
        if nested(f.data_type()) {
            let text: arrow_array::StringArray = (0..c.len())
                .map(|r| (!c.is_null(r)).then(|| json_value(c.as_ref(), r)))
                .collect();
            fields.push(arrow_schema::Field::new(
                f.name(),
                DataType::Utf8,
                f.is_nullable(),
            ));
            columns.push(std::sync::Arc::new(text) as arrow_array::ArrayRef);
        } else {
            fields.push(f.as_ref().clone());
            columns.push(c.clone());
        }
    }
    RecordBatch::try_new(
        std::sync::Arc::new(arrow_schema::Schema::new(fields)),
        columns,
    )
    .map_err(std::io::Error::other)
}

fn atomic_json(dt: &DataType, d: Datum) -> String {
    let float = |f: f64, text: String| {
        if f.is_finite() {
            text
        } else {
            json_string(&f.to_string().replace("inf", "Infinity"))
        }
    };
    match d {
        Datum::Null => "null".into(),
        Datum::Boolean(b) => b.to_string(),
        Datum::TinyInt(v) => v.to_string(),
        Datum::SmallInt(v) => v.to_string(),
        Datum::Int(v) => v.to_string(),
        Datum::BigInt(v) if (-MAX_SAFE_INT..=MAX_SAFE_INT).contains(&v) => v.to_string(),
        Datum::BigInt(v) => json_string(&v.to_string()),
        Datum::Float(v) => float(f64::from(v), format!("{v:?}")),
        Datum::Double(v) => float(v, format!("{v:?}")),
        Datum::String(s) => json_string(&s),
        Datum::Binary(b) => json_string(&base64::engine::general_purpose::STANDARD.encode(b)),
        Datum::Decimal(u) => {
            let scale = match dt {
                DataType::Decimal128(_, s) => *s as u8,
                _ => 0,
            };
            let text = format_decimal(u, scale);
            let exact = text.parse::<f64>().ok().is_some_and(|f| {
                let back = format!("{f:.*}", usize::from(scale));
                back == text || (u == 0 && back.trim_start_matches('-') == text)
            });
            if exact {
                text
            } else {
                json_string(&text)
            }
        }
        Datum::Date(d) => {
            let (y, m, d) = civil_from_days(i64::from(d));
            json_string(&format!("{y:04}-{m:02}-{d:02}"))
        }
        Datum::Time(ms) => json_string(&format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )),
        Datum::Timestamp(ts) => {
            let mut s = format_local_date_time(ts.millis, ts.nano_of_milli);
            if s.len() == 16 {
                s.push_str(":00");
            }
            if matches!(dt, DataType::Timestamp(_, Some(_))) {
                s.push('Z');
            }
            json_string(&s)
        }
    }
}

/// Writes batches in a format, to the file `out` if given (Parquet needs one), else to `w`.
pub struct BatchWriter<'a> {
    format: Format,
    schema: SchemaRef,
    w: Box<dyn Write + Send + 'a>,
    csv_header: bool,
    parquet: Option<parquet::arrow::ArrowWriter<std::fs::File>>,
    table: Vec<RecordBatch>,
}

impl<'a> BatchWriter<'a> {
    /// A writer of `format` for batches of `schema`.
    pub fn new(
        format: Format,
        schema: SchemaRef,
        w: Box<dyn Write + Send + 'a>,
        out: Option<&str>,
    ) -> std::io::Result<Self> {
        let parquet = match (format, out) {
            (Format::Parquet, Some(path)) => Some(
                parquet::arrow::ArrowWriter::try_new(
                    std::fs::File::create(path)?,
                    schema.clone(),
                    None,
                )
                .map_err(std::io::Error::other)?,
            ),
            (Format::Parquet, None) => {
                return Err(std::io::Error::other("--output parquet needs --out FILE"));
            }
            _ => None,
        };
        // Text formats go to `--out` when one is given, else to `w`.
        let w: Box<dyn Write + Send + 'a> = match (format, out) {
            (Format::Parquet, _) | (_, None) => w,
            (_, Some(path)) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(path)
                    .map_err(|e| std::io::Error::new(e.kind(), format!("--out {path}: {e}")))?,
            )),
        };
        Ok(BatchWriter {
            format,
            schema,
            w,
            csv_header: true,
            parquet,
            table: Vec::new(),
        })
    }

    /// Writes one batch.
    pub fn write(&mut self, batch: &RecordBatch) -> std::io::Result<()> {
        match self.format {
            Format::Jsonl => {
                let names: Vec<String> = self
                    .schema
                    .fields()
                    .iter()
                    .map(|f| json_string(f.name()))
                    .collect();
                let mut line = String::new();
                for r in 0..batch.num_rows() {
                    line.clear();
                    line.push('{');
                    for (i, c) in batch.columns().iter().enumerate() {
                        if i > 0 {
                            line.push(',');
                        }
                        line.push_str(&names[i]);
                        line.push(':');
                        line.push_str(&json_value(c.as_ref(), r));
                    }
                    line.push_str("}\n");
                    self.w.write_all(line.as_bytes())?;
                }
                self.w.flush()
            }
            Format::Csv => {
                let mut buf = Vec::new();
                {
                    let mut cw = arrow_csv::WriterBuilder::new()
                        .with_header(self.csv_header)
                        .build(&mut buf);
                    cw.write(&nested_as_json(batch)?)
                        .map_err(std::io::Error::other)?;
                }
                self.csv_header = false;
                self.w.write_all(&buf)
            }
            Format::Parquet => match self.parquet.as_mut() {
                Some(p) => p.write(batch).map_err(std::io::Error::other),
                None => Err(std::io::Error::other("no open Parquet output")),
            },
            Format::Table => {
                self.table.push(batch.clone());
                Ok(())
            }
        }
    }

    /// Finishes the output (closes Parquet files, prints tables).
    pub fn finish(mut self) -> std::io::Result<()> {
        if let Some(p) = self.parquet.take() {
            p.close().map_err(std::io::Error::other)?;
        }
        if self.format == Format::Table {
            let text = arrow_cast::pretty::pretty_format_batches(&self.table)
                .map_err(std::io::Error::other)?;
            writeln!(self.w, "{text}")?;
        }
        if self.format == Format::Csv && self.csv_header {
            let names: Vec<&str> = self
                .schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect();
            writeln!(self.w, "{}", names.join(","))?;
        }
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Decimal128Array, Int64Array, TimestampMicrosecondArray};

    use super::*;

    #[test]
    fn json_values_are_natural() {
        let big = Int64Array::from(vec![Some(5), Some(i64::MAX), None]);
        assert_eq!(json_value(&big, 0), "5");
        assert_eq!(json_value(&big, 1), "\"9223372036854775807\"");
        assert_eq!(json_value(&big, 2), "null");
        let dec = Decimal128Array::from(vec![1234, 12345678901234567890123456789i128])
            .with_precision_and_scale(38, 2)
            .unwrap();
        assert_eq!(json_value(&dec, 0), "12.34");
        assert_eq!(json_value(&dec, 1), "\"123456789012345678901234567.89\"");
        let ts = TimestampMicrosecondArray::from(vec![1704067200123456]);
        assert_eq!(json_value(&ts, 0), "\"2024-01-01T00:00:00.123456\"");
        let ltz = TimestampMicrosecondArray::from(vec![0]).with_timezone("UTC");
        assert_eq!(json_value(&ltz, 0), "\"1970-01-01T00:00:00Z\"");
        let _ = Arc::new(ltz);
    }

    #[test]
    fn csv_cells_hold_nested_values_as_json() {
        use arrow_array::builder::{Int32Builder, ListBuilder};
        let mut list = ListBuilder::new(Int32Builder::new());
        list.values().append_value(1);
        list.values().append_value(2);
        list.append(true);
        list.append(false);
        let ids = Int64Array::from(vec![1, 2]);
        let schema = Arc::new(arrow_schema::Schema::new(vec![
            arrow_schema::Field::new("id", DataType::Int64, false),
            arrow_schema::Field::new(
                "a",
                DataType::List(Arc::new(arrow_schema::Field::new_list_field(
                    DataType::Int32,
                    true,
                ))),
                true,
            ),
        ]));
        let batch =
            RecordBatch::try_new(schema.clone(), vec![Arc::new(ids), Arc::new(list.finish())])
                .unwrap();
        let mut out = Vec::new();
        let mut w = BatchWriter {
            format: Format::Csv,
            schema,
            w: Box::new(&mut out),
            csv_header: true,
            parquet: None,
            table: Vec::new(),
        };
        w.write(&batch).unwrap();
        w.finish().unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "id,a\n1,\"[1,2]\"\n2,\n");
    }
}
