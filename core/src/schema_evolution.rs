//! Schema evolution by a writer: added columns and widened types, as new schema files.
//!
//! A new schema gets the next id and is published with put-if-absent, like a snapshot: of two
//! writers evolving a table at once, one wins and the other re-reads and re-checks. Added
//! columns get fresh field ids (older files read them as null); a widened type must be one the
//! read path casts losslessly from the old one (older files are cast on read). Key and
//! partition columns never change type: their values fix buckets and paths.

use bytes::Bytes;

use crate::schema::{schema_path, TableSchema};
use crate::storage::Storage;
use crate::types::{DataField, DataType, TypeKind};
use crate::{Error, Result};

/// Whether values of type `from` convert losslessly to `to`, so a column may be widened from
/// one to the other (nullability aside): integers to wider integers, FLOAT to DOUBLE, integers
/// to DOUBLE or to decimals with room for them, decimals to more integer and fraction digits,
/// longer CHAR/VARCHAR, longer BINARY/VARBINARY, more timestamp or time precision.
pub fn widens_to(from: &DataType, to: &DataType) -> bool {
    use TypeKind::*;
    let int_digits = |k: &TypeKind| match k {
        TinyInt => Some(3u8),
        SmallInt => Some(5),
        Int => Some(10),
        BigInt => Some(19),
        _ => None,
    };
    match (&from.kind, &to.kind) {
        (a, b) if a == b => true,
        (a, b) if int_digits(a).is_some() && int_digits(b).is_some() => {
            int_digits(a) <= int_digits(b)
        }
        (TinyInt | SmallInt | Int, Double) | (TinyInt | SmallInt, Float) => true,
        (Float, Double) => true,
        (a, Decimal { precision, scale }) if int_digits(a).is_some() => {
            int_digits(a).is_some_and(|d| d <= precision - scale)
        }
        (
            Decimal {
                precision: p1,
                scale: s1,
            },
            Decimal {
                precision: p2,
                scale: s2,
            },
        ) => s2 >= s1 && p2 - s2 >= p1 - s1,
        (Char(a) | VarChar(a), VarChar(b)) => a <= b,
        (Char(a), Char(b)) => a <= b,
        (Binary(a) | VarBinary(a), VarBinary(b)) => a <= b,
        (Binary(a), Binary(b)) => a <= b,
        (Timestamp(a), Timestamp(b)) => a <= b,
        (LocalZonedTimestamp(a), LocalZonedTimestamp(b)) => a <= b,
        (Time(a), Time(b)) => a <= b,
        _ => false,
    }
}

/// What a writer asks of a schema.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchemaChange {
    /// Columns to add at the end (always nullable).
    pub add: Vec<(String, DataType)>,
    /// Columns whose type is widened.
    pub widen: Vec<(String, DataType)>,
}

impl SchemaChange {
    /// Whether there is nothing to change.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.widen.is_empty()
    }
}

/// The next schema after `change`, or an error naming the column that cannot change so.
/// Columns already present with a type at least as wide are left alone, so a change planned
/// against an older schema applies cleanly to a newer one that already has it.
pub fn evolve(
    schema: &TableSchema,
    change: &SchemaChange,
    time_millis: i64,
) -> Result<TableSchema> {
    let mut next = schema.clone();
    next.id += 1;
    next.time_millis = time_millis;
    let mut changed = false;
    for (name, to) in change.widen.iter().chain(&change.add) {
        match next.fields.iter_mut().find(|f| &f.name == name) {
            Some(f) => {
                if widens_to(to, &f.data_type) {
                    continue; // already wide enough
                }
                if next.primary_keys.contains(name) || next.partition_keys.contains(name) {
                    return Err(Error::InvalidValue(format!(
                        "column {name:?} is a key or partition column: its type {} cannot change to {to}",
                        f.data_type
                    )));
                }
                if !widens_to(&f.data_type, to) {
                    return Err(Error::InvalidValue(format!(
                        "column {name:?}: type {} cannot change to {to} (only widening is allowed)",
                        f.data_type
                    )));
                }
                f.data_type = to.with_nullable(f.data_type.nullable);
                changed = true;
            }
            None => {
                if !to.is_atomic() {
                    return Err(Error::InvalidValue(format!(
                        "column {name:?}: adding nested type {to} is not supported"
                    )));
                }
                next.highest_field_id += 1;
                next.fields.push(DataField::new(
                    next.highest_field_id,
                    name.clone(),
                    to.with_nullable(true),
                ));
                changed = true;
            }
        }
    }
    if !changed {
        return Ok(schema.clone());
    }
    next.validate("evolved schema")?;
    Ok(next)
}

/// Publishes an evolved schema with put-if-absent; [`Error::AlreadyExists`] if another
/// writer published that id first (re-read the latest schema and evolve again).
pub async fn commit_schema(storage: &dyn Storage, schema: &TableSchema) -> Result<()> {
    storage
        .put_if_absent(&schema_path(schema.id), Bytes::from(schema.to_json()))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DataType {
        crate::types::parse_columns(&format!("x {s}")).unwrap()[0]
            .data_type
            .clone()
    }

    #[test]
    fn widening_rules() {
        assert!(widens_to(&t("INT"), &t("BIGINT")));
        assert!(!widens_to(&t("BIGINT"), &t("INT")));
        assert!(widens_to(&t("FLOAT"), &t("DOUBLE")));
        assert!(widens_to(&t("INT"), &t("DECIMAL(12, 2)")));
        assert!(!widens_to(&t("BIGINT"), &t("DECIMAL(12, 2)")));
        assert!(widens_to(&t("DECIMAL(10, 2)"), &t("DECIMAL(12, 3)")));
        assert!(!widens_to(&t("DECIMAL(10, 2)"), &t("DECIMAL(10, 3)")));
        assert!(widens_to(&t("VARCHAR(10)"), &t("STRING")));
        assert!(!widens_to(&t("STRING"), &t("INT")));
        assert!(widens_to(&t("TIMESTAMP(3)"), &t("TIMESTAMP(6)")));
    }

    #[test]
    fn evolve_adds_and_widens() {
        let s = TableSchema::create(
            crate::types::parse_columns("id BIGINT, n INT, s STRING").unwrap(),
            vec![],
            vec!["id".into()],
            [("bucket".to_string(), "1".to_string())].into(),
            0,
        )
        .unwrap();
        let change = SchemaChange {
            add: vec![("extra".into(), t("DOUBLE NOT NULL"))],
            widen: vec![("n".into(), t("BIGINT"))],
        };
        let next = evolve(&s, &change, 5).unwrap();
        assert_eq!(next.id, 1);
        assert_eq!(next.field("n").unwrap().data_type, t("BIGINT"));
        let extra = next.field("extra").unwrap();
        assert_eq!((extra.id, extra.data_type.nullable), (3, true));
        // Applying it again changes nothing; narrowing and key changes are refused.
        assert_eq!(evolve(&next, &change, 6).unwrap(), next);
        let narrow = SchemaChange {
            widen: vec![("s".into(), t("INT"))],
            ..Default::default()
        };
        assert!(evolve(&next, &narrow, 6).is_err());
        let key = SchemaChange {
            widen: vec![("id".into(), t("DECIMAL(20, 0)"))],
            ..Default::default()
        };
        assert!(evolve(&next, &key, 6).is_err());
    }
}

#[cfg(test)]
#[path = "schema_evolution_tests.rs"]
mod widening_tests;
