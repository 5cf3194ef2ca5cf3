//! SimpleStats: per-column min, max and null counts of a file or manifest, as stored in
//! manifests (`_KEY_STATS`, `_VALUE_STATS`, `_PARTITION_STATS`).

use crate::binary_row::{BinaryRow, Datum};
use crate::types::DataType;
use crate::Result;

/// Min/max rows and null counts of a set of columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleStats {
    /// Minimum of each column (a row of the nullable column types; null where unknown).
    pub min_values: BinaryRow,
    /// Maximum of each column.
    pub max_values: BinaryRow,
    /// Null count of each column (`None` inside where unknown); `None` overall is legacy.
    pub null_counts: Option<Vec<Option<i64>>>,
}

impl SimpleStats {
    /// Stats of no columns: empty rows and no counts (Java's `EMPTY_STATS`).
    pub fn empty() -> Self {
        SimpleStats {
            min_values: BinaryRow::empty(),
            max_values: BinaryRow::empty(),
            null_counts: Some(Vec::new()),
        }
    }

    /// Whether these are the empty stats.
    pub fn is_empty(&self) -> bool {
        self.min_values.arity() == 0
            && self.max_values.arity() == 0
            && self.null_counts.as_ref().is_none_or(Vec::is_empty)
    }

    /// Builds stats from decoded mins, maxes and null counts of columns of `types` (the
    /// nullable versions of the types are used, as Paimon does for stats rows).
    pub fn from_values(
        types: &[DataType],
        mins: &[Datum],
        maxes: &[Datum],
        null_counts: Vec<Option<i64>>,
    ) -> Result<Self> {
        let nullable: Vec<DataType> = types.iter().map(|t| t.with_nullable(true)).collect();
        Ok(SimpleStats {
            min_values: BinaryRow::encode(&nullable, mins)?,
            max_values: BinaryRow::encode(&nullable, maxes)?,
            null_counts: Some(null_counts),
        })
    }

    /// Decodes mins and maxes as columns of `types`.
    pub fn decode(&self, types: &[DataType]) -> Result<(Vec<Datum>, Vec<Datum>)> {
        Ok((
            self.min_values.decode(types)?,
            self.max_values.decode(types)?,
        ))
    }
}
