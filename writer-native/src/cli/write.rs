//! `strata write`: files or standard input into a table as one commit.

use super::*;

/// The arguments of `strata write`.
#[derive(clap::Args, Debug)]
pub(super) struct WriteArgs {
    /// Table directory.
    pub(super) table: String,
    /// Input files; `-` reads standard input (with --format).
    #[arg(required = true)]
    pub(super) files: Vec<String>,
    /// Input format (default: from each file's extension).
    #[arg(long, value_enum)]
    pub(super) format: Option<InputFormat>,
    /// Column holding each row's kind (+I, -U, +U, -D); default: the table's rowkind.field.
    #[arg(long)]
    pub(super) row_kind_column: Option<String>,
    /// Replace instead of add: the partitions the rows fall in (dynamic-partition-overwrite,
    /// the default), the `--partition` given, or the whole table.
    #[arg(long)]
    pub(super) overwrite: bool,
    /// With --overwrite: the static partition to replace, `k=v` (repeatable).
    #[arg(long, value_parser = parse_kv, requires = "overwrite")]
    pub(super) partition: Vec<(String, String)>,
    /// Drop input columns the table lacks instead of refusing the file.
    #[arg(long)]
    pub(super) ignore_unknown_columns: bool,
}

/// Standard input of `strata write -`, copied to a temporary file that is removed on drop;
/// errors name it `stdin`.
struct SpooledStdin(std::path::PathBuf);

impl SpooledStdin {
    fn new(files: &[String], format: Option<InputFormat>) -> strata_core::Result<Option<Self>> {
        let n = files.iter().filter(|f| f.as_str() == "-").count();
        if n == 0 {
            return Ok(None);
        }
        let bad = |m: String| strata_core::Error::InvalidValue(m);
        if n > 1 {
            return Err(bad("standard input (-) can be named only once".into()));
        }
        if format.is_none() {
            return Err(bad("reading standard input (-) needs --format".into()));
        }
        let path = std::env::temp_dir().join(format!("strata-stdin-{}", uuid::Uuid::new_v4()));
        let spooled = SpooledStdin(path);
        let mut file = std::fs::File::create(&spooled.0)
            .map_err(|e| bad(format!("spooling stdin to {}: {e}", spooled.0.display())))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut file)
            .map_err(|e| bad(format!("reading stdin: {e}")))?;
        Ok(Some(spooled))
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }

    /// The error with the temporary file's name replaced by `stdin`.
    fn rename_in(&self, e: strata_core::Error) -> strata_core::Error {
        match e {
            strata_core::Error::InvalidValue(m) => {
                strata_core::Error::InvalidValue(m.replace(&self.path(), "stdin"))
            }
            other => other,
        }
    }
}

impl Drop for SpooledStdin {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Universal compaction after a write (skipped with `write-only=true`, as in Paimon, when a
/// separate job compacts). A concurrent committer may compact the same files first: then plan
/// again from the new state; the written data is committed either way.
pub(super) async fn compact_after_write(
    table: &str,
    storage_options: &StorageOptions,
) -> strata_core::Result<()> {
    for _ in 0..3 {
        let t = open_table_with(table, storage_options).await?;
        if !strata_core::compaction::CompactionPolicy::new(t.schema(), true).after_commit() {
            return Ok(());
        }
        let env = crate::progress::ShownEnv::new(crate::runtime::env(), "compacting");
        let compacted = compact(t, CompactOptions::default(), env.clone()).await;
        env.finish();
        match compacted {
            Ok(Some(s)) => {
                crate::outln!("compacted: snapshot {} (COMPACT)", s.id);
                return Ok(());
            }
            Ok(None) => return Ok(()),
            Err(strata_core::Error::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    eprintln!("strata: compaction kept conflicting with concurrent writers; the write is committed, compact later");
    Ok(())
}

/// `strata write`: files (or stdin) as one commit, then the compaction it triggers.
pub(super) async fn run(a: WriteArgs, cx: &Context) -> Result<()> {
    let t = open_table_with(&a.table, &cx.storage).await?;
    let extra: Vec<String> = a.row_kind_column.iter().cloned().collect();
    // `-` is standard input, spooled to a temporary file (the readers need to seek).
    let stdin = SpooledStdin::new(&a.files, a.format)?;
    let files = a
        .files
        .iter()
        .map(|f| {
            let fmt = a.format.or_else(|| InputFormat::guess(f)).ok_or_else(|| {
                Error::InvalidValue(format!("{f}: unknown input format; pass --format"))
            })?;
            let path = match (f.as_str(), &stdin) {
                ("-", Some(s)) => s.path(),
                _ => f.clone(),
            };
            Ok((path, fmt))
        })
        .collect::<Result<Vec<_>>>()?;
    let opts = WriteOptions {
        row_kind_column: a.row_kind_column,
        commit_user: None,
        overwrite: a.overwrite.then_some(Overwrite {
            partition: a.partition,
        }),
        ignore_unknown_columns: a.ignore_unknown_columns,
        ..WriteOptions::default()
    };
    let written = interrupt::write_files(t, files, extra, opts)
        .await
        .map_err(|e| match &stdin {
            Some(s) => s.rename_in(e),
            None => e,
        })?;
    drop(stdin);
    // Compact the buckets the write pushed past the trigger, as Paimon's writers do.
    if let Some(s) = &written {
        let what = format!(
            "the write is committed (snapshot {}); its compaction was not",
            s.id
        );
        interrupt::or_interrupt(&what, compact_after_write(&a.table, &cx.storage)).await?;
    }
    match written {
        Some(s) => crate::outln!(
            "committed snapshot {} ({} rows)",
            s.id,
            s.delta_record_count.unwrap_or(0)
        ),
        None => crate::outln!("nothing to write"),
    }
    Ok(())
}
