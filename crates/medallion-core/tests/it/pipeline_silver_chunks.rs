//! Silver in bounded chunks: the result does not depend on the chunk size.

use medallion_core::ReadBuilder;
use medallion_core::pipeline::{BronzeIngestBuilder, Rule, SilverBuilder, SilverReport};
use polars::prelude::*;
use proptest::prelude::*;

const KEYS: [&str; 1] = ["Id"];

struct Run {
    report: SilverReport,
    rows: DataFrame,
    quarantine: Option<DataFrame>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Lands `files` (CSV bodies) as one batch and ingests them to bronze.
async fn bronze(files: &[String]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let landing = dir.path().join("landing");
    for (i, body) in files.iter().enumerate() {
        let part = landing.join(format!("part{i}"));
        std::fs::create_dir_all(&part).unwrap();
        std::fs::write(part.join("visits.csv"), body).unwrap();
    }
    let bronze = dir.path().join("bronze/visits");
    BronzeIngestBuilder::new(&landing, &bronze, "t")
        .unwrap()
        .await
        .unwrap();
    (dir, bronze)
}

async fn read_sorted(path: &std::path::Path) -> DataFrame {
    ReadBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .sort(["_source_file", "_source_row"], Default::default())
        .collect()
        .unwrap()
}

async fn silver(
    bronze: &std::path::Path,
    out: &std::path::Path,
    keyed: bool,
    chunk_rows: usize,
) -> Run {
    let keys: Vec<&str> = if keyed { KEYS.to_vec() } else { Vec::new() };
    let staging = out.join("staging");
    let report = SilverBuilder::new(bronze, out.join("silver"), "t", keys)
        .unwrap()
        .with_transform(|lf| {
            Ok::<_, PolarsError>(lf.with_columns([
                col("ts").cast(DataType::Int64),
                col("v").cast(DataType::Int64),
            ]))
        })
        .with_order_by(["ts"])
        .with_rule(Rule::quarantine("v_high", col("v").gt(lit(7)), "v above 7"))
        .with_rule(Rule::warn("v_zero", col("v").eq(lit(0)), "v is zero"))
        .with_duplicate_flag("dup")
        .with_exact_duplicates_dropped(keyed)
        .with_chunk_rows(chunk_rows)
        .with_staging_dir(&staging)
        .await
        .unwrap();
    // Spilled chunks are removed when the run ends.
    if staging.exists() {
        assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);
    }
    let quarantine_path = out.join("silver_quarantine");
    let quarantine = if quarantine_path.exists() {
        Some(read_sorted(&quarantine_path).await)
    } else {
        None
    };
    Run {
        report,
        rows: read_sorted(&out.join("silver")).await,
        quarantine,
    }
}

fn csv(rows: &[(u8, i64, i64)]) -> String {
    let mut body = String::from("Id,ts,v\n");
    for (id, ts, v) in rows {
        body.push_str(&format!("k{id},{ts},{v}\n"));
    }
    body
}

fn assert_same(one: &Run, chunked: &Run, chunk_rows: usize) {
    let (a, b) = (&one.report, &chunked.report);
    assert_eq!(
        (
            a.rows_read,
            a.rows_written,
            a.rows_quarantined,
            a.rows_deduplicated
        ),
        (
            b.rows_read,
            b.rows_written,
            b.rows_quarantined,
            b.rows_deduplicated
        ),
        "counts differ with chunk_rows = {chunk_rows}"
    );
    assert_eq!(
        a.rule_hits, b.rule_hits,
        "rule hits, chunk_rows = {chunk_rows}"
    );
    assert!(b.reconciles());
    assert!(
        one.rows.equals_missing(&chunked.rows),
        "silver differs with chunk_rows = {chunk_rows}:\n{}\n{}",
        one.rows,
        chunked.rows
    );
    match (&one.quarantine, &chunked.quarantine) {
        (None, None) => {}
        (Some(x), Some(y)) => assert!(x.equals_missing(y), "quarantine differs"),
        _ => panic!("quarantine written in one run only (chunk_rows = {chunk_rows})"),
    }
}

