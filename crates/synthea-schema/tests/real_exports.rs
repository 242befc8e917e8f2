//! Every table of the three real Synthea exports loads in its detected version, in
//! strict mode, with row counts equal to the files' data records.
//!
//! The exports are not in the repository: set `SYNTHEA_SAMPLES_DIR` to the directory
//! holding `v2-10p`, `v3-2024-11p` and `v3-early-59p`.

use std::path::PathBuf;

use polars::prelude::*;
use synthea_schema::detect::detect_version;
use synthea_schema::dq::{ValueRangeConfig, range_rules};
use synthea_schema::normalize::{NormalizeConfig, normalize, silver_schema};
use synthea_schema::read::{PARSE_ERRORS_COLUMN, ParseMode, SyntheaDir, typed_schema};
use synthea_schema::spec::TableKind;
use synthea_schema::version::SyntheaVersion;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn samples_dir() -> Option<PathBuf> {
    match std::env::var_os("SYNTHEA_SAMPLES_DIR") {
        Some(d) => Some(PathBuf::from(d)),
        None => {
            println!("skipped: SYNTHEA_SAMPLES_DIR not set");
            None
        }
    }
}

/// Number of CSV data records: newlines outside double quotes, minus the header,
/// plus one if the last record has no trailing newline.
fn count_records(bytes: &[u8]) -> usize {
    let mut in_quotes = false;
    let mut records = 0usize;
    for b in bytes {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => records += 1,
            _ => {}
        }
    }
    if bytes.last().is_some_and(|b| *b != b'\n') {
        records += 1;
    }
    records.saturating_sub(1)
}

const EXPECTED: [(&str, SyntheaVersion); 3] = [
    ("v2-10p", SyntheaVersion::V2),
    ("v3-early-59p", SyntheaVersion::V3Early),
    ("v3-2024-11p", SyntheaVersion::V3Latest),
];

#[test]
fn record_counter_respects_quoted_newlines() {
    assert_eq!(count_records(b"a,b\n1,2\n3,4\n"), 2);
    assert_eq!(count_records(b"a,b\n1,\"x\ny\"\n3,4"), 2);
    assert_eq!(count_records(b"a,b\n"), 0);
}

#[test]
fn real_exports_detect_their_version() -> TestResult {
    let Some(root) = samples_dir() else {
        return Ok(());
    };
    for (name, version) in EXPECTED {
        let report = detect_version(root.join(name))?;
        assert_eq!(report.version, version, "{name}");
        assert!(
            report.alternatives.is_empty(),
            "{name}: {:?}",
            report.alternatives
        );
        assert!(!report.has_drift(), "{name}: {:?}", report.files);
        for f in &report.files {
            assert!(
                f.absent_optional
                    .iter()
                    .all(|c| { ["MIDDLE", "SYSTEM", "INCOME"].contains(&c.as_str()) }),
                "{name} {}: {:?}",
                f.table,
                f.absent_optional
            );
        }
    }
    let v2 = detect_version(root.join("v2-10p"))?;
    assert!(v2.missing_optional_files.is_empty());
    let early = detect_version(root.join("v3-early-59p"))?;
    assert_eq!(
        early.missing_optional_files,
        vec![TableKind::ClaimsTransactions]
    );
    assert!(early.ignored_files.iter().any(|p| p.ends_with("SOURCE.md")));
    let latest = detect_version(root.join("v3-2024-11p"))?;
    assert_eq!(
        latest.missing_optional_files,
        vec![TableKind::PatientExpenses]
    );
    Ok(())
}

#[test]
fn every_real_table_loads_strictly_with_exact_row_counts() -> TestResult {
    let Some(root) = samples_dir() else {
        return Ok(());
    };
    for (name, version) in EXPECTED {
        let dir = SyntheaDir::open(root.join(name))?;
        assert_eq!(dir.version(), version);
        assert!(!dir.tables().is_empty());
        for table in dir.tables() {
            let path = root.join(name).join(table.file_name());
            let expected_rows = count_records(&std::fs::read(&path)?);
            let lf = dir
                .read(table, ParseMode::Strict)?
                .ok_or("table listed but not readable")?;
            let df = lf.collect()?;
            assert_eq!(df.height(), expected_rows, "{name}/{table}");
            assert_eq!(
                df.schema().as_ref(),
                &typed_schema(table, version, &[], ParseMode::Strict)?,
                "{name}/{table}"
            );

            // Lenient mode agrees: no value needed nulling.
            let lenient = dir
                .read(table, ParseMode::Lenient)?
                .ok_or("table listed but not readable")?
                .select([col(PARSE_ERRORS_COLUMN).list().len().sum().alias("n")])
                .collect()?;
            let n = lenient.column("n")?.cast(&DataType::UInt64)?.u64()?.get(0);
            assert_eq!(n.unwrap_or(0), 0, "{name}/{table} lenient parse errors");

            // Normalized silver frame matches the contract and keeps every row.
            let silver = normalize(
                table,
                version,
                dir.read(table, ParseMode::Strict)?.ok_or("x")?,
                &NormalizeConfig::default(),
            )?;
            let silver_df = silver.collect()?;
            assert_eq!(silver_df.height(), expected_rows, "{name}/{table} silver");
            assert_eq!(
                silver_df.schema().as_ref(),
                &silver_schema(table),
                "{name}/{table} silver"
            );
        }
    }
    Ok(())
}

