//! Metric configuration: every value set is data (serde-loadable), every default is
//! documented. No config reads a clock: periods and as-of dates are function arguments.

use chrono::{Months, NaiveDate};
use medallion_model::expr::typed_null;
use polars::prelude::{DataType, Expr, TimeZone, lit, when};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Default [`StayConfig::merge_gap_days`]: 1 day.
pub const DEFAULT_MERGE_GAP_DAYS: i32 = 1;
/// Default [`ReadmissionConfig::window_days`]: 30 days.
pub const DEFAULT_READMISSION_WINDOW_DAYS: i32 = 30;
/// Default death-certification encounter code (SNOMED 308646001 "Death Certification").
pub const DEATH_CERTIFICATION_CODE: &str = "308646001";
/// Default [`AdherenceConfig::threshold`]: PDC ≥ 0.80 is adherent.
pub const DEFAULT_PDC_THRESHOLD: f64 = 0.80;
/// Default [`AdherenceConfig::min_age_years`]: 18.
pub const DEFAULT_MIN_AGE_YEARS: i32 = 18;
/// Default [`AdherenceConfig::min_fill_dates`]: 2 fills on different dates.
pub const DEFAULT_MIN_FILL_DATES: u32 = 2;
/// Default [`AdherenceConfig::min_days_before_period_end`]: first fill ≥ 91 days before
/// the period end.
pub const DEFAULT_MIN_DAYS_BEFORE_PERIOD_END: i32 = 91;
/// Default [`LatencyConfig::lookback_days`]: 90 days.
pub const DEFAULT_LATENCY_LOOKBACK_DAYS: i32 = 90;
/// Default [`QualityConfig::gold_period_months`]: 12 months ending at the as-of date.
pub const DEFAULT_GOLD_PERIOD_MONTHS: u32 = 12;
/// Default [`AgeBands::lower_bounds`]: the bands 0–17, 18–34, 35–49, 50–64 and 65+.
pub const DEFAULT_AGE_BAND_LOWER_BOUNDS: [i32; 5] = [0, 18, 35, 50, 65];

/// A named list of codes (a value set). Codes are strings, matched exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueSet {
    /// Name; used as the exclusion reason / drug class label in outputs.
    pub name: String,
    /// The codes.
    pub codes: Vec<String>,
}

impl ValueSet {
    /// A value set from a name and codes.
    pub fn new(name: impl Into<String>, codes: &[&str]) -> Self {
        Self {
            name: name.into(),
            codes: codes.iter().map(|c| (*c).to_string()).collect(),
        }
    }
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_string()).collect()
}

/// An inclusive measurement period `[start, end]` of calendar dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementPeriod {
    /// First day (inclusive).
    pub start: NaiveDate,
    /// Last day (inclusive).
    pub end: NaiveDate,
}

impl MeasurementPeriod {
    /// A period `[start, end]`.
    ///
    /// # Errors
    /// [`Error::InvalidPeriod`] when `start > end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if start > end {
            return Err(Error::InvalidPeriod { start, end });
        }
        Ok(Self { start, end })
    }

    /// The `months` calendar months ending at `end` inclusive, e.g. 12 months ending
    /// 2023-12-31 = `[2023-01-01, 2023-12-31]`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when `months` is 0 or the start is out of range.
    pub fn months_ending(end: NaiveDate, months: u32) -> Result<Self> {
        let start = end
            .checked_sub_months(Months::new(months))
            .and_then(|d| d.succ_opt())
            .filter(|_| months > 0)
            .ok_or_else(|| Error::InvalidConfig {
                field: "gold_period_months",
                value: months.to_string(),
                reason: "must be ≥ 1 and keep the period start a valid date".to_string(),
            })?;
        Self::new(start, end)
    }

    /// Number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// Configuration of the inpatient stay rollup ([`crate::stays::inpatient_stays`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct StayConfig {
    /// Encounter classes that are inpatient encounters. Default: `["inpatient"]`.
    pub inpatient_classes: Vec<String>,
    /// Encounter classes that set `er_admit_flag`. Default: `["emergency"]`.
    pub emergency_classes: Vec<String>,
    /// Stays of one patient at one organization merge when the next admission date is
    /// at most this many days after the previous discharge date; consecutive stays at
    /// different organizations within the same gap form a transfer chain.
    /// Default: [`DEFAULT_MERGE_GAP_DAYS`] (1).
    pub merge_gap_days: i32,
}

