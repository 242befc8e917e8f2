//! What the incoming rows of keys silver already holds do to silver: update, delete,
//! nothing (unchanged), or nothing because a newer version is held (superseded). The
//! classification behind the reconciled counts of [`super::SilverReport`].
//!
//! A row is compared with the row silver holds for its key on every column except the
//! keys and the lineage columns ([`LINEAGE_COLUMNS`]); `_dq_flags` and `_deleted` are
//! compared like data. Only updates and deletes go to the MERGE: unchanged rows are not
//! rewritten, so they keep the lineage of the batch that last changed them.

use polars::prelude::*;

use super::bronze::{BATCH_ID, INGEST_ISSUE, INGESTED_AT, SOURCE_FILE, SOURCE_ROW};
use super::ingest_issues::RAW_LINE;
use crate::error::{Error, Result};

/// Columns that say where a row came from, not what it says: never compared.
pub(crate) const LINEAGE_COLUMNS: [&str; 6] = [
    BATCH_ID,
    INGESTED_AT,
    SOURCE_FILE,
    SOURCE_ROW,
    INGEST_ISSUE,
    RAW_LINE,
];

const OP: &str = "silver upsert";
const HELD_SUFFIX: &str = "__silver_held";
const HELD_ORDER_SUFFIX: &str = "__silver_held_order";
const CHANGE: &str = "__silver_change";

const UPDATE: i32 = 0;
const DELETE: i32 = 1;
const UNCHANGED: i32 = 2;
const SUPERSEDED: i32 = 3;

/// The incoming rows of held keys, classified.
pub(crate) struct HeldKeyChanges {
    /// The rows the MERGE must apply (updates and deletes), with the incoming columns.
    pub merge_source: DataFrame,
    /// Rows that replace the held row (newer, different content).
    pub updated: u64,
    /// CDC deletes of a held row (newer than it).
    pub deleted: u64,
    /// Rows equal in content to the held row: silver stays as it is.
    pub unchanged: u64,
    /// Rows older than the held row (late records, deletes included): they lose.
    pub superseded: u64,
}

/// How the held keys' rows are compared and ordered.
pub(crate) struct HeldKeys<'a> {
    /// Business key columns.
    pub keys: &'a [String],
    /// Ordering columns (see `SilverBuilder::with_order_by`).
    pub order_by: &'a [String],
    /// `true` on incoming rows that are hard CDC deletes.
    pub delete: Option<Expr>,
}

/// Classifies `incoming` rows (every key held by silver, one row per key) against the
/// `held` silver rows.
///
/// # Errors
/// [`Error::Polars`] (values redacted) when the rows cannot be compared.
pub(crate) fn classify_held_keys(
    incoming: LazyFrame,
    held: LazyFrame,
    how: &HeldKeys<'_>,
    table: &str,
) -> Result<HeldKeyChanges> {
    let (mut incoming, mut held) = (incoming, held);
    let incoming_schema = incoming
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    let held_schema = held
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    let compared: Vec<(String, DataType)> = incoming_schema
        .iter()
        .map(|(name, dtype)| (name.to_string(), dtype.clone()))
        .filter(|(name, _)| !how.keys.contains(name) && !is_lineage(name))
        .collect();
    let held_side = held_columns(how, &compared, &incoming_schema, &held_schema);
    let joined = incoming.join(
        held.select(held_side),
        key_columns(how.keys),
        key_columns(how.keys),
        JoinArgs::new(JoinType::Inner),
    );
    let change = change_of_row(how, &compared);
    let classified = joined
        .with_column(change.alias(CHANGE))
        .collect()
        .map_err(|e| Error::polars_data(table, OP, e))?;
    summarize(classified, &incoming_schema, table)
}

/// Whether `name` is a lineage column (never compared).
pub(crate) fn is_lineage(name: &str) -> bool {
    LINEAGE_COLUMNS.contains(&name)
}

fn key_columns(keys: &[String]) -> Vec<Expr> {
    keys.iter().map(|k| col(k.as_str())).collect()
}

/// The type a column is compared in: categories as text (their encodings differ between
/// the incoming frame and what the table returns).
fn comparable(dtype: &DataType) -> DataType {
    match dtype {
        DataType::Categorical(..) | DataType::Enum(..) => DataType::String,
        other => other.clone(),
    }
}

/// The held row's keys, compared columns and ordering columns, renamed, in the incoming
/// types; a column silver does not have (yet) is null.
fn held_columns(
    how: &HeldKeys<'_>,
    compared: &[(String, DataType)],
    incoming: &Schema,
    held: &Schema,
) -> Vec<Expr> {
    let value = |name: &str, dtype: &DataType| {
        if held.contains(name) {
            col(name).cast(dtype.clone())
        } else {
            lit(NULL).cast(dtype.clone())
        }
    };
    let mut columns = key_columns(how.keys);
    for (name, dtype) in compared {
        columns.push(value(name, &comparable(dtype)).alias(format!("{name}{HELD_SUFFIX}")));
    }
    for name in how.order_by {
        let dtype = incoming.get(name).cloned().unwrap_or(DataType::Null);
        columns.push(value(name, &dtype).alias(format!("{name}{HELD_ORDER_SUFFIX}")));
    }
    columns
}

