//! Which landed files a bronze table holds, identified by content.
//!
//! Every bronze commit records, in its commit metadata under [`LEDGER_KEY`], each file it
//! took: relative path, size, modification time, XXH3-128 of the content, rows, and —
//! for a file whose content an earlier file already delivered — the path of that file.
//! Reading the table history back gives the ledger. Batches committed before the ledger
//! existed (or whose commits the log no longer holds) are covered by the table's data:
//! their `_source_file` values count as ingested, by path.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::UNIX_EPOCH;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::bronze::{BATCH_ID, SOURCE_FILE};
use crate::blocking::run_blocking;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::ops::history::HistoryBuilder;
use crate::read::ReadBuilder;
use crate::table::app_transaction_version;

/// Commit metadata key of the files a bronze commit recorded.
pub(crate) const LEDGER_KEY: &str = "bronze_files";
/// Commit metadata key of the bronze batch number.
pub(crate) const BATCH_KEY: &str = "bronze_batch_id";

/// One landed file as a bronze commit records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRecord {
    /// Path relative to the landing root (the `_source_file` value).
    pub(crate) path: String,
    /// Size in bytes.
    pub(crate) size: u64,
    /// Modification time, milliseconds since the Unix epoch.
    pub(crate) mtime_ms: i64,
    /// XXH3-128 of the content, 32 lower-case hex digits.
    pub(crate) xxh3_128: String,
    /// Data rows taken from the file (0 for a re-delivery).
    pub(crate) rows: u64,
    /// For a re-delivery: the path of the file that delivered this content first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) same_as: Option<String>,
}

/// A landed file's size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// Size in bytes.
    pub(crate) size: u64,
    /// Modification time, milliseconds since the Unix epoch (0 when the platform has none).
    pub(crate) mtime_ms: i64,
}

impl Stamp {
    /// The stamp of the file at `path`.
    pub(crate) fn of(path: &Path) -> std::io::Result<Self> {
        let metadata = std::fs::metadata(path)?;
        let mtime_ms = metadata
            .modified()
            .ok()
            .map(|t| match t.duration_since(UNIX_EPOCH) {
                Ok(after) => after.as_millis() as i64,
                Err(before) => -(before.duration().as_millis() as i64),
            })
            .unwrap_or(0);
        Ok(Self {
            size: metadata.len(),
            mtime_ms,
        })
    }
}

/// The content hash bronze identifies files by: XXH3-128, as 32 hex digits.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// What a bronze table holds before a run.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    /// Every recorded file with its batch.
    records: Vec<(i64, FileRecord)>,
    /// Paths ingested by batches without a record (by path only).
    legacy_paths: BTreeSet<String>,
    /// The table's columns, `None` when the table does not exist yet.
    pub(crate) table_columns: Option<Vec<String>>,
    /// The last batch the application committed (0 for none).
    pub(crate) last_batch: i64,
}

/// Where a landed file's content was first ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FirstDelivery {
    /// Its relative path.
    pub(crate) path: String,
    /// Its batch.
    pub(crate) batch: i64,
}

impl Ledger {
    /// Whether `path` with this stamp is recorded (so its content need not be hashed), or
    /// was ingested before the ledger existed.
    pub(crate) fn knows(&self, path: &str, stamp: Stamp) -> bool {
        self.legacy_paths.contains(path)
            || self.records.iter().any(|(_, r)| {
                r.path == path && r.size == stamp.size && r.mtime_ms == stamp.mtime_ms
            })
    }

    /// The file that first delivered content with this hash, if any.
    pub(crate) fn first_delivery(&self, hash: &str) -> Option<FirstDelivery> {
        self.records
            .iter()
            .find(|(_, r)| r.xxh3_128 == hash && r.same_as.is_none())
            .map(|(batch, r)| FirstDelivery {
                path: r.path.clone(),
                batch: *batch,
            })
    }
}

