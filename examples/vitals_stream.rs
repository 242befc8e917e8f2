//! Vitals telemetry in micro-batches: bedside monitors (simulated, with deterioration
//! episodes and dirty data) → bronze → silver (validated, NEWS2, alerts) → gold
//! (`patient_risk_snapshot` by MERGE, `alert_analytics`, `data_quality_metrics`).
//!
//! ```text
//! cargo run --example vitals_stream                      # landing folder, nothing to install
//! cargo run --example vitals_stream -- --patients 200 --hours 24 --batch-minutes 30
//! cargo run --example vitals_stream --features kafka -- --kafka 127.0.0.1:9092
//! ```
//!
//! `--from-dir` (the default): each micro-batch is written as a landing file
//! `<out>/_landing/vitals_<n>.ndjson` and ingested; alerts and the run-completed event
//! are appended to `<out>/_outbox/{alerts,runs}.ndjson`. `--kafka <bootstrap>` (built
//! with `--features kafka`): each micro-batch is produced to the topic `vitals`, read by
//! medallion-core's exactly-once Kafka source, and the alerts and the run event are
//! published to `vitals-alerts` and `pipeline-runs`.
//!
//! Prints per batch the rows, quarantined rows, new alerts, merged snapshots and the
//! land/produce → gold latency; at the end records/s and peak memory.

#[path = "support/mod.rs"]
mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Parser;
use clinical_events::vitals::pipeline::{
    MicroBatchOutcome, VitalsPipelineConfig, ingest_landing, refine_micro_batch,
};
use clinical_events::vitals::simulator::{
    SentLine, VitalsDirtyConfig, VitalsSimulatorConfig, micro_batches, simulate_vitals,
    write_batch_file,
};
use polars::prelude::*;

/// Stream simulated bedside-monitor vitals through the medallion layers.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Admitted patients monitored.
    #[arg(long, default_value_t = 60)]
    patients: u32,
    /// Hours simulated.
    #[arg(long, default_value_t = 12)]
    hours: u32,
    /// Minutes between two readings of a monitor.
    #[arg(long, default_value_t = 15)]
    interval_minutes: u32,
    /// Minutes of send time per micro-batch.
    #[arg(long, default_value_t = 60)]
    batch_minutes: u32,
    /// Seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// No dirty data (nulls, impossible values, duplicates, late and poison messages).
    #[arg(long)]
    clean: bool,
    /// Lakehouse root.
    #[arg(long, value_name = "DIR", default_value = "vitals_stream")]
    out: PathBuf,
    /// Read micro-batches from a landing folder (the default).
    #[arg(long, conflicts_with = "kafka")]
    from_dir: bool,
    /// Produce to and consume from Kafka at these bootstrap servers (needs the `kafka`
    /// feature and a broker, see the README).
    #[arg(long, value_name = "BOOTSTRAP")]
    kafka: Option<String>,
}

/// Where micro-batches come from and where events go.
enum Transport {
    Dir {
        landing: PathBuf,
        outbox: PathBuf,
    },
    #[cfg(feature = "kafka")]
    Kafka(Box<kafka::Kafka>),
}

impl Transport {
    /// Makes one micro-batch of lines available to bronze and ingests it.
    async fn deliver(
        &mut self,
        config: &VitalsPipelineConfig,
        batch: u64,
        lines: &[SentLine],
    ) -> Result<(), String> {
        match self {
            Transport::Dir { landing, .. } => {
                write_batch_file(landing, batch, lines).map_err(|e| e.to_string())?;
                ingest_landing(config, landing, Utc::now())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(())
            }
            #[cfg(feature = "kafka")]
            Transport::Kafka(k) => k.deliver(lines).await,
        }
    }

    /// Publishes the new alerts of a batch.
    async fn publish_alerts(&mut self, alerts: &DataFrame) -> Result<usize, String> {
        match self {
            Transport::Dir { outbox, .. } => append_rows(&outbox.join("alerts.ndjson"), alerts),
            #[cfg(feature = "kafka")]
            Transport::Kafka(k) => k.publish_alerts(alerts).await,
        }
    }

    /// Publishes the run-completed event.
    async fn publish_run(&mut self, event: serde_json::Value) -> Result<(), String> {
        match self {
            Transport::Dir { outbox, .. } => {
                let mut line = event.to_string();
                line.push('\n');
                append_text(&outbox.join("runs.ndjson"), &line)
            }
            #[cfg(feature = "kafka")]
            Transport::Kafka(k) => k.publish_run(event).await,
        }
    }
}

