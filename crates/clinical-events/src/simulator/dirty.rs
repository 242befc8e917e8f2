//! Dirty-data scenarios: seven kinds of defects injected at configurable rates, each
//! recorded in the manifest with the silver outcome it must produce.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::columns::{DEPARTMENT, EVENT_TYPE, PATIENT_ID};
use crate::error::{Error, Result};
use crate::model::{AdtEvent, EventType};
use crate::silver::rules::{
    DEPT_TYPO, DISCHARGE_BEFORE_ADMIT, FUTURE_ADMISSION, INVALID_AGE, INVALID_HOSPITAL_ID,
    UNKNOWN_DEPARTMENT, missing_rule_name,
};
use det_rng::Rng;

/// The seven dirty-data scenarios.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefectKind {
    /// `age` negative (−1 … −5) or above 120 (121 … 150).
    InvalidAge,
    /// `admission_time` 1–400 days after the event's own timestamp.
    FutureAdmission,
    /// `patient_id`, `event_type` or `department` absent.
    MissingField,
    /// A `DISCHARGE` event's `discharge_time` 1–72 h before its `admission_time`.
    DischargeBeforeAdmission,
    /// `department` misspelled or in another case/spacing (`Emergancy`, `PEDS`,
    /// ` icu `), or, for [`DirtyConfig::unmappable_typo_share`] of them, a name no
    /// synonym maps (`Radiolgy`).
    DepartmentTypo,
    /// `hospital_id` outside the network (e.g. 0, 8, 99).
    InvalidHospitalId,
    /// The same line sent twice (the copy follows the original).
    DuplicateEvent,
}

impl DefectKind {
    /// Every kind: the six row defects, then duplication.
    pub const ALL: [DefectKind; 7] = [
        DefectKind::InvalidAge,
        DefectKind::FutureAdmission,
        DefectKind::MissingField,
        DefectKind::DischargeBeforeAdmission,
        DefectKind::DepartmentTypo,
        DefectKind::InvalidHospitalId,
        DefectKind::DuplicateEvent,
    ];
}

/// Rate of each scenario: the probability that an event receives it.
///
/// An event receives at most one of the first six (drawn once against their cumulative
/// rates, which must sum to ≤ 1); a defect that does not apply to the event drawn
/// (discharge before admission on a non-`DISCHARGE` event) is not injected, so its
/// observed rate is lower. Duplication is drawn independently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefectRates {
    /// [`DefectKind::InvalidAge`]. Default: 0.
    pub invalid_age: f64,
    /// [`DefectKind::FutureAdmission`]. Default: 0.
    pub future_admission: f64,
    /// [`DefectKind::MissingField`]. Default: 0.
    pub missing_field: f64,
    /// [`DefectKind::DischargeBeforeAdmission`]. Default: 0.
    pub discharge_before_admission: f64,
    /// [`DefectKind::DepartmentTypo`]. Default: 0.
    pub department_typo: f64,
    /// [`DefectKind::InvalidHospitalId`]. Default: 0.
    pub invalid_hospital_id: f64,
    /// [`DefectKind::DuplicateEvent`]. Default: 0.
    pub duplicate_event: f64,
}

impl DefectRates {
    /// Every scenario at `total / 7`, so that about `total` of the events are affected.
    pub fn uniform(total: f64) -> Self {
        let r = total / 7.0;
        Self {
            invalid_age: r,
            future_admission: r,
            missing_field: r,
            discharge_before_admission: r,
            department_typo: r,
            invalid_hospital_id: r,
            duplicate_event: r,
        }
    }

    /// The rate of one kind.
    pub fn rate(&self, kind: DefectKind) -> f64 {
        match kind {
            DefectKind::InvalidAge => self.invalid_age,
            DefectKind::FutureAdmission => self.future_admission,
            DefectKind::MissingField => self.missing_field,
            DefectKind::DischargeBeforeAdmission => self.discharge_before_admission,
            DefectKind::DepartmentTypo => self.department_typo,
            DefectKind::InvalidHospitalId => self.invalid_hospital_id,
            DefectKind::DuplicateEvent => self.duplicate_event,
        }
    }
}

/// Dirty-data settings of the simulator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirtyConfig {
    /// Per-scenario rates. Default: all 0 (clean output).
    pub rates: DefectRates,
    /// Misspellings and case/spacing variants sent per canonical department; the
    /// default silver synonym table maps every one. Default: three to six per department
    /// (`Emergancy`, `ER`, ` EMERGENCY`, `PEDS`, `Cardiolgy`, ` icu ` …).
    pub department_typos: BTreeMap<String, Vec<String>>,
    /// Names no synonym maps, sent for [`Self::unmappable_typo_share`] of the typos
    /// (silver quarantines them). Default: `Radiolgy`, `Ward 7`, `Unit X`, `Dept-??`.
    pub unmappable_typos: Vec<String>,
    /// Share of department typos drawn from [`Self::unmappable_typos`]. Default: 0.1.
    pub unmappable_typo_share: f64,
    /// Hospital ids outside the network to send. Default: 0, 8, 9, 42, 99, −1.
    pub invalid_hospital_ids: Vec<i32>,
}

