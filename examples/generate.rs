//! Generate a Synthea-format CSV export with `synthea-gen`.
//!
//! ```text
//! cargo run --release --example generate -- --patients 5000 --seed 42 --out /tmp/gen \
//!     [--dirty 0.02] [--layout v2|v3] [--threads N] [--format csv|ehr-json [--batches K]]
//! ```
//!
//! `--format ehr-json` writes the population as EHR JSON change feeds instead: an
//! initial extract and K change batches (`batch-NNNN/`, one NDJSON file per entity and a
//! manifest each; see `synthea_gen::ehr_json`).
//!
//! Draws a progress bar on stderr (when it is a terminal) and prints a summary (rows and MB per file,
//! MB/s) on stdout.

#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use synthea_gen::{GeneratorConfig, Layout, generate};

/// The CSV layout to write.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum LayoutArg {
    /// Synthea 2.x.
    V2,
    /// Synthea 3.x.
    V3,
}

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    /// A Synthea CSV export.
    Csv,
    /// EHR JSON change feeds: an extract and change batches.
    EhrJson,
}

/// Generate a Synthea-format CSV export with synthea-gen.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Patients to generate.
    #[arg(long, default_value_t = GeneratorConfig::default().patients)]
    patients: u64,
    /// Seed: the same seed gives byte-identical files.
    #[arg(long, default_value_t = GeneratorConfig::default().seed)]
    seed: u64,
    /// Output folder (files of an earlier export there are overwritten).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Inject recorded defects at this rate (e.g. 0.02); the manifest lists each one.
    #[arg(long, value_name = "RATE")]
    dirty: Option<f64>,
    /// CSV layout.
    #[arg(long, value_enum, default_value = "v3")]
    layout: LayoutArg,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    format: FormatArg,
    /// Change batches after the initial extract (`--format ehr-json`).
    #[arg(long, default_value_t = 3)]
    batches: u32,
}

fn main() -> ExitCode {
    support::init_logging();
    let args = Args::parse();
    let config = GeneratorConfig {
        patients: args.patients,
        seed: args.seed,
        dirty_rate: args.dirty,
        threads: args.threads,
        layout: match args.layout {
            LayoutArg::V2 => Layout::V2,
            LayoutArg::V3 => Layout::V3,
        },
        ..GeneratorConfig::default()
    };
    let out = args.out;
    if args.format == FormatArg::EhrJson {
        return ehr_json(config, args.batches, &out);
    }
    let bar = support::bar(config.patients, "generate", "patients");
    let report = generate(&config, &out, |p| {
        bar.set_position(p.patients_done);
        bar.set_message(format!("{:.1} MB", p.bytes_written as f64 / 1e6));
    });
    bar.finish_and_clear();
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

/// Writes the population as EHR JSON change feeds and prints one line per batch.
fn ehr_json(population: GeneratorConfig, batches: u32, out: &std::path::Path) -> ExitCode {
    let config = synthea_gen::ehr_json::EhrJsonConfig {
        population,
        batches,
        ..Default::default()
    };
    let report = match synthea_gen::ehr_json::generate_ehr_json(&config, out) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("generation failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (dir, manifest) in report.batch_dirs.iter().zip(&report.manifests) {
        let records: u64 = manifest.files.iter().map(|f| f.records).sum();
        println!(
            "batch {}: {} files, {} records, {} patient changes -> {}",
            manifest.batch,
            manifest.files.len(),
            records,
            manifest.patient_changes.len(),
            dir.display()
        );
    }
    ExitCode::SUCCESS
}
