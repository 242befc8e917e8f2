//! Experiment tracking: one [`RunRecord`] per trained model, written to the
//! `_experiments` Delta table ([`crate::store::append_experiments`]) and, when a
//! tracking server is configured, logged to MLflow through its REST API
//! ([`MlflowClient`]).
//!
//! The MLflow calls: `experiments/get-by-name` (or `experiments/create`),
//! `runs/create`, `runs/log-batch` (params, metrics, tags), the model JSON uploaded
//! through the artifact proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/<experiment
//! id>/<run id>/artifacts/<path>`; the server must run with artifact serving, the
//! default of `mlflow server`), `runs/update` (status `FINISHED`). Plain HTTP only.

use std::collections::BTreeMap;
use std::time::Duration;

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// Environment variable naming the tracking server, e.g. `http://127.0.0.1:5055`.
pub const MLFLOW_TRACKING_URI: &str = "MLFLOW_TRACKING_URI";
/// MLflow's limit on a parameter value (characters).
const PARAM_VALUE_LIMIT: usize = 6000;

/// What one training run produced: enough to reproduce and compare it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Our run id (also the Delta commits' run id).
    pub run_id: String,
    /// Experiment name, e.g. `diabetes_onset`.
    pub experiment: String,
    /// Run name, e.g. the model name.
    pub run_name: String,
    /// Start, milliseconds since the Unix epoch (given by the caller: no clock here).
    pub start_time_ms: i64,
    /// End, milliseconds since the Unix epoch.
    pub end_time_ms: i64,
    /// Parameters (model settings, feature store version and table version, label).
    pub params: BTreeMap<String, String>,
    /// Metrics (held-out ROC AUC, PR AUC, Brier score, baselines, sizes).
    pub metrics: BTreeMap<String, f64>,
    /// Artifact path of the model inside the run, e.g. `model/model.json`.
    pub artifact_path: String,
    /// The model as JSON.
    pub artifact: String,
    /// The MLflow run id when it was logged there.
    pub mlflow_run_id: Option<String>,
}

/// The `_experiments` rows of `records`: run and experiment names, times, params and
/// metrics as JSON, the main metrics as columns, the model JSON, the MLflow run id.
///
/// # Errors
/// [`Error::Serialize`], Polars errors.
pub fn experiments_frame(records: &[RunRecord]) -> Result<DataFrame> {
    let json = |v: &dyn erased::Json| v.to_json();
    let metric = |name: &str| -> Vec<Option<f64>> {
        records
            .iter()
            .map(|r| r.metrics.get(name).copied())
            .collect()
    };
    let params: Vec<String> = records
        .iter()
        .map(|r| json(&r.params))
        .collect::<Result<_>>()?;
    let metrics: Vec<String> = records
        .iter()
        .map(|r| json(&r.metrics))
        .collect::<Result<_>>()?;
    let text =
        |f: &dyn Fn(&RunRecord) -> String| -> Vec<String> { records.iter().map(f).collect() };
    Ok(DataFrame::new_infer_height(vec![
        Column::new("run_id".into(), text(&|r| r.run_id.clone())),
        Column::new("experiment".into(), text(&|r| r.experiment.clone())),
        Column::new("run_name".into(), text(&|r| r.run_name.clone())),
        Column::new(
            "start_time_ms".into(),
            records.iter().map(|r| r.start_time_ms).collect::<Vec<_>>(),
        ),
        Column::new(
            "end_time_ms".into(),
            records.iter().map(|r| r.end_time_ms).collect::<Vec<_>>(),
        ),
        Column::new("params_json".into(), params),
        Column::new("metrics_json".into(), metrics),
        Column::new("roc_auc".into(), metric("test_roc_auc")),
        Column::new("pr_auc".into(), metric("test_pr_auc")),
        Column::new("brier".into(), metric("test_brier")),
        Column::new("artifact_path".into(), text(&|r| r.artifact_path.clone())),
        Column::new("model_json".into(), text(&|r| r.artifact.clone())),
        Column::new(
            "mlflow_run_id".into(),
            records
                .iter()
                .map(|r| r.mlflow_run_id.clone())
                .collect::<Vec<_>>(),
        ),
    ])?)
}

mod erased {
    use crate::error::{Error, Result};
    /// Serialize a map as JSON.
    pub trait Json {
        fn to_json(&self) -> Result<String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<String> {
            serde_json::to_string(self).map_err(|source| Error::Serialize {
                what: "run record",
                source,
            })
        }
    }
}

/// A blocking client of an MLflow tracking server's REST API.
#[derive(Clone, Debug)]
pub struct MlflowClient {
    base: String,
    agent: ureq::Agent,
}

