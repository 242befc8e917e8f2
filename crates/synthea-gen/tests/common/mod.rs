//! Shared helpers of the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use synthea_gen::{GenerationReport, GeneratorConfig, TableKind, generate};
use synthea_schema::spec::FOREIGN_KEYS;

/// Generate into a fresh tempdir.
pub fn gen_into(config: &GeneratorConfig) -> (tempfile::TempDir, GenerationReport) {
    let dir = tempfile::tempdir().unwrap();
    let report = generate(config, dir.path(), |_| {}).unwrap();
    (dir, report)
}

/// Header and data rows of a generated CSV (no quoting in Synthea's dialect).
pub fn read_rows(dir: &Path, table: TableKind) -> (Vec<String>, Vec<Vec<String>>) {
    read_csv(&dir.join(table.file_name()))
}

/// The tables other tables reference by id (from synthea-schema's foreign keys), in
/// catalogue order.
pub fn referenced_tables() -> Vec<TableKind> {
    TableKind::ALL
        .into_iter()
        .filter(|t| FOREIGN_KEYS.iter().any(|(_, target)| target == t))
        .collect()
}

/// Header and data rows of any CSV file.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    (header, rows)
}

/// Column index by name.
pub fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap()
}

/// `SYNTHEA_SAMPLES_DIR` when set.
pub fn samples_dir() -> Option<PathBuf> {
    match std::env::var_os("SYNTHEA_SAMPLES_DIR") {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            println!("skipped: SYNTHEA_SAMPLES_DIR not set");
            None
        }
    }
}

/// Encounter class counts of an encounters file.
pub fn class_counts(path: &Path) -> (HashMap<String, u64>, u64, u64) {
    let (h, rows) = read_csv(path);
    let ci = col(&h, "ENCOUNTERCLASS");
    let pi = col(&h, "PATIENT");
    let mut m = HashMap::new();
    let mut patients = std::collections::HashSet::new();
    for r in &rows {
        *m.entry(r[ci].clone()).or_insert(0) += 1;
        patients.insert(r[pi].clone());
    }
    (m, rows.len() as u64, patients.len() as u64)
}
