//! End-to-end tests of the EHR JSON pipeline on generated change feeds and tiny
//! hand-written batches.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::future::IntoFuture;
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use ehr_json_pipeline::silver::{ENCOUNTER_MONTH, PATIENTS_SCD, silver_table};
use ehr_json_pipeline::{Error, PipelineConfig, run_batch};
use medallion_core::ReadBuilder;
use medallion_core::pipeline::{DELETED, EFFECTIVE_FROM, EFFECTIVE_TO, IS_CURRENT};
use polars::prelude::*;
use proptest::prelude::*;
use synthea_gen::GeneratorConfig;
use synthea_gen::ehr_json::{BatchManifest, EhrJsonConfig, Entity, generate_ehr_json};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn config(lake: &Path, run: &str) -> PipelineConfig {
    let as_of = Utc.with_ymd_and_hms(2024, 4, 20, 0, 0, 0).unwrap();
    let mut config = PipelineConfig::new(lake, as_of, run);
    config.gold_enabled = false;
    config
}

fn feed(dir: &Path, patients: u64) -> Vec<BatchManifest> {
    let config = EhrJsonConfig {
        population: GeneratorConfig {
            patients,
            seed: 11,
            threads: 1,
            ..GeneratorConfig::default()
        },
        demographic_change_rate: 0.3,
        delete_rate: 0.02,
        late_rate: 0.05,
        redelivery_rate: 0.05,
        ..EhrJsonConfig::default()
    };
    generate_ehr_json(&config, dir).unwrap().manifests
}

fn read(lake: &Path, table: &str) -> DataFrame {
    runtime()
        .block_on(
            ReadBuilder::new(lake.join("silver").join(table))
                .unwrap()
                .into_future(),
        )
        .unwrap()
        .collect()
        .unwrap()
}

fn live_rows(lake: &Path, table: &str) -> usize {
    let df = read(lake, table);
    if df.column(DELETED).is_err() {
        return df.height();
    }
    df.lazy()
        .filter(col(DELETED).fill_null(lit(false)).not())
        .collect()
        .unwrap()
        .height()
}

/// A silver table without lineage, sorted by every column: comparable across lakehouses.
fn comparable(lake: &Path, table: &str) -> DataFrame {
    let df = read(lake, table);
    let keep: Vec<Expr> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .filter(|c| {
            !["_batch_id", "_ingested_at", "_source_file", "_source_row"].contains(&c.as_str())
        })
        .map(|c| col(c.as_str()))
        .collect();
    let mut names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    names.retain(|c| !c.starts_with("_") || c == "_deleted");
    names.sort();
    let sort: Vec<PlSmallStr> = names.iter().map(|c| c.as_str().into()).collect();
    let selected: Vec<Expr> = names.iter().map(|c| col(c.as_str())).collect();
    df.lazy()
        .select(keep)
        .select(selected)
        .sort(sort, SortMultipleOptions::default().with_nulls_last(true))
        .collect()
        .unwrap()
}

const TABLES: [&str; 7] = [
    "patients_changes",
    PATIENTS_SCD,
    "encounters_clean",
    "diagnoses_clean",
    "procedures_clean",
    "lab_results_clean",
    "medications_clean",
];

