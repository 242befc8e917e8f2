//! SCD Type 2 maintenance of a dimension table.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::count_rows;
use super::report::{Layer, TableRunReport};
use crate::blocking::run_blocking;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::merge::MergeBuilder;
use crate::read::ReadBuilder;
use crate::table::{AppTransaction, open_existing};
use crate::write::WriteBuilder;
use medallion_model::hash::stable_hash;

/// Default surrogate key column: stable hash of the business key, `effective_from` and
/// `row_hash`
/// (see [`Scd2Builder::with_surrogate_key_column`]).
pub const SURROGATE_KEY: &str = "surrogate_key";
/// Stable hash of the tracked attributes, computed by the builder; a change means a new
/// version.
pub const ROW_HASH: &str = "row_hash";
/// When this version became current (inclusive).
pub const EFFECTIVE_FROM: &str = "effective_from";
/// When this version stopped being current (exclusive); null while current.
pub const EFFECTIVE_TO: &str = "effective_to";
/// Whether this is the current version of the key.
pub const IS_CURRENT: &str = "is_current";

/// The outcome of an SCD2 run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scd2Report {
    /// Table URI.
    pub table: String,
    /// Keys seen for the first time (new current rows).
    pub keys_inserted: u64,
    /// Keys whose tracked attributes changed (old version closed, new one inserted).
    pub keys_changed: u64,
    /// Keys unchanged (nothing written).
    pub keys_unchanged: u64,
    /// Version committed, or `None` if nothing changed.
    pub version: Option<u64>,
    /// Wall time.
    pub duration: Duration,
}

/// Applies a snapshot of a dimension to an SCD Type 2 table; run with `.await`.
///
/// Each key has at most one current row. For each incoming row, the builder computes
/// `row_hash`, the [`stable_hash`] of the tracked attributes, and compares it with the
/// current version's: a new key is inserted; a changed key gets its current row closed
/// (`effective_to` = the snapshot's `effective_from`, `is_current = false`) and a new
/// current row inserted — both in **one** MERGE commit; an unchanged key writes nothing,
/// so replaying a snapshot is a no-op. Keys absent from the snapshot are left as they are
/// (a snapshot is not assumed to be complete).
///
/// Each version gets a surrogate key, the [`stable_hash`] of the business key,
/// `effective_from` and `row_hash` (so two versions that start at the same instant, e.g.
/// two batches run with one as-of time, still differ), in the column [`SURROGATE_KEY`] unless
/// [`Scd2Builder::with_surrogate_key_column`] names another: the same on every run and
/// machine (never row numbers, which collide across partitions). A durable key that
/// names the entity across versions (e.g. a hash of the business key alone) can be
/// part of the snapshot as an ordinary column.
///
/// The builder owns the version columns: a snapshot that already has a column named
/// `row_hash`, `effective_from`, `effective_to`, `is_current` or the surrogate key is
/// refused with [`Error::InvalidConfiguration`] instead of being silently overwritten.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use chrono::{TimeZone, Utc};
/// use medallion_core::pipeline::Scd2Builder;
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// let day1 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
/// let day2 = Utc.with_ymd_and_hms(2024, 2, 1, 0, 0, 0).unwrap();
/// let v1 = df!("patient_id" => ["p1"], "city" => ["Boston"])?;
/// Scd2Builder::new(dir.path(), v1.lazy(), ["patient_id"], ["city"], day1)?
///     .with_surrogate_key_column("patient_version_key")
///     .await?;
/// let v2 = df!("patient_id" => ["p1"], "city" => ["Salem"])?;
/// let report = Scd2Builder::new(dir.path(), v2.lazy(), ["patient_id"], ["city"], day2)?
///     .with_surrogate_key_column("patient_version_key")
///     .await?;
/// assert_eq!(report.keys_changed, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "an Scd2Builder does nothing until awaited"]
pub struct Scd2Builder {
    location: TableLocation,
    snapshot: LazyFrame,
    columns: VersionColumns,
    effective_from: DateTime<Utc>,
    app_transaction: Option<AppTransaction>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

/// The column names one SCD2 run works with.
#[derive(Clone)]
struct VersionColumns {
    keys: Vec<String>,
    tracked: Vec<String>,
    surrogate_key: String,
}

impl VersionColumns {
    fn key_exprs(&self) -> Vec<Expr> {
        self.keys.iter().map(|k| col(k.as_str())).collect()
    }

