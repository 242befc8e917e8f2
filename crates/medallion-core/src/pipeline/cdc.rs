//! SCD Type 2 history built from a change feed in event time
//! ([`ChangeFeedScd2Builder`], [`scd2_versions`]).
//!
//! [`super::Scd2Builder`] applies *snapshots* at one effective instant: a version that
//! arrives late would close the newer one. A change feed (CDC records carrying a per-key
//! change sequence and the time each change happened) needs history in *event time*: an
//! older version delivered after a newer one must slot in before it and never close it.
//! Here a key's history is a pure function of the **set** of its changes, rebuilt
//! whenever a batch touches the key, so any grouping or order of delivery — one by one,
//! all at once, out of order, with re-deliveries — gives the same versions.

use std::time::{Duration, Instant};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::count_rows;
use super::scd2::{EFFECTIVE_FROM, EFFECTIVE_TO, IS_CURRENT, ROW_HASH, SURROGATE_KEY};
use crate::blocking::run_blocking;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::merge::MergeBuilder;
use crate::read::ReadBuilder;
use crate::table::{AppTransaction, open_existing};
use crate::write::WriteBuilder;
use medallion_model::hash::stable_hash;

/// The columns of a change feed that an event-time SCD2 history is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChangeFeedColumns {
    /// Business-key columns.
    pub keys: Vec<String>,
    /// Tracked attributes: a change of any of them starts a new version.
    pub tracked: Vec<String>,
    /// Per-key change sequence (larger = newer); orders a key's changes.
    pub sequence: String,
    /// When the change happened (a UTC datetime column): the version's `effective_from`,
    /// and the `effective_to` of the version before it.
    pub changed_at: String,
    /// Operation column and the values that mean delete, if the feed has deletes: a
    /// delete closes the key's version at its `changed_at` and opens none.
    pub delete: Option<(String, Vec<String>)>,
    /// Column of each version's surrogate key. Default: [`SURROGATE_KEY`].
    pub surrogate_key: String,
}

impl ChangeFeedColumns {
    /// A feed keyed by `keys`, tracking `tracked`, ordered by `sequence`, timed by
    /// `changed_at`, without deletes.
    pub fn new(
        keys: impl IntoIterator<Item = impl Into<String>>,
        tracked: impl IntoIterator<Item = impl Into<String>>,
        sequence: impl Into<String>,
        changed_at: impl Into<String>,
    ) -> Self {
        Self {
            keys: keys.into_iter().map(Into::into).collect(),
            tracked: tracked.into_iter().map(Into::into).collect(),
            sequence: sequence.into(),
            changed_at: changed_at.into(),
            delete: None,
            surrogate_key: SURROGATE_KEY.to_string(),
        }
    }

