//! Time-window helpers shared with other crates: an as-of join that sorts (or verifies
//! sort order) before joining, and rolling per-patient event counts with explicit window
//! bounds.
//!
//! Polars' `join_asof` with `by` groups does not verify that each group is sorted by the
//! `on` key (it only warns, then silently returns wrong matches), and
//! `RollingGroupOptions::default()` / `DynamicGroupOptions::default()` use index-1
//! durations (DESIGN §7). These helpers always sort, verify, and set period and offset
//! explicitly.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::*;
use crate::error::{Error, Result};

const LEFT_ROW: &str = "__asof_left_row";
const COUNTED: &str = "__counted";
const CHECK_ROW: &str = "__check_row";

/// Direction of an as-of match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AsOfDirection {
    /// The last right row whose key is ≤ (or < without exact matches) the left key
    /// (default).
    #[default]
    Backward,
    /// The first right row whose key is ≥ (or >) the left key.
    Forward,
    /// The right row with the nearest key.
    Nearest,
}

impl AsOfDirection {
    fn strategy(self) -> AsofStrategy {
        match self {
            Self::Backward => AsofStrategy::Backward,
            Self::Forward => AsofStrategy::Forward,
            Self::Nearest => AsofStrategy::Nearest,
        }
    }
}

/// Configuration of [`asof_join`] and [`asof_join_presorted`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AsOfConfig {
    /// Order key of the left frame. Default: `"event_time"`.
    pub left_on: String,
    /// Order key of the right frame (same dtype as `left_on`). Default: `"event_time"`.
    pub right_on: String,
    /// Equality keys present in both frames; matches never cross groups.
    /// Default: `["patient_id"]`.
    pub by: Vec<String>,
    /// Match direction. Default: [`AsOfDirection::Backward`].
    pub direction: AsOfDirection,
    /// Whether equal keys match. Default: `true`.
    pub allow_exact_matches: bool,
    /// Suffix of right columns whose names clash with left columns. Default: `"_right"`.
    pub suffix: String,
}

impl Default for AsOfConfig {
    fn default() -> Self {
        Self {
            left_on: EVENT_TIME.to_string(),
            right_on: EVENT_TIME.to_string(),
            by: vec![PATIENT_ID.to_string()],
            direction: AsOfDirection::Backward,
            allow_exact_matches: true,
            suffix: "_right".to_string(),
        }
    }
}

impl AsOfConfig {
    /// A config joining `left_on` to `right_on` within `patient_id` groups, other settings
    /// at their defaults.
    pub fn new(left_on: impl Into<String>, right_on: impl Into<String>) -> Self {
        Self {
            left_on: left_on.into(),
            right_on: right_on.into(),
            ..Self::default()
        }
    }
    /// Set [`Self::by`].
    pub fn with_by<I, S>(mut self, by: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.by = by.into_iter().map(Into::into).collect();
        self
    }
    /// Set [`Self::direction`].
    pub fn with_direction(mut self, direction: AsOfDirection) -> Self {
        self.direction = direction;
        self
    }
    /// Set [`Self::allow_exact_matches`].
    pub fn with_allow_exact_matches(mut self, allow: bool) -> Self {
        self.allow_exact_matches = allow;
        self
    }
    /// Set [`Self::suffix`].
    pub fn with_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = suffix.into();
        self
    }

    fn options(&self) -> AsOfOptions {
        let by: Vec<PlSmallStr> = self.by.iter().map(|b| b.as_str().into()).collect();
        AsOfOptions {
            strategy: self.direction.strategy(),
            tolerance: None,
            tolerance_str: None,
            left_by: (!by.is_empty()).then(|| by.clone()),
            right_by: (!by.is_empty()).then_some(by),
            allow_eq: self.allow_exact_matches,
            // We sort (asof_join) or verify (asof_join_presorted) ourselves; Polars cannot
            // check sortedness when `by` groups are present.
            check_sortedness: false,
        }
    }
}

