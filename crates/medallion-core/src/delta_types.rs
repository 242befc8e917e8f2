//! Mapping Polars types onto the types Delta Lake can store.
//!
//! Delta's type system is narrower than Polars': no unsigned integers, timestamps only
//! in microseconds, no durations, times, categoricals or 128-bit integers. Writers call
//! [`delta_compatible`] so a frame either gets a lossless widening cast or a clear error
//! naming the column — never a silently truncated value.

use polars::prelude::*;

use crate::error::{Error, Result};

/// The Delta-storable type for `dtype`, or `None` when there is none.
///
/// | Polars | stored as |
/// |---|---|
/// | `UInt8` / `UInt16` / `UInt32` | `Int16` / `Int32` / `Int64` (lossless) |
/// | `UInt64` | `Int64` (strict cast: values above `i64::MAX` fail the write) |
/// | `Float16` | `Float32` |
/// | `Datetime(ns or ms, tz)` | `Datetime(µs, tz)` (ns precision is truncated to µs) |
/// | `Categorical`, `Enum` | `String` |
/// | `List`, `Array`, `Struct` | element types mapped recursively (`Array` → `List`) |
/// | `Duration`, `Time`, `Null`, `Object`, 128-bit ints | not storable |
pub fn delta_type_for(dtype: &DataType) -> Option<DataType> {
    Some(match dtype {
        DataType::UInt8 => DataType::Int16,
        DataType::UInt16 => DataType::Int32,
        DataType::UInt32 | DataType::UInt64 => DataType::Int64,
        DataType::Float16 => DataType::Float32,
        DataType::Datetime(_, tz) => DataType::Datetime(TimeUnit::Microseconds, tz.clone()),
        DataType::Categorical(_, _) | DataType::Enum(_, _) => DataType::String,
        DataType::List(inner) | DataType::Array(inner, _) => {
            DataType::List(Box::new(delta_type_for(inner)?))
        }
        DataType::Struct(fields) => DataType::Struct(
            fields
                .iter()
                .map(|f| Some(Field::new(f.name().clone(), delta_type_for(f.dtype())?)))
                .collect::<Option<Vec<_>>>()?,
        ),
        DataType::Duration(_)
        | DataType::Time
        | DataType::Null
        | DataType::Int128
        | DataType::UInt128
        | DataType::Unknown(_) => return None,
        other => other.clone(),
    })
}

/// Casts every column of `lf` to its Delta-storable type.
///
/// # Errors
/// [`Error::UnsupportedColumnType`] naming the first column that Delta cannot store, or a
/// Polars error if the schema cannot be resolved.
pub fn delta_compatible(lf: LazyFrame, table: &str) -> Result<LazyFrame> {
    let mut lf = lf;
    let schema = lf
        .collect_schema()
        .map_err(|e| Error::polars(table, "write", e))?;
    let mut casts = Vec::new();
    for (name, dtype) in schema.iter() {
        let target = delta_type_for(dtype).ok_or_else(|| Error::UnsupportedColumnType {
            table: table.to_string(),
            column: name.to_string(),
            dtype: dtype.to_string(),
        })?;
        if &target != dtype {
            casts.push(col(name.clone()).strict_cast(target));
        }
    }
    Ok(if casts.is_empty() {
        lf
    } else {
        lf.with_columns(casts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_integers_widen_losslessly() {
        assert_eq!(delta_type_for(&DataType::UInt8), Some(DataType::Int16));
        assert_eq!(delta_type_for(&DataType::UInt32), Some(DataType::Int64));
    }

    #[test]
    fn nanosecond_datetimes_are_stored_in_microseconds_keeping_the_zone() {
        let ns = DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC));
        assert_eq!(
            delta_type_for(&ns),
            Some(DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC)
            ))
        );
    }

    #[test]
    fn durations_are_rejected_with_the_column_name() {
        let df = df!("wait" => [1i64]).unwrap();
        let lf = df
            .lazy()
            .with_column(col("wait").cast(DataType::Duration(TimeUnit::Microseconds)));
        let err = delta_compatible(lf, "t").err().unwrap();
        assert!(matches!(err, Error::UnsupportedColumnType { ref column, .. } if column == "wait"));
    }

    #[test]
    fn nested_unsigned_inside_list_is_widened() {
        let dt = DataType::List(Box::new(DataType::UInt16));
        assert_eq!(
            delta_type_for(&dt),
            Some(DataType::List(Box::new(DataType::Int32)))
        );
    }
}
