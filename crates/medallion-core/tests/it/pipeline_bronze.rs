//! Bronze ingestion: incremental, exactly-once, schema drift, crash recovery.

use medallion_core::pipeline::{BATCH_ID, BronzeIngestBuilder, SOURCE_FILE};
use medallion_core::{ReadBuilder, app_transaction_version};
use polars::prelude::*;

fn write(path: &std::path::Path, body: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, body).unwrap();
}

async fn rows(table: &std::path::Path) -> DataFrame {
    ReadBuilder::new(table)
        .unwrap()
        .await
        .unwrap()
        .sort([SOURCE_FILE, "Id"], SortMultipleOptions::default())
        .collect()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_files_are_ingested_once_and_old_ones_skipped() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    write(
        &landing.path().join("2024-01/encounters.csv"),
        "Id,CODE\ne1,0123\ne2,\n",
    );
    write(&landing.path().join("2024-01/patients.csv"), "Id\np1\n");

    let first = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!(first.batch_id, Some(1));
    assert_eq!(first.files_ingested, ["2024-01/encounters.csv"]);
    assert_eq!(first.rows_written, 2);

    let rerun = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!(
        (
            rerun.batch_id,
            rerun.rows_written,
            rerun.files_already_ingested
        ),
        (None, 0, 1)
    );

    write(
        &landing.path().join("2024-02/encounters.csv"),
        "Id,CODE\ne3,9\n",
    );
    let second = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!((second.batch_id, second.rows_written), (Some(2), 1));

    let all = rows(&table).await;
    assert_eq!(all.height(), 3);
    // Raw text is kept as text: the leading zero survives, the empty field is null.
    let code = all.column("CODE").unwrap().str().unwrap();
    assert_eq!((code.get(0), code.get(1)), (Some("0123"), None));
    let batches: Vec<i64> = all
        .column(BATCH_ID)
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(batches, [1, 1, 2]);
    assert_eq!(
        app_transaction_version(&table, "t/encounters")
            .await
            .unwrap(),
        Some(2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_appearing_later_are_merged_and_reported() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/patients");
    write(
        &landing.path().join("a/patients.csv"),
        "Id,CITY\np1,Boston\n",
    );
    BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    write(
        &landing.path().join("b/patients.csv"),
        "Id,INCOME\np2,50000\n",
    );
    let report = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!(report.new_columns, ["INCOME"]);
    assert_eq!(report.missing_columns, ["CITY"]);
    let all = rows(&table).await;
    let income = all.column("INCOME").unwrap().str().unwrap();
    assert_eq!((income.get(0), income.get(1)), (None, Some("50000")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_write_and_commit_loses_and_duplicates_nothing() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/events");
    write(
        &landing.path().join("b1/events.ndjson"),
        "{\"Id\": \"a\", \"v\": 1}\n{\"Id\": \"b\", \"v\": 2}\n",
    );
    BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();

    // Batch 2: one good file, one that breaks mid-write (the "crash": Parquet data may
    // already be on disk, but no commit happens).
    let big: String = (0..50_000)
        .map(|i| format!("{{\"Id\": \"g{i}\", \"v\": {i}}}\n"))
        .collect();
    write(&landing.path().join("b2/events.ndjson"), &big);
    write(
        &landing.path().join("b3/events.ndjson"),
        "{\"Id\": \"c\", \"v\": 3}\n{not json\n",
    );
    let crashed = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await;
    assert!(crashed.is_err(), "the broken file must fail the batch");
    assert_eq!(
        rows(&table).await.height(),
        2,
        "a failed batch must not be visible"
    );
    assert_eq!(
        app_transaction_version(&table, "t/events").await.unwrap(),
        Some(1)
    );

    // Fix the file and re-run: the same batch number, every row exactly once.
    write(
        &landing.path().join("b3/events.ndjson"),
        "{\"Id\": \"c\", \"v\": 3}\n",
    );
    let recovered = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!(recovered.batch_id, Some(2));
    assert_eq!(recovered.rows_written, 50_001);
    let all = rows(&table).await;
    assert_eq!(all.height(), 50_003);
    let distinct = all.column("Id").unwrap().n_unique().unwrap();
    assert_eq!(distinct, 50_003, "no row may be duplicated");

    // And a replay after the commit adds nothing.
    let replay = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!(replay.rows_written, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parquet_and_csv_files_of_one_table_land_together() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/obs");
    write(&landing.path().join("x/obs.csv"), "Id,VALUE\no1,1.5\n");
    let mut df = df!("Id" => ["o2"], "VALUE" => ["2.5"]).unwrap();
    let file = std::fs::File::create(landing.path().join("x/obs.parquet")).unwrap();
    ParquetWriter::new(file).finish(&mut df).unwrap();
    let report = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!(report.rows_written, 2);
    assert_eq!(report.files_ingested.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_reports_every_file_once_with_its_rows_and_size() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let bodies = [
        ("a/visits.csv", "Id\nv1\nv2\nv3\n"),
        ("b/visits.csv", "Id\nv4\n"),
    ];
    for (file, body) in bodies {
        write(&landing.path().join(file), body);
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    BronzeIngestBuilder::new(landing.path(), lake.path().join("bronze/visits"), "t")
        .unwrap()
        .with_progress(move |p| sink.lock().unwrap().push(p.clone()))
        .await
        .unwrap();
    let seen = seen.lock().unwrap();
    let summary: Vec<(String, usize, usize, u64, u64)> = seen
        .iter()
        .map(|p| (p.file.clone(), p.file_index, p.files, p.rows, p.bytes))
        .collect();
    let size = |body: &str| body.len() as u64;
    assert_eq!(
        summary,
        [
            ("a/visits.csv".to_string(), 1, 2, 3, size(bodies[0].1)),
            ("b/visits.csv".to_string(), 2, 2, 1, size(bodies[1].1)),
        ]
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symlinks_and_symlink_loops_in_the_landing_folder_ingest_each_file_once() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    write(
        &landing.path().join("2024-11/encounters.csv"),
        "Id,CODE\ne1,1\ne2,2\n",
    );
    std::os::unix::fs::symlink(".", landing.path().join("loop")).unwrap();
    std::os::unix::fs::symlink(
        landing.path().join("2024-11"),
        landing.path().join("latest"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        landing.path().join("2024-11/encounters.csv"),
        landing.path().join("encounters.csv"),
    )
    .unwrap();

    let report = BronzeIngestBuilder::new(landing.path(), &table, "t")
        .unwrap()
        .await
        .unwrap();
    assert_eq!(report.rows_written, 2, "{report:?}");
    assert_eq!(report.files_ingested.len(), 1, "{report:?}");
    assert_eq!(report.files_skipped.len(), 3, "{:?}", report.files_skipped);
    assert_eq!(rows(&table).await.height(), 2);
}