impl Default for DirtyConfig {
    fn default() -> Self {
        let typos: [(&str, &[&str]); 7] = [
            (
                "Emergency",
                &["Emergancy", "ER", " EMERGENCY", "emergency ", "ED"],
            ),
            ("Surgery", &["Surgey", "surgery", " SURGERY ", "Surgical"]),
            ("ICU", &["icu", " ICU ", "I.C.U.", "Intensive Care"]),
            (
                "Pediatrics",
                &["PEDS", "Peds", "Paediatrics", "pediatrics "],
            ),
            ("Maternity", &["Maternaty", "MATERNITY", "L&D"]),
            ("Oncology", &["Oncolgy", " oncology", "ONCOLOGY"]),
            (
                "Cardiology",
                &["Cardiolgy", "CARDIOLOGY", "cardiology  ", "Cardio"],
            ),
        ];
        Self {
            rates: DefectRates::default(),
            department_typos: typos
                .into_iter()
                .map(|(d, list)| (d.to_string(), list.iter().map(|t| t.to_string()).collect()))
                .collect(),
            unmappable_typos: ["Radiolgy", "Ward 7", "Unit X", "Dept-??"]
                .into_iter()
                .map(str::to_string)
                .collect(),
            unmappable_typo_share: 0.1,
            invalid_hospital_ids: vec![0, 8, 9, 42, 99, -1],
        }
    }
}

impl DirtyConfig {
    /// The default lists with every scenario at `total / 7` ([`DefectRates::uniform`]).
    pub fn uniform(total: f64) -> Self {
        Self {
            rates: DefectRates::uniform(total),
            ..Self::default()
        }
    }

    /// Checks rates and lists.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the field.
    pub fn validate(&self) -> Result<()> {
        for kind in DefectKind::ALL {
            let r = self.rates.rate(kind);
            if !(0.0..=1.0).contains(&r) {
                return Err(Error::config(
                    format!("dirty.rates.{}", kind_name(kind)),
                    "must be within 0..=1",
                ));
            }
        }
        let row_total: f64 = ROW_DEFECTS.iter().map(|k| self.rates.rate(*k)).sum();
        if row_total > 1.0 + 1e-9 {
            return Err(Error::config(
                "dirty.rates",
                "the rates of the six row defects must sum to at most 1",
            ));
        }
        if !(0.0..=1.0).contains(&self.unmappable_typo_share) {
            return Err(Error::config(
                "dirty.unmappable_typo_share",
                "must be within 0..=1",
            ));
        }
        if self.rates.invalid_hospital_id > 0.0 && self.invalid_hospital_ids.is_empty() {
            return Err(Error::config(
                "dirty.invalid_hospital_ids",
                "needs at least one id when invalid_hospital_id > 0",
            ));
        }
        if self.rates.department_typo > 0.0
            && self.unmappable_typo_share > 0.0
            && self.unmappable_typos.is_empty()
        {
            return Err(Error::config(
                "dirty.unmappable_typos",
                "needs at least one name when unmappable_typo_share > 0",
            ));
        }
        Ok(())
    }
}

fn kind_name(kind: DefectKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The row defects (every kind but duplication, which [`DefectKind::ALL`] lists last), in
/// the order their rates are accumulated.
const ROW_DEFECTS: &[DefectKind] = match DefectKind::ALL.split_last() {
    Some((_, rows)) => rows,
    None => &[],
};

/// The fields [`DefectKind::MissingField`] drops.
const DROPPABLE: [&str; 3] = [PATIENT_ID, EVENT_TYPE, DEPARTMENT];

/// One injected defect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectEntry {
    /// The scenario.
    pub kind: DefectKind,
    /// The event's id (a duplicate shares it with its original).
    pub event_id: String,
    /// Landing file name.
    pub file: String,
    /// 1-based line of the defective line (for a duplicate: the copy's line).
    pub line: u64,
    /// The field changed (none for duplicates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What silver must do with it: the `_dq_flags` entry it must carry
    /// (`INVALID_AGE`, `DEPT_TYPO`, `MISSING_PATIENT_ID` …), `UNKNOWN_DEPARTMENT` for a
    /// quarantined unmappable typo, or `DUPLICATE_EVENT` for a copy that must be removed
    /// and counted.
    pub expected: String,
}