/// The change an incoming row makes: a newer delete deletes; a row equal in content
/// changes nothing; a newer row updates; an older row loses.
fn change_of_row(how: &HeldKeys<'_>, compared: &[(String, DataType)]) -> Expr {
    let same = compared
        .iter()
        .map(|(name, dtype)| {
            col(name.as_str())
                .cast(comparable(dtype))
                .eq_missing(col(format!("{name}{HELD_SUFFIX}")))
        })
        .reduce(|a, b| a.and(b))
        .unwrap_or_else(|| lit(true));
    let newer = newer_than_held(how.order_by);
    let delete = how.delete.clone().unwrap_or_else(|| lit(false));
    when(delete.clone().and(newer.clone()))
        .then(lit(DELETE))
        .when(delete)
        .then(lit(SUPERSEDED))
        .when(same)
        .then(lit(UNCHANGED))
        .when(newer)
        .then(lit(UPDATE))
        .otherwise(lit(SUPERSEDED))
}

/// Whether the incoming ordering values are greater than the held ones (lexicographic;
/// a held null first value loses to any real one) — the MERGE's update condition. With
/// no ordering columns the later arrival always wins.
fn newer_than_held(order_by: &[String]) -> Expr {
    let held = |name: &str| col(format!("{name}{HELD_ORDER_SUFFIX}"));
    let Some(first) = order_by.first() else {
        return lit(true);
    };
    let mut clauses = Vec::new();
    for (i, name) in order_by.iter().enumerate() {
        let clause = order_by[..i]
            .iter()
            .map(|p| col(p.as_str()).eq(held(p)).fill_null(lit(false)))
            .chain([col(name.as_str()).gt(held(name)).fill_null(lit(false))])
            .reduce(|a, b| a.and(b))
            .unwrap_or_else(|| lit(false));
        clauses.push(clause);
    }
    clauses.push(held(first).is_null().and(col(first.as_str()).is_not_null()));
    clauses
        .into_iter()
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(true))
}

/// Counts per change, and the MERGE source (updates and deletes, incoming columns).
fn summarize(classified: DataFrame, incoming: &Schema, table: &str) -> Result<HeldKeyChanges> {
    let changes = classified
        .column(CHANGE)
        .and_then(|c| c.i32().cloned())
        .map_err(|e| Error::polars(table, OP, e))?;
    let count = |kind: i32| changes.iter().filter(|c| *c == Some(kind)).count() as u64;
    let (updated, deleted, unchanged, superseded) = (
        count(UPDATE),
        count(DELETE),
        count(UNCHANGED),
        count(SUPERSEDED),
    );
    let columns: Vec<Expr> = incoming.iter_names().map(|n| col(n.clone())).collect();
    let merge_source = classified
        .lazy()
        .filter(col(CHANGE).lt_eq(lit(DELETE)))
        .select(columns)
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    Ok(HeldKeyChanges {
        merge_source,
        updated,
        deleted,
        unchanged,
        superseded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(incoming: DataFrame, held: DataFrame, order_by: &[String]) -> HeldKeyChanges {
        let keys = ["id".to_string()];
        let how = HeldKeys {
            keys: &keys,
            order_by,
            delete: None,
        };
        classify_held_keys(incoming.lazy(), held.lazy(), &how, "t").unwrap()
    }

    #[test]
    fn equal_content_is_unchanged_whatever_the_lineage() {
        let held = df!("id" => ["a", "b"], "v" => [1i64, 2], BATCH_ID => [1i64, 1]).unwrap();
        let incoming = df!("id" => ["a", "b"], "v" => [1i64, 3], BATCH_ID => [2i64, 2]).unwrap();
        let out = classify(incoming, held, &[BATCH_ID.to_string()]);
        assert_eq!(
            (out.updated, out.unchanged, out.superseded, out.deleted),
            (1, 1, 0, 0)
        );
        assert_eq!(out.merge_source.height(), 1);
    }

    #[test]
    fn older_rows_are_superseded_and_not_merged() {
        let held = df!("id" => ["a"], "v" => [1i64], "ts" => [5i64]).unwrap();
        let incoming = df!("id" => ["a"], "v" => [9i64], "ts" => [3i64]).unwrap();
        let out = classify(incoming, held, &["ts".to_string()]);
        assert_eq!((out.updated, out.superseded), (0, 1));
        assert_eq!(out.merge_source.height(), 0);
    }

    #[test]
    fn flags_and_new_columns_are_content() {
        let flags = |f: &[&str]| Series::new("".into(), f.to_vec());
        let held = df!("id" => ["a", "b"], "_dq_flags" => vec![flags(&[]), flags(&[])]).unwrap();
        let incoming = df!(
            "id" => ["a", "b"],
            "_dq_flags" => vec![flags(&["dup"]), flags(&[])],
            "extra" => [None::<i64>, Some(1)],
        )
        .unwrap();
        let out = classify(incoming, held, &[]);
        assert_eq!((out.updated, out.unchanged), (2, 0));
    }
}
