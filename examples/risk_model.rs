//! Risk models on a point-in-time feature store: build `gold/patient_feature_store`
//! from silver tables, train a logistic regression and a random forest to predict
//! diabetes onset within 12 months (and, with `--readmission`, 30-day readmission per
//! index discharge), print their held-out ROC AUC, PR AUC, Brier score and calibration
//! against the prevalence baseline, write `gold/patient_risk_scores` and one
//! `_experiments` row per model, and log the runs to MLflow when `MLFLOW_TRACKING_URI`
//! is set.
//!
//! ```text
//! cargo run --example risk_model -- --patients 2000                # generated data
//! cargo run --example risk_model -- --lakehouse lakehouse          # built by synthea_lakehouse
//! cargo run --example risk_model -- --lakehouse lakehouse --as-of-version 3
//! ```
//!
//! Generated data (`synthea-gen`, default) is written to a temporary directory and read
//! through `synthea-schema`'s typed reader; `--lakehouse` reads its `silver/` tables.
//! Outputs go below `--out` (default: the lakehouse, else `risk_model/`). Training reads
//! the feature table through Delta time travel: the version just written, or
//! `--as-of-version`. Prints rows/s of the feature store build and the peak memory.

#[path = "support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use chrono::{Months, NaiveDate, Utc};
use clap::Parser;
use ehr_features::columns::{AS_OF_DATE, LABEL_DIABETES_ONSET, LABEL_READMISSION_30D};
use ehr_features::model::{
    Evaluation, ModelConfig, RiskBands, Trained, risk_scores, train_and_evaluate,
};
use ehr_features::store::{
    EXPERIMENTS_TABLE, append_experiments, read_feature_store, write_feature_store,
    write_risk_scores,
};
use ehr_features::tracking::{MlflowClient, RunRecord};
use ehr_features::{
    AsOfDates, FEATURE_STORE_TABLE, FeatureInputs, FeatureStoreConfig, feature_store,
};
use medallion_core::{ReadBuilder, run_polars};
use polars::prelude::*;
use synthea_schema::TableKind;
use synthea_schema::normalize::{NormalizeConfig, normalize};
use synthea_schema::read::{ParseMode, SyntheaDir};

