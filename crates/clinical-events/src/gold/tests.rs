#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use polars::prelude::*;
use proptest::prelude::*;

use super::occupancy::{TimeGrid, sweep};
use super::stays::*;
use super::*;
use crate::columns::*;
use crate::model::AdtEvent;
use crate::network::Hospital;
use crate::testkit::{admission, collect, discharge, silver_events, transfer, ts};

/// One hospital (id 1) with 2 Emergency, 2 ICU and 3 Cardiology beds.
fn small_network() -> Network {
    Network {
        hospitals: vec![Hospital {
            id: 1,
            name: "St. Mary's Medical Center".into(),
            beds: BTreeMap::from([
                ("Emergency".to_string(), 2),
                ("ICU".to_string(), 2),
                ("Cardiology".to_string(), 3),
            ]),
        }],
        ..Network::default()
    }
}

fn tables(events: &[AdtEvent], as_of: &str) -> BTreeMap<String, DataFrame> {
    let silver = silver_events(events).unwrap();
    let as_of = ts(as_of);
    let flow = PatientFlow::from_events(silver.clone(), as_of).unwrap();
    gold_tables(
        &flow,
        silver,
        None,
        &small_network(),
        &GoldConfig::default(),
        as_of,
    )
    .unwrap()
    .into_iter()
    .map(|t| (t.name.clone(), collect(t.frame).unwrap()))
    .collect()
}

fn f64s(df: &DataFrame, column: &str) -> Vec<Option<f64>> {
    df.column(column)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .collect()
}

fn strs(df: &DataFrame, column: &str) -> Vec<Option<String>> {
    crate::testkit::strings(df, column).unwrap()
}

fn rows_where(df: &DataFrame, predicate: Expr) -> DataFrame {
    collect(df.clone().lazy().filter(predicate)).unwrap()
}

fn day(df: &DataFrame, department: &str, date: &str) -> DataFrame {
    rows_where(
        df,
        col(DEPARTMENT)
            .eq(lit(department))
            .and(col("date").cast(DataType::String).eq(lit(date))),
    )
}

#[test]
fn a_stay_across_midnight_and_months_splits_its_bed_hours_by_day() {
    let t = tables(
        &[
            admission("v1", "p1", "2024-01-31T22:00:00Z", 1, "ICU", "H1-ICU-1"),
            discharge(
                "v1",
                "p1",
                "2024-01-31T22:00:00Z",
                "2024-02-01T04:00:00Z",
                1,
                "ICU",
                "H1-ICU-1",
            ),
        ],
        "2024-02-03T00:00:00Z",
    );
    let fact = &t["fact_patient_flow"];
    assert_eq!(f64s(fact, LOS_HOURS), [Some(6.0)]);
    assert_eq!(strs(fact, "admission_date_key"), [Some("20240131".into())]);
    assert_eq!(strs(fact, "discharge_date_key"), [Some("20240201".into())]);
    let daily = &t["occupancy_daily"];
    let jan = day(daily, "ICU", "2024-01-31");
    let feb = day(daily, "ICU", "2024-02-01");
    assert_eq!(f64s(&jan, occupancy::OCCUPIED_BED_HOURS), [Some(2.0)]);
    assert_eq!(f64s(&feb, occupancy::OCCUPIED_BED_HOURS), [Some(4.0)]);
    assert_eq!(f64s(&feb, occupancy::MIDNIGHT_CENSUS), [Some(1.0)]);
    assert_eq!(f64s(&jan, occupancy::MIDNIGHT_CENSUS), [Some(0.0)]);
    // 4 bed-hours of 2 beds × 24 h.
    let pct = f64s(&feb, occupancy::OCCUPANCY_PCT)[0].unwrap();
    assert!((pct - 100.0 * 4.0 / 48.0).abs() < 1e-9, "{pct}");
    assert_eq!(f64s(&feb, occupancy::MIDNIGHT_OCCUPANCY_PCT), [Some(50.0)]);
    // The day of the as-of instant is not complete: not reported.
    assert_eq!(day(daily, "ICU", "2024-02-03").height(), 0);
    assert_eq!(t["dim_date"].height(), 4);
}

