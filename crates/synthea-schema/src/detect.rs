//! Version detection from a directory's file headers.
//!
//! Only header lines are read (for CSV the first line; for Parquet the footer schema; for
//! NDJSON the schema Polars infers from the first lines). Columns are matched by name,
//! never by position.
//!
//! Algorithm: a version is *consistent* with the directory when every present table
//! exists in that version, every header contains all columns the version requires
//! (columns that a version may omit, such as `MIDDLE`, don't count), and no header has
//! a column that only *other* versions of that table have (e.g. `CATEGORY` in 2.x
//! observations). Unknown columns (in no version's spec) are drift and never fatal. Among consistent
//! versions the one with the fewest unexpected (drift) columns wins; ties go to the
//! newest version and the others are reported in [`DetectionReport::alternatives`]
//! (e.g. a directory holding only `encounters.csv` fits every version). When no version
//! is consistent, [`Error::UnrecognizedLayout`] lists, per file, the missing and
//! unexpected columns relative to the closest version.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, HeaderMismatch, PolarsContext, Result};
use crate::spec::TableKind;
use crate::version::SyntheaVersion;

/// File format of a table source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileFormat {
    /// Synthea's comma-separated export (`.csv`).
    Csv,
    /// Apache Parquet (`.parquet`).
    Parquet,
    /// Newline-delimited JSON (`.ndjson` or `.jsonl`).
    Ndjson,
}

impl FileFormat {
    fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "csv" => Some(Self::Csv),
            "parquet" => Some(Self::Parquet),
            "ndjson" | "jsonl" => Some(Self::Ndjson),
            _ => None,
        }
    }
}

/// What detection found about one table file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReport {
    /// The table.
    pub table: TableKind,
    /// The file.
    pub path: PathBuf,
    /// Its format.
    pub format: FileFormat,
    /// Header columns, in file order.
    pub columns: Vec<String>,
    /// Columns not in the detected version's spec (kept as text by the readers,
    /// reported as drift, never fatal).
    pub drift: Vec<String>,
    /// Spec columns the version allows to be absent and that are absent (filled with
    /// typed nulls by the readers), e.g. `MIDDLE`.
    pub absent_optional: Vec<String>,
}

/// Result of [`detect_version`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetectionReport {
    /// The directory.
    pub dir: PathBuf,
    /// The detected version.
    pub version: SyntheaVersion,
    /// Other versions the headers are equally consistent with (ambiguous detection,
    /// e.g. when only version-independent tables are present). Empty when unique.
    pub alternatives: Vec<SyntheaVersion>,
    /// One report per table file found, in [`TableKind::ALL`] order.
    pub files: Vec<FileReport>,
    /// Tables of the detected version with no file in the directory (fine: every file
    /// except patients and encounters is optional).
    pub missing_optional_files: Vec<TableKind>,
    /// Files in the directory that are not Synthea tables (ignored).
    pub ignored_files: Vec<PathBuf>,
}

impl DetectionReport {
    /// The report of `table`, if its file is present.
    pub fn file(&self, table: TableKind) -> Option<&FileReport> {
        self.files.iter().find(|f| f.table == table)
    }

    /// Whether any file has drift columns.
    pub fn has_drift(&self) -> bool {
        self.files.iter().any(|f| !f.drift.is_empty())
    }
}

/// A table file found in a directory, with its header columns.
#[derive(Clone, Debug)]
pub(crate) struct FoundFile {
    pub table: TableKind,
    pub path: PathBuf,
    pub format: FileFormat,
    pub columns: Vec<String>,
}

/// Read the header columns of one CSV file (first line only).
pub fn read_csv_header(path: &Path, table: TableKind) -> Result<Vec<String>> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut line = String::new();
    BufReader::new(file)
        .read_line(&mut line)
        .map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let line = line
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(Error::EmptyFile {
            path: path.to_path_buf(),
            table,
        });
    }
    Ok(line
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect())
}

pub(crate) fn scan_source(path: &Path, format: FileFormat) -> Result<LazyFrame> {
    let p = PlRefPath::new(path.to_string_lossy().as_ref());
    match format {
        FileFormat::Parquet => LazyFrame::scan_parquet(p, ScanArgsParquet::default())
            .ctx(|| format!("scanning {}", path.display())),
        FileFormat::Ndjson => LazyJsonLineReader::new(p)
            .finish()
            .ctx(|| format!("scanning {}", path.display())),
        FileFormat::Csv => LazyCsvReader::new(p)
            .with_infer_schema_length(Some(0))
            .finish()
            .ctx(|| format!("scanning {}", path.display())),
    }
}

fn header_columns(path: &Path, table: TableKind, format: FileFormat) -> Result<Vec<String>> {
    match format {
        FileFormat::Csv => read_csv_header(path, table),
        _ => {
            let schema = scan_source(path, format)?
                .collect_schema()
                .ctx(|| format!("reading the schema of {}", path.display()))?;
            Ok(schema.iter_names().map(|n| n.to_string()).collect())
        }
    }
}