/// What the injector did to one event, before it knows the event's file and line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Injected {
    pub(crate) kind: DefectKind,
    pub(crate) field: Option<String>,
    pub(crate) expected: String,
}

/// Injects defects into clean events, on its own random stream (so the clean content of
/// a run does not depend on the dirty settings).
pub(crate) struct Injector<'a> {
    config: &'a DirtyConfig,
    rng: Rng,
}

/// Random stream of the injector.
const DIRTY_STREAM: u64 = 2;

impl<'a> Injector<'a> {
    pub(crate) fn new(config: &'a DirtyConfig, seed: u64) -> Self {
        Self {
            config,
            rng: Rng::derive(seed, DIRTY_STREAM, 0),
        }
    }

    /// Maybe corrupts `event` with one row defect.
    pub(crate) fn corrupt(&mut self, event: &mut AdtEvent) -> Option<Injected> {
        let draw = self.rng.f64();
        let mut cumulative = 0.0;
        let kind = ROW_DEFECTS.iter().copied().find(|k| {
            cumulative += self.config.rates.rate(*k);
            draw < cumulative
        })?;
        self.apply(kind, event)
    }

    /// Whether the event's line is sent twice.
    pub(crate) fn duplicate(&mut self) -> bool {
        self.rng.chance(self.config.rates.duplicate_event)
    }

    fn apply(&mut self, kind: DefectKind, event: &mut AdtEvent) -> Option<Injected> {
        let injected = |field: &str, expected: &str| Injected {
            kind,
            field: Some(field.to_string()),
            expected: expected.to_string(),
        };
        match kind {
            DefectKind::InvalidAge => {
                event.age = if self.rng.chance(0.5) {
                    self.rng.between(-5, -1) as i32
                } else {
                    self.rng.between(121, 150) as i32
                };
                Some(injected("age", INVALID_AGE))
            }
            DefectKind::FutureAdmission => {
                let ahead = Duration::days(self.rng.between(1, 400))
                    + Duration::hours(self.rng.between(0, 23));
                event.admission_time = event.event_timestamp + ahead;
                Some(injected("admission_time", FUTURE_ADMISSION))
            }
            DefectKind::MissingField => {
                let field = DROPPABLE[self.rng.index(DROPPABLE.len())];
                match field {
                    PATIENT_ID => event.patient_id = None,
                    EVENT_TYPE => event.event_type = None,
                    _ => event.department = None,
                }
                Some(injected(field, &missing_rule_name(field)))
            }
            DefectKind::DischargeBeforeAdmission => {
                if event.event_type != Some(EventType::Discharge) {
                    return None;
                }
                let before = Duration::hours(self.rng.between(1, 72));
                event.discharge_time = Some(event.admission_time - before);
                Some(injected("discharge_time", DISCHARGE_BEFORE_ADMIT))
            }
            DefectKind::DepartmentTypo => {
                let canonical = event.department.clone()?;
                let typos = self
                    .config
                    .department_typos
                    .get(&canonical)
                    .filter(|t| !t.is_empty());
                let unmappable =
                    typos.is_none() || self.rng.chance(self.config.unmappable_typo_share);
                let (list, expected) = match (unmappable, typos) {
                    (false, Some(list)) => (list, DEPT_TYPO),
                    _ => (&self.config.unmappable_typos, UNKNOWN_DEPARTMENT),
                };
                let typo = list.get(self.rng.index(list.len()))?;
                event.department = Some(typo.clone());
                Some(injected(DEPARTMENT, expected))
            }
            DefectKind::InvalidHospitalId => {
                let ids = &self.config.invalid_hospital_ids;
                event.hospital_id = *ids.get(self.rng.index(ids.len()))?;
                Some(injected("hospital_id", INVALID_HOSPITAL_ID))
            }
            // Duplication is drawn apart (see `duplicate`).
            DefectKind::DuplicateEvent => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn uniform_rates_split_the_total_over_seven_scenarios() {
        let r = DefectRates::uniform(0.07);
        for kind in DefectKind::ALL {
            assert!((r.rate(kind) - 0.01).abs() < 1e-12);
        }
        DirtyConfig::uniform(0.07).validate().unwrap();
    }

    #[test]
    fn validate_rejects_row_rates_above_one() {
        let mut c = DirtyConfig::default();
        c.rates.invalid_age = 0.6;
        c.rates.future_admission = 0.6;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("dirty.rates"), "{err}");
        c.rates.future_admission = 1.5;
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("future_admission"), "{err}");
    }
}
