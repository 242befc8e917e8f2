//! The tables of a Synthea export: file names, exact header lines and column roles.
//!
//! Header lines are byte-for-byte those of the real exports described in
//! `docs/SYNTHEA_DATA_DICTIONARY.md` (3.x: the `v3-2024-11p` sample, 2.x: the `v2-10p`
//! sample). Column roles ([`ColumnKind`]) drive dirty-data injection and let tests check
//! generated files without re-encoding the layout.

use serde::{Deserialize, Serialize};

use crate::config::Layout;

/// One file of a Synthea CSV export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// `allergies.csv`.
    Allergies,
    /// `careplans.csv`.
    Careplans,
    /// `claims.csv` (3.x only).
    Claims,
    /// `claims_transactions.csv` (3.x only).
    ClaimsTransactions,
    /// `conditions.csv`.
    Conditions,
    /// `devices.csv`.
    Devices,
    /// `encounters.csv`.
    Encounters,
    /// `imaging_studies.csv`.
    ImagingStudies,
    /// `immunizations.csv`.
    Immunizations,
    /// `medications.csv`.
    Medications,
    /// `observations.csv`.
    Observations,
    /// `organizations.csv`.
    Organizations,
    /// `patients.csv`.
    Patients,
    /// `payer_transitions.csv`.
    PayerTransitions,
    /// `payers.csv`.
    Payers,
    /// `procedures.csv`.
    Procedures,
    /// `providers.csv`.
    Providers,
    /// `supplies.csv`.
    Supplies,
}

/// Number of tables in the 3.x layout.
pub const TABLE_COUNT: usize = 18;

impl Table {
    /// Every table, in file-name order.
    pub const ALL: [Table; TABLE_COUNT] = [
        Table::Allergies,
        Table::Careplans,
        Table::Claims,
        Table::ClaimsTransactions,
        Table::Conditions,
        Table::Devices,
        Table::Encounters,
        Table::ImagingStudies,
        Table::Immunizations,
        Table::Medications,
        Table::Observations,
        Table::Organizations,
        Table::Patients,
        Table::PayerTransitions,
        Table::Payers,
        Table::Procedures,
        Table::Providers,
        Table::Supplies,
    ];

    /// Dense index of the table (position in [`Table::ALL`]).
    pub fn index(self) -> usize {
        self as usize
    }

