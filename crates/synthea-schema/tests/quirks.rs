//! Hand-made fixtures for each Synthea quirk, written into temp dirs.

use std::path::Path;

use chrono::NaiveDate;
use polars::prelude::*;
use synthea_schema::Error;
use synthea_schema::detect::{FileFormat, detect_version};
use synthea_schema::dq::checks::{AFTER_DEATH_CHECK, flag_encounters_after_death};
use synthea_schema::dq::{DqConfig, dq_rules};
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{PARSE_ERRORS_COLUMN, ParseMode, SyntheaDir, read_table};
use synthea_schema::spec::TableKind;
use synthea_schema::version::SyntheaVersion;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PATIENTS_V2: &str = "Id,BIRTHDATE,DEATHDATE,SSN,DRIVERS,PASSPORT,PREFIX,FIRST,LAST,SUFFIX,MAIDEN,MARITAL,RACE,ETHNICITY,GENDER,BIRTHPLACE,ADDRESS,CITY,STATE,COUNTY,ZIP,LAT,LON,HEALTHCARE_EXPENSES,HEALTHCARE_COVERAGE\n\
p1,1950-01-01,2020-01-02,999-11-2222,,,Mr.,Al1,Bo1,,,M,white,nonhispanic,M,Boston  MA  US,1 Main St,Somerville,Massachusetts,Middlesex County,02155,42.1,-71.1,21095.079999999998,100.0\n\
p2,1980-05-05,,999-33-4444,,,,Cy2,Di2,,,,black,hispanic,F,Boston  MA  US,2 Main St,Boston,Massachusetts,Suffolk County,00000,42.2,-71.2,0.0,0.0\n";

const ENCOUNTERS_HEADER: &str = "Id,START,STOP,PATIENT,ORGANIZATION,PROVIDER,PAYER,ENCOUNTERCLASS,CODE,DESCRIPTION,BASE_ENCOUNTER_COST,TOTAL_CLAIM_COST,PAYER_COVERAGE,REASONCODE,REASONDESCRIPTION";

fn encounter_rows() -> String {
    [
        "e1,2019-12-01T10:00:00Z,2019-12-01T11:00:00Z,p1,o1,d1,y1,wellness,162673000,General examination,129.16,129.16,0.00,,",
        "e2,2020-01-05T10:00:00Z,2020-01-05T10:15:00Z,p1,o1,d1,y1,wellness,308646001,Death Certification,136.80,136.80,0.00,,",
        "e3,2020-01-06T10:00:00Z,2020-01-06T11:00:00Z,p1,o1,d1,y1,emergency,50849002,Emergency room admission,100,100,0,,",
        "e4,2020-02-01T10:00:00Z,2020-01-31T10:00:00Z,p2,o1,d1,y1,ambulatory,185349003,Encounter for check up,100,100,0,10939881000119105,Chronic kidney disease due to type 2 diabetes",
        "e4,2020-03-01T10:00:00Z,2020-03-01T11:00:00Z,p2,o1,d1,y1,ambulatory,185349003,Encounter for check up,100,100,0,,",
    ]
    .join("\n")
        + "\n"
}

fn write_v2_core(dir: &Path) -> TestResult {
    std::fs::write(dir.join("patients.csv"), PATIENTS_V2)?;
    std::fs::write(
        dir.join("encounters.csv"),
        format!("{ENCOUNTERS_HEADER}\n{}", encounter_rows()),
    )?;
    std::fs::write(
        dir.join("immunizations.csv"),
        "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST\n2019-12-01T10:00:00Z,p1,e1,08,Hep B  adolescent or pediatric,140.52\n",
    )?;
    std::fs::write(
        dir.join("observations.csv"),
        "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,VALUE,UNITS,TYPE\n\
         2019-12-01T10:00:00Z,p1,e1,39156-5,Body Mass Index,27.1,kg/m2,numeric\n\
         2019-12-01T10:00:00Z,p1,,QALY,Quality adjusted life years,55.2,a,numeric\n",
    )?;
    std::fs::write(
        dir.join("procedures.csv"),
        "DATE,PATIENT,ENCOUNTER,CODE,DESCRIPTION,BASE_COST,REASONCODE,REASONDESCRIPTION\n2019-12-01T10:00:00Z,p1,e1,PR60515,Invitae test 1,10,,\n",
    )?;
    Ok(())
}

