//! DELETE rows matching a predicate.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::{
    AppTransaction, commit_failed, commit_properties, ensure_not_committed, open_existing,
};

/// The outcome of a DELETE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteReport {
    /// Table URI.
    pub table: String,
    /// Version committed.
    pub version: Option<u64>,
    /// Rows deleted.
    pub rows_deleted: usize,
    /// Files rewritten or removed.
    pub files_removed: usize,
}

/// Deletes the rows matching a SQL predicate (all rows without one); run with `.await`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{DeleteBuilder, ReadBuilder, WriteBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("x" => [1i64, 2, 3])?.lazy())?.await?;
/// let report = DeleteBuilder::new(dir.path())?.with_predicate("x >= 2").await?;
/// assert_eq!(report.rows_deleted, 2);
/// assert_eq!(ReadBuilder::new(dir.path())?.await?.collect()?.height(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a DeleteBuilder does nothing until awaited"]
pub struct DeleteBuilder {
    location: TableLocation,
    predicate: Option<String>,
    app_transaction: Option<AppTransaction>,
}

impl DeleteBuilder {
    /// A DELETE on the table at `location`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            predicate: None,
            app_transaction: None,
        })
    }

    /// Delete only rows matching this SQL predicate. Default: none (delete all rows).
    pub fn with_predicate(mut self, predicate: impl Into<String>) -> Self {
        self.predicate = Some(predicate.into());
        self
    }

    /// Tags the commit with an application transaction (refused if already committed).
    pub fn with_app_transaction(mut self, txn: AppTransaction) -> Self {
        self.app_transaction = Some(txn);
        self
    }

    #[tracing::instrument(name = "medallion.delete", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<DeleteReport> {
        let started = std::time::Instant::now();
        const OP: &str = "delete";
        let table_uri = self.location.to_string();
        let table = open_existing(&self.location, OP).await?;
        if let Some(txn) = &self.app_transaction {
            ensure_not_committed(&table, &self.location, txn, OP).await?;
        }
        let commit = commit_properties(Vec::new(), self.app_transaction.as_ref());
        let before = table.version();
        let mut builder = table
            .delete()
            .with_session_state(crate::table::plain_strings_session())
            .with_commit_properties(commit);
        if let Some(predicate) = self.predicate {
            builder = builder.with_predicate(predicate);
        }
        let (table, metrics) = match builder.await {
            Ok(deleted) => deleted,
            Err(e) => {
                let txn = self.app_transaction.as_ref();
                return Err(commit_failed(&self.location, OP, txn, e).await);
            }
        };
        crate::fault::record_commit(before, table.version());
        let report = DeleteReport {
            table: table_uri,
            version: table.version(),
            rows_deleted: metrics.num_deleted_rows.unwrap_or(0),
            files_removed: metrics.num_removed_files,
        };
        crate::trace::finished(
            "delete",
            Some(report.rows_deleted as u64),
            report.version,
            started.elapsed(),
        );
        Ok(report)
    }
}

awaitable_builder!(DeleteBuilder => DeleteReport);
