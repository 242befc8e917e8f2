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
    if std::env::var(CHILD_ENV).is_ok() {
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
    }
}
