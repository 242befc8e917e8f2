//! Patient flow: simulate a hospital network's ADT feed (admissions, transfers,
//! discharges with vitals) and build the bronze → silver → gold patient-flow lakehouse:
//! occupancy by hospital, department, hour, day and gender, ALOS, admissions by priority
//! and weekday, top diagnoses, vitals by department, on a star schema with an SCD2
//! patient dimension.
//!
//! ```text
//! cargo run --example patient_flow -- --events 100000 --dirty 0.02
//! cargo run --example patient_flow -- --dry-run --events 3      # print 3 events as JSON
//! cargo run --example patient_flow --features kafka -- --kafka 127.0.0.1:9092
//! ```
//!
//! `--from-dir` (the default) ingests the landing folder into bronze. `--kafka
//! <bootstrap>` (built with `--features kafka`) produces the simulated lines to the topic
//! `adt-events`, reads them into bronze with medallion-core's exactly-once Kafka source,
//! then runs silver → gold from bronze (a re-run produces the lines again: silver's
//! `event_id` deduplication keeps one copy).
//!
//! Events are simulated into `<out>/_landing/sim-<seed>-<events>[-dirty-<rate>]/` (kept,
//! so a re-run ingests nothing new; another `--seed` lands a second batch) with the
//! dirty-data manifest `_manifest.json`. The as-of instant defaults to the last simulated
//! event. Logging: `RUST_LOG=info` prints every step on stderr.
//!
//! Exit codes: 0 success, 1 internal error, 2 bad arguments, 3 unusable input,
//! 4 a data-quality rule of severity `fail` stopped a batch.

#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use clap::Parser;
use clinical_events::pipeline::{PipelineConfig, Step, run_pipeline, run_pipeline_from_bronze};
use clinical_events::simulator::{DirtyConfig, Manifest, SimulatorConfig, simulate, write_landing};
use indicatif::{ProgressBar, ProgressDrawTarget};
use synthea_pipeline::ExitKind;

/// Simulate hospital ADT events and build the patient-flow Delta lakehouse.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Events to simulate (duplicates injected by --dirty come on top).
    #[arg(long, default_value_t = 10_000)]
    events: u64,
    /// Simulator seed (another seed lands a second batch).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Inject the seven dirty-data scenarios into about this share of events (e.g. 0.02).
    #[arg(long, value_name = "RATE")]
    dirty: Option<f64>,
    /// Print the events as JSON lines and exit (nothing is written).
    #[arg(long)]
    dry_run: bool,
    /// Lakehouse root: _landing/, bronze/, silver/, gold/ and _runs are written below it.
    #[arg(long, value_name = "DIR", default_value = "patient_flow")]
    out: PathBuf,
    /// As-of instant (RFC 3339, or a date for its 00:00 UTC). Default: the last event.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    as_of: Option<DateTime<Utc>>,
    /// Ingest bronze from the landing folder (the default).
    #[arg(long, conflicts_with = "kafka")]
    from_dir: bool,
    /// Go through Kafka at these bootstrap servers (needs `--features kafka` and a
    /// broker: `.ci/kafka.sh --broker-only`).
    #[arg(long, value_name = "BOOTSTRAP")]
    kafka: Option<String>,
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
        .map_err(|_| {
            format!("'{text}' is neither RFC 3339 (2024-01-31T12:00:00Z) nor a date (2024-01-31)")
        })
}

/// A failed run: the message and the exit code it maps to.
struct Failure(String, ExitKind);

impl Failure {
    /// Prints the message on stderr; the exit code.
    fn report(self) -> ExitCode {
        eprintln!("error: {}", self.0);
        ExitCode::from(self.1.code())
    }
}

impl From<clinical_events::Error> for Failure {
    fn from(e: clinical_events::Error) -> Self {
        let kind = if e.is_rule_failure() {
            ExitKind::DataQuality
        } else if e.is_input_error() {
            ExitKind::Input
        } else {
            ExitKind::Internal
        };
        Failure(format!("patient flow failed: {e}"), kind)
    }
}

fn simulator_config(args: &Args) -> SimulatorConfig {
    let mut config = SimulatorConfig::new(args.events, args.seed);
    if let Some(rate) = args.dirty {
        config.dirty = DirtyConfig::uniform(rate);
    }
    config
}

/// Prints the simulated events as JSON lines.
fn dry_run(args: &Args) -> Result<(), Failure> {
    let simulated = simulate(&simulator_config(args))?;
    for line in simulated.files.iter().flat_map(|f| &f.lines) {
        println!("{line}");
    }
    Ok(())
}

