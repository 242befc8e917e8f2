//! Criterion benches of every metric on generated data.
//!
//! Data is generated with `synthea-gen` into a temp dir, read and normalized once,
//! outside the timed loop; each bench times one metric's `collect`. Sizes: 10,000 and
//! 100,000 patients, overridable with `QM_BENCH_PATIENTS=1000,5000`. Throughput is the
//! number of input rows the metric reads, so results read as rows/s.
#![allow(clippy::unwrap_used, missing_docs)]

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ehr_quality_metrics::prelude::*;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{ParseMode, SyntheaDir};

fn sizes() -> Vec<u64> {
    std::env::var("QM_BENCH_PATIENTS")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

fn materialize(lf: LazyFrame) -> LazyFrame {
    lf.collect().unwrap().lazy()
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
        let inputs = SilverInputs {
            encounters: t(TableKind::Encounters),
            patients: t(TableKind::Patients),
            conditions: t(TableKind::Conditions),
            medications: t(TableKind::Medications),
            procedures: t(TableKind::Procedures),
            capacity: None,
        };
        let rows = |lf: &LazyFrame| lf.clone().collect().unwrap().height() as u64;
        let enc_rows = rows(&inputs.encounters);
        let as_of: NaiveDate = gen_cfg.end_date;
        let config = QualityConfig::default();
        let mut group = c.benchmark_group(format!("{patients} patients"));
        group.sample_size(10);
        for table in gold_tables(&inputs, &config, as_of).unwrap() {
            let (name, lf) = (table.name.as_str(), table.frame);
            let input_rows = match name {
                "medication_adherence" => rows(&inputs.medications),
                "diagnosis_latency" => rows(&inputs.conditions) + enc_rows,
                "encounters_per_condition" => rows(&inputs.conditions),
                _ => enc_rows,
            };
            group.throughput(Throughput::Elements(input_rows));
            group.bench_function(name, |b| b.iter(|| lf.clone().collect().unwrap()));
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
