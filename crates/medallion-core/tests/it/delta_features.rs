//! What our tables look like to other engines: plain strings, statistics, comments,
//! change data feed, constraints, restore, table features.

use medallion_core::deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use medallion_core::pipeline::{
    BronzeIngestBuilder, GoldTable, GoldWriteBuilder, Scd2Builder, SilverBuilder,
};
use medallion_core::{
    CHANGE_TYPE, COMMIT_VERSION, ChangesBuilder, Constraint, Error, HistoryBuilder, MergeBuilder,
    OptimizeBuilder, ReadBuilder, RestoreBuilder, WriteBuilder, constraints,
};
use polars::prelude::*;

/// Every Arrow type declared in the footers of the Parquet files under `root`.
fn parquet_arrow_types(root: &std::path::Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                let file = std::fs::File::open(&path).unwrap();
                let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
                for field in reader.schema().fields() {
                    found.push((field.name().clone(), format!("{:?}", field.data_type())));
                }
            }
        }
    }
    found
}

fn view_types(root: &std::path::Path) -> Vec<(String, String)> {
    let all = parquet_arrow_types(root);
    assert!(!all.is_empty(), "no parquet files under {}", root.display());
    all.into_iter()
        .filter(|(_, t)| t.contains("View"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn written_merged_and_optimized_files_declare_plain_strings() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("plain");
    let rows = |ids: &[i64], v: &str| {
        df!("id" => ids, "v" => vec![v; ids.len()], "b" => vec![v.as_bytes(); ids.len()])
            .unwrap()
            .lazy()
    };
    WriteBuilder::new(&table, rows(&[1, 2], "x"))
        .unwrap()
        .await
        .unwrap();
    WriteBuilder::new(&table, rows(&[3], "y"))
        .unwrap()
        .await
        .unwrap();
    assert_eq!(view_types(&table), []);
    MergeBuilder::new(&table, rows(&[2, 4], "z"), ["id"])
        .unwrap()
        .when_matched_update_all(None::<String>)
        .when_not_matched_insert_all(None::<String>)
        .await
        .unwrap();
    assert_eq!(view_types(&table), []);
    OptimizeBuilder::new(&table).unwrap().await.unwrap();
    assert_eq!(view_types(&table), []);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gold_and_scd2_files_declare_plain_strings() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold/rates");
    let frame = df!("month" => ["2024-01"], "rate" => [0.5]).unwrap().lazy();
    GoldWriteBuilder::from_table(&gold, GoldTable::new("rates", frame, "v1"))
        .unwrap()
        .await
        .unwrap();
    assert_eq!(view_types(&gold), []);
    let dim = dir.path().join("gold/dim");
    let at = |d| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2024, 1, d, 0, 0, 0).unwrap();
    for (day, city) in [(1, "Lynn"), (2, "Salem")] {
        let snapshot = df!("id" => ["a"], "city" => [city]).unwrap().lazy();
        Scd2Builder::new(&dim, snapshot, ["id"], ["city"], at(day))
            .unwrap()
            .await
            .unwrap();
    }
    assert_eq!(view_types(&dim), []);
}

/// Lands `body` as `<batch>/visits.csv` and ingests it into bronze.
async fn land(landing: &std::path::Path, lake: &std::path::Path, batch: &str, body: &str) {
    let file = landing.join(batch).join("visits.csv");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, body).unwrap();
    BronzeIngestBuilder::new(landing, lake.join("bronze/visits"), "t")
        .unwrap()
        .await
        .unwrap();
}

/// The silver builder of `visits` (key `Id`, `v` typed as an integer).
fn silver(lake: &std::path::Path) -> SilverBuilder {
    SilverBuilder::new(
        lake.join("bronze/visits"),
        lake.join("silver/visits"),
        "t",
        ["Id"],
    )
    .unwrap()
    .with_transform(|lf| Ok::<_, PolarsError>(lf.with_column(col("v").cast(DataType::Int64))))
}

/// Lands `body`, then runs bronze and silver.
async fn land_and_refine(
    landing: &std::path::Path,
    lake: &std::path::Path,
    batch: &str,
    body: &str,
) {
    land(landing, lake, batch, body).await;
    silver(lake).await.unwrap();
}

