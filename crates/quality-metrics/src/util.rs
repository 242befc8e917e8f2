//! Expression helpers only this crate's metrics use (the shared ones are
//! `medallion_model::expr`).

use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{patients, require};

use crate::error::Result;

/// `patient_id` and `birth_date` of silver `patients`, one row per patient (the first).
pub(crate) fn patient_births(patients: LazyFrame) -> Result<LazyFrame> {
    use patients::{BIRTH_DATE, PATIENT_ID};
    let mut patients = patients;
    require(
        TableKind::Patients,
        &mut patients,
        &[PATIENT_ID, BIRTH_DATE],
    )?;
    Ok(patients
        .select([col(PATIENT_ID), col(BIRTH_DATE)])
        .unique_stable(Some(cols([PATIENT_ID])), UniqueKeepStrategy::First))
}

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
