//! The exactly-once micro-batch source (see the module docs).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use polars::prelude::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::{KEY, NOT_JSON, OFFSET, OFFSETS_KEY, PARTITION, TIMESTAMP, TOPIC, kafka_error};
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::pipeline::{BATCH_ID, INGEST_ISSUE, INGESTED_AT, RAW_LINE, SOURCE_FILE, SOURCE_ROW};
use crate::table::{AppTransaction, app_transaction_version};
use crate::{HistoryBuilder, ReadBuilder, SchemaEvolution, WriteBuilder, WriteMode};

/// Default records per trigger.
const DEFAULT_MAX_OFFSETS: usize = 10_000;

/// Settings of a [`KafkaSource`]; `.await` connects (delta-rs builder style).
#[derive(Debug, Clone)]
#[must_use = "a KafkaSourceBuilder does nothing until awaited"]
pub struct KafkaSourceBuilder {
    bootstrap: String,
    topic: String,
    bronze: TableLocation,
    quarantine: TableLocation,
    pipeline: String,
    max_offsets_per_trigger: usize,
    group_id: Option<String>,
    connect_timeout: Duration,
    idle_timeout: Duration,
    client_config: Vec<(String, String)>,
    commit_metadata: Vec<(String, serde_json::Value)>,
}

impl KafkaSourceBuilder {
    /// A source reading `topic` from the brokers `bootstrap` (`host:port[,…]`) into the
    /// bronze table at `bronze`; `pipeline` names the application transaction
    /// `<pipeline>/kafka/<topic>`. The quarantine table defaults to
    /// `<bronze>_quarantine`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable table location.
    pub fn new(
        bootstrap: impl Into<String>,
        topic: impl Into<String>,
        bronze: impl TryInto<TableLocation, Error = Error>,
        pipeline: impl Into<String>,
    ) -> Result<Self> {
        let bronze: TableLocation = bronze.try_into()?;
        let quarantine =
            TableLocation::try_from(format!("{}_quarantine", bronze.as_str()).as_str())?;
        Ok(Self {
            bootstrap: bootstrap.into(),
            topic: topic.into(),
            bronze,
            quarantine,
            pipeline: pipeline.into(),
            max_offsets_per_trigger: DEFAULT_MAX_OFFSETS,
            group_id: None,
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(2),
            client_config: Vec::new(),
            commit_metadata: Vec::new(),
        })
    }

    /// Most records one micro-batch reads (over all partitions). Default 10,000.
    pub fn with_max_offsets_per_trigger(mut self, records: usize) -> Self {
        self.max_offsets_per_trigger = records.max(1);
        self
    }

    /// Consumer group for the informational offset commit. Default
    /// `<pipeline>-<topic>`.
    pub fn with_group_id(mut self, group: impl Into<String>) -> Self {
        self.group_id = Some(group.into());
        self
    }

    /// How long connecting may take before the broker counts as down. Default 10 s.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A micro-batch ends when no record arrived for this long (or when it is full, or
    /// every partition reached the end it had when the batch began). Default 2 s.
    pub fn with_idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The quarantine table of poison messages. Default `<bronze>_quarantine`.
    ///
    /// # Errors
    /// [`Error::InvalidLocation`] for an unusable location.
    pub fn with_quarantine_table(
        mut self,
        table: impl TryInto<TableLocation, Error = Error>,
    ) -> Result<Self> {
        self.quarantine = table.try_into()?;
        Ok(self)
    }