impl MlflowClient {
    /// A client of the server at `base` (e.g. `http://127.0.0.1:5055`).
    pub fn new(base: impl Into<String>) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            base: base.into().trim_end_matches('/').to_string(),
            agent,
        }
    }

    /// A client of [`MLFLOW_TRACKING_URI`] when it is set to an `http://` URL.
    pub fn from_env() -> Option<Self> {
        std::env::var(MLFLOW_TRACKING_URI)
            .ok()
            .filter(|u| u.starts_with("http://"))
            .map(Self::new)
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn check(
        operation: &'static str,
        response: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, String)> {
        let mut response = response.map_err(|e| Error::Tracking {
            operation,
            reason: e.to_string(),
        })?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| Error::Tracking {
                operation,
                reason: e.to_string(),
            })?;
        Ok((status, body))
    }

    fn ok(operation: &'static str, (status, body): (u16, String)) -> Result<Value> {
        if !(200..300).contains(&status) {
            let mut reason = body;
            reason.truncate(300);
            return Err(Error::Tracking {
                operation,
                reason: format!("HTTP {status}: {reason}"),
            });
        }
        if body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&body).map_err(|e| Error::Tracking {
            operation,
            reason: format!("bad JSON: {e}"),
        })
    }

    /// `GET /api/2.0/mlflow/<path>` with a query string.
    ///
    /// # Errors
    /// [`Error::Tracking`] for transport errors and non-2xx answers.
    pub fn get(&self, operation: &'static str, path_and_query: &str) -> Result<Value> {
        let url = format!("{}/api/2.0/mlflow/{path_and_query}", self.base);
        Self::ok(
            operation,
            Self::check(operation, self.agent.get(&url).call())?,
        )
    }

    /// `POST /api/2.0/mlflow/<operation>` with a JSON body.
    ///
    /// # Errors
    /// [`Error::Tracking`] for transport errors and non-2xx answers.
    pub fn post(&self, operation: &'static str, body: &Value) -> Result<Value> {
        let url = format!("{}/api/2.0/mlflow/{operation}", self.base);
        let sent = self
            .agent
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.to_string());
        Self::ok(operation, Self::check(operation, sent)?)
    }

    /// The id of experiment `name`, created when missing.
    ///
    /// # Errors
    /// [`Error::Tracking`].
    pub fn experiment_id(&self, name: &str) -> Result<String> {
        let url = format!("{}/api/2.0/mlflow/experiments/get-by-name", self.base);
        let found = Self::check(
            "experiments/get-by-name",
            self.agent.get(&url).query("experiment_name", name).call(),
        )?;
        if found.0 == 200 {
            let v = Self::ok("experiments/get-by-name", found)?;
            if let Some(id) = v["experiment"]["experiment_id"].as_str() {
                return Ok(id.to_string());
            }
        }
        let created = self.post("experiments/create", &json!({ "name": name }))?;
        created["experiment_id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::Tracking {
                operation: "experiments/create",
                reason: "no experiment_id in the answer".into(),
            })
    }

    /// Logs `record` as one MLflow run (create, log-batch, artifact upload, update to
    /// `FINISHED`) and returns the MLflow run id.
    ///
    /// # Errors
    /// [`Error::Tracking`].
    pub fn log_run(&self, record: &RunRecord) -> Result<String> {
        let experiment_id = self.experiment_id(&record.experiment)?;
        let created = self.post(
            "runs/create",
            &json!({
                "experiment_id": experiment_id,
                "run_name": record.run_name,
                "start_time": record.start_time_ms,
                "tags": [{ "key": "lakehouse_run_id", "value": record.run_id }],
            }),
        )?;
        let run_id = created["run"]["info"]["run_id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Error::Tracking {
                operation: "runs/create",
                reason: "no run id in the answer".into(),
            })?;
        let params: Vec<Value> = record
            .params
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v.chars().take(PARAM_VALUE_LIMIT).collect::<String>() }))
            .collect();
        let metrics: Vec<Value> = record
            .metrics
            .iter()
            .filter(|(_, v)| v.is_finite())
            .map(|(k, v)| json!({ "key": k, "value": v, "timestamp": record.end_time_ms, "step": 0 }))
            .collect();
        for chunk in params.chunks(100) {
            self.post(
                "runs/log-batch",
                &json!({ "run_id": run_id, "params": chunk }),
            )?;
        }
        self.post(
            "runs/log-batch",
            &json!({ "run_id": run_id, "metrics": metrics }),
        )?;
        self.upload_artifact(
            &experiment_id,
            &run_id,
            &record.artifact_path,
            record.artifact.as_bytes(),
        )?;
        self.post(
            "runs/update",
            &json!({ "run_id": run_id, "status": "FINISHED", "end_time": record.end_time_ms }),
        )?;
        Ok(run_id)
    }

    /// Uploads `bytes` as artifact `path` of a run through the artifact proxy.
    ///
    /// # Errors
    /// [`Error::Tracking`].
    pub fn upload_artifact(
        &self,
        experiment_id: &str,
        run_id: &str,
        path: &str,
        bytes: &[u8],
    ) -> Result<()> {
        let url = format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts/{path}",
            self.base
        );
        let sent = self
            .agent
            .put(&url)
            .header("Content-Type", "application/octet-stream")
            .send(bytes);
        Self::ok(
            "mlflow-artifacts upload",
            Self::check("mlflow-artifacts upload", sent)?,
        )
        .map(|_| ())
    }

    /// Downloads artifact `path` of a run through the artifact proxy.
    ///
    /// # Errors
    /// [`Error::Tracking`].
    pub fn download_artifact(
        &self,
        experiment_id: &str,
        run_id: &str,
        path: &str,
    ) -> Result<String> {
        let url = format!(
            "{}/api/2.0/mlflow-artifacts/artifacts/{experiment_id}/{run_id}/artifacts/{path}",
            self.base
        );
        let (status, body) = Self::check("mlflow-artifacts download", self.agent.get(&url).call())?;
        if status != 200 {
            return Err(Error::Tracking {
                operation: "mlflow-artifacts download",
                reason: format!("HTTP {status}"),
            });
        }
        Ok(body)
    }
}
