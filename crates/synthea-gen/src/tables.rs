//! The tables of a generated export, derived from synthea-schema's table catalogue.
//!
//! Which files a layout has, their exact header lines and their column order all come
//! from [`synthea_schema::spec`]: [`Layout::V3`] writes the columns every 3.3+ export has
//! (the header-required columns of [`SyntheaVersion::V3Latest`], so without the
//! newest-only `MIDDLE` and `SYSTEM` of patients, conditions and procedures), and
//! [`Layout::V2`] those of [`SyntheaVersion::V2`]. The spec also says which columns
//! reference another table, which are categorical and with which values.
//!
//! This module adds only what the generator itself knows: each column's role
//! ([`ColumnKind`]), which drives dirty-data injection and lets tests check generated
//! files, and the few columns real exports may leave empty that the generator always
//! fills.

use std::sync::OnceLock;

use synthea_schema::spec::{ColumnSpec, TableSpec, ValueKind};
use synthea_schema::{SyntheaVersion, TableKind};

use crate::config::Layout;

/// Number of tables in the catalogue (the size of per-table arrays, indexed by
/// [`TableKind::index`]).
pub(crate) const TABLE_COUNT: usize = TableKind::ALL.len();

/// Catalogue tables the generator does not write: `patient_expenses.csv`, an optional
/// file of the newest exports.
const NOT_GENERATED: [TableKind; 1] = [TableKind::PatientExpenses];

/// Columns real exports may leave empty that the generator always fills.
const ALWAYS_FILLED: [(TableKind, &str); 4] = [
    (TableKind::Organizations, "ZIP"),
    (TableKind::Patients, "COUNTY"),
    (TableKind::Patients, "ZIP"),
    (TableKind::Providers, "ZIP"),
];

/// The role of a column's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// Primary key (`Id`/`ID` of a table whose key it is).
    Id,
    /// Identifier that is not a key of this table and not a foreign key (member ids,
    /// device and DICOM UIDs, `imaging_studies.Id`, which repeats per instance).
    Identifier,
    /// Foreign key to the ids of the given table.
    Ref(TableKind),
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    Timestamp,
    /// Plain `YYYY`.
    Year,
    /// Decimal number or money amount.
    Float,
    /// Integer.
    Int,
    /// Code (SNOMED, RxNorm, LOINC, CVX, DICOM, ZIP, FIPS, SSN…) kept as text.
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

impl Column {
    /// The generator's view of column `spec` of `table`, whose spec is `table_spec`.
    fn from_spec(table_spec: &TableSpec, spec: &ColumnSpec) -> Self {
        let table = table_spec.table;
        Column {
            name: spec.name,
            kind: role(table_spec, spec),
            required: spec.required || ALWAYS_FILLED.contains(&(table, spec.name)),
        }
    }
}

/// The role of column `spec`: its spec kind, refined by the spec's foreign keys, keys
/// and categorical values.
fn role(table_spec: &TableSpec, spec: &ColumnSpec) -> ColumnKind {
    let table = table_spec.table;
    if (table, spec.name) == (TableKind::Observations, "VALUE") {
        return ColumnKind::ObservationValue;
    }
    match spec.kind {
        ValueKind::Id => {
            let reference = table_spec
                .foreign_keys()
                .into_iter()
                .find(|(c, _)| c.name == spec.name);
            match reference {
                Some((_, target)) => ColumnKind::Ref(target),
                None if table.silver_key() == [spec.silver] => ColumnKind::Id,
                None => ColumnKind::Identifier,
            }
        }
        ValueKind::Text if spec.is_categorical() => ColumnKind::Category(spec.values),
        ValueKind::Text => ColumnKind::Text,
        ValueKind::Code => ColumnKind::Code,
        ValueKind::Int => ColumnKind::Int,
        ValueKind::Float => ColumnKind::Float,
        ValueKind::Date => ColumnKind::Date,
        ValueKind::Timestamp => ColumnKind::Timestamp,
        ValueKind::Year => ColumnKind::Year,
    }
}

/// Whether rows are written per patient (`false` for organizations, providers and
/// payers, which are shared reference tables written at the end).
pub fn is_per_patient(table: TableKind) -> bool {
    !matches!(
        table,
        TableKind::Organizations | TableKind::Providers | TableKind::Payers
    )
}

/// Columns of every table in every layout, indexed by layout then [`TableKind::index`]
/// (empty for tables the layout does not have).
fn catalogue() -> &'static [Vec<Vec<Column>>; 2] {
    static CATALOGUE: OnceLock<[Vec<Vec<Column>>; 2]> = OnceLock::new();
    CATALOGUE.get_or_init(|| [Layout::V3, Layout::V2].map(layout_columns))
}

