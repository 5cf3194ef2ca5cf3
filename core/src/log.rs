//! What core reports of its work: counts and timings of scans, writes, commits, compactions
//! and expirations, as `tracing` events that the native driver shows with `-v`. The Wasm
//! reader compiles them out (`tracing`'s `max_level_off`, set in reader-wasm) and has no
//! clock: [`Stopwatch`] reads zero there.

/// Time since a start, for the events.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stopwatch {
    #[cfg(not(target_arch = "wasm32"))]
    start: std::time::Instant,
}

impl Stopwatch {
    /// Starts now.
    pub(crate) fn start() -> Self {
        Stopwatch {
            #[cfg(not(target_arch = "wasm32"))]
            start: std::time::Instant::now(),
        }
    }

    /// Milliseconds since the start (zero on wasm32, which has no clock).
    pub(crate) fn ms(&self) -> u64 {
        #[cfg(not(target_arch = "wasm32"))]
        {
            u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
        }
        #[cfg(target_arch = "wasm32")]
        {
            0
        }
    }
}
