//! `strata create`: a new table from column flags or a Paimon schema file.

use super::*;

/// The arguments of `strata create`.
#[derive(clap::Args, Debug)]
pub(super) struct CreateArgs {
    /// Table location: a directory path, file://, s3://, gs://, az:// (see --storage-option).
    pub(super) table: String,
    /// Column list: `name TYPE [NOT NULL] [COMMENT 'x'], ...`.
    #[arg(long, required_unless_present = "schema")]
    pub(super) columns: Option<String>,
    /// Primary-key columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub(super) primary_key: Vec<String>,
    /// Partition columns, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub(super) partition: Vec<String>,
    /// Bucket count (-1 dynamic/unaware, -2 postpone).
    #[arg(long, allow_negative_numbers = true)]
    pub(super) bucket: Option<i32>,
    /// Table option `key=value` (repeatable). Keys and values are checked against the
    /// options Paimon defines; options Strata keeps but does not act on get a note.
    #[arg(long = "option", value_parser = parse_kv)]
    pub(super) options: Vec<(String, String)>,
    /// A Paimon schema JSON file to create the table from instead of the flags.
    #[arg(long, conflicts_with_all = ["columns", "primary_key", "partition", "bucket"])]
    pub(super) schema: Option<String>,
}

/// `strata create`: a table from column flags or a Paimon schema file.
pub(super) async fn run(a: CreateArgs, cx: &Context) -> Result<()> {
    let schema = match a.schema {
        Some(file) => {
            let bytes = std::fs::read(&file).map_err(|e| Error::Storage {
                path: file.clone(),
                message: e.to_string(),
            })?;
            let s = TableSchema::from_json(&bytes, &file)?;
            TableSchema::create(
                s.fields,
                s.partition_keys,
                s.primary_keys,
                s.options,
                s.time_millis,
            )?
        }
        None => CreateTable {
            columns: a.columns.unwrap_or_default(),
            primary_keys: a.primary_key,
            partition_keys: a.partition,
            bucket: a.bucket,
            options: a.options.into_iter().collect::<BTreeMap<_, _>>(),
        }
        .schema(crate::now_millis())?,
    };
    let notes = option_notes(&schema)?;
    let storage = ObjectStoreStorage::create_with(&a.table, &cx.storage)?;
    create_table(&storage, &schema).await?;
    if !cx.quiet {
        for note in notes {
            eprintln!("note: {note}");
        }
    }
    crate::outln!("created {}", a.table);
    crate::outln!("{}", schema.to_json());
    Ok(())
}
