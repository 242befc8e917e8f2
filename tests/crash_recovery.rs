//! Crash recovery: a run killed after its n-th Delta commit (bronze, silver, quarantine,
//! SCD2, gold or `_runs`), then re-run, ends with the same silver and gold as a run that
//! was never interrupted.
//!
//! The kill is real: the test re-executes its own binary as a child process that runs the
//! pipeline with `medallion_core::fault::abort_after_commits(n)` armed, so the process
//! aborts right after that commit — nothing after it runs, no destructor, no report.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::path::Path;
use std::process::Command;

use common::build;
use synthea_gen::{GeneratorConfig, generate};

/// Environment of the child run: `<landing>|<lakehouse>|<n>`.
const CHILD_ENV: &str = "CRASH_RECOVERY_CHILD";

/// The child: runs the pipeline and aborts after the n-th commit. Does nothing when the
/// test harness runs it directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_run_that_aborts_after_a_commit() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.split('|');
    let (landing, lake, n) = (
        parts.next().unwrap().to_string(),
        parts.next().unwrap().to_string(),
        parts.next().unwrap().parse::<u64>().unwrap(),
    );
    medallion_core::fault::abort_after_commits(n);
    build(
        Path::new(&lake),
        Path::new(&landing),
        &format!("killed-at-{n}"),
    )
    .await;
}

fn run_child_killed_after(landing: &Path, lake: &Path, n: u64) {
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_run_that_aborts_after_a_commit",
            "--nocapture",
        ])
        .env(
            CHILD_ENV,
            format!("{}|{}|{n}", landing.display(), lake.display()),
        )
        .status()
        .unwrap();
    assert!(
        !status.success(),
        "the child should have been aborted after commit {n}"
    );
}

async fn assert_same(clean: &Path, recovered: &Path, n: u64) {
    let different = common::differing_tables(clean, recovered).await;
    assert!(
        different.is_empty(),
        "killed after commit {n}, then re-run:\n{}",
        different.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_killed_after_any_commit_is_finished_by_the_next_run() {
    if std::env::var(CHILD_ENV).is_ok() || std::env::var(CONCURRENT_CHILD_ENV).is_ok() {
        return;
    }
    let landing = tempfile::tempdir().unwrap();
    generate(
        &GeneratorConfig::new(15, 21),
        landing.path().join("2024-01"),
        |_| {},
    )
    .unwrap();

    let clean = tempfile::tempdir().unwrap();
    let before = medallion_core::fault::commits_so_far();
    build(clean.path(), landing.path(), "clean").await;
    let commits = medallion_core::fault::commits_so_far() - before;
    assert!(commits > 40, "a full run makes many commits: {commits}");

    // Early bronze, mid silver, the SCD2 dimension and early gold, late gold, and the
    // last commit before the run report.
    let points = [1, commits / 3, commits * 2 / 3, commits - 5, commits - 1];
    for n in points {
        let lake = tempfile::tempdir().unwrap();
        run_child_killed_after(landing.path(), lake.path(), n);
        build(lake.path(), landing.path(), &format!("rerun-after-{n}")).await;
        assert_same(clean.path(), lake.path(), n).await;
        let unaccounted = common::runs_unaccounted(lake.path()).await;
        assert!(
            unaccounted.is_empty(),
            "killed after commit {n}, then re-run: _runs does not reconcile:\n{}",
            unaccounted.join("\n")
        );
    }
    assert!(common::runs_unaccounted(clean.path()).await.is_empty());
}

/// Two runs started together on one lakehouse: one takes the lakehouse and finishes, the
/// other fails at once (exit code 5) and changes nothing; the result equals one clean run.
///
/// It runs in a child process of its own, so its commits do not disturb the commit count
/// the kill test above relies on.
#[test]
fn of_two_runs_started_together_one_wins_and_the_other_changes_nothing() {
    if std::env::var(CHILD_ENV).is_ok() || std::env::var(CONCURRENT_CHILD_ENV).is_ok() {
        return;
    }
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_two_runs_at_once", "--nocapture"])
        .env(CONCURRENT_CHILD_ENV, "1")
        .status()
        .unwrap();
    assert!(status.success(), "the two-runs child failed: {status}");
}

/// Marks the child process of the two-runs test.
const CONCURRENT_CHILD_ENV: &str = "CRASH_RECOVERY_TWO_RUNS_CHILD";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_two_runs_at_once() {
    if std::env::var(CONCURRENT_CHILD_ENV).is_err() {
        return;
    }
    use chrono::NaiveDate;
    use synthea_pipeline::{ExitKind, PipelineConfig, PipelineError, run_pipeline};

    let landing = tempfile::tempdir().unwrap();
    generate(
        &GeneratorConfig::new(8, 5),
        landing.path().join("2024-01"),
        |_| {},
    )
    .unwrap();
    let clean = tempfile::tempdir().unwrap();
    build(clean.path(), landing.path(), "clean").await;

    let lake = tempfile::tempdir().unwrap();
    let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
    let config = |run_id: &str| {
        let mut config = PipelineConfig::new(lake.path(), "test", as_of, run_id);
        config.silver_chunk_rows = 2_000;
        config
    };
    let (first, second) = (config("first"), config("second"));
    let (mut quiet_a, mut quiet_b) = (|_| {}, |_| {});
    // Both futures are polled by one task: the first takes the lakehouse lock in its
    // first poll, before the second is polled at all.
    let (a, b) = tokio::join!(
        run_pipeline(&first, landing.path(), &mut quiet_a),
        run_pipeline(&second, landing.path(), &mut quiet_b),
    );
    a.unwrap();
    let err = b.unwrap_err();
    assert!(
        matches!(err, PipelineError::LakehouseLocked { .. }),
        "{err}"
    );
    assert_eq!(err.exit_kind(), ExitKind::Concurrent);
    assert!(
        err.to_string().contains("run first"),
        "names the holder: {err}"
    );

    assert_same(clean.path(), lake.path(), 0).await;
    assert!(common::runs_unaccounted(lake.path()).await.is_empty());
    // The lock is released with the run: a third run starts and finds nothing new.
    let third = run_pipeline(&config("third"), landing.path(), &mut |_| {})
        .await
        .unwrap();
    assert!(third.gold_up_to_date);
}
