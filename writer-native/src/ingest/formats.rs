//! CDC message formats: Debezium, Canal and Maxwell JSON, decoded into row changes.
//!
//! Operations map to row kinds as Paimon's Kafka CDC actions do: inserts and snapshot reads
//! become `+I`, updates `-U` (the row before, where the message has it) then `+U`, deletes
//! `-D`. Rows keep the source's column order. Type information a message carries (the
//! Debezium schema envelope, Canal's `mysqlType`) comes along, with how each value is encoded,
//! so tables can be created and evolved from the messages themselves.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use strata_core::key_value::RowKind;
use strata_core::types::{DataType, TypeKind};

/// A CDC JSON flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CdcFormat {
    /// Debezium JSON, with or without the schema envelope.
    #[value(name = "debezium-json")]
    Debezium,
    /// Alibaba Canal JSON.
    #[value(name = "canal-json")]
    Canal,
    /// Maxwell JSON.
    #[value(name = "maxwell-json")]
    Maxwell,
}

/// A row: column names and values, in the source's order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row(pub Vec<(String, Value)>);

impl Row {
    /// The value of a column.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// This row with `old`'s values where it has them (Canal and Maxwell updates carry the
    /// changed columns' previous values in `old`).
    fn overlaid(&self, old: &Row) -> Row {
        let mut r = self.clone();
        for (n, v) in &old.0 {
            match r.0.iter_mut().find(|(m, _)| m == n) {
                Some(slot) => slot.1 = v.clone(),
                None => r.0.push((n.clone(), v.clone())),
            }
        }
        r
    }
}

impl<'de> Deserialize<'de> for Row {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Row;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object of column values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Row, A::Error> {
                let mut cols = Vec::with_capacity(m.size_hint().unwrap_or(8));
                while let Some((k, v)) = m.next_entry::<String, Value>()? {
                    cols.push((k, v));
                }
                Ok(Row(cols))
            }
        }
        d.deserialize_map(V)
    }
}

/// One row change.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// `+I`, `-U`, `+U` or `-D`.
    pub kind: RowKind,
    /// The row.
    pub row: Row,
}

/// How a source column's JSON values encode the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Values in their plain JSON or SQL text form (timestamps as epoch milliseconds or text).
    Plain,
    /// Timestamps as epoch microseconds.
    Micros,
    /// Timestamps as epoch nanoseconds.
    Nanos,
    /// Times of day in microseconds.
    MicrosOfDay,
    /// Base64 bytes (Debezium's default binary handling).
    Base64,
    /// A decimal's big-endian two's-complement unscaled value, base64 (Kafka Connect Decimal).
    Base64Decimal,
}

/// Type information a message carries about a column.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceColumn {
    /// Column name.
    pub name: String,
    /// The Paimon type the source type maps to.
    pub data_type: DataType,
    /// How values are encoded.
    pub encoding: Encoding,
}

/// What one message holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decoded {
    /// The changes, in order.
    pub changes: Vec<Change>,
    /// Column types, where the message declares them.
    pub columns: Vec<SourceColumn>,
    /// Primary-key columns, where the message names them.
    pub primary_keys: Vec<String>,
}

impl Decoded {
    /// How a column's values are encoded.
    pub fn encoding(&self, name: &str) -> Encoding {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map_or(Encoding::Plain, |c| c.encoding)
    }
}

fn nullable(kind: TypeKind) -> DataType {
    DataType::nullable(kind)
}

/// Decodes one message. `None` (a Kafka tombstone) and messages without data (Canal DDL,
/// Maxwell bootstrap markers) decode to no changes; anything malformed is an error saying why.
pub fn decode(format: CdcFormat, payload: Option<&[u8]>) -> Result<Decoded, String> {
    Decoder::new(format).decode(payload)
}

/// A decoder for a stream of messages. Consecutive Debezium messages repeat the same schema
/// envelope; its column types are worked out once and reused while the text is the same.
#[derive(Debug, Clone)]
pub struct Decoder {
    format: CdcFormat,
    schema_text: String,
    schema_columns: Vec<SourceColumn>,
}

impl Decoder {
    /// A decoder of `format`.
    pub fn new(format: CdcFormat) -> Self {
        Decoder {
            format,
            schema_text: String::new(),
            schema_columns: Vec::new(),
        }
    }

