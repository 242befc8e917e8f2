//! Run reports: per run and table, what was read, written, quarantined, deduplicated.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::bronze::BronzeReport;
use super::silver::SilverReport;
use crate::error::{Error, Result};
use crate::location::TableLocation;
use crate::write::{SchemaEvolution, WriteBuilder, WriteReport};

/// The medallion layer of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Raw, append-only.
    Bronze,
    /// Cleaned, conformed, deduplicated.
    Silver,
    /// Derived, recomputed.
    Gold,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Bronze => "bronze",
            Layer::Silver => "silver",
            Layer::Gold => "gold",
        })
    }
}

/// What one run did to one table.
///
/// Bronze and silver counts reconcile ([`TableRunReport::reconciles`]): every row read
/// is counted once,
///
/// ```text
/// rows_read    = rows_written + rows_unchanged + rows_quarantined + rows_deduplicated
/// rows_written = rows_inserted + rows_updated + rows_deleted
/// ```
///
/// (see [`SilverReport`] for what each silver count means; bronze only inserts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRunReport {
    /// Layer.
    pub layer: Layer,
    /// Table name (e.g. `encounters`).
    pub table: String,
    /// Rows read from the layer below (bronze: rows in the new landing files).
    pub rows_read: u64,
    /// Rows written: rows that changed the table.
    pub rows_written: u64,
    /// Rows quarantined.
    pub rows_quarantined: u64,
    /// Rows removed as duplicates (silver: older records of a key, within the run or
    /// older than the row silver holds).
    pub rows_deduplicated: u64,
    /// Rows of new keys added (bronze: every row written; gold: 0).
    #[serde(default)]
    pub rows_inserted: u64,
    /// Rows that replaced the row held for their key (silver).
    #[serde(default)]
    pub rows_updated: u64,
    /// Rows deleted (silver hard CDC deletes).
    #[serde(default)]
    pub rows_deleted: u64,
    /// Rows that left the table as it was: equal to the row held for their key (silver).
    #[serde(default)]
    pub rows_unchanged: u64,
    /// Rows violating each data-quality rule.
    pub rule_hits: BTreeMap<String, u64>,
    /// Columns added by schema drift.
    pub schema_drift: Vec<String>,
    /// Table version committed, if any.
    pub version: Option<u64>,
    /// Wall time.
    pub duration: Duration,
}

impl TableRunReport {
    /// An entry with every count at zero, e.g. what a builder records in its commit
    /// before delta-rs has counted the rows (see [`super::RUN_REPORT_KEY`]).
    pub fn empty(layer: Layer, table: impl Into<String>) -> Self {
        Self {
            layer,
            table: table.into(),
            rows_read: 0,
            rows_written: 0,
            rows_quarantined: 0,
            rows_deduplicated: 0,
            rows_inserted: 0,
            rows_updated: 0,
            rows_deleted: 0,
            rows_unchanged: 0,
            rule_hits: BTreeMap::new(),
            schema_drift: Vec::new(),
            version: None,
            duration: Duration::ZERO,
        }
    }

    /// The entry as commit metadata under [`super::RUN_REPORT_KEY`].
    pub fn commit_metadata(&self) -> (String, serde_json::Value) {
        (
            super::RUN_REPORT_KEY.to_string(),
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null),
        )
    }

    /// The bronze part of a run.
    pub fn from_bronze(table: impl Into<String>, report: &BronzeReport) -> Self {
        Self {
            rows_read: report.rows_written,
            rows_written: report.rows_written,
            rows_inserted: report.rows_written,
            schema_drift: report.new_columns.clone(),
            version: report.version,
            duration: report.duration,
            ..Self::empty(Layer::Bronze, table)
        }
    }

    /// The silver part of a run.
    pub fn from_silver(table: impl Into<String>, report: &SilverReport) -> Self {
        Self {
            layer: Layer::Silver,
            table: table.into(),
            rows_read: report.rows_read,
            rows_written: report.rows_written,
            rows_quarantined: report.rows_quarantined,
            rows_deduplicated: report.rows_deduplicated,
            rows_inserted: report.rows_inserted,
            rows_updated: report.rows_updated,
            rows_deleted: report.rows_deleted,
            rows_unchanged: report.rows_unchanged,
            rule_hits: report.rule_hits.clone(),
            schema_drift: Vec::new(),
            version: report.version,
            duration: report.duration,
        }
    }

    /// A gold table written by a run (`rows_read` is what the caller says it read).
    pub fn from_gold(table: impl Into<String>, rows_read: u64, report: &WriteReport) -> Self {
        Self {
            rows_read,
            rows_written: report.rows_written,
            version: report.version,
            duration: report.duration,
            ..Self::empty(Layer::Gold, table)
        }
    }

    /// For bronze and silver: `read = written + unchanged + quarantined + deduplicated`
    /// and `written = inserted + updated + deleted` (gold: always).
    pub fn reconciles(&self) -> bool {
        self.layer == Layer::Gold
            || (self.rows_read
                == self.rows_written
                    + self.rows_unchanged
                    + self.rows_quarantined
                    + self.rows_deduplicated
                && self.rows_written == self.rows_inserted + self.rows_updated + self.rows_deleted)
    }
}

