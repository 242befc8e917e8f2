//! What the end-to-end tests share: a pipeline build and a table-by-table comparison.
#![allow(dead_code, clippy::unwrap_used)]

#[path = "../../examples/support/diff.rs"]
pub mod diff;

use std::path::Path;

use chrono::NaiveDate;
use diff::{DiffOptions, TableDiff};
use synthea_pipeline::{PipelineConfig, run_pipeline};

/// Builds `landing` into `lake` (as-of 2024-04-15, 2,000-row silver chunks, so chunk
/// boundaries are exercised too).
pub async fn build(lake: &Path, landing: &Path, run_id: &str) {
    let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
    let mut config = PipelineConfig::new(lake, "test", as_of, run_id);
    config.silver_chunk_rows = 2_000;
    run_pipeline(&config, landing, &mut |_| {}).await.unwrap();
}

/// The silver and gold tables of `left` that differ from `right` (ingestion timestamps
/// aside), one line each; empty when both lakehouses hold the same rows.
pub async fn differing_tables(left: &Path, right: &Path) -> Vec<String> {
    let options = DiffOptions {
        ignore_columns: ["_ingested_at".to_string()].into_iter().collect(),
        ..DiffOptions::default()
    };
    let mut tables = diff::tables(left, &["silver", "gold"]);
    tables.extend(diff::tables(right, &["silver", "gold"]));
    assert!(tables.len() > 40, "{tables:?}");
    let mut different = Vec::new();
    for table in &tables {
        match diff::diff_table(left, right, table, &options)
            .await
            .unwrap()
        {
            TableDiff::Same { .. } => {}
            other => different.push(format!("{table}: {other:?}")),
        }
    }
    different
}
