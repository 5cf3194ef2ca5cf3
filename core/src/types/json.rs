//! The JSON form of types and fields in schema files: atomic types are strings
//! (`"BIGINT NOT NULL"`), nested types are objects whose `"type"` holds the kind and the
//! `NOT NULL` suffix (`{"type":"ARRAY NOT NULL","element":"INT"}`).

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{DataField, DataType, TypeKind};

impl Serialize for DataType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_atomic() {
            return s.collect_str(self);
        }
        let head = match &self.kind {
            TypeKind::Array(_) => "ARRAY",
            TypeKind::Multiset(_) => "MULTISET",
            TypeKind::Map(..) => "MAP",
            _ => "ROW",
        };
        let head = if self.nullable {
            head.to_string()
        } else {
            format!("{head} NOT NULL")
        };
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("type", &head)?;
        match &self.kind {
            TypeKind::Array(e) | TypeKind::Multiset(e) => m.serialize_entry("element", e)?,
            TypeKind::Map(k, v) => {
                m.serialize_entry("key", k)?;
                m.serialize_entry("value", v)?;
            }
            TypeKind::Row(fields) => m.serialize_entry("fields", fields)?,
            _ => unreachable!("atomic types are handled above"),
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for DataType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        type_from_json(&v).map_err(D::Error::custom)
    }
}

/// Converts the JSON form of a type.
pub(crate) fn type_from_json(v: &Value) -> Result<DataType, String> {
    match v {
        Value::String(s) => s.parse::<DataType>().map_err(|e| e.to_string()),
        Value::Object(o) => {
            let head = o
                .get("type")
                .and_then(Value::as_str)
                .ok_or("nested type object without a \"type\" string")?;
            let upper = head.trim().to_ascii_uppercase();
            let (kind_name, nullable) = match upper.strip_suffix("NOT NULL") {
                Some(rest) => (rest.trim_end().to_string(), false),
                None => (upper, true),
            };
            let child = |key: &str| -> Result<Box<DataType>, String> {
                let v = o
                    .get(key)
                    .ok_or_else(|| format!("{kind_name} type without \"{key}\""))?;
                Ok(Box::new(type_from_json(v)?))
            };
            let kind = match kind_name.as_str() {
                "ARRAY" => TypeKind::Array(child("element")?),
                "MULTISET" => TypeKind::Multiset(child("element")?),
                "MAP" => TypeKind::Map(child("key")?, child("value")?),
                "ROW" => {
                    let fields = o.get("fields").ok_or("ROW type without \"fields\"")?;
                    TypeKind::Row(Vec::<DataField>::deserialize(fields).map_err(|e| e.to_string())?)
                }
                other => return Err(format!("unsupported nested type {other:?}")),
            };
            Ok(DataType { nullable, kind })
        }
        other => Err(format!("a type must be a string or an object, got {other}")),
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FieldJson {
    id: i32,
    name: String,
    #[serde(rename = "type")]
    data_type: DataType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default_value: Option<String>,
}

impl Serialize for DataField {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        FieldJson {
            id: self.id,
            name: self.name.clone(),
            data_type: self.data_type.clone(),
            description: self.description.clone(),
            default_value: self.default_value.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for DataField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let f = FieldJson::deserialize(d)?;
        Ok(DataField {
            id: f.id,
            name: f.name,
            data_type: f.data_type,
            description: f.description,
            default_value: f.default_value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_json_round_trips_and_ignores_pypaimon_nullable_key() {
        let text = r#"{"type":"MAP NOT NULL","key":"STRING NOT NULL","value":{"type":"ROW","nullable":true,
            "fields":[{"id":5,"name":"a","type":"TIMESTAMP_LTZ(6)","description":"d"}]}}"#;
        let t: DataType = serde_json::from_str(text).unwrap();
        assert!(!t.nullable);
        let back = serde_json::to_value(&t).unwrap();
        assert_eq!(
            back,
            serde_json::json!({"type":"MAP NOT NULL","key":"STRING NOT NULL","value":{"type":"ROW",
                "fields":[{"id":5,"name":"a","type":"TIMESTAMP(6) WITH LOCAL TIME ZONE","description":"d"}]}})
        );
        let again: DataType = serde_json::from_value(back).unwrap();
        assert_eq!(again, t);
    }

    #[test]
    fn bad_json_types_are_errors() {
        for bad in [
            r#"5"#,
            r#"{"element":"INT"}"#,
            r#"{"type":"ARRAY"}"#,
            r#"{"type":"WHAT","element":"INT"}"#,
            r#""DECIMAL(99, 1)""#,
        ] {
            assert!(serde_json::from_str::<DataType>(bad).is_err(), "{bad}");
        }
    }
}
