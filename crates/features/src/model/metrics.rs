//! Evaluation metrics of binary risk scores, each against the trivial baseline that
//! predicts the prevalence for everyone.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Number of calibration bins (deciles of the predicted risk).
pub const CALIBRATION_BINS: usize = 10;

/// One bin of the calibration table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Bin number, 1 = lowest predicted risks.
    pub bin: usize,
    /// Rows in the bin.
    pub rows: usize,
    /// Mean predicted risk.
    pub mean_predicted: f64,
    /// Observed rate of positives.
    pub observed_rate: f64,
}

/// Held-out performance of one model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Rows scored.
    pub rows: usize,
    /// Positive rows.
    pub positives: usize,
    /// Positives / rows: the baseline's constant prediction.
    pub prevalence: f64,
    /// Area under the ROC curve ([`roc_auc`]); the baseline's is 0.5.
    pub roc_auc: f64,
    /// Area under the precision-recall curve ([`pr_auc`]); the baseline's is the
    /// prevalence.
    pub pr_auc: f64,
    /// Brier score ([`brier_score`]); lower is better.
    pub brier: f64,
    /// Brier score of the baseline: prevalence × (1 − prevalence).
    pub baseline_brier: f64,
    /// [`calibration_table`].
    pub calibration: Vec<CalibrationBin>,
}

/// Evaluates `scores` (predicted probabilities) against `labels`.
///
/// # Errors
/// [`Error::NotEnoughData`] when the lengths differ or one class is missing.
pub fn evaluate(scores: &[f64], labels: &[bool]) -> Result<Evaluation> {
    check(scores, labels)?;
    let rows = labels.len();
    let positives = labels.iter().filter(|l| **l).count();
    let prevalence = positives as f64 / rows as f64;
    Ok(Evaluation {
        rows,
        positives,
        prevalence,
        roc_auc: roc_auc(scores, labels)?,
        pr_auc: pr_auc(scores, labels)?,
        brier: brier_score(scores, labels)?,
        baseline_brier: prevalence * (1.0 - prevalence),
        calibration: calibration_table(scores, labels)?,
    })
}

fn check(scores: &[f64], labels: &[bool]) -> Result<()> {
    let positives = labels.iter().filter(|l| **l).count();
    if scores.len() != labels.len() || positives == 0 || positives == labels.len() {
        return Err(Error::NotEnoughData {
            operation: "evaluate scores",
            reason: format!(
                "{} scores, {} labels, {positives} positive: both classes are needed",
                scores.len(),
                labels.len()
            ),
        });
    }
    Ok(())
}

/// Indices sorted by score, ascending (ties by index: stable).
fn ascending(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|a, b| scores[*a].total_cmp(&scores[*b]));
    order
}

/// ROC AUC: the probability that a random positive scores higher than a random
/// negative, ties counting one half (the Mann–Whitney U statistic / (P × N)).
///
/// # Errors
/// [`Error::NotEnoughData`] without both classes.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Result<f64> {
    check(scores, labels)?;
    let order = ascending(scores);
    // Midranks of tied groups.
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let midrank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_pos += order[i..=j].iter().filter(|k| labels[**k]).count() as f64 * midrank;
        i = j + 1;
    }
    let p = labels.iter().filter(|l| **l).count() as f64;
    let n = labels.len() as f64 - p;
    Ok((rank_sum_pos - p * (p + 1.0) / 2.0) / (p * n))
}

/// PR AUC as average precision: Σ over thresholds (distinct scores, descending) of
/// (recall gained) × (precision at that threshold); tied scores form one threshold.
///
/// # Errors
/// [`Error::NotEnoughData`] without both classes.
pub fn pr_auc(scores: &[f64], labels: &[bool]) -> Result<f64> {
    check(scores, labels)?;
    let mut order = ascending(scores);
    order.reverse();
    let total_pos = labels.iter().filter(|l| **l).count() as f64;
    let (mut tp, mut seen, mut ap, mut i) = (0.0, 0.0, 0.0, 0);
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let new_pos = order[i..=j].iter().filter(|k| labels[**k]).count() as f64;
        tp += new_pos;
        seen += (j - i + 1) as f64;
        ap += (new_pos / total_pos) * (tp / seen);
        i = j + 1;
    }
    Ok(ap)
}

