//! Settings of a pipeline run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use medallion_core::pipeline::{MaintenancePolicy, Severity};
use serde::{Deserialize, Serialize};
use synthea_schema::TableKind;
use synthea_schema::dq::DqConfig;
use synthea_schema::normalize::NormalizeConfig;

use crate::error::PipelineError;

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
    /// Settings of the quality-metric gold tables (readmission exclusions, planned
    /// procedures, drug classes, adherence and latency windows). Default:
    /// [`ehr_quality_metrics::QualityConfig::default`].
    #[serde(default)]
    pub quality: ehr_quality_metrics::QualityConfig,
    /// Settings of the journey gold tables (treatment windows, code lists). Default:
    /// [`ehr_journey::JourneyConfig::default`].
    #[serde(default)]
    pub journey: ehr_journey::JourneyConfig,
    /// Settings of the star schema's date dimension (fiscal year, holidays). Default:
    /// [`synthea_schema::star::DateDimConfig::default`].
    #[serde(default)]
    pub date_dim: synthea_schema::star::DateDimConfig,
    /// Z-order columns per table (`"<layer>/<table>"`), used by [`Self::maintenance`]
    /// instead of plain compaction for the tables listed (a policy that names its own
    /// `z_order` columns applies them to every table instead). Default:
    /// [`default_z_order`] — the large silver fact tables by `patient_id`, so a
    /// patient's rows sit in few files.
    #[serde(default = "default_z_order")]
    pub z_order: BTreeMap<String, Vec<String>>,
}

/// The fields of [`PipelineConfig`] that identify a run rather than configure it.
const RUN_IDENTITY: [&str; 3] = ["lakehouse", "pipeline", "run_id"];

/// Copies `from` into `into`: objects key by key (recursively), anything else replaced.
fn merge_json(into: &mut serde_json::Value, from: serde_json::Value) {
    match (into, from) {
        (serde_json::Value::Object(into), serde_json::Value::Object(from)) => {
            for (key, value) in from {
                match into.get_mut(&key) {
                    Some(existing) => merge_json(existing, value),
                    None => {
                        into.insert(key, value);
                    }
                }
            }
        }
        (into, from) => *into = from,
    }
}

