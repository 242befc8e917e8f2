//! Population checks of the disease modules on thousands of patients generated in
//! memory (no files, so memory and disk stay small): volumes and distinct codes,
//! prevalence by age band and sex against published US figures, risk factors driving
//! onset, deaths following disease, the readmission rate as quality-metrics measures it,
//! transfer and emergency-admission rates, procedures following their diseases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use synthea_schema::TableKind;

use crate::config::{GeneratorConfig, Layout};
use crate::reference::organizations::Reference;
use crate::stats::Stats;
use crate::writer::Chunk;
use crate::{context, patient};

/// One encounter row, as the stay checks need it.
#[derive(Debug, Clone)]
struct EncRow {
    id: String,
    class: String,
    code: String,
    reason: String,
    org: String,
    start: NaiveDate,
    stop: NaiveDate,
}

/// What the checks need of one patient.
#[derive(Debug, Default)]
struct PatientFacts {
    encounters: Vec<EncRow>,
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
    /// Encounter id → codes and reason codes of its procedures.
    procedure_codes: HashMap<String, Vec<String>>,
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
        let (id, class, org, start, stop) = (
            Self::col(t, "Id"),
            Self::col(t, "ENCOUNTERCLASS"),
            Self::col(t, "ORGANIZATION"),
            Self::col(t, "START"),
            Self::col(t, "STOP"),
        );
        for r in Self::rows_of(chunk, t) {
            let f = self.patients.entry(r[pid].to_string()).or_default();
            if r[code] == "308646001" && !r[reason].is_empty() {
                f.cause = Some(r[reason].to_string());
            }
            f.encounters.push(EncRow {
                id: r[id].to_string(),
                class: r[class].to_string(),
                code: r[code].to_string(),
                reason: r[reason].to_string(),
                org: r[org].to_string(),
                start: day(r[start]),
                stop: day(r[stop]),
            });
        }
        let t = TableKind::Procedures;
        let (enc, code, reason) = (
            Self::col(t, "ENCOUNTER"),
            Self::col(t, "CODE"),
            Self::col(t, "REASONCODE"),
        );
        for r in Self::rows_of(chunk, t) {
            let codes = self.procedure_codes.entry(r[enc].to_string()).or_default();
            codes.push(r[code].to_string());
            if !r[reason].is_empty() {
                codes.push(r[reason].to_string());
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
            Some((0.04, 0.11)),
            Some((0.05, 0.115)),
            Some((0.05, 0.115)),
            Some((0.04, 0.115)),
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
    assert!((20.0..87.0).contains(&medications), "{medications}");
    assert!((35.0..68.0).contains(&encounters), "{encounters}");
    assert!(distinct(TableKind::Conditions) >= 100);
    assert!(distinct(TableKind::Medications) >= 90);
    assert!(distinct(TableKind::Procedures) >= 85);
    assert!(distinct(TableKind::Observations) >= 60);
    // A complete 3.x export is about 0.6 MB per patient.
    assert!((0.5..0.75).contains(&mb), "{mb}");
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

/// A merged inpatient stay of one patient, as quality-metrics' stay rollup builds it.
#[derive(Debug)]
struct Stay {
    org: String,
    admit: NaiveDate,
    discharge: NaiveDate,
    /// Encounter codes and reasons, procedure codes and reasons of its encounters.
    codes: Vec<String>,
    /// Code of the encounter that opened the stay.
    first_code: String,
    transfer_out: bool,
    transfer_in: bool,
}

impl Population {
    /// The patient's stays: inpatient encounters of one organization merged while
    /// admitted at most `gap` days after the running discharge date; a stay followed
    /// within `gap` days by a stay at another organization is transferred out.
    fn stays(&self, f: &PatientFacts, gap: i64) -> Vec<Stay> {
        let mut encs: Vec<&EncRow> = f
            .encounters
            .iter()
            .filter(|e| e.class == "inpatient")
            .collect();
        encs.sort_by_key(|e| (e.start, e.stop));
        let mut stays: Vec<Stay> = Vec::new();
        for e in encs {
            let mut codes = vec![e.code.clone(), e.reason.clone()];
            codes.extend(
                self.procedure_codes
                    .get(&e.id)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            if let Some(s) = stays
                .iter_mut()
                .rev()
                .find(|s| s.org == e.org && (e.start - s.discharge).num_days() <= gap)
            {
                s.discharge = s.discharge.max(e.stop);
                s.codes.extend(codes);
                continue;
            }
            stays.push(Stay {
                org: e.org.clone(),
                admit: e.start,
                discharge: e.stop,
                codes,
                first_code: e.code.clone(),
                transfer_out: false,
                transfer_in: false,
            });
        }
        for k in 1..stays.len() {
            let (a, b) = stays.split_at_mut(k);
            let (prev, next) = (&mut a[k - 1], &mut b[0]);
            if prev.org != next.org && (next.admit - prev.discharge).num_days() <= gap {
                prev.transfer_out = true;
                next.transfer_in = true;
            }
        }
        stays
    }
}

/// quality-metrics' 30-day readmission rate over `pop`: index stays are discharged
/// alive, not transferred out, discharged at least `window_days` before the last
/// discharge, and in none of the exclusion value sets; the readmission is the first
/// later stay admitted 1..=`window_days` days after discharge when it is not planned.
/// Returns (index stays, readmitted).
fn readmission_measure(pop: &Population) -> (usize, usize) {
    use ehr_quality_metrics::{ReadmissionConfig, StayConfig};
    let cfg = ReadmissionConfig::default();
    let gap = i64::from(StayConfig::default().merge_gap_days);
    let window = i64::from(cfg.window_days);
    let in_set = |codes: &[String], set: &[String]| codes.iter().any(|c| set.contains(c));
    let all: Vec<(&PatientFacts, Vec<Stay>)> = pop
        .patients
        .values()
        .map(|f| (f, pop.stays(f, gap)))
        .collect();
    let last_discharge = all
        .iter()
        .flat_map(|(_, s)| s.iter().map(|s| s.discharge))
        .max()
        .unwrap();
    let (mut index, mut readmitted) = (0, 0);
    for (f, stays) in &all {
        let death = f.death.or_else(|| {
            f.encounters
                .iter()
                .filter(|e| cfg.death_encounter_codes.contains(&e.code))
                .map(|e| e.start)
                .min()
        });
        for (k, s) in stays.iter().enumerate() {
            let excluded = death.is_some_and(|d| d <= s.discharge)
                || s.transfer_out
                || (last_discharge - s.discharge).num_days() < window
                || cfg
                    .exclusion_value_sets
                    .iter()
                    .any(|v| in_set(&s.codes, &v.codes));
            if excluded {
                continue;
            }
            index += 1;
            let Some(next) = stays[k + 1..].iter().find(|n| n.admit > s.discharge) else {
                continue;
            };
            let days = (next.admit - s.discharge).num_days();
            let planned = in_set(&next.codes, &cfg.always_planned.codes)
                || (in_set(&next.codes, &cfg.potentially_planned.codes)
                    && !in_set(&next.codes, &cfg.acute.codes));
            if (1..=window).contains(&days) && !planned {
                readmitted += 1;
            }
        }
    }
    (index, readmitted)
}

#[test]
fn readmission_rate_measured_as_quality_metrics_does_is_the_configured_one() {
    let pop = Population::simulate(5_000, 31);
    let (index, readmitted) = readmission_measure(&pop);
    let rate = share(readmitted, index);
    println!(
        "index stays {index}, readmitted {readmitted}, rate {:.2} %",
        100.0 * rate
    );
    assert!(index > 1_500, "{index}");
    assert!((rate - 0.12).abs() <= 0.015, "{rate}");
}

#[test]
fn transfers_and_emergency_admissions_occur_at_the_configured_rates() {
    let pop = Population::simulate(3_000, 5);
    let (mut unplanned, mut transferred, mut through_er) = (0usize, 0usize, 0usize);
    for f in pop.patients.values() {
        let er_days: HashSet<NaiveDate> = f
            .encounters
            .iter()
            .filter(|e| e.class == "emergency")
            .map(|e| e.start)
            .collect();
        for s in pop.stays(f, 1) {
            // Unplanned admissions: "Encounter Inpatient" at the patient's hospital.
            if s.transfer_in || s.first_code != "183452005" {
                continue;
            }
            unplanned += 1;
            transferred += usize::from(s.transfer_out);
            through_er += usize::from(er_days.contains(&s.admit));
        }
    }
    let (transfer, er) = (share(transferred, unplanned), share(through_er, unplanned));
    println!(
        "unplanned admissions {unplanned}: transferred {:.1} % (configured 5 %), through the ER {:.1} % (configured 45 %)",
        100.0 * transfer,
        100.0 * er
    );
    assert!(unplanned > 1_000, "{unplanned}");
    assert!((transfer - 0.05).abs() <= 0.02, "{transfer}");
    assert!((er - 0.45).abs() <= 0.04, "{er}");
}

#[test]
fn joint_replacements_dialysis_and_radiation_follow_their_diseases() {
    let pop = Population::simulate(3_000, 17);
    let has = |f: &PatientFacts, code: &str| f.conditions.contains_key(code);
    let mut counts = [0usize; 3];
    for f in pop.patients.values() {
        let procs: HashSet<&String> = f
            .encounters
            .iter()
            .flat_map(|e| pop.procedure_codes.get(&e.id).into_iter().flatten())
            .collect();
        let did = |c: &str| procs.contains(&c.to_string());
        if did("609588000") {
            assert!(
                has(f, "239873007"),
                "knee replacement without knee osteoarthritis"
            );
            counts[0] += 1;
        }
        if did("52734007") {
            assert!(
                has(f, "239872002"),
                "hip replacement without hip osteoarthritis"
            );
            counts[0] += 1;
        }
        if did("302497006") {
            assert!(
                has(f, "431855005") && has(f, "46177005"),
                "dialysis without ESRD"
            );
            counts[1] += 1;
        }
        if did("33195004") {
            assert!(
                has(f, "254837009") || has(f, "126906006"),
                "radiation without cancer"
            );
            counts[2] += 1;
        }
    }
    println!(
        "patients with a joint replacement {}, on dialysis {}, with radiation therapy {}",
        counts[0], counts[1], counts[2]
    );
    assert!(counts.iter().all(|c| *c > 0), "{counts:?}");
}
