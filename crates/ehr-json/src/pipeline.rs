//! The EHR JSON lakehouse: landed change batches → bronze → silver → gold, wired with
//! medallion-core's builders (the only place this crate touches Delta).
//!
//! One call of [`run_batch`] processes whatever landed since the last call:
//!
//! 1. **Bronze** (per entity, `bronze/<entity>`): `BronzeIngestBuilder` with
//!    `LandingFormat::Lines` over the files named `<entity>*` (`.ndjson`, `.json`):
//!    each record's raw JSON text with `_ingested_at`, `_source_file`, `_source_row`,
//!    `_batch_id`; exactly once per landed file (a re-delivered file is skipped).
//! 2. **Schema** (per entity): the new bronze rows are parsed and their JSON types
//!    observed; the entity's schema (table property [`SCHEMA_PROPERTY`] of its bronze
//!    table) is widened with new fields (and `integer` → `number`); a type that cannot
//!    widen stops the run with [`Error::TypeConflict`] naming the file, the field and
//!    both types, before silver reads the batch.
//! 3. **Silver** (per entity, see [`crate::silver`]): `SilverBuilder` parses the rows
//!    under the schema, types and normalizes them, quarantines bad records, keeps the
//!    latest change per key by `change_seq` (window dedup, counted as
//!    `rows_deduplicated`), and MERGEs: an older change never overwrites a newer one,
//!    deletes become tombstones (`_deleted`), so a late older update cannot resurrect a
//!    deleted key. Then `patients_scd` is rebuilt for the patients the batch touched
//!    (`ChangeFeedScd2Builder`, event time) and `medications_clean.is_active` is brought
//!    to the as-of instant (a MERGE of the rows whose flag flips).
//! 4. **Maintenance** (when [`PipelineConfig::maintenance`] is set): OPTIMIZE with
//!    Z-order by patient and encounter ids, then VACUUM, per silver table.
//! 5. **Gold** (see [`crate::gold`]): the four gold tables, overwritten with their metric
//!    versions.
//!
//! Every run appends its `RunReport` to `<lakehouse>/_runs`; silver counts reconcile
//! (read = written + unchanged + quarantined + deduplicated). Runs on one lakehouse
//! must not overlap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use medallion_core::pipeline::{
    BATCH_ID, BronzeIngestBuilder, BronzeReport, CdcConfig, ChangeFeedColumns,
    ChangeFeedScd2Builder, ChangeFeedScd2Report, DELETED, GoldWriteBuilder, INGESTED_AT,
    LandingFormat, Layer, MaintenancePolicy, MaintenanceReport, RAW_LINE, RunReport, SOURCE_FILE,
    SOURCE_ROW, SilverBuilder, SilverReport, TableRunReport, run_maintenance,
};
use medallion_core::{
    MergeBuilder, ReadBuilder, SetPropertiesBuilder, run_polars, table_properties,
};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use synthea_gen::ehr_json::{CHANGE_SEQ, CHANGED_AT, Entity, OP, PATIENT_TRACKED_FIELDS};

use crate::error::{Error, Result};
use crate::gold::{GoldConfig, SilverTables, canonical_inputs, gold_tables_from};
use crate::schema::{JSON_ERROR, JsonSchema, parse_line};
use crate::silver::{
    IS_ACTIVE, PATIENTS_SCD, SilverConfig, is_active, partition_column, rules, silver_keys,
    silver_table, stats_columns, transform, z_order_columns,
};

/// Bronze table property holding the entity's inferred JSON schema.
pub const SCHEMA_PROPERTY: &str = "ehr_json.schema";
/// Bronze table property: the last bronze batch whose rows the schema has seen.
pub const SCHEMA_BATCH_PROPERTY: &str = "ehr_json.schema_batch";
/// Surrogate-key column of `patients_scd`.
pub const PATIENT_VERSION_KEY: &str = "patient_version_key";

