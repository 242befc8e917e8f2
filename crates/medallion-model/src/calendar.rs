//! The calendar: the one date dimension and date key every star schema of the workspace
//! uses.
//!
//! ```
//! use chrono::NaiveDate;
//! use medallion_model::calendar::{DateDimConfig, dim_date};
//!
//! let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap_or_default();
//! let config = DateDimConfig::default().with_fiscal_year_start_month(10);
//! let days = dim_date(d(9, 30), d(10, 1), &config)?.collect()?;
//! assert_eq!(days.column("date_key")?.i32()?.get(1), Some(20231001));
//! assert_eq!(days.column("day_name")?.str()?.get(0), Some("Saturday"));
//! // Fiscal years are named after the calendar year they end in.
//! assert_eq!(days.column("fiscal_year")?.i32()?.get(0), Some(2023));
//! assert_eq!(days.column("fiscal_year")?.i32()?.get(1), Some(2024));
//! # Ok::<(), polars::prelude::PolarsError>(())
//! ```

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::expr::epoch_day_number;

/// Default first month of the fiscal year (January: fiscal = calendar year).
pub const DEFAULT_FISCAL_YEAR_START_MONTH: u32 = 1;

/// Configuration of [`dim_date`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DateDimConfig {
    /// First month (1–12) of the fiscal year. Default:
    /// [`DEFAULT_FISCAL_YEAR_START_MONTH`] (1). The fiscal year is named after the
    /// calendar year in which it **ends** (start month 10: 2023-10-01 is in FY 2024).
    /// [`DateDimConfig::validate`] rejects other values.
    pub fiscal_year_start_month: u32,
}

impl Default for DateDimConfig {
    fn default() -> Self {
        Self {
            fiscal_year_start_month: DEFAULT_FISCAL_YEAR_START_MONTH,
        }
    }
}

impl DateDimConfig {
    /// Set [`Self::fiscal_year_start_month`].
    pub fn with_fiscal_year_start_month(mut self, month: u32) -> Self {
        self.fiscal_year_start_month = month;
        self
    }

    /// Why the configuration is unusable, if it is.
    ///
    /// # Errors
    /// A message naming the field when the fiscal start month is not 1–12.
    pub fn validate(&self) -> Result<(), String> {
        if (1..=12).contains(&self.fiscal_year_start_month) {
            Ok(())
        } else {
            Err(format!(
                "fiscal_year_start_month must be a month number 1-12, got {}",
                self.fiscal_year_start_month
            ))
        }
    }
}

/// Column names of [`dim_date`].
pub mod columns {
    /// `Int32` yyyymmdd key.
    pub const DATE_KEY: &str = "date_key";
    /// `Date`.
    pub const DATE: &str = "date";
    /// `Int32` calendar year.
    pub const YEAR: &str = "year";
    /// `Int8` calendar quarter 1–4.
    pub const QUARTER: &str = "quarter";
    /// `Int8` month 1–12.
    pub const MONTH: &str = "month";
    /// `Int8` day of month.
    pub const DAY: &str = "day";
    /// `Int8` ISO day of week (Monday = 1 … Sunday = 7).
    pub const DAY_OF_WEEK: &str = "day_of_week";
    /// English day name (`Monday`).
    pub const DAY_NAME: &str = "day_name";
    /// `Boolean`: Saturday or Sunday.
    pub const IS_WEEKEND: &str = "is_weekend";
    /// `Int32` fiscal year (named after the calendar year it ends in).
    pub const FISCAL_YEAR: &str = "fiscal_year";
    /// `Int8` fiscal quarter 1–4.
    pub const FISCAL_QUARTER: &str = "fiscal_quarter";
}

/// Integer `yyyymmdd` key of a `Date` (or datetime, via its calendar date) expression,
/// as `Int32`; null stays null.
pub fn date_key(date: Expr) -> Expr {
    (date.clone().dt().year().cast(DataType::Int32) * lit(10_000i32)
        + date.clone().dt().month().cast(DataType::Int32) * lit(100i32)
        + date.dt().day().cast(DataType::Int32))
    .cast(DataType::Int32)
}

/// The `yyyymmdd` key of a date.
pub fn date_key_of(date: NaiveDate) -> i32 {
    date.year() * 10_000 + i32::try_from(date.month() * 100 + date.day()).unwrap_or(0)
}

/// The date dimension for every day of `[first, last]` (both inclusive), one row per
/// day, sorted by date; empty when `last < first`.
///
/// Columns (see [`columns`]): `date_key` (`Int32` yyyymmdd), `date` (`Date`), `year`
/// (`Int32`), `quarter`, `month`, `day` (`Int8`), `day_of_week` (`Int8`, ISO: Monday =
/// 1 … Sunday = 7), `day_name` (English), `is_weekend` (`Boolean`, Saturday/Sunday),
/// `fiscal_year` (`Int32`), `fiscal_quarter` (`Int8`, 1–4 counted from
/// [`DateDimConfig::fiscal_year_start_month`]).
///
/// # Errors
/// A [`PolarsError::InvalidOperation`] naming the field for an invalid configuration
/// ([`DateDimConfig::validate`]).
pub fn dim_date(
    first: NaiveDate,
    last: NaiveDate,
    config: &DateDimConfig,
) -> PolarsResult<LazyFrame> {
    let bounds = df!(
        "__from" => [epoch_day_number(first)],
        "__to" => [epoch_day_number(last)],
    )
    .map(DataFrame::lazy)?;
    dim_date_between(bounds, "__from", "__to", config)
}