fn strs(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>, PolarsError> {
    let c = df.column(name)?.cast(&DataType::String)?;
    let ca = c.str()?;
    Ok((0..ca.len())
        .map(|i| ca.get(i).map(str::to_string))
        .collect())
}

fn bools(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>, PolarsError> {
    let ca = df.column(name)?.bool()?.clone();
    Ok((0..ca.len()).map(|i| ca.get(i)).collect())
}

#[test]
fn codes_zips_and_ssns_stay_strings() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let dir = SyntheaDir::open(tmp.path())?;
    assert_eq!(dir.version(), SyntheaVersion::V2);

    let imm = dir
        .read(TableKind::Immunizations, ParseMode::Strict)?
        .ok_or("no imm")?
        .collect()?;
    assert_eq!(strs(&imm, "CODE")?, vec![Some("08".to_string())]);

    let pat = dir
        .read(TableKind::Patients, ParseMode::Strict)?
        .ok_or("no pat")?
        .collect()?;
    assert_eq!(
        strs(&pat, "ZIP")?,
        vec![Some("02155".into()), Some("00000".into())]
    );
    assert_eq!(pat.column("SSN")?.dtype(), &DataType::String);
    let exp = pat.column("HEALTHCARE_EXPENSES")?.f64()?.get(0);
    assert_eq!(exp, Some(21095.079999999998));

    let enc = dir
        .read(TableKind::Encounters, ParseMode::Strict)?
        .ok_or("no enc")?
        .collect()?;
    assert_eq!(
        strs(&enc, "REASONCODE")?[3],
        Some("10939881000119105".into())
    );
    assert_eq!(
        enc.column("START")?.dtype(),
        &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
    );
    assert_eq!(enc.column("REASONCODE")?.null_count(), 4);
    Ok(())
}

#[test]
fn empty_observation_encounter_becomes_null() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let dir = SyntheaDir::open(tmp.path())?;
    let obs = dir
        .read(TableKind::Observations, ParseMode::Strict)?
        .ok_or("no obs")?;
    let silver = normalize(
        TableKind::Observations,
        dir.version(),
        obs,
        &NormalizeConfig::default(),
    )?
    .collect()?;
    assert_eq!(
        strs(&silver, "encounter_id")?,
        vec![Some("e1".into()), None]
    );
    assert_eq!(silver.column("value_numeric")?.f64()?.get(1), Some(55.2));
    Ok(())
}

#[test]
fn death_certification_after_death_is_not_flagged_but_other_encounters_are() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let dir = SyntheaDir::open(tmp.path())?;
    let cfg = NormalizeConfig::default();
    let v = dir.version();
    let enc = normalize(
        TableKind::Encounters,
        v,
        dir.read(TableKind::Encounters, ParseMode::Strict)?
            .ok_or("x")?,
        &cfg,
    )?;
    let pat = normalize(
        TableKind::Patients,
        v,
        dir.read(TableKind::Patients, ParseMode::Strict)?
            .ok_or("x")?,
        &cfg,
    )?;
    let flagged = flag_encounters_after_death(enc, pat, &DqConfig::default()).collect()?;
    let flags = bools(&flagged, AFTER_DEATH_CHECK)?;
    // e1 before death, e2 death certification (3 days after), e3 ER visit after death, e4 alive patient.
    assert_eq!(
        flags,
        vec![
            Some(false),
            Some(false),
            Some(true),
            Some(false),
            Some(false)
        ]
    );
    Ok(())
}

