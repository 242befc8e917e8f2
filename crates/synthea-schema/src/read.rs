//! Typed lazy readers for a directory of Synthea tables (CSV, Parquet or NDJSON).
//!
//! Every CSV column is first read as `String` (so codes, ZIPs, SSNs and ids are never
//! mangled by type inference), then parsed per [`crate::spec::ColumnSpec`]:
//!
//! | kind | accepted text | dtype |
//! |---|---|---|
//! | text / id / code | anything (empty → null) | `String` |
//! | int, year | base-10 integer | `Int64` |
//! | float | decimal, exponent, `NaN` | `Float64` |
//! | date | `YYYY-MM-DD` | `Date` |
//! | timestamp | `YYYY-MM-DDTHH:MM:SSZ` | `Datetime(µs, "UTC")` |
//!
//! Surrounding whitespace is ignored when parsing non-text values; an empty field is null.
//! Parquet/NDJSON columns that already have the spec dtype are kept; other non-string
//! columns are cast.
//!
//! **Output columns**: the version's spec columns in header order (spec columns the
//! version may omit, e.g. `MIDDLE`, become typed all-null columns), then drift columns
//! (unknown extra columns, kept unparsed), then — in [`ParseMode::Lenient`] only —
//! [`PARSE_ERRORS_COLUMN`].
//!
//! **Strict mode** ([`ParseMode::Strict`]) runs one validation pass over the file when the
//! reader is built and fails with [`Error::Parse`] for the first malformed value, naming
//! file, column, 1-based data row (header not counted; for CSV the file line is row + 1),
//! and the offending text. **Lenient mode** turns malformed values into nulls and lists
//! the columns that failed in the row's `_parse_errors` (`List(String)`, empty when the
//! row parsed cleanly).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use polars::prelude::*;

use crate::detect::{self, DetectionReport, FileFormat};
use crate::error::{Error, PolarsContext, Result};
use crate::spec::{ColumnSpec, TableKind, ValueKind};
use crate::version::SyntheaVersion;

/// Name of the lenient-mode data-quality column: `List(String)` of raw column names whose
/// value failed to parse in that row (empty list when none did).
pub const PARSE_ERRORS_COLUMN: &str = "_parse_errors";

/// Columns whose name starts with this prefix are not Synthea data and **pass through**
/// [`type_frame`] and [`crate::normalize::normalize`] unchanged, in their input order:
/// lineage columns (`_ingested_at`, `_source_file`, `_source_row`, `_batch_id`), the
/// typed reader's [`PARSE_ERRORS_COLUMN`] (through `normalize`) and data-quality scratch
/// columns (`__dq_check_*`, see [`crate::dq::checks`]). No Synthea column starts with it,
/// so a pipeline can type, normalize and check a batch in one lazy plan and keep each
/// row's lineage and checks beside it.
pub const PASS_THROUGH_PREFIX: &str = "_";

/// Whether column `name` passes through typing and normalization
/// (see [`PASS_THROUGH_PREFIX`]).
pub fn passes_through(name: &str) -> bool {
    name.starts_with(PASS_THROUGH_PREFIX)
}

/// The timestamp format Synthea writes (`2019-02-17T05:07:38Z`).
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
/// The date format Synthea writes (`2019-02-17`).
pub const DATE_FORMAT: &str = "%Y-%m-%d";

const ROW_COLUMN: &str = "__synthea_row";

/// How malformed values are handled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseMode {
    /// Fail with [`Error::Parse`] on the first malformed value (default).
    #[default]
    Strict,
    /// Null malformed values and record them in [`PARSE_ERRORS_COLUMN`].
    Lenient,
}

/// An opened Synthea export directory with its detected (or given) version.
#[derive(Clone, Debug)]
pub struct SyntheaDir {
    report: DetectionReport,
}

impl SyntheaDir {
    /// Open `dir` and detect its version with [`detect::detect_version`].
    ///
    /// # Errors
    /// The errors of [`detect::detect_version`].
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        Ok(Self {
            report: detect::detect_version(dir)?,
        })
    }

    /// Open `dir` as an export of `version` without detection.
    ///
    /// # Errors
    /// The errors of [`detect::check_version`].
    pub fn open_as(dir: impl AsRef<Path>, version: SyntheaVersion) -> Result<Self> {
        Ok(Self {
            report: detect::check_version(dir, version)?,
        })
    }

    /// The version the directory is read as.
    pub fn version(&self) -> SyntheaVersion {
        self.report.version
    }

    /// The detection report (files, drift, missing optional files).
    pub fn report(&self) -> &DetectionReport {
        &self.report
    }

    /// Tables that have a file in the directory.
    pub fn tables(&self) -> Vec<TableKind> {
        self.report.files.iter().map(|f| f.table).collect()
    }

    /// Typed lazy frame of `table`, or `None` when the directory has no file for it.
    ///
    /// # Errors
    /// See [`read_table`].
    pub fn read(&self, table: TableKind, mode: ParseMode) -> Result<Option<LazyFrame>> {
        match self.report.file(table) {
            None => Ok(None),
            Some(f) => read_table(&f.path, f.format, table, self.report.version, mode).map(Some),
        }
    }
}

