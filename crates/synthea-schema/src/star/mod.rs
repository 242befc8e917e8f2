//! The star schema over silver Synthea tables, as pure `LazyFrame` functions.
//!
//! Surrogate keys are stable hashes of business keys (the workspace's one hash,
//! [`medallion_model::hash`]), never row numbers, so they are identical across runs, processes, machines and partitions, and
//! facts carry their dimension keys without joining. Each output has a contract
//! (`*_schema()`), listed by [`StarTable::schema`].

pub mod date;
pub mod dims;
pub mod facts;

use chrono::NaiveDate;
use polars::prelude::*;

pub use date::{DateDimConfig, date_key, dim_date, dim_date_schema};
pub use dims::{
    PATIENT_TRACKED_ATTRIBUTES, dim_diagnosis, dim_organization, dim_patient, dim_payer,
    dim_provider,
};
pub use facts::{fact_conditions, fact_encounters, fact_medications, fact_observations};

use crate::error::Result;

/// Silver inputs of [`build_star`] (outputs of [`crate::normalize::normalize`]).
#[derive(Clone)]
pub struct StarInputs {
    /// Silver patients.
    pub patients: LazyFrame,
    /// Silver providers.
    pub providers: LazyFrame,
    /// Silver organizations.
    pub organizations: LazyFrame,
    /// Silver payers.
    pub payers: LazyFrame,
    /// Silver encounters.
    pub encounters: LazyFrame,
    /// Silver conditions.
    pub conditions: LazyFrame,
    /// Silver medications.
    pub medications: LazyFrame,
    /// Silver observations.
    pub observations: LazyFrame,
}

/// Every star-schema table, lazily defined.
#[derive(Clone)]
pub struct StarSchema {
    /// [`dim_patient`].
    pub dim_patient: LazyFrame,
    /// [`dim_provider`].
    pub dim_provider: LazyFrame,
    /// [`dim_organization`].
    pub dim_organization: LazyFrame,
    /// [`dim_payer`].
    pub dim_payer: LazyFrame,
    /// [`dim_diagnosis`].
    pub dim_diagnosis: LazyFrame,
    /// [`dim_date`].
    pub dim_date: LazyFrame,
    /// [`fact_encounters`].
    pub fact_encounters: LazyFrame,
    /// [`fact_conditions`].
    pub fact_conditions: LazyFrame,
    /// [`fact_medications`].
    pub fact_medications: LazyFrame,
    /// [`fact_observations`].
    pub fact_observations: LazyFrame,
}

impl StarSchema {
    /// `(table, frame)` pairs in [`StarTable::ALL`] order.
    pub fn tables(&self) -> Vec<(StarTable, LazyFrame)> {
        vec![
            (StarTable::DimPatient, self.dim_patient.clone()),
            (StarTable::DimProvider, self.dim_provider.clone()),
            (StarTable::DimOrganization, self.dim_organization.clone()),
            (StarTable::DimPayer, self.dim_payer.clone()),
            (StarTable::DimDiagnosis, self.dim_diagnosis.clone()),
            (StarTable::DimDate, self.dim_date.clone()),
            (StarTable::FactEncounters, self.fact_encounters.clone()),
            (StarTable::FactConditions, self.fact_conditions.clone()),
            (StarTable::FactMedications, self.fact_medications.clone()),
            (StarTable::FactObservations, self.fact_observations.clone()),
        ]
    }
}

/// Build every star table from silver inputs; `dim_date` spans `[date_start, date_end]`.
///
/// # Errors
/// The errors of [`dim_date`].
pub fn build_star(
    inputs: StarInputs,
    date_start: NaiveDate,
    date_end: NaiveDate,
    date_config: &DateDimConfig,
) -> Result<StarSchema> {
    Ok(StarSchema {
        dim_patient: dim_patient(inputs.patients),
        dim_provider: dim_provider(inputs.providers),
        dim_organization: dim_organization(inputs.organizations),
        dim_payer: dim_payer(inputs.payers),
        dim_diagnosis: dim_diagnosis(inputs.conditions.clone()),
        dim_date: dim_date(date_start, date_end, date_config)?,
        fact_encounters: fact_encounters(inputs.encounters),
        fact_conditions: fact_conditions(inputs.conditions),
        fact_medications: fact_medications(inputs.medications),
        fact_observations: fact_observations(inputs.observations),
    })
}

