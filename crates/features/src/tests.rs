//! Hand-built given/expected tests per feature group, and the leakage property.
//!
//! The fixture ([`Raw::fixture`]): p1 (born 1970-06-15, male, white) has hypertension
//! since 2020-01-01 treated with lisinopril from 2020-01-05, prediabetes 2021–2022, an
//! inpatient stay 2022-03-01..03, an emergency visit 2022-12-01, diabetes diagnosed
//! 2023-05-10 and metformin from 2023-05-20, BMI 30 → 32 → 33.5 → 35 (2022-01-15,
//! 2022-12-20, 2023-06-30, 2023-08-01), visits on 2023-06-30 and 2023-07-15. p2 (born
//! 1980, female, black) died 2023-03-01. As-of dates 2023-01-31 and 2023-06-30.
#![allow(clippy::unwrap_used)]

use polars::prelude::*;
use proptest::prelude::*;

use crate::columns::*;
use crate::testkit::{Raw, d, on_big_stack};
use crate::*;

fn config() -> FeatureStoreConfig {
    FeatureStoreConfig::default().with_as_of(AsOfDates::Dates(vec![d(2023, 1, 31), d(2023, 6, 30)]))
}

fn build(raw: &Raw) -> DataFrame {
    let raw = raw.clone();
    on_big_stack(move || {
        feature_store(&raw.inputs(), &config())
            .unwrap()
            .frame
            .collect()
            .unwrap()
    })
}

/// The values of `column` in row order (rows sorted by as-of date, then patient).
fn values(df: &DataFrame, column: &str) -> Vec<AnyValue<'static>> {
    let c = df.column(column).unwrap();
    (0..df.height())
        .map(|i| c.get(i).unwrap().into_static())
        .collect()
}

fn f(v: f64) -> AnyValue<'static> {
    AnyValue::Float64(v)
}
fn u(v: u32) -> AnyValue<'static> {
    AnyValue::UInt32(v)
}
fn i(v: i32) -> AnyValue<'static> {
    AnyValue::Int32(v)
}
fn b(v: bool) -> AnyValue<'static> {
    AnyValue::Boolean(v)
}
const N: AnyValue<'static> = AnyValue::Null;

#[test]
fn spine_has_living_patients_per_as_of_date() {
    let df = build(&Raw::fixture());
    // Rows: (2023-01-31, p1), (2023-01-31, p2), (2023-06-30, p1): p2 died 2023-03-01.
    assert_eq!(
        values(&df, PATIENT_ID),
        ["p1", "p2", "p1"].map(|s| AnyValue::StringOwned(s.into()))
    );
    assert_eq!(
        df.column(AS_OF_MONTH)
            .unwrap()
            .date()
            .unwrap()
            .physical()
            .get(2),
        Some(medallion_model::expr::epoch_day_number(d(2023, 6, 1)))
    );
}

#[test]
fn demographics_age_in_full_years_at_as_of() {
    let df = build(&Raw::fixture());
    assert_eq!(values(&df, "patient__age_years"), [i(52), i(43), i(53)]);
    assert_eq!(
        values(&df, "patient__gender")[0],
        AnyValue::StringOwned("male".into())
    );
    assert_eq!(
        values(&df, "patient__race")[1],
        AnyValue::StringOwned("black".into())
    );
}

#[test]
fn condition_flags_counts_and_active_codes_as_of() {
    let df = build(&Raw::fixture());
    assert_eq!(
        values(&df, "condition__hypertension_flag"),
        [b(true), b(false), b(true)]
    );
    assert_eq!(
        values(&df, "condition__diabetes_flag"),
        [b(false), b(false), b(true)]
    );
    assert_eq!(
        values(&df, "condition__prediabetes_count"),
        [u(1), u(0), u(1)]
    );
    // Prediabetes resolved 2022-01-01: only hypertension (then diabetes) is active.
    assert_eq!(values(&df, "condition__active_count"), [u(1), u(0), u(2)]);
}

#[test]
fn utilization_counts_trailing_windows_ending_at_as_of() {
    let df = build(&Raw::fixture());
    assert_eq!(values(&df, "encounter__all_count_182d"), [u(1), u(0), u(1)]);
    assert_eq!(
        values(&df, "encounter__emergency_count_182d"),
        [u(1), u(0), u(0)]
    );
    assert_eq!(values(&df, "encounter__all_count_365d"), [u(2), u(0), u(2)]);
    assert_eq!(
        values(&df, "encounter__inpatient_count_365d"),
        [u(1), u(0), u(0)]
    );
}

#[test]
fn medications_active_on_as_of_by_class() {
    let df = build(&Raw::fixture());
    assert_eq!(values(&df, "medication__active_count"), [u(1), u(0), u(2)]);
    assert_eq!(
        values(&df, "medication__ras_antagonists_active"),
        [b(true), b(false), b(true)]
    );
    assert_eq!(
        values(&df, "medication__diabetes_non_insulin_active"),
        [b(false), b(false), b(true)]
    );
}

#[test]
fn labs_latest_days_since_and_trend_as_of() {
    let df = build(&Raw::fixture());
    assert_eq!(values(&df, "lab__bmi_latest"), [f(32.0), N, f(33.5)]);
    assert_eq!(values(&df, "lab__bmi_days_since"), [i(42), N, i(0)]);
    assert_eq!(values(&df, "lab__bmi_trend_365d"), [f(2.0), N, f(3.5)]);
    assert_eq!(values(&df, "lab__hba1c_latest"), [N, N, N]);
}

