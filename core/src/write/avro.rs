//! Avro data files (`file.format = avro`), written as Paimon's `AvroSchemaConverter` lays
//! them out so Paimon Java, pypaimon and Strata read them: one record named `record` in
//! namespace `org.apache.paimon.avro.generated`, nullable columns as `["null", T]` unions
//! defaulting to null, TINYINT and SMALLINT as `int`, decimals as `bytes` with the decimal
//! logical type, TIMESTAMP as `timestamp-millis`/`-micros` and TIMESTAMP_LTZ as
//! `local-timestamp-millis`/`-micros` (by precision), nested rows as records named after their
//! parent and field. The bytes are encoded by arrow-avro against that schema.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_avro::compression::CompressionCodec;
use arrow_avro::schema::SCHEMA_METADATA_KEY;
use arrow_avro::writer::{AvroWriter, WriterBuilder};
use arrow_schema::{DataType as ArrowType, Field, Fields, Schema};
use serde_json::{json, Value};

use crate::options::FileCompression;
use crate::types::{DataType, TypeKind};
use crate::{Error, Result};

/// Name and namespace of the top-level record, as Paimon Java names it.
const RECORD: &str = "record";
const NAMESPACE: &str = "org.apache.paimon.avro.generated";

/// A column to write: its name and Paimon type.
pub(crate) struct AvroColumn<'a> {
    pub name: &'a str,
    pub data_type: &'a DataType,
}