/// How a run's report came to be recorded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// The run finished and appended its own report.
    #[default]
    Completed,
    /// The run was killed after some commits; a later run rebuilt its report from
    /// those commits (see [`super::RecoverRunsBuilder`]).
    Interrupted,
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RunStatus::Completed => "completed",
            RunStatus::Interrupted => "interrupted",
        })
    }
}

/// A pipeline run: one entry per table touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Run identifier (caller-chosen, e.g. a UUID or timestamp).
    pub run_id: String,
    /// When the run started (for an interrupted run: its first commit).
    pub started_at: DateTime<Utc>,
    /// Whether the run recorded this report itself or was interrupted (column `status`
    /// of `_runs`; tables written before it existed read as null there).
    #[serde(default)]
    pub status: RunStatus,
    /// Per-table entries, in execution order.
    pub tables: Vec<TableRunReport>,
}

impl RunReport {
    /// An empty report for a run.
    pub fn new(run_id: impl Into<String>, started_at: DateTime<Utc>) -> Self {
        Self {
            run_id: run_id.into(),
            started_at,
            status: RunStatus::Completed,
            tables: Vec::new(),
        }
    }

    /// Adds a table entry.
    pub fn push(&mut self, entry: TableRunReport) {
        self.tables.push(entry);
    }

    /// Tables whose counts do not reconcile (empty when all is well).
    pub fn unreconciled(&self) -> Vec<&TableRunReport> {
        self.tables.iter().filter(|t| !t.reconciles()).collect()
    }

    /// The report as a frame: one row per table, the schema of the `_runs` table.
    ///
    /// The change counts (`rows_inserted`, `rows_updated`, `rows_deleted`,
    /// `rows_unchanged`) came after the first `_runs` tables: [`RunReport::append_to`]
    /// adds them to an older table (schema merge), whose earlier rows read them as null.
    ///
    /// # Errors
    /// [`Error::Polars`] if the frame cannot be built (a bug).
    pub fn to_dataframe(&self) -> Result<DataFrame> {
        let t = &self.tables;
        let started = self.started_at.timestamp_micros();
        let df = df!(
            "run_id" => vec![self.run_id.clone(); t.len()],
            "started_at" => vec![started; t.len()],
            "status" => vec![self.status.to_string(); t.len()],
            "layer" => t.iter().map(|e| e.layer.to_string()).collect::<Vec<_>>(),
            "table" => t.iter().map(|e| e.table.clone()).collect::<Vec<_>>(),
            "rows_read" => t.iter().map(|e| e.rows_read as i64).collect::<Vec<_>>(),
            "rows_written" => t.iter().map(|e| e.rows_written as i64).collect::<Vec<_>>(),
            "rows_quarantined" => t.iter().map(|e| e.rows_quarantined as i64).collect::<Vec<_>>(),
            "rows_deduplicated" => t.iter().map(|e| e.rows_deduplicated as i64).collect::<Vec<_>>(),
            "rows_inserted" => t.iter().map(|e| e.rows_inserted as i64).collect::<Vec<_>>(),
            "rows_updated" => t.iter().map(|e| e.rows_updated as i64).collect::<Vec<_>>(),
            "rows_deleted" => t.iter().map(|e| e.rows_deleted as i64).collect::<Vec<_>>(),
            "rows_unchanged" => t.iter().map(|e| e.rows_unchanged as i64).collect::<Vec<_>>(),
            "rule_hits" => t
                .iter()
                .map(|e| serde_json::to_string(&e.rule_hits).unwrap_or_default())
                .collect::<Vec<_>>(),
            "schema_drift" => t.iter().map(|e| e.schema_drift.join(",")).collect::<Vec<_>>(),
            "version" => t.iter().map(|e| e.version.map(|v| v as i64)).collect::<Vec<_>>(),
            "duration_ms" => t.iter().map(|e| e.duration.as_millis() as i64).collect::<Vec<_>>(),
        )
        .map_err(|e| Error::polars("_runs", "run report", e))?;
        df.lazy()
            .with_column(col("started_at").cast(DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            )))
            .collect()
            .map_err(|e| Error::polars("_runs", "run report", e))
    }

    /// Appends this report to the `_runs` Delta table at `location`.
    ///
    /// # Errors
    /// Write errors from [`WriteBuilder`].
    pub async fn append_to(
        &self,
        location: impl TryInto<TableLocation, Error = Error>,
    ) -> Result<WriteReport> {
        WriteBuilder::new(location, self.to_dataframe()?.lazy())?
            .with_schema_evolution(SchemaEvolution::Merge)
            .with_commit_metadata("run_id", self.run_id.clone())
            .await
    }
}

