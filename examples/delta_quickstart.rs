//! Writes, updates, reads and maintains a Delta table with medallion-core.
//!
//! ```text
//! cargo run --release --example delta_quickstart -- [--out DIR] [--rows N]   # --help lists all
//! ```
//!
//! Defaults: `--out ./delta_quickstart` (its own folder, apart from the Synthea lakehouse), `--rows 100000`. The table goes to
//! `<out>/bronze/demo_visits`, partitioned by year. Steps: write (version 0), append a
//! second batch tagged with an application transaction (a replay of it is refused),
//! MERGE corrections, read with a partition predicate, time-travel to version 0,
//! OPTIMIZE, and print the table history.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use medallion_core::{
    AppTransaction, Error, HistoryBuilder, MergeBuilder, OptimizeBuilder, ReadBuilder, WriteBuilder,
};
use polars::prelude::*;

/// Write, update, read and maintain a Delta table with medallion-core.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Folder the demo table is written under (`<out>/bronze/demo_visits`).
    #[arg(long, value_name = "DIR", default_value = "delta_quickstart")]
    out: PathBuf,
    /// Rows of the first batch.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
}

/// `n` synthetic visits starting at id `first_id`: deterministic, no RNG needed.
fn visits(first_id: i64, n: usize) -> LazyFrame {
    let id = int_range(lit(first_id), lit(first_id + n as i64), 1, DataType::Int64);
    let day = (id.clone() * lit(37i64)) % lit(3650i64);
    df!("_" => [0i32]).unwrap_or_default().lazy().select([
        id.clone().alias("visit_id"),
        concat_str(
            [
                lit("patient-"),
                (id.clone() % lit(997i64)).cast(DataType::String),
            ],
            "",
            false,
        )
        .alias("patient_id"),
        (lit(16_436i64) + day.clone())
            .cast(DataType::Int32)
            .cast(DataType::Date)
            .alias("visit_date"),
        (lit(2015i64) + day / lit(365i64))
            .cast(DataType::Int32)
            .alias("year"),
        ((id % lit(500i64)).cast(DataType::Float64) * lit(1.25)).alias("cost"),
    ])
}

fn version(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| v.to_string())
}

async fn run(args: Args) -> Result<(), Error> {
    let table = args.out.join("bronze").join("demo_visits");
    if table.exists() {
        std::fs::remove_dir_all(&table).map_err(|source| Error::Io {
            path: table.display().to_string(),
            operation: "reset example table",
            source,
        })?;
    }
    let half = args.rows / 2;

    let t = Instant::now();
    let first = WriteBuilder::new(&table, visits(0, half))?
        .with_partition_columns(["year"])
        .with_table_property("example", "delta_quickstart")
        .with_app_transaction(AppTransaction::new("delta_quickstart", 1))
        .await?;
    println!(
        "[1/6] wrote {} rows in {} files -> version {} ({:.2?})",
        first.rows_written,
        first.files_added,
        version(first.version),
        t.elapsed()
    );

    let t = Instant::now();
    let second = WriteBuilder::new(&table, visits(half as i64, args.rows - half))?
        .with_app_transaction(AppTransaction::new("delta_quickstart", 2))
        .await?;
    println!(
        "[2/6] appended {} rows -> version {} ({:.2?})",
        second.rows_written,
        version(second.version),
        t.elapsed()
    );
    match WriteBuilder::new(&table, visits(half as i64, args.rows - half))?
        .with_app_transaction(AppTransaction::new("delta_quickstart", 2))
        .await
    {
        Err(Error::TransactionAlreadyCommitted { .. }) => {
            println!("      replay of batch 2 refused: exactly-once holds")
        }
        Err(other) => return Err(other),
        Ok(_) => {
            return Err(Error::Internal {
                table: table.display().to_string(),
                operation: "example",
                reason: "a replayed batch was committed".into(),
            });
        }
    }

    let t = Instant::now();
    let corrections = visits(0, 10)
        .with_column((col("cost") + lit(1000.0)).alias("cost"))
        .collect()
        .map_err(|e| Error::Polars {
            table: table.display().to_string(),
            operation: "example",
            source: Box::new(e),
        })?;
    let merged = MergeBuilder::new(&table, corrections.lazy(), ["visit_id"])?
        .when_matched_update_all(None::<String>)
        .when_not_matched_insert_all(None::<String>)
        .await?;
    println!(
        "[3/6] merged corrections: {} updated, {} inserted -> version {} ({:.2?})",
        merged.rows_updated,
        merged.rows_inserted,
        version(merged.version),
        t.elapsed()
    );

    let t = Instant::now();
    let polars_err = |e| Error::Polars {
        table: table.display().to_string(),
        operation: "example read",
        source: Box::new(e),
    };
    let per_year = ReadBuilder::new(&table)?
        .with_predicate(col("year").gt_eq(lit(2020)))
        .await?
        .group_by([col("year")])
        .agg([len().alias("visits"), col("cost").sum().alias("cost")])
        .sort(["year"], Default::default())
        .collect()
        .map_err(polars_err)?;
    println!(
        "[4/6] visits per year since 2020 ({:.2?}):\n{per_year}",
        t.elapsed()
    );

    let v0_rows = ReadBuilder::new(&table)?
        .with_version(0)
        .await?
        .collect()
        .map_err(polars_err)?
        .height();
    println!("[5/6] time travel: version 0 had {v0_rows} rows");

    let t = Instant::now();
    let optimized = OptimizeBuilder::new(&table)?.await?;
    println!(
        "[6/6] optimize: {} files -> {} ({:.2?})",
        optimized.files_removed,
        optimized.files_added,
        t.elapsed()
    );

    println!("history of {}:", table.display());
    for entry in HistoryBuilder::new(&table)?.await? {
        println!(
            "  v{:<3} {:<10} {}",
            entry.version,
            entry.operation.unwrap_or_default(),
            serde_json::to_string(&entry.operation_parameters).unwrap_or_default()
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
