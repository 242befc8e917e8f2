//! Population checks of the disease modules on 2,000 patients generated in memory (no
//! files, so memory and disk stay small): volumes and distinct codes, prevalence by age
//! band and sex against published US figures, risk factors driving onset, deaths
//! following disease.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use synthea_schema::TableKind;

use crate::config::{GeneratorConfig, Layout};
use crate::reference::organizations::Reference;
use crate::stats::Stats;
use crate::writer::Chunk;
use crate::{context, patient};

/// What the checks need of one patient.
#[derive(Debug, Default)]
struct PatientFacts {
    female: bool,
    birth: Option<NaiveDate>,
    death: Option<NaiveDate>,
    /// Condition code → (first start, last stop; `None` = still active).
    conditions: HashMap<String, (NaiveDate, Option<NaiveDate>)>,
    max_bmi: f64,
    /// REASONCODE of the death certification.
    cause: Option<String>,
    cause_observed: bool,
}

/// The generated population, read back from the CSV rows of each patient.
#[derive(Debug, Default)]
struct Population {
    end: Option<NaiveDate>,
    patients: HashMap<String, PatientFacts>,
    rows: HashMap<TableKind, u64>,
    bytes: u64,
    distinct: HashMap<TableKind, HashSet<String>>,
}

fn day(v: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&v[..10], "%Y-%m-%d").unwrap()
}

impl Population {
    /// Generate `n` patients of seed `seed` (3.x layout) one at a time and keep the facts.
    fn simulate(n: u64, seed: u64) -> Self {
        let config = GeneratorConfig {
            patients: n,
            seed,
            ..GeneratorConfig::default()
        };
        let reference = Reference::build(seed);
        let ctx = context(&config, &reference);
        let mut pop = Population {
            end: Some(config.end_date),
            ..Population::default()
        };
        for i in 0..n {
            let stats = Stats::new(reference.orgs.len(), reference.providers.len());
            let mut chunk = Chunk::new(Layout::V3, None, stats);
            patient::generate(&ctx, i, &mut chunk);
            pop.absorb(&chunk);
        }
        pop
    }

    /// Rows of `table` in `chunk`, split into fields.
    fn rows_of(chunk: &Chunk, table: TableKind) -> Vec<Vec<&str>> {
        std::str::from_utf8(&chunk.bufs[table.index()])
            .unwrap()
            .lines()
            .map(|l| l.split(',').collect())
            .collect()
    }

    fn col(table: TableKind, name: &str) -> usize {
        Layout::V3.column_index(table, name).unwrap()
    }

    /// Adds one patient's rows.
    fn absorb(&mut self, chunk: &Chunk) {
        for t in TableKind::ALL {
            *self.rows.entry(t).or_insert(0) += chunk.rows[t.index()];
            self.bytes += chunk.bufs[t.index()].len() as u64;
            if let Some(ci) = Layout::V3.column_index(t, "CODE") {
                let set = self.distinct.entry(t).or_default();
                for r in Self::rows_of(chunk, t) {
                    set.insert(r[ci].to_string());
                }
            }
        }
        self.absorb_patients(chunk);
        self.absorb_conditions(chunk);
        self.absorb_bmi_and_death(chunk);
    }

    fn absorb_patients(&mut self, chunk: &Chunk) {
        let t = TableKind::Patients;
        let (id, birth, death, gender) = (
            Self::col(t, "Id"),
            Self::col(t, "BIRTHDATE"),
            Self::col(t, "DEATHDATE"),
            Self::col(t, "GENDER"),
        );
        for r in Self::rows_of(chunk, t) {
            let f = self.patients.entry(r[id].to_string()).or_default();
            f.female = r[gender] == "F";
            f.birth = Some(day(r[birth]));
            f.death = (!r[death].is_empty()).then(|| day(r[death]));
        }
    }

    fn absorb_conditions(&mut self, chunk: &Chunk) {
        let t = TableKind::Conditions;
        let (start, stop, pid, code) = (
            Self::col(t, "START"),
            Self::col(t, "STOP"),
            Self::col(t, "PATIENT"),
            Self::col(t, "CODE"),
        );
        for r in Self::rows_of(chunk, t) {
            let f = self.patients.entry(r[pid].to_string()).or_default();
            let s = day(r[start]);
            let e = (!r[stop].is_empty()).then(|| day(r[stop]));
            f.conditions
                .entry(r[code].to_string())
                .and_modify(|v| v.1 = e)
                .or_insert((s, e));
        }
    }