impl fmt::Display for RunReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "run {} (started {}){}",
            self.run_id,
            self.started_at.to_rfc3339(),
            match self.status {
                RunStatus::Completed => "",
                RunStatus::Interrupted => ", interrupted: report rebuilt from its commits",
            }
        )?;
        // The table column fits the longest name, so the numbers stay aligned.
        let width = self
            .tables
            .iter()
            .map(|t| t.table.chars().count())
            .max()
            .unwrap_or(0)
            .max(24);
        writeln!(
            f,
            "  {:<7} {:<width$} {:>10} {:>10} {:>10} {:>11} {:>9} {:>9}  notes",
            "layer", "table", "read", "written", "unchanged", "quarantined", "dedup", "ms"
        )?;
        for t in &self.tables {
            let mut notes = Vec::new();
            let fired: Vec<String> = t
                .rule_hits
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(rule, n)| format!("{rule}={n}"))
                .collect();
            if !fired.is_empty() {
                notes.push(format!("rules: {}", fired.join(", ")));
            }
            if t.rows_updated > 0 || t.rows_deleted > 0 {
                notes.push(format!(
                    "inserted {}, updated {}, deleted {}",
                    t.rows_inserted, t.rows_updated, t.rows_deleted
                ));
            }
            if !t.schema_drift.is_empty() {
                notes.push(format!("schema drift: {}", t.schema_drift.join(", ")));
            }
            if !t.reconciles() {
                notes.push("COUNTS DO NOT RECONCILE".into());
            }
            writeln!(
                f,
                "  {:<7} {:<width$} {:>10} {:>10} {:>10} {:>11} {:>9} {:>9}  {}",
                t.layer.to_string(),
                t.table,
                t.rows_read,
                t.rows_written,
                t.rows_unchanged,
                t.rows_quarantined,
                t.rows_deduplicated,
                t.duration.as_millis(),
                notes.join("; ")
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(table: &str, rows: u64) -> TableRunReport {
        TableRunReport {
            layer: Layer::Gold,
            table: table.into(),
            rows_read: rows,
            rows_written: rows,
            rows_quarantined: 0,
            rows_deduplicated: 0,
            rows_inserted: 0,
            rows_updated: 0,
            rows_deleted: 0,
            rows_unchanged: 0,
            rule_hits: BTreeMap::new(),
            schema_drift: Vec::new(),
            version: Some(0),
            duration: Duration::from_millis(5),
        }
    }

    /// End offsets of the whitespace-separated fields of `line`.
    fn field_ends(line: &str) -> Vec<usize> {
        let mut ends = Vec::new();
        let mut in_field = false;
        for (i, c) in line.char_indices() {
            if c.is_whitespace() && in_field {
                ends.push(i);
            }
            in_field = !c.is_whitespace();
        }
        if in_field {
            ends.push(line.len());
        }
        ends
    }

    #[test]
    fn long_table_names_keep_the_number_columns_aligned() {
        let mut report = RunReport::new("r", Utc::now());
        report.push(gold("encounters_by_age_group_and_class", 37));
        report.push(gold("dim_payer", 10));
        let text = report.to_string();
        let lines: Vec<&str> = text.lines().skip(1).collect();
        // Fields 2..=7 (read … ms) end at the same offsets in the header and every row.
        let header = field_ends(lines[0]);
        for row in &lines[1..] {
            assert_eq!(field_ends(row)[2..8], header[2..8], "{text}");
        }
    }
}
