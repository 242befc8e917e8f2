//! SCD2 maintenance, maintenance policy and run reports.

use chrono::{TimeZone, Utc};
use medallion_core::hash::stable_hash_parts;
use medallion_core::pipeline::{
    IS_CURRENT, Layer, MaintenancePolicy, ROW_HASH, RunReport, SURROGATE_KEY, Scd2Builder,
    TableRunReport, run_maintenance,
};
use medallion_core::{Error, ReadBuilder};
use polars::prelude::*;

async fn dim(path: &std::path::Path) -> DataFrame {
    ReadBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .sort(
            ["patient_id", "effective_from"],
            SortMultipleOptions::default(),
        )
        .collect()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scd2_closes_changed_rows_and_inserts_new_versions_in_one_commit() {
    let dir = tempfile::tempdir().unwrap();
    let d1 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let d2 = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
    let v1 = df!("patient_id" => ["p1", "p2"], "city" => ["Boston", "Lynn"], "name" => ["A", "B"])
        .unwrap();
    let r1 = Scd2Builder::new(dir.path(), v1.lazy(), ["patient_id"], ["city"], d1)
        .unwrap()
        .await
        .unwrap();
    assert_eq!((r1.keys_inserted, r1.keys_changed), (2, 0));

    // p1 moves, p2 only changes an untracked column, p3 is new.
    let v2 = df!("patient_id" => ["p1", "p2", "p3"], "city" => ["Salem", "Lynn", "Quincy"], "name" => ["A", "B2", "C"]).unwrap();
    let r2 = Scd2Builder::new(dir.path(), v2.clone().lazy(), ["patient_id"], ["city"], d2)
        .unwrap()
        .await
        .unwrap();
    assert_eq!(
        (r2.keys_inserted, r2.keys_changed, r2.keys_unchanged),
        (1, 1, 1)
    );
    assert_eq!(r2.version, Some(1), "close + insert must be one commit");

    let table = dim(dir.path()).await;
    assert_eq!(table.height(), 4);
    let current = table
        .clone()
        .lazy()
        .filter(col(IS_CURRENT))
        .collect()
        .unwrap();
    assert_eq!(current.height(), 3, "exactly one current row per key");
    let p1 = table
        .clone()
        .lazy()
        .filter(col("patient_id").eq(lit("p1")))
        .collect()
        .unwrap();
    let cities: Vec<Option<&str>> = p1.column("city").unwrap().str().unwrap().iter().collect();
    assert_eq!(cities, [Some("Boston"), Some("Salem")]);
    let closed_to = p1
        .column("effective_to")
        .unwrap()
        .datetime()
        .unwrap()
        .physical()
        .get(0);
    assert_eq!(closed_to, Some(d2.timestamp_micros()));

    // Replaying the same snapshot later changes nothing and commits nothing.
    let d3 = Utc.with_ymd_and_hms(2024, 7, 1, 0, 0, 0).unwrap();
    let r3 = Scd2Builder::new(dir.path(), v2.lazy(), ["patient_id"], ["city"], d3)
        .unwrap()
        .await
        .unwrap();
    assert_eq!((r3.keys_unchanged, r3.version), (3, None));
    assert_eq!(dim(dir.path()).await.height(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scd2_surrogate_keys_are_deterministic_across_tables() {
    let d1 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let v1 = df!("patient_id" => ["p1", "p2"], "city" => ["Boston", "Lynn"]).unwrap();
    let mut keys = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::tempdir().unwrap();
        Scd2Builder::new(dir.path(), v1.clone().lazy(), ["patient_id"], ["city"], d1)
            .unwrap()
            .await
            .unwrap();
        let table = dim(dir.path()).await;
        let k: Vec<i64> = table
            .column(SURROGATE_KEY)
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        keys.push(k);
    }
    assert_eq!(keys[0], keys[1]);
    assert_ne!(keys[0][0], keys[0][1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scd2_row_hash_and_named_surrogate_key_are_the_model_hash() {
    let dir = tempfile::tempdir().unwrap();
    let d1 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let v1 = df!("patient_id" => ["p1"], "city" => ["Boston"]).unwrap();
    Scd2Builder::new(dir.path(), v1.lazy(), ["patient_id"], ["city"], d1)
        .unwrap()
        .with_surrogate_key_column("patient_version_key")
        .await
        .unwrap();
    let table = dim(dir.path()).await;
    assert!(
        table.column(SURROGATE_KEY).is_err(),
        "default name not used"
    );
    let int = |column: &str| table.column(column).unwrap().i64().unwrap().get(0);
    assert_eq!(int(ROW_HASH), Some(stable_hash_parts(&[Some("Boston")])));
    let from = d1.timestamp_micros().to_string();
    let row_hash = stable_hash_parts(&[Some("Boston")]).to_string();
    assert_eq!(
        int("patient_version_key"),
        Some(stable_hash_parts(&[
            Some("p1"),
            Some(from.as_str()),
            Some(row_hash.as_str())
        ]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scd2_refuses_a_snapshot_that_already_has_a_row_hash() {
    let dir = tempfile::tempdir().unwrap();
    let d1 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let v1 = df!("patient_id" => ["p1"], "city" => ["Boston"], ROW_HASH => [7i64]).unwrap();
    let err = Scd2Builder::new(dir.path(), v1.lazy(), ["patient_id"], ["city"], d1)
        .unwrap()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidConfiguration { reason, .. } if reason.contains("'row_hash'")),
        "{err}"
    );
    assert!(!dir.path().join("_delta_log").exists(), "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_policy_compacts_and_vacuums() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3i64 {
        medallion_core::WriteBuilder::new(dir.path(), df!("x" => [i]).unwrap().lazy())
            .unwrap()
            .await
            .unwrap();
    }
    let report = run_maintenance(
        dir.path(),
        &MaintenancePolicy::default().with_z_order(["x"]),
        Some("r1"),
    )
    .await
    .unwrap();
    assert_eq!(report.optimize.unwrap().files_removed, 3);
    assert!(
        report.vacuum.unwrap().files_deleted.is_empty(),
        "7-day retention keeps recent files"
    );
    let policy: MaintenancePolicy =
        serde_json::from_str(r#"{"optimize": false, "vacuum_retention": null}"#).unwrap();
    let skipped = run_maintenance(dir.path(), &policy, None).await.unwrap();
    assert!(skipped.optimize.is_none() && skipped.vacuum.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_reports_append_to_the_runs_table_and_print() {
    let dir = tempfile::tempdir().unwrap();
    let started = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut report = RunReport::new("run-1", started);
    report.push(TableRunReport {
        layer: Layer::Silver,
        table: "encounters".into(),
        rows_read: 10,
        rows_written: 7,
        rows_quarantined: 2,
        rows_deduplicated: 1,
        rows_inserted: 7,
        rows_updated: 0,
        rows_deleted: 0,
        rows_unchanged: 0,
        rule_hits: [("encounters.stop_before_start".to_string(), 2u64)]
            .into_iter()
            .collect(),
        schema_drift: vec![],
        version: Some(3),
        duration: std::time::Duration::from_millis(12),
    });
    assert!(report.unreconciled().is_empty());
    report.append_to(dir.path()).await.unwrap();
    report.append_to(dir.path()).await.unwrap();
    let runs = ReadBuilder::new(dir.path())
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(runs.height(), 2);
    assert_eq!(
        runs.column("rows_quarantined")
            .unwrap()
            .i64()
            .unwrap()
            .get(0),
        Some(2)
    );
    let text = report.to_string();
    assert!(text.contains("encounters.stop_before_start=2"), "{text}");

    report.tables[0].rows_written = 8;
    assert_eq!(report.unreconciled().len(), 1);
    assert!(report.to_string().contains("COUNTS DO NOT RECONCILE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scd2_versions_that_start_at_the_same_instant_get_distinct_surrogate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let same = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let v1 = df!("patient_id" => ["p1"], "city" => ["Boston"]).unwrap();
    Scd2Builder::new(dir.path(), v1.lazy(), ["patient_id"], ["city"], same)
        .unwrap()
        .await
        .unwrap();
    // A second batch run with the same as-of instant changes the tracked attribute.
    let v2 = df!("patient_id" => ["p1"], "city" => ["Salem"]).unwrap();
    let r2 = Scd2Builder::new(dir.path(), v2.lazy(), ["patient_id"], ["city"], same)
        .unwrap()
        .await
        .unwrap();
    assert_eq!(r2.keys_changed, 1);
    let table = dim(dir.path()).await;
    let keys = table.column(SURROGATE_KEY).unwrap();
    assert_eq!(table.height(), 2);
    assert_eq!(keys.n_unique().unwrap(), 2, "{table}");
}
