//! Gold writes: one commit per replacement, carrying metric version, description and
//! column comments; partial replacements under the same definition only.

use medallion_core::deltalake::DeltaTable;
use medallion_core::pipeline::{GoldTable, GoldWriteBuilder};
use medallion_core::{Error, HistoryBuilder, table_properties};
use polars::prelude::*;

use crate::read_sorted;

/// The table as of `version`, straight from delta-rs.
async fn delta_at(path: &std::path::Path, version: u64) -> DeltaTable {
    let url = url::Url::from_directory_path(path).unwrap();
    let mut table = DeltaTable::try_from_url(url).await.unwrap();
    table.load_version(version).await.unwrap();
    table
}

fn rates(months: &[&str], rates: &[f64], version: &str) -> GoldTable {
    let frame = df!("month" => months, "rate" => rates).unwrap().lazy();
    GoldTable::new("readmission_rates", frame, version)
        .with_partition_columns(["month"])
        .with_description("One row per discharge month.")
        .with_column_comment("rate", "readmissions / index stays")
}

async fn sorted_rates(path: &std::path::Path) -> Vec<f64> {
    let out = read_sorted(path, "month").await;
    out.column("rate")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gold_write_is_one_commit_that_carries_the_metric_version_and_catalog_text() {
    let dir = tempfile::tempdir().unwrap();
    let v0 = rates(&["2024-01", "2024-02"], &[0.1, 0.2], "readmission-1");
    let first = GoldWriteBuilder::from_table(dir.path(), v0)
        .unwrap()
        .with_run_id("run-1")
        .await
        .unwrap();
    assert_eq!((first.version, first.rows_written), (Some(0), 2));
    let v1 = rates(&["2024-03"], &[0.3], "readmission-2");
    let second = GoldWriteBuilder::from_table(dir.path(), v1)
        .unwrap()
        .with_run_id("run-2")
        .await
        .unwrap();
    assert_eq!(second.version, Some(1), "rows and metadata in one commit");
    assert_eq!(sorted_rates(dir.path()).await, [0.3]);

    let history = HistoryBuilder::new(dir.path()).unwrap().await.unwrap();
    assert_eq!(history.len(), 2);
    for (entry, (version, run)) in history
        .iter()
        .zip([("readmission-2", "run-2"), ("readmission-1", "run-1")])
    {
        assert_eq!(entry.operation.as_deref(), Some("WRITE"));
        assert_eq!(entry.info["metric_version"], version);
        assert_eq!(entry.info["run_id"], run);
    }

    // Time travel: each WRITE version says which definition computed its rows.
    for (version, metric) in [(0, "readmission-1"), (1, "readmission-2")] {
        let table = delta_at(dir.path(), version).await;
        let metadata = table.snapshot().unwrap().metadata().clone();
        assert_eq!(metadata.configuration()["metric_version"], metric);
        assert_eq!(metadata.description(), Some("One row per discharge month."));
        assert_eq!(metadata.name(), Some("readmission_rates"));
        assert_eq!(metadata.partition_columns(), &["month".to_string()]);
        let schema = metadata.parse_schema().unwrap();
        let comment = schema
            .field("rate")
            .unwrap()
            .metadata()
            .get("comment")
            .cloned();
        assert_eq!(
            comment.map(|c| c.to_string()),
            Some("readmissions / index stays".into())
        );
    }
    let id = |t: &DeltaTable| t.snapshot().unwrap().metadata().id().to_string();
    assert_eq!(
        id(&delta_at(dir.path(), 0).await),
        id(&delta_at(dir.path(), 1).await),
        "a replacement keeps the table's identity"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_metric_version_may_change_the_schema_and_drop_old_comments() {
    let dir = tempfile::tempdir().unwrap();
    GoldWriteBuilder::from_table(dir.path(), rates(&["2024-01"], &[0.1], "v1"))
        .unwrap()
        .await
        .unwrap();
    let reshaped = df!("month" => ["2024-01"], "readmissions" => [3i64]).unwrap();
    GoldWriteBuilder::new(dir.path(), reshaped.lazy(), "v2")
        .unwrap()
        .with_column_comment("readmissions", "count")
        .await
        .unwrap();
    let out = read_sorted(dir.path(), "month").await;
    assert_eq!(out.get_column_names(), ["month", "readmissions"]);
    let properties = table_properties(dir.path()).await.unwrap();
    assert_eq!(properties["metric_version"], "v2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_on_a_missing_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let table = rates(&["2024-01"], &[0.1], "v1").with_column_comment("ratio", "typo");
    let err = GoldWriteBuilder::from_table(dir.path(), table)
        .unwrap()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ColumnNotFound { column, .. } if column == "ratio"),
        "{err}"
    );
    assert!(
        !dir.path()
            .join("_delta_log")
            .join("00000000000000000000.json")
            .exists()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_where_rewrites_only_its_partition_under_the_same_metric_version() {
    let dir = tempfile::tempdir().unwrap();
    GoldWriteBuilder::from_table(
        dir.path(),
        rates(&["2024-01", "2024-02"], &[0.1, 0.2], "v1"),
    )
    .unwrap()
    .await
    .unwrap();
    GoldWriteBuilder::from_table(dir.path(), rates(&["2024-02"], &[0.25], "v1"))
        .unwrap()
        .with_replace_where("month = '2024-02'")
        .with_run_id("run-7")
        .with_commit_metadata("inputs", "silver@3")
        .await
        .unwrap();
    assert_eq!(sorted_rates(dir.path()).await, [0.1, 0.25]);
    let history = HistoryBuilder::new(dir.path()).unwrap().await.unwrap();
    assert_eq!(history.len(), 2, "one commit per write");
    assert_eq!(history[0].info["inputs"], "silver@3");
    assert_eq!(history[0].info["run_id"], "run-7");
    assert_eq!(history[0].info["metric_version"], "v1");

    // A new definition must recompute the whole table: nothing is written.
    let err = GoldWriteBuilder::from_table(dir.path(), rates(&["2024-02"], &[0.9], "v2"))
        .unwrap()
        .with_replace_where("month = '2024-02'")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidConfiguration { .. }), "{err}");
    assert_eq!(sorted_rates(dir.path()).await, [0.1, 0.25]);
    assert_eq!(
        table_properties(dir.path()).await.unwrap()["metric_version"],
        "v1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn naive_datetimes_get_the_timestamp_ntz_feature_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let frame = df!("at" => [1_700_000_000_000_000i64], "n" => [1i64])
        .unwrap()
        .lazy()
        .with_column(col("at").cast(DataType::Datetime(TimeUnit::Microseconds, None)));
    GoldWriteBuilder::new(dir.path(), frame, "v1")
        .unwrap()
        .await
        .unwrap();
    let table = delta_at(dir.path(), 0).await;
    let protocol = serde_json::to_value(table.snapshot().unwrap().protocol()).unwrap();
    assert_eq!(
        protocol["readerFeatures"],
        serde_json::json!(["timestampNtz"])
    );
    let back = read_sorted(dir.path(), "n").await;
    assert_eq!(
        back.column("at").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Microseconds, None)
    );
}
