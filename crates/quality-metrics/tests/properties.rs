//! Property tests of the quality metrics over random small Synthea-style populations,
//! each output checked against invariants and a straightforward in-test oracle.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use ehr_quality_metrics::prelude::*;
use polars::prelude::*;
use proptest::prelude::*;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::{SyntheaVersion, TableKind};

mod common;
use common::on_big_stack;

// ---------------------------------------------------------------------------------------
// Random populations
// ---------------------------------------------------------------------------------------

/// First day of the generated data (two months before the gold period).
fn base() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 11, 1).unwrap()
}

/// The as-of date: gold period = 2022-01-01 ..= 2022-12-31.
fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 12, 31).unwrap()
}

const GAP: i32 = 1;
const WINDOW: i32 = 30;
const LOOKBACK: i32 = 90;
const PLANNED: &[&str] = &["302497006", "367336001"];
const INPATIENT_REASONS: &[&str] = &[
    "",
    "",
    "",
    "1234",
    "56876005",
    "35489007",
    "302497006",
    "367336001",
];
const MED_CODES: &[&str] = &["314231", "312961", "314076", "999999"];
const CONDITION_CODES: &[&str] = &["c1", "c2", "c3"];
const OTHER_CLASSES: &[&str] = &["wellness", "ambulatory", "outpatient"];
const DEATH_CERT: &str = "308646001";

#[derive(Clone, Debug)]
struct Inpatient {
    org: usize,
    /// Days after the previous inpatient admission of the patient (first: after `base`).
    delta: i64,
    hour: u32,
    len_days: i64,
    extra_hours: i64,
    open: bool,
    reason: usize,
    dup: bool,
}

#[derive(Clone, Debug)]
struct Med {
    code: usize,
    day: i64,
    span: i64,
    has_stop: bool,
    dispenses: u32,
}

#[derive(Clone, Debug)]
struct PatientGen {
    birth_year: i32,
    death: Option<i64>,
    cert: bool,
    inpatient: Vec<Inpatient>,
    /// Emergency encounters: `(Some(k))` on inpatient k's admission day, else a random day.
    emergency: Vec<(Option<usize>, i64, usize)>,
    /// `(class, day)` of other encounters.
    other: Vec<(usize, i64)>,
    meds: Vec<Med>,
    /// `(code, day)`.
    conditions: Vec<(usize, i64)>,
    /// `(inpatient index, planned?)`.
    procedures: Vec<(usize, bool)>,
}

#[derive(Clone, Debug)]
struct Population {
    orgs: usize,
    patients: Vec<PatientGen>,
}

fn inpatient_strategy() -> impl Strategy<Value = Inpatient> {
    (
        0usize..3,
        prop_oneof![0i64..3, 0i64..15, 0i64..60],
        0u32..24,
        prop_oneof![0i64..3, 0i64..11],
        0i64..24,
        prop::bool::weighted(0.1),
        0..INPATIENT_REASONS.len(),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(org, delta, hour, len_days, extra_hours, open, reason, dup)| Inpatient {
                org,
                delta,
                hour,
                len_days,
                extra_hours,
                open,
                reason,
                dup,
            },
        )
}

fn patient_strategy() -> impl Strategy<Value = PatientGen> {
    (
        prop::sample::select(vec![1940, 1980, 2010]),
        prop::option::weighted(0.25, 0i64..425),
        any::<bool>(),
        prop::collection::vec(inpatient_strategy(), 0..=10),
        prop::collection::vec((prop::option::of(0usize..10), 0i64..425, 0usize..3), 0..=3),
        prop::collection::vec((0..OTHER_CLASSES.len(), 0i64..425), 0..=4),
        prop::collection::vec(
            (
                0..MED_CODES.len(),
                0i64..425,
                1i64..200,
                any::<bool>(),
                0u32..9,
            )
                .prop_map(|(code, day, span, has_stop, dispenses)| Med {
                    code,
                    day,
                    span,
                    has_stop,
                    dispenses,
                }),
            0..=4,
        ),
        prop::collection::vec((0..CONDITION_CODES.len(), 0i64..425), 0..=4),
        prop::collection::vec((0usize..10, any::<bool>()), 0..=2),
    )
        .prop_map(
            |(
                birth_year,
                death,
                cert,
                inpatient,
                emergency,
                other,
                meds,
                conditions,
                procedures,
            )| {
                PatientGen {
                    birth_year,
                    death,
                    cert,
                    inpatient,
                    emergency,
                    other,
                    meds,
                    conditions,
                    procedures,
                }
            },
        )
}

fn population_strategy() -> impl Strategy<Value = Population> {
    (1usize..=3, prop::collection::vec(patient_strategy(), 1..=4))
        .prop_map(|(orgs, patients)| Population { orgs, patients })
}

// ---------------------------------------------------------------------------------------
// Raw rows (the model) and silver inputs
// ---------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct EncRow {
    id: String,
    patient: String,
    org: String,
    class: String,
    start: NaiveDateTime,
    stop: Option<NaiveDateTime>,
    code: String,
    reason: String,
}

#[derive(Clone, Debug)]
struct MedRow {
    patient: String,
    code: String,
    start: NaiveDateTime,
    stop: Option<NaiveDateTime>,
    dispenses: u32,
}

#[derive(Clone, Debug, Default)]
struct Model {
    encounters: Vec<EncRow>,
    /// `(id, birth date, death date)`.
    patients: Vec<(String, NaiveDate, Option<NaiveDate>)>,
    meds: Vec<MedRow>,
    /// `(patient, code, date)`.
    conditions: Vec<(String, String, NaiveDate)>,
    /// `(patient, encounter, code, start)`.
    procedures: Vec<(String, String, String, NaiveDateTime)>,
}

fn at(day: i64, hour: u32) -> NaiveDateTime {
    (base() + Duration::days(day))
        .and_hms_opt(hour, 0, 0)
        .unwrap()
}

