//! Opening tables and checking application transactions.

use deltalake::kernel::transaction::CommitProperties;
use deltalake::kernel::{EagerSnapshot, Transaction};
use deltalake::{DeltaTable, DeltaTableError};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::location::TableLocation;

/// An application transaction: "application `app_id` has committed up to `version`".
///
/// Delta records the highest version per application id in the table log (the `txn`
/// action). A writer that tags every commit with `(app_id, batch_number)` can ask the
/// table which batches it already holds — that is how exactly-once ingestion survives
/// crashes and re-runs. delta-rs stores the action but does not reject a replay, so
/// medallion-core checks before committing and refuses any `version` not above the
/// recorded one with [`Error::TransactionAlreadyCommitted`].
///
/// The check and the commit are one atomic step: the commit itself carries the `txn`
/// action, and delta-rs' conflict checker fails a commit when any commit that won the
/// race since our snapshot recorded the same app id. Of two writers that both passed
/// the check, the loser writes nothing and gets [`Error::TransactionAlreadyCommitted`]
/// (or [`Error::ConcurrentAppTransaction`] if the winner recorded a lower version).
/// This holds for a table the commit creates too: a tagged creation does not retry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppTransaction {
    /// Application id, e.g. `"synthea-bronze/encounters"`.
    pub app_id: String,
    /// Monotonically increasing version (e.g. batch number).
    pub version: i64,
}

impl AppTransaction {
    /// Creates an application transaction tag.
    pub fn new(app_id: impl Into<String>, version: i64) -> Self {
        Self {
            app_id: app_id.into(),
            version,
        }
    }
}

/// A DataFusion session for delta-rs operations that read and rewrite files (MERGE,
/// DELETE, OPTIMIZE, `replace_where`): delta-rs' default session reads strings as
/// `Utf8View`, and the files it rewrites would then declare `string_view` in their
/// Arrow schema, which older readers (pyarrow filters, some BI tools) cannot compare.
/// This session reads them as plain `Utf8`/`Binary`, so every file we write declares
/// plain strings.
pub(crate) fn plain_strings_session() -> std::sync::Arc<dyn deltalake::datafusion::catalog::Session>
{
    let overrides: std::collections::HashMap<String, String> = [(
        "datafusion.execution.parquet.schema_force_view_types".to_string(),
        "false".to_string(),
    )]
    .into_iter()
    .collect();
    let context =
        deltalake::delta_datafusion::DeltaSessionContext::new_with_session_overrides(&overrides)
            .unwrap_or_default();
    std::sync::Arc::new(context.state())
}

/// Commit metadata key of the caller's run id (`with_run_id` of every builder).
pub(crate) const RUN_ID: &str = "run_id";

/// The `commitInfo` field Delta engines show as a commit's user metadata (Spark's
/// `DESCRIBE HISTORY` column `userMetadata`); `with_run_id` puts the run id there too.
pub(crate) const USER_METADATA: &str = "userMetadata";

/// Commit properties carrying caller metadata and, if given, the application transaction.
pub(crate) fn commit_properties(
    metadata: Vec<(String, serde_json::Value)>,
    app_transaction: Option<&AppTransaction>,
) -> CommitProperties {
    let mut commit = CommitProperties::default();
    if !metadata.is_empty() {
        commit = commit.with_metadata(metadata);
    }
    if let Some(txn) = app_transaction {
        commit = commit.with_application_transaction(Transaction::new(&txn.app_id, txn.version));
    }
    commit
}

/// Opens the table at `location`; a location without a table yields an unloaded table.
pub(crate) async fn open_or_new(
    location: &TableLocation,
    operation: &'static str,
) -> Result<DeltaTable> {
    if let Some(path) = location.local_path() {
        std::fs::create_dir_all(&path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            operation,
            source,
        })?;
    }
    DeltaTable::try_from_url(location.url().clone())
        .await
        .map_err(|e| Error::delta(location.as_str(), operation, e))
}

/// Opens an existing table at its latest version.
pub(crate) async fn open_existing(
    location: &TableLocation,
    operation: &'static str,
) -> Result<DeltaTable> {
    if let Some(path) = location.local_path()
        && !path.join("_delta_log").is_dir()
    {
        return Err(Error::TableNotFound {
            table: location.to_string(),
            operation,
        });
    }
    let table = DeltaTable::try_from_url(location.url().clone())
        .await
        .map_err(|e| not_found_or(location, operation, e))?;
    if table.version().is_none() {
        return Err(Error::TableNotFound {
            table: location.to_string(),
            operation,
        });
    }
    Ok(table)
}

