//! Mapping Paimon types to Arrow types and back.
//!
//! The mapping follows what Paimon's engines and pypaimon use: strings to `Utf8`, binaries to
//! `Binary`, `DECIMAL` to `Decimal128`, `TIMESTAMP(p)` to a timestamp whose unit is the smallest
//! that holds `p` digits (with a `UTC` zone for `WITH LOCAL TIME ZONE`), `TIME` to milliseconds.
//! Field ids travel in the field metadata under [`FIELD_ID_KEY`], as Parquet writers expect.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_schema::{DataType as ArrowType, Field, Fields, Schema, TimeUnit};

use super::{DataField, DataType, TypeKind, MAX_LENGTH};
use crate::{Error, Result};

/// Arrow field-metadata key holding a Paimon field id.
pub const FIELD_ID_KEY: &str = "PARQUET:field_id";

fn unit_for_precision(p: u8) -> TimeUnit {
    match p {
        0 => TimeUnit::Second,
        1..=3 => TimeUnit::Millisecond,
        4..=6 => TimeUnit::Microsecond,
        _ => TimeUnit::Nanosecond,
    }
}

fn precision_for_unit(u: &TimeUnit) -> u8 {
    match u {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    }
}

/// The Arrow type of a Paimon type. Every Paimon type has one.
pub fn to_arrow_type(t: &DataType) -> ArrowType {
    match &t.kind {
        TypeKind::Boolean => ArrowType::Boolean,
        TypeKind::TinyInt => ArrowType::Int8,
        TypeKind::SmallInt => ArrowType::Int16,
        TypeKind::Int => ArrowType::Int32,
        TypeKind::BigInt => ArrowType::Int64,
        TypeKind::Float => ArrowType::Float32,
        TypeKind::Double => ArrowType::Float64,
        TypeKind::Char(_) | TypeKind::VarChar(_) => ArrowType::Utf8,
        TypeKind::Binary(_) | TypeKind::VarBinary(_) => ArrowType::Binary,
        TypeKind::Blob => ArrowType::LargeBinary,
        TypeKind::Decimal { precision, scale } => ArrowType::Decimal128(*precision, *scale as i8),
        TypeKind::Date => ArrowType::Date32,
        TypeKind::Time(_) => ArrowType::Time32(TimeUnit::Millisecond),
        TypeKind::Timestamp(p) => ArrowType::Timestamp(unit_for_precision(*p), None),
        TypeKind::LocalZonedTimestamp(p) => {
            ArrowType::Timestamp(unit_for_precision(*p), Some("UTC".into()))
        }
        TypeKind::Variant => ArrowType::Struct(Fields::from(vec![
            Field::new("value", ArrowType::Binary, false),
            Field::new("metadata", ArrowType::Binary, false),
        ])),
        TypeKind::Array(e) => ArrowType::List(Arc::new(Field::new(
            "element",
            to_arrow_type(e),
            e.nullable,
        ))),
        TypeKind::Multiset(e) => map_type(
            Field::new("key", to_arrow_type(e), false),
            Field::new("value", ArrowType::Int32, false),
        ),
        TypeKind::Map(k, v) => map_type(
            Field::new("key", to_arrow_type(k), false),
            Field::new("value", to_arrow_type(v), v.nullable),
        ),
        TypeKind::Row(fields) => ArrowType::Struct(fields.iter().map(arrow_field).collect()),
    }
}

fn map_type(key: Field, value: Field) -> ArrowType {
    ArrowType::Map(
        Arc::new(Field::new(
            "entries",
            ArrowType::Struct(Fields::from(vec![key, value])),
            false,
        )),
        false,
    )
}

/// The Arrow field of a Paimon field, with its id in the metadata.
pub fn arrow_field(f: &DataField) -> Field {
    Field::new(&f.name, to_arrow_type(&f.data_type), f.data_type.nullable).with_metadata(
        HashMap::from([(FIELD_ID_KEY.to_string(), f.id.to_string())]),
    )
}

/// The Arrow schema of a list of Paimon fields.
pub fn arrow_schema(fields: &[DataField]) -> Schema {
    Schema::new(fields.iter().map(arrow_field).collect::<Vec<_>>())
}

