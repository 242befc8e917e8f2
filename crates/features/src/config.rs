//! Configuration of the feature store: which as-of dates, which feature groups, which
//! labels. Plain serde data; every field has a documented default and a partial JSON
//! object keeps the defaults of the fields it leaves out.

use chrono::{Datelike, NaiveDate};
use ehr_population_health::{
    MeasureSpec, default_conditions_of_interest, default_emergency_classes,
};
use ehr_quality_metrics::{AdherenceConfig, QualityConfig, ValueSet};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default [`UtilizationFeatures::windows_days`]: the last 182 and 365 days (6 and 12
/// months).
pub const DEFAULT_UTILIZATION_WINDOWS_DAYS: [u32; 2] = [182, 365];
/// Default [`LabFeatures::trend_days`]: the trend compares with the value 365 days
/// earlier.
pub const DEFAULT_TREND_DAYS: u32 = 365;
/// Default [`LabelConfig::diabetes_horizon_days`]: onset within 365 days after the
/// as-of date.
pub const DEFAULT_DIABETES_HORIZON_DAYS: u32 = 365;
/// Default [`UtilizationFeatures::inpatient_class`].
pub const DEFAULT_INPATIENT_CLASS: &str = "inpatient";

/// Which as-of dates the feature store has rows for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsOfDates {
    /// The last day of every month from `start`'s month to `end`'s month (inclusive),
    /// for every patient born on or before it and not dead on or before it.
    MonthEnds {
        /// A day in the first month.
        start: NaiveDate,
        /// A day in the last month.
        end: NaiveDate,
    },
    /// These dates (duplicates removed), for every patient alive on them as above.
    Dates(Vec<NaiveDate>),
    /// One row per index discharge of the 30-day readmission measure
    /// (`ehr_quality_metrics::readmission::readmissions`, `index_flag`), as of its
    /// discharge date: the spine of the readmission model.
    IndexDischarges,
}

impl Default for AsOfDates {
    /// The month ends of 2022 and 2023.
    fn default() -> Self {
        Self::MonthEnds {
            start: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or_default(),
            end: NaiveDate::from_ymd_opt(2023, 12, 31).unwrap_or_default(),
        }
    }
}

impl AsOfDates {
    /// The explicit dates of [`AsOfDates::MonthEnds`] / [`AsOfDates::Dates`], sorted and
    /// deduplicated; `None` for [`AsOfDates::IndexDischarges`].
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a start after the end or an empty date list.
    pub fn dates(&self) -> Result<Option<Vec<NaiveDate>>> {
        let mut out = match self {
            Self::IndexDischarges => return Ok(None),
            Self::Dates(dates) => dates.clone(),
            Self::MonthEnds { start, end } => {
                if start > end {
                    return Err(Error::InvalidConfig {
                        field: "as_of.month_ends",
                        value: format!("{start}..{end}"),
                        reason: "start must not be after end".into(),
                    });
                }
                month_ends(*start, *end)
            }
        };
        out.sort_unstable();
        out.dedup();
        if out.is_empty() {
            return Err(Error::InvalidConfig {
                field: "as_of.dates",
                value: "[]".into(),
                reason: "at least one as-of date is needed".into(),
            });
        }
        Ok(Some(out))
    }
}

/// The last day of each month from `start`'s month to `end`'s month.
fn month_ends(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let (mut y, mut m) = (start.year(), start.month());
    while (y, m) <= (end.year(), end.month()) {
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        if let Some(last) = NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()) {
            out.push(last);
        }
        (y, m) = (ny, nm);
    }
    out
}

/// Condition features: per value set a flag and a count of diagnoses on or before the
/// as-of date, and the number of distinct condition codes active on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ConditionFeatures {
    /// Chronic-condition value sets (SNOMED CT). Default: the chronic sets of
    /// `ehr_population_health::default_conditions_of_interest` (diabetes, hypertension,
    /// asthma, copd; its acute sets influenza and covid19 are left out) plus
    /// `prediabetes` (15777000) and `obesity` (162864005 BMI 30+, 408512008 BMI 40+), the
    /// codes Synthea and `synthea-gen` write.
    pub value_sets: Vec<ValueSet>,
}

impl Default for ConditionFeatures {
    fn default() -> Self {
        let acute = ["influenza", "covid19"];
        let mut value_sets: Vec<ValueSet> = default_conditions_of_interest()
            .into_iter()
            .filter(|s| !acute.contains(&s.name.as_str()))
            .collect();
        value_sets.push(ValueSet::new("prediabetes", &["15777000"]));
        value_sets.push(ValueSet::new("obesity", &["162864005", "408512008"]));
        Self { value_sets }
    }
}

