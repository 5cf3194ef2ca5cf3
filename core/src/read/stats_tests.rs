use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int16Array,
    Int32Array, Int64Array, Int8Array, RecordBatch, StringArray, Time32MillisecondArray,
    TimestampMicrosecondArray, TimestampMillisecondArray, TimestampNanosecondArray,
};
use arrow_schema::{DataType as ArrowType, TimeUnit};
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use super::*;
use crate::binary_row::{datum_at, Datum, Timestamp};

const ROWS: usize = 40;
const PAGE_ROWS: usize = 10;
const GROUP_ROWS: usize = 20;

/// A file of one column per kind: values `f(i)` for rows `0..ROWS`, rows 10..20 null in every
/// column (one whole page), in row groups of 20 rows and pages of 10 rows.
fn file(columns: Vec<(&str, ArrayRef)>) -> (ParquetMetaData, RecordBatch) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let props = WriterProperties::builder()
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_size(GROUP_ROWS)
        .set_data_page_row_count_limit(PAGE_ROWS)
        .set_write_batch_size(PAGE_ROWS)
        .set_dictionary_enabled(false)
        .build();
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, batch.schema(), Some(props)).unwrap();
    for start in (0..ROWS).step_by(PAGE_ROWS) {
        w.write(&batch.slice(start, PAGE_ROWS)).unwrap();
    }
    w.close().unwrap();
    let md = ParquetMetaDataReader::new()
        .with_page_index_policy(PageIndexPolicy::Required)
        .parse_and_finish(&Bytes::from(buf))
        .unwrap();
    (md, batch)
}

fn nullable<T>(f: impl Fn(usize) -> T) -> impl Iterator<Item = Option<T>> {
    (0..ROWS).map(move |i| (!(10..20).contains(&i)).then(|| f(i)))
}

/// Min and max of `array`'s non-null values in `rows`, as `datum_at` reads them.
fn expected(array: &dyn arrow_array::Array, rows: std::ops::Range<usize>) -> (Datum, Datum) {
    let values: Vec<Datum> = rows
        .filter(|&r| !array.is_null(r))
        .map(|r| datum_at(array, r).unwrap())
        .collect();
    let cmp = |a: &&Datum, b: &&Datum| crate::predicate::compare_datums(a, b).unwrap();
    (
        values.iter().min_by(cmp).cloned().unwrap_or(Datum::Null),
        values.iter().max_by(cmp).cloned().unwrap_or(Datum::Null),
    )
}

