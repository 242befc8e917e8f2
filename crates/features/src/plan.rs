//! The feature store as one plan: spine, feature groups, labels, definitions, version.

use medallion_model::GoldTable;
use medallion_model::hash::stable_hash_parts;
use polars::prelude::*;

use crate::columns::{
    AS_OF_DATE, AS_OF_MONTH, LABEL_DIABETES_ONSET, LABEL_READMISSION_30D, PATIENT_ID,
};
use crate::config::{AsOfDates, FeatureStoreConfig};
use crate::definitions::FeatureDefinition;
use crate::error::{Error, Result};
use crate::groups::{self, GroupFrame};
use crate::labels::diabetes_onset_label;
use crate::spine::spine;

/// Version of the feature definitions' code. Change it whenever the rows would change
/// for the same inputs and config; [`FeatureStore::version`] adds a hash of the config.
pub const FEATURE_DEFINITIONS_VERSION: &str = "features-1";
/// Name of the gold table.
pub const FEATURE_STORE_TABLE: &str = "patient_feature_store";

/// Silver tables the feature store reads (as normalized by `synthea-schema`).
#[derive(Clone)]
pub struct FeatureInputs {
    /// Silver `patients`.
    pub patients: LazyFrame,
    /// Silver `encounters`.
    pub encounters: LazyFrame,
    /// Silver `conditions`.
    pub conditions: LazyFrame,
    /// Silver `medications`.
    pub medications: LazyFrame,
    /// Silver `observations`.
    pub observations: LazyFrame,
    /// Silver `procedures` (planned readmissions).
    pub procedures: LazyFrame,
}

/// A feature store plan with its definitions.
#[derive(Clone)]
pub struct FeatureStore {
    /// Keys ([`PATIENT_ID`], [`AS_OF_DATE`]), [`AS_OF_MONTH`], features, labels; sorted
    /// by as-of date then patient.
    pub frame: LazyFrame,
    /// One definition per feature and label column, in column order.
    pub definitions: Vec<FeatureDefinition>,
    /// [`FEATURE_DEFINITIONS_VERSION`] plus a hash of the config: equal versions mean
    /// equal definitions.
    pub version: String,
}

impl FeatureStore {
    /// Feature columns (no keys, no labels).
    pub fn feature_columns(&self) -> Vec<String> {
        self.definitions
            .iter()
            .filter(|d| d.group != "labels")
            .map(|d| d.name.clone())
            .collect()
    }

    /// The definitions as JSON (the `feature_definitions` table property).
    ///
    /// # Errors
    /// [`Error::Serialize`] (not expected for these plain structs).
    pub fn definitions_json(&self) -> Result<String> {
        serde_json::to_string(&self.definitions).map_err(|source| Error::Serialize {
            what: "feature definitions",
            source,
        })
    }

    /// The gold table `patient_feature_store`: partitioned by [`AS_OF_MONTH`], metric
    /// version = [`FeatureStore::version`], each column's definition as its comment.
    pub fn gold_table(&self) -> GoldTable {
        let mut t = GoldTable::new(FEATURE_STORE_TABLE, self.frame.clone(), self.version.clone())
            .with_partition_columns([AS_OF_MONTH])
            .with_description(
                "Point-in-time patient features: one row per patient and as-of date; every feature uses only events dated on or before as_of_date; label__ columns look after it.",
            )
            .with_column_comment(PATIENT_ID, "Patient id.")
            .with_column_comment(AS_OF_DATE, "As-of date of the row.")
            .with_column_comment(AS_OF_MONTH, "First day of the as-of month (partition).");
        for d in &self.definitions {
            t = t.with_column_comment(d.name.clone(), d.description.clone());
        }
        t
    }
}

/// The feature store version of `config`.
///
/// # Errors
/// [`Error::Serialize`] (not expected).
pub fn feature_store_version(config: &FeatureStoreConfig) -> Result<String> {
    let json = serde_json::to_string(config).map_err(|source| Error::Serialize {
        what: "feature store config",
        source,
    })?;
    let hash = stable_hash_parts(&[Some(FEATURE_DEFINITIONS_VERSION), Some(&json)]);
    Ok(format!(
        "{FEATURE_DEFINITIONS_VERSION}.{:016x}",
        hash as u64
    ))
}

