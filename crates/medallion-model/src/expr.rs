//! Small, domain-free expression and join helpers that the transform crates share, so
//! that each exists once: stable sorting, typed nulls, literal lists of strings,
//! checked joins, null-safe ratios, order-independent float sums and means, day
//! arithmetic and an as-of join that sorts its inputs itself.
//!
//! ```
//! use chrono::NaiveDate;
//! use medallion_model::expr::{add_days, days_between_dates, ratio};
//! use polars::prelude::*;
//!
//! let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap_or_default();
//! let out = df!("admit" => [d(1), d(5)], "discharge" => [d(4), d(5)], "n" => [3, 0])?
//!     .lazy()
//!     .select([
//!         days_between_dates(col("discharge"), col("admit")).alias("days"),
//!         add_days(col("admit"), 30).alias("window_end"),
//!         ratio(lit(1), col("n")).alias("share"),
//!     ])
//!     .collect()?;
//! assert_eq!(out.column("days")?.i32()?.get(0), Some(3));
//! assert_eq!(out.column("share")?.f64()?.get(1), None); // 1 / 0 is null, not inf
//! # Ok::<(), PolarsError>(())
//! ```

use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Microseconds per day (24 h).
const MICROS_PER_DAY: f64 = 86_400_000_000.0;

/// Sort options for deterministic output: ascending, nulls last, and stable (rows with
/// equal keys keep their input order).
pub fn stable_sort() -> SortMultipleOptions {
    SortMultipleOptions::default()
        .with_nulls_last(true)
        .with_maintain_order(true)
}

/// A null literal of `dtype` (a bare `lit(NULL)` has dtype `Null`, which changes the
/// dtype of a `when/then/otherwise` or a concatenation).
pub fn typed_null(dtype: DataType) -> Expr {
    lit(NULL).cast(dtype)
}

/// A literal list of strings for [`Expr::is_in`], e.g. a configured code list:
/// `col("code").is_in(string_list(&codes), false)` (a null `code` gives null).
pub fn string_list(values: &[String]) -> Expr {
    lit(Series::new("values".into(), values)).implode(false)
}

/// Join arguments of `how` that fail the query when the keys violate `validation`
/// (e.g. [`JoinValidation::ManyToOne`]: a right key that occurs twice).
pub fn join_args(how: JoinType, validation: JoinValidation) -> JoinArgs {
    let mut args = JoinArgs::new(how);
    args.validation = validation;
    args
}

/// `numerator / denominator` as `Float64`; null when the denominator is 0 or null
/// (never `inf` or `NaN` from a zero denominator).
pub fn ratio(numerator: Expr, denominator: Expr) -> Expr {
    let denominator = denominator.cast(DataType::Float64);
    when(denominator.clone().neq(lit(0.0)))
        .then(numerator.cast(DataType::Float64) / denominator)
        .otherwise(typed_null(DataType::Float64))
}

/// The sum of the non-null values of `e` as `Float64`, added one by one in ascending
/// order: the result depends only on the multiset of values, never on row order or on
/// how Polars splits the rows into chunks (a plain float `sum` may add in any order, so
/// two runs over the same rows in another order can differ in the last bits). 0 when
/// there is no value, like `sum`. Works in `select` and in `group_by(..).agg(..)`.
pub fn ordered_sum(e: Expr) -> Expr {
    ascending_running_sum(e)
        .last()
        .fill_null(lit(0.0))
        .cast(DataType::Float64)
}

/// The mean of the non-null values of `e` as `Float64`, summed one by one in ascending
/// order (see [`ordered_sum`]): bit-identical for the same values in any row order.
/// Null when there is no value, like `mean`.
pub fn ordered_mean(e: Expr) -> Expr {
    let values = e.drop_nulls();
    ascending_running_sum(values.clone()).last() / values.count().cast(DataType::Float64)
}

/// The running sum, as `Float64`, of the non-null values of `e` sorted ascending. A
/// running sum is order-sensitive, so the plan keeps the sort before it.
fn ascending_running_sum(e: Expr) -> Expr {
    e.drop_nulls()
        .cast(DataType::Float64)
        .sort(SortOptions::default())
        .cum_sum(false)
}

/// Days since 1970-01-01 of a calendar date.
pub fn epoch_day_number(date: NaiveDate) -> i32 {
    let days = date.signed_duration_since(NaiveDate::default()).num_days();
    i32::try_from(days).unwrap_or(if days < 0 { i32::MIN } else { i32::MAX })
}

