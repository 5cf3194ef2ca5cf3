//! `strata-wasm`: the home of Strata's WebAssembly reader.
//!
//! The JavaScript bindings (wasm-bindgen storages for `fetch`, Node files and custom readers,
//! and the `strata-reader` npm package's API) are built here over the same `strata-core` read
//! path the native binary uses. Until they land, this crate only proves that the core, with
//! every codec Paimon's metadata needs, builds for `wasm32-unknown-unknown`.

pub use strata_core;