    /// Rows whose `op_column` is one of `values` are deletes.
    pub fn with_deletes(
        mut self,
        op_column: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.delete = Some((
            op_column.into(),
            values.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Names the surrogate-key column.
    pub fn with_surrogate_key(mut self, column: impl Into<String>) -> Self {
        self.surrogate_key = column.into();
        self
    }

    fn key_exprs(&self) -> Vec<Expr> {
        self.keys.iter().map(|k| col(k.as_str())).collect()
    }

    fn is_delete(&self) -> Expr {
        match &self.delete {
            Some((op, values)) => {
                let values = Series::new("".into(), values.clone());
                col(op.as_str())
                    .is_in(lit(values).implode(false), false)
                    .fill_null(lit(false))
            }
            None => lit(false),
        }
    }
}

const PREVIOUS_HASH: &str = "__cdc_previous_hash";
const PREVIOUS_DELETE: &str = "__cdc_previous_delete";
const IS_DELETE: &str = "__cdc_is_delete";

/// The SCD2 versions of every key in `changes`, which must hold each key's **complete**
/// change history (pure; no I/O).
///
/// Steps: a change delivered more than once (same key and sequence) counts once; a
/// key's changes are ordered by sequence; a version starts at the first change, at
/// every change whose tracked attributes differ from the change before, and at the first
/// change after a delete; a version ends (`effective_to`) where the next version starts
/// or the next delete happens (exclusive), and is current (`is_current`) when nothing
/// ends it. A version's other columns are those of the change that started it; its
/// `row_hash` is the stable hash of the tracked attributes and its surrogate key the
/// stable hash of the keys, `effective_from` and `row_hash`. The result has one row
/// per version, in key then `effective_from` order, without the `delete` operation's
/// meaning attached (the operation column is kept as data).
///
/// # Errors
/// A Polars error when a named column is missing.
///
/// ```
/// use medallion_core::pipeline::{ChangeFeedColumns, IS_CURRENT, scd2_versions};
/// use polars::prelude::*;
///
/// // Three changes of p1; the one with sequence 2 arrived last.
/// let changes = df!(
///     "patient_id" => ["p1", "p1", "p1"],
///     "city" => ["Boston", "Salem", "Salem"],
///     "change_seq" => [1i64, 3, 2],
///     "changed_at" => [1i64, 3, 2],
/// )?
/// .lazy()
/// .with_column(col("changed_at").cast(DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))));
/// let spec = ChangeFeedColumns::new(["patient_id"], ["city"], "change_seq", "changed_at");
/// let versions = scd2_versions(changes, &spec)?.collect()?;
/// // Boston from 1 to 2, then Salem (sequence 3 repeats it: no new version).
/// assert_eq!(versions.height(), 2);
/// assert_eq!(versions.column(IS_CURRENT)?.bool()?.get(1), Some(true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn scd2_versions(changes: LazyFrame, spec: &ChangeFeedColumns) -> PolarsResult<LazyFrame> {
    let keys = spec.key_exprs();
    let mut order: Vec<PlSmallStr> = spec.keys.iter().map(|k| k.as_str().into()).collect();
    order.push(spec.sequence.as_str().into());
    let tracked = spec.tracked.iter().map(|c| col(c.as_str())).collect();
    let ordered = changes
        .sort(order.clone(), SortMultipleOptions::default())
        .unique_stable(Some(cols(order.iter().cloned())), UniqueKeepStrategy::First)
        .with_columns([
            stable_hash(tracked).alias(ROW_HASH),
            spec.is_delete().alias(IS_DELETE),
        ])
        .with_columns([
            col(ROW_HASH)
                .shift(lit(1))
                .over(keys.clone())?
                .alias(PREVIOUS_HASH),
            col(IS_DELETE)
                .shift(lit(1))
                .over(keys.clone())?
                .alias(PREVIOUS_DELETE),
        ]);
    let first = col(PREVIOUS_HASH).is_null();
    let after_delete = col(PREVIOUS_DELETE).fill_null(lit(false));
    let starts = col(IS_DELETE).not().and(
        first
            .or(after_delete.clone())
            .or(col(PREVIOUS_HASH).neq(col(ROW_HASH))),
    );
    let ends = col(IS_DELETE).and(after_delete.not());
    let datetime = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
    let mut surrogate = keys.clone();
    surrogate.push(col(EFFECTIVE_FROM));
    surrogate.push(col(ROW_HASH));
    Ok(ordered
        .filter(starts.or(ends))
        .with_columns([
            col(spec.changed_at.as_str())
                .cast(datetime.clone())
                .alias(EFFECTIVE_FROM),
            col(spec.changed_at.as_str())
                .cast(datetime)
                .shift(lit(-1))
                .over(keys)?
                .alias(EFFECTIVE_TO),
        ])
        .filter(col(IS_DELETE).not())
        .with_column(col(EFFECTIVE_TO).is_null().alias(IS_CURRENT))
        .with_column(stable_hash(surrogate).alias(spec.surrogate_key.as_str()))
        .drop(cols([PREVIOUS_HASH, PREVIOUS_DELETE, IS_DELETE])))
}

/// The outcome of a [`ChangeFeedScd2Builder`] run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeFeedScd2Report {
    /// Table URI.
    pub table: String,
    /// Keys whose history was rebuilt.
    pub keys: u64,
    /// Versions added.
    pub versions_inserted: u64,
    /// Versions kept whose validity changed (closed, or reopened).
    pub versions_updated: u64,
    /// Versions removed (split by a late change that came between them, or merged).
    pub versions_removed: u64,
    /// Version committed, or `None` when the history did not change.
    pub version: Option<u64>,
    /// Wall time.
    pub duration: Duration,
}

/// Rebuilds the SCD2 history of the keys a change batch touched, in event time; run
/// with `.await`.
///
/// `changes` must hold the **complete** change history of every key it contains (e.g.
/// the rows of an append-only changes table whose keys appear in the new batch):
/// [`scd2_versions`] computes their versions, which replace the table's versions of
/// those keys in **one** MERGE on the surrogate key — versions that did not change are
/// not rewritten, versions that no longer exist are deleted. Keys absent from `changes`
/// are left as they are. So a late or out-of-order change never closes a newer version,
/// and replaying a batch commits nothing. New columns in the changes are added to the
/// table.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::pipeline::{ChangeFeedColumns, ChangeFeedScd2Builder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
/// let feed = |seq: Vec<i64>, city: Vec<&str>| -> PolarsResult<LazyFrame> {
///     Ok(df!("id" => vec!["p1"; seq.len()], "city" => city, "seq" => seq.clone(), "at" => seq)?
///         .lazy()
///         .with_column(col("at").cast(utc.clone())))
/// };
/// let spec = ChangeFeedColumns::new(["id"], ["city"], "seq", "at");
/// ChangeFeedScd2Builder::new(dir.path(), feed(vec![1, 3], vec!["Boston", "Lynn"])?, spec.clone())?.await?;
/// // Change 2 arrives late: it slots in between, closing version 1 and closed by 3.
/// let report = ChangeFeedScd2Builder::new(dir.path(), feed(vec![1, 2, 3], vec!["Boston", "Salem", "Lynn"])?, spec)?.await?;
/// assert_eq!((report.versions_inserted, report.versions_updated), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a ChangeFeedScd2Builder does nothing until awaited"]
pub struct ChangeFeedScd2Builder {
    location: TableLocation,
    changes: LazyFrame,
    spec: ChangeFeedColumns,
    app_transaction: Option<AppTransaction>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl ChangeFeedScd2Builder {
    /// Rebuilds the history of the keys in `changes` in the table at `location`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(
        location: impl TryInto<TableLocation, Error = Error>,
        changes: LazyFrame,
        spec: ChangeFeedColumns,
    ) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            changes,
            spec,
            app_transaction: None,
            commit_metadata: Vec::new(),
        })
    }

    commit_metadata_setters!();

    /// Tags the commit with an application transaction (refused if already committed).
    pub fn with_app_transaction(mut self, txn: AppTransaction) -> Self {
        self.app_transaction = Some(txn);
        self
    }

    #[tracing::instrument(name = "medallion.cdc_scd2", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<ChangeFeedScd2Report> {
        const OP: &str = "cdc_scd2";
        let started = Instant::now();
        let uri = self.location.to_string();
        if self.spec.keys.is_empty() {
            return Err(Error::InvalidConfiguration {
                table: uri,
                operation: OP,
                reason: "an SCD2 history needs at least one business key column".into(),
            });
        }
        let versions = scd2_versions(self.changes.clone(), &self.spec)
            .map_err(|e| Error::polars(&uri, OP, e))?;
        let exists = open_existing(&self.location, OP).await.is_ok();
        let held = if exists {
            Some(ReadBuilder::new(&self.location)?.await?)
        } else {
            None
        };
        let (spec, table) = (self.spec.clone(), uri.clone());
        let staged = run_blocking(&uri, OP, move || stage(versions, held, &spec, &table)).await?;
        let version = if staged.source.height() == 0 {
            None
        } else {
            self.commit(staged.source.clone(), exists).await?
        };
        let report = ChangeFeedScd2Report {
            table: uri,
            keys: staged.keys,
            versions_inserted: staged.inserted,
            versions_updated: staged.updated,
            versions_removed: staged.removed,
            version,
            duration: started.elapsed(),
        };
        crate::trace::finished(
            "cdc_scd2",
            Some(report.keys),
            report.version,
            report.duration,
        );
        Ok(report)
    }

    /// One MERGE on the surrogate key (a removal row has a null `row_hash`), or the
    /// first write of a new table.
    async fn commit(self, source: DataFrame, exists: bool) -> Result<Option<u64>> {
        if !exists {
            let mut write = WriteBuilder::new(&self.location, source.lazy())?
                .with_commit_entries(self.commit_metadata);
            if let Some(txn) = self.app_transaction {
                write = write.with_app_transaction(txn);
            }
            return Ok(write.await?.version);
        }
        let removal = format!("source.\"{ROW_HASH}\" IS NULL");
        let mut merge =
            MergeBuilder::new(&self.location, source.lazy(), [self.spec.surrogate_key])?
                .with_merge_schema(true)
                .when_matched_delete(Some(removal.clone()))
                .when_matched_update_all(None::<String>)
                .when_not_matched_insert_all(Some(format!("NOT ({removal})")))
                .with_commit_entries(self.commit_metadata);
        if let Some(txn) = self.app_transaction {
            merge = merge.with_app_transaction(txn);
        }
        Ok(merge.await?.version)
    }
}

