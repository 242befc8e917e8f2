//! SCD Type 2 maintenance of a dimension table.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::run_blocking;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::merge::MergeBuilder;
use crate::read::ReadBuilder;
use crate::table::{AppTransaction, open_existing};
use crate::write::WriteBuilder;
use medallion_model::hash::stable_hash;

/// Surrogate key column: hash of the business key and `effective_from`.
pub const SURROGATE_KEY: &str = "surrogate_key";
/// Hash of the tracked attributes; a change means a new version.
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
/// Each key has at most one current row. For each incoming row, the hash of the tracked
/// attributes is compared with the current version: a new key is inserted; a changed key
/// gets its current row closed (`effective_to` = the snapshot's `effective_from`,
/// `is_current = false`) and a new current row inserted — both in **one** MERGE commit;
/// an unchanged key writes nothing, so replaying a snapshot is a no-op. Keys absent from
/// the snapshot are left as they are (a snapshot is not assumed to be complete).
///
/// Surrogate keys are [`stable_hash`] of the business key and `effective_from`: the same
/// on every run and machine (never row numbers, which collide across partitions).
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
/// Scd2Builder::new(dir.path(), v1.lazy(), ["patient_id"], ["city"], day1)?.await?;
/// let v2 = df!("patient_id" => ["p1"], "city" => ["Salem"])?;
/// let report = Scd2Builder::new(dir.path(), v2.lazy(), ["patient_id"], ["city"], day2)?.await?;
/// assert_eq!(report.keys_changed, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "an Scd2Builder does nothing until awaited"]
pub struct Scd2Builder {
    location: TableLocation,
    snapshot: LazyFrame,
    keys: Vec<String>,
    tracked: Vec<String>,
    effective_from: DateTime<Utc>,
    app_transaction: Option<AppTransaction>,
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
            keys: keys.into_iter().map(Into::into).collect(),
            tracked: tracked.into_iter().map(Into::into).collect(),
            effective_from,
            app_transaction: None,
        })
    }

    /// Tags the commit with an application transaction (refused if already committed).
    pub fn with_app_transaction(mut self, txn: AppTransaction) -> Self {
        self.app_transaction = Some(txn);
        self
    }

    async fn execute(self) -> Result<Scd2Report> {
        const OP: &str = "scd2";
        let started = Instant::now();
        let uri = self.location.to_string();
        if self.keys.is_empty() {
            return Err(Error::InvalidConfiguration {
                table: uri,
                operation: OP,
                reason: "SCD2 needs at least one business key column".into(),
            });
        }
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
        let (snapshot, keys, tracked, from, table) = (
            self.snapshot,
            self.keys.clone(),
            self.tracked.clone(),
            self.effective_from,
            uri.clone(),
        );
        let staged = run_blocking(&uri, OP, move || {
            stage(snapshot, current, &keys, &tracked, from, &table)
        })
        .await?;
        let report = |version| Scd2Report {
            table: uri.clone(),
            keys_inserted: staged.inserted,
            keys_changed: staged.changed,
            keys_unchanged: staged.unchanged,
            version,
            duration: started.elapsed(),
        };
        if staged.rows.height() == 0 {
            return Ok(report(None));
        }
        let version = if exists {
            let mut merge = MergeBuilder::new(&self.location, staged.rows.lazy(), [SURROGATE_KEY])?
                .when_matched_update_all(None::<String>)
                .when_not_matched_insert_all(None::<String>);
            if let Some(txn) = self.app_transaction {
                merge = merge.with_app_transaction(txn);
            }
            merge.await?.version
        } else {
            let mut write = WriteBuilder::new(&self.location, staged.rows.lazy())?;
            if let Some(txn) = self.app_transaction {
                write = write.with_app_transaction(txn);
            }
            write.await?.version
        };
        Ok(report(version))
    }
}

struct Staged {
    rows: DataFrame,
    inserted: u64,
    changed: u64,
    unchanged: u64,
}

/// Builds the MERGE source: closing rows for changed keys plus new current rows.
fn stage(
    snapshot: LazyFrame,
    current: Option<LazyFrame>,
    keys: &[String],
    tracked: &[String],
    effective_from: DateTime<Utc>,
    table: &str,
) -> Result<Staged> {
    const OP: &str = "scd2";
    let err = |e| Error::polars(table, OP, e);
    let from = lit(effective_from.timestamp_micros()).cast(DataType::Datetime(
        TimeUnit::Microseconds,
        Some(TimeZone::UTC),
    ));
    let key_exprs: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
    let tracked_exprs: Vec<Expr> = tracked.iter().map(|c| col(c.as_str())).collect();
    let mut surrogate_parts = key_exprs.clone();
    surrogate_parts.push(col(EFFECTIVE_FROM));
    let incoming = snapshot
        .with_columns([
            stable_hash(tracked_exprs).alias(ROW_HASH),
            from.clone().alias(EFFECTIVE_FROM),
            lit(NULL)
                .cast(DataType::Datetime(
                    TimeUnit::Microseconds,
                    Some(TimeZone::UTC),
                ))
                .alias(EFFECTIVE_TO),
            lit(true).alias(IS_CURRENT),
        ])
        .with_column(stable_hash(surrogate_parts).alias(SURROGATE_KEY))
        .collect()
        .map_err(err)?;

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
    let column_order: Vec<Expr> = current
        .get_column_names()
        .iter()
        .map(|c| col(c.as_str()))
        .collect();
    let current_hashes = current.clone().lazy().select(
        key_exprs
            .iter()
            .cloned()
            .chain([col(ROW_HASH).alias("__current_hash")])
            .collect::<Vec<_>>(),
    );
    let compared = incoming
        .clone()
        .lazy()
        .join(
            current_hashes,
            key_exprs.clone(),
            key_exprs.clone(),
            JoinArgs::new(JoinType::Left),
        )
        .collect()
        .map_err(err)?;
    let is_new = col("__current_hash").is_null();
    let is_changed = col("__current_hash")
        .is_not_null()
        .and(col("__current_hash").neq(col(ROW_HASH)));
    let count = |predicate: Expr| -> Result<u64> {
        Ok(compared
            .clone()
            .lazy()
            .filter(predicate)
            .collect()
            .map_err(err)?
            .height() as u64)
    };
    let inserted = count(is_new.clone())?;
    let changed = count(is_changed.clone())?;
    let unchanged = compared.height() as u64 - inserted - changed;

    let new_rows = compared
        .clone()
        .lazy()
        .filter(is_new.or(is_changed.clone()))
        .drop(cols(["__current_hash"]));
    let changed_keys = compared.lazy().filter(is_changed).select(key_exprs.clone());
    let closing = current
        .lazy()
        .join(
            changed_keys,
            key_exprs.clone(),
            key_exprs,
            JoinArgs::new(JoinType::Semi),
        )
        .with_columns([from.alias(EFFECTIVE_TO), lit(false).alias(IS_CURRENT)]);
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

awaitable_builder!(Scd2Builder => Scd2Report);
