//! Delta Lake I/O of the feature store, the risk scores and the experiments, through
//! `medallion-core` (the only module of this crate that reads or writes tables).

use std::collections::HashMap;

use medallion_core::pipeline::GoldWriteBuilder;
use medallion_core::{
    ReadBuilder, SetPropertiesBuilder, WriteBuilder, WriteMode, table_properties,
};
use medallion_model::GoldTable;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::model::scores::RISK_SCORES_TABLE;
use crate::plan::FeatureStore;
use crate::tracking::{RunRecord, experiments_frame};

/// Table property holding the feature definitions (JSON list of
/// [`crate::FeatureDefinition`]).
pub const FEATURE_DEFINITIONS_PROPERTY: &str = "feature_definitions";
/// Table property holding [`FeatureStore::version`] (also in `metric_version`).
pub const FEATURE_SET_VERSION_PROPERTY: &str = "feature_set_version";
/// Name of the experiments table.
pub const EXPERIMENTS_TABLE: &str = "_experiments";

/// What [`write_feature_store`] committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureStoreWrite {
    /// Version holding the rows (time-travel to it for training).
    pub data_version: u64,
    /// Version of the property commit that followed.
    pub properties_version: Option<u64>,
    /// Rows written.
    pub rows: u64,
}

/// Replaces `gold/patient_feature_store` at `location` with `store`: one commit with
/// the rows (partitioned by `as_of_month`), the `metric_version` property (= the feature
/// set version) and each column's definition as its comment; then a property commit
/// with [`FEATURE_DEFINITIONS_PROPERTY`] and [`FEATURE_SET_VERSION_PROPERTY`].
///
/// # Errors
/// Delta and Polars errors.
pub async fn write_feature_store(
    location: &str,
    store: &FeatureStore,
    run_id: &str,
) -> Result<FeatureStoreWrite> {
    let report = GoldWriteBuilder::from_table(location, store.gold_table())?
        .with_run_id(run_id)
        .await?;
    let data_version = report.version.ok_or_else(|| Error::NotEnoughData {
        operation: "write the feature store",
        reason: "the write committed no version".into(),
    })?;
    let properties_version = SetPropertiesBuilder::new(location)?
        .with_property(FEATURE_DEFINITIONS_PROPERTY, store.definitions_json()?)
        .with_property(FEATURE_SET_VERSION_PROPERTY, store.version.clone())
        .with_run_id(run_id)
        .await?;
    Ok(FeatureStoreWrite {
        data_version,
        properties_version,
        rows: report.rows_written,
    })
}

/// Reads the feature store at `location`, at `version` (Delta time travel) or the latest.
///
/// # Errors
/// Delta errors (e.g. no such version).
pub async fn read_feature_store(location: &str, version: Option<u64>) -> Result<LazyFrame> {
    let read = ReadBuilder::new(location)?;
    let read = match version {
        Some(v) => read.with_version(v),
        None => read,
    };
    Ok(read.await?)
}

/// The table properties of the feature store (latest version).
///
/// # Errors
/// Delta errors.
pub async fn feature_store_properties(location: &str) -> Result<HashMap<String, String>> {
    Ok(table_properties(location).await?)
}

/// Replaces `gold/patient_risk_scores` at `location` with `scores` (rows of
/// [`crate::model::risk_scores`], any number of models), partitioned by `model_name`,
/// with `metric_version` = the models' versions joined by `,`.
///
/// # Errors
/// Delta and Polars errors.
pub async fn write_risk_scores(
    location: &str,
    scores: DataFrame,
    model_versions: &[String],
    run_id: &str,
) -> Result<u64> {
    let table = GoldTable::new(RISK_SCORES_TABLE, scores.lazy(), model_versions.join(","))
        .with_partition_columns(["model_name"])
        .with_description("Risk scores per patient and as-of date from the models trained on patient_feature_store.")
        .with_column_comment("score", "Predicted probability of the label (prior-corrected).")
        .with_column_comment("risk_band", "low / medium / high relative to the model's baseline risk.");
    let report = GoldWriteBuilder::from_table(location, table)?
        .with_run_id(run_id)
        .await?;
    Ok(report.rows_written)
}

/// Appends run records to the `_experiments` table at `location` (created on first
/// use).
///
/// # Errors
/// Delta and Polars errors.
pub async fn append_experiments(location: &str, records: &[RunRecord]) -> Result<u64> {
    let frame = experiments_frame(records)?;
    let report = WriteBuilder::new(location, frame.lazy())?
        .with_mode(WriteMode::Append)
        .await?;
    Ok(report.rows_written)
}