/// Typed lazy frame of one table file read as `version`.
///
/// # Errors
/// [`Error::TableNotInVersion`], [`Error::MissingColumns`] (lists the found columns),
/// [`Error::Parse`] in strict mode, [`Error::ColumnType`] for Parquet/NDJSON columns whose
/// dtype cannot become the spec dtype, and I/O / Polars errors.
pub fn read_table(
    path: &Path,
    format: FileFormat,
    table: TableKind,
    version: SyntheaVersion,
    mode: ParseMode,
) -> Result<LazyFrame> {
    let spec = table
        .spec(version)
        .ok_or(Error::TableNotInVersion { table, version })?;
    let (source, source_schema) = open_source(path, format, table)?;
    let found: Vec<String> = source_schema.iter_names().map(|n| n.to_string()).collect();
    let missing: Vec<String> = spec
        .header_required_columns()
        .into_iter()
        .filter(|c| !source_schema.contains(c))
        .map(str::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingColumns {
            path: path.to_path_buf(),
            table,
            version,
            missing,
            found,
        });
    }

    let mut outputs = Vec::with_capacity(found.len() + 1);
    let mut checks: Vec<ParseCheck> = Vec::new();
    for c in &spec.columns {
        match source_schema.get(c.name) {
            None => outputs.push(lit(NULL).cast(c.dtype()).alias(c.name)),
            Some(src_dtype) => {
                let typed = typed_expr(table, c, src_dtype)?;
                if let Some(bad) = typed.bad.clone() {
                    checks.push(ParseCheck {
                        column: *c,
                        bad,
                        raw: typed.raw.clone(),
                    });
                }
                outputs.push(typed.value.alias(c.name));
            }
        }
    }
    for name in &found {
        if spec.column(name).is_none() {
            outputs.push(col(name.as_str()));
        }
    }

    match mode {
        ParseMode::Strict => {
            validate_strict(path, format, &source, &checks)?;
        }
        ParseMode::Lenient => {
            let mut flags: Vec<Expr> = checks
                .iter()
                .map(|chk| {
                    when(chk.bad.clone())
                        .then(lit(chk.column.name))
                        .otherwise(lit(NULL).cast(DataType::String))
                })
                .collect();
            if flags.is_empty() {
                flags.push(lit(NULL).cast(DataType::String));
            }
            let list = concat_list(flags)
                .ctx(|| format!("building {PARSE_ERRORS_COLUMN} for {}", path.display()))?
                .list()
                .eval(element().filter(element().is_not_null()));
            outputs.push(list.alias(PARSE_ERRORS_COLUMN));
        }
    }
    Ok(source.select(outputs))
}