    /// A librdkafka setting (e.g. `security.protocol`, `sasl.mechanisms` for Azure
    /// Event Hubs), applied after the defaults.
    pub fn with_client_config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.client_config.push((key.into(), value.into()));
        self
    }

    commit_metadata_setters!();

    fn app_id(&self) -> String {
        format!("{}/kafka/{}", self.pipeline, self.topic)
    }

    fn error(&self, operation: &'static str, reason: impl std::fmt::Display) -> Error {
        kafka_error(&self.bootstrap, &self.topic, operation, reason)
    }

    /// Connects, lists the topic's partitions and reads the committed offsets back
    /// from the bronze table.
    async fn execute(self) -> Result<KafkaSource> {
        let group = self
            .group_id
            .clone()
            .unwrap_or_else(|| format!("{}-{}", self.pipeline, self.topic));
        let mut client = ClientConfig::new();
        client
            .set("bootstrap.servers", &self.bootstrap)
            .set("group.id", &group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("enable.partition.eof", "false")
            .set("auto.offset.reset", "earliest");
        for (k, v) in &self.client_config {
            client.set(k, v);
        }
        let consumer: BaseConsumer = client
            .create()
            .map_err(|e| self.error("create consumer", e))?;
        let consumer = Arc::new(consumer);
        let (c, topic, timeout) = (consumer.clone(), self.topic.clone(), self.connect_timeout);
        let metadata = tokio::task::spawn_blocking(move || c.fetch_metadata(Some(&topic), timeout))
            .await
            .map_err(|e| self.error("connect", e))?
            .map_err(|e| {
                self.error(
                    "connect",
                    format!(
                        "no broker reachable within {} s ({e}); is the broker running?",
                        timeout.as_secs()
                    ),
                )
            })?;
        let partitions: Vec<i32> = match metadata.topics().iter().find(|t| t.name() == self.topic) {
            Some(t) if t.error().is_none() && !t.partitions().is_empty() => {
                t.partitions().iter().map(|p| p.id()).collect()
            }
            Some(t) => {
                return Err(self.error(
                    "connect",
                    format!("the topic is not available ({:?})", t.error()),
                ));
            }
            None => return Err(self.error("connect", "the topic does not exist")),
        };
        let batch_id = app_transaction_version(&self.bronze, &self.app_id())
            .await?
            .unwrap_or(0);
        let next = committed_offsets(&self.bronze, &self.topic).await?;
        let quarantined = quarantined_offsets(&self.quarantine, &self.topic).await?;
        tracing::info!(
            topic = %self.topic,
            partitions = partitions.len(),
            batch_id,
            "kafka source resumed from the bronze table"
        );
        Ok(KafkaSource {
            consumer,
            partitions,
            next,
            quarantined,
            batch_id,
            settings: self,
        })
    }
}

awaitable_builder!(KafkaSourceBuilder => KafkaSource);

/// The next offset per partition recorded by the latest bronze commit of `topic`.
async fn committed_offsets(bronze: &TableLocation, topic: &str) -> Result<BTreeMap<i32, i64>> {
    if crate::table_version(bronze).await?.is_none() {
        return Ok(BTreeMap::new());
    }
    let history = HistoryBuilder::new(bronze)?.await?;
    let recorded = history
        .iter()
        .find_map(|entry| entry.info.get(OFFSETS_KEY)?.get(topic).cloned());
    let Some(serde_json::Value::Object(map)) = recorded else {
        return Ok(BTreeMap::new());
    };
    Ok(map
        .iter()
        .filter_map(|(p, o)| Some((p.parse().ok()?, o.as_i64()?)))
        .collect())
}

/// The highest quarantined offset per partition of `topic`.
async fn quarantined_offsets(
    quarantine: &TableLocation,
    topic: &str,
) -> Result<BTreeMap<i32, i64>> {
    if crate::table_version(quarantine).await?.is_none() {
        return Ok(BTreeMap::new());
    }
    let frame = ReadBuilder::new(quarantine)?
        .with_columns([TOPIC, PARTITION, OFFSET])
        .await?;
    let topic = topic.to_string();
    let uri = quarantine.to_string();
    let max = crate::run_polars(move || {
        frame
            .filter(col(TOPIC).eq(lit(topic)))
            .group_by([col(PARTITION)])
            .agg([col(OFFSET).max()])
            .collect()
    })
    .await?
    .map_err(|e| Error::polars(&uri, "read quarantined offsets", e))?;
    let parts = max.column(PARTITION).and_then(|c| c.i32().cloned());
    let offs = max.column(OFFSET).and_then(|c| c.i64().cloned());
    let (Ok(parts), Ok(offs)) = (parts, offs) else {
        return Ok(BTreeMap::new());
    };
    Ok(parts
        .iter()
        .zip(offs.iter())
        .filter_map(|(p, o)| Some((p?, o?)))
        .collect())
}

