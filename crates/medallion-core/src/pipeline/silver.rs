//! Silver: normalize, apply data-quality rules, deduplicate, quarantine, and upsert.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::batch_duplicates::{BatchDuplicates, DuplicateSteps, resolve_duplicates};
use super::bronze::BATCH_ID;
use super::changes::{HeldKeyChanges, HeldKeys, classify_held_keys};
use super::chunks::{ChunkPlan, DEFAULT_CHUNK_ROWS, StagedRows, plan_chunks};
use super::count_rows;
use super::ingest_issues::screen_ingest_issues;
use super::report::{Layer, TableRunReport};
use super::rules::{Rule, apply_rules};
use super::silver_layout::{SilverLayout, schema_of};
use crate::blocking::run_blocking;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::merge::MergeBuilder;
use crate::ops::constraints::Constraint;
use crate::read::ReadBuilder;
use crate::table::{AppTransaction, app_transaction_version};
use crate::write::{SchemaEvolution, WriteBuilder, WriteReport};

/// Soft-delete marker column written by [`CdcDeletes::Soft`].
pub const DELETED: &str = "_deleted";

/// The error of a [`Transform`]: the caller's own error, boxed. It reaches the caller
/// unchanged in [`Error::Transform`], where it can be downcast back to its type.
pub type TransformError = Box<dyn std::error::Error + Send + Sync>;

/// A normalization step from bronze rows to the silver shape (pure, no I/O), as stored
/// by [`SilverBuilder::with_transform`].
pub type Transform = Arc<dyn Fn(LazyFrame) -> Result<LazyFrame, TransformError> + Send + Sync>;

/// How CDC delete operations reach the silver table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CdcDeletes {
    /// Keep a tombstone row with `_deleted = true` (the default): a late-arriving older
    /// update cannot resurrect a deleted key, because the tombstone's ordering value wins.
    #[default]
    Soft,
    /// Physically delete the row. A late update older than the delete re-inserts it.
    Hard,
}

/// Change-data-capture settings for [`SilverBuilder::with_cdc`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdcConfig {
    /// Column holding the operation (e.g. `op` with values `I`, `U`, `D`).
    pub op_column: String,
    /// Values of `op_column` that mean delete. Default: `["D", "delete"]`.
    pub delete_values: Vec<String>,
    /// How deletes are applied. Default: [`CdcDeletes::Soft`].
    pub deletes: CdcDeletes,
}

impl CdcConfig {
    /// CDC on `op_column` with the default delete values and soft deletes.
    pub fn new(op_column: impl Into<String>) -> Self {
        Self {
            op_column: op_column.into(),
            delete_values: vec!["D".into(), "delete".into()],
            deletes: CdcDeletes::default(),
        }
    }

    /// Values that mean delete.
    pub fn with_delete_values(
        mut self,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.delete_values = values.into_iter().map(Into::into).collect();
        self
    }

    /// Soft or hard deletes.
    pub fn with_deletes(mut self, deletes: CdcDeletes) -> Self {
        self.deletes = deletes;
        self
    }
}

/// Progress of a silver run, reported after each chunk (see
/// [`SilverBuilder::with_progress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SilverProgress {
    /// Chunks done (1-based).
    pub chunk: usize,
    /// Chunks in the batch.
    pub chunks: usize,
    /// Bronze rows transformed and checked so far.
    pub rows_done: u64,
    /// Bronze rows in the batch.
    pub rows_total: u64,
}

/// Callback of [`SilverBuilder::with_progress`].
pub type ProgressCallback = Arc<dyn Fn(&SilverProgress) + Send + Sync>;

/// The outcome of one silver run for one table.
///
/// Every bronze row read is counted exactly once, so on every run (first batch or
/// later, keyed or keyless):
///
/// ```text
/// rows_read    = rows_written + rows_unchanged + rows_quarantined + rows_deduplicated
/// rows_written = rows_inserted + rows_updated + rows_deleted
/// ```
///
/// ([`SilverReport::reconciles`]). A row of a key silver already holds is an update
/// when it is newer (see [`SilverBuilder::with_order_by`]) and differs in content,
/// unchanged when it equals the held row in every column but the lineage columns
/// (`_batch_id`, `_ingested_at`, `_source_file`, `_source_row`) — it is then not
/// rewritten, so the held row keeps its lineage — and deduplicated when it is older than
/// the held row (a late record, which loses).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilverReport {
    /// Silver table URI.
    pub table: String,
    /// Bronze batches processed (`(first, last]` of `_batch_id`), or `None` if none were pending.
    pub bronze_batches: Option<(i64, i64)>,
    /// Bronze rows read.
    pub rows_read: u64,
    /// Rows that changed silver: `rows_inserted + rows_updated + rows_deleted`.
    pub rows_written: u64,
    /// Rows routed to the quarantine table (rule violations and malformed bronze rows).
    pub rows_quarantined: u64,
    /// Rows removed as older records of a key: superseded by a later row of the same key
    /// in the run, or older than the row silver holds (late records). Keyless tables:
    /// exact copies removed within a bronze batch.
    pub rows_deduplicated: u64,
    /// Rows of new keys (keyless tables: every kept row) added to silver.
    pub rows_inserted: u64,
    /// Rows that replaced the row silver held for their key (newer, different content).
    pub rows_updated: u64,
    /// Rows deleted (hard CDC deletes of held keys).
    pub rows_deleted: u64,
    /// Rows that left silver as it was: equal in content to the row silver holds for
    /// their key (not rewritten), or hard CDC deletes of keys silver does not hold.
    #[serde(default)]
    pub rows_unchanged: u64,
    /// Rows violating each rule.
    pub rule_hits: BTreeMap<String, u64>,
    /// Silver version committed.
    pub version: Option<u64>,
    /// Wall time.
    pub duration: Duration,
}

