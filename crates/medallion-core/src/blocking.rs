//! Running synchronous Polars work from async operations.

use crate::error::{Error, Result};

/// Stack size of the threads medallion-core runs Polars work on (256 MiB).
///
/// Polars plans and optimizes queries recursively; deep plans (the metric and journey
/// gold tables join and window dozens of frames) overflow the 2 MiB default of spawned
/// threads in debug builds. The memory is reserved, not committed: only the pages a
/// query touches are used.
pub const POLARS_THREAD_STACK_BYTES: usize = 256 * 1024 * 1024;

/// Runs `f` on a dedicated big-stack thread and awaits its result.
///
/// Polars plans and executes synchronously (and may block on its own runtime), so it
/// must not run on an async worker thread: that would stall other tasks, and on a
/// current-thread runtime Polars' `block_in_place` would panic.
pub(crate) async fn run_blocking<R, F>(table: &str, operation: &'static str, f: F) -> Result<R>
where
    F: FnOnce() -> Result<R> + Send + 'static,
    R: Send + 'static,
{
    let (sender, receiver) = futures::channel::oneshot::channel();
    std::thread::Builder::new()
        .name("medallion-polars".into())
        .stack_size(POLARS_THREAD_STACK_BYTES)
        .spawn(move || {
            // The receiver only disappears if the caller's future was dropped.
            let _ = sender.send(f());
        })
        .map_err(|e| Error::Internal {
            table: table.to_string(),
            operation,
            reason: format!("cannot start a Polars thread: {e}"),
        })?;
    receiver.await.map_err(|_| Error::Internal {
        table: table.to_string(),
        operation,
        reason: "the Polars task panicked".into(),
    })?
}

/// Runs synchronous Polars work (e.g. `lazy_frame.collect()`) from async code on a
/// big-stack thread (see [`POLARS_THREAD_STACK_BYTES`]), without blocking the runtime.
///
/// # Errors
/// [`Error::Internal`] if the thread cannot start or `f` panics.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use polars::prelude::*;
/// let df = medallion_core::run_polars(|| df!("x" => [1i64, 2]).and_then(|d| d.lazy().collect())).await?;
/// assert_eq!(df?.height(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn run_polars<R, F>(f: F) -> Result<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    run_blocking("<none>", "polars task", move || Ok(f())).await
}