    /// File name inside the export directory, e.g. `encounters.csv`.
    pub fn file_name(self) -> &'static str {
        match self {
            Table::Allergies => "allergies.csv",
            Table::Careplans => "careplans.csv",
            Table::Claims => "claims.csv",
            Table::ClaimsTransactions => "claims_transactions.csv",
            Table::Conditions => "conditions.csv",
            Table::Devices => "devices.csv",
            Table::Encounters => "encounters.csv",
            Table::ImagingStudies => "imaging_studies.csv",
            Table::Immunizations => "immunizations.csv",
            Table::Medications => "medications.csv",
            Table::Observations => "observations.csv",
            Table::Organizations => "organizations.csv",
            Table::Patients => "patients.csv",
            Table::PayerTransitions => "payer_transitions.csv",
            Table::Payers => "payers.csv",
            Table::Procedures => "procedures.csv",
            Table::Providers => "providers.csv",
            Table::Supplies => "supplies.csv",
        }
    }

    /// Whether `layout` has this file (claims files are 3.x only).
    pub fn in_layout(self, layout: Layout) -> bool {
        !(layout == Layout::V2 && matches!(self, Table::Claims | Table::ClaimsTransactions))
    }

    /// The tables of `layout`, in file-name order.
    pub fn tables(layout: Layout) -> impl Iterator<Item = Table> {
        Table::ALL.into_iter().filter(move |t| t.in_layout(layout))
    }

    /// Whether rows are written per patient (`false` for organizations, providers and
    /// payers, which are shared reference tables written at the end).
    pub fn is_per_patient(self) -> bool {
        !matches!(
            self,
            Table::Organizations | Table::Providers | Table::Payers
        )
    }

    /// The exact header line (without newline) in `layout`, or `None` when the layout has
    /// no such file.
    pub fn header(self, layout: Layout) -> Option<&'static str> {
        if !self.in_layout(layout) {
            return None;
        }
        Some(match layout {
            Layout::V3 => V3_HEADERS[self.index()],
            Layout::V2 => V2_HEADERS[self.index()],
        })
    }

    /// Column roles in header order, or `None` when the layout has no such file.
    pub fn columns(self, layout: Layout) -> Option<&'static [Column]> {
        if !self.in_layout(layout) {
            return None;
        }
        use Table as T;
        Some(match (self, layout) {
            (T::Allergies, Layout::V3) => ALLERGIES_V3,
            (T::Allergies, Layout::V2) => ALLERGIES_V2,
            (T::Careplans, _) => CAREPLANS,
            (T::Claims, _) => CLAIMS,
            (T::ClaimsTransactions, _) => CLAIMS_TRANSACTIONS,
            (T::Conditions, _) => CONDITIONS,
            (T::Devices, _) => DEVICES,
            (T::Encounters, _) => ENCOUNTERS,
            (T::ImagingStudies, _) => IMAGING_STUDIES,
            (T::Immunizations, _) => IMMUNIZATIONS,
            (T::Medications, _) => MEDICATIONS,
            (T::Observations, Layout::V3) => OBSERVATIONS_V3,
            (T::Observations, Layout::V2) => OBSERVATIONS_V2,
            (T::Organizations, _) => ORGANIZATIONS,
            (T::Patients, Layout::V3) => PATIENTS_V3,
            (T::Patients, Layout::V2) => PATIENTS_V2,
            (T::PayerTransitions, Layout::V3) => PAYER_TRANSITIONS_V3,
            (T::PayerTransitions, Layout::V2) => PAYER_TRANSITIONS_V2,
            (T::Payers, Layout::V3) => PAYERS_V3,
            (T::Payers, Layout::V2) => PAYERS_V2,
            (T::Procedures, Layout::V3) => PROCEDURES_V3,
            (T::Procedures, Layout::V2) => PROCEDURES_V2,
            (T::Providers, Layout::V3) => PROVIDERS_V3,
            (T::Providers, Layout::V2) => PROVIDERS_V2,
            (T::Supplies, _) => SUPPLIES,
        })
    }

    /// Position of column `name` in `layout`.
    pub fn column_index(self, layout: Layout, name: &str) -> Option<usize> {
        self.columns(layout)?.iter().position(|c| c.name == name)
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.file_name())
    }
}

