//! Predictions for the dashboards: `gold/patient_risk_scores`.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::train::RiskModel;
use crate::columns::{AS_OF_DATE, PATIENT_ID};
use crate::error::Result;

/// Name of the gold table of predictions.
pub const RISK_SCORES_TABLE: &str = "patient_risk_scores";

/// Risk bands relative to the model's baseline risk (its training prevalence): `low`
/// below `medium_ratio` × baseline, `high` from `high_ratio` × baseline, `medium`
/// between.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskBands {
    /// Default: 1.0 (above-average risk is at least medium).
    pub medium_ratio: f64,
    /// Default: 3.0.
    pub high_ratio: f64,
}

impl Default for RiskBands {
    fn default() -> Self {
        Self {
            medium_ratio: 1.0,
            high_ratio: 3.0,
        }
    }
}

impl RiskBands {
    /// The band of `score` for a model with baseline risk `prior`.
    pub fn band(&self, score: f64, prior: f64) -> &'static str {
        if score >= self.high_ratio * prior {
            "high"
        } else if score >= self.medium_ratio * prior {
            "medium"
        } else {
            "low"
        }
    }
}

/// Scores every row of `table` (a feature store frame): one row per (patient, as-of
/// date) with `model_name`, `model_version`, `label`, `score` (Float64) and
/// `risk_band` (`low`/`medium`/`high`, [`RiskBands`]).
///
/// # Errors
/// Missing or mistyped feature columns; learner errors.
pub fn risk_scores(table: &DataFrame, model: &RiskModel, bands: &RiskBands) -> Result<DataFrame> {
    let scores = model.score(table)?;
    let band: Vec<&str> = scores.iter().map(|s| bands.band(*s, model.prior)).collect();
    let n = table.height();
    let out = DataFrame::new_infer_height(vec![
        table.column(PATIENT_ID)?.clone(),
        table.column(AS_OF_DATE)?.clone(),
        Column::new("model_name".into(), vec![model.name.clone(); n]),
        Column::new("model_version".into(), vec![model.version.clone(); n]),
        Column::new("label".into(), vec![model.label.clone(); n]),
        Column::new("score".into(), scores),
        Column::new("risk_band".into(), band),
    ])?;
    Ok(out)
}
