//! # synthea-pipeline
//!
//! The Synthea lakehouse: composes `synthea-schema` (shapes, typing, normalization,
//! data-quality rules, star schema), `medallion-core` (Delta I/O, bronze/silver/gold
//! machinery) and the metric crates into one bronze → silver → gold pipeline, which the
//! `synthea_lakehouse` example runs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), synthea_pipeline::PipelineError> {
//! use chrono::NaiveDate;
//! use synthea_pipeline::{PipelineConfig, run_pipeline};
//!
//! let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
//! let config = PipelineConfig::new("lakehouse", "synthea", as_of, "run-1");
//! let outcome = run_pipeline(&config, "landing".as_ref(), &mut |line| println!("{line}")).await?;
//! println!("{}", outcome.report);
//! # Ok(()) }
//! ```
//!
//! - **Bronze**: every Synthea file under the landing directory is ingested, exactly once,
//!   into `bronze/<table>` as raw text with lineage columns.
//! - **Silver**: new bronze rows are typed (malformed values become null and are flagged,
//!   never dropped), normalized to the canonical model of `synthea-schema`, checked by
//!   its data-quality rules and checks (`synthea_schema::dq`), deduplicated by business key
//!   (latest batch wins) and upserted into `silver/<table>`; quarantined rows go to
//!   `silver/<table>_quarantine`. Rows are processed in chunks of
//!   [`PipelineConfig::silver_chunk_rows`] (spilled to `_staging`), so memory stays
//!   bounded; duplicates are resolved over the whole batch.
//! - **Gold**: recomputed from silver — encounters per condition, encounters by age group
//!   and class, the star schema (with `dim_patient` maintained as SCD2), and the metric
//!   tables of the metric crates — unless no silver table, as-of date or metric version
//!   changed since gold was last written ([`PipelineOutcome::gold_up_to_date`]).
//!
//! Every run appends its [`RunReport`] to `_runs`, then runs
//! [`PipelineConfig::maintenance`] (if set) on the tables it wrote.

mod error;
mod gold;
mod maintenance;

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use futures::StreamExt;
use medallion_core::ReadBuilder;
use medallion_core::pipeline::{
    BATCH_ID, BronzeIngestBuilder, INGESTED_AT, MaintenancePolicy, MaintenanceReport, RunReport,
    SOURCE_FILE, SOURCE_ROW, Severity, SilverBuilder, SilverProgress, TableRunReport,
};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use synthea_schema::dq::DqConfig;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::PARSE_ERRORS_COLUMN;
use synthea_schema::{SyntheaVersion, TableKind};

pub use gold::GOLD_METRIC_VERSION;

pub use crate::error::PipelineError;
use synthea_schema::dq::checks::{self, AFTER_DEATH_CHECK, ReferenceKeys};

/// Silver column naming the raw columns whose value failed to parse.
pub const PARSE_ERROR_COLUMNS: &str = "_parse_error_columns";

/// Silver tables processed first, because other tables' checks refer to them.
const REFERENCE_ORDER: [TableKind; 6] = [
    TableKind::Patients,
    TableKind::Organizations,
    TableKind::Providers,
    TableKind::Payers,
    TableKind::Encounters,
    TableKind::Claims,
];

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
    /// deduplication (and counted) instead of quarantining every copy.
    pub dq: DqConfig,
    /// Raw categorical columns checked for case variants, per table. Default:
    /// [`default_categorical_columns`].
    pub categorical_columns: BTreeMap<String, Vec<String>>,
    /// Bronze rows a silver table processes at a time (bounds memory; see
    /// [`SilverBuilder::with_chunk_rows`]). Default:
    /// [`medallion_core::pipeline::DEFAULT_CHUNK_ROWS`] (500,000).
    #[serde(default = "default_silver_chunk_rows")]
    pub silver_chunk_rows: usize,
    /// Maintenance run after the report is recorded, on every table the run committed
    /// to (OPTIMIZE / Z-order / VACUUM). Default: `None` — no maintenance.
    #[serde(default)]
    pub maintenance: Option<MaintenancePolicy>,
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
        }
    }

    fn table(&self, layer: &str, name: &str) -> PathBuf {
        self.lakehouse.join(layer).join(name)
    }
}