    /// Decodes one message (see [`decode`]).
    pub fn decode(&mut self, payload: Option<&[u8]>) -> Result<Decoded, String> {
        let Some(payload) = payload.filter(|p| !p.iter().all(u8::is_ascii_whitespace)) else {
            return Ok(Decoded::default());
        };
        match self.format {
            CdcFormat::Debezium => self.debezium(payload),
            CdcFormat::Canal => canal(payload),
            CdcFormat::Maxwell => maxwell(payload),
        }
    }

    fn columns_of(&mut self, schema: &RawValue) -> Result<Vec<SourceColumn>, String> {
        if schema.get() != self.schema_text {
            let v: Value = serde_json::from_str(schema.get()).map_err(json_err)?;
            self.schema_columns = debezium_columns(&v)?;
            self.schema_text = schema.get().to_string();
        }
        Ok(self.schema_columns.clone())
    }
}

fn json_err(e: serde_json::Error) -> String {
    format!("malformed JSON: {e}")
}

#[derive(Deserialize)]
struct DebeziumBody {
    before: Option<Row>,
    after: Option<Row>,
    op: Option<String>,
}

/// An event with the schema envelope (`schema` + `payload`) or without (the payload's fields
/// at the top level).
#[derive(Deserialize)]
struct DebeziumMessage<'a> {
    #[serde(borrow)]
    schema: Option<&'a RawValue>,
    /// Absent: no envelope; `Some(None)`: an envelope with a null payload (a tombstone).
    #[serde(default, deserialize_with = "present")]
    payload: Option<Option<DebeziumBody>>,
    before: Option<Row>,
    after: Option<Row>,
    op: Option<String>,
}

/// Deserializes a field that is present (possibly null) as `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl Decoder {
    fn debezium(&mut self, payload: &[u8]) -> Result<Decoded, String> {
        let msg: DebeziumMessage = serde_json::from_slice(payload).map_err(json_err)?;
        let (body, columns) = match (msg.schema, msg.payload) {
            (_, Some(None)) => return Ok(Decoded::default()), // tombstone in an envelope
            (Some(schema), Some(Some(body))) if schema.get() != "null" => {
                let columns = self.columns_of(schema)?;
                (body, columns)
            }
            (_, Some(Some(body))) => (body, Vec::new()),

            (_, None) => (
                DebeziumBody {
                    before: msg.before,
                    after: msg.after,
                    op: msg.op,
                },
                Vec::new(),
            ),
        };
        let op = body.op.ok_or("a Debezium change event without \"op\"")?;
        let need = |r: Option<Row>, which: &str| {
            r.ok_or_else(|| format!("a Debezium {op:?} event without \"{which}\""))
        };
        let mut changes = Vec::with_capacity(2);
        match op.as_str() {
            "c" | "r" => changes.push(Change {
                kind: RowKind::Insert,
                row: need(body.after, "after")?,
            }),
            "u" => {
                if let Some(before) = body.before {
                    changes.push(Change {
                        kind: RowKind::UpdateBefore,
                        row: before,
                    });
                }
                changes.push(Change {
                    kind: RowKind::UpdateAfter,
                    row: need(body.after, "after")?,
                });
            }
            "d" => changes.push(Change {
                kind: RowKind::Delete,
                row: need(body.before, "before")?,
            }),
            other => return Err(format!("unsupported Debezium operation {other:?}")),
        }
        Ok(Decoded {
            changes,
            columns,
            primary_keys: Vec::new(),
        })
    }
}

/// The columns of the `after` (else `before`) struct of a Debezium schema envelope.
fn debezium_columns(schema: &Value) -> Result<Vec<SourceColumn>, String> {
    let fields = schema
        .get("fields")
        .and_then(Value::as_array)
        .ok_or("the schema envelope has no \"fields\"")?;
    let row = ["after", "before"]
        .iter()
        .find_map(|w| {
            fields
                .iter()
                .find(|f| f.get("field").and_then(Value::as_str) == Some(w))
        })
        .ok_or("the schema envelope has no \"after\" or \"before\" struct")?;
    let cols = row
        .get("fields")
        .and_then(Value::as_array)
        .ok_or("the schema's row struct has no \"fields\"")?;
    cols.iter().map(debezium_column).collect()
}