impl Default for StayConfig {
    fn default() -> Self {
        Self {
            inpatient_classes: strings(&["inpatient"]),
            emergency_classes: strings(&["emergency"]),
            merge_gap_days: DEFAULT_MERGE_GAP_DAYS,
        }
    }
}

impl StayConfig {
    /// Set [`Self::merge_gap_days`].
    pub fn with_merge_gap_days(mut self, days: i32) -> Self {
        self.merge_gap_days = days;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.merge_gap_days < 0 {
            return Err(Error::InvalidConfig {
                field: "stays.merge_gap_days",
                value: self.merge_gap_days.to_string(),
                reason: "must be ≥ 0".to_string(),
            });
        }
        Ok(())
    }
}

/// Configuration of the 30-day readmission measure ([`crate::readmission::readmissions`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ReadmissionConfig {
    /// A readmission is admitted 1..=`window_days` days after the index discharge date;
    /// index stays must be discharged ≤ (last discharge in data − `window_days`).
    /// Default: [`DEFAULT_READMISSION_WINDOW_DAYS`] (30).
    pub window_days: i32,
    /// Encounter codes that certify a death (any class). Default:
    /// `["308646001"]` ([`DEATH_CERTIFICATION_CODE`]).
    pub death_encounter_codes: Vec<String>,
    /// Index-stay exclusion value sets, checked in this order; the first match names the
    /// exclusion reason. A stay matches when any of its codes (encounter type, encounter
    /// reason, code or reason of a procedure in one of its encounters) is in the set.
    /// Defaults (SNOMED CT, from the codes Synthea's modules emit):
    /// * `cancer_treatment`: 367336001 chemotherapy, 33195004 external beam radiation
    ///   therapy, 703423002 combined chemo+radiation, 254637007 non-small cell lung cancer,
    ///   254632001 small cell carcinoma of lung, 363406005 malignant neoplasm of colon,
    ///   93761005 primary malignant neoplasm of colon, 94260004 secondary malignant
    ///   neoplasm of colon, 254837009 malignant neoplasm of breast, 126906006 neoplasm of
    ///   prostate, 92691004 carcinoma in situ of prostate;
    /// * `psychiatric`: 35489007 depressive disorder, 370143000 major depressive disorder,
    ///   36923009 major depression single episode, 58214004 schizophrenia, 69322001
    ///   psychotic disorder, 13746004 bipolar disorder, 197480006 anxiety disorder,
    ///   47505003 posttraumatic stress disorder, 80583007 severe anxiety (panic);
    /// * `rehabilitation`: 56876005 drug rehabilitation and detoxification (encounter type).
    pub exclusion_value_sets: Vec<ValueSet>,
    /// Always-planned value set (CMS planned-readmission algorithm, table PR1/PR2): a
    /// stay with any of its codes (encounter type, encounter reason, code or reason of a
    /// procedure in one of its encounters) in this set is planned, whatever its reason.
    /// Default (SNOMED CT): 367336001 chemotherapy, 33195004 external beam radiation
    /// therapy, 703423002 combined chemotherapy and radiation therapy (maintenance
    /// chemotherapy / radiation), 56876005 drug rehabilitation and detoxification
    /// (rehabilitation), 70536003 transplantation of kidney (transplant).
    pub always_planned: ValueSet,
    /// Potentially-planned value set (CMS table PR3): a stay with any of its codes in
    /// this set is planned unless it also has a code in [`Self::acute`].
    /// Default (SNOMED CT): 302497006 hemodialysis, 265764009 renal dialysis, 52734007
    /// total hip replacement, 609588000 total knee replacement, 183996000 sterilization
    /// requested.
    pub potentially_planned: ValueSet,
    /// Acute value set (CMS table PR4): a stay with any of its codes in this set is not
    /// planned through [`Self::potentially_planned`] (an acute stay with dialysis is
    /// unplanned). Default (SNOMED CT, as Synthea emits them): 91302008 sepsis,
    /// 770349000 sepsis caused by virus, 840539006 COVID-19, 22298006 myocardial
    /// infarction, 401303003 acute ST elevation myocardial infarction, 401314000 acute
    /// non-ST elevation myocardial infarction, 233604007 pneumonia, 67782005 acute
    /// respiratory distress syndrome, 65710008 acute respiratory failure, 230690007
    /// cerebrovascular accident.
    pub acute: ValueSet,
}

