//! End-to-end: every analyst query of `docs/queries/` runs on a small lakehouse through
//! `medallion_core::sql`, and its result equals the same question answered with Polars
//! over the gold tables read with `ReadBuilder`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDate;
use medallion_core::ReadBuilder;
use medallion_core::sql::SqlSessionBuilder;
use polars::prelude::*;
use synthea_gen::{GeneratorConfig, generate};

fn query_file(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs/queries")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn gold(lake: &Path, table: &str) -> LazyFrame {
    ReadBuilder::new(lake.join(table)).unwrap().await.unwrap()
}

/// Runs `docs/queries/<name>` on `lake`, prints its latency, returns it as a frame.
async fn run_query(lake: &Path, name: &str) -> DataFrame {
    let session = SqlSessionBuilder::new(lake).await.unwrap();
    let sql = query_file(name);
    let started = Instant::now();
    let result = session
        .query(sql.trim().trim_end_matches(';'))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    println!(
        "{name}: {} rows in {:.1} ms",
        result.rows(),
        started.elapsed().as_secs_f64() * 1e3
    );
    result.to_polars().unwrap()
}

/// Asserts `actual` (from SQL) equals `expected` (from Polars): same columns, rows and
/// order; integers and strings exactly, floats within 1e-9 relative.
fn assert_same(name: &str, actual: &DataFrame, expected: DataFrame) {
    assert_eq!(
        actual.get_column_names(),
        expected.get_column_names(),
        "{name}: columns"
    );
    assert_eq!(actual.height(), expected.height(), "{name}: rows");
    assert!(actual.height() > 0, "{name}: the fixture must give rows");
    for column in actual.columns() {
        let want = expected
            .column(column.name())
            .unwrap()
            .cast(column.dtype())
            .unwrap();
        if column.dtype().is_float() {
            let (a, w) = (column.f64().unwrap(), want.f64().unwrap());
            for (i, (a, w)) in a.iter().zip(w.iter()).enumerate() {
                let same = match (a, w) {
                    (Some(a), Some(w)) => (a - w).abs() <= 1e-9 * w.abs().max(1.0),
                    (None, None) => true,
                    _ => false,
                };
                assert!(same, "{name}: {} row {i}: {a:?} != {w:?}", column.name());
            }
        } else {
            assert!(
                column
                    .as_materialized_series()
                    .equals_missing(want.as_materialized_series()),
                "{name}: column {} differs",
                column.name()
            );
        }
    }
}

fn by(columns: &[&str], descending: &[bool]) -> (Vec<Expr>, SortMultipleOptions) {
    (
        columns.iter().map(|c| col(*c)).collect(),
        SortMultipleOptions::default()
            .with_order_descending_multi(descending.to_vec())
            .with_maintain_order(true),
    )
}

fn sorted(frame: LazyFrame, columns: &[&str], descending: &[bool]) -> LazyFrame {
    let (exprs, options) = by(columns, descending);
    frame.sort_by_exprs(exprs, options)
}

async fn collect(frame: LazyFrame) -> DataFrame {
    medallion_core::run_polars(move || frame.collect())
        .await
        .unwrap()
        .unwrap()
}

/// A generated Synthea population through the pipeline.
async fn synthea_lakehouse(root: &Path) -> PathBuf {
    let landing = root.join("landing");
    generate(
        &GeneratorConfig::new(60, 7),
        landing.join("batch-1"),
        |_| {},
    )
    .unwrap();
    let lake = root.join("lake");
    let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
    let config = synthea_pipeline::PipelineConfig::new(&lake, "test", as_of, "run-sql-1");
    synthea_pipeline::run_pipeline(&config, &landing, &mut |_| {})
        .await
        .unwrap();
    lake
}

/// Simulated hospital ADT events through the patient-flow pipeline.
async fn patient_flow_lakehouse(root: &Path) -> PathBuf {
    use clinical_events::simulator::{SimulatorConfig, write_landing};
    let landing = root.join("flow-landing");
    let manifest = write_landing(&SimulatorConfig::new(2_000, 42), &landing.join("sim")).unwrap();
    let as_of = manifest.summary.last_event.unwrap();
    let lake = root.join("flow");
    let config = clinical_events::pipeline::PipelineConfig::new(&lake, as_of, "run-flow-1");
    clinical_events::pipeline::run_pipeline(&config, &landing, &mut |_| {})
        .await
        .unwrap();
    lake
}