#[test]
fn row_groups_and_pages_read_as_the_values_do() {
    let dec = |p: u8, s: i8, k: i128| {
        Arc::new(
            Decimal128Array::from_iter(nullable(|i| (i as i128 - 20) * k))
                .with_precision_and_scale(p, s)
                .unwrap(),
        ) as ArrayRef
    };
    let columns: Vec<(&str, ArrayRef)> = vec![
        (
            "b",
            Arc::new(BooleanArray::from_iter(nullable(|i| i % 7 == 0))),
        ),
        (
            "i8",
            Arc::new(Int8Array::from_iter(nullable(|i| i as i8 - 20))),
        ),
        (
            "i16",
            Arc::new(Int16Array::from_iter(nullable(|i| i as i16 * -300))),
        ),
        (
            "i32",
            Arc::new(Int32Array::from_iter(nullable(|i| (i as i32 - 7) * 1000))),
        ),
        (
            "i64",
            Arc::new(Int64Array::from_iter(nullable(|i| i as i64 * (1 << 40)))),
        ),
        (
            "f32",
            Arc::new(Float32Array::from_iter(nullable(|i| i as f32 / -4.0))),
        ),
        (
            "f64",
            Arc::new(Float64Array::from_iter(nullable(|i| i as f64 * 1.5))),
        ),
        // precision 5 is written as INT32, 15 as INT64, 30 as a fixed-length byte array
        ("d5", dec(5, 2, 3)),
        ("d15", dec(15, 2, 1_000_000_007)),
        ("d30", dec(30, 4, 10_i128.pow(25))),
        (
            "date",
            Arc::new(Date32Array::from_iter(nullable(|i| i as i32 * 400 - 9000))),
        ),
        (
            "time",
            Arc::new(Time32MillisecondArray::from_iter(nullable(|i| {
                i as i32 * 3_600_000 / 2
            }))),
        ),
        (
            "ts_ms",
            Arc::new(TimestampMillisecondArray::from_iter(nullable(|i| {
                i as i64 * 86_400_123 - 1
            }))),
        ),
        (
            "ts_us",
            Arc::new(TimestampMicrosecondArray::from_iter(nullable(|i| {
                i as i64 * 1_001 - 5_000
            }))),
        ),
        (
            "ts_ns",
            Arc::new(TimestampNanosecondArray::from_iter(nullable(|i| {
                i as i64 * 999_999_937 - 20
            }))),
        ),
    ];
    let (md, batch) = file(columns);
    let descr = md.file_metadata().schema_descr();
    let (ci, oi) = (md.column_index().unwrap(), md.offset_index().unwrap());
    assert_eq!(md.row_groups().len(), ROWS / GROUP_ROWS);
    for (c, field) in batch.schema().fields().iter().enumerate() {
        let col = StatsColumn::new(descr, field.name(), field.data_type())
            .unwrap_or_else(|| panic!("{} has statistics", field.name()));
        let array = batch.column(c).as_ref();
        for (g, rg) in md.row_groups().iter().enumerate() {
            let rows = g * GROUP_ROWS..(g + 1) * GROUP_ROWS;
            let facts = col.row_group(rg);
            let (min, max) = expected(array, rows.clone());
            assert_eq!(
                (&facts.min, &facts.max),
                (&min, &max),
                "{} group {g}",
                field.name()
            );
            let nulls = rows.clone().filter(|&r| array.is_null(r)).count() as i64;
            assert_eq!(facts.null_count, Some(nulls), "{} group {g}", field.name());
            assert_eq!(facts.row_count, GROUP_ROWS as i64);

            let index = &ci[g][col.leaf];
            let pages = oi[g][col.leaf].page_locations();
            assert_eq!(pages.len(), GROUP_ROWS / PAGE_ROWS, "{}", field.name());
            for p in 0..pages.len() {
                let start = rows.start + p * PAGE_ROWS;
                let facts = col.page(index, p, PAGE_ROWS as i64);
                let (min, max) = expected(array, start..start + PAGE_ROWS);
                assert_eq!(
                    (&facts.min, &facts.max),
                    (&min, &max),
                    "{} page {g}.{p}",
                    field.name()
                );
                let nulls = (start..start + PAGE_ROWS)
                    .filter(|&r| array.is_null(r))
                    .count();
                assert_eq!(
                    facts.null_count,
                    Some(nulls as i64),
                    "{} page {g}.{p}",
                    field.name()
                );
            }
        }
    }
}

#[test]
fn strings_binaries_and_nested_columns_are_not_read() {
    let (md, _) = file(vec![(
        "s",
        Arc::new(StringArray::from_iter(nullable(|i| format!("v{i}")))) as ArrayRef,
    )]);
    let descr = md.file_metadata().schema_descr();
    assert!(StatsColumn::new(descr, "s", &ArrowType::Utf8).is_none());
    assert!(StatsColumn::new(descr, "s", &ArrowType::Binary).is_none());
    assert!(StatsColumn::new(descr, "missing", &ArrowType::Int32).is_none());
}

#[test]
fn values_that_do_not_fit_the_type_say_nothing() {
    assert_eq!(datum(&ArrowType::Int8, Raw::Int32(300)), None);
    assert_eq!(datum(&ArrowType::Int16, Raw::Int32(-40_000)), None);
    assert_eq!(datum(&ArrowType::Int64, Raw::Int32(1)), None);
    assert_eq!(datum(&ArrowType::Int32, Raw::Bytes(&[1, 2])), None);
    assert_eq!(datum(&ArrowType::Float32, Raw::Float(f32::NAN)), None);
    assert_eq!(datum(&ArrowType::Float64, Raw::Double(f64::NAN)), None);
    assert_eq!(datum(&ArrowType::Decimal128(38, 0), Raw::Bytes(&[])), None);
    assert_eq!(
        datum(&ArrowType::Decimal128(38, 0), Raw::Bytes(&[1; 17])),
        None
    );
    assert_eq!(
        datum(&ArrowType::Decimal128(38, 0), Raw::Bytes(&[0xff, 0x85])),
        Some(Datum::Decimal(-123))
    );
    assert_eq!(
        datum(
            &ArrowType::Timestamp(TimeUnit::Second, None),
            Raw::Int64(i64::MAX)
        ),
        None
    );
    assert_eq!(
        datum(
            &ArrowType::Timestamp(TimeUnit::Microsecond, None),
            Raw::Int64(-1)
        ),
        Some(Datum::Timestamp(Timestamp {
            millis: -1,
            nano_of_milli: 999_000
        }))
    );
}
