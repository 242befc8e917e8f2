//! create / append / overwrite / replace_where / schema merge / properties / batches.

use std::num::NonZeroUsize;

use medallion_core::{
    Error, HistoryBuilder, ReadBuilder, SchemaEvolution, WriteBuilder, WriteMode, table_properties,
};
use polars::prelude::*;

use crate::read_sorted;

fn sample() -> DataFrame {
    df!(
        "id" => [1i64, 2, 3, 4],
        "name" => [Some("ann"), None, Some("cy"), Some("dee")],
        "score" => [1.5f64, 2.0, f64::NAN, -0.25],
        "ok" => [true, false, true, false],
        "day" => [19000i32, 19001, 19002, 19003],
        "year" => [2020i32, 2020, 2021, 2021],
    )
    .unwrap()
    .lazy()
    .with_columns([
        col("day").cast(DataType::Date),
        (col("day").cast(DataType::Int64) * lit(86_400_000_000i64))
            .cast(DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))
            .alias("ts"),
    ])
    .collect()
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_then_read_returns_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let df = sample();
    let report = WriteBuilder::new(dir.path(), df.clone().lazy())
        .unwrap()
        .await
        .unwrap();
    assert_eq!(report.version, Some(0));
    assert_eq!(report.rows_written, 4);
    let back = read_sorted(dir.path(), "id").await;
    assert_eq!(back.schema(), df.schema());
    assert!(back.equals_missing(&df), "{back}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_columns_are_restored_with_their_types() {
    let dir = tempfile::tempdir().unwrap();
    let df = sample();
    WriteBuilder::new(dir.path(), df.clone().lazy())
        .unwrap()
        .with_partition_columns(["year"])
        .await
        .unwrap();
    assert!(dir.path().join("year=2020").is_dir());
    let back = read_sorted(dir.path(), "id").await;
    assert_eq!(back.column("year").unwrap().dtype(), &DataType::Int32);
    assert!(back.equals_missing(&df), "{back}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partition_predicate_prunes_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), sample().lazy())
        .unwrap()
        .with_partition_columns(["year"])
        .await
        .unwrap();
    let out = ReadBuilder::new(dir.path())
        .unwrap()
        .with_predicate(col("year").eq(lit(2021)))
        .with_columns(["id"])
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(out.get_column_names(), ["id"]);
    let mut ids: Vec<i64> = out
        .column("id")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    ids.sort();
    assert_eq!(ids, [3, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_predicate_is_pushed_into_the_parquet_scan() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), sample().lazy())
        .unwrap()
        .await
        .unwrap();
    let lf = ReadBuilder::new(dir.path())
        .unwrap()
        .with_predicate(col("id").gt(lit(2)))
        .await
        .unwrap();
    let plan = lf.clone().explain(true).unwrap();
    assert!(
        plan.contains("SELECTION") || plan.contains("selection"),
        "{plan}"
    );
    assert_eq!(lf.collect().unwrap().height(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn append_adds_rows_and_overwrite_replaces_them() {
    let dir = tempfile::tempdir().unwrap();
    let df = sample();
    WriteBuilder::new(dir.path(), df.clone().lazy())
        .unwrap()
        .await
        .unwrap();
    WriteBuilder::new(dir.path(), df.clone().lazy())
        .unwrap()
        .with_mode(WriteMode::Append)
        .await
        .unwrap();
    assert_eq!(read_sorted(dir.path(), "id").await.height(), 8);
    let report = WriteBuilder::new(dir.path(), df.head(Some(1)).lazy())
        .unwrap()
        .with_mode(WriteMode::Overwrite)
        .await
        .unwrap();
    assert_eq!(report.version, Some(2));
    assert_eq!(read_sorted(dir.path(), "id").await.height(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_if_exists_and_ignore_modes() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), sample().lazy())
        .unwrap()
        .await
        .unwrap();
    let err = WriteBuilder::new(dir.path(), sample().lazy())
        .unwrap()
        .with_mode(WriteMode::ErrorIfExists)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Delta {
                operation: "write",
                ..
            }
        ),
        "{err}"
    );
    let skipped = WriteBuilder::new(dir.path(), sample().lazy())
        .unwrap()
        .with_mode(WriteMode::Ignore)
        .await
        .unwrap();
    assert_eq!(skipped.version, None);
    assert_eq!(read_sorted(dir.path(), "id").await.height(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_where_only_touches_its_partition() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), sample().lazy())
        .unwrap()
        .with_partition_columns(["year"])
        .await
        .unwrap();
    let files_2020_before = list_parquet(&dir.path().join("year=2020"));
    let replacement = sample()
        .lazy()
        .filter(col("year").eq(lit(2021)))
        .with_column(col("id") + lit(100))
        .collect()
        .unwrap();
    let report = WriteBuilder::new(dir.path(), replacement.lazy())
        .unwrap()
        .with_replace_where("year = 2021")
        .await
        .unwrap();
    assert_eq!(report.files_removed, 1, "only the 2021 file may be removed");
    let back = read_sorted(dir.path(), "id").await;
    let ids: Vec<i64> = back
        .column("id")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(ids, [1, 2, 103, 104]);
    assert_eq!(
        list_parquet(&dir.path().join("year=2020")),
        files_2020_before
    );
    // Rows outside the predicate are refused rather than written into the wrong partition.
    let wrong = sample().lazy().filter(col("year").eq(lit(2020)));
    let err = WriteBuilder::new(dir.path(), wrong)
        .unwrap()
        .with_replace_where("year = 2021")
        .await;
    assert!(err.is_err());
}

fn list_parquet(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".parquet"))
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_merge_adds_columns_and_strict_mode_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), df!("id" => [1i64]).unwrap().lazy())
        .unwrap()
        .await
        .unwrap();
    let wider = df!("id" => [2i64], "extra" => ["x"]).unwrap();
    let strict = WriteBuilder::new(dir.path(), wider.clone().lazy())
        .unwrap()
        .await;
    assert!(strict.is_err(), "strict append must refuse a new column");
    WriteBuilder::new(dir.path(), wider.lazy())
        .unwrap()
        .with_schema_evolution(SchemaEvolution::Merge)
        .await
        .unwrap();
    let back = read_sorted(dir.path(), "id").await;
    assert_eq!(back.get_column_names(), ["id", "extra"]);
    let extra: Vec<Option<&str>> = back
        .column("extra")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(extra, [None, Some("x")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn table_properties_and_commit_metadata_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), sample().lazy())
        .unwrap()
        .with_table_property("metric_version", "3")
        .with_commit_metadata("run_id", "run-42")
        .with_table_name("encounters")
        .await
        .unwrap();
    assert_eq!(
        table_properties(dir.path()).await.unwrap()["metric_version"],
        "3"
    );
    let history = HistoryBuilder::new(dir.path()).unwrap().await.unwrap();
    // Data commit first, then the user property commit.
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].operation.as_deref(), Some("WRITE"));
    assert_eq!(history[1].info["run_id"], "run-42");
    assert_eq!(history[0].version, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_lazy_frames_are_written_in_bounded_batches_in_one_commit() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 200_000i64;
    let lf = df!("i" => [0i64])
        .unwrap()
        .lazy()
        .select([int_range(lit(0i64), lit(rows), 1, DataType::Int64).alias("i")])
        .with_column((col("i") % lit(7)).alias("m"));
    let report = WriteBuilder::new(dir.path(), lf)
        .unwrap()
        .with_batch_rows(NonZeroUsize::new(10_000).unwrap())
        .await
        .unwrap();
    assert_eq!(report.rows_written, rows as u64);
    assert_eq!(
        report.version,
        Some(0),
        "all batches must land in one commit"
    );
    let back = ReadBuilder::new(dir.path())
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(back.height(), rows as usize);
    let sum: i64 = back.column("i").unwrap().i64().unwrap().sum().unwrap();
    assert_eq!(sum, rows * (rows - 1) / 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_and_nanosecond_columns_are_widened_for_delta() {
    let dir = tempfile::tempdir().unwrap();
    let df = df!("u" => [1u32, 4_000_000_000], "t" => [1i64, 2]).unwrap();
    let lf = df.lazy().with_column(
        (col("t") * lit(1_000_000_000i64)).cast(DataType::Datetime(TimeUnit::Nanoseconds, None)),
    );
    WriteBuilder::new(dir.path(), lf).unwrap().await.unwrap();
    let back = read_sorted(dir.path(), "u").await;
    assert_eq!(back.column("u").unwrap().dtype(), &DataType::Int64);
    assert_eq!(
        back.column("u").unwrap().i64().unwrap().get(1),
        Some(4_000_000_000)
    );
    assert_eq!(
        back.column("t").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Microseconds, None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writing_an_empty_frame_creates_a_readable_table() {
    let dir = tempfile::tempdir().unwrap();
    let empty = sample().head(Some(0));
    WriteBuilder::new(dir.path(), empty.clone().lazy())
        .unwrap()
        .await
        .unwrap();
    let back = ReadBuilder::new(dir.path())
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(back.height(), 0);
    assert_eq!(back.schema(), empty.schema());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_missing_table_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = ReadBuilder::new(&missing).unwrap().await.err().unwrap();
    assert!(matches!(err, Error::TableNotFound { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
}