/// One record as read.
struct Record {
    partition: i32,
    offset: i64,
    key: Option<String>,
    value: Option<String>,
    timestamp_ms: Option<i64>,
    json: bool,
}

/// What one micro-batch committed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KafkaBatchReport {
    /// The batch id (`_batch_id`, the application-transaction version).
    pub batch_id: i64,
    /// Records appended to bronze.
    pub rows_written: u64,
    /// Poison records appended to the quarantine table.
    pub rows_quarantined: u64,
    /// Per partition: `(first offset read, next offset)`.
    pub offsets: BTreeMap<i32, (i64, i64)>,
    /// Bronze table version committed.
    pub version: Option<u64>,
    /// Wall time.
    pub duration: Duration,
}

/// A connected micro-batch source (see the module docs).
pub struct KafkaSource {
    consumer: Arc<BaseConsumer>,
    partitions: Vec<i32>,
    /// Next offset to read per partition (absent: from the beginning).
    next: BTreeMap<i32, i64>,
    quarantined: BTreeMap<i32, i64>,
    batch_id: i64,
    settings: KafkaSourceBuilder,
}

impl std::fmt::Debug for KafkaSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaSource")
            .field("topic", &self.settings.topic)
            .field("partitions", &self.partitions)
            .field("next", &self.next)
            .field("batch_id", &self.batch_id)
            .finish_non_exhaustive()
    }
}

impl KafkaSource {
    /// The next offset per partition (what the bronze table has committed).
    pub fn offsets(&self) -> &BTreeMap<i32, i64> {
        &self.next
    }

    /// The last committed batch id (0 before the first).
    pub fn batch_id(&self) -> i64 {
        self.batch_id
    }

    /// Processes everything available when called, in micro-batches of at most
    /// `max_offsets_per_trigger` records, then returns their reports.
    ///
    /// # Errors
    /// See [`KafkaSource::next_batch`].
    pub async fn run_available_now(&mut self) -> Result<Vec<KafkaBatchReport>> {
        let end = self.end_offsets().await?;
        let mut reports = Vec::new();
        while self.behind(&end) {
            match self.read_and_commit(Some(&end)).await? {
                Some(report) => reports.push(report),
                None => break,
            }
        }
        Ok(reports)
    }

    /// One trigger: reads up to `max_offsets_per_trigger` records and commits them
    /// (rows and offsets in one bronze commit); `None` when nothing new is available.
    ///
    /// # Errors
    /// [`Error::Kafka`] when the broker fails; a Delta error naming the table when a
    /// commit fails (nothing of the batch is then recorded as consumed).
    pub async fn next_batch(&mut self) -> Result<Option<KafkaBatchReport>> {
        let end = self.end_offsets().await?;
        if !self.behind(&end) {
            return Ok(None);
        }
        self.read_and_commit(Some(&end)).await
    }

    fn behind(&self, end: &BTreeMap<i32, i64>) -> bool {
        end.iter()
            .any(|(p, high)| self.next.get(p).copied().unwrap_or(0) < *high)
    }

    /// The high watermark (next offset to be written) of every partition.
    async fn end_offsets(&self) -> Result<BTreeMap<i32, i64>> {
        let (c, topic, parts) = (
            self.consumer.clone(),
            self.settings.topic.clone(),
            self.partitions.clone(),
        );
        let timeout = self.settings.connect_timeout;
        let marks = tokio::task::spawn_blocking(move || {
            parts
                .iter()
                .map(|p| {
                    c.fetch_watermarks(&topic, *p, timeout)
                        .map(|(_, h)| (*p, h))
                })
                .collect::<rdkafka::error::KafkaResult<BTreeMap<i32, i64>>>()
        })
        .await
        .map_err(|e| self.settings.error("fetch watermarks", e))?;
        marks.map_err(|e| self.settings.error("fetch watermarks", e))
    }

