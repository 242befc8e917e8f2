#![allow(clippy::unwrap_used)]

use medallion_core::pipeline::{BATCH_ID, DQ_FLAGS, apply_rules};
use polars::prelude::*;
use proptest::prelude::*;

use super::gold::*;
use super::news2::*;
use super::silver::*;
use super::simulator::*;
use super::*;
use crate::columns::RAW_EVENT;
use crate::testkit::{collect, string_lists, strings, ts};

/// One reading's NEWS2 inputs: (rr, spo2, o2, sbp, hr, acvpu, temp).
type Inputs = (
    Option<i32>,
    Option<i32>,
    Option<bool>,
    Option<i32>,
    Option<i32>,
    Option<&'static str>,
    Option<f64>,
);

fn score(rows: &[Inputs]) -> DataFrame {
    let frame = df!(
        RESPIRATORY_RATE => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        SPO2 => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        SUPPLEMENTAL_O2 => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        BP_SYSTOLIC => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        HEART_RATE => rows.iter().map(|r| r.4).collect::<Vec<_>>(),
        CONSCIOUSNESS => rows.iter().map(|r| r.5).collect::<Vec<_>>(),
        TEMPERATURE_C => rows.iter().map(|r| r.6).collect::<Vec<_>>(),
    )
    .unwrap();
    with_news2(frame.lazy()).collect().unwrap()
}

fn ints(df: &DataFrame, column: &str) -> Vec<Option<i32>> {
    df.column(column).unwrap().i32().unwrap().iter().collect()
}

fn normal() -> Inputs {
    (
        Some(16),
        Some(97),
        Some(false),
        Some(120),
        Some(70),
        Some("A"),
        Some(37.0),
    )
}

#[test]
fn news2_sub_scores_follow_every_boundary_of_the_rcp_chart() {
    let sub = |column: &str, values: Vec<f64>| -> Vec<Option<i32>> {
        let frame = df!("v" => values).unwrap().lazy();
        let e = match column {
            RESPIRATORY_RATE => respiratory_rate_score(col("v")),
            SPO2 => spo2_scale1_score(col("v")),
            BP_SYSTOLIC => systolic_bp_score(col("v")),
            HEART_RATE => heart_rate_score(col("v")),
            _ => temperature_score(col("v")),
        };
        ints(&frame.select([e.alias("s")]).collect().unwrap(), "s")
    };
    let some = |v: &[i32]| v.iter().map(|s| Some(*s)).collect::<Vec<_>>();
    assert_eq!(
        sub(
            RESPIRATORY_RATE,
            vec![8.0, 9.0, 11.0, 12.0, 20.0, 21.0, 24.0, 25.0]
        ),
        some(&[3, 1, 1, 0, 0, 2, 2, 3])
    );
    assert_eq!(
        sub(SPO2, vec![91.0, 92.0, 93.0, 94.0, 95.0, 96.0, 100.0]),
        some(&[3, 2, 2, 1, 1, 0, 0])
    );
    assert_eq!(
        sub(
            BP_SYSTOLIC,
            vec![90.0, 91.0, 100.0, 101.0, 110.0, 111.0, 219.0, 220.0]
        ),
        some(&[3, 2, 2, 1, 1, 0, 0, 3])
    );
    assert_eq!(
        sub(
            HEART_RATE,
            vec![
                40.0, 41.0, 50.0, 51.0, 90.0, 91.0, 110.0, 111.0, 130.0, 131.0
            ]
        ),
        some(&[3, 1, 1, 0, 0, 1, 1, 2, 2, 3])
    );
    assert_eq!(
        sub(
            TEMPERATURE_C,
            vec![35.0, 35.1, 36.0, 36.1, 38.0, 38.1, 39.0, 39.1, 35.04]
        ),
        some(&[3, 1, 1, 0, 0, 1, 1, 2, 3])
    );
}

