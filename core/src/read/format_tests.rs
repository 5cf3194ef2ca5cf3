//! ORC and Avro data files read through [`DataFileReader`]: key-value columns, projection,
//! deletion vectors, and corrupt files (every truncation, flipped bytes) failing with an
//! error that names the file, never a panic.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, Int64Array, Int8Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use futures::executor::block_on;
use roaring::RoaringBitmap;

use crate::manifest::DataFileMeta;
use crate::read::file::DataFileReader;
use crate::read::format::FileFormat;
use crate::schema::TableSchema;
use crate::storage::{MemoryStorage, Storage};
use crate::types::parse_columns;
use crate::{Error, Result};

const ROWS: i64 = 10_000;

/// A key-value file of table `id BIGINT NOT NULL, v STRING` (key `id`): ids 0..ROWS, `v`
/// their text, every tenth row a delete.
fn kv_batch() -> RecordBatch {
    let ids = Int64Array::from_iter_values(0..ROWS);
    let schema = Schema::new(vec![
        Field::new("_KEY_id", DataType::Int64, false),
        Field::new("_SEQUENCE_NUMBER", DataType::Int64, false),
        Field::new("_VALUE_KIND", DataType::Int8, false),
        Field::new("id", DataType::Int64, false),
        Field::new("v", DataType::Utf8, true),
    ]);
    let cols: Vec<ArrayRef> = vec![
        Arc::new(ids.clone()),
        Arc::new(Int64Array::from_iter_values((0..ROWS).map(|i| i + 100))),
        Arc::new(Int8Array::from_iter_values((0..ROWS).map(|i| {
            if i % 10 == 0 {
                3
            } else {
                0
            }
        }))),
        Arc::new(ids),
        Arc::new(StringArray::from_iter(
            (0..ROWS).map(|i| (i % 7 != 0).then(|| format!("v{i}"))),
        )),
    ];
    RecordBatch::try_new(Arc::new(schema), cols).unwrap()
}

fn encode(format: FileFormat, batch: &RecordBatch) -> Vec<u8> {
    let mut buf = Vec::new();
    match format {
        FileFormat::Orc => {
            let mut w = orc_rust::arrow_writer::ArrowWriterBuilder::new(&mut buf, batch.schema())
                .try_build()
                .unwrap();
            w.write(batch).unwrap();
            w.close().unwrap();
        }
        FileFormat::Avro => {
            // Avro has no 8-bit integer: Paimon writes TINYINT as int.
            let mut fields: Vec<Field> = batch
                .schema()
                .fields()
                .iter()
                .map(|f| (**f).clone())
                .collect();
            fields[2] = Field::new("_VALUE_KIND", DataType::Int32, false);
            let kinds = arrow_cast::cast(batch.column(2), &DataType::Int32).unwrap();
            let mut cols = batch.columns().to_vec();
            cols[2] = kinds;
            let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap();
            let mut w =
                arrow_avro::writer::AvroWriter::new(&mut buf, (*batch.schema()).clone()).unwrap();
            w.write(&batch).unwrap();
            w.finish().unwrap();
        }
        FileFormat::Parquet => unreachable!("Parquet has its own tests"),
    }
    buf
}

fn schema() -> TableSchema {
    let fields = parse_columns("id BIGINT NOT NULL, v STRING").unwrap();
    TableSchema::create(fields, vec![], vec!["id".into()], Default::default(), 0).unwrap()
}

fn stored(format: FileFormat, bytes: Vec<u8>) -> (MemoryStorage, DataFileMeta) {
    let name = format!("data-1.{}", format.name());
    let storage = MemoryStorage::default();
    let meta = DataFileMeta {
        file_name: name.clone(),
        file_size: bytes.len() as i64,
        row_count: ROWS,
        ..Default::default()
    };
    block_on(storage.put(&format!("bucket-0/{name}"), Bytes::from(bytes))).unwrap();
    (storage, meta)
}

/// Each batch's columns, then every row's sequence number and kind.
type Rows = (Vec<Vec<ArrayRef>>, Vec<i64>, Vec<i8>);

/// Reads the file's `wanted` columns (by name) as key-value rows: every batch's columns,
/// sequence numbers and kinds.
fn read(
    storage: &MemoryStorage,
    file: &DataFileMeta,
    wanted: &[&str],
    deleted: Option<RoaringBitmap>,
) -> Result<Rows> {
    let schema = schema();
    let fields: Vec<_> = schema
        .fields
        .iter()
        .filter(|f| wanted.contains(&f.name.as_str()))
        .cloned()
        .collect();
    block_on(async {
        let mut r = DataFileReader::open(
            storage, "bucket-0", file, &schema, &fields, true, deleted, None,
        )
        .await?;
        let (mut cols, mut seq, mut kind) = (Vec::new(), Vec::new(), Vec::new());
        while let Some(b) = r.next(storage).await? {
            seq.extend(b.seq.iter());
            kind.extend(b.kind.values().iter());
            cols.push(b.cols);
        }
        Ok((cols, seq, kind))
    })
}

