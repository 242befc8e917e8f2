//! Deduplication by business key, keeping the latest record.

use polars::prelude::*;

use super::batch_duplicates::{is_one_of, repeated_keys};
use super::chunks::BATCH_ROW;
use crate::error::{Error, Result};

/// The result of [`deduplicate_latest`].
#[derive(Debug, Clone)]
pub struct Deduplicated {
    /// One row per key (rows with a null key are all kept), in input order.
    pub frame: DataFrame,
    /// Rows removed as duplicates.
    pub removed: u64,
}

/// Keeps, per key, the row with the greatest `order_by` values.
///
/// Ties (equal ordering values, or no ordering columns at all) go to the row that comes
/// **last** in the input — the later arrival. Null ordering values sort lowest. Rows
/// whose key has a null are never merged with each other: they are kept and left to
/// required-field rules. Without keys nothing is removed.
///
/// ```
/// use medallion_core::pipeline::deduplicate_latest;
/// use polars::prelude::*;
///
/// let df = df!("id" => ["a", "a", "b"], "v" => [1i64, 2, 3], "ts" => [10i64, 5, 1])?;
/// let out = deduplicate_latest(df.lazy(), &["id".into()], &["ts".into()], "demo")?;
/// assert_eq!(out.removed, 1);
/// assert_eq!(out.frame.column("v")?.i64()?.get(0), Some(1)); // ts 10 beats ts 5
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
    const OP: &str = "deduplicate";
    let indexed = input.with_row_index(BATCH_ROW, None);
    let losers = if keys.is_empty() {
        Vec::new()
    } else {
        repeated_keys(indexed.clone(), keys, order_by, table)?.1
    };
    let removed = losers.len() as u64;
    let kept = if losers.is_empty() {
        indexed
    } else {
        indexed.filter(is_one_of(BATCH_ROW, losers).not())
    };
    let frame = kept
        .drop(cols([BATCH_ROW]))
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    Ok(Deduplicated { frame, removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(df: &DataFrame) -> Vec<i64> {
        df.column("v")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    #[test]
    fn latest_by_ordering_column_wins() {
        let df = df!("id" => ["a", "a", "a"], "v" => [1i64, 2, 3], "ts" => [2i64, 9, 4]).unwrap();
        let out = deduplicate_latest(df.lazy(), &["id".into()], &["ts".into()], "t").unwrap();
        assert_eq!((ids(&out.frame), out.removed), (vec![2], 2));
    }

    #[test]
    fn ties_go_to_the_later_arrival() {
        let df = df!("id" => ["a", "a"], "v" => [1i64, 2], "ts" => [5i64, 5]).unwrap();
        let out = deduplicate_latest(df.lazy(), &["id".into()], &["ts".into()], "t").unwrap();
        assert_eq!(ids(&out.frame), vec![2]);
    }

    #[test]
    fn null_ordering_values_lose() {
        let df = df!("id" => ["a", "a"], "v" => [1i64, 2], "ts" => [Some(1i64), None]).unwrap();
        let out = deduplicate_latest(df.lazy(), &["id".into()], &["ts".into()], "t").unwrap();
        assert_eq!(ids(&out.frame), vec![1]);
    }

    #[test]
    fn rows_with_null_keys_are_all_kept() {
        let df = df!("id" => [None, None, Some("a")], "v" => [1i64, 2, 3]).unwrap();
        let out = deduplicate_latest(df.lazy(), &["id".into()], &[], "t").unwrap();
        assert_eq!((ids(&out.frame), out.removed), (vec![1, 2, 3], 0));
    }

    #[test]
    fn composite_keys_and_input_order_are_respected() {
        let df = df!(
            "k1" => ["a", "a", "b", "a"],
            "k2" => [1i64, 2, 1, 1],
            "v" => [1i64, 2, 3, 4],
        )
        .unwrap();
        let out = deduplicate_latest(df.lazy(), &["k1".into(), "k2".into()], &[], "t").unwrap();
        assert_eq!((ids(&out.frame), out.removed), (vec![2, 3, 4], 1));
    }
}