/// Simulates into the landing folder of these arguments unless it is already there.
fn land(args: &Args, landing: &Path) -> Result<Manifest, Failure> {
    let name = match args.dirty {
        Some(rate) => format!("sim-{}-{}-dirty-{rate}", args.seed, args.events),
        None => format!("sim-{}-{}", args.seed, args.events),
    };
    let dir = landing.join(name);
    if let Ok(manifest) = Manifest::read(&dir) {
        println!("[simulate] {} already exists; reusing it", dir.display());
        return Ok(manifest);
    }
    let t = Instant::now();
    let spinner = spinner("simulate");
    let manifest = write_landing(&simulator_config(args), &dir)?;
    spinner.finish_and_clear();
    let defects: u64 = manifest.counts.values().sum();
    println!(
        "[simulate] {} events ({} lines, {} defects, {} admissions diverted) in {:.1?} -> {}",
        manifest.summary.events,
        manifest.lines,
        defects,
        manifest.summary.diverted_admissions,
        t.elapsed(),
        dir.display()
    );
    Ok(manifest)
}

/// A spinner on stderr (hidden when stderr is not a terminal).
fn spinner(prefix: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_prefix(prefix.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

async fn run(args: Args) -> Result<(), Failure> {
    if args.dry_run {
        return dry_run(&args);
    }
    let landing = args.out.join("_landing");
    let manifest = land(&args, &landing)?;
    let as_of = match (args.as_of, manifest.summary.last_event) {
        (Some(t), _) | (None, Some(t)) => t,
        (None, None) => {
            return Err(Failure(
                "no events simulated: pass --as-of".into(),
                ExitKind::Input,
            ));
        }
    };
    let run_id = format!("run-{}", Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let config = PipelineConfig::new(&args.out, as_of, run_id);
    let t = Instant::now();
    let bar = spinner("pipeline");
    let mut observer = |step: Step| {
        bar.inc(1);
        bar.suspend(|| {
            println!(
                "[{:<6}] {:<32} {} ({:.1?})",
                step.layer.to_string(),
                step.table,
                step.summary,
                step.elapsed
            );
        });
    };
    let outcome = match &args.kafka {
        None => run_pipeline(&config, &landing, &mut observer).await?,
        Some(bootstrap) => {
            through_kafka(bootstrap, &landing, &config).await?;
            run_pipeline_from_bronze(&config, &mut observer).await?
        }
    };
    bar.finish_and_clear();
    println!("\n{}", outcome.report);
    if !outcome.schema_drift.is_empty() {
        println!("new JSON fields: {}", outcome.schema_drift.join(", "));
    }
    println!(
        "patient-flow lakehouse at {} (as of {}) built in {:.1?}",
        args.out.display(),
        as_of.to_rfc3339(),
        t.elapsed()
    );
    Ok(())
}

/// Produces every landed line to `adt-events` and reads the topic into bronze.
#[cfg(feature = "kafka")]
async fn through_kafka(
    bootstrap: &str,
    landing: &Path,
    config: &PipelineConfig,
) -> Result<(), Failure> {
    use clinical_events::pipeline::EVENTS_TABLE;
    use medallion_core::kafka::{KafkaSinkBuilder, KafkaSourceBuilder};
    const TOPIC: &str = "adt-events";
    let kafka = |e: medallion_core::Error| Failure(e.to_string(), ExitKind::Internal);
    let sink = KafkaSinkBuilder::new(bootstrap).await.map_err(kafka)?;
    sink.create_topic(TOPIC, 3).await.map_err(kafka)?;
    let t = Instant::now();
    let mut produced = 0;
    for dir in std::fs::read_dir(landing).map_err(|e| Failure(e.to_string(), ExitKind::Input))? {
        let dir = dir
            .map_err(|e| Failure(e.to_string(), ExitKind::Input))?
            .path();
        let Ok(manifest) = Manifest::read(&dir) else {
            continue;
        };
        for name in &manifest.files {
            let text = std::fs::read_to_string(dir.join(name))
                .map_err(|e| Failure(e.to_string(), ExitKind::Input))?;
            let records = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| (None, l.as_bytes()));
            produced += sink.publish_batch(TOPIC, records).await.map_err(kafka)?;
        }
    }
    let bronze = config.table("bronze", EVENTS_TABLE);
    let mut source = KafkaSourceBuilder::new(bootstrap, TOPIC, bronze, &config.pipeline)
        .map_err(kafka)?
        .with_max_offsets_per_trigger(50_000)
        .await
        .map_err(kafka)?;
    let batches = source.run_available_now().await.map_err(kafka)?;
    let rows: u64 = batches.iter().map(|b| b.rows_written).sum();
    println!(
        "[kafka ] produced {produced} lines to {TOPIC}; {rows} new rows into bronze in {} micro-batch(es) ({:.1?})",
        batches.len(),
        t.elapsed()
    );
    Ok(())
}

#[cfg(not(feature = "kafka"))]
async fn through_kafka(_: &str, _: &Path, _: &PipelineConfig) -> Result<(), Failure> {
    Err(Failure(
        "--kafka needs the example built with `--features kafka`".into(),
        ExitKind::Input,
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    support::init_logging();
    run(Args::parse())
        .await
        .map_or_else(Failure::report, |()| ExitCode::SUCCESS)
}