    /// The columns the builder adds to every version.
    fn managed(&self) -> [&str; 5] {
        [
            ROW_HASH,
            EFFECTIVE_FROM,
            EFFECTIVE_TO,
            IS_CURRENT,
            self.surrogate_key.as_str(),
        ]
    }
}

impl Scd2Builder {
    /// Applies `snapshot` (one row per key) to the SCD2 table at `location`, tracking
    /// changes of the `tracked` columns, effective at `effective_from`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(
        location: impl TryInto<TableLocation, Error = Error>,
        snapshot: LazyFrame,
        keys: impl IntoIterator<Item = impl Into<String>>,
        tracked: impl IntoIterator<Item = impl Into<String>>,
        effective_from: DateTime<Utc>,
    ) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            snapshot,
            columns: VersionColumns {
                keys: keys.into_iter().map(Into::into).collect(),
                tracked: tracked.into_iter().map(Into::into).collect(),
                surrogate_key: SURROGATE_KEY.to_string(),
            },
            effective_from,
            app_transaction: None,
            commit_metadata: Vec::new(),
        })
    }

    /// Names the column holding each version's surrogate key (e.g.
    /// `patient_version_key`). Default: [`SURROGATE_KEY`] (`surrogate_key`). Use the
    /// same name on every run of a table: the MERGE matches on it.
    pub fn with_surrogate_key_column(mut self, name: impl Into<String>) -> Self {
        self.columns.surrogate_key = name.into();
        self
    }

    commit_metadata_setters!();

    /// Tags the commit with an application transaction (refused if already committed).
    pub fn with_app_transaction(mut self, txn: AppTransaction) -> Self {
        self.app_transaction = Some(txn);
        self
    }

    #[tracing::instrument(name = "medallion.scd2", skip_all, fields(table = %self.location))]
    async fn execute(mut self) -> Result<Scd2Report> {
        const OP: &str = "scd2";
        let started = Instant::now();
        let uri = self.location.to_string();
        let exists = open_existing(&self.location, OP).await.is_ok();
        let current = if exists {
            Some(
                ReadBuilder::new(&self.location)?
                    .with_predicate(col(IS_CURRENT))
                    .await?,
            )
        } else {
            None
        };
        let snapshot = std::mem::take(&mut self.snapshot);
        let (columns, from, table) = (self.columns.clone(), self.effective_from, uri.clone());
        let staged = run_blocking(&uri, OP, move || {
            let incoming = incoming_versions(snapshot, &columns, from, &table)?;
            stage(incoming, current, &columns, from, &table)
        })
        .await?;
        let version = if staged.rows.height() == 0 {
            None
        } else {
            let report = self.run_report(&staged);
            self.commit(staged.rows.clone(), exists, report).await?
        };
        let report = Scd2Report {
            table: uri,
            keys_inserted: staged.inserted,
            keys_changed: staged.changed,
            keys_unchanged: staged.unchanged,
            version,
            duration: started.elapsed(),
        };
        crate::trace::finished(
            "scd2",
            Some(report.keys_inserted + report.keys_changed),
            report.version,
            report.duration,
        );
        Ok(report)
    }

    /// The run report the commit records (under [`super::RUN_REPORT_KEY`]): a gold
    /// table that read one row per key and wrote a version per new or changed key plus
    /// a closed version per changed key.
    fn run_report(&self, staged: &Staged) -> TableRunReport {
        TableRunReport {
            rows_read: staged.inserted + staged.changed + staged.unchanged,
            rows_written: staged.rows.height() as u64,
            ..TableRunReport::empty(Layer::Gold, self.location.name())
        }
    }

    /// Writes the staged rows: a MERGE on the surrogate key into an existing table (one
    /// commit closes and inserts), or the first write of a new one. The commit carries
    /// `report` and the caller's metadata (a caller's own report replaces `report`).
    async fn commit(
        mut self,
        rows: DataFrame,
        exists: bool,
        report: TableRunReport,
    ) -> Result<Option<u64>> {
        self.commit_metadata.insert(0, report.commit_metadata());
        if exists {
            let mut merge =
                MergeBuilder::new(&self.location, rows.lazy(), [self.columns.surrogate_key])?
                    .when_matched_update_all(None::<String>)
                    .when_not_matched_insert_all(None::<String>)
                    .with_commit_entries(self.commit_metadata);
            if let Some(txn) = self.app_transaction {
                merge = merge.with_app_transaction(txn);
            }
            Ok(merge.await?.version)
        } else {
            let mut write = WriteBuilder::new(&self.location, rows.lazy())?
                .with_commit_entries(self.commit_metadata);
            if let Some(txn) = self.app_transaction {
                write = write.with_app_transaction(txn);
            }
            Ok(write.await?.version)
        }
    }
}

/// What [`stage`] prepared: the MERGE source and the per-key counts.
struct Staged {
    rows: DataFrame,
    inserted: u64,
    changed: u64,
    unchanged: u64,
}

/// Previous hash of a key's current version, joined onto the incoming rows.
const CURRENT_HASH: &str = "__scd2_current_hash";