/// Types an in-memory raw frame of `table` (e.g. a bronze batch read as text) like
/// [`read_table`] does in [`ParseMode::Lenient`]: spec columns get their dtypes,
/// malformed values become null and are named in [`PARSE_ERRORS_COLUMN`]. Spec columns
/// missing from the frame are added as nulls (a frame may hold only some of a version's
/// optional columns).
///
/// **Output columns**: the version's spec columns in header order, then every other
/// input column unchanged and in input order — drift columns and the pass-through
/// columns of [`passes_through`] (lineage, `__dq_check_*` scratch columns) — then
/// [`PARSE_ERRORS_COLUMN`] (computed here; an input column of that name is replaced).
/// Row count and row order are those of the input.
///
/// ```
/// use polars::prelude::*;
/// use synthea_schema::read::{PARSE_ERRORS_COLUMN, type_frame};
/// use synthea_schema::{SyntheaVersion, TableKind};
///
/// let raw = df!("BIRTHDATE" => ["1990-01-02", "not a date"], "_batch_id" => [1i64, 1])?;
/// let typed = type_frame(raw.lazy(), TableKind::Patients, SyntheaVersion::V3Latest)?.collect()?;
/// assert_eq!(typed.column("BIRTHDATE")?.dtype(), &DataType::Date);
/// assert_eq!(typed.column(PARSE_ERRORS_COLUMN)?.list()?.lst_lengths().get(1), Some(1));
/// assert!(typed.column("_batch_id").is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::TableNotInVersion`], [`Error::ColumnType`] for non-text columns that cannot
/// become the spec dtype, and Polars errors resolving the frame's schema.
pub fn type_frame(raw: LazyFrame, table: TableKind, version: SyntheaVersion) -> Result<LazyFrame> {
    const ROW: &str = "__type_frame_row";
    const ANY_BAD: &str = "__type_frame_any_bad";
    let spec = table
        .spec(version)
        .ok_or(Error::TableNotInVersion { table, version })?;
    let mut raw = raw;
    let source_schema = raw
        .collect_schema()
        .ctx(|| format!("resolving the schema of raw `{table}`"))?;
    let mut outputs = Vec::with_capacity(source_schema.len() + 1);
    let mut bad_columns: Vec<(String, &'static str)> = Vec::new();
    for c in &spec.columns {
        match source_schema.get(c.name) {
            None => outputs.push(lit(NULL).cast(c.dtype()).alias(c.name)),
            Some(src_dtype) => {
                let typed = typed_expr(table, c, src_dtype)?;
                if let Some(bad) = typed.bad {
                    let scratch = format!("__type_frame_bad_{}", bad_columns.len());
                    outputs.push(bad.fill_null(lit(false)).alias(scratch.as_str()));
                    bad_columns.push((scratch, c.name));
                }
                outputs.push(typed.value.alias(c.name));
            }
        }
    }
    for name in source_schema.iter_names() {
        if spec.column(name).is_none() && name.as_str() != PARSE_ERRORS_COLUMN {
            outputs.push(col(name.clone()));
        }
    }
    let any_bad = bad_columns
        .iter()
        .map(|(scratch, _)| col(scratch.as_str()))
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false));
    let empty = lit(Series::new_empty("".into(), &DataType::String)).implode(true);
    let typed = raw
        .with_row_index(ROW, None)
        .select(outputs.into_iter().chain([col(ROW)]).collect::<Vec<_>>())
        .with_column(any_bad.alias(ANY_BAD));
    // The error list is built only for rows with a bad value (usually none): a list per
    // row for every row would dominate the cost of typing.
    let bad_rows = if bad_columns.is_empty() {
        typed
            .clone()
            .filter(col(ANY_BAD))
            .with_column(empty.clone().alias(PARSE_ERRORS_COLUMN))
    } else {
        let flags: Vec<Expr> = bad_columns
            .iter()
            .map(|(scratch, name)| {
                when(col(scratch.as_str()))
                    .then(lit(*name))
                    .otherwise(lit(NULL).cast(DataType::String))
            })
            .collect();
        let list = concat_list(flags)
            .ctx(|| format!("building {PARSE_ERRORS_COLUMN} for raw `{table}`"))?
            .list()
            .eval(element().filter(element().is_not_null()));
        typed
            .clone()
            .filter(col(ANY_BAD))
            .with_column(list.alias(PARSE_ERRORS_COLUMN))
    };
    let good_rows = typed
        .filter(col(ANY_BAD).not())
        .with_column(empty.alias(PARSE_ERRORS_COLUMN));
    let scratch: Vec<String> = bad_columns
        .into_iter()
        .map(|(s, _)| s)
        .chain([ROW.to_string(), ANY_BAD.to_string()])
        .collect();
    Ok(concat([bad_rows, good_rows], UnionArgs::default())
        .ctx(|| format!("typing raw `{table}`"))?
        .sort([ROW], SortMultipleOptions::default())
        .drop(cols(scratch)))
}

/// Read every table of an export directory, detecting its version.
///
/// Returns the report and `(table, frame)` pairs for the tables present.
///
/// # Errors
/// See [`SyntheaDir::open`] and [`read_table`].
pub fn read_dir(
    dir: impl AsRef<Path>,
    mode: ParseMode,
) -> Result<(DetectionReport, Vec<(TableKind, LazyFrame)>)> {
    let sd = SyntheaDir::open(dir)?;
    let mut out = Vec::new();
    for table in sd.tables() {
        if let Some(lf) = sd.read(table, mode)? {
            out.push((table, lf));
        }
    }
    Ok((sd.report, out))
}

