//! Avro writer schemas as Strata parses them: only what decoding needs, with named types
//! resolved and nesting bounded, never panicking on malformed input.

use std::collections::HashMap;

/// The deepest datum nesting accepted.
pub(super) const MAX_DEPTH: usize = 32;

/// A writer schema, parsed by Strata (not by `apache-avro`, whose schema parser panics on
/// some malformed names): only what decoding needs. Logical types decode as their underlying
/// type.
#[derive(Debug, Clone)]
pub(super) enum AvroSchema {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Fixed(usize),
    Enum(Vec<String>),
    Array(Box<AvroSchema>),
    Map(Box<AvroSchema>),
    Union(Vec<AvroSchema>),
    Record(Vec<(String, AvroSchema)>),
    /// A reference to a named type, by index into the parser's table.
    Named(usize),
}

/// Parses writer-schema JSON, resolving named types.
pub(super) struct SchemaParser {
    pub(super) names: HashMap<String, usize>,
    pub(super) named: Vec<Option<AvroSchema>>,
}

impl SchemaParser {
    pub(super) fn parse(
        &mut self,
        v: &serde_json::Value,
        ns: &str,
        depth: usize,
    ) -> std::result::Result<AvroSchema, String> {
        use serde_json::Value as J;
        if depth > MAX_DEPTH {
            return Err("schema nested too deeply".into());
        }
        match v {
            J::String(name) => self.primitive_or_ref(name, ns),
            J::Array(variants) => Ok(AvroSchema::Union(
                variants
                    .iter()
                    .map(|x| self.parse(x, ns, depth + 1))
                    .collect::<std::result::Result<_, _>>()?,
            )),
            J::Object(o) => {
                let ty = o.get("type").ok_or("schema object without \"type\"")?;
                let ty = match ty {
                    J::String(t) => t.as_str(),
                    other => return self.parse(other, ns, depth + 1),
                };
                match ty {
                    "record" | "error" | "enum" | "fixed" => {
                        let name = o
                            .get("name")
                            .and_then(J::as_str)
                            .ok_or("named type without a name")?;
                        let ns = match (
                            name.rsplit_once('.'),
                            o.get("namespace").and_then(J::as_str),
                        ) {
                            (Some((n, _)), _) => n.to_string(),
                            (None, Some(n)) => n.to_string(),
                            (None, None) => ns.to_string(),
                        };
                        let full = if name.contains('.') || ns.is_empty() {
                            name.to_string()
                        } else {
                            format!("{ns}.{name}")
                        };
                        let index = self.named.len();
                        self.named.push(None);
                        self.names.insert(full, index);
                        let schema = match ty {
                            "enum" => AvroSchema::Enum(
                                o.get("symbols")
                                    .and_then(J::as_array)
                                    .ok_or("enum without symbols")?
                                    .iter()
                                    .map(|s| {
                                        s.as_str().map(str::to_string).ok_or("bad enum symbol")
                                    })
                                    .collect::<std::result::Result<_, _>>()?,
                            ),
                            "fixed" => AvroSchema::Fixed(
                                o.get("size")
                                    .and_then(J::as_u64)
                                    .and_then(|n| usize::try_from(n).ok())
                                    .ok_or("fixed without a valid size")?,
                            ),
                            _ => {
                                let fields = o
                                    .get("fields")
                                    .and_then(J::as_array)
                                    .ok_or("record without fields")?;
                                let mut out = Vec::with_capacity(fields.len());
                                for f in fields {
                                    let fname = f
                                        .get("name")
                                        .and_then(J::as_str)
                                        .ok_or("record field without a name")?;
                                    let ft = f.get("type").ok_or("record field without a type")?;
                                    out.push((fname.to_string(), self.parse(ft, &ns, depth + 1)?));
                                }
                                AvroSchema::Record(out)
                            }
                        };
                        self.named[index] = Some(schema);
                        Ok(AvroSchema::Named(index))
                    }
                    "array" => Ok(AvroSchema::Array(Box::new(self.parse(
                        o.get("items").ok_or("array without items")?,
                        ns,
                        depth + 1,
                    )?))),
                    "map" => Ok(AvroSchema::Map(Box::new(self.parse(
                        o.get("values").ok_or("map without values")?,
                        ns,
                        depth + 1,
                    )?))),
                    other => self.primitive_or_ref(other, ns),
                }
            }
            other => Err(format!("invalid schema node {other}")),
        }
    }

    fn primitive_or_ref(&self, name: &str, ns: &str) -> std::result::Result<AvroSchema, String> {
        Ok(match name {
            "null" => AvroSchema::Null,
            "boolean" => AvroSchema::Boolean,
            "int" => AvroSchema::Int,
            "long" => AvroSchema::Long,
            "float" => AvroSchema::Float,
            "double" => AvroSchema::Double,
            "bytes" => AvroSchema::Bytes,
            "string" => AvroSchema::String,
            other => {
                let qualified = format!("{ns}.{other}");
                let index = self
                    .names
                    .get(other)
                    .or_else(|| self.names.get(&qualified))
                    .ok_or_else(|| format!("unknown type {other:?}"))?;
                AvroSchema::Named(*index)
            }
        })
    }
}
