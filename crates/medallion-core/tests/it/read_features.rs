//! Time travel and refusal of table features a plain Parquet scan would get wrong.

use medallion_core::{Error, ReadBuilder, WriteBuilder};
use polars::prelude::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn time_travel_by_version_and_timestamp_returns_old_data() {
    let dir = tempfile::tempdir().unwrap();
    WriteBuilder::new(dir.path(), df!("x" => [1i64]).unwrap().lazy())
        .unwrap()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let between = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    WriteBuilder::new(dir.path(), df!("x" => [2i64]).unwrap().lazy())
        .unwrap()
        .await
        .unwrap();

    let v0 = ReadBuilder::new(dir.path())
        .unwrap()
        .with_version(0)
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(v0.height(), 1);
    let at = ReadBuilder::new(dir.path())
        .unwrap()
        .with_timestamp(between)
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(at.column("x").unwrap().i64().unwrap().get(0), Some(1));
    assert_eq!(at.height(), 1);
    let latest = ReadBuilder::new(dir.path())
        .unwrap()
        .await
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(latest.height(), 2);

    let missing = ReadBuilder::new(dir.path()).unwrap().with_version(9).await;
    assert!(matches!(missing, Err(Error::VersionNotFound { .. })));
}

const SCHEMA: &str = r#"{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}"#;

fn write_log(dir: &std::path::Path, lines: &[String]) {
    let log = dir.join("_delta_log");
    std::fs::create_dir_all(&log).unwrap();
    std::fs::write(
        log.join("00000000000000000000.json"),
        lines.join("\n") + "\n",
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletion_vectors_are_refused_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write_log(
        dir.path(),
        &[
            r#"{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}}"#.to_string(),
            format!(
                r#"{{"metaData":{{"id":"5f1c2a55-0000-4000-8000-000000000001","format":{{"provider":"parquet","options":{{}}}},"schemaString":"{SCHEMA}","partitionColumns":[],"configuration":{{"delta.enableDeletionVectors":"true"}},"createdTime":1700000000000}}}}"#
            ),
            r#"{"add":{"path":"part-0.parquet","partitionValues":{},"size":100,"modificationTime":1700000000000,"dataChange":true,"stats":"{\"numRecords\":3}","deletionVector":{"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":1,"sizeInBytes":36,"cardinality":2}}}"#.to_string(),
        ],
    );
    let err = ReadBuilder::new(dir.path()).unwrap().await.err().unwrap();
    assert!(
        matches!(err, Error::UnsupportedTableFeature { ref feature, .. } if feature == "deletionVectors"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_mapping_is_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let mapped_schema = r#"{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":\"long\",\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":1,\"delta.columnMapping.physicalName\":\"col-5f1c\"}}]}"#;
    write_log(
        dir.path(),
        &[
            r#"{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["columnMapping"],"writerFeatures":["columnMapping"]}}"#.to_string(),
            format!(
                r#"{{"metaData":{{"id":"5f1c2a55-0000-4000-8000-000000000002","format":{{"provider":"parquet","options":{{}}}},"schemaString":"{mapped_schema}","partitionColumns":[],"configuration":{{"delta.columnMapping.mode":"name","delta.columnMapping.maxColumnId":"1"}},"createdTime":1700000000000}}}}"#
            ),
        ],
    );
    let err = ReadBuilder::new(dir.path()).unwrap().await.err().unwrap();
    assert!(
        matches!(err, Error::UnsupportedTableFeature { ref feature, .. } if feature == "columnMapping"),
        "{err}"
    );
}
