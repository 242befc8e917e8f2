//! EHR JSON change feeds: generate an initial extract and change batches from the
//! synthetic population (`synthea_gen::ehr_json`), then run the EHR JSON lakehouse
//! (`ehr_json_pipeline`) once per batch and print what each batch did: rows read,
//! inserted, updated, deleted (tombstones), unchanged (exact re-deliveries),
//! deduplicated (older changes of a key) and quarantined per entity, the schema fields
//! that appeared, the `patients_scd` versions rebuilt and the gold tables written.
//!
//! ```text
//! cargo run --example ehr_json_lakehouse -- --out /tmp/ehr-json --patients 50 --batches 3
//! ```
//!
//! The feed is written to `<out>/feed/batch-NNNN/` (one file per entity and a
//! `manifest-NNNN.json` of the expected effects); the lakehouse is `<out>/lake`. Run it
//! again on the same `--out` and every batch is recognized as already ingested (nothing
//! is added). `--maintain` runs OPTIMIZE (Z-ordered by patient and encounter ids) and
//! VACUUM after the last batch. Logging: `RUST_LOG=info`.

#[path = "support/memory.rs"]
mod memory;
#[path = "support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::{DateTime, Utc};
use clap::Parser;
use ehr_json_pipeline::{BatchOutcome, PipelineConfig, run_batch};
use medallion_core::pipeline::MaintenancePolicy;
use synthea_gen::GeneratorConfig;
use synthea_gen::ehr_json::{EhrJsonConfig, batch_dir, generate_ehr_json};

/// Generate EHR JSON change feeds and run the EHR JSON lakehouse batch by batch.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Output folder: `<out>/feed` and `<out>/lake`.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Patients of the population.
    #[arg(long, default_value_t = 50)]
    patients: u64,
    /// Seed of the population and of every change.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Change batches after the initial extract.
    #[arg(long, default_value_t = 3)]
    batches: u32,
    /// OPTIMIZE (Z-order) and VACUUM the silver tables after the last batch.
    #[arg(long)]
    maintain: bool,
}

fn main() -> ExitCode {
    support::init_logging();
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ehr_json_lakehouse failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let feed = args.out.join("feed");
    let config = EhrJsonConfig {
        population: GeneratorConfig {
            patients: args.patients,
            seed: args.seed,
            ..GeneratorConfig::default()
        },
        batches: args.batches,
        ..EhrJsonConfig::default()
    };
    let started = Instant::now();
    let generated = generate_ehr_json(&config, &feed)?;
    println!(
        "feed: {} patients, extract + {} change batches in {:.1} s -> {}",
        args.patients,
        args.batches,
        started.elapsed().as_secs_f64(),
        feed.display()
    );
    let runtime = tokio::runtime::Runtime::new()?;
    let mut total_rows = 0u64;
    let lake_started = Instant::now();
    for manifest in &generated.manifests {
        let as_of: DateTime<Utc> = manifest.extracted_at.parse()?;
        let mut pipeline = PipelineConfig::new(
            args.out.join("lake"),
            as_of,
            format!("batch-{:04}", manifest.batch),
        );
        if args.maintain && manifest.batch == args.batches {
            pipeline.maintenance = Some(MaintenancePolicy::default());
        }
        let t = Instant::now();
        let outcome = runtime.block_on(run_batch(&pipeline, &batch_dir(&feed, manifest.batch)))?;
        total_rows += outcome.entities.iter().map(|e| e.read).sum::<u64>();
        print_batch(manifest.batch, &outcome, t.elapsed().as_secs_f64());
    }
    let seconds = lake_started.elapsed().as_secs_f64();
    println!(
        "\n{} bronze rows through silver and gold in {:.1} s = {:.0} rows/s; peak RSS {}",
        total_rows,
        seconds,
        total_rows as f64 / seconds.max(1e-9),
        memory::peak_rss()
    );
    Ok(())
}

fn print_batch(batch: u32, outcome: &BatchOutcome, seconds: f64) {
    println!("\nbatch {batch} ({seconds:.1} s)");
    println!(
        "  {:<18} {:>5} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6} {:>11}  new fields",
        "silver table",
        "files",
        "read",
        "inserted",
        "updated",
        "deleted",
        "unchanged",
        "dedup",
        "quarantined"
    );
    for e in &outcome.entities {
        println!(
            "  {:<18} {:>5} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6} {:>11}  {}",
            e.table,
            e.files,
            e.read,
            e.inserted,
            e.updated,
            e.deleted,
            e.unchanged,
            e.deduplicated,
            e.quarantined,
            e.new_fields.join(", ")
        );
    }
    if let Some(scd) = &outcome.patients_scd {
        println!(
            "  patients_scd: {} patients rebuilt, {} versions added, {} closed, {} removed",
            scd.keys, scd.versions_inserted, scd.versions_updated, scd.versions_removed
        );
    }
    if outcome.is_active_flipped > 0 {
        println!(
            "  medications_clean: is_active refreshed on {} rows",
            outcome.is_active_flipped
        );
    }
    for m in &outcome.maintenance {
        let optimized = m.optimize.as_ref().map_or(0, |o| o.files_removed);
        println!(
            "  maintenance {}: {} files compacted",
            m.table.rsplit('/').next().unwrap_or_default(),
            optimized
        );
    }
    if !outcome.gold_rows.is_empty() {
        let gold: Vec<String> = outcome
            .gold_rows
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        println!("  gold rows: {}", gold.join(", "));
    }
}
