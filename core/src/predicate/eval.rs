//! Evaluating bound predicates: exactly on Arrow batches, conservatively on stats.

use std::cmp::Ordering;

use arrow_arith::boolean::{and_kleene, is_not_null, is_null, not, or_kleene};
use arrow_array::{Array, BooleanArray, RecordBatch, Scalar};
use arrow_ord::cmp;

use super::bind::compare_datums;
use super::{BoundPredicate, CmpOp};
use crate::binary_row::{datums_to_array, Datum};
use crate::{Error, Result};

/// What is known of a column over a file, manifest or partition.
#[derive(Debug, Clone)]
pub struct ColumnFacts {
    /// Smallest non-null value (`Null` if unknown or all null).
    pub min: Datum,
    /// Largest non-null value.
    pub max: Datum,
    /// Null count, if known.
    pub null_count: Option<i64>,
    /// Rows covered.
    pub row_count: i64,
}

impl BoundPredicate {
    /// Rows of `batch` for which the predicate is true (null counts as false when filtering).
    pub fn evaluate(&self, batch: &RecordBatch) -> Result<BooleanArray> {
        let arrow = |e: arrow_schema::ArrowError| Error::InvalidValue(format!("filter: {e}"));
        let column = |c: &str| {
            batch
                .column_by_name(c)
                .ok_or_else(|| Error::InvalidValue(format!("filter: column {c:?} was not read")))
        };
        let all = |v: bool| BooleanArray::from(vec![v; batch.num_rows()]);
        // A comparison with a null literal is unknown (null) for every row, so that `NOT`
        // over it stays unknown, as in SQL and as `may_match` assumes.
        let unknown = || BooleanArray::new_null(batch.num_rows());
        Ok(match self {
            BoundPredicate::Compare {
                column: c,
                op,
                value,
            } => {
                if value.is_null() {
                    return Ok(unknown());
                }
                let col = column(c)?;
                let scalar = Scalar::new(datums_to_array(
                    std::slice::from_ref(value),
                    col.data_type(),
                )?);
                match op {
                    CmpOp::Eq => cmp::eq(col, &scalar),
                    CmpOp::NotEq => cmp::neq(col, &scalar),
                    CmpOp::Lt => cmp::lt(col, &scalar),
                    CmpOp::LtEq => cmp::lt_eq(col, &scalar),
                    CmpOp::Gt => cmp::gt(col, &scalar),
                    CmpOp::GtEq => cmp::gt_eq(col, &scalar),
                }
                .map_err(arrow)?
            }
            BoundPredicate::In {
                column: c,
                values,
                negated,
            } => {
                let col = column(c)?;
                let mut acc = all(*negated);
                for v in values {
                    let hit = if v.is_null() {
                        unknown()
                    } else {
                        let scalar =
                            Scalar::new(datums_to_array(std::slice::from_ref(v), col.data_type())?);
                        if *negated {
                            cmp::neq(col, &scalar)
                        } else {
                            cmp::eq(col, &scalar)
                        }
                        .map_err(arrow)?
                    };
                    acc = if *negated {
                        and_kleene(&acc, &hit)
                    } else {
                        or_kleene(&acc, &hit)
                    }
                    .map_err(arrow)?;
                }
                acc
            }
            BoundPredicate::IsNull { column: c, negated } => {
                let col = column(c)?;
                if *negated {
                    is_not_null(col)
                } else {
                    is_null(col)
                }
                .map_err(arrow)?
            }
            BoundPredicate::And(ps) => {
                let mut acc = all(true);
                for p in ps {
                    acc = and_kleene(&acc, &p.evaluate(batch)?).map_err(arrow)?;
                }
                acc
            }
            BoundPredicate::Or(ps) => {
                let mut acc = all(false);
                for p in ps {
                    acc = or_kleene(&acc, &p.evaluate(batch)?).map_err(arrow)?;
                }
                acc
            }
            BoundPredicate::Not(p) => not(&p.evaluate(batch)?).map_err(arrow)?,
        })
    }

    /// The predicate with `NOT` pushed down to the leaves.
    fn negate(&self) -> BoundPredicate {
        match self {
            BoundPredicate::Compare { column, op, value } => BoundPredicate::Compare {
                column: column.clone(),
                op: match op {
                    CmpOp::Eq => CmpOp::NotEq,
                    CmpOp::NotEq => CmpOp::Eq,
                    CmpOp::Lt => CmpOp::GtEq,
                    CmpOp::LtEq => CmpOp::Gt,
                    CmpOp::Gt => CmpOp::LtEq,
                    CmpOp::GtEq => CmpOp::Lt,
                },
                value: value.clone(),
            },
            BoundPredicate::In {
                column,
                values,
                negated,
            } => BoundPredicate::In {
                column: column.clone(),
                values: values.clone(),
                negated: !negated,
            },
            BoundPredicate::IsNull { column, negated } => BoundPredicate::IsNull {
                column: column.clone(),
                negated: !negated,
            },
            BoundPredicate::And(ps) => BoundPredicate::Or(ps.iter().map(Self::negate).collect()),
            BoundPredicate::Or(ps) => BoundPredicate::And(ps.iter().map(Self::negate).collect()),
            BoundPredicate::Not(p) => (**p).clone(),
        }
    }

