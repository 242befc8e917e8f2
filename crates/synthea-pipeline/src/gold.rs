//! Gold: the star schema and the metric crates' tables, recomputed from silver.
//!
//! Every gold write records what it was computed from ([`GOLD_INPUTS_KEY`] in its commit
//! metadata: the silver table versions, the as-of date and the table's own metric
//! version). A run recomputes exactly the tables whose record is missing or differs —
//! so a run killed half-way through gold is finished by the next run, and a run with
//! nothing new leaves gold as it is.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Days, NaiveDate, NaiveTime};
use ehr_population_health::SURVEILLANCE_TABLES;
use medallion_core::pipeline::{GoldWriteBuilder, Layer, RunReport, Scd2Builder, TableRunReport};
use medallion_core::{HistoryBuilder, ReadBuilder, run_polars};
use medallion_model::GoldTable;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::star::{PATIENT_TRACKED_ATTRIBUTES, StarInputs, StarTable, build_star};

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::events::{Observer, PipelineEvent, Stage};
use crate::surveillance;

/// `metric_version` of the star schema tables (dimensions and facts).
pub const STAR_SCHEMA_VERSION: &str = "synthea-star-3";

/// Decimals every floating-point gold column is rounded to. Parallel aggregation sums
/// floats in an order that depends on thread scheduling, which changes the last bits of
/// a mean; rounding to 1e-9 makes two builds of the same input write the same values.
pub const GOLD_FLOAT_DECIMALS: u32 = 9;

/// Silver lineage columns: every silver row has a distinct `(_batch_id, _source_file,
/// _source_row)`, so sorting by them gives a scan order that does not depend on how
/// Delta lists the table's files or how a write ordered its rows.
const LINEAGE_ORDER: [&str; 3] = ["_batch_id", "_source_file", "_source_row"];

/// Commit-metadata key of every gold write: what it was computed from.
pub const GOLD_INPUTS_KEY: &str = "gold_inputs";

/// The silver tables gold reads.
const GOLD_SOURCES: [TableKind; 10] = [
    TableKind::Patients,
    TableKind::Providers,
    TableKind::Organizations,
    TableKind::Payers,
    TableKind::Encounters,
    TableKind::Conditions,
    TableKind::Medications,
    TableKind::Observations,
    TableKind::Procedures,
    TableKind::Immunizations,
];

/// What gold did in one run.
pub(crate) struct GoldOutcome {
    /// Gold tables written (name → rows).
    pub(crate) rows: BTreeMap<String, u64>,
    /// Whether every gold table was already current.
    pub(crate) up_to_date: bool,
}

