//! CSV input with a header row. Columns are matched by the header's names, and each record's
//! line is tracked as the bytes pass (a quoted field may span lines, and blank lines are
//! skipped), so rows of a batch are consecutive lines: a batch is cut where they are not.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::sync::{Arc, Mutex};

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType as ArrowType, Field, Schema, SchemaRef};
use strata_core::types::{to_arrow_type, DataField};
use strata_core::Result;

use super::exact::{clip, Exact};
use super::{arrow_message, bad, check_columns};

/// The Arrow schema a CSV file is parsed with: its header's columns in order, each of its
/// table column's type (integers and decimals as strings, parsed exactly afterwards; nested
/// values as their JSON text, decoded as JSON lines are afterwards), the
/// others strings. Missing values are nulls (reported as missing keys, with their line,
/// afterwards).
fn schema(
    path: &str,
    file: &mut File,
    fields: &[DataField],
    extra: &[String],
    ignore_unknown: bool,
) -> Result<SchemaRef> {
    let (header, _) = arrow_csv::reader::Format::default()
        .with_header(true)
        .infer_schema(&mut *file, Some(0))
        .map_err(|e| bad(path, arrow_message(&e)))?;
    file.rewind().map_err(|e| bad(path, e))?;
    let names = header.fields().iter().map(|f| f.name().as_str());
    check_columns(path, names, fields, extra, ignore_unknown)?;
    let columns: Vec<Field> = header
        .fields()
        .iter()
        .map(|h| {
            let t = match fields.iter().find(|f| f.name == *h.name()) {
                Some(f) => to_arrow_type(&f.data_type),
                None => ArrowType::Utf8,
            };
            let t = if Exact::of(&t).is_some() || t.is_nested() {
                ArrowType::Utf8
            } else {
                t
            };
            Field::new(h.name(), t, true)
        })
        .collect();
    Ok(Arc::new(Schema::new(columns)))
}

/// Batches of a CSV file, with the line of each batch's first row.
pub(super) struct CsvBatches {
    path: String,
    reader: arrow_csv::reader::Reader<BufReader<Lines<File>>>,
    /// The line each record read so far starts on, the header's first.
    starts: Arc<Mutex<VecDeque<usize>>>,
    /// Batches cut where lines are not consecutive, to hand out.
    ready: VecDeque<(usize, RecordBatch)>,
    /// The line after the last record handed out.
    next_line: usize,
    /// The nested columns among the file's (arrays, multisets, maps, rows).
    nested: Vec<DataField>,
    ignore_unknown: bool,
}

impl CsvBatches {
    /// Reads `file`, matching its header's columns to the table's `fields` and `extra`
    /// columns (others refused unless `ignore_unknown`).
    pub(super) fn new(
        path: &str,
        mut file: File,
        fields: &[DataField],
        extra: &[String],
        ignore_unknown: bool,
    ) -> Result<Self> {
        let schema = schema(path, &mut file, fields, extra, ignore_unknown)?;
        let nested = fields
            .iter()
            .filter(|f| {
                to_arrow_type(&f.data_type).is_nested() && schema.field_with_name(&f.name).is_ok()
            })
            .cloned()
            .collect();
        let starts = Arc::new(Mutex::new(VecDeque::new()));
        let lines = Lines {
            inner: file,
            starts: starts.clone(),
            line: 1,
            state: State::RecordStart,
        };
        let reader = arrow_csv::ReaderBuilder::new(schema)
            .with_header(true)
            .build(BufReader::new(lines))
            .map_err(|e| bad(path, e))?;
        Ok(CsvBatches {
            path: path.to_string(),
            reader,
            starts,
            ready: VecDeque::new(),
            next_line: 2,
            nested,
            ignore_unknown,
        })
    }

