//! # medallion-core
//!
//! Delta Lake I/O for Polars, and the bronze → silver → gold machinery built on it.
//! This is the only crate of the workspace that talks to `deltalake`; it knows nothing
//! about healthcare.
//!
//! ## Quickstart
//!
//! Write a frame, append to it, read it back as a `LazyFrame`, travel in time:
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use medallion_core::{ReadBuilder, WriteBuilder, WriteMode};
//! use polars::prelude::*;
//!
//! let dir = tempfile::tempdir()?;
//! let table = dir.path().join("silver/encounters");
//! let first = df!("encounter_id" => ["e1", "e2"], "year" => [2023i32, 2024])?;
//! WriteBuilder::new(&table, first.lazy())?
//!     .with_partition_columns(["year"])
//!     .await?;
//! let second = df!("encounter_id" => ["e3"], "year" => [2024i32])?;
//! WriteBuilder::new(&table, second.lazy())?.with_mode(WriteMode::Append).await?;
//!
//! let latest = ReadBuilder::new(&table)?
//!     .with_predicate(col("year").eq(lit(2024)))
//!     .await?
//!     .collect()?;
//! assert_eq!(latest.height(), 2);
//! let v0 = ReadBuilder::new(&table)?.with_version(0).await?.collect()?;
//! assert_eq!(v0.height(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! ## What is here
//!
//! | need | API |
//! |---|---|
//! | Polars ↔ arrow-rs, zero-copy | [`bridge`] |
//! | create / append / overwrite / `replace_where` / schema merge | [`WriteBuilder`] |
//! | read latest / by version / by timestamp, pushdown | [`ReadBuilder`] |
//! | MERGE upsert/delete by keys | [`MergeBuilder`] |
//! | DELETE by predicate | [`DeleteBuilder`] |
//! | OPTIMIZE compaction and Z-order | [`OptimizeBuilder`] |
//! | VACUUM with retention | [`VacuumBuilder`] |
//! | commit history | [`HistoryBuilder`] |
//! | change data feed (inserts, updates, deletes between versions) | [`ChangesBuilder`] |
//! | `CHECK` / NOT NULL constraints enforced on write | [`AddConstraintsBuilder`], [`Constraint`] |
//! | RESTORE to a version or timestamp | [`RestoreBuilder`] |
//! | table properties | [`SetPropertiesBuilder`], [`table_properties`] |
//! | exactly-once commits, also under concurrent runs | [`AppTransaction`], [`app_transaction_version`] |
//! | crash tests: abort after the n-th commit | [`fault::abort_after_commits`], [`fault::commits_so_far`] |
//! | bronze ingestion of a landing directory, with per-file progress | [`pipeline::BronzeIngestBuilder`] |
//! | silver: transform, data-quality rules, quarantine, latest-by-key dedup, upsert/CDC | [`pipeline::SilverBuilder`], [`pipeline::deduplicate_latest`] |
//! | SCD Type 2 dimensions | [`pipeline::Scd2Builder`] |
//! | SCD Type 2 history from a change feed, in event time (late and out-of-order changes) | [`pipeline::ChangeFeedScd2Builder`], [`pipeline::scd2_versions`] |
//! | gold tables as values, one commit per replacement | [`pipeline::GoldWriteBuilder`], [`pipeline::GoldTable`] |
//! | the stable hash for keys and row hashes | [`hash`] |
//! | SQL over every table of a lakehouse (`gold.readmission_rates`), time travel | [`sql::SqlSessionBuilder`] |
//! | synchronous Polars work off the async runtime | [`run_polars`] |
//!
//! Every operation is a builder: required arguments in `new`, options in `with_*`,
//! run with `.await` (as in delta-rs). Each returns a report struct; every builder that
//! commits takes `with_commit_metadata` and `with_run_id`, so the table history shows
//! which run made each commit.
//!
//! ## Logging
//!
//! The crate logs with `tracing` and never prints: each operation runs in a span named
//! `medallion.<operation>` (e.g. `medallion.silver`) with a `table` field and ends with
//! one `info` event carrying `operation`, `rows`, `version` and `duration_ms`; silver
//! chunks and bronze files are `debug` events. Install a `tracing` subscriber to see
//! them; draw progress bars from [`pipeline::BronzeIngestBuilder::with_progress`] and
//! [`pipeline::SilverBuilder::with_progress`].
//!
//! ## Type mapping
//!
//! Delta stores fewer types than Polars; writers widen losslessly where possible and
//! refuse the rest by column name — see [`delta_types::delta_type_for`].
//!
//! ## Cargo features
//!
//! - `s3`: `s3://` table locations (delta-rs' AWS object store).
//! - `azure`: `az://`, `abfss://` table locations.
//! - `gcs`: `gs://` table locations.
//! - `kafka`: the `kafka` module: an exactly-once micro-batch source from Kafka into a bronze
//!   table and a JSON event sink (links the system librdkafka).
//!
//! With a cloud feature, writes, MERGE, DELETE, OPTIMIZE, VACUUM, history and
//! properties work on object-store tables (they run inside delta-rs). [`ReadBuilder`]
//! scans files with Polars' local Parquet reader, so it reads local tables only and
//! returns [`Error::InvalidConfiguration`] for object-store URLs.

