//! MERGE (upsert / delete by keys) from a Polars frame into a Delta table.

use std::time::{Duration, Instant};

use deltalake::datafusion::prelude::SessionContext;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::operations::merge::MergeBuilder as DeltaMergeBuilder;
use deltalake::{DeltaTable, DeltaTableError};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blocking::run_blocking;
use crate::bridge::{StringFormat, dataframe_to_record_batches};
use crate::delta_types::delta_compatible;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::ops::constraints::constraint_violation;
use crate::table::{
    AppTransaction, commit_failed, commit_properties, ensure_not_committed, open_existing,
    snapshot_of,
};

/// Alias of the source rows in clause conditions (`source.col`).
pub const SOURCE_ALIAS: &str = "source";
/// Alias of the table rows in clause conditions (`target.col`).
pub const TARGET_ALIAS: &str = "target";

/// One MERGE clause. Conditions are SQL over `source.` / `target.` columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum MergeClause {
    /// Matched rows: set every source column on the target row.
    UpdateAll {
        /// Only when this holds (e.g. `"source.updated_at > target.updated_at"`).
        condition: Option<String>,
    },
    /// Matched rows: delete the target row.
    Delete {
        /// Only when this holds (e.g. `"source.op = 'D'"`).
        condition: Option<String>,
    },
    /// Source rows without a match: insert them.
    InsertAll {
        /// Only when this holds.
        condition: Option<String>,
    },
    /// Target rows without a source match: delete them.
    DeleteNotMatchedBySource {
        /// Only when this holds (over `target.` columns).
        condition: Option<String>,
    },
}

/// The outcome of a MERGE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeReport {
    /// Table URI.
    pub table: String,
    /// Version committed.
    pub version: Option<u64>,
    /// Rows in the source.
    pub source_rows: usize,
    /// Target rows inserted.
    pub rows_inserted: usize,
    /// Target rows updated.
    pub rows_updated: usize,
    /// Target rows deleted.
    pub rows_deleted: usize,
    /// Target rows rewritten unchanged (copy-on-write cost).
    pub rows_copied: usize,
    /// Wall time.
    pub duration: Duration,
}

/// Merges a source frame into an existing Delta table by key columns; run with `.await`.
///
/// Clauses are evaluated in the order given, first match wins (Delta semantics). The
/// source must hold at most one row per key: duplicates would make the result depend on
/// row order, so they are rejected up front with [`Error::DuplicateMergeKeys`]. Null keys
/// never match (SQL equality).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use medallion_core::{MergeBuilder, ReadBuilder, WriteBuilder};
/// use polars::prelude::*;
///
/// let dir = tempfile::tempdir()?;
/// WriteBuilder::new(dir.path(), df!("id" => [1i64, 2], "v" => ["a", "b"])?.lazy())?.await?;
/// let source = df!("id" => [2i64, 3], "v" => ["B", "c"])?.lazy();
/// let report = MergeBuilder::new(dir.path(), source, ["id"])?
///     .when_matched_update_all(None::<String>)
///     .when_not_matched_insert_all(None::<String>)
///     .await?;
/// assert_eq!((report.rows_updated, report.rows_inserted), (1, 1));
/// let out = ReadBuilder::new(dir.path())?.await?.sort(["id"], Default::default()).collect()?;
/// assert_eq!(out.column("v")?.str()?.get(1), Some("B"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[must_use = "a MergeBuilder does nothing until awaited"]
pub struct MergeBuilder {
    location: TableLocation,
    source: LazyFrame,
    keys: Vec<String>,
    clauses: Vec<MergeClause>,
    merge_schema: bool,
    commit_metadata: Vec<(String, serde_json::Value)>,
    app_transaction: Option<AppTransaction>,
}

impl MergeBuilder {
    /// A MERGE of `source` into the table at `location`, matching on `keys`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn new(
        location: impl TryInto<TableLocation, Error = Error>,
        source: LazyFrame,
        keys: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self> {
        Ok(Self {
            location: location.try_into()?,
            source,
            keys: keys.into_iter().map(Into::into).collect(),
            clauses: Vec::new(),
            merge_schema: false,
            commit_metadata: Vec::new(),
            app_transaction: None,
        })
    }

    /// Adds a clause (see [`MergeClause`]).
    pub fn with_clause(mut self, clause: MergeClause) -> Self {
        self.clauses.push(clause);
        self
    }

    /// Matched rows: update all columns from the source, optionally only when `condition`.
    pub fn when_matched_update_all(self, condition: Option<impl Into<String>>) -> Self {
        self.with_clause(MergeClause::UpdateAll {
            condition: condition.map(Into::into),
        })
    }

