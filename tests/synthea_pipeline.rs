//! End-to-end: generated and real Synthea exports through bronze → silver → gold.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use medallion_core::pipeline::{DQ_FLAGS, Layer, MaintenancePolicy, SOURCE_FILE, SOURCE_ROW};
use medallion_core::{HistoryBuilder, ReadBuilder};
use polars::prelude::*;
use synthea_gen::{DefectKind, DirtyManifest, GeneratorConfig, MANIFEST_FILE, generate};
use synthea_pipeline::{PipelineConfig, PipelineEvent, PipelineOutcome, Stage, run_pipeline};

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 4, 15).unwrap()
}

fn generate_into(landing: &Path, name: &str, patients: u64, seed: u64, dirty: Option<f64>) {
    let mut config = GeneratorConfig::new(patients, seed);
    config.dirty_rate = dirty;
    generate(&config, landing.join(name), |_| {}).unwrap();
}

async fn run(lake: &Path, landing: &Path, run_id: &str) -> PipelineOutcome {
    let config = PipelineConfig::new(lake, "test", as_of(), run_id);
    run_pipeline(&config, landing, &mut |_| {}).await.unwrap()
}

/// Bronze encounter rows a run ingested.
fn bronze_encounters_written(outcome: &PipelineOutcome) -> u64 {
    outcome
        .report
        .tables
        .iter()
        .filter(|t| t.layer == Layer::Bronze && t.table == "encounters")
        .map(|t| t.rows_written)
        .sum()
}

/// Each column of the table's first version with its Delta column comment, if any.
fn column_comments(table: &Path) -> Vec<(String, Option<String>)> {
    let log = std::fs::read_to_string(table.join("_delta_log/00000000000000000000.json")).unwrap();
    let metadata = log
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find_map(|action| action.get("metaData").cloned())
        .expect("a metaData action");
    let schema: serde_json::Value =
        serde_json::from_str(metadata["schemaString"].as_str().unwrap()).unwrap();
    schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let comment = f["metadata"]["comment"].as_str().map(str::to_string);
            (f["name"].as_str().unwrap().to_string(), comment)
        })
        .collect()
}

