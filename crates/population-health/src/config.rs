//! Configuration: every value set and reference range is data (serde-loadable, partial
//! JSON keeps the documented defaults). No config reads a clock: the as-of date is a
//! function argument.

use chrono::NaiveDate;
use ehr_quality_metrics::{AgeBands, ValueSet};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default [`PopulationHealthConfig::small_cell_threshold`]: counts of 1 to 10 patients
/// are suppressed (the usual public-health rule).
pub const DEFAULT_SMALL_CELL_THRESHOLD: u32 = 11;
/// Default [`PopulationHealthConfig::top_conditions`]: 5 per age band.
pub const DEFAULT_TOP_CONDITIONS: u32 = 5;
/// Default [`SurveillanceConfig::period_days`]: 730 days (two years) ending on the
/// as-of date.
pub const DEFAULT_SURVEILLANCE_DAYS: u32 = 730;
/// Default [`PopulationHealthConfig::summary_lookback_months`]: 12 months.
pub const DEFAULT_SUMMARY_LOOKBACK_MONTHS: u32 = 12;
/// Incidence is expressed per this many people.
pub const INCIDENCE_PER: f64 = 100_000.0;
/// Prevalence is expressed per this many people.
pub const PREVALENCE_PER: f64 = 1_000.0;

/// A measure identified by a LOINC code, with the unit its values must be in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MeasureSpec {
    /// Short name used in outputs and column names (snake_case), e.g. `bmi`.
    pub name: String,
    /// LOINC code.
    pub code: String,
    /// Expected unit, compared exactly with silver `observations.units`.
    pub unit: String,
}

impl MeasureSpec {
    /// A measure from its name, LOINC code and unit.
    pub fn new(name: &str, code: &str, unit: &str) -> Self {
        Self {
            name: name.to_string(),
            code: code.to_string(),
            unit: unit.to_string(),
        }
    }
}

/// A reference (normal) range of one lab or vital sign: a value in the range's unit is
/// *below* when `< low`, *above* when `> high`; a missing bound is never crossed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReferenceRange {
    /// Short name, e.g. `hba1c`.
    pub name: String,
    /// LOINC code.
    pub code: String,
    /// Unit the bounds are in (compared exactly with silver `observations.units`).
    pub unit: String,
    /// Lowest normal value (inclusive); `None`: no lower bound.
    pub low: Option<f64>,
    /// Highest normal value (inclusive); `None`: no upper bound.
    pub high: Option<f64>,
}

impl ReferenceRange {
    /// A range from its name, code, unit and bounds.
    pub fn new(name: &str, code: &str, unit: &str, low: Option<f64>, high: Option<f64>) -> Self {
        Self {
            name: name.to_string(),
            code: code.to_string(),
            unit: unit.to_string(),
            low,
            high,
        }
    }
}

/// Default [`PopulationHealthConfig::vitals`]: BMI (LOINC 39156-5, `kg/m2`) and total
/// cholesterol (2093-3, `mg/dL`).
pub fn default_vitals() -> Vec<MeasureSpec> {
    vec![
        MeasureSpec::new("bmi", "39156-5", "kg/m2"),
        MeasureSpec::new("total_cholesterol", "2093-3", "mg/dL"),
    ]
}

/// Default [`PopulationHealthConfig::summary_vitals`]: BMI (39156-5), systolic (8480-6)
/// and diastolic (8462-4) blood pressure, heart rate (8867-4).
pub fn default_summary_vitals() -> Vec<MeasureSpec> {
    vec![
        MeasureSpec::new("bmi", "39156-5", "kg/m2"),
        MeasureSpec::new("systolic_bp", "8480-6", "mm[Hg]"),
        MeasureSpec::new("diastolic_bp", "8462-4", "mm[Hg]"),
        MeasureSpec::new("heart_rate", "8867-4", "/min"),
    ]
}

