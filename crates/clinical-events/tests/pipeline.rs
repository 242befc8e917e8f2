//! End-to-end: simulated (dirty) ADT events through bronze → silver → gold Delta tables.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use clinical_events::columns::*;
use clinical_events::pipeline::{PipelineConfig, PipelineOutcome, run_pipeline};
use clinical_events::silver::rules::{DUPLICATE_EVENT, UNKNOWN_DEPARTMENT};
use clinical_events::simulator::{
    DefectKind, DirtyConfig, Manifest, SimulatorConfig, write_landing,
};
use clinical_events::testkit::{collect, string_lists, strings};
use medallion_core::ReadBuilder;
use medallion_core::pipeline::{DQ_FLAGS, Layer};
use polars::prelude::*;

async fn run(lake: &Path, landing: &Path, as_of: DateTime<Utc>, run_id: &str) -> PipelineOutcome {
    let config = PipelineConfig::new(lake, as_of, run_id);
    run_pipeline(&config, landing, &mut |_| {}).await.unwrap()
}

async fn read(path: &Path) -> DataFrame {
    let lf = ReadBuilder::new(path).unwrap().await.unwrap();
    collect(lf).unwrap()
}

fn entry<'a>(
    outcome: &'a PipelineOutcome,
    layer: Layer,
    table: &str,
) -> &'a medallion_core::pipeline::TableRunReport {
    outcome
        .report
        .tables
        .iter()
        .find(|t| t.layer == layer && t.table == table)
        .unwrap()
}

/// event id → flags, for every row of a silver or quarantine frame.
fn flags_by_event(df: &DataFrame) -> HashMap<String, Vec<Vec<String>>> {
    let ids = strings(df, EVENT_ID).unwrap();
    let flags = string_lists(df, DQ_FLAGS).unwrap();
    let mut out: HashMap<String, Vec<Vec<String>>> = HashMap::new();
    for (id, row) in ids.into_iter().zip(flags) {
        out.entry(id.unwrap_or_default()).or_default().push(row);
    }
    out
}