    async fn read_and_commit(
        &mut self,
        end: Option<&BTreeMap<i32, i64>>,
    ) -> Result<Option<KafkaBatchReport>> {
        let started = Instant::now();
        let records = self.poll(end.cloned().unwrap_or_default()).await?;
        if records.is_empty() {
            return Ok(None);
        }
        let batch_id = self.batch_id + 1;
        let mut next = self.next.clone();
        let mut offsets: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
        for r in &records {
            next.insert(r.partition, r.offset + 1);
            offsets
                .entry(r.partition)
                .and_modify(|e| e.1 = r.offset + 1)
                .or_insert((r.offset, r.offset + 1));
        }
        let ingested_at = Utc::now();
        let (poison, good): (Vec<Record>, Vec<Record>) = records.into_iter().partition(|r| !r.json);
        let quarantined = self.quarantine(poison, batch_id, ingested_at).await?;
        let rows = good.len() as u64;
        let version = self.commit(good, batch_id, ingested_at, &next).await?;
        self.next = next;
        self.batch_id = batch_id;
        self.commit_group_offsets();
        Ok(Some(KafkaBatchReport {
            batch_id,
            rows_written: rows,
            rows_quarantined: quarantined,
            offsets,
            version,
            duration: started.elapsed(),
        }))
    }

    /// Reads records from the committed offsets on.
    async fn poll(&self, end: BTreeMap<i32, i64>) -> Result<Vec<Record>> {
        let mut assignment = TopicPartitionList::new();
        for p in &self.partitions {
            let offset = match self.next.get(p) {
                Some(o) => Offset::Offset(*o),
                None => Offset::Beginning,
            };
            assignment
                .add_partition_offset(&self.settings.topic, *p, offset)
                .map_err(|e| self.settings.error("assign", e))?;
        }
        self.consumer
            .assign(&assignment)
            .map_err(|e| self.settings.error("assign", e))?;
        let (c, next, max, idle) = (
            self.consumer.clone(),
            self.next.clone(),
            self.settings.max_offsets_per_trigger,
            self.settings.idle_timeout,
        );
        let polled = tokio::task::spawn_blocking(move || poll_records(&c, &next, &end, max, idle))
            .await
            .map_err(|e| self.settings.error("poll", e))?;
        polled.map_err(|e| self.settings.error("poll", e))
    }

    /// Appends poison records to the quarantine table, skipping offsets already there.
    async fn quarantine(
        &mut self,
        poison: Vec<Record>,
        batch_id: i64,
        ingested_at: DateTime<Utc>,
    ) -> Result<u64> {
        let fresh: Vec<Record> = poison
            .into_iter()
            .filter(|r| {
                self.quarantined
                    .get(&r.partition)
                    .is_none_or(|q| r.offset > *q)
            })
            .collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        let n = fresh.len() as u64;
        for r in &fresh {
            let q = self.quarantined.entry(r.partition).or_insert(r.offset);
            *q = (*q).max(r.offset);
        }
        let frame = self
            .frame(&fresh, batch_id, ingested_at)?
            .with_column(lit(NOT_JSON).alias(INGEST_ISSUE));
        WriteBuilder::new(&self.settings.quarantine, frame)?
            .with_mode(WriteMode::Append)
            .with_schema_evolution(SchemaEvolution::Merge)
            .with_commit_metadata("pipeline", self.settings.pipeline.clone())
            .with_commit_entries(self.settings.commit_metadata.clone())
            .await?;
        Ok(n)
    }

    /// Appends the records and the offsets after them in one bronze commit.
    async fn commit(
        &self,
        good: Vec<Record>,
        batch_id: i64,
        ingested_at: DateTime<Utc>,
        next: &BTreeMap<i32, i64>,
    ) -> Result<Option<u64>> {
        let frame = self.frame(&good, batch_id, ingested_at)?;
        let offsets: serde_json::Map<String, serde_json::Value> = next
            .iter()
            .map(|(p, o)| (p.to_string(), (*o).into()))
            .collect();
        let mut recorded = serde_json::Map::new();
        recorded.insert(self.settings.topic.clone(), offsets.into());
        let written = WriteBuilder::new(&self.settings.bronze, frame)?
            .with_mode(WriteMode::Append)
            .with_schema_evolution(SchemaEvolution::Merge)
            .with_app_transaction(AppTransaction::new(self.settings.app_id(), batch_id))
            .with_table_property("delta.enableExpiredLogCleanup", "false")
            .with_commit_metadata("pipeline", self.settings.pipeline.clone())
            .with_commit_metadata("batch_id", batch_id)
            .with_commit_metadata(OFFSETS_KEY, recorded)
            .with_commit_entries(self.settings.commit_metadata.clone())
            .await?;
        Ok(written.version)
    }