/// Days since 1970-01-01 of a `Date` expression, as `Int32` (the physical value).
pub fn epoch_day(date: Expr) -> Expr {
    date.cast(DataType::Int32)
}

/// [`epoch_day_number`] of `date` as an `Int32` literal, comparable with [`epoch_day`].
pub fn epoch_day_lit(date: NaiveDate) -> Expr {
    lit(epoch_day_number(date)).cast(DataType::Int32)
}

/// Whole calendar days from `earlier` to `later`, both `Date` (`Int32`; negative when
/// `later` is before `earlier`).
pub fn days_between_dates(later: Expr, earlier: Expr) -> Expr {
    epoch_day(later) - epoch_day(earlier)
}

/// Elapsed time from `earlier` to `later`, both `Datetime` of one time unit, in
/// fractional days of 24 h (`Float64`).
pub fn elapsed_days(later: Expr, earlier: Expr) -> Expr {
    (later - earlier)
        .dt()
        .total_microseconds(false)
        .cast(DataType::Float64)
        / lit(MICROS_PER_DAY)
}

/// `e` (a `Date` or `Datetime`) moved by `days` calendar days (negative: back), same
/// dtype. For a UTC datetime a day is 24 h; in a zone with daylight saving the local
/// clock time is kept.
pub fn add_days(e: Expr, days: i64) -> Expr {
    e.dt().offset_by(lit(format!("{days}d")))
}

/// Which right row an as-of join picks for a left row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AsOfDirection {
    /// The last right row whose key is ≤ the left key (< without exact matches).
    /// Default.
    #[default]
    Backward,
    /// The first right row whose key is ≥ the left key (> without exact matches).
    Forward,
    /// The right row with the nearest key.
    Nearest,
}

/// What an [`asof_join`] matches: keys, groups, direction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AsOfJoin {
    /// Order key of the left frame (numeric or temporal).
    pub left_on: String,
    /// Order key of the right frame, same dtype as `left_on`.
    pub right_on: String,
    /// Equality keys present in both frames; a match never crosses groups.
    /// Default: none.
    #[serde(default)]
    pub by: Vec<String>,
    /// Match direction. Default: [`AsOfDirection::Backward`].
    #[serde(default)]
    pub direction: AsOfDirection,
    /// Whether equal keys match. Default: `true`.
    #[serde(default = "default_true")]
    pub allow_exact_matches: bool,
    /// Suffix of right columns whose names clash with left columns. Default: `"_right"`.
    #[serde(default = "default_suffix")]
    pub suffix: String,
}

fn default_true() -> bool {
    true
}

fn default_suffix() -> String {
    "_right".to_string()
}

impl AsOfJoin {
    /// Match `left_on` to `right_on`, over the whole frames, backward, exact matches
    /// allowed.
    pub fn new(left_on: impl Into<String>, right_on: impl Into<String>) -> Self {
        Self {
            left_on: left_on.into(),
            right_on: right_on.into(),
            by: Vec::new(),
            direction: AsOfDirection::Backward,
            allow_exact_matches: true,
            suffix: default_suffix(),
        }
    }

    /// Match only within groups of equal `by` values.
    #[must_use]
    pub fn with_by<I, S>(mut self, by: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.by = by.into_iter().map(Into::into).collect();
        self
    }

    /// Set [`Self::direction`].
    #[must_use]
    pub fn with_direction(mut self, direction: AsOfDirection) -> Self {
        self.direction = direction;
        self
    }

    /// Set [`Self::allow_exact_matches`].
    #[must_use]
    pub fn with_allow_exact_matches(mut self, allow: bool) -> Self {
        self.allow_exact_matches = allow;
        self
    }

    /// Set [`Self::suffix`].
    #[must_use]
    pub fn with_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = suffix.into();
        self
    }

    fn sort_keys(&self, on: &str) -> Vec<Expr> {
        self.by
            .iter()
            .map(|b| col(b.as_str()))
            .chain([col(on)])
            .collect()
    }

    fn options(&self) -> AsOfOptions {
        let by: Vec<PlSmallStr> = self.by.iter().map(|b| b.as_str().into()).collect();
        AsOfOptions {
            strategy: match self.direction {
                AsOfDirection::Backward => AsofStrategy::Backward,
                AsOfDirection::Forward => AsofStrategy::Forward,
                AsOfDirection::Nearest => AsofStrategy::Nearest,
            },
            tolerance: None,
            tolerance_str: None,
            left_by: (!by.is_empty()).then(|| by.clone()),
            right_by: (!by.is_empty()).then_some(by),
            allow_eq: self.allow_exact_matches,
            // Both sides are sorted by `asof_join` itself; Polars cannot check the order
            // within `by` groups and would only warn.
            check_sortedness: false,
        }
    }
}

