//! Parquet statistics as datums, for pruning: a row group's from the footer, a page's from the
//! page index. Only the types whose statistics compare as their values do are read; strings
//! and binaries are left out because writers may truncate their statistics.
//!
//! (The parquet crate's `StatisticsConverter` does this for every Arrow type through Arrow
//! arrays; this reads the few types Paimon writes straight into datums, which keeps about
//! 50 KB of code out of the gzipped Wasm module.)

use arrow_schema::{DataType as ArrowType, TimeUnit};
use parquet::file::metadata::RowGroupMetaData;
use parquet::file::page_index::column_index::{ColumnIndexMetaData, PrimitiveColumnIndex};
use parquet::file::statistics::{Statistics, ValueStatistics};
use parquet::schema::types::SchemaDescriptor;

use crate::binary_row::{from_be_twos_complement, timestamp_datum, Datum};
use crate::predicate::ColumnFacts;

/// One statistics value as the file stores it.
#[derive(Debug, Clone, Copy)]
enum Raw<'a> {
    Boolean(bool),
    Int32(i32),
    Int64(i64),
    Float(f32),
    Double(f64),
    Bytes(&'a [u8]),
}

/// A column whose statistics may prune: its leaf in the Parquet schema and how to read them.
#[derive(Debug, Clone)]
pub(crate) struct StatsColumn {
    /// The column's index among the file's leaf columns.
    pub leaf: usize,
    /// The Arrow type the column is read as, which decides how values become datums.
    kind: ArrowType,
}

impl StatsColumn {
    /// The top-level column `name` read as `t`, or `None` where its statistics are not used
    /// (another type, nested, or absent).
    pub fn new(schema: &SchemaDescriptor, name: &str, t: &ArrowType) -> Option<Self> {
        let read = matches!(
            t,
            ArrowType::Boolean
                | ArrowType::Int8
                | ArrowType::Int16
                | ArrowType::Int32
                | ArrowType::Int64
                | ArrowType::Float32
                | ArrowType::Float64
                | ArrowType::Decimal128(..)
                | ArrowType::Date32
                | ArrowType::Time32(TimeUnit::Millisecond)
                | ArrowType::Timestamp(..)
        );
        if !read {
            return None;
        }
        let leaf = schema.columns().iter().position(|c| {
            let parts = c.path().parts();
            parts.len() == 1 && parts[0] == name
        })?;
        Some(StatsColumn {
            leaf,
            kind: t.clone(),
        })
    }

    /// What row group `rg`'s statistics say of this column (nulls where they say nothing).
    pub fn row_group(&self, rg: &RowGroupMetaData) -> ColumnFacts {
        let stats = rg.columns().get(self.leaf).and_then(|c| c.statistics());
        let (min, max) = stats.map_or((None, None), stat_bounds);
        self.facts(
            min,
            max,
            stats.and_then(Statistics::null_count_opt),
            rg.num_rows(),
        )
    }

    /// What the page index says of this column's page `page` of `rows` rows.
    pub fn page(&self, index: &ColumnIndexMetaData, page: usize, rows: i64) -> ColumnFacts {
        let (min, max) = match index {
            ColumnIndexMetaData::BOOLEAN(i) => bounds(i, page, Raw::Boolean),
            ColumnIndexMetaData::INT32(i) => bounds(i, page, Raw::Int32),
            ColumnIndexMetaData::INT64(i) => bounds(i, page, Raw::Int64),
            ColumnIndexMetaData::FLOAT(i) => bounds(i, page, Raw::Float),
            ColumnIndexMetaData::DOUBLE(i) => bounds(i, page, Raw::Double),
            ColumnIndexMetaData::BYTE_ARRAY(i) | ColumnIndexMetaData::FIXED_LEN_BYTE_ARRAY(i) => (
                i.min_value(page).map(Raw::Bytes),
                i.max_value(page).map(Raw::Bytes),
            ),
            ColumnIndexMetaData::NONE | ColumnIndexMetaData::INT96(_) => (None, None),
        };
        let nulls = index.null_count(page).and_then(|n| u64::try_from(n).ok());
        self.facts(min, max, nulls, rows)
    }

