//! The JSON event sink (see the module docs).

use std::time::Duration;

use chrono::{DateTime, Utc};
use polars::prelude::*;
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use serde::{Deserialize, Serialize};

use super::kafka_error;
use crate::error::{Error, Result};

/// A pipeline run event, published as JSON: `{"event": "run_completed", "pipeline":
/// …, "run_id": …, "at": …, "summary": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunEvent {
    /// `run_completed` or `run_failed`.
    pub event: String,
    /// The pipeline.
    pub pipeline: String,
    /// The run id.
    pub run_id: String,
    /// When the run ended.
    pub at: DateTime<Utc>,
    /// The run report's summary (counts, durations, the error message of a failed run;
    /// never patient values).
    pub summary: serde_json::Value,
}

impl RunEvent {
    /// A `run_completed` event.
    pub fn completed(
        pipeline: impl Into<String>,
        run_id: impl Into<String>,
        summary: serde_json::Value,
    ) -> Self {
        Self::new("run_completed", pipeline, run_id, summary)
    }

    /// A `run_failed` event.
    pub fn failed(
        pipeline: impl Into<String>,
        run_id: impl Into<String>,
        summary: serde_json::Value,
    ) -> Self {
        Self::new("run_failed", pipeline, run_id, summary)
    }

    fn new(
        event: &str,
        pipeline: impl Into<String>,
        run_id: impl Into<String>,
        summary: serde_json::Value,
    ) -> Self {
        Self {
            event: event.to_string(),
            pipeline: pipeline.into(),
            run_id: run_id.into(),
            at: Utc::now(),
            summary,
        }
    }
}

/// Settings of a [`KafkaSink`]; `.await` connects and checks the broker is reachable.
#[derive(Debug, Clone)]
#[must_use = "a KafkaSinkBuilder does nothing until awaited"]
pub struct KafkaSinkBuilder {
    bootstrap: String,
    timeout: Duration,
    client_config: Vec<(String, String)>,
}

impl KafkaSinkBuilder {
    /// A sink publishing to the brokers `bootstrap` (`host:port[,…]`).
    pub fn new(bootstrap: impl Into<String>) -> Self {
        Self {
            bootstrap: bootstrap.into(),
            timeout: Duration::from_secs(10),
            client_config: Vec::new(),
        }
    }

    /// How long connecting and each delivery may take. Default 10 s.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A librdkafka setting, applied after the defaults.
    pub fn with_client_config(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.client_config.push((key.into(), value.into()));
        self
    }

    fn client(&self) -> ClientConfig {
        let mut client = ClientConfig::new();
        client
            .set("bootstrap.servers", &self.bootstrap)
            .set("message.timeout.ms", self.timeout.as_millis().to_string());
        for (k, v) in &self.client_config {
            client.set(k, v);
        }
        client
    }

    async fn execute(self) -> Result<KafkaSink> {
        let err = |op, e: &dyn std::fmt::Display| kafka_error(&self.bootstrap, "-", op, e);
        let producer: FutureProducer = self
            .client()
            .create()
            .map_err(|e| err("create producer", &e))?;
        let (p, timeout) = (producer.clone(), self.timeout);
        tokio::task::spawn_blocking(move || p.client().fetch_metadata(None, timeout))
            .await
            .map_err(|e| err("connect", &e))?
            .map_err(|e| {
                err(
                    "connect",
                    &format!(
                        "no broker reachable within {} s ({e}); is the broker running?",
                        timeout.as_secs()
                    ),
                )
            })?;
        Ok(KafkaSink {
            producer,
            settings: self,
        })
    }
}

awaitable_builder!(KafkaSinkBuilder => KafkaSink);

/// A connected producer of JSON events.
#[derive(Clone)]
pub struct KafkaSink {
    producer: FutureProducer,
    settings: KafkaSinkBuilder,
}

impl std::fmt::Debug for KafkaSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaSink")
            .field("bootstrap", &self.settings.bootstrap)
            .finish_non_exhaustive()
    }
}

