//! End-to-end: the population-health gold tables of the Synthea lakehouse, and the
//! incremental update of the surveillance tables by a second batch.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use chrono::NaiveDate;
use ehr_population_health::GOLD_TABLES;
use medallion_core::pipeline::Layer;
use medallion_core::{HistoryBuilder, ReadBuilder};
use polars::prelude::*;
use synthea_gen::{GeneratorConfig, generate};
use synthea_pipeline::{PipelineConfig, PipelineOutcome, run_pipeline};

const DAILY: &str = "gold/disease_prevalence_daily";
const WEEKLY: &str = "gold/condition_incidence_weekly";
/// The late row's onset day: 100 days before the as-of date, inside the period.
const LATE_DAY: &str = "2024-01-06";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 15).unwrap()
}

async fn run(lake: &Path, landing: &Path, run_id: &str) -> PipelineOutcome {
    let config = PipelineConfig::new(lake, "test", as_of(), run_id);
    run_pipeline(&config, landing, &mut |_| {}).await.unwrap()
}

async fn read(lake: &Path, table: &str) -> DataFrame {
    let frame = ReadBuilder::new(lake.join(table)).unwrap().await.unwrap();
    medallion_core::run_polars(move || frame.collect())
        .await
        .unwrap()
        .unwrap()
}

/// A later export: the first one's `patients.csv` and `encounters.csv` (same bytes: a
/// re-delivery, not ingested again) and a `conditions.csv` with one late diagnosis
/// (`code`) of an existing patient for an old day.
fn land_late_condition(first: &Path, second: &Path, patient: &str, code: &str) {
    std::fs::create_dir_all(second).unwrap();
    for file in ["patients.csv", "encounters.csv"] {
        std::fs::copy(first.join(file), second.join(file)).unwrap();
    }
    let conditions = std::fs::read_to_string(first.join("conditions.csv")).unwrap();
    let header = conditions.lines().next().unwrap();
    let row: Vec<String> = header
        .split(',')
        .map(|column| match column {
            "START" => LATE_DAY.to_string(),
            "PATIENT" => patient.to_string(),
            "ENCOUNTER" => "late-encounter".to_string(),
            "CODE" => code.to_string(),
            "DESCRIPTION" => "Late diagnosis".to_string(),
            "SYSTEM" => "SNOMED-CT".to_string(),
            _ => String::new(),
        })
        .collect();
    std::fs::write(
        second.join("conditions.csv"),
        format!("{header}\n{}\n", row.join(",")),
    )
    .unwrap();
}

/// The (condition, date) keys whose rows differ between two versions of the daily table.
fn changed_keys(before: &DataFrame, after: &DataFrame, keys: [&str; 2]) -> Vec<String> {
    let sorted = |df: &DataFrame| {
        df.clone()
            .lazy()
            .sort(keys, Default::default())
            .collect()
            .unwrap()
    };
    let (before, after) = (sorted(before), sorted(after));
    assert_eq!(before.height(), after.height());
    let key_of = |df: &DataFrame, i: usize| {
        keys.map(|k| df.column(k).unwrap().get(i).unwrap().to_string())
            .join(" ")
    };
    (0..after.height())
        .filter(|&i| before.get_row(i).unwrap() != after.get_row(i).unwrap())
        .map(|i| {
            assert_eq!(key_of(&before, i), key_of(&after, i));
            key_of(&after, i)
        })
        .collect()
}

fn gold_report<'a>(
    outcome: &'a PipelineOutcome,
    table: &str,
) -> &'a medallion_core::pipeline::TableRunReport {
    outcome
        .report
        .tables
        .iter()
        .find(|t| t.layer == Layer::Gold && t.table == table)
        .unwrap_or_else(|| panic!("no gold report for {table}"))
}

/// Issue 14: "a second batch updates surveillance incrementally (test: the run report
/// shows only the affected days rewritten)".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_batch_rewrites_only_the_affected_surveillance_days() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let first = landing.path().join("2024-01");
    generate(&GeneratorConfig::new(30, 14), &first, |_| {}).unwrap();
    run(lake.path(), landing.path(), "first").await;

    // Every population-health table is written under gold/.
    for name in GOLD_TABLES {
        let rows = read(lake.path(), &format!("gold/{name}")).await.height();
        assert!(rows > 0, "gold/{name} is empty");
    }
    let daily_before = read(lake.path(), DAILY).await;
    let weekly_before = read(lake.path(), WEEKLY).await;
    let patient = read(lake.path(), "silver/patients").await;
    let patient = patient
        .column("patient_id")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap()
        .to_string();

    land_late_condition(&first, &landing.path().join("2024-02"), &patient, "6142004");
    let outcome = run(lake.path(), landing.path(), "second").await;

    // The daily table: the late day and the 27 days whose 28-day window holds it, for
    // influenza only — every other row is untouched.
    let daily_after = read(lake.path(), DAILY).await;
    let changed = changed_keys(&daily_before, &daily_after, ["condition", "date"]);
    assert_eq!(changed.len(), 28, "{changed:?}");
    assert!(
        changed.iter().all(|k| k.contains("influenza")),
        "{changed:?}"
    );
    assert!(changed[0].contains(LATE_DAY), "{changed:?}");
    let daily = gold_report(&outcome, "disease_prevalence_daily");
    assert_eq!((daily.rows_updated, daily.rows_inserted), (28, 0));
    assert_eq!(daily.rows_written, 28);
    assert_eq!(daily.rows_unchanged, daily_after.height() as u64 - 28);
    assert!(daily.reconciles(), "{daily:?}");
    let history = HistoryBuilder::new(lake.path().join(DAILY))
        .unwrap()
        .with_limit(1)
        .await
        .unwrap();
    assert_eq!(history[0].operation.as_deref(), Some("MERGE"));

    // The weekly table: the late day's week and the 3 weeks whose 4-week mean holds it.
    let weekly_after = read(lake.path(), WEEKLY).await;
    let changed_weeks = changed_keys(&weekly_before, &weekly_after, ["condition", "week_start"]);
    assert_eq!(changed_weeks.len(), 4, "{changed_weeks:?}");
    assert_eq!(
        gold_report(&outcome, "condition_incidence_weekly").rows_updated,
        4
    );

    // The incremental result equals a full recomputation of both batches in one run.
    let fresh = tempfile::tempdir().unwrap();
    run(fresh.path(), landing.path(), "fresh").await;
    for table in [DAILY, WEEKLY] {
        let keys = if table == DAILY {
            ["condition", "date"]
        } else {
            ["condition", "week_start"]
        };
        assert!(
            changed_keys(
                &read(fresh.path(), table).await,
                &read(lake.path(), table).await,
                keys
            )
            .is_empty(),
            "{table}"
        );
    }

    // A batch that changes no day (a condition outside the value sets): no row is
    // rewritten, the new state is recorded by an empty append, and a run with nothing
    // new then finds gold, surveillance included, up to date.
    land_late_condition(&first, &landing.path().join("2024-03"), &patient, "12345");
    let third = run(lake.path(), landing.path(), "third").await;
    let daily = gold_report(&third, "disease_prevalence_daily");
    assert_eq!(
        (daily.rows_written, daily.rows_unchanged),
        (0, daily_after.height() as u64)
    );
    assert!(
        changed_keys(
            &daily_after,
            &read(lake.path(), DAILY).await,
            ["condition", "date"]
        )
        .is_empty()
    );
    let fourth = run(lake.path(), landing.path(), "fourth").await;
    assert!(fourth.gold_up_to_date);
}
