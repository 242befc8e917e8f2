//! Batch-wide duplicates of a silver batch: latest-by-key deduplication (with
//! [`deduplicate_latest`]), exact-duplicate removal for keyless tables, and the duplicate
//! flag.
//!
//! These steps compare rows across the whole batch, so they run once over all staged
//! chunks and read only what they need (keys, ordering columns, row numbers and row
//! hashes); the full rows stay staged and are filtered lazily on the way to the table.
//!
//! A run may span several source exports: several bronze batches (`_batch_id`s, e.g.
//! after a pause or a crash), or several exports landed before one ingestion (one bronze
//! batch, several `_source_file`s). So that such a run leaves silver exactly as one run
//! per export would, a *repeat* is judged within one source file of one bronze batch:
//! the duplicate flag marks keys (rows) that occur more than once in the same
//! `(_batch_id, _source_file)`, and keyless tables remove exact copies only there.
//! Across files and batches, a later row of a key is a newer version (kept, the older
//! removed as superseded), exactly like an upsert of the later export into what the
//! earlier one left; a keyless row repeated by a later export is a new observation of
//! the feed and appended, as it would be by a later run. (Rows without these lineage
//! columns are judged over the whole run.)

use polars::prelude::*;

use super::bronze::{BATCH_ID, SOURCE_FILE};
use super::chunks::{BATCH_ROW, ROW_HASH, data_columns};
use super::dedup::{self, deduplicate_latest, is_one_of};
use super::rules::DQ_FLAGS;
use crate::error::{Error, Result};

const OP: &str = "deduplicate";

/// What [`resolve_duplicates`] decides.
pub(crate) struct BatchDuplicates {
    /// The staged rows without removed duplicates, flagged, without scratch columns.
    pub frame: LazyFrame,
    /// Rows removed as duplicates.
    pub removed: u64,
    /// Rows whose key (or, without keys, whole content) occurs more than once in the
    /// same source file of a bronze batch, counted before removal.
    pub repeated: u64,
}

/// Settings of [`resolve_duplicates`].
pub(crate) struct DuplicateSteps<'a> {
    pub keys: &'a [String],
    pub order_by: &'a [String],
    /// Keyless tables: drop rows equal to an earlier row.
    pub drop_exact: bool,
    /// Flag name added to `_dq_flags` of kept rows whose key (content) repeats within
    /// their source file.
    pub flag: Option<&'a str>,
}

/// Resolves the duplicates of the `staged` rows (with [`BATCH_ROW`], and [`ROW_HASH`]
/// for keyless tables).
///
/// Keyed tables keep the latest row per key with [`deduplicate_latest`], the one
/// latest-by-key rule of the crate. Keyless tables compare every data column (see
/// [`data_columns`]); a hash selects candidates and the candidates' values are compared
/// exactly, so a hash collision never merges rows.
pub(crate) fn resolve_duplicates(
    staged: LazyFrame,
    steps: &DuplicateSteps<'_>,
    table: &str,
) -> Result<BatchDuplicates> {
    if steps.keys.is_empty() {
        resolve_exact_duplicates(staged, steps, table)
    } else {
        resolve_repeated_keys(staged, steps, table)
    }
}

/// Keyed tables: the latest row per key stays (over the whole run); with a flag, kept
/// rows whose key repeats within their source file are flagged.
fn resolve_repeated_keys(
    mut staged: LazyFrame,
    steps: &DuplicateSteps<'_>,
    table: &str,
) -> Result<BatchDuplicates> {
    let mut scope: Vec<String> = steps.keys.to_vec();
    scope.extend(source_scope(&mut staged, table)?);
    let repeated = repeated_key_rows(staged.clone(), steps.keys, &scope, table)?;
    let latest = deduplicate_latest(staged, steps.keys, steps.order_by, table)?;
    let removed = latest.removed;
    let mut frame = latest.into_frame();
    if let (Some(flag), false) = (steps.flag, repeated.is_empty()) {
        frame = with_flag(frame, is_one_of(BATCH_ROW, repeated.clone()), flag, table)?;
    }
    Ok(BatchDuplicates {
        frame: frame.drop(cols([BATCH_ROW])),
        removed,
        repeated: repeated.len() as u64,
    })
}

