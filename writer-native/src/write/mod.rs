//! `strata write`'s driver: input files decoded on a thread of their own feed core's
//! [`TableWriter`](strata_core::write::TableWriter), which routes, buffers, flushes and
//! commits them (the format rules live there).

pub mod input;

use std::sync::Arc;

use strata_core::snapshot::Snapshot;
use strata_core::table::Table;
use strata_core::write::{Input, TableWriter, WriteOptions};
use strata_core::{Error, Result};

/// Writes input files into `table` as one commit, decoding them on a thread of their own
/// while the rows already read are routed, buffered and flushed; at most a few batches are in
/// flight between the two, so memory stays within the write buffer. `extra` names string
/// columns to read beside the table's (the row-kind column).
pub async fn write_files(
    table: Arc<Table>,
    files: Vec<(String, input::InputFormat)>,
    extra: Vec<String>,
    opts: WriteOptions,
) -> Result<Option<Snapshot>> {
    write_files_until(table, files, extra, opts, std::future::pending()).await
}

/// [`write_files`], stopped when `stop` resolves (Ctrl-C): between batches, the writer is
/// aborted (the files it wrote are deleted) and nothing is committed; the error is
/// [`Error::Uncommitted`]. A push under way finishes first, so the writer knows every file it
/// wrote; a commit under way finishes.
pub async fn write_files_until(
    table: Arc<Table>,
    files: Vec<(String, input::InputFormat)>,
    extra: Vec<String>,
    opts: WriteOptions,
    stop: impl std::future::Future<Output = ()>,
) -> Result<Option<Snapshot>> {
    let fields = table.schema().fields.clone();
    let ignore_unknown = opts.ignore_unknown_columns;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Input>>(4);
    let reader = std::thread::spawn(move || {
        for (path, format) in files {
            let batches = match input::input_batches(&path, format, &fields, &extra, ignore_unknown)
            {
                Ok(b) => b,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            for b in batches {
                let msg = b.map(|(first_line, batch)| Input {
                    path: path.clone(),
                    first_line,
                    batch,
                    kinds: None,
                });
                let failed = msg.is_err();
                if tx.blocking_send(msg).is_err() || failed {
                    return;
                }
            }
        }
    });
    let mut w = TableWriter::new(table, opts, crate::runtime::env()).await?;
    let shown = crate::progress::Progress::counter("writing", "rows", false);
    let mut pushed = Ok(());
    tokio::pin!(stop);
    loop {
        let msg = tokio::select! {
            biased;
            _ = &mut stop => {
                pushed = Err(Error::Uncommitted(Box::new(Error::InvalidValue(
                    "the write was stopped before its commit".into(),
                ))));
                break;
            }
            m = rx.recv() => m,
        };
        let Some(msg) = msg else { break };
        pushed = match msg {
            Ok(input) => {
                shown.inc(input.batch.num_rows() as u64);
                w.push(input).await
            }
            Err(e) => Err(e),
        };
        if pushed.is_err() {
            break;
        }
    }
    drop(rx);
    let _ = reader.join();
    match pushed {
        Ok(()) => w.commit().await,
        Err(e) => {
            w.abort().await;
            Err(e)
        }
    }
}
