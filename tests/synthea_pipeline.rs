//! End-to-end: generated and real Synthea exports through bronze → silver → gold.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use medallion_core::pipeline::{DQ_FLAGS, Layer, MaintenancePolicy, SOURCE_FILE, SOURCE_ROW};
use medallion_core::{HistoryBuilder, ReadBuilder};
use polars::prelude::*;
use synthea_gen::{DefectKind, DirtyManifest, GeneratorConfig, MANIFEST_FILE, generate};
use synthea_pipeline::{PipelineConfig, PipelineEvent, PipelineOutcome, Stage, run_pipeline};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 15).unwrap()
}

fn generate_into(landing: &Path, name: &str, patients: u64, seed: u64, dirty: Option<f64>) {
    let mut config = GeneratorConfig::new(patients, seed);
    config.dirty_rate = dirty;
    generate(&config, landing.join(name), |_| {}).unwrap();
}

async fn run(lake: &Path, landing: &Path, run_id: &str) -> PipelineOutcome {
    let config = PipelineConfig::new(lake, "test", as_of(), run_id);
    run_pipeline(&config, landing, &mut |_| {}).await.unwrap()
}

/// Bronze encounter rows a run ingested.
fn bronze_encounters_written(outcome: &PipelineOutcome) -> u64 {
    outcome
        .report
        .tables
        .iter()
        .filter(|t| t.layer == Layer::Bronze && t.table == "encounters")
        .map(|t| t.rows_written)
        .sum()
}

async fn read(path: &Path) -> DataFrame {
    ReadBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_data_runs_end_to_end_exactly_once_and_appends_new_batches() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "batch-1", 25, 1, None);
    let first = run(lake.path(), landing.path(), "r1").await;
    assert!(first.report.unreconciled().is_empty(), "{}", first.report);
    let encounters_1 = read(&lake.path().join("silver/encounters")).await.height();
    assert!(
        encounters_1 > 100,
        "25 patients should have many encounters"
    );
    for gold in [
        "encounters_per_condition",
        "encounters_by_age_group_class",
        "fact_encounters",
        "dim_date",
        "dim_patient",
        "inpatient_stays",
        "readmissions",
        "readmission_rates",
        "medication_adherence",
        "adherence_rates",
        "diagnosis_latency",
        "diagnosis_latency_by_condition",
        "daily_census",
        "monthly_census",
        "los_by_condition",
        "los_by_facility",
        "los_by_discharge_month",
        "patient_timeline",
        "episodes",
        "condition_journeys",
        "time_to_treatment",
    ] {
        assert!(
            lake.path()
                .join("gold")
                .join(gold)
                .join("_delta_log")
                .is_dir(),
            "missing gold/{gold}"
        );
    }

    // Same landing again: nothing new anywhere, gold left as it was.
    let gold_version = || async {
        HistoryBuilder::new(lake.path().join("gold/readmissions"))
            .unwrap()
            .with_limit(1)
            .await
            .unwrap()[0]
            .version
    };
    let gold_before = gold_version().await;
    assert!(!first.gold_up_to_date);
    let again = run(lake.path(), landing.path(), "r2").await;
    assert!(again.gold_up_to_date && again.gold_rows.is_empty());
    assert_eq!(
        gold_version().await,
        gold_before,
        "gold rewritten on a re-run"
    );
    for t in again
        .report
        .tables
        .iter()
        .filter(|t| t.layer != Layer::Gold)
    {
        assert_eq!(
            t.rows_written, 0,
            "{} {} wrote on a re-run",
            t.layer, t.table
        );
    }
    assert_eq!(
        read(&lake.path().join("silver/encounters")).await.height(),
        encounters_1
    );

    // A second batch: only its rows are added.
    generate_into(landing.path(), "batch-2", 10, 2, None);
    let second = run(lake.path(), landing.path(), "r3").await;
    let bronze_new = bronze_encounters_written(&second);
    let encounters_2 = read(&lake.path().join("silver/encounters")).await.height();
    assert_eq!(encounters_2 as u64, encounters_1 as u64 + bronze_new);
    assert!(!second.gold_up_to_date);
    assert!(gold_version().await > gold_before, "gold not recomputed");

    // Nothing new, but another as-of date: gold is recomputed.
    let gold_before = gold_version().await;
    let later = PipelineConfig::new(lake.path(), "test", as_of() + chrono::Days::new(30), "r4");
    let moved = run_pipeline(&later, landing.path(), &mut |_| {})
        .await
        .unwrap();
    assert!(!moved.gold_up_to_date);
    assert!(gold_version().await > gold_before);
    let runs = read(&lake.path().join("_runs")).await;
    assert_eq!(runs.column("run_id").unwrap().n_unique().unwrap(), 4);
}

/// Rows of silver ∪ quarantine of `table` as (source file, source row) → has flags.
async fn flagged_rows(
    lake: &Path,
    table: &str,
) -> (BTreeSet<(String, i64)>, BTreeSet<(String, i64)>) {
    let mut present = BTreeSet::new();
    let mut flagged = BTreeSet::new();
    for layer_table in [table.to_string(), format!("{table}_quarantine")] {
        let path = lake.join("silver").join(&layer_table);
        if !path.join("_delta_log").is_dir() {
            continue;
        }
        let df = read(&path).await;
        let files = df.column(SOURCE_FILE).unwrap().str().unwrap().clone();
        let rows = df.column(SOURCE_ROW).unwrap().i64().unwrap().clone();
        let flags = df.column(DQ_FLAGS).unwrap().list().unwrap().clone();
        for i in 0..df.height() {
            let key = (files.get(i).unwrap().to_string(), rows.get(i).unwrap());
            let n_flags = flags.get_as_series(i).map_or(0, |s| s.len());
            if n_flags > 0 || layer_table.ends_with("_quarantine") {
                flagged.insert(key.clone());
            }
            present.insert(key);
        }
    }
    (present, flagged)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_injected_defect_is_flagged_or_quarantined_and_counts_reconcile() {
    dirty_defects_are_all_caught(None).await;
}

/// The same with silver processing 1,000 rows at a time: duplicates that land in
/// different chunks are still found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_injected_defect_is_caught_when_silver_runs_in_small_chunks() {
    dirty_defects_are_all_caught(Some(1_000)).await;
}

