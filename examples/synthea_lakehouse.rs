//! The Synthea lakehouse: generate (or take) a Synthea export and run bronze → silver →
//! gold into a Delta lakehouse, printing progress per layer and the run report.
//!
//! ```text
//! cargo run --release --example synthea_lakehouse -- [--input DIR | --patients N --seed S [--dirty RATE]]
//!                                                    [--out DIR] [--as-of YYYY-MM-DD] [--maintain]
//! ```
//!
//! Without `--input`, about 1,000 patients are generated with `synthea-gen` into
//! `<out>/_landing/gen-<seed>-<patients>/` (the landing folder, kept so re-runs see what
//! was already ingested). Defaults: `--out ./lakehouse`, `--patients 1000`, `--seed 42`,
//! `--as-of 2024-04-15` (the generator's default end date).
//!
//! Running it twice adds nothing (exactly-once ingestion); running it with another
//! `--seed` lands a second batch and appends only the new data. `--maintain` then
//! compacts the tables the run wrote (OPTIMIZE) and VACUUMs files older than 7 days.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use medallion_core::pipeline::MaintenancePolicy;
use synthea_gen::{GeneratorConfig, generate};
use synthea_pipeline::{PipelineConfig, run_pipeline};

struct Args {
    input: Option<PathBuf>,
    out: PathBuf,
    patients: u64,
    seed: u64,
    dirty: Option<f64>,
    as_of: NaiveDate,
    maintain: bool,
}

const USAGE: &str = "usage: synthea_lakehouse [--input DIR | --patients N --seed S [--dirty RATE]] [--out DIR] [--as-of YYYY-MM-DD] [--maintain]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        input: None,
        out: PathBuf::from("lakehouse"),
        patients: 1000,
        seed: 42,
        dirty: None,
        as_of: NaiveDate::from_ymd_opt(2024, 4, 15).ok_or("invalid default date")?,
        maintain: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--input" => args.input = Some(PathBuf::from(value("--input")?)),
            "--out" => args.out = PathBuf::from(value("--out")?),
            "--patients" => {
                args.patients = value("--patients")?
                    .parse()
                    .map_err(|e| format!("--patients: {e}"))?
            }
            "--seed" => {
                args.seed = value("--seed")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            "--dirty" => {
                args.dirty = Some(
                    value("--dirty")?
                        .parse()
                        .map_err(|e| format!("--dirty: {e}"))?,
                )
            }
            "--as-of" => {
                args.as_of = NaiveDate::parse_from_str(&value("--as-of")?, "%Y-%m-%d")
                    .map_err(|e| format!("--as-of: {e} (expected YYYY-MM-DD)"))?
            }
            "--maintain" => args.maintain = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    Ok(args)
}

/// Generates an export into `<landing>/gen-<seed>-<patients>` unless it is already there.
fn generate_batch(args: &Args, landing: &Path) -> Result<(), String> {
    let dir = landing.join(format!("gen-{}-{}", args.seed, args.patients));
    if dir.join("patients.csv").exists() {
        println!("[generate] {} already exists; reusing it", dir.display());
        return Ok(());
    }
    let mut config = GeneratorConfig::new(args.patients, args.seed);
    config.dirty_rate = args.dirty;
    let t = Instant::now();
    let mut last_percent = u64::MAX;
    let report = generate(&config, &dir, |p| {
        let percent = p.patients_done * 100 / p.patients_total.max(1);
        if percent / 10 != last_percent / 10 {
            last_percent = percent;
            eprint!(
                "\r[generate] {percent:>3}% ({} / {} patients)",
                p.patients_done, p.patients_total
            );
        }
    })
    .map_err(|e| format!("generating synthetic data: {e}"))?;
    eprintln!();
    println!(
        "[generate] {} patients, {:.1} MB of CSV in {:.1?} -> {}",
        report.patients,
        report.total_bytes as f64 / 1e6,
        t.elapsed(),
        dir.display()
    );
    Ok(())
}

async fn run(args: Args) -> Result<(), String> {
    let landing = match &args.input {
        Some(input) => {
            if !input.is_dir() {
                return Err(format!("--input {} is not a directory", input.display()));
            }
            input.clone()
        }
        None => {
            let landing = args.out.join("_landing");
            generate_batch(&args, &landing)?;
            landing
        }
    };
    let run_id = format!("run-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let mut config = PipelineConfig::new(&args.out, "synthea", args.as_of, run_id);
    if args.maintain {
        // Compact small files and VACUUM files older than the default 7 days.
        config.maintenance = Some(MaintenancePolicy::default());
    }
    let t = Instant::now();
    let outcome = run_pipeline(&config, &landing, &mut |line| println!("{line}"))
        .await
        .map_err(|e| format!("pipeline failed: {e}"))?;
    println!("\n{}", outcome.report);
    let unreconciled = outcome.report.unreconciled();
    if !unreconciled.is_empty() {
        return Err(format!("{} table(s) do not reconcile", unreconciled.len()));
    }
    println!(
        "lakehouse at {} ({:?} export) built in {:.1?}",
        args.out.display(),
        outcome.version,
        t.elapsed()
    );
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
