//! Integration tests of medallion-core: one binary (link time), one module per topic.
#![allow(clippy::unwrap_used)]

mod bridge_roundtrip;
mod delta_features;
mod idempotent_commits;
mod maintenance;
mod merge_delete;
mod pipeline_bronze;
mod pipeline_gold;
mod pipeline_scd2_gold;
mod pipeline_silver;
mod pipeline_silver_batches;
mod pipeline_silver_chunks;
mod read_features;
mod run_ids;
mod run_recovery;
mod write_read;

use polars::prelude::*;

/// Collects a table read into a frame sorted by `by` (Delta does not keep row order).
pub async fn read_sorted(path: &std::path::Path, by: &str) -> DataFrame {
    medallion_core::ReadBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .sort([by], SortMultipleOptions::default())
        .collect()
        .unwrap()
}