/// Removes nulls (unset options), which TOML cannot write: a missing key means the same.
fn drop_nulls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(fields) => {
            fields.retain(|_, v| !v.is_null());
            fields.values_mut().for_each(drop_nulls);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The default Z-order columns per table: the silver tables with many rows per patient
/// (`encounters`, `conditions`, `medications`, `observations`, `procedures`) by
/// `patient_id`.
pub fn default_z_order() -> BTreeMap<String, Vec<String>> {
    [
        TableKind::Encounters,
        TableKind::Conditions,
        TableKind::Medications,
        TableKind::Observations,
        TableKind::Procedures,
    ]
    .into_iter()
    .map(|t| {
        (
            format!("silver/{}", t.name()),
            vec![synthea_schema::columns::encounters::PATIENT_ID.to_string()],
        )
    })
    .collect()
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
            quality: Default::default(),
            journey: Default::default(),
            date_dim: Default::default(),
            z_order: default_z_order(),
        }
    }

    /// The settings of `path` (TOML, or JSON when the name ends in `.json`) applied over
    /// these: every key the file sets replaces the value here, nested tables key by key,
    /// and everything it leaves out keeps its current value. The run's identity
    /// (`lakehouse`, `pipeline`, `run_id`) comes from the caller, never from a file.
    ///
    /// # Errors
    /// [`PipelineError::Config`] naming the file and what is wrong with it: unreadable,
    /// not valid TOML/JSON, a value of the wrong type, or keys that are not settings
    /// (all unknown keys are listed, with their path, e.g. `quality.readmision_days`).
    pub fn with_settings_file(self, path: impl AsRef<Path>) -> Result<Self, PipelineError> {
        let path = path.as_ref();
        let error = |problem: String| PipelineError::Config {
            path: path.display().to_string(),
            problem,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| error(format!("cannot read it: {e}")))?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let settings: serde_json::Value = if is_json {
            serde_json::from_str(&text).map_err(|e| error(format!("not valid JSON: {e}")))?
        } else {
            toml::from_str(&text).map_err(|e| error(format!("not valid TOML: {e}")))?
        };
        self.with_settings(settings).map_err(error)
    }

    /// Applies `settings` (a JSON object shaped like [`Self::default_settings`]) over
    /// these settings; see [`Self::with_settings_file`]. Returns the problem as text.
    fn with_settings(self, settings: serde_json::Value) -> Result<Self, String> {
        let serde_json::Value::Object(settings) = settings else {
            return Err("expected a table of settings at the top level".to_string());
        };
        let identity: Vec<_> = RUN_IDENTITY
            .iter()
            .filter(|key| settings.contains_key(**key))
            .map(|key| format!("`{key}`"))
            .collect();
        if !identity.is_empty() {
            return Err(format!(
                "{} cannot be set from a settings file (they are given on the command line)",
                identity.join(", ")
            ));
        }
        let mut merged = serde_json::to_value(&self).map_err(|e| e.to_string())?;
        merge_json(&mut merged, serde_json::Value::Object(settings));
        let mut unknown = Vec::new();
        let loaded: Self =
            serde_ignored::deserialize(merged, |path| unknown.push(path.to_string()))
                .map_err(|e| format!("a setting has the wrong type or value: {e}"))?;
        if !unknown.is_empty() {
            return Err(format!(
                "unknown setting(s): {} (run with --print-default-config to see every setting and its default)",
                unknown.join(", ")
            ));
        }
        Ok(loaded)
    }

    /// Every setting with its current value, as the TOML text a settings file holds
    /// (the run's identity left out): what `--print-default-config` prints.
    ///
    /// # Errors
    /// [`PipelineError::Config`] if a setting cannot be written as TOML.
    pub fn settings_toml(&self) -> Result<String, PipelineError> {
        let error = |problem: String| PipelineError::Config {
            path: "(default settings)".to_string(),
            problem,
        };
        let mut value = serde_json::to_value(self).map_err(|e| error(e.to_string()))?;
        if let serde_json::Value::Object(fields) = &mut value {
            for key in RUN_IDENTITY {
                fields.remove(key);
            }
        }
        drop_nulls(&mut value);
        toml::to_string_pretty(&value).map_err(|e| error(e.to_string()))
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

    fn settings_file(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    fn defaults() -> PipelineConfig {
        PipelineConfig::new(
            "lake",
            "p",
            NaiveDate::from_ymd_opt(2024, 4, 15).unwrap(),
            "r",
        )
    }

    #[test]
    fn the_printed_default_settings_load_back_unchanged() {
        let config = defaults();
        let text = config.settings_toml().unwrap();
        let (_dir, path) = settings_file("settings.toml", &text);
        let loaded = defaults().with_settings_file(&path).unwrap();
        assert_eq!(
            serde_json::to_value(&loaded).unwrap(),
            serde_json::to_value(&config).unwrap()
        );
        assert!(text.contains("[population_health"), "{text}");
        assert!(
            !text.contains("run_id"),
            "the run identity is not a setting"
        );
    }

    #[test]
    fn a_settings_file_changes_only_the_keys_it_sets() {
        let (_dir, path) = settings_file(
            "s.toml",
            "silver_chunk_rows = 1234\n[z_order]\n\"silver/patients\" = [\"patient_id\"]\n",
        );
        let loaded = defaults().with_settings_file(&path).unwrap();
        assert_eq!(loaded.silver_chunk_rows, 1234);
        assert_eq!(loaded.z_order["silver/patients"], ["patient_id"]);
        // Nested tables merge key by key: the other defaults stay.
        assert_eq!(loaded.z_order["silver/encounters"], ["patient_id"]);
        assert_eq!(loaded.dq, defaults().dq);
    }

    #[test]
    fn unknown_settings_are_an_error_that_names_every_one_with_its_path() {
        let (_dir, path) = settings_file(
            "s.toml",
            "silver_chunk_rowz = 1\n[population_health]\nsmall_cel = 5\n",
        );
        let err = defaults()
            .with_settings_file(&path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("silver_chunk_rowz"), "{err}");
        assert!(err.contains("population_health.small_cel"), "{err}");
        assert!(err.contains("s.toml"), "{err}");
    }

    #[test]
    fn a_setting_of_the_wrong_type_is_an_error_naming_the_file() {
        let (_dir, path) = settings_file("s.json", r#"{"silver_chunk_rows": "many"}"#);
        let err = defaults().with_settings_file(&path).unwrap_err();
        assert!(matches!(err, PipelineError::Config { .. }));
        assert!(err.to_string().contains("s.json"), "{err}");
        assert!(err.to_string().contains("wrong type"), "{err}");
    }

    #[test]
    fn the_run_identity_cannot_come_from_a_settings_file() {
        let (_dir, path) = settings_file("s.toml", "lakehouse = \"/elsewhere\"\n");
        let err = defaults()
            .with_settings_file(&path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`lakehouse`"), "{err}");
    }

    #[test]
    fn malformed_toml_is_an_error_naming_the_file() {
        let (_dir, path) = settings_file("s.toml", "silver_chunk_rows = = 3\n");
        let err = defaults()
            .with_settings_file(&path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid TOML"), "{err}");
    }
}
