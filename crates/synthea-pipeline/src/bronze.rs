//! Bronze: every Synthea file under the landing directory, exactly once, as raw text.

use std::time::Instant;

use chrono::{DateTime, Utc};
use std::future::IntoFuture;

use medallion_core::pipeline::{
    BronzeIngestBuilder, BronzeProgress, IngestedFile, RunReport, TableRunReport,
};
use std::path::Path;
use synthea_schema::{SyntheaVersion, TableKind};

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::events::{Observer, PipelineEvent, Stage, forward_progress};

/// Ingests the new landed files of every Synthea table; returns the tables that have a
/// bronze table (new or from earlier runs).
pub(crate) async fn ingest(
    config: &PipelineConfig,
    landing: &Path,
    started_at: DateTime<Utc>,
    version: SyntheaVersion,
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
        let run = BronzeIngestBuilder::new(landing, &location, &config.pipeline)?
            .with_file_stem(table.name())
            .with_ingested_at(started_at)
            .with_run_id(config.run_id.clone())
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
        let drift = schema_drift(table, version, &bronze.files);
        for entry in &drift {
            tracing::warn!(table = table.name(), drift = %entry, "schema drift against the Synthea spec");
        }
        if bronze.batch_id.is_some() || bronze.files_already_ingested > 0 {
            let mut entry = TableRunReport::from_bronze(table.name(), &bronze);
            entry.schema_drift = drift.clone();
            report.push(entry);
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
        let redelivered = match drift.len() {
            0 => redelivered,
            n => format!("{redelivered}, schema drift: {n} column(s) (see the run report)"),
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

/// Where each ingested file's header departs from the Synthea spec of `version`, one
/// entry per file and column: `<file>: +<COLUMN>` for a column the spec does not know
/// (kept in bronze as text), `<file>: -<COLUMN>` for a spec column the file lacks (read
/// as null). Empty for a table the version does not define (nothing to compare with).
pub(crate) fn schema_drift(
    table: TableKind,
    version: SyntheaVersion,
    files: &[IngestedFile],
) -> Vec<String> {
    let Some(spec) = table.spec(version) else {
        return Vec::new();
    };
    let mut drift = Vec::new();
    for file in files {
        let added = file
            .columns
            .iter()
            .filter(|c| spec.column(c).is_none())
            .map(|c| format!("{}: +{c}", file.path));
        let missing = spec
            .columns
            .iter()
            .filter(|c| !file.columns.iter().any(|f| f == c.name))
            .map(|c| format!("{}: -{}", file.path, c.name));
        drift.extend(added.chain(missing));
    }
    drift
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, columns: &[&str]) -> IngestedFile {
        IngestedFile {
            path: path.into(),
            rows: 1,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            content_hash: "0".repeat(32),
            issues: 0,
        }
    }

    fn spec_columns(table: TableKind, version: SyntheaVersion) -> Vec<&'static str> {
        table
            .spec(version)
            .map(|s| s.columns.iter().map(|c| c.name).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_file_matching_the_spec_has_no_drift() {
        let columns = spec_columns(TableKind::Encounters, SyntheaVersion::V3Early);
        let drift = schema_drift(
            TableKind::Encounters,
            SyntheaVersion::V3Early,
            &[file("a/encounters.csv", &columns)],
        );
        assert!(drift.is_empty(), "{drift:?}");
    }

    #[test]
    fn unknown_and_absent_columns_are_reported_per_file() {
        let mut columns = spec_columns(TableKind::Encounters, SyntheaVersion::V3Early);
        let dropped = columns.remove(3);
        columns.push("EXTRA_NOTE");
        let clean = spec_columns(TableKind::Encounters, SyntheaVersion::V3Early);
        let drift = schema_drift(
            TableKind::Encounters,
            SyntheaVersion::V3Early,
            &[
                file("a/encounters.csv", &clean),
                file("b/encounters.csv", &columns),
            ],
        );
        assert_eq!(
            drift,
            [
                "b/encounters.csv: +EXTRA_NOTE".to_string(),
                format!("b/encounters.csv: -{dropped}"),
            ]
        );
    }
}