/// List the table files in `dir` and read their headers.
pub(crate) fn scan_dir(dir: &Path) -> Result<(Vec<FoundFile>, Vec<PathBuf>)> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut by_table: BTreeMap<TableKind, Vec<(PathBuf, FileFormat)>> = BTreeMap::new();
    let mut ignored = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str());
        let ext = path.extension().and_then(|s| s.to_str());
        let known = match (stem, ext.and_then(FileFormat::from_extension)) {
            (Some(stem), Some(format)) => TableKind::from_file_name(stem).map(|t| (t, format)),
            _ => None,
        };
        match known {
            Some((table, format)) => by_table.entry(table).or_default().push((path, format)),
            None => ignored.push(path),
        }
    }
    ignored.sort();
    let mut found = Vec::new();
    for (table, mut paths) in by_table {
        if paths.len() > 1 {
            paths.sort();
            return Err(Error::DuplicateTableFiles {
                dir: dir.to_path_buf(),
                table,
                paths: paths.into_iter().map(|(p, _)| p).collect(),
            });
        }
        if let Some((path, format)) = paths.pop() {
            let columns = header_columns(&path, table, format)?;
            found.push(FoundFile {
                table,
                path,
                format,
                columns,
            });
        }
    }
    Ok((found, ignored))
}

/// Compare one header with one version.
pub(crate) fn compare_header(file: &FoundFile, version: SyntheaVersion) -> HeaderMismatch {
    let Some(spec) = file.table.spec(version) else {
        return HeaderMismatch {
            path: file.path.clone(),
            table: file.table,
            compared_with: version,
            missing: Vec::new(),
            unexpected: Vec::new(),
            from_other_versions: Vec::new(),
            found: file.columns.clone(),
            table_not_in_version: true,
        };
    };
    let missing = spec
        .header_required_columns()
        .into_iter()
        .filter(|c| !file.columns.iter().any(|h| h == c))
        .map(str::to_string)
        .collect();
    let unexpected: Vec<String> = file
        .columns
        .iter()
        .filter(|h| spec.column(h).is_none())
        .cloned()
        .collect();
    let from_other_versions = unexpected
        .iter()
        .filter(|h| file.table.columns().iter().any(|c| c.name == h.as_str()))
        .cloned()
        .collect();
    HeaderMismatch {
        path: file.path.clone(),
        table: file.table,
        compared_with: version,
        missing,
        unexpected,
        from_other_versions,
        found: file.columns.clone(),
        table_not_in_version: false,
    }
}

fn is_consistent(m: &HeaderMismatch) -> bool {
    !m.table_not_in_version && m.missing.is_empty() && m.from_other_versions.is_empty()
}

/// Build the report for `version` (which must be consistent with `files`).
fn build_report(
    dir: &Path,
    version: SyntheaVersion,
    alternatives: Vec<SyntheaVersion>,
    files: &[FoundFile],
    ignored: Vec<PathBuf>,
) -> DetectionReport {
    let reports = files
        .iter()
        .map(|f| {
            let m = compare_header(f, version);
            let absent_optional = f
                .table
                .spec(version)
                .map(|s| {
                    s.columns
                        .iter()
                        .filter(|c| !f.columns.iter().any(|h| h == c.name))
                        .map(|c| c.name.to_string())
                        .collect()
                })
                .unwrap_or_default();
            FileReport {
                table: f.table,
                path: f.path.clone(),
                format: f.format,
                columns: f.columns.clone(),
                drift: m.unexpected,
                absent_optional,
            }
        })
        .collect();
    let missing_optional_files = TableKind::ALL
        .into_iter()
        .filter(|t| t.in_version(version) && !files.iter().any(|f| f.table == *t))
        .collect();
    DetectionReport {
        dir: dir.to_path_buf(),
        version,
        alternatives,
        files: reports,
        missing_optional_files,
        ignored_files: ignored,
    }
}

fn check_required_files(dir: &Path, files: &[FoundFile]) -> Result<()> {
    for table in TableKind::ALL.into_iter().filter(|t| t.is_required_file()) {
        if !files.iter().any(|f| f.table == table) {
            return Err(Error::MissingRequiredFile {
                dir: dir.to_path_buf(),
                table,
            });
        }
    }
    Ok(())
}

