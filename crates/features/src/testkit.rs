//! Tiny silver fixtures for the tests: raw Synthea-shaped rows normalized by
//! `synthea-schema`, so the tests read exactly what the pipeline's silver tables hold.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use polars::prelude::*;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::{SyntheaVersion, TableKind};

use crate::FeatureInputs;

/// Normalize a raw frame of `table`.
pub fn silver(table: TableKind, raw: DataFrame) -> LazyFrame {
    let lf = normalize(
        table,
        SyntheaVersion::V3Latest,
        raw.lazy(),
        &NormalizeConfig::default(),
    )
    .unwrap();
    lf.collect().unwrap().lazy()
}

/// A date.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Raw event rows of each table, appended to by tests.
#[derive(Clone, Default)]
pub struct Raw {
    /// (id, birth, death, gender, race)
    pub patients: Vec<(String, String, Option<String>, String, String)>,
    /// (id, patient, class, start, stop)
    pub encounters: Vec<(String, String, String, String, String)>,
    /// (patient, code, start, stop)
    pub conditions: Vec<(String, String, String, Option<String>)>,
    /// (patient, code, start, stop)
    pub medications: Vec<(String, String, String, Option<String>)>,
    /// (patient, code, date, value)
    pub observations: Vec<(String, String, String, f64)>,
}

fn s(v: &str) -> String {
    v.to_string()
}

impl Raw {
    /// The hand-built fixture of the group tests (see `tests::fixture` for the story).
    pub fn fixture() -> Self {
        let t = |day: &str| format!("{day}T10:00:00Z");
        Self {
            patients: vec![
                (s("p1"), s("1970-06-15"), None, s("M"), s("white")),
                (
                    s("p2"),
                    s("1980-01-01"),
                    Some(s("2023-03-01")),
                    s("F"),
                    s("black"),
                ),
            ],
            encounters: vec![
                (
                    s("e1"),
                    s("p1"),
                    s("emergency"),
                    t("2022-12-01"),
                    t("2022-12-01"),
                ),
                (
                    s("e2"),
                    s("p1"),
                    s("inpatient"),
                    t("2022-03-01"),
                    t("2022-03-03"),
                ),
                (
                    s("e3"),
                    s("p1"),
                    s("wellness"),
                    t("2023-06-30"),
                    t("2023-06-30"),
                ),
                (
                    s("e4"),
                    s("p1"),
                    s("ambulatory"),
                    t("2023-07-15"),
                    t("2023-07-15"),
                ),
            ],
            conditions: vec![
                (s("p1"), s("59621000"), s("2020-01-01"), None),
                (s("p1"), s("44054006"), s("2023-05-10"), None),
                (
                    s("p1"),
                    s("15777000"),
                    s("2021-01-01"),
                    Some(s("2022-01-01")),
                ),
            ],
            medications: vec![
                (s("p1"), s("314076"), s("2020-01-05T00:00:00Z"), None),
                (s("p1"), s("860975"), s("2023-05-20T00:00:00Z"), None),
            ],
            observations: vec![
                (s("p1"), s("39156-5"), t("2022-01-15"), 30.0),
                (s("p1"), s("39156-5"), t("2022-12-20"), 32.0),
                (s("p1"), s("39156-5"), t("2023-06-30"), 33.5),
                (s("p1"), s("39156-5"), t("2023-08-01"), 35.0),
            ],
        }
    }

    /// The silver inputs.
    pub fn inputs(&self) -> FeatureInputs {
        let p = &self.patients;
        let patients = df!(
            "Id" => p.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            "BIRTHDATE" => p.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "DEATHDATE" => p.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
            "GENDER" => p.iter().map(|r| r.3.clone()).collect::<Vec<_>>(),
            "RACE" => p.iter().map(|r| r.4.clone()).collect::<Vec<_>>(),
        )
        .unwrap();
        let e = &self.encounters;
        let encounters = df!(
            "Id" => e.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            "PATIENT" => e.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "ORGANIZATION" => e.iter().map(|_| s("h")).collect::<Vec<_>>(),
            "ENCOUNTERCLASS" => e.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
            "START" => e.iter().map(|r| r.3.clone()).collect::<Vec<_>>(),
            "STOP" => e.iter().map(|r| r.4.clone()).collect::<Vec<_>>(),
            "CODE" => e.iter().map(|_| s("185349003")).collect::<Vec<_>>(),
            "DESCRIPTION" => e.iter().map(|_| s("visit")).collect::<Vec<_>>(),
        )
        .unwrap();
        let c = &self.conditions;
        let conditions = df!(
            "PATIENT" => c.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            "CODE" => c.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "DESCRIPTION" => c.iter().map(|_| s("condition")).collect::<Vec<_>>(),
            "START" => c.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
            "STOP" => c.iter().map(|r| r.3.clone()).collect::<Vec<_>>(),
        )
        .unwrap();
        let m = &self.medications;
        let medications = df!(
            "PATIENT" => m.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            "CODE" => m.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "DESCRIPTION" => m.iter().map(|_| s("drug")).collect::<Vec<_>>(),
            "START" => m.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
            "STOP" => m.iter().map(|r| r.3.clone()).collect::<Vec<_>>(),
            "DISPENSES" => m.iter().map(|_| s("1")).collect::<Vec<_>>(),
        )
        .unwrap();
        let o = &self.observations;
        let observations = df!(
            "DATE" => o.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
            "PATIENT" => o.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
            "CODE" => o.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "DESCRIPTION" => o.iter().map(|_| s("measure")).collect::<Vec<_>>(),
            "VALUE" => o.iter().map(|r| r.3.to_string()).collect::<Vec<_>>(),
            "TYPE" => o.iter().map(|_| s("numeric")).collect::<Vec<_>>(),
        )
        .unwrap();
        let procedures = df!("PATIENT" => [s("p1")], "ENCOUNTER" => [s("none")], "CODE" => [s("1")], "START" => [s("2000-01-01T00:00:00Z")]).unwrap();
        FeatureInputs {
            patients: silver(TableKind::Patients, patients),
            encounters: silver(TableKind::Encounters, encounters),
            conditions: silver(TableKind::Conditions, conditions),
            medications: silver(TableKind::Medications, medications),
            observations: silver(TableKind::Observations, observations),
            procedures: silver(TableKind::Procedures, procedures),
        }
    }
}

/// Stack for resolving and collecting feature store plans in tests: the plan stacks six
/// groups of joins, deeper than the default 2 MiB test thread allows without
/// optimizations.
const TEST_STACK_BYTES: usize = 64 << 20;

/// Runs `f` on a thread with [`TEST_STACK_BYTES`] of stack.
pub fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(TEST_STACK_BYTES)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}
