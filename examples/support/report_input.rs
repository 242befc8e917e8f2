//! Reading the tables of the HTML report (`lakehouse_report`) from lakehouses.

use std::collections::BTreeMap;
use std::path::Path;

use lakehouse_report::ReportInput;
use medallion_core::ReadBuilder;
use polars::prelude::DataFrame;

/// The gold tables the report reads from a Synthea lakehouse.
pub const GOLD: [&str; 7] = [
    "readmission_rates",
    "los_by_condition",
    "adherence_rates",
    "diagnosis_latency_by_condition",
    "time_to_treatment",
    "condition_prevalence",
    "condition_incidence_weekly",
];
/// The gold tables the report reads from a patient-flow lakehouse.
pub const FLOW_GOLD: [&str; 1] = ["occupancy_daily"];

/// Reads `<root>/<table>` if it is a Delta table.
pub async fn read_if_present(
    root: &Path,
    table: &str,
) -> Result<Option<DataFrame>, medallion_core::Error> {
    let path = root.join(table);
    if !path.join("_delta_log").is_dir() {
        return Ok(None);
    }
    let frame = ReadBuilder::new(&path)?.await?;
    let frame = medallion_core::run_polars(move || frame.collect())
        .await?
        .map_err(|e| medallion_core::Error::Polars {
            table: table.to_string(),
            operation: "report",
            source: Box::new(e),
        })?;
    Ok(Some(frame))
}

async fn read_gold(
    root: &Path,
    tables: &[&str],
) -> Result<BTreeMap<String, DataFrame>, medallion_core::Error> {
    let mut gold = BTreeMap::new();
    for table in tables {
        if let Some(frame) = read_if_present(root, &format!("gold/{table}")).await? {
            gold.insert(table.to_string(), frame);
        }
    }
    Ok(gold)
}

/// The report's input: the gold tables and `_runs` of `lakehouse`, and the patient-flow
/// gold tables of `patient_flow` when given.
pub async fn read_report_input(
    lakehouse: &Path,
    patient_flow: Option<&Path>,
    generated_at: &str,
) -> Result<ReportInput, medallion_core::Error> {
    let mut input = ReportInput::new(lakehouse.display().to_string(), generated_at);
    input.gold = read_gold(lakehouse, &GOLD).await?;
    input.runs = read_if_present(lakehouse, "_runs").await?;
    if let Some(flow) = patient_flow {
        input.flow_gold = read_gold(flow, &FLOW_GOLD).await?;
    }
    Ok(input)
}
