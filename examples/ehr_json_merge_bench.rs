//! Bench of the EHR JSON pipeline's MERGE: a change batch into `encounters_clean`.
//!
//! ```text
//! EHR_JSON_BENCH_TABLE_ROWS=1000000 EHR_JSON_BENCH_CHANGE_ROWS=100000 \
//!     cargo run --release --example ehr_json_merge_bench -- --out /tmp/ehr-json-bench
//! ```
//!
//! Lands `EHR_JSON_BENCH_TABLE_ROWS` encounters (default 200,000) spread over
//! `EHR_JSON_BENCH_MONTHS` monthly partitions (default 24) as the initial extract, then a
//! change batch of `EHR_JSON_BENCH_CHANGE_ROWS` records (default 20,000: 80 % updates
//! and 10 % deletes of encounters of the last three months, 10 % new encounters), and
//! runs the pipeline (bronze → schema → silver MERGE; gold off) on each. Prints rows/s
//! of each batch and the peak resident set size.

#[path = "support/memory.rs"]
mod memory;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use clap::Parser;
use ehr_json_pipeline::{PipelineConfig, run_batch};

/// MERGE a change batch into an EHR JSON silver table and print rows/s and peak memory.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Working folder (landing files and lakehouse; emptied first).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args.out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ehr_json_merge_bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn encounter(i: usize, month: usize, seq: usize, op: &str, status: &str) -> String {
    let (year, m) = (2022 + month / 12, month % 12 + 1);
    format!(
        r#"{{"encounter_id":"e{i:09}","patient_id":"p{:08}","organization_id":"o{}","encounter_class":"ambulatory","start":"{year}-{m:02}-10T08:00:00Z","stop":"{year}-{m:02}-10T09:00:00Z","status":"{status}","total_cost":120.5,"op":"{op}","change_seq":{seq},"changed_at":"2024-06-0{seq}T00:00:00Z"}}"#,
        i / 4,
        i % 20
    )
}

fn write_file(dir: &Path, name: &str, lines: impl Iterator<Item = String>) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join(name))?);
    for line in lines {
        writeln!(file, "{line}")?;
    }
    file.flush()
}

fn run(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let rows = env_usize("EHR_JSON_BENCH_TABLE_ROWS", 200_000);
    let changes = env_usize("EHR_JSON_BENCH_CHANGE_ROWS", 20_000);
    let months = env_usize("EHR_JSON_BENCH_MONTHS", 24).max(3);
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    let month_of = |i: usize| i % months;
    write_file(
        &out.join("landing-0"),
        "encounters-0.ndjson",
        (0..rows).map(|i| encounter(i, month_of(i), 1, "insert", "finished")),
    )?;
    // Changes: keys of the last three months (i ≡ months-3.. mod months), then new keys.
    let recent = (0..rows).filter(|i| month_of(*i) + 3 >= months);
    let (updates, deletes) = (changes * 8 / 10, changes / 10);
    let mut batch: Vec<String> = recent
        .take(updates + deletes)
        .enumerate()
        .map(|(n, i)| match n < updates {
            true => encounter(i, month_of(i), 2, "update", "cancelled"),
            false => encounter(i, month_of(i), 2, "delete", "finished"),
        })
        .collect();
    let inserts = changes.saturating_sub(batch.len());
    batch.extend((rows..rows + inserts).map(|i| encounter(i, months - 1, 1, "insert", "finished")));
    write_file(
        &out.join("landing-1"),
        "encounters-1.ndjson",
        batch.into_iter(),
    )?;

    let runtime = tokio::runtime::Runtime::new()?;
    let as_of = Utc
        .with_ymd_and_hms(2024, 7, 1, 0, 0, 0)
        .single()
        .ok_or("as-of")?;
    for (n, label) in [(0, "initial extract"), (1, "change batch")] {
        let mut config = PipelineConfig::new(out.join("lake"), as_of, format!("bench-{n}"));
        config.gold_enabled = false;
        let started = Instant::now();
        let outcome = runtime.block_on(run_batch(&config, &out.join(format!("landing-{n}"))))?;
        let seconds = started.elapsed().as_secs_f64();
        let e = &outcome.entities[0];
        println!(
            "{label}: {} rows read ({} inserted, {} updated, {} deleted) in {seconds:.1} s = {:.0} rows/s; peak RSS {}",
            e.read,
            e.inserted,
            e.updated,
            e.deleted,
            e.read as f64 / seconds.max(1e-9),
            memory::peak_rss()
        );
    }
    println!("table {rows} rows over {months} months, change batch {changes} rows");
    Ok(())
}