    /// Matched rows: delete the target row, optionally only when `condition`.
    pub fn when_matched_delete(self, condition: Option<impl Into<String>>) -> Self {
        self.with_clause(MergeClause::Delete {
            condition: condition.map(Into::into),
        })
    }

    /// Unmatched source rows: insert, optionally only when `condition`.
    pub fn when_not_matched_insert_all(self, condition: Option<impl Into<String>>) -> Self {
        self.with_clause(MergeClause::InsertAll {
            condition: condition.map(Into::into),
        })
    }

    /// Target rows absent from the source: delete, optionally only when `condition`.
    pub fn when_not_matched_by_source_delete(self, condition: Option<impl Into<String>>) -> Self {
        self.with_clause(MergeClause::DeleteNotMatchedBySource {
            condition: condition.map(Into::into),
        })
    }

    /// Add source columns missing from the table to its schema. Default: `false`.
    pub fn with_merge_schema(mut self, merge_schema: bool) -> Self {
        self.merge_schema = merge_schema;
        self
    }

    commit_metadata_setters!();

    /// Tags the commit with an application transaction (refused if already committed).
    pub fn with_app_transaction(mut self, txn: AppTransaction) -> Self {
        self.app_transaction = Some(txn);
        self
    }

    /// The steps of a MERGE: check the configuration, collect and check the source,
    /// then let delta-rs merge it in one commit.
    #[tracing::instrument(name = "medallion.merge", skip_all, fields(table = %self.location))]
    async fn execute(self) -> Result<MergeReport> {
        const OP: &str = "merge";
        let started = Instant::now();
        let table_uri = self.location.to_string();
        self.validate()?;
        let table = open_existing(&self.location, OP).await?;
        if let Some(txn) = &self.app_transaction {
            ensure_not_committed(&table, &self.location, txn, OP).await?;
        }
        let (source, keys, uri) = (self.source, self.keys.clone(), table_uri.clone());
        let source = run_blocking(&table_uri, OP, move || {
            let source = delta_compatible(source, &uri)?
                .collect()
                .map_err(|e| Error::polars(&uri, OP, e))?;
            check_keys(&source, &keys, &uri)?;
            Ok(source)
        })
        .await?;
        let plan = MergePlan {
            table_uri: table_uri.clone(),
            keys: self.keys,
            clauses: self.clauses,
            merge_schema: self.merge_schema,
            commit: commit_properties(self.commit_metadata, self.app_transaction.as_ref()),
        };
        let before = table.version();
        let (merged, metrics) = match plan.into_delta_merge(&table, &source)?.await {
            Ok(merged) => merged,
            Err(e) => {
                if let Some(violation) = constraint_violation(&table, &table_uri, OP, &e) {
                    return Err(violation);
                }
                let txn = self.app_transaction.as_ref();
                return Err(commit_failed(&self.location, OP, txn, e).await);
            }
        };
        crate::fault::record_commit(before, merged.version());
        let report = MergeReport {
            table: table_uri,
            version: merged.version(),
            source_rows: source.height(),
            rows_inserted: metrics.num_target_rows_inserted,
            rows_updated: metrics.num_target_rows_updated,
            rows_deleted: metrics.num_target_rows_deleted,
            rows_copied: metrics.num_target_rows_copied,
            duration: started.elapsed(),
        };
        crate::trace::finished(
            "merge",
            Some(report.source_rows as u64),
            report.version,
            report.duration,
        );
        Ok(report)
    }

    /// A MERGE needs keys and at least one clause.
    fn validate(&self) -> Result<()> {
        let reason = if self.keys.is_empty() {
            "MERGE needs at least one key column"
        } else if self.clauses.is_empty() {
            "MERGE needs at least one clause (e.g. when_matched_update_all)"
        } else {
            return Ok(());
        };
        Err(Error::InvalidConfiguration {
            table: self.location.to_string(),
            operation: "merge",
            reason: reason.into(),
        })
    }
}

/// What delta-rs needs to run a MERGE, apart from the table and the source rows.
struct MergePlan {
    table_uri: String,
    keys: Vec<String>,
    clauses: Vec<MergeClause>,
    merge_schema: bool,
    commit: CommitProperties,
}