    /// Whether rows described by `facts` may match. Unknown columns may match. Never false
    /// for a set of rows that holds a match.
    pub fn may_match(&self, facts: &dyn Fn(&str) -> Option<ColumnFacts>) -> bool {
        match self {
            BoundPredicate::And(ps) => ps.iter().all(|p| p.may_match(facts)),
            BoundPredicate::Or(ps) => ps.iter().any(|p| p.may_match(facts)),
            BoundPredicate::Not(p) => p.negate().may_match(facts),
            BoundPredicate::IsNull { column, negated } => match facts(column) {
                Some(ColumnFacts {
                    null_count: Some(n),
                    row_count,
                    ..
                }) => {
                    if *negated {
                        n < row_count
                    } else {
                        n > 0
                    }
                }
                _ => true,
            },
            BoundPredicate::Compare { column, op, value } => {
                if value.is_null() {
                    return false;
                }
                let Some(f) = facts(column) else { return true };
                if f.null_count == Some(f.row_count) {
                    return false;
                }
                if f.min.is_null() || f.max.is_null() {
                    return true;
                }
                let (Some(lo), Some(hi)) =
                    (compare_datums(&f.min, value), compare_datums(&f.max, value))
                else {
                    return true;
                };
                match op {
                    CmpOp::Eq => lo != Ordering::Greater && hi != Ordering::Less,
                    CmpOp::NotEq => !(lo == Ordering::Equal && hi == Ordering::Equal),
                    CmpOp::Lt => lo == Ordering::Less,
                    CmpOp::LtEq => lo != Ordering::Greater,
                    CmpOp::Gt => hi == Ordering::Greater,
                    CmpOp::GtEq => hi != Ordering::Less,
                }
            }
            BoundPredicate::In {
                column,
                values,
                negated,
            } => {
                let leaf = |v: &Datum, op| BoundPredicate::Compare {
                    column: column.clone(),
                    op,
                    value: v.clone(),
                };
                if *negated {
                    values
                        .iter()
                        .all(|v| leaf(v, CmpOp::NotEq).may_match(facts))
                } else {
                    values.iter().any(|v| leaf(v, CmpOp::Eq).may_match(facts))
                }
            }
        }
    }

    /// Columns used.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            BoundPredicate::Compare { column, .. }
            | BoundPredicate::In { column, .. }
            | BoundPredicate::IsNull { column, .. } => out.push(column),
            BoundPredicate::And(ps) | BoundPredicate::Or(ps) => {
                ps.iter().for_each(|p| p.collect(out))
            }
            BoundPredicate::Not(p) => p.collect(out),
        }
    }

    /// Equality literals the predicate requires for `column` (from `=` and `IN` under `AND`
    /// only), or `None` if it does not pin the column.
    pub fn pinned_values(&self, column: &str) -> Option<Vec<Datum>> {
        match self {
            BoundPredicate::Compare {
                column: c,
                op: CmpOp::Eq,
                value,
            } if c == column => Some(vec![value.clone()]),
            BoundPredicate::In {
                column: c,
                values,
                negated: false,
            } if c == column => Some(values.clone()),
            BoundPredicate::And(ps) => ps.iter().find_map(|p| p.pinned_values(column)),
            BoundPredicate::Or(ps) => {
                let mut all = Vec::new();
                for p in ps {
                    all.extend(p.pinned_values(column)?);
                }
                Some(all)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, StringArray};

    use super::*;
    use crate::predicate::Predicate;
    use crate::types::parse_columns;

    fn bound(text: &str) -> BoundPredicate {
        let fields = parse_columns("id BIGINT, name STRING").unwrap();
        Predicate::parse(text).unwrap().bind(&fields).unwrap()
    }

    #[test]
    fn evaluates_exactly_with_sql_nulls() {
        let batch = RecordBatch::try_from_iter(vec![
            (
                "id",
                Arc::new(Int64Array::from(vec![Some(1), Some(5), None, Some(9)])) as _,
            ),
            (
                "name",
                Arc::new(StringArray::from(vec![
                    Some("a"),
                    None,
                    Some("c"),
                    Some("d"),
                ])) as _,
            ),
        ])
        .unwrap();
        let hits = |t: &str| {
            let m = bound(t).evaluate(&batch).unwrap();
            (0..m.len())
                .filter(|&i| m.is_valid(i) && m.value(i))
                .collect::<Vec<_>>()
        };
        assert_eq!(hits("id > 1"), vec![1, 3]);
        assert_eq!(hits("NOT id > 1"), vec![0]);
        assert_eq!(hits("id IN (1, 9) OR name IS NULL"), vec![0, 1, 3]);
        assert_eq!(hits("id NOT IN (1, 9)"), vec![1]);
        assert_eq!(hits("name >= 'c' AND id != 9"), Vec::<usize>::new());
        assert_eq!(hits("id = NULL"), Vec::<usize>::new());
    }

    #[test]
    fn stats_pruning_is_conservative() {
        let facts = |min: i64, max: i64, nulls: i64| {
            move |c: &str| {
                (c == "id").then_some(ColumnFacts {
                    min: Datum::BigInt(min),
                    max: Datum::BigInt(max),
                    null_count: Some(nulls),
                    row_count: 10,
                })
            }
        };
        assert!(bound("id = 5").may_match(&facts(1, 9, 0)));
        assert!(!bound("id = 50").may_match(&facts(1, 9, 0)));
        assert!(!bound("id > 9").may_match(&facts(1, 9, 0)));
        assert!(bound("NOT id > 9").may_match(&facts(1, 9, 0)));
        assert!(!bound("NOT id >= 1").may_match(&facts(1, 9, 0)));
        assert!(!bound("id IS NULL").may_match(&facts(1, 9, 0)));
        assert!(bound("name = 'x'").may_match(&facts(1, 9, 0)));
        assert!(!bound("id IN (0, 10)").may_match(&facts(1, 9, 0)));
        assert_eq!(
            bound("id = 3 AND name = 'x'").pinned_values("id"),
            Some(vec![Datum::BigInt(3)])
        );
        assert_eq!(bound("id = 3 OR name = 'x'").pinned_values("id"), None);
    }
}
