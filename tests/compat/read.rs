//! Strata's read path against pypaimon: every generated table read by `strata-core` equals
//! pypaimon's read of the same (latest) snapshot.

use std::sync::Arc;

use futures::executor::block_on;
use serde_json::{json, Value};
use strata_core::read::{read_all, ReadBuilder};
use strata_core::table::Table;
use strata_core::types::DataType;
use strata_tests::{rows_json, warehouse};
use strata_writer::ObjectStoreStorage;

fn open(t: &Value) -> Arc<Table> {
    let dir = warehouse()
        .dir
        .path()
        .join("wh")
        .join(t["path"].as_str().unwrap());
    let storage = ObjectStoreStorage::open(dir.to_str().unwrap()).unwrap();
    Arc::new(block_on(Table::open(Arc::new(storage))).unwrap())
}

#[test]
fn every_table_reads_like_pypaimon() {
    let mut checked = 0;
    for t in warehouse().dump["tables"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        let table = open(t);
        let mut reader = block_on(ReadBuilder::new().build(table.clone())).unwrap();
        let batches = block_on(read_all(&mut reader)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let schema = table.schema();
        let types: Vec<DataType> = schema.fields.iter().map(|f| f.data_type.clone()).collect();
        let names: Vec<&str> = schema.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(json!(names), t["read"]["columns"], "{name}: columns");
        let ours = rows_json(&batches, &types);
        let theirs = t["read"]["rows"].as_array().unwrap();
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{name}: row count\nours {ours:?}\ntheirs {theirs:?}"
        );
        assert_eq!(&ours, theirs, "{name}: rows");
        checked += ours.len();
    }
    assert!(checked > 100, "only {checked} rows compared");
}
