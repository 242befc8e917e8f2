//! The silver column contract as named constants, and one check of an input frame
//! against it.
//!
//! Every constant is the canonical silver name of one column of one table — the names
//! [`normalize`](crate::normalize::normalize) produces and
//! [`silver_schema`] lists, with the dtypes listed
//! there. Transforms that read silver tables use these constants instead of string
//! literals, and call [`require`] once per input to turn a wrong input into an error
//! that names the table, the column, the expected and found dtypes and the columns the
//! input does have (instead of a Polars error deep inside a plan).
//!
//! Only the columns that the workspace's transforms read are listed; add a constant
//! here (the tests check it against the silver schema) before reading a new column.
//!
//! ```
//! use polars::prelude::*;
//! use synthea_schema::columns::{encounters, require};
//! use synthea_schema::normalize::{NormalizeConfig, normalize};
//! use synthea_schema::{Error, SyntheaVersion, TableKind};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let raw = df!("Id" => ["e1"], "PATIENT" => ["p1"], "START" => ["2024-01-01T08:00:00Z"])?;
//! let mut silver = normalize(
//!     TableKind::Encounters,
//!     SyntheaVersion::V3Latest,
//!     raw.clone().lazy(),
//!     &NormalizeConfig::default(),
//! )?;
//! require(TableKind::Encounters, &mut silver, &[encounters::PATIENT_ID, encounters::START])?;
//!
//! // A raw frame is not a silver frame: the error says what is wrong and what is there.
//! let err = require(TableKind::Encounters, &mut raw.lazy(), &[encounters::PATIENT_ID]);
//! assert!(matches!(
//!     err,
//!     Err(Error::SilverContract { column, found: None, .. }) if column == "patient_id"
//! ));
//! # Ok(())
//! # }
//! ```

use polars::prelude::LazyFrame;

use crate::error::{Error, PolarsContext, Result};
use crate::normalize::silver_schema;
use crate::spec::TableKind;

