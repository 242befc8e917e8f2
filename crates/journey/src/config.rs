//! Configuration of every journey table. All structs implement `Default` (each default
//! is documented on its field and named by a `DEFAULT_*` constant), are serde-loadable
//! with missing fields taking their defaults, and are `#[non_exhaustive]`: build them
//! with `Default::default()` and the `with_*` setters.
//!
//! ```
//! use ehr_journey::JourneyConfig;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config: JourneyConfig =
//!     serde_json::from_str(r#"{ "episodes": { "gap_days": 14 } }"#)?;
//! assert_eq!(config.episodes.gap_days, 14);
//! assert_eq!(config.condition.new_medication_window_days, 90); // default kept
//! # Ok(())
//! # }
//! ```

use serde::{Deserialize, Serialize};
use synthea_schema::normalize::EncounterClass;

use crate::error::{Error, Result};

/// Default LOINC codes of observations put on the timeline: BMI (`39156-5`), HbA1c
/// (`4548-4`), systolic blood pressure (`8480-6`), total cholesterol (`2093-3`).
pub const DEFAULT_OBSERVATION_CODES: [&str; 4] = ["39156-5", "4548-4", "8480-6", "2093-3"];
/// Default gap (days without encounters) that separates two episodes of care.
pub const DEFAULT_EPISODE_GAP_DAYS: i64 = 30;
/// Default window (days after diagnosis) in which a new medication counts as treatment.
pub const DEFAULT_NEW_MEDICATION_WINDOW_DAYS: i64 = 90;
/// Default window (days) before treatment start in which encounters are counted.
pub const DEFAULT_ENCOUNTERS_BEFORE_DAYS: i64 = 90;
/// Default window (days) after treatment start in which encounters are counted.
pub const DEFAULT_ENCOUNTERS_AFTER_DAYS: i64 = 90;
/// Default encounter class of inpatient stays.
pub const DEFAULT_INPATIENT_CLASS: &str = "inpatient";
/// Default minimum number of patients for a condition to appear in `time_to_treatment`.
pub const DEFAULT_MIN_PATIENTS: u32 = 1;

/// Configuration of every table built by [`crate::gold_tables`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct JourneyConfig {
    /// Timeline settings. Default: [`TimelineConfig::default`].
    pub timeline: TimelineConfig,
    /// Episode settings. Default: [`EpisodeConfig::default`].
    pub episodes: EpisodeConfig,
    /// Condition-journey settings. Default: [`ConditionJourneyConfig::default`].
    pub condition: ConditionJourneyConfig,
    /// Aggregate settings. Default: [`AggregateConfig::default`].
    pub aggregates: AggregateConfig,
}

impl JourneyConfig {
    /// Set [`Self::timeline`].
    pub fn with_timeline(mut self, timeline: TimelineConfig) -> Self {
        self.timeline = timeline;
        self
    }
    /// Set [`Self::episodes`].
    pub fn with_episodes(mut self, episodes: EpisodeConfig) -> Self {
        self.episodes = episodes;
        self
    }
    /// Set [`Self::condition`].
    pub fn with_condition(mut self, condition: ConditionJourneyConfig) -> Self {
        self.condition = condition;
        self
    }
    /// Set [`Self::aggregates`].
    pub fn with_aggregates(mut self, aggregates: AggregateConfig) -> Self {
        self.aggregates = aggregates;
        self
    }
    /// Check every sub-config.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the first invalid setting.
    pub fn validate(&self) -> Result<()> {
        self.timeline.validate()?;
        self.episodes.validate()?;
        self.condition.validate()?;
        Ok(())
    }
}

/// Configuration of [`crate::timeline::patient_timeline`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TimelineConfig {
    /// LOINC codes of the observations put on the timeline (others are left out).
    /// Default: [`DEFAULT_OBSERVATION_CODES`].
    pub observation_codes: Vec<String>,
    /// Anchor a condition onset to the start timestamp of its diagnosing encounter when that
    /// encounter starts within one calendar day of the condition's `start` date (Synthea
    /// writes condition dates in the generator's local zone but timestamps in UTC);
    /// otherwise, and when `false`, the onset is midnight UTC of the `start` date.
    /// Default: `true`.
    pub anchor_conditions_to_encounter: bool,
}