/// Utilization features: encounters, emergency visits and inpatient encounters starting
/// in each trailing window `(as_of − days, as_of]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct UtilizationFeatures {
    /// Window lengths in days. Default: [`DEFAULT_UTILIZATION_WINDOWS_DAYS`].
    pub windows_days: Vec<u32>,
    /// Encounter classes counted as emergency visits. Default:
    /// `ehr_population_health::default_emergency_classes` (`emergency`).
    pub emergency_classes: Vec<String>,
    /// Encounter class of inpatient stays. Default: [`DEFAULT_INPATIENT_CLASS`].
    pub inpatient_class: String,
}

impl Default for UtilizationFeatures {
    fn default() -> Self {
        Self {
            windows_days: DEFAULT_UTILIZATION_WINDOWS_DAYS.to_vec(),
            emergency_classes: default_emergency_classes(),
            inpatient_class: DEFAULT_INPATIENT_CLASS.to_string(),
        }
    }
}

/// Medication features: medications active on the as-of date (started on or before
/// it, not stopped on or before it), overall and per drug class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct MedicationFeatures {
    /// RxNorm drug classes. Default: `ehr_quality_metrics::AdherenceConfig`'s default
    /// `drug_classes` (statins, RAS antagonists, non-insulin diabetes drugs, calcium
    /// channel blockers, beta blockers, thiazide diuretics, SSRIs).
    pub drug_classes: Vec<ValueSet>,
}

impl Default for MedicationFeatures {
    fn default() -> Self {
        Self {
            drug_classes: AdherenceConfig::default().drug_classes,
        }
    }
}

/// Lab and vital-sign features: per measure the latest value on or before the as-of
/// date, the days since it, and its trend (latest minus the latest value on or before
/// `as_of − trend_days`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LabFeatures {
    /// Measures (LOINC). Default: BMI 39156-5 (kg/m2), HbA1c 4548-4 (%), systolic blood
    /// pressure 8480-6 (`mm[Hg]`), total cholesterol 2093-3 (mg/dL), eGFR 33914-3
    /// (mL/min/{1.73_m2}) — all written by Synthea and `synthea-gen`. The unit is
    /// documentation; values are matched by code.
    pub measures: Vec<MeasureSpec>,
    /// Days back for the trend's earlier value. Default: [`DEFAULT_TREND_DAYS`].
    pub trend_days: u32,
}

impl Default for LabFeatures {
    fn default() -> Self {
        Self {
            measures: vec![
                MeasureSpec::new("bmi", "39156-5", "kg/m2"),
                MeasureSpec::new("hba1c", "4548-4", "%"),
                MeasureSpec::new("systolic_bp", "8480-6", "mm[Hg]"),
                MeasureSpec::new("cholesterol", "2093-3", "mg/dL"),
                MeasureSpec::new("egfr", "33914-3", "mL/min/{1.73_m2}"),
            ],
            trend_days: DEFAULT_TREND_DAYS,
        }
    }
}

/// Journey features per condition value set (by name, from
/// [`ConditionFeatures::value_sets`]): days from the first diagnosis to the as-of date
/// and days from diagnosis to the first treatment, both as `ehr_journey` computes them
/// on the history up to the as-of date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct JourneyFeatures {
    /// Names of condition value sets. Default: `diabetes`, `hypertension`, `prediabetes`.
    pub value_sets: Vec<String>,
}

impl Default for JourneyFeatures {
    fn default() -> Self {
        Self {
            value_sets: vec![
                "diabetes".into(),
                "hypertension".into(),
                "prediabetes".into(),
            ],
        }
    }
}

/// The feature groups; `None` leaves a group out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct FeatureGroups {
    /// Age at the as-of date, gender, race. Default: on.
    pub demographics: bool,
    /// Default: [`ConditionFeatures::default`].
    pub conditions: Option<ConditionFeatures>,
    /// Default: [`UtilizationFeatures::default`].
    pub utilization: Option<UtilizationFeatures>,
    /// Default: [`MedicationFeatures::default`].
    pub medications: Option<MedicationFeatures>,
    /// Default: [`LabFeatures::default`].
    pub labs: Option<LabFeatures>,
    /// Default: [`JourneyFeatures::default`] (needs `conditions`).
    pub journey: Option<JourneyFeatures>,
}

impl Default for FeatureGroups {
    fn default() -> Self {
        Self {
            demographics: true,
            conditions: Some(ConditionFeatures::default()),
            utilization: Some(UtilizationFeatures::default()),
            medications: Some(MedicationFeatures::default()),
            labs: Some(LabFeatures::default()),
            journey: Some(JourneyFeatures::default()),
        }
    }
}

/// Labels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LabelConfig {
    /// Name of the condition value set whose first diagnosis is diabetes onset.
    /// Default: `diabetes` (from [`ConditionFeatures::value_sets`]).
    pub diabetes_value_set: String,
    /// Onset window after the as-of date. Default: [`DEFAULT_DIABETES_HORIZON_DAYS`].
    pub diabetes_horizon_days: u32,
    /// The readmission measure whose index stays and flags are the readmission label.
    /// Default: `QualityConfig::default()`.
    pub quality: QualityConfig,
}