/// Train and track risk models on a point-in-time patient feature store.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Patients to generate (ignored with --lakehouse).
    #[arg(long, default_value_t = 2_000)]
    patients: u64,
    /// Generator and model seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Read silver tables from this lakehouse (built by `synthea_lakehouse`).
    #[arg(long, value_name = "DIR")]
    lakehouse: Option<PathBuf>,
    /// Where gold/ and _experiments are written. Default: the lakehouse, else `risk_model`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Last as-of month end (default: 12 months before the last encounter, so that the
    /// 12-month label is observable).
    #[arg(long, value_name = "DATE")]
    last_as_of: Option<NaiveDate>,
    /// Monthly snapshots ending at the last as-of date.
    #[arg(long, default_value_t = 12)]
    months: u32,
    /// Train on this version of gold/patient_feature_store (Delta time travel) instead
    /// of rebuilding it.
    #[arg(long, value_name = "VERSION")]
    as_of_version: Option<u64>,
    /// Also train the 30-day readmission models (one row per index discharge).
    #[arg(long)]
    readmission: bool,
    /// Trees of the random forest.
    #[arg(long, default_value_t = 100)]
    trees: u16,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn main() -> ExitCode {
    support::init_logging();
    let args = Args::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// Peak resident memory of the process in MB (Linux `VmHWM`).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

async fn run(args: Args) -> Result<(), Failure> {
    let out = args
        .out
        .clone()
        .or_else(|| args.lakehouse.clone())
        .unwrap_or_else(|| PathBuf::from("risk_model"));
    let generated = tempfile::tempdir()?;
    // Silver inputs are needed to build a feature table (not to retrain on an old
    // version) and for the readmission rows.
    let inputs = if args.as_of_version.is_none() || args.readmission {
        Some(match &args.lakehouse {
            Some(dir) => lakehouse_inputs(dir).await?,
            None => generated_inputs(args.patients, args.seed, generated.path()).await?,
        })
    } else {
        None
    };
    let store_path = out.join("gold").join(FEATURE_STORE_TABLE);
    let store_location = store_path
        .to_str()
        .ok_or("output path is not UTF-8")?
        .to_string();
    let run_id = format!("risk_model-{}", Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let (version, feature_version) = match args.as_of_version {
        Some(v) => (v, String::from("(time travel)")),
        None => {
            let inputs = inputs.as_ref().ok_or("no silver inputs")?;
            build_store(inputs, &args, &store_location, &run_id).await?
        }
    };
    println!("training on {FEATURE_STORE_TABLE} version {version} (Delta time travel)");
    let table = read_feature_store(&store_location, Some(version)).await?;
    let table = run_polars(move || table.collect()).await??;
    let features = feature_columns(&table);
    let config = ModelConfig::default()
        .with_seed(args.seed)
        .with_trees(args.trees);
    let started = Utc::now();
    let mut records = Vec::new();
    if let Some(trained) = trained_or_skip(train(
        &table,
        &features,
        LABEL_DIABETES_ONSET,
        &feature_version,
        &config,
    ))? {
        report("diabetes onset within 12 months", &trained);
        let scores = latest_scores(&table, &trained)?;
        records.extend(run_records(
            "diabetes_onset",
            &trained,
            &config,
            &feature_version,
            version,
            &run_id,
            started,
        ));
        let versions: Vec<String> = trained.models.iter().map(|m| m.version.clone()).collect();
        let scores_path = out.join("gold").join("patient_risk_scores");
        let n = write_risk_scores(
            scores_path.to_str().ok_or("output path is not UTF-8")?,
            scores,
            &versions,
            &run_id,
        )
        .await?;
        println!("wrote {n} rows to gold/patient_risk_scores");
    }
    if args.readmission {
        let discharges = readmission_table(inputs.as_ref().ok_or("no silver inputs")?).await?;
        let trained = train(
            &discharges.0,
            &discharges.1,
            LABEL_READMISSION_30D,
            &feature_version,
            &config,
        );
        if let Some(trained) = trained_or_skip(trained)? {
            report("30-day readmission per index discharge", &trained);
            records.extend(run_records(
                "readmission_30d",
                &trained,
                &config,
                &feature_version,
                version,
                &run_id,
                started,
            ));
        }
    }
    track(&mut records);
    let experiments = out.join(EXPERIMENTS_TABLE);
    append_experiments(
        experiments.to_str().ok_or("output path is not UTF-8")?,
        &records,
    )
    .await?;
    println!("appended {} runs to {EXPERIMENTS_TABLE}", records.len());
    if let Some(mb) = peak_mb() {
        println!("peak memory: {mb:.0} MB");
    }
    Ok(())
}

/// Generates a Synthea export and reads it as silver frames.
async fn generated_inputs(patients: u64, seed: u64, dir: &Path) -> Result<FeatureInputs, Failure> {
    let started = Instant::now();
    synthea_gen::generate(
        &synthea_gen::GeneratorConfig::new(patients, seed),
        dir,
        |_| {},
    )?;
    println!(
        "generated {patients} patients in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let d = SyntheaDir::open(dir)?;
    let version = d.version();
    let mut frames = BTreeMap::new();
    for kind in [
        TableKind::Patients,
        TableKind::Encounters,
        TableKind::Conditions,
        TableKind::Medications,
        TableKind::Observations,
        TableKind::Procedures,
    ] {
        let raw = d
            .read(kind, ParseMode::Strict)?
            .ok_or_else(|| format!("the export has no {} file", kind.name()))?;
        let silver = normalize(kind, version, raw, &NormalizeConfig::default())?;
        let df = run_polars(move || silver.collect()).await??;
        frames.insert(kind.name(), df.lazy());
    }
    inputs_from(frames)
}

/// Reads the silver tables of a lakehouse.
async fn lakehouse_inputs(dir: &Path) -> Result<FeatureInputs, Failure> {
    let mut frames = BTreeMap::new();
    for kind in [
        TableKind::Patients,
        TableKind::Encounters,
        TableKind::Conditions,
        TableKind::Medications,
        TableKind::Observations,
        TableKind::Procedures,
    ] {
        let path = dir.join("silver").join(kind.name());
        let lf = ReadBuilder::new(path.as_path())?.await?;
        frames.insert(kind.name(), lf);
    }
    inputs_from(frames)
}

fn inputs_from(mut frames: BTreeMap<&'static str, LazyFrame>) -> Result<FeatureInputs, Failure> {
    let mut take = |k: TableKind| {
        frames
            .remove(k.name())
            .ok_or_else(|| format!("missing silver {}", k.name()))
    };
    Ok(FeatureInputs {
        patients: take(TableKind::Patients)?,
        encounters: take(TableKind::Encounters)?,
        conditions: take(TableKind::Conditions)?,
        medications: take(TableKind::Medications)?,
        observations: take(TableKind::Observations)?,
        procedures: take(TableKind::Procedures)?,
    })
}

/// The last encounter date of the data.
async fn data_end(inputs: &FeatureInputs) -> Result<NaiveDate, Failure> {
    let lf = inputs.encounters.clone().select([col("start_date").max()]);
    let df = run_polars(move || lf.collect()).await??;
    let days = df
        .column("start_date")?
        .cast(&DataType::Int32)?
        .i32()?
        .get(0)
        .ok_or("no encounters")?;
    Ok(NaiveDate::default() + chrono::Duration::days(i64::from(days)))
}

/// Builds and writes the feature store; its Delta version and feature set version.
async fn build_store(
    inputs: &FeatureInputs,
    args: &Args,
    location: &str,
    run_id: &str,
) -> Result<(u64, String), Failure> {
    let last = match args.last_as_of {
        Some(d) => d,
        None => data_end(inputs).await? - Months::new(13),
    };
    let first = last - Months::new(args.months.saturating_sub(1));
    let as_of = AsOfDates::MonthEnds {
        start: first,
        end: last,
    };
    let dates = as_of.dates()?.unwrap_or_default();
    let config = FeatureStoreConfig::default().with_as_of(as_of);
    let store = feature_store(inputs, &config)?;
    let started = Instant::now();
    let written = write_feature_store(location, &store, run_id).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{FEATURE_STORE_TABLE}: {} rows × {} features, {} month ends to {}, version {} ({}) in {secs:.1}s = {:.0} rows/s",
        written.rows,
        store.feature_columns().len(),
        args.months,
        dates.last().copied().unwrap_or(last),
        written.data_version,
        store.version,
        written.rows as f64 / secs.max(1e-9),
    );
    Ok((written.data_version, store.version))
}

fn feature_columns(table: &DataFrame) -> Vec<String> {
    table
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| c.contains("__") && !c.starts_with("label__"))
        .collect()
}

fn train(
    table: &DataFrame,
    features: &[String],
    label: &str,
    version: &str,
    config: &ModelConfig,
) -> ehr_features::Result<Trained> {
    let started = Instant::now();
    let trained = train_and_evaluate(table, features, label, version, config)?;
    println!(
        "trained on {} rows ({} patients; {} after oversampling), tested on {} rows ({} patients) in {:.1}s",
        trained.split.train_rows,
        trained.split.train_patients,
        trained.split.balanced_train_rows,
        trained.split.test_rows,
        trained.split.test_patients,
        started.elapsed().as_secs_f64()
    );
    Ok(trained)
}

fn report(title: &str, trained: &Trained) {
    println!("\n{title}");
    println!(
        "{:<22} {:>8} {:>8} {:>8} {:>10}",
        "model", "ROC AUC", "PR AUC", "Brier", "positives"
    );
    let base: &Evaluation = &trained.evaluations[0];
    println!(
        "{:<22} {:>8.3} {:>8.3} {:>8.4} {:>5}/{:<5}",
        "baseline (prevalence)",
        0.5,
        base.prevalence,
        base.baseline_brier,
        base.positives,
        base.rows
    );
    for (m, e) in trained.models.iter().zip(&trained.evaluations) {
        println!(
            "{:<22} {:>8.3} {:>8.3} {:>8.4}",
            m.name, e.roc_auc, e.pr_auc, e.brier
        );
    }
    for (m, e) in trained.models.iter().zip(&trained.evaluations) {
        let bins: Vec<String> = e
            .calibration
            .iter()
            .map(|b| format!("{:.3}/{:.3}", b.mean_predicted, b.observed_rate))
            .collect();
        println!(
            "calibration {} (predicted/observed by decile): {}",
            m.name,
            bins.join(" ")
        );
    }
}

/// Scores of every model for the rows at the latest as-of date.
fn latest_scores(table: &DataFrame, trained: &Trained) -> Result<DataFrame, Failure> {
    let latest = table
        .clone()
        .lazy()
        .filter(col(AS_OF_DATE).eq(col(AS_OF_DATE).max()))
        .collect()?;
    let mut all: Option<DataFrame> = None;
    for model in &trained.models {
        let s = risk_scores(&latest, model, &RiskBands::default())?;
        all = Some(match all {
            Some(a) => a.vstack(&s)?,
            None => s,
        });
    }
    Ok(all.ok_or("no models")?)
}

/// The readmission training table: a feature store with one row per index discharge,
/// in memory, and its feature columns.
async fn readmission_table(inputs: &FeatureInputs) -> Result<(DataFrame, Vec<String>), Failure> {
    let store = feature_store(
        inputs,
        &FeatureStoreConfig::default().with_as_of(AsOfDates::IndexDischarges),
    )?;
    let frame = store.frame.clone();
    let table = run_polars(move || frame.collect()).await??;
    println!("\nindex discharges: {} rows", table.height());
    Ok((table, store.feature_columns()))
}

/// Too little data to train (a small population) is reported and skipped, not an error.
fn trained_or_skip(result: ehr_features::Result<Trained>) -> Result<Option<Trained>, Failure> {
    match result {
        Ok(t) => Ok(Some(t)),
        Err(e @ ehr_features::Error::NotEnoughData { .. }) => {
            println!("skipped: {e} (generate more patients or months)");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn run_records(
    experiment: &str,
    trained: &Trained,
    config: &ModelConfig,
    feature_version: &str,
    table_version: u64,
    run_id: &str,
    started: chrono::DateTime<Utc>,
) -> Vec<RunRecord> {
    let ended = Utc::now().timestamp_millis();
    trained
        .models
        .iter()
        .zip(&trained.evaluations)
        .map(|(m, e)| {
            let params = BTreeMap::from([
                ("model".to_string(), m.name.clone()),
                ("model_version".to_string(), m.version.clone()),
                ("label".to_string(), m.label.clone()),
                (
                    "feature_set_version".to_string(),
                    feature_version.to_string(),
                ),
                (
                    "feature_table_version".to_string(),
                    table_version.to_string(),
                ),
                ("features".to_string(), m.features.len().to_string()),
                ("seed".to_string(), config.seed.to_string()),
                (
                    "test_fraction".to_string(),
                    config.test_fraction.to_string(),
                ),
                (
                    "oversample_ratio".to_string(),
                    config.oversample_ratio.to_string(),
                ),
                ("l2_alpha".to_string(), config.l2_alpha.to_string()),
                ("trees".to_string(), config.trees.to_string()),
                ("max_depth".to_string(), config.max_depth.to_string()),
            ]);
            let metrics = BTreeMap::from([
                ("test_roc_auc".to_string(), e.roc_auc),
                ("test_pr_auc".to_string(), e.pr_auc),
                ("test_brier".to_string(), e.brier),
                ("baseline_brier".to_string(), e.baseline_brier),
                ("baseline_pr_auc".to_string(), e.prevalence),
                ("test_rows".to_string(), e.rows as f64),
                ("test_positives".to_string(), e.positives as f64),
                ("train_rows".to_string(), trained.split.train_rows as f64),
            ]);
            RunRecord {
                run_id: run_id.to_string(),
                experiment: experiment.to_string(),
                run_name: m.name.clone(),
                start_time_ms: started.timestamp_millis(),
                end_time_ms: ended,
                params,
                metrics,
                artifact_path: "model/model.json".into(),
                artifact: m.to_json().unwrap_or_default(),
                mlflow_run_id: None,
            }
        })
        .collect()
}

/// Logs each record to MLflow when `MLFLOW_TRACKING_URI` is set.
fn track(records: &mut [RunRecord]) {
    let Some(client) = MlflowClient::from_env() else {
        println!("MLFLOW_TRACKING_URI not set: runs recorded in {EXPERIMENTS_TABLE} only");
        return;
    };
    for r in records.iter_mut() {
        match client.log_run(r) {
            Ok(id) => {
                println!("MLflow run {id} ({} / {})", r.experiment, r.run_name);
                r.mlflow_run_id = Some(id);
            }
            Err(e) => eprintln!("warning: MLflow logging failed: {e}"),
        }
    }
}
