//! Replacing a table's rows and metadata in **one** commit.
//!
//! delta-rs' write operation cannot do this: it refuses property keys other than
//! `delta.*` when it creates a table, and on an existing table it keeps the table's
//! properties and description (an overwrite only replaces the schema). Setting a
//! property afterwards takes a second commit, so the version that holds the new rows
//! would not carry it. Here the data files are written first (invisible until
//! committed; a crash leaves orphans that VACUUM removes), then a single `WRITE` commit
//! (mode overwrite) holds the protocol when needed, the new metadata (schema with column
//! comments, partition columns, description, properties), a `remove` for every file of
//! the previous version and an `add` for every new file.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Instant;

use arrow::datatypes::{DataType as ArrowDataType, Schema as ArrowSchema};
use deltalake::DeltaTable;
use deltalake::datafusion::prelude::SessionContext;
use deltalake::kernel::engine::arrow_conversion::TryIntoKernel;
use deltalake::kernel::transaction::{CommitBuilder, TableReference};
use deltalake::kernel::{
    Action, EagerSnapshot, Metadata, MetadataValue, Protocol, StructField, StructType, new_metadata,
};
use deltalake::protocol::{DeltaOperation, SaveMode};
use deltalake::writer::{DeltaWriter, RecordBatchWriter};
use futures::{StreamExt, TryStreamExt};
use polars::prelude::*;
use serde_json::{Value, json};

use crate::blocking::run_blocking;
use crate::bridge::StringFormat;
use crate::delta_types::delta_compatible;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::stream::stream_lazyframe;
use crate::table::{commit_properties, open_or_new, snapshot_of};
use crate::write::{DEFAULT_BATCH_ROWS, WriteReport};

const OP: &str = "replace table";

/// Parquet files are cut at about this size (delta-rs' default target file size).
const TARGET_FILE_BYTES: u64 = 100 * 1024 * 1024;

/// Delta's key for a column comment in a field's metadata (as Spark writes it).
const COMMENT_KEY: &str = "comment";

/// A table's new rows and everything its one replacing commit records about them.
pub(crate) struct Replacement {
    pub(crate) rows: LazyFrame,
    pub(crate) partition_columns: Vec<String>,
    /// Table name in the metadata.
    pub(crate) name: Option<String>,
    /// Table description (what catalogs show as the table comment).
    pub(crate) description: Option<String>,
    /// Properties added to (or replaced in) the table's configuration.
    pub(crate) properties: HashMap<String, String>,
    /// Comments per column, stored in the field metadata under `comment`.
    pub(crate) column_comments: Vec<(String, String)>,
    /// Caller metadata for the commit's `commitInfo`.
    pub(crate) commit_metadata: Vec<(String, Value)>,
}

/// The data files of the new version and what they hold.
struct Written {
    adds: Vec<Action>,
    schema: Arc<ArrowSchema>,
    rows: u64,
}

/// Replaces the table at `location` (creating it when missing) in one commit.
pub(crate) async fn replace_table(
    location: &TableLocation,
    replacement: Replacement,
) -> Result<WriteReport> {
    let started = Instant::now();
    let uri = location.to_string();
    let table = open_or_new(location, OP).await?;
    let snapshot = snapshot_of(&table);
    let written = write_files(location, replacement.rows, &replacement.partition_columns).await?;
    let schema = delta_schema(&written.schema, &replacement.column_comments, &uri)?;
    let mut actions = Vec::new();
    actions.extend(protocol_for(snapshot.as_ref(), &written.schema, &uri)?.map(Action::from));
    actions.push(
        metadata_for(
            snapshot.as_ref(),
            &schema,
            &replacement.partition_columns,
            MetadataText {
                name: replacement.name,
                description: replacement.description,
                properties: replacement.properties,
            },
        )
        .map_err(|e| Error::delta(&uri, OP, e))?
        .into(),
    );
    let removed = match &snapshot {
        Some(snapshot) => removes_of_every_file(&table, snapshot, &uri).await?,
        None => Vec::new(),
    };
    let (files_added, files_removed) = (written.adds.len(), removed.len());
    actions.extend(removed);
    actions.extend(written.adds);
    let mut metadata = replacement.commit_metadata;
    metadata.push((
        "operationMetrics".into(),
        json!({
            "num_added_files": files_added,
            "num_removed_files": files_removed,
            "num_added_rows": written.rows,
        }),
    ));
    let operation = DeltaOperation::Write {
        mode: SaveMode::Overwrite,
        partition_by: Some(replacement.partition_columns).filter(|p| !p.is_empty()),
        predicate: None,
    };
    let committed = CommitBuilder::from(commit_properties(metadata, None))
        .with_actions(actions)
        .build(
            snapshot.as_ref().map(|s| s as &dyn TableReference),
            table.log_store(),
            operation,
        )
        .await
        .map_err(|e| Error::delta(&uri, OP, e))?;
    crate::fault::record_commits(1);
    let report = WriteReport {
        table: uri,
        version: Some(committed.version()),
        rows_written: written.rows,
        files_added,
        files_removed,
        duration: started.elapsed(),
    };
    crate::trace::finished(
        "replace table",
        Some(report.rows_written),
        report.version,
        report.duration,
    );
    Ok(report)
}

