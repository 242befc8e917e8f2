//! The events medallion-core emits with `tracing`.
//!
//! Every operation runs in a span named `medallion.<operation>` with a `table` field,
//! and ends with one `info` event of the same shape (see [`finished`]); finer steps
//! (silver chunks, bronze files) are `debug` events. The library never prints: an
//! application installs a `tracing` subscriber to see them, and draws progress from
//! the builders' progress callbacks.

use std::time::Duration;

/// Records that an operation on the current span's table finished: `operation`, the
/// rows it read or wrote (`rows`, when rows apply), the version it committed and its
/// duration in milliseconds.
pub(crate) fn finished(
    operation: &'static str,
    rows: Option<u64>,
    version: Option<u64>,
    duration: Duration,
) {
    tracing::info!(
        operation,
        rows,
        version,
        duration_ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        "medallion operation finished"
    );
}