fn check_key(table: &'static str, lf: &mut LazyFrame, by: &[String], on: &str) -> Result<DataType> {
    let schema = lf.collect_schema()?;
    let found = || {
        schema
            .iter_names()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
    };
    for name in by.iter().map(String::as_str).chain([on]) {
        if schema.get(name).is_none() {
            return Err(Error::MissingColumn {
                table,
                column: name.to_string(),
                found: found(),
            });
        }
    }
    let dtype = schema.get(on).cloned().unwrap_or(DataType::Null);
    if !(dtype.is_primitive_numeric() || dtype.is_temporal()) {
        return Err(Error::ColumnType {
            table,
            column: on.to_string(),
            expected: "a numeric or temporal type".to_string(),
            found: dtype.to_string(),
        });
    }
    Ok(dtype)
}

fn check_keys(left: &mut LazyFrame, right: &mut LazyFrame, config: &AsOfConfig) -> Result<()> {
    let left_dtype = check_key("left", left, &config.by, &config.left_on)?;
    let right_dtype = check_key("right", right, &config.by, &config.right_on)?;
    if left_dtype != right_dtype {
        return Err(Error::ColumnType {
            table: "right",
            column: config.right_on.clone(),
            expected: left_dtype.to_string(),
            found: right_dtype.to_string(),
        });
    }
    Ok(())
}

fn sort_keys(by: &[String], on: &str) -> Vec<Expr> {
    by.iter()
        .map(|b| col(b.as_str()))
        .chain([col(on)])
        .collect()
}

fn stable_sort() -> SortMultipleOptions {
    SortMultipleOptions::default()
        .with_nulls_last(true)
        .with_maintain_order(true)
}

/// As-of join that sorts its inputs first, so unsorted input is handled correctly.
///
/// # Definition
/// For every left row, the right row of the same `by` group whose `right_on` key is the
/// nearest in [`AsOfConfig::direction`] (backward: last key ≤ left key; forward: first
/// key ≥ left key; strict inequalities when `allow_exact_matches` is false). Both inputs
/// are stably sorted by (`by`…, key) before the join — Polars' grouped as-of join assumes
/// sorted groups without checking. Right rows with a null key or null `by` value can
/// never match and are dropped before the join; left rows with a null key get nulls.
/// Among right rows with equal keys, the last (backward) or first (forward) one in the
/// right input's order wins.
///
/// # Output grain
/// One row per left row, **in the left input's original order**: all left columns, then
/// the right columns except the `by` keys (and except `right_on` when it has the same
/// name as `left_on`), clashing names suffixed with [`AsOfConfig::suffix`].
///
/// # Parameters/Config
/// [`AsOfConfig`]: keys (default `event_time` / `event_time`), `by` (default
/// `["patient_id"]`), direction (default backward), exact matches (default allowed).
///
/// # Errors
/// [`Error::MissingColumn`] for a missing key, [`Error::ColumnType`] for a non-numeric,
/// non-temporal key or mismatched key dtypes; Polars planning errors.
///
/// # Example
/// ```
/// use ehr_journey::windows::{asof_join, AsOfConfig};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Unsorted inputs: the helper sorts them before joining.
/// let labs = df!("patient_id" => ["p1", "p1"], "t" => [30i64, 10], "lab" => [2.0, 1.0])?;
/// let visits = df!("patient_id" => ["p1", "p1"], "t" => [25i64, 12], "visit" => ["v2", "v1"])?;
/// let out = asof_join(visits.lazy(), labs.lazy(), &AsOfConfig::new("t", "t"))?.collect()?;
/// let lab: Vec<_> = out.column("lab")?.f64()?.into_no_null_iter().collect();
/// assert_eq!(lab, [1.0, 1.0]); // latest lab at or before each visit, in visit order
/// # Ok(())
/// # }
/// ```
pub fn asof_join(left: LazyFrame, right: LazyFrame, config: &AsOfConfig) -> Result<LazyFrame> {
    let (mut left, mut right) = (left, right);
    check_keys(&mut left, &mut right, config)?;
    let mut right_valid = col(config.right_on.as_str()).is_not_null();
    for b in &config.by {
        right_valid = right_valid.and(col(b.as_str()).is_not_null());
    }
    let left_sorted = left
        .with_row_index(LEFT_ROW, None)
        .sort_by_exprs(sort_keys(&config.by, &config.left_on), stable_sort());
    let right_sorted = right
        .filter(right_valid)
        .sort_by_exprs(sort_keys(&config.by, &config.right_on), stable_sort());
    let joined = join_unchecked(left_sorted, right_sorted, config);
    Ok(joined
        .sort([LEFT_ROW], SortMultipleOptions::default())
        .drop(by_name([LEFT_ROW], true, false)))
}

