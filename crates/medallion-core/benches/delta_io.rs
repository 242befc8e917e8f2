//! Throughput of the Polars ↔ arrow-rs bridge and of Delta write/read, in rows/s.
//!
//! Data: a 10-million-row, 10-column frame (ints, floats, strings, dates, timestamps,
//! booleans) built once with a fixed seed outside the timed loops. Override the size
//! with `MEDALLION_BENCH_ROWS` for a quick run:
//!
//! ```text
//! cargo bench -p medallion-core --bench delta_io
//! MEDALLION_BENCH_ROWS=1000000 cargo bench -p medallion-core --bench delta_io
//! ```
//!
//! Regimes measured:
//! - `bridge/export`: DataFrame → arrow-rs RecordBatches (zero-copy views);
//! - `bridge/import`: RecordBatches → DataFrame;
//! - `delta/write`: LazyFrame → new Delta table (streaming, Parquet + commit);
//! - `delta/read`: Delta table → collected DataFrame (Parquet scan + partition join).
#![allow(missing_docs, clippy::unwrap_used)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use medallion_core::bridge::{
    StringFormat, dataframe_to_record_batches, record_batches_to_dataframe,
};
use medallion_core::{ReadBuilder, WriteBuilder};
use polars::prelude::*;

const DEFAULT_ROWS: usize = 10_000_000;
const SEED: u64 = 42;

fn rows() -> usize {
    std::env::var("MEDALLION_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ROWS)
}

/// Ten columns of mixed types, deterministic for a given seed.
fn frame(n: usize) -> DataFrame {
    let i = int_range(lit(0i64), lit(n as i64), 1, DataType::Int64);
    // A cheap deterministic mixer (splitmix-style) keeps generation out of the timings.
    let mix = (i.clone() * lit(6_364_136_223_846_793_005i64) + lit(SEED as i64)).abs();
    df!("_" => [0i32])
        .unwrap()
        .lazy()
        .select([
            i.clone().alias("id"),
            (mix.clone() % lit(100_000i64)).alias("patient_key"),
            (mix.clone() % lit(1000i64))
                .cast(DataType::Float64)
                .alias("cost")
                / lit(7.0),
            ((mix.clone() % lit(997i64)).cast(DataType::Float64) / lit(10.0)).alias("value"),
            concat_str(
                [
                    lit("code-"),
                    (mix.clone() % lit(5000i64)).cast(DataType::String),
                ],
                "",
                false,
            )
            .alias("code"),
            concat_str(
                [
                    lit("patient-"),
                    (mix.clone() % lit(100_000i64)).cast(DataType::String),
                ],
                "",
                false,
            )
            .alias("patient_id"),
            (lit(18_000i32) + (mix.clone() % lit(3650i64)).cast(DataType::Int32))
                .cast(DataType::Date)
                .alias("start_date"),
            (lit(1_500_000_000_000_000i64) + mix.clone() % lit(300_000_000_000_000i64))
                .cast(DataType::Datetime(
                    TimeUnit::Microseconds,
                    Some(TimeZone::UTC),
                ))
                .alias("start"),
            (mix.clone() % lit(2i64)).eq(lit(0i64)).alias("flag"),
            (lit(2015i32) + (mix % lit(10i64)).cast(DataType::Int32)).alias("year"),
        ])
        .collect()
        .unwrap()
}

fn bench_bridge(c: &mut Criterion) {
    let n = rows();
    let df = frame(n);
    let batches = dataframe_to_record_batches(&df, StringFormat::View).unwrap();
    let schema = batches[0].schema();
    let mut group = c.benchmark_group(format!("bridge/{n} rows x 10 cols"));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function("export", |b| {
        b.iter(|| dataframe_to_record_batches(&df, StringFormat::View).unwrap())
    });
    group.bench_function("import", |b| {
        b.iter(|| record_batches_to_dataframe(&batches, &schema).unwrap())
    });
    group.finish();
}

fn bench_delta(c: &mut Criterion) {
    let n = rows();
    let df = frame(n);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group(format!("delta/{n} rows x 10 cols"));
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    let mut run = 0u64;
    group.bench_function("write", |b| {
        b.iter(|| {
            run += 1;
            let path = dir.path().join(format!("write-{run}"));
            runtime
                .block_on(async { WriteBuilder::new(&path, df.clone().lazy()).unwrap().await })
                .unwrap()
        })
    });
    let table = dir.path().join("read");
    runtime
        .block_on(async { WriteBuilder::new(&table, df.clone().lazy()).unwrap().await })
        .unwrap();
    group.bench_function("read", |b| {
        b.iter(|| {
            runtime
                .block_on(async { ReadBuilder::new(&table).unwrap().await })
                .unwrap()
                .collect()
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_bridge, bench_delta);
criterion_main!(benches);
