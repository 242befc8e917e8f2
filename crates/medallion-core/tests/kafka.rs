//! The Kafka source and sink against a real Kafka-compatible broker (`.ci/kafka.sh`
//! starts one and exports `KAFKA_BOOTSTRAP`; without it these tests print `skipped`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use medallion_core::kafka::{
    KafkaSink, KafkaSinkBuilder, KafkaSourceBuilder, NOT_JSON, OFFSET, PARTITION, RunEvent,
};
use medallion_core::pipeline::{BATCH_ID, INGEST_ISSUE, RAW_LINE};
use medallion_core::{Error, ReadBuilder};
use polars::prelude::*;

/// Env var naming the bronze table of the child process that crashes mid-batch.
const CHILD_TABLE: &str = "MEDALLION_KAFKA_CHILD_TABLE";
const CHILD_TOPIC: &str = "MEDALLION_KAFKA_CHILD_TOPIC";
const CHILD_ABORT_AFTER: &str = "MEDALLION_KAFKA_CHILD_ABORT_AFTER";

fn bootstrap() -> Option<String> {
    match std::env::var("KAFKA_BOOTSTRAP") {
        Ok(b) if !b.is_empty() => Some(b),
        _ => {
            println!("skipped: KAFKA_BOOTSTRAP is not set (run .ci/kafka.sh to start a broker)");
            None
        }
    }
}

fn unique_topic(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

async fn sink(bootstrap: &str) -> KafkaSink {
    KafkaSinkBuilder::new(bootstrap).await.unwrap()
}

fn source(bootstrap: &str, topic: &str, table: &Path) -> KafkaSourceBuilder {
    KafkaSourceBuilder::new(bootstrap, topic, table, "it")
        .unwrap()
        .with_max_offsets_per_trigger(40)
        .with_idle_timeout(Duration::from_secs(3))
}

fn read(table: &Path, columns: &[&str]) -> DataFrame {
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(async {
            ReadBuilder::new(table)
                .unwrap()
                .await
                .unwrap()
                .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
                .collect()
                .unwrap()
        })
    })
}