async fn read(path: &Path) -> DataFrame {
    ReadBuilder::new(path)
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_data_runs_end_to_end_exactly_once_and_appends_new_batches() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "batch-1", 25, 1, None);
    let first = run(lake.path(), landing.path(), "r1").await;
    assert!(first.report.unreconciled().is_empty(), "{}", first.report);
    let encounters_1 = read(&lake.path().join("silver/encounters")).await.height();
    assert!(
        encounters_1 > 100,
        "25 patients should have many encounters"
    );
    // The timeline is one unpartitioned table: one data file for a small population
    // (a partition per event year gave ~100 tiny files per write).
    let timeline = lake.path().join("gold/patient_timeline");
    let entries: Vec<_> = std::fs::read_dir(&timeline)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let data_files = entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "parquet"))
        .count();
    let folders = entries.iter().filter(|p| p.is_dir()).count();
    assert_eq!(
        (data_files, folders),
        (1, 1),
        "one data file and only _delta_log: {entries:?}"
    );
    for gold in [
        "encounters_per_condition",
        "encounters_by_age_group_class",
        "fact_encounters",
        "dim_date",
        "dim_patient",
        "inpatient_stays",
        "readmissions",
        "readmission_rates",
        "medication_adherence",
        "adherence_rates",
        "diagnosis_latency",
        "diagnosis_latency_by_condition",
        "daily_census",
        "monthly_census",
        "los_by_condition",
        "los_by_facility",
        "los_by_discharge_month",
        "patient_timeline",
        "episodes",
        "condition_journeys",
        "time_to_treatment",
    ] {
        assert!(
            lake.path()
                .join("gold")
                .join(gold)
                .join("_delta_log")
                .is_dir(),
            "missing gold/{gold}"
        );
    }
    // Metric tables carry their columns' documentation as Delta column comments (these
    // three declare every output column as a documented constant; tables whose columns
    // are still literals in their metric modules have comments only for the constants).
    for gold in [
        "time_to_treatment",
        "disease_prevalence_daily",
        "condition_incidence_weekly",
    ] {
        let comments = column_comments(&lake.path().join("gold").join(gold));
        assert!(
            comments.iter().all(|(_, c)| c.is_some()),
            "gold/{gold} has uncommented columns: {comments:?}"
        );
    }

    // Same landing again: nothing new anywhere, gold left as it was.
    let gold_version = || async {
        HistoryBuilder::new(lake.path().join("gold/readmissions"))
            .unwrap()
            .with_limit(1)
            .await
            .unwrap()[0]
            .version
    };
    let gold_before = gold_version().await;
    assert!(!first.gold_up_to_date);
    let again = run(lake.path(), landing.path(), "r2").await;
    assert!(again.gold_up_to_date && again.gold_rows.is_empty());
    assert_eq!(
        gold_version().await,
        gold_before,
        "gold rewritten on a re-run"
    );
    for t in again
        .report
        .tables
        .iter()
        .filter(|t| t.layer != Layer::Gold)
    {
        assert_eq!(
            t.rows_written, 0,
            "{} {} wrote on a re-run",
            t.layer, t.table
        );
    }
    assert_eq!(
        read(&lake.path().join("silver/encounters")).await.height(),
        encounters_1
    );

    // A second batch: only its rows are added.
    generate_into(landing.path(), "batch-2", 10, 2, None);
    let second = run(lake.path(), landing.path(), "r3").await;
    let bronze_new = bronze_encounters_written(&second);
    let encounters_2 = read(&lake.path().join("silver/encounters")).await.height();
    assert_eq!(encounters_2 as u64, encounters_1 as u64 + bronze_new);
    assert!(!second.gold_up_to_date);
    assert!(gold_version().await > gold_before, "gold not recomputed");

    // Nothing new, but another as-of date: gold is recomputed.
    let gold_before = gold_version().await;
    let later = PipelineConfig::new(lake.path(), "test", as_of() + chrono::Days::new(30), "r4");
    let moved = run_pipeline(&later, landing.path(), &mut |_| {})
        .await
        .unwrap();
    assert!(!moved.gold_up_to_date);
    assert!(gold_version().await > gold_before);
    let runs = read(&lake.path().join("_runs")).await;
    assert_eq!(runs.column("run_id").unwrap().n_unique().unwrap(), 4);
}

/// Rows of silver ∪ quarantine of `table` as (source file, source row) → has flags.
async fn flagged_rows(
    lake: &Path,
    table: &str,
) -> (BTreeSet<(String, i64)>, BTreeSet<(String, i64)>) {
    let mut present = BTreeSet::new();
    let mut flagged = BTreeSet::new();
    for layer_table in [table.to_string(), format!("{table}_quarantine")] {
        let path = lake.join("silver").join(&layer_table);
        if !path.join("_delta_log").is_dir() {
            continue;
        }
        let df = read(&path).await;
        let files = df.column(SOURCE_FILE).unwrap().str().unwrap().clone();
        let rows = df.column(SOURCE_ROW).unwrap().i64().unwrap().clone();
        let flags = df.column(DQ_FLAGS).unwrap().list().unwrap().clone();
        for i in 0..df.height() {
            let key = (files.get(i).unwrap().to_string(), rows.get(i).unwrap());
            let n_flags = flags.get_as_series(i).map_or(0, |s| s.len());
            if n_flags > 0 || layer_table.ends_with("_quarantine") {
                flagged.insert(key.clone());
            }
            present.insert(key);
        }
    }
    (present, flagged)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_injected_defect_is_flagged_or_quarantined_and_counts_reconcile() {
    dirty_defects_are_all_caught(None).await;
}

/// The same with silver processing 1,000 rows at a time: duplicates that land in
/// different chunks are still found.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_injected_defect_is_caught_when_silver_runs_in_small_chunks() {
    dirty_defects_are_all_caught(Some(1_000)).await;
}