impl SilverReport {
    /// Whether `rows_read = rows_written + rows_unchanged + rows_quarantined +
    /// rows_deduplicated` and `rows_written = rows_inserted + rows_updated +
    /// rows_deleted`.
    pub fn reconciles(&self) -> bool {
        self.rows_read
            == self.rows_written
                + self.rows_unchanged
                + self.rows_quarantined
                + self.rows_deduplicated
            && self.rows_written == self.rows_inserted + self.rows_updated + self.rows_deleted
    }
}

/// Moves new bronze rows into a silver table; run with `.await`.
///
/// Steps, all before any commit: read the bronze rows whose `_batch_id` is above the
/// last one this silver table committed; in chunks of at most
/// [`SilverBuilder::with_chunk_rows`] rows (memory stays bounded however large the
/// batch), apply the normalization [`Transform`] and the [`Rule`]s (a `fail` rule aborts
/// here) and stage the kept rows; then, over the whole batch, keep the latest row per
/// business key and flag repeated keys ([`SilverBuilder::with_duplicate_flag`]).
/// Then append quarantined rows to `<silver>_quarantine`, append the rows whose key
/// silver does not hold yet (streamed) and MERGE only the rows whose key it holds and
/// that change it, each commit tagged with an application transaction
/// (`<pipeline>/silver/<table>`, with `/quarantine` and `/inserts` suffixes, at the last
/// bronze batch), so a re-run after a crash finishes what is missing and never
/// duplicates.
///
/// Upsert semantics: a matched row is replaced only when the incoming ordering value is
/// greater (late and out-of-order records lose to newer ones; replays change nothing)
/// and its content differs; unmatched rows are inserted. With
/// [`SilverBuilder::with_cdc`], delete operations become tombstones or physical deletes.
/// Every bronze row is counted once (see [`SilverReport`]).
///
/// Bronze rows the landing reader marked in `_ingest_issue` are screened first:
/// malformed rows are quarantined, rows with invalid UTF-8 flagged (rules
/// `malformed_row` and `invalid_utf8`); `_ingest_issue` and `_raw_line` never reach
/// silver.
///
/// Incremental equals all at once: running exports one by one or together (as several
/// bronze batches in one silver run, or landed together as one bronze batch) gives the
/// same silver rows (values and `_dq_flags`), because repeats are judged within one
/// source file (see [`SilverBuilder::with_duplicate_flag`]) and a later export's row of
/// a key is a newer version either way. Two conditions: within one bronze batch, the
/// later export is the later `_source_file` by path (name landing folders so they sort
/// in arrival order, e.g. by date); and only the lineage columns (`_batch_id`,
/// `_ingested_at`, `_source_file`, `_source_row`) may differ — a row that a later export
/// repeats unchanged keeps the earlier export's lineage when run incrementally (it is
/// not rewritten) and gets the later one when run together.
///
/// A batch without rows (e.g. header-only files) for a silver table that does not exist
/// yet creates the table, empty, with the columns the transform gives, so queries of it
/// work before the first row arrives.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::pipeline::{BronzeIngestBuilder, Rule, SilverBuilder};
/// use polars::prelude::*;
///
/// let landing = tempfile::tempdir()?;
/// let lake = tempfile::tempdir()?;
/// std::fs::write(landing.path().join("patients.csv"), "Id,GENDER\np1,F\np1,F\np2,X\n")?;
/// BronzeIngestBuilder::new(landing.path(), lake.path().join("bronze/patients"), "demo")?.await?;
/// let report = SilverBuilder::new(
///     lake.path().join("bronze/patients"),
///     lake.path().join("silver/patients"),
///     "demo",
///     ["Id"],
/// )?
/// .with_rule(Rule::quarantine("bad_gender", col("GENDER").is_in(lit(Series::new("".into(), ["M", "F"])), false).not(), "gender not M/F"))
/// .await?;
/// assert_eq!((report.rows_read, report.rows_written, report.rows_quarantined, report.rows_deduplicated), (3, 1, 1, 1));
/// assert!(report.reconciles());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a SilverBuilder does nothing until awaited"]
pub struct SilverBuilder {
    bronze: TableLocation,
    silver: TableLocation,
    quarantine: TableLocation,
    pipeline: String,
    keys: Vec<String>,
    order_by: Vec<String>,
    transform: Option<Transform>,
    rules: Vec<Rule>,
    cdc: Option<CdcConfig>,
    partition_columns: Vec<String>,
    drop_exact_duplicates: bool,
    duplicate_flag: Option<String>,
    chunk_rows: usize,
    staging_dir: PathBuf,
    progress: Option<ProgressCallback>,
    commit_metadata: Vec<(String, serde_json::Value)>,
    layout: SilverLayout,
}

