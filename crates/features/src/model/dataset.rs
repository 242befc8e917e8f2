//! From a feature table to a numeric design matrix, and back to the same columns for
//! scoring: a [`Preprocessor`] learned on the training rows only.

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How one feature column becomes design-matrix columns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnEncoding {
    /// A numeric or boolean column: missing values become the training median, the
    /// value is standardized with the training mean and standard deviation, and a
    /// `<name>__missing` indicator follows when the training rows had nulls.
    Numeric {
        /// Column.
        name: String,
        /// Training median (the imputed value).
        median: f64,
        /// Training mean after imputation.
        mean: f64,
        /// Training standard deviation after imputation (1 when constant).
        std: f64,
        /// A missing indicator column follows.
        missing_indicator: bool,
    },
    /// A string column: one indicator per category seen in training (sorted); an
    /// unseen category or a null is all zeros.
    Categorical {
        /// Column.
        name: String,
        /// Categories, sorted.
        categories: Vec<String>,
    },
}

/// The encodings of all feature columns, learned on training rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Preprocessor {
    /// In design-matrix order.
    pub columns: Vec<ColumnEncoding>,
}

fn numeric_values(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let column = df.column(name).map_err(|_| Error::TrainingColumn {
        column: name.to_string(),
        reason: "missing from the feature table".into(),
    })?;
    let cast = column
        .cast(&DataType::Float64)
        .map_err(|_| Error::TrainingColumn {
            column: name.to_string(),
            reason: format!(
                "dtype {} is neither numeric, boolean nor string",
                column.dtype()
            ),
        })?;
    Ok(cast.f64()?.iter().collect())
}

fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let m = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[m - 1] + values[m]) / 2.0
    } else {
        values[m]
    }
}

impl Preprocessor {
    /// Learns the encodings of `features` on `train`.
    ///
    /// # Errors
    /// [`Error::TrainingColumn`] for a missing column or an unusable dtype.
    pub fn fit(train: &DataFrame, features: &[String]) -> Result<Self> {
        let mut columns = Vec::with_capacity(features.len());
        for name in features {
            let column = train.column(name).map_err(|_| Error::TrainingColumn {
                column: name.clone(),
                reason: "missing from the feature table".into(),
            })?;
            if column.dtype() == &DataType::String {
                let mut categories: Vec<String> =
                    column.str()?.iter().flatten().map(str::to_string).collect();
                categories.sort();
                categories.dedup();
                columns.push(ColumnEncoding::Categorical {
                    name: name.clone(),
                    categories,
                });
                continue;
            }
            let values = numeric_values(train, name)?;
            let mut present: Vec<f64> = values.iter().flatten().copied().collect();
            let missing_indicator = present.len() < values.len();
            let median = median(&mut present);
            let filled: Vec<f64> = values.iter().map(|v| v.unwrap_or(median)).collect();
            let n = filled.len().max(1) as f64;
            let mean = filled.iter().sum::<f64>() / n;
            let var = filled.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            let std = if var > 1e-24 { var.sqrt() } else { 1.0 };
            columns.push(ColumnEncoding::Numeric {
                name: name.clone(),
                median,
                mean,
                std,
                missing_indicator,
            });
        }
        Ok(Self { columns })
    }

    /// Names of the design-matrix columns.
    pub fn output_names(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.columns {
            match c {
                ColumnEncoding::Numeric {
                    name,
                    missing_indicator,
                    ..
                } => {
                    out.push(name.clone());
                    if *missing_indicator {
                        out.push(format!("{name}__missing"));
                    }
                }
                ColumnEncoding::Categorical { name, categories } => {
                    out.extend(categories.iter().map(|k| format!("{name}={k}")));
                }
            }
        }
        out
    }

    /// The design matrix of `df`, row-major.
    ///
    /// # Errors
    /// [`Error::TrainingColumn`] for a missing column or an unusable dtype.
    pub fn transform(&self, df: &DataFrame) -> Result<Vec<Vec<f64>>> {
        let n = df.height();
        let width = self.output_names().len();
        let mut rows = vec![Vec::with_capacity(width); n];
        for c in &self.columns {
            match c {
                ColumnEncoding::Numeric {
                    name,
                    median,
                    mean,
                    std,
                    missing_indicator,
                } => {
                    for (row, v) in rows.iter_mut().zip(numeric_values(df, name)?) {
                        row.push((v.unwrap_or(*median) - mean) / std);
                        if *missing_indicator {
                            row.push(f64::from(u8::from(v.is_none())));
                        }
                    }
                }
                ColumnEncoding::Categorical { name, categories } => {
                    let column = df.column(name).map_err(|_| Error::TrainingColumn {
                        column: name.clone(),
                        reason: "missing from the table to score".into(),
                    })?;
                    let values = column.str().map_err(|_| Error::TrainingColumn {
                        column: name.clone(),
                        reason: "was a string column in training".into(),
                    })?;
                    for (row, v) in rows.iter_mut().zip(values.iter()) {
                        row.extend(
                            categories
                                .iter()
                                .map(|k| f64::from(u8::from(v == Some(k.as_str())))),
                        );
                    }
                }
            }
        }
        Ok(rows)
    }
}

/// The label column as booleans; rows with a null label must be filtered out before.
///
/// # Errors
/// [`Error::TrainingColumn`] for a missing, non-boolean or null-containing column.
pub fn labels(df: &DataFrame, label: &str) -> Result<Vec<bool>> {
    let bad = |reason: &str| Error::TrainingColumn {
        column: label.to_string(),
        reason: reason.to_string(),
    };
    let column = df
        .column(label)
        .map_err(|_| bad("missing from the feature table"))?;
    let values = column.bool().map_err(|_| bad("is not Boolean"))?;
    values
        .iter()
        .map(|v| v.ok_or_else(|| bad("has nulls (filter unlabeled rows first)")))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn numeric_columns_are_imputed_standardized_and_flagged_missing() {
        let train = df!("x" => [Some(1.0), None, Some(3.0)], "g" => ["b", "a", "b"]).unwrap();
        let p = Preprocessor::fit(&train, &["x".into(), "g".into()]).unwrap();
        assert_eq!(p.output_names(), ["x", "x__missing", "g=a", "g=b"]);
        let test = df!("x" => [None::<f64>], "g" => ["c"]).unwrap();
        // Imputed with the median 2 = the mean → 0; unseen category → zeros.
        assert_eq!(p.transform(&test).unwrap(), [vec![0.0, 1.0, 0.0, 0.0]]);
    }
}
