//! Generator configuration.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which Synthea CSV layout to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Synthea 3.3+ (the `v3-2024-11p` sample): 18 files including claims and claims
    /// transactions (default).
    #[default]
    V3,
    /// Synthea 2.x (the `v2-10p` sample): 16 files, no claims.
    V2,
}

/// Everything that determines an export. Two runs with equal configs write identical
/// bytes, whatever [`threads`](Self::threads) is.
///
/// Defaults ([`GeneratorConfig::default`]): 1,000 patients, seed 42, [`Layout::V3`], clean
/// (no dirty rate), 12 % readmission rate, 5 % transfers, 45 % of admissions through the
/// emergency department, threads = available parallelism, detailed history
/// from 2014-04-15 to 2024-04-15, chunks of 16 patients.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GeneratorConfig {
    /// Number of patients (rows of `patients.csv`).
    pub patients: u64,
    /// Master seed; each patient's generator is derived from `(seed, patient index)`.
    pub seed: u64,
    /// Output layout.
    pub layout: Layout,
    /// When set, the fraction (0..=1) of per-patient rows that receive one injected defect,
    /// recorded in `_dirty_manifest.json`. `None` writes perfectly clean data.
    pub dirty_rate: Option<f64>,
    /// Probability that a stay (any inpatient stay discharged alive and not transferred:
    /// unplanned admissions, deliveries, joint replacements) is followed by an unplanned
    /// readmission 2–30 days after its discharge day (default 0.12) — the rate a
    /// hospital-wide 30-day readmission measure finds.
    pub readmission_rate: f64,
    /// Probability that an unplanned inpatient stay ends with a transfer to another
    /// hospital the same or next day (default 0.05).
    pub transfer_rate: f64,
    /// Probability that an unplanned admission comes through the emergency department
    /// (an emergency encounter on the admission day, right before it; default 0.45).
    pub er_admission_rate: f64,
    /// Worker threads; 0 means the machine's available parallelism.
    pub threads: usize,
    /// First day of the detailed history window (Synthea's `years_of_history`): wellness
    /// visits, labs and follow-ups are recorded from here on, while chronic diagnoses and a
    /// few older encounters go back to birth.
    pub start_date: NaiveDate,
    /// Last simulated day (the export date). No clean value lies after its midnight UTC + 1 day.
    pub end_date: NaiveDate,
    /// Patients per work unit handed to a worker (affects speed and memory, not output).
    pub chunk_size: usize,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        Self {
            patients: 1_000,
            seed: 42,
            layout: Layout::V3,
            dirty_rate: None,
            readmission_rate: 0.12,
            transfer_rate: 0.05,
            er_admission_rate: 0.45,
            threads: 0,
            start_date: NaiveDate::from_ymd_opt(2014, 4, 15).unwrap_or_default(),
            end_date: NaiveDate::from_ymd_opt(2024, 4, 15).unwrap_or_default(),
            chunk_size: 16,
        }
    }
}

impl GeneratorConfig {
    /// A default config for `patients` patients and `seed`.
    pub fn new(patients: u64, seed: u64) -> Self {
        Self {
            patients,
            seed,
            ..Self::default()
        }
    }

    /// Check value ranges.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the offending field.
    pub fn validate(&self) -> Result<()> {
        if let Some(r) = self.dirty_rate
            && !(0.0..=1.0).contains(&r)
        {
            return Err(Error::InvalidConfig(format!(
                "dirty_rate must be within 0..=1, got {r}"
            )));
        }
        if !(0.0..=0.9).contains(&self.readmission_rate) {
            return Err(Error::InvalidConfig(format!(
                "readmission_rate must be within 0..=0.9, got {}",
                self.readmission_rate
            )));
        }
        for (name, rate) in [
            ("transfer_rate", self.transfer_rate),
            ("er_admission_rate", self.er_admission_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::InvalidConfig(format!(
                    "{name} must be within 0..=1, got {rate}"
                )));
            }
        }
        if self.start_date >= self.end_date {
            return Err(Error::InvalidConfig(format!(
                "start_date {} must be before end_date {}",
                self.start_date, self.end_date
            )));
        }
        if self
            .end_date
            .signed_duration_since(self.start_date)
            .num_days()
            < 366
        {
            return Err(Error::InvalidConfig(
                "the history window (start_date..end_date) must span at least a year".into(),
            ));
        }
        if self.chunk_size == 0 {
            return Err(Error::InvalidConfig("chunk_size must be at least 1".into()));
        }
        Ok(())
    }

    /// The worker count actually used.
    pub fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_documented_values_and_valid() {
        let c = GeneratorConfig::default();
        assert_eq!(c.patients, 1_000);
        assert!((c.readmission_rate - 0.12).abs() < 1e-12);
        assert_eq!(
            c.end_date,
            NaiveDate::from_ymd_opt(2024, 4, 15).unwrap_or_default()
        );
        assert!(c.validate().is_ok());
    }

    #[test]
    fn invalid_values_are_rejected() {
        let mut c = GeneratorConfig {
            dirty_rate: Some(1.5),
            ..GeneratorConfig::default()
        };
        assert!(matches!(c.validate(), Err(Error::InvalidConfig(_))));
        c.dirty_rate = None;
        c.start_date = c.end_date;
        assert!(c.validate().is_err());
    }

    #[test]
    fn config_round_trips_through_json_with_defaults() {
        let c: GeneratorConfig =
            serde_json::from_str(r#"{"patients": 5, "layout": "v2"}"#).unwrap_or_default();
        assert_eq!(c.patients, 5);
        assert_eq!(c.layout, Layout::V2);
        assert_eq!(c.seed, 42);
        let back: GeneratorConfig =
            serde_json::from_str(&serde_json::to_string(&c).unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(back, c);
    }
}
