//! Table maintenance after a run: OPTIMIZE / Z-order / VACUUM of the tables it wrote.

use medallion_core::pipeline::{MaintenancePolicy, MaintenanceReport, RunReport, run_maintenance};

use super::PipelineConfig;
use crate::error::PipelineError;

/// Runs `policy` on every bronze, silver and gold table that `report` shows a commit
/// for (tables the run did not change are left alone), printing one line per table.
pub(crate) async fn maintain_written_tables(
    config: &PipelineConfig,
    report: &RunReport,
    policy: &MaintenancePolicy,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<Vec<MaintenanceReport>, PipelineError> {
    let mut done = Vec::new();
    for table in report.tables.iter().filter(|t| t.version.is_some()) {
        let layer = table.layer.to_string();
        let maintained = run_maintenance(config.table(&layer, &table.table), policy).await?;
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
        progress(format!(
            "[maint]  {:<28} {compacted}, {vacuumed}",
            format!("{layer}/{}", table.table)
        ));
        done.push(maintained);
    }
    Ok(done)
}
