//! RESTORE: a table back to an earlier version, as a new commit (the undo of a bad run).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::{commit_properties, open_existing};

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoreReport {
    /// Table URI.
    pub table: String,
    /// The new version, whose rows are those of the restored one.
    pub version: Option<u64>,
    /// Files the restore removed (added after the restored version).
    pub files_removed: usize,
    /// Files the restore added back (removed after the restored version).
    pub files_restored: usize,
}

/// Restores a table to an earlier version or timestamp; run with `.await`.
///
/// The restore is a new commit (`RESTORE` in the history) that removes the files added
/// since and adds back the files removed since, so the history, and time travel to the
/// bad versions, stay. The files of the restored version must still exist: a VACUUM
/// with a retention shorter than the time since deletes them, and the restore then
/// fails with [`Error::Delta`] and commits nothing.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{ReadBuilder, RestoreBuilder, WriteBuilder, WriteMode};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("x" => [1i64, 2])?.lazy())?.await?;
/// let bad = df!("x" => [-1i64])?.lazy();
/// WriteBuilder::new(dir.path(), bad)?.with_mode(WriteMode::Overwrite).await?;
/// let report = RestoreBuilder::new(dir.path())?.with_version(0).with_run_id("undo").await?;
/// assert_eq!(report.version, Some(2));
/// assert_eq!(ReadBuilder::new(dir.path())?.await?.collect()?.height(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a RestoreBuilder does nothing until awaited"]
pub struct RestoreBuilder {
    location: TableLocation,
    target: Option<RestoreTarget>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

/// The version a restore returns to.
#[derive(Debug, Clone, Copy)]
enum RestoreTarget {
    Version(u64),
    Timestamp(DateTime<Utc>),
}

impl RestoreBuilder {
    /// A restore of the table at `location`; name the target with
    /// [`RestoreBuilder::with_version`] or [`RestoreBuilder::with_timestamp`].
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            target: None,
            commit_metadata: Vec::new(),
        })
    }

    /// Restore the rows of this version.
    pub fn with_version(mut self, version: u64) -> Self {
        self.target = Some(RestoreTarget::Version(version));
        self
    }

    /// Restore the rows of the latest version committed at or before `timestamp`.
    pub fn with_timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.target = Some(RestoreTarget::Timestamp(timestamp));
        self
    }

    commit_metadata_setters!();

    #[tracing::instrument(name = "medallion.restore", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<RestoreReport> {
        const OP: &str = "restore";
        let started = std::time::Instant::now();
        let uri = self.location.to_string();
        let Some(target) = self.target else {
            return Err(Error::InvalidConfiguration {
                table: uri,
                operation: OP,
                reason: "name the version to restore with with_version or with_timestamp".into(),
            });
        };
        let table = open_existing(&self.location, OP).await?;
        let before = table.version();
        let mut builder = table
            .restore()
            .with_commit_properties(commit_properties(self.commit_metadata, None));
        builder = match target {
            RestoreTarget::Version(version) => builder.with_version_to_restore(version),
            RestoreTarget::Timestamp(at) => builder.with_datetime_to_restore(at),
        };
        let (table, metrics) = builder.await.map_err(|e| Error::delta(&uri, OP, e))?;
        crate::fault::record_commit(before, table.version());
        let report = RestoreReport {
            table: uri,
            version: table.version(),
            files_removed: metrics.num_removed_file,
            files_restored: metrics.num_restored_file,
        };
        crate::trace::finished("restore", None, report.version, started.elapsed());
        Ok(report)
    }
}

awaitable_builder!(RestoreBuilder => RestoreReport);
