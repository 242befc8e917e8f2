//! VACUUM: delete files no longer referenced by the table.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::open_existing;

/// Default retention: [`VacuumBuilder::with_retention`] (7 days, Delta's default).
pub const DEFAULT_VACUUM_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// The outcome of a VACUUM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VacuumReport {
    /// Table URI.
    pub table: String,
    /// Whether files were only listed, not deleted.
    pub dry_run: bool,
    /// Files deleted (or that would be, in a dry run).
    pub files_deleted: Vec<String>,
}

/// Deletes data files that no table version within the retention window references.
///
/// Files removed from the table (by overwrite, merge, optimize, delete) stay on disk so
/// time travel keeps working; VACUUM deletes those removed longer ago than the
/// retention. A retention below the table's `delta.deletedFileRetentionDuration`
/// (7 days by default) is refused unless [`VacuumBuilder::with_enforce_retention`] is
/// set to `false` — time travel to older versions breaks after such a vacuum.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{VacuumBuilder, WriteBuilder, WriteMode};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("x" => [1i64])?.lazy())?.await?;
/// WriteBuilder::new(dir.path(), df!("x" => [2i64])?.lazy())?.with_mode(WriteMode::Overwrite).await?;
/// // Within the default 7-day retention nothing is deleted.
/// let report = VacuumBuilder::new(dir.path())?.await?;
/// assert!(report.files_deleted.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a VacuumBuilder does nothing until awaited"]
pub struct VacuumBuilder {
    location: TableLocation,
    retention: Duration,
    enforce_retention: bool,
    dry_run: bool,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl VacuumBuilder {
    /// A VACUUM of the table at `location` with the default retention.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            retention: DEFAULT_VACUUM_RETENTION,
            enforce_retention: true,
            dry_run: false,
            commit_metadata: Vec::new(),
        })
    }

    /// Keep files removed less than this long ago. Default: [`DEFAULT_VACUUM_RETENTION`].
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Refuse retentions shorter than the table's configured minimum. Default: `true`.
    pub fn with_enforce_retention(mut self, enforce: bool) -> Self {
        self.enforce_retention = enforce;
        self
    }

    /// Only list the files that would be deleted. Default: `false`.
    pub fn with_dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    commit_metadata_setters!();

    #[tracing::instrument(name = "medallion.vacuum", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<VacuumReport> {
        let started = std::time::Instant::now();
        const OP: &str = "vacuum";
        let table_uri = self.location.to_string();
        let table = open_existing(&self.location, OP).await?;
        let retention = chrono::Duration::from_std(self.retention).map_err(|e| {
            Error::InvalidConfiguration {
                table: table_uri.clone(),
                operation: OP,
                reason: format!("retention out of range: {e}"),
            }
        })?;
        let before = table.version();
        let builder = table
            .vacuum()
            .with_retention_period(retention)
            .with_enforce_retention_duration(self.enforce_retention)
            .with_dry_run(self.dry_run)
            .with_commit_properties(crate::table::commit_properties(self.commit_metadata, None));
        let (table, metrics) = builder.await.map_err(|e| Error::delta(&table_uri, OP, e))?;
        // VACUUM logs a start and an end commit.
        crate::fault::record_versions(before, table.version());
        let report = VacuumReport {
            table: table_uri,
            dry_run: metrics.dry_run,
            files_deleted: metrics.files_deleted,
        };
        crate::trace::finished("vacuum", None, None, started.elapsed());
        Ok(report)
    }
}

awaitable_builder!(VacuumBuilder => VacuumReport);
