//! Feature store build on generated data: rows (patient × as-of date) per second and
//! peak memory.
//!
//! Data is generated with `synthea-gen` into a temp dir, read through `synthea-schema`'s
//! typed reader and normalized once, outside the timed loop; each iteration collects the
//! whole feature store (12 month ends, every feature group and the diabetes label).
//! Sizes: 10,000 and 100,000 patients, overridable with
//! `FEATURES_BENCH_PATIENTS=2000`. Before each size is timed, one build is run and its
//! rows/s and peak resident memory (Linux `VmHWM`, reset before) are printed, so a
//! single slow size can be read without waiting for criterion's samples.
//!
//! Run: `cargo bench --workspace --bench feature_store` (release numbers), or, as a
//! dev-profile run, build with `cargo test --workspace --bench feature_store --no-run`
//! and run the printed binary with `--bench`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ehr_features::spine::spine;
use ehr_features::{AsOfDates, FeatureInputs, FeatureStoreConfig, feature_store, groups, labels};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{ParseMode, SyntheaDir};

fn sizes() -> Vec<u64> {
    std::env::var("FEATURES_BENCH_PATIENTS")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

/// Collects on a thread with a large stack (deep plans without optimizations).
fn collect(lf: LazyFrame) -> DataFrame {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || lf.collect().unwrap())
        .unwrap()
        .join()
        .unwrap()
}

fn inputs(patients: u64, dir: &std::path::Path) -> FeatureInputs {
    synthea_gen::generate(&synthea_gen::GeneratorConfig::new(patients, 7), dir, |_| {}).unwrap();
    let d = SyntheaDir::open(dir).unwrap();
    let t = |k: TableKind| {
        let raw = d.read(k, ParseMode::Strict).unwrap().unwrap();
        collect(normalize(k, d.version(), raw, &NormalizeConfig::default()).unwrap()).lazy()
    };
    FeatureInputs {
        patients: t(TableKind::Patients),
        encounters: t(TableKind::Encounters),
        conditions: t(TableKind::Conditions),
        medications: t(TableKind::Medications),
        observations: t(TableKind::Observations),
        procedures: t(TableKind::Procedures),
    }
}

/// With `FEATURES_BENCH_GROUPS` set: the time of each feature group alone.
fn time_groups(inputs: &FeatureInputs, config: &FeatureStoreConfig) {
    let rows = collect(spine(inputs, &config.as_of, &config.labels).unwrap()).lazy();
    let g = &config.groups;
    let parts = [
        (
            "demographics",
            groups::demographics(&rows, inputs).unwrap().frame,
        ),
        (
            "conditions",
            groups::condition_features(&rows, inputs, g.conditions.as_ref().unwrap())
                .unwrap()
                .frame,
        ),
        (
            "utilization",
            groups::utilization_features(&rows, inputs, g.utilization.as_ref().unwrap())
                .unwrap()
                .frame,
        ),
        (
            "medications",
            groups::medication_features(&rows, inputs, g.medications.as_ref().unwrap())
                .unwrap()
                .frame,
        ),
        (
            "labs",
            groups::lab_features(&rows, inputs, g.labs.as_ref().unwrap())
                .unwrap()
                .frame,
        ),
        (
            "journey",
            groups::journey_features(&rows, inputs, g.journey.as_ref().unwrap(), config)
                .unwrap()
                .frame,
        ),
        (
            "labels",
            labels::diabetes_onset_label(&rows, inputs, config).unwrap(),
        ),
    ];
    for (name, frame) in parts {
        let started = Instant::now();
        let n = collect(frame).height();
        println!(
            "  group {name}: {n} rows in {:.2}s",
            started.elapsed().as_secs_f64()
        );
    }
}

fn bench(c: &mut Criterion) {
    // The generator's default export ends 2024-04-15: 12 month ends a year before it.
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let config = FeatureStoreConfig::default().with_as_of(AsOfDates::MonthEnds {
        start: d(2022, 4, 1),
        end: d(2023, 3, 31),
    });
    for patients in sizes() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = inputs(patients, dir.path());
        let store = feature_store(&inputs, &config).unwrap();
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let started = Instant::now();
        let rows = collect(store.frame.clone()).height() as u64;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "feature_store {patients} patients: {rows} rows in {secs:.1}s = {:.0} rows/s, peak RSS {:.0} MB",
            rows as f64 / secs,
            status_mb("VmHWM").unwrap_or(f64::NAN)
        );
        if std::env::var_os("FEATURES_BENCH_GROUPS").is_some() {
            time_groups(&inputs, &config);
        }
        let mut group = c.benchmark_group(format!("feature_store/{patients} patients"));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(30));
        group.throughput(Throughput::Elements(rows));
        group.bench_function("build", |b| b.iter(|| collect(store.frame.clone())));
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
