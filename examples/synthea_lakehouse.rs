//! The Synthea lakehouse: generate (or take) a Synthea export and run bronze → silver →
//! gold into a Delta lakehouse, with progress bars per layer and the run report.
//!
//! ```text
//! cargo run --release --example synthea_lakehouse -- --help
//! ```
//!
//! Without `--input`, `--patients` patients are generated with `synthea-gen` into
//! `<out>/_landing/gen-<seed>-<patients>/` (the landing folder, kept so re-runs see what
//! was already ingested).
//!
//! Running it twice adds nothing (exactly-once ingestion); running it with another
//! `--seed` lands a second batch and appends only the new data. `--maintain` then
//! compacts the tables the run wrote (OPTIMIZE, Z-order for the tables the settings name)
//! and VACUUMs files older than 7 days.
//!
//! Settings: `--print-default-config > settings.toml` writes every setting with its
//! default; edit it and pass `--config settings.toml` (unknown keys are an error that
//! names them). `--restore gold/readmissions@3` (repeatable) restores tables instead of
//! running — the undo after a bad run.
//!
//! `--report-json PATH` writes the outcome as JSON for an orchestrator (Airflow, cron,
//! Azure Data Factory, Databricks Workflows): `{"exit_code", "status", "error",
//! "report"}`, where `status` is `succeeded` or `failed`, `error` the message of a failed
//! run and `report` the run report (the rows this run appended to `_runs`; null when the
//! run failed before it had one, or did not run the pipeline). It is written for failed
//! runs too (except for bad arguments, exit code 2).
//!
//! Logging: `RUST_LOG=info` (or `debug`) prints every step on stderr.
//!
//! Exit codes: 0 success, 1 internal error, 2 bad arguments, 3 unusable input,
//! 4 a data-quality rule of severity `fail` stopped a batch, 5 another run on the same
//! lakehouse committed first (this one changed nothing).
//!
//! Fault injection for crash tests: `SYNTHEA_LAKEHOUSE_ABORT_AFTER_COMMITS=N` aborts the
//! process right after its N-th Delta commit (see `medallion_core::fault`).

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use clap::Parser;
use medallion_core::pipeline::{MaintenancePolicy, RunReport};
use synthea_gen::{GeneratorConfig, generate};
use synthea_pipeline::{
    ExitKind, PipelineConfig, PipelineError, RestoreTarget, restore_tables, run_pipeline,
};

/// Build a bronze → silver → gold Delta lakehouse from Synthea data.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// A Synthea export (or a folder of exports) to ingest instead of generated data.
    #[arg(long, value_name = "DIR")]
    input: Option<PathBuf>,
    /// Lakehouse root: bronze/, silver/, gold/ and _runs are written below it.
    #[arg(long, value_name = "DIR", default_value = "lakehouse")]
    out: PathBuf,
    /// Patients to generate when no --input is given.
    #[arg(long, default_value_t = 1000)]
    patients: u64,
    /// Generator seed (another seed lands a second batch).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Inject recorded defects into the generated data at this rate (e.g. 0.02).
    #[arg(long, value_name = "RATE")]
    dirty: Option<f64>,
    /// As-of date for open stays, metric periods and "in the future" checks.
    #[arg(long, value_name = "YYYY-MM-DD", default_value = "2024-04-15")]
    as_of: NaiveDate,
    /// Compact the tables the run wrote (Z-order where the settings name columns) and
    /// VACUUM files older than 7 days.
    #[arg(long)]
    maintain: bool,
    /// A settings file (TOML, or JSON by its `.json` name) applied over the defaults:
    /// value sets, age bands, rule severities, chunk size, Z-order columns…
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print every setting with its default value as TOML (a settings file to start
    /// from) and exit.
    #[arg(long)]
    print_default_config: bool,
    /// Instead of running: RESTORE a table to an earlier version or time, e.g.
    /// `gold/readmissions@3` or `silver/encounters@2024-04-15T10:00:00Z` (repeatable).
    #[arg(long, value_name = "LAYER/TABLE@VERSION|TIME")]
    restore: Vec<RestoreTarget>,
    /// Write the run's outcome and report as JSON to this file (also when it fails).
    #[arg(long, value_name = "PATH")]
    report_json: Option<PathBuf>,
}

/// A failed run: the message and the exit code it maps to.
struct Failure(String, ExitKind);

impl From<PipelineError> for Failure {
    fn from(e: PipelineError) -> Self {
        let kind = e.exit_kind();
        Failure(format!("pipeline failed: {e}"), kind)
    }
}

