//! Row-group and page pruning of one file: what is fetched, and that deletion vectors still
//! hit the right rows when rows are skipped.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Int64Array, RecordBatch};
use bytes::Bytes;
use futures::executor::block_on;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use roaring::RoaringBitmap;

use super::{intersect, DataFileReader, Pruning};
use crate::manifest::DataFileMeta;
use crate::predicate::Predicate;
use crate::schema::TableSchema;
use crate::storage::{MemoryStorage, ObjectMeta, Storage};
use crate::types::parse_columns;
use crate::Result;

const ROWS: i64 = 50_000;

/// Counts the bytes and range requests read through it, with a [`Storage::coalesce_gap`]
/// of `gap`.
#[derive(Debug, Default)]
struct Counting {
    inner: MemoryStorage,
    bytes: AtomicU64,
    ranges: AtomicU64,
    gap: u64,
}

#[async_trait::async_trait]
impl Storage for Counting {
    async fn get(&self, path: &str) -> Result<Bytes> {
        let b = self.inner.get(path).await?;
        self.bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok(b)
    }
    async fn get_range(&self, path: &str, range: Range<u64>) -> Result<Bytes> {
        let b = self.inner.get_range(path, range).await?;
        self.bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
        self.ranges.fetch_add(1, Ordering::Relaxed);
        Ok(b)
    }
    async fn head(&self, path: &str) -> Result<Option<ObjectMeta>> {
        self.inner.head(path).await
    }
    async fn put_if_absent(&self, path: &str, data: Bytes) -> Result<()> {
        self.inner.put_if_absent(path, data).await
    }
    async fn put(&self, path: &str, data: Bytes) -> Result<()> {
        self.inner.put(path, data).await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>> {
        self.inner.list(prefix).await
    }
    async fn delete(&self, path: &str) -> Result<()> {
        self.inner.delete(path).await
    }
    fn coalesce_gap(&self) -> u64 {
        self.gap
    }
}

/// `id` 0..ROWS ascending and `v = id * 10`, in row groups of 20,000 rows and pages of at
/// most 1,000 rows, with or without the page index. No dictionary: a unique column's
/// dictionary page would hold every value of the chunk (Strata writes keys without one).
fn table_file(page_index: bool) -> (Counting, TableSchema, DataFileMeta) {
    table_file_with(page_index, None)
}

/// [`table_file`], with dictionaries of at most `dictionary` bytes if given (each chunk's
/// first pages dictionary-encoded, the rest plain after the writer falls back).
fn table_file_with(
    page_index: bool,
    dictionary: Option<usize>,
) -> (Counting, TableSchema, DataFileMeta) {
    let fields = parse_columns("id BIGINT, v BIGINT").unwrap();
    let schema = TableSchema::create(fields, vec![], vec![], Default::default(), 0).unwrap();
    let ids = Int64Array::from_iter_values(0..ROWS);
    let vs = Int64Array::from_iter_values((0..ROWS).map(|i| i * 10));
    let batch =
        RecordBatch::try_from_iter([("id", Arc::new(ids) as _), ("v", Arc::new(vs) as _)]).unwrap();
    let stats = if page_index {
        parquet::file::properties::EnabledStatistics::Page
    } else {
        parquet::file::properties::EnabledStatistics::Chunk
    };
    let props = WriterProperties::builder()
        .set_max_row_group_size(20_000)
        .set_data_page_row_count_limit(1_000)
        .set_write_batch_size(1_000)
        .set_statistics_enabled(stats)
        .set_offset_index_disabled(!page_index)
        .set_dictionary_enabled(dictionary.is_some())
        .set_dictionary_page_size_limit(dictionary.unwrap_or(1024 * 1024))
        .build();
    let mut buf = Vec::new();
    let mut w = ArrowWriter::try_new(&mut buf, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let storage = Counting::default();
    let size = buf.len() as i64;
    block_on(storage.put("f.parquet", Bytes::from(buf))).unwrap();
    let file = DataFileMeta {
        file_name: "f.parquet".into(),
        file_size: size,
        row_count: ROWS,
        ..Default::default()
    };
    (storage, schema, file)
}

/// The ids a pruned read of the file returns (before the filter applies row by row).
fn read_ids(
    storage: &Counting,
    schema: &TableSchema,
    file: &DataFileMeta,
    filter: &str,
    columns: Option<&[String]>,
    deleted: Option<RoaringBitmap>,
) -> Vec<i64> {
    let filter = Predicate::parse(filter)
        .unwrap()
        .bind(&schema.fields)
        .unwrap();
    let prune = Pruning {
        filter: &filter,
        columns,
    };
    block_on(async {
        let mut r = DataFileReader::open(
            storage,
            "",
            file,
            schema,
            &schema.fields,
            false,
            deleted,
            Some(prune),
        )
        .await
        .unwrap();
        let mut ids = Vec::new();
        while let Some(b) = r.next(storage).await.unwrap() {
            let (id, v) = (
                b.cols[0].as_primitive::<Int64Type>().values(),
                b.cols[1].as_primitive::<Int64Type>().values(),
            );
            assert!(id.iter().zip(v.iter()).all(|(i, v)| *v == i * 10));
            ids.extend(id.iter());
        }
        ids
    })
}

#[test]
fn a_lookup_reads_one_page_per_column() {
    let (storage, schema, file) = table_file(true);
    let ids = read_ids(&storage, &schema, &file, "id = 31234", None, None);
    assert!(ids.contains(&31234));
    assert!(ids.len() <= 1_000, "{} rows", ids.len());
    // The footer's read (64 KB of the tail, holding the page index) and one 8 KB page of
    // each column, of an 800 KB file.
    let fetched = storage.bytes.load(Ordering::Relaxed);
    assert!(
        fetched <= 64 * 1024 + 2 * 8_200,
        "{fetched} of {} bytes",
        file.file_size
    );
    // A range on the other column prunes the same way; an impossible one reads nothing.
    let ids = read_ids(
        &storage,
        &schema,
        &file,
        "v >= 312340 AND v <= 312350",
        None,
        None,
    );
    assert!(ids.len() <= 2_000 && (31234..=31235).all(|i| ids.contains(&i)));
    assert!(read_ids(&storage, &schema, &file, "id > 99999999", None, None).is_empty());
}

#[test]
fn ranges_within_the_storages_gap_are_fetched_in_one_request() {
    let (mut storage, schema, file) = table_file(true);
    let mut seen = Vec::new();
    for gap in [0, 1 << 20] {
        storage.gap = gap;
        storage.bytes.store(0, Ordering::Relaxed);
        storage.ranges.store(0, Ordering::Relaxed);
        let ids = read_ids(&storage, &schema, &file, "id = 31234", None, None);
        seen.push((
            ids,
            storage.ranges.load(Ordering::Relaxed),
            storage.bytes.load(Ordering::Relaxed),
        ));
    }
    let (near, far) = (&seen[1], &seen[0]);
    assert_eq!(near.0, far.0, "the same rows");
    // The page of `id` and the page of `v` (one column chunk apart, well within 1 MiB): two
    // requests on a local disk, one on a remote store, which reads the gap between them.
    assert_eq!(near.1 + 1, far.1, "{seen:?}");
    assert!(far.2 < near.2 && near.2 <= far.2 + (1 << 20), "{seen:?}");
}

#[test]
fn plain_pages_are_read_without_their_chunks_dictionary() {
    // 64 KB dictionaries hold 8,192 values: each row group's first 8 pages are
    // dictionary-encoded, the rest plain.
    let (storage, schema, file) = table_file_with(true, Some(64 * 1024));
    let mut fetched = Vec::new();
    for id in [23_500, 35_500] {
        storage.bytes.store(0, Ordering::Relaxed);
        let ids = read_ids(&storage, &schema, &file, &format!("id = {id}"), None, None);
        assert!(
            ids.contains(&id) && ids.len() <= 1_000,
            "{id}: {} rows",
            ids.len()
        );
        fetched.push(storage.bytes.load(Ordering::Relaxed));
    }
    // The plain page's read skips both columns' 64 KB dictionary pages.
    assert!(fetched[1] + 100_000 < fetched[0], "{fetched:?}");
    // Whole-file reads and ranges spanning both kinds of pages decode alike.
    let ids = read_ids(
        &storage,
        &schema,
        &file,
        "id >= 27000 AND id < 29500",
        None,
        None,
    );
    assert!((27_000..29_500).all(|i| ids.contains(&i)));
    let all = read_ids(&storage, &schema, &file, "id >= 0", None, None);
    assert_eq!(all, (0..ROWS).collect::<Vec<_>>());
}

#[test]
fn only_allowed_columns_prune() {
    let (storage, schema, file) = table_file(true);
    let keys = ["v".to_string()];
    let ids = read_ids(&storage, &schema, &file, "id = 31234", Some(&keys), None);
    assert_eq!(ids, (0..ROWS).collect::<Vec<_>>());
    let ids = read_ids(
        &storage,
        &schema,
        &file,
        "id = 31234 AND v = 312340",
        Some(&keys),
        None,
    );
    assert!(ids.contains(&31234) && ids.len() <= 1_000);
}

#[test]
fn deletion_vectors_hit_their_rows_when_rows_are_skipped() {
    for page_index in [true, false] {
        let (storage, schema, file) = table_file(page_index);
        // Positions equal ids: deleting positions must delete exactly those ids, whatever
        // row groups and pages were skipped before them.
        let deleted: RoaringBitmap = [5u32, 20_001, 31_234, 31_235, 49_999].into_iter().collect();
        let ids = read_ids(
            &storage,
            &schema,
            &file,
            "id >= 31230 AND id < 31240 OR id > 49990",
            None,
            Some(deleted.clone()),
        );
        for want in (31230..31240).chain(49991..50_000) {
            assert_eq!(
                ids.contains(&want),
                !deleted.contains(want as u32),
                "id {want}, page index {page_index}"
            );
        }
        assert!(ids.iter().all(|&i| !deleted.contains(i as u32)));
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        if !page_index {
            // Row groups only: the first (rows 0..20,000) is skipped whole.
            assert!(ids.iter().all(|&i| i >= 20_000));
        }
    }
}

#[test]
#[allow(clippy::single_range_in_vec_init)]
fn intersections_of_row_ranges() {
    assert_eq!(intersect(&[0..10, 20..30], &[5..25]), vec![5..10, 20..25]);
    assert_eq!(intersect(&[0..10], &[10..20]), Vec::<Range<usize>>::new());
    assert_eq!(intersect(&[0..100], &[0..100]), vec![0..100]);
    assert_eq!(intersect(&[0..5, 6..9], &[]), Vec::<Range<usize>>::new());
}
