//! Comparing the tables of two lakehouses, row for row (used by the `lakehouse_diff`
//! example and by the end-to-end tests).

use std::collections::BTreeSet;
use std::path::Path;

use medallion_core::ReadBuilder;
use polars::prelude::*;

/// How two lakehouses' tables are compared.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Columns left out of the comparison in every table (e.g. ingestion timestamps).
    pub ignore_columns: BTreeSet<String>,
    /// Leave out hash keys: `Int64` columns named `*_key`, `row_hash` and `surrogate_key`
    /// (they change when the hash function does, not when the data does).
    pub ignore_hash_keys: bool,
    /// Floats are compared after rounding to this many decimals (`None`: exactly).
    pub float_decimals: Option<u32>,
}

/// The verdict for one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableDiff {
    /// Same columns and the same rows (as multisets).
    Same {
        /// Rows in each.
        rows: usize,
    },
    /// Only one side has the table.
    Missing {
        /// `true` when the left lakehouse has it.
        in_left: bool,
    },
    /// The compared column names differ.
    Columns {
        /// Only on the left.
        left_only: Vec<String>,
        /// Only on the right.
        right_only: Vec<String>,
    },
    /// The rows differ.
    Rows {
        /// Rows on the left.
        left: usize,
        /// Rows on the right.
        right: usize,
        /// Rows of the left that the right lacks (counting multiplicity), at most 5 shown.
        example: String,
    },
}

/// Table names (`<layer>/<table>`) under `root` for the given layers.
pub fn tables(root: &Path, layers: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for layer in layers {
        let Ok(entries) = std::fs::read_dir(root.join(layer)) else {
            continue;
        };
        for entry in entries.flatten() {
            if entry.path().join("_delta_log").is_dir() {
                out.insert(format!("{layer}/{}", entry.file_name().to_string_lossy()));
            }
        }
    }
    out
}

/// Compares `table` (`<layer>/<name>`) of two lakehouses.
pub async fn diff_table(
    left: &Path,
    right: &Path,
    table: &str,
    options: &DiffOptions,
) -> Result<TableDiff, Box<dyn std::error::Error + Send + Sync>> {
    let (l, r) = (left.join(table), right.join(table));
    match (l.join("_delta_log").is_dir(), r.join("_delta_log").is_dir()) {
        (true, true) => {}
        (in_left, _) => return Ok(TableDiff::Missing { in_left }),
    }
    let left = comparable(ReadBuilder::new(&l)?.await?.collect()?, options)?;
    let right = comparable(ReadBuilder::new(&r)?.await?.collect()?, options)?;
    let names = |df: &DataFrame| -> BTreeSet<String> {
        df.get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    };
    let (ln, rn) = (names(&left), names(&right));
    if ln != rn {
        return Ok(TableDiff::Columns {
            left_only: ln.difference(&rn).cloned().collect(),
            right_only: rn.difference(&ln).cloned().collect(),
        });
    }
    let order: Vec<String> = ln.into_iter().collect();
    let left = left.select(order.clone())?;
    let right = right.select(order)?;
    if left.equals_missing(&right) {
        return Ok(TableDiff::Same {
            rows: left.height(),
        });
    }
    let example = left_only_rows(&left, &right)?;
    Ok(TableDiff::Rows {
        left: left.height(),
        right: right.height(),
        example,
    })
}

/// Every compared column as text (lists joined, floats rounded), sorted by all columns.
fn comparable(df: DataFrame, options: &DiffOptions) -> PolarsResult<DataFrame> {
    let mut exprs = Vec::new();
    for field in df.schema().iter_fields() {
        let name = field.name().to_string();
        let is_hash_key = matches!(field.dtype(), DataType::Int64)
            && (name.ends_with("_key") || name == "row_hash" || name == "surrogate_key");
        if options.ignore_columns.contains(&name) || (options.ignore_hash_keys && is_hash_key) {
            continue;
        }
        let c = col(name.as_str());
        let text = match field.dtype() {
            DataType::List(_) => c
                .list()
                .eval(col("").cast(DataType::String))
                .list()
                .join(lit("\u{1f}"), false),
            DataType::Float32 | DataType::Float64 => match options.float_decimals {
                Some(d) => c.round(d, RoundMode::HalfToEven).cast(DataType::String),
                None => c.cast(DataType::String),
            },
            _ => c.cast(DataType::String),
        };
        exprs.push(text.alias(name.as_str()));
    }
    let out = df.lazy().select(exprs).collect()?;
    let by: Vec<PlSmallStr> = out.get_column_names().into_iter().cloned().collect();
    if by.is_empty() {
        return Ok(out);
    }
    out.sort(by, SortMultipleOptions::default().with_nulls_last(true))
}

/// Up to five rows of `left` without an equal row in `right`, as text.
fn left_only_rows(left: &DataFrame, right: &DataFrame) -> PolarsResult<String> {
    let on: Vec<Expr> = left
        .get_column_names()
        .iter()
        .map(|n| col(n.as_str()))
        .collect();
    let mut args = JoinArgs::new(JoinType::Anti);
    args.nulls_equal = true;
    let missing = left
        .clone()
        .lazy()
        .join(right.clone().lazy(), on.clone(), on, args)
        .limit(5)
        .collect()?;
    Ok(format!("{missing}"))
}