#[test]
fn a_transfer_splits_the_stay_into_two_bed_segments() {
    let t = tables(
        &[
            admission(
                "v1",
                "p1",
                "2024-03-04T10:00:00Z",
                1,
                "Emergency",
                "H1-EMR-1",
            ),
            transfer(
                "v1",
                "p1",
                "2024-03-04T10:00:00Z",
                "2024-03-04T14:00:00Z",
                1,
                "Cardiology",
                "H1-CAR-2",
            ),
            discharge(
                "v1",
                "p1",
                "2024-03-04T10:00:00Z",
                "2024-03-05T10:00:00Z",
                1,
                "Cardiology",
                "H1-CAR-2",
            ),
        ],
        "2024-03-06T00:00:00Z",
    );
    let segments = &t["fact_bed_segment"];
    assert_eq!(
        strs(segments, DEPARTMENT),
        [Some("Emergency".into()), Some("Cardiology".into())]
    );
    assert_eq!(
        strs(segments, END_REASON),
        [Some("transfer".into()), Some("discharge".into())]
    );
    assert_eq!(f64s(segments, OCCUPIED_HOURS), [Some(4.0), Some(20.0)]);
    let fact = &t["fact_patient_flow"];
    assert_eq!(f64s(fact, TRANSFERS), [Some(1.0)]);
    assert_eq!(f64s(fact, LOS_HOURS), [Some(24.0)]);
    let alos = &t["alos_by_department"];
    assert_eq!(strs(alos, DEPARTMENT), [Some("Cardiology".into())]);
    let er = day(&t["occupancy_daily"], "Emergency", "2024-03-04");
    assert_eq!(f64s(&er, occupancy::OCCUPIED_BED_HOURS), [Some(4.0)]);
    let car = day(&t["occupancy_daily"], "Cardiology", "2024-03-04");
    assert_eq!(f64s(&car, occupancy::OCCUPIED_BED_HOURS), [Some(10.0)]);
}

#[test]
fn a_discharge_without_admission_still_occupies_its_bed_from_its_admission_time() {
    let t = tables(
        &[discharge(
            "v9",
            "p9",
            "2024-03-04T06:00:00Z",
            "2024-03-04T18:00:00Z",
            1,
            "ICU",
            "H1-ICU-2",
        )],
        "2024-03-05T00:00:00Z",
    );
    let fact = &t["fact_patient_flow"];
    assert_eq!(strs(fact, HAS_ADMISSION_EVENT), [Some("false".into())]);
    assert_eq!(f64s(fact, LOS_HOURS), [Some(12.0)]);
    let icu = day(&t["occupancy_daily"], "ICU", "2024-03-04");
    assert_eq!(f64s(&icu, occupancy::OCCUPIED_BED_HOURS), [Some(12.0)]);
}

#[test]
fn an_admission_replayed_with_a_new_event_id_counts_once() {
    let mut replay = admission("v1", "p1", "2024-03-04T10:00:00Z", 1, "ICU", "H1-ICU-1");
    replay.event_id = "replayed".into();
    let t = tables(
        &[
            admission("v1", "p1", "2024-03-04T10:00:00Z", 1, "ICU", "H1-ICU-1"),
            replay,
            discharge(
                "v1",
                "p1",
                "2024-03-04T10:00:00Z",
                "2024-03-04T12:00:00Z",
                1,
                "ICU",
                "H1-ICU-1",
            ),
        ],
        "2024-03-05T00:00:00Z",
    );
    assert_eq!(t["fact_patient_flow"].height(), 1);
    assert_eq!(t["fact_bed_segment"].height(), 1);
    let admissions: f64 = f64s(&t["admissions_by_priority_weekday"], kpis::ADMISSIONS)
        .iter()
        .flatten()
        .sum();
    assert_eq!(admissions, 1.0);
    let icu = day(&t["occupancy_daily"], "ICU", "2024-03-04");
    assert_eq!(f64s(&icu, occupancy::OCCUPIED_BED_HOURS), [Some(2.0)]);
}