impl KafkaSink {
    /// Creates `topic` with `partitions` partitions (replication 1) unless it exists.
    ///
    /// # Errors
    /// [`Error::Kafka`] when the broker refuses.
    pub async fn create_topic(&self, topic: &str, partitions: i32) -> Result<()> {
        let admin: AdminClient<DefaultClientContext> = self
            .settings
            .client()
            .create()
            .map_err(|e| self.error(topic, "create admin client", e))?;
        let new = NewTopic::new(topic, partitions, TopicReplication::Fixed(1));
        let options = AdminOptions::new().operation_timeout(Some(self.settings.timeout));
        let results = admin
            .create_topics([&new], &options)
            .await
            .map_err(|e| self.error(topic, "create topic", e))?;
        for result in results {
            match result {
                Ok(_) => {}
                Err((_, rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((_, code)) => return Err(self.error(topic, "create topic", code)),
            }
        }
        Ok(())
    }

    fn error(&self, topic: &str, operation: &'static str, e: impl std::fmt::Display) -> Error {
        kafka_error(&self.settings.bootstrap, topic, operation, e)
    }

    /// Publishes one payload and waits for the acknowledgement; returns its
    /// `(partition, offset)`.
    ///
    /// # Errors
    /// [`Error::Kafka`] when the delivery fails or times out.
    pub async fn publish_bytes(
        &self,
        topic: &str,
        key: Option<&str>,
        payload: &[u8],
    ) -> Result<(i32, i64)> {
        let mut record: FutureRecord<'_, str, [u8]> = FutureRecord::to(topic).payload(payload);
        if let Some(key) = key {
            record = record.key(key);
        }
        self.producer
            .send(record, self.settings.timeout)
            .await
            .map_err(|(e, _)| self.error(topic, "publish", e))
    }

    /// Publishes a serializable value as JSON.
    ///
    /// # Errors
    /// [`Error::Kafka`] when the delivery fails.
    pub async fn publish_json<T: Serialize>(
        &self,
        topic: &str,
        key: Option<&str>,
        value: &T,
    ) -> Result<(i32, i64)> {
        let payload = serde_json::to_vec(value).map_err(|e| self.error(topic, "encode JSON", e))?;
        self.publish_bytes(topic, key, &payload).await
    }

    /// Publishes every row of `frame` as one JSON object (Polars' JSON encoding, one
    /// document per row), keyed by `key_column` when given; returns the rows
    /// published.
    ///
    /// # Errors
    /// [`Error::Kafka`] when a delivery fails; [`Error::Polars`] when the frame cannot
    /// be encoded.
    pub async fn publish_rows(
        &self,
        topic: &str,
        frame: &DataFrame,
        key_column: Option<&str>,
    ) -> Result<usize> {
        let mut frame = frame.clone();
        let mut buffer = Vec::new();
        JsonWriter::new(&mut buffer)
            .with_json_format(JsonFormat::JsonLines)
            .finish(&mut frame)
            .map_err(|e| Error::polars(topic, "encode rows as JSON", e))?;
        let keys: Vec<Option<String>> = match key_column {
            Some(c) => frame
                .column(c)
                .and_then(|c| c.cast(&DataType::String))
                .and_then(|c| Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect()))
                .map_err(|e| Error::polars(topic, "read the key column", e))?,
            None => vec![None; frame.height()],
        };
        let lines = buffer.split(|b| *b == b'\n').filter(|l| !l.is_empty());
        self.publish_batch(topic, keys.iter().map(|k| k.as_deref()).zip(lines))
            .await
    }

    /// Publishes `(key, payload)` records concurrently (librdkafka batches them) and
    /// waits for every acknowledgement; returns the records published.
    ///
    /// # Errors
    /// [`Error::Kafka`] when a delivery fails (records before it may have been
    /// delivered).
    pub async fn publish_batch<'a>(
        &self,
        topic: &str,
        records: impl IntoIterator<Item = (Option<&'a str>, &'a [u8])>,
    ) -> Result<usize> {
        let sends = records
            .into_iter()
            .map(|(key, payload)| self.publish_bytes(topic, key, payload));
        let results = futures::future::join_all(sends).await;
        results
            .into_iter()
            .collect::<Result<Vec<_>>>()
            .map(|v| v.len())
    }

    /// Waits until every queued message is delivered (or `timeout`).
    pub fn flush(&self) {
        let _ = self.producer.flush(self.settings.timeout);
    }
}
