//! The native [`WriteEnv`]: the system clock, random UUIDs, tokio's timer and the machine's
//! cores for the CPU work of a write or compaction.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use strata_core::write::WriteEnv;

/// The native environment (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeEnv;

/// The native environment, shared.
pub fn env() -> Arc<dyn WriteEnv> {
    Arc::new(NativeEnv)
}

impl WriteEnv for NativeEnv {
    fn now_millis(&self) -> i64 {
        crate::now_millis()
    }

    fn unique_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }

    fn random_below(&self, n: u64) -> u64 {
        let bytes = *uuid::Uuid::new_v4().as_bytes();
        u64::from_le_bytes([
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[7], bytes[9],
        ]) % n.max(1)
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }

    /// Runs the jobs on up to one thread per core, each taking the next job in order.
    fn run_all(&self, n: usize, job: &(dyn Fn(usize) + Sync)) {
        let threads = std::thread::available_parallelism()
            .map_or(1, |c| c.get())
            .min(n);
        if threads <= 1 {
            (0..n).for_each(job);
            return;
        }
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    job(i);
                });
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn run_all_runs_every_job_once() {
        let seen = Mutex::new(vec![0u32; 100]);
        NativeEnv.run_all(100, &|i| seen.lock().unwrap()[i] += 1);
        assert!(seen.into_inner().unwrap().iter().all(|&n| n == 1));
    }

    #[test]
    fn random_below_stays_below() {
        assert!((0..1000).all(|_| NativeEnv.random_below(20) < 20));
        assert_eq!(NativeEnv.random_below(1), 0);
    }
}
