//! The bundle of silver input tables and its column contract.

use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::{
    conditions, encounters, immunizations, medications, observations, procedures, require,
};

use crate::error::Result;

/// The silver tables the journey transforms read (canonical shape of
/// `synthea_schema::normalize::normalize`). Only the columns listed below are used;
/// extra columns are ignored.
///
/// | input | required columns |
/// |---|---|
/// | `encounters` | `patient_id`, `encounter_id`, `start`, `stop` (`Datetime(µs, UTC)`), `encounter_class`, `code`, `description`, `reason_code` |
/// | `conditions` | `patient_id`, `encounter_id`, `start`, `stop` (`Date`), `code`, `description` |
/// | `medications` | `patient_id`, `encounter_id`, `start`, `stop` (`Datetime(µs, UTC)`), `code`, `description`, `reason_code` |
/// | `procedures` (optional) | `patient_id`, `encounter_id`, `start` (`Datetime(µs, UTC)`), `code`, `description` |
/// | `immunizations` (optional) | `patient_id`, `encounter_id`, `occurred_at` (`Datetime(µs, UTC)`), `code`, `description` |
/// | `observations` (optional) | `patient_id`, `encounter_id`, `occurred_at` (`Datetime(µs, UTC)`), `code`, `description`, `value_numeric` (`Float64`) |
///
/// Text columns are `String`; every column has exactly its silver dtype
/// (`synthea_schema::normalize::silver_schema`), checked by `synthea_schema::columns::require`.
/// Optional tables may be `None` (Synthea exporters can drop files); their events are
/// then simply absent.
#[derive(Clone)]
pub struct JourneyInputs {
    /// Silver `encounters`.
    pub encounters: LazyFrame,
    /// Silver `conditions`.
    pub conditions: LazyFrame,
    /// Silver `medications`.
    pub medications: LazyFrame,
    /// Silver `procedures`, if exported.
    pub procedures: Option<LazyFrame>,
    /// Silver `immunizations`, if exported.
    pub immunizations: Option<LazyFrame>,
    /// Silver `observations`, if exported.
    pub observations: Option<LazyFrame>,
}

impl JourneyInputs {
    /// Inputs with the three required tables and no optional ones.
    pub fn new(encounters: LazyFrame, conditions: LazyFrame, medications: LazyFrame) -> Self {
        Self {
            encounters,
            conditions,
            medications,
            procedures: None,
            immunizations: None,
            observations: None,
        }
    }
    /// Set [`Self::procedures`].
    pub fn with_procedures(mut self, procedures: LazyFrame) -> Self {
        self.procedures = Some(procedures);
        self
    }
    /// Set [`Self::immunizations`].
    pub fn with_immunizations(mut self, immunizations: LazyFrame) -> Self {
        self.immunizations = Some(immunizations);
        self
    }
    /// Set [`Self::observations`].
    pub fn with_observations(mut self, observations: LazyFrame) -> Self {
        self.observations = Some(observations);
        self
    }
}

pub(crate) fn check_encounters(lf: &mut LazyFrame) -> Result<()> {
    use encounters::*;
    let columns = [
        PATIENT_ID,
        ENCOUNTER_ID,
        START,
        STOP,
        ENCOUNTER_CLASS,
        CODE,
        DESCRIPTION,
        REASON_CODE,
    ];
    Ok(require(TableKind::Encounters, lf, &columns)?)
}

pub(crate) fn check_conditions(lf: &mut LazyFrame) -> Result<()> {
    use conditions::*;
    let columns = [PATIENT_ID, ENCOUNTER_ID, START, STOP, CODE, DESCRIPTION];
    Ok(require(TableKind::Conditions, lf, &columns)?)
}

pub(crate) fn check_medications(lf: &mut LazyFrame) -> Result<()> {
    use medications::*;
    let columns = [
        PATIENT_ID,
        ENCOUNTER_ID,
        START,
        STOP,
        CODE,
        DESCRIPTION,
        REASON_CODE,
    ];
    Ok(require(TableKind::Medications, lf, &columns)?)
}

pub(crate) fn check_procedures(lf: &mut LazyFrame) -> Result<()> {
    use procedures::*;
    let columns = [PATIENT_ID, ENCOUNTER_ID, START, CODE, DESCRIPTION];
    Ok(require(TableKind::Procedures, lf, &columns)?)
}

pub(crate) fn check_immunizations(lf: &mut LazyFrame) -> Result<()> {
    use immunizations::*;
    let columns = [PATIENT_ID, ENCOUNTER_ID, OCCURRED_AT, CODE, DESCRIPTION];
    Ok(require(TableKind::Immunizations, lf, &columns)?)
}

pub(crate) fn check_observations(lf: &mut LazyFrame) -> Result<()> {
    use observations::*;
    let columns = [
        PATIENT_ID,
        ENCOUNTER_ID,
        OCCURRED_AT,
        CODE,
        DESCRIPTION,
        VALUE_NUMERIC,
    ];
    Ok(require(TableKind::Observations, lf, &columns)?)
}