fn debezium_column(f: &Value) -> Result<SourceColumn, String> {
    let name = f
        .get("field")
        .and_then(Value::as_str)
        .ok_or("a schema field without a name")?;
    let ty = f.get("type").and_then(Value::as_str).unwrap_or("");
    let logical = f.get("name").and_then(Value::as_str).unwrap_or("");
    let optional = f.get("optional").and_then(Value::as_bool).unwrap_or(true);
    let param = |k: &str| {
        f.get("parameters")
            .and_then(|p| p.get(k))
            .and_then(|v| v.as_str().map(String::from).or_else(|| Some(v.to_string())))
            .and_then(|s| s.parse::<u8>().ok())
    };
    use Encoding::*;
    let (kind, encoding) = match (ty, logical) {
        (_, "io.debezium.time.Date") => (TypeKind::Date, Plain),
        (_, "io.debezium.time.Time") => (TypeKind::Time(3), Plain),
        (_, "io.debezium.time.MicroTime") => (TypeKind::Time(6), MicrosOfDay),
        (_, "io.debezium.time.Timestamp") => (TypeKind::Timestamp(3), Plain),
        (_, "io.debezium.time.MicroTimestamp") => (TypeKind::Timestamp(6), Micros),
        (_, "io.debezium.time.NanoTimestamp") => (TypeKind::Timestamp(9), Nanos),
        (_, "io.debezium.time.ZonedTimestamp") => (TypeKind::LocalZonedTimestamp(6), Plain),
        (_, "org.apache.kafka.connect.data.Decimal") => {
            let scale = param("scale").unwrap_or(0);
            let precision = param("connect.decimal.precision")
                .unwrap_or(38)
                .max(scale)
                .clamp(1, 38);
            (TypeKind::Decimal { precision, scale }, Base64Decimal)
        }
        ("int8", _) => (TypeKind::TinyInt, Plain),
        ("int16", _) => (TypeKind::SmallInt, Plain),
        ("int32", _) => (TypeKind::Int, Plain),
        ("int64", _) => (TypeKind::BigInt, Plain),
        ("float" | "float32", _) => (TypeKind::Float, Plain),
        ("double" | "float64", _) => (TypeKind::Double, Plain),
        ("boolean", _) => (TypeKind::Boolean, Plain),
        ("string", _) => (TypeKind::VarChar(strata_core::types::MAX_LENGTH), Plain),
        ("bytes", _) => (TypeKind::VarBinary(strata_core::types::MAX_LENGTH), Base64),
        (other, _) => {
            return Err(format!(
                "column {name:?}: unsupported schema type {other:?}"
            ))
        }
    };
    Ok(SourceColumn {
        name: name.to_string(),
        data_type: DataType {
            nullable: optional,
            kind,
        },
        encoding,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CanalMessage {
    data: Option<Vec<Row>>,
    old: Option<Vec<Option<Row>>>,
    #[serde(rename = "type")]
    kind: Option<String>,
    is_ddl: Option<bool>,
    pk_names: Option<Vec<String>>,
    mysql_type: Option<Row>,
}

fn canal(payload: &[u8]) -> Result<Decoded, String> {
    let msg: CanalMessage = serde_json::from_slice(payload).map_err(json_err)?;
    let kind = msg.kind.ok_or("a Canal message without \"type\"")?;
    let primary_keys = msg.pk_names.unwrap_or_default();
    if msg.is_ddl == Some(true) {
        return Ok(Decoded {
            primary_keys,
            ..Decoded::default()
        });
    }
    let columns = match &msg.mysql_type {
        Some(types) => types
            .0
            .iter()
            .map(|(n, t)| {
                let t = t
                    .as_str()
                    .ok_or_else(|| format!("mysqlType of {n:?} is not a string"))?;
                Ok(SourceColumn {
                    name: n.clone(),
                    data_type: mysql_type(t),
                    encoding: Encoding::Plain,
                })
            })
            .collect::<Result<_, String>>()?,
        None => Vec::new(),
    };
    let data = msg
        .data
        .ok_or_else(|| format!("a Canal {kind} message without \"data\""))?;
    let old = msg.old.unwrap_or_default();
    let mut changes = Vec::with_capacity(data.len() * 2);
    for (i, row) in data.into_iter().enumerate() {
        match kind.as_str() {
            "INSERT" => changes.push(Change {
                kind: RowKind::Insert,
                row,
            }),
            "UPDATE" => {
                let before = match old.get(i) {
                    Some(Some(o)) => row.overlaid(o),
                    _ => row.clone(),
                };
                changes.push(Change {
                    kind: RowKind::UpdateBefore,
                    row: before,
                });
                changes.push(Change {
                    kind: RowKind::UpdateAfter,
                    row,
                });
            }
            "DELETE" => changes.push(Change {
                kind: RowKind::Delete,
                row,
            }),
            other => return Err(format!("unsupported Canal message type {other:?}")),
        }
    }
    Ok(Decoded {
        changes,
        columns,
        primary_keys,
    })
}

/// The Paimon type of a MySQL column type as Canal reports it (`int(11)`, `varchar(255)`,
/// `decimal(10,2)`, `bigint unsigned`, `datetime(3)`...). Text types become STRING.
pub fn mysql_type(text: &str) -> DataType {
    let t = text.trim().to_ascii_lowercase();
    let unsigned = t.contains("unsigned");
    let base = t.split(['(', ' ']).next().unwrap_or("");
    let args: Vec<u32> = t
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(a, _)| a.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_default();
    let p = |d: u8| args.first().map_or(d, |&a| a.min(9) as u8);
    let string = TypeKind::VarChar(strata_core::types::MAX_LENGTH);
    nullable(match base {
        "tinyint" if args.first() == Some(&1) => TypeKind::Boolean,
        "bit" if args.first().is_none_or(|&n| n == 1) => TypeKind::Boolean,
        "bool" | "boolean" => TypeKind::Boolean,
        "tinyint" if unsigned => TypeKind::SmallInt,
        "tinyint" => TypeKind::TinyInt,
        "smallint" if unsigned => TypeKind::Int,
        "smallint" => TypeKind::SmallInt,
        "mediumint" | "year" => TypeKind::Int,
        "int" | "integer" if unsigned => TypeKind::BigInt,
        "int" | "integer" => TypeKind::Int,
        "bigint" if unsigned => TypeKind::Decimal {
            precision: 20,
            scale: 0,
        },
        "bigint" => TypeKind::BigInt,
        "float" => TypeKind::Float,
        "double" | "real" => TypeKind::Double,
        "decimal" | "numeric" => {
            let precision = args.first().map_or(10, |&a| a.clamp(1, 38) as u8);
            let scale = args.get(1).map_or(0, |&a| (a as u8).min(precision));
            TypeKind::Decimal { precision, scale }
        }
        "date" => TypeKind::Date,
        "time" => TypeKind::Time(p(0)),
        "datetime" | "timestamp" => TypeKind::Timestamp(p(0)),
        "binary" | "varbinary" | "blob" | "tinyblob" | "mediumblob" | "longblob" => {
            TypeKind::VarBinary(strata_core::types::MAX_LENGTH)
        }
        _ => string,
    })
}

#[derive(Deserialize)]
struct MaxwellMessage {
    #[serde(rename = "type")]
    kind: Option<String>,
    data: Option<Row>,
    old: Option<Row>,
    primary_key_columns: Option<Vec<String>>,
}

fn maxwell(payload: &[u8]) -> Result<Decoded, String> {
    let msg: MaxwellMessage = serde_json::from_slice(payload).map_err(json_err)?;
    let kind = msg.kind.ok_or("a Maxwell message without \"type\"")?;
    let primary_keys = msg.primary_key_columns.unwrap_or_default();
    let data = || {
        msg.data
            .clone()
            .ok_or_else(|| format!("a Maxwell {kind} message without \"data\""))
    };
    let changes = match kind.as_str() {
        "insert" | "bootstrap-insert" => vec![Change {
            kind: RowKind::Insert,
            row: data()?,
        }],
        "update" => {
            let after = data()?;
            let before = match &msg.old {
                Some(o) => after.overlaid(o),
                None => after.clone(),
            };
            vec![
                Change {
                    kind: RowKind::UpdateBefore,
                    row: before,
                },
                Change {
                    kind: RowKind::UpdateAfter,
                    row: after,
                },
            ]
        }
        "delete" => vec![Change {
            kind: RowKind::Delete,
            row: data()?,
        }],
        "bootstrap-start" | "bootstrap-complete" => Vec::new(),
        other => return Err(format!("unsupported Maxwell message type {other:?}")),
    };
    Ok(Decoded {
        changes,
        columns: Vec::new(),
        primary_keys,
    })
}

#[cfg(test)]
#[path = "formats_tests.rs"]
mod tests;