/// Recomputes the gold tables that are missing or stale.
pub(crate) async fn build(
    config: &PipelineConfig,
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<GoldOutcome, PipelineError> {
    let stage_started = Instant::now();
    let silver = SilverScans::open(config).await?;
    let versions = silver_versions(config).await?;
    let (dim_patient, tables) = gold_tables(config, &silver).await?;
    // The surveillance tables are kept current incrementally (see `surveillance`).
    let (surveillance_tables, tables): (Vec<_>, Vec<_>) = tables
        .into_iter()
        .partition(|t| SURVEILLANCE_TABLES.contains(&t.name.as_str()));
    let surveillance_plan = surveillance::plan(config, &versions).await?;
    let mut stale = Vec::new();
    for table in tables {
        let expected = inputs_record(config, &versions, &table.metric_version);
        if recorded_inputs(config, &table.name).await? != Some(expected.clone()) {
            stale.push((table, expected));
        }
    }
    if stale.is_empty()
        && surveillance_plan == surveillance::Plan::UpToDate
        && config
            .table("gold", StarTable::DimPatient.name())
            .join("_delta_log")
            .is_dir()
    {
        tracing::info!("gold up to date");
        observer(PipelineEvent::StageStarted {
            stage: Stage::Gold,
            steps: 0,
        });
        observer(PipelineEvent::StageDone {
            stage: Stage::Gold,
            elapsed: stage_started.elapsed(),
        });
        return Ok(GoldOutcome {
            rows: BTreeMap::new(),
            up_to_date: true,
        });
    }
    observer(PipelineEvent::StageStarted {
        stage: Stage::Gold,
        steps: stale.len() + 1 + usize::from(surveillance_plan != surveillance::Plan::UpToDate) * 2,
    });
    let mut rows = BTreeMap::new();
    // The SCD2 dimension first: a MERGE of unchanged rows changes nothing, so running it
    // again after an interrupted run is harmless.
    let written = merge_dim_patient(config, dim_patient, report, observer).await?;
    rows.insert(StarTable::DimPatient.name().to_string(), written);
    for (table, inputs) in stale {
        let name = table.name.clone();
        let metadata = vec![(GOLD_INPUTS_KEY.to_string(), inputs.into())];
        let written = write_table(config, table, metadata, report, observer).await?;
        rows.insert(name, written);
    }
    let surveillance_silver = surveillance::SilverSurveillance {
        conditions: silver.get(TableKind::Conditions),
        patients: silver.get(TableKind::Patients),
    };
    rows.extend(
        surveillance::apply(
            config,
            surveillance_plan,
            surveillance_tables,
            surveillance_silver,
            &versions,
            report,
            observer,
        )
        .await?,
    );
    observer(PipelineEvent::StageDone {
        stage: Stage::Gold,
        elapsed: stage_started.elapsed(),
    });
    Ok(GoldOutcome {
        rows,
        up_to_date: false,
    })
}

/// Lazy scans of the silver tables gold reads (each query reads only its columns); an
/// empty frame with the silver schema for a table that does not exist.
struct SilverScans(BTreeMap<TableKind, LazyFrame>);

impl SilverScans {
    async fn open(config: &PipelineConfig) -> Result<Self, PipelineError> {
        let mut scans = BTreeMap::new();
        for table in GOLD_SOURCES {
            let location = config.table("silver", table.name());
            let frame = if location.join("_delta_log").is_dir() {
                ReadBuilder::new(location)?.await?
            } else {
                DataFrame::empty_with_schema(&synthea_schema::normalize::silver_schema(table))
                    .lazy()
            };
            scans.insert(table, frame);
        }
        Ok(Self(scans))
    }

    fn get(&self, table: TableKind) -> LazyFrame {
        self.0.get(&table).cloned().unwrap_or_default()
    }
}

/// The version of every silver table that exists.
async fn silver_versions(config: &PipelineConfig) -> Result<BTreeMap<String, u64>, PipelineError> {
    let mut versions = BTreeMap::new();
    for table in TableKind::ALL {
        if let Some(v) = medallion_core::table_version(config.table("silver", table.name())).await?
        {
            versions.insert(table.name().to_string(), v);
        }
    }
    Ok(versions)
}

/// What one gold table is computed from, as the JSON string its commit records.
pub(crate) fn inputs_record(
    config: &PipelineConfig,
    silver: &BTreeMap<String, u64>,
    metric_version: &str,
) -> String {
    serde_json::json!({
        "silver": silver,
        "as_of": config.as_of.to_string(),
        "metric_version": metric_version,
        "float_decimals": GOLD_FLOAT_DECIMALS,
        "settings": settings_fingerprint(config),
    })
    .to_string()
}

/// A hash of the settings gold depends on (metric, journey, date-dimension and
/// population-health settings): changing any of them recomputes gold.
fn settings_fingerprint(config: &PipelineConfig) -> String {
    let settings = serde_json::json!({
        "quality": config.quality,
        "journey": config.journey,
        "date_dim": config.date_dim,
        "population_health": config.population_health,
    })
    .to_string();
    format!(
        "{:016x}",
        medallion_model::hash::stable_hash_parts(&[Some(&settings)])
    )
}

/// The inputs recorded by the last write of gold table `name`, if any.
async fn recorded_inputs(
    config: &PipelineConfig,
    name: &str,
) -> Result<Option<String>, PipelineError> {
    let location = config.table("gold", name);
    if !location.join("_delta_log").is_dir() {
        return Ok(None);
    }
    let history = HistoryBuilder::new(&location)?.with_limit(4).await?;
    // Newest first: a RESTORE after the last write brought back rows of unknown inputs.
    let last_write_or_restore = history
        .iter()
        .find(|c| matches!(c.operation.as_deref(), Some("WRITE" | "RESTORE")));
    Ok(last_write_or_restore
        .filter(|c| c.operation.as_deref() == Some("WRITE"))
        .and_then(|c| c.info.get(GOLD_INPUTS_KEY))
        .and_then(|v| v.as_str())
        .map(str::to_string))
}

/// Every gold table (as lazy plans) except `dim_patient`, which is returned apart
/// because it is maintained as SCD2.
async fn gold_tables(
    config: &PipelineConfig,
    silver: &SilverScans,
) -> Result<(LazyFrame, Vec<GoldTable>), PipelineError> {
    let span = encounter_span(silver.get(TableKind::Encounters)).await?;
    let (first, last) = date_span(span, config.as_of);
    let star_inputs = StarInputs {
        patients: silver.get(TableKind::Patients),
        providers: silver.get(TableKind::Providers),
        organizations: silver.get(TableKind::Organizations),
        payers: silver.get(TableKind::Payers),
        encounters: silver.get(TableKind::Encounters),
        conditions: silver.get(TableKind::Conditions),
        medications: silver.get(TableKind::Medications),
        observations: silver.get(TableKind::Observations),
    };
    let quality_inputs = ehr_quality_metrics::SilverInputs {
        encounters: silver.get(TableKind::Encounters),
        patients: silver.get(TableKind::Patients),
        conditions: silver.get(TableKind::Conditions),
        medications: silver.get(TableKind::Medications),
        procedures: silver.get(TableKind::Procedures),
        capacity: None,
    };
    // The timeline numbers each source's rows (`source_row`): give it a stable order.
    let ordered = |t: TableKind| {
        silver.get(t).sort(
            LINEAGE_ORDER,
            SortMultipleOptions::default().with_maintain_order(true),
        )
    };
    let journey_inputs = ehr_journey::JourneyInputs::new(
        ordered(TableKind::Encounters),
        ordered(TableKind::Conditions),
        ordered(TableKind::Medications),
    )
    .with_procedures(ordered(TableKind::Procedures))
    .with_immunizations(ordered(TableKind::Immunizations))
    .with_observations(ordered(TableKind::Observations));
    let population_inputs = ehr_population_health::PopulationInputs {
        patients: silver.get(TableKind::Patients),
        encounters: silver.get(TableKind::Encounters),
        conditions: silver.get(TableKind::Conditions),
        medications: silver.get(TableKind::Medications),
        observations: silver.get(TableKind::Observations),
        procedures: silver.get(TableKind::Procedures),
    };
    let population_config = config.population_health.clone();
    let quality_config = config.quality.clone();
    let journey_config = config.journey.clone();
    let date_dim_config = config.date_dim.clone();
    let as_of = config.as_of;
    let planned = run_polars(move || -> Result<_, PipelineError> {
        let star = build_star(star_inputs, first, last, &date_dim_config)?;
        let mut dim_patient = None;
        let mut tables = Vec::new();
        for (table, frame) in star.tables() {
            if table == StarTable::DimPatient {
                dim_patient = Some(frame);
            } else {
                tables.push(GoldTable::new(table.name(), frame, STAR_SCHEMA_VERSION));
            }
        }
        let quality = ehr_quality_metrics::gold_tables(&quality_inputs, &quality_config, as_of)?;
        tables.extend(commented(
            quality,
            ehr_quality_metrics::columns::COLUMN_DOCS,
        )?);
        let journey = ehr_journey::gold_tables(&journey_inputs, &journey_config)?;
        tables.extend(commented(journey, ehr_journey::columns::COLUMN_DOCS)?);
        // The same quality configuration: `hospital_utilization_metrics` counts exactly
        // the stays and readmissions of gold `inpatient_stays` and `readmissions`.
        let population = ehr_population_health::gold_tables(
            &population_inputs,
            &population_config,
            &quality_config,
            as_of,
        )?;
        tables.extend(commented(
            population,
            ehr_population_health::columns::COLUMN_DOCS,
        )?);
        let tables = tables
            .into_iter()
            .map(with_rounded_floats)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((dim_patient.unwrap_or_default(), tables))
    })
    .await??;
    Ok(planned)
}

/// `tables` of one metric crate, each column that the crate's column constants document
/// (`docs`: their doc comments, see `medallion_model::documented_columns!`) and that the
/// table does not comment yet given that documentation as its Delta column comment.
fn commented(
    tables: Vec<GoldTable>,
    docs: &[(&str, &str)],
) -> Result<Vec<GoldTable>, PipelineError> {
    tables
        .into_iter()
        .map(|mut table| {
            let schema = table.frame.collect_schema().map_err(|e| {
                PipelineError::polars(format!("planning gold table {}", table.name), e)
            })?;
            for (name, _) in schema.iter() {
                let commented = table
                    .column_comments
                    .iter()
                    .any(|(c, _)| c == name.as_str());
                let comment = medallion_model::columns::comment_for(name, &[docs]);
                if let Some(comment) = comment.filter(|_| !commented) {
                    table = table.with_column_comment(name.as_str(), comment);
                }
            }
            Ok(table)
        })
        .collect()
}

/// Rounds every floating-point column to [`GOLD_FLOAT_DECIMALS`] decimals.
pub(crate) fn with_rounded_floats(mut table: GoldTable) -> Result<GoldTable, PipelineError> {
    let schema = table
        .frame
        .collect_schema()
        .map_err(|e| PipelineError::polars(format!("planning gold table {}", table.name), e))?;
    let rounded: Vec<Expr> = schema
        .iter()
        .filter(|(_, dtype)| dtype.is_float())
        .map(|(name, _)| col(name.clone()).round(GOLD_FLOAT_DECIMALS, RoundMode::HalfToEven))
        .collect();
    if rounded.is_empty() {
        return Ok(table);
    }
    Ok(table.map_frame(|frame| frame.with_columns(rounded)))
}

/// Applies the current patients to the SCD2 `dim_patient`; returns the rows written.
async fn merge_dim_patient(
    config: &PipelineConfig,
    frame: LazyFrame,
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<u64, PipelineError> {
    let name = StarTable::DimPatient.name();
    let effective_from = config.as_of.and_time(NaiveTime::MIN).and_utc();
    let scd2 = Scd2Builder::new(
        config.table("gold", name),
        frame,
        ["patient_id"],
        PATIENT_TRACKED_ATTRIBUTES.iter().copied(),
        effective_from,
    )?
    .with_surrogate_key_column("patient_version_key")
    // The builder records its report in the commit, so a killed run's SCD2 merge is
    // still accounted for in `_runs` (see `RecoverRunsBuilder`).
    .with_run_id(config.run_id.clone())
    .await?;
    let written = scd2.keys_inserted + 2 * scd2.keys_changed;
    report.push(TableRunReport {
        rows_read: scd2.keys_inserted + scd2.keys_changed + scd2.keys_unchanged,
        rows_written: written,
        version: scd2.version,
        duration: scd2.duration,
        ..TableRunReport::empty(Layer::Gold, name)
    });
    observer(PipelineEvent::TableDone {
        stage: Stage::Gold,
        table: name.to_string(),
        rows_written: written,
        summary: format!(
            "SCD2: {} new, {} changed, {} unchanged",
            scd2.keys_inserted, scd2.keys_changed, scd2.keys_unchanged
        ),
        elapsed: scd2.duration,
    });
    Ok(written)
}

/// Overwrites one gold table, recording `metadata` (at least [`GOLD_INPUTS_KEY`]) in its
/// commit; returns rows written.
pub(crate) async fn write_table(
    config: &PipelineConfig,
    table: GoldTable,
    metadata: Vec<(String, serde_json::Value)>,
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<u64, PipelineError> {
    let _span = tracing::info_span!("gold", table = %table.name).entered();
    let t = Instant::now();
    let name = table.name.clone();
    let mut builder = GoldWriteBuilder::from_table(config.table("gold", &name), table)?
        .with_run_id(config.run_id.clone());
    for (key, value) in metadata {
        builder = builder.with_commit_metadata(key, value);
    }
    let written = builder.await?;
    report.push(TableRunReport::from_gold(&name, 0, &written));
    tracing::info!(table = %name, rows = written.rows_written, "gold written");
    observer(PipelineEvent::TableDone {
        stage: Stage::Gold,
        table: name,
        rows_written: written.rows_written,
        summary: format!("{} rows", written.rows_written),
        elapsed: t.elapsed(),
    });
    Ok(written.rows_written)
}

/// First and last encounter date in silver, read in one pass.
async fn encounter_span(
    encounters: LazyFrame,
) -> Result<Option<(NaiveDate, NaiveDate)>, PipelineError> {
    let span = run_polars(move || {
        encounters
            .select([
                col("start_date").min().alias("first"),
                col("start_date").max().alias("last"),
            ])
            .collect()
    })
    .await?
    .map_err(|e| PipelineError::polars("reading the encounter date span for gold", e))?;
    let date = |name: &str| {
        let days = span
            .column(name)
            .ok()
            .and_then(|c| c.date().ok().and_then(|d| d.physical().get(0)))?;
        NaiveDate::from_ymd_opt(1970, 1, 1)?
            .checked_add_signed(chrono::Duration::days(i64::from(days)))
    };
    Ok(date("first").zip(date("last")))
}

/// First and last date of the date dimension: the encounters' span, extended to the
/// as-of date (the year before the as-of date when there are no encounters).
fn date_span(span: Option<(NaiveDate, NaiveDate)>, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    match span {
        Some((first, last)) => (first, last.max(as_of)),
        None => (
            as_of.checked_sub_days(Days::new(365)).unwrap_or(as_of),
            as_of,
        ),
    }
}
