//! Silver: rules, quarantine, dedup, upsert ordering, CDC, reconciliation.

use medallion_core::pipeline::{
    BronzeIngestBuilder, CdcConfig, CdcDeletes, DQ_FLAGS, Rule, SilverBuilder, apply_rules,
    deduplicate_latest,
};
use medallion_core::{Error, HistoryBuilder, ReadBuilder};
use polars::prelude::*;
use proptest::prelude::*;

struct Lake {
    landing: tempfile::TempDir,
    lake: tempfile::TempDir,
}

impl Lake {
    fn new() -> Self {
        Self {
            landing: tempfile::tempdir().unwrap(),
            lake: tempfile::tempdir().unwrap(),
        }
    }
    fn land(&self, batch: &str, body: &str) {
        let path = self.landing.path().join(batch).join("visits.csv");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    fn bronze(&self) -> std::path::PathBuf {
        self.lake.path().join("bronze/visits")
    }
    fn silver(&self) -> std::path::PathBuf {
        self.lake.path().join("silver/visits")
    }
    async fn ingest(&self) {
        BronzeIngestBuilder::new(self.landing.path(), self.bronze(), "t")
            .unwrap()
            .await
            .unwrap();
    }
    fn builder(&self) -> SilverBuilder {
        SilverBuilder::new(self.bronze(), self.silver(), "t", ["Id"])
            .unwrap()
            .with_transform(|lf| {
                Ok::<_, PolarsError>(lf.with_column(col("ts").cast(DataType::Int64)))
            })
            .with_order_by(["ts"])
    }
    async fn silver_rows(&self) -> DataFrame {
        ReadBuilder::new(self.silver())
            .unwrap()
            .await
            .unwrap()
            .sort(["Id"], SortMultipleOptions::default())
            .collect()
            .unwrap()
    }
}

fn strs(df: &DataFrame, column: &str) -> Vec<Option<String>> {
    df.column(column)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_reconcile_and_quarantine_keeps_flags_and_batch() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v\na,1,x\na,2,y\nb,1,bad\nc,1,z\n");
    lake.ingest().await;
    let report = lake
        .builder()
        .with_rule(Rule::quarantine(
            "bad_value",
            col("v").eq(lit("bad")),
            "v is bad",
        ))
        .with_rule(Rule::warn("late_ts", col("ts").gt(lit(1)), "ts above 1"))
        .await
        .unwrap();
    assert_eq!(
        (
            report.rows_read,
            report.rows_written,
            report.rows_quarantined,
            report.rows_deduplicated
        ),
        (4, 2, 1, 1)
    );
    assert!(report.reconciles());
    assert_eq!(report.rule_hits["bad_value"], 1);
    let silver = lake.silver_rows().await;
    assert_eq!(strs(&silver, "v"), [Some("y".into()), Some("z".into())]);
    assert!(silver.column(DQ_FLAGS).is_ok());
    let quarantine = ReadBuilder::new(lake.lake.path().join("silver/visits_quarantine"))
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(quarantine.height(), 1);
    assert_eq!(
        quarantine
            .column("_batch_id")
            .unwrap()
            .i64()
            .unwrap()
            .get(0),
        Some(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fail_rule_commits_nothing_anywhere() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v\na,1,x\nb,1,bad\n");
    lake.ingest().await;
    let err = lake
        .builder()
        .with_rule(Rule::quarantine("q", col("v").eq(lit("x")), "x"))
        .with_rule(Rule::fail("f", col("v").eq(lit("bad")), "bad"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::RuleFailed { ref rule, .. } if rule == "f"),
        "{err}"
    );
    assert!(!lake.silver().exists() || !lake.silver().join("_delta_log").exists());
    assert!(
        !lake
            .lake
            .path()
            .join("silver/visits_quarantine/_delta_log")
            .exists()
    );
}

/// A typed error of the caller's transform.
#[derive(Debug, PartialEq, thiserror::Error)]
#[error("visit {0} has no known schema")]
struct UnknownSchema(&'static str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transform_error_reaches_the_caller_typed_and_commits_nothing() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v\na,1,x\n");
    lake.ingest().await;
    let err = SilverBuilder::new(lake.bronze(), lake.silver(), "t", ["Id"])
        .unwrap()
        .with_transform(|_| Err::<LazyFrame, _>(UnknownSchema("a")))
        .await
        .unwrap_err();
    let Error::Transform { table, source } = &err else {
        panic!("expected a transform error, got {err}");
    };
    assert!(table.contains("silver/visits"), "{table}");
    assert_eq!(
        source.downcast_ref::<UnknownSchema>(),
        Some(&UnknownSchema("a"))
    );
    assert!(
        err.to_string().contains("visit a has no known schema"),
        "{err}"
    );
    assert!(!lake.silver().join("_delta_log").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upserts_keep_the_newest_record_and_replays_change_nothing() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v\na,5,new\nb,1,b1\n");
    lake.ingest().await;
    lake.builder().await.unwrap();
    // A late, older record for `a` and a newer one for `b`.
    lake.land("b2", "Id,ts,v\na,3,stale\nb,2,b2\nc,1,c1\n");
    lake.ingest().await;
    let report = lake.builder().await.unwrap();
    assert_eq!((report.rows_updated, report.rows_inserted), (1, 1));
    let silver = lake.silver_rows().await;
    assert_eq!(
        strs(&silver, "v"),
        [Some("new".into()), Some("b2".into()), Some("c1".into())]
    );
    // Nothing pending: a re-run reads nothing and commits nothing.
    let again = lake.builder().await.unwrap();
    assert_eq!((again.rows_read, again.version), (0, None));
}

/// Operations of the silver table's commits, oldest first.
async fn operations(lake: &Lake) -> Vec<String> {
    let mut history = HistoryBuilder::new(lake.silver()).unwrap().await.unwrap();
    history.reverse();
    history
        .into_iter()
        .map(|c| c.operation.unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_keys_are_appended_and_only_held_keys_are_merged() {
    let lake = Lake::new();
    lake.land(
        "b1",
        "Id,ts,v
a,1,a1
b,1,b1
",
    );
    lake.ingest().await;
    lake.builder().await.unwrap();
    // Only new keys: one streamed append, no MERGE.
    lake.land(
        "b2",
        "Id,ts,v
c,1,c1
",
    );
    lake.ingest().await;
    let appended = lake.builder().await.unwrap();
    assert_eq!((appended.rows_inserted, appended.rows_updated), (1, 0));
    assert_eq!(operations(&lake).await, ["WRITE", "WRITE"]);
    // New and held keys: the new one appended, the held one merged.
    lake.land(
        "b3",
        "Id,ts,v
b,2,b2
d,1,d1
",
    );
    lake.ingest().await;
    let mixed = lake.builder().await.unwrap();
    assert_eq!((mixed.rows_inserted, mixed.rows_updated), (1, 1));
    assert_eq!(operations(&lake).await[2..], ["WRITE", "MERGE"]);
    let silver = lake.silver_rows().await;
    assert_eq!(
        strs(&silver, "v"),
        ["a1", "b2", "c1", "d1"].map(|v| Some(v.to_string()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_the_append_and_the_merge_is_finished_by_the_rerun() {
    let lake = Lake::new();
    lake.land(
        "b1",
        "Id,ts,v
a,1,a1
",
    );
    lake.ingest().await;
    lake.builder().await.unwrap();
    lake.land(
        "b2",
        "Id,ts,v
a,2,a2
b,1,b1
",
    );
    lake.ingest().await;
    let first = lake.builder().await.unwrap();
    let merge_version = first.version.unwrap();
    assert_eq!(operations(&lake).await, ["WRITE", "WRITE", "MERGE"]);
    // Undo the MERGE commit: the state a crash after the append would leave.
    let log = lake.silver().join("_delta_log");
    std::fs::remove_file(log.join(format!("{merge_version:020}.json"))).unwrap();
    assert_eq!(operations(&lake).await, ["WRITE", "WRITE"]);
    let rerun = lake.builder().await.unwrap();
    // The recorded append is not repeated; the MERGE updates `a` and leaves `b` (same
    // ordering value) as it is.
    assert_eq!((rerun.rows_inserted, rerun.rows_updated), (0, 1));
    let silver = lake.silver_rows().await;
    assert_eq!(silver.height(), 2);
    assert_eq!(strs(&silver, "v"), [Some("a2".into()), Some("b1".into())]);
    let again = lake.builder().await.unwrap();
    assert_eq!((again.rows_read, again.version), (0, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soft_deletes_block_late_updates() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v,op\na,1,x,I\n");
    lake.ingest().await;
    lake.builder().with_cdc(CdcConfig::new("op")).await.unwrap();
    lake.land("b2", "Id,ts,v,op\na,5,x,D\n");
    lake.ingest().await;
    lake.builder().with_cdc(CdcConfig::new("op")).await.unwrap();
    lake.land("b3", "Id,ts,v,op\na,3,late,U\n");
    lake.ingest().await;
    lake.builder().with_cdc(CdcConfig::new("op")).await.unwrap();
    let silver = lake.silver_rows().await;
    assert_eq!(silver.height(), 1);
    assert_eq!(
        silver.column("_deleted").unwrap().bool().unwrap().get(0),
        Some(true)
    );
    assert_eq!(strs(&silver, "v"), [Some("x".into())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hard_deletes_remove_rows_and_never_insert_deletes() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v,op\na,1,x,I\nb,1,y,I\n");
    lake.ingest().await;
    let cdc = CdcConfig::new("op").with_deletes(CdcDeletes::Hard);
    lake.builder().with_cdc(cdc.clone()).await.unwrap();
    lake.land("b2", "Id,ts,v,op\na,2,x,D\nz,2,never,D\n");
    lake.ingest().await;
    let report = lake.builder().with_cdc(cdc).await.unwrap();
    assert_eq!(report.rows_deleted, 1);
    let silver = lake.silver_rows().await;
    assert_eq!(strs(&silver, "Id"), [Some("b".into())]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// bronze rows = kept + quarantined + removed duplicates, and kept keys are unique.
    #[test]
    fn rule_and_dedup_counts_reconcile(rows in proptest::collection::vec((0u8..6, 0i64..4, 0i64..10), 0..60)) {
        let ids: Vec<String> = rows.iter().map(|r| format!("k{}", r.0)).collect();
        let ts: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let v: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let df = df!("Id" => ids, "ts" => ts, "v" => v).unwrap();
        let rules = [
            Rule::quarantine("v_high", col("v").gt(lit(7)), "v above 7"),
            Rule::warn("v_zero", col("v").eq(lit(0)), "v zero"),
        ];
        let outcome = apply_rules(df.clone().lazy(), &rules, "p").unwrap();
        let dedup = deduplicate_latest(outcome.kept.clone().lazy(), &["Id".into()], &["ts".into()], "p").unwrap();
        let removed = dedup.removed;
        let kept = dedup.into_frame().collect().unwrap();
        prop_assert_eq!(
            df.height() as u64,
            kept.height() as u64 + outcome.quarantined.height() as u64 + removed
        );
        prop_assert_eq!(kept.column("Id").unwrap().n_unique().unwrap(), kept.height());
        let quarantined_ok = outcome.quarantined.column("v").unwrap().i64().unwrap().into_no_null_iter().all(|v| v > 7);
        prop_assert!(quarantined_ok);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_tables_append_and_drop_only_exact_duplicates() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v\na,1,x\na,1,x\na,1,y\n");
    lake.ingest().await;
    let keyless =
        || SilverBuilder::new(lake.bronze(), lake.silver(), "t", Vec::<String>::new()).unwrap();
    let first = keyless().await.unwrap();
    assert_eq!(
        (first.rows_read, first.rows_written, first.rows_deduplicated),
        (3, 2, 1)
    );
    lake.land("b2", "Id,ts,v\na,1,x\n");
    lake.ingest().await;
    let second = keyless().await.unwrap();
    // A later batch's copy is a new observation of the feed, appended (with lineage).
    assert_eq!(second.rows_written, 1);
    let silver = ReadBuilder::new(lake.silver())
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(silver.height(), 3);
    let rows: Vec<i64> = silver
        .column("_source_row")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert!(rows.contains(&3) && rows.contains(&1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyless_tables_can_keep_identical_rows() {
    let lake = Lake::new();
    lake.land("b1", "Id,ts,v\na,1,x\na,1,x\n");
    lake.ingest().await;
    let report = SilverBuilder::new(lake.bronze(), lake.silver(), "t", Vec::<String>::new())
        .unwrap()
        .with_exact_duplicates_dropped(false)
        .await
        .unwrap();
    assert_eq!((report.rows_written, report.rows_deduplicated), (2, 0));
    assert!(report.reconciles());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_quarantine_and_silver_quarantines_rows_once() {
    let lake = Lake::new();
    let quarantine_rule = || Rule::quarantine("q", col("v").eq(lit("bad")), "v is bad");
    lake.land("b1", "Id,ts,v\na,1,x\nb,1,bad\n");
    lake.ingest().await;
    // The crash: the quarantine commit lands, the silver commit cannot (a file sits
    // where the silver table would be created).
    std::fs::create_dir_all(lake.silver().parent().unwrap()).unwrap();
    std::fs::write(lake.silver(), "not a table").unwrap();
    let crashed = lake.builder().with_rule(quarantine_rule()).await;
    assert!(crashed.is_err(), "{crashed:?}");
    let quarantine_path = lake.lake.path().join("silver/visits_quarantine");
    assert_eq!(read_quarantine(&quarantine_path).await.height(), 1);

    // A new batch arrives before the re-run, which spans both batches.
    std::fs::remove_file(lake.silver()).unwrap();
    lake.land("b2", "Id,ts,v\nc,1,y\nd,1,bad\n");
    lake.ingest().await;
    let report = lake.builder().with_rule(quarantine_rule()).await.unwrap();
    assert_eq!(report.rows_quarantined, 2);
    assert!(report.reconciles());
    let quarantine = read_quarantine(&quarantine_path).await;
    assert_eq!(
        strs(&quarantine, "Id"),
        [Some("b".into()), Some("d".into())]
    );
    assert_eq!(
        strs(&lake.silver_rows().await, "Id"),
        [Some("a".into()), Some("c".into())]
    );
}

async fn read_quarantine(path: &std::path::Path) -> DataFrame {
    ReadBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .sort(["Id"], SortMultipleOptions::default())
        .collect()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_silver_runs_of_one_batch_write_each_key_once() {
    for _ in 0..4 {
        let lake = std::sync::Arc::new(Lake::new());
        lake.land("b1", "Id,ts,v\na,1,x\nb,1,y\nc,1,bad\n");
        lake.ingest().await;
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let runs: Vec<_> = (0..2)
            .map(|_| {
                let (lake, start) = (lake.clone(), start.clone());
                tokio::spawn(async move {
                    let run = lake.builder().with_rule(Rule::quarantine(
                        "q",
                        col("v").eq(lit("bad")),
                        "bad",
                    ));
                    start.wait().await;
                    run.await
                })
            })
            .collect();
        let mut completed = 0;
        for run in runs {
            match run.await.unwrap() {
                Ok(_) => completed += 1,
                Err(err) => assert!(
                    matches!(err, Error::TransactionAlreadyCommitted { .. }),
                    "{err}"
                ),
            }
        }
        assert!(completed >= 1);
        let silver = lake.silver_rows().await;
        assert_eq!(strs(&silver, "Id"), [Some("a".into()), Some("b".into())]);
        let quarantine = read_quarantine(&lake.lake.path().join("silver/visits_quarantine")).await;
        assert_eq!(quarantine.height(), 1);
    }
}
