//! Dirty mode: the manifest matches what is actually in the files.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use common::{gen_into, read_rows, referenced_tables};
use synthea_gen::{
    ColumnKind, DefectKind, DirtyManifest, GeneratorConfig, Layout, TableKind, is_per_patient,
};
use synthea_schema::spec::ENCOUNTER_CLASSES;

fn is_date_ok(kind: ColumnKind, v: &str) -> bool {
    match kind {
        ColumnKind::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok(),
        _ => chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%SZ").is_ok(),
    }
}

fn check(layout: Layout) {
    let cfg = GeneratorConfig {
        patients: 120,
        seed: 77,
        threads: 2,
        layout,
        dirty_rate: Some(0.03),
        ..GeneratorConfig::default()
    };
    let (dir, report) = gen_into(&cfg);
    let manifest: DirtyManifest =
        serde_json::from_slice(&std::fs::read(report.dirty_manifest.as_ref().unwrap()).unwrap())
            .unwrap();
    assert!(manifest.total > 500, "{}", manifest.total);
    assert_eq!(manifest.total, report.defects);

    // Id sets for orphan detection.
    let mut ids: HashMap<TableKind, HashSet<String>> = HashMap::new();
    for t in referenced_tables() {
        if layout.has(t) {
            let (_, rows) = read_rows(dir.path(), t);
            ids.insert(t, rows.into_iter().map(|r| r[0].clone()).collect());
        }
    }
    let end = cfg.end_date.to_string();
    let mut found: BTreeMap<(DefectKind, String), Vec<u64>> = BTreeMap::new();
    for t in layout.tables().filter(|t| is_per_patient(*t)) {
        let cols = layout.columns(t).unwrap();
        let (_, rows) = read_rows(dir.path(), t);
        let id_col = cols.iter().position(|c| c.kind == ColumnKind::Id);
        let (si, so) = (
            layout.column_index(t, "START"),
            layout.column_index(t, "STOP"),
        );
        let type_col = layout.column_index(t, "TYPE");
        let mut seen_lines = HashSet::new();
        let mut seen_ids = HashSet::new();
        for (n, r) in rows.iter().enumerate() {
            let row = n as u64 + 1;
            let mut hit = |k: DefectKind| {
                found
                    .entry((k, t.file_name().to_string()))
                    .or_default()
                    .push(row)
            };
            let line = r.join(",");
            if !seen_lines.insert(line) {
                hit(DefectKind::DuplicateRow);
            } else if let Some(i) = id_col
                && !seen_ids.insert(r[i].clone())
            {
                hit(DefectKind::DuplicateId);
            }
            if cols
                .iter()
                .zip(r)
                .any(|(c, v)| c.required && c.kind != ColumnKind::Id && v.is_empty())
            {
                hit(DefectKind::NullRequired);
            }
            if let (Some(a), Some(b)) = (si, so)
                && !r[b].is_empty()
                && is_date_ok(cols[a].kind, &r[a])
                && is_date_ok(cols[b].kind, &r[b])
                && r[b] < r[a]
            {
                hit(DefectKind::StopBeforeStart);
            }
            let dates = cols.iter().zip(r).filter(|(c, v)| {
                matches!(c.kind, ColumnKind::Date | ColumnKind::Timestamp) && !v.is_empty()
            });
            if dates
                .clone()
                .any(|(c, v)| is_date_ok(c.kind, v) && v[..10] > *end.as_str())
            {
                hit(DefectKind::FutureDate);
            }
            if dates.clone().any(|(c, v)| !is_date_ok(c.kind, v)) {
                hit(DefectKind::MalformedDate);
            }
            let numeric_obs = type_col.is_some_and(|i| r[i] == "numeric");
            if cols.iter().zip(r).any(|(c, v)| {
                !v.is_empty()
                    && match c.kind {
                        ColumnKind::Int => v.parse::<i64>().is_err(),
                        ColumnKind::Float => v.parse::<f64>().is_err(),
                        ColumnKind::ObservationValue => numeric_obs && v.parse::<f64>().is_err(),
                        _ => false,
                    }
            }) {
                hit(DefectKind::MalformedNumber);
            }
            if let Some(i) = layout.column_index(t, "ENCOUNTERCLASS")
                && !r[i].is_empty()
                && !ENCOUNTER_CLASSES.contains(&r[i].trim().to_lowercase().as_str())
            {
                hit(DefectKind::UnknownEncounterClass);
            }
            if cols.iter().zip(r).any(|(c, v)| match c.kind {
                ColumnKind::Ref(target) => !v.is_empty() && !ids[&target].contains(v),
                _ => false,
            }) {
                hit(DefectKind::OrphanForeignKey);
            }
            if r.iter().any(|v| v.trim() != v) {
                hit(DefectKind::StrayWhitespace);
            }
            if cols.iter().zip(r).any(|(c, v)| match c.kind {
                ColumnKind::Category(set)
                    if c.name != "ENCOUNTERCLASS"
                        || ENCOUNTER_CLASSES.contains(&v.to_lowercase().as_str()) =>
                {
                    !v.is_empty()
                        && !set.contains(&v.as_str())
                        && set.iter().any(|s| s.to_lowercase() == v.to_lowercase())
                }
                _ => false,
            }) {
                hit(DefectKind::CaseVariant);
            }
        }
    }
    let mut kinds_seen = HashSet::new();
    for kind in DefectKind::ALL {
        let k = manifest.defects.get(&kind).unwrap();
        for (file, fd) in &k.files {
            let detected = found
                .get(&(kind, file.clone()))
                .cloned()
                .unwrap_or_default();
            let rows: Vec<u64> = fd.entries.iter().map(|e| e.row).collect();
            assert_eq!(fd.count, rows.len() as u64);
            assert_eq!(rows, detected, "{kind:?} in {file}");
            kinds_seen.insert(kind);
        }
        // Nothing detected that the manifest does not list.
        for ((dk, file), rows) in &found {
            if *dk == kind {
                assert_eq!(
                    manifest.count(kind, file),
                    rows.len() as u64,
                    "{kind:?} in {file}"
                );
            }
        }
    }
    assert_eq!(
        kinds_seen.len(),
        DefectKind::ALL.len(),
        "every defect kind fires: {kinds_seen:?}"
    );
}

#[test]
fn dirty_manifest_matches_the_files_v3() {
    check(Layout::V3);
}

#[test]
fn dirty_manifest_matches_the_files_v2() {
    check(Layout::V2);
}

#[test]
fn dirty_export_keeps_clean_content_otherwise() {
    let base = GeneratorConfig {
        patients: 30,
        seed: 5,
        threads: 2,
        ..GeneratorConfig::default()
    };
    let (clean, _) = gen_into(&base);
    let (dirty, report) = gen_into(&GeneratorConfig {
        dirty_rate: Some(0.0),
        ..base
    });
    assert_eq!(report.defects, 0);
    for t in Layout::V3.tables() {
        assert_eq!(
            std::fs::read(clean.path().join(t.file_name())).unwrap(),
            std::fs::read(dirty.path().join(t.file_name())).unwrap()
        );
    }
}
