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

#[cfg(test)]
mod tests {
    use super::*;

    fn types(s: &str) -> Vec<DataType> {
        crate::types::parse_columns(s)
            .unwrap()
            .into_iter()
            .map(|f| f.data_type)
            .collect()
    }

    #[test]
    fn empty_stats_have_no_columns_and_legacy_stats_count_as_empty() {
        let e = SimpleStats::empty();
        assert!(e.is_empty());
        assert_eq!(
            e.min_values.serialize(),
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(e.null_counts, Some(vec![]));
        let legacy = SimpleStats {
            null_counts: None,
            ..SimpleStats::empty()
        };
        assert!(legacy.is_empty());
        let counted = SimpleStats {
            null_counts: Some(vec![Some(0)]),
            ..SimpleStats::empty()
        };
        assert!(!counted.is_empty(), "a null count means a column");
        let t = types("a INT");
        let one =
            SimpleStats::from_values(&t, &[Datum::Int(1)], &[Datum::Int(2)], vec![None]).unwrap();
        assert!(!one.is_empty());
    }

    #[test]
    fn stats_of_not_null_columns_may_hold_nulls_and_round_trip() {
        let t = types("a INT NOT NULL, s STRING NOT NULL, d DECIMAL(20, 2)");
        let mins = [
            Datum::Null,
            Datum::String("a long string value".into()),
            Datum::Decimal(-12345),
        ];
        let maxes = [
            Datum::Int(9),
            Datum::Null,
            Datum::Decimal(i128::from(i64::MAX) * 10),
        ];
        let s = SimpleStats::from_values(&t, &mins, &maxes, vec![Some(0), None, Some(3)]).unwrap();
        assert_eq!(s.min_values.arity(), 3);
        assert!(s.min_values.is_null_at(0));
        assert_eq!(s.decode(&t).unwrap(), (mins.to_vec(), maxes.to_vec()));
        assert_eq!(s.null_counts, Some(vec![Some(0), None, Some(3)]));
    }

    #[test]
    fn values_that_do_not_fit_their_types_are_errors() {
        let t = types("a INT");
        assert!(
            SimpleStats::from_values(&t, &[Datum::String("x".into())], &[Datum::Null], vec![])
                .is_err()
        );
        let s = SimpleStats::from_values(&t, &[Datum::Int(1)], &[Datum::Int(1)], vec![]).unwrap();
        assert_eq!(
            s.decode(&types("a INT, b INT")).unwrap_err().to_string(),
            "corrupt BinaryRow: arity 1 but 2 field types expected"
        );
    }
}