/// Header lines of the 3.x layout (`v3-2024-11p`), indexed like [`Table::ALL`].
pub const V3_HEADERS: [&str; TABLE_COUNT] = [
    "START,STOP,PATIENT,ENCOUNTER,CODE,SYSTEM,DESCRIPTION,TYPE,CATEGORY,REACTION1,DESCRIPTION1,SEVERITY1,REACTION2,DESCRIPTION2,SEVERITY2",
    "Id,START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,REASONCODE,REASONDESCRIPTION",
    "Id,PATIENTID,PROVIDERID,PRIMARYPATIENTINSURANCEID,SECONDARYPATIENTINSURANCEID,DEPARTMENTID,PATIENTDEPARTMENTID,DIAGNOSIS1,DIAGNOSIS2,DIAGNOSIS3,DIAGNOSIS4,DIAGNOSIS5,DIAGNOSIS6,DIAGNOSIS7,DIAGNOSIS8,REFERRINGPROVIDERID,APPOINTMENTID,CURRENTILLNESSDATE,SERVICEDATE,SUPERVISINGPROVIDERID,STATUS1,STATUS2,STATUSP,OUTSTANDING1,OUTSTANDING2,OUTSTANDINGP,LASTBILLEDDATE1,LASTBILLEDDATE2,LASTBILLEDDATEP,HEALTHCARECLAIMTYPEID1,HEALTHCARECLAIMTYPEID2",
    "ID,CLAIMID,CHARGEID,PATIENTID,TYPE,AMOUNT,METHOD,FROMDATE,TODATE,PLACEOFSERVICE,PROCEDURECODE,MODIFIER1,MODIFIER2,DIAGNOSISREF1,DIAGNOSISREF2,DIAGNOSISREF3,DIAGNOSISREF4,UNITS,DEPARTMENTID,NOTES,UNITAMOUNT,TRANSFEROUTID,TRANSFERTYPE,PAYMENTS,ADJUSTMENTS,TRANSFERS,OUTSTANDING,APPOINTMENTID,LINENOTE,PATIENTINSURANCEID,FEESCHEDULEID,PROVIDERID,SUPERVISINGPROVIDERID",
    "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION",
    "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,UDI",
    "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION",
    "Id,DATE,PATIENT,ENCOUNTER,SERIES_UID,BODYSITE_CODE,BODYSITE_DESCRIPTION,MODALITY_CODE,MODALITY_DESCRIPTION,INSTANCE_UID,SOP_CODE,SOP_DESCRIPTION,PROCEDURE_CODE",
    "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST",
    "START,STOP,PATIENT,PAYER,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,PAYER_COVERAGE,DISPENSES,TOTALCOST,REASONCODE,REASONDESCRIPTION",
    "DATE,PATIENT,ENCOUNTER,CATEGORY,CODE,DESCRIPTION,VALUE,UNITS,TYPE",
    "Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION",
    "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,FIPS,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE,INCOME",
    "PATIENT,MEMBERID,START_DATE,END_DATE,PAYER,SECONDARY_PAYER,PLAN_OWNERSHIP,OWNER_NAME",
    "Id,NAME,OWNERSHIP,ADDRESS,CITY,STATE_HEADQUARTERED,ZIP,PHONE,AMOUNT_COVERED,AMOUNT_UNCOVERED,REVENUE,COVERED_ENCOUNTERS,UNCOVERED_ENCOUNTERS,COVERED_MEDICATIONS,UNCOVERED_MEDICATIONS,COVERED_PROCEDURES,UNCOVERED_PROCEDURES,COVERED_IMMUNIZATIONS,UNCOVERED_IMMUNIZATIONS,UNIQUE_CUSTOMERS,QOLS_AVG,MEMBER_MONTHS",
    "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,REASONCODE,REASONDESCRIPTION",
    "Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,ENCOUNTERS,PROCEDURES",
    "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,QUANTITY",
];

/// Header lines of the 2.x layout (`v2-10p`), indexed like [`Table::ALL`]; the claims
/// entries are empty because 2.x has no claims files.
pub const V2_HEADERS: [&str; TABLE_COUNT] = [
    "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION",
    "Id,START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,REASONCODE,REASONDESCRIPTION",
    "",
    "",
    "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION",
    "START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION,UDI",
    "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION",
    "Id,DATE,PATIENT,ENCOUNTER,SERIES_UID,BODYSITE_CODE,BODYSITE_DESCRIPTION,MODALITY_CODE,MODALITY_DESCRIPTION,INSTANCE_UID,SOP_CODE,SOP_DESCRIPTION,PROCEDURE_CODE",
    "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST",
    "START,STOP,PATIENT,PAYER,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,PAYER_COVERAGE,DISPENSES,TOTALCOST,REASONCODE,REASONDESCRIPTION",
    "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,VALUE,UNITS,TYPE",
    "Id,NAME,ADDRESS,CITY,STATE,ZIP,LAT,LON,PHONE,REVENUE,UTILIZATION",
    "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE",
    "PATIENT,START_YEAR,END_YEAR,PAYER,OWNERSHIP",
    "Id,NAME,ADDRESS,CITY,STATE_HEADQUARTERED,ZIP,PHONE,AMOUNT_COVERED,AMOUNT_UNCOVERED,REVENUE,COVERED_ENCOUNTERS,UNCOVERED_ENCOUNTERS,COVERED_MEDICATIONS,UNCOVERED_MEDICATIONS,COVERED_PROCEDURES,UNCOVERED_PROCEDURES,COVERED_IMMUNIZATIONS,UNCOVERED_IMMUNIZATIONS,UNIQUE_CUSTOMERS,QOLS_AVG,MEMBER_MONTHS",
    "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,REASONCODE,REASONDESCRIPTION",
    "Id,ORGANIZATION,NAME,GENDER,SPECIALITY,ADDRESS,CITY,STATE,ZIP,LAT,LON,UTILIZATION",
    "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,QUANTITY",
];

