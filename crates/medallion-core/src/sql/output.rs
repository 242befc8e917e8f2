//! Writing a query result as an aligned table, CSV, JSON lines or Parquet.

use std::io::Write;
use std::str::FromStr;

use arrow::util::pretty::pretty_format_batches_with_schema;

use super::QueryResult;
use crate::error::{Error, Result};

const OP: &str = "sql output";

/// How [`QueryResult::write`] encodes a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// An aligned text table with a header (Arrow's pretty printer), for people.
    #[default]
    Table,
    /// CSV with a header row.
    Csv,
    /// Newline-delimited JSON: one object per row.
    Json,
    /// One Parquet file (write it to a file, not a terminal).
    Parquet,
}

impl FromStr for OutputFormat {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.to_ascii_lowercase().as_str() {
            "table" => Ok(OutputFormat::Table),
            "csv" => Ok(OutputFormat::Csv),
            "json" => Ok(OutputFormat::Json),
            "parquet" => Ok(OutputFormat::Parquet),
            _ => Err(Error::InvalidConfiguration {
                table: "<output>".into(),
                operation: OP,
                reason: format!("unknown format '{text}'; use table, csv, json or parquet"),
            }),
        }
    }
}

/// Writes `result` to `out` in `format`.
pub(crate) fn write(
    result: &QueryResult,
    format: OutputFormat,
    mut out: impl Write + Send,
) -> Result<()> {
    match format {
        OutputFormat::Table => {
            let table = pretty_format_batches_with_schema(result.schema.clone(), &result.batches)
                .map_err(|e| Error::arrow(OP, e))?;
            writeln!(out, "{table}").map_err(io)?;
        }
        OutputFormat::Csv => {
            let mut writer = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(&mut out);
            if result.batches.is_empty() {
                let header: Vec<&str> = result
                    .schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect();
                drop(writer);
                writeln!(out, "{}", header.join(",")).map_err(io)?;
            } else {
                for batch in &result.batches {
                    writer.write(batch).map_err(|e| Error::arrow(OP, e))?;
                }
            }
        }
        OutputFormat::Json => {
            let mut writer = arrow::json::LineDelimitedWriter::new(&mut out);
            for batch in &result.batches {
                writer.write(batch).map_err(|e| Error::arrow(OP, e))?;
            }
            writer.finish().map_err(|e| Error::arrow(OP, e))?;
        }
        OutputFormat::Parquet => {
            let mut writer = deltalake::parquet::arrow::ArrowWriter::try_new(
                &mut out,
                result.schema.clone(),
                None,
            )
            .map_err(parquet_error)?;
            for batch in &result.batches {
                writer.write(batch).map_err(parquet_error)?;
            }
            writer.close().map_err(parquet_error)?;
        }
    }
    out.flush().map_err(io)
}

fn io(source: std::io::Error) -> Error {
    Error::Io {
        path: "<output>".into(),
        operation: OP,
        source,
    }
}

fn parquet_error(e: deltalake::parquet::errors::ParquetError) -> Error {
    Error::Sql {
        stage: "output",
        reason: format!("writing Parquet: {e}"),
    }
}