/// Default [`PopulationHealthConfig::reference_ranges`]: adult ranges in the units
/// Synthea writes.
///
/// | name | LOINC | unit | normal |
/// |---|---|---|---|
/// | glucose (blood) | 2339-0 | mg/dL | 70–99 |
/// | glucose (serum/plasma) | 2345-7 | mg/dL | 70–99 |
/// | hba1c | 4548-4 | % | 4.0–5.6 |
/// | creatinine | 2160-0 | mg/dL | 0.6–1.3 |
/// | potassium (blood) | 6298-4 | mmol/L | 3.5–5.1 |
/// | potassium (serum/plasma) | 2823-3 | mmol/L | 3.5–5.1 |
/// | sodium (blood) | 2947-0 | mmol/L | 135–145 |
/// | sodium (serum/plasma) | 2951-2 | mmol/L | 135–145 |
/// | hemoglobin | 718-7 | g/dL | 12.0–17.5 |
/// | ldl | 18262-6 | mg/dL | ≤ 130 |
/// | egfr | 33914-3 | mL/min/{1.73_m2} | ≥ 60 |
/// | systolic_bp | 8480-6 | `mm[Hg]` | 90–129 |
/// | diastolic_bp | 8462-4 | `mm[Hg]` | 60–79 |
/// | heart_rate | 8867-4 | /min | 60–100 |
/// | spo2 | 2708-6 | % | ≥ 95 |
pub fn default_reference_ranges() -> Vec<ReferenceRange> {
    let r = ReferenceRange::new;
    vec![
        r("glucose", "2339-0", "mg/dL", Some(70.0), Some(99.0)),
        r("glucose", "2345-7", "mg/dL", Some(70.0), Some(99.0)),
        r("hba1c", "4548-4", "%", Some(4.0), Some(5.6)),
        r("creatinine", "2160-0", "mg/dL", Some(0.6), Some(1.3)),
        r("potassium", "6298-4", "mmol/L", Some(3.5), Some(5.1)),
        r("potassium", "2823-3", "mmol/L", Some(3.5), Some(5.1)),
        r("sodium", "2947-0", "mmol/L", Some(135.0), Some(145.0)),
        r("sodium", "2951-2", "mmol/L", Some(135.0), Some(145.0)),
        r("hemoglobin", "718-7", "g/dL", Some(12.0), Some(17.5)),
        r("ldl", "18262-6", "mg/dL", None, Some(130.0)),
        r("egfr", "33914-3", "mL/min/{1.73_m2}", Some(60.0), None),
        r("systolic_bp", "8480-6", "mm[Hg]", Some(90.0), Some(129.0)),
        r("diastolic_bp", "8462-4", "mm[Hg]", Some(60.0), Some(79.0)),
        r("heart_rate", "8867-4", "/min", Some(60.0), Some(100.0)),
        r("spo2", "2708-6", "%", Some(95.0), None),
    ]
}

/// Default [`SurveillanceConfig::conditions`]: SNOMED CT value sets of the conditions of
/// interest.
///
/// | name | codes |
/// |---|---|
/// | diabetes | 44054006 (type 2), 46635009 (type 1), 73211009 (diabetes mellitus) |
/// | hypertension | 59621000 (essential), 38341003 (hypertensive disorder) |
/// | asthma | 195967001, 233678006 (childhood) |
/// | copd | 13645005, 185086009 (chronic obstructive bronchitis), 87433001 (emphysema) |
/// | influenza | 6142004 |
/// | covid19 | 840539006 (COVID-19), 840544004 (suspected COVID-19) |
pub fn default_conditions_of_interest() -> Vec<ValueSet> {
    vec![
        ValueSet::new("diabetes", &["44054006", "46635009", "73211009"]),
        ValueSet::new("hypertension", &["59621000", "38341003"]),
        ValueSet::new("asthma", &["195967001", "233678006"]),
        ValueSet::new("copd", &["13645005", "185086009", "87433001"]),
        ValueSet::new("influenza", &["6142004"]),
        ValueSet::new("covid19", &["840539006", "840544004"]),
    ]
}

/// Default [`PopulationHealthConfig::emergency_classes`]: `emergency`.
pub fn default_emergency_classes() -> Vec<String> {
    vec!["emergency".to_string()]
}