#[test]
fn each_batch_reconciles_and_leaves_the_live_keys_its_manifest_expects() {
    let dir = tempfile::tempdir().unwrap();
    let manifests = feed(&dir.path().join("feed"), 12);
    let lake = dir.path().join("lake");
    for manifest in &manifests {
        let landing = synthea_gen::ehr_json::batch_dir(&dir.path().join("feed"), manifest.batch);
        let outcome = runtime()
            .block_on(run_batch(
                &config(&lake, &format!("b{}", manifest.batch)),
                &landing,
            ))
            .unwrap();
        assert!(outcome.report.unreconciled().is_empty());
        for entity in [
            Entity::Encounters,
            Entity::Diagnoses,
            Entity::Medications,
            Entity::LabResults,
        ] {
            let expected = manifest.entity(entity).live_keys_after as usize;
            assert_eq!(
                live_rows(&lake, &silver_table(entity)),
                expected,
                "{entity:?} after batch {}",
                manifest.batch
            );
        }
        let quarantined: u64 = outcome.entities.iter().map(|e| e.quarantined).sum();
        assert_eq!(quarantined, 0);
        let deleted: u64 = outcome.entities.iter().map(|e| e.deleted).sum();
        let expected_deleted: u64 = manifest.entities.values().map(|e| e.deletes).sum();
        assert_eq!(
            deleted, expected_deleted,
            "tombstones of batch {}",
            manifest.batch
        );
        if manifest.batch == 2 {
            let patients = outcome
                .entities
                .iter()
                .find(|e| e.entity == "patients")
                .unwrap();
            assert_eq!(patients.new_fields, vec!["preferred_language".to_string()]);
        }
    }
    // The SCD2 history of every patient: one version per change, in sequence order,
    // each valid until the next one starts (out-of-order deliveries included).
    let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let extracted = manifests[0].extracted_at.clone();
    let scd = read(&lake, PATIENTS_SCD);
    for id in scd
        .column("patient_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
    {
        expected
            .entry(id.to_string())
            .or_insert_with(|| vec![extracted.clone()]);
    }
    let mut changes: Vec<_> = manifests
        .iter()
        .flat_map(|m| m.patient_changes.clone())
        .collect();
    changes.sort_by_key(|c| (c.patient_id.clone(), c.change_seq));
    assert!(
        changes.iter().any(|c| c.out_of_order),
        "the feed has out-of-order changes"
    );
    for change in changes {
        expected
            .get_mut(&change.patient_id)
            .unwrap()
            .push(change.changed_at);
    }
    let history = scd
        .lazy()
        .sort(["patient_id", EFFECTIVE_FROM], Default::default())
        .select([
            col("patient_id"),
            col(EFFECTIVE_FROM)
                .dt()
                .to_string("%Y-%m-%dT%H:%M:%SZ")
                .alias("from"),
            col(EFFECTIVE_TO)
                .dt()
                .to_string("%Y-%m-%dT%H:%M:%SZ")
                .alias("to"),
            col(IS_CURRENT),
        ])
        .collect()
        .unwrap();
    let mut actual: BTreeMap<String, Vec<(String, Option<String>, bool)>> = BTreeMap::new();
    for i in 0..history.height() {
        let row = history.get_row(i).unwrap().0;
        let text = |v: &AnyValue<'_>| v.get_str().map(str::to_string);
        actual.entry(text(&row[0]).unwrap()).or_default().push((
            text(&row[1]).unwrap(),
            text(&row[2]),
            row[3] == AnyValue::Boolean(true),
        ));
    }
    assert_eq!(actual.len(), expected.len());
    for (patient, froms) in expected {
        let versions = &actual[&patient];
        let got: Vec<String> = versions.iter().map(|v| v.0.clone()).collect();
        assert_eq!(got, froms, "versions of a patient");
        for pair in versions.windows(2) {
            assert_eq!(pair[0].1.as_deref(), Some(pair[1].0.as_str()), "contiguous");
            assert!(!pair[0].2);
        }
        assert!(versions.last().unwrap().2 && versions.last().unwrap().1.is_none());
    }
}

/// Lands batches `groups` (each a list of batch numbers copied into one folder) one
/// group per run; returns the lakehouse.
fn run_groups(dir: &Path, feed: &Path, name: &str, groups: &[Vec<u32>]) -> PathBuf {
    let lake = dir.join(name);
    for (g, group) in groups.iter().enumerate() {
        let landing = dir.join(format!("{name}-landing-{g}"));
        for batch in group {
            let from = synthea_gen::ehr_json::batch_dir(feed, *batch);
            let to = landing.join(from.file_name().unwrap());
            std::fs::create_dir_all(&to).unwrap();
            for file in std::fs::read_dir(&from).unwrap() {
                let file = file.unwrap().path();
                std::fs::copy(&file, to.join(file.file_name().unwrap())).unwrap();
            }
        }
        runtime()
            .block_on(run_batch(&config(&lake, &format!("{name}-{g}")), &landing))
            .unwrap();
    }
    lake
}

#[test]
fn any_grouping_of_the_batches_with_redeliveries_gives_the_same_silver_tables() {
    let dir = tempfile::tempdir().unwrap();
    let feed_dir = dir.path().join("feed");
    feed(&feed_dir, 8);
    let one_by_one = run_groups(
        dir.path(),
        &feed_dir,
        "single",
        &[vec![0], vec![1], vec![2], vec![3]],
    );
    let at_once = run_groups(dir.path(), &feed_dir, "all", &[vec![0, 1, 2, 3]]);
    let replayed = run_groups(
        dir.path(),
        &feed_dir,
        "replayed",
        &[vec![0, 1], vec![1, 2], vec![3], vec![2, 3]],
    );
    for table in TABLES {
        let expected = comparable(&one_by_one, table);
        assert!(expected.height() > 0, "{table}");
        assert!(
            expected.equals_missing(&comparable(&at_once, table)),
            "{table}: all at once"
        );
        assert!(
            expected.equals_missing(&comparable(&replayed, table)),
            "{table}: with re-deliveries"
        );
    }
}

#[test]
fn a_replayed_batch_adds_nothing_and_gold_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let feed_dir = dir.path().join("feed");
    feed(&feed_dir, 6);
    let lake = dir.path().join("lake");
    let mut cfg = config(&lake, "first");
    cfg.gold_enabled = true;
    let landing = synthea_gen::ehr_json::batch_dir(&feed_dir, 0);
    let first = runtime().block_on(run_batch(&cfg, &landing)).unwrap();
    assert_eq!(first.gold_rows.len(), 4);
    // The same folder again, and a copy of it under another name (a re-delivery).
    let again = runtime()
        .block_on(run_batch(&config(&lake, "again"), &landing))
        .unwrap();
    let copy = dir.path().join("copy");
    run_groups(dir.path(), &feed_dir, "unused", &[]);
    std::fs::create_dir_all(&copy).unwrap();
    for file in std::fs::read_dir(&landing).unwrap() {
        let file = file.unwrap().path();
        std::fs::copy(&file, copy.join(file.file_name().unwrap())).unwrap();
    }
    let copied = runtime()
        .block_on(run_batch(&config(&lake, "copy"), &copy))
        .unwrap();
    for outcome in [again, copied] {
        for entity in &outcome.entities {
            assert_eq!((entity.files, entity.read), (0, 0), "{}", entity.entity);
        }
    }
}