const LEFT_ROW: &str = "__asof_left_row";

/// As-of join that sorts both inputs by (`by`…, key) first, so unsorted input is
/// matched correctly (Polars' grouped as-of join assumes sorted groups without checking
/// and silently returns wrong matches otherwise).
///
/// For every left row: the right row of the same `by` group whose key is the nearest in
/// [`AsOfJoin::direction`]. Right rows with a null key or a null `by` value never match
/// (they are dropped first); a left row with a null key gets nulls. Among right rows with
/// equal keys, the last (backward) or first (forward) in the right input's order wins.
///
/// The output has one row per left row, **in the left input's order**: the left columns,
/// then the right columns except the `by` keys (and except `right_on` when it is named
/// like `left_on`), clashing names suffixed with [`AsOfJoin::suffix`]. Missing columns
/// and mismatched key dtypes are reported by Polars when the plan is resolved.
///
/// ```
/// use medallion_model::expr::{AsOfJoin, asof_join};
/// use polars::prelude::*;
///
/// // Unsorted inputs: the latest lab at or before each visit, per patient.
/// let labs = df!("patient" => ["a", "a"], "t" => [30i64, 10], "lab" => [2.0, 1.0])?;
/// let visits = df!("patient" => ["a", "a"], "t" => [25i64, 12], "visit" => ["v2", "v1"])?;
/// let spec = AsOfJoin::new("t", "t").with_by(["patient"]);
/// let out = asof_join(visits.lazy(), labs.lazy(), &spec).collect()?;
/// let lab: Vec<_> = out.column("lab")?.f64()?.into_no_null_iter().collect();
/// assert_eq!(lab, [1.0, 1.0]);
/// # Ok::<(), PolarsError>(())
/// ```
pub fn asof_join(left: LazyFrame, right: LazyFrame, spec: &AsOfJoin) -> LazyFrame {
    let right_valid = spec
        .by
        .iter()
        .fold(col(spec.right_on.as_str()).is_not_null(), |valid, b| {
            valid.and(col(b.as_str()).is_not_null())
        });
    let left = left
        .with_row_index(LEFT_ROW, None)
        .sort_by_exprs(spec.sort_keys(&spec.left_on), stable_sort());
    let right = right
        .filter(right_valid)
        .sort_by_exprs(spec.sort_keys(&spec.right_on), stable_sort());
    left.join_builder()
        .with(right)
        .left_on([col(spec.left_on.as_str())])
        .right_on([col(spec.right_on.as_str())])
        .how(JoinType::AsOf(Box::new(spec.options())))
        .suffix(spec.suffix.as_str())
        .finish()
        .sort([LEFT_ROW], SortMultipleOptions::default())
        .drop(by_name([LEFT_ROW], true, false))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn ordered_sum_and_mean_are_bit_identical_in_any_row_order() {
        // Values whose float sum depends on the order they are added in.
        let values = [1e16, 1.0, -1e16, 0.1, 0.2, 0.3, 3.7e-5, 1e-3];
        let forward: Vec<Option<f64>> = values.iter().copied().map(Some).chain([None]).collect();
        let mut backward = forward.clone();
        backward.reverse();
        let aggregate = |v: &[Option<f64>]| {
            let df = df!("x" => v, "g" => vec![1; v.len()]).unwrap();
            let out = collect(
                vec![ordered_sum(col("x")), ordered_mean(col("x")).alias("m")],
                df.clone(),
            );
            let grouped = df
                .lazy()
                .group_by([col("g")])
                .agg([ordered_mean(col("x")).alias("m")])
                .collect()
                .unwrap();
            let f = |df: &DataFrame, c: &str| df.column(c).unwrap().f64().unwrap().get(0).unwrap();
            (
                f(&out, "x").to_bits(),
                f(&out, "m").to_bits(),
                f(&grouped, "m").to_bits(),
            )
        };
        assert_eq!(aggregate(&forward), aggregate(&backward));
        let plain = |v: &[Option<f64>]| v.iter().flatten().sum::<f64>().to_bits();
        assert_ne!(
            plain(&forward),
            plain(&backward),
            "the fixture must be order-sensitive"
        );
    }

    #[test]
    fn ordered_sum_of_nothing_is_zero_and_ordered_mean_of_nothing_is_null() {
        let df = df!("x" => [None::<f64>]).unwrap();
        let out = collect(
            vec![
                ordered_sum(col("x")).alias("s"),
                ordered_mean(col("x")).alias("m"),
            ],
            df,
        );
        assert_eq!(out.column("s").unwrap().f64().unwrap().get(0), Some(0.0));
        assert_eq!(out.column("m").unwrap().f64().unwrap().get(0), None);
        let ints = df!("x" => [Some(1_i64), None, Some(2)]).unwrap();
        let out = collect(vec![ordered_mean(col("x"))], ints);
        assert_eq!(out.column("x").unwrap().f64().unwrap().get(0), Some(1.5));
    }

    fn collect(exprs: Vec<Expr>, df: DataFrame) -> DataFrame {
        df.lazy().select(exprs).collect().unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        let c = df.column(name).unwrap().cast(&DataType::String).unwrap();
        c.str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    #[test]
    fn stable_sort_keeps_input_order_of_ties_and_puts_nulls_last() {
        let df = df!("k" => [Some(2), None, Some(1), Some(2)], "i" => [0, 1, 2, 3]).unwrap();
        let out = df.lazy().sort(["k"], stable_sort()).collect().unwrap();
        let i: Vec<_> = out.column("i").unwrap().i32().unwrap().iter().collect();
        assert_eq!(i, [Some(2), Some(0), Some(3), Some(1)]);
    }

    #[test]
    fn typed_null_has_the_requested_dtype() {
        let out = collect(
            vec![typed_null(DataType::Date).alias("d")],
            df!("x" => [1]).unwrap(),
        );
        assert_eq!(out.column("d").unwrap().dtype(), &DataType::Date);
        assert_eq!(out.column("d").unwrap().null_count(), 1);
    }

    #[test]
    fn string_list_matches_exact_strings_and_keeps_null() {
        let df = df!("c" => [Some("a"), Some("A"), None]).unwrap();
        let values = ["a".to_string(), "b".to_string()];
        let out = collect(
            vec![col("c").is_in(string_list(&values), false).alias("m")],
            df,
        );
        let m: Vec<_> = out.column("m").unwrap().bool().unwrap().iter().collect();
        assert_eq!(m, [Some(true), Some(false), None]);
    }

    #[test]
    fn join_args_validation_rejects_a_duplicated_right_key() {
        let left = df!("k" => [1, 2]).unwrap().lazy();
        let right = df!("k" => [1, 1], "v" => [0, 1]).unwrap().lazy();
        let joined = left.join(
            right,
            [col("k")],
            [col("k")],
            join_args(JoinType::Left, JoinValidation::ManyToOne),
        );
        assert!(joined.collect().is_err());
    }

    #[test]
    fn ratio_is_null_when_the_denominator_is_zero_or_null() {
        let df = df!("n" => [1, 1, 3], "d" => [Some(0), None, Some(4)]).unwrap();
        let out = collect(vec![ratio(col("n"), col("d")).alias("r")], df);
        let r: Vec<_> = out.column("r").unwrap().f64().unwrap().iter().collect();
        assert_eq!(r, [None, None, Some(0.75)]);
    }

    #[test]
    fn epoch_day_counts_days_since_1970_both_ways() {
        assert_eq!(epoch_day_number(date(1970, 1, 1)), 0);
        assert_eq!(epoch_day_number(date(1970, 1, 11)), 10);
        assert_eq!(epoch_day_number(date(1969, 12, 31)), -1);
        let df = df!("d" => [date(1970, 1, 11)]).unwrap();
        let out = collect(
            vec![
                epoch_day(col("d")).alias("n"),
                epoch_day(col("d"))
                    .eq(epoch_day_lit(date(1970, 1, 11)))
                    .alias("same"),
            ],
            df,
        );
        assert_eq!(out.column("n").unwrap().i32().unwrap().get(0), Some(10));
        assert_eq!(
            out.column("same").unwrap().bool().unwrap().get(0),
            Some(true)
        );
    }

    #[test]
    fn days_between_dates_counts_calendar_days_across_a_leap_day() {
        let df = df!("a" => [date(2024, 2, 28)], "b" => [date(2024, 3, 1)]).unwrap();
        let out = collect(
            vec![
                days_between_dates(col("b"), col("a")).alias("forward"),
                days_between_dates(col("a"), col("b")).alias("back"),
            ],
            df,
        );
        assert_eq!(
            out.column("forward").unwrap().i32().unwrap().get(0),
            Some(2)
        );
        assert_eq!(out.column("back").unwrap().i32().unwrap().get(0), Some(-2));
    }

    #[test]
    fn elapsed_days_are_fractional_days_of_24_hours() {
        let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
        let hour = 3_600_000_000i64;
        let df = df!("a" => [0i64], "b" => [36 * hour]).unwrap();
        let out = df
            .lazy()
            .with_columns([col("a").cast(utc.clone()), col("b").cast(utc)])
            .select([elapsed_days(col("b"), col("a")).alias("days")])
            .collect()
            .unwrap();
        assert_eq!(out.column("days").unwrap().f64().unwrap().get(0), Some(1.5));
    }

    #[test]
    fn add_days_moves_dates_and_datetimes_keeping_the_dtype() {
        let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
        let df = df!("d" => [date(2024, 2, 28)], "t" => [0i64]).unwrap();
        let out = df
            .lazy()
            .with_column(col("t").cast(utc.clone()))
            .select([
                add_days(col("d"), 2).alias("d"),
                add_days(col("t"), -1).alias("t"),
            ])
            .collect()
            .unwrap();
        assert_eq!(strs(&out, "d"), [Some("2024-03-01".to_string())]);
        assert_eq!(out.column("t").unwrap().dtype(), &utc);
        let micros = out.column("t").unwrap().to_physical_repr();
        assert_eq!(micros.i64().unwrap().get(0), Some(-86_400_000_000));
    }

    fn visits_and_labs() -> (LazyFrame, LazyFrame) {
        let visits = df!(
            "patient" => ["a", "b", "a", "a"],
            "t" => [30i64, 5, 10, 20],
            "visit" => ["a30", "b5", "a10", "a20"],
        )
        .unwrap();
        let labs = df!(
            "patient" => [Some("a"), Some("a"), Some("b"), Some("a"), None],
            "t" => [Some(25i64), Some(10), Some(1), Some(5), Some(4)],
            "lab" => ["a25", "a10", "b1", "a5", "null-patient"],
        )
        .unwrap();
        (visits.lazy(), labs.lazy())
    }

    #[test]
    fn asof_join_sorts_unsorted_groups_and_keeps_the_left_order() {
        let (visits, labs) = visits_and_labs();
        let spec = AsOfJoin::new("t", "t").with_by(["patient"]);
        let out = asof_join(visits, labs, &spec).collect().unwrap();
        assert_eq!(
            strs(&out, "visit"),
            ["a30", "b5", "a10", "a20"].map(|s| Some(s.to_string()))
        );
        assert_eq!(
            strs(&out, "lab"),
            ["a25", "b1", "a10", "a10"].map(|s| Some(s.to_string()))
        );
    }

    #[test]
    fn asof_join_without_exact_matches_and_forward_direction() {
        let (visits, labs) = visits_and_labs();
        let strict = AsOfJoin::new("t", "t")
            .with_by(["patient"])
            .with_allow_exact_matches(false);
        let out = asof_join(visits.clone(), labs.clone(), &strict)
            .collect()
            .unwrap();
        assert_eq!(
            strs(&out, "lab"),
            ["a25", "b1", "a5", "a10"].map(|s| Some(s.to_string()))
        );
        let forward = AsOfJoin::new("t", "t")
            .with_by(["patient"])
            .with_direction(AsOfDirection::Forward);
        let out = asof_join(visits, labs, &forward).collect().unwrap();
        assert_eq!(
            strs(&out, "lab"),
            [None, None, Some("a10"), Some("a25")].map(|s| s.map(str::to_string))
        );
    }

    #[test]
    fn asof_join_spec_loads_from_partial_json() {
        let spec: AsOfJoin =
            serde_json::from_str(r#"{"left_on": "t", "right_on": "u", "direction": "forward"}"#)
                .unwrap();
        assert_eq!(
            spec,
            AsOfJoin::new("t", "u").with_direction(AsOfDirection::Forward)
        );
    }
}
