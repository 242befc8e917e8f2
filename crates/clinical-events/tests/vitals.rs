//! Vitals micro-batches on Delta: bronze from a landing folder, silver with the
//! watermark, gold snapshot by MERGE.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use chrono::Utc;
use clinical_events::testkit::{collect, string_lists, strings};
use clinical_events::vitals::gold::{
    ALERT_ANALYTICS, DATA_QUALITY_METRICS, LAST_OBSERVED_AT, PATIENT_RISK_SNAPSHOT, SCORED_READINGS,
};
use clinical_events::vitals::news2::NEWS2_SCORE;
use clinical_events::vitals::pipeline::{
    ALERTS_TABLE, READINGS_TABLE, VitalsPipelineConfig, ingest_landing, refine_micro_batch,
};
use clinical_events::vitals::silver::LATE_BEYOND_WATERMARK;
use clinical_events::vitals::simulator::{
    SentLine, VitalsSimulatorConfig, micro_batches, simulate_vitals, write_batch_file,
};
use clinical_events::vitals::{PATIENT_ID, READING_ID};
use medallion_core::ReadBuilder;
use medallion_core::pipeline::DQ_FLAGS;
use polars::prelude::*;

async fn read(path: &Path) -> DataFrame {
    collect(ReadBuilder::new(path).unwrap().await.unwrap()).unwrap()
}

fn reading(id: &str, patient: &str, at: &str, heart_rate: i32) -> SentLine {
    SentLine {
        sent_at: Utc::now(),
        key: patient.to_string(),
        line: format!(
            r#"{{"reading_id":"{id}","patient_id":"{patient}","visit_id":"v","ward":"Medical","device_id":"m","observed_at":"{at}","heart_rate":{heart_rate},"respiratory_rate":16,"spo2":97,"bp_systolic":120,"temperature_c":37.0,"consciousness":"A","supplemental_o2":false}}"#
        ),
    }
}

async fn batch(config: &VitalsPipelineConfig, landing: &Path, n: u64, lines: &[SentLine]) {
    write_batch_file(landing, n, lines).unwrap();
    ingest_landing(config, landing, Utc::now()).await.unwrap();
    refine_micro_batch(config).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_reading_within_the_lateness_updates_its_snapshot_by_merge_and_a_later_one_is_quarantined()
 {
    let dir = tempfile::tempdir().unwrap();
    let landing = dir.path().join("_landing");
    let mut config = VitalsPipelineConfig::new(dir.path().join("lake"), "r1");
    config.gold.allowed_lateness_minutes = 60;
    // Batch 1: p1 and p2 at 10:00, both NEWS2 0.
    batch(
        &config,
        &landing,
        1,
        &[
            reading("a", "p1", "2024-01-01T10:00:00Z", 70),
            reading("b", "p2", "2024-01-01T10:00:00Z", 70),
        ],
    )
    .await;
    let snapshot = config.table("gold", PATIENT_RISK_SNAPSHOT);
    let table_version = medallion_core::table_version(&snapshot).await.unwrap();
    // Batch 2 (watermark 09:00): p1's 09:30 reading (pulse 135: sub-score 3) is late but
    // within the lateness; p2's 08:30 reading is beyond the watermark.
    batch(
        &config,
        &landing,
        2,
        &[
            reading("c", "p1", "2024-01-01T09:30:00Z", 135),
            reading("d", "p2", "2024-01-01T08:30:00Z", 135),
        ],
    )
    .await;
    let quarantine = read(&config.table("silver", &format!("{READINGS_TABLE}_quarantine"))).await;
    assert_eq!(
        strings(&quarantine, READING_ID).unwrap(),
        [Some("d".into())]
    );
    assert_eq!(
        string_lists(&quarantine, DQ_FLAGS).unwrap()[0],
        [LATE_BEYOND_WATERMARK]
    );

    let out = read(&snapshot)
        .await
        .sort([PATIENT_ID], Default::default())
        .unwrap();
    let counts: Vec<_> = out
        .column(SCORED_READINGS)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        counts,
        [Some(2), Some(1)],
        "p1 gained its late reading, p2 did not"
    );
    // The latest reading stays the 10:00 one (event time, not arrival order).
    let latest: Vec<_> = out
        .column(NEWS2_SCORE)
        .unwrap()
        .i32()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(latest, [Some(0), Some(0)]);
    assert!(out.column(LAST_OBSERVED_AT).unwrap().null_count() == 0);
    // Only p1's row changed, through a MERGE commit.
    let history = medallion_core::HistoryBuilder::new(&snapshot)
        .unwrap()
        .await
        .unwrap();
    assert_eq!(history[0].operation.as_deref(), Some("MERGE"));
    assert!(history[0].version > table_version.unwrap());
    // The late red score raised a standardized alert.
    let alerts = read(&config.table("silver", ALERTS_TABLE)).await;
    assert_eq!(strings(&alerts, READING_ID).unwrap(), [Some("c".into())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_micro_batches_reconcile_and_rerunning_a_batch_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let landing = dir.path().join("_landing");
    let config = VitalsPipelineConfig::new(dir.path().join("lake"), "r1");
    let mut sim = VitalsSimulatorConfig::new(12, 6, 5);
    sim.dirty.poison = 0.01;
    let simulated = simulate_vitals(&sim).unwrap();
    let batches = micro_batches(&simulated.lines, 120);
    for (i, lines) in batches.iter().enumerate() {
        batch(&config, &landing, i as u64 + 1, lines).await;
    }
    // A re-run with nothing new changes nothing.
    let again = refine_micro_batch(&config).await.unwrap();
    assert_eq!(again.silver.rows_read, 0);
    assert!(again.gold_batches.is_none());

    let silver = read(&config.table("silver", READINGS_TABLE)).await;
    let quarantine = read(&config.table("silver", &format!("{READINGS_TABLE}_quarantine"))).await;
    let duplicates = simulated.manifest.counts["duplicate"] as usize;
    assert_eq!(
        silver.height() + quarantine.height() + duplicates,
        simulated.manifest.lines as usize,
        "every line is in silver, in quarantine or a removed duplicate"
    );
    let snapshot = read(&config.table("gold", PATIENT_RISK_SNAPSHOT)).await;
    assert_eq!(snapshot.height(), 12);
    let dq = read(&config.table("gold", DATA_QUALITY_METRICS)).await;
    assert_eq!(dq.height(), batches.len() * 7);
    let analytics = read(&config.table("gold", ALERT_ANALYTICS)).await;
    assert!(analytics.height() > 0);
}