#[test]
fn an_open_stay_occupies_its_bed_until_the_as_of_instant() {
    let t = tables(
        &[
            admission("open", "p1", "2024-03-04T10:00:00Z", 1, "ICU", "H1-ICU-1"),
            admission("done", "p2", "2024-03-04T10:00:00Z", 1, "ICU", "H1-ICU-2"),
            discharge(
                "done",
                "p2",
                "2024-03-04T10:00:00Z",
                "2024-03-04T11:00:00Z",
                1,
                "ICU",
                "H1-ICU-2",
            ),
        ],
        "2024-03-05T06:30:00Z",
    );
    let current = rows_where(&t["occupancy_current"], col(DEPARTMENT).eq(lit("ICU")));
    assert_eq!(f64s(&current, occupancy::CENSUS), [Some(1.0)]);
    assert_eq!(f64s(&current, occupancy::OCCUPANCY_PCT), [Some(50.0)]);
    assert_eq!(f64s(&current, occupancy::AVAILABLE_BEDS), [Some(1.0)]);
    let fact = rows_where(&t["fact_patient_flow"], col(VISIT_ID).eq(lit("open")));
    assert_eq!(strs(&fact, IS_OPEN), [Some("true".into())]);
    assert_eq!(f64s(&fact, LOS_HOURS), [None]);
    // Hourly rows stop at the last complete hour (05:00–06:00), where the open stay
    // still counts.
    let hourly = &t["occupancy_hourly"];
    let last = rows_where(hourly, col(DEPARTMENT).eq(lit("ICU"))).tail(Some(1));
    assert_eq!(
        strs(&last, occupancy::HOUR_START),
        [Some("2024-03-05 05:00:00.000000+00:00".into())]
    );
    assert_eq!(f64s(&last, occupancy::OCCUPIED_BED_HOURS), [Some(1.0)]);
    // Not counted from event counts: the ALOS leaves the open stay out.
    assert_eq!(
        f64s(&t["alos_by_department"], kpis::DISCHARGES),
        [Some(1.0)]
    );
    let hospital = &t["occupancy_current_hospital"];
    assert_eq!(f64s(hospital, occupancy::CENSUS), [Some(1.0)]);
}

#[test]
fn a_bed_taken_by_another_stay_ends_the_interval_of_a_lost_discharge() {
    let t = tables(
        &[
            admission("lost", "p1", "2024-03-04T00:00:00Z", 1, "ICU", "H1-ICU-1"),
            admission("next", "p2", "2024-03-04T08:00:00Z", 1, "ICU", "H1-ICU-1"),
        ],
        "2024-03-05T00:00:00Z",
    );
    let segments = &t["fact_bed_segment"];
    assert_eq!(
        strs(segments, END_REASON),
        [Some("bed_reoccupied".into()), Some("open".into())]
    );
    let icu = day(&t["occupancy_daily"], "ICU", "2024-03-04");
    assert_eq!(f64s(&icu, occupancy::OCCUPIED_BED_HOURS), [Some(24.0)]);
    let current = rows_where(&t["occupancy_current"], col(DEPARTMENT).eq(lit("ICU")));
    assert_eq!(f64s(&current, occupancy::CENSUS), [Some(1.0)]);
}

#[test]
fn a_discharge_nulled_by_silver_ends_the_stay_at_the_discharge_event() {
    let mut bad = discharge(
        "v1",
        "p1",
        "2024-03-04T10:00:00Z",
        "2024-03-04T16:00:00Z",
        1,
        "ICU",
        "H1-ICU-1",
    );
    bad.discharge_time = Some(ts("2024-03-04T01:00:00Z"));
    let t = tables(
        &[
            admission("v1", "p1", "2024-03-04T10:00:00Z", 1, "ICU", "H1-ICU-1"),
            bad,
        ],
        "2024-03-05T00:00:00Z",
    );
    let fact = &t["fact_patient_flow"];
    assert_eq!(
        strs(fact, DISCHARGE_TIME_SOURCE),
        [Some("event_timestamp".into())]
    );
    assert_eq!(f64s(fact, LOS_HOURS), [Some(6.0)]);
}