#[tokio::test(flavor = "multi_thread")]
async fn every_synthea_query_of_the_docs_equals_its_gold_tables() {
    let dir = tempfile::tempdir().unwrap();
    let lake = synthea_lakehouse(dir.path()).await;

    let name = "encounters_per_disease.sql";
    let expected = sorted(
        gold(&lake, "gold/encounters_per_condition").await,
        &["encounters", "code"],
        &[true, false],
    )
    .select([
        col("code"),
        col("description"),
        col("encounters"),
        col("patients"),
    ])
    .limit(20);
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);

    let name = "encounters_by_age_group.sql";
    let inpatient = when(col("encounter_class").eq(lit("inpatient")))
        .then(col("encounters"))
        .otherwise(lit(0));
    let expected = gold(&lake, "gold/encounters_by_age_group_class")
        .await
        .group_by([col("age_group")])
        .agg([
            col("encounters").sum(),
            inpatient.sum().alias("inpatient_encounters"),
        ])
        .sort(["age_group"], SortMultipleOptions::default());
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);

    let name = "readmission_rate_by_month.sql";
    let expected = gold(&lake, "gold/readmission_rates")
        .await
        .filter(col("dimension").eq(lit("discharge_month")))
        .select([
            col("dimension_value").alias("discharge_month"),
            col("index_stays"),
            col("readmissions"),
            col("rate"),
        ])
        .sort(["discharge_month"], SortMultipleOptions::default());
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);

    let name = "alos_by_condition.sql";
    let expected = sorted(
        gold(&lake, "gold/los_by_condition").await,
        &["discharges", "condition_code"],
        &[true, false],
    )
    .select([
        col("condition_code"),
        col("discharges"),
        col("total_los_days"),
        col("alos_days"),
    ]);
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);

    let name = "top_conditions_per_age_band.sql";
    let expected = sorted(
        gold(&lake, "gold/top_conditions_by_age_band")
            .await
            .filter(col("rank").lt_eq(lit(5))),
        &["age_band", "rank"],
        &[false, false],
    )
    .select(
        [
            "age_band",
            "rank",
            "code",
            "description",
            "active_patients",
            "active_per_1000",
        ]
        .map(col),
    );
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);

    let name = "data_quality_by_run.sql";
    let expected = sorted(
        gold(&lake, "_runs")
            .await
            .filter(col("layer").eq(lit("silver"))),
        &["run_id", "table"],
        &[false, false],
    )
    .select(
        [
            "run_id",
            "layer",
            "table",
            "rows_read",
            "rows_written",
            "rows_quarantined",
            "rows_deduplicated",
            "rule_hits",
            "status",
        ]
        .map(col),
    );
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_patient_flow_query_of_the_docs_equals_its_gold_tables() {
    let dir = tempfile::tempdir().unwrap();
    let lake = patient_flow_lakehouse(dir.path()).await;

    let name = "occupancy_by_department.sql";
    let expected = gold(&lake, "gold/occupancy_daily")
        .await
        .group_by([col("hospital_id"), col("department")])
        .agg([
            len().alias("days"),
            col("occupancy_pct").mean().alias("mean_occupancy_pct"),
            col("occupancy_pct").max().alias("peak_occupancy_pct"),
            col("midnight_census").max().alias("peak_midnight_census"),
        ]);
    let expected = sorted(expected, &["hospital_id", "department"], &[false, false]);
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);

    let name = "alerts_per_patient.sql";
    let red_flag = col("spo2")
        .lt_eq(lit(91))
        .or(col("bp_systolic").lt_eq(lit(90)))
        .or(col("bp_systolic").gt_eq(lit(220)))
        .or(col("heart_rate").lt_eq(lit(40)))
        .or(col("heart_rate").gt_eq(lit(131)))
        .or(col("temperature_f").lt_eq(lit(95.0)));
    let alert = when(red_flag).then(lit(1i64)).otherwise(lit(0i64));
    let expected = gold(&lake, "gold/fact_patient_flow")
        .await
        .group_by([col("patient_key")])
        .agg([len().alias("stays"), alert.sum().alias("alert_stays")])
        .filter(col("alert_stays").gt(lit(0)));
    let expected = sorted(expected, &["alert_stays", "patient_key"], &[true, false]);
    assert_same(name, &run_query(&lake, name).await, collect(expected).await);
}

#[test]
fn every_query_file_is_checked_by_a_test() {
    let checked = [
        "encounters_per_disease.sql",
        "encounters_by_age_group.sql",
        "readmission_rate_by_month.sql",
        "alos_by_condition.sql",
        "top_conditions_per_age_band.sql",
        "data_quality_by_run.sql",
        "occupancy_by_department.sql",
        "alerts_per_patient.sql",
    ];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/queries");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".sql"))
        .collect();
    files.sort();
    let mut expected: Vec<String> = checked.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(files, expected);
}
