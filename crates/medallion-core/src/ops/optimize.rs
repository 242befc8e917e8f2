//! OPTIMIZE: compaction and Z-order.

use std::num::NonZeroU64;

use deltalake::operations::optimize::OptimizeType;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::table::open_existing;

/// The outcome of an OPTIMIZE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptimizeReport {
    /// Table URI.
    pub table: String,
    /// Version committed (unchanged when there was nothing to do).
    pub version: Option<u64>,
    /// Files written.
    pub files_added: u64,
    /// Files replaced.
    pub files_removed: u64,
    /// Partitions touched.
    pub partitions_optimized: u64,
}

/// Compacts small files (and optionally Z-orders rows by columns); run with `.await`.
///
/// Compaction rewrites files smaller than the target size into fewer larger ones;
/// Z-order rewrites all files so rows close in the chosen columns share files, which
/// makes data skipping on those columns effective. Readers see the same rows.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{OptimizeBuilder, WriteBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// for i in 0..3i64 {
///     WriteBuilder::new(dir.path(), df!("x" => [i])?.lazy())?.await?;
/// }
/// let report = OptimizeBuilder::new(dir.path())?.await?;
/// assert_eq!((report.files_removed, report.files_added), (3, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "an OptimizeBuilder does nothing until awaited"]
pub struct OptimizeBuilder {
    location: TableLocation,
    z_order: Vec<String>,
    target_size: Option<NonZeroU64>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl OptimizeBuilder {
    /// An OPTIMIZE (compaction) of the table at `location`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(location: impl TryInto<TableLocation, Error = Error>) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            z_order: Vec::new(),
            target_size: None,
            commit_metadata: Vec::new(),
        })
    }

    /// Z-order by these columns instead of plain compaction. Default: none (compaction).
    pub fn with_z_order(mut self, columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.z_order = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Target file size in bytes. Default: the table's `delta.targetFileSize` or 100 MiB.
    pub fn with_target_size(mut self, bytes: NonZeroU64) -> Self {
        self.target_size = Some(bytes);
        self
    }

    commit_metadata_setters!();

    #[tracing::instrument(name = "medallion.optimize", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<OptimizeReport> {
        let started = std::time::Instant::now();
        const OP: &str = "optimize";
        let table_uri = self.location.to_string();
        let table = open_existing(&self.location, OP).await?;
        let optimize_type = if self.z_order.is_empty() {
            OptimizeType::Compact
        } else {
            OptimizeType::ZOrder(self.z_order)
        };
        let before = table.version();
        let mut builder = table
            .optimize()
            .with_session_state(crate::table::plain_strings_session())
            .with_commit_properties(crate::table::commit_properties(self.commit_metadata, None))
            .with_type(optimize_type);
        if let Some(size) = self.target_size {
            builder = builder.with_target_size(size);
        }
        let (table, metrics) = builder.await.map_err(|e| Error::delta(&table_uri, OP, e))?;
        crate::fault::record_commit(before, table.version());
        let report = OptimizeReport {
            table: table_uri,
            version: table.version(),
            files_added: metrics.num_files_added,
            files_removed: metrics.num_files_removed,
            partitions_optimized: metrics.partitions_optimized,
        };
        crate::trace::finished("optimize", None, report.version, started.elapsed());
        Ok(report)
    }
}

awaitable_builder!(OptimizeBuilder => OptimizeReport);
