//! Throughput of a silver run (transform, rules, batch-wide dedup, commit), in rows/s.
//!
//! Data: a CSV of 1 million rows × 8 columns (1 % of the keys repeated), written with a
//! fixed seed and ingested to bronze once, outside the timed loop; every iteration builds
//! a fresh silver table from that bronze table. Override the size with
//! `MEDALLION_SILVER_BENCH_ROWS`:
//!
//! ```text
//! cargo bench --workspace --bench silver
//! MEDALLION_SILVER_BENCH_ROWS=200000 cargo bench --workspace --bench silver
//! ```
//!
//! Regimes measured:
//! - `silver/one chunk`: the whole batch in one chunk (no spill);
//! - `silver/100k-row chunks`: the bounded-memory path (chunks spilled to Parquet, then
//!   batch-wide deduplication and one streamed commit).
#![allow(missing_docs, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use medallion_core::pipeline::{BronzeIngestBuilder, Rule, SilverBuilder};
use polars::prelude::*;

const DEFAULT_ROWS: usize = 1_000_000;
const SEED: u64 = 42;

fn rows() -> usize {
    std::env::var("MEDALLION_SILVER_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROWS)
}

/// SplitMix64: deterministic values for a given seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A landing CSV of `n` visit rows; every hundredth row repeats an earlier key.
fn landing_csv(n: usize) -> String {
    let mut state = SEED;
    let mut body = String::from("Id,PATIENT,START,CLASS,CODE,COST,VALUE,NOTE\n");
    for i in 0..n {
        let r = splitmix(&mut state);
        let id = if i % 100 == 99 { i / 2 } else { i };
        let _ = writeln!(
            body,
            "v{id:09},p{:06},2024-{:02}-{:02}T{:02}:00:00Z,{},{},{}.{:02},{},note {}",
            r % 100_000,
            1 + r % 12,
            1 + (r >> 8) % 28,
            (r >> 16) % 24,
            ["wellness", "ambulatory", "inpatient", "emergency"][(r >> 20) as usize % 4],
            100_000 + (r >> 24) % 5_000,
            (r >> 32) % 10_000,
            (r >> 40) % 100,
            (r >> 48) % 1_000,
            r % 7
        );
    }
    body
}

fn bench_silver(c: &mut Criterion) {
    let n = rows();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    std::fs::write(landing.path().join("visits.csv"), landing_csv(n)).unwrap();
    let bronze = lake.path().join("bronze/visits");
    runtime
        .block_on(async {
            BronzeIngestBuilder::new(landing.path(), &bronze, "bench")
                .unwrap()
                .await
        })
        .unwrap();

    let mut group = c.benchmark_group("silver");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(n as u64));
    for (name, chunk_rows) in [("one chunk", usize::MAX), ("100k-row chunks", 100_000)] {
        let mut run = 0u32;
        group.bench_function(name, |b| {
            b.iter(|| {
                run += 1;
                let silver = lake.path().join(format!("silver/{run}-{chunk_rows}"));
                let report = runtime.block_on(async {
                    SilverBuilder::new(&bronze, &silver, "bench", ["Id"])
                        .unwrap()
                        .with_transform(|raw| {
                            Ok::<_, PolarsError>(raw.with_columns([
                                col("START").str().to_datetime(
                                    Some(TimeUnit::Microseconds),
                                    Some(TimeZone::UTC),
                                    StrptimeOptions::default(),
                                    lit("raise"),
                                ),
                                col("COST").cast(DataType::Float64),
                                col("VALUE").cast(DataType::Int64),
                            ]))
                        })
                        .with_rule(Rule::warn(
                            "cost_high",
                            col("COST").gt(lit(4_000.0)),
                            "cost above 4000",
                        ))
                        .with_rule(Rule::quarantine(
                            "no_patient",
                            col("PATIENT").is_null(),
                            "patient missing",
                        ))
                        .with_duplicate_flag("duplicate_id")
                        .with_chunk_rows(chunk_rows)
                        .with_staging_dir(lake.path().join("staging"))
                        .await
                        .unwrap()
                });
                assert!(report.reconciles());
                report
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_silver);
criterion_main!(benches);