async fn dirty_defects_are_all_caught(chunk_rows: Option<usize>) {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "dirty", 40, 11, Some(0.03));
    let mut config = PipelineConfig::new(lake.path(), "test", as_of(), "dirty");
    if let Some(rows) = chunk_rows {
        config.silver_chunk_rows = rows;
    }
    let mut events = Vec::new();
    let outcome = run_pipeline(&config, landing.path(), &mut |event| events.push(event))
        .await
        .unwrap();
    if let Some(rows) = chunk_rows {
        // Tables above the chunk size report the rows checked after each chunk.
        assert!(
            events.iter().any(|e| matches!(
                e,
                PipelineEvent::TableProgress { stage: Stage::Silver, done, total, .. }
                    if *done == 2 * rows as u64 && *total > *done
            )),
            "{events:#?}"
        );
    }
    assert!(
        outcome.report.unreconciled().is_empty(),
        "{}",
        outcome.report
    );

    let manifest: DirtyManifest = serde_json::from_str(
        &std::fs::read_to_string(landing.path().join("dirty").join(MANIFEST_FILE)).unwrap(),
    )
    .unwrap();
    let mut missed = Vec::new();
    let mut checked = 0;
    for (kind, defects) in &manifest.defects {
        for (file, file_defects) in &defects.files {
            let table = file.trim_end_matches(".csv");
            let (present, flagged) = flagged_rows(lake.path(), table).await;
            let source = format!("dirty/{file}");
            for entry in &file_defects.entries {
                checked += 1;
                let row = entry.row as i64;
                let key = (source.clone(), row);
                let ok = if flagged.contains(&key) {
                    true
                } else if *kind == DefectKind::DuplicateRow || *kind == DefectKind::DuplicateId {
                    // The copy was removed as a duplicate: its twin must be kept, flagged.
                    !present.contains(&key) && flagged.contains(&(source.clone(), row - 1))
                } else {
                    false
                };
                if !ok {
                    missed.push(format!(
                        "{kind:?} {file} row {row} column {:?}",
                        entry.column
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "the dirty run injected too few defects ({checked})"
    );
    assert!(
        missed.is_empty(),
        "{} of {checked} defects not flagged:\n{}",
        missed.len(),
        missed.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_exports_run_end_to_end() {
    let Ok(samples) = std::env::var("SYNTHEA_SAMPLES_DIR") else {
        println!("skipped: SYNTHEA_SAMPLES_DIR not set");
        return;
    };
    for export in ["v2-10p", "v3-early-59p", "v3-2024-11p"] {
        let landing = Path::new(&samples).join(export);
        let lake = tempfile::tempdir().unwrap();
        let outcome = run(lake.path(), &landing, export).await;
        assert!(
            outcome.report.unreconciled().is_empty(),
            "{export}: {}",
            outcome.report
        );
        let lines = std::fs::read_to_string(landing.join("encounters.csv"))
            .unwrap()
            .lines()
            .count()
            - 1;
        let bronze = outcome
            .report
            .tables
            .iter()
            .find(|t| t.layer == Layer::Bronze && t.table == "encounters")
            .unwrap();
        assert_eq!(
            bronze.rows_written as usize, lines,
            "{export}: bronze encounters"
        );
        let silver = outcome
            .report
            .tables
            .iter()
            .find(|t| t.layer == Layer::Silver && t.table == "encounters")
            .unwrap();
        assert_eq!(
            silver.rows_written + silver.rows_quarantined + silver.rows_deduplicated,
            lines as u64
        );
        println!("{export}: {}", outcome.report);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maintenance_compacts_the_tables_a_run_wrote_and_keeps_their_rows() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "batch-1", 8, 3, None);
    run(lake.path(), landing.path(), "m1").await;
    generate_into(landing.path(), "batch-2", 8, 4, None);
    let silver = lake.path().join("silver/encounters");
    let before = read(&silver).await.height();
    let mut config = PipelineConfig::new(lake.path(), "test", as_of(), "m2");
    config.maintenance = Some(MaintenancePolicy::default().with_vacuum_retention(None));
    let outcome = run_pipeline(&config, landing.path(), &mut |_| {})
        .await
        .unwrap();
    let maintained: Vec<&str> = outcome
        .maintenance
        .iter()
        .map(|m| m.table.trim_end_matches('/'))
        .collect();
    let encounters = maintained
        .iter()
        .position(|t| t.ends_with("silver/encounters"))
        .expect("silver/encounters was written and maintained");
    // Two batches of appends/merges → at least two files, compacted into one.
    let optimize = outcome.maintenance[encounters].optimize.as_ref().unwrap();
    assert!(
        optimize.files_removed >= 2 && optimize.files_added == 1,
        "{optimize:?}"
    );
    let bronze_new = bronze_encounters_written(&outcome);
    assert_eq!(
        read(&silver).await.height() as u64,
        before as u64 + bronze_new
    );
    // Only tables with a commit in this run are maintained.
    let written = outcome
        .report
        .tables
        .iter()
        .filter(|t| t.version.is_some())
        .count();
    assert_eq!(outcome.maintenance.len(), written);
}

/// Recognisable patient values planted in the fixture: none may appear in any message.
const SECRETS: [&str; 4] = ["Zebulonqx", "Quixotezz", "999-73-1234", "77 Elmwoodqq Lane"];

/// Everything the tracing macros of the run emit, at every level of our crates (and
/// warnings of every other crate), collected for the no-patient-data test.
static LOG: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Rewrites `patients.csv` of `export` with the [`SECRETS`] in every row and breaks
/// three rows (a stray quote, a byte that is not UTF-8, one field too many); breaks one
/// encounter row with a stray quote too.
fn plant_secrets_and_defects(export: &Path) {
    let path = export.join("patients.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (first, last, ssn, address) = (at("FIRST"), at("LAST"), at("SSN"), at("ADDRESS"));
    let mut out: Vec<u8> = header.join(",").into_bytes();
    out.push(b'\n');
    for (i, line) in lines.enumerate() {
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        fields[first] = SECRETS[0].into();
        fields[last] = SECRETS[1].into();
        fields[ssn] = SECRETS[2].into();
        fields[address] = SECRETS[3].into();
        match i {
            1 => fields[address] = format!("\"{}", SECRETS[3]),
            3 => fields.push("EXTRA".into()),
            _ => {}
        }
        let mut row = fields.join(",").into_bytes();
        if i == 2 {
            let at = row
                .windows(SECRETS[0].len())
                .position(|w| w == SECRETS[0].as_bytes());
            row.insert(at.unwrap() + 3, 0xff);
        }
        out.extend(row);
        out.push(b'\n');
    }
    std::fs::write(&path, out).unwrap();

    let path = export.join("encounters.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(',', ",\"", 2);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

/// Issue: "Error messages, logs, progress output and the run report must never contain
/// field values of patient data." Malformed files full of recognisable names, SSNs and
/// addresses go through a whole run; no log line, progress event, error, printed report
/// or `_runs` row may contain any of them — and the run must not abort over them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_patient_value_reaches_logs_events_errors_or_run_reports() {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let ours = |target: &str| {
        ["synthea_pipeline", "medallion", "synthea_schema", "ehr_"]
            .iter()
            .any(|prefix| target.starts_with(prefix))
    };
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(|| LogWriter)
                .with_ansi(false)
                .with_filter(tracing_subscriber::filter::filter_fn(move |meta| {
                    ours(meta.target()) || *meta.level() <= tracing::Level::WARN
                })),
        )
        .try_init();

    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "2024-01", 8, 13, None);
    plant_secrets_and_defects(&landing.path().join("2024-01"));

    let config = PipelineConfig::new(lake.path(), "test", as_of(), "secrets");
    let mut events = Vec::new();
    let outcome = run_pipeline(&config, landing.path(), &mut |e| {
        events.push(format!("{e:?}"))
    })
    .await;
    let mut seen = events.join("\n");
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => panic!("the run aborted over malformed rows: {e}"),
    };
    seen.push_str(&outcome.report.to_string());
    seen.push_str(&format!("{:?}", outcome.report));
    let runs = read(&lake.path().join("_runs")).await;
    for column in runs.columns() {
        if let Ok(text) = column.cast(&DataType::String) {
            for value in text.str().unwrap().iter().flatten() {
                seen.push_str(value);
                seen.push('\n');
            }
        }
    }
    seen.push_str(&String::from_utf8_lossy(&LOG.lock().unwrap()));
    for secret in SECRETS {
        assert!(!seen.contains(secret), "'{secret}' leaked into:\n{seen}");
    }
    // The malformed rows were kept (quarantined or flagged), not lost.
    let bronze = read(&lake.path().join("bronze/patients")).await;
    assert_eq!(bronze.height(), 8, "every patient row reaches bronze");
}

/// Issue: "An unknown extra column (`EXTRA_NOTE` in encounters) is kept in bronze — good —
/// but `_runs` lists no drift for it." Drift is recorded per file against the spec.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_drift_against_the_spec_is_recorded_per_file_in_runs() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "2024-01", 4, 17, None);
    let path = landing.path().join("2024-01/encounters.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let widened: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, line)| format!("{line},{}", if i == 0 { "EXTRA_NOTE" } else { "note" }))
        .collect();
    std::fs::write(&path, widened.join("\n") + "\n").unwrap();

    let outcome = run(lake.path(), landing.path(), "drift").await;
    let encounters = outcome
        .report
        .tables
        .iter()
        .find(|t| t.layer == Layer::Bronze && t.table == "encounters")
        .unwrap();
    assert!(
        encounters
            .schema_drift
            .contains(&"2024-01/encounters.csv: +EXTRA_NOTE".to_string()),
        "{:?}",
        encounters.schema_drift
    );
    let runs = read(&lake.path().join("_runs")).await;
    let drift = runs
        .lazy()
        .filter(
            col("layer")
                .eq(lit("bronze"))
                .and(col("table").eq(lit("encounters"))),
        )
        .select([col("schema_drift")])
        .collect()
        .unwrap();
    let recorded = drift
        .column("schema_drift")
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap()
        .to_string();
    assert!(recorded.contains("+EXTRA_NOTE"), "{recorded}");
    assert!(
        outcome.report.to_string().contains("EXTRA_NOTE"),
        "printed in the summary"
    );
    let bronze = read(&lake.path().join("bronze/encounters")).await;
    assert!(bronze.column("EXTRA_NOTE").is_ok(), "kept in bronze");
}

/// Rows of a lakehouse table (0 when the table does not exist).
async fn rows(lake: &Path, table: &str) -> usize {
    let path = lake.join(table);
    if !path.join("_delta_log").is_dir() {
        return 0;
    }
    read(&path).await.height()
}

/// Issue: "a second Synthea export landed in another folder (or passed as another
/// `--input`) whose files have the same names as the first is skipped entirely" — files
/// are identified by content, so the second export's rows arrive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_export_with_the_same_file_names_is_ingested() {
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lake = tempfile::tempdir().unwrap();
    generate_into(first.path(), "export", 5, 21, None);
    generate_into(second.path(), "export", 6, 22, None);
    run(lake.path(), first.path(), "first").await;
    let after_first = rows(lake.path(), "silver/patients").await;
    assert_eq!(after_first, 5);
    run(lake.path(), second.path(), "second").await;
    assert_eq!(
        rows(lake.path(), "silver/patients").await,
        11,
        "both exports' patients"
    );
}

/// Issue: "the same export re-delivered as a new folder doubles keyless tables (devices,
/// supplies, …) in silver; a `latest -> 2024-11` symlink … ingests the same files twice."
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_export_changes_nothing() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "2024-11", 6, 23, None);
    run(lake.path(), landing.path(), "first").await;
    let tables = [
        "bronze/encounters",
        "silver/encounters",
        "silver/supplies",
        "silver/devices",
        "silver/observations",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(rows(lake.path(), t).await);
    }
    // The same files again: copied as a new delivery, and behind a symlink.
    let again = landing.path().join("2024-11-redelivered");
    std::fs::create_dir(&again).unwrap();
    for entry in std::fs::read_dir(landing.path().join("2024-11")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), again.join(entry.file_name())).unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        landing.path().join("2024-11"),
        landing.path().join("latest"),
    )
    .unwrap();
    let outcome = run(lake.path(), landing.path(), "second").await;
    for (t, n) in tables.iter().zip(before) {
        assert_eq!(
            rows(lake.path(), t).await,
            n,
            "{t} changed on a re-delivery"
        );
    }
    assert!(outcome.gold_up_to_date, "nothing new, gold untouched");
}

