//! SQL over a lakehouse: every Delta table under its layer (`bronze.encounters`,
//! `silver.patients`, `gold.readmission_rates`, `_runs`), queried with DataFusion.
//!
//! ```text
//! cargo run --example lakehouse_sql -- --lakehouse lake "SELECT * FROM gold.readmission_rates"
//! cargo run --example lakehouse_sql -- --lakehouse lake -f docs/queries/readmission_rate_by_month.sql --format csv
//! cargo run --example lakehouse_sql -- --lakehouse lake --format parquet --output rates.parquet "SELECT …"
//! cargo run --example lakehouse_sql -- --lakehouse lake --version gold.readmission_rates=0 "SELECT …"
//! cargo run --example lakehouse_sql -- --lakehouse lake --as-of-timestamp 2024-04-15T10:00:00Z "SELECT …"
//! cargo run --example lakehouse_sql -- --lakehouse lake          # interactive: end each statement with ;
//! ```
//!
//! In SQL, `FROM gold.readmission_rates VERSION AS OF 3` and `TIMESTAMP AS OF '…'` work
//! too (see `medallion_core::sql`). `SHOW TABLES` lists what exists.
//!
//! Exit codes: 0 success, 1 internal error, 2 bad arguments, 3 input error (no such
//! lakehouse, table, column or version; SQL that does not parse or plan).

#[path = "support/mod.rs"]
mod support;

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use medallion_core::Error;
use medallion_core::sql::{OutputFormat, SqlSession, SqlSessionBuilder, parse_timestamp};

/// Query a Delta lakehouse with SQL.
#[derive(Debug, Parser)]
#[command(about, long_about = None)]
struct Args {
    /// Lakehouse root (the folder holding bronze/, silver/, gold/ and _runs).
    #[arg(long, value_name = "DIR", default_value = "lakehouse")]
    lakehouse: PathBuf,
    /// The query. Without it (and without -f), statements are read from stdin, each
    /// ended by `;`.
    query: Option<String>,
    /// Read the query from this file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "query"
    )]
    file: Option<PathBuf>,
    /// Output format: table, csv, json (one object per line) or parquet.
    #[arg(long, default_value = "table")]
    format: String,
    /// Write the result here instead of stdout (required for parquet).
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// Pin a table to a version, e.g. `gold.readmission_rates=3` (repeatable).
    #[arg(long = "version", value_name = "TABLE=N")]
    versions: Vec<String>,
    /// Read every table as of this instant (RFC 3339, `YYYY-MM-DD HH:MM:SS` UTC or
    /// `YYYY-MM-DD`); tables created later are left out.
    #[arg(long, value_name = "TIMESTAMP")]
    as_of_timestamp: Option<String>,
}

/// A failed run: the message and its exit code.
struct Failure(String, u8);

const INTERNAL: u8 = 1;
const USAGE: u8 = 2;
const INPUT: u8 = 3;

/// The exit code of a `medallion-core` error: the caller's input (a table, column,
/// version or statement that does not exist or parse) or an internal error.
fn exit_code(error: &Error) -> u8 {
    match error {
        Error::SqlTableNotFound { .. }
        | Error::SqlColumnNotFound { .. }
        | Error::VersionNotFound { .. }
        | Error::InvalidConfiguration { .. }
        | Error::TableNotFound { .. } => INPUT,
        Error::Sql { stage, .. } if matches!(*stage, "parse" | "plan") => INPUT,
        _ => INTERNAL,
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = exit_code(&e);
        Failure(e.to_string(), code)
    }
}

