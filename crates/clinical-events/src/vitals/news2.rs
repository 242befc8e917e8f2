//! The National Early Warning Score 2 (NEWS2, Royal College of Physicians, 2017) as
//! Polars expressions: one sub-score per parameter, the aggregate, and the
//! clinical-response band.
//!
//! The chart (SpO2 scale 1; scale 2, for patients with hypercapnic respiratory failure
//! and a prescribed target of 88–92 %, is not implemented):
//!
//! | parameter | 3 | 2 | 1 | 0 | 1 | 2 | 3 |
//! |---|---|---|---|---|---|---|---|
//! | respiratory rate (/min) | ≤ 8 | | 9–11 | 12–20 | | 21–24 | ≥ 25 |
//! | SpO2 scale 1 (%) | ≤ 91 | 92–93 | 94–95 | ≥ 96 | | | |
//! | air or oxygen | | oxygen | | air | | | |
//! | systolic BP (mmHg) | ≤ 90 | 91–100 | 101–110 | 111–219 | | | ≥ 220 |
//! | pulse (/min) | ≤ 40 | | 41–50 | 51–90 | 91–110 | 111–130 | ≥ 131 |
//! | consciousness | | | | alert | | | new confusion, V, P or U |
//! | temperature (°C) | ≤ 35.0 | | 35.1–36.0 | 36.1–38.0 | 38.1–39.0 | ≥ 39.1 | |
//!
//! Temperature is rounded to one decimal before scoring (the chart's resolution).
//!
//! Clinical response ([`NEWS2_BAND`]), the first that applies:
//!
//! | band | when | response |
//! |---|---|---|
//! | `high` | aggregate ≥ 7 | emergency assessment by a team with critical-care competencies |
//! | `medium` | aggregate 5–6 | urgent review by a clinician competent in acute illness |
//! | `low-medium` | a single parameter scores 3 (a "red score") | urgent ward-based review |
//! | `low` | aggregate 0–4 | ward-based response, monitoring at least every 4–12 hours |
//!
//! A reading with a parameter missing (or not valid) keeps the sub-scores it has; its
//! aggregate and band are null (NEWS2 is defined over all seven parameters).
//!
//! ```
//! use clinical_events::vitals::news2::{NEWS2_BAND, NEWS2_SCORE, with_news2};
//! use polars::prelude::*;
//!
//! // RR 24 (2), SpO2 93 % (2) on air (0), SBP 105 (1), pulse 115 (2), alert (0), 38.5 °C (1).
//! let reading = df!(
//!     "respiratory_rate" => [24i32], "spo2" => [93i32], "supplemental_o2" => [false],
//!     "bp_systolic" => [105i32], "heart_rate" => [115i32], "consciousness" => ["A"],
//!     "temperature_c" => [38.5f64],
//! )?;
//! let scored = with_news2(reading.lazy()).collect()?;
//! assert_eq!(scored.column(NEWS2_SCORE)?.i32()?.get(0), Some(8));
//! assert_eq!(scored.column(NEWS2_BAND)?.str()?.get(0), Some("high"));
//! # Ok::<(), PolarsError>(())
//! ```

use medallion_model::expr::typed_null;
use polars::prelude::*;

use super::{
    BP_SYSTOLIC, CONSCIOUSNESS, HEART_RATE, NEWS2_INPUTS, RESPIRATORY_RATE, SPO2, SUPPLEMENTAL_O2,
};

/// Aggregate NEWS2 (`Int32`, 0–20; null when a parameter is missing).
pub const NEWS2_SCORE: &str = "news2_score";
/// Clinical-response band: `low`, `low-medium`, `medium` or `high` (`String`).
pub const NEWS2_BAND: &str = "news2_band";
/// Whether any single parameter scores 3 (`Boolean`).
pub const RED_SCORE: &str = "news2_red_score";

/// Band `low`.
pub const BAND_LOW: &str = "low";
/// Band `low-medium`.
pub const BAND_LOW_MEDIUM: &str = "low-medium";
/// Band `medium`.
pub const BAND_MEDIUM: &str = "medium";
/// Band `high`.
pub const BAND_HIGH: &str = "high";
/// The bands from lowest to highest risk.
pub const BANDS: [&str; 4] = [BAND_LOW, BAND_LOW_MEDIUM, BAND_MEDIUM, BAND_HIGH];

/// The sub-score column of a parameter, e.g. `news2_respiratory_rate` (`Int32`).
pub fn sub_score_column(parameter: &str) -> String {
    format!("news2_{parameter}")
}

/// Scores by inclusive upper bounds, ascending: the first `(upper, score)` with
/// `value ≤ upper`, else `above`; null stays null.
fn banded(value: Expr, bounds: &[(f64, i32)], above: i32) -> Expr {
    let mut scored = lit(above);
    for (upper, score) in bounds.iter().rev() {
        scored = when(value.clone().lt_eq(lit(*upper)))
            .then(lit(*score))
            .otherwise(scored);
    }
    when(value.is_null())
        .then(typed_null(DataType::Int32))
        .otherwise(scored)
        .cast(DataType::Int32)
}