#[test]
fn journey_time_since_diagnosis_and_to_treatment_as_of() {
    let df = build(&Raw::fixture());
    assert_eq!(
        values(&df, "journey__diabetes_days_since_diagnosis"),
        [N, N, i(51)]
    );
    assert_eq!(
        values(&df, "journey__diabetes_days_to_treatment"),
        [N, N, f(10.0)]
    );
    assert_eq!(
        values(&df, "journey__hypertension_days_since_diagnosis"),
        [i(1126), N, i(1276)]
    );
    assert_eq!(
        values(&df, "journey__hypertension_days_to_treatment"),
        [f(4.0), N, f(4.0)]
    );
}

#[test]
fn diabetes_label_only_for_patients_at_risk_and_observable() {
    let df = build(&Raw::fixture());
    // p1: onset 2023-05-10 within a year of 2023-01-31; already diabetic on 2023-06-30.
    // p2: no onset, but the data ends 2023-07-15, before 2024-01-31: not observable.
    assert_eq!(values(&df, LABEL_DIABETES_ONSET), [b(true), N, N]);
}

#[test]
fn definitions_list_every_feature_column_and_version_tracks_config() {
    let store = feature_store(&Raw::fixture().inputs(), &config()).unwrap();
    let lf = store.frame.clone();
    let df = on_big_stack(move || lf.collect().unwrap());
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .skip(3)
        .map(|s| s.to_string())
        .collect();
    let defined: Vec<String> = store.definitions.iter().map(|d| d.name.clone()).collect();
    assert_eq!(names, defined);
    let mut other = config();
    other.groups.labs = None;
    assert_ne!(feature_store_version(&other).unwrap(), store.version);
    assert_eq!(feature_store_version(&config()).unwrap(), store.version);
}

const CODES: [(&str, &str); 4] = [
    ("cond", "44054006"),
    ("cond", "59621000"),
    ("med", "860975"),
    ("obs", "39156-5"),
];

prop_compose! {
    /// An event on a day `offset` days after 2022-06-01, of a random kind.
    fn event()(patient in 0..2usize, kind in 0..6usize, offset in 0..800i64, value in 10.0..60.0f64)
        -> (usize, usize, i64, f64) { (patient, kind, offset, value) }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Leakage: appending any events dated after a row's as-of date leaves that row's
    /// features unchanged (labels may change: they look ahead by definition).
    #[test]
    fn events_after_as_of_never_change_a_feature_row(events in proptest::collection::vec(event(), 1..12)) {
        let base = Raw::fixture();
        let mut more = base.clone();
        let start = d(2022, 6, 1);
        let mut first = chrono::NaiveDate::MAX;
        for (k, (p, kind, offset, value)) in events.iter().enumerate() {
            let day = start + chrono::Duration::days(*offset);
            first = first.min(day);
            let (pid, ts) = (format!("p{}", p + 1), format!("{day}T08:00:00Z"));
            match kind {
                0 | 1 => more.conditions.push((pid, CODES[*kind].1.into(), day.to_string(), None)),
                2 => more.medications.push((pid, CODES[2].1.into(), ts, None)),
                3 => more.observations.push((pid, CODES[3].1.into(), ts, *value)),
                4 => more.encounters.push((format!("x{k}"), pid, "emergency".into(), ts.clone(), ts)),
                _ => more.encounters.push((format!("x{k}"), pid, "inpatient".into(), ts.clone(), format!("{}T08:00:00Z", day + chrono::Duration::days(2)))),
            }
        }
        let cut = lit(medallion_model::expr::epoch_day_number(first)).cast(DataType::Date);
        let features = |raw: &Raw| {
            let (raw, cut) = (raw.clone(), cut.clone());
            on_big_stack(move || {
            let store = feature_store(&raw.inputs(), &config()).unwrap();
            let cols: Vec<Expr> = [PATIENT_ID, AS_OF_DATE].into_iter().map(col)
                .chain(store.feature_columns().iter().map(|c| col(c.as_str()))).collect();
            store.frame.filter(col(AS_OF_DATE).lt(cut)).select(cols).collect().unwrap()
            })
        };
        let (before, after) = (features(&base), features(&more));
        prop_assert!(before.equals_missing(&after), "before:\n{before}\nafter:\n{after}");
    }
}

#[test]
fn index_discharges_spine_carries_the_quality_metrics_readmission_label() {
    let mut raw = Raw::fixture();
    // e2 (discharged 2022-03-03) is readmitted by e5 17 days later; e5 is an index stay
    // without readmission; e6 is the last discharge in the data (run-out: no index stay).
    let t = |day: &str| format!("{day}T10:00:00Z");
    raw.encounters.push((
        "e5".into(),
        "p1".into(),
        "inpatient".into(),
        t("2022-03-20"),
        t("2022-03-22"),
    ));
    raw.encounters.push((
        "e6".into(),
        "p1".into(),
        "inpatient".into(),
        t("2023-02-10"),
        t("2023-02-12"),
    ));
    let df = on_big_stack(move || {
        let c = FeatureStoreConfig::default().with_as_of(AsOfDates::IndexDischarges);
        feature_store(&raw.inputs(), &c)
            .unwrap()
            .frame
            .collect()
            .unwrap()
    });
    let day = |y, m, dd| AnyValue::Date(medallion_model::expr::epoch_day_number(d(y, m, dd)));
    assert_eq!(values(&df, AS_OF_DATE), [day(2022, 3, 3), day(2022, 3, 22)]);
    assert_eq!(values(&df, LABEL_READMISSION_30D), [b(true), b(false)]);
    // Features as of the discharge day: the stay itself is visible, the readmission not.
    assert_eq!(values(&df, "encounter__inpatient_count_182d"), [u(1), u(2)]);
}
