//! A process-wide fault-injection hook for crash tests.
//!
//! Every Delta commit this crate makes — writes (and their property commit), MERGE,
//! DELETE, property commits, OPTIMIZE, VACUUM, and so every bronze, silver, quarantine,
//! gold, SCD2, `_runs` and maintenance commit — is counted once it succeeded. After
//! [`abort_after_commits`]`(n)`, the process calls [`std::process::abort`] right after
//! the `n`-th counted commit: the commit is durable, nothing after it ran. That is the
//! crash a test (or an example run by a crash test) needs to check that the next run
//! finishes the work exactly once.
//!
//! The library never reads environment variables; a binary that wants the hook reads
//! its own setting and calls [`abort_after_commits`] before running the pipeline:
//!
//! ```
//! // e.g. in an example's main: abort after the 3rd commit when asked to.
//! if let Some(n) = std::env::var("EHR_ABORT_AFTER_COMMITS").ok().and_then(|v| v.parse().ok()) {
//!     medallion_core::fault::abort_after_commits(n);
//! }
//! ```
//!
//! The counter is process-wide (all tables, all tasks); operations running
//! concurrently count in the order their commits complete. A commit that changed
//! nothing (e.g. an OPTIMIZE with nothing to compact) is not a commit and not counted.

use std::sync::atomic::{AtomicU64, Ordering};

/// Successful commits of this process so far.
static COMMITS: AtomicU64 = AtomicU64::new(0);

/// Abort once [`COMMITS`] reaches this value; `0` means never.
static ABORT_AFTER: AtomicU64 = AtomicU64::new(0);

/// Arms the hook: the process aborts right after its `n`-th successful Delta commit,
/// counted from the start of the process (see [`commits_so_far`]). `0` disarms it.
///
/// If `n` commits were already made, the process aborts after the next one.
pub fn abort_after_commits(n: u64) {
    ABORT_AFTER.store(n, Ordering::SeqCst);
}

/// How many Delta commits this process has made successfully so far.
pub fn commits_so_far() -> u64 {
    COMMITS.load(Ordering::SeqCst)
}

/// Counts `commits` successful commits and aborts the process if the hook says so.
pub(crate) fn record_commits(commits: u64) {
    for _ in 0..commits {
        let count = COMMITS.fetch_add(1, Ordering::SeqCst) + 1;
        if should_abort(count, ABORT_AFTER.load(Ordering::SeqCst)) {
            std::process::abort();
        }
    }
}

/// Whether the `count`-th commit must abort the process under the limit `limit`.
fn should_abort(count: u64, limit: u64) -> bool {
    limit != 0 && count >= limit
}

/// Counts one commit when an operation moved the table from `before` to `after`.
pub(crate) fn record_commit(before: Option<u64>, after: Option<u64>) {
    record_commits(u64::from(after.is_some() && after != before));
}

/// Counts every version an operation added (`before` → `after`), for operations that
/// make more than one commit (VACUUM logs a start and an end commit).
pub(crate) fn record_versions(before: Option<u64>, after: Option<u64>) {
    record_commits(versions_added(before, after));
}

/// Versions between `before` (exclusive; `None`: no table) and `after` (inclusive).
fn versions_added(before: Option<u64>, after: Option<u64>) -> u64 {
    match (before, after) {
        (Some(b), Some(a)) => a.saturating_sub(b),
        (None, Some(a)) => a.saturating_add(1),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The counter is process-wide and other unit tests commit concurrently, so this
    // checks growth by at least what the test recorded, never an exact total.
    #[test]
    fn every_recorded_commit_is_counted() {
        let before = commits_so_far();
        record_commits(3);
        record_commit(Some(4), Some(5));
        record_commit(None, Some(0));
        assert!(commits_so_far() >= before + 5);
    }

    #[test]
    fn the_abort_comes_exactly_after_the_nth_commit() {
        assert!(!should_abort(2, 3));
        assert!(should_abort(3, 3));
        assert!(should_abort(4, 3));
    }

    #[test]
    fn a_disarmed_hook_never_aborts() {
        assert!(!should_abort(1, 0));
        assert!(!should_abort(u64::MAX, 0));
    }

    #[test]
    fn an_operation_that_added_no_version_is_not_a_commit() {
        assert_eq!(versions_added(Some(4), Some(4)), 0);
        assert_eq!(versions_added(None, None), 0);
        assert_eq!(versions_added(Some(4), None), 0);
    }

    #[test]
    fn every_version_an_operation_added_is_a_commit() {
        assert_eq!(versions_added(Some(7), Some(9)), 2);
        assert_eq!(versions_added(None, Some(0)), 1);
    }
}
