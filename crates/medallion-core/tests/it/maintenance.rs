//! OPTIMIZE, Z-order, VACUUM and history.

use std::time::Duration;

use medallion_core::{
    HistoryBuilder, OptimizeBuilder, ReadBuilder, VacuumBuilder, WriteBuilder, WriteMode,
};
use polars::prelude::*;

use crate::read_sorted;

fn parquet_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "parquet")
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optimize_compacts_small_files_keeping_rows() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..4i64 {
        WriteBuilder::new(dir.path(), df!("x" => [i, i + 10]).unwrap().lazy())
            .unwrap()
            .await
            .unwrap();
    }
    let before = read_sorted(dir.path(), "x").await;
    let report = OptimizeBuilder::new(dir.path()).unwrap().await.unwrap();
    assert_eq!((report.files_removed, report.files_added), (4, 1));
    assert!(before.equals(&read_sorted(dir.path(), "x").await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn z_order_rewrites_files_keeping_rows() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3i64 {
        let df = df!("a" => [i, 5 - i], "b" => [i * 2, i * 3]).unwrap();
        WriteBuilder::new(dir.path(), df.lazy())
            .unwrap()
            .await
            .unwrap();
    }
    let before = read_sorted(dir.path(), "a").await;
    let report = OptimizeBuilder::new(dir.path())
        .unwrap()
        .with_z_order(["a", "b"])
        .await
        .unwrap();
    assert_eq!(report.files_removed, 3);
    assert!(report.files_added >= 1);
    let after = read_sorted(dir.path(), "a").await;
    assert!(
        before
            .sort(["a", "b"], Default::default())
            .unwrap()
            .equals(&after.sort(["a", "b"], Default::default()).unwrap())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vacuum_removes_unreferenced_files_only_after_retention() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), df!("x" => [1i64]).unwrap().lazy())
        .unwrap()
        .await
        .unwrap();
    WriteBuilder::new(dir.path(), df!("x" => [2i64]).unwrap().lazy())
        .unwrap()
        .with_mode(WriteMode::Overwrite)
        .await
        .unwrap();
    assert_eq!(parquet_files(dir.path()), 2);

    // Within the (default 7-day) retention nothing goes.
    let kept = VacuumBuilder::new(dir.path()).unwrap().await.unwrap();
    assert!(kept.files_deleted.is_empty());
    // A retention below the table minimum is refused unless explicitly allowed.
    assert!(
        VacuumBuilder::new(dir.path())
            .unwrap()
            .with_retention(Duration::ZERO)
            .await
            .is_err()
    );
    // Dry run lists without deleting.
    let dry = VacuumBuilder::new(dir.path())
        .unwrap()
        .with_retention(Duration::ZERO)
        .with_enforce_retention(false)
        .with_dry_run(true)
        .await
        .unwrap();
    assert_eq!(dry.files_deleted.len(), 1);
    assert_eq!(parquet_files(dir.path()), 2);

    let done = VacuumBuilder::new(dir.path())
        .unwrap()
        .with_retention(Duration::ZERO)
        .with_enforce_retention(false)
        .await
        .unwrap();
    assert_eq!(done.files_deleted.len(), 1);
    assert_eq!(parquet_files(dir.path()), 1, "the live file must survive");
    let latest = ReadBuilder::new(dir.path())
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(latest.column("x").unwrap().i64().unwrap().get(0), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_lists_operations_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), df!("x" => [1i64]).unwrap().lazy())
        .unwrap()
        .await
        .unwrap();
    WriteBuilder::new(dir.path(), df!("x" => [2i64]).unwrap().lazy())
        .unwrap()
        .await
        .unwrap();
    OptimizeBuilder::new(dir.path()).unwrap().await.unwrap();
    let history = HistoryBuilder::new(dir.path()).unwrap().await.unwrap();
    let versions: Vec<u64> = history.iter().map(|h| h.version).collect();
    assert_eq!(versions, [2, 1, 0]);
    assert_eq!(history[0].operation.as_deref(), Some("OPTIMIZE"));
    assert_eq!(history[2].operation.as_deref(), Some("WRITE"));
    let limited = HistoryBuilder::new(dir.path())
        .unwrap()
        .with_limit(1)
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
}