/// Issue: "A header with a blank after each comma (`Id, START, STOP`) loses the table
/// silently" — header names are trimmed and the table loads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_with_blanks_after_the_commas_still_loads_its_table() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "2024-01", 4, 24, None);
    let path = landing.path().join("2024-01/encounters.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    std::fs::write(&path, format!("{}\n{body}", header.replace(',', ", "))).unwrap();
    let data_rows = body.lines().count();
    run(lake.path(), landing.path(), "blanks").await;
    assert_eq!(rows(lake.path(), "silver/encounters").await, data_rows);
}

/// Issue: "A header-only CSV gives no silver table: create the empty table with its schema
/// so downstream queries work."
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_only_csv_gives_an_empty_silver_table_with_its_schema() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "2024-01", 4, 25, None);
    let path = landing.path().join("2024-01/devices.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{}\n", text.lines().next().unwrap())).unwrap();
    run(lake.path(), landing.path(), "header-only").await;
    let devices = read(&lake.path().join("silver/devices")).await;
    assert_eq!(devices.height(), 0);
    assert!(
        devices.column("patient_id").is_ok(),
        "silver columns: {:?}",
        devices.get_column_names()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_returns_silver_to_the_version_before_a_bad_batch() {
    let landing = tempfile::tempdir().unwrap();
    let lake = tempfile::tempdir().unwrap();
    generate_into(landing.path(), "batch-1", 6, 11, None);
    run(lake.path(), landing.path(), "good").await;
    let silver = lake.path().join("silver/encounters");
    let good_rows = read(&silver).await.height();
    let good_version = medallion_core::table_version(&silver)
        .await
        .unwrap()
        .unwrap();
    generate_into(landing.path(), "batch-2", 6, 12, None);
    run(lake.path(), landing.path(), "bad").await;
    assert!(read(&silver).await.height() > good_rows);

    let target: synthea_pipeline::RestoreTarget =
        format!("silver/encounters@{good_version}").parse().unwrap();
    let config = PipelineConfig::new(lake.path(), "test", as_of(), "undo");
    let reports = synthea_pipeline::restore_tables(&config, &[target])
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    assert!(reports[0].files_removed > 0, "{:?}", reports[0]);
    assert_eq!(read(&silver).await.height(), good_rows);
    let history = HistoryBuilder::new(&silver)
        .unwrap()
        .with_limit(1)
        .await
        .unwrap();
    assert_eq!(history[0].operation.as_deref(), Some("RESTORE"));
    assert_eq!(
        history[0].info.get("run_id").and_then(|v| v.as_str()),
        Some("undo"),
        "the restore commit names the run that made it"
    );

    // A restored gold table is recomputed by the next run, even with silver unchanged.
    run(lake.path(), landing.path(), "after").await;
    let rates = lake.path().join("gold/readmission_rates");
    let target: synthea_pipeline::RestoreTarget = "gold/readmission_rates@0".parse().unwrap();
    synthea_pipeline::restore_tables(&config, &[target])
        .await
        .unwrap();
    let again = run(lake.path(), landing.path(), "again").await;
    assert!(!again.gold_up_to_date);
    let recomputed: Vec<&str> = again.gold_rows.keys().map(String::as_str).collect();
    // dim_patient is an SCD2 MERGE every gold run makes (a no-op here).
    assert_eq!(recomputed, ["dim_patient", "readmission_rates"]);
    let history = HistoryBuilder::new(&rates)
        .unwrap()
        .with_limit(1)
        .await
        .unwrap();
    assert_eq!(history[0].operation.as_deref(), Some("WRITE"));

    let missing: synthea_pipeline::RestoreTarget = "gold/no_such_table@0".parse().unwrap();
    let err = synthea_pipeline::restore_tables(&config, &[missing])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no_such_table"), "{err}");
}
