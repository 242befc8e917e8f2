//! The examples' exit codes and `--report-json`, as an orchestrator sees them: the built
//! example binaries are run as processes. `cargo test` builds the examples before it
//! runs tests; when a binary is missing (e.g. `cargo test --test exit_codes` alone),
//! the test says so and builds nothing.
#![allow(clippy::unwrap_used, missing_docs)]

use std::path::PathBuf;
use std::process::Command;

/// The built example `name`, beside this test's target directory.
fn example(name: &str) -> Option<PathBuf> {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = target.parent()?.join("debug/examples").join(name);
    if path.is_file() {
        Some(path)
    } else {
        println!(
            "skipped: {} is not built (run `cargo build --examples` or the whole `cargo test`)",
            path.display()
        );
        None
    }
}

fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn an_unusable_input_exits_3_and_reports_the_failure_as_json() {
    let Some(bin) = example("synthea_lakehouse") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let status = Command::new(bin)
        .args(["--input"])
        .arg(dir.path().join("no-such-export"))
        .arg("--out")
        .arg(dir.path().join("lake"))
        .arg("--report-json")
        .arg(&report)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(3));
    let json = read_json(&report);
    assert_eq!(json["exit_code"], 3);
    assert_eq!(json["status"], "failed");
    assert!(json["report"].is_null());
}

#[test]
fn a_bad_argument_exits_2() {
    let Some(bin) = example("synthea_lakehouse") else {
        return;
    };
    let status = Command::new(bin).arg("--patients=many").status().unwrap();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn a_successful_run_exits_0_and_writes_its_run_report_as_json() {
    let Some(bin) = example("synthea_lakehouse") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let output = Command::new(bin)
        .arg("--out")
        .arg(dir.path().join("lake"))
        .args(["--patients", "5", "--seed", "3", "--report-json"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = read_json(&report);
    assert_eq!(json["exit_code"], 0);
    assert_eq!(json["status"], "succeeded");
    let tables = json["report"]["tables"].as_array().unwrap();
    assert!(
        tables.iter().any(|t| t["layer"] == "gold"),
        "the report lists the gold tables the run wrote"
    );
}

#[test]
fn a_sql_query_on_an_unknown_table_exits_3() {
    let Some(bin) = example("lakehouse_sql") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(bin)
        .arg("--lakehouse")
        .arg(dir.path())
        .arg("SELECT * FROM gold.nothing_here")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(3));
}
