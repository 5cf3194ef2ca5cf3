//! Filters: comparisons, `IN`, `IS NULL` and `AND`/`OR`/`NOT` over columns.
//!
//! A filter is parsed from text ([`Predicate::parse`]), bound to a schema (literals converted
//! to the column types), then used three ways: to prune partitions, manifests and files by
//! their stats ([`BoundPredicate::may_match_stats`]), and to filter rows exactly
//! ([`BoundPredicate::evaluate`]).
//!
//! ```
//! use strata_core::predicate::Predicate;
//! let p = Predicate::parse("id >= 10 AND (dt = '2024-01-01' OR name IS NULL)").unwrap();
//! assert_eq!(p.columns(), vec!["dt", "id", "name"]);
//! ```

mod bind;
mod eval;
mod parse;

pub use bind::{compare_datum_rows, compare_datums, convert_literal, BoundPredicate, Literal};
pub use eval::ColumnFacts;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=` or `<>`
    NotEq,
    /// `<`
    Lt,
    /// `<=`
    LtEq,
    /// `>`
    Gt,
    /// `>=`
    GtEq,
}

/// An unbound filter over column names.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// `column op literal`.
    Compare {
        /// Column name.
        column: String,
        /// Operator.
        op: CmpOp,
        /// Literal.
        value: Literal,
    },
    /// `column [NOT] IN (literals)`.
    In {
        /// Column name.
        column: String,
        /// Literals.
        values: Vec<Literal>,
        /// `NOT IN`.
        negated: bool,
    },
    /// `column IS [NOT] NULL`.
    IsNull {
        /// Column name.
        column: String,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// All must hold.
    And(Vec<Predicate>),
    /// Any must hold.
    Or(Vec<Predicate>),
    /// Negation.
    Not(Box<Predicate>),
}

impl Predicate {
    /// Parses filter text.
    pub fn parse(text: &str) -> crate::Result<Self> {
        parse::parse(text)
    }

    /// The column names used, sorted and unique.
    pub fn columns(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_columns(&mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Predicate::Compare { column, .. }
            | Predicate::In { column, .. }
            | Predicate::IsNull { column, .. } => out.push(column),
            Predicate::And(ps) | Predicate::Or(ps) => {
                ps.iter().for_each(|p| p.collect_columns(out))
            }
            Predicate::Not(p) => p.collect_columns(out),
        }
    }
}

#[cfg(test)]
mod eval_tests;
#[cfg(test)]
mod parse_tests;
