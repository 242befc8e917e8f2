//! Table history (the commit log).

use std::collections::HashMap;

use futures::TryStreamExt;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::open_existing;

/// One commit of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// Table version this commit created.
    pub version: u64,
    /// Commit time, milliseconds since the Unix epoch.
    pub timestamp_ms: Option<i64>,
    /// Operation name (`WRITE`, `MERGE`, `DELETE`, `OPTIMIZE`, `VACUUM START`, ...).
    pub operation: Option<String>,
    /// Operation parameters (mode, predicate, partitionBy, ...).
    pub operation_parameters: HashMap<String, serde_json::Value>,
    /// Everything else recorded in `commitInfo`, including caller commit metadata and
    /// `operationMetrics`.
    pub info: HashMap<String, serde_json::Value>,
}

/// Lists a table's commits, newest first; run with `.await`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{HistoryBuilder, WriteBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("x" => [1i64])?.lazy())?
///     .with_commit_metadata("run_id", "r1")
///     .await?;
/// let history = HistoryBuilder::new(dir.path())?.await?;
/// assert_eq!(history[0].version, 0);
/// assert_eq!(history[0].info["run_id"], "r1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a HistoryBuilder does nothing until awaited"]
pub struct HistoryBuilder {
    location: TableLocation,
    limit: Option<usize>,
}

impl HistoryBuilder {
    /// The history of the table at `location`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            limit: None,
        })
    }

    /// Return at most this many commits (newest first). Default: all.
    pub fn with_limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    async fn execute(self) -> Result<Vec<HistoryEntry>> {
        const OP: &str = "history";
        let table_uri = self.location.to_string();
        let table = open_existing(&self.location, OP).await?;
        let latest = table.version().unwrap_or(0);
        let commits: Vec<_> = table
            .history(self.limit)
            .try_collect()
            .await
            .map_err(|e| Error::delta(&table_uri, OP, e))?;
        Ok(commits
            .into_iter()
            .enumerate()
            .map(|(i, commit)| {
                let mut info = commit.info;
                // delta-rs lifts `userMetadata` out of the map; it belongs to `commitInfo`.
                if let Some(user) = commit.user_metadata {
                    info.insert("userMetadata".into(), user.into());
                }
                HistoryEntry {
                    // history() walks the log from the newest version down, one per commit.
                    version: latest.saturating_sub(i as u64),
                    timestamp_ms: commit.timestamp,
                    operation: commit.operation,
                    operation_parameters: commit.operation_parameters.unwrap_or_default(),
                    info,
                }
            })
            .collect())
    }
}

awaitable_builder!(HistoryBuilder => Vec<HistoryEntry>);