#[test]
fn occupancy_by_gender_splits_the_census() {
    let mut man = admission(
        "v2",
        "p2",
        "2024-03-04T10:00:00Z",
        1,
        "Cardiology",
        "H1-CAR-2",
    );
    man.gender = "male".into();
    let t = tables(
        &[
            admission(
                "v1",
                "p1",
                "2024-03-04T10:00:00Z",
                1,
                "Cardiology",
                "H1-CAR-1",
            ),
            admission(
                "v3",
                "p3",
                "2024-03-04T10:00:00Z",
                1,
                "Cardiology",
                "H1-CAR-3",
            ),
            man,
        ],
        "2024-03-05T10:00:00Z",
    );
    let g = &t["occupancy_by_gender"];
    assert_eq!(
        strs(g, GENDER),
        [Some("female".into()), Some("male".into())]
    );
    assert_eq!(f64s(g, occupancy::CENSUS), [Some(2.0), Some(1.0)]);
    let share = f64s(g, occupancy::SHARE_OF_OCCUPIED_PCT);
    assert!((share[0].unwrap() - 200.0 / 3.0).abs() < 1e-9);
    let daily = rows_where(
        &t["occupancy_by_gender_daily"],
        col(GENDER)
            .eq(lit("male"))
            .and(col(DEPARTMENT).eq(lit("Cardiology"))),
    );
    assert_eq!(f64s(&daily, occupancy::OCCUPIED_BED_HOURS), [Some(14.0)]);
}

#[test]
fn kpis_count_admissions_by_weekday_rank_diagnoses_and_average_vitals() {
    let mut a = admission("v1", "p1", "2024-03-04T10:00:00Z", 1, "ICU", "H1-ICU-1"); // Monday
    a.vitals.heart_rate = 100;
    let mut b = admission("v2", "p2", "2024-03-09T10:00:00Z", 1, "ICU", "H1-ICU-2"); // Saturday
    b.admission_priority = "Elective".into();
    b.diagnosis_code = "I21.4".into();
    let mut c = admission(
        "v3",
        "p3",
        "2024-03-04T12:00:00Z",
        1,
        "Cardiology",
        "H1-CAR-1",
    );
    c.vitals.spo2 = 90;
    let t = tables(&[a, b, c], "2024-03-10T00:00:00Z");
    let adm = &t["admissions_by_priority_weekday"];
    assert_eq!(
        strs(adm, ADMISSION_PRIORITY),
        [Some("Elective".into()), Some("Urgent".into())]
    );
    assert_eq!(
        strs(adm, "day_name"),
        [Some("Saturday".into()), Some("Monday".into())]
    );
    assert_eq!(f64s(adm, kpis::ADMISSIONS), [Some(1.0), Some(2.0)]);
    let top = &t["top_diagnoses"];
    assert_eq!(
        strs(top, DIAGNOSIS_CODE),
        [Some("J18.9".into()), Some("I21.4".into())]
    );
    assert_eq!(f64s(top, kpis::RANK), [Some(1.0), Some(2.0)]);
    let vitals = &t["vitals_by_department"];
    assert_eq!(
        strs(vitals, DEPARTMENT),
        [Some("Cardiology".into()), Some("ICU".into())]
    );
    assert_eq!(f64s(vitals, "avg_heart_rate"), [Some(80.0), Some(90.0)]);
    assert_eq!(f64s(vitals, "avg_spo2"), [Some(90.0), Some(98.0)]);
}