/// The lineage columns `_batch_id` and `_source_file` the staged rows carry: repeats
/// are judged within one source file of one bronze batch (see the module documentation).
fn source_scope(staged: &mut LazyFrame, table: &str) -> Result<Vec<String>> {
    let schema = staged
        .collect_schema()
        .map_err(|e| Error::polars(table, OP, e))?;
    Ok([BATCH_ID, SOURCE_FILE]
        .into_iter()
        .filter(|c| schema.contains(c))
        .map(str::to_string)
        .collect())
}

/// Row numbers ([`BATCH_ROW`]) of the rows whose `scope` values (keys, and the bronze
/// batch) occur more than once; rows with a null key part never repeat.
fn repeated_key_rows(
    staged: LazyFrame,
    keys: &[String],
    scope: &[String],
    table: &str,
) -> Result<Vec<IdxSize>> {
    let all_present = keys
        .iter()
        .map(|k| col(k.as_str()).is_not_null())
        .reduce(|a, b| a.and(b))
        .unwrap_or_else(|| lit(true));
    let group = as_struct(scope.iter().map(|c| col(c.as_str())).collect());
    let mut needed = vec![col(BATCH_ROW)];
    needed.extend(scope.iter().map(|c| col(c.as_str())));
    let repeated = staged
        .select(needed)
        .filter(all_present)
        .filter(group.is_duplicated())
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    row_numbers(&repeated, table)
}

/// Keyless tables: rows equal in every data column within one source file are flagged,
/// and all but the first copy removed when `drop_exact`.
fn resolve_exact_duplicates(
    mut staged: LazyFrame,
    steps: &DuplicateSteps<'_>,
    table: &str,
) -> Result<BatchDuplicates> {
    let scope = source_scope(&mut staged, table)?;
    let (repeated, losers) = repeated_rows(staged.clone(), scope, steps.drop_exact, table)?;
    let removed = losers.len() as u64;
    let repeated_count = repeated.len() as u64;
    let mut frame = staged;
    if !losers.is_empty() {
        frame = frame.filter(is_one_of(BATCH_ROW, losers).not());
    }
    if let (Some(flag), false) = (steps.flag, repeated.is_empty()) {
        frame = with_flag(frame, is_one_of(BATCH_ROW, repeated), flag, table)?;
    }
    Ok(BatchDuplicates {
        frame: frame.drop(cols([BATCH_ROW, ROW_HASH])),
        removed,
        repeated: repeated_count,
    })
}

/// Appends `flag` to the `_dq_flags` of the rows where `condition` holds.
fn with_flag(frame: LazyFrame, condition: Expr, flag: &str, table: &str) -> Result<LazyFrame> {
    let flags = DataType::List(Box::new(DataType::String));
    let appended = concat_list([col(DQ_FLAGS).cast(flags.clone()), lit(flag.to_string())])
        .map_err(|e| Error::polars(table, OP, e))?;
    Ok(frame.with_column(
        when(condition)
            .then(appended)
            .otherwise(col(DQ_FLAGS).cast(flags))
            .alias(DQ_FLAGS),
    ))
}

fn row_numbers(frame: &DataFrame, table: &str) -> Result<Vec<IdxSize>> {
    dedup::row_numbers(frame, BATCH_ROW, table)
}

