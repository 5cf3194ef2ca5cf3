//! The `strata` binary: parses the command line and runs it (`strata_writer::cli`).

use std::process::ExitCode;

use clap::Parser;
use strata_writer::cli::{run, Cli};

/// mimalloc: writes and compactions allocate and free large column buffers at a high rate,
/// which glibc's allocator answers with fresh, kernel-zeroed pages.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(cli.log_filter())
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let command = cli.command_name();
    let started = std::time::Instant::now();
    let span = tracing::info_span!("strata", command);
    let result = tracing::Instrument::instrument(run(cli), span).await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    match result {
        // Ctrl-C: the command stopped cleanly and said how; 130 as shells report SIGINT.
        _ if strata_writer::cli::interrupted() => {
            tracing::info!(command, elapsed_ms, "interrupted");
            ExitCode::from(130)
        }
        Ok(()) => {
            tracing::info!(command, elapsed_ms, "done");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::info!(command, elapsed_ms, "failed");
            eprintln!("strata: error: {e}");
            ExitCode::FAILURE
        }
    }
}
