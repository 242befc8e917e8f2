//! Gold surveillance tables (`disease_prevalence_daily`, `condition_incidence_weekly`),
//! kept current incrementally.
//!
//! Every write of either table records, next to [`GOLD_INPUTS_KEY`], a
//! [`SURVEILLANCE_STATE_KEY`] in its commit metadata: the as-of date, the metric
//! versions, the surveillance configuration, the silver `conditions` and `patients`
//! versions and the highest silver `conditions._batch_id` the tables include. A run then
//! decides ([`plan`]):
//!
//! - **full** — a table is missing, the two tables disagree (a run stopped between
//!   them), or the as-of date, a metric version or the configuration changed: both are
//!   rewritten from all silver rows (one `WRITE` each);
//! - **up to date** — silver `conditions` and `patients` are at the recorded versions;
//! - **incremental** — otherwise: only the silver `conditions` rows with a `_batch_id`
//!   above the recorded one are new;
//!   `ehr_population_health::surveillance::surveillance_update` recounts the days they
//!   touch (late rows for old days included) and returns the rows that changed, which
//!   are MERGEd by day key (`condition`, `date` / `week_start`): only those rows are
//!   updated or inserted, and the run report's `rows_updated` / `rows_inserted` /
//!   `rows_unchanged` say how many.
//!
//! medallion-core already has what this needs (`MergeBuilder` with commit metadata, the
//! table history); the only piece added here is the batch-id state above.

use std::collections::BTreeMap;
use std::time::Instant;

use ehr_population_health::gold::{CONDITION_INCIDENCE_WEEKLY, DISEASE_PREVALENCE_DAILY};
use ehr_population_health::surveillance::{
    DAILY_KEYS, DAILY_METRIC_VERSION, Surveillance, SurveillanceInputs, WEEKLY_KEYS,
    WEEKLY_METRIC_VERSION, surveillance_update,
};
use medallion_core::pipeline::{BATCH_ID, Layer, RunReport, TableRunReport};
use medallion_core::{
    HistoryBuilder, MergeBuilder, ReadBuilder, WriteBuilder, WriteMode, run_polars,
};
use medallion_model::GoldTable;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use synthea_schema::TableKind;

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::events::{Observer, PipelineEvent, Stage};
use crate::gold::{GOLD_INPUTS_KEY, inputs_record, with_rounded_floats, write_table};

/// Commit-metadata key of every write of a surveillance table: what it includes.
pub const SURVEILLANCE_STATE_KEY: &str = "surveillance_state";

/// What the surveillance tables were last computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    as_of: String,
    daily_version: String,
    weekly_version: String,
    config: serde_json::Value,
    conditions_version: Option<u64>,
    patients_version: Option<u64>,
    last_batch_id: Option<i64>,
}

impl State {
    /// Whether `self` was computed with the same as-of date, definitions and settings as
    /// `other` (silver versions and batch ids aside).
    fn same_definition(&self, other: &State) -> bool {
        (
            &self.as_of,
            &self.daily_version,
            &self.weekly_version,
            &self.config,
        ) == (
            &other.as_of,
            &other.daily_version,
            &other.weekly_version,
            &other.config,
        )
    }
}

/// What this run does to the surveillance tables.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Plan {
    /// Nothing: silver is at the recorded versions.
    UpToDate,
    /// Rewrite both from all silver rows.
    Full,
    /// MERGE the rows changed by silver `conditions` rows newer than this batch id
    /// (`None`: every row).
    Incremental(Option<i64>),
}

/// The state this run would record (the highest batch id is filled in when written).
fn current_state(config: &PipelineConfig, versions: &BTreeMap<String, u64>) -> State {
    State {
        as_of: config.as_of.to_string(),
        daily_version: DAILY_METRIC_VERSION.to_string(),
        weekly_version: WEEKLY_METRIC_VERSION.to_string(),
        config: serde_json::to_value(&config.population_health.surveillance).unwrap_or_default(),
        conditions_version: versions.get(TableKind::Conditions.name()).copied(),
        patients_version: versions.get(TableKind::Patients.name()).copied(),
        last_batch_id: None,
    }
}

/// The state recorded by the newest commit of gold table `name` that has one.
async fn recorded_state(
    config: &PipelineConfig,
    name: &str,
) -> Result<Option<State>, PipelineError> {
    let location = config.table("gold", name);
    if !location.join("_delta_log").is_dir() {
        return Ok(None);
    }
    let history = HistoryBuilder::new(&location)?.with_limit(8).await?;
    Ok(history
        .iter()
        .find_map(|c| c.info.get(SURVEILLANCE_STATE_KEY))
        .and_then(|v| v.as_str())
        .and_then(|s| serde_json::from_str(s).ok()))
}

