#![allow(clippy::unwrap_used)]

use medallion_core::pipeline::{DQ_FLAGS, RuleOutcome, apply_rules};
use serde_json::{Value, json};

use super::rules::*;
use super::*;

/// A clean ADMISSION event; `edit` changes it.
fn event(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut e = json!({
        "event_id": "e1", "event_type": "ADMISSION",
        "event_timestamp": "2024-01-05T10:00:00Z", "visit_id": "v1",
        "patient_id": "p1", "age": 40, "gender": "Female", "insurance_type": "Private",
        "hospital_id": 2, "hospital_name": "Riverside General Hospital",
        "department": "Surgery", "bed_id": "H2-SUR-3",
        "admission_time": "2024-01-05T10:00:00Z", "discharge_time": null,
        "admission_priority": "Urgent", "diagnosis_code": "K35.80",
        "vitals": {"heart_rate": 80, "bp_systolic": 120, "bp_diastolic": 80,
                   "temperature_f": 98.6, "spo2": 98}
    });
    edit(e.as_object_mut().unwrap());
    e.to_string()
}

fn run(lines: &[String]) -> RuleOutcome {
    let raw = df!(RAW_EVENT => lines).unwrap();
    let config = SilverConfig::default();
    let silver = transform(raw.lazy(), &Network::default(), &config).unwrap();
    apply_rules(silver, &config.rules(), "adt_events").unwrap()
}

fn flags(df: &DataFrame, row: usize) -> Vec<String> {
    crate::testkit::string_lists(df, DQ_FLAGS)
        .unwrap()
        .swap_remove(row)
}

/// One event per value of `field` (event ids `e0`, `e1`, …).
fn each(field: &str, values: &[Value]) -> Vec<String> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            event(|e| {
                e.insert(field.into(), v.clone());
                e.insert("event_id".into(), json!(format!("e{i}")));
            })
        })
        .collect()
}

fn micros(df: &DataFrame, column: &str) -> Option<i64> {
    df.column(column)
        .unwrap()
        .to_physical_repr()
        .i64()
        .unwrap()
        .get(0)
}

fn text(df: &DataFrame, column: &str) -> Option<String> {
    df.column(column)
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .map(str::to_string)
}

fn int(df: &DataFrame, column: &str) -> Option<i32> {
    df.column(column).unwrap().i32().unwrap().get(0)
}

const JAN5_10H: i64 = 1_704_448_800_000_000;

#[test]
fn a_clean_event_has_no_flags_and_the_silver_schema() {
    let out = run(&[event(|_| {})]);
    assert_eq!(out.kept.height(), 1);
    assert!(flags(&out.kept, 0).is_empty());
    let mut expected = silver_schema();
    for lineage in [INGESTED_AT, SOURCE_FILE, SOURCE_ROW, BATCH_ID] {
        expected.remove(lineage);
    }
    assert_eq!(out.kept.schema().as_ref(), &expected);
    assert_eq!(text(&out.kept, GENDER).as_deref(), Some("female"));
    assert_eq!(micros(&out.kept, EVENT_TIMESTAMP), Some(JAN5_10H));
}

#[test]
fn future_admission_is_replaced_by_the_event_timestamp_and_kept_as_original() {
    let out = run(&[event(|e| {
        e.insert("admission_time".into(), json!("2024-06-01T00:00:00Z"));
    })]);
    assert_eq!(flags(&out.kept, 0), [FUTURE_ADMISSION]);
    assert_eq!(micros(&out.kept, ADMISSION_TIME), Some(JAN5_10H));
    assert_eq!(
        micros(&out.kept, ORIGINAL_ADMISSION_TIME),
        Some(1_717_200_000_000_000)
    );
}

