//! Determinism, exact headers, dialect, typed loading and referential integrity.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::{col, gen_into, read_csv, read_rows, referenced_tables, samples_dir};
use synthea_gen::{ColumnKind, GeneratorConfig, Layout, TableKind};
use synthea_schema::read::{ParseMode, read_dir};
use synthea_schema::version::SyntheaVersion;

fn config(patients: u64, seed: u64, threads: usize) -> GeneratorConfig {
    GeneratorConfig {
        patients,
        seed,
        threads,
        chunk_size: 16,
        ..GeneratorConfig::default()
    }
}

fn file_bytes(dir: &Path, layout: Layout) -> Vec<(TableKind, Vec<u8>)> {
    layout
        .tables()
        .map(|t| (t, std::fs::read(dir.join(t.file_name())).unwrap()))
        .collect()
}

#[test]
fn same_seed_gives_identical_bytes_for_any_thread_count_and_chunk_size() {
    let (a, _) = gen_into(&config(60, 11, 1));
    let (b, _) = gen_into(&config(60, 11, 2));
    let (c, _) = gen_into(&GeneratorConfig {
        chunk_size: 7,
        threads: 3,
        ..config(60, 11, 3)
    });
    let fa = file_bytes(a.path(), Layout::V3);
    assert_eq!(fa.len(), 18);
    for other in [b.path(), c.path()] {
        for ((t, x), (_, y)) in fa.iter().zip(file_bytes(other, Layout::V3)) {
            assert!(*x == y, "{t} differs");
        }
    }
}

#[test]
fn different_seed_gives_different_data() {
    let (a, _) = gen_into(&config(20, 1, 2));
    let (b, _) = gen_into(&config(20, 2, 2));
    for t in [
        TableKind::Patients,
        TableKind::Encounters,
        TableKind::Observations,
    ] {
        assert_ne!(
            std::fs::read(a.path().join(t.file_name())).unwrap(),
            std::fs::read(b.path().join(t.file_name())).unwrap(),
            "{t}"
        );
    }
}

#[test]
fn header_lines_are_the_real_export_headers() {
    for layout in [Layout::V3, Layout::V2] {
        let (dir, report) = gen_into(&GeneratorConfig {
            layout,
            ..config(3, 5, 1)
        });
        assert_eq!(
            report.files.len(),
            if layout == Layout::V3 { 18 } else { 16 }
        );
        for t in layout.tables() {
            let text = std::fs::read_to_string(dir.path().join(t.file_name())).unwrap();
            let first = text.lines().next().unwrap();
            assert_eq!(Some(first.to_string()), layout.header(t), "{t}");
            // Dialect: LF only, trailing newline, no quotes, no BOM.
            assert!(text.ends_with('\n') && !text.contains('\r') && !text.contains('"'));
        }
        if layout == Layout::V2 {
            assert!(!dir.path().join("claims.csv").exists());
        }
    }
}

#[test]
fn headers_derived_from_the_spec_equal_the_real_sample_headers() {
    let Some(samples) = samples_dir() else { return };
    for (layout, sub, n) in [(Layout::V3, "v3-2024-11p", 18), (Layout::V2, "v2-10p", 16)] {
        let mut seen = 0;
        for t in layout.tables() {
            let text = std::fs::read_to_string(samples.join(sub).join(t.file_name())).unwrap();
            assert_eq!(
                text.lines().next().map(str::to_string),
                layout.header(t),
                "{sub}/{t}"
            );
            seen += 1;
        }
        assert_eq!(seen, n);
    }
}

#[test]
fn every_table_loads_with_the_strict_typed_reader() {
    for (layout, version) in [
        (Layout::V3, SyntheaVersion::V3Latest),
        (Layout::V2, SyntheaVersion::V2),
    ] {
        let (dir, report) = gen_into(&GeneratorConfig {
            layout,
            ..config(40, 3, 2)
        });
        let (det, frames) = read_dir(dir.path(), ParseMode::Strict).unwrap();
        assert_eq!(det.version, version);
        assert!(!det.has_drift(), "{det:?}");
        assert_eq!(frames.len(), report.files.len());
        for (table, lf) in frames {
            let df = lf.collect().unwrap();
            let expected = report
                .files
                .iter()
                .find(|f| {
                    f.table.file_name() == format!("{table}.csv")
                        || f.path.file_stem().and_then(|s| s.to_str()) == Some(&table.to_string())
                })
                .map(|f| f.rows);
            if let Some(rows) = expected {
                assert_eq!(df.height() as u64, rows, "{table}");
            }
        }
    }
}

#[test]
fn clean_export_has_perfect_referential_integrity_and_no_anomalies() {
    let cfg = config(150, 21, 2);
    let (dir, _) = gen_into(&cfg);
    let ids = |t: TableKind, name: &str| -> HashSet<String> {
        let (h, rows) = read_rows(dir.path(), t);
        let i = col(&h, name);
        rows.into_iter().map(|r| r[i].clone()).collect()
    };
    let targets: Vec<_> = referenced_tables()
        .into_iter()
        .map(|t| (t, ids(t, "Id")))
        .collect();
    let end = cfg.end_date.to_string();
    let mut checked_refs = 0u64;
    for t in Layout::V3.tables() {
        let (h, rows) = read_rows(dir.path(), t);
        let cols = Layout::V3.columns(t).unwrap();
        let mut lines = HashSet::new();
        for r in &rows {
            assert!(lines.insert(r.join(",")), "duplicate line in {t}: {r:?}");
            for (c, v) in cols.iter().zip(r) {
                if c.required && c.kind != ColumnKind::Identifier {
                    assert!(!v.is_empty(), "{t}.{} empty", c.name);
                }
                assert_eq!(v.trim(), v, "{t}.{} has stray whitespace", c.name);
                match c.kind {
                    ColumnKind::Ref(target) if !v.is_empty() => {
                        let set = &targets.iter().find(|(k, _)| *k == target).unwrap().1;
                        assert!(set.contains(v), "{t}.{} = {v} does not resolve", c.name);
                        checked_refs += 1;
                    }
                    ColumnKind::Date | ColumnKind::Timestamp if !v.is_empty() => {
                        assert!(
                            v[..10] <= *end.as_str(),
                            "{t}.{} = {v} after the end date",
                            c.name
                        );
                    }
                    ColumnKind::Category(set) if !v.is_empty() => {
                        assert!(set.contains(&v.as_str()), "{t}.{} = {v}", c.name);
                    }
                    _ => {}
                }
            }
            if let (Some(a), Some(b)) = (
                h.iter().position(|x| x == "START"),
                h.iter().position(|x| x == "STOP"),
            ) && !r[b].is_empty()
            {
                assert!(r[b] >= r[a], "{t}: STOP before START {r:?}");
            }
        }
    }
    assert!(checked_refs > 10_000, "{checked_refs}");
}

#[test]
fn v2_layout_matches_v2_sample_columns_and_has_no_claims() {
    let (dir, report) = gen_into(&GeneratorConfig {
        layout: Layout::V2,
        ..config(10, 9, 1)
    });
    assert_eq!(report.rows(TableKind::Claims), 0);
    let (h, rows) = read_csv(&dir.path().join("procedures.csv"));
    assert_eq!(h[0], "DATE");
    assert!(!rows.is_empty());
    let (h, rows) = read_csv(&dir.path().join("payer_transitions.csv"));
    let y = col(&h, "START_YEAR");
    assert!(
        rows.iter()
            .all(|r| r[y].len() == 4 && r[y].parse::<i32>().is_ok())
    );
}