#[test]
fn news2_worked_examples_give_the_published_aggregate_and_band() {
    let df = score(&[
        // All normal on air: 0, low.
        normal(),
        // RR 24 (2), SpO2 93 (2), air, SBP 105 (1), HR 115 (2), A, 38.5 (1): 8, high.
        (
            Some(24),
            Some(93),
            Some(false),
            Some(105),
            Some(115),
            Some("A"),
            Some(38.5),
        ),
        // RR 22 (2), SpO2 95 (1), air, SBP 110 (1), HR 105 (1), A, 38.2 (1): 6, medium.
        (
            Some(22),
            Some(95),
            Some(false),
            Some(110),
            Some(105),
            Some("A"),
            Some(38.2),
        ),
        // Only new confusion (3): aggregate 3 but a red score: low-medium.
        (
            Some(16),
            Some(97),
            Some(false),
            Some(120),
            Some(70),
            Some("C"),
            Some(37.0),
        ),
        // On oxygen (2) with SpO2 94 (1) and HR 95 (1): 4, low.
        (
            Some(16),
            Some(94),
            Some(true),
            Some(120),
            Some(95),
            Some("A"),
            Some(37.0),
        ),
        // Aggregate 5 with a red score: medium wins over low-medium.
        (
            Some(16),
            Some(97),
            Some(true),
            Some(90),
            Some(70),
            Some("A"),
            Some(37.0),
        ),
    ]);
    assert_eq!(
        ints(&df, NEWS2_SCORE),
        [Some(0), Some(8), Some(6), Some(3), Some(4), Some(5)]
    );
    let bands: Vec<_> = strings(&df, NEWS2_BAND)
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(
        bands,
        ["low", "high", "medium", "low-medium", "low", "medium"]
    );
}

#[test]
fn news2_aggregate_is_null_when_a_parameter_is_missing_but_sub_scores_remain() {
    let mut missing_rr = normal();
    missing_rr.0 = None;
    let mut bad_letter = normal();
    bad_letter.5 = Some("X");
    let df = score(&[missing_rr, bad_letter]);
    assert_eq!(ints(&df, NEWS2_SCORE), [None, None]);
    assert_eq!(ints(&df, &sub_score_column(HEART_RATE)), [Some(0), Some(0)]);
    assert_eq!(df.column(NEWS2_BAND).unwrap().null_count(), 2);
}

proptest! {
    #[test]
    fn news2_aggregate_is_the_sum_of_sub_scores_and_the_band_is_monotone(
        rr in 0i32..60, spo2 in 70i32..101, o2 in any::<bool>(), sbp in 50i32..260,
        hr in 20i32..200, conscious in 0usize..5, temp in 330i32..420,
    ) {
        let letter = ["A", "C", "V", "P", "U"][conscious];
        let df = score(&[(Some(rr), Some(spo2), Some(o2), Some(sbp), Some(hr), Some(letter), Some(f64::from(temp) / 10.0))]);
        let sum: i32 = NEWS2_INPUTS.iter().map(|p| ints(&df, &sub_score_column(p))[0].unwrap()).sum();
        let total = ints(&df, NEWS2_SCORE)[0].unwrap();
        prop_assert_eq!(total, sum);
        prop_assert!((0..=20).contains(&total));
        let band = strings(&df, NEWS2_BAND).unwrap()[0].clone().unwrap();
        let expected = if total >= 7 { "high" } else if total >= 5 { "medium" }
            else if NEWS2_INPUTS.iter().any(|p| ints(&df, &sub_score_column(p))[0] == Some(3)) { "low-medium" }
            else { "low" };
        prop_assert_eq!(band, expected);
    }
}

fn silver(
    lines: &[&str],
    watermark: Option<chrono::DateTime<chrono::Utc>>,
) -> (DataFrame, DataFrame) {
    let config = VitalsSilverConfig::default();
    let raw = df!(RAW_EVENT => lines, BATCH_ID => vec![1i64; lines.len()]).unwrap();
    let out = apply_rules(
        transform(raw.lazy(), &config, watermark).unwrap(),
        &config.rules(),
        "vitals_readings",
    )
    .unwrap();
    (out.kept, out.quarantined)
}