/// The schema [`read_table`] produces for `table` in `version` when the file has exactly
/// the spec's columns (plus `drift` extra columns, as `String`).
///
/// # Errors
/// [`Error::TableNotInVersion`].
pub fn typed_schema(
    table: TableKind,
    version: SyntheaVersion,
    drift: &[&str],
    mode: ParseMode,
) -> Result<Schema> {
    let spec = table
        .spec(version)
        .ok_or(Error::TableNotInVersion { table, version })?;
    let mut schema = spec.raw_schema();
    for d in drift {
        schema.with_column((*d).into(), DataType::String);
    }
    if mode == ParseMode::Lenient {
        schema.with_column(
            PARSE_ERRORS_COLUMN.into(),
            DataType::List(Box::new(DataType::String)),
        );
    }
    Ok(schema)
}

struct ParseCheck {
    column: ColumnSpec,
    bad: Expr,
    raw: Expr,
}

struct TypedExpr {
    value: Expr,
    /// `Some` when the conversion can fail: true where a non-null input became null.
    bad: Option<Expr>,
    /// The input rendered as text, for error messages.
    raw: Expr,
}

fn open_source(
    path: &Path,
    format: FileFormat,
    table: TableKind,
) -> Result<(LazyFrame, SchemaRef)> {
    let mut lf = match format {
        FileFormat::Csv => {
            let header = detect::read_csv_header(path, table)?;
            let schema: Schema = header
                .iter()
                .map(|h| Field::new(h.as_str().into(), DataType::String))
                .collect();
            LazyCsvReader::new(PlRefPath::new(path.to_string_lossy().as_ref()))
                .with_has_header(true)
                .with_schema(Some(Arc::new(schema)))
                .finish()
                .ctx(|| format!("scanning {}", path.display()))?
        }
        _ => detect::scan_source(path, format)?,
    };
    let schema = lf
        .collect_schema()
        .ctx(|| format!("reading the schema of {}", path.display()))?;
    Ok((lf, schema))
}

/// Parse a (trimmed, non-empty) string expression as `kind`; null where it fails.
pub(crate) fn parse_text(text: Expr, kind: ValueKind) -> Expr {
    match kind {
        ValueKind::Text | ValueKind::Id | ValueKind::Code => text,
        ValueKind::Int | ValueKind::Year => text.cast(DataType::Int64),
        ValueKind::Float => text.cast(DataType::Float64),
        ValueKind::Date => text.str().to_date(StrptimeOptions {
            format: Some(DATE_FORMAT.into()),
            strict: false,
            exact: true,
            cache: true,
        }),
        ValueKind::Timestamp => text.str().to_datetime(
            Some(TimeUnit::Microseconds),
            Some(TimeZone::UTC),
            StrptimeOptions {
                format: Some(TIMESTAMP_FORMAT.into()),
                strict: false,
                exact: true,
                cache: true,
            },
            lit("raise"),
        ),
    }
}

/// Trimmed text with empty strings turned into nulls.
pub(crate) fn trimmed_or_null(e: Expr) -> Expr {
    let t = e.str().strip_chars(lit(NULL));
    when(t.clone().eq(lit("")))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(t)
}

/// Human description of what a kind accepts (used in errors).
pub(crate) fn expected_text(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Text | ValueKind::Id | ValueKind::Code => "text",
        ValueKind::Int => "integer",
        ValueKind::Year => "4-digit year (integer)",
        ValueKind::Float => "decimal number",
        ValueKind::Date => "date YYYY-MM-DD",
        ValueKind::Timestamp => "timestamp YYYY-MM-DDTHH:MM:SSZ",
    }
}

fn typed_expr(table: TableKind, c: &ColumnSpec, src: &DataType) -> Result<TypedExpr> {
    let target = c.dtype();
    let input = col(c.name);
    if *src == DataType::String {
        if c.kind.is_text() {
            let value = when(input.clone().eq(lit("")))
                .then(lit(NULL).cast(DataType::String))
                .otherwise(input.clone());
            return Ok(TypedExpr {
                value,
                bad: None,
                raw: input,
            });
        }
        let text = trimmed_or_null(input.clone());
        let value = parse_text(text.clone(), c.kind);
        let bad = text.is_not_null().and(value.clone().is_null());
        return Ok(TypedExpr {
            value,
            bad: Some(bad),
            raw: input,
        });
    }
    if *src == target {
        return Ok(TypedExpr {
            value: input.clone(),
            bad: None,
            raw: input,
        });
    }
    let castable = src.is_primitive_numeric()
        || src.is_temporal()
        || matches!(src, DataType::Boolean | DataType::Null);
    if !castable {
        return Err(Error::ColumnType {
            table,
            column: c.name.to_string(),
            expected: target.to_string(),
            found: src.to_string(),
        });
    }
    let value = input.clone().cast(target);
    let bad = input.clone().is_not_null().and(value.clone().is_null());
    Ok(TypedExpr {
        value,
        bad: Some(bad),
        raw: input.cast(DataType::String),
    })
}

