//! Landed files read as lines ([`LandingFormat::Lines`]): each non-blank line becomes
//! one bronze row holding its text untouched in `_raw_line`, numbered by its line in
//! `_source_row`. Nothing is parsed, so a feed whose records change shape (new JSON
//! fields, a broken record) never changes the bronze schema; parsing is silver's job.
//!
//! - A line ends at `\n`; a `\r` before it is dropped. A UTF-8 byte-order mark at the
//!   start of the file is dropped.
//! - Lines that are empty or only white space are not rows; they keep their number, so
//!   `_source_row` is always the line number in the file.
//! - A line with bytes that are not UTF-8 is kept, decoded lossily (U+FFFD), with an
//!   `invalid_utf8` issue in `_ingest_issue` naming the line (never its text); silver
//!   flags such rows. `_ingest_issue` exists only in frames of files that have such a
//!   line.

use std::borrow::Cow;
use std::path::Path;

use polars::prelude::*;

use super::bronze::{INGEST_ISSUE, LandingFormat, RAW_LINE, SOURCE_ROW};
use crate::error::{Error, Result, polars_error_kind};

/// File extensions [`LandingFormat::Lines`] takes (lower-cased).
pub(crate) const EXTENSIONS: [&str; 4] = ["ndjson", "jsonl", "json", "txt"];

/// The UTF-8 byte-order mark some tools write at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The rows of a lines file and how many of them have an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Non-blank lines.
    pub(crate) rows: u64,
    /// Rows with an `invalid_utf8` issue.
    pub(crate) issues: u64,
}

/// One non-blank line: its 1-based number, its text and whether bytes were replaced.
struct Line<'a> {
    number: i64,
    text: Cow<'a, str>,
    invalid_utf8: bool,
}

/// The non-blank lines of `bytes`, in file order.
fn lines(bytes: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter_map(|(index, line)| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let text = String::from_utf8_lossy(line);
            if text.trim().is_empty() {
                return None;
            }
            Some(Line {
                number: index as i64 + 1,
                invalid_utf8: matches!(text, Cow::Owned(_)),
                text,
            })
        })
}

/// Counts the rows and issues of a lines file without building its frame.
pub(crate) fn shape(bytes: &[u8]) -> Shape {
    lines(bytes).fold(Shape { rows: 0, issues: 0 }, |shape, line| Shape {
        rows: shape.rows + 1,
        issues: shape.issues + u64::from(line.invalid_utf8),
    })
}

/// The rows of a lines file: `_raw_line`, `_source_row` (the line number) and, when some
/// line is not UTF-8, `_ingest_issue`.
pub(crate) fn frame(bytes: &[u8]) -> PolarsResult<DataFrame> {
    let mut texts = Vec::new();
    let mut numbers = Vec::new();
    let mut issues = Vec::new();
    for line in lines(bytes) {
        issues.push(line.invalid_utf8.then(|| {
            format!(
                "{}: line {}: bytes that are not UTF-8, decoded lossily",
                super::INVALID_UTF8_RULE,
                line.number
            )
        }));
        numbers.push(line.number);
        texts.push(line.text);
    }
    let height = texts.len();
    let mut columns = vec![
        Column::new(
            RAW_LINE.into(),
            texts.iter().map(|t| t.as_ref()).collect::<Vec<&str>>(),
        ),
        Column::new(SOURCE_ROW.into(), numbers),
    ];
    if issues.iter().any(Option::is_some) {
        columns.push(Column::new(INGEST_ISSUE.into(), issues));
    }
    DataFrame::new(height, columns)
}

/// The lazy frame of the lines file at `path` (read now: the file is small next to the
/// batch, and its rows are what the ledger recorded).
pub(crate) fn scan(path: &Path, table: &str) -> Result<LazyFrame> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        operation: "read landing file",
        source,
    })?;
    // Polars' message is withheld: it could quote a line.
    let frame = frame(&bytes).map_err(|e| Error::LandingRead {
        table: table.to_string(),
        files: vec![path.display().to_string()],
        kind: polars_error_kind(&e),
    })?;
    Ok(frame.lazy())
}

/// Whether `extension` (lower-cased) is one [`LandingFormat::Lines`] takes.
pub(crate) fn takes(extension: &str) -> bool {
    EXTENSIONS.contains(&extension)
}

