//! Settings of a pipeline run.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;
use medallion_core::pipeline::{MaintenancePolicy, Severity};
use serde::{Deserialize, Serialize};
use synthea_schema::TableKind;
use synthea_schema::dq::DqConfig;
use synthea_schema::normalize::NormalizeConfig;

/// Settings of one pipeline run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PipelineConfig {
    /// Lakehouse root; tables go to `<root>/{bronze,silver,gold}/<table>` and `<root>/_runs`.
    pub lakehouse: PathBuf,
    /// Pipeline name: part of every application-transaction id.
    pub pipeline: String,
    /// As-of date for "in the future" checks, open stays and metric periods (no clock).
    pub as_of: NaiveDate,
    /// Identifier of this run (recorded in `_runs` and commit metadata).
    pub run_id: String,
    /// Normalization settings. Default: [`NormalizeConfig::default`] (UTC dates).
    pub normalize: NormalizeConfig,
    /// Data-quality settings. Default: `synthea-schema`'s defaults, except that
    /// `<table>.duplicate_id` is `warn` — duplicates are then resolved by the latest-wins
    /// deduplication (and counted) instead of quarantining every copy. The severity of
    /// the money and count range rules (negative costs, payments, expenses, dispenses…)
    /// is `dq.value_ranges.severity` (JSON: `{"dq": {"value_ranges": {"severity":
    /// "quarantine"}}}`); default `warn`.
    pub dq: DqConfig,
    /// Raw categorical columns checked for case variants, per table. Default:
    /// [`default_categorical_columns`].
    pub categorical_columns: BTreeMap<String, Vec<String>>,
    /// Bronze rows a silver table processes at a time (bounds memory; see
    /// [`medallion_core::pipeline::SilverBuilder::with_chunk_rows`]). Default:
    /// [`medallion_core::pipeline::DEFAULT_CHUNK_ROWS`] (500,000).
    #[serde(default = "default_silver_chunk_rows")]
    pub silver_chunk_rows: usize,
    /// Maintenance run after the report is recorded, on every table the run committed
    /// to (OPTIMIZE / Z-order / VACUUM). Default: `None` — no maintenance.
    #[serde(default)]
    pub maintenance: Option<MaintenancePolicy>,
    /// Settings of the population-health gold tables (value sets, reference ranges, age
    /// bands, small-cell threshold, surveillance period). Default:
    /// [`ehr_population_health::PopulationHealthConfig::default`].
    #[serde(default)]
    pub population_health: ehr_population_health::PopulationHealthConfig,
}

fn default_silver_chunk_rows() -> usize {
    medallion_core::pipeline::DEFAULT_CHUNK_ROWS
}

impl PipelineConfig {
    /// A configuration with the documented defaults.
    pub fn new(
        lakehouse: impl Into<PathBuf>,
        pipeline: impl Into<String>,
        as_of: NaiveDate,
        run_id: impl Into<String>,
    ) -> Self {
        let mut dq = DqConfig::default();
        for table in TableKind::ALL {
            if !table.silver_key().is_empty() {
                dq = dq.with_severity(format!("{}.duplicate_id", table.name()), Severity::Warn);
            }
        }
        Self {
            lakehouse: lakehouse.into(),
            pipeline: pipeline.into(),
            as_of,
            run_id: run_id.into(),
            normalize: NormalizeConfig::default(),
            dq,
            categorical_columns: default_categorical_columns(),
            silver_chunk_rows: default_silver_chunk_rows(),
            maintenance: None,
            population_health: Default::default(),
        }
    }

    /// `<lakehouse>/<layer>/<name>`.
    pub(crate) fn table(&self, layer: &str, name: &str) -> PathBuf {
        self.lakehouse.join(layer).join(name)
    }
}

/// The raw categorical columns of each table whose values come from a small fixed set,
/// as the Synthea spec declares them ([`synthea_schema::TableKind::categorical_columns`]):
/// the columns whose case and spelling variants silver flags. Tables without such
/// columns are left out.
pub fn default_categorical_columns() -> BTreeMap<String, Vec<String>> {
    synthea_schema::TableKind::ALL
        .into_iter()
        .map(|t| {
            let columns = t.categorical_columns();
            (
                t.name().to_string(),
                columns.into_iter().map(String::from).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, columns)| !columns.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_config_file_without_the_newer_settings_loads_with_their_defaults() {
        let config = PipelineConfig::new("lake", "p", NaiveDate::default(), "r");
        let mut json = serde_json::to_value(&config).unwrap();
        let fields = json.as_object_mut().unwrap();
        fields.remove("silver_chunk_rows");
        fields.remove("maintenance");
        let dq = fields.get_mut("dq").unwrap().as_object_mut().unwrap();
        assert!(dq.remove("value_ranges").is_some());
        let loaded: PipelineConfig = serde_json::from_value(json).unwrap();
        assert_eq!(loaded.dq.value_ranges.severity, Severity::Warn);
        assert_eq!(loaded.dq, config.dq);
        assert_eq!(
            loaded.silver_chunk_rows,
            medallion_core::pipeline::DEFAULT_CHUNK_ROWS
        );
        assert!(loaded.maintenance.is_none());
        assert_eq!(loaded.lakehouse, config.lakehouse);
    }

    #[test]
    fn default_categorical_columns_come_from_the_spec() {
        let columns = default_categorical_columns();
        assert_eq!(
            columns["patients"],
            ["MARITAL", "RACE", "ETHNICITY", "GENDER"]
        );
        assert_eq!(columns["encounters"], ["ENCOUNTERCLASS"]);
        assert!(
            !columns.contains_key("conditions"),
            "no categorical columns there"
        );
        assert_eq!(columns.len(), 9);
    }

    #[test]
    fn value_range_severity_loads_from_the_pipeline_config() {
        let config = PipelineConfig::new("lake", "p", NaiveDate::default(), "r");
        let mut json = serde_json::to_value(&config).unwrap();
        json["dq"]["value_ranges"] = serde_json::json!({"severity": "quarantine"});
        let loaded: PipelineConfig = serde_json::from_value(json).unwrap();
        assert_eq!(loaded.dq.value_ranges.severity, Severity::Quarantine);
        let rules = synthea_schema::dq::dq_rules(TableKind::Encounters, &loaded.dq, loaded.as_of);
        let rule = rules
            .iter()
            .find(|r| r.name == "encounters.negative_money.total_claim_cost")
            .unwrap();
        assert_eq!(rule.severity, Severity::Quarantine);
    }
}
