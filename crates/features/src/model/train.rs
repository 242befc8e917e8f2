//! Train both models on a feature table and evaluate them on held-out patients.

use medallion_model::hash::stable_hash_parts;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::dataset::{Preprocessor, labels};
use super::metrics::{Evaluation, evaluate};
use super::models::{ForestModel, LogisticModel, ModelConfig, oversample, prior_correct};
use super::split::patient_split;
use crate::columns::{AS_OF_DATE, PATIENT_ID};
use crate::error::{Error, Result};

/// Which learner.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Learner {
    /// [`LogisticModel`].
    LogisticRegression(LogisticModel),
    /// [`ForestModel`].
    RandomForest(ForestModel),
}

/// A trained risk model: preprocessing, learner, and the priors of its prior correction.
#[derive(Debug, Serialize, Deserialize)]
pub struct RiskModel {
    /// `logistic_regression` or `random_forest`.
    pub name: String,
    /// Label column it predicts.
    pub label: String,
    /// Version: name, label and a hash of the features, config and feature store version.
    pub version: String,
    /// Feature columns it reads.
    pub features: Vec<String>,
    /// Learned on the training rows.
    pub preprocessor: Preprocessor,
    /// The fitted learner.
    pub learner: Learner,
    /// Positive share of the training rows (the baseline risk).
    pub prior: f64,
    /// Positive share after oversampling (what the learner saw).
    pub balanced_prior: f64,
}

impl RiskModel {
    /// Predicted probabilities for the rows of `df` (prior-corrected).
    ///
    /// # Errors
    /// Missing or mistyped feature columns; learner errors.
    pub fn score(&self, df: &DataFrame) -> Result<Vec<f64>> {
        let x = self.preprocessor.transform(df)?;
        let raw = match &self.learner {
            Learner::LogisticRegression(m) => m.predict(&x),
            Learner::RandomForest(m) => m.predict(&x)?,
        };
        Ok(raw
            .into_iter()
            .map(|p| prior_correct(p, self.balanced_prior, self.prior))
            .collect())
    }

    /// The model as JSON (the MLflow artifact).
    ///
    /// # Errors
    /// [`Error::Serialize`].
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|source| Error::Serialize {
            what: "risk model",
            source,
        })
    }
}

/// The outcome of [`train_and_evaluate`].
#[derive(Debug)]
pub struct Trained {
    /// The two models, logistic regression first.
    pub models: Vec<RiskModel>,
    /// Held-out evaluation per model, in the same order.
    pub evaluations: Vec<Evaluation>,
    /// Training rows / patients, test rows / patients (before oversampling).
    pub split: SplitSummary,
}

/// Sizes of the split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SplitSummary {
    /// Training rows.
    pub train_rows: usize,
    /// Test rows.
    pub test_rows: usize,
    /// Distinct training patients.
    pub train_patients: usize,
    /// Distinct test patients.
    pub test_patients: usize,
    /// Training rows after oversampling.
    pub balanced_train_rows: usize,
}

fn take(df: &DataFrame, rows: &[usize]) -> Result<DataFrame> {
    let idx = IdxCa::from_vec("idx".into(), rows.iter().map(|r| *r as IdxSize).collect());
    Ok(df.take(&idx)?)
}

fn distinct(patients: &[String], flags: &[bool], side: bool) -> usize {
    let set: std::collections::BTreeSet<&str> = patients
        .iter()
        .zip(flags)
        .filter(|(_, f)| **f == side)
        .map(|(p, _)| p.as_str())
        .collect();
    set.len()
}

/// Trains a logistic regression and a random forest to predict `label` from `features`.
///
/// # Definition
/// Rows with a null label are left out. Patients are split into train and test
/// ([`patient_split`], stratified, `config.seed`); the preprocessing is learned on the
/// training rows; the minority class of the training rows is oversampled
/// ([`oversample`]) and each model's scores are prior-corrected back to the training
/// prevalence ([`prior_correct`]); both are evaluated on the test rows ([`evaluate`]),
/// whose baseline is the prevalence.
///
/// # Errors
/// [`Error::NotEnoughData`] when a side lacks a class; column and learner errors.
pub fn train_and_evaluate(
    table: &DataFrame,
    features: &[String],
    label: &str,
    feature_version: &str,
    config: &ModelConfig,
) -> Result<Trained> {
    let df = table
        .clone()
        .lazy()
        .filter(col(label).is_not_null())
        .sort([AS_OF_DATE, PATIENT_ID], SortMultipleOptions::default())
        .collect()?;
    let y = labels(&df, label)?;
    let patients: Vec<String> = df
        .column(PATIENT_ID)?
        .str()?
        .iter()
        .map(|p| p.unwrap_or_default().to_string())
        .collect();
    let is_test = patient_split(&patients, &y, config.test_fraction, config.seed);
    let train_idx: Vec<usize> = (0..y.len()).filter(|i| !is_test[*i]).collect();
    let test_idx: Vec<usize> = (0..y.len()).filter(|i| is_test[*i]).collect();
    let (train, test) = (take(&df, &train_idx)?, take(&df, &test_idx)?);
    let y_train: Vec<bool> = train_idx.iter().map(|i| y[*i]).collect();
    let y_test: Vec<bool> = test_idx.iter().map(|i| y[*i]).collect();
    for (side, ys) in [("training", &y_train), ("test", &y_test)] {
        let pos = ys.iter().filter(|v| **v).count();
        if pos == 0 || pos == ys.len() {
            return Err(Error::NotEnoughData {
                operation: "train risk models",
                reason: format!(
                    "the {side} set has {} rows, {pos} positive: both classes are needed",
                    ys.len()
                ),
            });
        }
    }
    let preprocessor = Preprocessor::fit(&train, features)?;
    let x_train = preprocessor.transform(&train)?;
    let balanced = oversample(&y_train, config.oversample_ratio, config.seed);
    let xb: Vec<Vec<f64>> = balanced.rows.iter().map(|i| x_train[*i].clone()).collect();
    let yb: Vec<bool> = balanced.rows.iter().map(|i| y_train[*i]).collect();
    let version = |name: &str| {
        let cfg = serde_json::to_string(config).unwrap_or_default();
        let h = stable_hash_parts(&[
            Some(name),
            Some(label),
            Some(feature_version),
            Some(&cfg),
            Some(&features.join(",")),
        ]);
        format!("{name}.{label}.{:012x}", (h as u64) >> 16)
    };
    let learners = [
        (
            "logistic_regression",
            Learner::LogisticRegression(LogisticModel::fit(&xb, &yb, config.l2_alpha)?),
        ),
        (
            "random_forest",
            Learner::RandomForest(ForestModel::fit(&xb, &yb, config)?),
        ),
    ];
    let (mut models, mut evaluations) = (Vec::new(), Vec::new());
    for (name, learner) in learners {
        let model = RiskModel {
            name: name.to_string(),
            label: label.to_string(),
            version: version(name),
            features: features.to_vec(),
            preprocessor: preprocessor.clone(),
            learner,
            prior: balanced.prior,
            balanced_prior: balanced.balanced_prior,
        };
        evaluations.push(evaluate(&model.score(&test)?, &y_test)?);
        models.push(model);
    }
    let split = SplitSummary {
        train_rows: train_idx.len(),
        test_rows: test_idx.len(),
        train_patients: distinct(&patients, &is_test, false),
        test_patients: distinct(&patients, &is_test, true),
        balanced_train_rows: balanced.rows.len(),
    };
    Ok(Trained {
        models,
        evaluations,
        split,
    })
}
