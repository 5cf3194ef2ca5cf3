//! What a CDC stream says about the table's schema, as Paimon's CDC sync actions read it: the
//! schema of a table created from the first message, and the columns a later message adds
//! or widens. Applying the change is core's schema evolution.

use strata_core::schema::TableSchema;
use strata_core::schema_evolution::{widens_to, SchemaChange};
use strata_core::types::{DataField, DataType, TypeKind, MAX_LENGTH};
use strata_core::{Error, Result};

use super::convert::infer_type;
use super::formats::Decoded;
use super::pipeline::IngestOptions;

/// The columns `decoded` has that `schema` lacks (typed as declared, else from the value),
/// and those it declares wider. A narrower or unrelated declared type is refused: the error
/// names `location` (the message).
pub(super) fn schema_change(
    schema: &TableSchema,
    decoded: &Decoded,
    location: &str,
) -> Result<SchemaChange> {
    let mut change = SchemaChange::default();
    for c in &decoded.columns {
        if let Some(f) = schema.field(&c.name) {
            let (have, want) = (&f.data_type, &c.data_type);
            if widens_to(want, have) {
                continue;
            }
            if !widens_to(have, want) {
                return Err(Error::Unsupported {
                    file: location.to_string(),
                    what: format!(
                        "column {} changed type from {have} to {want}, which is not a widening",
                        c.name
                    ),
                });
            }
            change.widen.push((c.name.clone(), want.clone()));
        }
    }
    for ch in &decoded.changes {
        for (name, v) in &ch.row.0 {
            if schema.field(name).is_some() || change.add.iter().any(|(n, _)| n == name) {
                continue;
            }
            let declared = decoded.columns.iter().find(|c| &c.name == name);
            let t = declared
                .map(|c| c.data_type.clone())
                .or_else(|| infer_type(v));
            if let Some(t) = t {
                change.add.push((name.clone(), t));
            }
        }
    }
    Ok(change)
}

/// The schema of a table created from its first message: the declared columns, then the
/// first row's others (typed from their values, STRING where a value says nothing), the
/// primary key given or the one the message names, and the ingest's table options.
pub(super) fn created_schema(
    decoded: &Decoded,
    opts: &IngestOptions,
    location: &str,
    now_millis: i64,
) -> Result<TableSchema> {
    let mut fields: Vec<DataField> = Vec::new();
    let mut add = |name: &str, t: DataType| {
        if !fields.iter().any(|f| f.name == name) {
            fields.push(DataField::new(fields.len() as i32, name, t));
        }
    };
    for c in &decoded.columns {
        add(&c.name, c.data_type.clone());
    }
    if let Some(first) = decoded.changes.first() {
        for (name, v) in &first.row.0 {
            let t =
                infer_type(v).unwrap_or_else(|| DataType::nullable(TypeKind::VarChar(MAX_LENGTH)));
            add(name, t);
        }
    }
    let pk = if opts.primary_key.is_empty() {
        decoded.primary_keys.clone()
    } else {
        opts.primary_key.clone()
    };
    if pk.is_empty() {
        return Err(Error::InvalidValue(format!(
            "{location}: the messages name no primary key; pass --primary-key"
        )));
    }
    let mut options: std::collections::BTreeMap<String, String> =
        opts.table_options.iter().cloned().collect();
    options
        .entry("bucket".into())
        .or_insert_with(|| opts.bucket.to_string());
    TableSchema::create(fields, opts.partition.clone(), pk, options, now_millis)
}