/// Makes a builder awaitable: `.await` runs its `execute(self)` (as delta-rs builders do).
macro_rules! awaitable_builder {
    ($builder:ty => $output:ty) => {
        impl std::future::IntoFuture for $builder {
            type Output = $crate::error::Result<$output>;
            type IntoFuture =
                std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.execute())
            }
        }
    };
}

/// The commit-metadata setters of a builder with a
/// `commit_metadata: Vec<(String, serde_json::Value)>` field: every builder that
/// commits takes caller metadata and a run id the same way.
macro_rules! commit_metadata_setters {
    () => {
        /// A key/value recorded in the `commitInfo` of every commit this operation makes
        /// (visible in the table history). Default: none.
        pub fn with_commit_metadata(
            mut self,
            key: impl Into<String>,
            value: impl Into<serde_json::Value>,
        ) -> Self {
            self.commit_metadata.push((key.into(), value.into()));
            self
        }

        /// Records the caller's run id in the commit metadata, so the table history
        /// shows which pipeline run made each commit: under the key `run_id`, and as the
        /// commit's `userMetadata` (the column Spark's `DESCRIBE HISTORY` shows).
        /// Default: none.
        pub fn with_run_id(self, run_id: impl Into<String>) -> Self {
            let run_id: String = run_id.into();
            self.with_commit_metadata($crate::table::USER_METADATA, run_id.clone())
                .with_commit_metadata($crate::table::RUN_ID, run_id)
        }

        /// Adds several commit metadata entries.
        #[allow(dead_code)]
        pub(crate) fn with_commit_entries(
            mut self,
            entries: impl IntoIterator<Item = (String, serde_json::Value)>,
        ) -> Self {
            self.commit_metadata.extend(entries);
            self
        }
    };
}

mod blocking;
pub mod bridge;
mod changes;
pub mod delta_types;
mod error;
pub mod fault;
#[cfg(feature = "kafka")]
pub mod kafka;
mod location;
mod merge;
mod ops;
pub mod pipeline;
mod read;
mod replace;
pub mod sql;
mod stream;
mod table;
mod trace;
mod write;

pub use blocking::run_polars;
pub use changes::{CHANGE_TYPE, COMMIT_TIMESTAMP, COMMIT_VERSION, ChangesBuilder};
pub use error::{Error, Result};
pub use location::TableLocation;
/// The one stable hash of the workspace (XXH3-64 over a documented encoding), for surrogate
/// keys and row hashes: [`medallion_model::hash`], re-exported where Delta code looks for it.
pub use medallion_model::hash;
pub use merge::{MergeBuilder, MergeClause, MergeReport, SOURCE_ALIAS, TARGET_ALIAS};
pub use ops::constraints::{AddConstraintsBuilder, Constraint, constraints};
pub use ops::delete::{DeleteBuilder, DeleteReport};
pub use ops::history::{HistoryBuilder, HistoryEntry};
pub use ops::optimize::{OptimizeBuilder, OptimizeReport};
pub use ops::properties::{SetPropertiesBuilder, table_properties};
pub use ops::restore::{RestoreBuilder, RestoreReport};
pub use ops::vacuum::{DEFAULT_VACUUM_RETENTION, VacuumBuilder, VacuumReport};
pub use read::ReadBuilder;
pub use table::{AppTransaction, app_transaction_version, table_version};
pub use write::{DEFAULT_BATCH_ROWS, SchemaEvolution, WriteBuilder, WriteMode, WriteReport};

/// Re-exported so downstream crates compile against the exact versions used here.
pub use {arrow, deltalake, polars};

/// Compiles the Rust snippets of the workspace README as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