/// The snapshot as new current versions: `row_hash`, validity columns and surrogate key.
///
/// # Errors
/// [`Error::InvalidConfiguration`] without business keys, or when the snapshot already
/// has a column the builder manages.
fn incoming_versions(
    snapshot: LazyFrame,
    columns: &VersionColumns,
    effective_from: DateTime<Utc>,
    table: &str,
) -> Result<DataFrame> {
    const OP: &str = "scd2";
    let invalid = |reason: String| Error::InvalidConfiguration {
        table: table.to_string(),
        operation: OP,
        reason,
    };
    if columns.keys.is_empty() {
        return Err(invalid(
            "SCD2 needs at least one business key column".into(),
        ));
    }
    let mut snapshot = snapshot;
    let schema = snapshot
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    if let Some(clash) = columns.managed().into_iter().find(|c| schema.contains(c)) {
        return Err(invalid(format!(
            "the snapshot already has a column '{clash}', which the SCD2 builder computes \
             (row_hash from the tracked attributes, the validity columns and the surrogate \
             key); drop or rename it before the SCD2 run"
        )));
    }
    // The row hash is part of the key: two versions of one key that start at the same
    // instant (two batches run with the same as-of time) still get distinct keys.
    let mut surrogate_parts = columns.key_exprs();
    surrogate_parts.push(col(EFFECTIVE_FROM));
    surrogate_parts.push(col(ROW_HASH));
    let tracked = columns.tracked.iter().map(|c| col(c.as_str())).collect();
    snapshot
        .with_columns([
            stable_hash(tracked).alias(ROW_HASH),
            utc_micros(effective_from).alias(EFFECTIVE_FROM),
            lit(NULL).cast(utc_datetime()).alias(EFFECTIVE_TO),
            lit(true).alias(IS_CURRENT),
        ])
        .with_column(stable_hash(surrogate_parts).alias(columns.surrogate_key.as_str()))
        .collect()
        .map_err(|e| Error::polars(table, OP, e))
}

fn utc_datetime() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
}

fn utc_micros(at: DateTime<Utc>) -> Expr {
    lit(at.timestamp_micros()).cast(utc_datetime())
}

/// Builds the MERGE source from the incoming versions and the table's current rows:
/// closing rows for changed keys plus new current rows for new and changed keys.
fn stage(
    incoming: DataFrame,
    current: Option<LazyFrame>,
    columns: &VersionColumns,
    effective_from: DateTime<Utc>,
    table: &str,
) -> Result<Staged> {
    const OP: &str = "scd2";
    let err = |e| Error::polars(table, OP, e);
    let Some(current) = current else {
        let inserted = incoming.height() as u64;
        return Ok(Staged {
            rows: incoming,
            inserted,
            changed: 0,
            unchanged: 0,
        });
    };
    let current = current.collect().map_err(err)?;
    let compared = compare_with_current(incoming, &current, columns, table)?;
    let is_new = col(CURRENT_HASH).is_null();
    let is_changed = col(CURRENT_HASH)
        .is_not_null()
        .and(col(CURRENT_HASH).neq(col(ROW_HASH)));
    let count = |predicate: Expr| count_rows(compared.clone().lazy().filter(predicate), table, OP);
    let inserted = count(is_new.clone())?;
    let changed = count(is_changed.clone())?;
    let unchanged = compared.height() as u64 - inserted - changed;

    let new_rows = compared
        .clone()
        .lazy()
        .filter(is_new.or(is_changed.clone()))
        .drop(cols([CURRENT_HASH]));
    let changed_keys = compared
        .lazy()
        .filter(is_changed)
        .select(columns.key_exprs());
    let closing = closing_rows(
        current.clone().lazy(),
        changed_keys,
        columns,
        effective_from,
    );
    // Both parts in the table's column order, so the MERGE source matches its schema.
    let column_order: Vec<Expr> = current
        .get_column_names()
        .iter()
        .map(|c| col(c.as_str()))
        .collect();
    let rows = concat(
        [
            closing.select(column_order.clone()),
            new_rows.select(column_order),
        ],
        UnionArgs::default(),
    )
    .map_err(err)?
    .collect()
    .map_err(err)?;
    Ok(Staged {
        rows,
        inserted,
        changed,
        unchanged,
    })
}

/// The incoming versions with the hash of each key's current version ([`CURRENT_HASH`],
/// null for a new key).
fn compare_with_current(
    incoming: DataFrame,
    current: &DataFrame,
    columns: &VersionColumns,
    table: &str,
) -> Result<DataFrame> {
    let keys = columns.key_exprs();
    let current_hashes = current.clone().lazy().select(
        keys.iter()
            .cloned()
            .chain([col(ROW_HASH).alias(CURRENT_HASH)])
            .collect::<Vec<_>>(),
    );
    incoming
        .lazy()
        .join(
            current_hashes,
            keys.clone(),
            keys,
            JoinArgs::new(JoinType::Left),
        )
        .collect()
        .map_err(|e| Error::polars(table, "scd2", e))
}

/// The current rows of `changed_keys`, closed at `effective_from`.
fn closing_rows(
    current: LazyFrame,
    changed_keys: LazyFrame,
    columns: &VersionColumns,
    effective_from: DateTime<Utc>,
) -> LazyFrame {
    let keys = columns.key_exprs();
    current
        .join(
            changed_keys,
            keys.clone(),
            keys,
            JoinArgs::new(JoinType::Semi),
        )
        .with_columns([
            utc_micros(effective_from).alias(EFFECTIVE_TO),
            lit(false).alias(IS_CURRENT),
        ])
}

awaitable_builder!(Scd2Builder => Scd2Report);