impl Default for LabelConfig {
    fn default() -> Self {
        Self {
            diabetes_value_set: "diabetes".into(),
            diabetes_horizon_days: DEFAULT_DIABETES_HORIZON_DAYS,
            quality: QualityConfig::default(),
        }
    }
}

/// Configuration of [`crate::feature_store`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
#[non_exhaustive]
pub struct FeatureStoreConfig {
    /// Default: [`AsOfDates::default`].
    pub as_of: AsOfDates,
    /// Default: [`FeatureGroups::default`].
    pub groups: FeatureGroups,
    /// Default: [`LabelConfig::default`].
    pub labels: LabelConfig,
}

impl FeatureStoreConfig {
    /// Set [`Self::as_of`].
    pub fn with_as_of(mut self, as_of: AsOfDates) -> Self {
        self.as_of = as_of;
        self
    }
    /// Set [`Self::groups`].
    pub fn with_groups(mut self, groups: FeatureGroups) -> Self {
        self.groups = groups;
        self
    }
    /// Set [`Self::labels`].
    pub fn with_labels(mut self, labels: LabelConfig) -> Self {
        self.labels = labels;
        self
    }

    /// The condition value set named `name`.
    pub(crate) fn condition_set(&self, name: &str) -> Option<&ValueSet> {
        self.groups
            .conditions
            .as_ref()
            .and_then(|c| c.value_sets.iter().find(|s| s.name == name))
    }

    /// Check the settings.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for bad as-of dates, zero-length windows, names that are
    /// not snake_case column fragments, or journey / label value sets that are not
    /// condition value sets.
    pub fn validate(&self) -> Result<()> {
        self.as_of.dates()?;
        let g = &self.groups;
        let mut names: Vec<&str> = Vec::new();
        if let Some(c) = &g.conditions {
            names.extend(c.value_sets.iter().map(|s| s.name.as_str()));
        }
        if let Some(m) = &g.medications {
            names.extend(m.drug_classes.iter().map(|s| s.name.as_str()));
        }
        if let Some(l) = &g.labs {
            names.extend(l.measures.iter().map(|s| s.name.as_str()));
            positive("labs.trend_days", l.trend_days)?;
        }
        if let Some(u) = &g.utilization {
            for d in &u.windows_days {
                positive("utilization.windows_days", *d)?;
            }
        }
        for name in names {
            snake_case(name)?;
        }
        let journeys = g.journey.iter().flat_map(|j| j.value_sets.iter());
        for name in journeys.chain([&self.labels.diabetes_value_set]) {
            if self.condition_set(name).is_none() {
                return Err(Error::InvalidConfig {
                    field: "value set name",
                    value: name.clone(),
                    reason: "must name one of groups.conditions.value_sets".into(),
                });
            }
        }
        positive(
            "labels.diabetes_horizon_days",
            self.labels.diabetes_horizon_days,
        )
    }
}

fn positive(field: &'static str, v: u32) -> Result<()> {
    if v == 0 {
        return Err(Error::InvalidConfig {
            field,
            value: v.to_string(),
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// Names become parts of column names.
fn snake_case(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        return Ok(());
    }
    Err(Error::InvalidConfig {
        field: "value set / measure name",
        value: name.to_string(),
        reason: "must be snake_case (a-z, 0-9, _): it becomes part of a column name".into(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn month_ends_cover_every_month_inclusive() {
        let dates = AsOfDates::MonthEnds {
            start: d(2023, 11, 15),
            end: d(2024, 2, 1),
        };
        assert_eq!(
            dates.dates().unwrap().unwrap(),
            [
                d(2023, 11, 30),
                d(2023, 12, 31),
                d(2024, 1, 31),
                d(2024, 2, 29)
            ]
        );
    }

    #[test]
    fn default_config_is_valid_and_round_trips_through_json() {
        let c = FeatureStoreConfig::default();
        c.validate().unwrap();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(
            serde_json::from_str::<FeatureStoreConfig>(&json).unwrap(),
            c
        );
        let partial: FeatureStoreConfig =
            serde_json::from_str(r#"{"as_of": {"dates": ["2020-01-01"]}}"#).unwrap();
        assert_eq!(partial.groups, FeatureGroups::default());
    }

    #[test]
    fn journey_sets_must_be_condition_sets() {
        let mut c = FeatureStoreConfig::default();
        c.groups.journey = Some(JourneyFeatures {
            value_sets: vec!["nope".into()],
        });
        assert!(matches!(c.validate(), Err(Error::InvalidConfig { .. })));
    }
}