/// The star-schema tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StarTable {
    /// Patient dimension.
    DimPatient,
    /// Provider dimension.
    DimProvider,
    /// Organization dimension.
    DimOrganization,
    /// Payer dimension.
    DimPayer,
    /// Diagnosis dimension.
    DimDiagnosis,
    /// Date dimension.
    DimDate,
    /// Encounter facts.
    FactEncounters,
    /// Condition facts.
    FactConditions,
    /// Medication facts.
    FactMedications,
    /// Observation facts.
    FactObservations,
}

impl StarTable {
    /// Every star table.
    pub const ALL: [StarTable; 10] = [
        Self::DimPatient,
        Self::DimProvider,
        Self::DimOrganization,
        Self::DimPayer,
        Self::DimDiagnosis,
        Self::DimDate,
        Self::FactEncounters,
        Self::FactConditions,
        Self::FactMedications,
        Self::FactObservations,
    ];

    /// Gold table name, e.g. `"dim_patient"`.
    pub fn name(self) -> &'static str {
        match self {
            Self::DimPatient => "dim_patient",
            Self::DimProvider => "dim_provider",
            Self::DimOrganization => "dim_organization",
            Self::DimPayer => "dim_payer",
            Self::DimDiagnosis => "dim_diagnosis",
            Self::DimDate => "dim_date",
            Self::FactEncounters => "fact_encounters",
            Self::FactConditions => "fact_conditions",
            Self::FactMedications => "fact_medications",
            Self::FactObservations => "fact_observations",
        }
    }

    /// The output contract (column names and dtypes, in order).
    pub fn schema(self) -> Schema {
        match self {
            Self::DimPatient => dims::dim_patient_schema(),
            Self::DimProvider => dims::dim_provider_schema(),
            Self::DimOrganization => dims::dim_organization_schema(),
            Self::DimPayer => dims::dim_payer_schema(),
            Self::DimDiagnosis => dims::dim_diagnosis_schema(),
            Self::DimDate => date::dim_date_schema(),
            Self::FactEncounters => facts::fact_encounters_schema(),
            Self::FactConditions => facts::fact_conditions_schema(),
            Self::FactMedications => facts::fact_medications_schema(),
            Self::FactObservations => facts::fact_observations_schema(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::normalize::silver_schema;
    use crate::spec::TableKind;
    use crate::test_util::silver;
    use crate::version::SyntheaVersion;

    fn empty_silver(t: TableKind) -> LazyFrame {
        DataFrame::empty_with_schema(&silver_schema(t)).lazy()
    }

    fn empty_inputs() -> StarInputs {
        StarInputs {
            patients: empty_silver(TableKind::Patients),
            providers: empty_silver(TableKind::Providers),
            organizations: empty_silver(TableKind::Organizations),
            payers: empty_silver(TableKind::Payers),
            encounters: empty_silver(TableKind::Encounters),
            conditions: empty_silver(TableKind::Conditions),
            medications: empty_silver(TableKind::Medications),
            observations: empty_silver(TableKind::Observations),
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn star_outputs_match_their_contracts() {
        let star = build_star(
            empty_inputs(),
            day(2020, 1, 1),
            day(2020, 1, 31),
            &DateDimConfig::default(),
        )
        .unwrap();
        for (table, mut lf) in star.tables() {
            assert_eq!(
                lf.collect_schema().unwrap().as_ref(),
                &table.schema(),
                "{}",
                table.name()
            );
            lf.collect().unwrap();
        }
    }

    fn patients(first: &str) -> LazyFrame {
        let raw = df!(
            "Id" => ["p1", "p2"],
            "BIRTHDATE" => ["1950-01-01", "1960-01-01"],
            "FIRST" => [first, "Bob1"],
            "GENDER" => ["F", "M"],
        )
        .unwrap();
        silver(TableKind::Patients, SyntheaVersion::V2, raw)
    }

    #[test]
    fn surrogate_keys_are_hashes_of_business_keys_not_row_numbers() {
        let a = dim_patient(patients("Ann1")).collect().unwrap();
        // Same patients in reverse order keep their keys.
        let b = dim_patient(patients("Ann1").reverse()).collect().unwrap();
        let key = |df: &DataFrame, i| df.column("patient_key").unwrap().i64().unwrap().get(i);
        assert_eq!(key(&a, 0), key(&b, 1));
        assert_eq!(
            key(&a, 0),
            Some(medallion_model::hash::stable_hash_parts(&[Some("p1")]))
        );
        assert_ne!(key(&a, 0), key(&a, 1));
    }

    #[test]
    fn patient_key_is_durable_across_versions_and_row_hash_is_left_to_scd2() {
        let a = dim_patient(patients("Ann1")).collect().unwrap();
        let b = dim_patient(patients("Ann2")).collect().unwrap();
        let key = |df: &DataFrame| df.column("patient_key").unwrap().i64().unwrap().get(0);
        assert_eq!(key(&a), key(&b));
        for c in PATIENT_TRACKED_ATTRIBUTES {
            assert!(a.column(c).is_ok(), "{c}");
        }
        assert!(a.column("row_hash").is_err());
    }

    #[test]
    fn fact_encounter_keys_join_the_dimensions() {
        let raw = df!(
            "Id" => ["e1"],
            "START" => ["2020-03-01T10:00:00Z"],
            "STOP" => ["2020-03-01T11:30:00Z"],
            "PATIENT" => ["p1"],
            "ENCOUNTERCLASS" => ["ambulatory"],
        )
        .unwrap();
        let enc = silver(TableKind::Encounters, SyntheaVersion::V2, raw);
        let fact = fact_encounters(enc).collect().unwrap();
        let dim = dim_patient(patients("Ann1")).collect().unwrap();
        assert_eq!(
            fact.column("patient_key").unwrap().i64().unwrap().get(0),
            dim.column("patient_key").unwrap().i64().unwrap().get(0)
        );
        assert_eq!(
            fact.column("start_date_key").unwrap().i32().unwrap().get(0),
            Some(20200301)
        );
        assert_eq!(
            fact.column("duration_minutes")
                .unwrap()
                .f64()
                .unwrap()
                .get(0),
            Some(90.0)
        );
        assert_eq!(
            fact.column("encounter_year").unwrap().i32().unwrap().get(0),
            Some(2020)
        );
    }

    #[test]
    fn dim_diagnosis_is_one_row_per_system_and_code() {
        let raw = df!(
            "START" => ["2020-01-01", "2020-01-02", "2020-01-03"],
            "PATIENT" => ["p1", "p2", "p1"],
            "CODE" => ["44054006", "44054006", "10939881000119105"],
            "DESCRIPTION" => ["Diabetes", "Diabetes mellitus type 2", "Nephropathy"],
        )
        .unwrap();
        let cond = silver(TableKind::Conditions, SyntheaVersion::V2, raw);
        let dim = dim_diagnosis(cond.clone()).collect().unwrap();
        assert_eq!(dim.height(), 2);
        let fact = fact_conditions(cond).collect().unwrap();
        let dim_keys: Vec<_> = dim
            .column("diagnosis_key")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        for k in fact
            .column("diagnosis_key")
            .unwrap()
            .i64()
            .unwrap()
            .into_no_null_iter()
        {
            assert!(dim_keys.contains(&k));
        }
        let desc = dim.column("description").unwrap().str().unwrap();
        assert_eq!(desc.get(1), Some("Diabetes"));
    }
}