/// The writer schema of a data file of `columns`.
pub(crate) fn schema(columns: &[AvroColumn<'_>]) -> Result<Value> {
    let fields = columns
        .iter()
        .map(|c| field(c.name, c.data_type, RECORD))
        .collect::<Result<Vec<_>>>()?;
    Ok(json!({"type": "record", "name": RECORD, "namespace": NAMESPACE, "fields": fields}))
}

fn field(name: &str, t: &DataType, parent: &str) -> Result<Value> {
    let avro = nullable(t, name, parent)?;
    Ok(if t.nullable {
        json!({"name": name, "type": avro, "default": null})
    } else {
        json!({"name": name, "type": avro})
    })
}

/// `t`'s Avro type, a `["null", T]` union when `t` is nullable.
fn nullable(t: &DataType, name: &str, parent: &str) -> Result<Value> {
    let avro = avro_type(t, name, parent)?;
    Ok(if t.nullable {
        json!(["null", avro])
    } else {
        avro
    })
}

fn avro_type(t: &DataType, name: &str, parent: &str) -> Result<Value> {
    let timestamp = |p: u8, local: bool| -> Result<Value> {
        let unit = match p {
            0..=3 => "millis",
            4..=6 => "micros",
            _ => {
                return Err(Error::unsupported(
                    format!("column {name}"),
                    format!("{t} in an Avro data file (Avro holds at most microseconds)"),
                ))
            }
        };
        let prefix = if local {
            "local-timestamp"
        } else {
            "timestamp"
        };
        Ok(json!({"type": "long", "logicalType": format!("{prefix}-{unit}")}))
    };
    Ok(match &t.kind {
        TypeKind::Boolean => json!("boolean"),
        TypeKind::TinyInt | TypeKind::SmallInt | TypeKind::Int => json!("int"),
        TypeKind::BigInt => json!("long"),
        TypeKind::Float => json!("float"),
        TypeKind::Double => json!("double"),
        TypeKind::Char(_) | TypeKind::VarChar(_) => json!("string"),
        TypeKind::Binary(_) | TypeKind::VarBinary(_) => json!("bytes"),
        TypeKind::Decimal { precision, scale } => json!({
            "type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale
        }),
        TypeKind::Date => json!({"type": "int", "logicalType": "date"}),
        TypeKind::Time(_) => json!({"type": "int", "logicalType": "time-millis"}),
        TypeKind::Timestamp(p) => timestamp(*p, false)?,
        TypeKind::LocalZonedTimestamp(p) => timestamp(*p, true)?,
        TypeKind::Array(e) => json!({"type": "array", "items": nullable(e, name, parent)?}),
        TypeKind::Map(k, v) if matches!(k.kind, TypeKind::Char(_) | TypeKind::VarChar(_)) => {
            json!({"type": "map", "values": nullable(v, name, parent)?})
        }
        TypeKind::Row(fields) => {
            let record = format!("{parent}_{name}");
            let fields = fields
                .iter()
                .map(|f| field(&f.name, &f.data_type, &record))
                .collect::<Result<Vec<_>>>()?;
            json!({"type": "record", "name": record, "fields": fields})
        }
        _ => {
            return Err(Error::unsupported(
                format!("column {name}"),
                format!("{t} in an Avro data file (Strata writes it to Parquet only)"),
            ))
        }
    })
}

/// The Arrow type arrow-avro encodes as `t`'s Avro type: 8- and 16-bit integers widened to
/// `int`, time zones dropped (TIMESTAMP_LTZ values are UTC instants either way).
fn writable(t: &ArrowType) -> ArrowType {
    match t {
        ArrowType::Int8 | ArrowType::Int16 => ArrowType::Int32,
        ArrowType::Timestamp(unit, Some(_)) => ArrowType::Timestamp(*unit, None),
        ArrowType::List(f) => ArrowType::List(Arc::new(writable_field(f))),
        ArrowType::Map(f, sorted) => ArrowType::Map(Arc::new(writable_field(f)), *sorted),
        ArrowType::Struct(fields) => {
            ArrowType::Struct(fields.iter().map(|f| writable_field(f)).collect::<Fields>())
        }
        other => other.clone(),
    }
}

fn writable_field(f: &Field) -> Field {
    Field::new(f.name(), writable(f.data_type()), f.is_nullable())
}

/// Encodes `batch` (columns in `columns`' order) as one Avro object container file.
pub(crate) fn encode(
    columns: &[AvroColumn<'_>],
    batch: &RecordBatch,
    compression: FileCompression,
) -> Result<Vec<u8>> {
    let bad = |e: arrow_schema::ArrowError| Error::InvalidValue(format!("Avro data file: {e}"));
    let schema_json = schema(columns)?;
    let mut fields = Vec::with_capacity(batch.num_columns());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        let target = writable(field.data_type());
        let array = if &target == array.data_type() {
            array.clone()
        } else {
            arrow_cast::cast(array, &target).map_err(bad)?
        };
        fields.push(Field::new(field.name(), target, field.is_nullable()));
        arrays.push(array);
    }
    let metadata = HashMap::from([(SCHEMA_METADATA_KEY.to_string(), schema_json.to_string())]);
    let schema = Arc::new(Schema::new_with_metadata(fields, metadata));
    let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(bad)?;
    let codec =
        match compression {
            FileCompression::Zstd(_) => Some(CompressionCodec::ZStandard),
            FileCompression::Snappy => Some(CompressionCodec::Snappy),
            FileCompression::Gzip => Some(CompressionCodec::Deflate),
            FileCompression::None => None,
            FileCompression::Lz4 => return Err(Error::unsupported(
                "option file.compression",
                "lz4 for Avro data files (Avro has no lz4 codec; use zstd, snappy, gzip or none)",
            )),
        };
    let mut w: AvroWriter<Vec<u8>> = WriterBuilder::new((*schema).clone())
        .with_compression(codec)
        .build(Vec::new())
        .map_err(bad)?;
    w.write(&batch).map_err(bad)?;
    w.finish().map_err(bad)?;
    Ok(w.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::parse_columns;

    /// The writer schema is the one Paimon Java 0.9 writes for the same columns (its file's
    /// top-level `["null", record]` union aside): the Java suite's `types_avro` table.
    #[test]
    fn schemas_are_laid_out_as_paimon_java_lays_them_out() {
        let java = include_bytes!("../read/testdata/java-types.avro");
        let (_, java_schema) =
            crate::manifest::avro::checked_uncompressed(java, "java-types.avro").unwrap();
        let fields = parse_columns(
            "_KEY_id INT NOT NULL, _SEQUENCE_NUMBER BIGINT NOT NULL, \
             _VALUE_KIND TINYINT NOT NULL, id INT NOT NULL, c_bool BOOLEAN, c_tiny TINYINT, \
             c_small SMALLINT, c_big BIGINT, c_float FLOAT, c_double DOUBLE, \
             c_dec_small DECIMAL(9, 2), c_dec_mid DECIMAL(18, 4), c_dec_big DECIMAL(38, 10), \
             c_char CHAR(5), c_varchar VARCHAR(20), c_string STRING, c_binary BINARY(4), \
             c_bytes BYTES, c_date DATE, c_time TIME, c_ts3 TIMESTAMP(3), c_ts6 TIMESTAMP(6), \
             c_ltz TIMESTAMP_LTZ(6), c_array ARRAY<INT>, c_map MAP<STRING, BIGINT>, \
             c_row ROW<a INT, b STRING>",
        )
        .unwrap();
        let columns: Vec<AvroColumn<'_>> = fields
            .iter()
            .map(|f| AvroColumn {
                name: &f.name,
                data_type: &f.data_type,
            })
            .collect();
        assert_eq!(schema(&columns).unwrap(), java_schema);
    }

    #[test]
    fn types_avro_cannot_hold_are_refused_by_column() {
        for ddl in ["t TIMESTAMP(9)", "m MAP<INT, STRING>", "s MULTISET<INT>"] {
            let fields = parse_columns(ddl).unwrap();
            let columns = [AvroColumn {
                name: &fields[0].name,
                data_type: &fields[0].data_type,
            }];
            match schema(&columns) {
                Err(Error::Unsupported { file, .. }) => {
                    assert_eq!(file, format!("column {}", fields[0].name))
                }
                other => panic!("{ddl}: {other:?}"),
            }
        }
    }
}
