//! Schema evolution on read: each data file was written with the schema `_SCHEMA_ID` names;
//! its columns are found by that schema's field names and matched to the read schema by field
//! id. Added columns read as null, renamed ones by their old name, promoted ones are cast.

use std::sync::Arc;

use arrow_array::{new_null_array, Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType as ArrowType, Field};

use crate::schema::TableSchema;
use crate::types::{to_arrow_type, DataField};
use crate::{Error, Result};

/// Where each wanted field comes from in one file.
#[derive(Debug, Clone)]
pub struct FieldMapping {
    /// For each wanted field: its name in the file, or `None` if the file predates it.
    pub sources: Vec<Option<String>>,
    /// The wanted fields.
    pub fields: Vec<DataField>,
}

impl FieldMapping {
    /// Maps `wanted` (fields of the read schema) onto the columns of a file written with
    /// `file_schema`.
    pub fn new(wanted: &[DataField], file_schema: &TableSchema) -> Self {
        let sources = wanted
            .iter()
            .map(|w| {
                file_schema
                    .fields
                    .iter()
                    .find(|f| f.id == w.id)
                    .map(|f| f.name.clone())
            })
            .collect();
        FieldMapping {
            sources,
            fields: wanted.to_vec(),
        }
    }

    /// File column names to read.
    pub fn file_columns(&self) -> Vec<&str> {
        self.sources.iter().flatten().map(String::as_str).collect()
    }

    /// The wanted columns out of a batch read from the file (which holds at least
    /// [`Self::file_columns`]), cast to the read types.
    pub fn columns(&self, batch: &RecordBatch, file: &str) -> Result<Vec<ArrayRef>> {
        self.fields
            .iter()
            .zip(&self.sources)
            .map(|(f, src)| {
                let target = to_arrow_type(&f.data_type);
                match src {
                    None => Ok(new_null_array(&target, batch.num_rows())),
                    Some(name) => {
                        let col = batch.column_by_name(name).ok_or_else(|| {
                            Error::corrupt(file, format!("column {name:?} is missing"))
                        })?;
                        conform(col, &target)
                            .map_err(|e| Error::corrupt(file, format!("column {name:?}: {e}")))
                    }
                }
            })
            .collect()
    }
}

/// Makes `array` of type `target`: unchanged when equal, re-labelled when only nested field
/// names or nullability differ (writers name list and map children differently), else cast.
pub fn conform(array: &ArrayRef, target: &ArrowType) -> std::result::Result<ArrayRef, String> {
    if array.data_type() == target {
        return Ok(array.clone());
    }
    if same_shape(array.data_type(), target) {
        let data = array.to_data();
        return relabel(data, target).map(arrow_array::make_array);
    }
    arrow_cast::cast(array, target).map_err(|e| e.to_string())
}

/// Whether `a` and `b` differ only in nested field names or nullability, so [`conform`]
/// relabels instead of casting.
pub fn same_shape(a: &ArrowType, b: &ArrowType) -> bool {
    use ArrowType::*;
    match (a, b) {
        (List(x), List(y)) | (LargeList(x), LargeList(y)) => {
            same_shape(x.data_type(), y.data_type())
        }
        (Map(x, _), Map(y, _)) => same_shape(x.data_type(), y.data_type()),
        (Struct(x), Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(f, g)| same_shape(f.data_type(), g.data_type()))
        }
        (x, y) => x == y,
    }
}

fn relabel(
    data: arrow_data::ArrayData,
    target: &ArrowType,
) -> std::result::Result<arrow_data::ArrayData, String> {
    let children: Vec<ArrowType> = match target {
        ArrowType::List(f) | ArrowType::LargeList(f) | ArrowType::Map(f, _) => {
            vec![f.data_type().clone()]
        }
        ArrowType::Struct(fields) => fields.iter().map(|f| f.data_type().clone()).collect(),
        _ => vec![],
    };
    let child_data = data
        .child_data()
        .iter()
        .zip(children.iter().chain(std::iter::repeat(&ArrowType::Null)))
        .map(|(c, t)| {
            if children.is_empty() {
                Ok(c.clone())
            } else {
                relabel(c.clone(), t)
            }
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    data.into_builder()
        .data_type(target.clone())
        .child_data(child_data)
        .build()
        .map_err(|e| e.to_string())
}

/// An Arrow field for a read field (nullable: evolved files may lack it).
pub fn read_field(f: &DataField) -> Field {
    Field::new(&f.name, to_arrow_type(&f.data_type), true)
}

/// An Arrow schema for read fields.
pub fn read_schema(fields: &[DataField]) -> Arc<arrow_schema::Schema> {
    Arc::new(arrow_schema::Schema::new(
        fields.iter().map(read_field).collect::<Vec<_>>(),
    ))
}
