//! Integration tests: every journey table on the real Synthea samples
//! (`SYNTHEA_SAMPLES_DIR`) and on generated data.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::Path;

use ehr_journey::columns::*;
use ehr_journey::*;
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::columns::encounters::START;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{ParseMode, SyntheaDir};

const HYPERTENSION: &str = "59621000";
const DIABETES: &str = "44054006";

fn load(dir: &Path) -> JourneyInputs {
    let synthea = SyntheaDir::open(dir).unwrap();
    let config = NormalizeConfig::default();
    let table = |kind: TableKind| -> Option<LazyFrame> {
        let raw = synthea.read(kind, ParseMode::Strict).unwrap()?;
        // Materialize once so the tables below do not re-parse the CSVs.
        let df = normalize(kind, synthea.version(), raw, &config)
            .unwrap()
            .collect()
            .unwrap();
        Some(df.lazy())
    };
    JourneyInputs {
        encounters: table(TableKind::Encounters).unwrap(),
        conditions: table(TableKind::Conditions).unwrap(),
        medications: table(TableKind::Medications).unwrap(),
        procedures: table(TableKind::Procedures),
        immunizations: table(TableKind::Immunizations),
        observations: table(TableKind::Observations),
    }
}

fn median_for(ttt: &DataFrame, code: &str) -> Option<f64> {
    let row = ttt
        .clone()
        .lazy()
        .filter(col(CONDITION_CODE).eq(lit(code)))
        .collect()
        .unwrap();
    if row.height() == 0 {
        return None;
    }
    row.column(MEDIAN_DAYS_TO_MEDICATION)
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
}

/// Stack of the thread [`check_all`] runs on: 16 MiB. Measured on the debug test profile:
/// building and collecting all gold tables overflows the default 2 MiB test-thread stack
/// and passes with 4 MiB; 16 MiB keeps a 4× margin.
const TEST_STACK_BYTES: usize = 16 << 20;

/// Runs [`check_all_inner`] on a thread with [`TEST_STACK_BYTES`] of stack.
fn check_all(name: &str, inputs: &JourneyInputs) {
    let (name, inputs) = (name.to_string(), inputs.clone());
    std::thread::Builder::new()
        .stack_size(TEST_STACK_BYTES)
        .spawn(move || check_all_inner(&name, &inputs))
        .unwrap()
        .join()
        .unwrap();
}

/// Build every gold table, check invariants, print headline numbers.
fn check_all_inner(name: &str, inputs: &JourneyInputs) {
    let config = JourneyConfig::default();
    let mut tables = gold_tables(inputs, &config).unwrap();
    let schemas = [
        gold_timeline_schema(),
        episodes_schema(&config.episodes),
        condition_journeys_schema(),
        time_to_treatment_schema(),
    ];
    for (table, schema) in tables.iter_mut().zip(&schemas) {
        let name = &table.name;
        assert_eq!(
            table.frame.collect_schema().unwrap().as_ref(),
            schema,
            "{name}"
        );
    }
    let dfs: Vec<DataFrame> = tables
        .into_iter()
        .map(|table| table.frame.collect().unwrap())
        .collect();
    let (timeline, episodes, journeys, ttt) = (&dfs[0], &dfs[1], &dfs[2], &dfs[3]);

    // Timeline: event_seq is 1..n per patient; every encounter with patient+start is on it.
    let per_patient = timeline
        .clone()
        .lazy()
        .group_by([col(PATIENT_ID)])
        .agg([
            col(EVENT_SEQ).max().alias("max"),
            len().cast(DataType::Int64).alias("n"),
        ])
        .collect()
        .unwrap();
    assert_eq!(
        per_patient.column("max").unwrap().as_materialized_series(),
        &per_patient
            .column("n")
            .unwrap()
            .as_materialized_series()
            .clone()
            .with_name("max".into())
    );
    let valid_encounters = inputs
        .encounters
        .clone()
        .filter(col(PATIENT_ID).is_not_null().and(col(START).is_not_null()))
        .select([len()])
        .collect()
        .unwrap()
        .column("len")
        .unwrap()
        .get(0)
        .unwrap()
        .try_extract::<u64>()
        .unwrap();
    let timeline_encounters = timeline
        .column(EVENT_TYPE)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .filter(|t| *t == Some("encounter"))
        .count() as u64;
    assert_eq!(timeline_encounters, valid_encounters);

    // Episodes partition the encounters.
    let episode_encounters: i64 = episodes
        .column(ENCOUNTER_COUNT)
        .unwrap()
        .i64()
        .unwrap()
        .sum()
        .unwrap();
    assert_eq!(episode_encounters as u64, valid_encounters);

    // Journeys: one row per patient × condition, no treatment before diagnosis.
    assert!(journeys.height() > 0);
    let unique = journeys
        .clone()
        .lazy()
        .select([col(PATIENT_ID), col(CONDITION_CODE)])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .unwrap()
        .height();
    assert_eq!(unique, journeys.height());
    let min_days = journeys
        .column(DAYS_TO_MEDICATION)
        .unwrap()
        .f64()
        .unwrap()
        .min();
    assert!(min_days.is_none_or(|d| d >= 0.0), "{min_days:?}");
    let patients_with_journeys: i64 = ttt.column(PATIENTS).unwrap().i64().unwrap().sum().unwrap();
    assert_eq!(patients_with_journeys as usize, journeys.height());

    let n_patients = episodes.column(PATIENT_ID).unwrap().n_unique().unwrap();
    let treated = journeys
        .column(TREATMENT_START)
        .unwrap()
        .is_not_null()
        .sum()
        .unwrap_or(0);
    println!(
        "[{name}] timeline rows {}, patients {n_patients}, episodes {} ({:.2} per patient), \
         patient x condition journeys {} ({treated} treated), conditions {}, \
         median days to medication: hypertension {:?}, diabetes {:?}",
        timeline.height(),
        episodes.height(),
        episodes.height() as f64 / n_patients.max(1) as f64,
        journeys.height(),
        ttt.height(),
        median_for(ttt, HYPERTENSION),
        median_for(ttt, DIABETES),
    );
    println!(
        "[{name}] top conditions:\n{}",
        ttt.head(Some(5))
            .select([
                CONDITION_DESCRIPTION,
                PATIENTS,
                TREATED_PATIENTS,
                MEDIAN_DAYS_TO_MEDICATION,
                MEAN_JOURNEY_LENGTH_DAYS
            ])
            .unwrap()
    );
}

#[test]
fn real_synthea_exports() {
    let Ok(root) = std::env::var("SYNTHEA_SAMPLES_DIR") else {
        println!("skipped: SYNTHEA_SAMPLES_DIR not set");
        return;
    };
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no export directories under {root}");
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        check_all(&name, &load(&dir));
    }
}

#[test]
fn generated_synthea_export() {
    let dir = tempfile::tempdir().unwrap();
    let config = synthea_gen::GeneratorConfig::new(300, 7);
    synthea_gen::generate(&config, dir.path(), |_| {}).unwrap();
    check_all("generated-300", &load(dir.path()));
}
