//! Silver: new bronze rows typed, normalized, checked, deduplicated and upserted.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use medallion_core::ReadBuilder;
use medallion_core::pipeline::{
    BATCH_ID, INGESTED_AT, RunReport, SOURCE_FILE, SOURCE_ROW, Severity, SilverBuilder,
    SilverProgress, TableRunReport,
};
use polars::prelude::*;
use synthea_schema::dq::DqConfig;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::PARSE_ERRORS_COLUMN;
use synthea_schema::{SyntheaVersion, TableKind};

use crate::config::PipelineConfig;
use crate::error::PipelineError;
use crate::events::{Observer, PipelineEvent, Stage, forward_progress};
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

/// Refines every table that has a bronze table: reference tables first (their keys feed
/// the orphan checks of the others).
pub(crate) async fn refine(
    config: &PipelineConfig,
    present: &[TableKind],
    version: SyntheaVersion,
    report: &mut RunReport,
    observer: Observer<'_>,
) -> Result<(), PipelineError> {
    let stage_started = Instant::now();
    let order = processing_order(present);
    observer(PipelineEvent::StageStarted {
        stage: Stage::Silver,
        steps: order.len(),
    });
    let mut keys = ReferenceKeys::default();
    let mut silver_patients: Option<DataFrame> = None;
    for table in order {
        let _span = tracing::info_span!("silver", table = table.name()).entered();
        let t = Instant::now();
        let patients = silver_patients.clone();
        let silver = silver_table(config, table, version, &keys, patients, observer).await?;
        tracing::info!(
            table = table.name(),
            read = silver.rows_read,
            written = silver.rows_written,
            unchanged = silver.rows_unchanged,
            quarantined = silver.rows_quarantined,
            deduplicated = silver.rows_deduplicated,
            "silver refined"
        );
        observer(PipelineEvent::TableDone {
            stage: Stage::Silver,
            table: table.name().to_string(),
            rows_written: silver.rows_written,
            summary: format!(
                "{} read, {} written, {} unchanged, {} quarantined, {} deduplicated",
                silver.rows_read,
                silver.rows_written,
                silver.rows_unchanged,
                silver.rows_quarantined,
                silver.rows_deduplicated
            ),
            elapsed: t.elapsed(),
        });
        report.push(TableRunReport::from_silver(table.name(), &silver));
        if REFERENCE_ORDER.contains(&table) {
            let frame = reference_rows(config, table).await?;
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
    observer(PipelineEvent::StageDone {
        stage: Stage::Silver,
        elapsed: stage_started.elapsed(),
    });
    Ok(())
}

/// Reference tables first, in [`REFERENCE_ORDER`], then the others.
fn processing_order(present: &[TableKind]) -> Vec<TableKind> {
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
    order
}

/// What the checks of later tables need from a reference table: its key column, or for
/// patients every column (the after-death check reads death dates).
async fn reference_rows(
    config: &PipelineConfig,
    table: TableKind,
) -> Result<DataFrame, PipelineError> {
    let columns = match (table, table.silver_key().first()) {
        (TableKind::Patients, _) | (_, None) => None,
        (_, Some(key)) => Some(vec![col(*key)]),
    };
    read_silver(config, table, columns).await
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
    observer: Observer<'_>,
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
    .with_staging_dir(config.lakehouse.join("_staging"))
    // Null keys are quarantined by the rules; the constraint makes every other writer
    // of the table (Spark, delta-rs) keep them out too.
    .with_not_null_keys()
    .with_run_id(config.run_id.clone());
    if flag_is_warn {
        builder = builder.with_duplicate_flag(duplicate_flag);
    }
    let (sender, chunks) = futures::channel::mpsc::unbounded::<SilverProgress>();
    let run = builder
        .with_progress(move |p| {
            let _ = sender.unbounded_send(*p);
        })
        .into_future();
    let report = forward_progress(run, chunks, observer, |p| {
        (p.chunks > 1).then(|| PipelineEvent::TableProgress {
            stage: Stage::Silver,
            table: table.name().to_string(),
            done: p.rows_done,
            total: p.rows_total,
        })
    })
    .await
    .map_err(typed_transform_error)?;
    Ok(report)
}

/// Unwraps the pipeline's own error from a failed transform, so callers see a typed
/// [`PipelineError`] (e.g. [`PipelineError::Schema`]) rather than a wrapped one.
fn typed_transform_error(error: medallion_core::Error) -> PipelineError {
    match error {
        medallion_core::Error::Transform { table, source } => {
            match source.downcast::<PipelineError>() {
                Ok(own) => *own,
                Err(source) => {
                    PipelineError::Medallion(medallion_core::Error::Transform { table, source })
                }
            }
        }
        other => PipelineError::Medallion(other),
    }
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

impl SilverTransform {
    /// Typing and normalization errors stay typed ([`synthea_schema::Error`]); the
    /// caller gets them back from `medallion_core::Error::Transform`.
    fn apply(&self, mut raw: LazyFrame) -> Result<LazyFrame, PipelineError> {
        // The raw columns, then the lineage in the order silver stores it.
        let mut columns: Vec<Expr> = raw
            .collect_schema()
            .map_err(|e| PipelineError::polars("reading the bronze schema", e))?
            .iter_names()
            .filter(|n| !LINEAGE.contains(&n.as_str()))
            .map(|n| col(n.clone()))
            .collect();
        columns.extend(LINEAGE.iter().map(|c| col(*c)));
        // One lazy plan: typing and normalization keep row count and order and carry the
        // lineage, the parse errors and the `__dq_check_*` columns along.
        let checked = checks::raw_text_checks(raw.select(columns), &self.categorical)?;
        let typed = synthea_schema::read::type_frame(checked, self.table, self.version)?;
        let mut combined = normalize(self.table, self.version, typed, &self.normalize)?
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
