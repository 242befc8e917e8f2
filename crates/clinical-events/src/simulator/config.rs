//! Simulator settings: every code list and rate is data with a documented default.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::dirty::DirtyConfig;
use crate::error::{Error, Result};
use crate::network::Network;

/// A value drawn with a relative weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weighted {
    /// The value, e.g. `Emergency` or an ICD-10 code.
    pub value: String,
    /// Relative weight (≥ 0).
    pub weight: f64,
}

impl Weighted {
    /// `value` with `weight`.
    pub fn new(value: impl Into<String>, weight: f64) -> Self {
        Self {
            value: value.into(),
            weight,
        }
    }
}

fn weighted(list: &[(&str, f64)]) -> Vec<Weighted> {
    list.iter().map(|(v, w)| Weighted::new(*v, *w)).collect()
}

/// Length of one stay in a department: log-normal, clamped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LosProfile {
    /// Median hours in the department.
    pub median_hours: f64,
    /// Log-normal shape σ (spread; 0 = always the median).
    pub sigma: f64,
    /// Shortest stay, hours.
    pub min_hours: f64,
    /// Longest stay, hours.
    pub max_hours: f64,
}

impl LosProfile {
    fn new(median_hours: f64, sigma: f64) -> Self {
        Self {
            median_hours,
            sigma,
            min_hours: 1.0,
            max_hours: 60.0 * 24.0,
        }
    }

    /// Mean hours of the unclamped log-normal: median · e^(σ²/2).
    pub fn mean_hours(&self) -> f64 {
        self.median_hours * (self.sigma * self.sigma / 2.0).exp()
    }
}

/// Where patients of a department go when they are not discharged from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferProfile {
    /// Probability that the end of a department stay is a transfer (when a bed is free
    /// in the target and the stay has had fewer than [`SimulatorConfig::max_transfers`]).
    pub probability: f64,
    /// Target departments with weights.
    pub targets: Vec<Weighted>,
}

/// When admissions surge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SurgeConfig {
    /// Months (1–12) of the flu season. Default: December, January, February.
    pub flu_months: Vec<u32>,
    /// Admission-rate multiplier during the flu season. Default: 3.0.
    pub flu_multiplier: f64,
    /// ISO weekdays (Monday = 1 … Sunday = 7) of the weekend. Default: 6, 7.
    pub weekend_days: Vec<u32>,
    /// First evening hour (UTC, inclusive). Default: 18.
    pub evening_start_hour: u32,
    /// Hour the evening ends (UTC, exclusive; 24 = midnight). Default: 24.
    pub evening_end_hour: u32,
    /// Admission-rate multiplier on weekend evenings. Default: 3.0.
    pub weekend_evening_multiplier: f64,
}

impl Default for SurgeConfig {
    fn default() -> Self {
        Self {
            flu_months: vec![12, 1, 2],
            flu_multiplier: 3.0,
            weekend_days: vec![6, 7],
            evening_start_hour: 18,
            evening_end_hour: 24,
            weekend_evening_multiplier: 3.0,
        }
    }
}

