//! The date dimension.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::{Error, PolarsContext, Result};

pub use medallion_model::calendar::{
    DEFAULT_FISCAL_YEAR_START_MONTH, DateDimConfig, date_key, date_key_of,
};

/// The date dimension for every day of `[start, end]` (both inclusive), one row per day,
/// sorted by date: [`medallion_model::calendar::dim_date`], the workspace's one
/// calendar, with its columns ([`dim_date_schema`]).
///
/// # Errors
/// [`Error::InvalidConfig`] when `end < start` or the fiscal start month is not 1–12.
pub fn dim_date(start: NaiveDate, end: NaiveDate, config: &DateDimConfig) -> Result<LazyFrame> {
    config.validate().map_err(|reason| Error::InvalidConfig {
        field: "fiscal_year_start_month",
        value: config.fiscal_year_start_month.to_string(),
        reason,
    })?;
    if end < start {
        return Err(Error::InvalidConfig {
            field: "dim_date range",
            value: format!("{start}..{end}"),
            reason: "end must not be before start".to_string(),
        });
    }
    medallion_model::calendar::dim_date(start, end, config).ctx(|| "building dim_date".to_string())
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
        Field::new("day_name".into(), DataType::String),
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