async fn dirty_defects_are_all_caught(chunk_rows: Option<usize>) {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "dirty", 40, 11, Some(0.03));
    let mut config = PipelineConfig::new(lake.path(), "test", as_of(), "dirty");
    if let Some(rows) = chunk_rows {
        config.silver_chunk_rows = rows;
    }
    let mut events = Vec::new();
    let outcome = run_pipeline(&config, landing.path(), &mut |event| events.push(event))
        .await
        .unwrap();
    if let Some(rows) = chunk_rows {
        // Tables above the chunk size report the rows checked after each chunk.
        assert!(
            events.iter().any(|e| matches!(
                e,
                PipelineEvent::TableProgress { stage: Stage::Silver, done, total, .. }
                    if *done == 2 * rows as u64 && *total > *done
            )),
            "{events:#?}"
        );
    }
    assert!(
        outcome.report.unreconciled().is_empty(),
        "{}",
        outcome.report
    );

    let manifest: DirtyManifest = serde_json::from_str(
        &std::fs::read_to_string(landing.path().join("dirty").join(MANIFEST_FILE)).unwrap(),
    )
    .unwrap();
    let mut missed = Vec::new();
    let mut checked = 0;
    for (kind, defects) in &manifest.defects {
        for (file, file_defects) in &defects.files {
            let table = file.trim_end_matches(".csv");
            let (present, flagged) = flagged_rows(lake.path(), table).await;
            let source = format!("dirty/{file}");
            for entry in &file_defects.entries {
                checked += 1;
                let row = entry.row as i64;
                let key = (source.clone(), row);
                let ok = if flagged.contains(&key) {
                    true
                } else if *kind == DefectKind::DuplicateRow || *kind == DefectKind::DuplicateId {
                    // The copy was removed as a duplicate: its twin must be kept, flagged.
                    !present.contains(&key) && flagged.contains(&(source.clone(), row - 1))
                } else {
                    false
                };
                if !ok {
                    missed.push(format!(
                        "{kind:?} {file} row {row} column {:?}",
                        entry.column
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "the dirty run injected too few defects ({checked})"
    );
    assert!(
        missed.is_empty(),
        "{} of {checked} defects not flagged:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_exports_run_end_to_end() {
    let Ok(samples) = std::env::var("SYNTHEA_SAMPLES_DIR") else {
        println!("skipped: SYNTHEA_SAMPLES_DIR not set");
        return;
    };
    for export in ["v2-10p", "v3-early-59p", "v3-2024-11p"] {
        let landing = Path::new(&samples).join(export);
        let lake = tempfile::tempdir().unwrap();
        let outcome = run(lake.path(), &landing, export).await;
        assert!(
            outcome.report.unreconciled().is_empty(),
            "{export}: {}",
            outcome.report
        );
        let lines = std::fs::read_to_string(landing.join("encounters.csv"))
            .unwrap()
            .lines()
            .count()
            - 1;
        let bronze = outcome
            .report
            .tables
            .iter()
            .find(|t| t.layer == Layer::Bronze && t.table == "encounters")
            .unwrap();
        assert_eq!(
            bronze.rows_written as usize, lines,
            "{export}: bronze encounters"
        );
        let silver = outcome
            .report
            .tables
            .iter()
            .find(|t| t.layer == Layer::Silver && t.table == "encounters")
            .unwrap();
        assert_eq!(
            silver.rows_written + silver.rows_quarantined + silver.rows_deduplicated,
            lines as u64
        );
        println!("{export}: {}", outcome.report);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_compacts_the_tables_a_run_wrote_and_keeps_their_rows() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "batch-1", 8, 3, None);
    run(lake.path(), landing.path(), "m1").await;
    generate_into(landing.path(), "batch-2", 8, 4, None);
    let silver = lake.path().join("silver/encounters");
    let before = read(&silver).await.height();
    let mut config = PipelineConfig::new(lake.path(), "test", as_of(), "m2");
    config.maintenance = Some(MaintenancePolicy::default().with_vacuum_retention(None));
    let outcome = run_pipeline(&config, landing.path(), &mut |_| {})
        .await
        .unwrap();
    let maintained: Vec<&str> = outcome
        .maintenance
        .iter()
        .map(|m| m.table.trim_end_matches('/'))
        .collect();
    let encounters = maintained
        .iter()
        .position(|t| t.ends_with("silver/encounters"))
        .expect("silver/encounters was written and maintained");
    // Two batches of appends/merges → at least two files, compacted into one.
    let optimize = outcome.maintenance[encounters].optimize.as_ref().unwrap();
    assert!(
        optimize.files_removed >= 2 && optimize.files_added == 1,
        "{optimize:?}"
    );
    let bronze_new = bronze_encounters_written(&outcome);
    assert_eq!(
        read(&silver).await.height() as u64,
        before as u64 + bronze_new
    );
    // Only tables with a commit in this run are maintained.
    let written = outcome
        .report
        .tables
        .iter()
        .filter(|t| t.version.is_some())
        .count();
    assert_eq!(outcome.maintenance.len(), written);
}