/// Default [`PopulationHealthConfig::encounter_classes`]: the Synthea encounter classes
/// `ambulatory`, `emergency`, `inpatient`, `outpatient`, `urgentcare`, `wellness`.
pub fn default_encounter_classes() -> Vec<String> {
    [
        "ambulatory",
        "emergency",
        "inpatient",
        "outpatient",
        "urgentcare",
        "wellness",
    ]
    .map(String::from)
    .to_vec()
}

/// Disease surveillance settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SurveillanceConfig {
    /// Conditions of interest, each a named SNOMED CT value set (a code may be in
    /// several). Default: [`default_conditions_of_interest`].
    pub conditions: Vec<ValueSet>,
    /// Length of the surveillance period in days, ending on the as-of date. Default:
    /// [`DEFAULT_SURVEILLANCE_DAYS`] (730).
    pub period_days: u32,
}

impl Default for SurveillanceConfig {
    fn default() -> Self {
        Self {
            conditions: default_conditions_of_interest(),
            period_days: DEFAULT_SURVEILLANCE_DAYS,
        }
    }
}

impl SurveillanceConfig {
    /// Set [`Self::period_days`].
    #[must_use]
    pub fn with_period_days(mut self, days: u32) -> Self {
        self.period_days = days;
        self
    }

    /// Set [`Self::conditions`].
    #[must_use]
    pub fn with_conditions(mut self, conditions: Vec<ValueSet>) -> Self {
        self.conditions = conditions;
        self
    }

    /// First and last day of the period ending on `as_of`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the period is empty or starts before year 1.
    pub fn period(&self, as_of: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
        let start = as_of.checked_sub_days(chrono::Days::new(
            u64::from(self.period_days).saturating_sub(1),
        ));
        match start {
            Some(start) if self.period_days > 0 => Ok((start, as_of)),
            _ => Err(Error::InvalidConfig {
                field: "surveillance.period_days",
                value: self.period_days.to_string(),
                reason: "must be at least 1 and fit before the as-of date".to_string(),
            }),
        }
    }
}

/// All settings of the population-health tables.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PopulationHealthConfig {
    /// Age bands (age on the as-of date). Default: [`AgeBands::default`] (0–17, 18–34,
    /// 35–49, 50–64, 65+).
    pub age_bands: AgeBands,
    /// Patient counts below this (and above 0) are suppressed. Default:
    /// [`DEFAULT_SMALL_CELL_THRESHOLD`] (11).
    pub small_cell_threshold: u32,
    /// Conditions listed per age band by `top_conditions_by_age_band`. Default:
    /// [`DEFAULT_TOP_CONDITIONS`] (5).
    pub top_conditions: u32,
    /// Measures of `vitals_by_group`. Default: [`default_vitals`] (BMI, total
    /// cholesterol).
    pub vitals: Vec<MeasureSpec>,
    /// Latest vitals shown in `patient_clinical_summary`. Default:
    /// [`default_summary_vitals`].
    pub summary_vitals: Vec<MeasureSpec>,
    /// Reference ranges of `lab_abnormal_trends` and the summary's last abnormal lab.
    /// Default: [`default_reference_ranges`].
    pub reference_ranges: Vec<ReferenceRange>,
    /// Surveillance. Default: [`SurveillanceConfig::default`].
    pub surveillance: SurveillanceConfig,
    /// Encounters "in the last N months" of the summary. Default:
    /// [`DEFAULT_SUMMARY_LOOKBACK_MONTHS`] (12).
    pub summary_lookback_months: u32,
    /// Encounter classes counted as emergency-department visits. Default:
    /// [`default_emergency_classes`].
    pub emergency_classes: Vec<String>,
    /// Encounter classes with their own `encounters_<class>` column in
    /// `hospital_utilization_metrics` (others are counted in `encounters_other`).
    /// Default: [`default_encounter_classes`].
    pub encounter_classes: Vec<String>,
}

impl Default for PopulationHealthConfig {
    fn default() -> Self {
        Self {
            age_bands: AgeBands::default(),
            small_cell_threshold: DEFAULT_SMALL_CELL_THRESHOLD,
            top_conditions: DEFAULT_TOP_CONDITIONS,
            vitals: default_vitals(),
            summary_vitals: default_summary_vitals(),
            reference_ranges: default_reference_ranges(),
            surveillance: SurveillanceConfig::default(),
            summary_lookback_months: DEFAULT_SUMMARY_LOOKBACK_MONTHS,
            emergency_classes: default_emergency_classes(),
            encounter_classes: default_encounter_classes(),
        }
    }
}

