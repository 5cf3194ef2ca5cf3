//! Every codec and page version Paimon's writers produce, read through the core's page
//! decompression, whole and with page-skipping row selections; and bad pages as errors.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use bytes::Bytes;
use futures::executor::block_on;
use parquet::arrow::ArrowWriter;
use parquet::basic::{BrotliLevel, Compression, GzipLevel, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};

use super::{decompress, PageCodec};
use crate::read::parquet::{ParquetFile, RowGroupRead};
use crate::storage::{MemoryStorage, Storage};
use crate::Error;

const ROWS: usize = 30_000;
const GROUP: usize = 12_000;

/// `id` ascending; `s` from 100 values (dictionary-encoded) with every 7th null; `t` unique
/// (plain after the dictionary fills) with every 11th null; `n` all null (pages with no
/// values, which writers store as zero bytes).
fn sample() -> RecordBatch {
    let id = Int64Array::from_iter_values(0..ROWS as i64);
    let s =
        StringArray::from_iter((0..ROWS).map(|i| (i % 7 != 0).then(|| format!("v{}", i % 100))));
    let t = StringArray::from_iter(
        (0..ROWS).map(|i| (i % 11 != 0).then(|| format!("row-{i}-{}", i * 31))),
    );
    let n = Int64Array::from(vec![None::<i64>; ROWS]);
    RecordBatch::try_from_iter([
        ("id", Arc::new(id) as ArrayRef),
        ("s", Arc::new(s) as ArrayRef),
        ("t", Arc::new(t) as ArrayRef),
        ("n", Arc::new(n) as ArrayRef),
    ])
    .unwrap()
}

fn write(codec: Compression, version: WriterVersion) -> Bytes {
    let props = WriterProperties::builder()
        .set_compression(codec)
        .set_writer_version(version)
        .set_data_page_row_count_limit(1000)
        .set_write_batch_size(1000)
        .set_dictionary_page_size_limit(16 * 1024)
        .set_max_row_group_size(GROUP)
        .set_statistics_enabled(EnabledStatistics::Page)
        .build();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, sample().schema(), Some(props)).unwrap();
    w.write(&sample()).unwrap();
    w.close().unwrap();
    out.into()
}

/// Reads `groups` of the file at `path` through the core's Parquet path.
fn read(
    storage: &MemoryStorage,
    path: &str,
    groups: Vec<RowGroupRead>,
) -> crate::Result<RecordBatch> {
    block_on(async {
        let size = storage.head(path).await?.unwrap().size;
        let f = ParquetFile::open_with(storage, path, size, true).await?;
        assert!(f.has_page_index());
        let mut stream = f.stream(&[0, 1, 2, 3], groups);
        let mut batches = Vec::new();
        while let Some(b) = stream.next(storage).await? {
            batches.push(b);
        }
        Ok(arrow_select::concat::concat_batches(&sample().schema(), &batches).unwrap())
    })
}

fn expected(ranges: &[Range<usize>]) -> RecordBatch {
    let all = sample();
    let parts: Vec<_> = ranges.iter().map(|r| all.slice(r.start, r.len())).collect();
    arrow_select::concat::concat_batches(&all.schema(), &parts).unwrap()
}

#[test]
fn every_codec_and_page_version_reads_whole_and_selected() {
    let codecs = [
        Compression::UNCOMPRESSED,
        Compression::ZSTD(ZstdLevel::default()),
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::LZ4,
        Compression::LZ4_RAW,
    ];
    for codec in codecs {
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            let what = format!("{codec} {version:?}");
            let storage = MemoryStorage::new();
            let path = "data.parquet";
            block_on(storage.put(path, write(codec, version))).unwrap();
            let all = (0..3).map(RowGroupRead::all).collect();
            assert_eq!(read(&storage, path, all).unwrap(), sample(), "{what}");
            // Pages skipped within row group 0, row group 1 skipped, row group 2 whole.
            let groups = vec![
                RowGroupRead {
                    index: 0,
                    rows: Some(vec![2_000..3_500, 9_000..9_100]),
                },
                RowGroupRead::all(2),
            ];
            let want = expected(&[2_000..3_500, 9_000..9_100, 2 * GROUP..ROWS]);
            assert_eq!(read(&storage, path, groups).unwrap(), want, "{what}");
        }
    }
}

