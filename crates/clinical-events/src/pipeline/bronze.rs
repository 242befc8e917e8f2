//! Bronze for NDJSON event feeds: every line kept as raw text, exactly once (see the
//! module documentation of [`super`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use medallion_core::pipeline::{BATCH_ID, BronzeReport, INGESTED_AT, SOURCE_FILE, SOURCE_ROW};
use medallion_core::{
    AppTransaction, ReadBuilder, SchemaEvolution, WriteBuilder, app_transaction_version, run_polars,
};
use polars::prelude::*;

use crate::columns::{RAW_EVENT, utc_datetime};
use crate::error::{Error, Result};

/// File extensions read as NDJSON landing files.
const EXTENSIONS: [&str; 3] = ["ndjson", "jsonl", "json"];

/// What to ingest and where.
#[derive(Debug, Clone)]
pub(crate) struct RawIngest<'a> {
    /// Landing root, searched recursively.
    pub(crate) landing: &'a Path,
    /// Bronze table directory.
    pub(crate) table: PathBuf,
    /// Application id of the commits (`<pipeline>/<table>`).
    pub(crate) app_id: String,
    /// Only files whose name starts with this are ingested.
    pub(crate) file_prefix: &'a str,
    /// `_ingested_at` of the batch.
    pub(crate) ingested_at: DateTime<Utc>,
}

/// Ingests new landing files as raw lines; reports like medallion-core's bronze builder
/// (`new_columns` and `missing_columns` stay empty: the schema is fixed).
pub(crate) async fn ingest_raw_lines(spec: RawIngest<'_>) -> Result<BronzeReport> {
    let started = Instant::now();
    let table_uri = spec.table.display().to_string();
    let discovered = discover(spec.landing, spec.file_prefix)?;
    let already = ingested_files(&spec.table).await?;
    let new_files: Vec<(String, PathBuf)> = discovered
        .into_iter()
        .filter(|(relative, _)| !already.contains(relative))
        .collect();
    let mut report = BronzeReport {
        table: table_uri,
        batch_id: None,
        files_ingested: Vec::new(),
        files_already_ingested: already.len(),
        files_redelivered: Vec::new(),
        files_skipped: Vec::new(),
        header_fixes: Vec::new(),
        files: Vec::new(),
        rows_written: 0,
        new_columns: Vec::new(),
        missing_columns: Vec::new(),
        version: None,
        duration: started.elapsed(),
    };
    if new_files.is_empty() {
        return Ok(report);
    }
    let batch_id = app_transaction_version(&spec.table, &spec.app_id)
        .await?
        .unwrap_or(0)
        + 1;
    let mut frames = Vec::with_capacity(new_files.len());
    for (relative, path) in &new_files {
        frames.push(raw_lines_frame(path, relative)?.lazy());
    }
    let frame = concat(frames, UnionArgs::default())
        .map_err(|e| Error::polars("combining landing files", e))?
        .with_columns([
            lit(spec.ingested_at.timestamp_micros())
                .cast(utc_datetime())
                .alias(INGESTED_AT),
            lit(batch_id).cast(DataType::Int64).alias(BATCH_ID),
        ]);
    let files: Vec<String> = new_files.into_iter().map(|f| f.0).collect();
    let written = WriteBuilder::new(&spec.table, frame)?
        .with_schema_evolution(SchemaEvolution::Merge)
        .with_app_transaction(AppTransaction::new(spec.app_id.clone(), batch_id))
        .with_commit_metadata("pipeline", spec.app_id)
        .with_commit_metadata("bronze_batch_id", batch_id)
        .with_commit_metadata("files", serde_json::Value::from(files.clone()))
        .await?;
    report.batch_id = Some(batch_id);
    report.files_ingested = files;
    report.rows_written = written.rows_written;
    report.version = written.version;
    report.duration = started.elapsed();
    Ok(report)
}

