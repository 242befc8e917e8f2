//! Criterion bench of the journey gold tables on generated Synthea data.
//!
//! Regime: a clean `synthea-gen` export of N patients is generated, read and normalized
//! into memory **outside** the timed loop; each iteration builds and collects all four
//! gold tables (`patient_timeline`, `episodes`, `condition_journeys`,
//! `time_to_treatment`). Throughput is reported in input rows (encounters + conditions +
//! medications + procedures + immunizations + observations) per second.
//!
//! Sizes: 10,000 and 100,000 patients; override with `JOURNEY_BENCH_PATIENTS=1000,5000`.
//! Run: `cargo bench -p ehr-journey --bench journey`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ehr_journey::{JourneyConfig, JourneyInputs, gold_tables};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{ParseMode, SyntheaDir};

fn sizes() -> Vec<u64> {
    match std::env::var("JOURNEY_BENCH_PATIENTS") {
        Ok(v) => v.split(',').filter_map(|s| s.trim().parse().ok()).collect(),
        Err(_) => vec![10_000, 100_000],
    }
}

fn prepare(patients: u64) -> (JourneyInputs, u64) {
    let dir = tempfile::tempdir().unwrap();
    let config = synthea_gen::GeneratorConfig::new(patients, 7);
    synthea_gen::generate(&config, dir.path(), |_| {}).unwrap();
    let synthea = SyntheaDir::open(dir.path()).unwrap();
    let mut rows = 0u64;
    let mut table = |kind: TableKind| -> Option<LazyFrame> {
        let raw = synthea.read(kind, ParseMode::Strict).unwrap()?;
        let df = normalize(kind, synthea.version(), raw, &NormalizeConfig::default())
            .unwrap()
            .collect()
            .unwrap();
        rows += df.height() as u64;
        Some(df.lazy())
    };
    let inputs = JourneyInputs {
        encounters: table(TableKind::Encounters).unwrap(),
        conditions: table(TableKind::Conditions).unwrap(),
        medications: table(TableKind::Medications).unwrap(),
        procedures: table(TableKind::Procedures),
        immunizations: table(TableKind::Immunizations),
        observations: table(TableKind::Observations),
    };
    (inputs, rows)
}

fn bench_gold_tables(c: &mut Criterion) {
    let mut group = c.benchmark_group("journey_gold_tables");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let config = JourneyConfig::default();
    for patients in sizes() {
        let (inputs, rows) = prepare(patients);
        group.throughput(Throughput::Elements(rows));
        group.bench_with_input(
            BenchmarkId::new("all_gold_tables", format!("{patients} patients")),
            &inputs,
            |b, inputs| {
                b.iter(|| {
                    let tables = gold_tables(inputs, &config).unwrap();
                    tables
                        .into_iter()
                        .map(|table| table.frame.collect().unwrap().height())
                        .sum::<usize>()
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_gold_tables);
criterion_main!(benches);