    fn absorb_bmi_and_death(&mut self, chunk: &Chunk) {
        let t = TableKind::Observations;
        let (pid, code, value) = (
            Self::col(t, "PATIENT"),
            Self::col(t, "CODE"),
            Self::col(t, "VALUE"),
        );
        for r in Self::rows_of(chunk, t) {
            let f = self.patients.entry(r[pid].to_string()).or_default();
            match r[code] {
                "39156-5" => f.max_bmi = f.max_bmi.max(r[value].parse().unwrap()),
                "69453-9" => f.cause_observed = true,
                _ => {}
            }
        }
        let t = TableKind::Encounters;
        let (pid, code, reason) = (
            Self::col(t, "PATIENT"),
            Self::col(t, "CODE"),
            Self::col(t, "REASONCODE"),
        );
        for r in Self::rows_of(chunk, t) {
            if r[code] == "308646001" && !r[reason].is_empty() {
                let f = self.patients.entry(r[pid].to_string()).or_default();
                f.cause = Some(r[reason].to_string());
            }
        }
    }

    fn per_patient(&self, t: TableKind) -> f64 {
        self.rows[&t] as f64 / self.patients.len() as f64
    }

    /// Alive at the export end, with their age then.
    fn alive_at_end(&self) -> impl Iterator<Item = (&PatientFacts, f64)> {
        let end = self.end.unwrap();
        self.patients
            .values()
            .filter(|f| f.death.is_none())
            .map(move |f| {
                let age = (end - f.birth.unwrap()).num_days() as f64 / 365.25;
                (f, age)
            })
    }
}

impl PatientFacts {
    /// Has any of `codes` active on `at`.
    fn has_active(&self, codes: &[&str], at: NaiveDate) -> bool {
        codes.iter().any(|c| {
            self.conditions
                .get(*c)
                .is_some_and(|(s, e)| *s <= at && e.is_none_or(|e| e > at))
        })
    }
}

/// Age bands of the prevalence table.
const BANDS: [(&str, f64, f64); 5] = [
    ("0-17", 0.0, 18.0),
    ("18-39", 18.0, 40.0),
    ("40-59", 40.0, 60.0),
    ("60-79", 60.0, 80.0),
    ("80+", 80.0, 200.0),
];

/// A condition group with its bounds on the pooled prevalence per age band (`None` = not
/// checked). Published US figures the bounds bracket: hypertension (NHANES 2017–2020,
/// ≥130/80): 22 % at 18–39, 55 % at 40–59, 75 % at 60+; diagnosed diabetes (CDC 2021):
/// 3 % at 18–44, 15 % at 45–64, 24 % at 65+; current asthma (CDC 2021): 6.5 % of children,
/// 8 % of adults; COPD (BRFSS 2021): 2 % at 18–44, 6.5 % at 45–64, 11 % at 65+; obesity
/// (NHANES 2017–2020): 40 % at 20–39, 44 % at 40–59, 42 % at 60+.
struct Group {
    name: &'static str,
    codes: &'static [&'static str],
    bounds: [Option<(f64, f64)>; 5],
}

const GROUPS: [Group; 5] = [
    Group {
        name: "hypertension",
        codes: &["59621000"],
        bounds: [
            None,
            Some((0.03, 0.35)),
            Some((0.20, 0.65)),
            Some((0.35, 0.85)),
            Some((0.35, 0.90)),
        ],
    },
    Group {
        name: "diabetes",
        codes: &["44054006"],
        bounds: [
            None,
            Some((0.003, 0.08)),
            Some((0.04, 0.22)),
            Some((0.10, 0.35)),
            Some((0.08, 0.40)),
        ],
    },
    Group {
        name: "asthma",
        codes: &["233678006", "195967001"],
        bounds: [
            Some((0.03, 0.16)),
            Some((0.04, 0.20)),
            Some((0.03, 0.20)),
            Some((0.03, 0.20)),
            None,
        ],
    },
    Group {
        name: "copd",
        codes: &["87433001", "185086009"],
        bounds: [
            Some((0.0, 0.0)),
            Some((0.0, 0.03)),
            Some((0.005, 0.10)),
            Some((0.03, 0.20)),
            None,
        ],
    },
    Group {
        name: "obesity",
        codes: &["162864005"],
        bounds: [
            Some((0.0, 0.0)),
            Some((0.15, 0.50)),
            Some((0.25, 0.60)),
            Some((0.25, 0.60)),
            Some((0.15, 0.60)),
        ],
    },
];

fn share(n: usize, d: usize) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

