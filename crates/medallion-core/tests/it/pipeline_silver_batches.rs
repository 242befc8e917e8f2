//! Silver over several bronze batches: reconciled counts on every run (inserted, updated,
//! unchanged, deduplicated), incremental silver equal to all batches at once, ingest
//! issues, header-only batches, and no patient values in errors.

use medallion_core::pipeline::{
    BATCH_ID, BronzeIngestBuilder, DQ_FLAGS, INGEST_ISSUE, INVALID_UTF8_RULE, Layer,
    MALFORMED_ROW_RULE, Rule, RunReport, SOURCE_FILE, SOURCE_ROW, SilverBuilder, SilverReport,
    TableRunReport,
};
use medallion_core::{ReadBuilder, WriteBuilder};
use polars::prelude::*;
use proptest::prelude::*;

/// Lineage columns: where a row came from; allowed to differ between incremental and
/// all-at-once silver.
const LINEAGE: [&str; 4] = ["_batch_id", "_ingested_at", "_source_file", "_source_row"];

/// A landing directory and a lake; batches land in their own sub-directories.
struct Lake {
    landing: tempfile::TempDir,
    lake: tempfile::TempDir,
    batches: usize,
}

impl Lake {
    fn new() -> Self {
        Self {
            landing: tempfile::tempdir().unwrap(),
            lake: tempfile::tempdir().unwrap(),
            batches: 0,
        }
    }

    /// Lands `body` as the next export and ingests it (one bronze `_batch_id`).
    async fn land(&mut self, body: &str) {
        self.drop_file(body);
        self.ingest().await;
    }

    /// Lands `body` as the next export, in its own folder, without ingesting it.
    fn drop_file(&mut self, body: &str) {
        self.batches += 1;
        let dir = self.landing.path().join(format!("b{}", self.batches));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("visits.csv"), body).unwrap();
    }

    /// Ingests every export landed since the last ingestion as one bronze batch.
    async fn ingest(&self) {
        BronzeIngestBuilder::new(self.landing.path(), self.bronze(), "t")
            .unwrap()
            .await
            .unwrap();
    }

    fn bronze(&self) -> std::path::PathBuf {
        self.lake.path().join("bronze/visits")
    }

    fn silver(&self) -> std::path::PathBuf {
        self.lake.path().join("silver/visits")
    }

    fn quarantine(&self) -> std::path::PathBuf {
        self.lake.path().join("silver/visits_quarantine")
    }

    fn builder(&self, keyed: bool) -> SilverBuilder {
        let keys: Vec<&str> = if keyed { vec!["Id"] } else { Vec::new() };
        let builder = SilverBuilder::new(self.bronze(), self.silver(), "t", keys)
            .unwrap()
            .with_transform(|lf| {
                Ok::<_, PolarsError>(lf.with_column(col("ts").cast(DataType::Int64)))
            })
            .with_rule(Rule::quarantine(
                "bad_v",
                col("v").eq(lit("bad")),
                "v is bad",
            ))
            .with_rule(Rule::warn("zero_ts", col("ts").eq(lit(0)), "ts is zero"))
            .with_duplicate_flag("dup");
        if keyed {
            builder.with_order_by(["ts"])
        } else {
            builder.with_exact_duplicates_dropped(false)
        }
    }

    async fn run(&self, keyed: bool) -> SilverReport {
        let report = self.builder(keyed).await.unwrap();
        assert!(report.reconciles(), "{report:?}");
        report
    }
}

async fn read(path: &std::path::Path) -> DataFrame {
    ReadBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap()
}

/// The silver rows without lineage, `_dq_flags` as text, in a canonical order.
async fn content(path: &std::path::Path) -> DataFrame {
    let rows = ReadBuilder::new(path).unwrap().await.unwrap();
    let mut rows = rows.with_column(col(DQ_FLAGS).list().join(lit("|"), true));
    let schema = rows.collect_schema().unwrap();
    let columns: Vec<String> = schema
        .iter_names()
        .map(|n| n.to_string())
        .filter(|n| !LINEAGE.contains(&n.as_str()))
        .collect();
    rows.select(columns.iter().map(|c| col(c.as_str())).collect::<Vec<_>>())
        .sort(columns.clone(), SortMultipleOptions::default())
        .collect()
        .unwrap()
}