fn join_unchecked(left: LazyFrame, right: LazyFrame, config: &AsOfConfig) -> LazyFrame {
    left.join_builder()
        .with(right)
        .left_on([col(config.left_on.as_str())])
        .right_on([col(config.right_on.as_str())])
        .how(JoinType::AsOf(Box::new(config.options())))
        .suffix(config.suffix.as_str())
        .finish()
}

/// Verify that `df` is sorted by its `on` key within each `by` group (groups need not be
/// contiguous) and that `on` has no nulls — the precondition of a grouped as-of join.
///
/// # Errors
/// [`Error::NullSortKey`] when `on` has nulls, [`Error::UnsortedInput`] naming the first
/// row whose key is smaller than the previous row of its group, [`Error::MissingColumn`]
/// for absent columns, Polars errors.
///
/// # Example
/// ```
/// use ehr_journey::windows::verify_sorted;
/// use ehr_journey::Error;
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let df = df!("patient_id" => ["a", "b", "a"], "t" => [1i64, 0, 0])?;
/// let err = verify_sorted(&df, "left", &["patient_id"], "t").unwrap_err();
/// assert!(matches!(err, Error::UnsortedInput { row: 2, prev_row: 0, .. }));
/// # Ok(())
/// # }
/// ```
pub fn verify_sorted(df: &DataFrame, table: &'static str, by: &[&str], on: &str) -> Result<()> {
    let by_owned: Vec<String> = by.iter().map(|b| (*b).to_string()).collect();
    let mut lf = df.clone().lazy();
    check_key(table, &mut lf, &by_owned, on)?;
    let nulls = df.column(on)?.null_count();
    if nulls > 0 {
        return Err(Error::NullSortKey {
            table,
            column: on.to_string(),
            nulls,
        });
    }
    let key = col(on).to_physical().cast(DataType::Float64);
    let (diff, prev_row) = if by.is_empty() {
        (
            key.clone() - key.shift(lit(1)),
            col(CHECK_ROW).shift(lit(1)),
        )
    } else {
        let groups: Vec<Expr> = by.iter().map(|b| col(*b)).collect();
        (
            (key.clone() - key.shift(lit(1))).over(groups.clone())?,
            col(CHECK_ROW).shift(lit(1)).over(groups)?,
        )
    };
    let first_bad = lf
        .with_row_index(CHECK_ROW, None)
        .select([
            col(CHECK_ROW),
            prev_row.alias("__prev"),
            diff.alias("__diff"),
        ])
        .filter(col("__diff").lt(lit(0.0)))
        .limit(1)
        .collect()?;
    if first_bad.height() == 0 {
        return Ok(());
    }
    let get = |name: &str| -> Result<usize> {
        let c = first_bad.column(name)?.cast(&DataType::UInt64)?;
        Ok(c.u64()?.get(0).unwrap_or_default() as usize)
    };
    Err(Error::UnsortedInput {
        table,
        keys: by_owned.into_iter().chain([on.to_string()]).collect(),
        row: get(CHECK_ROW)?,
        prev_row: get("__prev")?,
    })
}

/// As-of join of inputs the caller promises are already sorted: the promise is checked
/// with [`verify_sorted`] (no sorting, so no extra cost beyond one pass), then the join
/// runs eagerly. Use [`asof_join`] when inputs may be unsorted.
///
/// # Errors
/// [`Error::UnsortedInput`] / [`Error::NullSortKey`] naming `left` or `right`, the key
/// errors of [`asof_join`], Polars errors.
pub fn asof_join_presorted(
    left: &DataFrame,
    right: &DataFrame,
    config: &AsOfConfig,
) -> Result<DataFrame> {
    let by: Vec<&str> = config.by.iter().map(String::as_str).collect();
    verify_sorted(left, "left", &by, &config.left_on)?;
    verify_sorted(right, "right", &by, &config.right_on)?;
    let (mut l, mut r) = (left.clone().lazy(), right.clone().lazy());
    check_keys(&mut l, &mut r, config)?;
    Ok(join_unchecked(l, r, config).collect()?)
}

