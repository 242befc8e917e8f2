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

/// Where `_runs` of `lake` does not account for its tables, one line each (empty when
/// it does): every bronze table holds exactly the rows `_runs` says bronze wrote into it
/// (over all runs, interrupted ones included), silver read each of those rows once, and
/// every gold table's current version
/// has its `_runs` row (for overwritten gold tables, with the table's row count).
pub async fn runs_unaccounted(lake: &Path) -> Vec<String> {
    let runs = read_all(&lake.join("_runs")).await;
    let layer = runs.column("layer").unwrap().str().unwrap().clone();
    let table = runs.column("table").unwrap().str().unwrap().clone();
    let written = runs.column("rows_written").unwrap().i64().unwrap().clone();
    let version = runs.column("version").unwrap().i64().unwrap().clone();
    let rows_of = |l: &str, t: &str| {
        (0..runs.height())
            .filter(|&i| layer.get(i) == Some(l) && table.get(i) == Some(t))
            .map(|i| (written.get(i).unwrap_or(0), version.get(i)))
            .collect::<Vec<_>>()
    };
    let read = runs.column("rows_read").unwrap().i64().unwrap().clone();
    let mut problems = Vec::new();
    // Silver reads every bronze row exactly once, over all runs.
    for name in diff::tables(lake, &["silver"]) {
        let (_, t) = name.split_once('/').unwrap();
        if t.ends_with("_quarantine") {
            continue;
        }
        let bronze = read_all(&lake.join("bronze").join(t)).await.height() as i64;
        let total: i64 = (0..runs.height())
            .filter(|&i| layer.get(i) == Some("silver") && table.get(i) == Some(t))
            .map(|i| read.get(i).unwrap_or(0))
            .sum();
        if total != bronze {
            problems.push(format!(
                "{name}: silver read {total} rows, bronze holds {bronze}"
            ));
        }
    }
    for name in diff::tables(lake, &["bronze", "gold"]) {
        let (l, t) = name.split_once('/').unwrap();
        let rows = read_all(&lake.join(&name)).await.height() as i64;
        let current = medallion_core::table_version(lake.join(&name))
            .await
            .unwrap()
            .map(|v| v as i64);
        let recorded = rows_of(l, t);
        if l == "bronze" {
            let total: i64 = recorded.iter().map(|(w, _)| w).sum();
            if total != rows {
                problems.push(format!("{name}: {rows} rows, _runs says {total}"));
            }
        } else {
            match recorded.iter().find(|(_, v)| *v == current) {
                None => problems.push(format!("{name}: no _runs row for version {current:?}")),
                Some((w, _)) if t != "dim_patient" && *w != rows => {
                    problems.push(format!("{name}: {rows} rows, _runs says {w}"))
                }
                Some(_) => {}
            }
        }
    }
    problems
}

async fn read_all(table: &Path) -> polars::prelude::DataFrame {
    let lf = medallion_core::ReadBuilder::new(table)
        .unwrap()
        .await
        .unwrap();
    medallion_core::run_polars(move || lf.collect())
        .await
        .unwrap()
        .unwrap()
}