impl Default for ReadmissionConfig {
    fn default() -> Self {
        Self {
            window_days: DEFAULT_READMISSION_WINDOW_DAYS,
            death_encounter_codes: strings(&[DEATH_CERTIFICATION_CODE]),
            exclusion_value_sets: vec![
                ValueSet::new(
                    "cancer_treatment",
                    &[
                        "367336001",
                        "33195004",
                        "703423002",
                        "254637007",
                        "254632001",
                        "363406005",
                        "93761005",
                        "94260004",
                        "254837009",
                        "126906006",
                        "92691004",
                    ],
                ),
                ValueSet::new(
                    "psychiatric",
                    &[
                        "35489007",
                        "370143000",
                        "36923009",
                        "58214004",
                        "69322001",
                        "13746004",
                        "197480006",
                        "47505003",
                        "80583007",
                    ],
                ),
                ValueSet::new("rehabilitation", &["56876005"]),
            ],
            always_planned: ValueSet::new(
                "always_planned",
                &["367336001", "33195004", "703423002", "56876005", "70536003"],
            ),
            potentially_planned: ValueSet::new(
                "potentially_planned",
                &[
                    "302497006",
                    "265764009",
                    "52734007",
                    "609588000",
                    "183996000",
                ],
            ),
            acute: ValueSet::new(
                "acute",
                &[
                    "91302008",
                    "770349000",
                    "840539006",
                    "22298006",
                    "401303003",
                    "401314000",
                    "233604007",
                    "67782005",
                    "65710008",
                    "230690007",
                ],
            ),
        }
    }
}

impl ReadmissionConfig {
    /// Set [`Self::window_days`].
    pub fn with_window_days(mut self, days: i32) -> Self {
        self.window_days = days;
        self
    }
    /// Set [`Self::exclusion_value_sets`].
    pub fn with_exclusion_value_sets(mut self, sets: Vec<ValueSet>) -> Self {
        self.exclusion_value_sets = sets;
        self
    }
    /// Set [`Self::always_planned`].
    pub fn with_always_planned(mut self, set: ValueSet) -> Self {
        self.always_planned = set;
        self
    }
    /// Set [`Self::potentially_planned`].
    pub fn with_potentially_planned(mut self, set: ValueSet) -> Self {
        self.potentially_planned = set;
        self
    }
    /// Set [`Self::acute`].
    pub fn with_acute(mut self, set: ValueSet) -> Self {
        self.acute = set;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.window_days < 1 {
            return Err(Error::InvalidConfig {
                field: "readmission.window_days",
                value: self.window_days.to_string(),
                reason: "must be ≥ 1".to_string(),
            });
        }
        Ok(())
    }
}