fn strs(df: &DataFrame, column: &str) -> Vec<String> {
    df.column(column)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

fn counts(r: &SilverReport) -> [u64; 6] {
    [
        r.rows_read,
        r.rows_inserted,
        r.rows_updated,
        r.rows_unchanged,
        r.rows_deduplicated,
        r.rows_quarantined,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_batch_counts_updates_unchanged_rows_late_records_and_new_keys() {
    let mut lake = Lake::new();
    lake.land("Id,ts,v\na,1,x\nb,1,y\nc,5,z\n").await;
    let first = lake.run(true).await;
    assert_eq!(counts(&first), [3, 3, 0, 0, 0, 0]);
    // a: newer and different (update); b: the same row again (unchanged); c: older than
    // silver's (late, loses); d: new; e: quarantined.
    lake.land("Id,ts,v\na,2,x2\nb,1,y\nc,3,old\nd,1,w\ne,1,bad\n")
        .await;
    let second = lake.run(true).await;
    assert_eq!(counts(&second), [5, 1, 1, 1, 1, 1]);
    assert_eq!(second.rows_written, 2);
    let silver = read(&lake.silver())
        .await
        .sort(["Id"], Default::default())
        .unwrap();
    assert_eq!(strs(&silver, "v"), ["x2", "y", "z", "w"]);
    // The unchanged row was not rewritten: it keeps the lineage of batch 1.
    let batches: Vec<i64> = silver
        .column(BATCH_ID)
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(batches, [2, 1, 1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_only_unchanged_rows_is_recorded_as_done() {
    let mut lake = Lake::new();
    lake.land("Id,ts,v\na,1,x\nb,1,y\n").await;
    lake.run(true).await;
    // The same rows in another file (other bytes: bronze would skip a byte-identical
    // re-delivery before silver sees it).
    lake.land("Id,ts,v\nb,1,y\na,1,x\n").await;
    let second = lake.run(true).await;
    assert_eq!(counts(&second), [2, 0, 0, 2, 0, 0]);
    assert_eq!(second.rows_written, 0);
    let again = lake.run(true).await;
    assert_eq!((again.rows_read, again.version), (0, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_repeated_by_a_later_batch_is_an_update_not_a_duplicate() {
    let batches = [
        "Id,ts,v\na,1,x\na,1,x\nb,1,y\n",
        "Id,ts,v\na,1,x\nb,2,y2\nb,2,y2\n",
    ];
    let mut incremental = Lake::new();
    for body in batches {
        incremental.land(body).await;
        incremental.run(true).await;
    }
    // Both exports landed before one run: one bronze batch of two files.
    let mut at_once = Lake::new();
    for body in batches {
        at_once.drop_file(body);
    }
    at_once.ingest().await;
    let together = at_once.run(true).await;
    assert_eq!(
        content(&incremental.silver()).await,
        content(&at_once.silver()).await
    );
    // Only keys repeated within an export are flagged: a (export 1) and b (export 2);
    // a's flag goes with export 2's copy, which replaces it.
    assert_eq!(together.rule_hits["dup"], 4);
    let silver = content(&at_once.silver()).await;
    assert_eq!(strs(&silver, DQ_FLAGS), ["", "dup"]);
}

/// One random batch: `(key, ts, value)` rows.
type Batch = Vec<(u8, u8, u8)>;

fn csv(batch: &Batch) -> String {
    let mut body = String::from("Id,ts,v\n");
    for (key, ts, v) in batch {
        let v = if *v == 3 {
            "bad".to_string()
        } else {
            format!("v{v}")
        };
        body.push_str(&format!("k{key},{ts},{v}\n"));
    }
    body
}

async fn incremental_equals_all_at_once(batches: Vec<Batch>, keyed: bool) {
    let mut incremental = Lake::new();
    for batch in &batches {
        incremental.land(&csv(batch)).await;
        let report = incremental.run(keyed).await;
        assert_eq!(report.rows_read, batch.len() as u64);
    }
    let expected = content(&incremental.silver()).await;
    let total: usize = batches.iter().map(Vec::len).sum();
    // All exports in one silver run: as bronze batches of their own, then landed
    // together as one bronze batch.
    for one_bronze_batch in [false, true] {
        let mut at_once = Lake::new();
        for batch in &batches {
            at_once.drop_file(&csv(batch));
            if !one_bronze_batch {
                at_once.ingest().await;
            }
        }
        at_once.ingest().await;
        let report = at_once.run(keyed).await;
        assert_eq!(report.rows_read, total as u64);
        assert_eq!(
            content(&at_once.silver()).await,
            expected,
            "{batches:?}, one bronze batch: {one_bronze_batch}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    /// For 1–3 random batches (repeated keys and rows, quarantined rows), every run
    /// reconciles and one run per batch leaves the same silver rows (apart from
    /// lineage) as one run over all of them.
    #[test]
    fn counts_reconcile_per_batch_and_incremental_equals_all_at_once(
        batches in proptest::collection::vec(
            proptest::collection::vec((0u8..4, 0u8..3, 0u8..5), 1..6),
            1..4,
        ),
        keyed in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(incremental_equals_all_at_once(batches, keyed));
    }
}

/// A hand-built bronze batch with the landing reader's issue columns.
async fn bronze_with_issues(path: &std::path::Path) {
    let issue: [Option<&str>; 3] = [
        None,
        Some("malformed_row: 2 fields, expected 3"),
        Some("invalid_utf8: 1 byte replaced"),
    ];
    let raw: [Option<&str>; 3] = [None, Some("b,1"), None];
    let df = df!(
        "Id" => ["a", "b", "c"],
        "ts" => [Some("1"), Some("1"), Some("2")],
        "v" => [Some("x"), None, Some("z\u{FFFD}")],
        BATCH_ID => [1i64, 1, 1],
        SOURCE_FILE => ["in/visits.csv"; 3],
        SOURCE_ROW => [1i64, 2, 3],
        INGEST_ISSUE => issue,
        "_raw_line" => raw,
    )
    .unwrap();
    WriteBuilder::new(path, df.lazy()).unwrap().await.unwrap();
}

fn flags(df: &DataFrame) -> Vec<String> {
    let joined = df
        .clone()
        .lazy()
        .select([col(DQ_FLAGS).list().join(lit("|"), true)])
        .collect()
        .unwrap();
    strs(&joined, DQ_FLAGS)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_rows_are_quarantined_and_invalid_utf8_rows_flagged() {
    for transform_keeps_issue in [true, false] {
        let lake = Lake::new();
        bronze_with_issues(&lake.bronze()).await;
        let report = SilverBuilder::new(lake.bronze(), lake.silver(), "t", ["Id"])
            .unwrap()
            .with_transform(move |lf: LazyFrame| {
                // A transform that keeps only its own columns and the lineage, or all.
                let lf = lf.with_column(col("ts").strict_cast(DataType::Int64));
                Ok::<_, PolarsError>(if transform_keeps_issue {
                    lf
                } else {
                    lf.select([
                        col("Id"),
                        col("ts"),
                        col("v"),
                        col(BATCH_ID),
                        col(SOURCE_FILE),
                        col(SOURCE_ROW),
                    ])
                })
            })
            .await
            .unwrap();
        assert!(report.reconciles(), "{report:?}");
        assert_eq!(
            (
                report.rows_read,
                report.rows_inserted,
                report.rows_quarantined
            ),
            (3, 2, 1)
        );
        assert_eq!(report.rule_hits[MALFORMED_ROW_RULE], 1);
        assert_eq!(report.rule_hits[INVALID_UTF8_RULE], 1);
        let silver = read(&lake.silver())
            .await
            .sort(["Id"], Default::default())
            .unwrap();
        assert!(silver.column(INGEST_ISSUE).is_err() && silver.column("_raw_line").is_err());
        assert_eq!(flags(&silver), ["", INVALID_UTF8_RULE]);
        let quarantine = read(&lake.quarantine()).await;
        assert_eq!(flags(&quarantine), [MALFORMED_ROW_RULE]);
        assert_eq!(
            strs(&quarantine, INGEST_ISSUE),
            ["malformed_row: 2 fields, expected 3"]
        );
        assert_eq!(strs(&quarantine, "_raw_line"), ["b,1"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_only_batch_creates_the_empty_silver_table() {
    let lake = Lake::new();
    let empty = df!(
        "Id" => Vec::<String>::new(),
        "ts" => Vec::<String>::new(),
        "v" => Vec::<String>::new(),
        BATCH_ID => Vec::<i64>::new(),
    )
    .unwrap();
    WriteBuilder::new(lake.bronze(), empty.lazy())
        .unwrap()
        .await
        .unwrap();
    let report = lake.builder(true).await.unwrap();
    assert!(report.reconciles());
    assert_eq!((report.rows_read, report.bronze_batches), (0, None));
    assert!(report.version.is_some());
    let mut silver = ReadBuilder::new(lake.silver()).unwrap().await.unwrap();
    let schema = silver.collect_schema().unwrap();
    assert_eq!(schema.get("ts"), Some(&DataType::Int64));
    assert!(schema.contains(DQ_FLAGS));
    assert_eq!(silver.collect().unwrap().height(), 0);
    // A second empty run leaves the table as it is.
    let again = lake.builder(true).await.unwrap();
    assert_eq!(again.version, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_from_patient_rows_do_not_show_their_values() {
    let mut lake = Lake::new();
    lake.land("Id,ts,v\n999-12-3456,1,Zebulon Quixote\n").await;
    let failed = SilverBuilder::new(lake.bronze(), lake.silver(), "t", ["Id"])
        .unwrap()
        .with_rule(Rule::fail(
            "zebra_names",
            col("v").str().starts_with(lit("Z")),
            "v starts with Z",
        ))
        .await
        .unwrap_err()
        .to_string();
    let cast = SilverBuilder::new(lake.bronze(), lake.silver(), "t", ["Id"])
        .unwrap()
        .with_transform(|lf| {
            Ok::<_, PolarsError>(lf.with_column(col("Id").strict_cast(DataType::Int64)))
        })
        .await
        .unwrap_err()
        .to_string();
    for message in [failed, cast] {
        assert!(
            !message.contains("999-12-3456") && !message.contains("Zebulon"),
            "{message}"
        );
        assert!(message.contains("visits"), "{message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_tables_from_before_the_change_counts_gain_the_new_columns() {
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("_runs");
    let old = df!(
        "run_id" => ["r0"],
        "layer" => ["silver"],
        "table" => ["visits"],
        "rows_read" => [3i64],
        "rows_written" => [3i64],
    )
    .unwrap();
    WriteBuilder::new(&runs, old.lazy()).unwrap().await.unwrap();
    let mut report = RunReport::new("r1", chrono::Utc::now());
    report.push(TableRunReport {
        layer: Layer::Silver,
        table: "visits".into(),
        rows_read: 5,
        rows_written: 2,
        rows_quarantined: 1,
        rows_deduplicated: 1,
        rows_inserted: 1,
        rows_updated: 1,
        rows_deleted: 0,
        rows_unchanged: 1,
        rule_hits: Default::default(),
        schema_drift: vec![],
        version: Some(1),
        duration: std::time::Duration::from_millis(1),
    });
    assert!(report.unreconciled().is_empty());
    report.append_to(&runs).await.unwrap();
    let rows = read(&runs)
        .await
        .sort(["run_id"], Default::default())
        .unwrap();
    let unchanged: Vec<Option<i64>> = rows
        .column("rows_unchanged")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(unchanged, [None, Some(1)]);
    assert!(report.to_string().contains("unchanged"));
}