/// Brier score: mean of (score − label)².
///
/// # Errors
/// [`Error::NotEnoughData`] without both classes.
pub fn brier_score(scores: &[f64], labels: &[bool]) -> Result<f64> {
    check(scores, labels)?;
    let sum: f64 = scores
        .iter()
        .zip(labels)
        .map(|(s, l)| (s - f64::from(u8::from(*l))).powi(2))
        .sum();
    Ok(sum / scores.len() as f64)
}

/// Calibration table: rows sorted by score (ties by input order) cut into
/// [`CALIBRATION_BINS`] bins of equal size (the first bins one row larger when the rows
/// do not divide evenly; empty bins left out); per bin the mean predicted risk and the
/// observed rate.
///
/// # Errors
/// [`Error::NotEnoughData`] without both classes.
pub fn calibration_table(scores: &[f64], labels: &[bool]) -> Result<Vec<CalibrationBin>> {
    check(scores, labels)?;
    let order = ascending(scores);
    let (n, k) = (order.len(), CALIBRATION_BINS);
    let mut bins = Vec::new();
    let mut start = 0;
    for b in 0..k {
        let size = n / k + usize::from(b < n % k);
        if size == 0 {
            continue;
        }
        let idx = &order[start..start + size];
        start += size;
        bins.push(CalibrationBin {
            bin: b + 1,
            rows: size,
            mean_predicted: idx.iter().map(|i| scores[*i]).sum::<f64>() / size as f64,
            observed_rate: idx.iter().filter(|i| labels[**i]).count() as f64 / size as f64,
        });
    }
    Ok(bins)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const S: [f64; 4] = [0.1, 0.4, 0.35, 0.8];
    const L: [bool; 4] = [false, false, true, true];

    #[test]
    fn roc_auc_counts_correctly_ordered_pairs() {
        // Pairs (pos, neg): (0.35,0.1) ok, (0.35,0.4) wrong, (0.8,0.1) ok, (0.8,0.4) ok.
        assert!((roc_auc(&S, &L).unwrap() - 0.75).abs() < 1e-12);
        // A tie counts one half.
        assert!((roc_auc(&[0.5, 0.5], &[true, false]).unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn pr_auc_is_average_precision() {
        // Descending: 0.8 (+) P=1 R=.5; 0.4 (−); 0.35 (+) P=2/3 R=1 → .5·1 + .5·2/3.
        assert!((pr_auc(&S, &L).unwrap() - (0.5 + 1.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn brier_is_mean_squared_error_and_baseline_is_prevalence_variance() {
        let expected = (0.01 + 0.16 + 0.4225 + 0.04) / 4.0;
        assert!((brier_score(&S, &L).unwrap() - expected).abs() < 1e-12);
        let e = evaluate(&S, &L).unwrap();
        assert!((e.baseline_brier - 0.25).abs() < 1e-12);
        // The baseline's own Brier score equals that constant.
        assert!((brier_score(&[0.5; 4], &L).unwrap() - e.baseline_brier).abs() < 1e-12);
    }

    #[test]
    fn calibration_bins_are_deciles_of_sorted_scores() {
        let scores: Vec<f64> = (0..20).map(|i| f64::from(i) / 20.0).collect();
        let labels: Vec<bool> = (0..20).map(|i| i >= 15).collect();
        let t = calibration_table(&scores, &labels).unwrap();
        assert_eq!(t.len(), 10);
        assert_eq!(t[0].rows, 2);
        assert!((t[0].mean_predicted - 0.025).abs() < 1e-12);
        assert_eq!((t[7].observed_rate, t[8].observed_rate), (0.5, 1.0));
    }

    #[test]
    fn one_class_is_not_enough_to_evaluate() {
        assert!(matches!(
            roc_auc(&[0.1], &[true]),
            Err(Error::NotEnoughData { .. })
        ));
    }
}
