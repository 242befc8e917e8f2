//! Table maintenance after a run: OPTIMIZE / Z-order / VACUUM of the tables it wrote.

use medallion_core::pipeline::{MaintenancePolicy, MaintenanceReport, RunReport, run_maintenance};

use std::time::Instant;

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::events::{Observer, PipelineEvent, Stage};

/// The policy for one table: `policy` itself when it names Z-order columns, else
/// `policy` with the table's entry of [`PipelineConfig::z_order`] (if any) — a Z-order
/// only when compaction is on.
fn table_policy(
    config: &PipelineConfig,
    policy: &MaintenancePolicy,
    table: &str,
) -> MaintenancePolicy {
    match config.z_order.get(table) {
        Some(columns) if policy.z_order.is_empty() && policy.optimize => {
            policy.clone().with_z_order(columns.iter().cloned())
        }
        _ => policy.clone(),
    }
}

/// Runs `policy` on every bronze, silver and gold table that `report` shows a commit
/// for (tables the run did not change are left alone), reporting one event per table.
pub(crate) async fn maintain_written_tables(
    config: &PipelineConfig,
    report: &RunReport,
    policy: &MaintenancePolicy,
    observer: Observer<'_>,
) -> Result<Vec<MaintenanceReport>, PipelineError> {
    let stage_started = Instant::now();
    let written: Vec<_> = report
        .tables
        .iter()
        .filter(|t| t.version.is_some())
        .collect();
    observer(PipelineEvent::StageStarted {
        stage: Stage::Maintenance,
        steps: written.len(),
    });
    let mut done = Vec::new();
    for table in written {
        let t = Instant::now();
        let layer = table.layer.to_string();
        let policy = table_policy(config, policy, &format!("{layer}/{}", table.table));
        let maintained = run_maintenance(
            config.table(&layer, &table.table),
            &policy,
            Some(&config.run_id),
        )
        .await?;
        let compacted = maintained
            .optimize
            .as_ref()
            .map_or(String::from("not optimized"), |o| {
                format!("{} files compacted into {}", o.files_removed, o.files_added)
            });
        let vacuumed = maintained
            .vacuum
            .as_ref()
            .map_or(String::from("not vacuumed"), |v| {
                format!("{} old files deleted", v.files_deleted.len())
            });
        observer(PipelineEvent::TableDone {
            stage: Stage::Maintenance,
            table: format!("{layer}/{}", table.table),
            rows_written: 0,
            summary: format!("{compacted}, {vacuumed}"),
            elapsed: t.elapsed(),
        });
        done.push(maintained);
    }
    observer(PipelineEvent::StageDone {
        stage: Stage::Maintenance,
        elapsed: stage_started.elapsed(),
    });
    Ok(done)
}