#[test]
fn volumes_and_distinct_codes_fall_in_the_range_of_real_exports() {
    let pop = Population::simulate(2_000, 2024);
    let conditions = pop.per_patient(TableKind::Conditions);
    let medications = pop.per_patient(TableKind::Medications);
    let encounters = pop.per_patient(TableKind::Encounters);
    let distinct = |t: TableKind| pop.distinct[&t].len();
    let mb = pop.bytes as f64 / 1e6 / pop.patients.len() as f64;
    println!(
        "per patient: conditions {conditions:.1}, medications {medications:.1}, encounters \
         {encounters:.1}, procedures {:.1}, observations {:.1}, CSV {mb:.3} MB",
        pop.per_patient(TableKind::Procedures),
        pop.per_patient(TableKind::Observations),
    );
    println!(
        "distinct codes: conditions {}, medications {}, procedures {}, observations {}, careplans {}",
        distinct(TableKind::Conditions),
        distinct(TableKind::Medications),
        distinct(TableKind::Procedures),
        distinct(TableKind::Observations),
        distinct(TableKind::Careplans),
    );
    // Real exports of 10–112 patients: 11–44 conditions, 14–87 medications and 35–68
    // encounters per patient; 49–183 distinct condition and 32–146 medication codes.
    assert!((11.0..44.0).contains(&conditions), "{conditions}");
    assert!((14.0..87.0).contains(&medications), "{medications}");
    assert!((35.0..68.0).contains(&encounters), "{encounters}");
    assert!(distinct(TableKind::Conditions) >= 100);
    assert!(distinct(TableKind::Medications) >= 70);
    assert!(distinct(TableKind::Procedures) >= 60);
    assert!(mb > 0.3, "{mb}");
}

#[test]
fn prevalence_by_age_band_and_sex_is_close_to_published_us_figures() {
    let pop = Population::simulate(2_000, 2024);
    let end = pop.end.unwrap();
    println!("prevalence at the export end (alive patients), female / male / both:");
    let mut out_of_bounds = Vec::new();
    for g in &GROUPS {
        let mut line = format!("{:<13}", g.name);
        for (bi, (band, lo, hi)) in BANDS.iter().enumerate() {
            let mut n = [0usize; 2];
            let mut d = [0usize; 2];
            for (f, _) in pop.alive_at_end().filter(|(_, a)| (*lo..*hi).contains(a)) {
                let s = usize::from(f.female);
                d[s] += 1;
                n[s] += usize::from(f.has_active(g.codes, end));
            }
            let both = share(n[0] + n[1], d[0] + d[1]);
            line.push_str(&format!(
                " | {band} {:4.1}/{:4.1}/{:4.1} %",
                100.0 * share(n[1], d[1]),
                100.0 * share(n[0], d[0]),
                100.0 * both
            ));
            if let Some((min, max)) = g.bounds[bi]
                && !(min..=max).contains(&both)
            {
                out_of_bounds.push(format!(
                    "{} at {band}: {both:.3} not in [{min}, {max}]",
                    g.name
                ));
            }
        }
        println!("{line}");
    }
    assert!(out_of_bounds.is_empty(), "{out_of_bounds:#?}");
}

#[test]
fn diabetes_and_hypertension_onset_rise_with_bmi() {
    let pop = Population::simulate(2_000, 7);
    let end = pop.end.unwrap();
    for (name, code) in [("diabetes", "44054006"), ("hypertension", "59621000")] {
        let mut n = [0usize; 2];
        let mut d = [0usize; 2];
        for (f, _) in pop.alive_at_end().filter(|(_, a)| *a >= 40.0) {
            let obese = usize::from(f.max_bmi >= 30.0);
            d[obese] += 1;
            n[obese] += usize::from(f.has_active(&[code], end));
        }
        let (lean, obese) = (share(n[0], d[0]), share(n[1], d[1]));
        println!(
            "{name} at 40+: BMI < 30 {lean:.3} (n={}), BMI ≥ 30 {obese:.3} (n={})",
            d[0], d[1]
        );
        assert!(obese > 1.4 * lean, "{name}: {obese} vs {lean}");
    }
}

#[test]
fn deaths_follow_disease_with_the_cause_on_the_certificate() {
    let pop = Population::simulate(2_000, 11);
    let dead: Vec<&PatientFacts> = pop
        .patients
        .values()
        .filter(|f| f.death.is_some())
        .collect();
    let with_cause: Vec<&&PatientFacts> = dead.iter().filter(|f| f.cause.is_some()).collect();
    println!(
        "deaths {}, with a disease cause {}",
        dead.len(),
        with_cause.len()
    );
    assert!(share(with_cause.len(), dead.len()) >= 0.4);
    for f in with_cause {
        let cause = f.cause.as_deref().unwrap();
        assert!(
            f.conditions.contains_key(cause),
            "cause is one of the patient's conditions"
        );
        assert!(f.cause_observed, "cause-of-death observation");
        let (onset, _) = f.conditions[cause];
        assert!(onset <= f.death.unwrap());
    }
    // Lung cancer kills: its patients die far more often than the others.
    let died = |has: bool| {
        let group: Vec<_> = pop
            .patients
            .values()
            .filter(|f| f.conditions.contains_key("254637007") == has)
            .collect();
        share(
            group.iter().filter(|f| f.death.is_some()).count(),
            group.len(),
        )
    };
    println!(
        "death share: lung cancer {:.2}, others {:.2}",
        died(true),
        died(false)
    );
    assert!(died(true) > 3.0 * died(false));
}
