//! Criterion bench of the patient-flow lakehouse: simulated ADT events through bronze →
//! silver → gold Delta tables.
//!
//! Regime: the landing NDJSON (2 % dirty) is simulated once per size **outside** the
//! timed loop; each iteration builds a fresh lakehouse from it (bronze ingestion, silver
//! parse/rules/dedup/upsert, SCD2 `dim_patient`, every gold table). Throughput is in
//! landing events per second.
//!
//! Sizes: 100,000 and 1,000,000 events; override with
//! `PATIENT_FLOW_BENCH_EVENTS=10000,50000`. Run: `cargo bench --bench patient_flow`
//! (release; `cargo bench --no-run --profile dev` only compiles it).
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use clinical_events::pipeline::{PipelineConfig, run_pipeline};
use clinical_events::simulator::{DirtyConfig, SimulatorConfig, write_landing};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

fn sizes() -> Vec<u64> {
    std::env::var("PATIENT_FLOW_BENCH_EVENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

fn bench_pipeline(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("patient_flow_pipeline");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(60));
    for events in sizes() {
        let landing = tempfile::tempdir().unwrap();
        let mut config = SimulatorConfig::new(events, 42);
        config.dirty = DirtyConfig::uniform(0.02);
        let manifest = write_landing(&config, landing.path()).unwrap();
        let as_of = manifest.summary.last_event.unwrap();
        group.throughput(Throughput::Elements(manifest.lines));
        group.bench_with_input(BenchmarkId::from_parameter(events), &events, |b, _| {
            b.iter(|| {
                let lake = tempfile::tempdir().unwrap();
                let pipeline = PipelineConfig::new(lake.path(), as_of, "bench");
                runtime
                    .block_on(Box::pin(run_pipeline(
                        &pipeline,
                        landing.path(),
                        &mut |_| {},
                    )))
                    .unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_pipeline);
criterion_main!(benches);
