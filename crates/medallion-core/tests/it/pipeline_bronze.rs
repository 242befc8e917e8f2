//! Bronze ingestion: incremental, exactly-once, schema drift, crash recovery.

use medallion_core::pipeline::{
    BATCH_ID, BronzeIngestBuilder, BronzeReport, INGEST_ISSUE, RAW_LINE, SOURCE_FILE, SOURCE_ROW,
};
use medallion_core::{AppTransaction, ReadBuilder, WriteBuilder, app_transaction_version};
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

// ---- Content identity, bad rows, headers, redaction ----------------------------------

async fn ingest(landing: &std::path::Path, table: &std::path::Path) -> BronzeReport {
    BronzeIngestBuilder::new(landing, table, "t")
        .unwrap()
        .await
        .unwrap()
}

fn text_column(frame: &DataFrame, name: &str) -> Vec<Option<String>> {
    frame
        .column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

async fn rows_by_source_row(table: &std::path::Path) -> DataFrame {
    ReadBuilder::new(table)
        .unwrap()
        .await
        .unwrap()
        .sort([BATCH_ID, SOURCE_ROW], SortMultipleOptions::default())
        .collect()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_landing_roots_with_the_same_file_names_are_both_ingested() {
    let (first_root, second_root) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    write(&first_root.path().join("encounters.csv"), "Id,CODE\ne1,1\n");
    write(
        &second_root.path().join("encounters.csv"),
        "Id,CODE\ne2,2\ne3,3\n",
    );
    let first = ingest(first_root.path(), &table).await;
    let second = ingest(second_root.path(), &table).await;
    assert_eq!((first.batch_id, first.rows_written), (Some(1), 1));
    assert_eq!(
        (second.batch_id, second.rows_written),
        (Some(2), 2),
        "{second:?}"
    );
    assert_eq!(rows(&table).await.height(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_export_is_reported_and_not_ingested_again() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    let body = "Id,CODE\ne1,1\ne2,2\n";
    write(&landing.path().join("2024-01/encounters.csv"), body);
    ingest(landing.path(), &table).await;
    write(&landing.path().join("2024-01-copy/encounters.csv"), body);
    let again = ingest(landing.path(), &table).await;
    assert_eq!(again.rows_written, 0);
    assert!(again.files_ingested.is_empty());
    assert_eq!(
        again.files_redelivered,
        ["2024-01-copy/encounters.csv: same content as 2024-01/encounters.csv (batch 1)"]
    );
    assert_eq!(rows(&table).await.height(), 2);
    // Recorded: the next run neither re-reports nor ingests it.
    let third = ingest(landing.path(), &table).await;
    assert_eq!(
        (
            third.batch_id,
            third.files_redelivered.len(),
            third.files_already_ingested
        ),
        (None, 0, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_content_under_an_ingested_path_is_a_new_batch() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    let file = landing.path().join("encounters.csv");
    write(&file, "Id,CODE\ne1,1\n");
    ingest(landing.path(), &table).await;
    write(&file, "Id,CODE\ne1,corrected\ne2,2\n");
    let second = ingest(landing.path(), &table).await;
    assert_eq!((second.batch_id, second.rows_written), (Some(2), 2));
    assert_eq!(second.files_ingested, ["encounters.csv"]);
    assert_eq!(second.files[0].rows, 2);
    assert_eq!(rows(&table).await.height(), 3);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rerun_does_not_hash_a_file_whose_size_and_mtime_are_unchanged() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    let file = landing.path().join("encounters.csv");
    write(&file, "Id,CODE\ne1,1\n");
    ingest(landing.path(), &table).await;
    let mtime = std::fs::metadata(&file).unwrap().modified().unwrap();
    // Same size, other bytes, modification time restored: only a hash could tell.
    write(&file, "Id,CODE\ne9,9\n");
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let rerun = ingest(landing.path(), &table).await;
    assert_eq!((rerun.batch_id, rerun.files_already_ingested), (None, 1));
    // Once the mtime moves, the content is hashed and found new.
    std::fs::File::options()
        .write(true)
        .open(&file)
        .unwrap()
        .set_modified(mtime + std::time::Duration::from_secs(5))
        .unwrap();
    let changed = ingest(landing.path(), &table).await;
    assert_eq!(changed.rows_written, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_only_file_creates_the_table_with_its_columns_and_is_recorded() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/allergies");
    write(
        &landing.path().join("allergies.csv"),
        "START,PATIENT,CODE\n",
    );
    let first = ingest(landing.path(), &table).await;
    assert_eq!((first.batch_id, first.rows_written), (Some(1), 0));
    assert_eq!(first.files[0].columns, ["START", "PATIENT", "CODE"]);
    let all = rows_by_source_row(&table).await;
    assert_eq!(all.height(), 0);
    for column in ["START", "PATIENT", "CODE"] {
        assert_eq!(all.column(column).unwrap().dtype(), &DataType::String);
    }
    let again = ingest(landing.path(), &table).await;
    assert_eq!((again.batch_id, again.files_already_ingested), (None, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_utf8_byte_keeps_the_row_decoded_lossily_with_its_issue() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/patients");
    let body = b"Id,FIRST\np1,Ann\np2,B\xE9a\np3,Cy\n";
    std::fs::write(landing.path().join("patients.csv"), body).unwrap();
    let report = ingest(landing.path(), &table).await;
    assert_eq!((report.rows_written, report.files[0].issues), (3, 1));
    let all = rows_by_source_row(&table).await;
    assert_eq!(
        text_column(&all, "FIRST"),
        [
            Some("Ann".into()),
            Some("B\u{FFFD}a".into()),
            Some("Cy".into())
        ]
    );
    assert_eq!(
        text_column(&all, INGEST_ISSUE),
        [
            None,
            Some("invalid_utf8: line 3: bytes that are not UTF-8 in column FIRST (field 2), decoded lossily".into()),
            None
        ]
    );
    assert_eq!(text_column(&all, RAW_LINE), [None, None, None]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unbalanced_quote_in_a_middle_row_loses_no_other_row() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/patients");
    write(
        &landing.path().join("patients.csv"),
        "Id,CITY\np1,Boston\np2,\"Salem\np3,Lowell\np4,\"Quincy, MA\"\n",
    );
    let report = ingest(landing.path(), &table).await;
    assert_eq!(report.rows_written, 4, "{report:?}");
    let all = rows_by_source_row(&table).await;
    assert_eq!(
        text_column(&all, "Id"),
        [
            Some("p1".into()),
            Some("p2".into()),
            Some("p3".into()),
            Some("p4".into())
        ]
    );
    assert_eq!(text_column(&all, "CITY")[3], Some("Quincy, MA".into()));
    let issues = text_column(&all, INGEST_ISSUE);
    assert!(
        issues[1]
            .as_deref()
            .unwrap()
            .starts_with("malformed_row: line 3: unbalanced quote"),
        "{issues:?}"
    );
    assert_eq!(
        (issues[0].clone(), issues[2].clone(), issues[3].clone()),
        (None, None, None)
    );
    assert_eq!(text_column(&all, RAW_LINE)[1], Some("p2,\"Salem".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ragged_rows_are_kept_with_their_raw_line_and_field_count() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    write(
        &landing.path().join("encounters.csv"),
        "Id,START,STOP\ne1,a,b\ne2,a,b,extra\ne3,a\ne4,a,b\n",
    );
    let report = ingest(landing.path(), &table).await;
    assert_eq!((report.rows_written, report.files[0].issues), (4, 2));
    let all = rows_by_source_row(&table).await;
    assert_eq!(
        text_column(&all, INGEST_ISSUE),
        [
            None,
            Some("malformed_row: line 3: 4 fields, header has 3".into()),
            Some("malformed_row: line 4: 2 fields, header has 3".into()),
            None
        ]
    );
    assert_eq!(
        text_column(&all, RAW_LINE),
        [None, Some("e2,a,b,extra".into()), Some("e3,a".into()), None]
    );
    assert_eq!(
        text_column(&all, "STOP"),
        [Some("b".into()), Some("b".into()), None, Some("b".into())]
    );
    let source_rows: Vec<i64> = all
        .column(SOURCE_ROW)
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(source_rows, [1, 2, 3, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn header_names_with_blanks_are_trimmed_and_reported() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    // Also a byte-order mark and Windows line ends, on Polars' fast path.
    write(
        &landing.path().join("encounters.csv"),
        "\u{feff}Id, START, STOP\r\ne1,2020,2021\r\ne2,2022,2023",
    );
    let report = ingest(landing.path(), &table).await;
    assert_eq!(
        report.header_fixes,
        ["encounters.csv: 2 header name(s) trimmed, a UTF-8 byte-order mark removed"]
    );
    assert_eq!(report.files[0].columns, ["Id", "START", "STOP"]);
    assert_eq!((report.rows_written, report.files[0].issues), (2, 0));
    let all = rows(&table).await;
    assert_eq!(
        text_column(&all, "Id"),
        [Some("e1".into()), Some("e2".into())]
    );
    assert_eq!(
        text_column(&all, "STOP"),
        [Some("2021".into()), Some("2023".into())]
    );
    assert!(all.column(" START").is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_written_before_file_records_keeps_its_files_ingested_by_path() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    let table = lake.path().join("bronze/encounters");
    write(&landing.path().join("2024-01/encounters.csv"), "Id\ne1\n");
    // A legacy bronze batch: lineage columns, an application transaction, no records.
    let legacy = df!(
        "Id" => ["e1"],
        SOURCE_FILE => ["2024-01/encounters.csv"],
        SOURCE_ROW => [1i64],
        BATCH_ID => [1i64]
    )
    .unwrap();
    WriteBuilder::new(&table, legacy.lazy())
        .unwrap()
        .with_app_transaction(AppTransaction::new("t/encounters", 1))
        .await
        .unwrap();
    write(&landing.path().join("2024-02/encounters.csv"), "Id\ne2\n");
    let report = ingest(landing.path(), &table).await;
    assert_eq!(report.files_ingested, ["2024-02/encounters.csv"]);
    assert_eq!(
        (report.batch_id, report.files_already_ingested),
        (Some(2), 1)
    );
    assert_eq!(rows(&table).await.height(), 2);
    let again = ingest(landing.path(), &table).await;
    assert_eq!((again.batch_id, again.files_already_ingested), (None, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bronze_errors_and_reports_contain_no_field_values() {
    const SECRETS: [&str; 3] = ["999-12-3456", "Zebulon", "Quixote"];
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    // Bad rows of every kind: the report names lines and columns only.
    write(
        &landing.path().join("patients.csv"),
        "Id,SSN,FIRST,LAST\np1,999-12-3456,\"Zebulon,Quixote\np2,999-12-3456,Zebulon,Quixote,x\n",
    );
    let table = lake.path().join("bronze/patients");
    let report = ingest(landing.path(), &table).await;
    let issues = text_column(&rows_by_source_row(&table).await, INGEST_ISSUE);
    let shown = format!("{report:?} {issues:?}");
    // A Polars parse error (broken NDJSON) must not pass its quoted row through.
    write(
        &landing.path().join("events.ndjson"),
        "{\"ssn\": \"999-12-3456\"}\n{\"name\": \"Zebulon Quixote\" 999-12-3456\n",
    );
    let error = BronzeIngestBuilder::new(landing.path(), lake.path().join("bronze/events"), "t")
        .unwrap()
        .await
        .unwrap_err();
    let error = format!("{error} {error:?}");
    assert!(error.contains("events.ndjson"), "{error}");
    for secret in SECRETS {
        assert!(!shown.contains(secret), "report shows {secret}: {shown}");
        assert!(!error.contains(secret), "error shows {secret}: {error}");
    }
}
