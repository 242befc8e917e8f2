//! Reports of interrupted runs are rebuilt from their commits.

use medallion_core::WriteBuilder;
use medallion_core::pipeline::{
    GoldTable, GoldWriteBuilder, Layer, RecoverRunsBuilder, RunReport, RunStatus, TableRunReport,
};
use polars::prelude::*;

/// A bronze-style append tagged as `run_id`, carrying an empty report for `table`.
async fn append(lake: &std::path::Path, table: &str, rows: i64, run_id: &str) {
    let (key, value) = TableRunReport::empty(Layer::Bronze, table).commit_metadata();
    let frame = df!("x" => (0..rows).collect::<Vec<_>>()).unwrap().lazy();
    WriteBuilder::new(lake.join("bronze").join(table), frame)
        .unwrap()
        .with_run_id(run_id)
        .with_commit_metadata(key, value)
        .await
        .unwrap();
}

async fn recover(lake: &std::path::Path) -> Vec<RunReport> {
    RecoverRunsBuilder::new(lake, lake.join("_runs"))
        .unwrap()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unrecorded_run_is_rebuilt_from_its_commits_with_the_rows_they_added() {
    let lake = tempfile::tempdir().unwrap();
    append(lake.path(), "patients", 3, "killed").await;
    append(lake.path(), "encounters", 5, "killed").await;
    let gold = df!("n" => [1i64, 2]).unwrap().lazy();
    GoldWriteBuilder::from_table(
        lake.path().join("gold/counts"),
        GoldTable::new("counts", gold, "v1"),
    )
    .unwrap()
    .with_run_id("killed")
    .await
    .unwrap();

    let recovered = recover(lake.path()).await;
    assert_eq!(recovered.len(), 1);
    let run = &recovered[0];
    assert_eq!(
        (run.run_id.as_str(), run.status),
        ("killed", RunStatus::Interrupted)
    );
    let rows: Vec<(Layer, &str, u64, u64, Option<u64>)> = run
        .tables
        .iter()
        .map(|t| {
            (
                t.layer,
                t.table.as_str(),
                t.rows_read,
                t.rows_written,
                t.version,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Layer::Bronze, "patients", 3, 3, Some(0)),
            (Layer::Bronze, "encounters", 5, 5, Some(0)),
            (Layer::Gold, "counts", 0, 2, Some(0)),
        ]
    );
    assert!(run.unreconciled().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_run_is_not_recovered_again_and_only_newer_commits_are_read() {
    let lake = tempfile::tempdir().unwrap();
    append(lake.path(), "patients", 3, "first").await;
    for run in recover(lake.path()).await {
        run.append_to(lake.path().join("_runs")).await.unwrap();
    }
    assert!(recover(lake.path()).await.is_empty(), "recorded once");

    // A completed run records its own report; a later killed run is found.
    append(lake.path(), "patients", 2, "second").await;
    let mut completed = RunReport::new("second", chrono::Utc::now());
    let mut entry = TableRunReport::empty(Layer::Bronze, "patients");
    (entry.rows_read, entry.rows_written, entry.version) = (2, 2, Some(1));
    completed.push(entry);
    completed
        .append_to(lake.path().join("_runs"))
        .await
        .unwrap();
    append(lake.path(), "patients", 4, "third").await;
    let recovered = recover(lake.path()).await;
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].run_id, "third");
    assert_eq!(recovered[0].tables[0].rows_written, 4);
    assert_eq!(recovered[0].tables[0].version, Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_without_a_run_report_are_passed_over() {
    let lake = tempfile::tempdir().unwrap();
    let frame = df!("x" => [1i64]).unwrap().lazy();
    WriteBuilder::new(lake.path().join("silver/plain"), frame)
        .unwrap()
        .with_run_id("maintenance-like")
        .await
        .unwrap();
    assert!(recover(lake.path()).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runs_table_records_the_status_of_each_run() {
    let lake = tempfile::tempdir().unwrap();
    append(lake.path(), "patients", 1, "killed").await;
    for run in recover(lake.path()).await {
        run.append_to(lake.path().join("_runs")).await.unwrap();
    }
    let runs = medallion_core::ReadBuilder::new(lake.path().join("_runs"))
        .unwrap()
        .await
        .unwrap()
        .select([col("run_id"), col("status")]);
    let runs = medallion_core::run_polars(move || runs.collect())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        runs.column("status").unwrap().str().unwrap().get(0),
        Some("interrupted")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_older_than_the_last_runs_write_are_not_read() {
    let lake = tempfile::tempdir().unwrap();
    // Written before `_runs` was: runs do not overlap, so no later run can have been
    // interrupted here — the table's history is not read at all.
    append(lake.path(), "patients", 3, "before").await;
    let mut completed = RunReport::new("other", chrono::Utc::now());
    completed.push(TableRunReport::empty(Layer::Bronze, "encounters"));
    completed
        .append_to(lake.path().join("_runs"))
        .await
        .unwrap();
    assert!(recover(lake.path()).await.is_empty());
    // A commit after `_runs`' last write is found.
    append(lake.path(), "patients", 2, "killed").await;
    let recovered = recover(lake.path()).await;
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].run_id, "killed");
}
