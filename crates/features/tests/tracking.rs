//! Delta I/O of the feature store (partitioning, properties, time travel), the
//! `_experiments` table, and MLflow tracking against a real server (`.ci/mlflow.sh`
//! starts one and sets `MLFLOW_TRACKING_URI`; without it the MLflow test prints
//! "skipped" and returns).
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;

use ehr_features::columns::{AS_OF_DATE, AS_OF_MONTH, PATIENT_ID};
use ehr_features::store::*;
use ehr_features::tracking::{MlflowClient, RunRecord};
use ehr_features::{FeatureDefinition, FeatureStore};
use polars::prelude::*;

fn store(values: [f64; 2], version: &str) -> FeatureStore {
    let frame = df!(PATIENT_ID => ["p1", "p2"], AS_OF_DATE => [19_000i32, 19_030], "lab__bmi_latest" => values)
        .unwrap()
        .lazy()
        .with_column(col(AS_OF_DATE).cast(DataType::Date))
        .with_column(col(AS_OF_DATE).dt().truncate(lit("1mo")).alias(AS_OF_MONTH))
        .select([col(PATIENT_ID), col(AS_OF_DATE), col(AS_OF_MONTH), col("lab__bmi_latest")]);
    FeatureStore {
        frame,
        definitions: vec![FeatureDefinition::new(
            "lab__bmi_latest",
            "labs",
            "Float64",
            "Latest BMI.",
        )],
        version: version.to_string(),
    }
}

fn record(run_id: &str) -> RunRecord {
    RunRecord {
        run_id: run_id.into(),
        experiment: "ehr_features_test".into(),
        run_name: "logistic_regression".into(),
        start_time_ms: 1_700_000_000_000,
        end_time_ms: 1_700_000_060_000,
        params: BTreeMap::from([
            ("label".into(), "label__diabetes_onset".into()),
            ("l2_alpha".into(), "1".into()),
        ]),
        metrics: BTreeMap::from([("test_roc_auc".into(), 0.81), ("test_brier".into(), 0.05)]),
        artifact_path: "model/model.json".into(),
        artifact: r#"{"coefficients":[0.5],"intercept":-2.0}"#.into(),
        mlflow_run_id: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn feature_store_table_keeps_definitions_and_travels_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("gold/patient_feature_store");
    let location = location.to_str().unwrap();
    let first = write_feature_store(location, &store([30.0, 25.0], "features-1.a"), "run-1")
        .await
        .unwrap();
    assert_eq!((first.data_version, first.rows), (0, 2));
    let props = feature_store_properties(location).await.unwrap();
    assert_eq!(props[FEATURE_SET_VERSION_PROPERTY], "features-1.a");
    assert_eq!(props["metric_version"], "features-1.a");
    let defs: Vec<FeatureDefinition> =
        serde_json::from_str(&props[FEATURE_DEFINITIONS_PROPERTY]).unwrap();
    assert_eq!(defs[0].name, "lab__bmi_latest");
    // Partitioned by as-of month.
    assert!(std::fs::read_dir(location).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("as_of_month=")
    }));

    let second = write_feature_store(location, &store([31.0, 26.0], "features-1.b"), "run-2")
        .await
        .unwrap();
    assert!(second.data_version > first.data_version);
    let bmi = |df: DataFrame| -> Vec<f64> {
        df.sort([PATIENT_ID], Default::default())
            .unwrap()
            .column("lab__bmi_latest")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect()
    };
    let old = read_feature_store(location, Some(first.data_version))
        .await
        .unwrap()
        .collect()
        .unwrap();
    let new = read_feature_store(location, None)
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!((bmi(old), bmi(new)), (vec![30.0, 25.0], vec![31.0, 26.0]));
}

#[tokio::test(flavor = "multi_thread")]
async fn experiments_table_appends_run_records() {
    let dir = tempfile::tempdir().unwrap();
    let location = dir.path().join("_experiments");
    let location = location.to_str().unwrap();
    assert_eq!(
        append_experiments(location, &[record("r1")]).await.unwrap(),
        1
    );
    let mut second = record("r2");
    second.mlflow_run_id = Some("abc".into());
    assert_eq!(append_experiments(location, &[second]).await.unwrap(), 1);
    let df = medallion_core::ReadBuilder::new(location)
        .unwrap()
        .await
        .unwrap()
        .sort(["run_id"], Default::default())
        .collect()
        .unwrap();
    assert_eq!(df.height(), 2);
    assert_eq!(
        df.column("roc_auc").unwrap().f64().unwrap().get(0),
        Some(0.81)
    );
    assert_eq!(
        df.column("mlflow_run_id").unwrap().str().unwrap().get(1),
        Some("abc")
    );
    let params: BTreeMap<String, String> = serde_json::from_str(
        df.column("params_json")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(params["l2_alpha"], "1");
}

#[test]
fn mlflow_run_holds_params_metrics_and_model_artifact() {
    let Some(client) = MlflowClient::from_env() else {
        println!(
            "skipped: MLFLOW_TRACKING_URI is not set (.ci/mlflow.sh starts a tracking server)"
        );
        return;
    };
    let rec = record("lakehouse-run-1");
    let run_id = client.log_run(&rec).unwrap();
    let run = client
        .get("runs/get", &format!("runs/get?run_id={run_id}"))
        .unwrap();
    assert_eq!(run["run"]["info"]["status"], "FINISHED");
    let data = &run["run"]["data"];
    let param = |k: &str| {
        data["params"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == k)
            .map(|p| p["value"].clone())
    };
    let metric = |k: &str| {
        data["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == k)
            .map(|p| p["value"].clone())
    };
    assert_eq!(param("l2_alpha"), Some("1".into()));
    assert_eq!(metric("test_roc_auc").and_then(|v| v.as_f64()), Some(0.81));
    let experiment_id = run["run"]["info"]["experiment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let artifact = client
        .download_artifact(&experiment_id, &run_id, "model/model.json")
        .unwrap();
    assert_eq!(artifact, rec.artifact);
    // The experiment is found again by name, not created twice.
    assert_eq!(
        client.experiment_id(&rec.experiment).unwrap(),
        experiment_id
    );
}
