//! Logistic regression and random forest on `smartcore`, with class balancing by
//! oversampling and the matching prior correction of the predicted probabilities.

use det_rng::Rng;
use serde::{Deserialize, Serialize};
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};

use crate::error::{Error, Result};

/// Default [`ModelConfig::l2_alpha`].
pub const DEFAULT_L2_ALPHA: f64 = 1.0;
/// Default [`ModelConfig::trees`].
pub const DEFAULT_TREES: u16 = 100;
/// Default [`ModelConfig::max_depth`].
pub const DEFAULT_MAX_DEPTH: u16 = 8;
/// Default [`ModelConfig::min_samples_leaf`].
pub const DEFAULT_MIN_SAMPLES_LEAF: usize = 5;

/// Training settings shared by both models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ModelConfig {
    /// Seed of the split, the oversampling and the forest.
    pub seed: u64,
    /// Share of patients held out for testing. Default: 0.25.
    pub test_fraction: f64,
    /// Oversample the minority class in the training rows to this share of the majority
    /// (1.0 = balanced; 0 = no resampling). Scores are prior-corrected back to the
    /// training prevalence. Default: 1.0.
    pub oversample_ratio: f64,
    /// L2 penalty of the logistic regression. Default: [`DEFAULT_L2_ALPHA`].
    pub l2_alpha: f64,
    /// Trees of the forest. Default: [`DEFAULT_TREES`].
    pub trees: u16,
    /// Maximum tree depth. Default: [`DEFAULT_MAX_DEPTH`].
    pub max_depth: u16,
    /// Minimum rows per leaf. Default: [`DEFAULT_MIN_SAMPLES_LEAF`].
    pub min_samples_leaf: usize,
}

impl ModelConfig {
    /// Set [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Set [`Self::trees`].
    pub fn with_trees(mut self, trees: u16) -> Self {
        self.trees = trees;
        self
    }
    /// Set [`Self::oversample_ratio`].
    pub fn with_oversample_ratio(mut self, ratio: f64) -> Self {
        self.oversample_ratio = ratio;
        self
    }
}

impl Default for ModelConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            test_fraction: 0.25,
            oversample_ratio: 1.0,
            l2_alpha: DEFAULT_L2_ALPHA,
            trees: DEFAULT_TREES,
            max_depth: DEFAULT_MAX_DEPTH,
            min_samples_leaf: DEFAULT_MIN_SAMPLES_LEAF,
        }
    }
}

/// The training rows after class balancing: indices into the original rows (minority
/// rows repeated), and the positive share before and after.
#[derive(Clone, Debug, PartialEq)]
pub struct Balanced {
    /// Row indices, originals first, then the drawn minority copies.
    pub rows: Vec<usize>,
    /// Positive share of the original rows.
    pub prior: f64,
    /// Positive share of the balanced rows.
    pub balanced_prior: f64,
}

/// Random oversampling of the minority class (with replacement, `det-rng` seeded by
/// `seed`) until it has `ratio` × the majority's rows; `ratio` 0 keeps the rows.
pub fn oversample(labels: &[bool], ratio: f64, seed: u64) -> Balanced {
    let pos: Vec<usize> = (0..labels.len()).filter(|i| labels[*i]).collect();
    let neg: Vec<usize> = (0..labels.len()).filter(|i| !labels[*i]).collect();
    let prior = pos.len() as f64 / labels.len().max(1) as f64;
    let (minority, majority) = if pos.len() <= neg.len() {
        (&pos, &neg)
    } else {
        (&neg, &pos)
    };
    let target = (ratio * majority.len() as f64).round() as usize;
    let mut rows: Vec<usize> = (0..labels.len()).collect();
    if !minority.is_empty() && target > minority.len() {
        let mut rng = Rng::derive(seed, 0x0f5a_u64, 0);
        rows.extend((0..target - minority.len()).map(|_| minority[rng.index(minority.len())]));
    }
    let balanced_pos = rows.iter().filter(|i| labels[**i]).count();
    Balanced {
        balanced_prior: balanced_pos as f64 / rows.len().max(1) as f64,
        rows,
        prior,
    }
}

/// Prior correction: a probability `p` learned at positive share `trained` mapped to
/// share `actual` (Bayes' rule on the odds; identity when they are equal).
pub fn prior_correct(p: f64, trained: f64, actual: f64) -> f64 {
    if (trained - actual).abs() < 1e-12 || !(0.0..1.0).contains(&trained) || trained == 0.0 {
        return p;
    }
    let a = p * actual / trained;
    let b = (1.0 - p) * (1.0 - actual) / (1.0 - trained);
    if a + b > 0.0 { a / (a + b) } else { p }
}

fn matrix(x: &[Vec<f64>], model: &'static str) -> Result<DenseMatrix<f64>> {
    DenseMatrix::from_2d_vec(&x.to_vec()).map_err(|e| Error::Model {
        model,
        reason: e.to_string(),
    })
}

fn classes(y: &[bool]) -> Vec<u32> {
    y.iter().map(|v| u32::from(*v)).collect()
}

/// A fitted logistic regression: `p = sigmoid(intercept + coefficients · x)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// One per design-matrix column.
    pub coefficients: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
}