/// [`dim_date`] over the days `[from, to]` given as epoch-day numbers (`Int32`, as
/// [`epoch_day_number`]) in the first row of `bounds` — for a range only known when the
/// plan runs (e.g. the first and last event of a table).
///
/// # Errors
/// As [`dim_date`].
pub fn dim_date_between(
    bounds: LazyFrame,
    from: &str,
    to: &str,
    config: &DateDimConfig,
) -> PolarsResult<LazyFrame> {
    use columns::*;
    config
        .validate()
        .map_err(|reason| polars_err!(InvalidOperation: "{reason}"))?;
    let fiscal_start = i8::try_from(config.fiscal_year_start_month).unwrap_or(1);
    let date = col(DATE);
    let month = date.clone().dt().month();
    let days = bounds.select([int_range(
        col(from).cast(DataType::Int32).first(),
        col(to).cast(DataType::Int32).first() + lit(1),
        1,
        DataType::Int32,
    )
    .cast(DataType::Date)
    .alias(DATE)]);
    Ok(days.select([
        date_key(date.clone()).alias(DATE_KEY),
        date.clone(),
        date.clone().dt().year().alias(YEAR),
        date.clone().dt().quarter().alias(QUARTER),
        month.clone().alias(MONTH),
        date.clone().dt().day().alias(DAY),
        date.clone().dt().weekday().alias(DAY_OF_WEEK),
        date.clone().dt().strftime("%A").alias(DAY_NAME),
        date.clone()
            .dt()
            .weekday()
            .gt_eq(lit(6i8))
            .alias(IS_WEEKEND),
        fiscal_year(date.clone(), month.clone(), fiscal_start).alias(FISCAL_YEAR),
        fiscal_quarter(month, fiscal_start).alias(FISCAL_QUARTER),
    ]))
}

/// The fiscal year: the calendar year, plus one from the start month on (unless the
/// fiscal year starts in January).
fn fiscal_year(date: Expr, month: Expr, start: i8) -> Expr {
    let year = date.dt().year().cast(DataType::Int32);
    if start <= 1 {
        return year;
    }
    when(month.gt_eq(lit(start)))
        .then(year.clone() + lit(1i32))
        .otherwise(year)
}

/// The fiscal quarter 1–4, counted from the start month.
fn fiscal_quarter(month: Expr, start: i8) -> Expr {
    let index =
        (month.cast(DataType::Int32) + lit(12i32) - lit(i32::from(start.max(1)))) % lit(12i32);
    (index / lit(3i32) + lit(1i32)).cast(DataType::Int8)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn one_row_per_day_inclusive_with_iso_weekdays_and_weekends() {
        let days = dim_date(day(2024, 2, 28), day(2024, 3, 3), &DateDimConfig::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(days.height(), 5, "leap day included");
        let dow: Vec<Option<i8>> = days
            .column("day_of_week")
            .unwrap()
            .i8()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(dow, [Some(3), Some(4), Some(5), Some(6), Some(7)]);
        let weekend: Vec<Option<bool>> = days
            .column("is_weekend")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(
            weekend,
            [
                Some(false),
                Some(false),
                Some(false),
                Some(true),
                Some(true)
            ]
        );
        assert_eq!(
            days.column("date_key").unwrap().i32().unwrap().get(1),
            Some(20240229)
        );
    }

    #[test]
    fn fiscal_year_is_named_after_the_year_it_ends_in() {
        let config = DateDimConfig::default().with_fiscal_year_start_month(7);
        let days = dim_date(day(2024, 6, 30), day(2024, 7, 1), &config)
            .unwrap()
            .collect()
            .unwrap();
        let fy: Vec<Option<i32>> = days
            .column("fiscal_year")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        let fq: Vec<Option<i8>> = days
            .column("fiscal_quarter")
            .unwrap()
            .i8()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(fy, [Some(2024), Some(2025)]);
        assert_eq!(fq, [Some(4), Some(1)]);
    }

    #[test]
    fn january_fiscal_years_are_calendar_years() {
        let days = dim_date(
            day(2023, 12, 31),
            day(2024, 1, 1),
            &DateDimConfig::default(),
        )
        .unwrap()
        .collect()
        .unwrap();
        let fy: Vec<Option<i32>> = days
            .column("fiscal_year")
            .unwrap()
            .i32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(fy, [Some(2023), Some(2024)]);
        let q: Vec<Option<i8>> = days
            .column("fiscal_quarter")
            .unwrap()
            .i8()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(q, [Some(4), Some(1)]);
    }

    #[test]
    fn an_inverted_range_is_empty() {
        let days = dim_date(day(2024, 1, 2), day(2024, 1, 1), &DateDimConfig::default())
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(days.height(), 0);
        assert_eq!(days.width(), 11);
    }

    #[test]
    fn an_invalid_fiscal_start_month_is_named() {
        let config = DateDimConfig::default().with_fiscal_year_start_month(13);
        assert!(
            config
                .validate()
                .unwrap_err()
                .contains("fiscal_year_start_month")
        );
        let Err(err) = dim_date(day(2024, 1, 1), day(2024, 1, 2), &config) else {
            panic!("an invalid fiscal start month was accepted");
        };
        assert!(err.to_string().contains("fiscal_year_start_month"), "{err}");
    }

    #[test]
    fn date_keys_agree_between_expression_and_value() {
        let d = day(2031, 11, 5);
        let frame = df!("d" => [d]).unwrap().lazy().select([date_key(col("d"))]);
        let key = frame
            .collect()
            .unwrap()
            .column("d")
            .unwrap()
            .i32()
            .unwrap()
            .get(0);
        assert_eq!(key, Some(date_key_of(d)));
    }
}