#[test]
fn range_rules_never_fire_on_real_exports() -> TestResult {
    let Some(root) = samples_dir() else {
        return Ok(());
    };
    let config = ValueRangeConfig::default();
    let mut checked = 0usize;
    for (name, _) in EXPECTED {
        let dir = SyntheaDir::open(root.join(name))?;
        for table in dir.tables() {
            let rules = range_rules(table, &config);
            if rules.is_empty() {
                continue;
            }
            let silver = normalize(
                table,
                dir.version(),
                dir.read(table, ParseMode::Strict)?
                    .ok_or("table listed but not readable")?,
                &NormalizeConfig::default(),
            )?;
            let hits = silver
                .select(
                    rules
                        .iter()
                        .map(|r| {
                            r.violation
                                .clone()
                                .cast(DataType::UInt32)
                                .sum()
                                .alias(r.name.as_str())
                        })
                        .collect::<Vec<_>>(),
                )
                .collect()?;
            for rule in &rules {
                let n = hits
                    .column(rule.name.as_str())?
                    .cast(&DataType::UInt64)?
                    .u64()?
                    .get(0);
                assert_eq!(
                    n.unwrap_or(0),
                    0,
                    "{name}: {} fired on a real export",
                    rule.name
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "only {checked} range rules checked");
    Ok(())
}

#[test]
fn real_quirks_survive_typed_reading() -> TestResult {
    let Some(root) = samples_dir() else {
        return Ok(());
    };
    // Observations with empty ENCOUNTER exist in v3-early (the QALY/DALY/QOLS rows).
    let dir = SyntheaDir::open(root.join("v3-early-59p"))?;
    let obs = dir
        .read(TableKind::Observations, ParseMode::Strict)?
        .ok_or("observations missing")?
        .select([col("ENCOUNTER").null_count().alias("n")])
        .collect()?;
    let n = obs.column("n")?.cast(&DataType::UInt64)?.u64()?.get(0);
    assert_eq!(n, Some(1512));

    // v2 procedures contain non-numeric custom-module codes kept as text.
    let v2 = SyntheaDir::open(root.join("v2-10p"))?;
    let codes = v2
        .read(TableKind::Procedures, ParseMode::Strict)?
        .ok_or("procedures missing")?
        .filter(col("CODE").str().starts_with(lit("PR")))
        .collect()?;
    assert!(codes.height() > 0);
    Ok(())
}

#[test]
fn star_schema_builds_from_every_real_export() -> TestResult {
    use chrono::NaiveDate;
    use synthea_schema::star::{DateDimConfig, StarInputs, build_star};

    let Some(root) = samples_dir() else {
        return Ok(());
    };
    for (name, version) in EXPECTED {
        let dir = SyntheaDir::open(root.join(name))?;
        let silver = |t: TableKind| -> Result<LazyFrame, Box<dyn std::error::Error>> {
            let raw = dir.read(t, ParseMode::Strict)?.ok_or("missing table")?;
            Ok(normalize(t, version, raw, &NormalizeConfig::default())?)
        };
        let inputs = StarInputs {
            patients: silver(TableKind::Patients)?,
            providers: silver(TableKind::Providers)?,
            organizations: silver(TableKind::Organizations)?,
            payers: silver(TableKind::Payers)?,
            encounters: silver(TableKind::Encounters)?,
            conditions: silver(TableKind::Conditions)?,
            medications: silver(TableKind::Medications)?,
            observations: silver(TableKind::Observations)?,
        };
        let start = NaiveDate::from_ymd_opt(1900, 1, 1).ok_or("date")?;
        let end = NaiveDate::from_ymd_opt(2030, 12, 31).ok_or("date")?;
        let star = build_star(inputs, start, end, &DateDimConfig::default())?;
        for (table, lf) in star.tables() {
            let df = lf.collect()?;
            assert_eq!(
                df.schema().as_ref(),
                &table.schema(),
                "{name} {}",
                table.name()
            );
            assert!(df.height() > 0, "{name} {}", table.name());
        }
        // Patient and encounter keys are unique over the real data.
        let dim = star.dim_patient.collect()?;
        assert_eq!(dim.column("patient_key")?.n_unique()?, dim.height());
        let fact = star.fact_encounters.collect()?;
        assert_eq!(fact.column("encounter_key")?.n_unique()?, fact.height());
        assert_eq!(fact.column("start_date_key")?.null_count(), 0);
    }
    Ok(())
}
