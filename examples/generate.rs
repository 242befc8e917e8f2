//! Generate a Synthea-format CSV export with `synthea-gen`.
//!
//! ```text
//! cargo run --release --example generate -- --patients 5000 --seed 42 --out /tmp/gen \
//!     [--dirty 0.02] [--layout v2|v3] [--threads N]
//! ```
//!
//! Prints a carriage-return progress line on stderr and a summary (rows and MB per file,
//! MB/s) on stdout.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use synthea_gen::{GeneratorConfig, Layout, Progress, generate};

fn usage() -> &'static str {
    "usage: generate --patients N [--seed S] --out DIR [--dirty RATE] [--layout v2|v3] [--threads N]"
}

fn parse_args() -> Result<(GeneratorConfig, PathBuf), String> {
    let mut config = GeneratorConfig::default();
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value\n{}", usage()))
        };
        match flag.as_str() {
            "--patients" => {
                config.patients = value()?.parse().map_err(|e| format!("--patients: {e}"))?
            }
            "--seed" => config.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => out = Some(PathBuf::from(value()?)),
            "--dirty" => {
                config.dirty_rate = Some(value()?.parse().map_err(|e| format!("--dirty: {e}"))?)
            }
            "--threads" => {
                config.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?
            }
            "--layout" => {
                config.layout = match value()?.as_str() {
                    "v2" => Layout::V2,
                    "v3" => Layout::V3,
                    other => return Err(format!("--layout must be v2 or v3, got {other}")),
                }
            }
            "-h" | "--help" => return Err(usage().to_string()),
            other => return Err(format!("unknown argument {other}\n{}", usage())),
        }
    }
    let out = out.ok_or_else(|| format!("--out is required\n{}", usage()))?;
    Ok((config, out))
}

fn main() -> ExitCode {
    let (config, out) = match parse_args() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut stderr = std::io::stderr();
    let report = generate(&config, &out, |p: Progress| {
        let pct = 100.0 * p.patients_done as f64 / p.patients_total.max(1) as f64;
        let mb = p.bytes_written as f64 / 1e6;
        let _ = write!(
            stderr,
            "\r{:>9}/{} patients ({pct:5.1} %)  {mb:9.1} MB  {:7.1} MB/s",
            p.patients_done,
            p.patients_total,
            mb / p.elapsed_secs.max(1e-9)
        );
        let _ = stderr.flush();
    });
    eprintln!();
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("generation failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{:<26} {:>12} {:>10}", "file", "rows", "MB");
    for f in &report.files {
        println!(
            "{:<26} {:>12} {:>10.2}",
            f.table.file_name(),
            f.rows,
            f.bytes as f64 / 1e6
        );
    }
    println!(
        "{} patients, {:.1} MB in {:.2} s = {:.1} MB/s on {} threads -> {}",
        report.patients,
        report.total_bytes as f64 / 1e6,
        report.seconds,
        report.mb_per_sec(),
        report.threads,
        report.out_dir.display()
    );
    if let Some(m) = &report.dirty_manifest {
        println!(
            "{} defects injected, manifest: {}",
            report.defects,
            m.display()
        );
    }
    ExitCode::SUCCESS
}
