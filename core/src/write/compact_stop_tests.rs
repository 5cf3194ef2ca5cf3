//! A compaction stopped by its driver (Ctrl-C) commits nothing and leaves no rewritten file;
//! a running one reports its progress to the driver.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::tests::{data_files, env, rows_of, table, write_rows};
use crate::compaction::{compact_until, CompactOptions};
use crate::snapshot::latest_snapshot_id;
use crate::Error;

/// Resolves on its `n`-th poll.
struct AfterPolls(usize);

impl Future for AfterPolls {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        self.0 = self.0.saturating_sub(1);
        if self.0 == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

async fn stopped_after(polls: usize) {
    // Two partitions of one bucket each: two compaction tasks.
    let t = table(true, true, &[("bucket", "1")]).await;
    for i in 0..3 {
        write_rows(&t, &[(1, i, "a"), (2, i, "b")], None, Default::default()).await;
    }
    let (files, rows) = (data_files(&t).await, rows_of(&t).await);
    let latest = latest_snapshot_id(t.storage()).await.unwrap();
    let full = CompactOptions {
        full: true,
        partition: vec![],
    };
    let e = compact_until(t.clone(), full, env(), AfterPolls(polls))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Uncommitted(_)), "{e}");
    assert!(e.to_string().contains("stopped"), "{e}");
    assert_eq!(latest_snapshot_id(t.storage()).await.unwrap(), latest);
    assert_eq!(data_files(&t).await, files, "a rewritten file was left");
    assert_eq!(rows_of(&t).await, rows);
}

#[tokio::test]
async fn a_compaction_stopped_before_its_first_bucket_writes_nothing() {
    stopped_after(1).await;
}

#[tokio::test]
async fn a_compaction_stopped_between_buckets_removes_what_it_rewrote() {
    stopped_after(2).await;
}

/// An environment that records the progress reports it gets.
#[derive(Default)]
struct Recording(
    std::sync::Mutex<Vec<crate::write::Progress>>,
    std::sync::atomic::AtomicU64,
);

impl crate::write::WriteEnv for Recording {
    fn now_millis(&self) -> i64 {
        1
    }
    fn unique_id(&self) -> String {
        let n = self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("00000000-0000-0000-0000-{n:012}")
    }
    fn random_below(&self, _n: u64) -> u64 {
        0
    }
    fn sleep(&self, _: std::time::Duration) -> futures::future::BoxFuture<'static, ()> {
        Box::pin(async {})
    }
    fn progress(&self, step: crate::write::Progress) {
        self.0.lock().unwrap().push(step);
    }
}

#[tokio::test]
async fn a_compaction_reports_each_unit_it_starts_to_its_driver() {
    let t = table(true, true, &[("bucket", "1")]).await;
    for i in 0..2 {
        write_rows(&t, &[(1, i, "a"), (2, i, "b")], None, Default::default()).await;
    }
    let rec = std::sync::Arc::new(Recording::default());
    let full = CompactOptions {
        full: true,
        partition: vec![],
    };
    compact_until(t, full, rec.clone(), std::future::pending::<()>())
        .await
        .unwrap()
        .expect("a compaction");
    use crate::write::Progress::Compacted;
    assert_eq!(
        *rec.0.lock().unwrap(),
        [
            Compacted { done: 0, total: 2 },
            Compacted { done: 1, total: 2 }
        ]
    );
}