/// Settings of a run. Loadable from JSON: `lakehouse`, `as_of` and `run_id` are
/// required.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PipelineConfig {
    /// Lakehouse root: `<root>/{bronze,silver,gold}/<table>` and `<root>/_runs`.
    pub lakehouse: PathBuf,
    /// Pipeline name, part of every application-transaction id. Default: `ehr-json`.
    #[serde(default = "default_pipeline")]
    pub pipeline: String,
    /// As-of instant: `is_active` of medications and the as-of date of gold.
    pub as_of: DateTime<Utc>,
    /// Identifier of the run (in `_runs` and every commit).
    pub run_id: String,
    /// Silver settings. Default: [`SilverConfig::default`].
    #[serde(default)]
    pub silver: SilverConfig,
    /// Gold settings. Default: [`GoldConfig::default`].
    #[serde(default)]
    pub gold: GoldConfig,
    /// Whether to compute gold. Default: `true`.
    #[serde(default = "default_true")]
    pub gold_enabled: bool,
    /// Maintenance after silver (OPTIMIZE with each table's Z-order, VACUUM); `None`
    /// skips it. Default: `None`.
    #[serde(default)]
    pub maintenance: Option<MaintenancePolicy>,
    /// Bronze rows a silver run parses at a time. Default: 500,000.
    #[serde(default = "default_chunk_rows")]
    pub silver_chunk_rows: usize,
    /// `_ingested_at` of this run's bronze rows. Default: the time the run starts.
    #[serde(default)]
    pub ingested_at: Option<DateTime<Utc>>,
}

fn default_pipeline() -> String {
    "ehr-json".to_string()
}

fn default_true() -> bool {
    true
}

fn default_chunk_rows() -> usize {
    medallion_core::pipeline::DEFAULT_CHUNK_ROWS
}

impl PipelineConfig {
    /// A configuration with the documented defaults.
    pub fn new(
        lakehouse: impl Into<PathBuf>,
        as_of: DateTime<Utc>,
        run_id: impl Into<String>,
    ) -> Self {
        Self {
            lakehouse: lakehouse.into(),
            pipeline: default_pipeline(),
            as_of,
            run_id: run_id.into(),
            silver: SilverConfig::default(),
            gold: GoldConfig::default(),
            gold_enabled: true,
            maintenance: None,
            silver_chunk_rows: default_chunk_rows(),
            ingested_at: None,
        }
    }

    /// `<lakehouse>/<layer>/<name>`.
    pub fn table(&self, layer: &str, name: &str) -> PathBuf {
        self.lakehouse.join(layer).join(name)
    }
}

/// What one batch did to one entity (counts only, never values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityReport {
    /// The entity.
    pub entity: String,
    /// Its silver table.
    pub table: String,
    /// New landed files ingested.
    pub files: u64,
    /// Landed files skipped as re-deliveries of ingested content.
    pub files_redelivered: u64,
    /// Rows read by silver (the new bronze rows).
    pub read: u64,
    /// Rows of new keys.
    pub inserted: u64,
    /// Rows that replaced a held row (tombstones included).
    pub updated: u64,
    /// Keys that became tombstones.
    pub deleted: u64,
    /// Rows equal to the held row (exact re-deliveries).
    pub unchanged: u64,
    /// Rows removed as older changes of their key (window dedup and late records).
    pub deduplicated: u64,
    /// Rows quarantined.
    pub quarantined: u64,
    /// Fields the entity's schema gained (none for the batch that created it).
    pub new_fields: Vec<String>,
}

/// What a run produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchOutcome {
    /// The run report (also appended to `_runs`).
    pub report: RunReport,
    /// Per entity, in [`Entity::ALL`] order.
    pub entities: Vec<EntityReport>,
    /// The `patients_scd` rebuild, when patients changed.
    pub patients_scd: Option<ChangeFeedScd2Report>,
    /// Medications whose `is_active` flipped to the as-of instant.
    pub is_active_flipped: u64,
    /// Maintenance per table.
    pub maintenance: Vec<MaintenanceReport>,
    /// Gold tables written (name → rows).
    pub gold_rows: BTreeMap<String, u64>,
}