#[test]
fn star_keys_are_stable_hashes_and_dimensions_cover_the_network() {
    let t = tables(
        &[admission(
            "v1",
            "p1",
            "2024-03-04T10:00:00Z",
            1,
            "ICU",
            "H1-ICU-1",
        )],
        "2024-03-05T00:00:00Z",
    );
    let dims = &t["dim_department"];
    assert_eq!(dims.height(), 3);
    assert_eq!(
        dims.column(star::DEPARTMENT_KEY)
            .unwrap()
            .n_unique()
            .unwrap(),
        3
    );
    let fact = &t["fact_patient_flow"];
    let key = fact
        .column("admit_department_key")
        .unwrap()
        .i64()
        .unwrap()
        .get(0);
    let icu = rows_where(dims, col(DEPARTMENT).eq(lit("ICU")));
    assert_eq!(
        key,
        icu.column(star::DEPARTMENT_KEY)
            .unwrap()
            .i64()
            .unwrap()
            .get(0)
    );
    let expected = medallion_model::hash::stable_hash_parts(&[Some("p1")]);
    assert_eq!(
        fact.column(star::PATIENT_KEY)
            .unwrap()
            .i64()
            .unwrap()
            .get(0),
        Some(expected)
    );
    assert_eq!(
        t["dim_date"]
            .column(star::DATE_KEY)
            .unwrap()
            .i32()
            .unwrap()
            .get(0),
        Some(20240304)
    );
}

#[test]
fn dim_patient_snapshot_keeps_the_latest_known_attributes() {
    let mut later = discharge(
        "v1",
        "p1",
        "2024-03-04T10:00:00Z",
        "2024-03-05T10:00:00Z",
        1,
        "ICU",
        "H1-ICU-1",
    );
    later.insurance_type = "Medicare".into();
    later.age = 65;
    let silver = silver_events(&[
        admission("v1", "p1", "2024-03-04T10:00:00Z", 1, "ICU", "H1-ICU-1"),
        later,
    ])
    .unwrap();
    let snap = collect(star::dim_patient_snapshot(
        silver.clone(),
        ts("2024-03-06T00:00:00Z"),
    ))
    .unwrap();
    assert_eq!(strs(&snap, INSURANCE_TYPE), [Some("Medicare".into())]);
    assert_eq!(f64s(&snap, AGE), [Some(65.0)]);
    // As of before the discharge, the admission's values.
    let snap = collect(star::dim_patient_snapshot(
        silver,
        ts("2024-03-05T00:00:00Z"),
    ))
    .unwrap();
    assert_eq!(strs(&snap, INSURANCE_TYPE), [Some("Private".into())]);
}

#[test]
fn fact_takes_the_patient_version_in_effect_at_admission() {
    let silver = silver_events(&[
        admission("v1", "p1", "2024-01-10T10:00:00Z", 1, "ICU", "H1-ICU-1"),
        admission("v2", "p1", "2024-03-10T10:00:00Z", 1, "ICU", "H1-ICU-2"),
    ])
    .unwrap();
    let micros = |t: &str| ts(t).timestamp_micros();
    let dim = df!(
        PATIENT_ID => ["p1", "p1"],
        star::PATIENT_VERSION_KEY => [11i64, 22],
        "effective_from" => [micros("2024-02-01T00:00:00Z"), micros("2024-03-01T00:00:00Z")],
    )
    .unwrap()
    .lazy()
    .with_column(col("effective_from").cast(utc_datetime()));
    let as_of = ts("2024-04-01T00:00:00Z");
    let flow = PatientFlow::from_events(silver, as_of).unwrap();
    let fact = collect(star::fact_patient_flow(flow.stays, Some(dim))).unwrap();
    // v1 precedes every version: the first one; v2 is in the second.
    let keys: Vec<_> = fact
        .column(star::PATIENT_VERSION_KEY)
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(keys, [Some(11), Some(22)]);
}