/// Everything the simulator draws from.
///
/// Load from JSON (missing keys take their defaults) or start from
/// [`SimulatorConfig::new`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SimulatorConfig {
    /// Seed: the same seed and settings give byte-identical output. Default: 42.
    pub seed: u64,
    /// Events to simulate (before duplicates are added by the dirty scenarios).
    /// Default: 10,000.
    pub events: u64,
    /// First simulated instant (UTC, floored to the hour). Default: 2023-10-01T00:00Z, so
    /// that longer runs cross a flu season.
    pub start: DateTime<Utc>,
    /// Hospitals, departments and beds. Default: [`Network::default`].
    pub network: Network,
    /// Admission priorities. Default: Emergency 0.50, Urgent 0.30, Elective 0.20.
    pub priorities: Vec<Weighted>,
    /// Payers of patients under 65. Default: Private 0.55, Medicaid 0.25, Self-Pay 0.10,
    /// Uninsured 0.07, Medicare 0.03.
    pub insurance_under_65: Vec<Weighted>,
    /// Payers of patients 65 and over. Default: Medicare 0.85, Private 0.10, Medicaid 0.05.
    pub insurance_65_plus: Vec<Weighted>,
    /// Length of stay per department (hours, log-normal). Defaults (median h, σ):
    /// Emergency (10, 0.6), Surgery (96, 0.6), ICU (72, 0.7), Pediatrics (60, 0.6),
    /// Maternity (52, 0.35), Oncology (132, 0.6), Cardiology (84, 0.6); 1 h – 60 days.
    pub los: BTreeMap<String, LosProfile>,
    /// Transfers out of each department. Defaults: Emergency 0.45 (to Surgery,
    /// Cardiology, ICU, Pediatrics, Oncology, Maternity), ICU 0.55 (to Surgery,
    /// Cardiology, Oncology), Surgery 0.10 and Cardiology 0.10 (to ICU); others none.
    pub transfers: BTreeMap<String, TransferProfile>,
    /// At most this many transfers per stay. Default: 2.
    pub max_transfers: u32,
    /// Admitting ICD-10-CM diagnoses per department, weighted (five or six common codes
    /// each, e.g. Emergency: R07.9 chest pain, J11.1 influenza, J18.9 pneumonia …).
    pub diagnoses: BTreeMap<String, Vec<Weighted>>,
    /// Occupancy the base admission rate aims at outside surges: each department admits
    /// `beds × base_occupancy / mean LOS hours` patients per hour. Default: 0.35 (surges
    /// of 3× then fill the hospitals; admissions finding no free bed are diverted).
    pub base_occupancy: f64,
    /// Surges. Default: [`SurgeConfig::default`]. When several surges apply, the largest
    /// multiplier is used (they do not multiply).
    pub surge: SurgeConfig,
    /// Share of admissions that are a returning (discharged) patient. Default: 0.20.
    pub returning_patient_share: f64,
    /// Share of returning patients whose insurance changed. Default: 0.10.
    pub insurance_change_share: f64,
    /// Landing lines per NDJSON file. Default: 100,000.
    pub events_per_file: u64,
    /// Dirty-data scenarios. Default: none ([`DirtyConfig::default`], all rates 0).
    pub dirty: DirtyConfig,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            events: 10_000,
            start: Utc
                .with_ymd_and_hms(2023, 10, 1, 0, 0, 0)
                .single()
                .unwrap_or_default(),
            network: Network::default(),
            priorities: weighted(&[("Emergency", 0.5), ("Urgent", 0.3), ("Elective", 0.2)]),
            insurance_under_65: weighted(&[
                ("Private", 0.55),
                ("Medicaid", 0.25),
                ("Self-Pay", 0.10),
                ("Uninsured", 0.07),
                ("Medicare", 0.03),
            ]),
            insurance_65_plus: weighted(&[
                ("Medicare", 0.85),
                ("Private", 0.10),
                ("Medicaid", 0.05),
            ]),
            los: default_los(),
            transfers: default_transfers(),
            max_transfers: 2,
            diagnoses: default_diagnoses(),
            base_occupancy: 0.35,
            surge: SurgeConfig::default(),
            returning_patient_share: 0.2,
            insurance_change_share: 0.1,
            events_per_file: 100_000,
            dirty: DirtyConfig::default(),
        }
    }
}

fn default_los() -> BTreeMap<String, LosProfile> {
    [
        ("Emergency", 10.0, 0.6),
        ("Surgery", 96.0, 0.6),
        ("ICU", 72.0, 0.7),
        ("Pediatrics", 60.0, 0.6),
        ("Maternity", 52.0, 0.35),
        ("Oncology", 132.0, 0.6),
        ("Cardiology", 84.0, 0.6),
    ]
    .into_iter()
    .map(|(d, median, sigma)| (d.to_string(), LosProfile::new(median, sigma)))
    .collect()
}

fn default_transfers() -> BTreeMap<String, TransferProfile> {
    let profile = |probability, targets: &[(&str, f64)]| TransferProfile {
        probability,
        targets: weighted(targets),
    };
    BTreeMap::from([
        (
            "Emergency".to_string(),
            profile(
                0.45,
                &[
                    ("Surgery", 0.3),
                    ("Cardiology", 0.3),
                    ("ICU", 0.2),
                    ("Pediatrics", 0.1),
                    ("Oncology", 0.05),
                    ("Maternity", 0.05),
                ],
            ),
        ),
        (
            "ICU".to_string(),
            profile(
                0.55,
                &[("Surgery", 0.4), ("Cardiology", 0.4), ("Oncology", 0.2)],
            ),
        ),
        ("Surgery".to_string(), profile(0.10, &[("ICU", 1.0)])),
        ("Cardiology".to_string(), profile(0.10, &[("ICU", 1.0)])),
    ])
}