fn append_text(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn append_rows(path: &Path, rows: &DataFrame) -> Result<usize, String> {
    let mut rows = rows.clone();
    let mut buffer = Vec::new();
    JsonWriter::new(&mut buffer)
        .with_json_format(JsonFormat::JsonLines)
        .finish(&mut rows)
        .map_err(|e| e.to_string())?;
    append_text(path, &String::from_utf8_lossy(&buffer))?;
    Ok(rows.height())
}

#[cfg(feature = "kafka")]
mod kafka {
    use std::path::Path;
    use std::time::Duration;

    use clinical_events::vitals::pipeline::READINGS_TABLE;
    use clinical_events::vitals::simulator::SentLine;
    use medallion_core::kafka::{
        KafkaSink, KafkaSinkBuilder, KafkaSource, KafkaSourceBuilder, RunEvent,
    };
    use polars::prelude::DataFrame;

    pub const READINGS_TOPIC: &str = "vitals";
    pub const ALERTS_TOPIC: &str = "vitals-alerts";
    pub const RUNS_TOPIC: &str = "pipeline-runs";

    pub struct Kafka {
        sink: KafkaSink,
        source: KafkaSource,
    }

    impl Kafka {
        pub async fn connect(
            bootstrap: &str,
            lakehouse: &Path,
            pipeline: &str,
        ) -> Result<Self, String> {
            let sink = KafkaSinkBuilder::new(bootstrap)
                .await
                .map_err(|e| e.to_string())?;
            for (topic, partitions) in [(READINGS_TOPIC, 3), (ALERTS_TOPIC, 1), (RUNS_TOPIC, 1)] {
                sink.create_topic(topic, partitions)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let source = KafkaSourceBuilder::new(
                bootstrap,
                READINGS_TOPIC,
                lakehouse.join("bronze").join(READINGS_TABLE),
                pipeline,
            )
            .map_err(|e| e.to_string())?
            .with_max_offsets_per_trigger(100_000)
            .with_idle_timeout(Duration::from_secs(2))
            .await
            .map_err(|e| e.to_string())?;
            Ok(Self { sink, source })
        }

        pub async fn deliver(&mut self, lines: &[SentLine]) -> Result<(), String> {
            let records = lines
                .iter()
                .map(|l| (Some(l.key.as_str()), l.line.as_bytes()));
            self.sink
                .publish_batch(READINGS_TOPIC, records)
                .await
                .map_err(|e| e.to_string())?;
            self.source.next_batch().await.map_err(|e| e.to_string())?;
            Ok(())
        }

        pub async fn publish_alerts(&mut self, alerts: &DataFrame) -> Result<usize, String> {
            self.sink
                .publish_rows(ALERTS_TOPIC, alerts, Some("patient_id"))
                .await
                .map_err(|e| e.to_string())
        }

        pub async fn publish_run(&mut self, summary: serde_json::Value) -> Result<(), String> {
            let run_id = summary["run_id"].as_str().unwrap_or("-").to_string();
            let event = RunEvent::completed("vitals-stream", run_id, summary);
            self.sink
                .publish_json(RUNS_TOPIC, Some("vitals-stream"), &event)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    }
}

/// Peak resident memory of this process in MiB (Linux), if known.
fn peak_memory_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn summarize(
    batch: u64,
    lines: usize,
    outcome: &MicroBatchOutcome,
    published: usize,
    latency: Duration,
) {
    let s = &outcome.silver;
    println!(
        "[batch {batch:>3}] {lines:>6} lines: silver {} written, {} quarantined, {} duplicates; {} snapshots merged, {} alerts published; land→gold {:.0?}",
        s.rows_written,
        s.rows_quarantined,
        s.rows_deduplicated,
        outcome.snapshots_merged,
        published,
        latency
    );
}

async fn run(args: Args) -> Result<(), String> {
    let mut sim = VitalsSimulatorConfig::new(args.patients, args.hours, args.seed);
    sim.interval_minutes = args.interval_minutes;
    sim.dirty = if args.clean {
        VitalsDirtyConfig::clean()
    } else {
        VitalsDirtyConfig {
            poison: 0.002,
            ..VitalsDirtyConfig::default()
        }
    };
    let simulated = simulate_vitals(&sim).map_err(|e| e.to_string())?;
    let run_id = format!("vitals-{}", Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let config = VitalsPipelineConfig::new(&args.out, run_id.clone());
    let mut transport = match &args.kafka {
        None => Transport::Dir {
            landing: args.out.join("_landing"),
            outbox: args.out.join("_outbox"),
        },
        #[cfg(feature = "kafka")]
        Some(bootstrap) => Transport::Kafka(Box::new(
            kafka::Kafka::connect(bootstrap, &args.out, &config.pipeline).await?,
        )),
        #[cfg(not(feature = "kafka"))]
        Some(_) => return Err("--kafka needs the example built with `--features kafka`".into()),
    };
    println!(
        "[simulate] {} readings from {} monitors ({} deteriorating), {} lines, dirty: {:?}",
        simulated.manifest.readings,
        args.patients,
        simulated.manifest.deteriorating_patients,
        simulated.manifest.lines,
        simulated.manifest.counts
    );
    let started = Instant::now();
    let (mut rows, mut alerts, mut latencies) = (0usize, 0usize, Vec::new());
    for (i, lines) in micro_batches(&simulated.lines, args.batch_minutes)
        .into_iter()
        .enumerate()
    {
        let t = Instant::now();
        transport.deliver(&config, i as u64 + 1, lines).await?;
        let outcome = refine_micro_batch(&config)
            .await
            .map_err(|e| e.to_string())?;
        let latency = t.elapsed();
        let published = transport.publish_alerts(&outcome.new_alerts).await?;
        summarize(i as u64 + 1, lines.len(), &outcome, published, latency);
        rows += lines.len();
        alerts += published;
        latencies.push(latency);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let p50 = latencies
        .get(latencies.len() / 2)
        .copied()
        .unwrap_or_default();
    let max = latencies.last().copied().unwrap_or_default();
    let summary = serde_json::json!({
        "run_id": run_id,
        "lines": rows,
        "alerts": alerts,
        "batches": latencies.len(),
        "seconds": elapsed.as_secs_f64(),
    });
    transport.publish_run(summary).await?;
    println!(
        "{rows} lines in {} micro-batches in {elapsed:.1?}: {:.0} records/s end to end; land→gold latency p50 {p50:.0?}, max {max:.0?}; peak memory {}",
        latencies.len(),
        rows as f64 / elapsed.as_secs_f64().max(1e-9),
        peak_memory_mib().map_or("unknown".to_string(), |m| format!("{m:.0} MiB")),
    );
    println!(
        "{alerts} alerts published; lakehouse at {}",
        args.out.display()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    support::init_logging();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
