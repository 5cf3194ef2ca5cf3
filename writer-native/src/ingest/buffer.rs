//! The rows an ingest holds between commits: decoded CDC changes converted to the table's
//! column types, column by column, with each row's kind.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use strata_core::binary_row::{datums_to_array, Datum};
use strata_core::key_value::RowKind;
use strata_core::schema::TableSchema;
use strata_core::types::to_arrow_type;
use strata_core::{Error, Result};

use super::convert::to_datum;
use super::formats::Decoded;

/// Buffered rows of one table schema.
#[derive(Debug, Default)]
pub(super) struct RowBuffer {
    columns: Vec<Vec<Datum>>,
    kinds: Vec<RowKind>,
}

impl RowBuffer {
    /// Empties the buffer for rows of `schema` (none yet: no columns).
    pub(super) fn reset(&mut self, schema: Option<&TableSchema>) {
        let n = schema.map_or(0, |s| s.fields.len());
        self.columns = (0..n).map(|_| Vec::new()).collect();
        self.kinds.clear();
    }

    /// Rows buffered.
    pub(super) fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether no row is buffered.
    pub(super) fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// The buffered rows' kinds, in order.
    pub(super) fn kinds(&self) -> &[RowKind] {
        &self.kinds
    }

    /// Adds one message's changes, all or none: the error (in words, without the message's
    /// location) names the column that does not convert or the NOT NULL column missing.
    pub(super) fn push(
        &mut self,
        schema: &TableSchema,
        decoded: &Decoded,
    ) -> std::result::Result<(), String> {
        let mut rows: Vec<Vec<Datum>> = Vec::with_capacity(decoded.changes.len());
        for c in &decoded.changes {
            let mut row = Vec::with_capacity(schema.fields.len());
            for f in &schema.fields {
                let d = match c.row.get(&f.name) {
                    None => Datum::Null,
                    Some(v) => to_datum(v, &f.data_type, decoded.encoding(&f.name))
                        .map_err(|e| format!("column {}: {e}", f.name))?,
                };
                if d.is_null() && !f.data_type.nullable {
                    let what = if schema.primary_keys.contains(&f.name) {
                        "primary-key column"
                    } else {
                        "NOT NULL column"
                    };
                    return Err(format!("{what} {} is missing", f.name));
                }
                row.push(d);
            }
            rows.push(row);
        }
        for (row, c) in rows.into_iter().zip(&decoded.changes) {
            for (col, d) in self.columns.iter_mut().zip(row) {
                col.push(d);
            }
            self.kinds.push(c.kind);
        }
        Ok(())
    }

    /// The buffered rows as one Arrow batch of `schema`'s columns.
    pub(super) fn batch(&self, schema: &TableSchema) -> Result<RecordBatch> {
        let fields: Vec<Field> = schema
            .fields
            .iter()
            .map(strata_core::types::arrow_field)
            .collect();
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(fields.len());
        for (f, values) in schema.fields.iter().zip(&self.columns) {
            cols.push(datums_to_array(values, &to_arrow_type(&f.data_type))?);
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), cols)
            .map_err(|e| Error::InvalidValue(format!("ingest buffer: {e}")))
    }
}
