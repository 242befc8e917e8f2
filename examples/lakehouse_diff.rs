//! Compares the tables of two lakehouses row for row: the check behind "the outputs did
//! not change" (before/after a refactor, two builds of the same input, a crashed and
//! re-run build against an uninterrupted one).
//!
//! ```text
//! cargo run --release --example lakehouse_diff -- LEFT RIGHT [--layer gold] [--ignore-hash-keys]
//!     [--ignore-column _ingested_at ...] [--float-decimals 9]
//! ```
//!
//! Exit code 0 when every table is the same, 1 when one differs (each difference is
//! printed with example rows), 2 on bad arguments.

#[path = "support/diff.rs"]
mod diff;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use diff::{DiffOptions, TableDiff};

/// Compare the Delta tables of two lakehouses row for row.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// The first lakehouse root.
    left: PathBuf,
    /// The second lakehouse root.
    right: PathBuf,
    /// Layers to compare (repeatable).
    #[arg(long = "layer", default_values_t = ["silver".to_string(), "gold".to_string()])]
    layers: Vec<String>,
    /// Columns to leave out of every table (repeatable).
    #[arg(long = "ignore-column", value_name = "COLUMN")]
    ignore_columns: Vec<String>,
    /// Leave out hash keys (`Int64` columns named `*_key`, `row_hash`, `surrogate_key`).
    #[arg(long)]
    ignore_hash_keys: bool,
    /// Round floats to this many decimals before comparing.
    #[arg(long, value_name = "N")]
    float_decimals: Option<u32>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let options = DiffOptions {
        ignore_columns: args.ignore_columns.into_iter().collect(),
        ignore_hash_keys: args.ignore_hash_keys,
        float_decimals: args.float_decimals,
    };
    let layers: Vec<&str> = args.layers.iter().map(String::as_str).collect();
    let mut names = diff::tables(&args.left, &layers);
    names.extend(diff::tables(&args.right, &layers));
    let mut differing = 0;
    for table in &names {
        match diff::diff_table(&args.left, &args.right, table, &options).await {
            Ok(TableDiff::Same { rows }) => println!("same       {table} ({rows} rows)"),
            Ok(other) => {
                differing += 1;
                println!("DIFFERENT  {table}: {other:?}");
            }
            Err(e) => {
                differing += 1;
                println!("ERROR      {table}: {e}");
            }
        }
    }
    println!("{} table(s) compared, {differing} different", names.len());
    if differing == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
