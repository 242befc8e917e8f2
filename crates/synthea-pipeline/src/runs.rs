//! One run at a time per lakehouse, and the reports of runs that were killed.
//!
//! - **The lakehouse lock.** A run holds an exclusive advisory lock on `<lakehouse>/_lock`
//!   from its first step to its last. A second run on the same lakehouse fails at once
//!   with [`PipelineError::LakehouseLocked`] (exit code 5) and changes nothing. The
//!   operating system releases the lock when the process ends, however it ends, so a
//!   killed run never leaves a stale lock behind. (Delta's application transactions
//!   still refuse a batch committed twice: the lock is the first line, not the only one.)
//! - **Interrupted runs.** A run killed after some commits never appended its report to
//!   `_runs`. The next run rebuilds that report from the commits (each carries its
//!   table's report, see `medallion_core::pipeline::RecoverRunsBuilder`) and appends it
//!   with status `interrupted` before doing anything else, so `_runs` always accounts
//!   for every committed row exactly once.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;

use medallion_core::pipeline::{RecoverRunsBuilder, RunReport};

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::events::{Observer, PipelineEvent};

/// File name of the lakehouse lock.
pub const LOCK_FILE: &str = "_lock";

/// The held lakehouse lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub(crate) struct LakehouseLock {
    _file: File,
}

/// Takes the lakehouse lock, or fails naming the run that holds it.
pub(crate) fn lock_lakehouse(config: &PipelineConfig) -> Result<LakehouseLock, PipelineError> {
    let io = |source: std::io::Error| PipelineError::Io {
        path: config.lakehouse.join(LOCK_FILE).display().to_string(),
        operation: "locking the lakehouse",
        source,
    };
    std::fs::create_dir_all(&config.lakehouse).map_err(io)?;
    let path = config.lakehouse.join(LOCK_FILE);
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            return Err(PipelineError::LakehouseLocked {
                lakehouse: config.lakehouse.display().to_string(),
                holder: holder.trim().to_string(),
            });
        }
        Err(TryLockError::Error(source)) => return Err(io(source)),
    }
    // Who holds it, for the message a second run prints (no patient data here).
    file.set_len(0).map_err(io)?;
    writeln!(
        file,
        "run {} (process {})",
        config.run_id,
        std::process::id()
    )
    .map_err(io)?;
    Ok(LakehouseLock { _file: file })
}

/// Appends to `_runs` the rebuilt report of every run that committed but was killed
/// before recording its report; returns those reports.
pub(crate) async fn record_interrupted_runs(
    config: &PipelineConfig,
    observer: Observer<'_>,
) -> Result<Vec<RunReport>, PipelineError> {
    let runs_table = config.lakehouse.join("_runs");
    let interrupted = RecoverRunsBuilder::new(&config.lakehouse, &runs_table)?.await?;
    for run in &interrupted {
        tracing::warn!(
            run_id = %run.run_id,
            tables = run.tables.len(),
            "an earlier run was interrupted: recording the report rebuilt from its commits"
        );
        run.append_to(&runs_table).await?;
        observer(PipelineEvent::InterruptedRunRecorded {
            run_id: run.run_id.clone(),
            tables: run.tables.len(),
        });
    }
    Ok(interrupted)
}