/// Which rows are inside the rolling window of an event at time `t`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WindowBounds {
    /// `[t − N days, t)`: strictly earlier events only (default) — "in the previous N
    /// days", excluding the event itself and events at the same instant.
    #[default]
    PriorOnly,
    /// `(t − N days, t]`: the event itself and events at the same instant included.
    IncludingCurrent,
}

/// Configuration of [`rolling_event_counts`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RollingCountConfig {
    /// Window length N in days (≥ 1). Default: 90.
    pub window_days: i64,
    /// Window bounds. Default: [`WindowBounds::PriorOnly`].
    pub bounds: WindowBounds,
    /// Only rows whose `type_column` value is in this list are counted (every row still
    /// gets a count); `None` counts every row. Default: `Some(["encounter"])`.
    pub count_types: Option<Vec<String>>,
    /// Partition columns. Default: `["patient_id"]`.
    pub partition_by: Vec<String>,
    /// Time column (`Datetime`). Default: `"event_time"`.
    pub time_column: String,
    /// Column holding the type tested by `count_types`. Default: `"event_type"`.
    pub type_column: String,
    /// Name of the output count column. Default: `"rolling_count"`.
    pub output_column: String,
}

impl Default for RollingCountConfig {
    fn default() -> Self {
        Self {
            window_days: 90,
            bounds: WindowBounds::PriorOnly,
            count_types: Some(vec!["encounter".to_string()]),
            partition_by: vec![PATIENT_ID.to_string()],
            time_column: EVENT_TIME.to_string(),
            type_column: EVENT_TYPE.to_string(),
            output_column: ROLLING_COUNT.to_string(),
        }
    }
}

impl RollingCountConfig {
    /// Set [`Self::window_days`].
    pub fn with_window_days(mut self, days: i64) -> Self {
        self.window_days = days;
        self
    }
    /// Set [`Self::bounds`].
    pub fn with_bounds(mut self, bounds: WindowBounds) -> Self {
        self.bounds = bounds;
        self
    }
    /// Set [`Self::count_types`].
    pub fn with_count_types<I, S>(mut self, types: Option<I>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.count_types = types.map(|t| t.into_iter().map(Into::into).collect());
        self
    }
    /// Set [`Self::output_column`].
    pub fn with_output_column(mut self, name: impl Into<String>) -> Self {
        self.output_column = name.into();
        self
    }
}