#[test]
fn stop_before_start_and_duplicate_ids_are_flagged() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let dir = SyntheaDir::open(tmp.path())?;
    let enc = normalize(
        TableKind::Encounters,
        dir.version(),
        dir.read(TableKind::Encounters, ParseMode::Strict)?
            .ok_or("x")?,
        &NormalizeConfig::default(),
    )?;
    let as_of = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")?;
    let rules = dq_rules(TableKind::Encounters, &DqConfig::default(), as_of);
    let exprs: Vec<Expr> = rules
        .iter()
        .map(|r| r.violation.clone().alias(r.name.as_str()))
        .collect();
    let fired = enc.select(exprs).collect()?;
    let col_of = |name: &str| -> Result<Vec<Option<bool>>, PolarsError> { bools(&fired, name) };
    assert_eq!(
        col_of("encounters.stop_before_start")?,
        vec![
            Some(false),
            Some(false),
            Some(false),
            Some(true),
            Some(false)
        ]
    );
    assert_eq!(
        col_of("encounters.duplicate_id")?,
        vec![
            Some(false),
            Some(false),
            Some(false),
            Some(true),
            Some(true)
        ]
    );
    assert_eq!(
        col_of("encounters.unknown_encounter_class")?,
        vec![Some(false); 5]
    );
    Ok(())
}

fn malformed_dir() -> Result<tempfile::TempDir, Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let rows = encounter_rows().replace("2020-01-06T10:00:00Z", "2020-13-06 10:00");
    std::fs::write(
        tmp.path().join("encounters.csv"),
        format!("{ENCOUNTERS_HEADER}\n{rows}"),
    )?;
    Ok(tmp)
}

#[test]
fn malformed_timestamp_is_a_strict_error_naming_file_column_row_and_text() -> TestResult {
    let tmp = malformed_dir()?;
    let dir = SyntheaDir::open(tmp.path())?;
    let err = dir
        .read(TableKind::Encounters, ParseMode::Strict)
        .err()
        .ok_or("expected an error")?;
    match &err {
        Error::Parse {
            path,
            column,
            row,
            line,
            value,
            ..
        } => {
            assert!(path.ends_with("encounters.csv"));
            assert_eq!(column, "START");
            assert_eq!(*row, 3);
            assert_eq!(*line, Some(4));
            assert_eq!(value, "2020-13-06 10:00");
        }
        other => return Err(format!("unexpected error {other}").into()),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("encounters.csv") && msg.contains("START") && msg.contains("2020-13-06 10:00"),
        "{msg}"
    );
    Ok(())
}

#[test]
fn malformed_timestamp_is_null_and_flagged_in_lenient_mode() -> TestResult {
    let tmp = malformed_dir()?;
    let dir = SyntheaDir::open(tmp.path())?;
    let df = dir
        .read(TableKind::Encounters, ParseMode::Lenient)?
        .ok_or("x")?
        .collect()?;
    assert_eq!(df.height(), 5);
    let start = df.column("START")?;
    assert_eq!(start.null_count(), 1);
    assert!(start.datetime()?.physical().get(2).is_none());
    let errs = df.column(PARSE_ERRORS_COLUMN)?.list()?;
    let row2 = errs.get_as_series(2).ok_or("row 2")?;
    assert_eq!(row2.str()?.get(0), Some("START"));
    assert_eq!(row2.len(), 1);
    assert_eq!(errs.get_as_series(0).ok_or("row 0")?.len(), 0);
    Ok(())
}

#[test]
fn unknown_extra_column_is_kept_and_reported_as_drift() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let content = format!(
        "{ENCOUNTERS_HEADER},TRIAGE_LEVEL\n{}",
        encounter_rows()
            .lines()
            .map(|l| format!("{l},3\n"))
            .collect::<String>()
    );
    std::fs::write(tmp.path().join("encounters.csv"), content)?;
    let report = detect_version(tmp.path())?;
    assert_eq!(report.version, SyntheaVersion::V2);
    let f = report.file(TableKind::Encounters).ok_or("no report")?;
    assert_eq!(f.drift, vec!["TRIAGE_LEVEL".to_string()]);
    assert!(report.has_drift());
    let dir = SyntheaDir::open(tmp.path())?;
    let df = dir
        .read(TableKind::Encounters, ParseMode::Strict)?
        .ok_or("x")?
        .collect()?;
    assert_eq!(strs(&df, "TRIAGE_LEVEL")?[0], Some("3".into()));
    Ok(())
}

