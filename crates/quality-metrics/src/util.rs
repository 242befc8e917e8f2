//! Small expression and validation helpers shared by the metric modules.

use chrono::NaiveDate;
use polars::prelude::*;

/// A literal list of strings for `is_in`.
pub(crate) fn string_list(values: &[String]) -> Expr {
    lit(Series::new("values".into(), values)).implode(false)
}

/// Days since the Unix epoch of a `Date` expression (`Int32`).
pub(crate) fn day_num(e: Expr) -> Expr {
    e.cast(DataType::Int32)
}

/// Days since the Unix epoch of a date, as an `Int32` literal.
pub(crate) fn day_lit(d: NaiveDate) -> Expr {
    lit(days_since_epoch(d)).cast(DataType::Int32)
}

/// Days since the Unix epoch.
pub(crate) fn days_since_epoch(d: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((d - epoch).num_days()).unwrap_or(i32::MAX)
}

/// Elementwise maximum of two expressions; null when `a` is null.
pub(crate) fn max2(a: Expr, b: Expr) -> Expr {
    when(a.clone().lt(b.clone())).then(b).otherwise(a)
}

/// Elementwise minimum of two expressions; null when `a` is null.
pub(crate) fn min2(a: Expr, b: Expr) -> Expr {
    when(a.clone().gt(b.clone())).then(b).otherwise(a)
}

/// Typed null literal.
pub(crate) fn null_of(dt: DataType) -> Expr {
    lit(NULL).cast(dt)
}

/// Sort options: ascending, nulls last, stable.
pub(crate) fn sort_opts() -> SortMultipleOptions {
    SortMultipleOptions::default()
        .with_nulls_last(true)
        .with_maintain_order(true)
}

/// `a / b` as `Float64`, null when `b` is 0.
pub(crate) fn ratio(a: Expr, b: Expr) -> Expr {
    when(b.clone().eq(lit(0)))
        .then(null_of(DataType::Float64))
        .otherwise(a.cast(DataType::Float64) / b.cast(DataType::Float64))
}

/// `len()` as `UInt32`.
pub(crate) fn count_u32() -> Expr {
    len().cast(DataType::UInt32)
}

/// Cast to `UInt32` after summing a boolean.
pub(crate) fn sum_u32(e: Expr) -> Expr {
    e.cast(DataType::UInt32).sum().cast(DataType::UInt32)
}

/// Join arguments with a cardinality check.
pub(crate) fn join_args(how: JoinType, validation: JoinValidation) -> JoinArgs {
    let mut args = JoinArgs::new(how);
    args.validation = validation;
    args
}
