//! `strata demo`: the main job on embedded defaults. It creates an orders table on the local
//! filesystem, writes two commits of bundled sample rows (inserts, then updates and a delete),
//! and shows the snapshots, the live files and the merged rows.

use std::collections::BTreeMap;

use strata_core::schema::TableSchema;
use strata_core::Result;

use crate::describe::{describe_files, describe_snapshots};
use crate::output::Format;
use crate::reading::{open_table, scan, Sink};
use crate::write::input::{read_input, InputFormat};
use crate::ObjectStoreStorage;
use strata_core::create_table::{create_table, CreateTable};
use strata_core::write::{write, Input, WriteOptions};

const FIRST: &str = r#"{"id":1,"customer":"ada","amount":"12.50","dt":"2026-11-26","op":"+I"}
{"id":2,"customer":"grace","amount":"7.00","dt":"2026-11-26","op":"+I"}
{"id":3,"customer":"edsger","amount":"99.99","dt":"2026-11-27","op":"+I"}
{"id":4,"customer":"barbara","amount":"3.10","dt":"2026-11-27","op":"+I"}
"#;

const SECOND: &str = r#"{"id":2,"customer":"grace","amount":"8.25","dt":"2026-11-26","op":"+U"}
{"id":4,"customer":"barbara","amount":"3.10","dt":"2026-11-27","op":"-D"}
{"id":5,"customer":"alan","amount":"42.00","dt":"2026-11-27","op":"+I"}
"#;

/// Runs the demo under `dir` (a fresh temp directory by default); returns the table path.
pub async fn run(dir: Option<String>) -> Result<String> {
    let dir = dir.unwrap_or_else(|| {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        std::env::temp_dir()
            .join(format!("strata-demo-{stamp}"))
            .display()
            .to_string()
    });
    let table = format!("{dir}/default.db/orders");
    let schema = CreateTable {
        columns: "id BIGINT NOT NULL, customer STRING, amount DECIMAL(10, 2), dt STRING NOT NULL"
            .into(),
        primary_keys: vec!["id".into(), "dt".into()],
        partition_keys: vec!["dt".into()],
        bucket: Some(2),
        options: BTreeMap::new(),
    }
    .schema(crate::now_millis())?;
    let storage = ObjectStoreStorage::create(&table)?;
    create_table(&storage, &schema).await?;
    crate::outln!("created table {table}\n");
    crate::outln!(
        "schema:\n{}\n",
        TableSchema::load_latest(&storage).await?.to_json()
    );

    for (i, rows) in [FIRST, SECOND].iter().enumerate() {
        let path = format!("{dir}/sample-{i}.jsonl");
        std::fs::write(&path, rows).map_err(|e| strata_core::Error::Storage {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let t = open_table(&table).await?;
        let extra = vec!["op".to_string()];
        let inputs = read_input(&path, InputFormat::Jsonl, &t.schema().fields, &extra)?
            .into_iter()
            .map(|(first_line, batch)| Input {
                path: path.clone(),
                first_line,
                batch,
                kinds: None,
            })
            .collect();
        let opts = WriteOptions {
            row_kind_column: Some("op".into()),
            commit_user: None,
            overwrite: None,
            ..WriteOptions::default()
        };
        if let Some(s) = write(t, inputs, opts, crate::runtime::env()).await? {
            crate::outln!("wrote {path}: snapshot {}", s.id);
        }
    }
    crate::outln!(
        "\nsnapshots:\n{}",
        describe_snapshots(&storage, Default::default()).await?
    );
    crate::outln!(
        "files:\n{}",
        describe_files(&storage, None, Default::default()).await?
    );
    crate::outln!("rows (merged on read):");
    let sink = Sink {
        format: Format::Table,
        out: None,
        writer: Box::new(crate::output::stdout()),
    };
    scan(
        open_table(&table).await?,
        Default::default(),
        None,
        None,
        None,
        sink,
    )
    .await?;
    Ok(table)
}
