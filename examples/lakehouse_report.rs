//! A self-contained HTML report of a lakehouse: quality metrics, patient journeys,
//! population health, operations (with a patient-flow lakehouse), data quality and the
//! pipeline's run history, as inline SVG charts in one file (no network needed to view).
//!
//! ```text
//! cargo run --example synthea_lakehouse -- --out lake --patients 200
//! cargo run --example patient_flow -- --out flow
//! cargo run --example lakehouse_report -- --lakehouse lake --patient-flow flow --out report.html
//! ```
//!
//! Exit codes: 0 success, 1 internal error, 2 bad arguments, 3 input error (no such
//! lakehouse, or a table without a column the report needs).

#[path = "support/memory.rs"]
mod memory;
#[path = "support/report_input.rs"]
mod report_input;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use lakehouse_report::{ReportError, render};
use polars::prelude::DataFrame;

/// Write an HTML report of a lakehouse's gold tables and run history.
#[derive(Debug, Parser)]
#[command(about, long_about = None)]
struct Args {
    /// Lakehouse root (bronze/, silver/, gold/, _runs).
    #[arg(long, value_name = "DIR", default_value = "lakehouse")]
    lakehouse: PathBuf,
    /// A patient-flow lakehouse (the `patient_flow` example's --out), for the operations
    /// section.
    #[arg(long, value_name = "DIR")]
    patient_flow: Option<PathBuf>,
    /// Where to write the report.
    #[arg(long, value_name = "FILE", default_value = "lakehouse-report.html")]
    out: PathBuf,
}

/// A failed run: the message and its exit code.
struct Failure(String, u8);

async fn run(args: Args) -> Result<(), Failure> {
    for dir in std::iter::once(&args.lakehouse).chain(args.patient_flow.iter()) {
        if !dir.is_dir() {
            return Err(Failure(format!("{} is not a directory", dir.display()), 3));
        }
    }
    let started = Instant::now();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let input =
        report_input::read_report_input(&args.lakehouse, args.patient_flow.as_deref(), &now)
            .await
            .map_err(|e| Failure(format!("reading the lakehouse: {e}"), 1))?;
    let rows: usize = input
        .gold
        .values()
        .chain(input.flow_gold.values())
        .chain(input.runs.iter())
        .map(DataFrame::height)
        .sum();
    let read = started.elapsed();
    let report = render(&input).map_err(|e| {
        let code = if matches!(e, ReportError::MissingColumn { .. }) {
            3
        } else {
            1
        };
        Failure(e.to_string(), code)
    })?;
    std::fs::write(&args.out, &report.html)
        .map_err(|e| Failure(format!("writing {}: {e}", args.out.display()), 1))?;
    let total = started.elapsed();
    println!(
        "report with {} charts ({} marks) from {} tables, {rows} rows -> {} ({:.0} KB)",
        report.charts.len(),
        report.charts.iter().map(|c| c.marks).sum::<usize>(),
        input.gold.len() + input.flow_gold.len() + usize::from(input.runs.is_some()),
        args.out.display(),
        report.html.len() as f64 / 1024.0
    );
    println!(
        "read {:.0} ms, render {:.0} ms ({:.0} rows/s overall), peak memory {}",
        read.as_secs_f64() * 1e3,
        (total - read).as_secs_f64() * 1e3,
        rows as f64 / total.as_secs_f64(),
        memory::peak_rss_mb().map_or("n/a".into(), |mb| format!("{mb:.0} MB"))
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, code)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}