#[test]
fn missing_required_column_lists_found_columns() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let header_without_patient = ENCOUNTERS_HEADER.replace(",PATIENT", "");
    std::fs::write(
        tmp.path().join("encounters.csv"),
        format!("{header_without_patient}\n"),
    )?;
    // Detection: no version fits.
    let err = detect_version(tmp.path())
        .err()
        .ok_or("expected an error")?;
    match &err {
        Error::UnrecognizedLayout { mismatches, .. } => {
            let m = mismatches
                .iter()
                .find(|m| m.table == TableKind::Encounters)
                .ok_or("no mismatch")?;
            assert_eq!(m.missing, vec!["PATIENT".to_string()]);
            assert!(m.found.contains(&"ENCOUNTERCLASS".to_string()));
        }
        other => return Err(format!("unexpected error {other}").into()),
    }
    assert!(err.to_string().contains("PATIENT"));
    // Direct read with an explicit version.
    let err = read_table(
        &tmp.path().join("encounters.csv"),
        FileFormat::Csv,
        TableKind::Encounters,
        SyntheaVersion::V2,
        ParseMode::Strict,
    )
    .err()
    .ok_or("expected an error")?;
    match err {
        Error::MissingColumns { missing, found, .. } => {
            assert_eq!(missing, vec!["PATIENT".to_string()]);
            assert_eq!(found.len(), 14);
            assert!(found.contains(&"Id".to_string()));
        }
        other => return Err(format!("unexpected error {other}").into()),
    }
    Ok(())
}

#[test]
fn mixed_versions_are_rejected_with_per_file_differences() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    // A 3.x observations file next to 2.x procedures.
    std::fs::write(
        tmp.path().join("observations.csv"),
        "DATE,PATIENT,ENCOUNTER,CATEGORY,CODE,DESCRIPTION,VALUE,UNITS,TYPE\n",
    )?;
    let err = detect_version(tmp.path())
        .err()
        .ok_or("expected an error")?;
    let Error::UnrecognizedLayout { mismatches, .. } = err else {
        return Err("expected UnrecognizedLayout".into());
    };
    let obs = mismatches
        .iter()
        .find(|m| m.table == TableKind::Observations);
    let procs = mismatches.iter().find(|m| m.table == TableKind::Procedures);
    // Compared with 2.x, observations carry a 3.x column; compared with 3.x, procedures
    // lack START/STOP. Whichever is closest must be listed.
    assert!(
        obs.is_some_and(|m| m.from_other_versions == vec!["CATEGORY".to_string()])
            || procs.is_some_and(|m| m.missing.contains(&"START".to_string())),
        "{mismatches:?}"
    );
    Ok(())
}

#[test]
fn parquet_and_ndjson_sources_read_like_csv() -> TestResult {
    let tmp = tempfile::tempdir()?;
    write_v2_core(tmp.path())?;
    let csv_dir = SyntheaDir::open(tmp.path())?;
    let expected = csv_dir
        .read(TableKind::Encounters, ParseMode::Strict)?
        .ok_or("x")?
        .collect()?;

    for format in ["parquet", "ndjson"] {
        let out = tempfile::tempdir()?;
        std::fs::copy(
            tmp.path().join("patients.csv"),
            out.path().join("patients.csv"),
        )?;
        // Write the raw (all-string) encounters in the other format.
        let mut raw = LazyCsvReader::new(PlRefPath::new(
            tmp.path().join("encounters.csv").to_string_lossy().as_ref(),
        ))
        .with_infer_schema_length(Some(0))
        .finish()?
        .collect()?;
        let path = out.path().join(format!("encounters.{format}"));
        let mut file = std::fs::File::create(&path)?;
        if format == "parquet" {
            ParquetWriter::new(&mut file).finish(&mut raw)?;
        } else {
            JsonWriter::new(&mut file)
                .with_json_format(JsonFormat::JsonLines)
                .finish(&mut raw)?;
        }
        let dir = SyntheaDir::open(out.path())?;
        let got = dir
            .read(TableKind::Encounters, ParseMode::Strict)?
            .ok_or("x")?
            .collect()?;
        assert!(got.equals_missing(&expected), "{format}");
    }
    Ok(())
}
