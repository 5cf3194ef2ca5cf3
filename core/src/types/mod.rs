//! Paimon data types: the type grammar of schema files, printing in Java's canonical form, and
//! the mapping to and from Arrow.
//!
//! ```
//! use strata_core::types::DataType;
//! let t: DataType = "DECIMAL(10, 2) NOT NULL".parse().unwrap();
//! assert!(!t.nullable);
//! assert_eq!(t.to_string(), "DECIMAL(10, 2) NOT NULL");
//! ```

mod arrow;
mod json;
mod parse;

use std::fmt;

pub use arrow::{
    arrow_field, arrow_schema, from_arrow_field, from_arrow_type, to_arrow_type, FIELD_ID_KEY,
};

/// `VARCHAR(MAX_LENGTH)` prints as `STRING`, `VARBINARY(MAX_LENGTH)` as `BYTES`.
pub const MAX_LENGTH: u32 = i32::MAX as u32;
/// Largest DECIMAL precision Paimon allows.
pub const MAX_DECIMAL_PRECISION: u8 = 38;
/// Largest TIME/TIMESTAMP precision (nanoseconds).
pub const MAX_TIME_PRECISION: u8 = 9;

/// A Paimon data type: a kind plus nullability.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataType {
    /// Whether the type admits nulls (`NOT NULL` clears it).
    pub nullable: bool,
    /// The type itself.
    pub kind: TypeKind,
}

/// The kinds of Paimon data types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// `BOOLEAN`.
    Boolean,
    /// `TINYINT` (i8).
    TinyInt,
    /// `SMALLINT` (i16).
    SmallInt,
    /// `INT` (i32).
    Int,
    /// `BIGINT` (i64).
    BigInt,
    /// `FLOAT` (f32).
    Float,
    /// `DOUBLE` (f64).
    Double,
    /// `CHAR(n)`.
    Char(u32),
    /// `VARCHAR(n)`; `STRING` is `VARCHAR(MAX_LENGTH)`.
    VarChar(u32),
    /// `BINARY(n)`.
    Binary(u32),
    /// `VARBINARY(n)`; `BYTES` is `VARBINARY(MAX_LENGTH)`.
    VarBinary(u32),
    /// `DECIMAL(precision, scale)`.
    Decimal {
        /// Total digits, 1..=38.
        precision: u8,
        /// Digits after the point, 0..=precision.
        scale: u8,
    },
    /// `DATE` (days since 1970-01-01).
    Date,
    /// `TIME(p)` (milliseconds of the day).
    Time(u8),
    /// `TIMESTAMP(p)`: a local date-time without a time zone.
    Timestamp(u8),
    /// `TIMESTAMP(p) WITH LOCAL TIME ZONE`: an instant.
    LocalZonedTimestamp(u8),
    /// `VARIANT` (semi-structured).
    Variant,
    /// `BLOB` (large binary).
    Blob,
    /// `ARRAY<element>`.
    Array(Box<DataType>),
    /// `MULTISET<element>`.
    Multiset(Box<DataType>),
    /// `MAP<key, value>`.
    Map(Box<DataType>, Box<DataType>),
    /// `ROW<fields>`.
    Row(Vec<DataField>),
}

/// A named, numbered field of a schema or of a ROW type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataField {
    /// The field id: stable across renames, never reused.
    pub id: i32,
    /// The field name.
    pub name: String,
    /// The field type.
    pub data_type: DataType,
    /// Optional comment.
    pub description: Option<String>,
    /// Optional default value (SQL literal text).
    pub default_value: Option<String>,
}

impl DataField {
    /// A field without description or default.
    pub fn new(id: i32, name: impl Into<String>, data_type: DataType) -> Self {
        DataField {
            id,
            name: name.into(),
            data_type,
            description: None,
            default_value: None,
        }
    }
}

impl DataType {
    /// A nullable type of `kind`.
    pub fn nullable(kind: TypeKind) -> Self {
        DataType {
            nullable: true,
            kind,
        }
    }

