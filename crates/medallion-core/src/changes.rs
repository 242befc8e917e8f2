//! Reading a table's change data feed (CDF) as a Polars frame.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use deltalake::datafusion::prelude::SessionContext;
use deltalake::delta_datafusion::DeltaCdfTableProvider;
use polars::prelude::*;

use crate::bridge::record_batches_to_dataframe;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::open_existing;

/// Column of a change row saying what happened: `insert`, `update_preimage` (the row
/// before an update), `update_postimage` (the row after it) or `delete`.
pub const CHANGE_TYPE: &str = "_change_type";
/// Column of a change row: the table version whose commit made the change.
pub const COMMIT_VERSION: &str = "_commit_version";
/// Column of a change row: when that commit was made.
pub const COMMIT_TIMESTAMP: &str = "_commit_timestamp";

/// Reads the row-level changes of a table with the change data feed enabled
/// (`delta.enableChangeDataFeed = true`, as silver tables are created); run with
/// `.await`.
///
/// The frame has the table's columns plus [`CHANGE_TYPE`], [`COMMIT_VERSION`] and
/// [`COMMIT_TIMESTAMP`], for the commits from the starting version (inclusive, default
/// 0) to the ending version (inclusive, default the latest). Appends yield `insert`
/// rows; a MERGE yields `update_preimage`/`update_postimage` pairs, `insert` and
/// `delete` rows. Changes made before the feed was enabled are not recorded. The
/// changes are collected in memory, so read a bounded range of versions (e.g. those
/// since the last version a consumer processed).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{ChangesBuilder, MergeBuilder, WriteBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("id" => [1i64], "v" => ["a"])?.lazy())?
///     .with_table_property("delta.enableChangeDataFeed", "true")
///     .await?;
/// MergeBuilder::new(dir.path(), df!("id" => [1i64], "v" => ["b"])?.lazy(), ["id"])?
///     .when_matched_update_all(None::<String>)
///     .await?;
/// let changes = ChangesBuilder::new(dir.path())?.with_starting_version(1).await?.collect()?;
/// assert_eq!(changes.height(), 2); // the update's pre- and post-image
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a ChangesBuilder does nothing until awaited"]
pub struct ChangesBuilder {
    location: TableLocation,
    starting_version: Option<u64>,
    ending_version: Option<u64>,
    starting_timestamp: Option<DateTime<Utc>>,
    ending_timestamp: Option<DateTime<Utc>>,
}

impl ChangesBuilder {
    /// The change feed of the table at `location` (a path or URL).
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            starting_version: None,
            ending_version: None,
            starting_timestamp: None,
            ending_timestamp: None,
        })
    }

    /// First version whose changes are read (inclusive). Default: 0.
    pub fn with_starting_version(mut self, version: u64) -> Self {
        self.starting_version = Some(version);
        self
    }

    /// Last version whose changes are read (inclusive). Default: the latest.
    pub fn with_ending_version(mut self, version: u64) -> Self {
        self.ending_version = Some(version);
        self
    }

    /// Read the changes of commits made at or after `timestamp` (instead of a
    /// starting version).
    pub fn with_starting_timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.starting_timestamp = Some(timestamp);
        self
    }

    /// Read the changes of commits made at or before `timestamp`.
    pub fn with_ending_timestamp(mut self, timestamp: DateTime<Utc>) -> Self {
        self.ending_timestamp = Some(timestamp);
        self
    }

    /// The steps: open the table, let delta-rs plan the change scan, collect its
    /// batches and hand them to Polars.
    #[tracing::instrument(name = "medallion.changes", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<LazyFrame> {
        const OP: &str = "read changes";
        let started = std::time::Instant::now();
        let uri = self.location.to_string();
        let table = open_existing(&self.location, OP).await?;
        let version = table.version();
        let mut cdf = table.scan_cdf();
        if let Some(version) = self.starting_version {
            cdf = cdf.with_starting_version(version);
        } else if self.starting_timestamp.is_none() {
            cdf = cdf.with_starting_version(0);
        }
        if let Some(version) = self.ending_version {
            cdf = cdf.with_ending_version(version);
        }
        if let Some(at) = self.starting_timestamp {
            cdf = cdf.with_starting_timestamp(at);
        }
        if let Some(at) = self.ending_timestamp {
            cdf = cdf.with_ending_timestamp(at);
        }
        let provider =
            DeltaCdfTableProvider::try_new(cdf).map_err(|e| Error::delta(&uri, OP, e))?;
        let internal = |e: deltalake::datafusion::error::DataFusionError| Error::Internal {
            table: uri.clone(),
            operation: OP,
            reason: e.to_string(),
        };
        let frame = SessionContext::new()
            .read_table(Arc::new(provider))
            .map_err(internal)?;
        let schema = frame.schema().as_arrow().clone();
        let batches = frame.collect().await.map_err(|e| match e {
            deltalake::datafusion::error::DataFusionError::External(inner) => Error::Internal {
                table: uri.clone(),
                operation: OP,
                reason: inner.to_string(),
            },
            other => internal(other),
        })?;
        let changes = record_batches_to_dataframe(&batches, &schema)?;
        crate::trace::finished(
            "read changes",
            Some(changes.height() as u64),
            version,
            started.elapsed(),
        );
        Ok(changes.lazy())
    }
}

awaitable_builder!(ChangesBuilder => LazyFrame);
