//! Streaming a Polars `LazyFrame` into delta-rs in bounded memory.
//!
//! The query runs on Polars' streaming engine in a background thread and hands out
//! `DataFrame` morsels through a callback sink; each morsel crosses the bridge and is
//! queued on a channel with a small fixed capacity. The channel is the backpressure:
//! Polars pauses while delta-rs writes, so memory stays at a few batches whatever the
//! size of the input. delta-rs consumes the queue as a DataFusion streaming table.

use std::fmt;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef as ArrowRsSchemaRef;
use deltalake::datafusion::catalog::streaming::StreamingTable;
use deltalake::datafusion::error::DataFusionError;
use deltalake::datafusion::execution::TaskContext;
use deltalake::datafusion::logical_expr::LogicalPlan;
use deltalake::datafusion::physical_plan::SendableRecordBatchStream;
use deltalake::datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use deltalake::datafusion::physical_plan::streaming::PartitionStream;
use deltalake::datafusion::prelude::SessionContext;
use polars::prelude::*;

use crate::blocking::spawn_polars_thread;
use crate::bridge::{StringFormat, dataframe_to_record_batches, polars_schema_to_arrow};
use crate::error::{Error, Result};

/// Called with every batch on its way from Polars to delta-rs (e.g. to report progress).
pub(crate) type BatchObserver = Arc<dyn Fn(&DataFrame) + Send + Sync>;

/// Batches queued between Polars and delta-rs; memory is bounded by this many batches.
const QUEUE_CAPACITY: usize = 2;

type BatchResult = std::result::Result<RecordBatch, DataFusionError>;

/// Counts rows as they pass, so a writer can report what it wrote.
#[derive(Debug, Default, Clone)]
pub(crate) struct RowCounter(Arc<AtomicU64>);

impl RowCounter {
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A one-shot DataFusion partition stream fed by a Polars streaming query.
struct PolarsPartitionStream {
    schema: ArrowRsSchemaRef,
    receiver: Mutex<Option<Receiver<BatchResult>>>,
}

impl fmt::Debug for PolarsPartitionStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolarsPartitionStream")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl PartitionStream for PolarsPartitionStream {
    fn schema(&self) -> &ArrowRsSchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let schema = self.schema.clone();
        let Some(receiver) = self.receiver.lock().ok().and_then(|mut guard| guard.take()) else {
            // The Polars query runs once; a second scan of this input has no rows to give.
            return Box::pin(RecordBatchStreamAdapter::new(
                schema,
                futures::stream::once(async {
                    Err(DataFusionError::Execution(
                        "a streamed Polars input can only be read once".into(),
                    ))
                }),
            ));
        };
        let stream = futures::stream::unfold(Some(receiver), |receiver| async move {
            let receiver = receiver?;
            // `recv` blocks, so it runs on the blocking pool, not on an async worker.
            let joined = tokio::task::spawn_blocking(move || {
                let item = receiver.recv();
                (receiver, item)
            })
            .await;
            match joined {
                Ok((receiver, Ok(item))) => Some((item, Some(receiver))),
                // Sender dropped: the query finished.
                Ok((_, Err(_))) => None,
                Err(join_error) => {
                    Some((Err(DataFusionError::External(Box::new(join_error))), None))
                }
            }
        });
        Box::pin(RecordBatchStreamAdapter::new(schema, stream))
    }
}

fn send_frame(
    sender: &SyncSender<BatchResult>,
    df: &DataFrame,
    format: StringFormat,
    rows: &RowCounter,
    observer: Option<&BatchObserver>,
) -> PolarsResult<bool> {
    if let Some(observe) = observer {
        observe(df);
    }
    let batches = match dataframe_to_record_batches(df, format) {
        Ok(batches) => batches,
        Err(e) => {
            // Hand the error to the writer (it fails the commit) and stop the query.
            let _ = sender.send(Err(DataFusionError::External(Box::new(e))));
            return Ok(true);
        }
    };
    for batch in batches {
        if batch.num_rows() == 0 {
            continue;
        }
        rows.0.fetch_add(batch.num_rows() as u64, Ordering::Relaxed);
        if sender.send(Ok(batch)).is_err() {
            // The consumer is gone (e.g. the write failed): stop the query.
            return Ok(true);
        }
    }
    Ok(false)
}

/// A LazyFrame turned into a DataFusion logical plan that streams its rows once.
pub(crate) struct StreamedInput {
    /// The plan to hand to delta-rs.
    pub(crate) plan: LogicalPlan,
    /// Rows that have passed through the stream so far.
    pub(crate) rows: RowCounter,
}

/// Starts `lf` on Polars' streaming engine and exposes it as a DataFusion plan.
///
/// The query starts immediately in a background thread but blocks after
/// `QUEUE_CAPACITY` batches until delta-rs pulls them.
pub(crate) fn stream_lazyframe(
    mut lf: LazyFrame,
    batch_rows: NonZeroUsize,
    format: StringFormat,
    observer: Option<BatchObserver>,
    table: &str,
) -> Result<StreamedInput> {
    let schema = lf
        .collect_schema()
        .map_err(|e| Error::polars(table, "write", e))?;
    let arrow_schema: ArrowRsSchemaRef = Arc::new(polars_schema_to_arrow(&schema, format)?);
    let (sender, receiver) = sync_channel::<BatchResult>(QUEUE_CAPACITY);
    let rows = RowCounter::default();

    let callback_sender = sender.clone();
    let callback_rows = rows.clone();
    let sink = lf
        .sink_batches(
            PlanCallback::new(move |df: DataFrame| {
                send_frame(
                    &callback_sender,
                    &df,
                    format,
                    &callback_rows,
                    observer.as_ref(),
                )
            }),
            true,
            Some(batch_rows),
        )
        .map_err(|e| Error::polars(table, "write", e))?;
    let error_sender = sender;
    spawn_polars_thread("medallion-polars-stream", move || {
        if let Err(e) = sink.collect_with_engine(Engine::Streaming) {
            // The receiver may be gone already; nothing else to tell then.
            let _ = error_sender.send(Err(DataFusionError::External(Box::new(e))));
        }
    })
    .map_err(|e| Error::Internal {
        table: table.to_string(),
        operation: "write",
        reason: format!("cannot start the streaming thread: {e}"),
    })?;

    let partition = Arc::new(PolarsPartitionStream {
        schema: arrow_schema.clone(),
        receiver: Mutex::new(Some(receiver)),
    });
    let provider =
        StreamingTable::try_new(arrow_schema, vec![partition]).map_err(|e| Error::Internal {
            table: table.to_string(),
            operation: "write",
            reason: e.to_string(),
        })?;
    let ctx = SessionContext::new();
    let frame = ctx
        .read_table(Arc::new(provider))
        .map_err(|e| Error::Internal {
            table: table.to_string(),
            operation: "write",
            reason: e.to_string(),
        })?;
    Ok(StreamedInput {
        plan: frame.into_unoptimized_plan(),
        rows,
    })
}