fn write_lines(dir: &Path, file: &str, lines: &[String]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(file), lines.join("\n") + "\n").unwrap();
}

fn encounter(id: &str, start: &str, seq: i64, op: &str, status: &str) -> String {
    format!(
        r#"{{"encounter_id":"{id}","patient_id":"p-{id}","start":"{start}","stop":null,"status":"{status}","op":"{op}","change_seq":{seq},"changed_at":"2024-03-0{seq}T00:00:00Z"}}"#
    )
}

#[test]
fn a_batch_touching_one_month_rewrites_only_that_months_files() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let months = ["2024-01", "2024-02", "2024-03"];
    let initial: Vec<String> = (0..30)
        .map(|i| {
            encounter(
                &format!("e{i:02}"),
                &format!("{}-10T08:00:00Z", months[i % 3]),
                1,
                "insert",
                "in-progress",
            )
        })
        .collect();
    write_lines(&dir.path().join("b0"), "encounters-0.ndjson", &initial);
    runtime()
        .block_on(run_batch(&config(&lake, "b0"), &dir.path().join("b0")))
        .unwrap();
    // Updates of two February encounters.
    let updates = vec![
        encounter("e01", "2024-02-10T08:00:00Z", 2, "update", "finished"),
        encounter("e04", "2024-02-10T08:00:00Z", 2, "update", "finished"),
    ];
    write_lines(&dir.path().join("b1"), "encounters-1.ndjson", &updates);
    let outcome = runtime()
        .block_on(run_batch(&config(&lake, "b1"), &dir.path().join("b1")))
        .unwrap();
    assert_eq!(outcome.entities[0].updated, 2);
    let table = lake.join("silver").join("encounters_clean");
    let (added, removed) = merge_file_partitions(&table);
    assert!(!removed.is_empty() && !added.is_empty());
    for month in added.iter().chain(&removed) {
        assert_eq!(month, "2024-02", "only February files are rewritten");
    }
}