fn validate_strict(
    path: &Path,
    format: FileFormat,
    source: &LazyFrame,
    checks: &[ParseCheck],
) -> Result<()> {
    if checks.is_empty() {
        return Ok(());
    }
    let mut exprs = vec![col(ROW_COLUMN)];
    let mut any_bad = Vec::with_capacity(checks.len());
    for (i, chk) in checks.iter().enumerate() {
        exprs.push(chk.bad.clone().alias(format!("__bad{i}")));
        exprs.push(chk.raw.clone().alias(format!("__raw{i}")));
        any_bad.push(col(format!("__bad{i}")));
    }
    let any = any_horizontal(any_bad).ctx(|| "building the strict validation query".to_string())?;
    let df = source
        .clone()
        .with_row_index(ROW_COLUMN, Some(1))
        .select(exprs)
        .filter(any)
        .limit(1)
        .collect()
        .ctx(|| format!("validating {}", path.display()))?;
    if df.height() == 0 {
        return Ok(());
    }
    let row = df
        .column(ROW_COLUMN)
        .and_then(|c| c.cast(&DataType::UInt64))
        .ctx(|| "reading the failing row number".to_string())?
        .u64()
        .ctx(|| "reading the failing row number".to_string())?
        .get(0)
        .unwrap_or_default();
    for (i, chk) in checks.iter().enumerate() {
        let is_bad = df
            .column(&format!("__bad{i}"))
            .and_then(|c| c.bool().cloned())
            .ctx(|| "reading the validation result".to_string())?
            .get(0)
            .unwrap_or(false);
        if is_bad {
            let value = df
                .column(&format!("__raw{i}"))
                .and_then(|c| c.cast(&DataType::String))
                .and_then(|c| c.str().map(|s| s.get(0).unwrap_or_default().to_string()))
                .ctx(|| "reading the offending value".to_string())?;
            let line = match format {
                FileFormat::Csv => Some(row + 1),
                FileFormat::Ndjson => Some(row),
                FileFormat::Parquet => None,
            };
            return Err(Error::Parse {
                path: PathBuf::from(path),
                column: chk.column.name.to_string(),
                row,
                line,
                value,
                expected: expected_text(chk.column.kind).to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::test_util::strs;

    #[test]
    fn type_frame_keeps_rows_in_order_and_carries_other_columns_unchanged() {
        // Row 2 (of 4) has a malformed date: typing splits bad and good rows internally.
        let raw = df!(
            "Id" => ["p1", "p2", "p3", "p4"],
            "BIRTHDATE" => ["1990-01-02", "not a date", "1980-03-04", "1970-05-06"],
            "_source_row" => [4i64, 1, 3, 2],
            "DRIFT" => ["a", "b", "c", "d"],
            "__dq_check_case_variant" => [true, false, false, true],
        )
        .unwrap();
        let typed = type_frame(raw.clone().lazy(), TableKind::Patients, SyntheaVersion::V2)
            .unwrap()
            .collect()
            .unwrap();
        assert_eq!(typed.height(), 4);
        assert_eq!(strs(&typed, "Id"), strs(&raw, "Id"));
        for name in ["_source_row", "DRIFT", "__dq_check_case_variant"] {
            assert_eq!(
                typed.column(name).unwrap(),
                raw.column(name).unwrap(),
                "{name}"
            );
        }
        let names: Vec<&str> = typed
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect();
        let spec = TableKind::Patients.spec(SyntheaVersion::V2).unwrap();
        assert_eq!(names.len(), spec.columns.len() + 4);
        assert_eq!(
            &names[spec.columns.len()..],
            [
                "_source_row",
                "DRIFT",
                "__dq_check_case_variant",
                PARSE_ERRORS_COLUMN
            ]
        );
        let errors = typed
            .column(PARSE_ERRORS_COLUMN)
            .unwrap()
            .list()
            .unwrap()
            .lst_lengths();
        assert_eq!(
            errors.iter().collect::<Vec<_>>(),
            [Some(0), Some(1), Some(0), Some(0)]
        );
    }

    #[test]
    fn no_synthea_column_passes_through() {
        for table in TableKind::all() {
            assert!(
                table.columns().iter().all(|c| !passes_through(c.name)),
                "{table}"
            );
        }
        assert!(passes_through("_batch_id") && passes_through("__dq_check_whitespace"));
    }
}
