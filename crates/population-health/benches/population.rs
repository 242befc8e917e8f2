//! Criterion benches of every population-health table on generated data, and of an
//! incremental surveillance update against the full computation.
//!
//! Data is generated with `synthea-gen` into a temp dir, read through `synthea-schema`'s
//! typed reader and normalized once, outside the timed loop; each bench times one
//! table's `collect`. Sizes: 10,000 and 100,000 patients, overridable with
//! `PH_BENCH_PATIENTS=1000,5000`. Throughput is the number of silver input rows the
//! table reads, so results read as rows/s.
//!
//! `surveillance_update` updates the surveillance tables computed without the last 1 %
//! of the condition rows with those rows (as a second batch would), against
//! `surveillance_full` over all rows.
//!
//! Run: `cargo bench --workspace --bench population` (release numbers), or, as a quick
//! dev-profile smoke run, build with `cargo test --workspace --bench population
//! --no-run` and run the printed binary with `--bench`.
#![allow(clippy::unwrap_used, missing_docs)]

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ehr_population_health::prelude::*;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{ParseMode, SyntheaDir};

fn sizes() -> Vec<u64> {
    std::env::var("PH_BENCH_PATIENTS")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

fn materialize(lf: LazyFrame) -> LazyFrame {
    lf.collect().unwrap().lazy()
}

fn rows(lf: &LazyFrame) -> u64 {
    lf.clone().collect().unwrap().height() as u64
}

/// Silver rows each table reads.
fn input_rows(name: &str, inputs: &PopulationInputs) -> u64 {
    let (p, c, o) = (
        rows(&inputs.patients),
        rows(&inputs.conditions),
        rows(&inputs.observations),
    );
    match name {
        "condition_prevalence" | "top_conditions_by_age_band" => p + c,
        "vitals_by_group" => p + o,
        "disease_prevalence_daily" | "condition_incidence_weekly" => p + c,
        "lab_abnormal_trends" => o,
        "patient_clinical_summary" => {
            p + c + o + rows(&inputs.medications) + rows(&inputs.encounters)
        }
        _ => rows(&inputs.encounters) + p + rows(&inputs.procedures),
    }
}

fn bench(c: &mut Criterion) {
    for patients in sizes() {
        let dir = tempfile::tempdir().unwrap();
        let gen_cfg = synthea_gen::GeneratorConfig::new(patients, 7);
        synthea_gen::generate(&gen_cfg, dir.path(), |_| {}).unwrap();
        let d = SyntheaDir::open(dir.path()).unwrap();
        let t = |k: TableKind| {
            let raw = d.read(k, ParseMode::Strict).unwrap().unwrap();
            materialize(normalize(k, d.version(), raw, &NormalizeConfig::default()).unwrap())
        };
        let inputs = PopulationInputs {
            patients: t(TableKind::Patients),
            encounters: t(TableKind::Encounters),
            conditions: t(TableKind::Conditions),
            medications: t(TableKind::Medications),
            observations: t(TableKind::Observations),
            procedures: t(TableKind::Procedures),
        };
        let as_of: NaiveDate = gen_cfg.end_date;
        let config = PopulationHealthConfig::default();
        let mut group = c.benchmark_group(format!("{patients} patients"));
        group.sample_size(10);
        let tables = gold_tables(&inputs, &config, &Default::default(), as_of).unwrap();
        for table in tables {
            let (name, lf) = (table.name.clone(), table.frame);
            group.throughput(Throughput::Elements(input_rows(&name, &inputs)));
            group.bench_function(name, |b| b.iter(|| lf.clone().collect().unwrap()));
        }
        bench_surveillance(&mut group, &inputs, &config.surveillance, as_of);
        group.finish();
    }
}

/// Full surveillance vs. an update with the last 1 % of the condition rows.
fn bench_surveillance(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    inputs: &PopulationInputs,
    config: &SurveillanceConfig,
    as_of: NaiveDate,
) {
    let all = SurveillanceInputs {
        patients: inputs.patients.clone(),
        conditions: inputs.conditions.clone(),
    };
    let total = rows(&inputs.conditions);
    let kept = total - total / 100;
    let earlier = SurveillanceInputs {
        patients: inputs.patients.clone(),
        conditions: inputs.conditions.clone().slice(0, kept as u32),
    };
    let new_rows = inputs
        .conditions
        .clone()
        .slice(kept as i64, (total - kept) as u32);
    let previous = surveillance(&earlier, config, as_of).unwrap();
    let previous = Surveillance {
        daily: materialize(previous.daily),
        weekly: materialize(previous.weekly),
    };
    group.throughput(Throughput::Elements(total + rows(&inputs.patients)));
    group.bench_function("surveillance_full", |b| {
        b.iter(|| {
            let s = surveillance(&all, config, as_of).unwrap();
            (s.daily.collect().unwrap(), s.weekly.collect().unwrap())
        })
    });
    group.bench_function("surveillance_update", |b| {
        b.iter(|| {
            let u = surveillance_update(&previous, &all, new_rows.clone(), config, as_of).unwrap();
            (
                u.changed_daily.collect().unwrap(),
                u.changed_weekly.collect().unwrap(),
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