/// Detect the Synthea version of the export in `dir` from its headers.
///
/// # Errors
/// [`Error::MissingRequiredFile`] without patients/encounters,
/// [`Error::UnrecognizedLayout`] when no version fits every header,
/// [`Error::DuplicateTableFiles`], [`Error::EmptyFile`], [`Error::Io`].
pub fn detect_version(dir: impl AsRef<Path>) -> Result<DetectionReport> {
    let dir = dir.as_ref();
    let (files, ignored) = scan_dir(dir)?;
    check_required_files(dir, &files)?;
    let mut candidates: Vec<(SyntheaVersion, usize)> = Vec::new();
    let mut closest: Option<(usize, Vec<HeaderMismatch>)> = None;
    for version in SyntheaVersion::ALL.into_iter().rev() {
        let mismatches: Vec<_> = files.iter().map(|f| compare_header(f, version)).collect();
        if mismatches.iter().all(is_consistent) {
            let drift = mismatches.iter().map(|m| m.unexpected.len()).sum();
            candidates.push((version, drift));
        } else {
            let distance: usize = mismatches
                .iter()
                .map(|m| {
                    if m.table_not_in_version {
                        m.found.len()
                    } else {
                        m.missing.len() + m.unexpected.len()
                    }
                })
                .sum();
            if closest.as_ref().is_none_or(|(d, _)| distance < *d) {
                closest = Some((distance, mismatches));
            }
        }
    }
    let Some(best_drift) = candidates.iter().map(|(_, d)| *d).min() else {
        let mismatches = closest
            .map(|(_, ms)| {
                ms.into_iter()
                    .filter(|m| {
                        m.table_not_in_version || !m.missing.is_empty() || !m.unexpected.is_empty()
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Err(Error::UnrecognizedLayout {
            dir: dir.to_path_buf(),
            mismatches,
        });
    };
    // Candidates are newest first, so the first with the least drift is the newest.
    let mut best = candidates
        .iter()
        .filter(|(_, d)| *d == best_drift)
        .map(|(v, _)| *v);
    let version = best.next().unwrap_or(SyntheaVersion::V3Latest);
    let alternatives: Vec<_> = best.collect();
    Ok(build_report(dir, version, alternatives, &files, ignored))
}

/// Check the export in `dir` against an explicitly given `version` (no detection).
///
/// # Errors
/// [`Error::MissingColumns`] for the first file that lacks columns of `version`,
/// [`Error::UnrecognizedLayout`] when a file's table does not exist in `version`, and the
/// I/O errors of [`detect_version`].
pub fn check_version(dir: impl AsRef<Path>, version: SyntheaVersion) -> Result<DetectionReport> {
    let dir = dir.as_ref();
    let (files, ignored) = scan_dir(dir)?;
    check_required_files(dir, &files)?;
    for f in &files {
        let m = compare_header(f, version);
        if m.table_not_in_version {
            return Err(Error::UnrecognizedLayout {
                dir: dir.to_path_buf(),
                mismatches: vec![m],
            });
        }
        if !m.missing.is_empty() {
            return Err(Error::MissingColumns {
                path: m.path,
                table: m.table,
                version,
                missing: m.missing,
                found: m.found,
            });
        }
    }
    Ok(build_report(dir, version, Vec::new(), &files, ignored))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn write(dir: &Path, name: &str, content: &str) {
        std::fs::write(dir.join(name), content).unwrap();
    }

    fn header(table: TableKind, v: SyntheaVersion) -> String {
        let spec = table.spec(v).unwrap();
        spec.header_required_columns().join(",") + "\n"
    }

    #[test]
    fn detects_each_version_from_minimal_headers() {
        for v in SyntheaVersion::ALL {
            let tmp = tempfile::tempdir().unwrap();
            for t in TableKind::ALL.into_iter().filter(|t| t.in_version(v)) {
                write(tmp.path(), &t.file_name(), &header(t, v));
            }
            let report = detect_version(tmp.path()).unwrap();
            assert_eq!(report.version, v);
            assert!(
                report.alternatives.is_empty(),
                "{v}: {:?}",
                report.alternatives
            );
            assert!(!report.has_drift());
        }
    }

    #[test]
    fn ambiguous_directory_reports_alternatives() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "encounters.csv",
            &header(TableKind::Encounters, SyntheaVersion::V2),
        );
        write(
            tmp.path(),
            "patients.csv",
            &header(TableKind::Patients, SyntheaVersion::V2),
        );
        let report = detect_version(tmp.path()).unwrap();
        // V2 patients have no INCOME; 3.0-3.2 may omit it, 3.3+ may not.
        assert_eq!(report.version, SyntheaVersion::V3Early);
        assert_eq!(report.alternatives, vec![SyntheaVersion::V2]);
        assert!(report.missing_optional_files.contains(&TableKind::Claims));
    }

    #[test]
    fn missing_required_file_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        write(
            tmp.path(),
            "patients.csv",
            &header(TableKind::Patients, SyntheaVersion::V2),
        );
        let err = detect_version(tmp.path()).unwrap_err();
        assert!(matches!(
            err,
            Error::MissingRequiredFile {
                table: TableKind::Encounters,
                ..
            }
        ));
    }

    #[test]
    fn empty_header_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        write(tmp.path(), "patients.csv", "");
        write(
            tmp.path(),
            "encounters.csv",
            &header(TableKind::Encounters, SyntheaVersion::V2),
        );
        let err = detect_version(tmp.path()).unwrap_err();
        assert!(matches!(
            err,
            Error::EmptyFile {
                table: TableKind::Patients,
                ..
            }
        ));
    }
}
