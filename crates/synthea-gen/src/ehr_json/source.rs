//! The generated Synthea CSV export read back as JSON records of the six EHR entities.

use std::path::Path;

use serde_json::{Map, Value};

use super::Entity;
use crate::error::{Error, Result};

/// One JSON record (field → value), before the change-feed fields are added.
pub(crate) type Record = Map<String, Value>;

/// The records of every entity, in export order.
pub(crate) struct Source {
    /// Records per entity, indexed by [`Entity::index`].
    pub(crate) records: [Vec<Record>; 6],
}

/// The rows of one CSV file of the export as (header, rows). The generator writes no
/// quoting (see the crate docs), so a comma always separates fields.
fn read_csv(dir: &Path, file: &str) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    let mut lines = text.lines();
    let header = lines
        .next()
        .unwrap_or_default()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    Ok((header, rows))
}

/// Field accessor of one CSV row by header name.
struct Row<'a> {
    header: &'a [String],
    values: &'a [String],
}

impl Row<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        let i = self.header.iter().position(|h| h == name)?;
        self.values
            .get(i)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The field as a JSON string (null when empty).
    fn text(&self, name: &str) -> Value {
        self.get(name)
            .map_or(Value::Null, |v| Value::String(v.to_string()))
    }

    /// The field as a JSON number (null when empty or not a number).
    fn number(&self, name: &str) -> Value {
        self.get(name)
            .and_then(|v| v.parse::<f64>().ok())
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number)
    }

    /// The field as a JSON integer (null when empty or not an integer).
    fn integer(&self, name: &str) -> Value {
        self.get(name)
            .and_then(|v| v.parse::<i64>().ok())
            .map_or(Value::Null, Value::from)
    }
}

/// Reads the records of each entity from the CSV export in `dir` (3.x layout).
/// `insurance` gives each patient's initial insurance plan by patient number.
pub(crate) fn read_source(dir: &Path, insurance: &dyn Fn(usize) -> String) -> Result<Source> {
    let mut records: [Vec<Record>; 6] = Default::default();
    each_row(dir, "patients.csv", |n, row| {
        records[Entity::Patients.index()].push(patient(n, &row, insurance));
    })?;
    each_row(dir, "encounters.csv", |_, row| {
        records[Entity::Encounters.index()].push(encounter(&row));
    })?;
    each_row(dir, "conditions.csv", |n, row| {
        records[Entity::Diagnoses.index()].push(diagnosis(n, &row));
    })?;
    each_row(dir, "procedures.csv", |n, row| {
        records[Entity::Procedures.index()].push(procedure(n, &row));
    })?;
    let mut labs = 0usize;
    each_row(dir, "observations.csv", |_, row| {
        if row.get("CATEGORY") == Some("laboratory") && row.get("TYPE") == Some("numeric") {
            records[Entity::LabResults.index()].push(lab_result(labs, &row));
            labs += 1;
        }
    })?;
    each_row(dir, "medications.csv", |n, row| {
        records[Entity::Medications.index()].push(medication(n, &row));
    })?;
    Ok(Source { records })
}

/// Calls `f` with each row of `file` and its 0-based number.
fn each_row(dir: &Path, file: &str, mut f: impl FnMut(usize, Row<'_>)) -> Result<()> {
    let (header, rows) = read_csv(dir, file)?;
    for (n, values) in rows.iter().enumerate() {
        f(
            n,
            Row {
                header: &header,
                values,
            },
        );
    }
    Ok(())
}

fn record(fields: impl IntoIterator<Item = (&'static str, Value)>) -> Record {
    fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn patient(n: usize, row: &Row<'_>, insurance: &dyn Fn(usize) -> String) -> Record {
    let marital = row.get("MARITAL").unwrap_or("S").to_string();
    record([
        ("patient_id", row.text("Id")),
        ("birth_date", row.text("BIRTHDATE")),
        ("death_date", row.text("DEATHDATE")),
        ("first_name", row.text("FIRST")),
        ("last_name", row.text("LAST")),
        ("gender", row.text("GENDER")),
        ("race", row.text("RACE")),
        ("ethnicity", row.text("ETHNICITY")),
        ("marital_status", Value::String(marital)),
        ("address", row.text("ADDRESS")),
        ("city", row.text("CITY")),
        ("state", row.text("STATE")),
        ("county", row.text("COUNTY")),
        ("zip", row.text("ZIP")),
        ("insurance", Value::String(insurance(n))),
    ])
}

fn encounter(row: &Row<'_>) -> Record {
    record([
        ("encounter_id", row.text("Id")),
        ("patient_id", row.text("PATIENT")),
        ("organization_id", row.text("ORGANIZATION")),
        ("provider_id", row.text("PROVIDER")),
        ("encounter_class", row.text("ENCOUNTERCLASS")),
        ("code", row.text("CODE")),
        ("description", row.text("DESCRIPTION")),
        ("start", row.text("START")),
        ("stop", row.text("STOP")),
        ("reason_code", row.text("REASONCODE")),
        ("total_cost", row.number("TOTAL_CLAIM_COST")),
        ("status", Value::String("finished".into())),
    ])
}

fn diagnosis(n: usize, row: &Row<'_>) -> Record {
    record([
        ("diagnosis_id", Value::String(format!("dx-{n:09}"))),
        ("patient_id", row.text("PATIENT")),
        ("encounter_id", row.text("ENCOUNTER")),
        ("code", row.text("CODE")),
        ("description", row.text("DESCRIPTION")),
        ("onset_date", row.text("START")),
        ("resolved_date", row.text("STOP")),
    ])
}

fn procedure(n: usize, row: &Row<'_>) -> Record {
    let performed = row.get("START").or_else(|| row.get("DATE"));
    record([
        ("procedure_id", Value::String(format!("px-{n:09}"))),
        ("patient_id", row.text("PATIENT")),
        ("encounter_id", row.text("ENCOUNTER")),
        ("code", row.text("CODE")),
        ("description", row.text("DESCRIPTION")),
        (
            "performed_at",
            performed.map_or(Value::Null, |v| Value::String(v.into())),
        ),
        ("reason_code", row.text("REASONCODE")),
        ("base_cost", row.number("BASE_COST")),
    ])
}

fn lab_result(n: usize, row: &Row<'_>) -> Record {
    record([
        ("lab_result_id", Value::String(format!("lab-{n:09}"))),
        ("patient_id", row.text("PATIENT")),
        ("encounter_id", row.text("ENCOUNTER")),
        ("code", row.text("CODE")),
        ("description", row.text("DESCRIPTION")),
        ("value", row.number("VALUE")),
        ("unit", row.text("UNITS")),
        ("effective_at", row.text("DATE")),
    ])
}

fn medication(n: usize, row: &Row<'_>) -> Record {
    let status = if row.get("STOP").is_some() {
        "completed"
    } else {
        "active"
    };
    record([
        ("medication_id", Value::String(format!("rx-{n:09}"))),
        ("patient_id", row.text("PATIENT")),
        ("encounter_id", row.text("ENCOUNTER")),
        ("code", row.text("CODE")),
        ("description", row.text("DESCRIPTION")),
        ("start", row.text("START")),
        ("stop", row.text("STOP")),
        ("dispenses", row.integer("DISPENSES")),
        ("reason_code", row.text("REASONCODE")),
        ("status", Value::String(status.into())),
    ])
}
