//! Finding the Synthea exports under a landing directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use synthea_schema::SyntheaVersion;

use crate::error::PipelineError;

/// Export directories under `landing` (those holding a patients file), sorted.
///
/// Directories are identified by their real path: a symlink to a directory already
/// seen (e.g. `latest -> 2024-11`, or a loop such as `loop -> .`) is visited once.
pub(crate) fn export_dirs(landing: &Path) -> Result<Vec<PathBuf>, PipelineError> {
    let mut found = Vec::new();
    let mut visited = BTreeSet::new();
    let mut pending = vec![landing.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let real = std::fs::canonicalize(&dir).map_err(|source| io_error(&dir, source))?;
        if !visited.insert(real) {
            tracing::debug!(dir = %dir.display(), "directory already visited (symlink); skipped");
            continue;
        }
        let entries = std::fs::read_dir(&dir).map_err(|source| io_error(&dir, source))?;
        let mut has_patients = false;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.file_stem().is_some_and(|s| s == "patients") {
                has_patients = true;
            }
        }
        if has_patients {
            found.push(dir);
        }
    }
    found.sort();
    Ok(found)
}

fn io_error(dir: &Path, source: std::io::Error) -> PipelineError {
    PipelineError::Medallion(medallion_core::Error::Io {
        path: dir.display().to_string(),
        operation: "find Synthea exports",
        source,
    })
}

/// The one Synthea version of all exports under `landing`.
pub(crate) fn landing_version(
    exports: &[PathBuf],
    landing: &Path,
) -> Result<SyntheaVersion, PipelineError> {
    let mut version = None;
    for dir in exports {
        let detected = synthea_schema::detect::detect_version(dir)?.version;
        match version {
            None => version = Some(detected),
            Some(v) if v == detected => {}
            Some(v) => {
                return Err(PipelineError::Schema(
                    synthea_schema::Error::InvalidConfig {
                        field: "landing",
                        value: landing.display().to_string(),
                        reason: format!(
                            "exports of different Synthea versions ({v:?} and {detected:?}) in one landing directory; use one lakehouse per version"
                        ),
                    },
                ));
            }
        }
    }
    version.ok_or_else(|| PipelineError::NoExport {
        path: landing.display().to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_symlink_loop_in_the_landing_folder_is_followed_once() {
        let dir = tempfile::tempdir().unwrap();
        let export = dir.path().join("2024-11");
        std::fs::create_dir(&export).unwrap();
        std::fs::write(export.join("patients.csv"), "Id\n").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
            std::os::unix::fs::symlink(&export, dir.path().join("latest")).unwrap();
        }
        let found = export_dirs(dir.path()).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