/// The MERGE source of a run and its counts.
struct Staged {
    source: DataFrame,
    keys: u64,
    inserted: u64,
    updated: u64,
    removed: u64,
}

const HELD_TO: &str = "__cdc_held_effective_to";

/// Compares the rebuilt versions with the held versions of the same keys: new versions
/// and versions whose `effective_to` changed are upserted; held versions absent from
/// the rebuild become removal rows (surrogate key only).
fn stage(
    versions: LazyFrame,
    held: Option<LazyFrame>,
    spec: &ChangeFeedColumns,
    table: &str,
) -> Result<Staged> {
    const OP: &str = "cdc_scd2";
    let err = |e| Error::polars(table, OP, e);
    let versions = versions.collect().map_err(err)?;
    let keys_touched = versions
        .clone()
        .lazy()
        .select(spec.key_exprs())
        .unique(None, UniqueKeepStrategy::Any);
    let keys = count_rows(keys_touched.clone(), table, OP)?;
    let Some(held) = held else {
        let inserted = versions.height() as u64;
        return Ok(Staged {
            source: versions,
            keys,
            inserted,
            updated: 0,
            removed: 0,
        });
    };
    let surrogate = [col(spec.surrogate_key.as_str())];
    let held = held.join(
        keys_touched,
        spec.key_exprs(),
        spec.key_exprs(),
        JoinArgs::new(JoinType::Semi),
    );
    let held_validity = held.clone().select([
        col(spec.surrogate_key.as_str()),
        col(EFFECTIVE_TO).alias(HELD_TO),
    ]);
    let compared = versions.clone().lazy().join(
        held_validity,
        surrogate.clone(),
        surrogate.clone(),
        JoinArgs::new(JoinType::Left).with_coalesce(JoinCoalesce::CoalesceColumns),
    );
    let held_keys = held.clone().select(surrogate.clone());
    let new_versions = versions.clone().lazy().join(
        held_keys.clone(),
        surrogate.clone(),
        surrogate.clone(),
        JoinArgs::new(JoinType::Anti),
    );
    let kept = compared.join(
        held_keys,
        surrogate.clone(),
        surrogate.clone(),
        JoinArgs::new(JoinType::Semi),
    );
    let updated_versions = kept
        .filter(col(EFFECTIVE_TO).eq_missing(col(HELD_TO)).not())
        .drop(cols([HELD_TO]));
    let removed = held
        .join(
            versions.clone().lazy().select(surrogate.clone()),
            surrogate.clone(),
            surrogate,
            JoinArgs::new(JoinType::Anti),
        )
        .select([col(spec.surrogate_key.as_str())]);
    let new_versions = new_versions.collect().map_err(err)?;
    let updated_versions = updated_versions.collect().map_err(err)?;
    let removed = removed.collect().map_err(err)?;
    let counts = (
        new_versions.height() as u64,
        updated_versions.height() as u64,
        removed.height() as u64,
    );
    let source = concat_lf_diagonal(
        [new_versions.lazy(), updated_versions.lazy(), removed.lazy()],
        UnionArgs::default(),
    )
    .map_err(err)?
    .collect()
    .map_err(err)?;
    Ok(Staged {
        source,
        keys,
        inserted: counts.0,
        updated: counts.1,
        removed: counts.2,
    })
}