/// Brute force: census at the period start and bed-hours per period of `step` seconds,
/// one interval and period at a time.
fn brute_force(intervals: &[(i64, i64)], step: i64, first: i64, end: i64) -> Vec<(i64, f64)> {
    (first..end)
        .map(|p| {
            let (ps, pe) = (p * step, (p + 1) * step);
            let census = intervals
                .iter()
                .filter(|(s, e)| *s <= ps && ps < *e)
                .count() as i64;
            let seconds: i64 = intervals
                .iter()
                .map(|(s, e)| (pe.min(*e) - ps.max(*s)).max(0))
                .sum();
            (census, seconds as f64 / 3600.0)
        })
        .collect()
}

fn interval_frame(intervals: &[(i64, i64)]) -> LazyFrame {
    let s: Vec<i64> = intervals.iter().map(|i| i.0 * 1_000_000).collect();
    let e: Vec<i64> = intervals.iter().map(|i| i.1 * 1_000_000).collect();
    df!(
        "k" => vec!["a"; intervals.len()],
        START_TIME => s,
        OCCUPIED_UNTIL => e,
    )
    .unwrap()
    .lazy()
    .with_columns([
        col(START_TIME).cast(utc_datetime()),
        col(OCCUPIED_UNTIL).cast(utc_datetime()),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn sweep_matches_brute_force_bed_hours_and_census(
        raw in proptest::collection::vec((0i64..40 * 3600, 0i64..20 * 3600), 0..12),
        step in prop_oneof![Just(3_600i64), Just(86_400i64)],
    ) {
        let base = 20_000 * 86_400; // a midnight well after 1970
        let intervals: Vec<(i64, i64)> = raw.iter().map(|(s, len)| (base + s, base + s + len)).collect();
        let periods = 72 * 3_600 / step;
        let grid = TimeGrid { step_seconds: step, first: Some(base / step), end: base / step + periods };
        let groups = df!("k" => ["a"]).unwrap().lazy();
        let out = collect(sweep(interval_frame(&intervals), groups, &["k"], grid).unwrap()).unwrap();
        let census: Vec<i64> = out.column("__census_at_start").unwrap().i64().unwrap().into_no_null_iter().collect();
        let hours: Vec<f64> = out.column(occupancy::OCCUPIED_BED_HOURS).unwrap().f64().unwrap().into_no_null_iter().collect();
        let expected = brute_force(&intervals, step, base / step, base / step + periods);
        prop_assert_eq!(census.len() as i64, periods);
        for (p, (c, b)) in expected.iter().enumerate() {
            prop_assert_eq!(census[p], *c, "census of period {}", p);
            prop_assert!((hours[p] - b).abs() < 1e-9, "bed-hours of period {}: {} vs {}", p, hours[p], b);
        }
    }
}

fn clean_simulation_tables(seed: u64, events: u64) -> (BTreeMap<String, DataFrame>, Network) {
    clean_simulation_tables_in_order(seed, events, false)
}

/// The gold tables of a clean simulation, from the silver events in simulation order or
/// (`reversed`) in the opposite row order.
fn clean_simulation_tables_in_order(
    seed: u64,
    events: u64,
    reversed: bool,
) -> (BTreeMap<String, DataFrame>, Network) {
    let config = crate::simulator::SimulatorConfig::new(events, seed);
    let sim = crate::simulator::simulate(&config).unwrap();
    let lines: Vec<String> = sim.files.into_iter().flat_map(|f| f.lines).collect();
    let raw = df!(RAW_EVENT => lines).unwrap();
    let silver_config = crate::silver::SilverConfig::default();
    let silver = crate::silver::transform(raw.lazy(), &config.network, &silver_config).unwrap();
    let kept = medallion_core::pipeline::apply_rules(silver, &silver_config.rules(), "t").unwrap();
    assert_eq!(kept.quarantined.height(), 0);
    let as_of: DateTime<Utc> = sim.manifest.summary.last_event.unwrap();
    let events = if reversed {
        kept.kept.reverse().lazy()
    } else {
        kept.kept.lazy()
    };
    let flow = PatientFlow::from_events(events.clone(), as_of).unwrap();
    let flow = PatientFlow {
        stays: collect(flow.stays).unwrap().lazy(),
        segments: collect(flow.segments).unwrap().lazy(),
    };
    let tables = gold_tables(
        &flow,
        events,
        None,
        &config.network,
        &GoldConfig::default(),
        as_of,
    )
    .unwrap()
    .into_iter()
    .map(|t| (t.name.clone(), collect(t.frame).unwrap()))
    .collect();
    (tables, config.network)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]

    #[test]
    fn occupancy_never_exceeds_capacity_on_clean_simulator_output(seed in 0u64..1_000) {
        let (t, _) = clean_simulation_tables(seed, 3_000);
        let hourly = &t["occupancy_hourly"];
        prop_assert!(hourly.height() > 0);
        let over = hourly.clone().lazy().filter(
            col(occupancy::CENSUS_AT_HOUR_START).gt(col(BED_CAPACITY_COL))
                .or(col(occupancy::OCCUPIED_BED_HOURS).gt(col(BED_CAPACITY_COL).cast(DataType::Float64) + lit(1e-9))),
        ).collect().unwrap();
        prop_assert_eq!(over.height(), 0, "{}", over);
        let current = &t["occupancy_current"];
        let over = current.clone().lazy().filter(col(occupancy::CENSUS).gt(col(BED_CAPACITY_COL))).collect().unwrap();
        prop_assert_eq!(over.height(), 0);
        let pct = f64s(&t["occupancy_daily"], occupancy::OCCUPANCY_PCT);
        prop_assert!(pct.iter().flatten().all(|p| *p <= 100.0 + 1e-9));
    }
}

const BED_CAPACITY_COL: &str = crate::network::BED_CAPACITY;

#[test]
fn clean_simulator_output_reconciles_stays_with_the_simulation_summary() {
    let config = crate::simulator::SimulatorConfig::new(3_000, 77);
    let summary = crate::simulator::simulate(&config)
        .unwrap()
        .manifest
        .summary;
    let (t, network) = clean_simulation_tables(77, 3_000);
    let fact = &t["fact_patient_flow"];
    assert_eq!(fact.height() as u64, summary.admissions);
    let open = fact
        .column(IS_OPEN)
        .unwrap()
        .bool()
        .unwrap()
        .sum()
        .unwrap_or(0) as u64;
    assert_eq!(open, summary.open_stays);
    let current: f64 = f64s(&t["occupancy_current"], occupancy::CENSUS)
        .iter()
        .flatten()
        .sum();
    assert!(current > 0.0 && current <= network.total_beds() as f64);
    // No interval is cut by another stay in clean data.
    let cut = rows_where(
        &t["fact_bed_segment"],
        col(END_REASON).eq(lit("bed_reoccupied")),
    );
    assert_eq!(cut.height(), 0);
}

/// The bits of every `Float64` value of `df`, column by column (rows as sorted by the
/// table itself).
fn float_bits(df: &DataFrame) -> BTreeMap<String, Vec<Option<u64>>> {
    df.columns()
        .iter()
        .filter(|c| c.dtype() == &DataType::Float64)
        .map(|c| {
            let bits = c
                .f64()
                .unwrap()
                .iter()
                .map(|v| v.map(f64::to_bits))
                .collect();
            (c.name().to_string(), bits)
        })
        .collect()
}

#[test]
fn float_kpis_are_bit_identical_for_the_same_events_in_another_row_order() {
    let (forward, _) = clean_simulation_tables_in_order(11, 3_000, false);
    let (reversed, _) = clean_simulation_tables_in_order(11, 3_000, true);
    for table in [
        "alos_by_department",
        "top_diagnoses",
        "vitals_by_department",
        "occupancy_hourly_hospital",
        "occupancy_daily_hospital",
    ] {
        let bits = float_bits(&forward[table]);
        assert!(!bits.is_empty(), "{table} has float columns");
        assert_eq!(bits, float_bits(&reversed[table]), "{table}");
    }
}
