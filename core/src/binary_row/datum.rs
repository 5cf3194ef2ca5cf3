//! [`Datum`]: one decoded value of a BinaryRow field.

use std::fmt;

/// A timestamp as Paimon stores it: epoch milliseconds plus the nanoseconds within the
/// millisecond. For `TIMESTAMP` the epoch is read as local time, for
/// `TIMESTAMP WITH LOCAL TIME ZONE` as UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    /// Milliseconds since 1970-01-01T00:00.
    pub millis: i64,
    /// Nanoseconds within the millisecond, 0..=999_999.
    pub nano_of_milli: i32,
}

impl Timestamp {
    /// From epoch microseconds.
    pub fn from_micros(micros: i64) -> Self {
        Timestamp {
            millis: micros.div_euclid(1000),
            nano_of_milli: (micros.rem_euclid(1000) * 1000) as i32,
        }
    }

    /// Epoch microseconds (sub-microsecond digits dropped).
    pub fn to_micros(&self) -> i64 {
        self.millis * 1000 + i64::from(self.nano_of_milli / 1000)
    }
}

/// One value of a BinaryRow field. Decimals carry only the unscaled value: precision and scale
/// come from the field's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    /// SQL null.
    Null,
    /// BOOLEAN.
    Boolean(bool),
    /// TINYINT.
    TinyInt(i8),
    /// SMALLINT.
    SmallInt(i16),
    /// INT.
    Int(i32),
    /// BIGINT.
    BigInt(i64),
    /// FLOAT.
    Float(f32),
    /// DOUBLE.
    Double(f64),
    /// CHAR, VARCHAR, STRING.
    String(String),
    /// BINARY, VARBINARY, BYTES.
    Binary(Vec<u8>),
    /// DECIMAL: the unscaled value.
    Decimal(i128),
    /// DATE: days since 1970-01-01.
    Date(i32),
    /// TIME: milliseconds of the day.
    Time(i32),
    /// TIMESTAMP and TIMESTAMP WITH LOCAL TIME ZONE.
    Timestamp(Timestamp),
}

impl Datum {
    /// Whether this is [`Datum::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Datum::Null)
    }
}

impl fmt::Display for Datum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Datum::Null => f.write_str("null"),
            Datum::Boolean(b) => write!(f, "{b}"),
            Datum::TinyInt(v) => write!(f, "{v}"),
            Datum::SmallInt(v) => write!(f, "{v}"),
            Datum::Int(v) => write!(f, "{v}"),
            Datum::BigInt(v) => write!(f, "{v}"),
            Datum::Float(v) => write!(f, "{v}"),
            Datum::Double(v) => write!(f, "{v}"),
            Datum::String(s) => write!(f, "{s:?}"),
            Datum::Binary(b) => write!(f, "0x{}", hex(b)),
            Datum::Decimal(v) => write!(f, "{v}(unscaled)"),
            Datum::Date(d) => write!(f, "date({d})"),
            Datum::Time(t) => write!(f, "time({t})"),
            Datum::Timestamp(t) => write!(f, "ts({}ms+{}ns)", t.millis, t.nano_of_milli),
        }
    }
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