/// Maps delta-rs' "not a table" to [`Error::TableNotFound`].
pub(crate) fn not_found_or(
    location: &TableLocation,
    operation: &'static str,
    e: DeltaTableError,
) -> Error {
    match e {
        DeltaTableError::NotATable(_) | DeltaTableError::NotInitialized => Error::TableNotFound {
            table: location.to_string(),
            operation,
        },
        other => Error::delta(&location.to_string(), operation, other),
    }
}

/// The loaded snapshot, if the table exists.
pub(crate) fn snapshot_of(table: &DeltaTable) -> Option<EagerSnapshot> {
    table.snapshot().ok().map(|state| state.snapshot().clone())
}

/// The highest committed version for `app_id`, or `None` if it never committed.
pub(crate) async fn committed_app_version(
    table: &DeltaTable,
    location: &TableLocation,
    app_id: &str,
    operation: &'static str,
) -> Result<Option<i64>> {
    let Ok(state) = table.snapshot() else {
        return Ok(None);
    };
    state
        .transaction_version(table.log_store().as_ref(), app_id)
        .await
        .map_err(|e| Error::delta(&location.to_string(), operation, e))
}

/// Fails with [`Error::TransactionAlreadyCommitted`] when `txn` was committed before.
pub(crate) async fn ensure_not_committed(
    table: &DeltaTable,
    location: &TableLocation,
    txn: &AppTransaction,
    operation: &'static str,
) -> Result<()> {
    if let Some(committed) = committed_app_version(table, location, &txn.app_id, operation).await?
        && committed >= txn.version
    {
        return Err(Error::TransactionAlreadyCommitted {
            table: location.to_string(),
            app_id: txn.app_id.clone(),
            requested_version: txn.version,
            committed_version: committed,
        });
    }
    Ok(())
}

/// The error of a failed commit that was tagged `txn`.
///
/// Checking [`ensure_not_committed`] and committing are one atomic step because the
/// commit declares the application transaction: delta-rs' conflict checker fails a
/// commit whose `txn` app id was also written by any commit that won the race since our
/// snapshot (`ConcurrentTransaction`), and a tagged table creation does not retry (see
/// the write). Such a loser wrote no log entry; here we re-read the table to name what
/// happened: [`Error::TransactionAlreadyCommitted`] when the winner recorded our
/// version or a higher one, [`Error::ConcurrentAppTransaction`] when it recorded a
/// lower one, the delta-rs error otherwise.
pub(crate) async fn commit_failed(
    location: &TableLocation,
    operation: &'static str,
    txn: Option<&AppTransaction>,
    error: DeltaTableError,
) -> Error {
    use deltalake::kernel::transaction::{CommitConflictError, TransactionError};
    let Some(txn) = txn else {
        return Error::delta(location.as_str(), operation, error);
    };
    if let Ok(Some(committed)) = app_transaction_version(location, &txn.app_id).await
        && committed >= txn.version
    {
        return Error::TransactionAlreadyCommitted {
            table: location.to_string(),
            app_id: txn.app_id.clone(),
            requested_version: txn.version,
            committed_version: committed,
        };
    }
    match error {
        DeltaTableError::Transaction {
            source: TransactionError::CommitConflict(CommitConflictError::ConcurrentTransaction),
        } => Error::ConcurrentAppTransaction {
            table: location.to_string(),
            operation,
            app_id: txn.app_id.clone(),
            version: txn.version,
        },
        other => Error::delta(location.as_str(), operation, other),
    }
}

/// Reads the highest committed version of an application id from a table.
///
/// Returns `Ok(None)` when the table does not exist yet or the application never
/// committed to it.
///
/// # Errors
/// [`Error::Delta`] when the table log cannot be read.
pub async fn app_transaction_version(
    location: impl TryInto<TableLocation, Error = Error>,
    app_id: &str,
) -> Result<Option<i64>> {
    let location = location.try_into()?;
    let table = match open_existing(&location, "read app transaction").await {
        Ok(table) => table,
        Err(Error::TableNotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    committed_app_version(&table, &location, app_id, "read app transaction").await
}

/// The latest version of the table at `location`, or `None` if there is no table yet.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{WriteBuilder, table_version};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// assert_eq!(table_version(dir.path()).await?, None);
/// WriteBuilder::new(dir.path(), df!("x" => [1i64])?.lazy())?.await?;
/// assert_eq!(table_version(dir.path()).await?, Some(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
///
/// # Errors
/// [`Error::InvalidLocation`] for an unusable location; [`Error::Delta`] when the log
/// cannot be read.
pub async fn table_version(
    location: impl TryInto<TableLocation, Error = Error>,
) -> Result<Option<u64>> {
    let location = location.try_into()?;
    match open_existing(&location, "read version").await {
        Ok(table) => Ok(table.version()),
        Err(Error::TableNotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
