//! Running synchronous Polars work from async operations.

use crate::error::{Error, Result};

/// Runs `f` on Tokio's blocking pool.
///
/// Polars plans and executes synchronously (and may itself block on its own runtime),
/// so it must not run on an async worker thread: that would stall other tasks, and on
/// a current-thread runtime Polars' `block_in_place` would panic.
pub(crate) async fn run_blocking<R, F>(table: &str, operation: &'static str, f: F) -> Result<R>
where
    F: FnOnce() -> Result<R> + Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal {
            table: table.to_string(),
            operation,
            reason: format!("Polars task failed: {e}"),
        })?
}