/// Streams `rows` from Polars into Parquet files under the table root (not committed).
async fn write_files(
    location: &TableLocation,
    rows: LazyFrame,
    partition_columns: &[String],
) -> Result<Written> {
    let uri = location.to_string();
    let batch_rows = NonZeroUsize::new(DEFAULT_BATCH_ROWS).unwrap_or(NonZeroUsize::MIN);
    let stream_uri = uri.clone();
    let streamed = run_blocking(&uri, OP, move || {
        let rows = delta_compatible(rows, &stream_uri)?;
        stream_lazyframe(rows, batch_rows, StringFormat::Large, None, &stream_uri)
    })
    .await?;
    let schema = Arc::new(streamed.plan.schema().as_arrow().clone());
    let internal = |reason: String| Error::Internal {
        table: uri.clone(),
        operation: OP,
        reason,
    };
    let mut batches = SessionContext::new()
        .execute_logical_plan(streamed.plan)
        .await
        .map_err(|e| internal(e.to_string()))?
        .execute_stream()
        .await
        .map_err(|e| internal(e.to_string()))?;
    let delta = |e| Error::delta(&uri, OP, e);
    let mut writer = RecordBatchWriter::try_new(
        location.url().as_str(),
        schema,
        Some(partition_columns.to_vec()),
        None,
    )
    .map_err(delta)?
    .with_target_file_size(TARGET_FILE_BYTES);
    while let Some(batch) = batches.next().await {
        let batch = batch.map_err(|e| internal(e.to_string()))?;
        writer.write(batch).await.map_err(delta)?;
    }
    let adds = writer.flush().await.map_err(delta)?;
    Ok(Written {
        adds: adds.into_iter().map(Action::from).collect(),
        schema: writer.arrow_schema(),
        rows: streamed.rows.get(),
    })
}

/// The Delta schema of the written files, with the column comments in field metadata.
///
/// # Errors
/// [`Error::ColumnNotFound`] for a comment on a column the rows do not have.
fn delta_schema(
    schema: &ArrowSchema,
    comments: &[(String, String)],
    table: &str,
) -> Result<StructType> {
    let delta = |e: deltalake::DeltaTableError| Error::delta(table, OP, e);
    let converted: StructType = schema.try_into_kernel().map_err(|e| Error::arrow(OP, e))?;
    if let Some((column, _)) = comments
        .iter()
        .find(|(column, _)| converted.field(column).is_none())
    {
        return Err(Error::ColumnNotFound {
            table: table.to_string(),
            operation: OP,
            column: column.clone(),
            available: converted.fields().map(|f| f.name().clone()).collect(),
        });
    }
    let fields: Vec<StructField> = converted
        .fields()
        .map(|field| {
            let comment = comments.iter().rev().find(|(c, _)| c == field.name());
            match comment {
                None => field.clone(),
                Some((_, text)) => {
                    let mut metadata = field.metadata().clone();
                    metadata.insert(COMMENT_KEY.into(), MetadataValue::String(text.clone()));
                    field.clone().with_metadata(metadata)
                }
            }
        })
        .collect();
    StructType::try_new(fields).map_err(|e| delta(e.into()))
}

/// The name, description and properties of the new metadata.
struct MetadataText {
    name: Option<String>,
    description: Option<String>,
    properties: HashMap<String, String>,
}

/// The table's metadata for the new version: an existing table keeps its id, creation
/// time and other properties; schema, partition columns, name, description and the
/// given properties are replaced.
fn metadata_for(
    snapshot: Option<&EagerSnapshot>,
    schema: &StructType,
    partition_columns: &[String],
    text: MetadataText,
) -> deltalake::DeltaResult<Metadata> {
    let base = match snapshot {
        Some(snapshot) => snapshot.metadata().clone(),
        None => new_metadata(schema, partition_columns, HashMap::<String, String>::new())?,
    };
    let mut value = serde_json::to_value(&base)?;
    value["schemaString"] = Value::String(serde_json::to_string(schema)?);
    value["partitionColumns"] = json!(partition_columns);
    if let Some(name) = text.name {
        value["name"] = Value::String(name);
    }
    if let Some(description) = text.description {
        value["description"] = Value::String(description);
    }
    let mut configuration: HashMap<String, String> =
        serde_json::from_value(value["configuration"].take()).unwrap_or_default();
    configuration.extend(text.properties);
    value["configuration"] = json!(configuration);
    Ok(serde_json::from_value(value)?)
}