fn simulate_into(landing: &Path, events: u64, seed: u64, dirty: f64) -> Manifest {
    let mut config = SimulatorConfig::new(events, seed);
    config.dirty = DirtyConfig::uniform(dirty);
    config.events_per_file = 1_500;
    write_landing(&config, landing).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_manifest_defect_is_flagged_corrected_quarantined_or_counted() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let manifest = simulate_into(&landing.path().join("sim-1"), 4_000, 3, 0.2);
    let as_of = manifest.summary.last_event.unwrap();
    let outcome = run(lake.path(), landing.path(), as_of, "r1").await;
    assert!(
        outcome.report.unreconciled().is_empty(),
        "{}",
        outcome.report
    );
    let bronze = entry(&outcome, Layer::Bronze, "adt_events");
    assert_eq!(bronze.rows_written, manifest.lines);

    let silver = read(&lake.path().join("silver/adt_events")).await;
    let quarantine = read(&lake.path().join("silver/adt_events_quarantine")).await;
    let kept = flags_by_event(&silver);
    let quarantined = flags_by_event(&quarantine);
    assert!(
        kept.values().all(|rows| rows.len() == 1),
        "an event id twice in silver"
    );

    let mut duplicates_of_kept = 0;
    for defect in &manifest.defects {
        let id = &defect.event_id;
        match defect.kind {
            DefectKind::DuplicateEvent => {
                if let Some(rows) = kept.get(id) {
                    assert!(rows[0].contains(&DUPLICATE_EVENT.to_string()), "{defect:?}");
                    duplicates_of_kept += 1;
                } else {
                    assert!(
                        quarantined[id].len() >= 2,
                        "{defect:?}: copies neither removed nor quarantined"
                    );
                }
            }
            _ if defect.expected == UNKNOWN_DEPARTMENT => {
                assert!(quarantined[id][0].contains(&defect.expected), "{defect:?}");
                assert!(!kept.contains_key(id));
            }
            _ => {
                let rows = kept.get(id).or_else(|| quarantined.get(id)).unwrap();
                assert!(
                    rows[0].contains(&defect.expected),
                    "{defect:?} has {:?}",
                    rows[0]
                );
            }
        }
    }
    let silver_entry = entry(&outcome, Layer::Silver, "adt_events");
    assert_eq!(silver_entry.rows_deduplicated, duplicates_of_kept);
    assert!(silver_entry.rows_quarantined > 0);
    assert_eq!(
        silver_entry.rule_hits[DUPLICATE_EVENT],
        2 * duplicates_of_kept
    );

    // Corrections keep the original value.
    let invalid_age = collect(
        silver
            .clone()
            .lazy()
            .filter(col(ORIGINAL_AGE).is_not_null()),
    )
    .unwrap();
    assert!(invalid_age.height() > 0);
    assert_eq!(
        invalid_age.column(AGE).unwrap().null_count(),
        invalid_age.height()
    );
    let typos = collect(
        silver
            .clone()
            .lazy()
            .filter(col(ORIGINAL_DEPARTMENT).is_not_null()),
    )
    .unwrap();
    assert!(typos.height() > 0);
    assert_eq!(typos.column(DEPARTMENT).unwrap().null_count(), 0);

    // Gold: every table written, occupancy within capacity.
    for table in [
        "fact_patient_flow",
        "occupancy_hourly",
        "occupancy_current",
        "dim_patient",
        "top_diagnoses",
    ] {
        assert!(
            outcome.report.tables.iter().any(|t| t.table == table),
            "{table} missing"
        );
    }
    let hourly = read(&lake.path().join("gold/occupancy_hourly")).await;
    let over = collect(
        hourly
            .lazy()
            .filter(col("census_at_hour_start").gt(col("bed_capacity"))),
    )
    .unwrap();
    assert_eq!(over.height(), 0, "{over}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bronze_replay_adds_nothing() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let manifest = simulate_into(&landing.path().join("sim-1"), 1_500, 5, 0.05);
    let as_of = manifest.summary.last_event.unwrap();
    run(lake.path(), landing.path(), as_of, "r1").await;
    let bronze_before = read(&lake.path().join("bronze/adt_events")).await.height();
    let silver_before = read(&lake.path().join("silver/adt_events")).await;
    let again = run(lake.path(), landing.path(), as_of, "r2").await;
    let bronze = entry(&again, Layer::Bronze, "adt_events");
    assert_eq!((bronze.rows_written, bronze.version), (0, None));
    assert_eq!(entry(&again, Layer::Silver, "adt_events").rows_read, 0);
    assert_eq!(
        read(&lake.path().join("bronze/adt_events")).await.height(),
        bronze_before
    );
    let silver_after = read(&lake.path().join("silver/adt_events")).await;
    assert!(silver_after.equals_missing(&silver_before));
    assert_eq!(bronze_before as u64, manifest.lines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_batch_versions_dim_patient_with_unique_keys_and_replays_nothing() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    // Batch 2 re-sends batch 1's events (same seed) and continues the simulation.
    let first = simulate_into(&landing.path().join("batch-1"), 2_000, 8, 0.0);
    let as_of_1 = first.summary.last_event.unwrap();
    run(lake.path(), landing.path(), as_of_1, "r1").await;
    let second = simulate_into(&landing.path().join("batch-2"), 6_000, 8, 0.0);
    let as_of_2 = second.summary.last_event.unwrap() + Duration::hours(1);
    let outcome = run(lake.path(), landing.path(), as_of_2, "r2").await;
    assert!(
        outcome.report.unreconciled().is_empty(),
        "{}",
        outcome.report
    );

    let silver = read(&lake.path().join("silver/adt_events")).await;
    assert_eq!(
        silver.height() as u64,
        6_000,
        "replayed events are upserted, not appended"
    );
    let dim = read(&lake.path().join("gold/dim_patient")).await;
    let keys = dim.column("patient_version_key").unwrap();
    assert_eq!(
        keys.n_unique().unwrap(),
        dim.height(),
        "surrogate keys collide"
    );
    let current = collect(
        dim.clone()
            .lazy()
            .filter(col("is_current"))
            .group_by([col(PATIENT_ID)])
            .agg([len().alias("n")])
            .filter(col("n").gt(lit(1))),
    )
    .unwrap();
    assert_eq!(current.height(), 0, "a patient with two current versions");
    let versions = collect(
        dim.clone()
            .lazy()
            .group_by([col(PATIENT_ID)])
            .agg([len().alias("n")])
            .filter(col("n").gt(lit(1))),
    )
    .unwrap();
    assert!(
        versions.height() > 0,
        "returning patients who aged or changed insurance get a new version"
    );

    let fact = read(&lake.path().join("gold/fact_patient_flow")).await;
    assert_eq!(fact.height() as u64, second.summary.admissions);
    assert_eq!(fact.column("patient_version_key").unwrap().null_count(), 0);
    let in_dim = collect(fact.lazy().join(
        dim.lazy(),
        [col("patient_version_key")],
        [col("patient_version_key")],
        JoinArgs::new(JoinType::Anti),
    ))
    .unwrap();
    assert_eq!(
        in_dim.height(),
        0,
        "fact rows whose patient version is not in dim_patient"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_json_fields_are_kept_in_bronze_and_reported_as_drift() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let manifest = simulate_into(&landing.path().join("v1"), 200, 2, 0.0);
    let as_of = manifest.summary.last_event.unwrap();
    let first = run(lake.path(), landing.path(), as_of, "r1").await;
    assert!(first.schema_drift.is_empty());
    // A newer feed version adds a field at the top level and one in the vitals.
    let text = std::fs::read_to_string(landing.path().join("v1/adt_events_00001.ndjson")).unwrap();
    let line = text.lines().next().unwrap();
    let mut event: serde_json::Value = serde_json::from_str(line).unwrap();
    event["event_id"] = "new-1".into();
    event["ward_phone"] = "555-0100".into();
    event["vitals"]["resp_rate"] = 18.into();
    let new_line = event.to_string();
    std::fs::create_dir_all(landing.path().join("v2")).unwrap();
    std::fs::write(
        landing.path().join("v2/adt_events_00001.ndjson"),
        format!("{new_line}\n"),
    )
    .unwrap();
    let second = run(lake.path(), landing.path(), as_of, "r2").await;
    assert_eq!(second.schema_drift, ["vitals.resp_rate", "ward_phone"]);
    let silver_entry = entry(&second, Layer::Silver, "adt_events");
    assert_eq!(silver_entry.schema_drift, second.schema_drift);
    let bronze = read(&lake.path().join("bronze/adt_events")).await;
    let raw = collect(
        bronze
            .lazy()
            .filter(col(RAW_EVENT).str().contains_literal(lit("ward_phone"))),
    )
    .unwrap();
    assert_eq!(
        raw.column(RAW_EVENT).unwrap().str().unwrap().get(0),
        Some(new_line.as_str())
    );
    let counts: BTreeMap<_, _> = second.gold_rows.clone();
    assert!(counts["fact_patient_flow"] > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_landing_file_is_not_ingested_again() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let manifest = simulate_into(&landing.path().join("sim-1"), 400, 6, 0.05);
    let as_of = manifest.summary.last_event.unwrap();
    run(lake.path(), landing.path(), as_of, "r1").await;
    let bronze_before = read(&lake.path().join("bronze/adt_events")).await.height();
    // The same export delivered again under another folder.
    std::fs::create_dir_all(landing.path().join("resent")).unwrap();
    for file in &manifest.files {
        std::fs::copy(
            landing.path().join("sim-1").join(file),
            landing.path().join("resent").join(file),
        )
        .unwrap();
    }
    let again = run(lake.path(), landing.path(), as_of, "r2").await;
    assert_eq!(entry(&again, Layer::Bronze, "adt_events").rows_written, 0);
    assert_eq!(entry(&again, Layer::Silver, "adt_events").rows_read, 0);
    assert_eq!(
        read(&lake.path().join("bronze/adt_events")).await.height(),
        bronze_before
    );
    assert_eq!(bronze_before as u64, manifest.lines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_that_is_not_utf8_is_kept_and_flagged_not_an_error() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let manifest = simulate_into(&landing.path().join("v1"), 100, 4, 0.0);
    let as_of = manifest.summary.last_event.unwrap();
    let path = landing.path().join("v1/adt_events_00001.ndjson");
    let text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().next().unwrap();
    let mut event: serde_json::Value = serde_json::from_str(first).unwrap();
    let id = event["event_id"].as_str().unwrap().to_string();
    // A field the model does not know, whose text has a byte that is not UTF-8.
    event["note"] = "@@".into();
    let mut landed = Vec::new();
    for part in event.to_string().split("@@") {
        landed.extend_from_slice(part.as_bytes());
        landed.extend_from_slice(b"x\xFF");
    }
    landed.truncate(landed.len() - 2);
    landed.push(b'\n');
    for line in text.lines().skip(1) {
        landed.extend_from_slice(line.as_bytes());
        landed.push(b'\n');
    }
    std::fs::write(&path, landed).unwrap();

    let outcome = run(lake.path(), landing.path(), as_of, "r1").await;
    assert!(
        outcome.report.unreconciled().is_empty(),
        "{}",
        outcome.report
    );
    assert_eq!(
        entry(&outcome, Layer::Bronze, "adt_events").rows_written,
        manifest.lines
    );
    let silver_entry = entry(&outcome, Layer::Silver, "adt_events");
    assert_eq!(silver_entry.rule_hits["invalid_utf8"], 1);
    let silver = read(&lake.path().join("silver/adt_events")).await;
    let flags = flags_by_event(&silver);
    assert!(
        flags[&id][0].contains(&"invalid_utf8".to_string()),
        "{:?}",
        flags[&id]
    );
}

/// Environment of the child run of the crash test: `<landing>|<lakehouse>|<as_of>`.
const CRASH_CHILD_ENV: &str = "CLINICAL_EVENTS_CRASH_CHILD";

/// The child of the crash test: runs the pipeline as run `killed` and aborts right
/// after its first commit (the bronze batch). Does nothing when the harness runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_run_killed_after_its_bronze_commit() {
    let Ok(spec) = std::env::var(CRASH_CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let as_of: DateTime<Utc> = parts[2].parse().unwrap();
    medallion_core::fault::abort_after_commits(1);
    run(Path::new(parts[1]), Path::new(parts[0]), as_of, "killed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_run_is_recorded_as_interrupted_by_the_next_run() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let manifest = simulate_into(&landing.path().join("sim-1"), 600, 9, 0.05);
    let as_of = manifest.summary.last_event.unwrap();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_run_killed_after_its_bronze_commit",
            "--nocapture",
        ])
        .env(
            CRASH_CHILD_ENV,
            format!(
                "{}|{}|{}",
                landing.path().display(),
                lake.path().display(),
                as_of.to_rfc3339()
            ),
        )
        .status()
        .unwrap();
    assert!(!status.success(), "the child should have been aborted");
    assert!(
        !lake.path().join("_runs").exists(),
        "the killed run recorded nothing"
    );

    let outcome = run(lake.path(), landing.path(), as_of, "r2").await;
    assert_eq!(outcome.interrupted_runs.len(), 1);
    let killed = &outcome.interrupted_runs[0];
    assert_eq!(killed.run_id, "killed");
    let bronze = killed
        .tables
        .iter()
        .find(|t| t.layer == Layer::Bronze && t.table == "adt_events")
        .unwrap();
    assert_eq!(bronze.rows_written, manifest.lines);
    // The re-run adds no bronze rows and refines the killed run's batch.
    assert_eq!(entry(&outcome, Layer::Bronze, "adt_events").rows_written, 0);
    let silver = entry(&outcome, Layer::Silver, "adt_events");
    assert_eq!(silver.rows_read, manifest.lines);

    // `_runs` accounts for every bronze row exactly once.
    let runs = read(&lake.path().join("_runs")).await;
    let bronze_rows = collect(
        runs.lazy()
            .filter(col("layer").eq(lit("bronze")))
            .select([col("run_id"), col("status"), col("rows_written")])
            .sort(["run_id"], Default::default()),
    )
    .unwrap();
    assert_eq!(
        strings(&bronze_rows, "run_id").unwrap(),
        [Some("killed".to_string()), Some("r2".to_string())]
    );
    assert_eq!(
        strings(&bronze_rows, "status").unwrap(),
        [
            Some("interrupted".to_string()),
            Some("completed".to_string())
        ]
    );
    let written: u64 = bronze_rows
        .column("rows_written")
        .unwrap()
        .cast(&DataType::UInt64)
        .unwrap()
        .u64()
        .unwrap()
        .iter()
        .flatten()
        .sum();
    assert_eq!(written, manifest.lines);
}