/// Builds the feature store plan (no I/O; the caller collects or writes it, e.g. with
/// [`crate::store::write_feature_store`]).
///
/// # Definition
/// One row per (patient, as-of date) of the [`crate::spine::spine`]; every feature
/// group of [`crate::FeatureGroups`] adds its columns, computed only from events dated on
/// or before the row's as-of date (see [`crate::groups`]); labels:
/// [`LABEL_DIABETES_ONSET`] always, [`LABEL_READMISSION_30D`] with
/// [`AsOfDates::IndexDischarges`].
///
/// # Errors
/// Invalid config; inputs that are not silver tables; planning errors of the reused
/// metric and journey crates.
pub fn feature_store(inputs: &FeatureInputs, config: &FeatureStoreConfig) -> Result<FeatureStore> {
    config.validate()?;
    let rows = spine(inputs, &config.as_of, &config.labels)?;
    let g = &config.groups;
    let mut parts: Vec<GroupFrame> = Vec::new();
    if g.demographics {
        parts.push(groups::demographics(&rows, inputs)?);
    }
    if let Some(c) = &g.conditions {
        parts.push(groups::condition_features(&rows, inputs, c)?);
    }
    if let Some(u) = &g.utilization {
        parts.push(groups::utilization_features(&rows, inputs, u)?);
    }
    if let Some(m) = &g.medications {
        parts.push(groups::medication_features(&rows, inputs, m)?);
    }
    if let Some(l) = &g.labs {
        parts.push(groups::lab_features(&rows, inputs, l)?);
    }
    if let Some(j) = &g.journey {
        parts.push(groups::journey_features(&rows, inputs, j, config)?);
    }
    let (frame, mut definitions) = join_groups(&rows, parts);
    let (frame, labels) = add_labels(frame, &rows, inputs, config)?;
    definitions.extend(labels);
    let frame = frame
        .with_column(col(AS_OF_DATE).dt().truncate(lit("1mo")).alias(AS_OF_MONTH))
        .sort([AS_OF_DATE, PATIENT_ID], SortMultipleOptions::default());
    let order: Vec<Expr> = [PATIENT_ID, AS_OF_DATE, AS_OF_MONTH]
        .into_iter()
        .map(col)
        .chain(definitions.iter().map(|d| col(d.name.as_str())))
        .collect();
    Ok(FeatureStore {
        frame: frame.select(order),
        definitions,
        version: feature_store_version(config)?,
    })
}

fn join_groups(rows: &LazyFrame, parts: Vec<GroupFrame>) -> (LazyFrame, Vec<FeatureDefinition>) {
    let on = [col(PATIENT_ID), col(AS_OF_DATE)];
    let mut frame = rows.clone().select(on.clone());
    let mut definitions = Vec::new();
    for part in parts {
        frame = frame.join(
            part.frame,
            on.clone(),
            on.clone(),
            JoinArgs::new(JoinType::Left),
        );
        definitions.extend(part.definitions);
    }
    (frame, definitions)
}

fn add_labels(
    frame: LazyFrame,
    rows: &LazyFrame,
    inputs: &FeatureInputs,
    config: &FeatureStoreConfig,
) -> Result<(LazyFrame, Vec<FeatureDefinition>)> {
    let on = [col(PATIENT_ID), col(AS_OF_DATE)];
    let horizon = config.labels.diabetes_horizon_days;
    let mut definitions = vec![FeatureDefinition::new(
        LABEL_DIABETES_ONSET,
        "labels",
        "Boolean",
        &format!(
            "First diagnosis of value set `{}` within {horizon} days after the as-of date; null when already diagnosed or not observable.",
            config.labels.diabetes_value_set
        ),
    )];
    let diabetes = diabetes_onset_label(rows, inputs, config)?;
    let mut frame = frame.join(
        diabetes,
        on.clone(),
        on.clone(),
        JoinArgs::new(JoinType::Left),
    );
    if config.as_of == AsOfDates::IndexDischarges {
        let readmit =
            rows.clone()
                .select([col(PATIENT_ID), col(AS_OF_DATE), col(LABEL_READMISSION_30D)]);
        frame = frame.join(readmit, on.clone(), on, JoinArgs::new(JoinType::Left));
        definitions.push(FeatureDefinition::new(
            LABEL_READMISSION_30D,
            "labels",
            "Boolean",
            "The index discharge on the as-of date was followed by a 30-day readmission (ehr_quality_metrics::readmission).",
        ));
    }
    Ok((frame, definitions))
}