    fn facts(
        &self,
        min: Option<Raw<'_>>,
        max: Option<Raw<'_>>,
        null_count: Option<u64>,
        row_count: i64,
    ) -> ColumnFacts {
        let value =
            |r: Option<Raw<'_>>| r.and_then(|r| datum(&self.kind, r)).unwrap_or(Datum::Null);
        ColumnFacts {
            min: value(min),
            max: value(max),
            null_count: null_count.and_then(|n| i64::try_from(n).ok()),
            row_count,
        }
    }
}

/// A page's bounds in a primitive column index.
fn bounds<T: Copy>(
    index: &PrimitiveColumnIndex<T>,
    page: usize,
    raw: fn(T) -> Raw<'static>,
) -> (Option<Raw<'static>>, Option<Raw<'static>>) {
    (
        index.min_value(page).map(|v| raw(*v)),
        index.max_value(page).map(|v| raw(*v)),
    )
}

/// A row group's bounds in its column chunk's statistics.
fn stat_bounds(s: &Statistics) -> (Option<Raw<'_>>, Option<Raw<'_>>) {
    fn both<'a, T>(
        v: &'a ValueStatistics<T>,
        raw: impl Fn(&'a T) -> Raw<'a>,
    ) -> (Option<Raw<'a>>, Option<Raw<'a>>) {
        (v.min_opt().map(&raw), v.max_opt().map(&raw))
    }
    match s {
        Statistics::Boolean(v) => both(v, |x| Raw::Boolean(*x)),
        Statistics::Int32(v) => both(v, |x| Raw::Int32(*x)),
        Statistics::Int64(v) => both(v, |x| Raw::Int64(*x)),
        Statistics::Float(v) => both(v, |x| Raw::Float(*x)),
        Statistics::Double(v) => both(v, |x| Raw::Double(*x)),
        // Statistics decoded from a footer always hold their bytes.
        Statistics::ByteArray(v) => both(v, |x| Raw::Bytes(x.data())),
        Statistics::FixedLenByteArray(v) => both(v, |x| Raw::Bytes(x.data())),
        Statistics::Int96(_) => (None, None),
    }
}

/// A statistics value as a datum of Arrow type `t`, or `None` where the file's physical type
/// does not fit (the value then tells nothing). NaN bounds tell nothing either.
fn datum(t: &ArrowType, raw: Raw<'_>) -> Option<Datum> {
    Some(match (t, raw) {
        (ArrowType::Boolean, Raw::Boolean(v)) => Datum::Boolean(v),
        (ArrowType::Int8, Raw::Int32(v)) => Datum::TinyInt(i8::try_from(v).ok()?),
        (ArrowType::Int16, Raw::Int32(v)) => Datum::SmallInt(i16::try_from(v).ok()?),
        (ArrowType::Int32, Raw::Int32(v)) => Datum::Int(v),
        (ArrowType::Int64, Raw::Int64(v)) => Datum::BigInt(v),
        (ArrowType::Float32, Raw::Float(v)) if !v.is_nan() => Datum::Float(v),
        (ArrowType::Float64, Raw::Double(v)) if !v.is_nan() => Datum::Double(v),
        (ArrowType::Decimal128(..), Raw::Int32(v)) => Datum::Decimal(i128::from(v)),
        (ArrowType::Decimal128(..), Raw::Int64(v)) => Datum::Decimal(i128::from(v)),
        (ArrowType::Decimal128(..), Raw::Bytes(b)) if (1..=16).contains(&b.len()) => {
            Datum::Decimal(from_be_twos_complement(b))
        }
        (ArrowType::Date32, Raw::Int32(v)) => Datum::Date(v),
        (ArrowType::Time32(TimeUnit::Millisecond), Raw::Int32(v)) => Datum::Time(v),
        (ArrowType::Timestamp(unit, _), Raw::Int64(v)) => {
            Datum::Timestamp(timestamp_datum(v, *unit)?)
        }
        _ => return None,
    })
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
