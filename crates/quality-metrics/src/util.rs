//! Expression helpers only this crate's metrics use (the shared ones are
//! `medallion_model::expr`).

use polars::prelude::*;

/// Elementwise maximum of two expressions; null when `a` is null.
pub(crate) fn max2(a: Expr, b: Expr) -> Expr {
    when(a.clone().lt(b.clone())).then(b).otherwise(a)
}

/// Elementwise minimum of two expressions; null when `a` is null.
pub(crate) fn min2(a: Expr, b: Expr) -> Expr {
    when(a.clone().gt(b.clone())).then(b).otherwise(a)
}

/// `len()` as `UInt32`.
pub(crate) fn count_u32() -> Expr {
    len().cast(DataType::UInt32)
}

/// The number of `true` values of a boolean expression, as `UInt32`.
pub(crate) fn sum_u32(e: Expr) -> Expr {
    e.cast(DataType::UInt32).sum().cast(DataType::UInt32)
}
