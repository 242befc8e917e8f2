//! Every builder can tag its commits with the caller's run id.

use chrono::{TimeZone, Utc};
use medallion_core::pipeline::{BronzeIngestBuilder, Rule, Scd2Builder, SilverBuilder};
use medallion_core::{HistoryBuilder, MergeBuilder, WriteBuilder};
use polars::prelude::*;

/// The `run_id` of every commit of the table at `path`, newest first.
async fn run_ids(path: &std::path::Path) -> Vec<Option<String>> {
    HistoryBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .iter()
        .map(|h| {
            h.info
                .get("run_id")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bronze_silver_scd2_merge_and_write_commits_carry_the_run_id() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    std::fs::write(landing.path().join("visits.csv"), "Id,v\na,1\nb,9\n").unwrap();
    let bronze = lake.path().join("bronze/visits");
    let silver = lake.path().join("silver/visits");
    BronzeIngestBuilder::new(landing.path(), &bronze, "t")
        .unwrap()
        .with_run_id("r1")
        .await
        .unwrap();
    SilverBuilder::new(&bronze, &silver, "t", ["Id"])
        .unwrap()
        .with_rule(Rule::quarantine("v9", col("v").eq(lit("9")), "v is 9"))
        .with_run_id("r1")
        .await
        .unwrap();
    assert_eq!(run_ids(&bronze).await, [Some("r1".to_string())]);
    assert_eq!(run_ids(&silver).await, [Some("r1".to_string())]);
    let quarantine = lake.path().join("silver/visits_quarantine");
    assert_eq!(run_ids(&quarantine).await, [Some("r1".to_string())]);

    let dim = lake.path().join("gold/dim");
    let at = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let snapshot = df!("id" => ["a"], "city" => ["Lynn"]).unwrap().lazy();
    Scd2Builder::new(&dim, snapshot, ["id"], ["city"], at)
        .unwrap()
        .with_run_id("r2")
        .await
        .unwrap();
    assert_eq!(run_ids(&dim).await, [Some("r2".to_string())]);

    let table = lake.path().join("plain");
    let rows = || df!("id" => [1i64], "v" => ["x"]).unwrap().lazy();
    WriteBuilder::new(&table, rows())
        .unwrap()
        .with_run_id("r3")
        .await
        .unwrap();
    MergeBuilder::new(&table, rows(), ["id"])
        .unwrap()
        .when_matched_update_all(None::<String>)
        .with_run_id("r4")
        .await
        .unwrap();
    assert_eq!(
        run_ids(&table).await,
        [Some("r4".to_string()), Some("r3".to_string())]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn property_optimize_and_vacuum_commits_carry_the_run_id() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path();
    for i in 0..2i64 {
        WriteBuilder::new(table, df!("x" => [i]).unwrap().lazy())
            .unwrap()
            .with_table_property("metric_version", "v1")
            .with_run_id("r1")
            .await
            .unwrap();
    }
    medallion_core::SetPropertiesBuilder::new(table)
        .unwrap()
        .with_property("owner", "lab")
        .with_run_id("r2")
        .await
        .unwrap();
    medallion_core::pipeline::run_maintenance(
        table,
        &medallion_core::pipeline::MaintenancePolicy::default().with_vacuum_retention(None),
        Some("r3"),
    )
    .await
    .unwrap();
    medallion_core::VacuumBuilder::new(table)
        .unwrap()
        .with_retention(std::time::Duration::ZERO)
        .with_enforce_retention(false)
        .with_run_id("r4")
        .await
        .unwrap();
    let ids = run_ids(table).await;
    let history = HistoryBuilder::new(table).unwrap().await.unwrap();
    assert!(
        history
            .iter()
            .all(|h| h.info.get("userMetadata") == h.info.get("run_id")),
        "DESCRIBE HISTORY's userMetadata shows the run id"
    );
    // Two writes of two commits each (rows, then the user property), a property
    // commit, OPTIMIZE, and VACUUM's start and end commits.
    let expected: Vec<Option<String>> = ["r4", "r4", "r3", "r2", "r1", "r1", "r1", "r1"]
        .iter()
        .map(|id| Some(id.to_string()))
        .collect();
    assert_eq!(ids, expected);
}
