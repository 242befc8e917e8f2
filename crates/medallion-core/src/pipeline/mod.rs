//! The medallion pipeline machinery: bronze ingestion, silver rules/dedup/upsert/SCD2,
//! gold writing, maintenance and run reports. Generic: no healthcare knowledge.

mod batch_duplicates;
mod bronze;
mod bronze_ledger;
mod bronze_progress;
mod cdc;
mod changes;
mod chunks;
mod dedup;
mod gold;
mod ingest_issues;
mod landing_csv;
mod landing_lines;
mod maintenance;
mod recovery;
mod report;
mod rules;
mod scd2;
mod silver;
mod silver_layout;

pub use bronze::{
    BATCH_ID, BronzeIngestBuilder, BronzeReport, INGEST_ISSUE, INGESTED_AT, IngestedFile,
    LandingFormat, RAW_LINE, SOURCE_FILE, SOURCE_ROW,
};
pub use bronze_progress::{BronzeProgress, BronzeProgressCallback};
pub use cdc::{ChangeFeedColumns, ChangeFeedScd2Builder, ChangeFeedScd2Report, scd2_versions};
pub use chunks::DEFAULT_CHUNK_ROWS;
pub use dedup::{Deduplicated, deduplicate_latest};
pub use gold::{GoldTable, GoldWriteBuilder, METRIC_VERSION_PROPERTY};
pub use ingest_issues::{INVALID_UTF8_RULE, MALFORMED_ROW_RULE, ingest_issue_rules};
pub use maintenance::{MaintenancePolicy, MaintenanceReport, run_maintenance};
pub use recovery::{RUN_REPORT_KEY, RecoverRunsBuilder};
pub use report::{Layer, RunReport, RunStatus, TableRunReport};
pub use rules::{DQ_FLAGS, Rule, RuleOutcome, SCRATCH_PREFIX, Severity, apply_rules};
pub use scd2::{
    EFFECTIVE_FROM, EFFECTIVE_TO, IS_CURRENT, ROW_HASH, SURROGATE_KEY, Scd2Builder, Scd2Report,
};
pub use silver::{
    CdcConfig, CdcDeletes, DELETED, ProgressCallback, SilverBuilder, SilverProgress, SilverReport,
    Transform, TransformError,
};

use polars::prelude::*;

use crate::error::{Error, Result};

/// Number of rows of a lazy frame.
pub(crate) fn count_rows(lf: LazyFrame, table: &str, operation: &'static str) -> Result<u64> {
    let counted = lf
        .select([len().cast(DataType::UInt64).alias("n")])
        .collect()
        .map_err(|e| Error::polars(table, operation, e))?;
    counted
        .column("n")
        .and_then(|c| c.u64().map(|ca| ca.get(0).unwrap_or(0)))
        .map_err(|e| Error::polars(table, operation, e))
}