#[test]
fn invalid_age_is_nulled_for_negative_and_above_120_but_not_at_the_bounds() {
    let ages = [-1, 121, 0, 120];
    let lines = each("age", &ages.map(|a| json!(a)));
    let out = run(&lines);
    let age = out.kept.column(AGE).unwrap().i32().unwrap();
    assert_eq!(
        age.iter().collect::<Vec<_>>(),
        [None, None, Some(0), Some(120)]
    );
    let original = out.kept.column(ORIGINAL_AGE).unwrap().i32().unwrap();
    assert_eq!(
        original.iter().collect::<Vec<_>>(),
        [Some(-1), Some(121), None, None]
    );
    assert_eq!(flags(&out.kept, 0), [INVALID_AGE]);
    assert!(flags(&out.kept, 3).is_empty());
    assert_eq!(out.rule_hits[INVALID_AGE], 2);
}

#[test]
fn discharge_before_admit_nulls_the_discharge_and_keeps_the_original() {
    let out = run(&[event(|e| {
        e.insert("event_type".into(), json!("DISCHARGE"));
        e.insert("discharge_time".into(), json!("2024-01-05T08:00:00Z"));
    })]);
    assert_eq!(flags(&out.kept, 0), [DISCHARGE_BEFORE_ADMIT]);
    assert_eq!(micros(&out.kept, DISCHARGE_TIME), None);
    assert_eq!(
        micros(&out.kept, ORIGINAL_DISCHARGE_TIME),
        Some(JAN5_10H - 7_200_000_000)
    );
}

#[test]
fn discharge_before_admit_compares_with_the_corrected_admission() {
    // A future admission on a discharge: corrected to the event time, so the discharge
    // (at the event time) is no longer before it.
    let out = run(&[event(|e| {
        e.insert("event_type".into(), json!("DISCHARGE"));
        e.insert("admission_time".into(), json!("2025-01-01T00:00:00Z"));
        e.insert("discharge_time".into(), json!("2024-01-05T10:00:00Z"));
    })]);
    assert_eq!(flags(&out.kept, 0), [FUTURE_ADMISSION]);
    assert_eq!(micros(&out.kept, DISCHARGE_TIME), Some(JAN5_10H));
}

#[test]
fn dept_typo_maps_misspellings_case_and_whitespace_variants_to_the_canonical_name() {
    let variants = [
        "Emergancy",
        "PEDS",
        "Cardiolgy",
        "  icu ",
        "SURGERY",
        "Intensive   Care",
    ];
    let expected = [
        "Emergency",
        "Pediatrics",
        "Cardiology",
        "ICU",
        "Surgery",
        "ICU",
    ];
    let lines = each("department", &variants.map(|v| json!(v)));
    let out = run(&lines);
    assert_eq!(out.kept.height(), variants.len());
    let dept = crate::testkit::strings(&out.kept, DEPARTMENT).unwrap();
    assert_eq!(dept, expected.map(|d| Some(d.to_string())));
    let original = crate::testkit::strings(&out.kept, ORIGINAL_DEPARTMENT).unwrap();
    assert_eq!(original, variants.map(|v| Some(v.to_string())));
    assert!((0..variants.len()).all(|i| flags(&out.kept, i) == [DEPT_TYPO]));
}

#[test]
fn unknown_department_is_quarantined_with_its_original_name() {
    let out = run(&[event(|e| {
        e.insert("department".into(), json!("Radiolgy"));
    })]);
    assert_eq!((out.kept.height(), out.quarantined.height()), (0, 1));
    assert_eq!(flags(&out.quarantined, 0), [UNKNOWN_DEPARTMENT]);
    assert_eq!(
        text(&out.quarantined, ORIGINAL_DEPARTMENT).as_deref(),
        Some("Radiolgy")
    );
}

#[test]
fn invalid_hospital_id_is_nulled_and_kept_as_original() {
    let out = run(&[event(|e| {
        e.insert("hospital_id".into(), json!(99));
    })]);
    assert_eq!(flags(&out.kept, 0), [INVALID_HOSPITAL_ID]);
    assert_eq!(int(&out.kept, HOSPITAL_ID), None);
    assert_eq!(int(&out.kept, ORIGINAL_HOSPITAL_ID), Some(99));
}