impl MergePlan {
    /// The delta-rs MERGE of `source` into `table`, with every clause.
    fn into_delta_merge(self, table: &DeltaTable, source: &DataFrame) -> Result<DeltaMergeBuilder> {
        const OP: &str = "merge";
        let columns = self.written_columns(table, source);
        let batches = dataframe_to_record_batches(source, StringFormat::Large)?;
        let source_frame =
            SessionContext::new()
                .read_batches(batches)
                .map_err(|e| Error::Internal {
                    table: self.table_uri.clone(),
                    operation: OP,
                    reason: e.to_string(),
                })?;
        let predicate = self
            .keys
            .iter()
            .map(|k| format!("{TARGET_ALIAS}.{q} = {SOURCE_ALIAS}.{q}", q = quote(k)))
            .collect::<Vec<_>>()
            .join(" AND ");
        let mut builder = DeltaMergeBuilder::new(
            table.log_store(),
            snapshot_of(table),
            predicate,
            source_frame,
        )
        .with_source_alias(SOURCE_ALIAS)
        .with_target_alias(TARGET_ALIAS)
        .with_session_state(crate::table::plain_strings_session())
        .with_merge_schema(self.merge_schema)
        .with_commit_properties(self.commit);
        for clause in self.clauses {
            builder = with_clause(builder, clause, &columns)
                .map_err(|e| Error::delta(&self.table_uri, OP, e))?;
        }
        Ok(builder)
    }

    /// The columns "all columns" clauses write: the source columns the table has (all
    /// of them when the schema may grow). Extra source columns such as a CDC `op` stay
    /// usable in clause conditions without being written.
    fn written_columns(&self, table: &DeltaTable, source: &DataFrame) -> Vec<String> {
        let target_columns: Vec<String> = table
            .snapshot()
            .map(|state| {
                state
                    .snapshot()
                    .arrow_schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().clone())
                    .collect()
            })
            .unwrap_or_default();
        source
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .filter(|n| self.merge_schema || target_columns.contains(n))
            .collect()
    }
}

/// Adds one clause to a delta-rs MERGE; "all" clauses set every column of `columns`.
fn with_clause(
    builder: DeltaMergeBuilder,
    clause: MergeClause,
    columns: &[String],
) -> std::result::Result<DeltaMergeBuilder, DeltaTableError> {
    let from_source = |name: &String| format!("{SOURCE_ALIAS}.{}", quote(name));
    match clause {
        MergeClause::UpdateAll { condition } => builder.when_matched_update(|mut update| {
            if let Some(c) = condition {
                update = update.predicate(c);
            }
            for name in columns {
                update = update.update(quote(name), from_source(name));
            }
            update
        }),
        MergeClause::Delete { condition } => builder.when_matched_delete(|mut delete| {
            if let Some(c) = condition {
                delete = delete.predicate(c);
            }
            delete
        }),
        MergeClause::InsertAll { condition } => builder.when_not_matched_insert(|mut insert| {
            if let Some(c) = condition {
                insert = insert.predicate(c);
            }
            for name in columns {
                insert = insert.set(quote(name), from_source(name));
            }
            insert
        }),
        MergeClause::DeleteNotMatchedBySource { condition } => builder
            .when_not_matched_by_source_delete(|mut delete| {
                if let Some(c) = condition {
                    delete = delete.predicate(c);
                }
                delete
            }),
    }
}

/// Quotes an identifier for DataFusion SQL (keeps case, allows any character).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Rejects missing key columns and duplicated key values in the source.
fn check_keys(source: &DataFrame, keys: &[String], table: &str) -> Result<()> {
    for key in keys {
        if source.column(key).is_err() {
            return Err(Error::ColumnNotFound {
                table: table.to_string(),
                operation: "merge",
                column: key.clone(),
                available: source
                    .get_column_names()
                    .iter()
                    .map(|n| n.to_string())
                    .collect(),
            });
        }
    }
    let key_exprs: Vec<Expr> = keys.iter().map(|k| col(k.as_str())).collect();
    let all_keys_present = key_exprs
        .iter()
        .map(|k| k.clone().is_not_null())
        .reduce(|a, b| a.and(b))
        .unwrap_or_else(|| lit(true));
    // Null keys never match a target row, so repeated nulls are not ambiguous.
    let duplicates = source
        .clone()
        .lazy()
        .filter(all_keys_present)
        .group_by(key_exprs)
        .agg([len().alias("__rows")])
        .filter(col("__rows").gt(lit(1)))
        .collect()
        .map_err(|e| Error::polars(table, "merge", e))?;
    if duplicates.height() > 0 {
        let example = keys
            .iter()
            .map(|k| {
                let value = duplicates
                    .column(k)
                    .ok()
                    .and_then(|c| c.get(0).ok().map(|v| v.to_string()))
                    .unwrap_or_default();
                format!("{k}={value}")
            })
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::DuplicateMergeKeys {
            table: table.to_string(),
            keys: keys.to_vec(),
            duplicate_keys: duplicates.height(),
            example,
        });
    }
    Ok(())
}

awaitable_builder!(MergeBuilder => MergeReport);
