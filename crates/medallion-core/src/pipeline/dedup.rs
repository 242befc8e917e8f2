//! Latest-by-key deduplication: the one implementation, used by [`super::SilverBuilder`]
//! over a whole batch and available on any frame.

use std::collections::HashSet;

use polars::prelude::*;

use super::bronze::{BATCH_ID, SOURCE_FILE, SOURCE_ROW};
use crate::error::{Error, Result};

const OP: &str = "deduplicate";

/// Position of a row in the input (scratch column, never returned).
const INPUT_ROW: &str = "__dedup_input_row";

/// The lineage columns that break ties between equal ordering values, in order: the
/// later batch, then the later source file (by path), then the later row of the file.
const LINEAGE_ORDER: [&str; 3] = [BATCH_ID, SOURCE_FILE, SOURCE_ROW];

/// The result of [`deduplicate_latest`]: the kept rows (lazy) and what was removed.
#[must_use]
pub struct Deduplicated {
    /// The input rows minus the removed ones, with [`INPUT_ROW`].
    kept: LazyFrame,
    /// Input positions of every row whose key occurs more than once.
    repeated_rows: Vec<IdxSize>,
    /// Rows removed as older records of a key.
    pub removed: u64,
    /// Rows whose key occurs more than once in the input (kept and removed ones), counted
    /// before removal.
    pub repeated: u64,
}

impl std::fmt::Debug for Deduplicated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deduplicated")
            .field("removed", &self.removed)
            .field("repeated", &self.repeated)
            .finish_non_exhaustive()
    }
}

impl Deduplicated {
    /// The kept rows: one per key (rows with a null key are all kept), in input order,
    /// with the input's columns.
    pub fn into_frame(self) -> LazyFrame {
        self.kept.drop(cols([INPUT_ROW]))
    }

    /// [`Deduplicated::into_frame`] plus a boolean column `column`: `true` on the kept
    /// rows whose key occurred more than once in the input (e.g. to flag them).
    pub fn into_frame_marking_repeated(self, column: &str) -> LazyFrame {
        self.kept
            .with_column(is_one_of(INPUT_ROW, self.repeated_rows).alias(column))
            .drop(cols([INPUT_ROW]))
    }
}