const OK: &str = r#"{"reading_id":"r1","patient_id":"p1","visit_id":"v1","ward":"Medical","device_id":"m1","observed_at":"2024-01-01T08:00:00Z","heart_rate":70,"respiratory_rate":16,"spo2":97,"bp_systolic":120,"temperature_c":37.0,"consciousness":" a ","supplemental_o2":false}"#;

#[test]
fn out_of_range_values_are_nulled_flagged_and_kept_as_sent() {
    let line = OK.replace(r#""heart_rate":70"#, r#""heart_rate":400"#);
    let (kept, _) = silver(&[&line], None);
    assert_eq!(ints(&kept, HEART_RATE), [None]);
    assert_eq!(ints(&kept, &original_column(HEART_RATE)), [Some(400)]);
    let flags = string_lists(&kept, DQ_FLAGS).unwrap();
    assert_eq!(flags[0], ["OUT_OF_RANGE_HEART_RATE", "INCOMPLETE_NEWS2"]);
}

#[test]
fn a_clean_reading_is_scored_with_its_consciousness_letter_normalized() {
    let (kept, quarantined) = silver(&[OK], None);
    assert_eq!(quarantined.height(), 0);
    assert_eq!(
        strings(&kept, CONSCIOUSNESS).unwrap(),
        [Some("A".to_string())]
    );
    assert_eq!(ints(&kept, NEWS2_SCORE), [Some(0)]);
    assert!(string_lists(&kept, DQ_FLAGS).unwrap()[0].is_empty());
}

#[test]
fn a_poison_message_and_a_reading_beyond_the_watermark_are_quarantined() {
    let (kept, quarantined) = silver(&["<checksum error>", OK], Some(ts("2024-01-01T09:00:00Z")));
    assert_eq!(kept.height(), 0);
    let flags = string_lists(&quarantined, DQ_FLAGS).unwrap();
    assert_eq!(flags[0], ["UNPARSEABLE_READING"]);
    assert_eq!(flags[1], ["LATE_BEYOND_WATERMARK"]);
    let (kept, _) = silver(&[OK], Some(ts("2024-01-01T07:00:00Z")));
    assert_eq!(kept.height(), 1);
}

#[test]
fn alerts_are_standardized_by_band_with_the_red_parameters_named() {
    let df = score(&[
        normal(),
        (
            Some(24),
            Some(93),
            Some(false),
            Some(105),
            Some(115),
            Some("A"),
            Some(38.5),
        ),
        (
            Some(16),
            Some(91),
            Some(false),
            Some(120),
            Some(70),
            Some("A"),
            Some(37.0),
        ),
    ])
    .lazy()
    .with_columns([
        lit("r").alias(READING_ID),
        lit("p").alias(PATIENT_ID),
        lit("v").alias(VISIT_ID),
        lit("w").alias(WARD),
        lit(0i64)
            .cast(crate::columns::utc_datetime())
            .alias(OBSERVED_AT),
    ]);
    let out = collect(alerts(df).unwrap()).unwrap();
    assert_eq!(out.height(), 2);
    let column = |c| {
        strings(&out, c)
            .unwrap()
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        column(alert_columns::ALERT_TYPE),
        ["NEWS2_HIGH", "NEWS2_RED_SCORE"]
    );
    assert_eq!(column(alert_columns::SEVERITY), ["critical", "warning"]);
    assert_eq!(
        column(alert_columns::THRESHOLD_BREACHED),
        ["news2_score >= 7", "red score: spo2"]
    );
}

fn scored_readings(rows: &[(&str, &str, i32, &str)]) -> LazyFrame {
    let times: Vec<i64> = rows.iter().map(|r| ts(r.1).timestamp_micros()).collect();
    df!(
        PATIENT_ID => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        READING_ID => rows.iter().enumerate().map(|(i, _)| format!("r{i}")).collect::<Vec<_>>(),
        VISIT_ID => rows.iter().map(|_| "v").collect::<Vec<_>>(),
        WARD => rows.iter().map(|_| "w").collect::<Vec<_>>(),
        OBSERVED_AT => times,
        NEWS2_SCORE => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        NEWS2_BAND => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )
    .unwrap()
    .lazy()
    .with_column(col(OBSERVED_AT).cast(crate::columns::utc_datetime()))
    .with_columns(NEWS2_INPUTS.map(|c| lit(NULL).alias(c)))
}

#[test]
fn snapshot_has_the_latest_score_its_trend_and_minutes_per_band() {
    let readings = scored_readings(&[
        ("p1", "2024-01-01T08:30:00Z", 8, "high"),
        ("p1", "2024-01-01T08:00:00Z", 1, "low"),
        ("p1", "2024-01-01T08:15:00Z", 5, "medium"),
        ("p2", "2024-01-01T02:00:00Z", 3, "low-medium"),
        ("p2", "2024-01-01T08:00:00Z", 0, "low"),
    ]);
    let out = collect(patient_risk_snapshot(
        readings,
        &VitalsGoldConfig::default(),
    ))
    .unwrap();
    assert_eq!(ints(&out, NEWS2_SCORE), [Some(8), Some(0)]);
    assert_eq!(ints(&out, NEWS2_CHANGE_WINDOW), [Some(7), Some(0)]);
    assert_eq!(ints(&out, NEWS2_MAX_WINDOW), [Some(8), Some(0)]);
    let minutes = |band: &str| -> Vec<Option<f64>> {
        out.column(&minutes_in_band_column(band))
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .collect()
    };
    assert_eq!(minutes("low"), [Some(15.0), Some(0.0)]);
    assert_eq!(minutes("medium"), [Some(15.0), Some(0.0)]);
    assert_eq!(minutes("high"), [Some(0.0), Some(0.0)]);
    // p2's 6-hour gap counts as max_gap_minutes (60) in low-medium.
    assert_eq!(minutes("low-medium"), [Some(0.0), Some(60.0)]);
}

#[test]
fn data_quality_metrics_separate_missing_out_of_range_and_usable_values() {
    let lines = [
        OK.to_string(),
        OK.replace(r#""heart_rate":70"#, r#""heart_rate":null"#)
            .replace("r1", "r2"),
        OK.replace(r#""heart_rate":70"#, r#""heart_rate":400"#)
            .replace("r1", "r3"),
        OK.replace("r1", "r4"),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let (kept, _) = silver(&refs, None);
    let out = collect(
        data_quality_metrics(kept.lazy(), "silver/vitals_readings")
            .filter(col(COLUMN).eq(lit(HEART_RATE))),
    )
    .unwrap();
    let f = |c: &str| out.column(c).unwrap().f64().unwrap().get(0);
    assert_eq!(f(NULL_PCT), Some(25.0));
    assert_eq!(f(OUT_OF_RANGE_PCT), Some(25.0));
    assert_eq!(f(COMPLETENESS_PCT), Some(50.0));
}

#[test]
fn simulator_records_its_dirty_data_and_deteriorating_patients_reach_high_news2() {
    let mut config = VitalsSimulatorConfig::new(40, 12, 3);
    config.deterioration_share = 0.5;
    config.dirty = VitalsDirtyConfig::clean();
    let out = simulate_vitals(&config).unwrap();
    assert_eq!(out.manifest.lines, out.manifest.readings);
    assert!(out.manifest.counts.values().all(|n| *n == 0));
    let lines: Vec<&str> = out.lines.iter().map(|l| l.line.as_str()).collect();
    let (kept, quarantined) = silver(&lines, None);
    assert_eq!(quarantined.height(), 0);
    let high = strings(&kept, NEWS2_BAND)
        .unwrap()
        .into_iter()
        .filter(|b| b.as_deref() == Some(BAND_HIGH))
        .count();
    assert!(high > 0, "deterioration episodes must reach band high");

    config.dirty = VitalsDirtyConfig {
        poison: 0.01,
        ..VitalsDirtyConfig::default()
    };
    let dirty = simulate_vitals(&config).unwrap();
    assert_eq!(
        dirty.manifest.lines,
        dirty.manifest.readings + dirty.manifest.counts["duplicate"]
    );
    assert!(dirty.manifest.counts["out_of_order"] > 0);
    assert!(dirty.manifest.counts["poison"] > 0);
    assert!(micro_batches(&dirty.lines, 60).len() >= 12);
}
