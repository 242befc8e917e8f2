//! Gold tables recomputed from silver when silver (or the as-of date, or the metric
//! definitions) changed since they were last written.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Days, NaiveTime};
use medallion_core::pipeline::{GoldWriteBuilder, Layer, RunReport, Scd2Builder, TableRunReport};
use medallion_core::{HistoryBuilder, ReadBuilder, run_polars};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::star::{
    DateDimConfig, PATIENT_TRACKED_ATTRIBUTES, StarInputs, StarTable, build_star,
};

use super::PipelineConfig;
use crate::error::PipelineError;

/// `metric_version` property of the gold tables written here.
pub const GOLD_METRIC_VERSION: &str = "synthea-gold-1";

/// Commit-metadata key of every gold write: the [`gold_inputs`] it was computed from.
pub const GOLD_INPUTS_KEY: &str = "gold_inputs";

/// What gold is computed from, as a JSON string: the version of every silver table, the
/// as-of date and [`GOLD_METRIC_VERSION`].
pub(crate) async fn gold_inputs(config: &PipelineConfig) -> Result<String, PipelineError> {
    let mut silver = BTreeMap::new();
    for table in TableKind::ALL {
        let version = medallion_core::table_version(config.table("silver", table.name())).await?;
        if let Some(version) = version {
            silver.insert(table.name(), version);
        }
    }
    Ok(serde_json::json!({
        "silver": silver,
        "as_of": config.as_of.to_string(),
        "metric_version": GOLD_METRIC_VERSION,
    })
    .to_string())
}

/// Whether the last write of every gold table was computed from `inputs` (then a
/// recomputation would write the same rows). The SCD2 dimension is left out: it is
/// merged, and a merge of unchanged rows changes nothing.
pub(crate) async fn gold_is_current(
    config: &PipelineConfig,
    inputs: &str,
) -> Result<bool, PipelineError> {
    let gold = config.lakehouse.join("gold");
    let Ok(entries) = std::fs::read_dir(&gold) else {
        return Ok(false);
    };
    let mut checked = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let is_scd2 = entry.file_name() == StarTable::DimPatient.name();
        if is_scd2 || !path.join("_delta_log").is_dir() {
            continue;
        }
        // A gold write is a WRITE commit followed by a property commit.
        let history = HistoryBuilder::new(&path)?.with_limit(4).await?;
        let last_write = history
            .iter()
            .find(|c| c.operation.as_deref() == Some("WRITE"));
        let recorded = last_write.and_then(|c| c.info.get(GOLD_INPUTS_KEY));
        if recorded.and_then(|v| v.as_str()) != Some(inputs) {
            return Ok(false);
        }
        checked += 1;
    }
    Ok(checked > 0)
}

/// Writes gold tables of one run, tagged with what they were computed from.
struct GoldWriter<'a> {
    config: &'a PipelineConfig,
    inputs: &'a str,
    report: &'a mut RunReport,
    rows: BTreeMap<String, u64>,
}

impl GoldWriter<'_> {
    async fn write(
        &mut self,
        name: &str,
        frame: LazyFrame,
        read: u64,
    ) -> Result<(), PipelineError> {
        self.write_partitioned(name, frame, read, &[]).await
    }

    async fn write_partitioned(
        &mut self,
        name: &str,
        frame: LazyFrame,
        read: u64,
        partition_columns: &[&str],
    ) -> Result<(), PipelineError> {
        let location = self.config.table("gold", name);
        let written = GoldWriteBuilder::new(location, frame, GOLD_METRIC_VERSION)?
            .with_partition_columns(partition_columns.iter().copied())
            .with_run_id(self.config.run_id.clone())
            .with_commit_metadata(GOLD_INPUTS_KEY, self.inputs.to_string())
            .await?;
        self.rows.insert(name.to_string(), written.rows_written);
        self.report
            .push(TableRunReport::from_gold(name, read, &written));
        Ok(())
    }
}

