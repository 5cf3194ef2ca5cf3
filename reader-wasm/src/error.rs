//! Turning `strata_core::Error` into JavaScript `Error`s with a stable `code`.
//!
//! The codes are part of the npm package's API (documented in its README and `.d.ts`): callers
//! branch on `err.code`, never on message text. `err.path` names the file where one is known.

use strata_core::Error;
use wasm_bindgen::{JsCast, JsValue};

/// The stable code of an error.
pub fn code(e: &Error) -> &'static str {
    match e {
        Error::Corrupt { .. } => "CORRUPT",
        Error::Json { .. } => "INVALID_JSON",
        Error::Unsupported { .. } => "UNSUPPORTED",
        Error::InvalidType { .. } => "INVALID_TYPE",
        Error::InvalidValue(_) => "INVALID_ARGUMENT",
        Error::NotFound { .. } => "NOT_FOUND",
        Error::Conflict(_) => "CONFLICT",
        Error::AlreadyExists { .. } => "ALREADY_EXISTS",
        Error::Storage { .. } => "STORAGE",
        _ => "INTERNAL",
    }
}

/// The file an error names, if any.
fn path(e: &Error) -> Option<&str> {
    match e {
        Error::Corrupt { file, .. }
        | Error::Json { file, .. }
        | Error::Unsupported { file, .. } => Some(file),
        Error::NotFound { path } | Error::AlreadyExists { path } | Error::Storage { path, .. } => {
            Some(path)
        }
        _ => None,
    }
}

/// A JavaScript `Error` carrying `code` (and `path` where known).
pub fn to_js(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("StrataError");
    let obj: &JsValue = err.as_ref();
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &code(&e).into());
    if let Some(p) = path(&e) {
        let _ = js_sys::Reflect::set(obj, &"path".into(), &p.into());
    }
    err.into()
}

/// An argument error raised by the bindings themselves (bad options from JavaScript).
pub fn invalid(what: impl std::fmt::Display) -> JsValue {
    to_js(Error::InvalidValue(what.to_string()))
}

/// The text of a JavaScript exception, for wrapping it in a storage error.
pub fn js_message(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string().unwrap_or_else(|| format!("{v:?}"))
}

/// The `code` property of a JavaScript exception (Node's `ENOENT`, ours `NOT_FOUND`).
pub fn js_code(v: &JsValue) -> Option<String> {
    js_sys::Reflect::get(v, &"code".into()).ok()?.as_string()
}
