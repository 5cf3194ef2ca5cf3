//! Paimon's key-value records and the layout of primary-key data files: the trimmed primary
//! key as `_KEY_<name>` columns, `_SEQUENCE_NUMBER`, `_VALUE_KIND`, then the row. The read and
//! write paths both take the names and field ids from here.

/// Prefix of the key columns (`_KEY_id`).
pub const KEY_PREFIX: &str = "_KEY_";
/// Field id of key column `_KEY_<name>`: this plus the value field's id (Java's
/// `SpecialFields.KEY_FIELD_ID_START`).
pub const KEY_FIELD_ID_START: i32 = i32::MAX / 2;
/// Column of the sequence number.
pub const SEQUENCE_NUMBER: &str = "_SEQUENCE_NUMBER";
/// Field id of `_SEQUENCE_NUMBER`.
pub const SEQUENCE_NUMBER_ID: i32 = i32::MAX - 1;
/// Column of the row kind.
pub const VALUE_KIND: &str = "_VALUE_KIND";
/// Field id of `_VALUE_KIND`.
pub const VALUE_KIND_ID: i32 = i32::MAX - 2;

/// A record's kind (Paimon's `RowKind`): what it does to its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    /// `+I`: a new row.
    Insert,
    /// `-U`: the row before an update.
    UpdateBefore,
    /// `+U`: the row after an update.
    UpdateAfter,
    /// `-D`: a deleted row.
    Delete,
}

impl RowKind {
    /// The byte stored in `_VALUE_KIND`.
    pub fn to_byte(self) -> i8 {
        match self {
            RowKind::Insert => row_kind::INSERT,
            RowKind::UpdateBefore => row_kind::UPDATE_BEFORE,
            RowKind::UpdateAfter => row_kind::UPDATE_AFTER,
            RowKind::Delete => row_kind::DELETE,
        }
    }

    /// The kind a `_VALUE_KIND` byte stores, if it is one.
    pub fn from_byte(b: i8) -> Option<Self> {
        match b {
            row_kind::INSERT => Some(RowKind::Insert),
            row_kind::UPDATE_BEFORE => Some(RowKind::UpdateBefore),
            row_kind::UPDATE_AFTER => Some(RowKind::UpdateAfter),
            row_kind::DELETE => Some(RowKind::Delete),
            _ => None,
        }
    }

    /// The short name: `+I`, `-U`, `+U` or `-D`.
    pub fn short_string(self) -> &'static str {
        match self {
            RowKind::Insert => "+I",
            RowKind::UpdateBefore => "-U",
            RowKind::UpdateAfter => "+U",
            RowKind::Delete => "-D",
        }
    }

    /// The kind a short name (`+I`, `-U`, `+U`, `-D`, surrounding spaces allowed) names.
    pub fn parse(text: &str) -> Option<Self> {
        [
            RowKind::Insert,
            RowKind::UpdateBefore,
            RowKind::UpdateAfter,
            RowKind::Delete,
        ]
        .into_iter()
        .find(|k| k.short_string() == text.trim())
    }

    /// Whether the kind retracts a row (`-U` or `-D`).
    pub fn is_retract(self) -> bool {
        matches!(self, RowKind::UpdateBefore | RowKind::Delete)
    }
}

/// Row kinds as the bytes stored in `_VALUE_KIND`, for the columnar paths that keep kinds in
/// `Int8Array`s.
pub mod row_kind {
    use super::RowKind;

    /// +I
    pub const INSERT: i8 = 0;
    /// -U
    pub const UPDATE_BEFORE: i8 = 1;
    /// +U
    pub const UPDATE_AFTER: i8 = 2;
    /// -D
    pub const DELETE: i8 = 3;

    /// Whether a kind retracts (-U or -D).
    pub fn is_retract(k: i8) -> bool {
        k == UPDATE_BEFORE || k == DELETE
    }

    /// The short name (`+I`, `-U`, `+U`, `-D`); bytes outside 0..=3 read as `-D`, the
    /// readers having refused them already.
    pub fn name(k: i8) -> &'static str {
        RowKind::from_byte(k).map_or("-D", RowKind::short_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_bytes_and_names() {
        for b in 0..4 {
            let k = RowKind::from_byte(b).unwrap();
            assert_eq!(k.to_byte(), b);
            assert_eq!(RowKind::parse(k.short_string()), Some(k));
            assert_eq!(row_kind::name(b), k.short_string());
            assert_eq!(row_kind::is_retract(b), k.is_retract());
        }
        assert_eq!(RowKind::from_byte(4), None);
        assert_eq!(RowKind::parse(" -D "), Some(RowKind::Delete));
        assert_eq!(RowKind::parse("D"), None);
    }
}
