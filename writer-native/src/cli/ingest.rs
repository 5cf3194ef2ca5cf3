//! `strata ingest` and `strata sample-cdc`: CDC streams into a table.

use super::*;

/// `strata ingest`: CDC messages into the table, exactly once.
pub(super) async fn run(a: crate::ingest::command::IngestArgs, cx: &Context) -> Result<()> {
    let stats = interrupt::noting_interrupt(crate::ingest::command::run(a, &cx.storage)).await?;
    crate::outln!(
        "ingested {} rows from {} messages in {} commits (last snapshot {}); {} skipped, {} already in the table, {} schema changes",
        stats.rows,
        stats.messages,
        stats.commits,
        stats.last_snapshot.map_or("none".into(), |s| s.to_string()),
        stats.skipped,
        stats.duplicates,
        stats.schema_changes
    );
    if interrupted() {
        eprintln!(
            "strata: interrupted: ingest committed what it had read, with its offsets, and stopped"
        );
    }
    Ok(())
}

/// The arguments of `strata sample-cdc`.
#[derive(clap::Args, Debug)]
pub(super) struct SampleCdcArgs {
    /// Message format.
    #[arg(long, value_enum, default_value = "debezium-json")]
    pub(super) format: crate::ingest::CdcFormat,
    /// Number of events.
    #[arg(long, default_value_t = 1000)]
    pub(super) events: usize,
    /// Number of distinct order ids.
    #[arg(long, default_value_t = 200)]
    pub(super) keys: u64,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub(super) seed: u64,
}

/// `strata sample-cdc`: a deterministic CDC stream on stdout.
pub(super) fn sample_cdc(a: SampleCdcArgs) -> Result<()> {
    let s = crate::ingest::sample::generate(a.format, a.keys, a.events, 1, a.seed);
    let mut out = std::io::BufWriter::new(crate::output::stdout());
    for e in &s.events {
        writeln!(out, "{}", e.payload).map_err(|e| Error::Storage {
            path: "stdout".into(),
            message: e.to_string(),
        })?;
    }
    Ok(())
}