/// The Paimon type for an Arrow type, or an error for Arrow types Paimon cannot store.
pub fn from_arrow_type(t: &ArrowType, nullable: bool) -> Result<DataType> {
    let kind = match t {
        ArrowType::Boolean => TypeKind::Boolean,
        ArrowType::Int8 => TypeKind::TinyInt,
        ArrowType::Int16 | ArrowType::UInt8 => TypeKind::SmallInt,
        ArrowType::Int32 | ArrowType::UInt16 => TypeKind::Int,
        ArrowType::Int64 | ArrowType::UInt32 => TypeKind::BigInt,
        ArrowType::Float32 => TypeKind::Float,
        ArrowType::Float64 => TypeKind::Double,
        ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => {
            TypeKind::VarChar(MAX_LENGTH)
        }
        ArrowType::Binary | ArrowType::BinaryView => TypeKind::VarBinary(MAX_LENGTH),
        ArrowType::LargeBinary => TypeKind::Blob,
        ArrowType::FixedSizeBinary(n) if *n > 0 => TypeKind::Binary(*n as u32),
        ArrowType::Decimal128(p, s) if *s >= 0 && (*s as u8) <= *p && *p <= 38 => {
            TypeKind::Decimal {
                precision: *p,
                scale: *s as u8,
            }
        }
        ArrowType::Date32 => TypeKind::Date,
        ArrowType::Time32(u) | ArrowType::Time64(u) => TypeKind::Time(precision_for_unit(u)),
        ArrowType::Timestamp(u, None) => TypeKind::Timestamp(precision_for_unit(u)),
        ArrowType::Timestamp(u, Some(_)) => TypeKind::LocalZonedTimestamp(precision_for_unit(u)),
        ArrowType::List(f) | ArrowType::LargeList(f) => {
            TypeKind::Array(Box::new(from_arrow_type(f.data_type(), f.is_nullable())?))
        }
        ArrowType::Map(entries, _) => match entries.data_type() {
            ArrowType::Struct(kv) if kv.len() == 2 => TypeKind::Map(
                Box::new(from_arrow_type(kv[0].data_type(), false)?),
                Box::new(from_arrow_type(kv[1].data_type(), kv[1].is_nullable())?),
            ),
            other => {
                return Err(Error::invalid_type(
                    format!("{t}"),
                    format!("map entries must be a key/value struct, got {other}"),
                ))
            }
        },
        ArrowType::Struct(fields) => TypeKind::Row(
            fields
                .iter()
                .enumerate()
                .map(|(i, f)| from_arrow_field(i as i32, f))
                .collect::<Result<_>>()?,
        ),
        other => {
            return Err(Error::invalid_type(
                format!("{other}"),
                "no Paimon type for this Arrow type",
            ))
        }
    };
    Ok(DataType { nullable, kind })
}

/// The Paimon field for an Arrow field; the id comes from [`FIELD_ID_KEY`] metadata when present,
/// else `default_id`.
pub fn from_arrow_field(default_id: i32, f: &Field) -> Result<DataField> {
    let id = f
        .metadata()
        .get(FIELD_ID_KEY)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_id);
    Ok(DataField::new(
        id,
        f.name(),
        from_arrow_type(f.data_type(), f.is_nullable())?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_maps_to_arrow_and_back() {
        for text in [
            "BOOLEAN",
            "TINYINT",
            "SMALLINT",
            "INT NOT NULL",
            "BIGINT",
            "FLOAT",
            "DOUBLE",
            "STRING",
            "BYTES",
            "DECIMAL(38, 10)",
            "DATE",
            "TIME(3)",
            "TIMESTAMP(0)",
            "TIMESTAMP(3)",
            "TIMESTAMP(6)",
            "TIMESTAMP(9)",
            "TIMESTAMP(6) WITH LOCAL TIME ZONE",
            "ARRAY<INT>",
            "MAP<STRING NOT NULL, BIGINT>",
            "ROW<`a` INT, `b` STRING NOT NULL>",
            "BLOB",
        ] {
            let t: DataType = text.parse().unwrap();
            let a = to_arrow_type(&t);
            let back = from_arrow_type(&a, t.nullable).unwrap();
            assert_eq!(back.to_string(), t.to_string(), "{text} -> {a}");
        }
        // Lossy but defined: CHAR/VARCHAR come back as STRING, BINARY/VARBINARY as BYTES.
        for (from, to) in [
            ("VARCHAR(5)", "STRING"),
            ("CHAR(2)", "STRING"),
            ("BINARY(4)", "BYTES"),
        ] {
            let back = from_arrow_type(&to_arrow_type(&from.parse().unwrap()), true).unwrap();
            assert_eq!(back.to_string(), to);
        }
    }

    #[test]
    fn field_ids_travel_in_metadata() {
        let f = DataField::new(7, "x", "INT".parse().unwrap());
        let a = arrow_field(&f);
        assert_eq!(from_arrow_field(0, &a).unwrap(), f);
        assert!(from_arrow_type(&ArrowType::Float16, true).is_err());
    }
}