/// What a foreign-key column points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefTarget {
    /// `patients.Id`.
    Patient,
    /// `encounters.Id`.
    Encounter,
    /// `organizations.Id`.
    Organization,
    /// `providers.Id`.
    Provider,
    /// `payers.Id`.
    Payer,
    /// `claims.Id`.
    Claim,
}

impl RefTarget {
    /// The table holding the referenced ids.
    pub fn table(self) -> Table {
        match self {
            RefTarget::Patient => Table::Patients,
            RefTarget::Encounter => Table::Encounters,
            RefTarget::Organization => Table::Organizations,
            RefTarget::Provider => Table::Providers,
            RefTarget::Payer => Table::Payers,
            RefTarget::Claim => Table::Claims,
        }
    }
}

/// The role of a column's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Primary key (`Id`/`ID`).
    Id,
    /// Identifier that is not a key of this table and not a foreign key (member ids,
    /// DICOM UIDs).
    Identifier,
    /// Foreign key.
    Ref(RefTarget),
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    Timestamp,
    /// Plain `YYYY`.
    Year,
    /// Decimal amount.
    Money,
    /// Floating point number.
    Float,
    /// Integer.
    Int,
    /// Code (SNOMED, RxNorm, LOINC, CVX, DICOM, ZIP, FIPS…) kept as text.
    Code,
    /// Free text.
    Text,
    /// One of a closed set of values (case-sensitive, as Synthea writes them).
    Category(&'static [&'static str]),
    /// `observations.VALUE`: numeric when the row's `TYPE` is `numeric`, else text.
    ObservationValue,
}

/// One column of a table layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Header name.
    pub name: &'static str,
    /// Value role.
    pub kind: ColumnKind,
    /// Whether the clean generator always fills it.
    pub required: bool,
}

const fn c(name: &'static str, kind: ColumnKind, required: bool) -> Column {
    Column {
        name,
        kind,
        required,
    }
}

use ColumnKind as K;
use RefTarget as R;

/// Encounter classes Synthea writes (3.x adds `home`, `snf`, `hospice`, `virtual`).
pub const ENCOUNTER_CLASSES: &[&str] = &[
    "wellness",
    "ambulatory",
    "outpatient",
    "inpatient",
    "emergency",
    "urgentcare",
    "home",
    "snf",
    "hospice",
    "virtual",
];
const GENDERS: &[&str] = &["M", "F"];
const RACES: &[&str] = &["white", "black", "asian", "native", "hawaiian", "other"];
const ETHNICITIES: &[&str] = &["hispanic", "nonhispanic"];
const MARITAL: &[&str] = &["M", "S", "D", "W"];
const OBS_CATEGORIES: &[&str] = &[
    "vital-signs",
    "laboratory",
    "survey",
    "social-history",
    "exam",
    "procedure",
];
const OBS_TYPES: &[&str] = &["numeric", "text"];
const ALLERGY_SYSTEMS: &[&str] = &["SNOMED-CT", "RxNorm"];
const ALLERGY_TYPES: &[&str] = &["allergy", "intolerance"];
const ALLERGY_CATEGORIES: &[&str] = &["food", "environment", "medication"];
const SEVERITIES: &[&str] = &["MILD", "MODERATE", "SEVERE"];
const CLAIM_STATUS: &[&str] = &["BILLED", "CLOSED"];
const TX_TYPES: &[&str] = &[
    "CHARGE",
    "PAYMENT",
    "TRANSFERIN",
    "TRANSFEROUT",
    "ADJUSTMENT",
];
const TX_METHODS: &[&str] = &["CASH", "CHECK", "ECHECK", "COPAY", "CC", "SYSTEM"];
const OWNERSHIP: &[&str] = &["Self", "Guardian", "Spouse"];
const PAYER_OWNERSHIP: &[&str] = &["GOVERNMENT", "PRIVATE", "NO_INSURANCE"];

