//! Kafka in and out (cargo feature `kafka`): an exactly-once micro-batch source into a
//! bronze Delta table, and a JSON event sink.
//!
//! The client is `rdkafka` linked dynamically against the
//! system librdkafka (the C client every Kafka-compatible service — Apache Kafka,
//! Redpanda, Azure Event Hubs, tansu — tests against), so the feature adds seconds of
//! compile time rather than a C build.
//!
//! ## Source: [`KafkaSourceBuilder`] → [`KafkaSource`]
//!
//! Each micro-batch ([`KafkaSource::next_batch`]) reads at most
//! `max_offsets_per_trigger` records from the topic's partitions, starting exactly where
//! the bronze table says, and appends them to bronze in **one** Delta commit that also
//! records the consumed offsets:
//!
//! - the commit carries the application transaction `(<pipeline>/kafka/<topic>,
//!   batch id)` and, in its commit metadata under [`OFFSETS_KEY`], the next offset of
//!   every partition — rows and offsets are durable together or not at all;
//! - on start the source reads the latest such commit back: a crash or restart resumes
//!   where the table says, no record lost, none twice; Kafka's consumer-group commit
//!   is made after the Delta commit for monitoring only and never read;
//! - a record whose value is not UTF-8 JSON (a poison message) goes to
//!   `<bronze>_quarantine` with its topic, partition, offset and an `_ingest_issue`,
//!   before the bronze commit (idempotently: offsets already quarantined are skipped on
//!   replay), and the batch goes on;
//! - a broker that cannot be reached at start is an [`crate::Error::Kafka`] naming the
//!   bootstrap servers, after [`KafkaSourceBuilder::with_connect_timeout`].
//!
//! Triggers: [`KafkaSource::next_batch`] is one trigger (the caller's loop sets the
//! interval); [`KafkaSource::run_available_now`] processes everything available when it
//! starts, in batches, then returns (Spark's `Trigger.AvailableNow`).
//!
//! Bronze rows have the layout of medallion-core's line bronze (so `SilverBuilder` and
//! a transform written for landing files read them unchanged): [`crate::pipeline::RAW_LINE`]
//! holds the value, [`crate::pipeline::SOURCE_FILE`] is `kafka://<topic>/<partition>`,
//! [`crate::pipeline::SOURCE_ROW`] the offset, plus `_ingested_at`, `_batch_id` and the
//! Kafka columns [`TOPIC`], [`PARTITION`], [`OFFSET`], [`KEY`], [`TIMESTAMP`].
//!
//! ## Sink: [`KafkaSinkBuilder`] → [`KafkaSink`]
//!
//! Publishes JSON documents (pipeline run events: [`RunEvent`]; rows of a frame, e.g.
//! clinical alerts: [`KafkaSink::publish_rows`]) and waits for the broker's
//! acknowledgement of each.

mod sink;
mod source;

pub use sink::{KafkaSink, KafkaSinkBuilder, RunEvent};
pub use source::{KafkaBatchReport, KafkaSource, KafkaSourceBuilder};

/// Bronze column: the topic (`String`).
pub const TOPIC: &str = "_kafka_topic";
/// Bronze column: the partition (`Int32`).
pub const PARTITION: &str = "_kafka_partition";
/// Bronze column: the offset (`Int64`).
pub const OFFSET: &str = "_kafka_offset";
/// Bronze column: the message key as UTF-8 (lossy; `String`, null when absent).
pub const KEY: &str = "_kafka_key";
/// Bronze column: the message timestamp (`Datetime(µs, UTC)`, null when absent).
pub const TIMESTAMP: &str = "_kafka_timestamp";
/// Commit-metadata key of the consumed offsets: `{"<topic>": {"<partition>": next}}`.
pub const OFFSETS_KEY: &str = "kafka_offsets";
/// `_ingest_issue` of a record whose value is not UTF-8 JSON.
pub const NOT_JSON: &str = "not_json";

/// An [`crate::Error::Kafka`].
pub(crate) fn kafka_error(
    bootstrap: &str,
    topic: &str,
    operation: &'static str,
    reason: impl std::fmt::Display,
) -> crate::Error {
    crate::Error::Kafka {
        bootstrap: bootstrap.to_string(),
        topic: topic.to_string(),
        operation,
        reason: reason.to_string(),
    }
}