impl Default for TimelineConfig {
    fn default() -> Self {
        Self {
            observation_codes: DEFAULT_OBSERVATION_CODES
                .iter()
                .map(|c| (*c).to_string())
                .collect(),
            anchor_conditions_to_encounter: true,
        }
    }
}

impl TimelineConfig {
    /// Set [`Self::observation_codes`].
    pub fn with_observation_codes<I, S>(mut self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.observation_codes = codes.into_iter().map(Into::into).collect();
        self
    }
    /// Set [`Self::anchor_conditions_to_encounter`].
    pub fn with_anchor_conditions_to_encounter(mut self, anchor: bool) -> Self {
        self.anchor_conditions_to_encounter = anchor;
        self
    }
    /// Check the settings (an empty observation list is allowed: no observations).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for an empty observation code.
    pub fn validate(&self) -> Result<()> {
        if let Some(bad) = self.observation_codes.iter().find(|c| c.trim().is_empty()) {
            return Err(Error::InvalidConfig {
                field: "timeline.observation_codes",
                value: format!("{bad:?}"),
                reason: "codes must be non-empty LOINC codes such as \"39156-5\"",
            });
        }
        Ok(())
    }
}

/// Configuration of [`crate::episodes::episodes`] and
/// [`crate::episodes::encounter_episodes`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct EpisodeConfig {
    /// An encounter starting more than this many days (exactly `gap_days × 24 h`) after
    /// the latest end of the patient's earlier encounters opens a new episode; a gap of
    /// exactly `gap_days` stays in the episode. Default: [`DEFAULT_EPISODE_GAP_DAYS`] (30).
    pub gap_days: i64,
    /// Encounter classes that get their own `<class>_count` column in `episodes`, in
    /// column order; other classes are counted in `other_class_count`.
    /// Default: every [`EncounterClass`] (`ambulatory`, `emergency`, `inpatient`,
    /// `outpatient`, `urgentcare`, `wellness`, `home`, `hospice`, `snf`, `virtual`).
    pub encounter_classes: Vec<String>,
}

impl Default for EpisodeConfig {
    fn default() -> Self {
        Self {
            gap_days: DEFAULT_EPISODE_GAP_DAYS,
            encounter_classes: EncounterClass::values()
                .into_iter()
                .map(str::to_string)
                .collect(),
        }
    }
}

impl EpisodeConfig {
    /// Set [`Self::gap_days`].
    pub fn with_gap_days(mut self, days: i64) -> Self {
        self.gap_days = days;
        self
    }
    /// Set [`Self::encounter_classes`].
    pub fn with_encounter_classes<I, S>(mut self, classes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.encounter_classes = classes.into_iter().map(Into::into).collect();
        self
    }
    /// Check the settings.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a negative gap or an empty / duplicate class.
    pub fn validate(&self) -> Result<()> {
        if self.gap_days < 0 {
            return Err(Error::InvalidConfig {
                field: "episodes.gap_days",
                value: self.gap_days.to_string(),
                reason: "must be >= 0",
            });
        }
        for (i, c) in self.encounter_classes.iter().enumerate() {
            if c.trim().is_empty() || self.encounter_classes[..i].contains(c) {
                return Err(Error::InvalidConfig {
                    field: "episodes.encounter_classes",
                    value: format!("{c:?}"),
                    reason: "classes must be non-empty and unique",
                });
            }
        }
        Ok(())
    }
}

/// Configuration of [`crate::condition_journey::condition_journeys`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ConditionJourneyConfig {
    /// When no medication names the condition as its reason, the first *new* medication
    /// (a code the patient never had before) starting within this many days after diagnosis
    /// is the treatment. Default: [`DEFAULT_NEW_MEDICATION_WINDOW_DAYS`] (90).
    pub new_medication_window_days: i64,
    /// A medication naming the condition as its reason is the treatment only if it starts
    /// within this many days after diagnosis; `None` accepts any later start (any medication
    /// with that condition as its reason is a treatment). Set it for recurring acute
    /// conditions (e.g. sinusitis), whose first diagnosis would otherwise be paired with a
    /// prescription for an episode years later. Default: `None`.
    pub reason_window_days: Option<i64>,
    /// Encounters starting in `[treatment_start − days, treatment_start)` are counted in
    /// `encounters_before_treatment`. Default: [`DEFAULT_ENCOUNTERS_BEFORE_DAYS`] (90).
    pub encounters_before_days: i64,
    /// Encounters starting in `(treatment_start, treatment_start + days]` are counted in
    /// `encounters_after_treatment`. Default: [`DEFAULT_ENCOUNTERS_AFTER_DAYS`] (90).
    pub encounters_after_days: i64,
    /// Only new medications with no reason code qualify for the fallback rule (a drug
    /// prescribed for another condition is not this condition's treatment). `false` accepts
    /// any new medication. Default: `true`.
    pub fallback_requires_no_reason: bool,
    /// Encounter class of inpatient stays. Default: [`DEFAULT_INPATIENT_CLASS`].
    pub inpatient_class: String,
    /// Restrict the output to these condition codes; `None` keeps every condition.
    /// Default: `None`.
    pub condition_codes: Option<Vec<String>>,
}

