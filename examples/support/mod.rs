//! What the examples share: logging setup and progress bars. Not an example itself.

#![allow(dead_code)] // each example uses a different part

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use synthea_pipeline::PipelineEvent;

/// Sends `tracing` events to stderr, filtered by `RUST_LOG` (default: warnings only, so
/// progress bars and the report stay readable; `RUST_LOG=info` shows every step,
/// `RUST_LOG=warn,medallion_core=debug` one crate in detail).
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter: tracing_subscriber::filter::Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new()
                .with_default(tracing_subscriber::filter::LevelFilter::WARN)
        });
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init();
}

/// A bar style: `[stage] ━━━━━━╸   12/24 table  message`.
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("━╸ ")
}

/// A progress bar for `total` units (hidden when stderr is not a terminal).
pub fn bar(total: u64, prefix: &str, unit: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(style(&format!(
        "{{prefix:>10.bold}} {{bar:30}} {{pos}}/{{len}} {unit} {{msg}} [{{elapsed}}]"
    )));
    bar.set_prefix(prefix.to_string());
    bar
}

/// Draws a pipeline run: one bar per stage, a line per table on stdout.
pub struct PipelineProgress {
    bars: MultiProgress,
    stage: Option<ProgressBar>,
    rows: Option<ProgressBar>,
}

impl PipelineProgress {
    /// A display drawing to stderr (bars) and stdout (one line per table).
    pub fn new() -> Self {
        Self {
            bars: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            stage: None,
            rows: None,
        }
    }

    /// Prints a line above the bars (also when no terminal shows them).
    fn line(&self, text: String) {
        self.bars.suspend(|| println!("{text}"));
    }

    /// Updates the display with one event of the run.
    pub fn on_event(&mut self, event: PipelineEvent) {
        match event {
            PipelineEvent::ExportsFound { exports, version } => {
                self.line(format!("found {exports} Synthea export(s) ({version:?})"));
            }
            PipelineEvent::InterruptedRunRecorded { run_id, tables } => {
                self.line(format!(
                    "run {run_id} had been interrupted after committing to {tables} table(s): \
                     its report was rebuilt from those commits and added to _runs"
                ));
            }
            PipelineEvent::StageStarted { stage, steps } => {
                let bar = self
                    .bars
                    .add(bar(steps as u64, &stage.to_string(), "tables"));
                bar.enable_steady_tick(Duration::from_millis(200));
                self.stage = Some(bar);
            }
            PipelineEvent::TableProgress {
                stage,
                table,
                done,
                total,
            } => {
                let rows = self.rows.get_or_insert_with(|| {
                    self.bars.add(bar(total, &format!("{stage} rows"), "rows"))
                });
                rows.set_length(total);
                rows.set_position(done);
                rows.set_message(table);
            }
            PipelineEvent::TableDone {
                stage,
                table,
                summary,
                elapsed,
                ..
            } => {
                if let Some(rows) = self.rows.take() {
                    rows.finish_and_clear();
                }
                self.line(format!(
                    "[{stage:<6}] {table:<28} {summary} ({elapsed:.1?})"
                ));
                if let Some(bar) = &self.stage {
                    bar.inc(1);
                    bar.set_message(table);
                }
            }
            PipelineEvent::StageDone { stage, elapsed } => {
                if let Some(bar) = self.stage.take() {
                    bar.finish_and_clear();
                }
                self.line(format!("[{stage:<6}] done in {elapsed:.1?}"));
            }
            _ => {}
        }
    }
}