fn reads_key_value_rows(format: FileFormat) {
    let (storage, file) = stored(format, encode(format, &kv_batch()));
    let (cols, seq, kind) = read(&storage, &file, &["id", "v"], None).unwrap();
    let ids: Vec<i64> = cols
        .iter()
        .flat_map(|c| c[0].as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(ids, (0..ROWS).collect::<Vec<_>>());
    assert_eq!(seq, (100..ROWS + 100).collect::<Vec<_>>());
    assert_eq!(kind.iter().filter(|k| **k == 3).count(), ROWS as usize / 10);
    let vs: Vec<Option<String>> = cols
        .iter()
        .flat_map(|c| {
            c[1].as_string::<i32>()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(vs[1].as_deref(), Some("v1"));
    assert_eq!(vs[7], None);

    // A projection returns only the wanted column.
    let (cols, _, _) = read(&storage, &file, &["v"], None).unwrap();
    assert!(cols.iter().all(|c| c.len() == 1));

    // A deletion vector hides its rows, across batch boundaries.
    let deleted: RoaringBitmap = [0u32, 4095, 4096, 9999].into_iter().collect();
    let (cols, _, _) = read(&storage, &file, &["id"], Some(deleted)).unwrap();
    let ids: Vec<i64> = cols
        .iter()
        .flat_map(|c| c[0].as_primitive::<Int64Type>().values().to_vec())
        .collect();
    assert_eq!(ids.len(), ROWS as usize - 4);
    assert!(![0, 4095, 4096, 9999].iter().any(|i| ids.contains(i)));
}

#[test]
fn orc_key_value_files_read() {
    reads_key_value_rows(FileFormat::Orc);
}

#[test]
fn avro_key_value_files_read() {
    reads_key_value_rows(FileFormat::Avro);
}

/// A corrupt read fails with an error naming the file, or (a flip in a value) reads.
fn fails_cleanly(format: FileFormat, bytes: Vec<u8>, size: Option<i64>) {
    let (storage, mut file) = stored(format, bytes);
    if let Some(size) = size {
        file.file_size = size;
    }
    match read(&storage, &file, &["id", "v"], None) {
        Ok(_) => {}
        Err(Error::Corrupt { file: f, .. }) | Err(Error::Unsupported { file: f, .. }) => {
            assert!(f.ends_with(&file.file_name), "{f}")
        }
        Err(Error::NotFound { path }) => assert!(path.ends_with(&file.file_name), "{path}"),
        Err(e) => panic!("{}: unexpected error {e:?}", format.name()),
    }
}

fn corrupt_files_fail_cleanly(format: FileFormat) {
    let small = kv_batch().slice(0, 300);
    let good = encode(format, &small);
    // Every truncation, and the manifest claiming more bytes than the file has.
    for len in 0..good.len() {
        fails_cleanly(format, good[..len].to_vec(), None);
    }
    fails_cleanly(format, good.clone(), Some(good.len() as i64 + 10));
    // Flipped bytes all over the file.
    for at in (0..good.len()).step_by(3) {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut bad = good.clone();
            bad[at] ^= mask;
            fails_cleanly(format, bad, None);
        }
    }
}

#[test]
fn corrupt_orc_files_fail_cleanly() {
    corrupt_files_fail_cleanly(FileFormat::Orc);
}

#[test]
fn corrupt_avro_files_fail_cleanly() {
    corrupt_files_fail_cleanly(FileFormat::Avro);
}

#[test]
fn other_extensions_are_refused_by_name() {
    let (storage, mut file) = stored(FileFormat::Orc, b"ORC".to_vec());
    file.file_name = "data-1.csv".into();
    match read(&storage, &file, &["id"], None) {
        Err(Error::Unsupported { file, what }) => {
            assert!(file.ends_with("data-1.csv"), "{file}");
            assert!(what.contains("not Parquet, ORC or Avro"), "{what}");
        }
        other => panic!("{other:?}"),
    }
}

/// Every batch's columns of a file stored as `name`, read as a table of `columns` (a
/// key-value file, keyed by the first column, when `kv`).
fn read_file(
    name: &str,
    bytes: &'static [u8],
    columns: &str,
    kv: bool,
) -> Result<Vec<Vec<ArrayRef>>> {
    let storage = MemoryStorage::default();
    block_on(storage.put(name, Bytes::from_static(bytes)))?;
    let fields = parse_columns(columns)?;
    let keys = if kv {
        vec![fields[0].name.clone()]
    } else {
        vec![]
    };
    let schema = TableSchema::create(fields, vec![], keys, Default::default(), 0)?;
    let file = DataFileMeta {
        file_name: name.into(),
        file_size: bytes.len() as i64,
        ..Default::default()
    };
    block_on(async {
        let mut r =
            DataFileReader::open(&storage, "", &file, &schema, &schema.fields, kv, None, None)
                .await?;
        let mut out = Vec::new();
        while let Some(b) = r.next(&storage).await? {
            out.push(b.cols);
        }
        Ok(out)
    })
}

/// Reads `ts TIMESTAMP(6)` out of an ORC file written by pyarrow (Apache ORC's C++ writer).
fn read_pyarrow_orc(name: &str, bytes: &'static [u8]) -> Result<Vec<i64>> {
    let batches = read_file(name, bytes, "ts TIMESTAMP(6)", false)?;
    Ok(batches
        .iter()
        .flat_map(|cols| {
            cols[0]
                .as_primitive::<arrow_array::types::TimestampMicrosecondType>()
                .values()
                .to_vec()
        })
        .collect())
}

/// Timestamps as Apache ORC's C++ writer stores them read exactly, except pre-1970 ones
/// with a fraction of a second, which orc-rust 0.7.1 cannot decode: those fail with an
/// error naming the file, never a wrong value. The files are pyarrow's
/// `pyarrow.orc.write_table` of one `timestamp[ns]` column `ts`.
#[test]
fn orc_timestamps_from_apache_orc_read_exactly_or_fail_by_name() {
    let post = read_pyarrow_orc("post.orc", include_bytes!("testdata/ts-post-1970.orc")).unwrap();
    // 2024-01-01 00:00:00.005, 2024-01-01 00:00:00.123456, 2000-06-15 08:30:00
    assert_eq!(
        post,
        vec![
            1_704_067_200_005_000,
            1_704_067_200_123_456,
            961_057_800_000_000
        ]
    );
    let whole = read_pyarrow_orc(
        "whole.orc",
        include_bytes!("testdata/ts-pre-1970-whole.orc"),
    )
    .unwrap();
    // 1969-12-31 23:59:59, 1900-01-01 00:00:00
    assert_eq!(whole, vec![-1_000_000, -2_208_988_800_000_000]);
    match read_pyarrow_orc(
        "frac.orc",
        include_bytes!("testdata/ts-pre-1970-fraction.orc"),
    ) {
        Err(Error::Corrupt { file, .. }) => assert_eq!(file, "frac.orc"),
        other => panic!("{other:?}"),
    }
}

/// Reads `id` and `c_char CHAR(5)` out of a key-value file Paimon Java 0.9 wrote (table
/// `types_*` of tests/java/PaimonJava.java, bucket 0).
fn read_java_file(name: &str, bytes: &'static [u8]) -> Result<Vec<(i32, String)>> {
    let batches = read_file(name, bytes, "id INT NOT NULL, c_char CHAR(5)", true)?;
    Ok(batches
        .iter()
        .flat_map(|cols| {
            let ids = cols[0].as_primitive::<arrow_array::types::Int32Type>();
            let chars = cols[1].as_string::<i32>();
            (0..ids.len())
                .map(|i| (ids.value(i), chars.value(i).to_string()))
                .collect::<Vec<_>>()
        })
        .collect())
}

/// Paimon Java's Avro files (a top-level `["null", record]` union) and ORC files (CHAR values
/// padded to their length) read as Java reads them.
#[test]
fn files_paimon_java_wrote_read_as_java_reads_them() {
    for (name, bytes) in [
        ("java.avro", &include_bytes!("testdata/java-types.avro")[..]),
        ("java.orc", &include_bytes!("testdata/java-types.orc")[..]),
    ] {
        let rows = read_java_file(name, bytes).unwrap();
        assert!(!rows.is_empty(), "{name}");
        for (id, c) in &rows {
            // The Java suite writes CHAR(5) values "ab<id>"; its update gives row 1 "ab7".
            assert!(
                c == &format!("ab{id}") || (*id == 1 && c == "ab7"),
                "{name}: row {id} holds {c:?}"
            );
        }
    }
    // Flipped bytes in the Java Avro file fail by name.
    let good = include_bytes!("testdata/java-types.avro");
    for at in 0..good.len() {
        let mut bad = good.to_vec();
        bad[at] ^= 0x02;
        let bad: &'static [u8] = Box::leak(bad.into_boxed_slice());
        match read_java_file("java.avro", bad) {
            Ok(_) => {}
            Err(Error::Corrupt { file, .. }) | Err(Error::Unsupported { file, .. }) => {
                assert_eq!(file, "java.avro")
            }
            Err(e) => panic!("byte {at}: unexpected error {e:?}"),
        }
    }
}