fn default_diagnoses() -> BTreeMap<String, Vec<Weighted>> {
    let lists: [(&str, &[(&str, f64)]); 7] = [
        (
            "Emergency",
            &[
                ("R07.9", 0.25),
                ("J11.1", 0.2),
                ("J18.9", 0.15),
                ("R10.9", 0.15),
                ("S72.001A", 0.1),
                ("N39.0", 0.15),
            ],
        ),
        (
            "Surgery",
            &[
                ("K35.80", 0.3),
                ("K80.20", 0.25),
                ("S72.001A", 0.15),
                ("M17.11", 0.15),
                ("K40.90", 0.15),
            ],
        ),
        (
            "ICU",
            &[
                ("A41.9", 0.3),
                ("J96.01", 0.25),
                ("I21.4", 0.2),
                ("J18.9", 0.15),
                ("R57.0", 0.1),
            ],
        ),
        (
            "Pediatrics",
            &[
                ("J21.9", 0.3),
                ("J11.1", 0.25),
                ("J45.901", 0.2),
                ("A08.4", 0.15),
                ("J18.9", 0.1),
            ],
        ),
        (
            "Maternity",
            &[
                ("O80", 0.6),
                ("O82", 0.25),
                ("O60.14X0", 0.1),
                ("O24.419", 0.05),
            ],
        ),
        (
            "Oncology",
            &[
                ("C34.90", 0.3),
                ("C50.911", 0.25),
                ("C18.9", 0.2),
                ("D70.1", 0.15),
                ("C91.00", 0.1),
            ],
        ),
        (
            "Cardiology",
            &[
                ("I50.9", 0.3),
                ("I21.4", 0.25),
                ("I48.91", 0.2),
                ("I25.10", 0.15),
                ("I10", 0.1),
            ],
        ),
    ];
    lists
        .into_iter()
        .map(|(d, codes)| (d.to_string(), weighted(codes)))
        .collect()
}

impl SimulatorConfig {
    /// The defaults with `events` events and `seed`.
    pub fn new(events: u64, seed: u64) -> Self {
        Self {
            events,
            seed,
            ..Self::default()
        }
    }

    /// Checks ranges and that every department has a LOS profile and diagnoses.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        self.network.validate()?;
        let unit = |field: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::config(field, "must be within 0..=1"))
            }
        };
        unit("returning_patient_share", self.returning_patient_share)?;
        unit("insurance_change_share", self.insurance_change_share)?;
        if !(self.base_occupancy > 0.0 && self.base_occupancy <= 1.0) {
            return Err(Error::config("base_occupancy", "must be within (0, 1]"));
        }
        if self.events_per_file == 0 {
            return Err(Error::config("events_per_file", "must be at least 1"));
        }
        if self.network.total_beds() == 0 {
            return Err(Error::config("network", "has no beds"));
        }
        for list in [
            ("priorities", &self.priorities),
            ("insurance_under_65", &self.insurance_under_65),
            ("insurance_65_plus", &self.insurance_65_plus),
        ] {
            check_weights(list.0, list.1)?;
        }
        for d in &self.network.departments {
            let los = self
                .los
                .get(&d.name)
                .ok_or_else(|| Error::config(format!("los.{}", d.name), "missing LOS profile"))?;
            if !(los.median_hours > 0.0 && los.min_hours > 0.0 && los.max_hours >= los.min_hours)
                || los.sigma < 0.0
            {
                return Err(Error::config(
                    format!("los.{}", d.name),
                    "needs median_hours > 0, sigma ≥ 0, 0 < min_hours ≤ max_hours",
                ));
            }
            let codes = self
                .diagnoses
                .get(&d.name)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            check_weights(&format!("diagnoses.{}", d.name), codes)?;
        }
        for (dept, profile) in &self.transfers {
            let field = format!("transfers.{dept}");
            unit(&field, profile.probability)?;
            if let Some(t) = profile
                .targets
                .iter()
                .find(|t| self.network.department(&t.value).is_none())
            {
                return Err(Error::config(
                    field,
                    format!("target '{}' is not a department of the network", t.value),
                ));
            }
        }
        self.surge.validate()?;
        self.dirty.validate()
    }
}

impl SurgeConfig {
    fn validate(&self) -> Result<()> {
        if self.flu_months.iter().any(|m| !(1..=12).contains(m))
            || self.weekend_days.iter().any(|d| !(1..=7).contains(d))
            || self.evening_start_hour > 24
            || self.evening_end_hour > 24
            || self.flu_multiplier < 0.0
            || self.weekend_evening_multiplier < 0.0
        {
            return Err(Error::config(
                "surge",
                "months 1–12, ISO weekdays 1–7, hours 0–24 and multipliers ≥ 0",
            ));
        }
        Ok(())
    }
}

fn check_weights(field: &str, list: &[Weighted]) -> Result<()> {
    if list.is_empty()
        || list.iter().any(|w| w.weight < 0.0)
        || list.iter().all(|w| w.weight == 0.0)
    {
        return Err(Error::config(
            field,
            "needs at least one value, weights ≥ 0 and not all 0",
        ));
    }
    Ok(())
}