/// The `stats` of every `add` action in the log of the table at `root`.
fn file_stats(root: &std::path::Path) -> Vec<serde_json::Value> {
    let mut stats = Vec::new();
    for entry in std::fs::read_dir(root.join("_delta_log")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        for line in std::fs::read_to_string(path).unwrap().lines() {
            let action: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Some(text) = action["add"]["stats"].as_str() {
                stats.push(serde_json::from_str(text).unwrap());
            }
        }
    }
    stats
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bronze_and_silver_files_declare_plain_strings_after_inserts_and_merges() {
    let (landing, lake) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    land_and_refine(landing.path(), lake.path(), "b1", "Id,v\na,1\nb,2\n").await;
    land_and_refine(landing.path(), lake.path(), "b2", "Id,v\nb,3\nc,4\n").await;
    assert_eq!(view_types(&lake.path().join("bronze/visits")), []);
    assert_eq!(view_types(&lake.path().join("silver/visits")), []);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silver_files_have_statistics_for_keys_dates_and_batch_past_column_32() {
    let (landing, lake) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let filler: Vec<String> = (0..40).map(|i| format!("c{i}")).collect();
    let header = format!("{},Id,v,day", filler.join(","));
    let row = |id: &str| format!("{},{id},1,2024-03-0{}", vec!["x"; 40].join(","), id.len());
    land(
        landing.path(),
        lake.path(),
        "b1",
        &format!("{header}\n{}\n", row("a")),
    )
    .await;
    silver(lake.path())
        .with_transform(|lf| {
            Ok::<_, PolarsError>(lf.with_columns([
                col("v").cast(DataType::Int64),
                col("day").str().to_date(StrptimeOptions::default()),
            ]))
        })
        .await
        .unwrap();
    let silver = lake.path().join("silver/visits");
    let stats = file_stats(&silver);
    assert!(!stats.is_empty());
    for file in &stats {
        let min = &file["minValues"];
        assert_eq!(min["Id"], "a", "{file}");
        assert_eq!(min["day"], "2024-03-01", "{file}");
        assert!(min["_batch_id"].is_number(), "{file}");
        assert!(min.get("c0").is_none(), "only the chosen columns: {file}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silver_change_feed_shows_inserts_and_updates_by_version() {
    let (landing, lake) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    land_and_refine(landing.path(), lake.path(), "b1", "Id,v\na,1\nb,2\n").await;
    land_and_refine(landing.path(), lake.path(), "b2", "Id,v\nb,3\nc,4\n").await;
    let changes = ChangesBuilder::new(lake.path().join("silver/visits"))
        .unwrap()
        .await
        .unwrap()
        .select([col("Id"), col("v"), col(CHANGE_TYPE), col(COMMIT_VERSION)])
        .sort(["Id", CHANGE_TYPE], SortMultipleOptions::default())
        .collect()
        .unwrap();
    let rows: Vec<String> = (0..changes.height())
        .map(|i| {
            let row = changes.get_row(i).unwrap().0;
            format!(
                "{} {} {}",
                row[0].get_str().unwrap(),
                row[1],
                row[2].get_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "a 1 insert",
            "b 2 insert",
            "b 3 update_postimage",
            "b 2 update_preimage",
            "c 4 insert"
        ]
    );
    let versions = changes.column(COMMIT_VERSION).unwrap().n_unique().unwrap();
    assert!(versions >= 2, "changes of several commits: {changes}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_feed_shows_deletes_and_reads_a_version_range() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path();
    WriteBuilder::new(
        table,
        df!("id" => [1i64, 2], "v" => ["a", "b"]).unwrap().lazy(),
    )
    .unwrap()
    .with_table_property("delta.enableChangeDataFeed", "true")
    .await
    .unwrap();
    MergeBuilder::new(table, df!("id" => [2i64]).unwrap().lazy(), ["id"])
        .unwrap()
        .when_matched_delete(None::<String>)
        .await
        .unwrap();
    let only_v1 = ChangesBuilder::new(table)
        .unwrap()
        .with_starting_version(1)
        .with_ending_version(1)
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(only_v1.height(), 1);
    assert_eq!(
        only_v1.column(CHANGE_TYPE).unwrap().str().unwrap().get(0),
        Some("delete")
    );
    assert_eq!(only_v1.column("id").unwrap().i64().unwrap().get(0), Some(2));
    let since_epoch = ChangesBuilder::new(table)
        .unwrap()
        .with_starting_timestamp(chrono::DateTime::UNIX_EPOCH)
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(since_epoch.height(), 3, "two inserts and a delete");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silver_constraints_reject_a_violating_batch_and_name_the_constraint() {
    let (landing, lake) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let refine = || {
        silver(lake.path())
            .with_not_null_keys()
            .with_constraint(Constraint::check("v_below_100", "v < 100"))
    };
    land(landing.path(), lake.path(), "b1", "Id,v\na,1\n").await;
    refine().with_run_id("r1").await.unwrap();
    let table = lake.path().join("silver/visits");
    let names: Vec<String> = constraints(&table)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["id_not_null", "v_below_100"]);

    land(landing.path(), lake.path(), "b2", "Id,v\nb,734\n").await;
    let err = refine().await.unwrap_err();
    assert!(
        matches!(err, Error::ConstraintViolated { rows: Some(1), .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(message.contains("v_below_100"), "{message}");
    assert!(
        !message.contains("734"),
        "no row values in errors: {message}"
    );
    let held = ReadBuilder::new(&table)
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(held.height(), 1, "nothing committed");
    // The constraints were added once, in a commit of the run that added them.
    let history = HistoryBuilder::new(&table).unwrap().await.unwrap();
    let adds: Vec<_> = history
        .iter()
        .filter(|h| h.operation.as_deref() == Some("ADD CONSTRAINT"))
        .collect();
    assert_eq!(adds.len(), 1);
    assert_eq!(adds[0].info["run_id"], "r1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_undoes_a_bad_run_by_version_and_by_timestamp() {
    let (landing, lake) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    land_and_refine(landing.path(), lake.path(), "b1", "Id,v\na,1\nb,2\n").await;
    let table = lake.path().join("silver/visits");
    let good = medallion_core::table_version(&table)
        .await
        .unwrap()
        .unwrap();
    land_and_refine(landing.path(), lake.path(), "b2", "Id,v\na,-5\nc,7\n").await;
    let sum = |df: DataFrame| df.column("v").unwrap().i64().unwrap().sum();
    let restored = RestoreBuilder::new(&table)
        .unwrap()
        .with_version(good)
        .with_run_id("undo-1")
        .await
        .unwrap();
    assert!(restored.version > Some(good));
    let rows = ReadBuilder::new(&table)
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!((rows.height(), sum(rows)), (2, Some(3)));
    let history = HistoryBuilder::new(&table).unwrap().await.unwrap();
    assert_eq!(history[0].operation.as_deref(), Some("RESTORE"));
    assert_eq!(history[0].info["run_id"], "undo-1");

    // By timestamp: a time after the restore brings back the restored rows again.
    let after = chrono::Utc::now();
    WriteBuilder::new(&table, df!("Id" => ["z"]).unwrap().lazy())
        .unwrap()
        .with_schema_evolution(medallion_core::SchemaEvolution::Merge)
        .await
        .unwrap();
    RestoreBuilder::new(&table)
        .unwrap()
        .with_timestamp(after)
        .await
        .unwrap();
    let rows = ReadBuilder::new(&table)
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(rows.height(), 2);
    let no_target = RestoreBuilder::new(&table).unwrap().await.unwrap_err();
    assert!(
        matches!(no_target, Error::InvalidConfiguration { .. }),
        "{no_target}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_whose_protocol_enables_deletion_vectors_reads_while_no_file_has_one() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), df!("x" => [1i64, 2]).unwrap().lazy())
        .unwrap()
        .await
        .unwrap();
    // What a recent Databricks runtime commits when it enables deletion vectors.
    let log = dir.path().join("_delta_log");
    let v0 = std::fs::read_to_string(log.join("00000000000000000000.json")).unwrap();
    let mut metadata: serde_json::Value = v0
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|a| a.get("metaData").is_some())
        .unwrap();
    metadata["metaData"]["configuration"]["delta.enableDeletionVectors"] = "true".into();
    let protocol = serde_json::json!({"protocol": {"minReaderVersion": 3, "minWriterVersion": 7,
        "readerFeatures": ["deletionVectors"], "writerFeatures": ["deletionVectors"]}});
    let commit = serde_json::json!({"commitInfo": {"timestamp": 1_700_000_000_000i64, "operation": "SET TBLPROPERTIES"}});
    std::fs::write(
        log.join("00000000000000000001.json"),
        format!("{commit}\n{protocol}\n{metadata}\n"),
    )
    .unwrap();
    let rows = ReadBuilder::new(dir.path())
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(rows.height(), 2);
}