/// Decides what this run does to the surveillance tables.
pub(crate) async fn plan(
    config: &PipelineConfig,
    versions: &BTreeMap<String, u64>,
) -> Result<Plan, PipelineError> {
    let daily = recorded_state(config, DISEASE_PREVALENCE_DAILY).await?;
    let weekly = recorded_state(config, CONDITION_INCIDENCE_WEEKLY).await?;
    let current = current_state(config, versions);
    let (Some(daily), Some(weekly)) = (daily, weekly) else {
        return Ok(Plan::Full);
    };
    if daily != weekly || !daily.same_definition(&current) {
        return Ok(Plan::Full);
    }
    if (daily.conditions_version, daily.patients_version)
        == (current.conditions_version, current.patients_version)
    {
        return Ok(Plan::UpToDate);
    }
    Ok(Plan::Incremental(daily.last_batch_id))
}

/// Silver `conditions` and `patients` as the surveillance inputs.
pub(crate) struct SilverSurveillance {
    /// Silver `conditions` (with `_batch_id`).
    pub(crate) conditions: LazyFrame,
    /// Silver `patients`.
    pub(crate) patients: LazyFrame,
}

/// Applies `plan`: writes `tables` (a full computation) or MERGEs the changed rows.
/// Returns the rows written per table.
pub(crate) async fn apply(
    config: &PipelineConfig,
    plan: Plan,
    tables: Vec<GoldTable>,
    silver: SilverSurveillance,
    versions: &BTreeMap<String, u64>,
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<BTreeMap<String, u64>, PipelineError> {
    let mut state = current_state(config, versions);
    state.last_batch_id = last_batch_id(silver.conditions.clone()).await?;
    let state_json = serde_json::to_string(&state).unwrap_or_default();
    let mut rows = BTreeMap::new();
    match plan {
        Plan::UpToDate => {}
        Plan::Full => {
            for table in tables {
                let name = table.name.clone();
                let metadata = vec![
                    (
                        GOLD_INPUTS_KEY.to_string(),
                        inputs_record(config, versions, &table.metric_version).into(),
                    ),
                    (
                        SURVEILLANCE_STATE_KEY.to_string(),
                        state_json.clone().into(),
                    ),
                ];
                let written = write_table(config, table, metadata, report, observer).await?;
                rows.insert(name, written);
            }
        }
        Plan::Incremental(last) => {
            let update = planned_update(config, silver, last).await?;
            for (name, keys, version, changed, full_rows) in update {
                let metadata = [
                    (
                        GOLD_INPUTS_KEY.to_string(),
                        inputs_record(config, versions, version),
                    ),
                    (SURVEILLANCE_STATE_KEY.to_string(), state_json.clone()),
                ];
                let written = merge_changed(
                    config, name, &keys, changed, full_rows, metadata, report, observer,
                )
                .await?;
                rows.insert(name.to_string(), written);
            }
        }
    }
    Ok(rows)
}

/// The highest `_batch_id` of silver `conditions` (`None` when it is empty).
async fn last_batch_id(conditions: LazyFrame) -> Result<Option<i64>, PipelineError> {
    let max = run_polars(move || {
        conditions
            .select([col(BATCH_ID).cast(DataType::Int64).max()])
            .collect()
    })
    .await?
    .map_err(|e| PipelineError::polars("reading the last silver conditions batch", e))?;
    Ok(max
        .column(BATCH_ID)
        .ok()
        .and_then(|c| c.i64().ok().and_then(|v| v.get(0))))
}

/// One table's update: name, MERGE keys, metric version, changed rows, rows in the
/// updated table.
type TableUpdate = (&'static str, Vec<String>, &'static str, DataFrame, u64);

/// Computes the updated tables from the previous gold tables and the silver rows of
/// batches after `last`, and collects the rows that changed (rounded like every gold
/// float column).
async fn planned_update(
    config: &PipelineConfig,
    silver: SilverSurveillance,
    last: Option<i64>,
) -> Result<Vec<TableUpdate>, PipelineError> {
    let previous = Surveillance {
        daily: ReadBuilder::new(config.table("gold", DISEASE_PREVALENCE_DAILY))?.await?,
        weekly: ReadBuilder::new(config.table("gold", CONDITION_INCIDENCE_WEEKLY))?.await?,
    };
    let new_rows = match last {
        Some(last) => silver
            .conditions
            .clone()
            .filter(col(BATCH_ID).cast(DataType::Int64).gt(lit(last))),
        None => silver.conditions.clone(),
    };
    let inputs = SurveillanceInputs {
        patients: silver.patients,
        conditions: silver.conditions,
    };
    let surveillance_config = config.population_health.surveillance.clone();
    let as_of = config.as_of;
    run_polars(move || -> Result<Vec<TableUpdate>, PipelineError> {
        let update =
            surveillance_update(&previous, &inputs, new_rows, &surveillance_config, as_of)?;
        let rounded = |name: &str, frame: LazyFrame| -> Result<DataFrame, PipelineError> {
            with_rounded_floats(GoldTable::new(name, frame, ""))?
                .frame
                .collect()
                .map_err(|e| PipelineError::Gold {
                    table: name.to_string(),
                    source: Box::new(e),
                })
        };
        let height = |name: &str, frame: LazyFrame| -> Result<u64, PipelineError> {
            Ok(rounded(name, frame)?.height() as u64)
        };
        let keys = |k: [&str; 2]| k.map(String::from).to_vec();
        Ok(vec![
            (
                DISEASE_PREVALENCE_DAILY,
                keys(DAILY_KEYS),
                DAILY_METRIC_VERSION,
                rounded(DISEASE_PREVALENCE_DAILY, update.changed_daily)?,
                height(DISEASE_PREVALENCE_DAILY, update.tables.daily)?,
            ),
            (
                CONDITION_INCIDENCE_WEEKLY,
                keys(WEEKLY_KEYS),
                WEEKLY_METRIC_VERSION,
                rounded(CONDITION_INCIDENCE_WEEKLY, update.changed_weekly)?,
                height(CONDITION_INCIDENCE_WEEKLY, update.tables.weekly)?,
            ),
        ])
    })
    .await?
}

/// MERGEs the changed rows of one table by its day key; returns the rows written.
#[allow(clippy::too_many_arguments)]
async fn merge_changed(
    config: &PipelineConfig,
    name: &str,
    keys: &[String],
    changed: DataFrame,
    full_rows: u64,
    metadata: [(String, String); 2],
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<u64, PipelineError> {
    let _span = tracing::info_span!("gold", table = %name).entered();
    let started = Instant::now();
    let (report_key, report_value) = TableRunReport::empty(Layer::Gold, name).commit_metadata();
    if changed.height() == 0 {
        return record_unchanged(config, name, changed, full_rows, metadata, report, observer)
            .await;
    }
    let mut merge = MergeBuilder::new(config.table("gold", name), changed.lazy(), keys.to_vec())?
        .when_matched_update_all(None::<String>)
        .when_not_matched_insert_all(None::<String>)
        .with_run_id(config.run_id.clone())
        // Counted by the commit itself (`operationMetrics`), so a killed run's MERGE is
        // still accounted for in `_runs` (see `RecoverRunsBuilder`).
        .with_commit_metadata(report_key, report_value);
    for (key, value) in metadata {
        merge = merge.with_commit_metadata(key, value);
    }
    let merged = merge.await?;
    let written = (merged.rows_inserted + merged.rows_updated) as u64;
    report.push(TableRunReport {
        rows_read: full_rows.max(written),
        rows_written: written,
        rows_inserted: merged.rows_inserted as u64,
        rows_updated: merged.rows_updated as u64,
        rows_unchanged: full_rows.saturating_sub(written),
        version: merged.version,
        duration: merged.duration,
        ..TableRunReport::empty(Layer::Gold, name)
    });
    tracing::info!(table = %name, rows = written, "gold surveillance merged");
    observer(PipelineEvent::TableDone {
        stage: Stage::Gold,
        table: name.to_string(),
        rows_written: written,
        summary: format!(
            "MERGE: {} rows updated, {} inserted, {} unchanged",
            merged.rows_updated,
            merged.rows_inserted,
            full_rows.saturating_sub(written)
        ),
        elapsed: started.elapsed(),
    });
    Ok(written)
}

/// Records the new state of a table none of whose rows changed: a MERGE without changes
/// makes no commit (delta-rs), so an append of zero rows carries the commit metadata.
async fn record_unchanged(
    config: &PipelineConfig,
    name: &str,
    empty: DataFrame,
    full_rows: u64,
    metadata: [(String, String); 2],
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<u64, PipelineError> {
    let started = Instant::now();
    let (report_key, report_value) = TableRunReport::empty(Layer::Gold, name).commit_metadata();
    let mut write = WriteBuilder::new(config.table("gold", name), empty.lazy())?
        .with_mode(WriteMode::Append)
        .with_run_id(config.run_id.clone())
        .with_commit_metadata(report_key, report_value);
    for (key, value) in metadata {
        write = write.with_commit_metadata(key, value);
    }
    let written = write.await?;
    report.push(TableRunReport {
        rows_read: full_rows,
        rows_unchanged: full_rows,
        version: written.version,
        duration: started.elapsed(),
        ..TableRunReport::empty(Layer::Gold, name)
    });
    observer(PipelineEvent::TableDone {
        stage: Stage::Gold,
        table: name.to_string(),
        rows_written: 0,
        summary: format!("no day changed ({full_rows} unchanged)"),
        elapsed: started.elapsed(),
    });
    Ok(0)
}