/// Configuration of PQA proportion-of-days-covered adherence
/// ([`crate::adherence::medication_adherence`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AdherenceConfig {
    /// RxNorm code → drug class map, one value set per class (a code may belong to
    /// several classes). Same code = same drug. Defaults (RxNorm codes Synthea emits):
    /// * `statins`: 314231 simvastatin 10 mg, 312961 simvastatin 20 mg, 259255
    ///   atorvastatin 80 mg;
    /// * `ras_antagonists`: 314076 lisinopril 10 mg, 314077 lisinopril 20 mg, 979492
    ///   losartan 50 mg;
    /// * `diabetes_non_insulin`: 860975 metformin ER 500 mg, 897122 liraglutide pen;
    /// * `calcium_channel_blockers`: 308136 amlodipine 2.5 mg, 197361 amlodipine 5 mg;
    /// * `beta_blockers`: 866414 metoprolol succinate ER 100 mg, 200033 carvedilol 25 mg;
    /// * `thiazide_diuretics`: 310798 hydrochlorothiazide 25 mg;
    /// * `ssri_antidepressants`: 312938 sertraline 100 mg, 349332 escitalopram 10 mg.
    pub drug_classes: Vec<ValueSet>,
    /// Minimum age in full years at the period start. Default: [`DEFAULT_MIN_AGE_YEARS`] (18).
    pub min_age_years: i32,
    /// Minimum number of fills on different dates in the period.
    /// Default: [`DEFAULT_MIN_FILL_DATES`] (2).
    pub min_fill_dates: u32,
    /// The first fill must be at least this many days before the period end.
    /// Default: [`DEFAULT_MIN_DAYS_BEFORE_PERIOD_END`] (91).
    pub min_days_before_period_end: i32,
    /// Adherent ⇔ PDC ≥ threshold. Default: [`DEFAULT_PDC_THRESHOLD`] (0.80).
    pub threshold: f64,
}

impl Default for AdherenceConfig {
    fn default() -> Self {
        Self {
            drug_classes: vec![
                ValueSet::new("statins", &["314231", "312961", "259255"]),
                ValueSet::new("ras_antagonists", &["314076", "314077", "979492"]),
                ValueSet::new("diabetes_non_insulin", &["860975", "897122"]),
                ValueSet::new("calcium_channel_blockers", &["308136", "197361"]),
                ValueSet::new("beta_blockers", &["866414", "200033"]),
                ValueSet::new("thiazide_diuretics", &["310798"]),
                ValueSet::new("ssri_antidepressants", &["312938", "349332"]),
            ],
            min_age_years: DEFAULT_MIN_AGE_YEARS,
            min_fill_dates: DEFAULT_MIN_FILL_DATES,
            min_days_before_period_end: DEFAULT_MIN_DAYS_BEFORE_PERIOD_END,
            threshold: DEFAULT_PDC_THRESHOLD,
        }
    }
}

impl AdherenceConfig {
    /// Set [`Self::drug_classes`].
    pub fn with_drug_classes(mut self, classes: Vec<ValueSet>) -> Self {
        self.drug_classes = classes;
        self
    }
    /// Set [`Self::threshold`].
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.threshold) {
            return Err(Error::InvalidConfig {
                field: "adherence.threshold",
                value: self.threshold.to_string(),
                reason: "must be within 0..=1".to_string(),
            });
        }
        Ok(())
    }
}

/// Configuration of encounter-to-diagnosis latency ([`crate::latency::diagnosis_latency`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LatencyConfig {
    /// Look-back window before the diagnosis, in days (inclusive).
    /// Default: [`DEFAULT_LATENCY_LOOKBACK_DAYS`] (90).
    pub lookback_days: i32,
    /// Encounter classes that do not start a diagnostic work-up. Default: `["wellness"]`.
    pub excluded_encounter_classes: Vec<String>,
}

impl Default for LatencyConfig {
    fn default() -> Self {
        Self {
            lookback_days: DEFAULT_LATENCY_LOOKBACK_DAYS,
            excluded_encounter_classes: strings(&["wellness"]),
        }
    }
}

impl LatencyConfig {
    /// Set [`Self::lookback_days`].
    pub fn with_lookback_days(mut self, days: i32) -> Self {
        self.lookback_days = days;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.lookback_days < 0 {
            return Err(Error::InvalidConfig {
                field: "latency.lookback_days",
                value: self.lookback_days.to_string(),
                reason: "must be ≥ 0".to_string(),
            });
        }
        Ok(())
    }
}