fn model(pop: &Population) -> Model {
    let mut m = Model::default();
    for (pi, p) in pop.patients.iter().enumerate() {
        let pid = format!("p{pi}");
        let death = p.death.map(|d| base() + Duration::days(d));
        m.patients.push((
            pid.clone(),
            NaiveDate::from_ymd_opt(p.birth_year, 6, 15).unwrap(),
            death,
        ));
        let mut day = 0i64;
        let mut starts = Vec::new();
        for (k, e) in p.inpatient.iter().enumerate() {
            day += e.delta;
            let start = at(day, e.hour);
            starts.push((start, e.org % pop.orgs));
            let stop = start + Duration::days(e.len_days) + Duration::hours(e.extra_hours);
            let row = EncRow {
                id: format!("{pid}-i{k}"),
                patient: pid.clone(),
                org: format!("o{}", e.org % pop.orgs),
                class: "inpatient".into(),
                start,
                stop: (!e.open).then_some(stop),
                code: "183452005".into(),
                reason: INPATIENT_REASONS[e.reason].into(),
            };
            if e.dup {
                m.encounters.push(row.clone());
            }
            m.encounters.push(row);
        }
        for (k, (on, d, org)) in p.emergency.iter().enumerate() {
            let (start, org) = match on.and_then(|i| starts.get(i)) {
                Some((s, o)) => (s.date().and_hms_opt(0, 30, 0).unwrap(), *o),
                None => (at(*d, 14), *org % pop.orgs),
            };
            m.encounters.push(EncRow {
                id: format!("{pid}-e{k}"),
                patient: pid.clone(),
                org: format!("o{org}"),
                class: "emergency".into(),
                start,
                stop: Some(start + Duration::hours(3)),
                code: "50849002".into(),
                reason: String::new(),
            });
        }
        for (k, (class, d)) in p.other.iter().enumerate() {
            let start = at(*d, 10);
            m.encounters.push(EncRow {
                id: format!("{pid}-o{k}"),
                patient: pid.clone(),
                org: "o0".into(),
                class: OTHER_CLASSES[*class].into(),
                start,
                stop: Some(start + Duration::hours(1)),
                code: "410620009".into(),
                reason: String::new(),
            });
        }
        if let (Some(d), true) = (p.death, p.cert) {
            let start = at(d, 20);
            m.encounters.push(EncRow {
                id: format!("{pid}-cert"),
                patient: pid.clone(),
                org: "o0".into(),
                class: "ambulatory".into(),
                start,
                stop: Some(start + Duration::hours(1)),
                code: DEATH_CERT.into(),
                reason: String::new(),
            });
        }
        for md in &p.meds {
            let start = at(md.day, 9);
            m.meds.push(MedRow {
                patient: pid.clone(),
                code: MED_CODES[md.code].into(),
                start,
                stop: md.has_stop.then(|| start + Duration::days(md.span)),
                dispenses: md.dispenses,
            });
        }
        for (c, d) in &p.conditions {
            m.conditions.push((
                pid.clone(),
                CONDITION_CODES[*c].into(),
                base() + Duration::days(*d),
            ));
        }
        for (k, planned) in &p.procedures {
            if let Some((start, _)) = starts.get(*k) {
                m.procedures.push((
                    pid.clone(),
                    format!("{pid}-i{k}"),
                    if *planned { PLANNED[0] } else { "80146002" }.into(),
                    *start + Duration::hours(1),
                ));
            }
        }
    }
    m
}