/// Keyless tables: `(rows equal to another row of their source file, rows to remove)`.
/// With `drop_exact`, the first copy stays; otherwise every copy stays. `scope` holds
/// the lineage columns that name the source file.
fn repeated_rows(
    staged: LazyFrame,
    scope: Vec<String>,
    drop_exact: bool,
    table: &str,
) -> Result<(Vec<IdxSize>, Vec<IdxSize>)> {
    let mut hash_scope = vec![col(ROW_HASH)];
    hash_scope.extend(scope.iter().map(|c| col(c.as_str())));
    let mut selected = vec![col(BATCH_ROW)];
    selected.extend(hash_scope.iter().cloned());
    let candidates = staged
        .clone()
        .select(selected)
        .filter(as_struct(hash_scope).is_duplicated())
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    if candidates.height() == 0 {
        return Ok((Vec::new(), Vec::new()));
    }
    let candidates = row_numbers(&candidates, table)?;
    let mut rows = staged.filter(is_one_of(BATCH_ROW, candidates));
    let mut data = data_columns(&mut rows, table)?;
    data.extend(scope);
    let content = if data.is_empty() {
        lit(true)
    } else {
        as_struct(data.iter().map(|c| col(c.as_str())).collect())
    };
    let compared = rows
        .select([
            col(BATCH_ROW),
            content.clone().is_duplicated().alias("repeated"),
            content.is_first_distinct().alias("first"),
        ])
        .filter(col("repeated"))
        .collect()
        .map_err(|e| Error::polars(table, OP, e))?;
    let repeated = row_numbers(&compared, table)?;
    let losers = if drop_exact {
        let later = compared
            .lazy()
            .filter(col("first").not())
            .collect()
            .map_err(|e| Error::polars(table, OP, e))?;
        row_numbers(&later, table)?
    } else {
        Vec::new()
    };
    Ok((repeated, losers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::chunks::StagedRows;

    /// The staging directory and its rows must outlive the lazy scan.
    fn staged(
        frames: Vec<DataFrame>,
        hash_rows: bool,
    ) -> (tempfile::TempDir, StagedRows, LazyFrame) {
        let dir = tempfile::tempdir().unwrap();
        let mut staging = StagedRows::new(frames.len(), dir.path(), hash_rows).unwrap();
        for frame in frames {
            let flags = Series::new_empty(DQ_FLAGS.into(), &DataType::String);
            let n = frame.height();
            let lists = (0..n).map(|_| flags.clone()).collect::<Vec<_>>();
            let mut frame = frame;
            frame
                .with_column(Series::new(DQ_FLAGS.into(), lists).into_column())
                .unwrap();
            staging.push(frame, "t").unwrap();
        }
        let lf = staging.lazy("t").unwrap();
        (dir, staging, lf)
    }

    fn values(lf: LazyFrame, column: &str) -> Vec<i64> {
        lf.collect()
            .unwrap()
            .column(column)
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    fn flagged(lf: LazyFrame) -> Vec<bool> {
        let df = lf
            .select([col(DQ_FLAGS).list().len().gt(lit(0u32)).alias("f")])
            .collect()
            .unwrap();
        df.column("f")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect()
    }

    #[test]
    fn latest_by_key_wins_across_chunks() {
        let (_dir, _staging, lf) = staged(
            vec![
                df!("id" => ["a", "b"], "v" => [1i64, 2], "ts" => [5i64, 1]).unwrap(),
                df!("id" => ["a", "c"], "v" => [3i64, 4], "ts" => [4i64, 1]).unwrap(),
                df!("id" => ["b"], "v" => [5i64], "ts" => [1i64]).unwrap(),
            ],
            false,
        );
        let steps = DuplicateSteps {
            keys: &["id".into()],
            order_by: &["ts".into()],
            drop_exact: true,
            flag: Some("dup"),
        };
        let out = resolve_duplicates(lf, &steps, "t").unwrap();
        assert_eq!((out.removed, out.repeated), (2, 4));
        // a: ts 5 beats the later ts 4; b: a tie goes to the later row.
        assert_eq!(values(out.frame.clone(), "v"), vec![1, 4, 5]);
        assert_eq!(flagged(out.frame), vec![true, false, true]);
    }

    #[test]
    fn keyless_exact_duplicates_are_flagged_and_optionally_dropped() {
        let frames = || {
            vec![
                df!("x" => [1i64, 2], "_source_row" => [1i64, 2]).unwrap(),
                df!("x" => [1i64, 3], "_source_row" => [3i64, 4]).unwrap(),
            ]
        };
        let keep = DuplicateSteps {
            keys: &[],
            order_by: &[],
            drop_exact: false,
            flag: Some("dup"),
        };
        let (_dir, _staging, lf) = staged(frames(), true);
        let out = resolve_duplicates(lf, &keep, "t").unwrap();
        assert_eq!((out.removed, out.repeated), (0, 2));
        assert_eq!(flagged(out.frame), vec![true, false, true, false]);

        let drop = DuplicateSteps {
            drop_exact: true,
            ..keep
        };
        let (_dir, _staging, lf) = staged(frames(), true);
        let out = resolve_duplicates(lf, &drop, "t").unwrap();
        assert_eq!(out.removed, 1);
        assert_eq!(values(out.frame, "x"), vec![1, 2, 3]);
    }

    #[test]
    fn no_duplicates_leaves_rows_untouched() {
        let (_dir, _staging, lf) = staged(vec![df!("id" => ["a", "b"]).unwrap()], false);
        let steps = DuplicateSteps {
            keys: &["id".into()],
            order_by: &[],
            drop_exact: true,
            flag: Some("dup"),
        };
        let out = resolve_duplicates(lf, &steps, "t").unwrap();
        assert_eq!((out.removed, out.repeated), (0, 0));
        let df = out.frame.collect().unwrap();
        assert_eq!(df.get_column_names(), vec!["id", DQ_FLAGS]);
    }
}