impl SilverBuilder {
    /// Moves rows from `bronze` to `silver`, upserting on `keys`.
    ///
    /// With no keys (tables without a business key, e.g. observations), rows are
    /// appended and only exact duplicates (equal in every data column) are removed.
    ///
    /// The quarantine table defaults to a sibling named `<silver>_quarantine`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for unusable locations.
    pub fn new(
        bronze: impl TryInto<TableLocation, Error = Error>,
        silver: impl TryInto<TableLocation, Error = Error>,
        pipeline: impl Into<String>,
        keys: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self> {
        let silver: TableLocation = silver.try_into()?;
        let quarantine = quarantine_location(&silver)?;
        Ok(Self {
            bronze: bronze.try_into()?,
            silver,
            quarantine,
            pipeline: pipeline.into(),
            keys: keys.into_iter().map(Into::into).collect(),
            order_by: Vec::new(),
            transform: None,
            rules: Vec::new(),
            cdc: None,
            partition_columns: Vec::new(),
            drop_exact_duplicates: true,
            duplicate_flag: None,
            chunk_rows: DEFAULT_CHUNK_ROWS,
            staging_dir: std::env::temp_dir(),
            progress: None,
            commit_metadata: Vec::new(),
            layout: SilverLayout::default(),
        })
    }

    /// Columns deciding which record of a key is the latest (e.g. an update timestamp).
    /// Default: none — the later arrival wins and matched rows are always replaced.
    pub fn with_order_by(mut self, columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.order_by = columns.into_iter().map(Into::into).collect();
        self
    }

    /// The normalization applied to bronze rows before rules. Default: identity.
    ///
    /// The transform returns its own error type `E` (any error, or an already boxed
    /// one); a failure aborts the run before any commit with [`Error::Transform`],
    /// whose `source` is that error — downcast it to get your type back:
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use medallion_core::Error;
    /// use medallion_core::pipeline::{BronzeIngestBuilder, SilverBuilder};
    /// use polars::prelude::*;
    ///
    /// #[derive(Debug, thiserror::Error)]
    /// #[error("unknown Synthea version")]
    /// struct UnknownVersion;
    ///
    /// let landing = tempfile::tempdir()?;
    /// let lake = tempfile::tempdir()?;
    /// std::fs::write(landing.path().join("patients.csv"), "Id\np1\n")?;
    /// BronzeIngestBuilder::new(landing.path(), lake.path().join("bronze/patients"), "demo")?.await?;
    /// let err = SilverBuilder::new(lake.path().join("bronze/patients"), lake.path().join("silver/patients"), "demo", ["Id"])?
    ///     .with_transform(|_raw| Err::<LazyFrame, _>(UnknownVersion))
    ///     .await
    ///     .unwrap_err();
    /// let Error::Transform { source, .. } = &err else { panic!("{err}") };
    /// assert!(source.downcast_ref::<UnknownVersion>().is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub fn with_transform<F, E>(mut self, transform: F) -> Self
    where
        F: Fn(LazyFrame) -> std::result::Result<LazyFrame, E> + Send + Sync + 'static,
        E: Into<TransformError>,
    {
        self.transform = Some(Arc::new(move |raw| transform(raw).map_err(Into::into)));
        self
    }

    /// Adds a data-quality rule (evaluated on the normalized rows).
    pub fn with_rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Adds data-quality rules.
    pub fn with_rules(mut self, rules: impl IntoIterator<Item = Rule>) -> Self {
        self.rules.extend(rules);
        self
    }

    /// Treat the input as a change feed (see [`CdcConfig`]). Default: plain upserts.
    pub fn with_cdc(mut self, cdc: CdcConfig) -> Self {
        self.cdc = Some(cdc);
        self
    }

    /// Partition columns for a new silver table. Default: none.
    pub fn with_partition_columns(
        mut self,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.partition_columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// For tables without a business key: drop rows equal to an earlier row of the same
    /// source file in every data column (`true`, the default, counted in
    /// `rows_deduplicated`; another file's copy is a new observation, appended), or keep
    /// them (`false`) when identical rows can be genuine repeats (e.g. a procedure done
    /// twice in one visit) — flag them with a rule instead.
    pub fn with_exact_duplicates_dropped(mut self, drop: bool) -> Self {
        self.drop_exact_duplicates = drop;
        self
    }

    /// Flags kept rows whose business key — or, for tables without one, whose whole
    /// content — occurs more than once in their source file (`_batch_id` and
    /// `_source_file`; the whole run when the rows lack them): `name` is added to their
    /// `_dq_flags` and `rule_hits[name]` counts every such row before deduplication. A
    /// key that another file or a later bronze batch repeats is a newer version, not a
    /// repeat: not flagged. Default: no flag.
    ///
    /// Use this rather than a rule such as `col("id").is_duplicated()`: rules see one
    /// chunk at a time (see [`SilverBuilder::with_chunk_rows`]), this sees the batch.
    pub fn with_duplicate_flag(mut self, name: impl Into<String>) -> Self {
        self.duplicate_flag = Some(name.into());
        self
    }

    /// Bronze rows transformed and checked at a time. Default: [`DEFAULT_CHUNK_ROWS`]
    /// (500,000), which keeps a silver run of a wide table within about 1 GB.
    ///
    /// A batch above the limit is split by source file and `_source_row` range; each
    /// chunk's kept rows are spilled to a Parquet file under
    /// [`SilverBuilder::with_staging_dir`], and deduplication, the duplicate flag and the
    /// commit then run over all chunks, so the result does not depend on the chunk size —
    /// except for rules that compare rows with each other (window expressions such as
    /// `is_duplicated` or `over`), which see one chunk.
    pub fn with_chunk_rows(mut self, rows: usize) -> Self {
        self.chunk_rows = rows.max(1);
        self
    }

    /// Local directory for the spilled chunks of a large batch (a temporary
    /// `medallion-silver-*` sub-directory, removed when the run ends; a killed process
    /// leaves it behind, and it can then be deleted). Default: the system temporary
    /// directory — point this at a disk when that is RAM-backed (tmpfs), or spilling
    /// saves no memory.
    pub fn with_staging_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.staging_dir = dir.into();
        self
    }

    /// Called after each chunk with how far the run is (long batches take a while).
    /// Default: none.
    pub fn with_progress(
        mut self,
        progress: impl Fn(&SilverProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    commit_metadata_setters!();

    /// The columns whose per-file statistics (min, max, null count) Delta records, so
    /// engines skip files on filters over them (`delta.dataSkippingStatsColumns`, set
    /// when the table is created; columns the rows lack are left out). Default: the
    /// keys, every date and datetime column, and the lineage columns `_batch_id` and
    /// `_ingested_at` — without the property, Delta records statistics for the first
    /// 32 columns only.
    pub fn with_stats_columns(
        mut self,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.layout.stats_columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Whether the table records its change data feed (`delta.enableChangeDataFeed`,
    /// set when the table is created), readable with [`crate::ChangesBuilder`].
    /// Default: `true`.
    pub fn with_change_data_feed(mut self, enabled: bool) -> Self {
        self.layout.change_data_feed = enabled;
        self
    }

    /// A `CHECK` constraint of the table, added through delta-rs when missing and from
    /// then on enforced on every write: a batch with a violating row fails with
    /// [`Error::ConstraintViolated`] and commits nothing to silver. A new table gets its
    /// constraints right after its first commit (which they must hold for). Default:
    /// none.
    pub fn with_constraint(mut self, constraint: Constraint) -> Self {
        self.layout.constraints.push(constraint);
        self
    }

    /// A NOT NULL constraint on every key column (see
    /// [`SilverBuilder::with_constraint`], [`Constraint::not_null`]).
    pub fn with_not_null_keys(mut self) -> Self {
        let keys: Vec<Constraint> = self.keys.iter().map(|k| Constraint::not_null(k)).collect();
        self.layout.constraints.extend(keys);
        self
    }

    /// Where quarantined rows go. Default: `<silver>_quarantine` beside the silver table.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn with_quarantine_table(
        mut self,
        location: impl TryInto<TableLocation, Error = Error>,
    ) -> Result<Self> {
        self.quarantine = location.try_into()?;
        Ok(self)
    }

    /// The commit metadata of every commit of the run: the pipeline and the caller's.
    fn commit_entries(&self) -> Vec<(String, serde_json::Value)> {
        let mut entries = vec![("pipeline".to_string(), self.pipeline.clone().into())];
        entries.extend(self.commit_metadata.iter().cloned());
        entries
    }

    fn app_id(&self) -> String {
        let name = self.silver.name();
        format!("{}/silver/{name}", self.pipeline)
    }

    /// Appends `rows` to silver in one streamed commit tagged `txn`; the commit that
    /// completes the batch also carries its `report` (see [`super::RUN_REPORT_KEY`]).
    async fn append(
        &self,
        rows: LazyFrame,
        txn: AppTransaction,
        report: Option<&TableRunReport>,
    ) -> Result<WriteReport> {
        let mut entries = self.commit_entries();
        entries.extend(report.map(TableRunReport::commit_metadata));
        self.silver_write(rows)?
            .with_app_transaction(txn)
            .with_commit_entries(entries)
            .await
    }

    /// A write to silver: partitioned, the schema may grow, and a new table is created
    /// with the layout's properties (statistics columns, change data feed).
    fn silver_write(&self, rows: LazyFrame) -> Result<WriteBuilder> {
        let schema = schema_of(&rows, self.silver.as_str())?;
        let mut write = WriteBuilder::new(&self.silver, rows)?
            .with_partition_columns(self.partition_columns.clone())
            .with_schema_evolution(SchemaEvolution::Merge);
        for (key, value) in self.layout.creation_properties(&schema, &self.keys) {
            write = write.with_table_property(key, value);
        }
        Ok(write)
    }

    /// Commits the kept rows of a batch.
    ///
    /// A new table, or one without a business key, gets an append. Otherwise rows whose
    /// key silver does not hold yet are appended (streamed, commit tagged
    /// `<app id>/inserts`) and the rows whose key it holds are compared with the held
    /// rows (see [`SilverReport`]); only those that change silver are MERGEd (a MERGE
    /// holds its source in memory), and the MERGE commit carries the batch's
    /// transaction. When nothing is to be merged, the append alone carries it (an empty
    /// commit when every row was unchanged, so the batch is recorded as done). A crash
    /// between the two commits is safe: the re-run skips the recorded append and finds
    /// those rows already in silver, unchanged.
    ///
    /// `partial` is the batch's report as known before the commit (rows read,
    /// quarantined, removed duplicates, rule hits); the commit completing the batch
    /// records it with what the comparison adds, so a killed run's report can be
    /// rebuilt (the rows written follow from the reconciliation identity).
    async fn commit(
        &self,
        kept: LazyFrame,
        app_id: &str,
        last_batch: i64,
        mut partial: TableRunReport,
    ) -> Result<Committed> {
        let txn = AppTransaction::new(app_id, last_batch);
        if self.keys.is_empty() {
            let report = self.append(kept, txn, Some(&partial)).await?;
            return Ok(Committed::appended(&report));
        }
        if !self.silver_exists().await {
            let (kept, ignored_deletes) = self.without_deletes(kept).await?;
            partial.rows_unchanged = ignored_deletes;
            let report = self.append(kept, txn, Some(&partial)).await?;
            return Ok(Committed {
                unchanged: ignored_deletes,
                ..Committed::appended(&report)
            });
        }
        let mut kept = kept;
        let order = self.upsert_order(&mut kept)?;
        let keys: Vec<Expr> = self.keys.iter().map(|k| col(k.as_str())).collect();
        let silver_rows = ReadBuilder::new(&self.silver)?.await?;
        let held = silver_rows.clone().select(keys.clone());
        let matched = kept.clone().join(
            held.clone(),
            keys.clone(),
            keys.clone(),
            JoinArgs::new(JoinType::Semi),
        );
        let new_rows = kept.join(held, keys.clone(), keys, JoinArgs::new(JoinType::Anti));
        let (new_rows, ignored_deletes) = self.without_deletes(new_rows).await?;
        let changes = self.classify(matched, silver_rows, &order).await?;
        let unchanged = changes.unchanged + ignored_deletes;
        partial.rows_unchanged = unchanged;
        partial.rows_deduplicated += changes.superseded;
        partial.rows_updated = changes.updated;
        partial.rows_deleted = changes.deleted;
        if changes.merge_source.height() == 0 {
            let report = self.append(new_rows, txn, Some(&partial)).await?;
            return Ok(Committed {
                unchanged,
                superseded: changes.superseded,
                ..Committed::appended(&report)
            });
        }
        let inserts_id = format!("{app_id}/inserts");
        let inserts_done = app_transaction_version(&self.silver, &inserts_id)
            .await?
            .unwrap_or(0);
        let appended = if inserts_done < last_batch {
            self.append(new_rows, AppTransaction::new(inserts_id, last_batch), None)
                .await?
                .rows_written
        } else {
            0
        };
        let report = self
            .merge(changes.merge_source.lazy(), &order, txn, &partial)
            .await?;
        Ok(Committed {
            version: report.version,
            inserted: appended + report.rows_inserted as u64,
            updated: changes.updated,
            deleted: changes.deleted,
            unchanged,
            superseded: changes.superseded,
        })
    }

    /// Whether the silver table exists.
    async fn silver_exists(&self) -> bool {
        crate::table::open_existing(&self.silver, "silver")
            .await
            .is_ok()
    }

    /// With hard CDC deletes: `rows` (of keys silver does not hold) without their
    /// deletes, which would insert nothing, and how many those were. Otherwise `rows` as
    /// they are.
    async fn without_deletes(&self, rows: LazyFrame) -> Result<(LazyFrame, u64)> {
        const OP: &str = "silver";
        let Some(cdc) = self.hard_cdc() else {
            return Ok((rows, 0));
        };
        let silver_uri = self.silver.to_string();
        let (deletes, uri) = (rows.clone().filter(is_delete_op(cdc)), silver_uri.clone());
        let ignored = run_blocking(&silver_uri, OP, move || count_rows(deletes, &uri, OP)).await?;
        Ok((rows.filter(is_delete_op(cdc).not()), ignored))
    }

    /// The columns deciding whether an incoming row is newer than the held row of its
    /// key: the ordering columns, then `_batch_id` when the rows carry it — on equal
    /// ordering values the later bronze batch wins, as it does between the batches of one
    /// run (see [`super::deduplicate_latest`]). Without ordering columns every later
    /// arrival wins anyway.
    fn upsert_order(&self, kept: &mut LazyFrame) -> Result<Vec<String>> {
        let mut order = self.order_by.clone();
        if order.is_empty() || order.iter().any(|c| c == BATCH_ID) {
            return Ok(order);
        }
        let schema = kept
            .collect_schema()
            .map_err(|e| Error::polars(&self.silver.to_string(), "silver", e))?;
        if schema.contains(BATCH_ID) {
            order.push(BATCH_ID.to_string());
        }
        Ok(order)
    }

    /// The hard-delete CDC configuration, if any.
    fn hard_cdc(&self) -> Option<&CdcConfig> {
        self.cdc.as_ref().filter(|c| c.deletes == CdcDeletes::Hard)
    }

    /// Classifies the incoming rows of held keys against the `silver` rows.
    async fn classify(
        &self,
        matched: LazyFrame,
        silver: LazyFrame,
        order: &[String],
    ) -> Result<HeldKeyChanges> {
        const OP: &str = "silver";
        let silver_uri = self.silver.to_string();
        let (keys, order_by, uri) = (self.keys.clone(), order.to_vec(), silver_uri.clone());
        let delete = self.hard_cdc().map(is_delete_op);
        run_blocking(&silver_uri, OP, move || {
            let how = HeldKeys {
                keys: &keys,
                order_by: &order_by,
                delete,
            };
            classify_held_keys(matched, silver, &how, &uri)
        })
        .await
    }

    /// MERGEs the rows that change held keys (`source`), in one commit tagged `txn`;
    /// a held row is replaced only by a row newer in `order`.
    async fn merge(
        &self,
        source: LazyFrame,
        order: &[String],
        txn: AppTransaction,
        report: &TableRunReport,
    ) -> Result<crate::merge::MergeReport> {
        let newer = newer_condition(order);
        let mut entries = self.commit_entries();
        entries.push(report.commit_metadata());
        let mut merge = MergeBuilder::new(&self.silver, source, self.keys.clone())?
            .with_merge_schema(true)
            .with_app_transaction(txn)
            .with_commit_entries(entries);
        if let Some(cdc) = self.hard_cdc() {
            let is_delete = delete_condition(cdc);
            let guard = match &newer {
                Some(newer) => format!("({is_delete}) AND ({newer})"),
                None => is_delete.clone(),
            };
            merge = merge
                .when_matched_delete(Some(guard))
                .when_matched_update_all(newer.clone())
                .when_not_matched_insert_all(Some(format!("NOT ({is_delete})")));
        } else {
            merge = merge
                .when_matched_update_all(newer)
                .when_not_matched_insert_all(None::<String>);
        }
        merge.await
    }

    /// The steps of a run: find the pending bronze rows, check them chunk by chunk,
    /// resolve duplicates over the whole batch, then commit quarantine and silver.
    #[tracing::instrument(name = "medallion.silver", skip_all, fields(table = %self.silver))]
    async fn execute(self) -> Result<SilverReport> {
        let started = Instant::now();
        // Constraints the configuration added since the last run hold from this batch on.
        self.layout
            .ensure_constraints(&self.silver, self.commit_entries())
            .await?;
        let pending = self.pending_bronze().await?;
        let Some(last_batch) = pending
            .plan
            .last_batch
            .filter(|_| pending.plan.rows_read > 0)
        else {
            if !self.silver_exists().await {
                return self.create_empty(&pending, started).await;
            }
            return Ok(self.nothing_pending(started));
        };
        let Checked {
            staged,
            quarantined,
            mut rule_hits,
        } = self.check_chunks(&pending).await?;
        let duplicates = self.resolve_batch_duplicates(&staged).await?;
        if let Some(flag) = &self.duplicate_flag {
            rule_hits.insert(flag.clone(), duplicates.repeated);
        }
        let rows_quarantined = self.write_quarantine(quarantined, last_batch).await?;
        let mut partial = TableRunReport::empty(Layer::Silver, self.silver.name());
        partial.rows_read = pending.plan.rows_read;
        partial.rows_quarantined = rows_quarantined;
        partial.rows_deduplicated = duplicates.removed;
        partial.rule_hits = rule_hits.clone();
        let committed = self
            .commit(duplicates.frame, &self.app_id(), last_batch, partial)
            .await?;
        // A table this batch created gets its constraints now.
        self.layout
            .ensure_constraints(&self.silver, self.commit_entries())
            .await?;
        // The staged rows (spilled chunks) are read by the commit: dropped only now.
        let staged_rows = staged.rows();
        drop(staged);
        tracing::debug!(
            staged = staged_rows,
            removed = duplicates.removed,
            "silver batch committed"
        );
        let report = SilverReport {
            table: self.silver.to_string(),
            bronze_batches: Some((pending.done, last_batch)),
            rows_read: pending.plan.rows_read,
            rows_written: committed.inserted + committed.updated + committed.deleted,
            rows_quarantined,
            rows_deduplicated: duplicates.removed + committed.superseded,
            rows_inserted: committed.inserted,
            rows_updated: committed.updated,
            rows_deleted: committed.deleted,
            rows_unchanged: committed.unchanged,
            rule_hits,
            version: committed.version,
            duration: started.elapsed(),
        };
        crate::trace::finished(
            "silver",
            Some(report.rows_read),
            report.version,
            report.duration,
        );
        Ok(report)
    }

    /// The bronze rows above the last batch this silver table committed, and how to
    /// split them into chunks.
    async fn pending_bronze(&self) -> Result<Pending> {
        const OP: &str = "silver";
        let silver_uri = self.silver.to_string();
        let done = app_transaction_version(&self.silver, &self.app_id())
            .await?
            .unwrap_or(0);
        let bronze = ReadBuilder::new(&self.bronze)?
            .with_predicate(col(BATCH_ID).gt(lit(done)))
            .await?;
        let (rows, chunk_rows, uri) = (bronze.clone(), self.chunk_rows, silver_uri.clone());
        let plan =
            run_blocking(&silver_uri, OP, move || plan_chunks(rows, chunk_rows, &uri)).await?;
        Ok(Pending { done, bronze, plan })
    }

    /// Every rule (and the duplicate flag) with zero hits.
    fn empty_rule_hits(&self) -> BTreeMap<String, u64> {
        self.rules
            .iter()
            .map(|r| r.name.clone())
            .chain(self.duplicate_flag.clone())
            .map(|name| (name, 0))
            .collect()
    }

    /// The report of a run that found no pending bronze rows.
    fn nothing_pending(&self, started: Instant) -> SilverReport {
        SilverReport {
            table: self.silver.to_string(),
            bronze_batches: None,
            rows_read: 0,
            rows_written: 0,
            rows_quarantined: 0,
            rows_deduplicated: 0,
            rows_inserted: 0,
            rows_updated: 0,
            rows_deleted: 0,
            rows_unchanged: 0,
            rule_hits: self.empty_rule_hits(),
            version: None,
            duration: started.elapsed(),
        }
    }

    /// A batch without rows for a silver table that does not exist yet: creates the
    /// table, empty, with the columns the transform and rules give (what a batch with
    /// rows would have written).
    async fn create_empty(&self, pending: &Pending, started: Instant) -> Result<SilverReport> {
        const OP: &str = "silver";
        let silver_uri = self.silver.to_string();
        let (bronze, transform, rules, uri) = (
            pending.bronze.clone(),
            self.transform.clone(),
            self.rules.clone(),
            silver_uri.clone(),
        );
        let checked = run_blocking(&silver_uri, OP, move || {
            checked_chunk(bronze, transform, &rules, &uri)
        })
        .await?;
        let mut empty = checked.kept.lazy();
        if let Some(cdc) = self.cdc.as_ref().filter(|c| c.deletes == CdcDeletes::Soft) {
            empty = empty.with_column(is_delete_op(cdc).alias(DELETED));
        }
        let written = self
            .silver_write(empty)?
            .with_commit_entries(self.commit_entries())
            .await?;
        self.layout
            .ensure_constraints(&self.silver, self.commit_entries())
            .await?;
        Ok(SilverReport {
            version: written.version,
            rule_hits: checked.rule_hits,
            ..self.nothing_pending(started)
        })
    }

    /// Chunk by chunk: transform and rules, quarantined rows kept aside, kept rows staged
    /// (spilled to local Parquet when there is more than one chunk); progress after each.
    async fn check_chunks(&self, pending: &Pending) -> Result<Checked> {
        let chunks = pending.plan.chunks.len();
        let mut checked = Checked {
            staged: StagedRows::new(chunks, &self.staging_dir, self.keys.is_empty())?,
            quarantined: Vec::new(),
            rule_hits: self.empty_rule_hits(),
        };
        for (index, filter) in pending.plan.chunks.iter().enumerate() {
            let chunk = match filter {
                Some(filter) => pending.bronze.clone().filter(filter.clone()),
                None => pending.bronze.clone(),
            };
            checked = self.check_chunk(chunk, checked).await?;
            tracing::debug!(
                chunk = index + 1,
                chunks,
                rows_done = checked.rows_done(),
                rows_total = pending.plan.rows_read,
                "silver chunk checked"
            );
            if let Some(progress) = &self.progress {
                progress(&SilverProgress {
                    chunk: index + 1,
                    chunks,
                    rows_done: checked.rows_done(),
                    rows_total: pending.plan.rows_read,
                });
            }
        }
        Ok(checked)
    }

    /// Transform and rules of one chunk, added to what earlier chunks `checked`.
    async fn check_chunk(&self, chunk: LazyFrame, checked: Checked) -> Result<Checked> {
        const OP: &str = "silver";
        let silver_uri = self.silver.to_string();
        let (transform, rules, uri) = (
            self.transform.clone(),
            self.rules.clone(),
            silver_uri.clone(),
        );
        let Checked {
            staged,
            mut quarantined,
            mut rule_hits,
        } = checked;
        let (outcome, staged) = run_blocking(&silver_uri, OP, move || {
            let outcome = checked_chunk(chunk, transform, &rules, &uri)?;
            let mut staged = staged;
            staged.push(outcome.kept, &uri)?;
            Ok(((outcome.quarantined, outcome.rule_hits), staged))
        })
        .await?;
        let (chunk_quarantined, hits) = outcome;
        quarantined.extend(chunk_quarantined);
        for (name, count) in hits {
            *rule_hits.entry(name).or_insert(0) += count;
        }
        Ok(Checked {
            staged,
            quarantined,
            rule_hits,
        })
    }

    /// Batch-wide: duplicates across all chunks, then CDC tombstones.
    async fn resolve_batch_duplicates(&self, staged: &StagedRows) -> Result<BatchDuplicates> {
        const OP: &str = "silver";
        let silver_uri = self.silver.to_string();
        let kept = staged.lazy(&silver_uri)?;
        let (keys, order_by, drop_exact, flag, uri) = (
            self.keys.clone(),
            self.order_by.clone(),
            self.drop_exact_duplicates,
            self.duplicate_flag.clone(),
            silver_uri.clone(),
        );
        let mut duplicates = run_blocking(&silver_uri, OP, move || {
            let steps = DuplicateSteps {
                keys: &keys,
                order_by: &order_by,
                drop_exact,
                flag: flag.as_deref(),
            };
            resolve_duplicates(kept, &steps, &uri)
        })
        .await?;
        if let Some(cdc) = self.cdc.as_ref().filter(|c| c.deletes == CdcDeletes::Soft) {
            duplicates.frame = duplicates
                .frame
                .with_column(is_delete_op(cdc).alias(DELETED));
        }
        Ok(duplicates)
    }

    /// Appends the quarantined rows to the quarantine table (once per bronze batch: a
    /// re-run after a crash skips it) and returns how many there were.
    ///
    /// It runs before the silver commit, with its own application transaction
    /// (`<app id>/quarantine`, at the last bronze batch). If we crash after it, the
    /// re-run skips the rows of every bronze batch that transaction already covers —
    /// also when new bronze batches arrived meanwhile and the re-run spans them — and
    /// completes silver (a transform that drops `_batch_id` loses this per-batch skip).
    /// The returned count covers all pending batches, so the report
    /// still reconciles with the bronze rows read.
    async fn write_quarantine(&self, quarantined: Vec<DataFrame>, last_batch: i64) -> Result<u64> {
        const OP: &str = "silver";
        let silver_uri = self.silver.to_string();
        let mut quarantined = quarantined;
        let quarantined = match quarantined.len() {
            0 => return Ok(0),
            1 => quarantined.pop(),
            _ => {
                let parts: Vec<LazyFrame> = quarantined.into_iter().map(DataFrame::lazy).collect();
                let all = concat_lf_diagonal(parts, UnionArgs::default())
                    .map_err(|e| Error::polars(&silver_uri, OP, e))?;
                let uri = silver_uri.clone();
                Some(
                    run_blocking(&silver_uri, OP, move || {
                        all.collect().map_err(|e| Error::polars(&uri, OP, e))
                    })
                    .await?,
                )
            }
        };
        let rows = quarantined.as_ref().map_or(0, |q| q.height() as u64);
        let app_id = format!("{}/quarantine", self.app_id());
        let done = app_transaction_version(&self.quarantine, &app_id)
            .await?
            .unwrap_or(0);
        if let Some(quarantined) = quarantined.filter(|_| done < last_batch) {
            let has_batch = quarantined.column(BATCH_ID).is_ok();
            let mut rows = quarantined.lazy();
            if done > 0 && has_batch {
                // Rows of batches up to `done` are in quarantine already (a crash
                // between the quarantine and the silver commit of an earlier run).
                rows = rows.filter(col(BATCH_ID).gt(lit(done)));
            }
            WriteBuilder::new(&self.quarantine, rows)?
                .with_schema_evolution(SchemaEvolution::Merge)
                .with_app_transaction(AppTransaction::new(app_id, last_batch))
                .with_commit_entries(self.commit_entries())
                .await?;
        }
        Ok(rows)
    }
}

/// The pending bronze rows of a run.
struct Pending {
    /// Last bronze batch silver committed before this run.
    done: i64,
    /// Bronze rows above `done`.
    bronze: LazyFrame,
    plan: ChunkPlan,
}

/// What the chunks checked so far produced.
struct Checked {
    staged: StagedRows,
    quarantined: Vec<DataFrame>,
    rule_hits: BTreeMap<String, u64>,
}

impl Checked {
    /// Bronze rows checked so far (staged or quarantined).
    fn rows_done(&self) -> u64 {
        self.staged.rows()
            + self
                .quarantined
                .iter()
                .map(|q| q.height() as u64)
                .sum::<u64>()
    }
}

/// What [`SilverBuilder::commit`] wrote, and what it left out.
struct Committed {
    version: Option<u64>,
    inserted: u64,
    updated: u64,
    deleted: u64,
    /// Rows that changed nothing (equal to the held row, or deletes of unheld keys).
    unchanged: u64,
    /// Rows older than the held row of their key.
    superseded: u64,
}

impl Committed {
    fn appended(report: &WriteReport) -> Self {
        Self {
            version: report.version,
            inserted: report.rows_written,
            updated: 0,
            deleted: 0,
            unchanged: 0,
            superseded: 0,
        }
    }
}

/// Whether a row is a CDC delete operation (Polars side of [`delete_condition`]).
fn is_delete_op(cdc: &CdcConfig) -> Expr {
    let deletes = Series::new("".into(), cdc.delete_values.clone());
    col(cdc.op_column.as_str())
        .is_in(lit(deletes).implode(false), false)
        .fill_null(lit(false))
}

/// `source.c > target.c` over the ordering columns (lexicographic), or `None` for none.
fn newer_condition(order_by: &[String]) -> Option<String> {
    if order_by.is_empty() {
        return None;
    }
    let q = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
    // (a > a') OR (a = a' AND b > b') ...
    let mut clauses = Vec::new();
    for (i, column) in order_by.iter().enumerate() {
        let mut parts: Vec<String> = order_by[..i]
            .iter()
            .map(|p| format!("source.{0} = target.{0}", q(p)))
            .collect();
        parts.push(format!("source.{0} > target.{0}", q(column)));
        clauses.push(format!("({})", parts.join(" AND ")));
    }
    // A null target ordering value (never set) is replaced by any real one.
    let first = q(&order_by[0]);
    clauses.push(format!(
        "(target.{first} IS NULL AND source.{first} IS NOT NULL)"
    ));
    Some(clauses.join(" OR "))
}

fn delete_condition(cdc: &CdcConfig) -> String {
    let values = cdc
        .delete_values
        .iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "source.\"{}\" IN ({values})",
        cdc.op_column.replace('"', "\"\"")
    )
}

fn quarantine_location(silver: &TableLocation) -> Result<TableLocation> {
    let url = silver.url().as_str().trim_end_matches('/');
    TableLocation::try_new(format!("{url}_quarantine"))
}

/// What the screen, transform and rules of one chunk produced.
struct CheckedChunk {
    /// Rows to keep, flagged.
    kept: DataFrame,
    /// Quarantined rows: malformed bronze rows, then rows violating a quarantine rule
    /// (only non-empty frames).
    quarantined: Vec<DataFrame>,
    /// Rows violating each rule (the built-in ingest-issue rules included).
    rule_hits: BTreeMap<String, u64>,
}

/// Ingest-issue screen, transform and rules applied to one chunk of bronze rows.
fn checked_chunk(
    bronze: LazyFrame,
    transform: Option<Transform>,
    rules: &[Rule],
    table: &str,
) -> Result<CheckedChunk> {
    let screened = screen_ingest_issues(bronze, table)?;
    let mut lf = screened.clean.clone();
    if let Some(transform) = transform {
        lf = transform(lf).map_err(|source| Error::Transform {
            table: table.to_string(),
            source,
        })?;
    }
    let lf = screened.mark(lf, table)?;
    let outcome = apply_rules(lf, &screened.rules(rules), table)?;
    let mut rule_hits = outcome.rule_hits;
    for (name, hits) in &screened.rule_hits {
        rule_hits.entry(name.clone()).or_insert(*hits);
    }
    let quarantined = screened
        .malformed
        .into_iter()
        .chain([outcome.quarantined])
        .filter(|q| q.height() > 0)
        .collect();
    Ok(CheckedChunk {
        kept: outcome.kept,
        quarantined,
        rule_hits,
    })
}

awaitable_builder!(SilverBuilder => SilverReport);