/// Runs bronze → silver → gold over what landed under `landing`.
///
/// # Errors
/// [`Error::TypeConflict`] when a landed field's type cannot widen; [`Error::Medallion`]
/// naming the table and operation that failed; [`Error::Unreconciled`] when silver
/// counts do not reconcile (after the report is recorded).
pub async fn run_batch(config: &PipelineConfig, landing: &Path) -> Result<BatchOutcome> {
    let started_at = Utc::now();
    let mut report = RunReport::new(config.run_id.clone(), started_at);
    let ingested_at = config.ingested_at.unwrap_or(started_at);
    let mut entities = Vec::new();
    let mut bronze_reports = Vec::new();
    for entity in Entity::ALL {
        let bronze = Box::pin(bronze_entity(config, entity, landing, ingested_at)).await?;
        report.push(TableRunReport::from_bronze(entity.name(), &bronze));
        bronze_reports.push(bronze);
    }
    let mut schemas = Vec::new();
    for (entity, bronze) in Entity::ALL.into_iter().zip(&bronze_reports) {
        schemas.push(Box::pin(widen_schema(config, entity, bronze)).await?);
    }
    let mut patients_silver = None;
    for ((entity, bronze), (schema, new_fields)) in
        Entity::ALL.into_iter().zip(&bronze_reports).zip(schemas)
    {
        let Some((silver, deleted)) = Box::pin(silver_entity(config, entity, schema)).await? else {
            continue;
        };
        report.push(TableRunReport::from_silver(silver_table(entity), &silver));
        entities.push(entity_report(entity, bronze, &silver, deleted, new_fields));
        if entity == Entity::Patients {
            patients_silver = Some(silver);
        }
    }
    let patients_scd = match patients_silver {
        Some(silver) => Box::pin(rebuild_patients_scd(config, &silver, &mut report)).await?,
        None => None,
    };
    let is_active_flipped = Box::pin(refresh_is_active(config)).await?;
    let maintenance = Box::pin(maintain(config)).await?;
    let gold_rows = if config.gold_enabled {
        Box::pin(gold_layer(config, &mut report)).await?
    } else {
        BTreeMap::new()
    };
    report.append_to(config.lakehouse.join("_runs")).await?;
    let unreconciled: Vec<String> = report
        .unreconciled()
        .iter()
        .map(|t| format!("{}/{}", t.layer, t.table))
        .collect();
    if !unreconciled.is_empty() {
        return Err(Error::Unreconciled {
            tables: unreconciled,
        });
    }
    Ok(BatchOutcome {
        report,
        entities,
        patients_scd,
        is_active_flipped,
        maintenance,
        gold_rows,
    })
}

fn entity_report(
    entity: Entity,
    bronze: &BronzeReport,
    silver: &SilverReport,
    deleted: u64,
    new_fields: Vec<String>,
) -> EntityReport {
    EntityReport {
        entity: entity.name().to_string(),
        table: silver_table(entity),
        files: bronze.files_ingested.len() as u64,
        files_redelivered: bronze.files_redelivered.len() as u64,
        read: silver.rows_read,
        inserted: silver.rows_inserted,
        updated: silver.rows_updated,
        deleted,
        unchanged: silver.rows_unchanged,
        deduplicated: silver.rows_deduplicated,
        quarantined: silver.rows_quarantined,
        new_fields,
    }
}

async fn bronze_entity(
    config: &PipelineConfig,
    entity: Entity,
    landing: &Path,
    ingested_at: DateTime<Utc>,
) -> Result<BronzeReport> {
    Ok(BronzeIngestBuilder::new(
        landing,
        config.table("bronze", entity.name()),
        &config.pipeline,
    )?
    .with_file_prefix(entity.name())
    .with_landing_format(LandingFormat::Lines)
    .with_ingested_at(ingested_at)
    .with_run_id(config.run_id.clone())
    .await?)
}

/// The entity's stored schema and the last bronze batch it has seen.
async fn stored_schema(config: &PipelineConfig, entity: Entity) -> Result<(JsonSchema, i64)> {
    let bronze = config.table("bronze", entity.name());
    if !bronze.join("_delta_log").is_dir() {
        return Ok((JsonSchema::default(), 0));
    }
    let properties = table_properties(&bronze).await?;
    let schema = match properties.get(SCHEMA_PROPERTY) {
        Some(json) => serde_json::from_str(json).map_err(|source| Error::SchemaProperty {
            entity: entity.name().to_string(),
            source,
        })?,
        None => JsonSchema::default(),
    };
    let batch = properties
        .get(SCHEMA_BATCH_PROPERTY)
        .and_then(|b| b.parse().ok())
        .unwrap_or(0);
    Ok((schema, batch))
}

