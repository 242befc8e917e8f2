//! End-to-end wall time and peak memory of the Synthea lakehouse pipeline
//! (bronze → silver → gold).
//!
//! For each population size, a Synthea export is generated once with a fixed seed
//! (outside the timed loop); each iteration then builds a fresh lakehouse from it.
//! Throughput is reported in patients/s. Sizes default to 1,000 and 10,000 patients
//! (the target: 10,000 patients in under 60 s); override with
//! `PIPELINE_BENCH_PATIENTS=500,2000`.
//!
//! On Linux the peak resident set size of one run is printed before each size is timed:
//! the kernel's high-water mark, reset through `/proc/self/clear_refs`, around one
//! untimed run (the target: under 4 GB at 10,000 patients). It is measured on the
//! first run because glibc keeps freed memory in per-thread arenas, so RSS creeps up
//! over many runs in one process (`MALLOC_ARENA_MAX=2` keeps it flat); for the same
//! reason a later size starts from what earlier sizes left behind (printed as "RSS
//! before it"), so `PIPELINE_BENCH_PATIENTS=10000` alone gives the cleanest figure.
//!
//! ```text
//! cargo bench --bench pipeline
//! ```
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use synthea_gen::{GeneratorConfig, generate};
use synthea_pipeline::{PipelineConfig, run_pipeline};

const SEED: u64 = 42;

fn sizes() -> Vec<u64> {
    std::env::var("PIPELINE_BENCH_PATIENTS")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| vec![1_000, 10_000])
}

/// Resets the process's peak-RSS high-water mark (Linux; elsewhere a no-op).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// A `/proc/self/status` memory field in MB (Linux; elsewhere `None`): `VmHWM` is the
/// peak RSS since the last reset, `VmRSS` the current RSS.
fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn bench_pipeline(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let as_of = NaiveDate::from_ymd_opt(2024, 4, 15).unwrap();
    let mut group = c.benchmark_group("synthea_lakehouse");
    // Flat sampling: every sample runs the same few iterations (linear sampling would
    // run 55 whole-lakehouse builds per size).
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(120));
    for patients in sizes() {
        let landing = tempfile::tempdir().unwrap();
        generate(
            &GeneratorConfig::new(patients, SEED),
            landing.path().join("export"),
            |_| {},
        )
        .unwrap();
        group.throughput(Throughput::Elements(patients));
        let build = |run: u64| {
            let lake = tempfile::tempdir().unwrap();
            let config = PipelineConfig::new(lake.path(), "bench", as_of, format!("run-{run}"));
            runtime
                .block_on(run_pipeline(&config, landing.path(), &mut |_| {}))
                .unwrap()
        };
        reset_peak_rss();
        let before = status_mb("VmRSS:");
        build(0);
        if let (Some(before), Some(peak)) = (before, status_mb("VmHWM:")) {
            // `before` is what earlier sizes left behind in the allocator: run one size
            // per process for a clean figure.
            println!(
                "synthea_lakehouse/{patients} patients: peak RSS of one run {peak:.0} MB \
                 (RSS before it {before:.0} MB)"
            );
        }
        let mut run = 0u64;
        group.bench_function(format!("{patients} patients"), |b| {
            b.iter(|| {
                run += 1;
                build(run)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_pipeline);
criterion_main!(benches);