impl LandingFormat {
    /// The format of a landed file at `path`: `forced` when the builder reads every file
    /// in one format and the file's extension is one of that format's, else the format
    /// its extension names.
    pub(crate) fn of(path: &Path, forced: Option<Self>) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match forced {
            Some(Self::Lines) => takes(&extension).then_some(Self::Lines),
            Some(format) => (Self::from_extension(&extension)? == format).then_some(format),
            None => Self::from_extension(&extension),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
        df.column(name)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    #[test]
    fn each_non_blank_line_is_a_row_with_its_text_untouched_and_its_line_number() {
        let df = frame(b"\xEF\xBB\xBF{\"a\": 1}\r\n\n  {\"b\":\"x y\"}  \n \t\n{}").unwrap();
        assert_eq!(
            strs(&df, RAW_LINE),
            [
                Some("{\"a\": 1}".into()),
                Some("  {\"b\":\"x y\"}  ".into()),
                Some("{}".into())
            ]
        );
        let rows: Vec<_> = df
            .column(SOURCE_ROW)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(rows, [Some(1), Some(3), Some(5)]);
        assert!(df.column(INGEST_ISSUE).is_err(), "no issue, no column");
        assert_eq!(shape(b"{}\n\n{}\n"), Shape { rows: 2, issues: 0 });
    }

    #[test]
    fn a_line_that_is_not_utf8_is_kept_lossily_with_an_issue_naming_its_line_only() {
        let bytes = b"{}\n{\"a\":\"secret\xff\"}\n";
        let df = frame(bytes).unwrap();
        let raw = strs(&df, RAW_LINE);
        assert_eq!(raw[1], Some("{\"a\":\"secret\u{FFFD}\"}".into()));
        let issues = strs(&df, INGEST_ISSUE);
        assert_eq!(issues[0], None);
        let issue = issues[1].clone().unwrap();
        assert!(issue.starts_with("invalid_utf8: line 2"), "{issue}");
        assert!(!issue.contains("secret"), "{issue}");
        assert_eq!(shape(bytes), Shape { rows: 2, issues: 1 });
    }

    #[test]
    fn an_empty_file_has_no_rows_and_the_lines_columns() {
        let df = frame(b"").unwrap();
        assert_eq!(df.height(), 0);
        let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, [RAW_LINE, SOURCE_ROW]);
    }

    #[test]
    fn a_forced_format_takes_only_its_own_extensions() {
        let of = |name: &str, forced| LandingFormat::of(Path::new(name), forced);
        assert_eq!(
            of("a.NDJSON", Some(LandingFormat::Lines)),
            Some(LandingFormat::Lines)
        );
        assert_eq!(
            of("a.txt", Some(LandingFormat::Lines)),
            Some(LandingFormat::Lines)
        );
        assert_eq!(of("a.csv", Some(LandingFormat::Lines)), None);
        assert_eq!(of("a.csv", Some(LandingFormat::Parquet)), None);
        assert_eq!(of("a.csv", None), Some(LandingFormat::Csv));
        assert_eq!(of("a.jsonl", None), Some(LandingFormat::Ndjson));
        assert_eq!(of("a.txt", None), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bronze_lands_prefixed_line_files_as_raw_rows_exactly_once_by_content() {
        use super::super::{BATCH_ID, BronzeIngestBuilder, SOURCE_FILE};
        let landing = tempfile::tempdir().unwrap();
        let lake = tempfile::tempdir().unwrap();
        let root = landing.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(
            root.join("a/adt_events_1.ndjson"),
            "{\"a\":1}\n\n{\"b\":2}\n",
        )
        .unwrap();
        std::fs::write(root.join("adt_events_2.jsonl"), b"{\"c\":\"\xff\"}\n").unwrap();
        for other in ["_manifest.json", "other.ndjson", "adt_events_3.csv"] {
            std::fs::write(root.join(other), "{}\n").unwrap();
        }
        let table = lake.path().join("bronze/adt_events");
        let ingest = || {
            BronzeIngestBuilder::new(root, &table, "flow")
                .unwrap()
                .with_file_prefix("adt_events")
                .with_landing_format(LandingFormat::Lines)
        };
        let first = ingest().await.unwrap();
        assert_eq!(
            first.files_ingested,
            ["a/adt_events_1.ndjson", "adt_events_2.jsonl"]
        );
        assert_eq!((first.batch_id, first.rows_written), (Some(1), 3));
        assert_eq!(first.files[1].issues, 1);
        assert_eq!(first.files[0].columns, [RAW_LINE]);

        let rows = crate::read::ReadBuilder::new(&table)
            .unwrap()
            .await
            .unwrap()
            .sort([SOURCE_FILE, SOURCE_ROW], Default::default())
            .collect()
            .unwrap();
        assert_eq!(
            strs(&rows, RAW_LINE),
            [
                Some("{\"a\":1}".into()),
                Some("{\"b\":2}".into()),
                Some("{\"c\":\"\u{FFFD}\"}".into())
            ]
        );
        let lines: Vec<_> = rows
            .column(SOURCE_ROW)
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(lines, [Some(1), Some(3), Some(1)]);
        let issues = strs(&rows, INGEST_ISSUE);
        assert_eq!((issues[0].is_none(), issues[1].is_none()), (true, true));
        assert!(
            issues[2]
                .as_deref()
                .unwrap_or("")
                .starts_with("invalid_utf8: line 1")
        );
        assert_eq!(
            rows.column(BATCH_ID).unwrap().i64().unwrap().get(0),
            Some(1)
        );

        // The same content under another path is a re-delivery; nothing is added.
        std::fs::create_dir_all(root.join("b")).unwrap();
        std::fs::copy(
            root.join("a/adt_events_1.ndjson"),
            root.join("b/adt_events_1.ndjson"),
        )
        .unwrap();
        let again = ingest().await.unwrap();
        assert_eq!((again.batch_id, again.rows_written), (Some(2), 0));
        assert_eq!(again.files_already_ingested, 2);
        assert_eq!(
            again.files_redelivered,
            ["b/adt_events_1.ndjson: same content as a/adt_events_1.ndjson (batch 1)"]
        );
        let third = ingest().await.unwrap();
        assert_eq!((third.batch_id, third.rows_written), (None, 0));
    }
}
