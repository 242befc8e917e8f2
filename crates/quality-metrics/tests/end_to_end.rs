//! End-to-end sanity on the real Synthea samples (`SYNTHEA_SAMPLES_DIR`) and on
//! generated data, plus property tests over generated fixtures.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use chrono::NaiveDate;
use ehr_quality_metrics::prelude::*;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{ParseMode, SyntheaDir};

mod common;
use common::on_big_stack;

fn load(dir: &Path) -> SilverInputs {
    let d = SyntheaDir::open(dir).unwrap();
    let t = |k: TableKind| {
        let raw = d.read(k, ParseMode::Strict).unwrap().unwrap();
        normalize(k, d.version(), raw, &NormalizeConfig::default()).unwrap()
    };
    SilverInputs {
        encounters: t(TableKind::Encounters),
        patients: t(TableKind::Patients),
        conditions: t(TableKind::Conditions),
        medications: t(TableKind::Medications),
        procedures: t(TableKind::Procedures),
        capacity: None,
    }
}

/// Collects every gold table, checks invariants, returns (stays, index, readmits, alos).
fn check(label: &str, inputs: SilverInputs, as_of: NaiveDate) -> (usize, u32, u32, f64) {
    let tables = gold_tables(&inputs, &QualityConfig::default(), as_of).unwrap();
    let names: Vec<_> = tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, GOLD_TABLES);
    let mut out = std::collections::HashMap::new();
    for table in tables {
        out.insert(table.name, table.frame.collect().unwrap());
    }
    let stays = &out["inpatient_stays"];
    let bridge = &out["stay_encounters"];
    let inpatient = inputs
        .encounters
        .filter(col("encounter_class").eq(lit("inpatient")))
        .select([col("encounter_id").n_unique()])
        .collect()
        .unwrap();
    let n_inpatient = inpatient
        .column("encounter_id")
        .unwrap()
        .u32()
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(
        bridge.height() as u32,
        n_inpatient,
        "{label}: bridge covers all"
    );
    assert_eq!(
        stays.column("stay_id").unwrap().n_unique().unwrap(),
        stays.height()
    );
    let r = &out["readmissions"];
    let idx = r
        .column("index_flag")
        .unwrap()
        .bool()
        .unwrap()
        .sum()
        .unwrap_or(0);
    let readm = r
        .column("readmission_flag")
        .unwrap()
        .bool()
        .unwrap()
        .sum()
        .unwrap_or(0);
    assert!(readm <= idx);
    let discharged = stays.column("los_days").unwrap().i32().unwrap();
    let alos = discharged.sum().unwrap_or(0) as f64
        / (discharged.len() - discharged.null_count()).max(1) as f64;
    let pdc = out["medication_adherence"]
        .column("pdc")
        .unwrap()
        .f64()
        .unwrap()
        .clone();
    assert!(pdc.iter().flatten().all(|v| (0.0..=1.0).contains(&v)));
    let adh = &out["medication_adherence"];
    let eligible = adh
        .column("eligible_flag")
        .unwrap()
        .bool()
        .unwrap()
        .sum()
        .unwrap_or(0);
    let adherent = adh
        .column("adherent_flag")
        .unwrap()
        .bool()
        .unwrap()
        .sum()
        .unwrap_or(0);
    let lat = &out["diagnosis_latency"];
    let lat_med = lat.column("latency_days").unwrap().i32().unwrap().median();
    let census = &out["daily_census"];
    let occ_mean = census
        .column("occupancy_pct")
        .unwrap()
        .f64()
        .unwrap()
        .mean();
    println!(
        "{label}: inpatient encounters {n_inpatient}, stays {}, ALOS {alos:.2} d, index stays {idx}, readmissions {readm} ({:.1} %), crude {} of {}; adherence rows {}, eligible {eligible}, adherent {adherent}; latency rows {}, median {:?} d; census rows {}, mean occupancy {:?} %",
        stays.height(),
        100.0 * readm as f64 / idx.max(1) as f64,
        r.column("crude_readmission_flag")
            .unwrap()
            .bool()
            .unwrap()
            .sum()
            .unwrap_or(0),
        stays.height() - stays.column("discharge_date").unwrap().null_count(),
        adh.height(),
        lat.height(),
        lat_med,
        census.height(),
        occ_mean,
    );
    (stays.height(), idx, readm, alos)
}

#[test]
fn real_synthea_exports_produce_sane_metrics() {
    let Ok(root) = std::env::var("SYNTHEA_SAMPLES_DIR") else {
        println!("skipped: SYNTHEA_SAMPLES_DIR not set");
        return;
    };
    on_big_stack(move || {
        for sample in ["v2-10p", "v3-early-59p", "v3-2024-11p"] {
            let dir = Path::new(&root).join(sample);
            let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
            let (stays, idx, readm, alos) = check(sample, load(&dir), as_of);
            assert!(stays > 0, "{sample}: has inpatient stays");
            assert!(readm <= idx);
            assert!(alos >= 1.0, "{sample}: ALOS ≥ 1 day");
        }
    });
}

#[test]
fn generated_data_has_plausible_readmission_rate_and_alos() {
    on_big_stack(|| {
        let dir = tempfile::tempdir().unwrap();
        let cfg = synthea_gen::GeneratorConfig::new(300, 7);
        synthea_gen::generate(&cfg, dir.path(), |_| {}).unwrap();
        let (_, idx, readm, alos) = check("generated-300", load(dir.path()), cfg.end_date);
        let rate = readm as f64 / idx as f64;
        assert!((0.03..=0.25).contains(&rate), "readmission rate {rate}");
        assert!((1.0..=15.0).contains(&alos), "ALOS {alos}");
    });
}