impl PopulationHealthConfig {
    /// Set [`Self::small_cell_threshold`].
    #[must_use]
    pub fn with_small_cell_threshold(mut self, threshold: u32) -> Self {
        self.small_cell_threshold = threshold;
        self
    }

    /// Set [`Self::top_conditions`].
    #[must_use]
    pub fn with_top_conditions(mut self, n: u32) -> Self {
        self.top_conditions = n;
        self
    }

    /// Set [`Self::surveillance`].
    #[must_use]
    pub fn with_surveillance(mut self, surveillance: SurveillanceConfig) -> Self {
        self.surveillance = surveillance;
        self
    }

    /// Checks the settings every table relies on.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero top-N, summary vital names that are not
    /// unique or not snake_case, encounter classes that are not snake_case, reference
    /// ranges sharing a code or whose low bound is above the high bound, or invalid age
    /// bands ([`Error::Quality`]).
    pub fn validate(&self) -> Result<()> {
        self.age_bands.validate()?;
        if self.top_conditions == 0 {
            return Err(invalid("top_conditions", "0", "must be at least 1"));
        }
        let mut names: Vec<&str> = self
            .summary_vitals
            .iter()
            .map(|m| m.name.as_str())
            .collect();
        let snake = |n: &&str| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if let Some(bad) = names.iter().find(|n| !snake(n)) {
            return Err(invalid("summary_vitals.name", bad, "must be snake_case"));
        }
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(invalid(
                "summary_vitals.name",
                &names.join(","),
                "must be unique",
            ));
        }
        for class in &self.encounter_classes {
            if !snake(&class.as_str()) {
                return Err(invalid("encounter_classes", class, "must be snake_case"));
            }
        }
        let mut codes: Vec<&str> = self
            .reference_ranges
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        codes.sort_unstable();
        if let Some(w) = codes.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid("reference_ranges.code", w[0], "must be unique"));
        }
        for range in &self.reference_ranges {
            if let (Some(low), Some(high)) = (range.low, range.high)
                && low > high
            {
                return Err(invalid(
                    "reference_ranges",
                    &format!("{}: {low} > {high}", range.code),
                    "low must not exceed high",
                ));
            }
        }
        Ok(())
    }
}

fn invalid(field: &'static str, value: &str, reason: &str) -> Error {
    Error::InvalidConfig {
        field,
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn config_loads_from_partial_json_with_documented_defaults() {
        let c: PopulationHealthConfig = serde_json::from_str(
            r#"{"small_cell_threshold": 5, "surveillance": {"period_days": 28}}"#,
        )
        .unwrap();
        assert_eq!(c.small_cell_threshold, 5);
        assert_eq!(c.surveillance.period_days, 28);
        assert_eq!(c.surveillance.conditions.len(), 6);
        assert_eq!(c.top_conditions, 5);
        assert_eq!(c.vitals[0].code, "39156-5");
        assert_eq!(
            c.age_bands.labels(),
            ["0-17", "18-34", "35-49", "50-64", "65+"]
        );
        let back: PopulationHealthConfig =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        c.validate().unwrap();
    }

    #[test]
    fn invalid_settings_are_rejected_with_the_field_name() {
        let c = PopulationHealthConfig::default().with_top_conditions(0);
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidConfig {
                field: "top_conditions",
                ..
            })
        ));
        let mut c = PopulationHealthConfig::default();
        c.reference_ranges[0].low = Some(200.0);
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidConfig {
                field: "reference_ranges",
                ..
            })
        ));
        let mut c = PopulationHealthConfig::default();
        c.summary_vitals[1].name = "bmi".into();
        assert!(c.validate().is_err());
        let as_of = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        let s = SurveillanceConfig {
            period_days: 0,
            ..Default::default()
        };
        assert!(s.period(as_of).is_err());
        let s = SurveillanceConfig {
            period_days: 31,
            ..Default::default()
        };
        assert_eq!(
            s.period(as_of).unwrap().0,
            NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
        );
    }
}