impl Default for ConditionJourneyConfig {
    fn default() -> Self {
        Self {
            new_medication_window_days: DEFAULT_NEW_MEDICATION_WINDOW_DAYS,
            reason_window_days: None,
            encounters_before_days: DEFAULT_ENCOUNTERS_BEFORE_DAYS,
            encounters_after_days: DEFAULT_ENCOUNTERS_AFTER_DAYS,
            fallback_requires_no_reason: true,
            inpatient_class: DEFAULT_INPATIENT_CLASS.to_string(),
            condition_codes: None,
        }
    }
}

impl ConditionJourneyConfig {
    /// Set [`Self::new_medication_window_days`].
    pub fn with_new_medication_window_days(mut self, days: i64) -> Self {
        self.new_medication_window_days = days;
        self
    }
    /// Set [`Self::reason_window_days`].
    pub fn with_reason_window_days(mut self, days: Option<i64>) -> Self {
        self.reason_window_days = days;
        self
    }
    /// Set [`Self::encounters_before_days`].
    pub fn with_encounters_before_days(mut self, days: i64) -> Self {
        self.encounters_before_days = days;
        self
    }
    /// Set [`Self::encounters_after_days`].
    pub fn with_encounters_after_days(mut self, days: i64) -> Self {
        self.encounters_after_days = days;
        self
    }
    /// Set [`Self::fallback_requires_no_reason`].
    pub fn with_fallback_requires_no_reason(mut self, required: bool) -> Self {
        self.fallback_requires_no_reason = required;
        self
    }
    /// Set [`Self::inpatient_class`].
    pub fn with_inpatient_class(mut self, class: impl Into<String>) -> Self {
        self.inpatient_class = class.into();
        self
    }
    /// Set [`Self::condition_codes`].
    pub fn with_condition_codes<I, S>(mut self, codes: Option<I>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.condition_codes = codes.map(|c| c.into_iter().map(Into::into).collect());
        self
    }
    /// Check the settings.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a negative window or an empty inpatient class.
    pub fn validate(&self) -> Result<()> {
        for (field, v) in [
            (
                "condition.new_medication_window_days",
                self.new_medication_window_days,
            ),
            (
                "condition.encounters_before_days",
                self.encounters_before_days,
            ),
            (
                "condition.encounters_after_days",
                self.encounters_after_days,
            ),
            (
                "condition.reason_window_days",
                self.reason_window_days.unwrap_or(0),
            ),
        ] {
            if v < 0 {
                return Err(Error::InvalidConfig {
                    field,
                    value: v.to_string(),
                    reason: "must be >= 0",
                });
            }
        }
        if self.inpatient_class.trim().is_empty() {
            return Err(Error::InvalidConfig {
                field: "condition.inpatient_class",
                value: format!("{:?}", self.inpatient_class),
                reason: "must be a non-empty encounter class",
            });
        }
        Ok(())
    }
}

/// Configuration of [`crate::aggregates::time_to_treatment`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AggregateConfig {
    /// Conditions with fewer patients are left out (small-cell suppression for
    /// dashboards). Default: [`DEFAULT_MIN_PATIENTS`] (1, i.e. keep all).
    pub min_patients: u32,
}

impl Default for AggregateConfig {
    fn default() -> Self {
        Self {
            min_patients: DEFAULT_MIN_PATIENTS,
        }
    }
}

impl AggregateConfig {
    /// Set [`Self::min_patients`].
    pub fn with_min_patients(mut self, min_patients: u32) -> Self {
        self.min_patients = min_patients;
        self
    }
}