impl LogisticModel {
    /// Fits on rows `x` with labels `y` (both classes needed), L2 penalty `alpha`.
    ///
    /// # Errors
    /// [`Error::Model`] when smartcore refuses the data.
    pub fn fit(x: &[Vec<f64>], y: &[bool], alpha: f64) -> Result<Self> {
        const M: &str = "logistic_regression";
        let params = LogisticRegressionParameters::default().with_alpha(alpha);
        let fitted: LogisticRegression<f64, u32, DenseMatrix<f64>, Vec<u32>> =
            LogisticRegression::fit(&matrix(x, M)?, &classes(y), params).map_err(|e| {
                Error::Model {
                    model: M,
                    reason: e.to_string(),
                }
            })?;
        let c = fitted.coefficients();
        let width = x.first().map_or(0, Vec::len);
        Ok(Self {
            coefficients: (0..width).map(|j| *c.get((0, j))).collect(),
            intercept: *fitted.intercept().get((0, 0)),
        })
    }

    /// Probabilities of the positive class.
    pub fn predict(&self, x: &[Vec<f64>]) -> Vec<f64> {
        x.iter()
            .map(|row| {
                let z: f64 = self.intercept
                    + row
                        .iter()
                        .zip(&self.coefficients)
                        .map(|(a, b)| a * b)
                        .sum::<f64>();
                1.0 / (1.0 + (-z).exp())
            })
            .collect()
    }
}

type Tree = RandomForestClassifier<f64, u32, DenseMatrix<f64>, Vec<u32>>;

/// A random forest: `trees` smartcore forests of one tree each (a bootstrap sample and
/// √(columns) random features per split, seeds `seed`, `seed + 1`, …), so that the
/// score is the share of trees voting positive (smartcore's forest only returns the
/// majority class).
#[derive(Debug, Serialize, Deserialize)]
pub struct ForestModel {
    /// The trees.
    pub trees: Vec<Tree>,
}

impl ForestModel {
    /// Fits on rows `x` with labels `y`.
    ///
    /// # Errors
    /// [`Error::Model`] when smartcore refuses the data.
    pub fn fit(x: &[Vec<f64>], y: &[bool], config: &ModelConfig) -> Result<Self> {
        const M: &str = "random_forest";
        let (x, y) = (matrix(x, M)?, classes(y));
        let trees = (0..u64::from(config.trees))
            .map(|t| {
                let params = RandomForestClassifierParameters::default()
                    .with_n_trees(1)
                    .with_max_depth(config.max_depth)
                    .with_min_samples_leaf(config.min_samples_leaf)
                    .with_seed(config.seed.wrapping_add(t.wrapping_mul(7919)));
                Tree::fit(&x, &y, params).map_err(|e| Error::Model {
                    model: M,
                    reason: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self { trees })
    }

    /// Share of trees voting positive.
    ///
    /// # Errors
    /// [`Error::Model`] when smartcore refuses the data.
    pub fn predict(&self, x: &[Vec<f64>]) -> Result<Vec<f64>> {
        const M: &str = "random_forest";
        let m = matrix(x, M)?;
        let mut votes = vec![0u32; x.len()];
        for tree in &self.trees {
            let predicted = tree.predict(&m).map_err(|e| Error::Model {
                model: M,
                reason: e.to_string(),
            })?;
            for (v, p) in votes.iter_mut().zip(predicted) {
                *v += p;
            }
        }
        let n = self.trees.len().max(1) as f64;
        Ok(votes.into_iter().map(|v| f64::from(v) / n).collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn oversampling_balances_the_minority_deterministically() {
        let labels = [true, false, false, false, false, false];
        let a = oversample(&labels, 1.0, 7);
        assert_eq!(a.rows.len(), 10);
        assert_eq!(a.rows.iter().filter(|i| labels[**i]).count(), 5);
        assert!((a.balanced_prior - 0.5).abs() < 1e-12 && (a.prior - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(oversample(&labels, 1.0, 7), a);
        assert_eq!(oversample(&labels, 0.0, 7).rows.len(), 6);
    }

    #[test]
    fn prior_correction_maps_balanced_scores_back() {
        // A score equal to the training share maps to the actual share.
        assert!((prior_correct(0.5, 0.5, 0.1) - 0.1).abs() < 1e-12);
        assert_eq!(prior_correct(0.3, 0.2, 0.2), 0.3);
    }

    #[test]
    fn both_models_rank_a_separable_signal() {
        let x: Vec<Vec<f64>> = (0..60)
            .map(|i| vec![f64::from(i) / 60.0, f64::from(i % 7)])
            .collect();
        let y: Vec<bool> = (0..60).map(|i| i >= 40).collect();
        let lr = LogisticModel::fit(&x, &y, 0.01).unwrap();
        let p = lr.predict(&[vec![0.0, 0.0], vec![1.0, 0.0]]);
        assert!(p[0] < 0.5 && p[1] > 0.5, "{p:?}");
        let rf = ForestModel::fit(
            &x,
            &y,
            &ModelConfig {
                trees: 20,
                ..ModelConfig::default()
            },
        )
        .unwrap();
        let q = rf.predict(&[vec![0.05, 3.0], vec![0.95, 3.0]]).unwrap();
        assert!(q[0] < q[1], "{q:?}");
    }
}