/// Landing files under `root` whose name starts with `prefix` and ends with an NDJSON
/// extension, as (path relative to `root` with `/`, path), sorted.
fn discover(root: &Path, prefix: &str) -> Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, "read landing directory", e))?;
        for entry in entries {
            let path = entry
                .map_err(|e| Error::io(&dir, "read landing directory", e))?
                .path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if name.starts_with(prefix)
                && EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
            {
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                found.push((relative, path));
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The `_source_file` values already in the bronze table (empty when it does not exist).
async fn ingested_files(table: &Path) -> Result<BTreeSet<String>> {
    if !table.join("_delta_log").is_dir() {
        return Ok(BTreeSet::new());
    }
    let files = ReadBuilder::new(table)?.with_columns([SOURCE_FILE]).await?;
    let distinct = run_polars(move || files.unique(None, UniqueKeepStrategy::Any).collect())
        .await?
        .map_err(|e| Error::polars("reading ingested bronze files", e))?;
    let column = distinct
        .column(SOURCE_FILE)
        .and_then(|c| c.str().cloned())
        .map_err(|e| Error::polars("reading ingested bronze files", e))?;
    Ok(column.iter().flatten().map(str::to_string).collect())
}

/// One landing file as rows: `raw_event` (the line, without its line break),
/// `_source_file`, `_source_row` (the 1-based line number). Blank lines are not events
/// and are skipped (line numbers still count them).
///
/// # Errors
/// [`Error::Medallion`] (an I/O error) when the file cannot be read; [`Error::NotUtf8`] naming the first line
/// that is not UTF-8.
pub(crate) fn raw_lines_frame(path: &Path, relative: &str) -> Result<DataFrame> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, "read landing file", e))?;
    let mut lines = Vec::new();
    let mut numbers = Vec::new();
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let text = std::str::from_utf8(line).map_err(|_| Error::NotUtf8 {
            file: relative.to_string(),
            line: index as u64 + 1,
        })?;
        if text.trim().is_empty() {
            continue;
        }
        lines.push(text);
        numbers.push(index as i64 + 1);
    }
    let height = lines.len();
    df!(
        RAW_EVENT => lines,
        SOURCE_FILE => vec![relative; height],
        SOURCE_ROW => numbers,
    )
    .map_err(|e| Error::polars(format!("reading landing file '{relative}'"), e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn raw_lines_keep_the_text_untouched_and_number_lines_from_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adt_events_1.ndjson");
        std::fs::write(&path, "{\"a\": 1}\r\n\n  {\"b\":\"x y\"}  \n").unwrap();
        let df = raw_lines_frame(&path, "adt_events_1.ndjson").unwrap();
        let raw = crate::testkit::strings(&df, RAW_EVENT).unwrap();
        assert_eq!(
            raw,
            [
                Some("{\"a\": 1}".into()),
                Some("  {\"b\":\"x y\"}  ".into())
            ]
        );
        let rows: Vec<_> = df
            .column(SOURCE_ROW)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(rows, [1, 3]);
    }

    #[test]
    fn a_line_that_is_not_utf8_is_an_error_naming_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("adt_events_1.ndjson");
        std::fs::write(&path, b"{}\n{\"a\":\"\xff\"}\n").unwrap();
        let err = raw_lines_frame(&path, "x/adt_events_1.ndjson")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x/adt_events_1.ndjson") && err.contains("line 2"),
            "{err}"
        );
    }

    #[test]
    fn discovery_finds_prefixed_ndjson_files_recursively_and_ignores_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        for f in [
            "b/c/adt_events_2.ndjson",
            "adt_events_1.jsonl",
            "_manifest.json",
            "other.ndjson",
        ] {
            std::fs::write(dir.path().join(f), "{}\n").unwrap();
        }
        let found: Vec<String> = discover(dir.path(), "adt_events")
            .unwrap()
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(found, ["adt_events_1.jsonl", "b/c/adt_events_2.ndjson"]);
    }
}