/// Keeps, per key, the latest row: the one with the greatest `order_by` values.
///
/// The order is total, so the same input always keeps the same row whatever its row
/// order: after the `order_by` columns (null values sort lowest), ties go to the later
/// bronze batch (`_batch_id`), then the later source file (`_source_file`, compared as
/// text), then the later row of that file (`_source_row`) — each used when the input
/// has that lineage column — and finally to the row that comes last in the input. Rows
/// whose key has a null are never merged with each other: they are kept and left to
/// required-field rules. Without keys nothing is removed.
///
/// Only the rows of repeated keys (their keys, ordering and lineage columns) are
/// collected; the kept rows stay lazy.
///
/// ```
/// use medallion_core::pipeline::deduplicate_latest;
/// use polars::prelude::*;
///
/// let df = df!("id" => ["a", "a", "b"], "v" => [1i64, 2, 3], "ts" => [10i64, 5, 1])?;
/// let out = deduplicate_latest(df.lazy(), &["id".into()], &["ts".into()], "demo")?;
/// assert_eq!((out.removed, out.repeated), (1, 2));
/// let kept = out.into_frame().collect()?;
/// assert_eq!(kept.column("v")?.i64()?.get(0), Some(1)); // ts 10 beats ts 5
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Polars`] when a key or ordering column is missing.
pub fn deduplicate_latest(
    input: LazyFrame,
    keys: &[String],
    order_by: &[String],
    table: &str,
) -> Result<Deduplicated> {
    let mut indexed = input.with_row_index(INPUT_ROW, None);
    if keys.is_empty() {
        return Ok(Deduplicated {
            kept: indexed,
            repeated_rows: Vec::new(),
            removed: 0,
            repeated: 0,
        });
    }
    let order = total_order(&mut indexed, order_by, table)?;
    let repeated = repeated_key_rows(indexed.clone(), keys, &order, table)?;
    let (repeated_rows, losers) = older_records(repeated, keys, &order, table)?;
    let kept = if losers.is_empty() {
        indexed
    } else {
        indexed.filter(is_one_of(INPUT_ROW, losers.clone()).not())
    };
    Ok(Deduplicated {
        kept,
        removed: losers.len() as u64,
        repeated: repeated_rows.len() as u64,
        repeated_rows,
    })
}

/// The columns deciding which record is the latest, most significant first.
fn total_order(indexed: &mut LazyFrame, order_by: &[String], table: &str) -> Result<Vec<String>> {
    let schema = indexed
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    let mut order: Vec<String> = order_by.to_vec();
    order.extend(
        LINEAGE_ORDER
            .iter()
            .filter(|c| schema.contains(c))
            .map(|c| c.to_string()),
    );
    order.push(INPUT_ROW.to_string());
    Ok(order)
}

/// The rows whose key (all parts non-null) occurs more than once: keys, `order` columns.
fn repeated_key_rows(
    indexed: LazyFrame,
    keys: &[String],
    order: &[String],
    table: &str,
) -> Result<DataFrame> {
    let key = if keys.len() == 1 {
        col(keys[0].as_str())
    } else {
        as_struct(keys.iter().map(|k| col(k.as_str())).collect())
    };
    let all_present = keys
        .iter()
        .map(|k| col(k.as_str()).is_not_null())
        .reduce(|a, b| a.and(b))
        .unwrap_or_else(|| lit(true));
    let mut needed: Vec<&str> = keys.iter().map(String::as_str).collect();
    needed.extend(order.iter().map(String::as_str));
    let mut seen = HashSet::new();
    needed.retain(|c| seen.insert(*c));
    indexed
        .filter(all_present)
        .select(needed.into_iter().map(col).collect::<Vec<_>>())
        .filter(key.is_duplicated())
        .collect()
        .map_err(|e| Error::polars(table, OP, e))
}

/// `(all repeated rows, rows to remove)`: per key, the greatest row in `order` stays.
fn older_records(
    repeated: DataFrame,
    keys: &[String],
    order: &[String],
    table: &str,
) -> Result<(Vec<IdxSize>, Vec<IdxSize>)> {
    if repeated.height() == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut seen = HashSet::new();
    let sort_columns: Vec<PlSmallStr> = order
        .iter()
        .filter(|c| seen.insert(c.as_str()))
        .map(|c| c.as_str().into())
        .collect();
    let sort = SortMultipleOptions::default()
        .with_order_descending(true)
        .with_nulls_last(true)
        .with_maintain_order(true);
    let latest = repeated
        .clone()
        .lazy()
        .sort(sort_columns, sort)
        .unique_stable(
            Some(cols(keys.iter().map(String::as_str))),
            UniqueKeepStrategy::First,
        )
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    let latest: HashSet<IdxSize> = row_numbers(&latest, INPUT_ROW, table)?
        .into_iter()
        .collect();
    let all = row_numbers(&repeated, INPUT_ROW, table)?;
    let older = all
        .iter()
        .copied()
        .filter(|r| !latest.contains(r))
        .collect();
    Ok((all, older))
}

/// Whether the row number in `column` is one of `rows`.
pub(crate) fn is_one_of(column: &str, rows: Vec<IdxSize>) -> Expr {
    // A `Vec<IdxSize>` is already of the row-index dtype: no cast (and no fallback).
    let rows = Series::new("rows".into(), rows);
    col(column).is_in(lit(rows).implode(false), false)
}

/// The row numbers in `column` of `frame`.
pub(crate) fn row_numbers(frame: &DataFrame, column: &str, table: &str) -> Result<Vec<IdxSize>> {
    Ok(frame
        .column(column)
        .and_then(|c| c.idx().cloned())
        .map_err(|e| Error::polars(table, OP, e))?
        .into_no_null_iter()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(out: Deduplicated) -> Vec<i64> {
        out.into_frame()
            .collect()
            .unwrap()
            .column("v")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    fn dedup(df: DataFrame, keys: &[&str], order_by: &[&str]) -> Deduplicated {
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let order_by: Vec<String> = order_by.iter().map(|k| k.to_string()).collect();
        deduplicate_latest(df.lazy(), &keys, &order_by, "t").unwrap()
    }

    #[test]
    fn latest_by_ordering_column_wins() {
        let df = df!("id" => ["a", "a", "a"], "v" => [1i64, 2, 3], "ts" => [2i64, 9, 4]).unwrap();
        let out = dedup(df, &["id"], &["ts"]);
        assert_eq!((out.removed, out.repeated), (2, 3));
        assert_eq!(kept(out), vec![2]);
    }

    #[test]
    fn without_lineage_ties_go_to_the_later_input_row() {
        let df = df!("id" => ["a", "a"], "v" => [1i64, 2], "ts" => [5i64, 5]).unwrap();
        assert_eq!(kept(dedup(df, &["id"], &["ts"])), vec![2]);
    }

    #[test]
    fn ties_go_to_the_later_source_file_whatever_the_row_order() {
        // Equal `ts` in two files of one batch: `b.csv` sorts after `a.csv`, so its row
        // wins — also when the scan happens to read `b.csv` first.
        let rows = |files: [&str; 2], v: [i64; 2]| {
            df!(
                "id" => ["a", "a"],
                "v" => v,
                "ts" => [5i64, 5],
                BATCH_ID => [1i64, 1],
                SOURCE_FILE => files,
                SOURCE_ROW => [7i64, 2],
            )
            .unwrap()
        };
        let b_first = rows(["2024/b.csv", "2024/a.csv"], [20, 10]);
        let a_first = rows(["2024/a.csv", "2024/b.csv"], [10, 20]);
        assert_eq!(kept(dedup(b_first, &["id"], &["ts"])), vec![20]);
        assert_eq!(kept(dedup(a_first, &["id"], &["ts"])), vec![20]);
    }

    #[test]
    fn ties_go_to_the_later_batch_then_the_later_source_row() {
        let df = df!(
            "id" => ["a", "a", "b", "b"],
            "v" => [1i64, 2, 3, 4],
            BATCH_ID => [2i64, 1, 1, 1],
            SOURCE_FILE => ["x.csv", "y.csv", "x.csv", "x.csv"],
            SOURCE_ROW => [1i64, 9, 5, 3],
        )
        .unwrap();
        // a: batch 2 beats batch 1 (whatever the file); b: row 5 beats row 3.
        assert_eq!(kept(dedup(df, &["id"], &[])), vec![1, 3]);
    }

    #[test]
    fn null_ordering_values_lose() {
        let df = df!("id" => ["a", "a"], "v" => [1i64, 2], "ts" => [Some(1i64), None]).unwrap();
        assert_eq!(kept(dedup(df, &["id"], &["ts"])), vec![1]);
    }

    #[test]
    fn rows_with_null_keys_are_all_kept() {
        let df = df!("id" => [None, None, Some("a")], "v" => [1i64, 2, 3]).unwrap();
        let out = dedup(df, &["id"], &[]);
        assert_eq!((out.removed, out.repeated), (0, 0));
        assert_eq!(kept(out), vec![1, 2, 3]);
    }

    #[test]
    fn composite_keys_and_input_order_are_respected() {
        let df = df!(
            "k1" => ["a", "a", "b", "a"],
            "k2" => [1i64, 2, 1, 1],
            "v" => [1i64, 2, 3, 4],
        )
        .unwrap();
        let out = dedup(df, &["k1", "k2"], &[]);
        assert_eq!(out.removed, 1);
        assert_eq!(kept(out), vec![2, 3, 4]);
    }

    #[test]
    fn marking_repeated_flags_only_the_kept_row_of_a_repeated_key() {
        let df = df!("id" => ["a", "b", "a"], "v" => [1i64, 2, 3]).unwrap();
        let marked = dedup(df, &["id"], &[])
            .into_frame_marking_repeated("dup")
            .collect()
            .unwrap();
        let dup: Vec<bool> = marked
            .column("dup")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect();
        assert_eq!(dup, vec![false, true]);
        assert_eq!(marked.get_column_names(), ["id", "v", "dup"]);
    }
}
