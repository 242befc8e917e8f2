//! What our tables look like to other engines: plain strings, statistics, comments,
//! change data feed, constraints, restore, table features.

use medallion_core::deltalake::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use medallion_core::pipeline::{
    BronzeIngestBuilder, GoldTable, GoldWriteBuilder, Scd2Builder, SilverBuilder,
};
use medallion_core::{MergeBuilder, OptimizeBuilder, WriteBuilder};
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

/// Lands `body` as `<batch>/visits.csv`, then runs bronze and silver (key `Id`).
async fn land_and_refine(
    landing: &std::path::Path,
    lake: &std::path::Path,
    batch: &str,
    body: &str,
) {
    let file = landing.join(batch).join("visits.csv");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, body).unwrap();
    let bronze = lake.join("bronze/visits");
    BronzeIngestBuilder::new(landing, &bronze, "t")
        .unwrap()
        .await
        .unwrap();
    SilverBuilder::new(&bronze, lake.join("silver/visits"), "t", ["Id"])
        .unwrap()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bronze_and_silver_files_declare_plain_strings_after_inserts_and_merges() {
    let (landing, lake) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    land_and_refine(landing.path(), lake.path(), "b1", "Id,v\na,1\nb,2\n").await;
    land_and_refine(landing.path(), lake.path(), "b2", "Id,v\nb,3\nc,4\n").await;
    assert_eq!(view_types(&lake.path().join("bronze/visits")), []);
    assert_eq!(view_types(&lake.path().join("silver/visits")), []);
}
