//! Throughput of the generator: patients/s and MB/s for 1,000 patients (fixed seed) into
//! a temporary directory.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use synthea_gen::{GeneratorConfig, generate};

fn bench_generate(c: &mut Criterion) {
    let config = GeneratorConfig {
        patients: 1_000,
        seed: 42,
        ..GeneratorConfig::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let bytes = generate(&config, dir.path(), |_| {}).unwrap().total_bytes;
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("1000_patients_bytes", |b| {
        b.iter(|| generate(&config, dir.path(), |_| {}).unwrap())
    });
    group.throughput(Throughput::Elements(config.patients));
    group.bench_function("1000_patients_elements", |b| {
        b.iter(|| generate(&config, dir.path(), |_| {}).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_generate);
criterion_main!(benches);