    /// The bronze rows of records.
    fn frame(
        &self,
        records: &[Record],
        batch_id: i64,
        ingested_at: DateTime<Utc>,
    ) -> Result<LazyFrame> {
        let topic = &self.settings.topic;
        let n = records.len();
        let utc = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
        let timestamps: Vec<Option<i64>> = records
            .iter()
            .map(|r| r.timestamp_ms.map(|t| t * 1000))
            .collect();
        let df = DataFrame::new(
            n,
            vec![
                Column::new(
                    RAW_LINE.into(),
                    records.iter().map(|r| r.value.clone()).collect::<Vec<_>>(),
                ),
                Column::new(TOPIC.into(), vec![topic.as_str(); n]),
                Column::new(
                    PARTITION.into(),
                    records.iter().map(|r| r.partition).collect::<Vec<_>>(),
                ),
                Column::new(
                    OFFSET.into(),
                    records.iter().map(|r| r.offset).collect::<Vec<_>>(),
                ),
                Column::new(
                    KEY.into(),
                    records.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
                ),
                Column::new(TIMESTAMP.into(), timestamps),
                Column::new(
                    SOURCE_FILE.into(),
                    records
                        .iter()
                        .map(|r| format!("kafka://{topic}/{}", r.partition))
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    SOURCE_ROW.into(),
                    records.iter().map(|r| r.offset).collect::<Vec<_>>(),
                ),
            ],
        )
        .map_err(|e| Error::polars(self.settings.bronze.as_str(), "kafka batch", e))?;
        Ok(df.lazy().with_columns([
            col(TIMESTAMP).cast(utc.clone()),
            lit(ingested_at.timestamp_micros())
                .cast(utc)
                .alias(INGESTED_AT),
            lit(batch_id).alias(BATCH_ID),
        ]))
    }

    /// Commits the consumed offsets to the consumer group, for monitoring only (lag
    /// dashboards); failures are logged, never fatal.
    fn commit_group_offsets(&self) {
        let mut list = TopicPartitionList::new();
        for (p, o) in &self.next {
            if list
                .add_partition_offset(&self.settings.topic, *p, Offset::Offset(*o))
                .is_err()
            {
                return;
            }
        }
        if let Err(e) = self.consumer.commit(&list, CommitMode::Async) {
            tracing::warn!(topic = %self.settings.topic, error = %e, "informational consumer-group commit failed");
        }
    }
}

/// Polls until `max` records, every partition at its `end`, or `idle` without records.
fn poll_records(
    consumer: &BaseConsumer,
    next: &BTreeMap<i32, i64>,
    end: &BTreeMap<i32, i64>,
    max: usize,
    idle: Duration,
) -> rdkafka::error::KafkaResult<Vec<Record>> {
    let mut records: Vec<Record> = Vec::new();
    let mut position: BTreeMap<i32, i64> = next.clone();
    let mut last_record = Instant::now();
    let done = |position: &BTreeMap<i32, i64>| {
        !end.is_empty()
            && end
                .iter()
                .all(|(p, h)| position.get(p).copied().unwrap_or(0) >= *h)
    };
    while records.len() < max && !done(&position) && last_record.elapsed() < idle {
        let Some(message) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let message = message?;
        let (partition, offset) = (message.partition(), message.offset());
        if position.get(&partition).is_some_and(|p| offset < *p) {
            continue;
        }
        position.insert(partition, offset + 1);
        last_record = Instant::now();
        let payload = message.payload();
        let value = payload.and_then(|p| std::str::from_utf8(p).ok());
        let json = value.is_some_and(|v| serde_json::from_str::<serde::de::IgnoredAny>(v).is_ok());
        records.push(Record {
            partition,
            offset,
            key: message
                .key()
                .map(|k| String::from_utf8_lossy(k).into_owned()),
            value: value
                .map(str::to_string)
                .or_else(|| payload.map(|p| String::from_utf8_lossy(p).into_owned())),
            timestamp_ms: message.timestamp().to_millis(),
            json,
        });
    }
    Ok(records)
}