/// The protocol action the new version needs: the minimal protocol for a new table, an
/// upgrade when the rows need a feature the table's protocol lacks, otherwise none.
///
/// The only feature our column types can need is `timestampNtz` (a Polars `Datetime`
/// without time zone); every other Delta type is in the base protocol (1, 2).
fn protocol_for(
    snapshot: Option<&EagerSnapshot>,
    schema: &ArrowSchema,
    table: &str,
) -> Result<Option<Protocol>> {
    const NTZ: &str = "timestampNtz";
    let needs_ntz = schema
        .fields()
        .iter()
        .any(|f| has_naive_timestamp(f.data_type()));
    let current = match snapshot {
        Some(snapshot) => Some(
            serde_json::to_value(snapshot.protocol())
                .map_err(|e| Error::delta(table, OP, e.into()))?,
        ),
        None => None,
    };
    let listed = |protocol: &Value, key: &str| -> Vec<String> {
        serde_json::from_value(protocol[key].clone()).unwrap_or_default()
    };
    let protocol = match current {
        None if needs_ntz => json!({
            "minReaderVersion": 3,
            "minWriterVersion": 7,
            "readerFeatures": [NTZ],
            "writerFeatures": [NTZ],
        }),
        None => json!({"minReaderVersion": 1, "minWriterVersion": 2}),
        Some(current)
            if !needs_ntz || listed(&current, "readerFeatures").iter().any(|f| f == NTZ) =>
        {
            return Ok(None);
        }
        Some(current) => upgraded_for_ntz(&current, &listed, table)?,
    };
    serde_json::from_value(protocol)
        .map(Some)
        .map_err(|e| Error::delta(table, OP, e.into()))
}

/// `current` (a legacy or table-features protocol) with `timestampNtz` added: table
/// features (3, 7) listing the features the legacy versions implied.
fn upgraded_for_ntz(
    current: &Value,
    listed: &dyn Fn(&Value, &str) -> Vec<String>,
    table: &str,
) -> Result<Value> {
    let reader = current["minReaderVersion"].as_i64().unwrap_or(1);
    let writer = current["minWriterVersion"].as_i64().unwrap_or(2);
    let mut reader_features = listed(current, "readerFeatures");
    let mut writer_features = listed(current, "writerFeatures");
    // Legacy reader version 2 implies column mapping, which this writer does not do.
    if reader == 2 {
        return Err(Error::UnsupportedTableFeature {
            table: table.to_string(),
            feature: "columnMapping".into(),
            detail: "replacing the rows of a column-mapped table".into(),
        });
    }
    if writer < 7 {
        let implied: &[(i64, &str)] = &[
            (2, "appendOnly"),
            (2, "invariants"),
            (3, "checkConstraints"),
            (4, "changeDataFeed"),
            (4, "generatedColumns"),
            (5, "columnMapping"),
            (6, "identityColumns"),
        ];
        writer_features.extend(
            implied
                .iter()
                .filter(|(version, _)| writer >= *version)
                .map(|(_, feature)| feature.to_string()),
        );
    }
    reader_features.push("timestampNtz".into());
    writer_features.push("timestampNtz".into());
    Ok(json!({
        "minReaderVersion": 3,
        "minWriterVersion": 7,
        "readerFeatures": reader_features,
        "writerFeatures": writer_features,
    }))
}

/// Whether `dtype` is or contains a timestamp without time zone.
fn has_naive_timestamp(dtype: &ArrowDataType) -> bool {
    match dtype {
        ArrowDataType::Timestamp(_, None) => true,
        ArrowDataType::List(f)
        | ArrowDataType::LargeList(f)
        | ArrowDataType::ListView(f)
        | ArrowDataType::LargeListView(f)
        | ArrowDataType::FixedSizeList(f, _)
        | ArrowDataType::Map(f, _) => has_naive_timestamp(f.data_type()),
        ArrowDataType::Struct(fields) => fields.iter().any(|f| has_naive_timestamp(f.data_type())),
        _ => false,
    }
}

/// A `remove` action for every file of the table's current version.
async fn removes_of_every_file(
    table: &DeltaTable,
    snapshot: &EagerSnapshot,
    uri: &str,
) -> Result<Vec<Action>> {
    let log_store = table.log_store();
    snapshot
        .file_views(log_store.as_ref(), None)
        .map_ok(|file| Action::from(file.remove_action(true)))
        .try_collect()
        .await
        .map_err(|e| Error::delta(uri, OP, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::{Field, TimeUnit};

    #[test]
    fn only_naive_timestamps_need_the_timestamp_ntz_feature() {
        let naive = ArrowDataType::Timestamp(TimeUnit::Microsecond, None);
        let utc = ArrowDataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        assert!(has_naive_timestamp(&naive));
        assert!(!has_naive_timestamp(&utc));
        let nested = ArrowDataType::List(Arc::new(Field::new("item", naive, true)));
        assert!(has_naive_timestamp(&nested));
    }

    #[test]
    fn upgrading_a_legacy_protocol_for_ntz_lists_the_implied_writer_features() {
        let legacy = json!({"minReaderVersion": 1, "minWriterVersion": 2});
        let listed = |p: &Value, k: &str| -> Vec<String> {
            serde_json::from_value(p[k].clone()).unwrap_or_default()
        };
        let upgraded = upgraded_for_ntz(&legacy, &listed, "t").unwrap();
        assert_eq!(upgraded["minWriterVersion"], 7);
        assert_eq!(upgraded["readerFeatures"], json!(["timestampNtz"]));
        assert_eq!(
            upgraded["writerFeatures"],
            json!(["appendOnly", "invariants", "timestampNtz"])
        );
    }
}