fn keys(df: &DataFrame) -> Vec<(i32, i64)> {
    let p = df.column(PARTITION).unwrap().i32().unwrap();
    let o = df.column(OFFSET).unwrap().i64().unwrap();
    p.iter()
        .zip(o.iter())
        .map(|(p, o)| (p.unwrap(), o.unwrap()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_down_at_start_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = KafkaSourceBuilder::new("127.0.0.1:9", "vitals", dir.path().join("bronze"), "it")
        .unwrap()
        .with_connect_timeout(Duration::from_secs(2))
        .await
        .unwrap_err();
    let Error::Kafka { operation, .. } = &err else {
        panic!("expected a Kafka error, got {err}");
    };
    assert_eq!(*operation, "connect");
    let message = err.to_string();
    assert!(message.contains("127.0.0.1:9"), "{message}");
    assert!(message.contains("no broker reachable"), "{message}");
    let sink_err = KafkaSinkBuilder::new("127.0.0.1:9")
        .with_timeout(Duration::from_secs(2))
        .await
        .unwrap_err();
    assert!(sink_err.to_string().contains("no broker reachable"));
}

/// Runs only as the child process of the crash test: arms the fault hook and reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_process_crashing_mid_batch() {
    let (Ok(table), Ok(topic), Ok(n)) = (
        std::env::var(CHILD_TABLE),
        std::env::var(CHILD_TOPIC),
        std::env::var(CHILD_ABORT_AFTER),
    ) else {
        return; // not the child: nothing to do
    };
    let bootstrap = std::env::var("KAFKA_BOOTSTRAP").unwrap();
    medallion_core::fault::abort_after_commits(n.parse().unwrap());
    let mut source = source(&bootstrap, &topic, Path::new(&table)).await.unwrap();
    source.run_available_now().await.unwrap();
    unreachable!("the fault hook aborts the process before the topic is consumed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_land_exactly_once_across_a_restart_and_a_crash_mid_batch() {
    let Some(bootstrap) = bootstrap() else { return };
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("bronze/events");
    let topic = unique_topic("exactly-once");
    let sink = sink(&bootstrap).await;
    sink.create_topic(&topic, 3).await.unwrap();
    // Given 200 JSON records and 6 poison ones spread over three partitions.
    let mut poison = BTreeSet::new();
    for i in 0..206 {
        let key = format!("patient-{}", i % 17);
        if i % 35 == 7 {
            let at = sink
                .publish_bytes(&topic, Some(&key), b"<not json>")
                .await
                .unwrap();
            poison.insert(at);
        } else {
            sink.publish_json(&topic, Some(&key), &serde_json::json!({"i": i}))
                .await
                .unwrap();
        }
    }
    // One trigger, then the consumer goes away (a restart).
    let first = source(&bootstrap, &topic, &table)
        .await
        .unwrap()
        .next_batch()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.batch_id, 1);
    assert!(first.rows_written + first.rows_quarantined <= 40);
    // A second consumer process is killed right after its 3rd Delta commit (in the
    // middle of its batches: a quarantine or a bronze commit).
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process_crashing_mid_batch",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_TABLE, &table)
        .env(CHILD_TOPIC, &topic)
        .env(CHILD_ABORT_AFTER, "3")
        .status()
        .unwrap();
    assert!(!status.success(), "the child must have been aborted");
    // A restarted consumer resumes where the table says.
    let mut resumed = source(&bootstrap, &topic, &table).await.unwrap();
    assert!(resumed.batch_id() >= 2);
    resumed.run_available_now().await.unwrap();
    assert!(resumed.next_batch().await.unwrap().is_none());

    let bronze = read(&table, &[PARTITION, OFFSET, RAW_LINE, BATCH_ID]);
    let bronze_keys = keys(&bronze);
    let distinct: BTreeSet<_> = bronze_keys.iter().copied().collect();
    assert_eq!(bronze_keys.len(), 200, "every JSON record once");
    assert_eq!(distinct.len(), 200, "none twice");
    assert!(distinct.is_disjoint(&poison));
    let quarantine = read(
        &dir.path().join("bronze/events_quarantine"),
        &[PARTITION, OFFSET, INGEST_ISSUE],
    );
    let quarantined: Vec<_> = keys(&quarantine);
    assert_eq!(
        quarantined.iter().copied().collect::<BTreeSet<_>>(),
        poison,
        "poison with its offsets"
    );
    assert_eq!(quarantined.len(), poison.len(), "each poison message once");
    let issues = quarantine.column(INGEST_ISSUE).unwrap().str().unwrap();
    assert!(issues.iter().all(|i| i == Some(NOT_JSON)));
    // Offsets: the next offset of each partition follows its last record.
    let ends = resumed.offsets().clone();
    let total: i64 = ends.values().sum();
    assert_eq!(total, 206);

    // New records after the restart are appended, the old ones are not read again.
    sink.publish_json(&topic, Some("late"), &serde_json::json!({"i": 999}))
        .await
        .unwrap();
    let more = resumed.run_available_now().await.unwrap();
    assert_eq!(more.iter().map(|b| b.rows_written).sum::<u64>(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_events_published_by_the_sink_read_back_as_json() {
    let Some(bootstrap) = bootstrap() else { return };
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("bronze/runs");
    let topic = unique_topic("runs");
    let sink = sink(&bootstrap).await;
    sink.create_topic(&topic, 1).await.unwrap();
    let event = RunEvent::completed("vitals", "run-1", serde_json::json!({"rows": 10}));
    sink.publish_json(&topic, Some("run-1"), &event)
        .await
        .unwrap();
    let alerts = df!("patient_id" => ["p1", "p2"], "news2_score" => [7i32, 5]).unwrap();
    assert_eq!(
        sink.publish_rows(&topic, &alerts, Some("patient_id"))
            .await
            .unwrap(),
        2
    );
    let mut source = source(&bootstrap, &topic, &table).await.unwrap();
    let batches = source.run_available_now().await.unwrap();
    assert_eq!(batches.iter().map(|b| b.rows_written).sum::<u64>(), 3);
    let lines = read(&table, &[RAW_LINE]);
    let lines: Vec<serde_json::Value> = lines
        .column(RAW_LINE)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|l| serde_json::from_str(l.unwrap()).unwrap())
        .collect();
    assert_eq!(lines[0]["event"], "run_completed");
    assert_eq!(lines[0]["summary"]["rows"], 10);
    assert_eq!(lines[1]["patient_id"], "p1");
    assert_eq!(lines[2]["news2_score"], 5);
}