/// Reads the ledger of the bronze table at `table` (empty when there is no table).
///
/// The history gives the recorded files; when some batch of `app_id` up to its last one
/// has no record (a table written before the ledger existed, or a log whose early commits
/// were cleaned up), the `_source_file` values of the unrecorded batches are read from
/// the data and count as ingested by path.
pub(crate) async fn load_ledger(table: &TableLocation, app_id: &str) -> Result<Ledger> {
    let history = match HistoryBuilder::new(table)?.await {
        Ok(history) => history,
        Err(Error::TableNotFound { .. }) => return Ok(Ledger::default()),
        Err(e) => return Err(e),
    };
    let mut records = Vec::new();
    let mut recorded = BTreeSet::new();
    for entry in history {
        let batch = entry
            .info
            .get(BATCH_KEY)
            .and_then(serde_json::Value::as_i64);
        let files = entry
            .info
            .get(LEDGER_KEY)
            .cloned()
            .and_then(|v| serde_json::from_value::<Vec<FileRecord>>(v).ok());
        if let (Some(batch), Some(files)) = (batch, files) {
            recorded.insert(batch);
            records.extend(files.into_iter().map(|f| (batch, f)));
        }
    }
    records.sort_by_key(|(batch, _)| *batch);
    let last = app_transaction_version(table, app_id).await?.unwrap_or(0);
    let complete = (1..=last).all(|b| recorded.contains(&b));
    let (legacy_paths, table_columns) = legacy_state(table, recorded, !complete).await?;
    Ok(Ledger {
        records,
        legacy_paths,
        table_columns,
        last_batch: last,
    })
}

/// The table's columns and, when `scan`, the `_source_file` values of rows whose batch
/// is not in `recorded`.
async fn legacy_state(
    table: &TableLocation,
    recorded: BTreeSet<i64>,
    scan: bool,
) -> Result<(BTreeSet<String>, Option<Vec<String>>)> {
    const OP: &str = "bronze ingest";
    let lf = match ReadBuilder::new(table)?.await {
        Ok(lf) => lf,
        Err(Error::TableNotFound { .. }) => return Ok((BTreeSet::new(), None)),
        Err(e) => return Err(e),
    };
    let uri = table.to_string();
    let table_uri = uri.clone();
    run_blocking(&table_uri, OP, move || {
        let mut lf = lf;
        let columns: Vec<String> = lf
            .collect_schema()
            .map_err(|e| Error::polars(&uri, OP, e))?
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        if !scan || !columns.iter().any(|c| c == SOURCE_FILE) {
            return Ok((BTreeSet::new(), Some(columns)));
        }
        if columns.iter().any(|c| c == BATCH_ID) {
            let unrecorded = recorded
                .iter()
                .fold(lit(true), |keep, b| keep.and(col(BATCH_ID).neq(lit(*b))));
            lf = lf.filter(unrecorded);
        }
        let files = lf
            .select([col(SOURCE_FILE)])
            .unique(None, UniqueKeepStrategy::Any)
            .collect()
            .map_err(|e| Error::polars(&uri, OP, e))?;
        let paths = files
            .column(SOURCE_FILE)
            .and_then(|c| c.str().cloned())
            .map_err(|e| Error::polars(&uri, OP, e))?
            .iter()
            .flatten()
            .map(str::to_string)
            .collect();
        Ok((paths, Some(columns)))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str, hash: &str, same_as: Option<&str>) -> FileRecord {
        FileRecord {
            path: path.into(),
            size: 10,
            mtime_ms: 5,
            xxh3_128: hash.into(),
            rows: 1,
            same_as: same_as.map(Into::into),
        }
    }

    #[test]
    fn a_recorded_path_is_known_only_with_its_size_and_mtime() {
        let ledger = Ledger {
            records: vec![(1, record("a.csv", "h1", None))],
            ..Ledger::default()
        };
        let stamp = Stamp {
            size: 10,
            mtime_ms: 5,
        };
        assert!(ledger.knows("a.csv", stamp));
        assert!(!ledger.knows(
            "a.csv",
            Stamp {
                mtime_ms: 6,
                ..stamp
            }
        ));
        assert!(!ledger.knows("b.csv", stamp));
    }

    #[test]
    fn content_is_first_delivered_by_the_record_that_is_no_redelivery() {
        let ledger = Ledger {
            records: vec![
                (1, record("a.csv", "h1", None)),
                (2, record("b.csv", "h1", Some("a.csv"))),
            ],
            ..Ledger::default()
        };
        assert_eq!(
            ledger.first_delivery("h1"),
            Some(FirstDelivery {
                path: "a.csv".into(),
                batch: 1
            })
        );
        assert_eq!(ledger.first_delivery("h2"), None);
    }

    #[test]
    fn the_content_hash_is_xxh3_128_in_hex() {
        assert_eq!(content_hash(b"").len(), 32);
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
    }
}