#[test]
fn fragmented_selections_still_read_only_the_selected_rows() {
    // Runs of a few rows far apart, and gaps of a few rows: the decoder must not read
    // through pages it was not given, and the rows handed out are the rows selected (or,
    // for gaps under 64 rows, read through, the rows between).
    let storage = MemoryStorage::new();
    block_on(storage.put(
        "f.parquet",
        write(Compression::SNAPPY, WriterVersion::PARQUET_1_0),
    ))
    .unwrap();
    let sparse: Vec<Range<usize>> = (0..10).map(|i| i * 1_100..i * 1_100 + 3).collect();
    let groups = vec![RowGroupRead {
        index: 0,
        rows: Some(sparse.clone()),
    }];
    assert_eq!(
        read(&storage, "f.parquet", groups).unwrap(),
        expected(&sparse)
    );
    let dense = vec![0..5, 10..15, 20..25];
    let groups = vec![RowGroupRead {
        index: 0,
        rows: Some(dense),
    }];
    // Too fragmented for page skipping: the whole row group is read.
    assert_eq!(
        read(&storage, "f.parquet", groups).unwrap(),
        sample().slice(0, GROUP)
    );
}

#[test]
fn a_corrupt_page_is_an_error_naming_the_file() {
    let storage = MemoryStorage::new();
    let mut bytes = write(
        Compression::ZSTD(ZstdLevel::default()),
        WriterVersion::PARQUET_1_0,
    )
    .to_vec();
    // Break the first zstd frame's magic number (the first page of the first chunk).
    let at = bytes
        .windows(4)
        .position(|w| w == [0x28, 0xb5, 0x2f, 0xfd])
        .unwrap();
    bytes[at..at + 4].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
    block_on(storage.put("bad.parquet", bytes.into())).unwrap();
    let err = read(&storage, "bad.parquet", vec![RowGroupRead::all(0)]).unwrap_err();
    assert!(matches!(err, Error::Corrupt { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("bad.parquet") && msg.contains("Zstd page"),
        "{msg}"
    );
}

#[test]
fn codecs_paimon_does_not_write_are_refused_by_name() {
    let e = PageCodec::of(Compression::BROTLI(BrotliLevel::default())).unwrap_err();
    assert!(e.contains("BROTLI") && e.contains("supported"), "{e}");
    assert_eq!(PageCodec::of(Compression::UNCOMPRESSED), Ok(None));
}

#[test]
fn page_bodies_decompress_within_bounds() {
    let mut dctx = None;
    // Raw LZ4 at a ratio far above the first guess: the buffer grows until it fits.
    let data: Vec<u8> = (0..200_000u32).map(|i| (i / 5_000) as u8).collect();
    let block = lz4_flex::block::compress(&data);
    assert!(block.len() * 20 < data.len());
    assert_eq!(
        decompress(PageCodec::Lz4Raw, &mut dctx, &block).unwrap(),
        data
    );
    // Hadoop framing, two frames; and a raw block where the framing does not fit.
    let mut framed = Vec::new();
    for part in [&data[..50_000], &data[50_000..]] {
        let b = lz4_flex::block::compress(part);
        framed.extend_from_slice(&(part.len() as u32).to_be_bytes());
        framed.extend_from_slice(&(b.len() as u32).to_be_bytes());
        framed.extend_from_slice(&b);
    }
    assert_eq!(
        decompress(PageCodec::Lz4Hadoop, &mut dctx, &framed).unwrap(),
        data
    );
    assert_eq!(
        decompress(PageCodec::Lz4Hadoop, &mut dctx, &block).unwrap(),
        data
    );
    // zstd frames with and without their size, reusing one context.
    let sized = zstd::bulk::compress(&data, 3).unwrap();
    let streamed = zstd::stream::encode_all(&data[..], 3).unwrap();
    for frame in [sized, streamed] {
        assert_eq!(
            decompress(PageCodec::Zstd, &mut dctx, &frame).unwrap(),
            data
        );
    }
    // A snappy header claiming 4 GB is refused before anything is allocated.
    let e = decompress(
        PageCodec::Snappy,
        &mut dctx,
        &[0xff, 0xff, 0xff, 0xff, 0x0f, 0],
    )
    .unwrap_err();
    assert!(e.to_string().contains("more than the limit"), "{e}");
    // Garbage is an error for every codec, never a panic.
    for codec in [
        PageCodec::Zstd,
        PageCodec::Snappy,
        PageCodec::Gzip,
        PageCodec::Lz4Raw,
    ] {
        assert!(
            decompress(codec, &mut dctx, b"not a compressed page at all").is_err(),
            "{codec:?}"
        );
    }
}