/// Rolling count of (selected) events per partition over a trailing time window.
///
/// # Definition
/// For each row at time `t`, the number of rows of the same partition (default: the
/// patient) whose time lies in the window ([`WindowBounds`], default `[t − N days, t)`)
/// and whose `type_column` is in `count_types` (default: encounters). Computed with a
/// Polars rolling group-by whose `period` (`N d`), `offset` (`−N d`) and closed side are
/// always set explicitly; the input is sorted by (partition, time) first. Rows with a
/// null time get a null count.
///
/// # Output grain
/// The input rows (same order, same columns) plus one `Int64` column
/// [`RollingCountConfig::output_column`] (default `rolling_count`).
///
/// # Parameters/Config
/// [`RollingCountConfig`]: `window_days` (default 90), bounds, counted types, partition,
/// time and type columns, output name.
///
/// # Errors
/// [`Error::InvalidConfig`] for `window_days < 1`, [`Error::MissingColumn`] /
/// [`Error::ColumnType`] for absent columns or a non-`Datetime` time column, Polars errors.
///
/// # Example
/// ```
/// use ehr_journey::columns::utc_timestamp;
/// use ehr_journey::windows::{rolling_event_counts, RollingCountConfig};
/// use polars::prelude::*;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let events = df!(
///     "patient_id" => ["p1", "p1", "p1"],
///     "event_time" => ["2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z", "2024-06-01T00:00:00Z"],
///     "event_type" => ["encounter", "encounter", "encounter"],
/// )?
/// .lazy()
/// .with_column(utc_timestamp("event_time"));
/// let out = rolling_event_counts(events, &RollingCountConfig::default())?.collect()?;
/// let n: Vec<_> = out.column("rolling_count")?.i64()?.into_no_null_iter().collect();
/// assert_eq!(n, [0, 1, 0]); // encounters in the previous 90 days
/// # Ok(())
/// # }
/// ```
pub fn rolling_event_counts(events: LazyFrame, config: &RollingCountConfig) -> Result<LazyFrame> {
    if config.window_days < 1 {
        return Err(Error::InvalidConfig {
            field: "window_days",
            value: config.window_days.to_string(),
            reason: "must be >= 1",
        });
    }
    let mut events = events;
    let schema = events.collect_schema()?;
    let mut needed: Vec<&str> = config.partition_by.iter().map(String::as_str).collect();
    needed.push(config.time_column.as_str());
    if config.count_types.is_some() {
        needed.push(config.type_column.as_str());
    }
    for name in needed {
        if schema.get(name).is_none() {
            return Err(Error::MissingColumn {
                table: "events",
                column: name.to_string(),
                found: schema.iter_names().map(|n| n.to_string()).collect(),
            });
        }
    }
    let time_dtype = schema
        .get(config.time_column.as_str())
        .cloned()
        .unwrap_or(DataType::Null);
    if !matches!(time_dtype, DataType::Datetime(_, _)) {
        return Err(Error::ColumnType {
            table: "events",
            column: config.time_column.clone(),
            expected: "Datetime".to_string(),
            found: time_dtype.to_string(),
        });
    }
    let counted = match &config.count_types {
        Some(types) => {
            let s = Series::new("types".into(), types.clone());
            col(config.type_column.as_str())
                .is_in(lit(s).implode(false), false)
                .fill_null(lit(false))
        }
        None => lit(true),
    };
    let keys: Vec<Expr> = config
        .partition_by
        .iter()
        .map(|p| col(p.as_str()))
        .collect();
    let mut join_keys = keys.clone();
    join_keys.push(col(config.time_column.as_str()));
    let n = config.window_days;
    let options = RollingGroupOptions {
        index_column: config.time_column.as_str().into(),
        period: Duration::try_parse(&format!("{n}d"))?,
        offset: Duration::try_parse(&format!("-{n}d"))?,
        closed_window: match config.bounds {
            WindowBounds::PriorOnly => ClosedWindow::Left,
            WindowBounds::IncludingCurrent => ClosedWindow::Right,
        },
    };
    let out = config.output_column.as_str();
    let counts = events
        .clone()
        .filter(col(config.time_column.as_str()).is_not_null())
        .select(
            join_keys
                .iter()
                .cloned()
                .chain([counted.cast(DataType::Int64).alias(COUNTED)])
                .collect::<Vec<_>>(),
        )
        .sort_by_exprs(join_keys.clone(), stable_sort())
        .rolling(col(config.time_column.as_str()), keys, options)
        .agg([col(COUNTED).sum().cast(DataType::Int64).alias(out)])
        // Tied times have identical windows: one row per (partition, time).
        .group_by(join_keys.clone())
        .agg([col(out).first()]);
    let mut args = left_many_to_one();
    args.nulls_equal = false;
    Ok(events.join(counts, join_keys.clone(), join_keys, args))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn frames() -> (DataFrame, DataFrame) {
        let left = df!(
            "patient_id" => ["a", "b", "a", "a"],
            "t" => [30i64, 5, 10, 20],
            "visit" => ["a30", "b5", "a10", "a20"],
        )
        .unwrap();
        let right = df!(
            "patient_id" => ["a", "a", "b", "a"],
            "t" => [25i64, 10, 1, 5],
            "lab" => ["a25", "a10", "b1", "a5"],
        )
        .unwrap();
        (left, right)
    }

    #[test]
    fn asof_join_handles_unsorted_input_and_keeps_left_order() {
        let (left, right) = frames();
        let out = asof_join(left.lazy(), right.lazy(), &AsOfConfig::new("t", "t"))
            .unwrap()
            .collect()
            .unwrap();
        let visits: Vec<_> = out.column("visit").unwrap().str().unwrap().iter().collect();
        let labs: Vec<_> = out.column("lab").unwrap().str().unwrap().iter().collect();
        assert_eq!(visits, [Some("a30"), Some("b5"), Some("a10"), Some("a20")]);
        assert_eq!(labs, [Some("a25"), Some("b1"), Some("a10"), Some("a10")]);

        let strict = AsOfConfig::new("t", "t").with_allow_exact_matches(false);
        let (left, right) = frames();
        let out = asof_join(left.lazy(), right.lazy(), &strict)
            .unwrap()
            .collect()
            .unwrap();
        let labs: Vec<_> = out.column("lab").unwrap().str().unwrap().iter().collect();
        assert_eq!(labs, [Some("a25"), Some("b1"), Some("a5"), Some("a10")]);
    }

    #[test]
    fn asof_join_presorted_rejects_unsorted_input() {
        let (left, right) = frames();
        let err = asof_join_presorted(&left, &right, &AsOfConfig::new("t", "t")).unwrap_err();
        assert!(
            matches!(
                &err,
                Error::UnsortedInput {
                    table: "left",
                    row: 2,
                    prev_row: 0,
                    ..
                }
            ),
            "{err}"
        );
        let sorted_left = left.sort(["patient_id", "t"], Default::default()).unwrap();
        let err =
            asof_join_presorted(&sorted_left, &right, &AsOfConfig::new("t", "t")).unwrap_err();
        assert!(matches!(
            &err,
            Error::UnsortedInput {
                table: "right",
                row: 1,
                prev_row: 0,
                ..
            }
        ));
        let sorted_right = right.sort(["patient_id", "t"], Default::default()).unwrap();
        let out =
            asof_join_presorted(&sorted_left, &sorted_right, &AsOfConfig::new("t", "t")).unwrap();
        let labs: Vec<_> = out.column("lab").unwrap().str().unwrap().iter().collect();
        assert_eq!(labs, [Some("a10"), Some("a10"), Some("a25"), Some("b1")]);
    }

    #[test]
    fn verify_sorted_rejects_null_keys() {
        let df = df!("patient_id" => ["a", "a"], "t" => [Some(1i64), None]).unwrap();
        let err = verify_sorted(&df, "left", &["patient_id"], "t").unwrap_err();
        assert!(matches!(err, Error::NullSortKey { nulls: 1, .. }));
    }

    #[test]
    fn asof_join_rejects_mismatched_key_types() {
        let left = df!("patient_id" => ["a"], "t" => [1i64]).unwrap();
        let right = df!("patient_id" => ["a"], "t" => ["x"]).unwrap();
        let Err(err) = asof_join(left.lazy(), right.lazy(), &AsOfConfig::new("t", "t")) else {
            panic!("expected an error")
        };
        assert!(matches!(err, Error::ColumnType { table: "right", .. }));
    }

    #[test]
    fn rolling_counts_respect_window_bounds_and_ties() {
        let events = df!(
            "patient_id" => ["p1", "p1", "p1", "p1", "p2"],
            "event_time" => [
                "2024-01-11T00:00:00Z", "2024-01-01T00:00:00Z", "2024-01-11T00:00:00Z",
                "2024-01-21T00:00:00Z", "2024-01-11T00:00:00Z",
            ],
            "event_type" => ["encounter", "encounter", "medication_start", "encounter", "encounter"],
        )
        .unwrap()
        .lazy()
        .with_column(crate::columns::utc_timestamp("event_time"));
        let prior = RollingCountConfig::default().with_window_days(10);
        let out = rolling_event_counts(events.clone(), &prior)
            .unwrap()
            .collect()
            .unwrap();
        let n: Vec<_> = out
            .column(ROLLING_COUNT)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        // [t − 10 d, t): 01-11 sees 01-01 (exactly 10 days back); 01-21 sees both 01-11 rows
        // but only one is an encounter.
        assert_eq!(n, [Some(1), Some(0), Some(1), Some(1), Some(0)]);
        let incl = prior
            .with_bounds(WindowBounds::IncludingCurrent)
            .with_count_types(None::<Vec<String>>);
        let out = rolling_event_counts(events, &incl)
            .unwrap()
            .collect()
            .unwrap();
        let n: Vec<_> = out
            .column(ROLLING_COUNT)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        // (t − 10 d, t], all types: 01-11 rows see both 01-11 rows; 01-21 sees itself only
        // plus ... the 01-11 rows are exactly 10 days back, so excluded.
        assert_eq!(n, [Some(2), Some(1), Some(2), Some(1), Some(1)]);
    }
}