/// The raw categorical columns of each table whose values come from a small fixed set.
pub fn default_categorical_columns() -> BTreeMap<String, Vec<String>> {
    let entries: [(&str, &[&str]); 9] = [
        (
            "allergies",
            &["SYSTEM", "TYPE", "CATEGORY", "SEVERITY1", "SEVERITY2"],
        ),
        ("claims", &["STATUS1", "STATUS2", "STATUSP"]),
        ("claims_transactions", &["TYPE", "METHOD"]),
        ("encounters", &["ENCOUNTERCLASS"]),
        ("observations", &["CATEGORY", "TYPE"]),
        ("patients", &["MARITAL", "RACE", "ETHNICITY", "GENDER"]),
        ("payer_transitions", &["PLAN_OWNERSHIP", "OWNERSHIP"]),
        ("payers", &["OWNERSHIP"]),
        ("providers", &["GENDER"]),
    ];
    entries
        .into_iter()
        .map(|(t, cols)| (t.to_string(), cols.iter().map(|c| c.to_string()).collect()))
        .collect()
}

/// What a pipeline run produced.
#[derive(Debug, Clone)]
pub struct PipelineOutcome {
    /// The run report (also appended to `_runs`).
    pub report: RunReport,
    /// The Synthea version the landing exports were read as.
    pub version: SyntheaVersion,
    /// Gold tables written (name → rows); empty when gold was already current.
    pub gold_rows: BTreeMap<String, u64>,
    /// Whether gold was left as it was: every gold table had been computed from the
    /// current silver versions, as-of date and [`GOLD_METRIC_VERSION`] (nothing new
    /// arrived), so rewriting it would add versions with the same rows.
    pub gold_up_to_date: bool,
    /// What [`PipelineConfig::maintenance`] did, one entry per table maintained.
    pub maintenance: Vec<MaintenanceReport>,
}

/// Export directories under `landing` (those holding a patients file), sorted.
fn export_dirs(landing: &Path) -> Result<Vec<PathBuf>, PipelineError> {
    let mut found = Vec::new();
    let mut pending = vec![landing.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|source| {
            PipelineError::Medallion(medallion_core::Error::Io {
                path: dir.display().to_string(),
                operation: "find Synthea exports",
                source,
            })
        })?;
        let mut has_patients = false;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_stem().is_some_and(|s| s == "patients") {
                has_patients = true;
            }
        }
        if has_patients {
            found.push(dir);
        }
    }
    found.sort();
    Ok(found)
}

/// The one Synthea version of all exports under `landing`.
fn landing_version(exports: &[PathBuf], landing: &Path) -> Result<SyntheaVersion, PipelineError> {
    let mut version = None;
    for dir in exports {
        let detected = synthea_schema::detect::detect_version(dir)?.version;
        match version {
            None => version = Some(detected),
            Some(v) if v == detected => {}
            Some(v) => {
                return Err(PipelineError::Schema(
                    synthea_schema::Error::InvalidConfig {
                        field: "landing",
                        value: landing.display().to_string(),
                        reason: format!(
                            "exports of different Synthea versions ({v:?} and {detected:?}) in one landing directory; use one lakehouse per version"
                        ),
                    },
                ));
            }
        }
    }
    version.ok_or_else(|| PipelineError::NoExport {
        path: landing.display().to_string(),
    })
}

