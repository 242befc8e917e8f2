//! Property tests: normalization preserves row counts, order and ids.

use polars::prelude::*;
use proptest::prelude::*;
use synthea_schema::normalize::{NormalizeConfig, normalize, silver_schema};
use synthea_schema::spec::TableKind;
use synthea_schema::version::SyntheaVersion;

fn id() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}".prop_map(|s| s)
}

fn timestamp() -> impl Strategy<Value = String> {
    (1940i32..2030, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60)
        .prop_map(|(y, m, d, h, mi)| format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:00Z"))
}

fn class() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("wellness".to_string()),
        Just("INPATIENT".to_string()),
        Just(" urgent_care ".to_string()),
        Just(String::new()),
        "[a-z]{1,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn normalization_preserves_rows_and_ids(
        rows in prop::collection::vec((id(), timestamp(), timestamp(), id(), class(), any::<bool>()), 0..40),
        version in prop_oneof![Just(SyntheaVersion::V2), Just(SyntheaVersion::V3Early), Just(SyntheaVersion::V3Latest)],
    ) {
        // Pad some ids with whitespace: silver trims them.
        let ids: Vec<String> = rows.iter().map(|r| if r.5 { format!("  {} ", r.0) } else { r.0.clone() }).collect();
        let raw = df!(
            "Id" => ids.clone(),
            "START" => rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            "STOP" => rows.iter().map(|r| r.2.clone()).collect::<Vec<_>>(),
            "PATIENT" => rows.iter().map(|r| r.3.clone()).collect::<Vec<_>>(),
            "ENCOUNTERCLASS" => rows.iter().map(|r| r.4.clone()).collect::<Vec<_>>(),
        ).map_err(|e| TestCaseError::fail(e.to_string()))?.lazy();
        let mut silver = normalize(TableKind::Encounters, version, raw, &NormalizeConfig::default())
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let schema = silver.collect_schema().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(schema.as_ref(), &silver_schema(TableKind::Encounters));
        let df = silver.collect().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(df.height(), rows.len());
        let got = df.column("encounter_id").and_then(|c| c.str().cloned()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (i, expected) in ids.iter().enumerate() {
            prop_assert_eq!(got.get(i), Some(expected.trim()));
        }
        let start = df.column("start").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(start.null_count(), 0);
    }
}