/// Observes the JSON types of the bronze rows the schema has not seen, widens the
/// stored schema (or fails on a conflict); returns the schema and the new fields.
async fn widen_schema(
    config: &PipelineConfig,
    entity: Entity,
    bronze: &BronzeReport,
) -> Result<(JsonSchema, Vec<String>)> {
    let (before, seen) = stored_schema(config, entity).await?;
    let location = config.table("bronze", entity.name());
    // Also after a run killed between its bronze commit and the schema update, the
    // next run sees the batches the schema missed (`_batch_id` above `seen`).
    let newest = bronze
        .batch_id
        .unwrap_or(0)
        .max(bronze_batch(&location).await?);
    if newest <= seen {
        return Ok((before, Vec::new()));
    }
    let rows = ReadBuilder::new(&location)?
        .with_columns([RAW_LINE, SOURCE_FILE, BATCH_ID])
        .with_predicate(col(BATCH_ID).gt(lit(seen)))
        .await?;
    let rows = run_polars(move || {
        rows.filter(col(BATCH_ID).gt(lit(seen)))
            .sort([SOURCE_FILE], Default::default())
            .collect()
    })
    .await?
    .map_err(|e| Error::polars("reading new bronze rows", e))?;
    let column = |name: &str| {
        rows.column(name)
            .and_then(|c| c.str().cloned())
            .map_err(|e| Error::polars("reading new bronze rows", e))
    };
    let (lines, files) = (column(RAW_LINE)?, column(SOURCE_FILE)?);
    let mut schema = before.clone();
    for (line, file) in lines.iter().zip(files.iter()) {
        if let Ok(record) = parse_line(line.unwrap_or_default()) {
            schema.observe(entity.name(), file.unwrap_or_default(), &record)?;
        }
    }
    let last = newest;
    let json = serde_json::to_string(&schema).map_err(|source| Error::SchemaProperty {
        entity: entity.name().to_string(),
        source,
    })?;
    SetPropertiesBuilder::new(&location)?
        .with_property(SCHEMA_PROPERTY, json)
        .with_property(SCHEMA_BATCH_PROPERTY, last.to_string())
        .await?;
    // The first batch defines the schema: only later batches report new fields.
    let new_fields = if before.fields.is_empty() {
        Vec::new()
    } else {
        schema.new_fields(&before)
    };
    if !new_fields.is_empty() {
        tracing::info!(entity = entity.name(), fields = ?new_fields, "schema widened");
    }
    Ok((schema, new_fields))
}

/// The last `_batch_id` of a bronze table (0 when it does not exist or is empty).
async fn bronze_batch(location: &Path) -> Result<i64> {
    if !location.join("_delta_log").is_dir() {
        return Ok(0);
    }
    let frame = ReadBuilder::new(location)?.with_columns([BATCH_ID]).await?;
    let last = run_polars(move || frame.select([col(BATCH_ID).max()]).collect())
        .await?
        .map_err(|e| Error::polars("reading the last bronze batch", e))?;
    Ok(last
        .column(BATCH_ID)
        .ok()
        .and_then(|c| c.i64().ok().and_then(|ca| ca.get(0)))
        .unwrap_or(0))
}

/// Tombstones in a silver table (0 when it does not exist).
async fn tombstones(location: &Path) -> Result<u64> {
    if !location.join("_delta_log").is_dir() {
        return Ok(0);
    }
    let frame = ReadBuilder::new(location)?.with_columns([DELETED]).await?;
    let counted = run_polars(move || {
        frame
            .filter(col(DELETED).fill_null(lit(false)))
            .select([len().cast(DataType::UInt64).alias("n")])
            .collect()
    })
    .await?
    .map_err(|e| Error::polars("counting tombstones", e))?;
    Ok(counted
        .column("n")
        .ok()
        .and_then(|c| c.u64().ok().and_then(|ca| ca.get(0)))
        .unwrap_or(0))
}