/// Writes every gold table; returns rows per table.
pub(crate) async fn write_gold(
    config: &PipelineConfig,
    inputs: &str,
    report: &mut RunReport,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<BTreeMap<String, u64>, PipelineError> {
    let t = Instant::now();
    let mut silver = BTreeMap::new();
    for table in [
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
    ] {
        // Scanned, not collected: each gold query reads only the columns it needs.
        let frame = if config
            .table("silver", table.name())
            .join("_delta_log")
            .is_dir()
        {
            ReadBuilder::new(config.table("silver", table.name()))?.await?
        } else {
            DataFrame::empty_with_schema(&synthea_schema::normalize::silver_schema(table)).lazy()
        };
        silver.insert(table, frame);
    }
    let get = |t: TableKind| silver.get(&t).cloned().unwrap_or_default();
    let mut gold = GoldWriter {
        config,
        inputs,
        report,
        rows: BTreeMap::new(),
    };

    let conditions = get(TableKind::Conditions);
    let encounters = get(TableKind::Encounters);
    let patients = get(TableKind::Patients);
    let sizes = silver_sizes(conditions.clone(), encounters.clone()).await?;
    // Star schema; the date dimension spans the encounters (or just the as-of year).
    let (first, last) = date_span(sizes.first_encounter, sizes.last_encounter, config);
    let star_inputs = StarInputs {
        patients: patients.clone(),
        providers: get(TableKind::Providers),
        organizations: get(TableKind::Organizations),
        payers: get(TableKind::Payers),
        encounters: encounters.clone(),
        conditions: conditions.clone(),
        medications: get(TableKind::Medications),
        observations: get(TableKind::Observations),
    };
    // Plans are built (and their schemas resolved, recursively) on a big-stack thread.
    let star = run_polars(move || build_star(star_inputs, first, last, &DateDimConfig::default()))
        .await??;
    for (table, frame) in star.tables() {
        if table == StarTable::DimPatient {
            let effective_from = config.as_of.and_time(NaiveTime::MIN).and_utc();
            let scd2 = Scd2Builder::new(
                config.table("gold", table.name()),
                frame,
                ["patient_id"],
                PATIENT_TRACKED_ATTRIBUTES.iter().copied(),
                effective_from,
            )?
            .await?;
            progress(format!(
                "[gold]   {:<28} SCD2: {} new, {} changed, {} unchanged",
                table.name(),
                scd2.keys_inserted,
                scd2.keys_changed,
                scd2.keys_unchanged
            ));
            gold.rows.insert(
                table.name().to_string(),
                scd2.keys_inserted + scd2.keys_changed,
            );
            gold.report.push(TableRunReport {
                layer: Layer::Gold,
                table: table.name().to_string(),
                rows_read: scd2.keys_inserted + scd2.keys_changed + scd2.keys_unchanged,
                rows_written: scd2.keys_inserted + 2 * scd2.keys_changed,
                rows_quarantined: 0,
                rows_deduplicated: 0,
                rule_hits: BTreeMap::new(),
                schema_drift: Vec::new(),
                version: scd2.version,
                duration: scd2.duration,
            });
            continue;
        }
        gold.write(table.name(), frame, 0).await?;
    }

    // Quality metrics (ehr-quality-metrics): stays, LOS, readmissions, adherence,
    // latency, census — periods end at the as-of date.
    let quality_inputs = ehr_quality_metrics::SilverInputs {
        encounters: encounters.clone(),
        patients: patients.clone(),
        conditions: conditions.clone(),
        medications: get(TableKind::Medications),
        procedures: get(TableKind::Procedures),
        capacity: None,
    };
    let as_of = config.as_of;
    let quality_tables = run_polars(move || {
        let quality_config = ehr_quality_metrics::QualityConfig::default();
        ehr_quality_metrics::gold_tables(&quality_inputs, &quality_config, as_of)
    })
    .await??;
    for table in quality_tables {
        // The utilization tables read one silver table each: report its rows.
        let read = match table.name.as_str() {
            ehr_quality_metrics::gold::ENCOUNTERS_PER_CONDITION => sizes.conditions,
            ehr_quality_metrics::gold::ENCOUNTERS_BY_AGE_GROUP_CLASS => sizes.encounters,
            _ => 0,
        };
        gold.write(&table.name, table.frame, read).await?;
    }

    // Patient journeys (ehr-journey): timeline partitioned by event year.
    let journey_inputs = ehr_journey::JourneyInputs::new(
        encounters.clone(),
        conditions.clone(),
        get(TableKind::Medications),
    )
    .with_procedures(get(TableKind::Procedures))
    .with_immunizations(get(TableKind::Immunizations))
    .with_observations(get(TableKind::Observations));
    let journey_tables = run_polars(move || {
        ehr_journey::gold_tables(&journey_inputs, &ehr_journey::JourneyConfig::default())
    })
    .await??;
    for table in journey_tables {
        let partitions: Vec<&str> = table.partition_columns.iter().map(String::as_str).collect();
        gold.write_partitioned(&table.name, table.frame, 0, &partitions)
            .await?;
    }

    let rows = gold.rows;
    for (name, n) in &rows {
        progress(format!("[gold]   {name:<28} {n:>9} rows"));
    }
    progress(format!(
        "[gold]   {} tables in {:.1?}",
        rows.len(),
        t.elapsed()
    ));
    Ok(rows)
}

/// Row counts and the encounter date range of silver, read in one pass.
struct SilverSizes {
    conditions: u64,
    encounters: u64,
    first_encounter: Option<chrono::NaiveDate>,
    last_encounter: Option<chrono::NaiveDate>,
}

async fn silver_sizes(
    conditions: LazyFrame,
    encounters: LazyFrame,
) -> Result<SilverSizes, PipelineError> {
    let counted = run_polars(move || {
        let conditions = conditions.select([len().cast(DataType::UInt64).alias("n")]);
        let encounters = encounters.select([
            len().cast(DataType::UInt64).alias("n"),
            col("start_date").min().alias("first"),
            col("start_date").max().alias("last"),
        ]);
        Ok::<_, PolarsError>((conditions.collect()?, encounters.collect()?))
    })
    .await?
    .map_err(|e| PipelineError::polars("counting silver rows for gold".to_string(), e))?;
    let (conditions, encounters) = counted;
    let count = |df: &DataFrame| {
        df.column("n")
            .ok()
            .and_then(|c| c.u64().ok().and_then(|ca| ca.get(0)))
            .unwrap_or(0)
    };
    let date = |name: &str| {
        let days = encounters
            .column(name)
            .ok()
            .and_then(|c| c.date().ok().and_then(|d| d.physical().get(0)))?;
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?
            .checked_add_signed(chrono::Duration::days(i64::from(days)))
    };
    Ok(SilverSizes {
        conditions: count(&conditions),
        encounters: count(&encounters),
        first_encounter: date("first"),
        last_encounter: date("last"),
    })
}

/// First and last date of the date dimension: the encounters' span, extended to the
/// as-of date (the as-of year when there are no encounters).
fn date_span(
    first: Option<chrono::NaiveDate>,
    last: Option<chrono::NaiveDate>,
    config: &PipelineConfig,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    match (first, last) {
        (Some(first), Some(last)) => (first, last.max(config.as_of)),
        _ => (
            config
                .as_of
                .checked_sub_days(Days::new(365))
                .unwrap_or(config.as_of),
            config.as_of,
        ),
    }
}
