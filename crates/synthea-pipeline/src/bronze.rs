//! Bronze: every Synthea file under the landing directory, exactly once, as raw text.

use std::time::Instant;

use chrono::{DateTime, Utc};
use std::future::IntoFuture;

use medallion_core::pipeline::{
    BronzeIngestBuilder, BronzeProgress, Layer, RunReport, TableRunReport,
};
use std::path::Path;
use synthea_schema::TableKind;

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::events::{Observer, PipelineEvent, Stage, forward_progress};

/// Ingests the new landed files of every Synthea table; returns the tables that have a
/// bronze table (new or from earlier runs).
pub(crate) async fn ingest(
    config: &PipelineConfig,
    landing: &Path,
    started_at: DateTime<Utc>,
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<Vec<TableKind>, PipelineError> {
    let stage_started = Instant::now();
    observer(PipelineEvent::StageStarted {
        stage: Stage::Bronze,
        steps: TableKind::ALL.len(),
    });
    let mut present = Vec::new();
    for table in TableKind::ALL {
        let _span = tracing::info_span!("bronze", table = table.name()).entered();
        let t = Instant::now();
        let location = config.table("bronze", table.name());
        let (sender, files) = futures::channel::mpsc::unbounded::<BronzeProgress>();
        // Rows are counted by the write itself (`operationMetrics`); see `runs`.
        let (report_key, report_value) =
            TableRunReport::empty(Layer::Bronze, table.name()).commit_metadata();
        let run = BronzeIngestBuilder::new(landing, &location, &config.pipeline)?
            .with_file_stem(table.name())
            .with_ingested_at(started_at)
            .with_run_id(config.run_id.clone())
            .with_commit_metadata(report_key, report_value)
            .with_progress(move |p| {
                let _ = sender.unbounded_send(p.clone());
            })
            .into_future();
        let bronze = forward_progress(run, files, observer, |p| {
            Some(PipelineEvent::TableProgress {
                stage: Stage::Bronze,
                table: table.name().to_string(),
                done: p.file_index as u64,
                total: p.files as u64,
            })
        })
        .await?;
        if bronze.batch_id.is_some() || location.join("_delta_log").is_dir() {
            present.push(table);
        }
        if bronze.batch_id.is_some() || bronze.files_already_ingested > 0 {
            report.push(TableRunReport::from_bronze(table.name(), &bronze));
        }
        tracing::info!(
            table = table.name(),
            rows = bronze.rows_written,
            files = bronze.files_ingested.len(),
            redelivered = bronze.files_redelivered.len(),
            "bronze ingested"
        );
        for fix in &bronze.header_fixes {
            tracing::warn!(table = table.name(), fix = %fix, "bronze repaired a header");
        }
        let redelivered = match bronze.files_redelivered.len() {
            0 => String::new(),
            n => format!(", {n} re-delivered file(s) skipped"),
        };
        observer(PipelineEvent::TableDone {
            stage: Stage::Bronze,
            table: table.name().to_string(),
            rows_written: bronze.rows_written,
            summary: format!(
                "{} new rows from {} new file(s){redelivered}",
                bronze.rows_written,
                bronze.files_ingested.len()
            ),
            elapsed: t.elapsed(),
        });
    }
    observer(PipelineEvent::StageDone {
        stage: Stage::Bronze,
        elapsed: stage_started.elapsed(),
    });
    Ok(present)
}
