//! Same input, same lakehouse: two builds of one landing folder into two fresh lakehouses
//! agree on every silver and gold table, apart from ingestion timestamps.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../examples/support/diff.rs"]
mod diff;

use std::path::Path;

use chrono::NaiveDate;
use diff::{DiffOptions, TableDiff};
use synthea_gen::{GeneratorConfig, generate};
use synthea_pipeline::{PipelineConfig, run_pipeline};

async fn build(lake: &Path, landing: &Path, run_id: &str) {
    let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
    let mut config = PipelineConfig::new(lake, "test", as_of, run_id);
    // Several chunks per large table, so chunk boundaries are exercised too.
    config.silver_chunk_rows = 2_000;
    run_pipeline(&config, landing, &mut |_| {}).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_builds_of_the_same_input_give_the_same_silver_and_gold() {
    let landing = tempfile::tempdir().unwrap();
    for (name, seed) in [("2024-01", 5), ("2024-02", 6)] {
        let config = GeneratorConfig::new(30, seed);
        generate(&config, landing.path().join(name), |_| {}).unwrap();
    }
    let (left, right) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    build(left.path(), landing.path(), "left").await;
    build(right.path(), landing.path(), "right").await;

    let options = DiffOptions {
        ignore_columns: ["_ingested_at".to_string()].into_iter().collect(),
        ..DiffOptions::default()
    };
    let tables = diff::tables(left.path(), &["silver", "gold"]);
    assert!(tables.len() > 40, "{tables:?}");
    let mut different = Vec::new();
    for table in &tables {
        match diff::diff_table(left.path(), right.path(), table, &options)
            .await
            .unwrap()
        {
            TableDiff::Same { .. } => {}
            other => different.push(format!("{table}: {other:?}")),
        }
    }
    assert!(different.is_empty(), "{}", different.join("\n"));
}
