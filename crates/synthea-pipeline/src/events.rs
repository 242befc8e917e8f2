//! What a run reports while it works: structured events for progress displays.
//!
//! The library never draws progress: it calls the observer passed to
//! [`crate::run_pipeline`] with a [`PipelineEvent`] per step, and logs the same steps
//! through `tracing`. The `synthea_lakehouse` example turns the events into progress bars.

use std::time::Duration;

use synthea_schema::SyntheaVersion;

/// The layer a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Landed files → `bronze/<table>`.
    Bronze,
    /// `bronze/<table>` → `silver/<table>` (+ quarantine).
    Silver,
    /// Silver → `gold/<table>`.
    Gold,
    /// OPTIMIZE / VACUUM of the tables the run wrote.
    Maintenance,
}

impl std::fmt::Display for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stage::Bronze => "bronze",
            Stage::Silver => "silver",
            Stage::Gold => "gold",
            Stage::Maintenance => "maintenance",
        })
    }
}

/// One step of a run, in the order the run takes them.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PipelineEvent {
    /// The landing directory was scanned.
    ExportsFound {
        /// Export directories found.
        exports: usize,
        /// Their Synthea version.
        version: SyntheaVersion,
    },
    /// An earlier run had been killed after some commits; its report, rebuilt from those
    /// commits, was appended to `_runs` with status `interrupted`.
    InterruptedRunRecorded {
        /// The interrupted run's id.
        run_id: String,
        /// Tables it had committed to.
        tables: usize,
    },
    /// A stage starts; `steps` tables (or gold tables) will follow.
    StageStarted {
        /// The stage.
        stage: Stage,
        /// Number of [`PipelineEvent::TableDone`] events the stage will send.
        steps: usize,
    },
    /// Progress inside one table: a landed file ingested (bronze) or a chunk of rows
    /// checked (silver).
    TableProgress {
        /// The stage.
        stage: Stage,
        /// Table name.
        table: String,
        /// Units done (files or rows).
        done: u64,
        /// Units in all (files or rows).
        total: u64,
    },
    /// A table of the stage is done.
    TableDone {
        /// The stage.
        stage: Stage,
        /// Table name (for maintenance: `<layer>/<table>`).
        table: String,
        /// Rows written (0 when nothing was new or the table was current).
        rows_written: u64,
        /// A short, human-readable summary of what happened (counts only, never data).
        summary: String,
        /// Wall time.
        elapsed: Duration,
    },
    /// A stage is done.
    StageDone {
        /// The stage.
        stage: Stage,
        /// Wall time.
        elapsed: Duration,
    },
}

/// The observer a run reports its [`PipelineEvent`]s to.
pub type Observer<'a> = &'a mut (dyn FnMut(PipelineEvent) + Send);

/// Awaits `run` while forwarding the progress it reports on `progress` to `observer`
/// (builders call their progress callbacks from worker threads; the observer is not
/// `Sync`, so reports travel over a channel and are delivered here).
pub(crate) async fn forward_progress<T, P>(
    run: impl std::future::Future<Output = T>,
    mut progress: futures::channel::mpsc::UnboundedReceiver<P>,
    observer: Observer<'_>,
    to_event: impl Fn(P) -> Option<PipelineEvent>,
) -> T {
    use futures::StreamExt;
    let mut run = std::pin::pin!(run);
    let result = loop {
        tokio::select! {
            result = &mut run => break result,
            Some(p) = progress.next() => {
                if let Some(event) = to_event(p) {
                    observer(event);
                }
            }
        }
    };
    // Whatever arrived after the last poll of the channel.
    while let Ok(p) = progress.try_recv() {
        if let Some(event) = to_event(p) {
            observer(event);
        }
    }
    result
}