static ALLERGIES_V3: &[Column] = &[
    c("START", K::Date, true),
    c("STOP", K::Date, false),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("SYSTEM", K::Category(ALLERGY_SYSTEMS), true),
    c("DESCRIPTION", K::Text, true),
    c("TYPE", K::Category(ALLERGY_TYPES), true),
    c("CATEGORY", K::Category(ALLERGY_CATEGORIES), true),
    c("REACTION1", K::Code, false),
    c("DESCRIPTION1", K::Text, false),
    c("SEVERITY1", K::Category(SEVERITIES), false),
    c("REACTION2", K::Code, false),
    c("DESCRIPTION2", K::Text, false),
    c("SEVERITY2", K::Category(SEVERITIES), false),
];
static ALLERGIES_V2: &[Column] = &[
    c("START", K::Date, true),
    c("STOP", K::Date, false),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
];
static CAREPLANS: &[Column] = &[
    c("Id", K::Id, true),
    c("START", K::Date, true),
    c("STOP", K::Date, false),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("REASONCODE", K::Code, false),
    c("REASONDESCRIPTION", K::Text, false),
];
static CLAIMS: &[Column] = &[
    c("Id", K::Id, true),
    c("PATIENTID", K::Ref(R::Patient), true),
    c("PROVIDERID", K::Ref(R::Provider), true),
    c("PRIMARYPATIENTINSURANCEID", K::Ref(R::Payer), false),
    c("SECONDARYPATIENTINSURANCEID", K::Ref(R::Payer), false),
    c("DEPARTMENTID", K::Int, true),
    c("PATIENTDEPARTMENTID", K::Int, true),
    c("DIAGNOSIS1", K::Code, true),
    c("DIAGNOSIS2", K::Code, false),
    c("DIAGNOSIS3", K::Code, false),
    c("DIAGNOSIS4", K::Code, false),
    c("DIAGNOSIS5", K::Code, false),
    c("DIAGNOSIS6", K::Code, false),
    c("DIAGNOSIS7", K::Code, false),
    c("DIAGNOSIS8", K::Code, false),
    c("REFERRINGPROVIDERID", K::Identifier, false),
    c("APPOINTMENTID", K::Ref(R::Encounter), true),
    c("CURRENTILLNESSDATE", K::Timestamp, true),
    c("SERVICEDATE", K::Timestamp, true),
    c("SUPERVISINGPROVIDERID", K::Ref(R::Provider), true),
    c("STATUS1", K::Category(CLAIM_STATUS), true),
    c("STATUS2", K::Category(CLAIM_STATUS), false),
    c("STATUSP", K::Category(CLAIM_STATUS), true),
    c("OUTSTANDING1", K::Money, true),
    c("OUTSTANDING2", K::Money, false),
    c("OUTSTANDINGP", K::Money, true),
    c("LASTBILLEDDATE1", K::Timestamp, true),
    c("LASTBILLEDDATE2", K::Timestamp, false),
    c("LASTBILLEDDATEP", K::Timestamp, true),
    c("HEALTHCARECLAIMTYPEID1", K::Int, true),
    c("HEALTHCARECLAIMTYPEID2", K::Int, true),
];
static CLAIMS_TRANSACTIONS: &[Column] = &[
    c("ID", K::Id, true),
    c("CLAIMID", K::Ref(R::Claim), true),
    c("CHARGEID", K::Int, true),
    c("PATIENTID", K::Ref(R::Patient), true),
    c("TYPE", K::Category(TX_TYPES), true),
    c("AMOUNT", K::Money, false),
    c("METHOD", K::Category(TX_METHODS), false),
    c("FROMDATE", K::Timestamp, true),
    c("TODATE", K::Timestamp, true),
    c("PLACEOFSERVICE", K::Ref(R::Organization), true),
    c("PROCEDURECODE", K::Code, true),
    c("MODIFIER1", K::Text, false),
    c("MODIFIER2", K::Text, false),
    c("DIAGNOSISREF1", K::Int, true),
    c("DIAGNOSISREF2", K::Int, false),
    c("DIAGNOSISREF3", K::Int, false),
    c("DIAGNOSISREF4", K::Int, false),
    c("UNITS", K::Int, true),
    c("DEPARTMENTID", K::Int, true),
    c("NOTES", K::Text, true),
    c("UNITAMOUNT", K::Money, false),
    c("TRANSFEROUTID", K::Int, false),
    c("TRANSFERTYPE", K::Text, false),
    c("PAYMENTS", K::Money, false),
    c("ADJUSTMENTS", K::Money, false),
    c("TRANSFERS", K::Money, false),
    c("OUTSTANDING", K::Money, false),
    c("APPOINTMENTID", K::Ref(R::Encounter), true),
    c("LINENOTE", K::Text, false),
    c("PATIENTINSURANCEID", K::Identifier, false),
    c("FEESCHEDULEID", K::Int, true),
    c("PROVIDERID", K::Ref(R::Provider), true),
    c("SUPERVISINGPROVIDERID", K::Ref(R::Provider), true),
];
static CONDITIONS: &[Column] = &[
    c("START", K::Date, true),
    c("STOP", K::Date, false),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
];
static DEVICES: &[Column] = &[
    c("START", K::Timestamp, true),
    c("STOP", K::Timestamp, false),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("UDI", K::Identifier, true),
];
static ENCOUNTERS: &[Column] = &[
    c("Id", K::Id, true),
    c("START", K::Timestamp, true),
    c("STOP", K::Timestamp, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ORGANIZATION", K::Ref(R::Organization), true),
    c("PROVIDER", K::Ref(R::Provider), true),
    c("PAYER", K::Ref(R::Payer), true),
    c("ENCOUNTERCLASS", K::Category(ENCOUNTER_CLASSES), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("BASE_ENCOUNTER_COST", K::Money, true),
    c("TOTAL_CLAIM_COST", K::Money, true),
    c("PAYER_COVERAGE", K::Money, true),
    c("REASONCODE", K::Code, false),
    c("REASONDESCRIPTION", K::Text, false),
];
static IMAGING_STUDIES: &[Column] = &[
    c("Id", K::Identifier, true),
    c("DATE", K::Timestamp, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("SERIES_UID", K::Identifier, true),
    c("BODYSITE_CODE", K::Code, true),
    c("BODYSITE_DESCRIPTION", K::Text, true),
    c("MODALITY_CODE", K::Code, true),
    c("MODALITY_DESCRIPTION", K::Text, true),
    c("INSTANCE_UID", K::Identifier, true),
    c("SOP_CODE", K::Code, true),
    c("SOP_DESCRIPTION", K::Text, true),
    c("PROCEDURE_CODE", K::Code, true),
];
static IMMUNIZATIONS: &[Column] = &[
    c("DATE", K::Timestamp, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("BASE_COST", K::Money, true),
];
static MEDICATIONS: &[Column] = &[
    c("START", K::Timestamp, true),
    c("STOP", K::Timestamp, false),
    c("PATIENT", K::Ref(R::Patient), true),
    c("PAYER", K::Ref(R::Payer), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("BASE_COST", K::Money, true),
    c("PAYER_COVERAGE", K::Money, true),
    c("DISPENSES", K::Int, true),
    c("TOTALCOST", K::Money, true),
    c("REASONCODE", K::Code, false),
    c("REASONDESCRIPTION", K::Text, false),
];
static OBSERVATIONS_V3: &[Column] = &[
    c("DATE", K::Timestamp, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), false),
    c("CATEGORY", K::Category(OBS_CATEGORIES), false),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("VALUE", K::ObservationValue, true),
    c("UNITS", K::Text, false),
    c("TYPE", K::Category(OBS_TYPES), true),
];
static OBSERVATIONS_V2: &[Column] = &[
    c("DATE", K::Timestamp, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), false),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("VALUE", K::ObservationValue, true),
    c("UNITS", K::Text, false),
    c("TYPE", K::Category(OBS_TYPES), true),
];
static ORGANIZATIONS: &[Column] = &[
    c("Id", K::Id, true),
    c("NAME", K::Text, true),
    c("ADDRESS", K::Text, true),
    c("CITY", K::Text, true),
    c("STATE", K::Code, true),
    c("ZIP", K::Code, true),
    c("LAT", K::Float, true),
    c("LON", K::Float, true),
    c("PHONE", K::Text, false),
    c("REVENUE", K::Money, true),
    c("UTILIZATION", K::Int, true),
];
static PATIENTS_V3: &[Column] = &[
    c("Id", K::Id, true),
    c("BIRTHDATE", K::Date, true),
    c("DEATHDATE", K::Date, false),
    c("SSN", K::Code, true),
    c("DRIVERS", K::Code, false),
    c("PASSPORT", K::Code, false),
    c("PREFIX", K::Text, false),
    c("FIRST", K::Text, true),
    c("LAST", K::Text, true),
    c("SUFFIX", K::Text, false),
    c("MAIDEN", K::Text, false),
    c("MARITAL", K::Category(MARITAL), false),
    c("RACE", K::Category(RACES), true),
    c("ETHNICITY", K::Category(ETHNICITIES), true),
    c("GENDER", K::Category(GENDERS), true),
    c("BIRTHPLACE", K::Text, true),
    c("ADDRESS", K::Text, true),
    c("CITY", K::Text, true),
    c("STATE", K::Text, true),
    c("COUNTY", K::Text, true),
    c("FIPS", K::Code, false),
    c("ZIP", K::Code, true),
    c("LAT", K::Float, true),
    c("LON", K::Float, true),
    c("HEALTHCARE_EXPENSES", K::Money, true),
    c("HEALTHCARE_COVERAGE", K::Money, true),
    c("INCOME", K::Int, true),
];
static PATIENTS_V2: &[Column] = &[
    c("Id", K::Id, true),
    c("BIRTHDATE", K::Date, true),
    c("DEATHDATE", K::Date, false),
    c("SSN", K::Code, true),
    c("DRIVERS", K::Code, false),
    c("PASSPORT", K::Code, false),
    c("PREFIX", K::Text, false),
    c("FIRST", K::Text, true),
    c("LAST", K::Text, true),
    c("SUFFIX", K::Text, false),
    c("MAIDEN", K::Text, false),
    c("MARITAL", K::Category(MARITAL), false),
    c("RACE", K::Category(RACES), true),
    c("ETHNICITY", K::Category(ETHNICITIES), true),
    c("GENDER", K::Category(GENDERS), true),
    c("BIRTHPLACE", K::Text, true),
    c("ADDRESS", K::Text, true),
    c("CITY", K::Text, true),
    c("STATE", K::Text, true),
    c("COUNTY", K::Text, true),
    c("ZIP", K::Code, true),
    c("LAT", K::Float, true),
    c("LON", K::Float, true),
    c("HEALTHCARE_EXPENSES", K::Money, true),
    c("HEALTHCARE_COVERAGE", K::Money, true),
];
static PAYER_TRANSITIONS_V3: &[Column] = &[
    c("PATIENT", K::Ref(R::Patient), true),
    c("MEMBERID", K::Identifier, false),
    c("START_DATE", K::Timestamp, true),
    c("END_DATE", K::Timestamp, true),
    c("PAYER", K::Ref(R::Payer), true),
    c("SECONDARY_PAYER", K::Ref(R::Payer), false),
    c("PLAN_OWNERSHIP", K::Category(OWNERSHIP), false),
    c("OWNER_NAME", K::Text, false),
];
static PAYER_TRANSITIONS_V2: &[Column] = &[
    c("PATIENT", K::Ref(R::Patient), true),
    c("START_YEAR", K::Year, true),
    c("END_YEAR", K::Year, true),
    c("PAYER", K::Ref(R::Payer), true),
    c("OWNERSHIP", K::Category(OWNERSHIP), false),
];
static PAYERS_V3: &[Column] = &[
    c("Id", K::Id, true),
    c("NAME", K::Text, true),
    c("OWNERSHIP", K::Category(PAYER_OWNERSHIP), true),
    c("ADDRESS", K::Text, false),
    c("CITY", K::Text, false),
    c("STATE_HEADQUARTERED", K::Text, false),
    c("ZIP", K::Code, false),
    c("PHONE", K::Text, false),
    c("AMOUNT_COVERED", K::Money, true),
    c("AMOUNT_UNCOVERED", K::Money, true),
    c("REVENUE", K::Money, true),
    c("COVERED_ENCOUNTERS", K::Int, true),
    c("UNCOVERED_ENCOUNTERS", K::Int, true),
    c("COVERED_MEDICATIONS", K::Int, true),
    c("UNCOVERED_MEDICATIONS", K::Int, true),
    c("COVERED_PROCEDURES", K::Int, true),
    c("UNCOVERED_PROCEDURES", K::Int, true),
    c("COVERED_IMMUNIZATIONS", K::Int, true),
    c("UNCOVERED_IMMUNIZATIONS", K::Int, true),
    c("UNIQUE_CUSTOMERS", K::Int, true),
    c("QOLS_AVG", K::Float, true),
    c("MEMBER_MONTHS", K::Int, true),
];
static PAYERS_V2: &[Column] = &[
    c("Id", K::Id, true),
    c("NAME", K::Text, true),
    c("ADDRESS", K::Text, false),
    c("CITY", K::Text, false),
    c("STATE_HEADQUARTERED", K::Text, false),
    c("ZIP", K::Code, false),
    c("PHONE", K::Text, false),
    c("AMOUNT_COVERED", K::Money, true),
    c("AMOUNT_UNCOVERED", K::Money, true),
    c("REVENUE", K::Money, true),
    c("COVERED_ENCOUNTERS", K::Int, true),
    c("UNCOVERED_ENCOUNTERS", K::Int, true),
    c("COVERED_MEDICATIONS", K::Int, true),
    c("UNCOVERED_MEDICATIONS", K::Int, true),
    c("COVERED_PROCEDURES", K::Int, true),
    c("UNCOVERED_PROCEDURES", K::Int, true),
    c("COVERED_IMMUNIZATIONS", K::Int, true),
    c("UNCOVERED_IMMUNIZATIONS", K::Int, true),
    c("UNIQUE_CUSTOMERS", K::Int, true),
    c("QOLS_AVG", K::Float, true),
    c("MEMBER_MONTHS", K::Int, true),
];
static PROCEDURES_V3: &[Column] = &[
    c("START", K::Timestamp, true),
    c("STOP", K::Timestamp, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("BASE_COST", K::Money, true),
    c("REASONCODE", K::Code, false),
    c("REASONDESCRIPTION", K::Text, false),
];
static PROCEDURES_V2: &[Column] = &[
    c("DATE", K::Timestamp, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("BASE_COST", K::Money, true),
    c("REASONCODE", K::Code, false),
    c("REASONDESCRIPTION", K::Text, false),
];
static PROVIDERS_V3: &[Column] = &[
    c("Id", K::Id, true),
    c("ORGANIZATION", K::Ref(R::Organization), true),
    c("NAME", K::Text, true),
    c("GENDER", K::Category(GENDERS), true),
    c("SPECIALITY", K::Text, true),
    c("ADDRESS", K::Text, true),
    c("CITY", K::Text, true),
    c("STATE", K::Code, true),
    c("ZIP", K::Code, true),
    c("LAT", K::Float, true),
    c("LON", K::Float, true),
    c("ENCOUNTERS", K::Int, true),
    c("PROCEDURES", K::Int, true),
];
static PROVIDERS_V2: &[Column] = &[
    c("Id", K::Id, true),
    c("ORGANIZATION", K::Ref(R::Organization), true),
    c("NAME", K::Text, true),
    c("GENDER", K::Category(GENDERS), true),
    c("SPECIALITY", K::Text, true),
    c("ADDRESS", K::Text, true),
    c("CITY", K::Text, true),
    c("STATE", K::Code, true),
    c("ZIP", K::Code, true),
    c("LAT", K::Float, true),
    c("LON", K::Float, true),
    c("UTILIZATION", K::Int, true),
];
static SUPPLIES: &[Column] = &[
    c("DATE", K::Date, true),
    c("PATIENT", K::Ref(R::Patient), true),
    c("ENCOUNTER", K::Ref(R::Encounter), true),
    c("CODE", K::Code, true),
    c("DESCRIPTION", K::Text, true),
    c("QUANTITY", K::Int, true),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_constants_match_column_roles() {
        for layout in [Layout::V3, Layout::V2] {
            for t in Table::tables(layout) {
                let cols = t
                    .columns(layout)
                    .map(|c| c.iter().map(|c| c.name).collect::<Vec<_>>().join(","));
                assert_eq!(cols.as_deref(), t.header(layout), "{t} {layout:?}");
            }
        }
    }

    #[test]
    fn v3_has_18_files_and_v2_has_16() {
        assert_eq!(Table::tables(Layout::V3).count(), 18);
        assert_eq!(Table::tables(Layout::V2).count(), 16);
        assert!(Table::Claims.header(Layout::V2).is_none());
    }
}
