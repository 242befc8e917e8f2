//! Rolling per-patient event counts with explicit window bounds.
//!
//! Polars' `RollingGroupOptions::default()` / `DynamicGroupOptions::default()` use
//! index-1 durations (a window of one row, not of a time span): this helper always sets
//! period, offset and the closed side explicitly. (The as-of join that sorts its inputs
//! first is `medallion_model::expr::asof_join`.)

use medallion_model::expr::{stable_sort, string_list};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::columns::*;
use crate::error::{Error, Result};

const COUNTED: &str = "__counted";

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
/// # Denominator
/// Not a rate.
///
/// # Numerator
/// The counted events in each row's window.
///
/// # Exclusions
/// Rows of other types than `count_types` are not counted; a row with a null time
/// gets a null count.
///
/// # Period
/// A trailing window of `window_days` days per row.
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
    let mut events = events;
    check_rolling_inputs(&mut events, config)?;
    let counted = match &config.count_types {
        Some(types) => col(config.type_column.as_str())
            .is_in(string_list(types), false)
            .fill_null(lit(false)),
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

/// Checks the window length, that `events` has the partition, time (a `Datetime`) and,
/// when types are filtered, type columns.
fn check_rolling_inputs(events: &mut LazyFrame, config: &RollingCountConfig) -> Result<()> {
    if config.window_days < 1 {
        return Err(Error::InvalidConfig {
            field: "window_days",
            value: config.window_days.to_string(),
            reason: "must be >= 1",
        });
    }
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
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

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
