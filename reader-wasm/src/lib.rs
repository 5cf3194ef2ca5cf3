//! `strata-wasm`: Strata's WebAssembly reader, the `strata-core` read path for browsers and
//! Node, bound with wasm-bindgen. The npm package `strata-reader` (in `npm/`) wraps it.
//!
//! Tables are read through one of three storages, each an implementation of the core's
//! [`strata_core::storage::Storage`] trait: HTTP(S) with `Range` requests via `fetch`, or any
//! JavaScript object with an async `read(path, start?, end?)` (the npm package builds its Node
//! file reader on that). Nothing here knows a format rule: planning, decoding and merging are
//! the core's, exactly as in the native `strata scan`.
//!
//! Batches cross into JavaScript as Arrow IPC stream bytes. Every failure becomes a JavaScript
//! `Error` with a stable `code` (see [`error`]); the bindings exist only on `wasm32`.

pub use strata_core;

#[cfg(target_arch = "wasm32")]
pub mod error;
#[cfg(target_arch = "wasm32")]
mod filter;
#[cfg(target_arch = "wasm32")]
pub mod http;
#[cfg(target_arch = "wasm32")]
pub mod ipc;
#[cfg(target_arch = "wasm32")]
pub mod js_reader;
pub mod json;
pub mod listing;
#[cfg(target_arch = "wasm32")]
pub mod reader;
#[cfg(target_arch = "wasm32")]
pub mod stream;
#[cfg(target_arch = "wasm32")]
pub mod table;
