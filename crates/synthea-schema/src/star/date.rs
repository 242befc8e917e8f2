//! The date dimension.

use chrono::{Datelike, NaiveDate, Weekday};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, PolarsContext, Result};

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

/// The date dimension for every day of `[start, end]` (both inclusive), one row per day,
/// sorted by date.
///
/// Columns: `date_key` (`Int32` yyyymmdd), `date` (`Date`), `year` (`Int32`), `quarter`,
/// `month`, `day` (`Int8`), `day_of_week` (`Int8`, ISO: Monday = 1 … Sunday = 7),
/// `is_weekend` (`Boolean`, Saturday/Sunday), `fiscal_year` (`Int32`), `fiscal_quarter`
/// (`Int8`, 1–4 counted from [`DateDimConfig::fiscal_year_start_month`]).
///
/// # Errors
/// [`Error::InvalidConfig`] when `end < start` or the fiscal start month is not 1–12.
pub fn dim_date(start: NaiveDate, end: NaiveDate, config: &DateDimConfig) -> Result<LazyFrame> {
    let fm = config.fiscal_year_start_month;
    if !(1..=12).contains(&fm) {
        return Err(Error::InvalidConfig {
            field: "fiscal_year_start_month",
            value: fm.to_string(),
            reason: "must be a month number 1-12".to_string(),
        });
    }
    if end < start {
        return Err(Error::InvalidConfig {
            field: "dim_date range",
            value: format!("{start}..{end}"),
            reason: "end must not be before start".to_string(),
        });
    }
    let mut keys = Vec::new();
    let mut dates = Vec::new();
    let mut years = Vec::new();
    let mut quarters = Vec::new();
    let mut months = Vec::new();
    let mut days = Vec::new();
    let mut dows = Vec::new();
    let mut weekends = Vec::new();
    let mut fiscal_years = Vec::new();
    let mut fiscal_quarters = Vec::new();
    for d in start.iter_days().take_while(|d| *d <= end) {
        let month = d.month();
        keys.push(date_key_of(d));
        dates.push(d);
        years.push(d.year());
        quarters.push(small((month - 1) / 3 + 1));
        months.push(small(month));
        days.push(small(d.day()));
        dows.push(small(d.weekday().number_from_monday()));
        weekends.push(matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
        let fiscal_index = (month + 12 - fm) % 12;
        fiscal_quarters.push(small(fiscal_index / 3 + 1));
        fiscal_years.push(if fm == 1 || month < fm {
            d.year()
        } else {
            d.year() + 1
        });
    }
    let df = df!(
        "date_key" => keys,
        "date" => dates,
        "year" => years,
        "quarter" => quarters,
        "month" => months,
        "day" => days,
        "day_of_week" => dows,
        "is_weekend" => weekends,
        "fiscal_year" => fiscal_years,
        "fiscal_quarter" => fiscal_quarters,
    )
    .ctx(|| "building dim_date".to_string())?;
    Ok(df.lazy())
}

fn small(v: u32) -> i8 {
    i8::try_from(v).unwrap_or(i8::MAX)
}

/// Contract of [`dim_date`].
pub fn dim_date_schema() -> Schema {
    Schema::from_iter([
        Field::new("date_key".into(), DataType::Int32),
        Field::new("date".into(), DataType::Date),
        Field::new("year".into(), DataType::Int32),
        Field::new("quarter".into(), DataType::Int8),
        Field::new("month".into(), DataType::Int8),
        Field::new("day".into(), DataType::Int8),
        Field::new("day_of_week".into(), DataType::Int8),
        Field::new("is_weekend".into(), DataType::Boolean),
        Field::new("fiscal_year".into(), DataType::Int32),
        Field::new("fiscal_quarter".into(), DataType::Int8),
    ])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dim_date_covers_the_inclusive_range_with_calendar_attributes() {
        let mut lf = dim_date(d(2023, 12, 30), d(2024, 1, 2), &DateDimConfig::default()).unwrap();
        assert_eq!(lf.collect_schema().unwrap().as_ref(), &dim_date_schema());
        let df = lf.collect().unwrap();
        assert_eq!(df.height(), 4);
        let key = df.column("date_key").unwrap().i32().unwrap();
        assert_eq!(key.get(0), Some(20231230));
        assert_eq!(key.get(3), Some(20240102));
        // 2023-12-30 is a Saturday, 2024-01-01 a Monday.
        let dow = df.column("day_of_week").unwrap().i8().unwrap();
        assert_eq!(dow.get(0), Some(6));
        assert_eq!(dow.get(2), Some(1));
        let weekend = df.column("is_weekend").unwrap().bool().unwrap();
        assert_eq!(
            [weekend.get(0), weekend.get(1), weekend.get(2)],
            [Some(true), Some(true), Some(false)]
        );
        let q = df.column("quarter").unwrap().i8().unwrap();
        assert_eq!([q.get(0), q.get(3)], [Some(4), Some(1)]);
    }

    #[test]
    fn fiscal_quarter_follows_the_configured_start_month() {
        let cfg = DateDimConfig::default().with_fiscal_year_start_month(10);
        let df = dim_date(d(2023, 9, 30), d(2023, 10, 1), &cfg)
            .unwrap()
            .collect()
            .unwrap();
        let fq = df.column("fiscal_quarter").unwrap().i8().unwrap();
        let fy = df.column("fiscal_year").unwrap().i32().unwrap();
        assert_eq!([fq.get(0), fq.get(1)], [Some(4), Some(1)]);
        assert_eq!([fy.get(0), fy.get(1)], [Some(2023), Some(2024)]);
    }

    #[test]
    fn dim_date_rejects_bad_ranges_and_months() {
        assert!(dim_date(d(2024, 1, 2), d(2024, 1, 1), &DateDimConfig::default()).is_err());
        let cfg = DateDimConfig::default().with_fiscal_year_start_month(13);
        assert!(dim_date(d(2024, 1, 1), d(2024, 1, 1), &cfg).is_err());
    }

    #[test]
    fn date_key_expr_matches_scalar_key() {
        let df = df!("d" => [d(1999, 1, 9), d(2024, 12, 31)]).unwrap();
        let out = df
            .lazy()
            .select([date_key(col("d")).alias("k")])
            .collect()
            .unwrap();
        let k = out.column("k").unwrap().i32().unwrap();
        assert_eq!(k.get(0), Some(date_key_of(d(1999, 1, 9))));
        assert_eq!(k.get(1), Some(20241231));
    }
}