    /// A `NOT NULL` type of `kind`.
    pub fn not_null(kind: TypeKind) -> Self {
        DataType {
            nullable: false,
            kind,
        }
    }

    /// This type with the given nullability.
    pub fn with_nullable(&self, nullable: bool) -> Self {
        DataType {
            nullable,
            kind: self.kind.clone(),
        }
    }

    /// Whether this is an atomic (non-nested) type.
    pub fn is_atomic(&self) -> bool {
        !matches!(
            self.kind,
            TypeKind::Array(_) | TypeKind::Multiset(_) | TypeKind::Map(..) | TypeKind::Row(_)
        )
    }

    /// The largest field id used inside this type (nested ROW fields), if any.
    pub fn max_nested_field_id(&self) -> Option<i32> {
        match &self.kind {
            TypeKind::Array(e) | TypeKind::Multiset(e) => e.max_nested_field_id(),
            TypeKind::Map(k, v) => k.max_nested_field_id().max(v.max_nested_field_id()),
            TypeKind::Row(fields) => fields
                .iter()
                .map(|f| Some(f.id).max(f.data_type.max_nested_field_id()))
                .max()
                .flatten(),
            _ => None,
        }
    }

    /// Java's canonical SQL text of an atomic type, without the `NOT NULL` suffix.
    fn atomic_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TypeKind::Boolean => f.write_str("BOOLEAN"),
            TypeKind::TinyInt => f.write_str("TINYINT"),
            TypeKind::SmallInt => f.write_str("SMALLINT"),
            TypeKind::Int => f.write_str("INT"),
            TypeKind::BigInt => f.write_str("BIGINT"),
            TypeKind::Float => f.write_str("FLOAT"),
            TypeKind::Double => f.write_str("DOUBLE"),
            TypeKind::Char(n) => write!(f, "CHAR({n})"),
            TypeKind::VarChar(MAX_LENGTH) => f.write_str("STRING"),
            TypeKind::VarChar(n) => write!(f, "VARCHAR({n})"),
            TypeKind::Binary(n) => write!(f, "BINARY({n})"),
            TypeKind::VarBinary(MAX_LENGTH) => f.write_str("BYTES"),
            TypeKind::VarBinary(n) => write!(f, "VARBINARY({n})"),
            TypeKind::Decimal { precision, scale } => write!(f, "DECIMAL({precision}, {scale})"),
            TypeKind::Date => f.write_str("DATE"),
            TypeKind::Time(p) => write!(f, "TIME({p})"),
            TypeKind::Timestamp(p) => write!(f, "TIMESTAMP({p})"),
            TypeKind::LocalZonedTimestamp(p) => write!(f, "TIMESTAMP({p}) WITH LOCAL TIME ZONE"),
            TypeKind::Variant => f.write_str("VARIANT"),
            TypeKind::Blob => f.write_str("BLOB"),
            TypeKind::Array(_) => f.write_str("ARRAY"),
            TypeKind::Multiset(_) => f.write_str("MULTISET"),
            TypeKind::Map(..) => f.write_str("MAP"),
            TypeKind::Row(_) => f.write_str("ROW"),
        }
    }

    fn not_null_suffix(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nullable {
            Ok(())
        } else {
            f.write_str(" NOT NULL")
        }
    }
}

/// Prints SQL text: Java's `asSQLString`, e.g. `DECIMAL(10, 2) NOT NULL`,
/// `ARRAY<INT>`, `ROW<`a` INT, `b` STRING>`.
impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TypeKind::Array(e) => write!(f, "ARRAY<{e}>")?,
            TypeKind::Multiset(e) => write!(f, "MULTISET<{e}>")?,
            TypeKind::Map(k, v) => write!(f, "MAP<{k}, {v}>")?,
            TypeKind::Row(fields) => {
                f.write_str("ROW<")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{}` {}", field.name.replace('`', "``"), field.data_type)?;
                }
                f.write_str(">")?;
            }
            _ => self.atomic_sql(f)?,
        }
        self.not_null_suffix(f)
    }
}

impl std::str::FromStr for DataType {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse::parse_type(s)
    }
}

pub use parse::parse_columns;
