//! The bindings inside a Wasm engine: `wasm-pack test --node` and `--headless --chrome`.
//!
//! Tables with data are covered by the npm package's suites (against `strata scan`); these
//! check the storages' contracts, error codes and a schema-only table end to end.

#![cfg(target_arch = "wasm32")]
// An integration-test crate: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::ops::Range;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use strata_core::storage::Storage;
use strata_core::Error;
use strata_wasm::error::{code, to_js};
use strata_wasm::js_reader::JsReaderStorage;
use strata_wasm::table::open_reader;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const SCHEMA: &str = r#"{"version": 3, "id": 0, "fields": [
  {"id": 0, "name": "id", "type": "BIGINT NOT NULL"}, {"id": 1, "name": "name", "type": "STRING"}],
  "highestFieldId": 1, "partitionKeys": [], "primaryKeys": ["id"],
  "options": {"bucket": "1"}, "timeMillis": 1}"#;

/// A reader object over `files`, built the way JavaScript callers write one: `read` resolves to
/// bytes (or null when absent), `list` to paths.
fn reader(files: BTreeMap<&'static str, &'static [u8]>, with_list: bool) -> JsValue {
    let obj = Object::new();
    let read_files = files.clone();
    let read = Closure::<dyn Fn(String, JsValue, JsValue) -> Promise>::new(
        move |path: String, start: JsValue, end: JsValue| {
            let v: JsValue = match read_files.get(path.as_str()) {
                None => JsValue::NULL,
                Some(b) => {
                    let r: Range<usize> = match (start.as_f64(), end.as_f64()) {
                        (Some(s), Some(e)) => s as usize..(e as usize).min(b.len()),
                        _ => 0..b.len(),
                    };
                    Uint8Array::from(&b[r]).into()
                }
            };
            Promise::resolve(&v)
        },
    );
    Reflect::set(&obj, &"read".into(), read.as_ref()).unwrap();
    read.forget();
    if with_list {
        let names: Vec<&'static str> = files.keys().copied().collect();
        let list = Closure::<dyn Fn(String) -> Promise>::new(move |prefix: String| {
            let out = Array::new();
            for n in names
                .iter()
                .filter(|n| n.starts_with(&format!("{prefix}/")))
            {
                out.push(&JsValue::from_str(n));
            }
            let out: JsValue = out.into();
            Promise::resolve(&out)
        });
        Reflect::set(&obj, &"list".into(), list.as_ref()).unwrap();
        list.forget();
    }
    obj.into()
}

fn js_code(v: &JsValue) -> String {
    Reflect::get(v, &"code".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn errors_carry_stable_codes_and_paths() {
    let cases = [
        (Error::NotFound { path: "a".into() }, "NOT_FOUND"),
        (Error::corrupt("b", "bad"), "CORRUPT"),
        (Error::unsupported("c", "no"), "UNSUPPORTED"),
        (Error::InvalidValue("x".into()), "INVALID_ARGUMENT"),
        (
            Error::Storage {
                path: "d".into(),
                message: "down".into(),
            },
            "STORAGE",
        ),
    ];
    for (e, want) in cases {
        assert_eq!(code(&e), want);
        let js = to_js(e);
        assert!(js.is_instance_of::<js_sys::Error>());
        assert_eq!(js_code(&js), want);
    }
    let js = to_js(Error::corrupt("manifest/m-1", "truncated"));
    let path = Reflect::get(&js, &"path".into()).unwrap();
    assert_eq!(path.as_string().as_deref(), Some("manifest/m-1"));
}

#[wasm_bindgen_test]
async fn a_reader_object_is_a_storage() {
    let files = BTreeMap::from([("dir/f", b"hello world".as_slice())]);
    let s = JsReaderStorage::new(reader(files, false)).unwrap();
    assert_eq!(&s.get("dir/f").await.unwrap()[..], b"hello world");
    assert_eq!(&s.get_range("dir/f", 6..11).await.unwrap()[..], b"world");
    assert!(matches!(
        s.get_range("dir/f", 6..20).await,
        Err(Error::Corrupt { .. })
    ));
    assert!(matches!(s.get("nope").await, Err(Error::NotFound { .. })));
    assert_eq!(s.head("dir/f").await.unwrap().unwrap().size, 11);
    assert!(s.head("nope").await.unwrap().is_none());
    assert!(matches!(s.get("../up").await, Err(Error::Corrupt { .. })));
    assert!(matches!(
        s.list("dir").await,
        Err(Error::Unsupported { .. })
    ));
    assert!(matches!(
        s.put("x", bytes::Bytes::new()).await,
        Err(Error::Unsupported { .. })
    ));
}

#[wasm_bindgen_test]
async fn a_reader_that_throws_becomes_a_storage_error() {
    let obj = Object::new();
    let f = Function::new_with_args("p", "throw new Error('disk on fire: ' + p)");
    Reflect::set(&obj, &"read".into(), &f).unwrap();
    let s = JsReaderStorage::new(obj.into()).unwrap();
    match s.get("schema/schema-0").await {
        Err(Error::Storage { path, message }) => {
            assert_eq!(path, "schema/schema-0");
            assert!(message.contains("disk on fire"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(JsReaderStorage::new(Object::new().into()).is_err());
}

#[wasm_bindgen_test]
async fn a_table_without_snapshots_scans_to_an_empty_arrow_stream() {
    let files = BTreeMap::from([("schema/schema-0", SCHEMA.as_bytes())]);
    let table = open_reader(reader(files.clone(), true)).await.unwrap();
    let schema: serde_json::Value = serde_json::from_str(&table.schema_json()).unwrap();
    assert_eq!(schema["primaryKeys"], serde_json::json!(["id"]));
    assert_eq!(table.latest_snapshot_json().await.unwrap(), None);
    assert_eq!(table.snapshots_json().await.unwrap(), "[]");
    assert_eq!(table.tags_json().await.unwrap(), "[]");
    let mut scan = table.scan(String::new()).await.unwrap();
    let ipc = scan.read_all().await.unwrap().to_vec();
    let mut r = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(ipc), None).unwrap();
    assert_eq!(r.schema().fields().len(), 2);
    assert!(r.next().is_none());

    let bad = table
        .scan(r#"{"filter": "id >"}"#.into())
        .await
        .err()
        .unwrap();
    assert_eq!(js_code(&bad), "INVALID_ARGUMENT");
    let bad = table
        .scan(r#"{"snapshotId": 3}"#.into())
        .await
        .err()
        .unwrap();
    assert_eq!(js_code(&bad), "NOT_FOUND");
    let err = open_reader(reader(BTreeMap::new(), true))
        .await
        .err()
        .unwrap();
    assert_eq!(js_code(&err), "NOT_FOUND");
}

#[wasm_bindgen_test]
async fn an_unreachable_http_server_is_a_storage_error() {
    let err = strata_wasm::table::open_http("http://127.0.0.1:9/t".into(), String::new(), None)
        .await
        .err()
        .unwrap();
    assert_eq!(js_code(&err), "STORAGE");
}