/// Partition values (`encounter_month`) of the files the last MERGE commit of `table`
/// added and removed.
fn merge_file_partitions(table: &Path) -> (Vec<String>, Vec<String>) {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(table.join("_delta_log"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    logs.sort();
    for log in logs.iter().rev() {
        let text = std::fs::read_to_string(log).unwrap();
        let actions: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let is_merge = actions
            .iter()
            .any(|a| a["commitInfo"]["operation"] == "MERGE");
        if !is_merge {
            continue;
        }
        let month = |kind: &str| -> Vec<String> {
            actions
                .iter()
                .filter_map(|a| {
                    a[kind]["partitionValues"][ENCOUNTER_MONTH]
                        .as_str()
                        .map(str::to_string)
                })
                .collect()
        };
        return (month("add"), month("remove"));
    }
    panic!("no MERGE commit");
}

#[test]
fn a_type_conflict_names_the_file_the_field_and_both_types() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    write_lines(
        &dir.path().join("b0"),
        "encounters-0.ndjson",
        &[encounter(
            "e1",
            "2024-01-10T08:00:00Z",
            1,
            "insert",
            "finished",
        )],
    );
    runtime()
        .block_on(run_batch(&config(&lake, "b0"), &dir.path().join("b0")))
        .unwrap();
    let bad = encounter("e2", "2024-01-10T08:00:00Z", 1, "insert", "finished")
        .replace(r#""change_seq":1"#, r#""change_seq":"one""#);
    write_lines(&dir.path().join("b1"), "encounters-bad.ndjson", &[bad]);
    let err = runtime()
        .block_on(run_batch(&config(&lake, "b1"), &dir.path().join("b1")))
        .unwrap_err();
    let Error::TypeConflict {
        file,
        field,
        found,
        expected,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert!(file.contains("encounters-bad.ndjson"));
    assert_eq!(
        (field.as_str(), found.as_str(), expected.as_str()),
        ("change_seq", "string", "integer")
    );
}

#[test]
fn late_older_changes_never_overwrite_newer_ones_nor_resurrect_deleted_keys() {
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("lake");
    let start = "2024-01-10T08:00:00Z";
    write_lines(
        &dir.path().join("b0"),
        "encounters-0.ndjson",
        &[
            encounter("e1", start, 3, "update", "finished"),
            encounter("e2", start, 2, "delete", "finished"),
        ],
    );
    runtime()
        .block_on(run_batch(&config(&lake, "b0"), &dir.path().join("b0")))
        .unwrap();
    write_lines(
        &dir.path().join("b1"),
        "encounters-1.ndjson",
        &[
            encounter("e1", start, 2, "update", "cancelled"),
            encounter("e2", start, 1, "insert", "finished"),
        ],
    );
    let outcome = runtime()
        .block_on(run_batch(&config(&lake, "b1"), &dir.path().join("b1")))
        .unwrap();
    assert_eq!(outcome.entities[0].deduplicated, 2);
    let rows = read(&lake, "encounters_clean")
        .lazy()
        .sort(["encounter_id"], Default::default())
        .select([col("status"), col(DELETED), col("change_seq")])
        .collect()
        .unwrap();
    assert_eq!(
        rows.column("status").unwrap().str().unwrap().get(0),
        Some("finished")
    );
    assert_eq!(
        rows.column(DELETED).unwrap().bool().unwrap().get(1),
        Some(true)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    /// Changes of three encounters split into random groups, some re-delivered: silver
    /// holds, per key, the change with the highest sequence.
    #[test]
    fn any_grouping_of_changes_keeps_the_latest_change_per_key(
        seqs in proptest::collection::vec((0usize..3, 1i64..6, proptest::bool::ANY), 3..10),
        cuts in proptest::collection::vec(proptest::bool::ANY, 10),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let lake = dir.path().join("lake");
        let lines: Vec<(usize, i64, String)> = seqs
            .iter()
            .map(|(k, seq, delete)| {
                let op = if *delete { "delete" } else { "update" };
                (*k, *seq, encounter(&format!("e{k}"), "2024-01-10T08:00:00Z", *seq, op, &format!("s{seq}{op}")))
            })
            .collect();
        // Deduplicate (key, seq): one change per sequence number.
        let mut unique = BTreeMap::new();
        for (k, seq, line) in &lines {
            unique.entry((*k, *seq)).or_insert(line.clone());
        }
        let mut group = Vec::new();
        let mut g = 0;
        for (i, line) in unique.values().enumerate() {
            group.push(line.clone());
            if cuts[i % cuts.len()] {
                group.push(line.clone()); // re-delivered in the same file
                write_lines(&dir.path().join(format!("g{g}")), &format!("encounters-{g}.ndjson"), &group);
                runtime().block_on(run_batch(&config(&lake, &format!("g{g}")), &dir.path().join(format!("g{g}")))).unwrap();
                group.clear();
                g += 1;
            }
        }
        if !group.is_empty() {
            write_lines(&dir.path().join(format!("g{g}")), &format!("encounters-{g}.ndjson"), &group);
            runtime().block_on(run_batch(&config(&lake, &format!("g{g}")), &dir.path().join(format!("g{g}")))).unwrap();
        }
        let mut latest: BTreeMap<usize, (i64, String)> = BTreeMap::new();
        for ((k, seq), line) in &unique {
            let deleted = line.contains(r#""op":"delete""#);
            let status = line.split(r#""status":""#).nth(1).unwrap().split('"').next().unwrap().to_string();
            let entry = latest.entry(*k).or_insert((*seq, format!("{status}/{deleted}")));
            if *seq >= entry.0 {
                *entry = (*seq, format!("{status}/{deleted}"));
            }
        }
        let rows = read(&lake, "encounters_clean")
            .lazy()
            .sort(["encounter_id"], Default::default())
            .select([col("change_seq"), col("status"), col(DELETED)])
            .collect()
            .unwrap();
        prop_assert_eq!(rows.height(), latest.len());
        for (i, (_, (seq, state))) in latest.iter().enumerate() {
            let got_seq = rows.column("change_seq").unwrap().i64().unwrap().get(i);
            let got = format!(
                "{}/{}",
                rows.column("status").unwrap().str().unwrap().get(i).unwrap(),
                rows.column(DELETED).unwrap().bool().unwrap().get(i).unwrap()
            );
            prop_assert_eq!(got_seq, Some(*seq));
            prop_assert_eq!(&got, state);
        }
    }
}