awaitable_builder!(ChangeFeedScd2Builder => ChangeFeedScd2Report);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn utc() -> DataType {
        DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
    }

    fn feed(rows: &[(&str, &str, i64, &str)]) -> LazyFrame {
        df!(
            "id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "city" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "seq" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "at" => rows.iter().map(|r| r.2 * 1_000_000).collect::<Vec<_>>(),
            "op" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        )
        .unwrap()
        .lazy()
        .with_column(col("at").cast(utc()))
    }

    fn spec() -> ChangeFeedColumns {
        ChangeFeedColumns::new(["id"], ["city"], "seq", "at").with_deletes("op", ["delete"])
    }

    /// (city, from seconds, to seconds or -1) per version of `id`.
    fn history(lf: LazyFrame) -> Vec<(String, i64, i64)> {
        let df = lf
            .sort([EFFECTIVE_FROM], Default::default())
            .select([
                col("city"),
                col(EFFECTIVE_FROM).dt().timestamp(TimeUnit::Microseconds) / lit(1_000_000),
                (col(EFFECTIVE_TO).dt().timestamp(TimeUnit::Microseconds) / lit(1_000_000))
                    .fill_null(lit(-1)),
            ])
            .collect()
            .unwrap();
        (0..df.height())
            .map(|i| {
                let row = df.get_row(i).unwrap().0;
                (
                    row[0].get_str().unwrap().to_string(),
                    row[1].try_extract::<i64>().unwrap(),
                    row[2].try_extract::<i64>().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn an_older_change_arriving_last_slots_in_before_the_newer_version() {
        let arrived = feed(&[
            ("p", "A", 1, "insert"),
            ("p", "C", 3, "update"),
            ("p", "B", 2, "update"),
        ]);
        assert_eq!(
            history(scd2_versions(arrived, &spec()).unwrap()),
            vec![("A".into(), 1, 2), ("B".into(), 2, 3), ("C".into(), 3, -1)]
        );
    }

    #[test]
    fn a_change_without_a_tracked_difference_starts_no_version() {
        let arrived = feed(&[("p", "A", 1, "insert"), ("p", "A", 2, "update")]);
        assert_eq!(
            history(scd2_versions(arrived, &spec()).unwrap()),
            vec![("A".into(), 1, -1)]
        );
    }

    #[test]
    fn a_delete_closes_the_current_version_and_a_redelivery_counts_once() {
        let arrived = feed(&[
            ("p", "A", 1, "insert"),
            ("p", "A", 2, "delete"),
            ("p", "A", 2, "delete"),
            ("p", "A", 1, "insert"),
        ]);
        assert_eq!(
            history(scd2_versions(arrived, &spec()).unwrap()),
            vec![("A".into(), 1, 2)]
        );
    }
}