/// Refines an entity's new bronze rows; `None` when it has no bronze table yet.
/// Returns the silver report and the keys that became tombstones.
async fn silver_entity(
    config: &PipelineConfig,
    entity: Entity,
    schema: JsonSchema,
) -> Result<Option<(SilverReport, u64)>> {
    let bronze = config.table("bronze", entity.name());
    if !bronze.join("_delta_log").is_dir() {
        return Ok(None);
    }
    let silver = config.table("silver", &silver_table(entity));
    let soft_deletes = !matches!(entity, Entity::Patients | Entity::LabResults);
    let before = if soft_deletes {
        tombstones(&silver).await?
    } else {
        0
    };
    let (silver_config, as_of) = (config.silver.clone(), config.as_of);
    let mut builder = SilverBuilder::new(&bronze, &silver, &config.pipeline, silver_keys(entity))?
        .with_transform(move |raw| transform(raw, entity, &schema, &silver_config, as_of))
        .with_rules(rules(entity))
        .with_chunk_rows(config.silver_chunk_rows)
        .with_staging_dir(config.lakehouse.join("_staging"))
        .with_run_id(config.run_id.clone());
    if entity != Entity::Patients {
        builder = builder.with_order_by([CHANGE_SEQ]);
    }
    if soft_deletes {
        builder = builder.with_cdc(CdcConfig::new(OP).with_delete_values(["delete"]));
    }
    if let Some(partition) = partition_column(entity) {
        builder = builder
            .with_partition_columns([partition])
            .with_stats_columns(stats_columns(entity));
    }
    let report = builder.await?;
    let after = if soft_deletes {
        tombstones(&silver).await?
    } else {
        0
    };
    Ok(Some((report, after.saturating_sub(before))))
}

/// The columns of `patients_changes` that are lineage or feed mechanics, not patient
/// data: left out of `patients_scd` (`op` stays: deletes close a version).
const NOT_IN_SCD: [&str; 6] = [
    BATCH_ID,
    INGESTED_AT,
    SOURCE_FILE,
    SOURCE_ROW,
    JSON_ERROR,
    medallion_core::pipeline::DQ_FLAGS,
];

/// Rebuilds `patients_scd` for the patients whose changes this run added.
async fn rebuild_patients_scd(
    config: &PipelineConfig,
    silver: &SilverReport,
    report: &mut RunReport,
) -> Result<Option<ChangeFeedScd2Report>> {
    let Some((done, last)) = silver.bronze_batches else {
        return Ok(None);
    };
    let changes_table = config.table("silver", &silver_table(Entity::Patients));
    let changes = ReadBuilder::new(&changes_table)?.await?;
    let batch = col(BATCH_ID)
        .gt(lit(done))
        .and(col(BATCH_ID).lt_eq(lit(last)));
    let touched = changes
        .clone()
        .filter(batch)
        .select([col("patient_id")])
        .unique(None, UniqueKeepStrategy::Any);
    let history = changes.join(
        touched,
        [col("patient_id")],
        [col("patient_id")],
        JoinArgs::new(JoinType::Semi),
    );
    let schema_cols: Vec<String> = {
        let mut h = history.clone();
        let schema = run_polars(move || h.collect_schema())
            .await?
            .map_err(|e| Error::polars("patients_scd", e))?;
        schema.iter_names().map(|n| n.to_string()).collect()
    };
    let dropped: Vec<&str> = NOT_IN_SCD
        .iter()
        .copied()
        .filter(|c| schema_cols.iter().any(|s| s == c))
        .collect();
    let history = history.drop(cols(dropped));
    let spec = ChangeFeedColumns::new(
        ["patient_id"],
        PATIENT_TRACKED_FIELDS,
        CHANGE_SEQ,
        CHANGED_AT,
    )
    .with_deletes(OP, ["delete"])
    .with_surrogate_key(PATIENT_VERSION_KEY);
    let scd = ChangeFeedScd2Builder::new(config.table("silver", PATIENTS_SCD), history, spec)?
        .with_run_id(config.run_id.clone())
        .await?;
    let changed = scd.versions_inserted + scd.versions_updated + scd.versions_removed;
    report.push(TableRunReport {
        rows_read: changed,
        rows_written: changed,
        rows_inserted: scd.versions_inserted,
        rows_updated: scd.versions_updated,
        rows_deleted: scd.versions_removed,
        ..TableRunReport::empty(Layer::Silver, PATIENTS_SCD)
    });
    Ok(Some(scd))
}

