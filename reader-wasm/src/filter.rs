//! Filters from JavaScript: the text grammar of `strata scan --filter`, parsed by the core.

use strata_core::predicate::Predicate;

use wasm_bindgen::JsValue;

use crate::error::to_js;

/// Parses a filter's text (the grammar of `strata scan --filter`).
pub(crate) fn parse_filter(text: Option<&str>) -> Result<Option<Predicate>, JsValue> {
    text.map(Predicate::parse).transpose().map_err(to_js)
}