    /// The batch (rows from line `first` on) with its nested columns decoded from their JSON
    /// text, checked as JSON lines input is (exact numbers, known fields).
    fn decode_nested(&self, first: usize, b: RecordBatch) -> Result<RecordBatch> {
        if self.nested.is_empty() {
            return Ok(b);
        }
        let schema = b.schema();
        let cells: Vec<(usize, &arrow_array::StringArray)> = self
            .nested
            .iter()
            .map(|f| {
                let i = schema.index_of(&f.name).map_err(|e| bad(&self.path, e))?;
                let c = b.column(i).as_string_opt::<i32>().ok_or_else(|| {
                    bad(&self.path, format!("column {}: not read as text", f.name))
                })?;
                Ok((i, c))
            })
            .collect::<Result<_>>()?;
        let mut lines = String::new();
        for r in 0..b.num_rows() {
            lines.push('{');
            let mut any = false;
            for (f, (_, c)) in self.nested.iter().zip(&cells) {
                if c.is_null(r) || c.value(r).is_empty() {
                    continue;
                }
                if any {
                    lines.push(',');
                }
                any = true;
                lines.push_str(&serde_json::to_string(&f.name).unwrap_or_default());
                lines.push(':');
                // A cell that is not one JSON value fails the line's check, naming its line.
                // Line breaks are JSON whitespace when they lie outside strings (inside one
                // they are an error): then they go, keeping the cell on its JSON line.
                let cell = c.value(r);
                if cell.contains(['\n', '\r']) {
                    serde_json::from_str::<serde::de::IgnoredAny>(cell).map_err(|e| {
                        bad(
                            &self.path,
                            format!("line {}, column {}: {e}", first + r, f.name),
                        )
                    })?;
                    lines.push_str(&cell.replace(['\n', '\r'], " "));
                } else {
                    lines.push_str(cell);
                }
            }
            lines.push_str("}\n");
        }
        let json_schema = Arc::new(Schema::new(
            self.nested
                .iter()
                .map(|f| Field::new(&f.name, to_arrow_type(&f.data_type), true))
                .collect::<Vec<_>>(),
        ));
        let decoded = super::json::JsonLines::over(
            &self.path,
            first - 1,
            Box::new(std::io::Cursor::new(lines.into_bytes())),
            json_schema.clone(),
            &self.nested,
            &[],
            self.ignore_unknown,
        )?
        .map(|b| b.map(|(_, b)| b))
        .collect::<Result<Vec<_>>>()?;
        let decoded = arrow_select::concat::concat_batches(&json_schema, &decoded)
            .map_err(|e| bad(&self.path, e))?;
        let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
        let mut columns = b.columns().to_vec();
        for (n, (i, _)) in cells.iter().enumerate() {
            fields[*i] = json_schema.field(n).clone();
            columns[*i] = decoded.column(n).clone();
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(|e| bad(&self.path, e))
    }

    /// Cuts `b` into runs of rows on consecutive lines.
    fn cut(&mut self, b: RecordBatch) {
        let mut starts = self.starts.lock().unwrap_or_else(|e| e.into_inner());
        if self.next_line == 2 {
            starts.pop_front(); // the header
        }
        let mut from = 0;
        let mut first = starts.front().copied().unwrap_or(self.next_line);
        for r in 0..b.num_rows() {
            let line = starts.pop_front().unwrap_or(self.next_line);
            if line != first + (r - from) {
                self.ready.push_back((first, b.slice(from, r - from)));
                (from, first) = (r, line);
            }
            self.next_line = line + 1;
        }
        self.ready
            .push_back((first, b.slice(from, b.num_rows() - from)));
    }
}

impl Iterator for CsvBatches {
    type Item = Result<(usize, RecordBatch)>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.ready.is_empty() {
            match self.reader.next()? {
                Ok(b) => self.cut(b),
                Err(e) => return Some(Err(bad(&self.path, clip(&arrow_message(&e))))),
            }
        }
        let (first, b) = self.ready.pop_front()?;
        Some(self.decode_nested(first, b).map(|b| (first, b)))
    }
}

/// Where a CSV reader is in a record, as far as lines go.
#[derive(Clone, Copy)]
enum State {
    /// Nothing of the next record yet (blank lines are skipped here).
    RecordStart,
    /// At the start of a field, or in an unquoted one.
    Unquoted { field_start: bool },
    /// In a quoted field.
    Quoted,
    /// A quote in a quoted field: its end, or the first of two (an escaped quote).
    QuoteInQuoted,
}

/// Passes bytes through, noting the line each CSV record starts on.
struct Lines<R> {
    inner: R,
    starts: Arc<Mutex<VecDeque<usize>>>,
    line: usize,
    state: State,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut starts = self.starts.lock().unwrap_or_else(|e| e.into_inner());
        for &b in &buf[..n] {
            self.state = match (self.state, b) {
                (State::RecordStart, b'\r') => State::RecordStart,
                (State::RecordStart, b'\n') => {
                    self.line += 1;
                    State::RecordStart
                }
                (State::RecordStart, _) => {
                    starts.push_back(self.line);
                    unquoted(b, true, &mut self.line)
                }
                (State::Unquoted { field_start }, _) => unquoted(b, field_start, &mut self.line),
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) | (State::QuoteInQuoted, b'"') => {
                    self.line += usize::from(b == b'\n');
                    State::Quoted
                }
                (State::QuoteInQuoted, _) => unquoted(b, false, &mut self.line),
            };
        }
        Ok(n)
    }
}

/// The state after byte `b` outside quotes.
fn unquoted(b: u8, field_start: bool, line: &mut usize) -> State {
    match b {
        b'"' if field_start => State::Quoted,
        b',' => State::Unquoted { field_start: true },
        b'\n' => {
            *line += 1;
            State::RecordStart
        }
        _ => State::Unquoted { field_start: false },
    }
}