/// Declares one module of column-name constants for a silver table, plus the list of
/// them that the contract test checks. `events` adds the four columns every
/// clinical event table has; `interval` adds the `start`/`stop` instants and their dates.
macro_rules! silver_columns {
    (@group events) => {
        /// Patient id (`String`).
        pub const PATIENT_ID: &str = "patient_id";
        /// Encounter id (`String`): the key of `encounters`, elsewhere the encounter the
        /// row was recorded in.
        pub const ENCOUNTER_ID: &str = "encounter_id";
        /// The row's code in its table's code system: SNOMED CT (encounters, conditions,
        /// procedures), RxNorm (medications), CVX (immunizations), LOINC (observations)
        /// (`String`).
        pub const CODE: &str = "code";
        /// Description of `code` (`String`).
        pub const DESCRIPTION: &str = "description";
    };
    (@group interval) => {
        /// Start instant (`Datetime(µs, UTC)`).
        pub const START: &str = "start";
        /// End instant (`Datetime(µs, UTC)`); null while ongoing.
        pub const STOP: &str = "stop";
        /// Calendar date of `start` in the normalization time zone (`Date`).
        pub const START_DATE: &str = "start_date";
        /// Calendar date of `stop` in the normalization time zone (`Date`).
        pub const STOP_DATE: &str = "stop_date";
    };
    (@names events) => { [PATIENT_ID, ENCOUNTER_ID, CODE, DESCRIPTION] };
    (@names interval) => { [START, STOP, START_DATE, STOP_DATE] };
    (
        $(#[$module_doc:meta])*
        $module:ident: $table:ident [$($group:ident),*] {
            $( $(#[$doc:meta])* $name:ident = $value:literal, )*
        }
    ) => {
        $(#[$module_doc])*
        pub mod $module {
            /// The silver table these columns belong to.
            pub const TABLE: crate::TableKind = crate::TableKind::$table;
            $( silver_columns!(@group $group); )*
            $( $(#[$doc])* pub const $name: &str = $value; )*
            /// Every constant of this module, for the contract test.
            #[cfg(test)]
            pub(super) const ALL: &[&[&str]] =
                &[&[$($name),*] $(, &silver_columns!(@names $group))*];
        }
    };
}

silver_columns! {
    /// Silver `patients`: one row per patient.
    patients: Patients [] {
        /// Patient id (`String`), the key.
        PATIENT_ID = "patient_id",
        /// Date of birth (`Date`).
        BIRTH_DATE = "birth_date",
        /// Date of death (`Date`); null while alive.
        DEATH_DATE = "death_date",
        /// `male` / `female` (`String`).
        GENDER = "gender",
        /// Race, lower case, e.g. `white` (`String`).
        RACE = "race",
        /// Ethnicity, lower case, e.g. `nonhispanic` (`String`).
        ETHNICITY = "ethnicity",
    }
}

silver_columns! {
    /// Silver `encounters`: one row per encounter.
    encounters: Encounters [events, interval] {
        /// Organization (facility) id (`String`).
        ORGANIZATION_ID = "organization_id",
        /// Lower-case encounter class without separators, e.g. `inpatient` (`String`).
        ENCOUNTER_CLASS = "encounter_class",
        /// SNOMED CT code of the condition the encounter addresses (`String`).
        REASON_CODE = "reason_code",
    }
}

silver_columns! {
    /// Silver `conditions`: one row per diagnosis.
    conditions: Conditions [events] {
        /// Onset date (`Date`).
        START = "start",
        /// Resolution date (`Date`); null while active.
        STOP = "stop",
    }
}

silver_columns! {
    /// Silver `medications`: one row per prescription.
    medications: Medications [events, interval] {
        /// SNOMED CT code of the condition treated (`String`).
        REASON_CODE = "reason_code",
        /// Number of fills dispensed over the prescription (`Int64`).
        DISPENSES = "dispenses",
    }
}

silver_columns! {
    /// Silver `procedures`: one row per procedure.
    procedures: Procedures [events] {
        /// SNOMED CT code of the condition the procedure addresses (`String`).
        REASON_CODE = "reason_code",
        /// Start instant (`Datetime(µs, UTC)`).
        START = "start",
    }
}

silver_columns! {
    /// Silver `immunizations`: one row per vaccine dose.
    immunizations: Immunizations [events] {
        /// When the dose was given (`Datetime(µs, UTC)`).
        OCCURRED_AT = "occurred_at",
    }
}

silver_columns! {
    /// Silver `observations`: one row per observation (`encounter_id` may be null).
    observations: Observations [events] {
        /// When it was observed (`Datetime(µs, UTC)`).
        OCCURRED_AT = "occurred_at",
        /// `value` parsed as a number when its type is numeric, else null (`Float64`).
        VALUE_NUMERIC = "value_numeric",
        /// Units of `value` as recorded, e.g. `kg/m2` (`String`).
        UNITS = "units",
        /// Calendar date of `occurred_at` in the normalization time zone (`Date`).
        OCCURRED_DATE = "occurred_date",
    }
}

/// Check that `input` meets the silver contract of `table` for `columns`: each column
/// is present and has exactly the dtype [`silver_schema`] gives it. Only the schema of
/// `input` is resolved (no data is read); columns not listed are ignored.
///
/// # Errors
/// [`Error::SilverContract`] for the first column that is missing, has another dtype,
/// or is not a silver column of `table` at all; Polars errors while resolving the
/// schema.
pub fn require(table: TableKind, input: &mut LazyFrame, columns: &[&str]) -> Result<()> {
    let contract = silver_schema(table);
    let schema = input
        .collect_schema()
        .ctx(|| format!("resolving the schema of a silver `{table}` input"))?;
    for column in columns {
        let expected = contract.get(column);
        let found = schema.get(column);
        if expected.is_some() && expected == found {
            continue;
        }
        return Err(Error::SilverContract {
            table,
            column: (*column).to_string(),
            expected: expected.map(ToString::to_string),
            found: found.map(ToString::to_string),
            present: schema.iter_names().map(ToString::to_string).collect(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use polars::prelude::*;

    use super::*;
    use crate::normalize::{NormalizeConfig, normalize};
    use crate::version::SyntheaVersion;

    const MODULES: [(TableKind, &[&[&str]]); 7] = [
        (patients::TABLE, patients::ALL),
        (encounters::TABLE, encounters::ALL),
        (conditions::TABLE, conditions::ALL),
        (medications::TABLE, medications::ALL),
        (procedures::TABLE, procedures::ALL),
        (immunizations::TABLE, immunizations::ALL),
        (observations::TABLE, observations::ALL),
    ];

    #[test]
    fn every_constant_is_a_column_of_its_silver_table() {
        for (table, groups) in MODULES {
            let schema = silver_schema(table);
            for name in groups.concat() {
                assert!(schema.contains(name), "{table}.{name} is not silver");
            }
        }
    }

    #[test]
    fn require_accepts_a_normalized_table() {
        for (table, groups) in MODULES {
            let empty = DataFrame::empty_with_schema(&silver_schema(table)).lazy();
            let mut lf =
                normalize(table, SyntheaVersion::V3Latest, empty, &Default::default()).unwrap();
            require(table, &mut lf, &groups.concat()).unwrap();
        }
    }

    #[test]
    fn require_names_a_missing_column_and_the_columns_present() {
        let mut lf = df!("patient_id" => ["p"]).unwrap().lazy();
        let err = require(
            TableKind::Encounters,
            &mut lf,
            &[encounters::PATIENT_ID, encounters::START],
        )
        .unwrap_err();
        let Error::SilverContract {
            table,
            column,
            expected,
            found,
            present,
        } = &err
        else {
            panic!("unexpected error {err}")
        };
        assert_eq!(*table, TableKind::Encounters);
        assert_eq!(column, "start");
        assert_eq!(expected.as_deref(), Some("datetime[μs, UTC]"));
        assert_eq!(found, &None);
        assert_eq!(present, &["patient_id".to_string()]);
        assert!(err.to_string().contains("patient_id"), "{err}");
    }

    #[test]
    fn require_rejects_a_column_with_another_dtype() {
        let text = df!("start" => ["2024-01-01T00:00:00Z"]).unwrap();
        let err = require(
            TableKind::Encounters,
            &mut text.lazy(),
            &[encounters::START],
        );
        assert!(
            matches!(&err, Err(Error::SilverContract { found: Some(f), .. }) if f == "str"),
            "{err:?}"
        );
    }

    #[test]
    fn require_rejects_a_name_outside_the_contract() {
        let mut lf = normalize(
            TableKind::Patients,
            SyntheaVersion::V3Latest,
            df!("Id" => ["p"]).unwrap().lazy(),
            &NormalizeConfig::default(),
        )
        .unwrap();
        let err = require(TableKind::Patients, &mut lf, &["no_such_column"]);
        assert!(matches!(
            err,
            Err(Error::SilverContract { expected: None, .. })
        ));
    }
}
