//! CSV input with a header row. Columns are matched by the header's names, and each record's
//! line is tracked as the bytes pass (a quoted field may span lines, and blank lines are
//! skipped), so rows of a batch are consecutive lines: a batch is cut where they are not.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::sync::{Arc, Mutex};

use arrow_array::RecordBatch;
use arrow_schema::{DataType as ArrowType, Field, Schema, SchemaRef};
use strata_core::types::{to_arrow_type, DataField};
use strata_core::Result;

use super::exact::{clip, Exact};
use super::{arrow_message, bad, check_columns};

/// The Arrow schema a CSV file is parsed with: its header's columns in order, each of its
/// table column's type (integers and decimals as strings, parsed exactly afterwards), the
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
            let t = if Exact::of(&t).is_some() {
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
        })
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
        self.ready.pop_front().map(Ok)
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