#[test]
fn missing_critical_fields_are_flagged_by_name_whether_absent_null_or_blank() {
    let lines = [
        event(|e| {
            e.remove("patient_id");
        }),
        event(|e| {
            e.insert("event_type".into(), Value::Null);
        }),
        event(|e| {
            e.insert("department".into(), json!("   "));
        }),
    ];
    let out = run(&lines);
    assert_eq!(
        out.kept.height(),
        3,
        "missing fields are flagged, not quarantined"
    );
    assert_eq!(flags(&out.kept, 0), [missing_rule_name(PATIENT_ID)]);
    assert_eq!(flags(&out.kept, 1), ["MISSING_EVENT_TYPE"]);
    assert_eq!(flags(&out.kept, 2), ["MISSING_DEPARTMENT"]);
}

#[test]
fn missing_event_id_is_quarantined_because_it_is_the_key() {
    let out = run(&[event(|e| {
        e.remove("event_id");
    })]);
    assert_eq!(out.quarantined.height(), 1);
    assert_eq!(flags(&out.quarantined, 0), ["MISSING_EVENT_ID"]);
}

#[test]
fn unknown_event_type_and_unparseable_lines_are_quarantined() {
    let out = run(&[
        event(|e| {
            e.insert("event_type".into(), json!("ADMIT"));
        }),
        "{not json".to_string(),
    ]);
    assert_eq!(out.quarantined.height(), 2);
    assert_eq!(flags(&out.quarantined, 0), [UNKNOWN_EVENT_TYPE]);
    assert!(flags(&out.quarantined, 1).contains(&UNPARSEABLE_EVENT.to_string()));
}

#[test]
fn malformed_field_is_nulled_flagged_and_named() {
    let out = run(&[event(|e| {
        e.insert("age".into(), json!("forty"));
    })]);
    assert_eq!(flags(&out.kept, 0), [MALFORMED_FIELD]);
    assert_eq!(int(&out.kept, AGE), None);
    let named = crate::testkit::string_lists(&out.kept, MALFORMED_FIELDS).unwrap();
    assert_eq!(named, [["age"]]);
}

#[test]
fn configured_severity_overrides_the_default() {
    let raw = df!(RAW_EVENT => [event(|e| { e.remove("patient_id"); })]).unwrap();
    let mut config = SilverConfig::default();
    config.severities.insert(
        "MISSING_PATIENT_ID".into(),
        medallion_model::Severity::Quarantine,
    );
    let silver = transform(raw.lazy(), &Network::default(), &config).unwrap();
    let out = apply_rules(silver, &config.rules(), "t").unwrap();
    assert_eq!(out.quarantined.height(), 1);
}

#[test]
fn default_synonyms_map_every_simulated_typo_and_none_of_the_unmappable_names() {
    let config = SilverConfig::default();
    config.validate(&Network::default()).unwrap();
    let dirty = crate::simulator::DirtyConfig::default();
    for (canonical, typos) in &dirty.department_typos {
        for typo in typos {
            assert_eq!(
                config.department_synonyms.get(&normalize_key(typo)),
                Some(canonical),
                "{typo:?}"
            );
        }
    }
    for name in &dirty.unmappable_typos {
        assert!(
            !config
                .department_synonyms
                .contains_key(&normalize_key(name)),
            "{name}"
        );
    }
}

#[test]
fn config_validation_names_the_bad_synonym() {
    let mut config = SilverConfig::default();
    config
        .department_synonyms
        .insert("xray".into(), "Radiology".into());
    let err = config
        .validate(&Network::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("department_synonyms.xray"), "{err}");
    let json = r#"{"max_age": 110}"#;
    let loaded: SilverConfig = serde_json::from_str(json).unwrap();
    assert_eq!(loaded.max_age, 110);
    assert_eq!(loaded.department_synonyms, default_department_synonyms());
}