fn layout_columns(layout: Layout) -> Vec<Vec<Column>> {
    let version = layout.version();
    TableKind::ALL
        .iter()
        .map(|&table| match table.spec(version) {
            Some(spec) if layout.has(table) => spec
                .columns
                .iter()
                .filter(|c| c.header_required_in(version))
                .map(|c| Column::from_spec(&spec, c))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

impl Layout {
    /// The Synthea layout (version) this generator layout writes.
    pub fn version(self) -> SyntheaVersion {
        match self {
            Layout::V3 => SyntheaVersion::V3Latest,
            Layout::V2 => SyntheaVersion::V2,
        }
    }

    /// Whether the layout has `table`'s file (claims files are 3.x only).
    pub fn has(self, table: TableKind) -> bool {
        table.in_version(self.version()) && !NOT_GENERATED.contains(&table)
    }

    /// The tables of the layout, in file-name order.
    pub fn tables(self) -> impl Iterator<Item = TableKind> {
        TableKind::ALL.into_iter().filter(move |t| self.has(*t))
    }

    /// Column roles of `table` in header order, or `None` when the layout has no such
    /// file.
    pub fn columns(self, table: TableKind) -> Option<&'static [Column]> {
        if !self.has(table) {
            return None;
        }
        let layout = match self {
            Layout::V3 => 0,
            Layout::V2 => 1,
        };
        Some(&catalogue()[layout][table.index()])
    }

    /// The exact header line (without newline) of `table`, or `None` when the layout has
    /// no such file.
    pub fn header(self, table: TableKind) -> Option<String> {
        let names: Vec<&str> = self.columns(table)?.iter().map(|c| c.name).collect();
        Some(names.join(","))
    }

    /// Position of column `name` of `table`.
    pub fn column_index(self, table: TableKind, name: &str) -> Option<usize> {
        self.columns(table)?.iter().position(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_has_18_files_and_v2_has_16() {
        assert_eq!(Layout::V3.tables().count(), 18);
        assert_eq!(Layout::V2.tables().count(), 16);
        assert!(Layout::V2.header(TableKind::Claims).is_none());
        assert!(Layout::V3.header(TableKind::PatientExpenses).is_none());
    }

    #[test]
    fn v3_headers_leave_out_the_newest_only_columns() {
        let header = Layout::V3.header(TableKind::Patients).unwrap_or_default();
        assert!(header.starts_with("Id,BIRTHDATE,DEATHDATE,SSN,"));
        assert!(header.contains(",FIRST,LAST,") && header.ends_with(",INCOME"));
        assert_eq!(
            Layout::V3.header(TableKind::Conditions).as_deref(),
            Some("START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION")
        );
        assert_eq!(
            Layout::V2.header(TableKind::PayerTransitions).as_deref(),
            Some("PATIENT,START_YEAR,END_YEAR,PAYER,OWNERSHIP")
        );
    }

    #[test]
    fn roles_follow_the_spec_keys_references_and_categories() {
        let kind = |layout: Layout, table, name| {
            layout
                .columns(table)
                .and_then(|cols| cols.iter().find(|c| c.name == name))
                .map(|c| c.kind)
        };
        use ColumnKind as K;
        use TableKind as T;
        assert_eq!(kind(Layout::V3, T::Encounters, "Id"), Some(K::Id));
        assert_eq!(
            kind(Layout::V3, T::ImagingStudies, "Id"),
            Some(K::Identifier)
        );
        assert_eq!(
            kind(Layout::V3, T::ClaimsTransactions, "PATIENTINSURANCEID"),
            Some(K::Identifier)
        );
        assert_eq!(
            kind(Layout::V3, T::ClaimsTransactions, "CLAIMID"),
            Some(K::Ref(T::Claims))
        );
        assert_eq!(
            kind(Layout::V3, T::Providers, "ORGANIZATION"),
            Some(K::Ref(T::Organizations))
        );
        assert_eq!(
            kind(Layout::V2, T::Patients, "GENDER"),
            Some(K::Category(&["M", "F"]))
        );
        assert_eq!(
            kind(Layout::V3, T::Observations, "VALUE"),
            Some(K::ObservationValue)
        );
        assert_eq!(kind(Layout::V3, T::Payers, "QOLS_AVG"), Some(K::Float));
        let zip = Layout::V3
            .columns(T::Patients)
            .and_then(|cols| cols.iter().find(|c| c.name == "ZIP"));
        assert!(
            zip.is_some_and(|c| c.required),
            "the generator always fills ZIP"
        );
    }
}