/// Respiratory-rate sub-score.
pub fn respiratory_rate_score(rate: Expr) -> Expr {
    banded(rate, &[(8.0, 3), (11.0, 1), (20.0, 0), (24.0, 2)], 3)
}

/// SpO2 sub-score on scale 1.
pub fn spo2_scale1_score(spo2: Expr) -> Expr {
    banded(spo2, &[(91.0, 3), (93.0, 2), (95.0, 1)], 0)
}

/// Air-or-oxygen sub-score: 2 on supplemental oxygen, 0 on air.
pub fn supplemental_o2_score(on_oxygen: Expr) -> Expr {
    when(on_oxygen.clone().is_null())
        .then(typed_null(DataType::Int32))
        .when(on_oxygen)
        .then(lit(2i32))
        .otherwise(lit(0i32))
}

/// Systolic blood-pressure sub-score.
pub fn systolic_bp_score(systolic: Expr) -> Expr {
    banded(
        systolic,
        &[(90.0, 3), (100.0, 2), (110.0, 1), (219.0, 0)],
        3,
    )
}

/// Pulse sub-score.
pub fn heart_rate_score(rate: Expr) -> Expr {
    banded(
        rate,
        &[(40.0, 3), (50.0, 1), (90.0, 0), (110.0, 1), (130.0, 2)],
        3,
    )
}

/// Consciousness sub-score: `A` 0; `C`, `V`, `P`, `U` 3; anything else null.
pub fn consciousness_score(acvpu: Expr) -> Expr {
    let letters = Series::new("cvpu".into(), ["C", "V", "P", "U"]);
    when(acvpu.clone().eq(lit("A")))
        .then(lit(0i32))
        .when(acvpu.is_in(lit(letters).implode(false), false))
        .then(lit(3i32))
        .otherwise(typed_null(DataType::Int32))
}

/// Temperature sub-score (°C, rounded to one decimal first).
pub fn temperature_score(celsius: Expr) -> Expr {
    banded(
        celsius.round(1, RoundMode::HalfAwayFromZero),
        &[(35.0, 3), (36.0, 1), (38.0, 0), (39.0, 1)],
        2,
    )
}

/// The sub-score expression of one of [`NEWS2_INPUTS`].
fn score_of(parameter: &str) -> Expr {
    let value = col(parameter);
    match parameter {
        RESPIRATORY_RATE => respiratory_rate_score(value),
        SPO2 => spo2_scale1_score(value),
        SUPPLEMENTAL_O2 => supplemental_o2_score(value),
        BP_SYSTOLIC => systolic_bp_score(value),
        HEART_RATE => heart_rate_score(value),
        CONSCIOUSNESS => consciousness_score(value),
        _ => temperature_score(value),
    }
}

/// Adds the seven sub-score columns ([`sub_score_column`]), [`NEWS2_SCORE`],
/// [`RED_SCORE`] and [`NEWS2_BAND`] to a frame with the [`NEWS2_INPUTS`] columns.
pub fn with_news2(readings: LazyFrame) -> LazyFrame {
    let subs: Vec<String> = NEWS2_INPUTS.iter().map(|p| sub_score_column(p)).collect();
    let scores: Vec<Expr> = NEWS2_INPUTS
        .iter()
        .zip(&subs)
        .map(|(p, s)| score_of(p).alias(s.as_str()))
        .collect();
    let complete = subs
        .iter()
        .map(|s| col(s.as_str()).is_not_null())
        .reduce(|a, b| a.and(b))
        .unwrap_or(lit(false));
    let total = subs
        .iter()
        .map(|s| col(s.as_str()))
        .reduce(|a, b| a + b)
        .unwrap_or(lit(0i32));
    let red = subs
        .iter()
        .map(|s| col(s.as_str()).eq(lit(3i32)).fill_null(lit(false)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    readings
        .with_columns(scores)
        .with_columns([
            when(complete)
                .then(total)
                .otherwise(typed_null(DataType::Int32))
                .alias(NEWS2_SCORE),
            red.alias(RED_SCORE),
        ])
        .with_column(band(col(NEWS2_SCORE), col(RED_SCORE)).alias(NEWS2_BAND))
}

/// The clinical-response band of an aggregate and its red-score flag (null aggregate:
/// null band).
pub fn band(score: Expr, red_score: Expr) -> Expr {
    when(score.clone().is_null())
        .then(typed_null(DataType::String))
        .when(score.clone().gt_eq(lit(7i32)))
        .then(lit(BAND_HIGH))
        .when(score.gt_eq(lit(5i32)))
        .then(lit(BAND_MEDIUM))
        .when(red_score)
        .then(lit(BAND_LOW_MEDIUM))
        .otherwise(lit(BAND_LOW))
}