/// Runs bronze → silver → gold over every export under `landing`.
///
/// `progress` receives one human-readable line per step.
///
/// # Errors
/// [`PipelineError`] naming the table and step that failed; a `fail`-severity rule
/// aborts before anything of that table's batch is committed.
pub async fn run_pipeline(
    config: &PipelineConfig,
    landing: &Path,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<PipelineOutcome, PipelineError> {
    // The run's state machine is large in debug builds: keep it on the heap, so callers
    // that block on it from a 2 MiB thread (e.g. a `#[tokio::test]`) do not overflow.
    Box::pin(run_layers(config, landing, progress)).await
}

async fn run_layers(
    config: &PipelineConfig,
    landing: &Path,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<PipelineOutcome, PipelineError> {
    let started_at = Utc::now();
    let mut report = RunReport::new(config.run_id.clone(), started_at);
    let exports = export_dirs(landing)?;
    let version = landing_version(&exports, landing)?;
    progress(format!(
        "found {} Synthea export(s) ({version:?}) under {}",
        exports.len(),
        landing.display()
    ));

    // Bronze.
    let mut present = Vec::new();
    for table in TableKind::ALL {
        let t = Instant::now();
        let bronze = BronzeIngestBuilder::new(
            landing,
            config.table("bronze", table.name()),
            &config.pipeline,
        )?
        .with_file_stem(table.name())
        .with_ingested_at(started_at)
        .await?;
        let exists = bronze.batch_id.is_some()
            || config
                .table("bronze", table.name())
                .join("_delta_log")
                .is_dir();
        if exists {
            present.push(table);
        }
        if bronze.batch_id.is_some() || bronze.files_already_ingested > 0 {
            progress(format!(
                "[bronze] {:<20} {:>9} new rows from {} new file(s) ({:.1?})",
                table.name(),
                bronze.rows_written,
                bronze.files_ingested.len(),
                t.elapsed()
            ));
            report.push(TableRunReport::from_bronze(table.name(), &bronze));
        }
    }

    // Silver: reference tables first (their keys feed the orphan checks).
    let mut order: Vec<TableKind> = REFERENCE_ORDER
        .iter()
        .copied()
        .filter(|t| present.contains(t))
        .collect();
    order.extend(
        present
            .iter()
            .copied()
            .filter(|t| !REFERENCE_ORDER.contains(t)),
    );
    let mut keys = ReferenceKeys::default();
    let mut silver_patients: Option<DataFrame> = None;
    for table in order {
        let t = Instant::now();
        let patients = silver_patients.clone();
        let silver = silver_table(config, table, version, &keys, patients, progress).await?;
        progress(format!(
            "[silver] {:<20} {:>9} read {:>9} written {:>7} quarantined {:>7} deduplicated ({:.1?})",
            table.name(),
            silver.rows_read,
            silver.rows_written,
            silver.rows_quarantined,
            silver.rows_deduplicated,
            t.elapsed()
        ));
        report.push(TableRunReport::from_silver(table.name(), &silver));
        if REFERENCE_ORDER.contains(&table) {
            // Only the key column, except patients (the after-death check needs more).
            let columns = match (table, table.silver_key().first()) {
                (TableKind::Patients, _) | (_, None) => None,
                (_, Some(key)) => Some(vec![col(*key)]),
            };
            let frame = read_silver(config, table, columns).await?;
            if let Some(key) = table.silver_key().first() {
                let ids = frame
                    .column(key)
                    .map_err(|e| {
                        PipelineError::polars(format!("reading silver {} keys", table.name()), e)
                    })?
                    .as_materialized_series()
                    .clone();
                keys.ids.insert(table, ids);
            }
            if table == TableKind::Patients {
                silver_patients = Some(frame);
            }
        }
    }

    // Gold.
    let inputs = gold::gold_inputs(config).await?;
    let gold_up_to_date = gold::gold_is_current(config, &inputs).await?;
    let gold_rows = if gold_up_to_date {
        progress("[gold]   up to date: no silver table, as-of date or metric definition changed since gold was written".to_string());
        BTreeMap::new()
    } else {
        gold::write_gold(config, &inputs, &mut report, progress).await?
    };

    report.append_to(config.lakehouse.join("_runs")).await?;
    // After the report is recorded: a maintenance failure loses no run history.
    let maintenance = match &config.maintenance {
        Some(policy) => {
            maintenance::maintain_written_tables(config, &report, policy, progress).await?
        }
        None => Vec::new(),
    };
    Ok(PipelineOutcome {
        report,
        version,
        gold_rows,
        gold_up_to_date,
        maintenance,
    })
}

/// The current silver rows of `table` (only `columns`, when given).
pub(crate) async fn read_silver(
    config: &PipelineConfig,
    table: TableKind,
    columns: Option<Vec<Expr>>,
) -> Result<DataFrame, PipelineError> {
    let path = config.table("silver", table.name());
    let mut lf = ReadBuilder::new(&path)?.await?;
    if let Some(columns) = columns {
        lf = lf.select(columns);
    }
    let context = format!("reading silver {}", table.name());
    medallion_core::run_polars(move || lf.collect())
        .await?
        .map_err(|e| PipelineError::polars(context, e))
}

async fn silver_table(
    config: &PipelineConfig,
    table: TableKind,
    version: SyntheaVersion,
    keys: &ReferenceKeys,
    patients: Option<DataFrame>,
    progress: &mut (dyn FnMut(String) + Send),
) -> Result<medallion_core::pipeline::SilverReport, PipelineError> {
    let categorical = config
        .categorical_columns
        .get(table.name())
        .cloned()
        .unwrap_or_default();
    let transform = SilverTransform {
        table,
        version,
        normalize: config.normalize.clone(),
        dq: config.dq.clone(),
        as_of: config.as_of,
        categorical,
        keys: keys.clone(),
        patients,
    };
    let transform = Arc::new(transform);
    let t = table.name();
    // Repeated keys (rows) are found over the whole batch by the builder; a `warn` rule
    // would only see one chunk. A stricter configured severity keeps the rule.
    let duplicate_flag = if table.silver_key().is_empty() {
        format!("{t}.duplicate_row")
    } else {
        format!("{t}.duplicate_id")
    };
    let mut rules = synthea_schema::dq::dq_rules(table, &config.dq, config.as_of);
    let flag_is_warn = rules
        .iter()
        .find(|r| r.name == duplicate_flag)
        .is_none_or(|r| r.severity == Severity::Warn);
    if flag_is_warn {
        rules.retain(|r| r.name != duplicate_flag);
    }
    rules.extend(checks::check_rules(table, version, keys, config.as_of));
    let mut builder = SilverBuilder::new(
        config.table("bronze", table.name()),
        config.table("silver", table.name()),
        &config.pipeline,
        table.silver_key().iter().copied(),
    )?
    .with_order_by([BATCH_ID])
    // Identical rows of keyless tables are genuine in real exports (v3 procedures repeat
    // within a visit): keep them, flagged by `<table>.duplicate_row`.
    .with_exact_duplicates_dropped(false)
    .with_transform(move |raw| transform.apply(raw))
    .with_rules(rules)
    .with_chunk_rows(config.silver_chunk_rows)
    .with_staging_dir(config.lakehouse.join("_staging"));
    if flag_is_warn {
        builder = builder.with_duplicate_flag(duplicate_flag);
    }
    // Chunk progress arrives on a channel and is printed while the run is awaited.
    let (sender, mut chunks) = futures::channel::mpsc::unbounded::<SilverProgress>();
    let mut run = builder
        .with_progress(move |p| {
            let _ = sender.unbounded_send(*p);
        })
        .into_future();
    let mut print_chunk = |p: SilverProgress| {
        if p.chunks > 1 {
            progress(format!(
                "[silver] {:<20} chunk {}/{}: {} of {} rows",
                table.name(),
                p.chunk,
                p.chunks,
                p.rows_done,
                p.rows_total
            ));
        }
    };
    let report = loop {
        tokio::select! {
            report = &mut run => break report?,
            Some(p) = chunks.next() => print_chunk(p),
        }
    };
    // Whatever arrived after the last poll of the channel.
    while let Ok(p) = chunks.try_recv() {
        print_chunk(p);
    }
    Ok(report)
}

/// Bronze rows → typed, normalized, checked silver rows (pure).
struct SilverTransform {
    table: TableKind,
    version: SyntheaVersion,
    normalize: NormalizeConfig,
    dq: DqConfig,
    as_of: NaiveDate,
    categorical: Vec<String>,
    keys: ReferenceKeys,
    patients: Option<DataFrame>,
}

const LINEAGE: [&str; 4] = [INGESTED_AT, SOURCE_FILE, SOURCE_ROW, BATCH_ID];

fn to_polars(e: synthea_schema::Error) -> PolarsError {
    PolarsError::ComputeError(e.to_string().into())
}

impl SilverTransform {
    fn apply(&self, mut raw: LazyFrame) -> PolarsResult<LazyFrame> {
        // The raw columns, then the lineage in the order silver stores it.
        let mut columns: Vec<Expr> = raw
            .collect_schema()?
            .iter_names()
            .filter(|n| !LINEAGE.contains(&n.as_str()))
            .map(|n| col(n.clone()))
            .collect();
        columns.extend(LINEAGE.iter().map(|c| col(*c)));
        // One lazy plan: typing and normalization keep row count and order and carry the
        // lineage, the parse errors and the `__dq_check_*` columns along.
        let checked =
            checks::raw_text_checks(raw.select(columns), &self.categorical).map_err(to_polars)?;
        let typed = synthea_schema::read::type_frame(checked, self.table, self.version)
            .map_err(to_polars)?;
        let mut combined = normalize(self.table, self.version, typed, &self.normalize)
            .map_err(to_polars)?
            .with_column(checks::parse_error_check())
            .with_columns(checks::silver_checks(
                self.table,
                self.version,
                self.as_of,
                &self.keys,
            ))
            .rename([PARSE_ERRORS_COLUMN], [PARSE_ERROR_COLUMNS], true);
        if self.table == TableKind::Encounters {
            combined = match &self.patients {
                Some(patients) => {
                    checks::flag_encounters_after_death(combined, patients.clone().lazy(), &self.dq)
                }
                None => combined.with_column(lit(false).alias(AFTER_DEATH_CHECK)),
            };
        }
        Ok(combined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_file_without_the_newer_settings_loads_with_their_defaults() {
        let config = PipelineConfig::new("lake", "p", NaiveDate::default(), "r");
        let mut json = serde_json::to_value(&config).unwrap();
        let fields = json.as_object_mut().unwrap();
        fields.remove("silver_chunk_rows");
        fields.remove("maintenance");
        let loaded: PipelineConfig = serde_json::from_value(json).unwrap();
        assert_eq!(
            loaded.silver_chunk_rows,
            medallion_core::pipeline::DEFAULT_CHUNK_ROWS
        );
        assert!(loaded.maintenance.is_none());
        assert_eq!(loaded.lakehouse, config.lakehouse);
    }
}