fn ts(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn silver(table: TableKind, raw: DataFrame) -> LazyFrame {
    normalize(
        table,
        SyntheaVersion::V3Latest,
        raw.lazy(),
        &NormalizeConfig::default(),
    )
    .unwrap()
}

/// Silver inputs of the model; `reverse` feeds every table's rows in reverse order.
fn inputs(m: &Model, reverse: bool) -> SilverInputs {
    fn ord<T: Clone>(v: &[T], reverse: bool) -> Vec<T> {
        let mut v = v.to_vec();
        if reverse {
            v.reverse();
        }
        v
    }
    let e = ord(&m.encounters, reverse);
    let col_of = |f: &dyn Fn(&EncRow) -> String| e.iter().map(f).collect::<Vec<_>>();
    let encounters = df!(
        "Id" => col_of(&|r| r.id.clone()),
        "START" => col_of(&|r| ts(&r.start)),
        "STOP" => col_of(&|r| r.stop.as_ref().map(ts).unwrap_or_default()),
        "PATIENT" => col_of(&|r| r.patient.clone()),
        "ORGANIZATION" => col_of(&|r| r.org.clone()),
        "ENCOUNTERCLASS" => col_of(&|r| r.class.clone()),
        "CODE" => col_of(&|r| r.code.clone()),
        "REASONCODE" => col_of(&|r| r.reason.clone()),
    )
    .unwrap();
    let p = ord(&m.patients, reverse);
    let patients = df!(
        "Id" => p.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "BIRTHDATE" => p.iter().map(|r| r.1.to_string()).collect::<Vec<_>>(),
        "DEATHDATE" => p.iter().map(|r| r.2.map(|d| d.to_string()).unwrap_or_default()).collect::<Vec<_>>(),
        "GENDER" => p.iter().map(|_| "F").collect::<Vec<_>>(),
    )
    .unwrap();
    let c = ord(&m.conditions, reverse);
    let conditions = df!(
        "START" => c.iter().map(|r| r.2.to_string()).collect::<Vec<_>>(),
        "STOP" => c.iter().map(|_| "").collect::<Vec<_>>(),
        "PATIENT" => c.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "ENCOUNTER" => c.iter().map(|_| "x").collect::<Vec<_>>(),
        "CODE" => c.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        "DESCRIPTION" => c.iter().map(|_| "x").collect::<Vec<_>>(),
    )
    .unwrap();
    let md = ord(&m.meds, reverse);
    let medications = df!(
        "START" => md.iter().map(|r| ts(&r.start)).collect::<Vec<_>>(),
        "STOP" => md.iter().map(|r| r.stop.as_ref().map(ts).unwrap_or_default()).collect::<Vec<_>>(),
        "PATIENT" => md.iter().map(|r| r.patient.clone()).collect::<Vec<_>>(),
        "ENCOUNTER" => md.iter().map(|_| "x").collect::<Vec<_>>(),
        "CODE" => md.iter().map(|r| r.code.clone()).collect::<Vec<_>>(),
        "DESCRIPTION" => md.iter().map(|_| "x").collect::<Vec<_>>(),
        "DISPENSES" => md.iter().map(|r| r.dispenses.to_string()).collect::<Vec<_>>(),
    )
    .unwrap();
    let pr = ord(&m.procedures, reverse);
    let procedures = df!(
        "START" => pr.iter().map(|r| ts(&r.3)).collect::<Vec<_>>(),
        "STOP" => pr.iter().map(|_| "").collect::<Vec<_>>(),
        "PATIENT" => pr.iter().map(|r| r.0.clone()).collect::<Vec<_>>(),
        "ENCOUNTER" => pr.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
        "CODE" => pr.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
        "DESCRIPTION" => pr.iter().map(|_| "x").collect::<Vec<_>>(),
    )
    .unwrap();
    SilverInputs {
        encounters: silver(TableKind::Encounters, encounters),
        patients: silver(TableKind::Patients, patients),
        conditions: silver(TableKind::Conditions, conditions),
        medications: silver(TableKind::Medications, medications),
        procedures: silver(TableKind::Procedures, procedures),
        capacity: None,
    }
}

fn config() -> QualityConfig {
    let c = QualityConfig::default();
    assert_eq!(c.stays.merge_gap_days, GAP);
    assert_eq!(c.readmission.window_days, WINDOW);
    assert_eq!(c.latency.lookback_days, LOOKBACK);
    c.with_readmission(
        ReadmissionConfig::default()
            .with_always_planned(ValueSet::new("always_planned", PLANNED))
            .with_potentially_planned(ValueSet::new("potentially_planned", &[])),
    )
}

fn period() -> MeasurementPeriod {
    MeasurementPeriod::months_ending(as_of(), 12).unwrap()
}

/// The gold frames named in `names` (all of [`GOLD_TABLES`] when empty), collected.
fn gold(m: &Model, reverse: bool, names: &[&str]) -> HashMap<String, DataFrame> {
    let inputs = inputs(m, reverse);
    gold_tables(&inputs, &config(), as_of())
        .unwrap()
        .into_iter()
        .filter(|t| names.is_empty() || names.contains(&t.name.as_str()))
        .map(|t| (t.name, t.frame.collect().unwrap()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Column helpers
// ---------------------------------------------------------------------------------------

fn epoch(d: NaiveDate) -> i32 {
    i32::try_from((d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days()).unwrap()
}

fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    df.column(name)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

fn strs_nn(df: &DataFrame, name: &str) -> Vec<String> {
    strs(df, name).into_iter().map(Option::unwrap).collect()
}

fn bools(df: &DataFrame, name: &str) -> Vec<Option<bool>> {
    df.column(name).unwrap().bool().unwrap().iter().collect()
}

fn ints(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    let c = df.column(name).unwrap().cast(&DataType::Int64).unwrap();
    c.i64().unwrap().iter().collect()
}

fn floats(df: &DataFrame, name: &str) -> Vec<Option<f64>> {
    df.column(name).unwrap().f64().unwrap().iter().collect()
}

/// Date columns as epoch days.
fn days(df: &DataFrame, name: &str) -> Vec<Option<i32>> {
    let c = df.column(name).unwrap().cast(&DataType::Int32).unwrap();
    c.i32().unwrap().iter().collect()
}

/// Datetime columns as epoch microseconds.
fn micros(df: &DataFrame, name: &str) -> Vec<Option<i64>> {
    let c = df.column(name).unwrap();
    let c = c
        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
        .unwrap();
    c.cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect()
}

fn assert_unique<K: Ord + std::fmt::Debug>(label: &str, keys: impl IntoIterator<Item = K>) {
    let mut seen = BTreeSet::new();
    for k in keys {
        assert!(!seen.contains(&k), "{label}: duplicate grain key {k:?}");
        seen.insert(k);
    }
}

/// Distinct inpatient encounters of the model (exact duplicates collapsed).
fn inpatient(m: &Model) -> BTreeMap<String, EncRow> {
    m.encounters
        .iter()
        .filter(|e| e.class == "inpatient")
        .map(|e| (e.id.clone(), e.clone()))
        .collect()
}

/// Merge horizon of an encounter: its stop date, or (open) max(as_of, admission).
fn eff_end(e: &EncRow) -> i32 {
    let adm = epoch(e.start.date());
    e.stop
        .map_or_else(|| epoch(as_of()).max(adm), |s| epoch(s.date()))
}

/// Oracle: the stays as sets of encounter ids (interval union per patient × org).
fn expected_partition(m: &Model) -> BTreeSet<BTreeSet<String>> {
    let mut groups: BTreeMap<(String, String), Vec<EncRow>> = BTreeMap::new();
    for e in inpatient(m).into_values() {
        groups
            .entry((e.patient.clone(), e.org.clone()))
            .or_default()
            .push(e);
    }
    let mut out = BTreeSet::new();
    for mut encs in groups.into_values() {
        encs.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        let mut cur: BTreeSet<String> = BTreeSet::new();
        let mut max_end = i32::MIN;
        for e in encs {
            let adm = epoch(e.start.date());
            if !cur.is_empty() && adm > max_end + GAP {
                out.insert(std::mem::take(&mut cur));
            }
            max_end = max_end.max(eff_end(&e));
            cur.insert(e.id.clone());
        }
        if !cur.is_empty() {
            out.insert(cur);
        }
    }
    out
}

/// Bridge as stay_id → encounter ids.
fn bridge_map(bridge: &DataFrame) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (s, e) in strs_nn(bridge, "stay_id")
        .into_iter()
        .zip(strs_nn(bridge, "encounter_id"))
    {
        out.entry(s).or_default().insert(e);
    }
    out
}

fn cases() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(16)
    }
}

// ---------------------------------------------------------------------------------------
// 1. Stays
// ---------------------------------------------------------------------------------------

fn check_stays_cover_every_inpatient_encounter_once(m: &Model) {
    let g = gold(m, false, &["inpatient_stays", "stay_encounters"]);
    let (stays, bridge) = (&g["inpatient_stays"], &g["stay_encounters"]);
    let inp = inpatient(m);
    // Bridge: every distinct inpatient encounter exactly once.
    let ids = strs_nn(bridge, "encounter_id");
    assert_unique("bridge encounter_id", ids.iter().cloned());
    let got: BTreeSet<String> = ids.into_iter().collect();
    let want: BTreeSet<String> = inp.keys().cloned().collect();
    assert_eq!(got, want, "bridge covers exactly the inpatient encounters");
    // stay_id unique; the bridge and the stays name the same stays.
    let stay_ids = strs_nn(stays, "stay_id");
    assert_unique("stays stay_id", stay_ids.iter().cloned());
    let groups = bridge_map(bridge);
    assert_eq!(
        stay_ids.iter().cloned().collect::<BTreeSet<_>>(),
        groups.keys().cloned().collect::<BTreeSet<_>>()
    );
    // Partition = the interval-union oracle.
    let partition: BTreeSet<BTreeSet<String>> = groups.values().cloned().collect();
    assert_eq!(partition, expected_partition(m), "interval union");
    // Per-stay columns agree with the member encounters.
    let adm = days(stays, "admission_date");
    let dis = days(stays, "discharge_date");
    let open = bools(stays, "open_flag");
    let count = ints(stays, "encounter_count");
    let los = ints(stays, "los_days");
    let orgs = strs_nn(stays, "organization_id");
    let er = bools(stays, "er_admit_flag");
    let dups = ints(stays, "duplicate_encounter_rows");
    for (i, sid) in stay_ids.iter().enumerate() {
        let members: Vec<&EncRow> = groups[sid].iter().map(|id| &inp[id]).collect();
        assert!(
            members
                .iter()
                .all(|e| e.org == orgs[i] && e.patient == members[0].patient)
        );
        let want_adm = members.iter().map(|e| epoch(e.start.date())).min().unwrap();
        let want_open = members.iter().any(|e| e.stop.is_none());
        let want_dis = (!want_open).then(|| {
            members
                .iter()
                .map(|e| epoch(e.stop.unwrap().date()))
                .max()
                .unwrap()
        });
        assert_eq!(adm[i], Some(want_adm), "{sid} admission_date");
        assert_eq!(open[i], Some(want_open), "{sid} open_flag");
        assert_eq!(dis[i], want_dis, "{sid} discharge_date");
        assert_eq!(
            count[i],
            Some(members.len() as i64),
            "{sid} encounter_count"
        );
        assert_eq!(
            los[i],
            want_dis.map(|d| i64::from((d - want_adm).max(1))),
            "{sid} los_days"
        );
        let want_dups = m
            .encounters
            .iter()
            .filter(|e| groups[sid].contains(&e.id))
            .count()
            - members.len();
        assert_eq!(dups[i], Some(want_dups as i64), "{sid} duplicates");
        let want_er = m.encounters.iter().any(|e| {
            e.class == "emergency"
                && e.patient == members[0].patient
                && epoch(e.start.date()) == want_adm
        });
        assert_eq!(er[i], Some(want_er), "{sid} er_admit_flag");
    }
}

fn check_stays_do_not_overlap_after_merging(m: &Model) {
    let g = gold(m, false, &["stay_encounters"]);
    let inp = inpatient(m);
    let groups = bridge_map(&g["stay_encounters"]);
    // (patient, org) → [(admission day, merge horizon)] of each stay.
    let mut by: BTreeMap<(String, String), Vec<(i32, i32)>> = BTreeMap::new();
    for ids in groups.values() {
        let members: Vec<&EncRow> = ids.iter().map(|id| &inp[id]).collect();
        let a = members.iter().map(|e| epoch(e.start.date())).min().unwrap();
        let z = members.iter().map(|e| eff_end(e)).max().unwrap();
        by.entry((members[0].patient.clone(), members[0].org.clone()))
            .or_default()
            .push((a, z));
    }
    for (key, mut v) in by {
        v.sort_unstable();
        for w in v.windows(2) {
            assert!(
                w[1].0 > w[0].1 + GAP,
                "{key:?}: stays {:?} and {:?} overlap or are within the merge gap",
                w[0],
                w[1]
            );
        }
    }
}

fn check_rollup_is_idempotent_and_order_independent(m: &Model) {
    let a = gold(m, false, &[]);
    let b = gold(m, false, &[]);
    for name in GOLD_TABLES {
        assert!(
            a[name].equals_missing(&b[name]),
            "{name} differs between two runs on the same input:\n{}\n{}",
            a[name],
            b[name]
        );
    }
    // Same rows in another order: same stays and bridge (up to row order).
    let r = gold(m, true, &["inpatient_stays", "stay_encounters"]);
    for (name, key) in [
        ("inpatient_stays", "stay_id"),
        ("stay_encounters", "encounter_id"),
    ] {
        let s = |df: &DataFrame| df.sort([key], SortMultipleOptions::default()).unwrap();
        assert!(
            s(&a[name]).equals_missing(&s(&r[name])),
            "{name} depends on input row order:\n{}\n{}",
            s(&a[name]),
            s(&r[name])
        );
    }
}

// ---------------------------------------------------------------------------------------
// 2. Readmissions
// ---------------------------------------------------------------------------------------

fn check_readmissions_subset_of_index_stays_with_reasons(m: &Model) {
    let g = gold(
        m,
        false,
        &[
            "inpatient_stays",
            "stay_encounters",
            "readmissions",
            "readmission_rates",
        ],
    );
    let (stays, bridge, r) = (
        &g["inpatient_stays"],
        &g["stay_encounters"],
        &g["readmissions"],
    );
    let sid = strs_nn(r, "stay_id");
    assert_unique("readmissions stay_id", sid.iter().cloned());
    assert_eq!(r.height(), stays.height(), "one readmission row per stay");
    let groups = bridge_map(bridge);
    let all: HashMap<String, &EncRow> = m.encounters.iter().map(|e| (e.id.clone(), e)).collect();
    // Oracle inputs per stay.
    let planned = |s: &str| {
        groups[s].iter().any(|id| {
            let e = all[id];
            PLANNED.contains(&e.code.as_str()) || PLANNED.contains(&e.reason.as_str())
        }) || m
            .procedures
            .iter()
            .any(|p| groups[s].contains(&p.1) && PLANNED.contains(&p.2.as_str()))
    };
    let has_code = |s: &str, set: &[String]| {
        groups[s].iter().any(|id| {
            let e = all[id];
            set.contains(&e.code) || set.contains(&e.reason)
        }) || m
            .procedures
            .iter()
            .any(|p| groups[s].contains(&p.1) && set.contains(&p.2))
    };
    let stay_row: HashMap<String, usize> = strs_nn(stays, "stay_id")
        .into_iter()
        .enumerate()
        .map(|(i, s)| (s, i))
        .collect();
    let transfer = bools(stays, "transfer_out_flag");
    let pat = strs_nn(r, "patient_id");
    let adm = days(r, "admission_date");
    let dis = days(r, "discharge_date");
    let index = bools(r, "index_flag");
    let reason = strs(r, "exclusion_reason");
    let flag = bools(r, "readmission_flag");
    let crude = bools(r, "crude_readmission_flag");
    let dtr = ints(r, "days_to_readmission");
    let rid = strs(r, "readmit_stay_id");
    let adm_ts_by_stay: HashMap<String, i64> = strs_nn(stays, "stay_id")
        .into_iter()
        .zip(
            micros(stays, "admission_ts")
                .into_iter()
                .map(Option::unwrap),
        )
        .collect();
    let adm_ts: Vec<i64> = sid.iter().map(|s| adm_ts_by_stay[s]).collect();
    let radm = days(r, "readmit_admission_date");
    let last_dis = dis.iter().flatten().max().copied();
    let cfg = config().readmission;
    for i in 0..r.height() {
        let s = &sid[i];
        let (index, flag) = (index[i].unwrap(), flag[i].unwrap());
        // Numerator ⊆ denominator; every non-index stay has a reason.
        assert!(!flag || index, "{s}: readmission without index stay");
        assert_eq!(
            index,
            reason[i].is_none(),
            "{s}: index ⇔ no exclusion reason"
        );
        assert!(
            !crude[i].unwrap() || dis[i].is_some(),
            "{s}: crude on open stay"
        );
        // Exclusion reason oracle, in the documented order.
        let died = m.patients.iter().any(|(p, _, d)| {
            p == &pat[i] && matches!((d, dis[i]), (Some(d), Some(x)) if epoch(*d) <= x)
        }) || m.encounters.iter().any(|e| {
            e.patient == pat[i]
                && e.code == DEATH_CERT
                && dis[i].is_some_and(|x| epoch(e.start.date()) <= x)
        });
        let want_reason = if dis[i].is_none() {
            Some("still_admitted".to_string())
        } else if died {
            Some("died".into())
        } else if transfer[stay_row[s]].unwrap() {
            Some("transfer".into())
        } else if dis[i].unwrap() > last_dis.unwrap() - WINDOW {
            Some("run_out".into())
        } else {
            cfg.exclusion_value_sets
                .iter()
                .find(|vs| has_code(s, &vs.codes))
                .map(|vs| vs.name.clone())
        };
        assert_eq!(reason[i], want_reason, "{s}: exclusion_reason");
        // Readmission oracle (CMS): only the patient's first stay admitted 1..=30 days
        // later (by admission time, then stay id) is examined; it counts unless planned.
        let first: Option<usize> = (0..r.height())
            .filter(|&j| j != i && pat[j] == pat[i])
            .filter(|&j| dis[i].is_some_and(|x| (1..=WINDOW).contains(&(adm[j].unwrap() - x))))
            .min_by_key(|&j| (adm_ts[j], &sid[j]));
        let qualifying: Vec<i32> = first
            .filter(|&j| !planned(&sid[j]))
            .map(|j| adm[j].unwrap())
            .into_iter()
            .collect();
        assert_eq!(
            flag,
            index && !qualifying.is_empty(),
            "{s}: readmission_flag"
        );
        if flag {
            let d = dtr[i].unwrap();
            assert!((1..=i64::from(WINDOW)).contains(&d), "{s}: days {d}");
            let j = sid.iter().position(|x| Some(x) == rid[i].as_ref()).unwrap();
            assert_eq!(pat[j], pat[i]);
            assert_eq!(radm[i], adm[j]);
            assert_eq!(
                radm[i],
                qualifying.iter().min().copied(),
                "{s}: first readmission"
            );
            assert_eq!(i64::from(adm[j].unwrap() - dis[i].unwrap()), d);
        } else {
            assert!(
                rid[i].is_none() && dtr[i].is_none(),
                "{s}: stray readmission"
            );
        }
    }
    // Rates.
    let rates = &g["readmission_rates"];
    let dim = strs_nn(rates, "dimension");
    let val = strs_nn(rates, "dimension_value");
    assert_unique("readmission_rates grain", dim.iter().zip(val.iter()));
    let (idx, rd) = (ints(rates, "index_stays"), ints(rates, "readmissions"));
    let (cs, cr) = (
        ints(rates, "crude_stays"),
        ints(rates, "crude_readmissions"),
    );
    let (rate, crude_rate) = (floats(rates, "rate"), floats(rates, "crude_rate"));
    for k in 0..rates.height() {
        assert!(
            rd[k] <= idx[k] && cr[k] <= cs[k],
            "row {k}: numerator > denominator"
        );
        for v in [rate[k], crude_rate[k]].into_iter().flatten() {
            assert!((0.0..=1.0).contains(&v), "row {k}: rate {v}");
        }
        if dim[k] == "overall" {
            let n_index = index.iter().filter(|v| **v == Some(true)).count() as i64;
            let n_flag = flag.iter().filter(|v| **v == Some(true)).count() as i64;
            assert_eq!(
                (idx[k], rd[k]),
                (Some(n_index), Some(n_flag)),
                "overall counts"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3. Adherence
// ---------------------------------------------------------------------------------------

/// Fills `(day, supply)` of one patient × class, by drug code.
type FillsByCode = BTreeMap<String, Vec<(i32, i32)>>;

/// Oracle row: (first fill, fill count, distinct dates, covered days).
fn expected_adherence(m: &Model) -> BTreeMap<(String, String), (i32, usize, usize, usize)> {
    let cfg = config().adherence;
    let class_of = |code: &str| {
        cfg.drug_classes
            .iter()
            .find(|vs| vs.codes.iter().any(|c| c == code))
            .map(|vs| vs.name.clone())
    };
    let (ps, pe) = (epoch(period().start), epoch(period().end));
    // (patient, class) → code → fills (day, supply).
    let mut fills: BTreeMap<(String, String), FillsByCode> = BTreeMap::new();
    for md in &m.meds {
        let Some(class) = class_of(&md.code) else {
            continue;
        };
        let s = epoch(md.start.date());
        // Still running at the as-of date: the span includes the as-of day.
        let e = md.stop.map_or(epoch(as_of()) + 1, |t| epoch(t.date()));
        if md.dispenses < 1 || s > pe || e < ps {
            continue;
        }
        let (span, n) = (i64::from((e - s).max(1)), i64::from(md.dispenses));
        for k in 0..n {
            let fill = s + i32::try_from(k * span / n).unwrap();
            let supply = i32::try_from((k + 1) * span / n - k * span / n).unwrap();
            if (ps..=pe).contains(&fill) {
                fills
                    .entry((md.patient.clone(), class.clone()))
                    .or_default()
                    .entry(md.code.clone())
                    .or_default()
                    .push((fill, supply));
            }
        }
    }
    fills
        .into_iter()
        .map(|(key, by_code)| {
            let all: Vec<(i32, i32)> = by_code.values().flatten().copied().collect();
            let first = all.iter().map(|f| f.0).min().unwrap();
            let distinct = all.iter().map(|f| f.0).collect::<BTreeSet<_>>().len();
            let mut covered = BTreeSet::new();
            for mut v in by_code.into_values() {
                v.sort_unstable();
                let mut prev_end = i32::MIN;
                for (fill, supply) in v {
                    if supply == 0 {
                        continue;
                    }
                    let begin = fill.max(prev_end.saturating_add(1));
                    let end = begin + supply - 1;
                    prev_end = end;
                    covered.extend(begin..=end.min(pe));
                }
            }
            (key, (first, all.len(), distinct, covered.len()))
        })
        .collect()
}

fn check_adherence_pdc_bounds_and_flags(m: &Model) {
    let g = gold(m, false, &["medication_adherence"]);
    let a = &g["medication_adherence"];
    let pe = epoch(period().end);
    let pat = strs_nn(a, "patient_id");
    let class = strs_nn(a, "drug_class");
    assert_unique("adherence grain", pat.iter().zip(class.iter()));
    let pdc = floats(a, "pdc");
    let covered = ints(a, "covered_days");
    let treat = ints(a, "treatment_days");
    let first = days(a, "first_fill_date");
    let fills = ints(a, "fill_count");
    let distinct = ints(a, "distinct_fill_dates");
    let eligible = bools(a, "eligible_flag");
    let adherent = bools(a, "adherent_flag");
    let reason = strs(a, "exclusion_reason");
    let expected = expected_adherence(m);
    let got_keys: BTreeSet<(String, String)> =
        pat.iter().cloned().zip(class.iter().cloned()).collect();
    assert_eq!(
        got_keys,
        expected.keys().cloned().collect::<BTreeSet<_>>(),
        "adherence rows = patient × class with a fill in the period"
    );
    for i in 0..a.height() {
        let key = (pat[i].clone(), class[i].clone());
        let (c, t, p) = (covered[i].unwrap(), treat[i].unwrap(), pdc[i].unwrap());
        assert!((0.0..=1.0).contains(&p), "{key:?}: pdc {p}");
        assert!(0 <= c && c <= t, "{key:?}: covered {c} > treatment {t}");
        assert_eq!(
            t,
            i64::from(pe - first[i].unwrap() + 1),
            "{key:?}: treatment"
        );
        assert!(
            (p - c as f64 / t as f64).abs() < 1e-12,
            "{key:?}: pdc = covered / days"
        );
        let (e, ad) = (eligible[i].unwrap(), adherent[i].unwrap());
        assert_eq!(e, reason[i].is_none(), "{key:?}: eligible ⇔ no reason");
        if e {
            assert_eq!(ad, p >= 0.8, "{key:?}: adherent ⇔ pdc ≥ 0.8 (pdc {p})");
            assert!(
                distinct[i].unwrap() >= 2,
                "{key:?}: eligible with one fill date"
            );
        } else {
            assert!(!ad, "{key:?}: adherent but not eligible");
        }
        let (w_first, w_fills, w_distinct, w_covered) = expected[&key];
        assert_eq!(first[i], Some(w_first), "{key:?}: first fill");
        assert_eq!(fills[i], Some(w_fills as i64), "{key:?}: fill count");
        assert_eq!(
            distinct[i],
            Some(w_distinct as i64),
            "{key:?}: distinct dates"
        );
        assert_eq!(c, w_covered as i64, "{key:?}: covered days");
    }
}

// ---------------------------------------------------------------------------------------
// 4. Census
// ---------------------------------------------------------------------------------------

fn check_census_matches_midnight_count_and_occupancy_is_null_without_capacity(m: &Model) {
    let g = gold(m, false, &["inpatient_stays", "daily_census"]);
    let (stays, c) = (&g["inpatient_stays"], &g["daily_census"]);
    let (ps, pe) = (epoch(period().start), epoch(period().end));
    let org = strs_nn(c, "organization_id");
    let day = days(c, "census_date");
    assert_unique("census grain", org.iter().zip(day.iter()));
    let census = ints(c, "census");
    let adm_n = ints(c, "admissions");
    let dis_n = ints(c, "discharges");
    let cap = ints(c, "bed_capacity");
    let occ = floats(c, "occupancy_pct");
    // Stays: (org, admission µs, discharge µs, admission day, discharge day).
    let s_org = strs_nn(stays, "organization_id");
    let (s_a, s_d) = (micros(stays, "admission_ts"), micros(stays, "discharge_ts"));
    let (s_ad, s_dd) = (days(stays, "admission_date"), days(stays, "discharge_date"));
    let facilities: BTreeSet<&String> = (0..stays.height())
        .filter(|&k| s_ad[k].unwrap() <= pe && s_dd[k].is_none_or(|d| d >= ps))
        .map(|k| &s_org[k])
        .collect();
    assert_eq!(
        org.iter().collect::<BTreeSet<_>>(),
        facilities,
        "census facilities = facilities with a stay overlapping the period"
    );
    assert_eq!(c.height() as i64, facilities.len() as i64 * period().days());
    for i in 0..c.height() {
        let d = day[i].unwrap();
        assert!((ps..=pe).contains(&d), "census day out of the period");
        let midnight = (i64::from(d) + 1) * 86_400_000_000;
        let at_org = (0..stays.height()).filter(|&k| s_org[k] == org[i]);
        let want = at_org
            .clone()
            .filter(|&k| s_a[k].unwrap() <= midnight && s_d[k].is_none_or(|x| x > midnight))
            .count() as i64;
        assert_eq!(census[i], Some(want), "{} {d}: midnight census", org[i]);
        let want_adm = at_org.clone().filter(|&k| s_ad[k] == Some(d)).count() as i64;
        let want_dis = at_org.filter(|&k| s_dd[k] == Some(d)).count() as i64;
        assert_eq!(adm_n[i], Some(want_adm), "{} {d}: admissions", org[i]);
        assert_eq!(dis_n[i], Some(want_dis), "{} {d}: discharges", org[i]);
    }
    // No capacity table and no configured beds: capacity is unknown, so occupancy is
    // null — never estimated from the census (e.g. its peak).
    for i in 0..c.height() {
        assert_eq!(cap[i], None, "{}: unknown capacity", org[i]);
        assert_eq!(occ[i], None, "{}: occupancy without capacity", org[i]);
    }
}

// ---------------------------------------------------------------------------------------
// 5. Diagnosis latency
// ---------------------------------------------------------------------------------------

fn check_latency_within_lookback_window(m: &Model) {
    let g = gold(m, false, &["diagnosis_latency"]);
    let l = &g["diagnosis_latency"];
    let pat = strs_nn(l, "patient_id");
    let code = strs_nn(l, "condition_code");
    assert_unique("latency grain", pat.iter().zip(code.iter()));
    let diag = days(l, "diagnosis_date");
    let enc = days(l, "first_encounter_date");
    let lat = ints(l, "latency_days");
    let mut first: BTreeMap<(String, String), i32> = BTreeMap::new();
    for (p, c, d) in &m.conditions {
        let e = first.entry((p.clone(), c.clone())).or_insert(i32::MAX);
        *e = (*e).min(epoch(*d));
    }
    assert_eq!(
        pat.iter()
            .cloned()
            .zip(code.iter().cloned())
            .collect::<BTreeSet<_>>(),
        first.keys().cloned().collect::<BTreeSet<_>>(),
        "one row per first occurrence"
    );
    for i in 0..l.height() {
        let key = (pat[i].clone(), code[i].clone());
        let d = first[&key];
        assert_eq!(diag[i], Some(d), "{key:?}: diagnosis date");
        if let Some(v) = lat[i] {
            assert!(
                (0..=i64::from(LOOKBACK)).contains(&v),
                "{key:?}: latency {v}"
            );
            assert_eq!(enc[i].map(|e| i64::from(d - e)), Some(v));
        }
        let want = m
            .encounters
            .iter()
            .filter(|e| e.patient == pat[i] && e.class != "wellness")
            .map(|e| epoch(e.start.date()))
            .filter(|&s| (d - LOOKBACK..=d).contains(&s))
            .min()
            .map(|s| i64::from(d - s));
        assert_eq!(lat[i], want, "{key:?}: latency");
    }
}

// ---------------------------------------------------------------------------------------
// 6. Aggregate gold tables
// ---------------------------------------------------------------------------------------

/// The aggregate tables and the row-level table each one summarises.
const AGGREGATES: [&str; 5] = [
    "los_by_facility",
    "los_by_discharge_month",
    "adherence_rates",
    "diagnosis_latency_by_condition",
    "monthly_census",
];

/// First day of the month of an epoch day, as an epoch day.
fn month_of(day: i32) -> i32 {
    let d = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + Duration::days(i64::from(day));
    epoch(d.with_day0(0).unwrap())
}

/// Σ los_days and discharges of the discharged stays, per key.
fn los_oracle(
    stays: &DataFrame,
    key: impl Fn(usize) -> Option<String>,
) -> BTreeMap<Option<String>, (i64, i64)> {
    let open = bools(stays, "open_flag");
    let los = ints(stays, "los_days");
    let mut out: BTreeMap<Option<String>, (i64, i64)> = BTreeMap::new();
    for i in (0..stays.height()).filter(|&i| open[i] == Some(false)) {
        let e = out.entry(key(i)).or_default();
        e.0 += los[i].unwrap();
        e.1 += 1;
    }
    out
}

fn check_los_groupings_reconcile_with_stays(g: &HashMap<String, DataFrame>) {
    let stays = &g["inpatient_stays"];
    let org = strs(stays, "organization_id");
    let discharge = days(stays, "discharge_date");
    let by_org = los_oracle(stays, |i| org[i].clone());
    let by_month = los_oracle(stays, |i| discharge[i].map(|d| month_of(d).to_string()));
    for (table, key, want) in [
        ("los_by_facility", "organization_id", by_org),
        ("los_by_discharge_month", "discharge_month", by_month),
    ] {
        let t = &g[table];
        let keys: Vec<Option<String>> = if key == "discharge_month" {
            days(t, key)
                .iter()
                .map(|d| d.map(|d| d.to_string()))
                .collect()
        } else {
            strs(t, key)
        };
        let (total, n, alos) = (
            ints(t, "total_los_days"),
            ints(t, "discharges"),
            floats(t, "alos_days"),
        );
        let got: BTreeMap<_, _> = (0..t.height())
            .map(|i| (keys[i].clone(), (total[i].unwrap(), n[i].unwrap())))
            .collect();
        assert_eq!(got.len(), t.height(), "{table}: grain");
        assert_eq!(got, want, "{table}: Σ los_days and discharges per key");
        for i in 0..t.height() {
            let want = total[i].unwrap() as f64 / n[i].unwrap() as f64;
            assert_eq!(alos[i], Some(want), "{table}: alos = total / discharges");
        }
    }
}

fn check_adherence_rates_reconcile_with_patient_rows(g: &HashMap<String, DataFrame>) {
    let (a, r) = (&g["medication_adherence"], &g["adherence_rates"]);
    let class = strs_nn(a, "drug_class");
    let (eligible, adherent) = (bools(a, "eligible_flag"), bools(a, "adherent_flag"));
    let mut want: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for i in 0..a.height() {
        let e = want.entry(class[i].clone()).or_default();
        e.0 += 1;
        e.1 += i64::from(eligible[i].unwrap());
        e.2 += i64::from(eligible[i].unwrap() && adherent[i].unwrap());
    }
    let rc = strs_nn(r, "drug_class");
    let (n, el, ad, rate) = (
        ints(r, "patients"),
        ints(r, "eligible_patients"),
        ints(r, "adherent_patients"),
        floats(r, "adherence_rate"),
    );
    let got: BTreeMap<String, (i64, i64, i64)> = (0..r.height())
        .map(|i| {
            (
                rc[i].clone(),
                (n[i].unwrap(), el[i].unwrap(), ad[i].unwrap()),
            )
        })
        .collect();
    assert_eq!(got, want, "adherence_rates: counts per class");
    for (column, day) in [
        ("period_start", period().start),
        ("period_end", period().end),
    ] {
        let want = vec![Some(epoch(day)); r.height()];
        assert_eq!(days(r, column), want, "adherence_rates: {column}");
    }
    for i in 0..r.height() {
        assert!(ad[i] <= el[i], "{}: numerator ≤ denominator", rc[i]);
        match rate[i] {
            Some(x) => assert!((0.0..=1.0).contains(&x), "{}: rate {x}", rc[i]),
            None => assert_eq!(
                el[i],
                Some(0),
                "{}: null rate with eligible patients",
                rc[i]
            ),
        }
    }
}

fn check_latency_percentiles_reconcile_with_latency_rows(g: &HashMap<String, DataFrame>) {
    let (l, b) = (
        &g["diagnosis_latency"],
        &g["diagnosis_latency_by_condition"],
    );
    let code = strs_nn(l, "condition_code");
    let lat = ints(l, "latency_days");
    let mut values: BTreeMap<String, (i64, Vec<i64>)> = BTreeMap::new();
    for i in 0..l.height() {
        let e = values.entry(code[i].clone()).or_default();
        e.0 += 1;
        e.1.extend(lat[i]);
    }
    let bc = strs_nn(b, "condition_code");
    assert_eq!(
        bc,
        values.keys().cloned().collect::<Vec<_>>(),
        "one row per condition"
    );
    let (n, w) = (ints(b, "patients"), ints(b, "with_encounter"));
    let (med, p90) = (
        floats(b, "median_latency_days"),
        floats(b, "p90_latency_days"),
    );
    for i in 0..b.height() {
        let (count, vals) = &values[&bc[i]];
        assert_eq!(n[i], Some(*count), "{}: patients", bc[i]);
        assert_eq!(w[i], Some(vals.len() as i64), "{}: with_encounter", bc[i]);
        let (lo, hi) = (vals.iter().min(), vals.iter().max());
        match (lo, hi, med[i], p90[i]) {
            (Some(&lo), Some(&hi), Some(m), Some(p)) => {
                assert!(
                    lo as f64 <= m && m <= p && p <= hi as f64,
                    "{}: min ≤ median ≤ p90 ≤ max",
                    bc[i]
                );
            }
            (None, None, None, None) => {}
            other => panic!("{}: percentiles {other:?}", bc[i]),
        }
    }
}

fn check_monthly_census_reconciles_with_daily(g: &HashMap<String, DataFrame>) {
    let (d, m) = (&g["daily_census"], &g["monthly_census"]);
    let org = strs_nn(d, "organization_id");
    let day = days(d, "census_date");
    let cols = ["census", "admissions", "discharges"];
    let vals: Vec<Vec<Option<i64>>> = cols.iter().map(|c| ints(d, c)).collect();
    let mut want: BTreeMap<(String, i32), [i64; 4]> = BTreeMap::new();
    for i in 0..d.height() {
        let e = want
            .entry((org[i].clone(), month_of(day[i].unwrap())))
            .or_default();
        for (k, v) in vals.iter().enumerate() {
            e[k] += v[i].unwrap();
        }
        e[3] += 1;
    }
    let (mo, mm) = (strs_nn(m, "organization_id"), days(m, "month"));
    let mcols: Vec<Vec<Option<i64>>> = ["inpatient_days", "admissions", "discharges"]
        .iter()
        .map(|c| ints(m, c))
        .collect();
    let adc = floats(m, "average_daily_census");
    let mut got: BTreeMap<(String, i32), [i64; 4]> = BTreeMap::new();
    for i in 0..m.height() {
        let key = (mo[i].clone(), mm[i].unwrap());
        let days_present = want.get(&key).map_or(0, |w| w[3]);
        let row = [
            mcols[0][i].unwrap(),
            mcols[1][i].unwrap(),
            mcols[2][i].unwrap(),
            days_present,
        ];
        let mean = row[0] as f64 / days_present as f64;
        assert!(
            (adc[i].unwrap() - mean).abs() < 1e-12,
            "{key:?}: average daily census"
        );
        got.insert(key, row);
    }
    assert_eq!(
        got, want,
        "monthly census = Σ daily census per facility and month"
    );
}

fn check_aggregate_tables_reconcile_and_ignore_row_order(m: &Model) {
    let g = gold(m, false, &[]);
    check_los_groupings_reconcile_with_stays(&g);
    check_adherence_rates_reconcile_with_patient_rows(&g);
    check_latency_percentiles_reconcile_with_latency_rows(&g);
    check_monthly_census_reconciles_with_daily(&g);
    let reversed = gold(m, true, &AGGREGATES);
    for name in AGGREGATES {
        assert!(
            g[name].equals_missing(&reversed[name]),
            "{name}: depends on row order"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn stay_rollup_covers_every_inpatient_encounter_exactly_once(pop in population_strategy()) {
        let m = model(&pop);
        on_big_stack(move || check_stays_cover_every_inpatient_encounter_once(&m));
    }

    #[test]
    fn stays_of_one_patient_at_one_organization_never_overlap(pop in population_strategy()) {
        let m = model(&pop);
        on_big_stack(move || check_stays_do_not_overlap_after_merging(&m));
    }

    #[test]
    fn stay_rollup_is_idempotent_and_independent_of_row_order(pop in population_strategy()) {
        let m = model(&pop);
        on_big_stack(move || check_rollup_is_idempotent_and_order_independent(&m));
    }

    #[test]
    fn readmissions_are_a_subset_of_index_stays_and_exclusions_are_explained(
        pop in population_strategy()
    ) {
        let m = model(&pop);
        on_big_stack(move || check_readmissions_subset_of_index_stays_with_reasons(&m));
    }

    #[test]
    fn adherence_pdc_is_bounded_and_adherent_iff_pdc_at_least_threshold(
        pop in population_strategy()
    ) {
        let m = model(&pop);
        on_big_stack(move || check_adherence_pdc_bounds_and_flags(&m));
    }

    #[test]
    fn census_is_the_midnight_count_and_occupancy_is_null_without_capacity(pop in population_strategy()) {
        let m = model(&pop);
        on_big_stack(move || check_census_matches_midnight_count_and_occupancy_is_null_without_capacity(&m));
    }

    #[test]
    fn diagnosis_latency_is_null_or_within_lookback_window(pop in population_strategy()) {
        let m = model(&pop);
        on_big_stack(move || check_latency_within_lookback_window(&m));
    }

    #[test]
    fn aggregate_gold_tables_reconcile_with_row_level_tables_and_ignore_row_order(
        pop in population_strategy()
    ) {
        let m = model(&pop);
        on_big_stack(move || check_aggregate_tables_reconcile_and_ignore_row_order(&m));
    }
}