/// MERGEs the medications whose `is_active` differs at the as-of instant; returns how
/// many flipped.
async fn refresh_is_active(config: &PipelineConfig) -> Result<u64> {
    let location = config.table("silver", &silver_table(Entity::Medications));
    if !location.join("_delta_log").is_dir() {
        return Ok(0);
    }
    let rows = ReadBuilder::new(&location)?.await?;
    let as_of = config.as_of;
    let flipped = run_polars(move || {
        rows.with_column(is_active(as_of).alias("__now"))
            .filter(col("__now").neq(col(IS_ACTIVE)).fill_null(lit(true)))
            .with_column(col("__now").alias(IS_ACTIVE))
            .drop(cols(["__now"]))
            .collect()
    })
    .await?
    .map_err(|e| Error::polars("refreshing is_active", e))?;
    let n = flipped.height() as u64;
    if n > 0 {
        MergeBuilder::new(&location, flipped.lazy(), silver_keys(Entity::Medications))?
            .when_matched_update_all(None::<String>)
            .with_run_id(config.run_id.clone())
            .await?;
    }
    Ok(n)
}

/// OPTIMIZE (Z-ordered per table) and VACUUM per the configured policy.
async fn maintain(config: &PipelineConfig) -> Result<Vec<MaintenanceReport>> {
    let Some(policy) = &config.maintenance else {
        return Ok(Vec::new());
    };
    let mut reports = Vec::new();
    for entity in Entity::ALL {
        let location = config.table("silver", &silver_table(entity));
        if !location.join("_delta_log").is_dir() {
            continue;
        }
        let policy = policy.clone().with_z_order(z_order_columns(entity));
        reports.push(run_maintenance(&location, &policy, Some(&config.run_id)).await?);
    }
    Ok(reports)
}

async fn gold_layer(
    config: &PipelineConfig,
    report: &mut RunReport,
) -> Result<BTreeMap<String, u64>> {
    let Some(silver) = read_silver(config).await? else {
        return Ok(BTreeMap::new());
    };
    let (gold_config, as_of) = (config.gold.clone(), config.as_of.date_naive());
    let tables = run_polars(move || -> Result<_> {
        // Each input is read once: the metrics refer to some of them many times, and a
        // lazy input would rescan every partition file of its table each time.
        let inputs = canonical_inputs(&silver)?;
        let once = |frame: LazyFrame| -> Result<LazyFrame> {
            Ok(frame
                .collect()
                .map_err(|e| Error::polars("reading gold inputs", e))?
                .lazy())
        };
        let inputs = ehr_population_health::PopulationInputs {
            patients: once(inputs.patients)?,
            encounters: once(inputs.encounters)?,
            conditions: once(inputs.conditions)?,
            medications: once(inputs.medications)?,
            observations: once(inputs.observations)?,
            procedures: once(inputs.procedures)?,
        };
        gold_tables_from(&inputs, &gold_config, as_of)
    })
    .await??;
    let mut rows = BTreeMap::new();
    for table in tables {
        let name = table.name.clone();
        let written = GoldWriteBuilder::new(
            config.table("gold", &name),
            table.frame,
            table.metric_version,
        )?
        .with_partition_columns(table.partition_columns)
        .with_run_id(config.run_id.clone())
        .with_commit_metadata("as_of", config.as_of.to_rfc3339())
        .with_commit_metadata("description", table.description)
        .await?;
        report.push(TableRunReport::from_gold(&name, 0, &written));
        rows.insert(name, written.rows_written);
    }
    Ok(rows)
}

/// The silver tables gold reads, or `None` until every one exists.
pub async fn read_silver(config: &PipelineConfig) -> Result<Option<SilverTables>> {
    let mut frames = Vec::new();
    let names = [
        PATIENTS_SCD.to_string(),
        silver_table(Entity::Encounters),
        silver_table(Entity::Diagnoses),
        silver_table(Entity::Procedures),
        silver_table(Entity::LabResults),
        silver_table(Entity::Medications),
    ];
    for name in names {
        let location = config.table("silver", &name);
        if !location.join("_delta_log").is_dir() {
            return Ok(None);
        }
        frames.push(ReadBuilder::new(&location)?.await?);
    }
    let mut frames = frames.into_iter();
    let mut next = || frames.next().unwrap_or_default();
    Ok(Some(SilverTables {
        patients_scd: next(),
        encounters: next(),
        diagnoses: next(),
        procedures: next(),
        lab_results: next(),
        medications: next(),
    }))
}