fn compare(files: Vec<Vec<(u8, i64, i64)>>, keyed: bool, chunk_rows: usize) {
    runtime().block_on(async {
        let bodies: Vec<String> = files.iter().map(|f| csv(f)).collect();
        let (dir, bronze) = bronze(&bodies).await;
        let one = silver(&bronze, &dir.path().join("one"), keyed, usize::MAX).await;
        let chunked = silver(&bronze, &dir.path().join("chunked"), keyed, chunk_rows).await;
        assert_same(&one, &chunked, chunk_rows);
    });
}

#[test]
fn duplicates_across_chunks_are_resolved_as_in_one_chunk() {
    // k1's latest record (ts 3) is in the second file; k2 repeats with equal ts (the later
    // row wins); k3's latest copy is quarantined (v 9), so its earlier copy is kept.
    let files = vec![
        vec![(1, 1, 1), (2, 1, 2), (3, 1, 3)],
        vec![(1, 3, 4), (2, 1, 5), (3, 2, 9), (4, 1, 0)],
    ];
    for chunk_rows in [1, 2, 3, 5] {
        compare(files.clone(), true, chunk_rows);
    }
}

#[test]
fn identical_rows_across_chunks_are_flagged_as_in_one_chunk() {
    let files = vec![vec![(1, 1, 1), (2, 1, 2)], vec![(1, 1, 1), (1, 1, 1)]];
    for chunk_rows in [1, 2, 3] {
        compare(files.clone(), false, chunk_rows);
    }
}

#[test]
fn a_chunked_run_counts_every_copy_of_a_repeated_key_and_flags_the_kept_one() {
    runtime().block_on(async {
        let (dir, bronze) = bronze(&[csv(&[(1, 1, 1), (2, 1, 2), (1, 2, 3)])]).await;
        let run = silver(&bronze, &dir.path().join("out"), true, 1).await;
        // Three chunks of one row: spilled to the staging directory (now empty).
        assert!(dir.path().join("out/staging").is_dir());
        assert_eq!(run.report.rule_hits["dup"], 2);
        assert_eq!(run.report.rows_deduplicated, 1);
        let flags = run
            .rows
            .clone()
            .lazy()
            .select([
                col("Id"),
                col("_dq_flags")
                    .list()
                    .contains(lit("dup"), false)
                    .alias("dup"),
            ])
            .sort(["Id"], Default::default())
            .collect()
            .unwrap();
        let dup: Vec<Option<bool>> = flags
            .column("dup")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(dup, vec![Some(true), Some(false)]);
    });
}

#[test]
fn progress_is_reported_after_every_chunk() {
    runtime().block_on(async {
        let (dir, bronze) = bronze(&[csv(&[(1, 1, 1), (2, 1, 9)]), csv(&[(3, 1, 3)])]).await;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = seen.clone();
        SilverBuilder::new(&bronze, dir.path().join("silver"), "t", KEYS)
            .unwrap()
            .with_rule(Rule::quarantine(
                "v_high",
                col("v").gt(lit("7")),
                "v above 7",
            ))
            .with_chunk_rows(1)
            .with_staging_dir(dir.path().join("staging"))
            .with_progress(move |p| sink.lock().unwrap().push(*p))
            .await
            .unwrap();
        let seen = seen.lock().unwrap();
        let done: Vec<(usize, usize, u64, u64)> = seen
            .iter()
            .map(|p| (p.chunk, p.chunks, p.rows_done, p.rows_total))
            .collect();
        // Quarantined rows count as done too.
        assert_eq!(done, [(1, 3, 1, 3), (2, 3, 2, 3), (3, 3, 3, 3)]);
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Any chunk size gives the same silver rows, quarantine, counts and rule hits.
    #[test]
    fn chunk_size_does_not_change_the_result(
        files in proptest::collection::vec(
            proptest::collection::vec((0u8..5, 0i64..3, 0i64..10), 1..8),
            1..4,
        ),
        keyed in any::<bool>(),
        chunk_rows in 1usize..6,
    ) {
        compare(files, keyed, chunk_rows);
    }
}