async fn open(args: &Args) -> Result<SqlSession, Failure> {
    if !args.lakehouse.is_dir() {
        return Err(Failure(
            format!(
                "--lakehouse {} is not a directory",
                args.lakehouse.display()
            ),
            INPUT,
        ));
    }
    let mut builder = SqlSessionBuilder::new(&args.lakehouse);
    for pin in &args.versions {
        let parsed = pin
            .split_once('=')
            .and_then(|(table, v)| Some((table, v.trim().parse::<u64>().ok()?)));
        let Some((table, version)) = parsed else {
            return Err(Failure(
                format!("--version {pin}: expected TABLE=N, e.g. gold.readmission_rates=3"),
                USAGE,
            ));
        };
        builder = builder.with_table_version(table.trim(), version);
    }
    if let Some(ts) = &args.as_of_timestamp {
        builder = builder
            .with_as_of_timestamp(parse_timestamp(ts).map_err(|e| Failure(e.to_string(), USAGE))?);
    }
    let session = builder.await?;
    if !session.skipped_tables().is_empty() {
        eprintln!(
            "note: {} table(s) did not exist yet at the as-of timestamp: {}",
            session.skipped_tables().len(),
            session.skipped_tables().join(", ")
        );
    }
    Ok(session)
}

/// Runs `sql` and writes its result.
async fn run_query(
    session: &SqlSession,
    sql: &str,
    args: &Args,
    format: OutputFormat,
) -> Result<(), Failure> {
    let started = Instant::now();
    let result = session.query(sql).await?;
    let elapsed = started.elapsed();
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Failure(format!("cannot create {}: {e}", path.display()), INPUT))?;
            result.write(format, std::io::BufWriter::new(file))?;
        }
        None if format == OutputFormat::Parquet => {
            return Err(Failure(
                "--format parquet needs --output PATH".into(),
                USAGE,
            ));
        }
        None => result.write(format, std::io::BufWriter::new(std::io::stdout()))?,
    }
    eprintln!(
        "({} rows in {:.1} ms)",
        result.rows(),
        elapsed.as_secs_f64() * 1e3
    );
    Ok(())
}

/// Reads statements from stdin, each ended by `;`, and runs them one by one; an error
/// is printed and the session goes on.
async fn repl(session: &SqlSession, args: &Args, format: OutputFormat) -> Result<(), Failure> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!(
            "{} tables (SHOW TABLES lists them); end statements with ';', Ctrl-D quits",
            session.tables().len()
        );
    }
    let mut pending = String::new();
    let mut failed = None;
    let mut lines = std::io::stdin().lock().lines();
    loop {
        if interactive {
            eprint!("{}", if pending.is_empty() { "sql> " } else { "...> " });
            let _ = std::io::stderr().flush();
        }
        let Some(line) = lines.next() else { break };
        let line = line.map_err(|e| Failure(format!("reading stdin: {e}"), INTERNAL))?;
        pending.push_str(&line);
        pending.push('\n');
        while let Some(end) = pending.find(';') {
            let statement: String = pending.drain(..=end).collect();
            let statement = statement.trim_end_matches(';').trim();
            if statement.is_empty() {
                continue;
            }
            if let Err(Failure(message, code)) = run_query(session, statement, args, format).await {
                eprintln!("error: {message}");
                failed = Some(code);
            }
        }
    }
    if !pending.trim().is_empty() {
        run_query(session, pending.trim(), args, format).await?;
    }
    match failed {
        Some(code) if !interactive => Err(Failure("a statement failed".into(), code)),
        _ => Ok(()),
    }
}

async fn run(args: Args) -> Result<(), Failure> {
    let format: OutputFormat = args
        .format
        .parse()
        .map_err(|e: Error| Failure(e.to_string(), USAGE))?;
    let query = match (&args.query, &args.file) {
        (Some(query), _) => Some(query.clone()),
        (None, Some(file)) => Some(
            std::fs::read_to_string(file)
                .map_err(|e| Failure(format!("cannot read {}: {e}", file.display()), INPUT))?,
        ),
        (None, None) => None,
    };
    let session = open(&args).await?;
    match query {
        Some(sql) => run_query(&session, sql.trim().trim_end_matches(';'), &args, format).await,
        None => repl(&session, &args, format).await,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    support::init_logging();
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, code)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}