/// Configuration of the midnight census ([`crate::census::daily_census`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CensusConfig {
    /// IANA time zone whose local midnights are counted; use the silver time zone.
    /// Default: `"UTC"`.
    pub time_zone: String,
    /// Beds per facility that the capacity table does not list (or when none is given).
    /// Default: `None`, meaning such a facility's capacity is unknown and its occupancy
    /// is null (it is never estimated from the census).
    pub default_beds_per_facility: Option<u32>,
}

impl Default for CensusConfig {
    fn default() -> Self {
        Self {
            time_zone: "UTC".to_string(),
            default_beds_per_facility: None,
        }
    }
}

impl CensusConfig {
    /// Set [`Self::time_zone`].
    pub fn with_time_zone(mut self, tz: impl Into<String>) -> Self {
        self.time_zone = tz.into();
        self
    }
    /// Set [`Self::default_beds_per_facility`].
    pub fn with_default_beds_per_facility(mut self, beds: Option<u32>) -> Self {
        self.default_beds_per_facility = beds;
        self
    }

    pub(crate) fn polars_time_zone(&self) -> Result<TimeZone> {
        match TimeZone::opt_try_new(Some(self.time_zone.as_str())) {
            Ok(Some(tz)) => Ok(tz),
            Ok(None) => Ok(TimeZone::UTC),
            Err(e) => Err(Error::InvalidConfig {
                field: "census.time_zone",
                value: self.time_zone.clone(),
                reason: format!("not an IANA time zone ({e})"),
            }),
        }
    }
}

/// Age bands in full years: band *i* covers `lower_bounds[i] ..= lower_bounds[i + 1] − 1`
/// and is labelled `"<low>-<high>"` (e.g. `18-34`); the last band is open-ended
/// (`"65+"`). Ages below the first bound have no band (null).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AgeBands {
    /// Lower bounds in years, strictly increasing.
    /// Default: [`DEFAULT_AGE_BAND_LOWER_BOUNDS`] (0, 18, 35, 50, 65).
    pub lower_bounds: Vec<i32>,
}

impl Default for AgeBands {
    fn default() -> Self {
        Self::new(DEFAULT_AGE_BAND_LOWER_BOUNDS.to_vec())
    }
}

impl AgeBands {
    /// Bands starting at `lower_bounds` (strictly increasing; checked when used).
    pub fn new(lower_bounds: Vec<i32>) -> Self {
        Self { lower_bounds }
    }

    /// The band labels, in order, e.g. `["0-17", "18-34", "35-49", "50-64", "65+"]`.
    pub fn labels(&self) -> Vec<String> {
        let next = self.lower_bounds.iter().skip(1).map(Some).chain([None]);
        self.lower_bounds
            .iter()
            .zip(next)
            .map(|(low, next)| match next {
                Some(next) => format!("{low}-{}", next - 1),
                None => format!("{low}+"),
            })
            .collect()
    }

    /// The label of the band of `age_years` (an integer expression); null outside every
    /// band.
    pub fn label(&self, age_years: Expr) -> Expr {
        let uppers = self.lower_bounds.iter().skip(1).copied().chain([i32::MAX]);
        let bands: Vec<_> = self.lower_bounds.iter().copied().zip(uppers).collect();
        // Built from the last band down: each `otherwise` falls through to the next band.
        bands.into_iter().zip(self.labels()).rev().fold(
            typed_null(DataType::String),
            |older, ((low, high), label)| {
                let inside = age_years
                    .clone()
                    .gt_eq(lit(low))
                    .and(age_years.clone().lt(lit(high)));
                when(inside).then(lit(label)).otherwise(older)
            },
        )
    }

    /// Checks that the bounds are a non-empty, strictly increasing list.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming `age_bands.lower_bounds` otherwise.
    pub fn validate(&self) -> Result<()> {
        let increasing = self.lower_bounds.windows(2).all(|w| w[0] < w[1]);
        if self.lower_bounds.is_empty() || !increasing {
            return Err(Error::InvalidConfig {
                field: "age_bands.lower_bounds",
                value: format!("{:?}", self.lower_bounds),
                reason: "must be a non-empty, strictly increasing list of ages".to_string(),
            });
        }
        Ok(())
    }
}