/// Generates an export into `<landing>/gen-<seed>-<patients>` unless it is already there.
fn generate_batch(args: &Args, landing: &Path) -> Result<(), Failure> {
    let dir = landing.join(format!("gen-{}-{}", args.seed, args.patients));
    if dir.join("patients.csv").exists() {
        println!("[generate] {} already exists; reusing it", dir.display());
        return Ok(());
    }
    let mut config = GeneratorConfig::new(args.patients, args.seed);
    config.dirty_rate = args.dirty;
    let t = Instant::now();
    let bar = support::bar(args.patients, "generate", "patients");
    let report = generate(&config, &dir, |p| bar.set_position(p.patients_done)).map_err(|e| {
        Failure(
            format!("generating synthetic data: {e}"),
            ExitKind::Internal,
        )
    })?;
    bar.finish_and_clear();
    println!(
        "[generate] {} patients, {:.1} MB of CSV in {:.1?} -> {}",
        report.patients,
        report.total_bytes as f64 / 1e6,
        t.elapsed(),
        dir.display()
    );
    Ok(())
}

/// The run's configuration: defaults, then the settings file, then the flags.
fn pipeline_config(args: &Args, run_id: String) -> Result<PipelineConfig, Failure> {
    let mut config = PipelineConfig::new(&args.out, "synthea", args.as_of, run_id);
    if let Some(path) = &args.config {
        config = config.with_settings_file(path)?;
    }
    if args.maintain && config.maintenance.is_none() {
        config.maintenance = Some(MaintenancePolicy::default());
    }
    Ok(config)
}

/// `--restore`: restores each named table and prints what it did.
async fn restore(args: &Args, run_id: String) -> Result<(), Failure> {
    let config = pipeline_config(args, run_id)?;
    for report in restore_tables(&config, &args.restore).await? {
        println!(
            "[restore] {}: new version {:?} ({} files removed, {} restored)",
            report.table, report.version, report.files_removed, report.files_restored
        );
    }
    Ok(())
}

/// Runs what the flags ask for; the run report when the pipeline ran.
async fn run(args: Args) -> Result<Option<RunReport>, Failure> {
    let run_id = format!("run-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    if args.print_default_config {
        print!("{}", pipeline_config(&args, run_id)?.settings_toml()?);
        return Ok(None);
    }
    if !args.restore.is_empty() {
        restore(&args, run_id).await?;
        return Ok(None);
    }
    // Settings first: a bad settings file fails before anything is generated.
    let config = pipeline_config(&args, run_id)?;
    let landing = match &args.input {
        Some(input) if !input.is_dir() => {
            return Err(Failure(
                format!("--input {} is not a directory", input.display()),
                ExitKind::Input,
            ));
        }
        Some(input) => input.clone(),
        None => {
            let landing = args.out.join("_landing");
            generate_batch(&args, &landing)?;
            landing
        }
    };
    let t = Instant::now();
    let mut progress = support::PipelineProgress::new();
    let outcome = run_pipeline(&config, &landing, &mut |event| progress.on_event(event)).await?;
    if outcome.gold_up_to_date {
        println!("[gold  ] up to date: no silver table, as-of date or metric definition changed");
    }
    println!("\n{}", outcome.report);
    let unreconciled = outcome.report.unreconciled();
    if !unreconciled.is_empty() {
        return Err(Failure(
            format!("{} table(s) do not reconcile", unreconciled.len()),
            ExitKind::Internal,
        ));
    }
    println!(
        "lakehouse at {} ({:?} export) built in {:.1?}",
        args.out.display(),
        outcome.version,
        t.elapsed()
    );
    Ok(Some(outcome.report))
}

/// The `--report-json` document: exit code, status, error message and run report (null
/// when the pipeline did not run, e.g. for `--restore`).
fn report_json(result: &Result<Option<RunReport>, Failure>) -> serde_json::Value {
    match result {
        Ok(report) => serde_json::json!({
            "exit_code": 0,
            "status": "succeeded",
            "error": null,
            "report": report,
        }),
        Err(Failure(message, kind)) => serde_json::json!({
            "exit_code": kind.code(),
            "status": "failed",
            "error": message,
            "report": null,
        }),
    }
}

/// Writes `document` to `path`; a failure to write is an internal error.
fn write_report_json(path: &Path, document: &serde_json::Value) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(document)
        .map_err(|e| Failure(format!("encoding the report: {e}"), ExitKind::Internal))?;
    std::fs::write(path, text + "\n").map_err(|e| {
        Failure(
            format!("writing --report-json {}: {e}", path.display()),
            ExitKind::Internal,
        )
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    support::init_logging();
    let args = Args::parse();
    if let Some(n) = std::env::var("SYNTHEA_LAKEHOUSE_ABORT_AFTER_COMMITS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        medallion_core::fault::abort_after_commits(n);
    }
    let report_path = args.report_json.clone();
    let mut result = run(args).await;
    if let Some(path) = report_path
        && let Err(failure) = write_report_json(&path, &report_json(&result))
    {
        result = Err(failure);
    }
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(Failure(message, kind)) => {
            eprintln!("error: {message}");
            ExitCode::from(kind.code())
        }
    }
}
