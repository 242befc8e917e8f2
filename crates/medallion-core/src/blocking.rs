//! Running synchronous Polars work from async operations.

use crate::error::{Error, Result};

/// Stack size of the threads medallion-core plans and runs Polars queries on (32 MiB).
///
/// Why bigger than the 2 MiB of a spawned thread: Polars converts, optimizes and
/// executes a plan recursively, one stack frame per plan level, and in a debug build
/// (tests, CI: dependencies are compiled without optimization) those frames are tens of
/// kilobytes each. Depth depends on the query's shape, not on the data: the deepest
/// gold plans of the Synthea pipeline (readmission rates, time to treatment) print
/// 60–75 levels (up to ~3,400 nodes). Measured with the workspace's end-to-end test in
/// a debug build: 2 MiB overflows while planning the `los_by_condition` write, 4 MiB
/// overflows executing `time_to_treatment`, 8 MiB passes everything (medallion-core's
/// own tests pass with 1 MiB). 32 MiB leaves room for deeper pipelines; the memory is
/// reserved, not committed: only the pages a query touches are used. Optimized builds
/// need far less.
pub(crate) const POLARS_THREAD_STACK_BYTES: usize = 32 * 1024 * 1024;

/// Runs `f` on a dedicated thread (see [`POLARS_THREAD_STACK_BYTES`]) and awaits its
/// result.
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
    spawn_polars_thread("medallion-polars", move || {
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

/// Starts `f` on a named thread with the stack Polars plans need.
pub(crate) fn spawn_polars_thread(
    name: &str,
    f: impl FnOnce() + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(POLARS_THREAD_STACK_BYTES)
        .spawn(f)
}

/// Runs synchronous Polars work (e.g. `lazy_frame.collect()`) from async code on one of
/// medallion-core's Polars threads, without blocking the runtime.
///
/// Use it for the queries you run yourself next to the builders (reading a table into
/// memory, building a plan that resolves schemas): like the builders' own work, they
/// then run off the async workers, on a thread sized for deep plans.
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