/// All metric configs, as loaded by a pipeline.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct QualityConfig {
    /// Stay rollup. Default: [`StayConfig::default`].
    pub stays: StayConfig,
    /// Readmissions. Default: [`ReadmissionConfig::default`].
    pub readmission: ReadmissionConfig,
    /// Adherence. Default: [`AdherenceConfig::default`].
    pub adherence: AdherenceConfig,
    /// Latency. Default: [`LatencyConfig::default`].
    pub latency: LatencyConfig,
    /// Census. Default: [`CensusConfig::default`].
    pub census: CensusConfig,
    /// Length of the adherence and census period of [`crate::gold::gold_tables`], in
    /// calendar months ending at the as-of date. `None` = [`DEFAULT_GOLD_PERIOD_MONTHS`] (12).
    pub gold_period_months: Option<u32>,
    /// Age bands of the utilization tables. Default: [`AgeBands::default`] (0–17, 18–34,
    /// 35–49, 50–64, 65+).
    pub age_bands: AgeBands,
}

impl QualityConfig {
    /// Set [`Self::stays`].
    pub fn with_stays(mut self, c: StayConfig) -> Self {
        self.stays = c;
        self
    }
    /// Set [`Self::readmission`].
    pub fn with_readmission(mut self, c: ReadmissionConfig) -> Self {
        self.readmission = c;
        self
    }
    /// Set [`Self::adherence`].
    pub fn with_adherence(mut self, c: AdherenceConfig) -> Self {
        self.adherence = c;
        self
    }
    /// Set [`Self::latency`].
    pub fn with_latency(mut self, c: LatencyConfig) -> Self {
        self.latency = c;
        self
    }
    /// Set [`Self::census`].
    pub fn with_census(mut self, c: CensusConfig) -> Self {
        self.census = c;
        self
    }
    /// Set [`Self::age_bands`].
    pub fn with_age_bands(mut self, bands: AgeBands) -> Self {
        self.age_bands = bands;
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn configs_load_from_partial_json_with_documented_defaults() {
        let c: QualityConfig =
            serde_json::from_str(r#"{"readmission":{"window_days":14}}"#).unwrap();
        assert_eq!(c.readmission.window_days, 14);
        assert_eq!(c.readmission.acute, ReadmissionConfig::default().acute);
        assert_eq!(
            c.readmission.potentially_planned,
            ReadmissionConfig::default().potentially_planned
        );
        assert_eq!(c.stays.merge_gap_days, 1);
        assert_eq!(c.adherence.threshold, 0.8);
        assert_eq!(c.latency.lookback_days, 90);
        assert_eq!(c.age_bands.lower_bounds, [0, 18, 35, 50, 65]);
        let back: QualityConfig =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn age_bands_load_from_json_and_label_each_band() {
        let c: QualityConfig =
            serde_json::from_str(r#"{"age_bands":{"lower_bounds":[0,65]}}"#).unwrap();
        assert_eq!(c.age_bands.labels(), ["0-64", "65+"]);
        assert_eq!(
            AgeBands::default().labels(),
            ["0-17", "18-34", "35-49", "50-64", "65+"]
        );
        assert!(AgeBands::new(vec![]).validate().is_err());
        assert!(AgeBands::new(vec![0, 0]).validate().is_err());
    }

    #[test]
    fn twelve_months_ending_is_a_calendar_year() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let p = MeasurementPeriod::months_ending(d(2023, 12, 31), 12).unwrap();
        assert_eq!(p.start, d(2023, 1, 1));
        assert_eq!(p.days(), 365);
        assert!(MeasurementPeriod::new(d(2024, 1, 2), d(2024, 1, 1)).is_err());
        assert!(MeasurementPeriod::months_ending(d(2024, 1, 1), 0).is_err());
    }
}
